package sms_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"guanjia"
	"guanjia/sms"
	"guanjia/sms/fake"
)

// complaints is a store of complaints in memory.
type complaints map[int64]*guanjia.Complaint

func (cs complaints) FindComplaint(_ context.Context, id int64) (*guanjia.Complaint, error) {
	if c, ok := cs[id]; ok {
		return c, nil
	}
	return nil, guanjia.Errorf(guanjia.ENOTFOUND, "complaint %d not found", id)
}

// disputes is a store of disputes in memory.
type disputes map[int64]*guanjia.Dispute

func (ds disputes) FindDispute(_ context.Context, id int64) (*guanjia.Dispute, error) {
	if d, ok := ds[id]; ok {
		return d, nil
	}
	return nil, guanjia.Errorf(guanjia.ENOTFOUND, "dispute %d not found", id)
}

type env struct {
	fake   *fake.Server
	sender *sms.Sender
	cs     complaints
	ds     disputes
}

func newEnv(t *testing.T) *env {
	t.Helper()
	f, err := sms.StartFake()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	cs, ds := complaints{}, disputes{}
	link := func(id int64) string { return "https://12345.haikou.example/r/" + strings.Repeat("x", 3) }
	s, err := sms.New(sms.Config{Fake: true, BaseURL: f.URL}, cs, ds, link, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return &env{fake: f, sender: s, cs: cs, ds: ds}
}

func (e *env) call(id int64, phone string, optOut bool) {
	e.cs[id] = &guanjia.Complaint{ID: id, Source: guanjia.SourceHotline, CallerPhone: phone, SMSOptOut: optOut}
}

func message(id int64, tpl string, data map[string]string) *guanjia.Notification {
	return &guanjia.Notification{ID: 1000 + id, Message: guanjia.Message{Channel: guanjia.ChannelSMS, Template: tpl, ComplaintID: &id, Data: data}}
}

func TestSendAccepted(t *testing.T) {
	e := newEnv(t)
	e.call(12, "138-0013-8000", false)
	if err := e.sender.Send(context.Background(), nil, message(12, guanjia.TplCallerAccepted, nil)); err != nil {
		t.Fatalf("sent: %v", err)
	}
	msgs := e.fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if m.Phone != "+8613800138000" || m.TemplateID != sms.FakeTemplates[guanjia.TplCallerAccepted] || m.SignName != "海口12345" || m.Code != "Ok" {
		t.Errorf("message: %+v", m)
	}
	if want := "【海口12345】您反映的问题已受理，工单号12，"; !strings.HasPrefix(m.Text, want) {
		t.Errorf("text %q, want it to start with %q", m.Text, want)
	}
	if m.Session != "notification:1012" {
		t.Errorf("session context %q", m.Session)
	}
}

func TestSendClosedWithNoteAndLink(t *testing.T) {
	e := newEnv(t)
	e.call(7, "13900139000", false)
	note := "已清理路口垃圾并冲洗地面，设置了临时提示牌，今后每日巡查两次"
	if err := e.sender.Send(context.Background(), nil, message(7, guanjia.TplCallerClosed, map[string]string{"note": note})); err != nil {
		t.Fatal(err)
	}
	m := e.fake.Messages()[0]
	if len(m.Params) != 3 || m.Params[0] != "7" || m.Params[2] != "https://12345.haikou.example/r/xxx" {
		t.Fatalf("params %q", m.Params)
	}
	if n := len([]rune(m.Params[1])); n != sms.NoteMax || !strings.HasPrefix(note, strings.TrimSuffix(m.Params[1], "…")) {
		t.Errorf("note %q (%d characters), want the note cut to %d", m.Params[1], n, sms.NoteMax)
	}
}

// TestSendPartySession texts the party a session's message names, with the
// number read from the dispute when it is sent, and no one else.
func TestSendPartySession(t *testing.T) {
	e := newEnv(t)
	e.ds[3] = &guanjia.Dispute{ID: 3, Number: "HK-TJ-2026-3", Parties: []guanjia.Party{
		{ID: 31, Role: "applicant", Name: "陈某", Phone: "13800138001", UserID: 9},
		{ID: 32, Role: "respondent", Name: "李某", Phone: "139 0013 9002"},
		{ID: 33, Role: "respondent", Name: "海口某物业公司", Phone: "0898-66668888"}}}
	party := func(id string) *guanjia.Notification {
		return &guanjia.Notification{ID: 2000, Message: guanjia.Message{Channel: guanjia.ChannelSMS, Template: guanjia.TplPartySession,
			Data: map[string]string{"id": "3", "party": id, "start": "2026-12-03 09:30", "place": "龙华区中山街道人民调解委员会调解室（中山路12号二楼）"}}}
	}
	if err := e.sender.Send(context.Background(), nil, party("32")); err != nil {
		t.Fatal(err)
	}
	msgs := e.fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if m.Phone != "+8613900139002" || m.TemplateID != sms.FakeTemplates[guanjia.TplPartySession] {
		t.Errorf("message: %+v", m)
	}
	want := "【海口12345】您参与的纠纷调解（案号HK-TJ-2026-3）定于2026-12-03 09:30在龙华区中山街道人民调解委员会调解室（中山路12号二楼）进行，请准时参加"
	if !strings.HasPrefix(m.Text, want) {
		t.Errorf("text %q, want it to start with %q", m.Text, want)
	}
	if err := e.sender.Send(context.Background(), nil, party("33")); !errors.Is(err, guanjia.ErrNoChannel) {
		t.Errorf("a landline: %v, want no channel", err)
	}
	if err := e.sender.Send(context.Background(), nil, party("34")); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("a party of another dispute: %v, want not found", err)
	}
	if n := len(e.fake.Messages()); n != 1 {
		t.Errorf("%d messages reached the platform, want the one", n)
	}
}

func TestSendOutcomes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.call(1, "", false)              // no number given
	e.call(2, "0898-66668888", false) // a landline
	e.call(3, "13700137000", true)    // asked the agent for no SMS
	e.call(4, "13600136000", false)   // replied TD
	e.call(5, "13500135000", false)   // template refused
	e.call(6, "13400134000", false)   // platform busy
	e.call(8, "13300133000", false)   // the platform is down
	e.fake.Unsubscribe("13600136000")
	cases := []struct {
		id   int64
		fail string
		want func(error) bool
		what string
	}{
		{1, "", func(err error) bool { return errors.Is(err, guanjia.ErrNoChannel) }, "no number: no channel"},
		{2, "", func(err error) bool { return errors.Is(err, guanjia.ErrNoChannel) }, "a landline: no channel"},
		{3, "", func(err error) bool { return errors.Is(err, guanjia.ErrNoConsent) }, "opted out: no consent"},
		{4, "", func(err error) bool { return errors.Is(err, guanjia.ErrNoConsent) }, "TD: no consent"},
		{5, "FailedOperation.TemplateIncorrectOrUnapproved", func(err error) bool {
			return guanjia.ErrorCode(err) == guanjia.EUNPROCESSABLE && !errors.Is(err, guanjia.ErrNoConsent)
		}, "refused for good: failed"},
		{6, "LimitExceeded.PhoneNumberOneHourLimit", func(err error) bool {
			return err != nil && guanjia.ErrorCode(err) == guanjia.EINTERNAL
		}, "a limit: worth retrying"},
	}
	for _, c := range cases {
		if c.fail != "" {
			e.fake.FailNext(c.fail)
		}
		err := e.sender.Send(ctx, nil, message(c.id, guanjia.TplCallerAccepted, nil))
		if !c.want(err) {
			t.Errorf("%s: got %v", c.what, err)
		}
		if err != nil && strings.Contains(err.Error(), e.cs[c.id].CallerPhone[max(0, len(e.cs[c.id].CallerPhone)-8):]) && e.cs[c.id].CallerPhone != "" {
			t.Errorf("%s: the error names the phone number: %v", c.what, err)
		}
	}
	e.fake.SetDown(true)
	if err := e.sender.Send(ctx, nil, message(8, guanjia.TplCallerAccepted, nil)); err == nil || guanjia.ErrorCode(err) != guanjia.EINTERNAL {
		t.Errorf("down: %v, want an error worth retrying", err)
	}
	for _, m := range e.fake.Messages() {
		if m.Phone == "+8613700137000" {
			t.Errorf("a caller who opted out reached the platform: %+v", m)
		}
	}
}

func TestRealModeRefusesTheFake(t *testing.T) {
	f := fake.New()
	if err := f.Start(); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := sms.New(sms.Config{Fake: true, BaseURL: f.URL, SecretID: "AKID", SecretKey: "k"}, complaints{}, nil, nil, nil); err == nil {
		t.Error("fake mode with real secrets was accepted")
	}
	if _, err := sms.New(sms.Config{BaseURL: f.URL, SecretID: "AKID", SecretKey: "k", SdkAppID: "1400", SignName: "x",
		Templates: sms.FakeTemplates}, complaints{}, nil, nil, nil); err == nil {
		t.Error("a base URL outside fake mode was accepted")
	}
	if _, err := sms.New(sms.Config{SecretID: "AKID"}, complaints{}, nil, nil, nil); err == nil {
		t.Error("half a configuration was accepted")
	}
}

// TestSendPartySessionOff tells the party the session they were texted
// about is off, and why.
func TestSendPartySessionOff(t *testing.T) {
	e := newEnv(t)
	e.ds[3] = &guanjia.Dispute{ID: 3, Number: "HK-TJ-2026-3", Parties: []guanjia.Party{{ID: 32, Role: "respondent", Name: "李某", Phone: "13900139002"}}}
	n := &guanjia.Notification{ID: 2001, Message: guanjia.Message{Channel: guanjia.ChannelSMS, Template: guanjia.TplPartySessionOff,
		Data: map[string]string{"id": "3", "party": "32", "start": "2026-12-03 09:30", "place": "中山街道调解室", "why": "申请已撤回"}}}
	if err := e.sender.Send(context.Background(), nil, n); err != nil {
		t.Fatal(err)
	}
	msgs := e.fake.Messages()
	if len(msgs) != 1 || msgs[0].Phone != "+8613900139002" || msgs[0].TemplateID != sms.FakeTemplates[guanjia.TplPartySessionOff] {
		t.Fatalf("messages: %+v", msgs)
	}
	if want := "【海口12345】您参与的纠纷调解（案号HK-TJ-2026-3）申请已撤回，原定于2026-12-03 09:30在中山街道调解室的调解会取消，无需前往。"; msgs[0].Text != want {
		t.Errorf("text %q, want %q", msgs[0].Text, want)
	}
}

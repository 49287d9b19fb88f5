package wechat_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/store"
	"guanjia/wechat"
	"guanjia/wechat/fake"
)

// The tests run one after another: the SDK's HTTP client is process-wide,
// so one fake at a time (see transport.go).

var _ wechat.Store = (*store.WeChat)(nil)

const (
	testAppID  = "wxtest0000000001"
	testToken  = "callback-token"
	testAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" // 43 characters
	tplUpdate  = "TPL-COMPLAINT-UPDATE"
	tplSignup  = "TPL-SIGNUP-CONFIRMED"
	consoleURL = "https://console.example.cn"
)

type env struct {
	t    *testing.T
	fake *fake.Server
	db   *store.DB
	rdb  *redis.Client
	cfg  wechat.Config
	logs *syncBuffer
	c    *wechat.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	f := fake.New()
	must(t, f.Start())
	t.Cleanup(func() { f.Close() })
	db := testenv.MustOpenDB(t)
	rdb := redis.NewClient(testenv.MustRedis(t))
	t.Cleanup(func() { rdb.Close() })
	e := &env{t: t, fake: f, db: db, rdb: rdb, logs: &syncBuffer{}}
	e.cfg = wechat.Config{
		AppID:          testAppID,
		Token:          testToken,
		EncodingAESKey: testAESKey,
		AllowPlain:     true, // the callback tests push in both modes; callback_replay_test.go turns it off
		Templates:      map[string]string{guanjia.TplComplaintUpdate: tplUpdate, guanjia.TplSignupConfirmed: tplSignup},
		Pages:          map[string]string{guanjia.TplComplaintUpdate: "pages/complaint/detail"},
		ConsoleURL:     consoleURL,
		Fake:           true,
		BaseURL:        f.URL,
	}
	e.c = e.newClient()
	return e
}

func (e *env) newClient() *wechat.Client {
	e.t.Helper()
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, err := wechat.New(e.cfg, e.db.Users, e.db.WeChat, e.rdb, log)
	must(e.t, err)
	e.t.Cleanup(func() { c.Close() })
	return c
}

func (e *env) login(code string) *guanjia.User {
	e.t.Helper()
	u, err := e.c.Login(context.Background(), code)
	must(e.t, err)
	return u
}

func (e *env) consents(userID int64) map[string]int {
	e.t.Helper()
	m, err := e.db.WeChat.ListConsents(context.Background(), userID)
	must(e.t, err)
	return m
}

func complaintUpdate(to *guanjia.User, complaintID int64, status string) *guanjia.Notification {
	return &guanjia.Notification{Message: guanjia.Message{
		RecipientID: to.ID, Channel: guanjia.ChannelSubscribe, Template: guanjia.TplComplaintUpdate,
		ComplaintID: &complaintID,
		Data:        map[string]string{"status": status, "time": "2026-11-26 10:30", "note": "维修人员已到场，正在处理井盖破损问题，预计今天完成"},
	}}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLoginCreatesUserOnce(t *testing.T) {
	e := newEnv(t)
	u := e.login("alice.1")
	eq(t, guanjia.RoleCitizen, u.Role)
	eq(t, fake.OpenIDFor("alice.1"), u.OpenID)
	eq(t, fake.UnionIDFor("alice.1"), u.UnionID)

	again := e.login("alice.2") // a later wx.login of the same WeChat user
	eq(t, u.ID, again.ID)

	stored, err := e.db.Users.FindUserByOpenID(context.Background(), u.OpenID)
	must(t, err)
	eq(t, u.ID, stored.ID)
}

func TestLoginConcurrentFirstLogins(t *testing.T) {
	e := newEnv(t)
	const n = 8
	ids := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			u, err := e.c.Login(context.Background(), "carol."+string(rune('a'+i)))
			errs[i] = err
			if err == nil {
				ids[i] = u.ID
			}
		})
	}
	wg.Wait()
	for i := range n {
		must(t, errs[i])
		eq(t, ids[0], ids[i], "every first login of one openid ends with the same user")
	}
}

func TestLoginBadCodes(t *testing.T) {
	e := newEnv(t)
	e.login("bob.1")
	tests := []struct {
		code, reason string
	}{
		{"bob.1", "code been used"},
		{"bad-code", "invalid code"},
	}
	for _, tt := range tests {
		_, err := e.c.Login(context.Background(), tt.code)
		fails(t, err, tt.code)
		eq(t, guanjia.EUNAUTHORIZED, guanjia.ErrorCode(err), tt.code)
		eq(t, tt.reason, guanjia.ErrorMessage(err), "WeChat's reason, without its rid")
	}
}

func TestBindPhone(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.login("dave.1")

	masked, err := e.c.BindPhone(ctx, u.ID, "13812345678.1")
	must(t, err)
	eq(t, "138****5678", masked)

	var row struct{ PhoneEnc, PhoneHash string }
	must(t, e.db.Gorm().Raw("SELECT phone_enc, phone_hash FROM users WHERE id = ?", u.ID).Scan(&row).Error)
	notEmpty(t, row.PhoneEnc)
	notContains(t, row.PhoneEnc, "13812345678", "stored encrypted")
	notContains(t, row.PhoneHash, "13812345678")
	stored, err := e.db.Users.FindUserByID(ctx, u.ID)
	must(t, err)
	eq(t, "13812345678", stored.Phone)

	_, err = e.c.BindPhone(ctx, u.ID, "13812345678.1")
	eq(t, guanjia.EINVALID, guanjia.ErrorCode(err), "a phone code works once")
	eq(t, "code", guanjia.ErrorField(err))
	notContains(t, e.logs.String(), "13812345678", "phone numbers are never logged")
}

func TestSubscribeSendSpendsOneConsent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.login("erin.1")
	must(t, e.db.WeChat.RecordConsents(ctx, u.ID, []string{tplUpdate, tplUpdate}))

	err := e.c.SubscribeSender().Send(ctx, u, complaintUpdate(u, 42, "已到场"))
	must(t, err)
	eq(t, map[string]int{tplUpdate: 1}, e.consents(u.ID))

	msgs := e.fake.Messages()
	length(t, msgs, 1)
	m := msgs[0]
	eq(t, 0, m.ErrCode, "the fake accepted it: %s", m.Body)
	eq(t, u.OpenID, m.ToUser)
	eq(t, tplUpdate, m.TemplateID)
	eq(t, "pages/complaint/detail?id=42", m.Page)
	eq(t, "42", m.Data["character_string1"])
	eq(t, "已到场", m.Data["phrase2"])
	eq(t, "2026-11-26 10:30", m.Data["time3"])
	eq(t, 20, len([]rune(m.Data["thing4"])), "free text is cut to WeChat's 20 characters")
}

func TestSubscribeNoConsentDoesNotCallWeChat(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.login("frank.1")
	before := len(e.fake.Requests())

	err := e.c.SubscribeSender().Send(ctx, u, complaintUpdate(u, 7, "已受理"))
	is(t, err, guanjia.ErrNoConsent)
	eq(t, guanjia.ECONFLICT, guanjia.ErrorCode(err))
	length(t, e.fake.Requests(), before, "no request reached WeChat")

}

// A user without an openid (a seeded staff member, a caller) has no channel:
// that is not the same as having said no, and the log must tell them apart.
func TestSubscribeWithoutOpenIDIsNoChannel(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	noWeChat := &guanjia.User{ID: 77, Role: guanjia.RoleCitizen}
	err := e.c.SubscribeSender().Send(ctx, noWeChat, complaintUpdate(noWeChat, 7, "已受理"))
	is(t, err, guanjia.ErrNoChannel)
	isNot(t, err, guanjia.ErrNoConsent, "no channel is not no consent")
	empty(t, e.fake.Requests())
}

func TestSubscribe43101IsNoConsent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.login("grace.1")
	must(t, e.db.WeChat.RecordConsents(ctx, u.ID, []string{tplUpdate, tplUpdate}))
	e.fake.RefuseSubscribe(u.OpenID) // revoked in WeChat, unknown to us

	err := e.c.SubscribeSender().Send(ctx, u, complaintUpdate(u, 8, "已办结"))
	is(t, err, guanjia.ErrNoConsent)
	eq(t, 1, e.fake.Count("/cgi-bin/message/subscribe/send"), "43101 is never retried")
	eq(t, map[string]int{tplUpdate: 0}, e.consents(u.ID), "WeChat's word wins over our count")
}

func TestSubscribeRefusePrefix(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := &guanjia.User{Role: guanjia.RoleCitizen, OpenID: "oRefuse-seeded-user"}
	must(t, e.db.Users.CreateUser(ctx, u))
	must(t, e.db.WeChat.RecordConsents(ctx, u.ID, []string{tplUpdate}))
	is(t, e.c.SubscribeSender().Send(ctx, u, complaintUpdate(u, 9, "已结案")), guanjia.ErrNoConsent)
}

func TestConcurrentSendsNeverOverspend(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.login("heidi.1")
	must(t, e.db.WeChat.RecordConsents(ctx, u.ID, []string{tplUpdate, tplUpdate, tplUpdate}))

	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = e.c.SubscribeSender().Send(ctx, u, complaintUpdate(u, int64(100+i), "已受理")) })
	}
	wg.Wait()
	sent, refused := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			sent++
		case errors.Is(err, guanjia.ErrNoConsent):
			refused++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	eq(t, 3, sent)
	eq(t, n-3, refused)
	eq(t, 3, e.fake.Count("/cgi-bin/message/subscribe/send"))
	eq(t, map[string]int{tplUpdate: 0}, e.consents(u.ID))
}

func TestStaleTokenIsRefreshedOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.login("ivan.1")
	must(t, e.db.WeChat.RecordConsents(ctx, u.ID, []string{tplUpdate, tplUpdate}))
	send := e.c.SubscribeSender()

	must(t, send.Send(ctx, u, complaintUpdate(u, 1, "已受理")))
	eq(t, 1, e.fake.Count("/cgi-bin/stable_token"))

	e.fake.InvalidateTokens() // the cached token now gets 40001
	must(t, send.Send(ctx, u, complaintUpdate(u, 1, "已到场")))
	eq(t, 2, e.fake.Count("/cgi-bin/stable_token"), "one refresh")
	eq(t, 3, e.fake.Count("/cgi-bin/message/subscribe/send"), "the rejected call and its one retry")
	eq(t, map[string]int{tplUpdate: 0}, e.consents(u.ID), "one consent per delivered message")

	crew := newCrew(t, e, "zhangsan")
	task := crewTask(crew, 5)
	must(t, e.c.WeComSender().Send(ctx, crew, task))
	e.fake.InvalidateTokens() // WeCom answers 40014
	must(t, e.c.WeComSender().Send(ctx, crew, task))
	eq(t, 2, e.fake.Count("/cgi-bin/gettoken"))
}

func TestTokenSharedAcrossReplicas(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other := e.newClient() // another replica: same Redis, same app
	openid := fake.OpenIDFor("judy")

	must(t, e.c.CheckText(ctx, openid, "description", "路灯不亮"))
	must(t, other.CheckText(ctx, openid, "description", "路面塌陷"))
	eq(t, 1, e.fake.Count("/cgi-bin/stable_token"), "one access token for every replica")
}

func TestWeChatDown(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.login("ken.1")
	must(t, e.db.WeChat.RecordConsents(ctx, u.ID, []string{tplUpdate}))
	crew := newCrew(t, e, "lisi")
	e.fake.SetDown(true)

	err := e.c.SubscribeSender().Send(ctx, u, complaintUpdate(u, 3, "已受理"))
	fails(t, err)
	isNot(t, err, guanjia.ErrNoConsent, "worth retrying")
	eq(t, guanjia.EINTERNAL, guanjia.ErrorCode(err))
	notContains(t, err.Error(), "FAKE_MINI_", "no access token in errors")
	eq(t, map[string]int{tplUpdate: 1}, e.consents(u.ID), "the consent is kept for the retry")

	err = e.c.WeComSender().Send(ctx, crew, crewTask(crew, 3))
	fails(t, err)
	eq(t, guanjia.EINTERNAL, guanjia.ErrorCode(err), "worth retrying")

	ok(t, e.c.CheckText(ctx, u.OpenID, "description", "井盖丢失"), "a complaint is never blocked")
	contains(t, e.logs.String(), "level=WARN")
	contains(t, e.logs.String(), "content check unavailable")

	_, err = e.c.Login(ctx, "ken.2")
	fails(t, err)
	eq(t, guanjia.EINTERNAL, guanjia.ErrorCode(err))
	notContains(t, err.Error(), "fake-secret", "the AppSecret in the URL is redacted")
	notContains(t, e.logs.String(), "fake-secret")

	e.fake.SetDown(false)
	ok(t, e.c.SubscribeSender().Send(ctx, u, complaintUpdate(u, 3, "已受理")))
}

func TestCheckText(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	openid := fake.OpenIDFor("leo")

	err := e.c.CheckText(ctx, openid, "description", "这里有人卖违禁物品")
	fails(t, err)
	eq(t, guanjia.EUNPROCESSABLE, guanjia.ErrorCode(err))
	eq(t, "description", guanjia.ErrorField(err))
	eq(t, wechat.RiskyMessage, guanjia.ErrorMessage(err))

	ok(t, e.c.CheckText(ctx, openid, "description", "人行道井盖破损"))

	e.fake.FailNext("/wxa/msg_sec_check", 87014) // the v1-style answer
	err = e.c.CheckText(ctx, openid, "rating_comment", "很好")
	eq(t, guanjia.EUNPROCESSABLE, guanjia.ErrorCode(err))
	eq(t, "rating_comment", guanjia.ErrorField(err))

	before := e.fake.Count("/wxa/msg_sec_check")
	ok(t, e.c.CheckText(ctx, "", "note", "违禁"), "staff have no openid and are not checked")
	eq(t, before, e.fake.Count("/wxa/msg_sec_check"))
}

func TestQRCode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	img, err := e.c.QRCode(ctx, "c=42", "pages/complaint/detail")
	must(t, err)
	eq(t, "image/png", httpContentType(img))

	again, err := e.c.QRCode(ctx, "c=42", "pages/complaint/detail")
	must(t, err)
	eq(t, img, again)
	eq(t, 1, e.fake.Count("/wxa/getwxacodeunlimit"), "kept after the first fetch")

	_, err = e.c.QRCode(ctx, "投诉42", "pages/complaint/detail")
	eq(t, guanjia.EINVALID, guanjia.ErrorCode(err))
	_, err = e.c.QRCode(ctx, strings.Repeat("x", 33), "pages/complaint/detail")
	eq(t, guanjia.EINVALID, guanjia.ErrorCode(err))
}

func TestNewRefusesFakeMixups(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		cfg  wechat.Config
	}{
		{"fake URL without fake mode", wechat.Config{AppID: "wx1", AppSecret: "s", BaseURL: e.fake.URL}},
		{"fake mode with a real secret", wechat.Config{Fake: true, BaseURL: e.fake.URL, AppSecret: "real-secret"}},
		{"fake mode with a real WeCom secret", wechat.Config{Fake: true, BaseURL: e.fake.URL, WeComSecret: "real"}},
		{"fake mode without the fake", wechat.Config{Fake: true}},
		{"no credentials", wechat.Config{}},
		{"short AES key", wechat.Config{Fake: true, BaseURL: e.fake.URL, EncodingAESKey: "short"}},
		{"push token without safe mode", wechat.Config{Fake: true, BaseURL: e.fake.URL, Token: "t"}},
	}
	for _, tt := range tests {
		_, err := wechat.New(tt.cfg, e.db.Users, e.db.WeChat, e.rdb, nil)
		fails(t, err, tt.name)
	}

	other := fake.New()
	must(t, other.Start())
	defer other.Close()
	cfg := e.cfg
	cfg.BaseURL = other.URL
	_, err := wechat.New(cfg, e.db.Users, e.db.WeChat, e.rdb, nil)
	errContains(t, err, "one WeChat endpoint per process")
}

// A subscribe message WeChat refuses for its content or address is failed
// at once, its consent kept: a retry would be refused the same way.
func TestSubscribeRefusedForGoodIsNotRetried(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.login("frank.1")
	must(t, e.db.WeChat.RecordConsents(ctx, u.ID, []string{tplUpdate}))
	for _, code := range []int{47003, 40037, 40003, 41030} {
		e.fake.FailNext("/cgi-bin/message/subscribe/send", code)
		err := e.c.SubscribeSender().Send(ctx, u, complaintUpdate(u, 5, "已受理"))
		eq(t, guanjia.EUNPROCESSABLE, guanjia.ErrorCode(err), "errcode %d: %v", code, err)
		eq(t, map[string]int{tplUpdate: 1}, e.consents(u.ID), "errcode %d refunds the consent", code)
	}
	err := e.c.SubscribeSender().Send(ctx, u, &guanjia.Notification{Message: guanjia.Message{
		RecipientID: u.ID, Channel: guanjia.ChannelSubscribe, Template: "no_such_template"}})
	eq(t, guanjia.EUNPROCESSABLE, guanjia.ErrorCode(err), "a template with no id: %v", err)
}

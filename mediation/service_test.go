package mediation_test

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/mediation"
	"guanjia/store"
)

// timers records what the service armed.
type timers struct {
	mu    sync.Mutex
	armed []mediation.Timer
}

func (s *timers) ArmDisputeTimer(_ context.Context, t mediation.Timer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed = append(s.armed, t)
	return nil
}

func (s *timers) find(kind mediation.TimerKind) []mediation.Timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []mediation.Timer
	for _, t := range s.armed {
		if t.Kind == kind {
			out = append(out, t)
		}
	}
	return out
}

type rig struct {
	db     *store.DB
	clock  *testenv.Clock
	timers *timers
	svc    *mediation.Service
	who    map[string]guanjia.Claims
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	clk := testenv.NewClock(time.Now().UTC().Truncate(time.Second))
	db.Now = clk.Now
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.Catalog.UpsertGrid(ctx, &guanjia.Grid{ID: "g1", Name: "海垦街道第1网格", District: "龙华区",
		Geometry: []byte(`{"type":"Polygon","coordinates":[[[110.30,20.0],[110.31,20.0],[110.31,20.01],[110.30,20.01],[110.30,20.0]]]}`)}))
	for _, c := range []*guanjia.Committee{
		{Code: "tj-bs", Name: "滨海社区人民调解委员会", Level: guanjia.LevelVillage, Kind: guanjia.CommitteePeople, District: "龙华区", GridIDs: []string{"g1"}, Superior: "tj-hk"},
		{Code: "tj-hk", Name: "海垦街道人民调解委员会", Level: guanjia.LevelTown, Kind: guanjia.CommitteePeople, District: "龙华区", GridIDs: []string{"g1"}},
		{Code: "tj-jt", Name: "海口市交通事故纠纷人民调解委员会", Level: guanjia.LevelCity, Kind: guanjia.CommitteePeople, Types: []string{"traffic"}},
	} {
		must(db.Disputes.UpsertCommittee(ctx, c))
	}
	r := &rig{db: db, clock: clk, timers: &timers{}, who: map[string]guanjia.Claims{}}
	for _, u := range []*guanjia.User{
		{Username: "dispatcher", Role: guanjia.RoleDispatcher, Name: "指挥中心"},
		{Username: "citizen", Role: guanjia.RoleCitizen, Name: "王海燕"},
		{Username: "grid-g1", Role: guanjia.RoleGridManager, GridID: "g1", Name: "陈网格"},
		{Username: "mediator-tj-bs", Role: guanjia.RoleMediator, UnitCode: "tj-bs", Name: "林调解"},
		{Username: "mediator-tj-hk", Role: guanjia.RoleMediator, UnitCode: "tj-hk", Name: "符调解"},
		{Username: "mediator-tj-jt", Role: guanjia.RoleMediator, UnitCode: "tj-jt", Name: "吴调解"},
	} {
		must(db.Users.CreateUser(ctx, u))
		r.who[u.Username] = guanjia.Claims{UserID: u.ID, Role: u.Role, UnitCode: u.UnitCode}
	}
	r.svc = mediation.NewService(db.Disputes, r.timers, nil, clk.Now)
	return r
}

func (r *rig) create(t *testing.T, as, typ string) *mediation.View {
	t.Helper()
	return r.file(t, as, typ, []guanjia.Party{{Role: "applicant", Kind: "person", Name: "王海燕", IDNumber: "11010519491231002X", Phone: "13876543210"},
		{Role: "respondent", Kind: "person", Name: "李明"}})
}

// file files a dispute of typ as who, between parties.
func (r *rig) file(t *testing.T, as, typ string, parties []guanjia.Party) *mediation.View {
	t.Helper()
	v, err := r.svc.Create(context.Background(), r.who[as], mediation.Input{Type: typ, Summary: "楼上漏水纠纷", Address: "海垦路12号",
		Lat: 20.005, Lng: 110.305, GridID: "g1", Source: map[string]string{"dispatcher": guanjia.DisputeFromPolice}[as], Parties: parties})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (r *rig) act(t *testing.T, as string, id int64, a guanjia.DisputeAction, in mediation.ActionInput) *mediation.View {
	t.Helper()
	v, err := r.svc.Act(context.Background(), r.who[as], id, a, in)
	if err != nil {
		t.Fatalf("%s %s: %v", as, a, err)
	}
	return v
}

// mediate accepts, routes and assigns dispute id to mediator-tj-bs, who
// takes it on: it is being mediated.
func (r *rig) mediate(t *testing.T, id int64) {
	t.Helper()
	r.act(t, "mediator-tj-bs", id, guanjia.DisputeAccept, mediation.ActionInput{})
	r.act(t, "mediator-tj-bs", id, guanjia.DisputeRoute, mediation.ActionInput{})
	r.act(t, "mediator-tj-bs", id, guanjia.DisputeAssign, mediation.ActionInput{Mediators: []int64{r.who["mediator-tj-bs"].UserID}})
}

// fire moves the clock to the last armed timer of kind and fires it.
func (r *rig) fire(t *testing.T, kind mediation.TimerKind) bool {
	t.Helper()
	armed := r.timers.find(kind)
	if len(armed) == 0 {
		t.Fatalf("no %s timer armed", kind)
	}
	tm := armed[len(armed)-1]
	if r.clock.Now().Before(tm.DueAt) {
		r.clock.Set(tm.DueAt)
	}
	fired, err := r.svc.HandleTimer(context.Background(), tm)
	if err != nil {
		t.Fatal(err)
	}
	return fired
}

func (r *rig) inbox(t *testing.T, user string, tpl string) int {
	t.Helper()
	id := r.who[user].UserID
	list, err := r.db.Notifications.ListNotifications(context.Background(), guanjia.NotificationFilter{RecipientID: &id, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range list {
		if m.Channel == guanjia.ChannelInbox && m.Template == tpl {
			n++
		}
	}
	return n
}

func TestIntakeRoutesToTheCommunityAndSealsIDs(t *testing.T) {
	r := newRig(t)
	v := r.create(t, "grid-g1", "neighbour")
	if v.Source != guanjia.DisputeFromPatrol || v.Committee == nil || v.Committee.Code != "tj-bs" || v.Level != guanjia.LevelVillage || v.District != "龙华区" {
		t.Fatalf("intake: source %s committee %+v level %s", v.Source, v.Committee, v.Level)
	}
	if r.inbox(t, "mediator-tj-bs", guanjia.TplTaskAssigned) != 1 {
		t.Error("the community committee's mediator was not told of the new dispute")
	}
	var sealed string
	if err := r.db.Gorm().Raw("SELECT id_number FROM dispute_parties WHERE dispute_id = ? AND role = 'applicant'", v.ID).Scan(&sealed).Error; err != nil {
		t.Fatal(err)
	}
	if sealed == "" || sealed == "11010519491231002X" {
		t.Fatalf("the ID number is stored as %q: want it encrypted", sealed)
	}
	got, err := r.svc.Get(context.Background(), r.who["mediator-tj-bs"], v.ID)
	if err != nil || got.Parties[0].IDNumber != "11010519491231002X" {
		t.Fatalf("read back: %v %+v", err, got)
	}
	if _, err := r.svc.Get(context.Background(), r.who["mediator-tj-jt"], v.ID); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Fatalf("another committee's mediator sees it: %v", err)
	}
	tv := r.create(t, "citizen", "traffic")
	if tv.Committee.Code != "tj-jt" || tv.Source != guanjia.DisputeFromMiniProgram || tv.ReporterID != r.who["citizen"].UserID {
		t.Fatalf("traffic from a citizen: %+v", tv.Dispute)
	}
}

// TestTimeLimitIsAMonthInHaikou: the month runs on Haikou's calendar, not
// the UTC one, whose date is a day behind before 08:00.
func TestTimeLimitIsAMonthInHaikou(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, guanjia.ChinaTime)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct{ accepted, want string }{
		{"2026-03-01 05:00", "2026-04-01 05:00"}, // UTC: 02-28, a month on 03-28
		{"2026-04-01 00:30", "2026-05-01 00:30"}, // UTC: 03-31, a month on "04-31" = 05-01
		{"2026-06-15 14:00", "2026-07-15 14:00"},
		{"2026-01-31 10:00", "2026-02-28 10:00"}, // February has no 31st: its last day, not 03-03
		{"2026-03-31 09:00", "2026-04-30 09:00"},
	}
	for _, c := range cases {
		got := mediation.TimeLimit(at(c.accepted).UTC())
		if !got.Equal(at(c.want)) {
			t.Errorf("accepted %s: due %s, want %s", c.accepted, got.In(guanjia.ChinaTime).Format("2006-01-02 15:04"), c.want)
		}
	}
}

// TestDeadlineWarnsEscalatesOnce: acceptance arms the warning three days
// before the one-month deadline and the escalation at it; each fires once,
// and the escalation reaches the superior committee and the command center.
func TestDeadlineWarnsEscalatesOnce(t *testing.T) {
	r := newRig(t)
	v := r.create(t, "grid-g1", "neighbour")
	accepted := r.clock.Now()
	v = r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeAccept, mediation.ActionInput{})
	if !v.DueAt.Equal(accepted.In(guanjia.ChinaTime).AddDate(0, 1, 0)) {
		t.Fatalf("due %v, want a month after %v", v.DueAt, accepted)
	}
	warn := r.timers.find(mediation.TimerWarn)
	if len(warn) != 1 || !warn[0].DueAt.Equal(v.DueAt.Add(-72*time.Hour)) {
		t.Fatalf("warn timers %+v", warn)
	}
	if !r.fire(t, mediation.TimerWarn) {
		t.Fatal("the warning did nothing")
	}
	if r.inbox(t, "mediator-tj-bs", guanjia.TplReminder) != 1 {
		t.Error("the committee was not warned")
	}
	if r.fire(t, mediation.TimerWarn) {
		t.Error("the warning fired twice")
	}
	if _, err := r.svc.Get(context.Background(), r.who["mediator-tj-hk"], v.ID); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("the street committee reads the dispute before its escalation: %v", err)
	}
	if !r.fire(t, mediation.TimerEscalate) {
		t.Fatal("the escalation did nothing")
	}
	if r.inbox(t, "mediator-tj-hk", guanjia.TplEscalation) != 1 || r.inbox(t, "dispatcher", guanjia.TplEscalation) != 1 {
		t.Error("the escalation did not reach the street committee and the command center")
	}
	got, _ := r.svc.Get(context.Background(), r.who["dispatcher"], v.ID)
	if got.EscalatedAt == nil || !slices.ContainsFunc(got.Events, func(e guanjia.DisputeEvent) bool { return e.Action == guanjia.DisputeEscalate }) {
		t.Fatalf("no escalation on record: %+v", got.Events)
	}
	// The street committee opens the case its 督办 message links to, to read only.
	if up, err := r.svc.Get(context.Background(), r.who["mediator-tj-hk"], v.ID); err != nil || len(up.Actions) != 0 || len(up.Events) != len(got.Events) {
		t.Errorf("the street committee reads the escalated dispute: %+v %v, want its timeline and no actions", up, err)
	}
	if _, err := r.svc.Get(context.Background(), r.who["mediator-tj-jt"], v.ID); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("another committee reads the escalated dispute: %v", err)
	}
	// The reconciler has nothing left to arm for it.
	due, err := r.svc.DueTimers(context.Background(), r.clock.Now().AddDate(1, 0, 0))
	if err != nil || len(due) != 0 {
		t.Fatalf("reconciler would re-arm %+v (%v)", due, err)
	}
}

// TestApplicantHearsByTheDisputeTemplates: the citizen who filed hears of
// progress and of a coming session by the dispute's own subscribe messages,
// which name the dispute so that a tap opens it.
func TestApplicantHearsByTheDisputeTemplates(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.create(t, "citizen", "neighbour")
	r.mediate(t, v.ID)
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeSchedule, mediation.ActionInput{At: r.clock.Now().Add(48 * time.Hour), Place: "滨海社区调解室"})
	if !r.fire(t, mediation.TimerRemind) {
		t.Fatal("the session reminder did nothing")
	}
	id := r.who["citizen"].UserID
	list, err := r.db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{RecipientID: &id, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	byTemplate := map[string]int{}
	for _, m := range list {
		if m.Channel != guanjia.ChannelSubscribe {
			continue
		}
		byTemplate[m.Template]++
		if m.Data["id"] != strconv.FormatInt(v.ID, 10) {
			t.Errorf("%s names dispute %q, want %d", m.Template, m.Data["id"], v.ID)
		}
	}
	if byTemplate[guanjia.TplDisputeUpdate] == 0 || byTemplate[guanjia.TplDisputeSession] != 1 || len(byTemplate) != 2 {
		t.Errorf("the applicant's subscribe messages by template: %v, want dispute_update and one dispute_session only", byTemplate)
	}
}

// heard records what the live pages were told.
type heard struct {
	mu       sync.Mutex
	disputes []guanjia.DisputeStatus
	inboxes  []int64
}

func (h *heard) DisputeChanged(_ context.Context, d *guanjia.Dispute) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.disputes = append(h.disputes, d.Status)
}

func (h *heard) InboxChanged(_ context.Context, users []int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inboxes = append(h.inboxes, users...)
}

// TestLivePagesHearOfEveryStep: filing, each action and a timer that fires
// (in the worker) each tell the live pages, and ring the inboxes they wrote to.
func TestLivePagesHearOfEveryStep(t *testing.T) {
	r := newRig(t)
	h := &heard{}
	r.svc.Live = h
	v := r.create(t, "grid-g1", "neighbour")
	r.mediate(t, v.ID)
	if !r.fire(t, mediation.TimerWarn) {
		t.Fatal("the deadline warning did nothing")
	}
	want := []guanjia.DisputeStatus{guanjia.DisputeReported, guanjia.DisputeAccepted, guanjia.DisputeRouted, guanjia.DisputeMediating, guanjia.DisputeMediating}
	if !slices.Equal(h.disputes, want) {
		t.Errorf("the live pages heard %v, want %v", h.disputes, want)
	}
	if !slices.Contains(h.inboxes, r.who["mediator-tj-bs"].UserID) {
		t.Errorf("the mediator's inbox never rang: %v", h.inboxes)
	}
}

// TestPartiesWithoutAnAccountHearBySMS: a dispute a grid manager filed
// names parties with no account; when a session is scheduled each one with
// a phone is sent one SMS naming them, and the reminder sends no more.
func TestPartiesWithoutAnAccountHearBySMS(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.file(t, "grid-g1", "neighbour", []guanjia.Party{{Role: "applicant", Kind: "person", Name: "王海燕", Phone: "13876543210"},
		{Role: "respondent", Kind: "person", Name: "李明", Phone: "13912345678"},
		{Role: "respondent", Kind: "person", Name: "张强"}})
	r.mediate(t, v.ID)
	at := r.clock.Now().Add(48 * time.Hour)
	v = r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeSchedule, mediation.ActionInput{At: at, Place: "滨海社区调解室"})
	if !r.fire(t, mediation.TimerRemind) {
		t.Fatal("the session reminder did nothing")
	}
	nobody := int64(0)
	list, err := r.db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{RecipientID: &nobody, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	texted := map[string]string{} // party id → start
	for _, m := range list {
		if m.Channel != guanjia.ChannelSMS || m.Template != guanjia.TplPartySession || m.Data["id"] != strconv.FormatInt(v.ID, 10) {
			t.Errorf("unexpected message to no account: %s %s %v", m.Channel, m.Template, m.Data)
			continue
		}
		if m.Data["place"] != "滨海社区调解室" {
			t.Errorf("the SMS names place %q", m.Data["place"])
		}
		texted[m.Data["party"]] = m.Data["start"]
	}
	want := map[string]string{}
	for _, p := range v.Parties {
		if p.Name != "张强" { // no phone
			want[strconv.FormatInt(p.ID, 10)] = at.In(guanjia.ChinaTime).Format("2006-01-02 15:04")
		}
	}
	if !maps.Equal(texted, want) || len(list) != len(want) {
		t.Errorf("%d SMS, by party %v; want one each to the parties with a phone %v", len(list), texted, want)
	}
}

// TestNoReminderAfterTheSession: a session reminder that fires only after
// the session began (the queue lost it; the reconciler found it late) is
// not sent: the parties would be told of a meeting already under way.
func TestNoReminderAfterTheSession(t *testing.T) {
	r := newRig(t)
	v := r.create(t, "grid-g1", "neighbour")
	r.mediate(t, v.ID)
	v = r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeSchedule, mediation.ActionInput{At: r.clock.Now().Add(48 * time.Hour), Place: "滨海社区调解室"})
	before := r.inbox(t, "mediator-tj-bs", guanjia.TplReminder)
	r.clock.Set(v.Sessions[0].At.Add(time.Minute))
	if r.fire(t, mediation.TimerRemind) {
		t.Error("the reminder of a session that has begun was sent")
	}
	if got := r.inbox(t, "mediator-tj-bs", guanjia.TplReminder); got != before {
		t.Errorf("the mediator has %d reminders, want %d", got, before)
	}
	// Nor does the reconciler arm it again on every run.
	due, err := r.svc.DueTimers(context.Background(), r.clock.Now().Add(time.Hour))
	if err != nil || slices.ContainsFunc(due, func(x mediation.Timer) bool { return x.Kind == mediation.TimerRemind }) {
		t.Errorf("the reconciler re-arms the skipped reminder: %+v %v", due, err)
	}
}

// meanwhile makes change once, between an action's read of a dispute and
// its save.
type meanwhile struct {
	mediation.Store
	change func()
}

func (m *meanwhile) UpdateDispute(ctx context.Context, d *guanjia.Dispute, ev guanjia.DisputeEvent, msgs []guanjia.Message) error {
	if c := m.change; c != nil {
		m.change = nil
		c()
	}
	return m.Store.UpdateDispute(ctx, d, ev, msgs)
}

// TestAStepOutlivesTheWorkersChange: the worker sends a session's reminder
// while the mediator records it (a session within a day is reminded at
// once); the mediator, who sent no version, is not told to reload.
func TestAStepOutlivesTheWorkersChange(t *testing.T) {
	r := newRig(t)
	v := r.create(t, "grid-g1", "neighbour")
	r.mediate(t, v.ID)
	v = r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeSchedule, mediation.ActionInput{At: r.clock.Now().Add(12 * time.Hour), Place: "滨海社区调解室"})
	racing := mediation.NewService(&meanwhile{Store: r.db.Disputes, change: func() {
		if !r.fire(t, mediation.TimerRemind) {
			t.Fatal("the reminder was not sent")
		}
	}}, r.timers, nil, r.clock.Now)
	got, err := racing.Act(context.Background(), r.who["mediator-tj-bs"], v.ID, guanjia.DisputeRecord,
		mediation.ActionInput{Session: v.Sessions[0].ID, Record: "双方同意", Attended: "王海燕、李明"})
	if err != nil {
		t.Fatalf("record while the reminder was sent: %v", err)
	}
	var actions []guanjia.DisputeAction
	for _, e := range got.Events {
		actions = append(actions, e.Action)
	}
	if got.Sessions[0].Status != "held" || got.Sessions[0].RemindedAt == nil || !slices.Contains(actions, guanjia.DisputeRemind) ||
		!slices.Contains(actions, guanjia.DisputeRecord) {
		t.Errorf("both changes kept: session %+v, events %v", got.Sessions[0], actions)
	}
}

// TestNothingFiresAfterTheOutcome: a dispute mediated and closed before its
// deadline is neither warned nor escalated, and a withdrawn dispute's
// session reminder does nothing.
func TestNothingFiresAfterTheOutcome(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.create(t, "grid-g1", "neighbour")
	r.mediate(t, v.ID)
	v = r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeSchedule, mediation.ActionInput{At: r.clock.Now().Add(48 * time.Hour), Place: "滨海社区调解室"})
	remind := r.timers.find(mediation.TimerRemind)
	if len(remind) != 1 || remind[0].SessionID != v.Sessions[0].ID || !remind[0].DueAt.Equal(v.Sessions[0].At.Add(-24*time.Hour)) {
		t.Fatalf("remind timers %+v", remind)
	}
	// The reconciler sees the same timers the service armed.
	due, err := r.svc.DueTimers(ctx, r.clock.Now().AddDate(0, 2, 0))
	if err != nil || len(due) != 3 {
		t.Fatalf("due timers %+v (%v), want warn, escalate and remind", due, err)
	}
	if !r.fire(t, mediation.TimerRemind) || r.inbox(t, "mediator-tj-bs", guanjia.TplReminder) != 2 { // the schedule note, then the reminder
		t.Fatal("the session reminder did not reach the mediator")
	}
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeRecord, mediation.ActionInput{Session: v.Sessions[0].ID, Record: "双方同意", Attended: "王海燕、李明"})
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeSucceed, mediation.ActionInput{Terms: "李明修复漏水并赔偿 500 元"})
	kept := true
	r.act(t, "grid-g1", v.ID, guanjia.DisputeFollowUp, mediation.ActionInput{Kept: &kept})
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeClose, mediation.ActionInput{})
	if r.fire(t, mediation.TimerWarn) || r.fire(t, mediation.TimerEscalate) {
		t.Fatal("a timer fired after the case was closed")
	}
	due, err = r.svc.DueTimers(ctx, r.clock.Now().AddDate(1, 0, 0))
	if err != nil || len(due) != 0 {
		t.Fatalf("reconciler would re-arm %+v (%v)", due, err)
	}
}

// TestUnitlessStaffSeeNoDisputes: a department account with no unit sees
// and acts on no dispute, not even one no committee took; a committee's
// mediator still sees its own.
func TestUnitlessStaffSeeNoDisputes(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	sensor := &guanjia.User{Username: "sensor", Role: guanjia.RoleDepartment, Name: "传感器"}
	if err := r.db.Users.CreateUser(ctx, sensor); err != nil {
		t.Fatal(err)
	}
	who := guanjia.Claims{UserID: sensor.ID, Role: sensor.Role}
	own := r.create(t, "grid-g1", "neighbour")
	// No grid and no city committee for marriages: nobody is routed it.
	unrouted, err := r.svc.Create(ctx, r.who["citizen"], mediation.Input{Type: "marriage", Summary: "婚姻纠纷", Lat: 20.005, Lng: 110.305,
		Parties: []guanjia.Party{{Role: "applicant", Kind: "person", Name: "王海燕"}, {Role: "respondent", Kind: "person", Name: "李明"}}})
	if err != nil || unrouted.CommitteeCode != "" {
		t.Fatalf("an unrouted dispute: %v %+v", err, unrouted)
	}
	if list, _, err := r.svc.List(ctx, who, mediation.Filter{}, false); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN || len(list) != 0 {
		t.Errorf("a unit-less department lists %d disputes (%v), want none and %s", len(list), err, guanjia.EFORBIDDEN)
	}
	if _, err := r.svc.Get(ctx, who, unrouted.ID); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("a unit-less department reads the unrouted dispute: %v", err)
	}
	if _, err := r.svc.Act(ctx, who, unrouted.ID, guanjia.DisputeAccept, mediation.ActionInput{}); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("a unit-less department accepts the unrouted dispute: %v", err)
	}
	if got, _ := r.svc.Get(ctx, r.who["dispatcher"], unrouted.ID); got.Status != unrouted.Status || got.Version != unrouted.Version {
		t.Errorf("a refused action changed the dispute: %s v%d", got.Status, got.Version)
	}
	list, _, err := r.svc.List(ctx, r.who["mediator-tj-bs"], mediation.Filter{}, false)
	if err != nil || len(list) != 1 || list[0].ID != own.ID {
		t.Errorf("the community mediator lists %d disputes (%v), want only its own", len(list), err)
	}
	if _, err := r.svc.Get(ctx, r.who["mediator-tj-bs"], own.ID); err != nil {
		t.Errorf("the community mediator reads its own dispute: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.create(t, "grid-g1", "neighbour")
	cases := []struct {
		as     string
		action guanjia.DisputeAction
		in     mediation.ActionInput
		code   string
	}{
		{"mediator-tj-bs", guanjia.DisputeSucceed, mediation.ActionInput{Terms: "x"}, guanjia.ECONFLICT}, // not accepted yet
		{"citizen", guanjia.DisputeWithdraw, mediation.ActionInput{}, guanjia.EFORBIDDEN},                // not theirs
		{"mediator-tj-jt", guanjia.DisputeAccept, mediation.ActionInput{}, guanjia.EFORBIDDEN},           // another committee
	}
	for _, c := range cases {
		if _, err := r.svc.Act(ctx, r.who[c.as], v.ID, c.action, c.in); guanjia.ErrorCode(err) != c.code {
			t.Errorf("%s %s: %v, want %s", c.as, c.action, err, c.code)
		}
	}
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeAccept, mediation.ActionInput{})
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeRoute, mediation.ActionInput{})
	if _, err := r.svc.Act(ctx, r.who["mediator-tj-bs"], v.ID, guanjia.DisputeAssign, mediation.ActionInput{Mediators: []int64{r.who["mediator-tj-hk"].UserID}}); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Errorf("assigning another committee's mediator: %v", err)
	}
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeAssign, mediation.ActionInput{Mediators: []int64{r.who["mediator-tj-bs"].UserID}})
	if _, err := r.svc.Act(ctx, r.who["mediator-tj-bs"], v.ID, guanjia.DisputeSucceed, mediation.ActionInput{Terms: "x"}); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("success without a session on record: %v", err)
	}
	before, _ := r.svc.Get(ctx, r.who["dispatcher"], v.ID)
	if _, err := r.svc.Act(ctx, r.who["mediator-tj-bs"], v.ID, guanjia.DisputeSchedule, mediation.ActionInput{At: r.clock.Now().Add(-time.Hour), Place: "x"}); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Errorf("a session in the past: %v", err)
	}
	if _, err := r.svc.Act(ctx, r.who["mediator-tj-bs"], v.ID, guanjia.DisputeSchedule, mediation.ActionInput{At: r.clock.Now().AddDate(1, 0, 1), Place: "x"}); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Errorf("a session more than a year ahead (a mistyped year): %v", err)
	}
	after, _ := r.svc.Get(ctx, r.who["dispatcher"], v.ID)
	if len(after.Sessions) != 0 || len(after.Events) != len(before.Events) || after.Version != before.Version {
		t.Error("a refused action changed the dispute")
	}
	if _, err := r.svc.Create(ctx, r.who["citizen"], mediation.Input{Type: "neighbour", Summary: "x", Lat: 20, Lng: 110.3,
		Parties: []guanjia.Party{{Role: "applicant", Kind: "person", Name: "甲", IDNumber: "110105194912310021"}, {Role: "respondent", Kind: "person", Name: "乙"}}}); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Errorf("a wrong ID check character: %v", err)
	}
	if _, err := r.svc.Create(ctx, r.who["citizen"], mediation.Input{Type: "neighbour", Summary: "x", Lat: 20, Lng: 110.3, Source: guanjia.DisputeFromCourt,
		Parties: []guanjia.Party{{Role: "applicant", Kind: "person", Name: "甲"}, {Role: "respondent", Kind: "person", Name: "乙"}}}); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Errorf("a citizen filing as a court: %v", err)
	}
}

// gridAt locates every point in one grid: a position just over the line.
type gridAt struct{ g *guanjia.Grid }

func (l gridAt) Grid(context.Context, float64, float64) (*guanjia.Grid, bool) { return l.g, true }

// A grid manager whose position puts a dispute in the next grid still sees
// it and does its 回访; the one without a grid sees only what they filed;
// staff find what they filed under "mine".
func TestWhoFiledADisputeFindsIt(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	lost := &guanjia.User{Username: "grid-none", Role: guanjia.RoleGridManager, Name: "无网格"}
	if err := r.db.Users.CreateUser(ctx, lost); err != nil {
		t.Fatal(err)
	}
	r.who[lost.Username] = guanjia.Claims{UserID: lost.ID, Role: lost.Role}
	inGrid := r.create(t, "citizen", "neighbour") // in g1, by a citizen
	next := mediation.NewService(r.db.Disputes, r.timers, gridAt{&guanjia.Grid{ID: "g2", District: "龙华区"}}, r.clock.Now)
	parties := []guanjia.Party{{Role: "applicant", Kind: "person", Name: "王海燕"}, {Role: "respondent", Kind: "person", Name: "李明"}}
	over, err := next.Create(ctx, r.who["grid-g1"], mediation.Input{Type: "neighbour", Summary: "噪音纠纷", Lat: 20.0101, Lng: 110.305, Parties: parties})
	if err != nil || over.GridID != "g2" {
		t.Fatalf("filed over the line: %v %+v", err, over)
	}
	if _, err := r.svc.Get(ctx, r.who["grid-g1"], over.ID); err != nil {
		t.Errorf("the grid manager reads what they filed in the next grid: %v", err)
	}
	list, total, err := r.svc.List(ctx, r.who["grid-g1"], mediation.Filter{}, true)
	if err != nil || total != 2 || len(list) != 2 {
		t.Errorf("the grid manager lists %d of %d (%v), want their grid's and the one they filed", len(list), total, err)
	}
	if _, total, err := r.svc.List(ctx, r.who["grid-none"], mediation.Filter{}, true); err != nil || total != 0 {
		t.Errorf("a grid manager without a grid lists %d (%v), want none", total, err)
	}
	if _, err := r.svc.Get(ctx, r.who["grid-none"], inGrid.ID); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("a grid manager without a grid reads another's dispute: %v", err)
	}
	filed := r.create(t, "dispatcher", "neighbour")
	list, total, err = r.svc.List(ctx, r.who["dispatcher"], mediation.Filter{}, true)
	if err != nil || total != 1 || list[0].ID != filed.ID {
		t.Errorf("the dispatcher's own: %d (%v), want #%d only", total, err, filed.ID)
	}
	if _, total, _ := r.svc.List(ctx, r.who["citizen"], mediation.Filter{}, true); total != 1 {
		t.Errorf("the citizen's own: %d, want 1", total)
	}
}

// Who files often knows a company by its name only: the 统一社会信用代码 is
// checked when given.
func TestAnOrganisationWithoutItsCreditCode(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	in := func(code string) mediation.Input {
		return mediation.Input{Type: "property", Summary: "物业纠纷", Lat: 20.005, Lng: 110.305, GridID: "g1",
			Parties: []guanjia.Party{{Role: "applicant", Kind: "person", Name: "王海燕"}, {Role: "respondent", Kind: "organisation", Name: "海口椰城物业服务有限公司", CreditCode: code}}}
	}
	if _, err := r.svc.Create(ctx, r.who["grid-g1"], in("")); err != nil {
		t.Errorf("an organisation without its code: %v", err)
	}
	if _, err := r.svc.Create(ctx, r.who["grid-g1"], in("91350100M000100Y44")); guanjia.ErrorField(err) != "credit_code" {
		t.Errorf("a wrong code: %v, want refused on credit_code", err)
	}
}

// 回访 is once per agreement: a second would overwrite the first's finding.
func TestFollowUpOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.create(t, "grid-g1", "neighbour")
	r.mediate(t, v.ID)
	v = r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeSchedule, mediation.ActionInput{At: r.clock.Now().Add(time.Hour), Place: "滨海社区调解室"})
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeRecord, mediation.ActionInput{Session: v.Sessions[0].ID, Record: "双方同意", Attended: "王海燕、李明"})
	v = r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeSucceed, mediation.ActionInput{Terms: "李明修复漏水并赔偿 500 元"})
	if !slices.Contains(v.Actions, guanjia.DisputeFollowUp) {
		t.Fatalf("no 回访 offered after the agreement: %v", v.Actions)
	}
	notKept := false
	v = r.act(t, "grid-g1", v.ID, guanjia.DisputeFollowUp, mediation.ActionInput{Kept: &notKept, Note: "未履行赔偿"})
	if slices.Contains(v.Actions, guanjia.DisputeFollowUp) {
		t.Errorf("回访 still offered after it: %v", v.Actions)
	}
	kept := true
	if _, err := r.svc.Act(ctx, r.who["mediator-tj-bs"], v.ID, guanjia.DisputeFollowUp, mediation.ActionInput{Kept: &kept}); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("a second 回访: %v, want %s", err, guanjia.ECONFLICT)
	}
	got, _ := r.svc.Get(ctx, r.who["dispatcher"], v.ID)
	if got.FollowUpKept == nil || *got.FollowUpKept || got.FollowUpNote != "未履行赔偿" {
		t.Errorf("the first 回访's finding is gone: kept %v note %q", got.FollowUpKept, got.FollowUpNote)
	}
}

// TestAnEndedMediationCallsOffItsSessions: the applicant withdraws with a
// session still to come. The session is off — the page does not keep
// showing it as 待调解 — and the parties without an account, texted its
// time and place when it was scheduled, are texted that it is off.
func TestAnEndedMediationCallsOffItsSessions(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.file(t, "grid-g1", "neighbour", []guanjia.Party{{Role: "applicant", Kind: "person", Name: "王海燕", Phone: "13876543210"},
		{Role: "respondent", Kind: "person", Name: "张强"}})
	r.mediate(t, v.ID)
	at := r.clock.Now().Add(48 * time.Hour)
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeSchedule, mediation.ActionInput{At: at, Place: "滨海社区调解室"})
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeWithdraw, mediation.ActionInput{Note: "申请人来电撤回：双方已私下和解"})

	got, err := r.svc.Get(ctx, r.who["grid-g1"], v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Sessions) != 1 || got.Sessions[0].Status != "cancelled" {
		t.Fatalf("after the withdrawal the sessions are %+v, want the one to come cancelled", got.Sessions)
	}
	nobody := int64(0)
	list, err := r.db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{RecipientID: &nobody, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var off []map[string]string
	for _, m := range list {
		if m.Template == guanjia.TplPartySessionOff {
			off = append(off, m.Data)
		}
	}
	when := at.In(guanjia.ChinaTime).Format("2006-01-02 15:04")
	if len(off) != 1 || off[0]["party"] != strconv.FormatInt(got.Parties[0].ID, 10) || off[0]["start"] != when ||
		off[0]["place"] != "滨海社区调解室" || off[0]["why"] != "申请已撤回" {
		t.Errorf("the texts calling it off: %v; want one to 王海燕 (the party with a phone) for %s", off, when)
	}
	if r.fire(t, mediation.TimerRemind) {
		t.Error("the reminder of the session called off still did something")
	}
}

// TestADisputeOutsideHaikouIsRefused: a position far from the city (a
// mis-tapped map, or the phone's default) is refused at the field, as a
// complaint's is; no committee of the city could take it.
func TestADisputeOutsideHaikouIsRefused(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	_, err := r.svc.Create(ctx, r.who["citizen"], mediation.Input{Type: "neighbour", Summary: "楼上漏水纠纷", Address: "北京市东城区",
		Lat: 39.9, Lng: 116.4, Parties: []guanjia.Party{{Role: "applicant", Kind: "person", Name: "王海燕", IDNumber: "11010519491231002X", Phone: "13876543210"},
			{Role: "respondent", Kind: "person", Name: "李明"}}})
	if guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != "lat" {
		t.Fatalf("a dispute in Beijing: %v, want refused on lat", err)
	}
}

// TestTheApplicantReadsOnlyTheNotesMeantForThem: the citizen who applied
// reads when and where they are expected, not what staff wrote to each
// other on the way (an assignment's reasons); staff read every note.
func TestTheApplicantReadsOnlyTheNotesMeantForThem(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.create(t, "citizen", "neighbour")
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeAccept, mediation.ActionInput{})
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeRoute, mediation.ActionInput{})
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeAssign, mediation.ActionInput{Mediators: []int64{r.who["mediator-tj-bs"].UserID},
		Note: "申请人情绪激动，多次来电"})
	r.act(t, "mediator-tj-bs", v.ID, guanjia.DisputeSchedule, mediation.ActionInput{At: r.clock.Now().Add(48 * time.Hour), Place: "滨海社区调解室"})
	notes := func(as string) map[guanjia.DisputeAction]string {
		got, err := r.svc.Get(ctx, r.who[as], v.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[guanjia.DisputeAction]string{}
		for _, e := range got.Events {
			out[e.Action] = e.Note
		}
		return out
	}
	if staff := notes("mediator-tj-bs"); staff[guanjia.DisputeAssign] != "申请人情绪激动，多次来电" {
		t.Fatalf("the mediator reads the assignment's note as %q", staff[guanjia.DisputeAssign])
	}
	applicant := notes("citizen")
	if applicant[guanjia.DisputeAssign] != "" {
		t.Errorf("the applicant reads the staff's note %q", applicant[guanjia.DisputeAssign])
	}
	if !strings.Contains(applicant[guanjia.DisputeSchedule], "滨海社区调解室") {
		t.Errorf("the applicant reads the session's note as %q, want when and where", applicant[guanjia.DisputeSchedule])
	}
	// The answer to the applicant's own step holds the same timeline.
	withdrawn := r.act(t, "citizen", v.ID, guanjia.DisputeWithdraw, mediation.ActionInput{Note: "已和解"})
	for _, e := range withdrawn.Events {
		if e.Action == guanjia.DisputeAssign && e.Note != "" {
			t.Errorf("the applicant's withdrawal answers the staff's note %q", e.Note)
		}
	}

	// A 回访's note is staff's too: the applicant reads whether the agreement was kept.
	settled := r.create(t, "citizen", "neighbour")
	r.mediate(t, settled.ID)
	settled = r.act(t, "mediator-tj-bs", settled.ID, guanjia.DisputeSchedule, mediation.ActionInput{At: r.clock.Now().Add(time.Hour), Place: "滨海社区调解室"})
	r.act(t, "mediator-tj-bs", settled.ID, guanjia.DisputeRecord, mediation.ActionInput{Session: settled.Sessions[0].ID, Record: "双方同意", Attended: "王海燕、李明"})
	r.act(t, "mediator-tj-bs", settled.ID, guanjia.DisputeSucceed, mediation.ActionInput{Terms: "李明修复漏水并赔偿 500 元"})
	kept := true
	r.act(t, "grid-g1", settled.ID, guanjia.DisputeFollowUp, mediation.ActionInput{Kept: &kept, Note: "申请人仍有怨气，重点关注"})
	for _, as := range []string{"citizen", "mediator-tj-bs"} {
		got, err := r.svc.Get(ctx, r.who[as], settled.ID)
		if err != nil {
			t.Fatal(err)
		}
		if staff := as != "citizen"; (got.FollowUpNote != "") != staff || got.FollowUpKept == nil || !*got.FollowUpKept {
			t.Errorf("%s reads the 回访 as kept %v, note %q", as, got.FollowUpKept, got.FollowUpNote)
		}
	}
	list, _, err := r.svc.List(ctx, r.who["citizen"], mediation.Filter{}, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.FollowUpNote != "" {
			t.Errorf("the applicant's list answers the 回访's note %q", d.FollowUpNote)
		}
	}
}

// A reported dispute its committee does not accept within three days is
// escalated once (督办): the committee, the one above it and the command
// center hear of it, and the one above reads it. Accepted in time, nothing
// fires.
func TestADisputeNotAcceptedInTimeIsEscalated(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	late := r.create(t, "grid-g1", "neighbour")
	armed := r.timers.find(mediation.TimerAccept)
	if len(armed) != 1 || !armed[0].DueAt.Equal(late.CreatedAt.Add(72*time.Hour)) {
		t.Fatalf("accept timers %+v, want one three days after the report", armed)
	}
	if due, err := r.svc.DueTimers(ctx, r.clock.Now().Add(71*time.Hour)); err != nil || len(due) != 0 {
		t.Fatalf("due within three days: %+v (%v), want none", due, err)
	}
	if due, err := r.svc.DueTimers(ctx, r.clock.Now().Add(72*time.Hour)); err != nil || len(due) != 1 || due[0] != armed[0] {
		t.Fatalf("the reconciler's timers %+v (%v), want the one armed", due, err)
	}
	if !r.fire(t, mediation.TimerAccept) {
		t.Fatal("the escalation did nothing")
	}
	for _, who := range []string{"mediator-tj-bs", "mediator-tj-hk", "dispatcher"} {
		if r.inbox(t, who, guanjia.TplEscalation) != 1 {
			t.Errorf("%s was not told of the dispute left unaccepted", who)
		}
	}
	if r.fire(t, mediation.TimerAccept) {
		t.Error("the escalation fired twice")
	}
	up, err := r.svc.Get(ctx, r.who["mediator-tj-hk"], late.ID)
	if err != nil || len(up.Actions) != 0 || !slices.ContainsFunc(up.Events, func(e guanjia.DisputeEvent) bool {
		return e.Action == guanjia.DisputeEscalate && strings.Contains(e.Note, "超过受理时限")
	}) {
		t.Fatalf("the committee above reads %+v (%v), want the escalation on record and no actions", up, err)
	}
	if due, err := r.svc.DueTimers(ctx, r.clock.Now().AddDate(0, 0, 10)); err != nil || len(due) != 0 {
		t.Errorf("the reconciler would re-arm %+v (%v)", due, err)
	}
	// Accepted late, its one-month clock runs as any other's.
	if v := r.act(t, "mediator-tj-bs", late.ID, guanjia.DisputeAccept, mediation.ActionInput{}); v.DueAt == nil {
		t.Fatal("accepted without a deadline")
	}

	onTime := r.create(t, "grid-g1", "neighbour")
	r.act(t, "mediator-tj-bs", onTime.ID, guanjia.DisputeAccept, mediation.ActionInput{})
	if r.fire(t, mediation.TimerAccept) {
		t.Error("a dispute accepted in time was escalated")
	}
}

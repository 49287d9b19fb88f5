package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/sms"
)

// inboxOf lists who got an inbox message of template tpl about complaint id.
func (c *city) inboxOf(t *testing.T, id int64, tpl string) []int64 {
	t.Helper()
	var to []int64
	for _, n := range c.notes(t, id) {
		if n.Channel == guanjia.ChannelInbox && n.Template == tpl {
			if n.Status != guanjia.DeliverySent || n.SentAt == nil {
				t.Errorf("an inbox message is %s, want sent as it is written", n.Status)
			}
			to = append(to, n.RecipientID)
		}
	}
	slices.Sort(to)
	return to
}

func sorted(ids ...int64) []int64 { slices.Sort(ids); return ids }

// 督办 by hand reaches the unit's leader and the command center, on their
// inboxes whatever their 企业微信 accounts, and the crew member on the task.
func TestManualEscalationReachesLeadersAndCommandCenter(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.act(t, c.dispatchr, cp.ID, guanjia.ActionEscalate, dispatch.ActionInput{Note: "群众反映强烈"})
	want := sorted(c.hwLead.UserID, c.dispatchr.UserID, c.crewA.UserID)
	if got := c.inboxOf(t, cp.ID, guanjia.TplEscalation); !slices.Equal(got, want) {
		t.Errorf("督办 inboxes %v, want leader, command center and crew %v", got, want)
	}
	wecom := 0
	for _, n := range c.notes(t, cp.ID) {
		if n.Channel == guanjia.ChannelWeCom && n.Template == guanjia.TplEscalation {
			wecom++
		}
	}
	if wecom != 3 {
		t.Errorf("%d 企业微信 messages, want one per recipient as well", wecom)
	}
}

// A unit without a leader: its queue and its 催办 go to the command center
// instead of to nobody.
func TestUnitWithoutLeaderFallsBackToCommandCenter(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	lampCrew, err := c.db.Users.FindUserByUsername(ctx, "lampCrew")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.db.Users.UpdateCrewPosition(ctx, lampCrew.ID, siteLat, siteLng, false, c.clock.Now()); err != nil {
		t.Fatal(err)
	}
	cp := c.report(t, c.citizen, catLamp, siteLat, siteLng) // lh-sz has no leader, and nobody is on duty
	if cp.UnitCode != "lh-sz" || cp.AssigneeID != nil {
		t.Fatalf("complaint %+v, want lh-sz's queue", cp)
	}
	if got := c.inboxOf(t, cp.ID, guanjia.TplManualQueue); !slices.Equal(got, []int64{c.dispatchr.UserID}) {
		t.Errorf("queue alert went to %v, want the command center", got)
	}
	c.act(t, c.dispatchr, cp.ID, guanjia.ActionRemind, dispatch.ActionInput{Note: "请尽快签收"})
	if got := c.inboxOf(t, cp.ID, guanjia.TplReminder); !slices.Equal(got, []int64{c.dispatchr.UserID}) {
		t.Errorf("催办 went to %v, want the command center", got)
	}
}

// failingUsers cannot list users: the database is in trouble.
type failingUsers struct{ dispatch.Store }

var errDown = errors.New("connection refused")

func (failingUsers) ListUsersByRole(context.Context, guanjia.Role, string) ([]*guanjia.User, error) {
	return nil, errDown
}

// A 督办 whose recipients cannot be looked up is not saved as if it reached someone.
func TestRecipientLookupFailureIsNotSwallowed(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	svc := *c.svc
	svc.Store = failingUsers{c.db.Complaints}
	if _, err := svc.Act(context.Background(), c.dispatchr, cp.ID, guanjia.ActionEscalate, dispatch.ActionInput{}); !errors.Is(err, errDown) {
		t.Fatalf("escalate: %v, want the lookup's error", err)
	}
	got, _ := c.db.Complaints.FindComplaint(context.Background(), cp.ID)
	if got.ManualEscalations != 0 || len(c.inboxOf(t, cp.ID, guanjia.TplEscalation)) != 0 {
		t.Errorf("an escalation that reached nobody was saved: %+v", got)
	}
}

// A hotline caller is texted on 受理 and on 办结, addressed by the complaint;
// a mini-program reporter is not.
func TestHotlineCallerIsTexted(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	cp, err := c.svc.Create(ctx, c.agent, dispatch.NewComplaint{Category: catTrash, Description: "来电反映路口垃圾",
		Lat: siteLat, Lng: siteLng, Address: "龙华路", CallerName: "王先生", CallerPhone: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}
	sms := func() []*guanjia.Notification {
		var out []*guanjia.Notification
		for _, n := range c.notes(t, cp.ID) {
			if n.Channel == guanjia.ChannelSMS {
				out = append(out, n)
			}
		}
		return out
	}
	if got := sms(); len(got) != 1 || got[0].Template != guanjia.TplCallerAccepted || got[0].RecipientID != 0 ||
		got[0].ComplaintID == nil || *got[0].ComplaintID != cp.ID || got[0].Status != guanjia.DeliveryPending {
		t.Fatalf("受理 SMS: %+v", got)
	}
	for _, n := range sms() {
		for _, v := range n.Data {
			if v == "13800138000" {
				t.Error("the caller's phone is written into the delivery log")
			}
		}
	}
	c.resolveOnSite(t, cp.ID, "已清理并冲洗地面")
	c.act(t, c.dispatchr, cp.ID, guanjia.ActionClose, dispatch.ActionInput{Note: "核查通过"})
	got := sms()
	if len(got) != 2 || got[0].Template != guanjia.TplCallerClosed || got[0].Data["note"] != "已清理并冲洗地面" {
		t.Errorf("办结 SMS: %+v", got)
	}

	web := c.report(t, c.citizen, catWater, siteLat, siteLng)
	for _, n := range c.notes(t, web.ID) {
		if n.Channel == guanjia.ChannelSMS {
			t.Errorf("a mini-program report was texted: %+v", n)
		}
	}
}

// A 12345 caller whose call was linked to an order already open — a me-too
// at intake or a merge at the desk — is texted 办结 when that order is
// closed, under the order number their 受理 SMS gave them, on their own
// phone; a caller who asked for no SMS is not texted, and a mini-program
// reporter's me-too is no SMS at all.
func TestDuplicateCallersAreTextedOnClose(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	call := func(phone string, optOut bool, lat float64) *guanjia.Complaint {
		t.Helper()
		cp, err := c.svc.Create(ctx, c.agent, dispatch.NewComplaint{Category: catTrash, Description: "来电反映路口垃圾",
			Lat: lat, Lng: siteLng, Address: "龙华路", CallerName: "市民", CallerPhone: phone, SMSOptOut: optOut})
		if err != nil {
			t.Fatal(err)
		}
		return cp
	}
	orig := call("13800138000", false, siteLat)
	meToo := call("13900139000", false, siteLat)        // same place: linked at intake
	optedOut := call("13700137000", true, siteLat)      // linked too, but wants no SMS
	merged := call("13600136000", false, siteLat+0.001) // 111 m away: dispatched on its own…
	web := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	for _, d := range []*guanjia.Complaint{meToo, optedOut, web} {
		if d.Status != guanjia.StatusDuplicate || d.DuplicateOf == nil || *d.DuplicateOf != orig.ID {
			t.Fatalf("#%d is %s (duplicate of %v), want a me-too of #%d", d.ID, d.Status, d.DuplicateOf, orig.ID)
		}
	}
	if merged.Status != guanjia.StatusDispatched {
		t.Fatalf("the call 111 m away is %s, want dispatched", merged.Status)
	}
	c.act(t, c.dispatchr, merged.ID, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: orig.ID}) // …until the desk merges it

	closedSMS := func(id int64) []*guanjia.Notification {
		var out []*guanjia.Notification
		for _, n := range c.notes(t, id) {
			if n.Channel == guanjia.ChannelSMS && n.Template == guanjia.TplCallerClosed {
				out = append(out, n)
			}
		}
		return out
	}
	c.resolveOnSite(t, orig.ID, "已清理并冲洗地面")
	if got := closedSMS(meToo.ID); len(got) != 0 {
		t.Fatalf("办结 SMS before the order is closed: %+v", got)
	}
	c.act(t, c.dispatchr, orig.ID, guanjia.ActionClose, dispatch.ActionInput{Note: "核查通过"})
	for _, id := range []int64{orig.ID, meToo.ID, merged.ID, optedOut.ID} {
		got := closedSMS(id)
		if len(got) != 1 || got[0].RecipientID != 0 || got[0].ComplaintID == nil || *got[0].ComplaintID != id ||
			got[0].Data["note"] != "已清理并冲洗地面" {
			t.Errorf("办结 SMS about #%d: %+v, want one, about that call, with what was done", id, got)
		}
	}
	if got := closedSMS(web.ID); len(got) != 0 {
		t.Errorf("a mini-program me-too was texted: %+v", got)
	}

	// What the phones receive, through the SMS sender and the fake Tencent Cloud.
	f, err := sms.StartFake()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	link := func(id int64) string { return fmt.Sprintf("https://12345.example/r/%d", id) }
	sender, err := sms.New(sms.Config{Fake: true, BaseURL: f.URL}, c.db.Complaints, nil, link, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{orig.ID, meToo.ID, merged.ID, optedOut.ID} {
		for _, n := range closedSMS(id) {
			if err := sender.Send(ctx, nil, n); id == optedOut.ID && !errors.Is(err, guanjia.ErrNoConsent) {
				t.Errorf("the opted-out caller's 办结 SMS: %v, want it settled as no consent", err)
			} else if id != optedOut.ID && err != nil {
				t.Errorf("send the 办结 SMS about #%d: %v", id, err)
			}
		}
	}
	got := map[string][]string{}
	for _, m := range f.Messages() {
		got[m.Phone] = m.Params
	}
	want := map[string][]string{
		"+8613800138000": {strconv.FormatInt(orig.ID, 10), "已清理并冲洗地面", link(orig.ID)},
		"+8613900139000": {strconv.FormatInt(meToo.ID, 10), "已清理并冲洗地面", link(meToo.ID)},
		"+8613600136000": {strconv.FormatInt(merged.ID, 10), "已清理并冲洗地面", link(merged.ID)},
	}
	if len(got) != len(want) {
		t.Errorf("texted %v, want %v (and not the caller who opted out)", got, want)
	}
	for phone, params := range want {
		if !slices.Equal(got[phone], params) {
			t.Errorf("%s received %q, want %q", phone, got[phone], params)
		}
	}
}

// An order with a caller's me-too, merged into another order, brings the
// me-too along: its caller is texted 办结 when that other order closes, and
// may rate then.
func TestMeTooOfAMergedOrderIsTextedOnClose(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	call := func(phone string, lat float64) *guanjia.Complaint {
		t.Helper()
		cp, err := c.svc.Create(ctx, c.agent, dispatch.NewComplaint{Category: catTrash, Description: "来电反映路口垃圾",
			Lat: lat, Lng: siteLng, Address: "龙华路", CallerName: "市民", CallerPhone: phone})
		if err != nil {
			t.Fatal(err)
		}
		return cp
	}
	kept := call("13800138000", siteLat)
	merged := call("13600136000", siteLat+0.001) // 111 m away: its own order
	meToo := call("13900139000", siteLat+0.001)  // a me-too of that order
	if meToo.DuplicateOf == nil || *meToo.DuplicateOf != merged.ID {
		t.Fatalf("the second call at 111 m: %+v, want a me-too of #%d", meToo, merged.ID)
	}
	c.act(t, c.dispatchr, merged.ID, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: kept.ID})
	if _, err := c.svc.RateByLink(ctx, meToo.ID, dispatch.ActionInput{Score: guanjia.RatingSatisfied}); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("rating the me-too while the order it joined is worked on: %v, want conflict", err)
	}
	c.resolveOnSite(t, kept.ID, "已清理")
	c.act(t, c.dispatchr, kept.ID, guanjia.ActionClose, dispatch.ActionInput{})
	var texted bool
	for _, n := range c.notes(t, meToo.ID) {
		texted = texted || n.Channel == guanjia.ChannelSMS && n.Template == guanjia.TplCallerClosed
	}
	if !texted {
		t.Error("the me-too of the merged order got no 办结 SMS")
	}
	if _, err := c.svc.RateByLink(ctx, meToo.ID, dispatch.ActionInput{Score: guanjia.RatingSatisfied}); err != nil {
		t.Errorf("rating the me-too once the order it joined is done: %v", err)
	}
}

// A call merged into an order while the order is being closed is not left
// without its 办结 SMS: the merge moves the order's version, so the close,
// which listed the duplicates before it, is refused by the store and runs
// again on what the merge saved. The dispatcher sees one close, not a 409.
func TestMergeDuringCloseIsNotMissed(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	orig := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	late, err := c.svc.Create(ctx, c.agent, dispatch.NewComplaint{Category: catTrash, Description: "来电反映路口垃圾",
		Lat: siteLat + 0.001, Lng: siteLng, Address: "龙华路", CallerName: "市民", CallerPhone: "13600136000"})
	if err != nil || late.Status != guanjia.StatusDispatched {
		t.Fatalf("the call 111 m away: %+v %v, want dispatched", late, err)
	}
	c.resolveOnSite(t, orig.ID, "已清理")
	closing := *c.svc
	merging := &mergeWhileListing{Store: c.db.Complaints, order: orig.ID, merge: func() {
		c.act(t, c.dispatchr, late.ID, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: orig.ID})
	}}
	closing.Store = merging
	if _, err := closing.Act(ctx, c.dispatchr, orig.ID, guanjia.ActionClose, dispatch.ActionInput{}); err != nil {
		t.Fatalf("close that listed the duplicates before a merge committed: %v", err)
	}
	if merging.lists != 2 {
		t.Fatalf("the close listed the duplicates %d times, want 2 (before the merge, and again after)", merging.lists)
	}
	var texted bool
	for _, n := range c.notes(t, late.ID) {
		texted = texted || n.Channel == guanjia.ChannelSMS && n.Template == guanjia.TplCallerClosed
	}
	if !texted {
		t.Error("the call merged during the close got no 办结 SMS")
	}
	if evs := c.events(t, orig.ID); slices.Index(evs, "close:closed") != len(evs)-1 || slices.Contains(evs[:len(evs)-1], "close:closed") {
		t.Errorf("timeline %v, want one close, last", evs)
	}
}

// mergeWhileListing runs merge as a close first lists the order's duplicates,
// and counts the listings of the order's own.
type mergeWhileListing struct {
	dispatch.Store
	order int64
	merge func()
	lists int
}

func (m *mergeWhileListing) ListDuplicates(ctx context.Context, id int64) ([]*guanjia.Complaint, error) {
	dups, err := m.Store.ListDuplicates(ctx, id)
	if id != m.order {
		return dups, err
	}
	if m.lists++; m.lists == 1 {
		m.merge()
	}
	return dups, err
}

// failingDuplicates cannot list an order's duplicates: the database is in trouble.
type failingDuplicates struct{ dispatch.Store }

func (failingDuplicates) ListDuplicates(context.Context, int64) ([]*guanjia.Complaint, error) {
	return nil, errDown
}

// failingLookups cannot read photos, users or units: the database is in trouble.
type failingLookups struct{ dispatch.Store }

func (failingLookups) FindPhoto(context.Context, string) (*guanjia.Photo, error) { return nil, errDown }
func (failingLookups) FindUserByID(context.Context, int64) (*guanjia.User, error) {
	return nil, errDown
}
func (failingLookups) FindUnit(context.Context, string) (*guanjia.Unit, error) { return nil, errDown }

// A reference the database could not look up is the server's trouble, not
// the caller's bad request: the error is the lookup's (a 500), not "not found".
func TestFailedLookupsAreNotBadReferences(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.act(t, c.crewA, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.act(t, c.crewA, cp.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)})
	waiting := c.report(t, c.citizen2, catTrash, siteLat+0.001, siteLng) // 111 m away: dispatched, not signed for
	svc := *c.svc
	svc.Store = failingLookups{c.db.Complaints}
	for _, tc := range []struct {
		what   string
		who    guanjia.Claims
		id     int64
		action guanjia.Action
		in     dispatch.ActionInput
	}{
		{"resolve with a photo", c.crewA, cp.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理", Photos: []string{"p1"}}},
		{"redispatch to a crew member", c.dispatchr, waiting.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &c.crewB.UserID, Reason: "改派"}},
		{"redispatch to a unit", c.dispatchr, waiting.ID, guanjia.ActionDispatch, dispatch.ActionInput{UnitCode: "lh-hw", Reason: "改派"}},
	} {
		if _, err := svc.Act(context.Background(), tc.who, tc.id, tc.action, tc.in); !errors.Is(err, errDown) {
			t.Errorf("%s: %v, want the lookup's error", tc.what, err)
		}
	}
}

// A close whose duplicates' callers cannot be looked up is not saved: it
// would close the order without the texts those callers are owed.
func TestCloseFailsWhenDuplicatesCannotBeListed(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.resolveOnSite(t, cp.ID, "已清理")
	svc := *c.svc
	svc.Store = failingDuplicates{c.db.Complaints}
	if _, err := svc.Act(context.Background(), c.dispatchr, cp.ID, guanjia.ActionClose, dispatch.ActionInput{}); !errors.Is(err, errDown) {
		t.Fatalf("close: %v, want the lookup's error", err)
	}
	if got := c.get(t, cp.ID); got.Status != guanjia.StatusResolved || got.ClosedAt != nil {
		t.Errorf("a close that could not address the duplicates' callers was saved: %+v", got)
	}
}

// A report the desk merges into another tells its reporter so, as a me-too
// at intake is told: their order stops, the work goes on under the other.
func TestAMergedReporterIsTold(t *testing.T) {
	c := newCity(t)
	orig := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	merged := c.report(t, c.citizen2, catTrash, siteLat+0.001, siteLng) // 111 m away: its own order until merged
	c.act(t, c.dispatchr, merged.ID, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: orig.ID})
	var told []string
	for _, n := range c.notes(t, merged.ID) {
		if n.RecipientID == c.citizen2.UserID && n.Channel == guanjia.ChannelSubscribe && n.Template == guanjia.TplComplaintUpdate {
			told = append(told, n.Data["status"]+" "+n.Data["note"])
		}
	}
	if len(told) != 1 || !strings.Contains(told[0], "合并") || !strings.Contains(told[0], fmt.Sprintf("#%d", orig.ID)) {
		t.Errorf("the merged order's reporter was told %q, want once that it goes on as #%d", told, orig.ID)
	}
}

// A crew member whose task goes elsewhere before they sign for it is told,
// whether the desk reassigns it, merges it, or the sign-for timer moves it:
// they may be on their way, and the task only vanishes from their list.
func TestACrewHearsWhenTheirTaskGoesElsewhere(t *testing.T) {
	c := newCity(t)
	other := map[int64]guanjia.Claims{c.crewA.UserID: c.crewB, c.crewB.UserID: c.crewA}
	withdrawnFrom := func(id int64) []int64 { return c.inboxOf(t, id, guanjia.TplTaskWithdrawn) }

	first := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	was := *first.AssigneeID
	next := other[was].UserID
	c.act(t, c.dispatchr, first.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &next})
	if got := withdrawnFrom(first.ID); !slices.Equal(got, []int64{was}) {
		t.Errorf("改派: withdrawal told %v, want the first crew member %d", got, was)
	}
	// Reassigned to the same person, nobody is told it went elsewhere.
	c.act(t, c.dispatchr, first.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &next})
	if got := withdrawnFrom(first.ID); len(got) != 1 {
		t.Errorf("a dispatch to the same crew member told %v", got)
	}

	second := c.report(t, c.citizen2, catTrash, siteLat+0.002, siteLng) // 220 m away: a report of its own
	if second.DuplicateOf != nil || second.AssigneeID == nil {
		t.Fatalf("the second report: %+v", second)
	}
	c.act(t, c.dispatchr, second.ID, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: first.ID})
	got := withdrawnFrom(second.ID)
	if !slices.Equal(got, []int64{*second.AssigneeID}) {
		t.Fatalf("合并: withdrawal told %v, want %d", got, *second.AssigneeID)
	}
	for _, n := range c.notes(t, second.ID) {
		if n.Template == guanjia.TplTaskWithdrawn && n.Channel == guanjia.ChannelInbox {
			if text := dispatch.InboxText(n.Template, second.ID, n.Data); !strings.Contains(text, fmt.Sprintf("#%d", first.ID)) || !strings.Contains(text, "无需前往") {
				t.Errorf("the inbox says %q: where the work went, and that they need not go", text)
			}
		}
	}

	// Nobody signs: the timer moves it to the other crew member, then to the unit's queue.
	third := c.report(t, c.citizen, catTrash, siteLat-0.002, siteLng)
	firstCrew := *third.AssigneeID
	c.fire(t, third.ID, dispatch.TimerAccept)
	secondCrew := *c.get(t, third.ID).AssigneeID
	if got := withdrawnFrom(third.ID); secondCrew == firstCrew || !slices.Equal(got, []int64{firstCrew}) {
		t.Errorf("the sign-for timer's 改派 (%d → %d) told %v", firstCrew, secondCrew, got)
	}
	c.fire(t, third.ID, dispatch.TimerAccept)
	if q := c.get(t, third.ID); q.AssigneeID != nil {
		t.Fatalf("after two misses the task is %d's, want the unit's queue", *q.AssigneeID)
	}
	if got := withdrawnFrom(third.ID); !slices.Equal(got, sorted(firstCrew, secondCrew)) {
		t.Errorf("to the unit's queue: withdrawal told %v, want both crew members", got)
	}

}

// The unit's leader handing a crew member's task back (退单), signed for or
// not, tells them; a crew member handing back their own is not told.
func TestACrewHearsWhenTheirLeaderGivesTheTaskBack(t *testing.T) {
	for _, signed := range []bool{false, true} {
		c := newCity(t)
		cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
		was := *cp.AssigneeID
		if signed {
			c.act(t, c.crewA, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
		}
		c.act(t, c.hwLead, cp.ID, guanjia.ActionReturn, dispatch.ActionInput{Reason: "不属于本单位"})
		if got := c.inboxOf(t, cp.ID, guanjia.TplTaskWithdrawn); !slices.Equal(got, []int64{was}) {
			t.Errorf("the leader's 退单 (signed for: %v) told %v, want crew member %d", signed, got, was)
		}
	}
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.act(t, c.crewA, cp.ID, guanjia.ActionReturn, dispatch.ActionInput{Reason: "车辆故障"})
	if got := c.inboxOf(t, cp.ID, guanjia.TplTaskWithdrawn); len(got) != 0 {
		t.Errorf("a crew member's own 退单 told %v", got)
	}
}

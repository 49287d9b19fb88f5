package dispatch_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/dispatch"
)

func (c *city) fire(t *testing.T, id int64, kind dispatch.TimerKind) dispatch.TimerOutcome {
	t.Helper()
	armed := c.sched.Armed(id, kind)
	if len(armed) == 0 {
		t.Fatalf("no %s timer armed for %d", kind, id)
	}
	tm := armed[len(armed)-1]
	if c.clock.Now().Before(tm.DueAt) {
		c.clock.Advance(tm.DueAt.Sub(c.clock.Now()))
	}
	out, err := c.svc.HandleTimer(context.Background(), id, kind, tm.Seq)
	if err != nil {
		t.Fatalf("fire %s: %v", kind, err)
	}
	return out
}

func (c *city) get(t *testing.T, id int64) *guanjia.Complaint {
	t.Helper()
	cp, err := c.db.Complaints.FindComplaint(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

func TestAcceptTimeoutRedispatchesThenEscalates(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	if *cp.AssigneeID != c.crewA.UserID {
		t.Fatal("expected crew A first")
	}
	// The warning comes first: a 催办 to crew A.
	out := c.fire(t, cp.ID, dispatch.TimerAcceptReminder)
	if out.Breached || out.Stale {
		t.Errorf("warning outcome = %+v", out)
	}
	out = c.fire(t, cp.ID, dispatch.TimerAccept)
	if !out.Breached || out.Stage != "accept" {
		t.Errorf("accept outcome = %+v", out)
	}
	got := c.get(t, cp.ID)
	if got.AssigneeID == nil || *got.AssigneeID != c.crewB.UserID || got.Attempt != 2 || got.Status != guanjia.StatusDispatched {
		t.Fatalf("after first timeout: assignee %v attempt %d", got.AssigneeID, got.Attempt)
	}
	// The on-site clock belongs to the citizen: the system's redispatch keeps it.
	if !got.ArriveBy.Equal(*cp.ArriveBy) {
		t.Errorf("arrive_by moved from %v to %v on a system redispatch", cp.ArriveBy, got.ArriveBy)
	}
	// The old timer firing again (a retry, or the reconciler) does nothing.
	again, err := c.svc.HandleTimer(context.Background(), cp.ID, dispatch.TimerAccept, 1)
	if err != nil || !again.Stale {
		t.Errorf("old timer again: %+v %v", again, err)
	}
	// Crew B does not accept either: the unit leader gets it.
	c.fire(t, cp.ID, dispatch.TimerAccept)
	got = c.get(t, cp.ID)
	if got.AssigneeID != nil || got.MissedDeadlines != 2 || got.MissedAccepts != 2 || got.UnitCode != "lh-hw" {
		t.Fatalf("after second timeout: %+v", got)
	}
	escalated := false
	for _, n := range c.notes(t, cp.ID) {
		if n.RecipientID == c.hwLead.UserID && n.Template == guanjia.TplEscalation {
			escalated = true
		}
	}
	if !escalated {
		t.Error("unit leader was not told")
	}
	want := "create:submitted,dispatch:dispatched,remind:dispatched,dispatch:dispatched,escalate:dispatched"
	if got := strings.Join(c.events(t, cp.ID), ","); !strings.HasPrefix(got, want) {
		t.Errorf("timeline = %s", got)
	}
}

// A rework goes back to the member who did the work; when they do not sign
// for it, the next member is tried before the unit's leader.
func TestReworkNotSignedForGoesToTheNextCrew(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.resolveOnSite(t, cp.ID, "已清理")
	c.act(t, c.dispatchr, cp.ID, guanjia.ActionReopen, dispatch.ActionInput{Reason: "现场仍有垃圾"})
	if got := c.get(t, cp.ID); got.AssigneeID == nil || *got.AssigneeID != c.crewA.UserID {
		t.Fatalf("the rework went to %v, want crew A", got.AssigneeID)
	}
	c.fire(t, cp.ID, dispatch.TimerAccept)
	if got := c.get(t, cp.ID); got.AssigneeID == nil || *got.AssigneeID != c.crewB.UserID || got.Status != guanjia.StatusDispatched {
		t.Errorf("the rework not signed for: assignee %v, %s; want crew B", got.AssigneeID, got.Status)
	}
}

func TestArriveTimeoutEscalatesToCommandCenterAndLeader(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.act(t, c.crewA, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	// 30 minutes pass and nobody checks in on site.
	out := c.fire(t, cp.ID, dispatch.TimerArrive)
	if !out.Breached || out.Stage != "arrive" {
		t.Fatalf("outcome = %+v", out)
	}
	got := c.get(t, cp.ID)
	if got.MissedDeadlines != 1 || got.Status != guanjia.StatusAccepted {
		t.Fatalf("after missed arrival: %+v", got)
	}
	told := map[int64]bool{}
	for _, n := range c.notes(t, cp.ID) {
		if n.Template == guanjia.TplEscalation {
			told[n.RecipientID] = true
		}
	}
	if !told[c.dispatchr.UserID] || !told[c.hwLead.UserID] || !told[c.crewA.UserID] {
		t.Errorf("督办 went to %v", told)
	}
	// Firing twice is harmless.
	if out := c.fire(t, cp.ID, dispatch.TimerArrive); !out.Stale {
		t.Errorf("second firing = %+v", out)
	}
	if got := c.get(t, cp.ID); got.MissedDeadlines != 1 {
		t.Errorf("escalation = %d after a repeated timer", got.MissedDeadlines)
	}
}

func TestArriveTimeoutEscalatesWithoutAnyAccept(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	// Nobody signs for it. The 催办 comes before the half hour, the 督办 at it.
	if out := c.fire(t, cp.ID, dispatch.TimerArriveReminder); out.Breached || out.Stale {
		t.Fatalf("arrival warning = %+v", out)
	}
	if out := c.fire(t, cp.ID, dispatch.TimerArrive); !out.Breached || out.Stage != "arrive" {
		t.Fatalf("arrival deadline = %+v", out)
	}
	if !c.clock.Now().Equal(*cp.ArriveBy) {
		t.Errorf("arrival breach at %v, want %v", c.clock.Now(), cp.ArriveBy)
	}
	got := c.get(t, cp.ID)
	told := map[int64]bool{}
	for _, n := range c.notes(t, cp.ID) {
		if n.Template == guanjia.TplEscalation {
			told[n.RecipientID] = true
		}
	}
	if got.MissedDeadlines < 1 || !told[c.dispatchr.UserID] || !told[c.hwLead.UserID] {
		t.Errorf("missed deadlines %d, 督办 went to %v", got.MissedDeadlines, told)
	}
}

func TestManualRedispatchKeepsTheArrivalClockUnlessRestartedWithReason(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.clock.Advance(3 * time.Minute)
	got := c.act(t, c.dispatchr, cp.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &c.crewB.UserID})
	if !got.ArriveBy.Equal(*cp.ArriveBy) {
		t.Errorf("改派 moved arrive_by from %v to %v", cp.ArriveBy, got.ArriveBy)
	}
	if _, err := c.svc.Act(context.Background(), c.dispatchr, cp.ID, guanjia.ActionDispatch,
		dispatch.ActionInput{CrewID: &c.crewA.UserID, RestartArrival: true}); guanjia.ErrorField(err) != "reason" {
		t.Fatalf("restart without a reason: %v", err)
	}
	c.clock.Advance(time.Minute)
	got = c.act(t, c.dispatchr, cp.ID, guanjia.ActionDispatch,
		dispatch.ActionInput{CrewID: &c.crewA.UserID, RestartArrival: true, Reason: "原处置人员车辆故障"})
	if want := c.clock.Now().Add(30 * time.Minute); !got.ArriveBy.Equal(want) {
		t.Errorf("restarted arrive_by %v, want %v", got.ArriveBy, want)
	}
	// The old arrival deadline no longer escalates; the new one does.
	if out, err := c.svc.HandleTimer(context.Background(), cp.ID, dispatch.TimerArrive, cp.ArriveBy.Unix()); err != nil || !out.Stale {
		t.Errorf("old arrival timer: %+v %v", out, err)
	}
	if ev := c.events(t, cp.ID); !strings.Contains(strings.Join(ev, ","), "dispatch:dispatched") {
		t.Errorf("timeline %v", ev)
	}
}

// The on-site clock is the citizen's: a unit leader whose crew missed it
// may 改派 within the unit, but not restart the clock and so score the late
// arrival 按时到场.
func TestALeaderCannotRestartTheArrivalClock(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.clock.Advance(40 * time.Minute) // nobody came within the 30 minutes
	other := c.crewB.UserID
	if *cp.AssigneeID == other {
		other = c.crewA.UserID
	}
	_, err := c.svc.Act(context.Background(), c.hwLead, cp.ID, guanjia.ActionDispatch,
		dispatch.ActionInput{CrewID: &other, RestartArrival: true, Reason: "换人"})
	if guanjia.ErrorCode(err) != guanjia.EFORBIDDEN || guanjia.ErrorField(err) != "restart_arrival" {
		t.Fatalf("a leader restarting the on-site clock: %v, want forbidden on restart_arrival", err)
	}
	// The same 改派 without the restart goes through, the deadline kept.
	got := c.act(t, c.hwLead, cp.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &other, Reason: "换人"})
	if *got.AssigneeID != other || !got.ArriveBy.Equal(*cp.ArriveBy) {
		t.Errorf("the leader's 改派: assignee %d, arrive_by %v, want %d and %v", *got.AssigneeID, got.ArriveBy, other, cp.ArriveBy)
	}
}

func TestArrivalInTimeMakesTimerStale(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.act(t, c.crewA, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.clock.Advance(20 * time.Minute)
	c.act(t, c.crewA, cp.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)})
	out := c.fire(t, cp.ID, dispatch.TimerArrive)
	if !out.Stale || out.Breached {
		t.Errorf("timer after arrival = %+v", out)
	}
	if got := c.get(t, cp.ID); got.MissedDeadlines != 0 {
		t.Errorf("escalated although the crew arrived in time")
	}
}

func TestResolveTimeoutMarksOverdue(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.act(t, c.crewA, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.act(t, c.crewA, cp.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)})
	out := c.fire(t, cp.ID, dispatch.TimerResolve)
	if !out.Breached || c.get(t, cp.ID).Overdue != true {
		t.Fatalf("outcome %+v, overdue %v", out, c.get(t, cp.ID).Overdue)
	}
	// An extension sets a new deadline and retires the old timer; the miss
	// stays: the order is still overdue, and the miss is counted once.
	got := c.act(t, c.dispatchr, cp.ID, guanjia.ActionExtend, dispatch.ActionInput{Reason: "需要协调物业", ExtendBy: 4 * time.Hour})
	if !got.Overdue || got.MissedDeadlines != 1 || !got.ResolveBy.Equal(c.clock.Now().Add(4*time.Hour)) {
		t.Errorf("after extension: overdue %v, missed %d, resolve_by %v", got.Overdue, got.MissedDeadlines, got.ResolveBy)
	}
	c.act(t, c.crewA, cp.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理"})
	if got := c.get(t, cp.ID); !got.Overdue || got.MissedDeadlines != 1 {
		t.Errorf("resolved within the extension: overdue %v, missed %d; want the miss kept, once", got.Overdue, got.MissedDeadlines)
	}
	st, err := c.svc.Stats(context.Background(), c.dispatchr, c.clock.Now().Add(-24*time.Hour), c.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Handled != 1 || st.Total.MissedDeadlines != 1 {
		t.Errorf("stats after a resolution within an extension granted late: %+v", st.Total)
	}
}

// An extension granted after the deadline passed, before its timer fired
// (late, or lost with Redis), counts the miss itself: the extension retires
// that timer, which would have counted it.
func TestExtensionAfterUnnoticedMissStillCountsIt(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.act(t, c.crewA, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.act(t, c.crewA, cp.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)})
	missed := *cp.ResolveBy
	c.clock.Set(missed.Add(10 * time.Minute)) // past the deadline; its timer has not fired
	got := c.act(t, c.dispatchr, cp.ID, guanjia.ActionExtend, dispatch.ActionInput{Reason: "需要协调物业", ExtendBy: 4 * time.Hour})
	if !got.Overdue || got.MissedDeadlines != 1 {
		t.Errorf("extended after an unnoticed miss: overdue %v, missed %d; want overdue, 1", got.Overdue, got.MissedDeadlines)
	}
	if want := c.clock.Now().Add(4 * time.Hour); !got.ResolveBy.Equal(want) {
		t.Errorf("resolve_by %v, want %v: a missed deadline is extended from now", got.ResolveBy, want)
	}
	// The old deadline's timer, firing late, counts nothing more.
	if out, err := c.svc.HandleTimer(context.Background(), cp.ID, dispatch.TimerResolve, missed.Unix()); err != nil || !out.Stale {
		t.Errorf("the missed deadline's timer: %+v %v", out, err)
	}
	// A second extension before the new deadline keeps the miss.
	got = c.act(t, c.dispatchr, cp.ID, guanjia.ActionExtend, dispatch.ActionInput{Reason: "等待材料", ExtendBy: time.Hour})
	if !got.Overdue || got.MissedDeadlines != 1 {
		t.Errorf("extended again in time: overdue %v, missed %d; want overdue, 1", got.Overdue, got.MissedDeadlines)
	}
	if ev := c.events(t, cp.ID); !slices.Contains(ev, "extend:on_site") {
		t.Errorf("timeline %v", ev)
	}
	// Resolved within the extension: handled, but not 按时办结.
	c.act(t, c.crewA, cp.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理"})
	st, err := c.svc.Stats(context.Background(), c.dispatchr, cp.CreatedAt.Add(-time.Hour), c.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Handled != 1 || st.Total.HandledOnTime != 0 || st.Total.MissedDeadlines != 1 {
		t.Errorf("stats after a resolution within a late extension: %+v; want handled 1, on time 0, missed 1", st.Total)
	}
}

// A late resolution stays late through a 返工: reworked within the new
// deadline, the order is handled, but not 按时办结 (a citizen's complaint
// about the work must not improve the unit's score).
func TestReworkAfterALateResolutionIsNotOnTime(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.clock.Set(cp.ResolveBy.Add(10 * time.Minute))
	if got := c.resolveOnSite(t, cp.ID, "已清理"); !got.Overdue {
		t.Fatal("resolved after resolve_by, not overdue")
	}
	c.act(t, c.dispatchr, cp.ID, guanjia.ActionReopen, dispatch.ActionInput{Reason: "市民反映仍有垃圾"})
	got := c.resolveOnSite(t, cp.ID, "已再次清理")
	if !got.ResolvedAt.Before(*got.ResolveBy) || !got.Overdue {
		t.Fatalf("reworked at %v by %v: overdue %v; want in the new window, still overdue", got.ResolvedAt, got.ResolveBy, got.Overdue)
	}
	st, err := c.svc.Stats(context.Background(), c.dispatchr, cp.CreatedAt.Add(-time.Hour), c.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Handled != 1 || st.Total.HandledOnTime != 0 || st.Total.Reworked != 1 {
		t.Errorf("stats after a late resolution reworked in time: %+v; want handled 1, on time 0, reworked 1", st.Total)
	}
}

// Deadlines missed while no timer fired (the worker down, Redis flushed) are
// counted by the late step itself, once: the timers, firing afterwards,
// find the step done and count nothing more.
func TestLateStepsBeforeTheirTimersStillCount(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.act(t, c.crewA, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.clock.Set(cp.ArriveBy.Add(5 * time.Minute))
	if got := c.act(t, c.crewA, cp.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)}); got.MissedDeadlines != 1 {
		t.Errorf("on site 5 minutes late: %d missed, want 1", got.MissedDeadlines)
	}
	c.clock.Set(cp.ResolveBy.Add(10 * time.Minute))
	if got := c.act(t, c.crewA, cp.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理"}); got.MissedDeadlines != 2 || !got.Overdue {
		t.Errorf("resolved 10 minutes late: %d missed, overdue %v; want 2, overdue", got.MissedDeadlines, got.Overdue)
	}
	for kind, due := range map[dispatch.TimerKind]time.Time{dispatch.TimerArrive: *cp.ArriveBy, dispatch.TimerResolve: *cp.ResolveBy} {
		if out, err := c.svc.HandleTimer(ctx, cp.ID, kind, due.Unix()); err != nil || !out.Stale {
			t.Errorf("the %s timer firing late: %+v %v, want stale", kind, out, err)
		}
	}
	if got := c.get(t, cp.ID); got.MissedDeadlines != 2 {
		t.Errorf("after the late timers: %d missed, want 2", got.MissedDeadlines)
	}

	// The other way round: the timer fired and counted the miss; the late
	// check-in after it counts nothing more.
	fired := c.report(t, c.citizen2, catTrash, siteLat+0.001, siteLng) // 111 m away: not merged
	c.act(t, c.crewA, fired.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	if out := c.fire(t, fired.ID, dispatch.TimerArrive); !out.Breached {
		t.Fatalf("the arrive timer: %+v", out)
	}
	c.clock.Advance(5 * time.Minute)
	if got := c.act(t, c.crewA, fired.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)}); got.MissedDeadlines != 1 {
		t.Errorf("on site after the arrive timer fired: %d missed, want 1", got.MissedDeadlines)
	}
}

// A crew the desk reassigns to moments before the arrival deadline has the
// whole sign-for step, not the seconds left of the citizen's window: the
// arrival is missed either way, the sign-for need not be.
func TestLateReassignmentLeavesTimeToSign(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.clock.Set(cp.ArriveBy.Add(-10 * time.Second))
	other := c.crewB
	if *cp.AssigneeID == c.crewB.UserID {
		other = c.crewA
	}
	got := c.act(t, c.dispatchr, cp.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &other.UserID})
	if want := c.clock.Now().Add(5 * time.Minute); got.AcceptBy == nil || !got.AcceptBy.Equal(want) {
		t.Errorf("accept_by %v, want %v (the whole step)", got.AcceptBy, want)
	}
}

// A task taken away unsigned after its sign-for deadline passed unnoticed
// (改派 by the desk, 退单 by the crew) keeps the miss: not 按时签收, and one
// 超时督办, as if the timer had redispatched it.
func TestTaskTakenAwayAfterAnUnnoticedAcceptMissCountsIt(t *testing.T) {
	c := newCity(t)
	redispatched := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	returned := c.report(t, c.citizen2, catTrash, siteLat+0.001, siteLng) // 111 m away: not merged
	c.clock.Set(redispatched.AcceptBy.Add(time.Minute))
	got := c.act(t, c.dispatchr, redispatched.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &c.crewB.UserID})
	if got.MissedAccepts != 1 || got.MissedDeadlines != 1 {
		t.Errorf("改派 after the missed sign-for: %d missed accepts, %d missed deadlines; want 1, 1", got.MissedAccepts, got.MissedDeadlines)
	}
	holder := c.crewA
	if *returned.AssigneeID == c.crewB.UserID {
		holder = c.crewB
	}
	got = c.act(t, holder, returned.ID, guanjia.ActionReturn, dispatch.ActionInput{Reason: "不在我的片区"})
	if got.MissedAccepts != 1 || got.MissedDeadlines != 1 {
		t.Errorf("退单 after the missed sign-for: %d missed accepts, %d missed deadlines; want 1, 1", got.MissedAccepts, got.MissedDeadlines)
	}
	// Dispatched again from the manual queue, the old miss is not counted twice.
	got = c.act(t, c.dispatchr, returned.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &c.crewB.UserID})
	if got.MissedAccepts != 1 || got.MissedDeadlines != 1 {
		t.Errorf("dispatched after the 退单: %d missed accepts, %d missed deadlines; want 1, 1", got.MissedAccepts, got.MissedDeadlines)
	}
}

// An extension granted in time moves the deadline the work is measured by:
// clock hours for a clock-time category, and resolved by the new deadline
// is on time.
func TestExtensionInTimeOfClockTimeCategory(t *testing.T) {
	c := newCity(t)
	shanghai := c.svc.Calendar.Location()
	friday := time.Date(2026, 11, 27, 14, 0, 0, 0, shanghai)
	if friday.Weekday() != time.Friday {
		t.Fatalf("%v is a %v", friday, friday.Weekday())
	}
	c.clock.Set(friday.UTC())
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng) // 2 clock hours
	deadline := friday.Add(2 * time.Hour)                    // Friday 16:00
	if !cp.ResolveBy.Equal(deadline) {
		t.Fatalf("resolve_by %v, want %v", cp.ResolveBy.In(shanghai), deadline)
	}
	c.act(t, c.crewA, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.act(t, c.crewA, cp.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)})
	c.clock.Set(friday.Add(30 * time.Minute).UTC())
	got := c.act(t, c.dispatchr, cp.ID, guanjia.ActionExtend, dispatch.ActionInput{Reason: "需要协调物业", ExtendBy: 8 * time.Hour})
	if want := deadline.Add(8 * time.Hour); !got.ResolveBy.Equal(want) { // Saturday 00:00: clock time runs at night
		t.Errorf("resolve_by %v, want %v", got.ResolveBy.In(shanghai), want)
	}
	if armed := c.sched.Armed(cp.ID, dispatch.TimerResolve); len(armed) == 0 || !armed[len(armed)-1].DueAt.Equal(*got.ResolveBy) {
		t.Errorf("resolve timers armed %+v, want one at the new deadline", armed)
	}
	c.clock.Set(deadline.Add(3 * time.Hour).UTC()) // after the old deadline, before the new one
	c.act(t, c.crewA, cp.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理"})
	if got := c.get(t, cp.ID); got.Overdue || got.MissedDeadlines != 0 {
		t.Errorf("resolved within an extension granted in time: overdue %v, missed %d", got.Overdue, got.MissedDeadlines)
	}
	st, err := c.svc.Stats(context.Background(), c.dispatchr, friday.Add(-time.Hour).UTC(), c.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Handled != 1 || st.Total.HandledOnTime != 1 || st.Total.MissedDeadlines != 0 {
		t.Errorf("stats after an extended, in-time resolution: %+v", st.Total)
	}
}

// A working-time category is extended in working time: 8 hours granted on
// Friday at 16:00 are 1.5 h on Friday and 6.5 h on Monday, the next working
// day (a plain weekend in the 2026 schedule), not Saturday 00:00.
func TestExtensionOfWorkingTimeCategoryCountsWorkingHours(t *testing.T) {
	c := newCity(t)
	cal := c.svc.Calendar
	shanghai := cal.Location()
	friday := time.Date(2026, 11, 27, 14, 0, 0, 0, shanghai)
	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai)
	if friday.Weekday() != time.Friday || !cal.KnownYear(2026) || !cal.IsWorkday(friday) || !cal.IsWorkday(monday) ||
		cal.IsWorkday(friday.AddDate(0, 0, 1)) || cal.IsWorkday(friday.AddDate(0, 0, 2)) {
		t.Fatalf("want Friday %v and Monday %v workdays, the weekend between off, in a known year", friday, monday)
	}
	c.clock.Set(friday.UTC())
	cp := c.report(t, c.citizen, catLamp, siteLat, siteLng) // 2 working hours
	deadline := friday.Add(2 * time.Hour)                   // Friday 16:00
	if cp.ResolveBy == nil || !cp.ResolveBy.Equal(deadline) {
		t.Fatalf("resolve_by %v, want %v", cp.ResolveBy, deadline)
	}
	c.clock.Set(friday.Add(30 * time.Minute).UTC())
	got := c.act(t, c.dispatchr, cp.ID, guanjia.ActionExtend, dispatch.ActionInput{Reason: "需要采购灯具", ExtendBy: 8 * time.Hour})
	want := time.Date(2026, 11, 30, 17, 0, 0, 0, shanghai) // Friday 16:00–17:30, Monday 09:00–12:00 and 13:30–17:00
	if !got.ResolveBy.Equal(want) {
		t.Errorf("resolve_by %v, want %v (Saturday 00:00 would be clock time)", got.ResolveBy.In(shanghai), want)
	}
	if armed := c.sched.Armed(cp.ID, dispatch.TimerResolve); len(armed) == 0 || !armed[len(armed)-1].DueAt.Equal(want) {
		t.Errorf("resolve timers armed %+v, want one at %v", armed, want)
	}
	if got.Overdue || got.MissedDeadlines != 0 {
		t.Errorf("an extension in time: overdue %v, missed %d", got.Overdue, got.MissedDeadlines)
	}
}

func TestWorkingTimeDeadlineSkipsNationalDay(t *testing.T) {
	c := newCity(t)
	shanghai := dispatch.DefaultCalendar().Location()
	c.clock.Set(time.Date(2026, 9, 30, 16, 30, 0, 0, shanghai).UTC())
	cp := c.report(t, c.citizen, catLamp, siteLat, siteLng) // 2 working hours
	want := time.Date(2026, 10, 8, 10, 0, 0, 0, shanghai)
	if cp.ResolveBy == nil || !cp.ResolveBy.Equal(want) {
		t.Errorf("resolve_by = %v, want %v (1 h on 9-30, holiday 10-01..07, 1 h on 10-08)", cp.ResolveBy.In(shanghai), want)
	}
	// The 催办 comes a fifth of the working window (24 min) before the
	// deadline, on 10-08 at 09:36, not in the holiday's nights.
	remind := c.sched.Armed(cp.ID, dispatch.TimerResolveReminder)
	if wantRemind := time.Date(2026, 10, 8, 9, 36, 0, 0, shanghai); len(remind) != 1 || !remind[0].DueAt.Equal(wantRemind) {
		t.Errorf("resolve reminders %+v, want one at %v", remind, wantRemind)
	}
}

func TestReconcileRearmsPendingTimers(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.sched.Forget() // Redis lost everything
	n, err := c.svc.ReconcileTimers(context.Background(), c.clock.Now().Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// Within 10 minutes: the accept warning and the accept deadline; the arrive and resolve pairs are later.
	if n != 2 || len(c.sched.Armed(cp.ID, dispatch.TimerAccept)) != 1 || len(c.sched.Armed(cp.ID, dispatch.TimerAcceptReminder)) != 1 {
		t.Errorf("re-armed %d: %+v", n, c.sched.Timers())
	}
	n, _ = c.svc.ReconcileTimers(context.Background(), c.clock.Now().Add(3*time.Hour))
	if n != 6 {
		t.Errorf("re-armed %d within 3 h, want 6", n)
	}
}

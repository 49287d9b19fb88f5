package dispatch_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/store"
)

// racingStore runs before just ahead of the next save, as a concurrent actor would.
type racingStore struct {
	*store.Complaints
	before func()
}

func (r *racingStore) SaveComplaint(ctx context.Context, ch *dispatch.Change) error {
	if f := r.before; f != nil {
		r.before = nil
		f()
	}
	return r.Complaints.SaveComplaint(ctx, ch)
}

// A merge that loses a race writes nothing to the original either: run
// again on what the winner saved, it lands once, with one me-too on the
// original's timeline and its reporter following it.
func TestMergeThatLosesARaceLandsOnce(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	orig := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	dup := c.report(t, c.citizen2, catTrash, siteLat+0.001, siteLng) // 111 m away: not merged by itself
	c.svc.Store = &racingStore{Complaints: c.db.Complaints, before: func() {
		c.act(t, c.dispatchr, dup.ID, guanjia.ActionRemind, dispatch.ActionInput{Note: "请尽快签收"})
	}}
	if _, err := c.svc.Act(ctx, c.dispatchr, dup.ID, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: orig.ID}); err != nil {
		t.Fatalf("merge racing a 催办: %v", err)
	}
	meToo := string(guanjia.ActionMeToo) + ":" + string(orig.Status)
	ev := c.events(t, orig.ID)
	if n := len(slices.DeleteFunc(slices.Clone(ev), func(e string) bool { return e != meToo })); n != 1 {
		t.Errorf("the original's timeline %v has %d me-toos, want 1", ev, n)
	}
	if ok, err := c.db.Complaints.IsFollower(ctx, orig.ID, c.citizen2.UserID); err != nil || !ok {
		t.Errorf("after the merge the reporter should follow the original: %v %v", ok, err)
	}
	if got := c.get(t, dup.ID); got.Status != guanjia.StatusDuplicate {
		t.Errorf("the merged report is %s", got.Status)
	}
}

// Two dispatchers merge A into B and B into A at the same moment: the
// second finds its target merged and is refused, so one of the two is
// still worked.
func TestCrossingMergesLeaveOneToWork(t *testing.T) {
	c := newCity(t)
	a := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	b := c.report(t, c.citizen2, catTrash, siteLat+0.001, siteLng) // 111 m away: not merged by itself
	c.svc.Store = &racingStore{Complaints: c.db.Complaints, before: func() {
		c.act(t, c.dispatchr, b.ID, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: a.ID})
	}}
	_, err := c.svc.Act(context.Background(), c.dispatchr, a.ID, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: b.ID})
	if guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("merging into a complaint merged meanwhile: %v, want a conflict", err)
	}
	if got := c.get(t, a.ID); got.Status != guanjia.StatusDispatched || len(c.sched.Armed(a.ID, dispatch.TimerAccept)) == 0 {
		t.Errorf("A is no longer worked: %s, timers %v", got.Status, c.sched.Armed(a.ID, dispatch.TimerAccept))
	}
}

// The same, truly at once: whichever commits first, the other is refused
// (a conflict, or invalid when it read the first's result), never with a
// deadlock's error, and one of the two is still worked.
func TestCrossingMergesAtOnce(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	for i := range 5 {
		a := c.report(t, c.citizen, catTrash, siteLat+0.002*float64(i), siteLng)
		b := c.report(t, c.citizen2, catTrash, siteLat+0.002*float64(i)+0.001, siteLng)
		errs := make(chan error, 2)
		for _, m := range [][2]int64{{a.ID, b.ID}, {b.ID, a.ID}} {
			go func() {
				_, err := c.svc.Act(ctx, c.dispatchr, m[0], guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: m[1]})
				errs <- err
			}()
		}
		for range 2 {
			if err := <-errs; err != nil && guanjia.ErrorCode(err) != guanjia.ECONFLICT && guanjia.ErrorCode(err) != guanjia.EINVALID {
				t.Fatalf("pair %d: %v", i, err)
			}
		}
		if c.get(t, a.ID).Status == guanjia.StatusDuplicate && c.get(t, b.ID).Status == guanjia.StatusDuplicate {
			t.Fatalf("pair %d: both are duplicates of each other", i)
		}
	}
}

// A report found a complaint to join, which a dispatcher merges elsewhere
// before the report is saved: the report is dispatched on its own, and the
// merged complaint's timeline gains no me-too.
func TestReportJoiningAComplaintMergedMeanwhileIsDispatched(t *testing.T) {
	c := newCity(t)
	orig := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	other := c.report(t, c.citizen, catTrash, siteLat+0.001, siteLng) // 111 m away: not merged by itself
	c.svc.Store = &racingStore{Complaints: c.db.Complaints, before: func() {
		c.act(t, c.dispatchr, orig.ID, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: other.ID})
	}}
	again := c.report(t, c.citizen2, catTrash, siteLat+0.0002, siteLng) // ~22 m: it would merge
	if again.Status != guanjia.StatusDispatched || again.DuplicateOf != nil || again.AssigneeID == nil {
		t.Errorf("the report: %s, duplicate of %v, assignee %v", again.Status, again.DuplicateOf, again.AssigneeID)
	}
	if ev := c.events(t, orig.ID); slices.ContainsFunc(ev, func(e string) bool { return strings.HasPrefix(e, string(guanjia.ActionMeToo)+":") }) {
		t.Errorf("the merged complaint's timeline has a me-too: %v", ev)
	}
}

// A stale timer firing marks itself without saving the complaint, so a crew
// member acting at that moment gets no spurious 409.
func TestStaleTimerDoesNotBumpTheVersion(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	// The accept warning comes late, after the accept deadline: it says
	// nothing the deadline will not, so it is stale.
	c.clock.Advance(cp.AcceptBy.Sub(c.clock.Now()) + time.Second)
	out, err := c.svc.HandleTimer(context.Background(), cp.ID, dispatch.TimerAcceptReminder, int64(cp.Attempt))
	if err != nil || !out.Stale {
		t.Fatalf("late warning: %+v %v", out, err)
	}
	if got := c.get(t, cp.ID); got.Version != cp.Version {
		t.Errorf("a stale timer moved the version %d → %d", cp.Version, got.Version)
	}
	// It is marked fired: firing again is a no-op too.
	if out, err := c.svc.HandleTimer(context.Background(), cp.ID, dispatch.TimerAcceptReminder, int64(cp.Attempt)); err != nil || !out.Stale {
		t.Errorf("second firing: %+v %v", out, err)
	}
}

// A choice made on what the dispatcher saw is not made again on what someone
// else saved meanwhile: of two 延期 at the same moment, the second is refused
// (reload), not added to the first.
func TestRacingExtensionsAreNotBothApplied(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.act(t, c.crewA, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	before := *c.get(t, cp.ID).ResolveBy
	c.svc.Store = &racingStore{Complaints: c.db.Complaints, before: func() {
		c.act(t, c.dispatchr, cp.ID, guanjia.ActionExtend, dispatch.ActionInput{Reason: "需要协调物业", ExtendBy: 2 * time.Hour})
	}}
	_, err := c.svc.Act(context.Background(), c.dispatchr, cp.ID, guanjia.ActionExtend, dispatch.ActionInput{Reason: "需要协调物业", ExtendBy: 2 * time.Hour})
	if guanjia.ErrorCode(err) != guanjia.ECONFLICT || guanjia.ErrorField(err) != "version" {
		t.Fatalf("the second extension at the same moment: %v, want the version conflict", err)
	}
	if got := c.get(t, cp.ID).ResolveBy; !got.Equal(before.Add(2 * time.Hour)) {
		t.Errorf("resolve_by %v, want one extension: %v", got, before.Add(2*time.Hour))
	}
}

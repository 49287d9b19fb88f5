package dispatch_test

import (
	"context"
	"slices"
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

// A merge that loses a race writes nothing to the original either: no
// phantom me-too on its timeline, no phantom follower.
func TestLostMergeLeavesTheOriginalUntouched(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	orig := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	dup := c.report(t, c.citizen2, catTrash, siteLat+0.001, siteLng) // 111 m away: not merged by itself
	c.svc.Store = &racingStore{Complaints: c.db.Complaints, before: func() {
		c.act(t, c.dispatchr, dup.ID, guanjia.ActionRemind, dispatch.ActionInput{Note: "请尽快签收"})
	}}
	_, err := c.svc.Act(ctx, c.dispatchr, dup.ID, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: orig.ID})
	if guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("merge racing a 催办: %v, want a conflict", err)
	}
	if ev := c.events(t, orig.ID); slices.Contains(ev, string(guanjia.ActionMeToo)+":"+string(orig.Status)) {
		t.Errorf("the original's timeline has a phantom me-too: %v", ev)
	}
	if ok, err := c.db.Complaints.IsFollower(ctx, orig.ID, c.citizen2.UserID); err != nil || ok {
		t.Errorf("the loser's reporter follows the original: %v %v", ok, err)
	}
	// Retried, the merge lands with its annotation.
	c.act(t, c.dispatchr, dup.ID, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: orig.ID})
	if ok, _ := c.db.Complaints.IsFollower(ctx, orig.ID, c.citizen2.UserID); !ok {
		t.Error("after the merge the reporter should follow the original")
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

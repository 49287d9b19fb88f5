package dispatch_test

import (
	"context"
	"testing"
	"time"

	"guanjia/dispatch"
)

// With ArmWithin, a new complaint puts only its near timers in the queue; the
// rest stay in the database, and the reconciler arms each as it comes near.
// Every timer is written all the same, so none is lost if the queue is.
func TestFarTimersWaitForTheReconciler(t *testing.T) {
	c := newCity(t)
	c.svc.ArmWithin = 10 * time.Minute
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng) // accept 5 min, arrive 30 min, resolve 2 h
	if got := c.sched.Timers(); len(got) != 2 || len(c.sched.Armed(cp.ID, dispatch.TimerAccept)) != 1 ||
		len(c.sched.Armed(cp.ID, dispatch.TimerAcceptReminder)) != 1 {
		t.Fatalf("armed at once: %+v, want the accept deadline and its reminder only", got)
	}
	pending, err := c.db.Complaints.PendingTimers(context.Background(), c.clock.Now().Add(24*time.Hour))
	if err != nil || len(pending) != 6 {
		t.Fatalf("timers in the database: %d %v, want all 6", len(pending), err)
	}
	// 25 minutes on, the reconciler's run arms the arrival pair (reminder at 24 min, deadline at 30).
	c.clock.Advance(25 * time.Minute)
	if _, err := c.svc.ReconcileTimers(context.Background(), c.clock.Now().Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if len(c.sched.Armed(cp.ID, dispatch.TimerArrive)) != 1 || len(c.sched.Armed(cp.ID, dispatch.TimerResolve)) != 0 {
		t.Errorf("after the reconciler: %+v, want the arrival deadline armed and the resolve one not yet", c.sched.Timers())
	}
}

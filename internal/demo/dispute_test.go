package demo

import (
	"context"
	"io"
	"testing"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/mediation"
)

// TestDisputeDemoSeedsOnce: every committee has its mediator, disputes exist
// in every end state and at each level, and seeding again changes nothing.
func TestDisputeDemoSeedsOnce(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	for _, u := range []*guanjia.User{{Username: "citizen", Role: guanjia.RoleCitizen}, {Username: "agent", Role: guanjia.RoleAgent},
		{Username: "dispatcher", Role: guanjia.RoleDispatcher}} {
		if err := db.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range demoDistricts {
		for r := 0; r < d.rows; r++ {
			for c := 0; c < d.cols; c++ {
				g := demoGrid(d, r, c, r*d.cols+c+1)
				g.Units = nil
				if err := db.Catalog.UpsertGrid(ctx, g); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for range 2 {
		if err := seedDisputeDemo(ctx, db, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	list, total, err := db.Disputes.ListDisputes(ctx, mediation.Filter{Limit: 100})
	if err != nil || total != 8 {
		t.Fatalf("%d disputes (%v), want 8 once", total, err)
	}
	statuses, levels := map[guanjia.DisputeStatus]int{}, map[string]int{}
	for _, d := range list {
		statuses[d.Status]++
		levels[d.Level]++
	}
	for _, s := range []guanjia.DisputeStatus{guanjia.DisputeReported, guanjia.DisputeMediating, guanjia.DisputeSucceeded,
		guanjia.DisputeFailed, guanjia.DisputeWithdrawn, guanjia.DisputeClosed} {
		if statuses[s] == 0 {
			t.Errorf("no demo dispute is %s: %v", s, statuses)
		}
	}
	for _, l := range []string{guanjia.LevelVillage, guanjia.LevelTown, guanjia.LevelDistrict, guanjia.LevelCity} {
		if levels[l] == 0 {
			t.Errorf("no demo dispute at level %s: %v", l, levels)
		}
	}
	for _, c := range demoCommittees {
		u, err := db.Users.FindUserByUsername(ctx, "mediator-"+c.Code)
		if err != nil || u.UnitCode != c.Code {
			t.Errorf("committee %s has no mediator: %v", c.Code, err)
		}
	}
	// The overdue one is due for the reconciler's escalation.
	svc := mediation.NewService(db.Disputes, nil, nil, nil)
	due, err := svc.DueTimers(ctx, svc.Now())
	if err != nil || len(due) < 2 {
		t.Fatalf("due timers %+v (%v): want the overdue labour dispute's warning and escalation", due, err)
	}
}

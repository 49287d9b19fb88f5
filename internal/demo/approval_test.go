package demo

import (
	"context"
	"io"
	"testing"

	"guanjia/internal/testenv"
	"guanjia/law"
)

// Seeding twice changes nothing: every version is applied once, every law added once.
func TestApprovalAndLawDemoSeedOnce(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	for range 2 {
		if err := seedApprovalDemo(ctx, db, io.Discard); err != nil {
			t.Fatal(err)
		}
		if err := seedLawDemo(ctx, db, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	feed, err := db.Approvals.RecentEvents(ctx, "", 100)
	steps := 0
	for _, a := range demoApprovals {
		steps += len(a.steps)
	}
	if err != nil || len(feed) != steps {
		t.Errorf("%d status changes (%v), want %d", len(feed), err, steps)
	}
	first := demoApprovals[0]
	if r, err := db.Approvals.FindByTail(ctx, first.number, first.phone[len(first.phone)-4:]); err != nil || r.Status != first.steps[len(first.steps)-1] {
		t.Errorf("%s: %+v %v", first.number, r, err)
	}
	laws, total, err := db.Laws.ListLaws(ctx, law.Filter{})
	if err != nil || total != len(demoLaws) || len(laws) != len(demoLaws) {
		t.Errorf("%d laws (%v), want %d", total, err, len(demoLaws))
	}
	if hits, err := db.Laws.SearchLaws(ctx, "民间纠纷", 10); err != nil || len(hits) != 1 {
		t.Errorf("民间纠纷: %v %v", hits, err)
	}
}

package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"guanjia"
	"guanjia/approval"
	"guanjia/internal/testenv"
)

func TestApprovalsVersionsTimelineAndFollowers(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	citizen := &guanjia.User{Username: "approval-citizen", Role: guanjia.RoleCitizen}
	if err := db.Users.CreateUser(ctx, citizen); err != nil {
		t.Fatal(err)
	}
	up := func(version int64, st approval.Status) approval.Update {
		return approval.Update{Number: "HK2026-0001", Version: version, Matter: "食品经营许可", Department: "海口市行政审批服务局",
			Applicant: "王小明", Phone: "13876541234", Status: st, At: now}
	}
	apply := func(u approval.Update) (approval.Result, []int64) {
		t.Helper()
		res, ids, err := db.Approvals.ApplyUpdates(ctx, []approval.Update{u}, approval.SourcePush, nil, now)
		if err != nil {
			t.Fatalf("apply version %d: %v", u.Version, err)
		}
		return res[0], ids
	}
	if r, _ := apply(up(1, approval.StatusReceived)); r.Outcome != approval.OutcomeCreated {
		t.Fatalf("first version: %+v", r)
	}

	// Found only with the right phone tail; a wrong one is the same not-found as an unknown number.
	rec, err := db.Approvals.FindByTail(ctx, "HK2026-0001", "1234")
	if err != nil || rec.Status != approval.StatusReceived || rec.ApplicantMask != "王*明" || len(rec.Events) != 1 {
		t.Fatalf("lookup: %+v %v", rec, err)
	}
	_, wrongTail := db.Approvals.FindByTail(ctx, "HK2026-0001", "4321")
	_, unknown := db.Approvals.FindByTail(ctx, "HK2026-9999", "1234")
	if guanjia.ErrorCode(wrongTail) != guanjia.ENOTFOUND || guanjia.ErrorCode(unknown) != guanjia.ENOTFOUND {
		t.Fatalf("wrong tail: %v; unknown number: %v", wrongTail, unknown)
	}
	// The phone is not stored in the clear.
	var stored string
	if err := db.Gorm().Raw("SELECT phone_enc || tail_hash FROM approvals").Scan(&stored).Error; err != nil || strings.Contains(stored, "1234") {
		t.Errorf("phone columns %q (%v) hold the number in the clear", stored, err)
	}

	if err := db.Approvals.Follow(ctx, rec.ID, citizen.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := db.Approvals.Follow(ctx, rec.ID, citizen.ID, now); err != nil {
		t.Fatalf("following twice: %v", err)
	}
	r, queued := apply(up(2, approval.StatusReviewing))
	if r.Outcome != approval.OutcomeUpdated || len(queued) != 1 {
		t.Fatalf("version 2: %+v, %d messages queued, want 1", r, len(queued))
	}
	msg, err := db.Notifications.FindNotification(ctx, queued[0])
	if err != nil || msg.RecipientID != citizen.ID || msg.Template != approval.TplApprovalUpdate || msg.Data["status"] != "审查中" {
		t.Fatalf("follower's message: %+v %v", msg, err)
	}

	// The same version again and an older one change nothing.
	if r, ids := apply(up(2, approval.StatusDecided)); r.Outcome != approval.OutcomeUnchanged || len(ids) != 0 {
		t.Errorf("version 2 again: %+v", r)
	}
	if r, _ := apply(up(1, approval.StatusReceived)); r.Outcome != approval.OutcomeStale || r.Current != 2 {
		t.Errorf("version 1 after 2: %+v", r)
	}
	// A version that changes no status writes no event.
	noStatusChange := up(3, approval.StatusReviewing)
	noStatusChange.Matter = "食品经营许可（新办）"
	if r, ids := apply(noStatusChange); r.Outcome != approval.OutcomeUpdated || len(ids) != 0 {
		t.Errorf("version 3: %+v, %d messages", r, len(ids))
	}
	// A forbidden move is refused whole: the valid update before it in the batch is not kept either.
	_, _, err = db.Approvals.ApplyUpdates(ctx, []approval.Update{up(4, approval.StatusCompleted), up(5, approval.StatusReceived)}, approval.SourcePush, nil, now)
	if guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("completed → received: %v, want conflict", err)
	}
	rec, _ = db.Approvals.FindByTail(ctx, "HK2026-0001", "1234")
	if rec.Version != 3 || rec.Status != approval.StatusReviewing || rec.Matter != "食品经营许可（新办）" || len(rec.Events) != 2 {
		t.Errorf("after the refused batch: %+v", rec)
	}

	followed, err := db.Approvals.ListFollowed(ctx, citizen.ID)
	if err != nil || len(followed) != 1 || followed[0].Number != "HK2026-0001" {
		t.Errorf("followed: %v %v", followed, err)
	}
	feed, err := db.Approvals.RecentEvents(ctx, "", 10)
	if err != nil || len(feed) != 2 || feed[0].To != approval.StatusReviewing || feed[0].Number != "HK2026-0001" {
		t.Errorf("feed: %+v %v", feed, err)
	}
	if own, err := db.Approvals.RecentEvents(ctx, "海口市行政审批服务局", 10); err != nil || len(own) != 2 {
		t.Errorf("the department's own feed: %+v %v", own, err)
	}
	if other, err := db.Approvals.RecentEvents(ctx, "海口市市场监督管理局", 10); err != nil || len(other) != 0 {
		t.Errorf("another department's feed holds these: %+v %v", other, err)
	}
	if err := db.Approvals.Unfollow(ctx, "HK2026-0001", citizen.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.Approvals.Unfollow(ctx, "HK2026-0001", citizen.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("unfollow twice: %v", err)
	}
}

// A push retried while the first is still running: both carry a number new
// to the database, and both are answered (one creates it, the other finds it).
func TestApprovalsNewNumberTwiceAtOnce(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	for round := range 5 {
		u := approval.Update{Number: fmt.Sprintf("HK2026-%04d", round), Version: 1, Matter: "食品经营许可", Department: "海口市行政审批服务局",
			Applicant: "王小明", Phone: "13876541234", Status: approval.StatusReceived, At: now}
		outcomes := make(chan approval.Outcome, 2)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, _, err := db.Approvals.ApplyUpdates(ctx, []approval.Update{u}, approval.SourcePush, nil, now)
				if err != nil {
					t.Errorf("round %d: %v", round, err)
					return
				}
				outcomes <- res[0].Outcome
			}()
		}
		wg.Wait()
		close(outcomes)
		var created int
		for o := range outcomes {
			if o == approval.OutcomeCreated {
				created++
			}
		}
		if created != 1 {
			t.Errorf("round %d: created %d times, want once", round, created)
		}
	}
}

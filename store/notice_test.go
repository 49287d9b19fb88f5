package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
)

func TestNoticesCurrentWindow(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	staff := &guanjia.User{Username: "notice-dispatcher", Role: guanjia.RoleDispatcher}
	if err := db.Users.CreateUser(ctx, staff); err != nil {
		t.Fatal(err)
	}
	// 2026-08-10 09:00 in Haikou; the window edges are given in +08:00 and must
	// compare as instants whatever the backend stores.
	cst := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 8, 10, 9, 0, 0, 0, cst)
	add := func(title string, from, until time.Time) *guanjia.Notice {
		n := &guanjia.Notice{Kind: guanjia.NoticeTyphoon, Title: title, Body: "请市民减少外出", ValidFrom: from,
			ValidUntil: until, PublishedBy: staff.ID}
		if err := n.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := db.Notices.CreateNotice(ctx, n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	add("已过期", now.Add(-48*time.Hour), now.Add(-time.Second))
	current := add("台风蓝色预警", now.Add(-time.Hour), now.Add(24*time.Hour))
	startsNow := add("恰好开始", now, now.Add(time.Hour))
	add("尚未开始", now.Add(time.Second), now.Add(time.Hour))
	withdrawn := add("已撤回", now.Add(-time.Hour), now.Add(time.Hour))
	if err := db.Notices.WithdrawNotice(ctx, withdrawn.ID, staff.ID, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}

	got, err := db.Notices.ListNotices(ctx, guanjia.NoticeFilter{CurrentAt: &now})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, n := range got {
		titles = append(titles, n.Title)
	}
	if want := []string{startsNow.Title, current.Title}; !slices.Equal(titles, want) {
		t.Fatalf("current notices at %s: %q, want %q", now, titles, want)
	}
	if !got[1].ValidFrom.Equal(current.ValidFrom) || got[1].ValidFrom.Location() != time.UTC {
		t.Errorf("valid_from read back as %v, want %v in UTC", got[1].ValidFrom, current.ValidFrom)
	}

	all, err := db.Notices.ListNotices(ctx, guanjia.NoticeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Errorf("all notices: %d, want 5", len(all))
	}

	if err := db.Notices.WithdrawNotice(ctx, withdrawn.ID, staff.ID, now); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("withdrawing twice: %v, want %s", err, guanjia.ECONFLICT)
	}
	again, err := db.Notices.FindNotice(ctx, withdrawn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.WithdrawnAt == nil || !again.WithdrawnAt.Equal(now.Add(-time.Minute)) {
		t.Errorf("a second withdrawal moved the first one's time: %v", again.WithdrawnAt)
	}
	if err := db.Notices.WithdrawNotice(ctx, 99999, staff.ID, now); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("withdrawing a missing notice: %v, want %s", err, guanjia.ENOTFOUND)
	}
}

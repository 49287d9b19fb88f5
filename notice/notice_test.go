package notice_test

import (
	"context"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/notice"
)

// A notice runs from now unless told otherwise, must still be valid after
// now, and leaves the current list when withdrawn.
func TestPublishAndWithdraw(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 8, 10, 1, 0, 0, 0, time.UTC)
	db := testenv.MustOpenDB(t)
	svc := notice.NewService(db.Notices, func() time.Time { return now })
	dispatcher := &guanjia.User{Username: "desk", Role: guanjia.RoleDispatcher}
	if err := db.Users.CreateUser(ctx, dispatcher); err != nil {
		t.Fatal(err)
	}
	who := guanjia.Claims{UserID: dispatcher.ID, Role: guanjia.RoleDispatcher}
	past := now.Add(-time.Hour)
	if _, err := svc.Publish(ctx, who, notice.Input{Kind: guanjia.NoticeKinds[0], Title: "道路施工", Body: "绕行", ValidUntil: &past}); guanjia.ErrorField(err) != "valid_until" {
		t.Errorf("an expired notice: %v", err)
	}
	until := now.Add(48 * time.Hour)
	n, err := svc.Publish(ctx, who, notice.Input{Kind: guanjia.NoticeKinds[0], Title: "道路施工", Body: "绕行", ValidUntil: &until})
	if err != nil || !n.ValidFrom.Equal(now) {
		t.Fatalf("publish: %+v %v", n, err)
	}
	if list, err := svc.Current(ctx); err != nil || len(list) != 1 {
		t.Fatalf("current: %d %v", len(list), err)
	}
	if w, err := svc.Withdraw(ctx, who, n.ID); err != nil || w.WithdrawnAt == nil {
		t.Fatalf("withdraw: %+v %v", w, err)
	}
	if list, err := svc.Current(ctx); err != nil || len(list) != 0 {
		t.Errorf("current after withdrawal: %d %v", len(list), err)
	}
}

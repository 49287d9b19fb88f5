package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/internal/testenv"
	"guanjia/store"
)

// An inbox message is delivered by being written: sent at once, never queued,
// read only by its recipient.
func TestInbox(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	seedComplaintWorld(t, db.Catalog)
	lead := &guanjia.User{Username: "lead", Role: guanjia.RoleUnitAdmin, UnitCode: "u1"}
	other := &guanjia.User{Username: "other", Role: guanjia.RoleDispatcher}
	for _, u := range []*guanjia.User{lead, other} {
		if err := db.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC()
	c := &guanjia.Complaint{Category: "c1", Description: "d", CoordSystem: "wgs84", Source: guanjia.SourceHotline,
		ReporterID: lead.ID, CallerPhone: "13800138000", SMSOptOut: true, Status: guanjia.StatusSubmitted, CreatedAt: now, UpdatedAt: now}
	msg := func(to int64, channel, tpl string) guanjia.Message {
		return guanjia.Message{RecipientID: to, Channel: channel, Template: tpl, Data: map[string]string{"note": "督办"}}
	}
	ch := &dispatch.Change{Complaint: c, Messages: []guanjia.Message{
		msg(lead.ID, guanjia.ChannelInbox, guanjia.TplEscalation), msg(lead.ID, guanjia.ChannelWeCom, guanjia.TplEscalation),
		msg(other.ID, guanjia.ChannelInbox, guanjia.TplEscalation), msg(0, guanjia.ChannelSMS, guanjia.TplCallerAccepted),
	}}
	if err := db.Complaints.SaveComplaint(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if len(ch.NotificationIDs) != 2 {
		t.Errorf("queued %v, want the 企业微信 message and the SMS only", ch.NotificationIDs)
	}
	got, err := db.Complaints.FindComplaint(ctx, c.ID)
	if err != nil || !got.SMSOptOut || got.CallerPhone != "13800138000" {
		t.Fatalf("complaint read back: %+v %v", got, err)
	}
	// A few more, to page through.
	for i := 0; i < 4; i++ {
		n := &guanjia.Notification{Message: msg(lead.ID, guanjia.ChannelInbox, guanjia.TplReminder)}
		n.ComplaintID = &c.ID
		if err := db.Notifications.CreateNotification(ctx, n); err != nil || n.Status != guanjia.DeliverySent {
			t.Fatalf("create: %+v %v", n, err)
		}
	}
	page, err := db.Notifications.ListInbox(ctx, lead.ID, 0, 3)
	if err != nil || len(page) != 3 || page[0].ID < page[1].ID || page[0].Channel != guanjia.ChannelInbox {
		t.Fatalf("first page: %v %v", page, err)
	}
	rest, err := db.Notifications.ListInbox(ctx, lead.ID, page[2].ID, 3)
	if err != nil || len(rest) != 2 || rest[1].Template != guanjia.TplEscalation || *rest[1].ComplaintID != c.ID {
		t.Fatalf("second page: %v %v", rest, err)
	}
	if n, err := db.Notifications.CountUnread(ctx, lead.ID); n != 5 || err != nil {
		t.Fatalf("unread %d %v", n, err)
	}

	at := now.Add(time.Minute).Truncate(time.Second)
	read, err := db.Notifications.MarkRead(ctx, lead.ID, page[0].ID, at)
	if err != nil || read.ReadAt == nil || !read.ReadAt.Equal(at) {
		t.Fatalf("mark read: %+v %v", read, err)
	}
	if again, _ := db.Notifications.MarkRead(ctx, lead.ID, page[0].ID, at.Add(time.Hour)); !again.ReadAt.Equal(at) {
		t.Errorf("marking again moved read_at to %v", again.ReadAt)
	}
	if _, err := db.Notifications.MarkRead(ctx, other.ID, page[1].ID, at); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("someone else's message: %v, want not found", err)
	}
	wecom := ch.NotificationIDs[0]
	if _, err := db.Notifications.MarkRead(ctx, lead.ID, wecom, at); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("a 企业微信 message is no inbox message: %v", err)
	}
	if n, _ := db.Notifications.CountUnread(ctx, lead.ID); n != 4 {
		t.Errorf("unread after one read: %d", n)
	}
	if n, err := db.Notifications.MarkAllRead(ctx, lead.ID, at); n != 4 || err != nil {
		t.Errorf("mark all: %d %v", n, err)
	}
	if n, _ := db.Notifications.CountUnread(ctx, other.ID); n != 1 {
		t.Errorf("the other inbox was touched: %d unread", n)
	}
}

// The re-queue finds what is pending or retrying; the dashboard counts outcomes.
func TestUndeliveredAndCounts(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	old := time.Now().UTC().Add(-time.Hour)
	var ids []int64
	for _, st := range []string{guanjia.DeliveryPending, guanjia.DeliveryRetrying, guanjia.DeliverySent, guanjia.DeliveryFailed,
		guanjia.DeliveryNoChannel, guanjia.DeliveryNoConsent} {
		n := &guanjia.Notification{Message: guanjia.Message{RecipientID: 1, Channel: guanjia.ChannelWeCom, Template: guanjia.TplEscalation},
			Status: st, CreatedAt: old}
		if err := db.Notifications.CreateNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.ID)
	}
	fresh := &guanjia.Notification{Message: guanjia.Message{RecipientID: 1, Channel: guanjia.ChannelSMS, Template: guanjia.TplCallerAccepted}}
	if err := db.Notifications.CreateNotification(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	undelivered := []string{guanjia.DeliveryPending, guanjia.DeliveryRetrying}
	stale, err := db.Notifications.StaleNotifications(ctx, time.Now().UTC().Add(-time.Minute), undelivered, 100)
	if err != nil || !slices.Equal(stale, ids[:2]) {
		t.Errorf("stale %v %v, want the pending and the retrying %v", stale, err, ids[:2])
	}
	counts, err := db.Notifications.DeliveryCounts(ctx, old.Add(-time.Second), guanjia.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"wecom/pending": 1, "wecom/retrying": 1, "wecom/sent": 1, "wecom/failed": 1, "wecom/no_channel": 1,
		"wecom/no_consent": 1, "sms/pending": 1}
	got := map[string]int{}
	for _, c := range counts {
		got[c.Channel+"/"+c.Status] = c.Count
	}
	if len(got) != len(want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d, want %d", k, got[k], v)
		}
	}
	failed, err := db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{Status: guanjia.DeliveryFailed})
	if err != nil || len(failed) != 1 || failed[0].ID != ids[3] {
		t.Errorf("failed: %v %v", failed, err)
	}
}

// seedComplaintWorld adds the unit and category a complaint refers to.
func seedComplaintWorld(t *testing.T, catalog *store.Catalog) {
	t.Helper()
	ctx := context.Background()
	if err := catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "u1", Name: "龙华区环卫所", Department: guanjia.DeptSanitation}); err != nil {
		t.Fatal(err)
	}
	if err := catalog.UpsertCategory(ctx, &guanjia.Category{Code: "c1", Name: "暴露垃圾", Kind: "事件", Major: "市容环境",
		Department: guanjia.DeptSanitation, AcceptWithin: time.Hour, ArriveWithin: time.Hour, ResolveWithin: time.Hour,
		ResolveMode: guanjia.NaturalTime}); err != nil {
		t.Fatal(err)
	}
}

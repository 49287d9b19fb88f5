package dispatch_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"guanjia"
	"guanjia/dispatch"
)

// inboxOf lists who got an inbox message of template tpl about complaint id.
func (c *city) inboxOf(t *testing.T, id int64, tpl string) []int64 {
	t.Helper()
	var to []int64
	for _, n := range c.notes(t, id) {
		if n.Channel == guanjia.ChannelInbox && n.Template == tpl {
			if n.Status != guanjia.DeliverySent || n.SentAt == nil {
				t.Errorf("an inbox message is %s, want sent as it is written", n.Status)
			}
			to = append(to, n.RecipientID)
		}
	}
	slices.Sort(to)
	return to
}

func sorted(ids ...int64) []int64 { slices.Sort(ids); return ids }

// 督办 by hand reaches the unit's leader and the command center, on their
// inboxes whatever their 企业微信 accounts, and the crew member on the task.
func TestManualEscalationReachesLeadersAndCommandCenter(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.act(t, c.dispatchr, cp.ID, guanjia.ActionEscalate, dispatch.ActionInput{Note: "群众反映强烈"})
	want := sorted(c.hwLead.UserID, c.dispatchr.UserID, c.crewA.UserID)
	if got := c.inboxOf(t, cp.ID, guanjia.TplEscalation); !slices.Equal(got, want) {
		t.Errorf("督办 inboxes %v, want leader, command center and crew %v", got, want)
	}
	wecom := 0
	for _, n := range c.notes(t, cp.ID) {
		if n.Channel == guanjia.ChannelWeCom && n.Template == guanjia.TplEscalation {
			wecom++
		}
	}
	if wecom != 3 {
		t.Errorf("%d 企业微信 messages, want one per recipient as well", wecom)
	}
}

// A unit without a leader: its queue and its 催办 go to the command center
// instead of to nobody.
func TestUnitWithoutLeaderFallsBackToCommandCenter(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	lampCrew, err := c.db.Users.FindUserByUsername(ctx, "lampCrew")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.db.Users.UpdateCrewPosition(ctx, lampCrew.ID, siteLat, siteLng, false, c.clock.Now()); err != nil {
		t.Fatal(err)
	}
	cp := c.report(t, c.citizen, catLamp, siteLat, siteLng) // lh-sz has no leader, and nobody is on duty
	if cp.UnitCode != "lh-sz" || cp.AssigneeID != nil {
		t.Fatalf("complaint %+v, want lh-sz's queue", cp)
	}
	if got := c.inboxOf(t, cp.ID, guanjia.TplManualQueue); !slices.Equal(got, []int64{c.dispatchr.UserID}) {
		t.Errorf("queue alert went to %v, want the command center", got)
	}
	c.act(t, c.dispatchr, cp.ID, guanjia.ActionRemind, dispatch.ActionInput{Note: "请尽快签收"})
	if got := c.inboxOf(t, cp.ID, guanjia.TplReminder); !slices.Equal(got, []int64{c.dispatchr.UserID}) {
		t.Errorf("催办 went to %v, want the command center", got)
	}
}

// failingUsers cannot list users: the database is in trouble.
type failingUsers struct{ dispatch.Store }

var errDown = errors.New("connection refused")

func (failingUsers) ListUsersByRole(context.Context, guanjia.Role, string) ([]*guanjia.User, error) {
	return nil, errDown
}

// A 督办 whose recipients cannot be looked up is not saved as if it reached someone.
func TestRecipientLookupFailureIsNotSwallowed(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	svc := *c.svc
	svc.Store = failingUsers{c.db.Complaints}
	if _, err := svc.Act(context.Background(), c.dispatchr, cp.ID, guanjia.ActionEscalate, dispatch.ActionInput{}); !errors.Is(err, errDown) {
		t.Fatalf("escalate: %v, want the lookup's error", err)
	}
	got, _ := c.db.Complaints.FindComplaint(context.Background(), cp.ID)
	if got.ManualEscalations != 0 || len(c.inboxOf(t, cp.ID, guanjia.TplEscalation)) != 0 {
		t.Errorf("an escalation that reached nobody was saved: %+v", got)
	}
}

// A hotline caller is texted on 受理 and on 办结, addressed by the complaint;
// a mini-program reporter is not.
func TestHotlineCallerIsTexted(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	cp, err := c.svc.Create(ctx, c.agent, dispatch.NewComplaint{Category: catTrash, Description: "来电反映路口垃圾",
		Lat: siteLat, Lng: siteLng, Address: "龙华路", CallerName: "王先生", CallerPhone: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}
	sms := func() []*guanjia.Notification {
		var out []*guanjia.Notification
		for _, n := range c.notes(t, cp.ID) {
			if n.Channel == guanjia.ChannelSMS {
				out = append(out, n)
			}
		}
		return out
	}
	if got := sms(); len(got) != 1 || got[0].Template != guanjia.TplCallerAccepted || got[0].RecipientID != 0 ||
		got[0].ComplaintID == nil || *got[0].ComplaintID != cp.ID || got[0].Status != guanjia.DeliveryPending {
		t.Fatalf("受理 SMS: %+v", got)
	}
	for _, n := range sms() {
		for _, v := range n.Data {
			if v == "13800138000" {
				t.Error("the caller's phone is written into the delivery log")
			}
		}
	}
	c.act(t, c.crewA, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	lat, lng := siteLat, siteLng
	c.act(t, c.crewA, cp.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: &lat, Lng: &lng})
	c.act(t, c.crewA, cp.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理并冲洗地面"})
	c.act(t, c.dispatchr, cp.ID, guanjia.ActionClose, dispatch.ActionInput{Note: "核查通过"})
	got := sms()
	if len(got) != 2 || got[0].Template != guanjia.TplCallerClosed || got[0].Data["note"] != "已清理并冲洗地面" {
		t.Errorf("办结 SMS: %+v", got)
	}

	web := c.report(t, c.citizen, catWater, siteLat, siteLng)
	for _, n := range c.notes(t, web.ID) {
		if n.Channel == guanjia.ChannelSMS {
			t.Errorf("a mini-program report was texted: %+v", n)
		}
	}
}

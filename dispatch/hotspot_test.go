package dispatch_test

import (
	"context"
	"testing"
	"time"

	"guanjia"
	"guanjia/dispatch"
)

func (c *city) hotspots(t *testing.T) []*dispatch.Hotspot {
	t.Helper()
	c.svc.Hotspots = c.db.Hotspots
	if err := c.svc.RefreshHotspots(context.Background()); err != nil {
		t.Fatalf("refresh hotspots: %v", err)
	}
	hs, err := c.svc.ListHotspots(context.Background(), c.dispatchr)
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

func (c *city) hotspotInbox(t *testing.T, user int64) int {
	t.Helper()
	ns, err := c.db.Notifications.ListInbox(context.Background(), user, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ns {
		if m.Template == guanjia.TplHotspot {
			n++
		}
	}
	return n
}

func TestHotspotBurstNotifiesOnceAndOpensPatrol(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	var burst []int64
	for i := 0; i < 6; i++ {
		lng := siteLng + float64(i)*0.0001 // within ~60 m
		burst = append(burst, c.report(t, c.citizen, catTrash, siteLat, lng).ID)
		c.clock.Advance(5 * time.Minute)
	}
	var hs []*dispatch.Hotspot
	for run := 0; run < 2; run++ { // the job runs again: nothing new
		hs = c.hotspots(t)
		if len(hs) != 1 {
			t.Fatalf("run %d: %d hotspots, want 1: %+v", run, len(hs), hs)
		}
	}
	h := hs[0]
	if h.Kind != dispatch.HotspotGrid || h.GridID != "g1" || h.Category != catTrash || h.Window != "1h" || h.Count != 6 {
		t.Errorf("hotspot = %+v", h)
	}
	if len(h.Orders) != 6 || h.Orders[0] != burst[0] || h.Orders[5] != burst[5] || h.UnitCode != "lh-hw" {
		t.Errorf("orders %v unit %q, want %v lh-hw", h.Orders, h.UnitCode, burst)
	}
	if got := c.hotspotInbox(t, c.hwLead.UserID); got != 1 {
		t.Errorf("unit leader has %d hotspot messages, want 1", got)
	}
	if got := c.hotspotInbox(t, c.dispatchr.UserID); got != 1 {
		t.Errorf("command center has %d hotspot messages, want 1", got)
	}
	if got := c.hotspotInbox(t, c.waterLead.UserID); got != 0 {
		t.Errorf("another unit's leader has %d hotspot messages", got)
	}

	if _, err := c.svc.OpenPatrol(ctx, c.agent, h.ID, dispatch.PatrolInput{}); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("agent opens patrol: %v, want forbidden", err)
	}
	p, err := c.svc.OpenPatrol(ctx, c.dispatchr, h.ID, dispatch.PatrolInput{})
	if err != nil {
		t.Fatalf("open patrol: %v", err)
	}
	if p.Source != guanjia.SourcePatrol || p.Status != guanjia.StatusDispatched || p.AssigneeID == nil || p.UnitCode != "lh-hw" {
		t.Errorf("patrol order = source %s status %s assignee %v unit %s", p.Source, p.Status, p.AssigneeID, p.UnitCode)
	}
	if _, err := c.svc.OpenPatrol(ctx, c.dispatchr, h.ID, dispatch.PatrolInput{}); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("second patrol: %v, want conflict", err)
	}
	hs = c.hotspots(t) // the patrol order is not a report of the problem
	if len(hs) != 1 || hs[0].ID != h.ID || hs[0].Count != 6 || hs[0].PatrolComplaintID == nil || *hs[0].PatrolComplaintID != p.ID {
		t.Errorf("after patrol: %+v", hs)
	}

	// A week later the burst has cooled down: the hotspot ends.
	c.clock.Advance(8 * 24 * time.Hour)
	if hs := c.hotspots(t); len(hs) != 0 {
		t.Errorf("a week later: %+v", hs)
	}
}

func TestHotspotClusterAcrossGridBorder(t *testing.T) {
	c := newCity(t)
	// g1 ends and g2 begins at lng 110.31: three reports on either side, ~125 m apart.
	for i := 0; i < 3; i++ {
		c.report(t, c.citizen, catTrash, siteLat, 110.3094)
		c.report(t, c.citizen2, catTrash, siteLat, 110.3106)
		c.clock.Advance(10 * time.Minute)
	}
	hs := c.hotspots(t)
	if len(hs) != 1 {
		t.Fatalf("%d hotspots, want 1: %+v", len(hs), hs)
	}
	h := hs[0]
	if h.Kind != dispatch.HotspotCluster || h.Count != 6 || len(h.Grids) != 2 || h.Grids[0] != "g1" || h.Grids[1] != "g2" {
		t.Errorf("cluster = %+v", h)
	}
	if h.Lng < 110.3099 || h.Lng > 110.3101 || h.RadiusM > 80 {
		t.Errorf("centre %f,%f radius %f", h.Lat, h.Lng, h.RadiusM)
	}
	if got := c.hotspotInbox(t, c.hwLead.UserID); got != 1 {
		t.Errorf("unit leader has %d hotspot messages, want 1", got)
	}
}

func TestHotspotBaseline(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	if err := c.db.Hotspots.SetHotspotThreshold(ctx, dispatch.HotspotThreshold{Category: catTrash, MinCount: 3, MinRise: 3, RadiusM: 150}); err != nil {
		t.Fatal(err)
	}
	// Five weeks of three reports a day, eight hours apart, at one place: its usual rate.
	start := c.clock.Now()
	c.clock.Set(start.Add(-35 * 24 * time.Hour))
	for i := 0; i < 35*3; i++ {
		c.report(t, c.citizen, catTrash, siteLat, siteLng)
		c.clock.Advance(8 * time.Hour)
	}
	if hs := c.hotspots(t); len(hs) != 0 {
		t.Fatalf("a steady rate is a hotspot: %+v", hs)
	}
	// Three more within the hour are three times the usual day's share of an hour.
	for i := 0; i < 3; i++ {
		c.report(t, c.citizen2, catTrash, siteLat, siteLng)
		c.clock.Advance(time.Minute)
	}
	hs := c.hotspots(t)
	if len(hs) != 1 || hs[0].Window != "1h" || hs[0].Baseline == 0 || hs[0].Rise < 3 {
		t.Fatalf("burst over a steady rate: %+v", hs)
	}
}

// Two dispatchers open a patrol from one hotspot at once: one order is filed
// and dispatched, the other click gets ECONFLICT and leaves no order, no
// timer and no task message behind.
func TestHotspotPatrolRace(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		c.report(t, c.citizen, catTrash, siteLat, siteLng+float64(i)*0.0001)
		c.clock.Advance(5 * time.Minute)
	}
	hs := c.hotspots(t)
	if len(hs) != 1 {
		t.Fatalf("%d hotspots, want 1", len(hs))
	}
	tasks := func() int {
		n := 0
		for _, crew := range []guanjia.Claims{c.crewA, c.crewB} {
			ns, err := c.db.Notifications.ListInbox(ctx, crew.UserID, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ns {
				if m.Template == guanjia.TplTaskAssigned {
					n++
				}
			}
		}
		return n
	}
	tasksBefore, timersBefore := tasks(), len(c.sched.Timers())

	// The second click lands between the first one's read of the hotspot and its save.
	var won *guanjia.Complaint
	var wonErr error
	c.svc.Store = &racingStore{Complaints: c.db.Complaints, before: func() {
		won, wonErr = c.svc.OpenPatrol(ctx, c.dispatchr, hs[0].ID, dispatch.PatrolInput{})
	}}
	lost, err := c.svc.OpenPatrol(ctx, c.dispatchr, hs[0].ID, dispatch.PatrolInput{})
	if wonErr != nil || won == nil || won.Status != guanjia.StatusDispatched {
		t.Fatalf("the first patrol to save: %+v %v", won, wonErr)
	}
	if guanjia.ErrorCode(err) != guanjia.ECONFLICT || lost != nil {
		t.Fatalf("the patrol that lost the race: %+v %v, want a conflict", lost, err)
	}
	patrols, n, err := c.db.Complaints.ListComplaints(ctx, guanjia.ComplaintFilter{Source: guanjia.SourcePatrol, Page: 1, PerPage: 10})
	if err != nil || n != 1 || len(patrols) != 1 || patrols[0].ID != won.ID {
		t.Errorf("patrol orders: %d %v, want only #%d", n, err, won.ID)
	}
	for _, tm := range c.sched.Timers()[timersBefore:] {
		if tm.ComplaintID != won.ID {
			t.Errorf("a timer was armed for the loser: %+v", tm)
		}
	}
	if got := tasks() - tasksBefore; got != 1 {
		t.Errorf("%d task messages for the patrol, want 1", got)
	}
	h, err := c.db.Hotspots.FindHotspot(ctx, hs[0].ID)
	if err != nil || h.PatrolComplaintID == nil || *h.PatrolComplaintID != won.ID {
		t.Errorf("hotspot patrol link: %+v %v, want #%d", h, err, won.ID)
	}
}

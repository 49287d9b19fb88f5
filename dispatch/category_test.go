package dispatch_test

import (
	"context"
	"testing"
	"time"

	"guanjia"
	"guanjia/dispatch"
)

// setRetired retires category code (or brings it back) as an administrator does.
func (c *city) setRetired(t *testing.T, code string, retired bool) {
	t.Helper()
	ctx := context.Background()
	cat, err := c.db.Catalog.FindCategory(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	seen := cat.UpdatedAt
	cat.Retired = retired
	if err := c.db.Catalog.SaveCategory(ctx, cat, &seen); err != nil {
		t.Fatal(err)
	}
}

// A retired category takes no new report from anyone — citizen, hotline,
// patrol, nor a patrol order opened at one of its hotspots — while the
// orders filed under it before keep it and go on to the end. Brought back,
// it takes reports again.
func TestRetiredCategoryTakesNoNewReports(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	var burst []*guanjia.Complaint
	for i := range 6 {
		burst = append(burst, c.report(t, c.citizen, catTrash, siteLat, siteLng+float64(i)*0.0001))
		c.clock.Advance(5 * time.Minute)
	}
	hs := c.hotspots(t)
	if len(hs) != 1 {
		t.Fatalf("hotspots %+v, want the burst's", hs)
	}

	c.setRetired(t, catTrash, true)
	for _, who := range []guanjia.Claims{c.citizen, c.agent, c.crewA, c.dispatchr} {
		_, err := c.svc.Create(ctx, who, dispatch.NewComplaint{Category: catTrash, Description: "路边有一堆垃圾",
			Lat: siteLat, Lng: siteLng + 0.003, CoordSystem: "wgs84", Address: "龙华路"})
		if guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != "category" {
			t.Errorf("a %s files under the retired category: %v, want EINVALID on category", who.Role, err)
		}
	}
	if _, err := c.svc.OpenPatrol(ctx, c.dispatchr, hs[0].ID, dispatch.PatrolInput{}); guanjia.ErrorCode(err) != guanjia.EINVALID ||
		guanjia.ErrorField(err) != "category" {
		t.Errorf("a patrol order at the retired category's hotspot: %v, want EINVALID on category", err)
	}
	if hs := c.hotspots(t); len(hs) != 1 || hs[0].PatrolComplaintID != nil {
		t.Errorf("the refused patrol order left %+v", hs)
	}
	if got := c.report(t, c.citizen, catWater, siteLat, siteLng); got.Category != catWater {
		t.Errorf("another category: %+v", got)
	}

	// The orders filed before keep their category and are handled to the end.
	first := c.resolveOnSite(t, burst[0].ID, "已清运")
	if first.Category != catTrash || first.Status != guanjia.StatusResolved {
		t.Errorf("an order filed before the category was retired: %s %s", first.Category, first.Status)
	}
	if got := c.get(t, burst[1].ID); got.Category != catTrash || got.Status != guanjia.StatusDuplicate {
		t.Errorf("a me-too report filed before: %s %s", got.Category, got.Status)
	}

	c.setRetired(t, catTrash, false)
	if got := c.report(t, c.agent, catTrash, siteLat, siteLng+0.003); got.Category != catTrash || got.Status != guanjia.StatusDispatched {
		t.Errorf("brought back, the category takes reports: %+v", got)
	}
	if p, err := c.svc.OpenPatrol(ctx, c.dispatchr, hs[0].ID, dispatch.PatrolInput{}); err != nil || p.Category != catTrash {
		t.Errorf("brought back, a patrol order at its hotspot: %+v %v", p, err)
	}
}

// Only a point-to-point category has an on-site deadline, and only a
// positive one is armed: a point-to-point category seeded without one gets
// no deadline due at the moment of dispatch, and its order still has the
// whole accept window. An order keeps the on-site deadline it was
// dispatched with when its category loses or changes its own.
func TestArrivalDeadlineComesOnlyFromAPositiveWindow(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	water := c.report(t, c.agent, catWater, siteLat, siteLng)
	if water.ArriveBy != nil || len(c.sched.Armed(water.ID, dispatch.TimerArrive)) != 0 {
		t.Errorf("a unit-level order has an on-site deadline: %v", water.ArriveBy)
	}

	kept := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	if kept.ArriveBy == nil || !kept.ArriveBy.Equal(c.clock.Now().Add(30*time.Minute)) {
		t.Fatalf("a point-to-point order's on-site deadline: %v", kept.ArriveBy)
	}

	// 暴露垃圾 seeded (as plain SQL or a seed could) point-to-point without
	// an on-site window.
	trash, err := c.db.Catalog.FindCategory(ctx, catTrash)
	if err != nil {
		t.Fatal(err)
	}
	trash.ArriveWithin = 0
	if err := c.db.Catalog.UpsertCategory(ctx, trash); err != nil {
		t.Fatal(err)
	}
	got := c.report(t, c.citizen, catTrash, siteLat, siteLng+0.003) // ~300 m away: not a me-too
	if got.ArriveBy != nil || len(c.sched.Armed(got.ID, dispatch.TimerArrive)) != 0 || len(c.sched.Armed(got.ID, dispatch.TimerArriveReminder)) != 0 {
		t.Errorf("an on-site deadline armed from a zero window: arrive_by %v, timers %+v", got.ArriveBy, c.sched.Armed(got.ID, dispatch.TimerArrive))
	}
	if want := c.clock.Now().Add(5 * time.Minute); got.AcceptBy == nil || !got.AcceptBy.Equal(want) {
		t.Errorf("accept_by %v, want %v", got.AcceptBy, want)
	}

	// The order dispatched before keeps its deadline through a redispatch.
	c.clock.Advance(2 * time.Minute)
	redone := c.act(t, c.dispatchr, kept.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &c.crewB.UserID})
	if redone.ArriveBy == nil || !redone.ArriveBy.Equal(*kept.ArriveBy) {
		t.Errorf("a redispatch moved arrive_by from %v to %v", kept.ArriveBy, redone.ArriveBy)
	}
}

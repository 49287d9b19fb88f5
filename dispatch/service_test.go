package dispatch_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/geo"
	"guanjia/internal/testenv"
	"guanjia/store"
)

// city is a two-grid test city next to Haikou's 龙华 district.
type city struct {
	db                           *store.DB
	svc                          *dispatch.Service
	sched                        *testenv.DispatchTimers
	clock                        *testenv.Clock
	citizen, citizen2, dispatchr guanjia.Claims
	agent, hwLead, waterLead     guanjia.Claims
	crewA, crewB, crewOff        guanjia.Claims
}

const (
	catTrash = "1101" // point-to-point, 环卫
	catWater = "1401" // unit-level, 供水
	catLamp  = "0102" // point-to-point, resolve in working time
)

// A point in grid g1, near crew member A.
const siteLat, siteLng = 20.0050, 110.3050

func square(lat0, lng0, size float64) []byte {
	return []byte(fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}`,
		lng0, lat0, lng0+size, lat0, lng0+size, lat0+size, lng0, lat0+size, lng0, lat0))
}

func newCity(t *testing.T) *city {
	t.Helper()
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	clk := testenv.NewClock(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)) // 10:00 in Haikou, a Thursday
	db.Now = clk.Now
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "lh-hw", Name: "龙华区环卫所", Department: guanjia.DeptSanitation}))
	must(db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "lh-sz", Name: "龙华区市政管理所", Department: guanjia.DeptMunicipal}))
	must(db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "water", Name: "海口威立雅水务", Department: guanjia.DeptWater}))
	must(db.Catalog.UpsertGrid(ctx, &guanjia.Grid{ID: "g1", Name: "中山街道第1网格", District: "龙华区", Geometry: square(20.0, 110.30, 0.01),
		Units: map[string]string{guanjia.DeptSanitation: "lh-hw", guanjia.DeptWater: "water", guanjia.DeptMunicipal: "lh-sz"}}))
	must(db.Catalog.UpsertGrid(ctx, &guanjia.Grid{ID: "g2", Name: "中山街道第2网格", District: "龙华区", Geometry: square(20.0, 110.31, 0.01),
		Units: map[string]string{guanjia.DeptSanitation: "lh-hw"}}))
	for _, c := range []*guanjia.Category{
		{Code: catTrash, Name: "暴露垃圾", Kind: "事件", Major: "市容环境", Department: guanjia.DeptSanitation, PointToPoint: true,
			AcceptWithin: 5 * time.Minute, ArriveWithin: 30 * time.Minute, ResolveWithin: 2 * time.Hour, ResolveMode: guanjia.NaturalTime, DuplicateRadiusM: 50},
		{Code: catWater, Name: "停水", Kind: "事件", Major: "公用事业", Department: guanjia.DeptWater,
			AcceptWithin: 30 * time.Minute, ArriveWithin: 2 * time.Hour, ResolveWithin: 24 * time.Hour, ResolveMode: guanjia.NaturalTime, DuplicateRadiusM: 50},
		{Code: catLamp, Name: "路灯不亮", Kind: "部件", Major: "公用设施", Department: guanjia.DeptMunicipal, PointToPoint: true,
			AcceptWithin: 5 * time.Minute, ArriveWithin: 30 * time.Minute, ResolveWithin: 2 * time.Hour, ResolveMode: guanjia.WorkingTime},
	} {
		must(db.Catalog.UpsertCategory(ctx, c))
	}
	now := clk.Now()
	user := func(u *guanjia.User) guanjia.Claims {
		t.Helper()
		u.PositionAt = &now
		must(db.Users.CreateUser(ctx, u))
		return guanjia.Claims{UserID: u.ID, Role: u.Role, UnitCode: u.UnitCode}
	}
	c := &city{db: db, clock: clk, sched: &testenv.DispatchTimers{}}
	c.citizen = user(&guanjia.User{Username: "citizen", Role: guanjia.RoleCitizen})
	c.citizen2 = user(&guanjia.User{Username: "citizen2", Role: guanjia.RoleCitizen})
	c.dispatchr = user(&guanjia.User{Username: "dispatcher", Role: guanjia.RoleDispatcher})
	c.agent = user(&guanjia.User{Username: "agent", Role: guanjia.RoleAgent})
	c.hwLead = user(&guanjia.User{Username: "hw-lead", Role: guanjia.RoleUnitAdmin, UnitCode: "lh-hw"})
	c.waterLead = user(&guanjia.User{Username: "water-lead", Role: guanjia.RoleUnitAdmin, UnitCode: "water"})
	c.crewA = user(&guanjia.User{Username: "crewA", Role: guanjia.RoleCrew, UnitCode: "lh-hw", GridID: "g1", OnDuty: true, Lat: 20.0052, Lng: 110.3052})
	c.crewB = user(&guanjia.User{Username: "crewB", Role: guanjia.RoleCrew, UnitCode: "lh-hw", GridID: "g1", OnDuty: true, Lat: 20.0080, Lng: 110.3080})
	c.crewOff = user(&guanjia.User{Username: "crewOff", Role: guanjia.RoleCrew, UnitCode: "lh-hw", GridID: "g1", OnDuty: false, Lat: 20.0050, Lng: 110.3050})
	user(&guanjia.User{Username: "lampCrew", Role: guanjia.RoleCrew, UnitCode: "lh-sz", GridID: "g1", OnDuty: true, Lat: 20.0050, Lng: 110.3050})

	router, err := dispatch.NewRouter(ctx, db.Complaints)
	must(err)
	c.svc = dispatch.NewService(db.Complaints, c.sched, router, dispatch.DefaultCalendar(), store.DiskBlobs{Dir: t.TempDir()})
	c.svc.Now = clk.Now
	return c
}

func (c *city) report(t *testing.T, who guanjia.Claims, cat string, lat, lng float64) *guanjia.Complaint {
	t.Helper()
	got, err := c.svc.Create(context.Background(), who, dispatch.NewComplaint{Category: cat, Description: "路边有一堆垃圾",
		Lat: lat, Lng: lng, CoordSystem: "wgs84", Address: "龙华路"})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return got
}

func (c *city) act(t *testing.T, who guanjia.Claims, id int64, a guanjia.Action, in dispatch.ActionInput) *guanjia.Complaint {
	t.Helper()
	got, err := c.svc.Act(context.Background(), who, id, a, in)
	if err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	return got
}

// resolveOnSite is crew A's work on complaint id at the site: sign for it,
// check in there, and resolve it with note.
func (c *city) resolveOnSite(t *testing.T, id int64, note string) *guanjia.Complaint {
	t.Helper()
	c.act(t, c.crewA, id, guanjia.ActionAccept, dispatch.ActionInput{})
	c.act(t, c.crewA, id, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)})
	return c.act(t, c.crewA, id, guanjia.ActionResolve, dispatch.ActionInput{Note: note})
}

func (c *city) events(t *testing.T, id int64) []string {
	t.Helper()
	evs, err := c.db.Complaints.ListEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, string(e.Action)+":"+string(e.To))
	}
	return out
}

func (c *city) notes(t *testing.T, id int64) []*guanjia.Notification {
	t.Helper()
	ns, err := c.db.Notifications.ListNotifications(context.Background(), guanjia.NotificationFilter{ComplaintID: &id})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func ptr(f float64) *float64 { return &f }

func TestPointToPointDispatchGoesToNearestOnDutyCrew(t *testing.T) {
	c := newCity(t)
	got := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	if got.Status != guanjia.StatusDispatched || got.GridID != "g1" || got.UnitCode != "lh-hw" || got.District != "龙华区" {
		t.Fatalf("complaint = %+v", got)
	}
	if got.AssigneeID == nil || *got.AssigneeID != c.crewA.UserID {
		t.Fatalf("assignee = %v, want crew A (nearest on duty)", got.AssigneeID)
	}
	if want := c.clock.Now().Add(5 * time.Minute); got.AcceptBy == nil || !got.AcceptBy.Equal(want) {
		t.Errorf("accept_by = %v, want %v", got.AcceptBy, want)
	}
	if want := c.clock.Now().Add(2 * time.Hour); got.ResolveBy == nil || !got.ResolveBy.Equal(want) {
		t.Errorf("resolve_by = %v, want %v", got.ResolveBy, want)
	}
	if len(c.sched.Armed(got.ID, dispatch.TimerAccept)) != 1 || len(c.sched.Armed(got.ID, dispatch.TimerAcceptReminder)) != 1 ||
		len(c.sched.Armed(got.ID, dispatch.TimerResolve)) != 1 {
		t.Errorf("timers armed = %+v", c.sched.Timers())
	}
	ns := c.notes(t, got.ID) // newest first: 企业微信, then the inbox, which always exists
	if len(ns) != 2 || ns[0].RecipientID != c.crewA.UserID || ns[0].Channel != guanjia.ChannelWeCom || ns[0].Template != guanjia.TplTaskAssigned ||
		ns[1].RecipientID != c.crewA.UserID || ns[1].Channel != guanjia.ChannelInbox || ns[1].Status != guanjia.DeliverySent {
		t.Errorf("notifications = %+v", ns)
	}
	if len(c.sched.Delivered()) != 1 {
		t.Errorf("deliveries queued = %v", c.sched.Delivered())
	}
	if ev := c.events(t, got.ID); strings.Join(ev, ",") != "create:submitted,dispatch:dispatched" {
		t.Errorf("events = %v", ev)
	}
}

func TestPointToPointPrefersTheLessLoaded(t *testing.T) {
	c := newCity(t)
	// The command center gives crew A two tasks; a third report close to A
	// then goes to B, who is ~300 m away but idle.
	for _, lng := range []float64{110.3010, 110.3090} {
		cp := c.report(t, c.citizen, catTrash, 20.0010, lng)
		c.act(t, c.dispatchr, cp.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &c.crewA.UserID})
	}
	third := c.report(t, c.citizen, catTrash, 20.0060, 110.3060)
	if third.AssigneeID == nil || *third.AssigneeID != c.crewB.UserID {
		t.Fatalf("third report assignee = %v, want crew B", third.AssigneeID)
	}
}

func TestUnroutableGoesToManualQueue(t *testing.T) {
	c := newCity(t)
	// In Haikou but outside every grid.
	outside := c.report(t, c.citizen, catTrash, 20.05, 110.40)
	if outside.Status != guanjia.StatusSubmitted || outside.UnitCode != "" || outside.AssigneeID != nil {
		t.Fatalf("outside grids: %+v", outside)
	}
	// Grid g2 has no water unit.
	noUnit := c.report(t, c.citizen, catWater, 20.005, 110.315)
	if noUnit.Status != guanjia.StatusSubmitted || noUnit.GridID != "g2" || noUnit.UnitCode != "" {
		t.Fatalf("no responsible unit: %+v", noUnit)
	}
	ns := c.notes(t, noUnit.ID)
	if len(ns) != 2 || ns[0].RecipientID != c.dispatchr.UserID || ns[0].Template != guanjia.TplManualQueue || ns[1].Channel != guanjia.ChannelInbox {
		t.Errorf("dispatchers not alerted: %+v", ns)
	}
	// Nobody on duty for point-to-point → the unit's queue and an alert to its leader.
	for _, crew := range []guanjia.Claims{c.crewA, c.crewB} {
		if err := c.db.Users.UpdateCrewPosition(context.Background(), crew.UserID, 20.005, 110.305, false, c.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	unitQueue := c.report(t, c.citizen, catTrash, 20.002, 110.302)
	if unitQueue.Status != guanjia.StatusDispatched || unitQueue.UnitCode != "lh-hw" || unitQueue.AssigneeID != nil {
		t.Fatalf("nobody on duty: %+v", unitQueue)
	}
	if ns := c.notes(t, unitQueue.ID); len(ns) != 2 || ns[0].RecipientID != c.hwLead.UserID || ns[1].RecipientID != c.hwLead.UserID {
		t.Errorf("unit leader not alerted: %+v", ns)
	}
	// The leader who signs for it from the queue goes there: they, and nobody else, check in on site.
	c.act(t, c.hwLead, unitQueue.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	here := dispatch.ActionInput{Lat: ptr(20.002), Lng: ptr(110.302)}
	if _, err := c.svc.Act(context.Background(), c.crewA, unitQueue.ID, guanjia.ActionArrive, here); err == nil {
		t.Error("a crew member checked in on the leader's task")
	}
	if got := c.act(t, c.hwLead, unitQueue.ID, guanjia.ActionArrive, here); got.Status != guanjia.StatusOnSite {
		t.Errorf("the leader on site: %s", got.Status)
	}
}

func TestCreateConvertsGCJ02(t *testing.T) {
	c := newCity(t)
	gLat, gLng := geo.WGS84ToGCJ02(siteLat, siteLng)
	got, err := c.svc.Create(context.Background(), c.citizen, dispatch.NewComplaint{Category: catTrash, Description: "垃圾",
		Lat: gLat, Lng: gLng, CoordSystem: "gcj02"})
	if err != nil {
		t.Fatal(err)
	}
	if d := geo.Distance(got.Lat, got.Lng, siteLat, siteLng); d > 0.5 {
		t.Errorf("stored point is %.2f m from the WGS-84 site", d)
	}
	if got.CoordSystem != "gcj02" || got.GridID != "g1" {
		t.Errorf("coord_system = %s, grid = %s", got.CoordSystem, got.GridID)
	}
}

func TestCreateRejectsBadInput(t *testing.T) {
	c := newCity(t)
	good := dispatch.NewComplaint{Category: catTrash, Description: "垃圾", Lat: siteLat, Lng: siteLng}
	tests := []struct {
		name  string
		who   guanjia.Claims
		edit  func(*dispatch.NewComplaint)
		code  string
		field string
	}{
		{"unknown category", c.citizen, func(n *dispatch.NewComplaint) { n.Category = "9999" }, guanjia.EINVALID, "category"},
		{"lat out of range", c.citizen, func(n *dispatch.NewComplaint) { n.Lat = 91 }, guanjia.EINVALID, "lat"},
		{"outside the city", c.citizen, func(n *dispatch.NewComplaint) { n.Lat, n.Lng = 39.9, 116.4 }, guanjia.EINVALID, "lat"},
		{"empty description", c.citizen, func(n *dispatch.NewComplaint) { n.Description = "" }, guanjia.EINVALID, "description"},
		{"description too long", c.citizen, func(n *dispatch.NewComplaint) { n.Description = strings.Repeat("垃", 2001) }, guanjia.EINVALID, "description"},
		{"unknown coordinate system", c.citizen, func(n *dispatch.NewComplaint) { n.CoordSystem = "bd09" }, guanjia.EINVALID, "coord_system"},
		{"bad caller phone", c.agent, func(n *dispatch.NewComplaint) { n.CallerPhone = "call me" }, guanjia.EINVALID, "caller_phone"},
		// Open311 publishes its own requests' words: only its intake files them.
		{"staff claim an Open311 source", c.dispatchr, func(n *dispatch.NewComplaint) { n.Source = guanjia.SourceOpen311 }, guanjia.EINVALID, "source"},
		{"unit admin may not file", c.hwLead, func(*dispatch.NewComplaint) {}, guanjia.EFORBIDDEN, ""},
	}
	for _, tt := range tests {
		in := good
		tt.edit(&in)
		_, err := c.svc.Create(context.Background(), tt.who, in)
		if guanjia.ErrorCode(err) != tt.code || guanjia.ErrorField(err) != tt.field {
			t.Errorf("%s: err = %v, want %s on %q", tt.name, err, tt.code, tt.field)
		}
	}
	list, total, err := c.svc.List(context.Background(), c.dispatchr, guanjia.ComplaintFilter{})
	if err != nil || total != 0 || len(list) != 0 {
		t.Errorf("bad input changed something: %d complaints, %v", total, err)
	}
}

// A me-too's reporter rates once the order they joined is done: on their
// own order, in the mini-program as the reporter of any order does, and a
// 不满意 sends no work back (the work was the joined order's).
func TestMeTooReporterRatesOnceTheJoinedOrderIsDone(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	orig := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	metoo := c.report(t, c.citizen2, catTrash, siteLat+0.0002, siteLng)
	canRate := func() bool {
		t.Helper()
		d, err := c.svc.Get(ctx, c.citizen2, metoo.ID)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(d.Actions, guanjia.ActionRate)
	}
	unhappy := dispatch.ActionInput{Score: guanjia.RatingUnsatisfied, Comment: "还是很脏"}
	if _, err := c.svc.Act(ctx, c.citizen2, metoo.ID, guanjia.ActionRate, unhappy); guanjia.ErrorCode(err) != guanjia.ECONFLICT || canRate() {
		t.Errorf("rating a me-too while its order is open: %v, want conflict and no button", err)
	}
	c.act(t, c.crewA, orig.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.act(t, c.crewA, orig.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)})
	c.act(t, c.crewA, orig.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理"})
	c.act(t, c.dispatchr, orig.ID, guanjia.ActionClose, dispatch.ActionInput{})
	if !canRate() {
		t.Fatal("the me-too's reporter has no rating once the joined order is closed")
	}
	if _, err := c.svc.Act(ctx, c.citizen, metoo.ID, guanjia.ActionRate, unhappy); guanjia.ErrorCode(err) == "" {
		t.Error("another citizen rated the me-too")
	}
	rated, err := c.svc.Act(ctx, c.citizen2, metoo.ID, guanjia.ActionRate, unhappy)
	if err != nil || rated.Status != guanjia.StatusDuplicate || rated.Rating != guanjia.RatingUnsatisfied {
		t.Fatalf("the me-too's rating: %+v %v", rated, err)
	}
	if canRate() {
		t.Error("a second rating is offered")
	}
	if o, _ := c.svc.Store.FindComplaint(ctx, orig.ID); o.Status != guanjia.StatusClosed || o.Rating != 0 {
		t.Errorf("the joined order after the me-too's 不满意: %s, rating %d; want closed, unrated", o.Status, o.Rating)
	}
}

func TestDuplicateReportIsLinkedNotDispatched(t *testing.T) {
	c := newCity(t)
	orig := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	metoo := c.report(t, c.citizen2, catTrash, siteLat+0.0002, siteLng) // ~22 m north
	if metoo.Status != guanjia.StatusDuplicate || metoo.DuplicateOf == nil || *metoo.DuplicateOf != orig.ID || metoo.AssigneeID != nil {
		t.Fatalf("me-too report = %+v", metoo)
	}
	if n := len(c.sched.Armed(metoo.ID, dispatch.TimerAccept)); n != 0 {
		t.Errorf("duplicate armed %d accept timers", n)
	}
	// The second reporter follows the original and sees its timeline.
	d, err := c.svc.Get(context.Background(), c.citizen2, orig.ID)
	if err != nil {
		t.Fatalf("second reporter cannot see the original: %v", err)
	}
	if last := d.Events[len(d.Events)-1]; last.Action != guanjia.ActionMeToo {
		t.Errorf("original's last event = %s", last.Action)
	}
	// Farther than the radius, or another category: a new complaint.
	far := c.report(t, c.citizen2, catTrash, siteLat+0.001, siteLng) // ~111 m
	if far.Status == guanjia.StatusDuplicate {
		t.Error("a report 111 m away was treated as a duplicate")
	}
	// After 24 hours the same spot is a new problem.
	c.clock.Advance(25 * time.Hour)
	later := c.report(t, c.citizen2, catTrash, siteLat, siteLng)
	if later.Status == guanjia.StatusDuplicate {
		t.Error("a report 25 h later was treated as a duplicate")
	}
}

// Once the crew reports the problem resolved, a new report at the spot says
// it is not: it is dispatched, not linked to the order awaiting its check.
func TestReportAtAResolvedOrderIsDispatched(t *testing.T) {
	c := newCity(t)
	orig := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.resolveOnSite(t, orig.ID, "已清理")
	c.clock.Advance(2 * time.Hour)
	found, err := c.svc.CheckOpenNearby(context.Background(), catTrash, siteLat, siteLng, "")
	if err != nil || found.WillMerge {
		t.Errorf("the mini-program's check says the report would merge: %+v %v", found, err)
	}
	again := c.report(t, c.citizen2, catTrash, siteLat, siteLng)
	if again.Status != guanjia.StatusDispatched || again.DuplicateOf != nil {
		t.Errorf("a report at a resolved order's spot: %s, duplicate of %v", again.Status, again.DuplicateOf)
	}
}

func TestWholeLoopToClosedAndRated(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	// 确保半小时到达现场 counts from the dispatch, shown at once.
	arriveBy := c.clock.Now().Add(30 * time.Minute)
	if cp.ArriveBy == nil || !cp.ArriveBy.Equal(arriveBy) || cp.AcceptBy == nil || !cp.AcceptBy.Before(arriveBy) {
		t.Fatalf("at dispatch: arrive_by %v, accept_by %v; want arrive_by %v with the accept step inside it", cp.ArriveBy, cp.AcceptBy, arriveBy)
	}

	// Another crew member may not take someone else's task.
	if _, err := c.svc.Act(ctx, c.crewB, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{}); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("crew B accepting A's task: %v", err)
	}
	c.clock.Advance(2 * time.Minute)
	cp = c.act(t, c.crewA, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	if cp.Status != guanjia.StatusAccepted || cp.ArriveBy == nil || !cp.ArriveBy.Equal(arriveBy) {
		t.Fatalf("after accept: %+v", cp)
	}
	// Claiming arrival 1 km away is refused; nothing changes.
	_, err := c.svc.Act(ctx, c.crewA, cp.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat + 0.009), Lng: ptr(siteLng)})
	if guanjia.ErrorCode(err) != guanjia.EUNPROCESSABLE {
		t.Fatalf("far arrival: %v", err)
	}
	// Resolving before arriving is out of order for a point-to-point task.
	if _, err := c.svc.Act(ctx, c.crewA, cp.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "清理"}); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("resolve before arrival: %v", err)
	}
	c.clock.Advance(10 * time.Minute)
	cp = c.act(t, c.crewA, cp.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat + 0.001), Lng: ptr(siteLng)}) // ~111 m
	if cp.Status != guanjia.StatusOnSite {
		t.Fatalf("after arrive: %s", cp.Status)
	}
	if _, err := c.svc.Act(ctx, c.crewA, cp.ID, guanjia.ActionResolve, dispatch.ActionInput{}); guanjia.ErrorField(err) != "note" {
		t.Errorf("resolve without a note: %v", err)
	}
	cp = c.act(t, c.crewA, cp.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理完毕"})
	if _, err := c.svc.Act(ctx, c.crewA, cp.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "again"}); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("resolving twice: %v", err)
	}
	if _, err := c.svc.Act(ctx, c.crewA, cp.ID, guanjia.ActionClose, dispatch.ActionInput{}); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("crew closing: %v", err)
	}
	cp = c.act(t, c.dispatchr, cp.ID, guanjia.ActionClose, dispatch.ActionInput{Note: "核查通过"})
	if _, err := c.svc.Act(ctx, c.citizen2, cp.ID, guanjia.ActionRate, dispatch.ActionInput{Score: 3}); err == nil {
		t.Error("someone else rated the complaint")
	}
	cp = c.act(t, c.citizen, cp.ID, guanjia.ActionRate, dispatch.ActionInput{Score: guanjia.RatingSatisfied, Comment: "很快"})
	if cp.Status != guanjia.StatusClosed || cp.Rating != 3 || cp.Overdue {
		t.Fatalf("final: %+v", cp)
	}
	// Rated: the citizen is no longer offered to rate again.
	if d, err := c.svc.Get(ctx, c.citizen, cp.ID); err != nil || slices.Contains(d.Actions, guanjia.ActionRate) {
		t.Errorf("actions after rating: %v %v", d.Actions, err)
	}
	want := "create:submitted,dispatch:dispatched,accept:accepted,arrive:on_site,resolve:resolved,close:closed,rate:closed"
	if got := strings.Join(c.events(t, cp.ID), ","); got != want {
		t.Errorf("timeline = %s\nwant       %s", got, want)
	}
	// Every timer is settled: nothing pending.
	pending, err := c.db.Complaints.PendingTimers(ctx, c.clock.Now().Add(48*time.Hour))
	if err != nil || len(pending) != 0 {
		t.Errorf("pending timers after closing: %+v %v", pending, err)
	}
	// The citizen heard about each step.
	subs := 0
	for _, n := range c.notes(t, cp.ID) {
		if n.Channel == guanjia.ChannelSubscribe && n.RecipientID == c.citizen.UserID {
			subs++
		}
	}
	if subs != 4 { // accepted, on site, resolved, closed
		t.Errorf("citizen got %d updates, want 4", subs)
	}
}

func TestUnsatisfiedReopensOnce(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catWater, siteLat, siteLng)
	if cp.AssigneeID != nil || cp.UnitCode != "water" {
		t.Fatalf("unit-level dispatch: %+v", cp)
	}
	finish := func() {
		c.act(t, c.waterLead, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
		c.act(t, c.waterLead, cp.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已恢复供水"})
		c.act(t, c.dispatchr, cp.ID, guanjia.ActionClose, dispatch.ActionInput{})
	}
	finish()
	got := c.act(t, c.citizen, cp.ID, guanjia.ActionRate, dispatch.ActionInput{Score: guanjia.RatingUnsatisfied, Comment: "还是没水"})
	if got.Status != guanjia.StatusDispatched || got.ReopenCount != 1 || got.Rating != 0 {
		t.Fatalf("after 不满意: status %s, reopen %d, rating %d", got.Status, got.ReopenCount, got.Rating)
	}
	finish()
	got = c.act(t, c.citizen, cp.ID, guanjia.ActionRate, dispatch.ActionInput{Score: guanjia.RatingUnsatisfied})
	if got.Status != guanjia.StatusClosed || got.ReopenCount != 1 || got.Rating != 1 {
		t.Fatalf("second 不满意 should be recorded only: %+v", got)
	}
	st, err := c.svc.Stats(context.Background(), c.dispatchr, c.clock.Now().Add(-time.Hour), c.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Both answers count: the first 不满意 is not erased by the rework.
	if st.Total.Received != 1 || st.Total.Handled != 1 || st.Total.Reworked != 1 || st.Total.ReworkRate != 1 ||
		st.Total.Ratings != 2 || st.Total.SatisfactionRate != 0 {
		t.Errorf("stats = %+v", st.Total)
	}
}

// A crew member whose account was disabled gets no new task: the desk's
// list may predate it, and 返工 goes to the unit's routing, not to them.
func TestADisabledCrewMemberGetsNoTask(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	disable := func(id int64) {
		yes := true
		if _, err := c.db.Users.ChangeUser(ctx, guanjia.UserChange{UserID: id, Disabled: &yes, At: c.clock.Now(),
			By: guanjia.Actor{ID: c.dispatchr.UserID, Name: "admin"}}); err != nil {
			t.Fatal(err)
		}
	}
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	if *cp.AssigneeID != c.crewA.UserID {
		t.Fatalf("routed to %d, want crew A", *cp.AssigneeID)
	}
	c.resolveOnSite(t, cp.ID, "已清理")
	c.act(t, c.dispatchr, cp.ID, guanjia.ActionClose, dispatch.ActionInput{})
	disable(c.crewA.UserID)

	if _, err := c.svc.Act(ctx, c.dispatchr, cp.ID, guanjia.ActionReopen, dispatch.ActionInput{Reason: "垃圾仍在"}); err != nil {
		t.Fatal(err)
	}
	if got := c.get(t, cp.ID); got.AssigneeID == nil || *got.AssigneeID != c.crewB.UserID {
		t.Fatalf("返工 after crew A was disabled: status %s, assignee %v, want the unit's other crew member %d", got.Status, got.AssigneeID != nil, c.crewB.UserID)
	}
	_, err := c.svc.Act(ctx, c.dispatchr, cp.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &c.crewA.UserID})
	if guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != "crew" {
		t.Errorf("改派 to a disabled crew member: %v, want invalid on crew", err)
	}
	if got := c.get(t, cp.ID); *got.AssigneeID != c.crewB.UserID {
		t.Errorf("the refused 改派 moved the task to %d", *got.AssigneeID)
	}
}

func TestReturnRequiresReasonAndGoesBackToCommandCenter(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	if _, err := c.svc.Act(context.Background(), c.crewA, cp.ID, guanjia.ActionReturn, dispatch.ActionInput{}); guanjia.ErrorField(err) != "reason" {
		t.Fatalf("return without reason: %v", err)
	}
	got := c.act(t, c.crewA, cp.ID, guanjia.ActionReturn, dispatch.ActionInput{Reason: "不属于环卫职责"})
	if got.Status != guanjia.StatusReturned || got.AssigneeID != nil {
		t.Fatalf("after return: %+v", got)
	}
	// It waits with the desk: a 催办 goes to those who can redispatch it, not to the unit that gave it back.
	c.act(t, c.agent, cp.ID, guanjia.ActionRemind, dispatch.ActionInput{Note: "市民再次来电催促"})
	if to := c.inboxOf(t, cp.ID, guanjia.TplReminder); !slices.Equal(to, []int64{c.dispatchr.UserID}) {
		t.Errorf("催办 of a returned order went to %v, want the command center", to)
	}
	got = c.act(t, c.dispatchr, cp.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &c.crewB.UserID})
	if got.Status != guanjia.StatusDispatched || *got.AssigneeID != c.crewB.UserID || got.Attempt != 2 {
		t.Fatalf("after redispatch: %+v", got)
	}
}

func TestVisibility(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	for _, tt := range []struct {
		who  guanjia.Claims
		sees bool
	}{
		{c.citizen, true}, {c.citizen2, false}, {c.agent, true}, {c.dispatchr, true},
		{c.hwLead, true}, {c.waterLead, false}, {c.crewA, true}, {c.crewB, false},
	} {
		_, err := c.svc.Get(ctx, tt.who, cp.ID)
		if (err == nil) != tt.sees {
			t.Errorf("%s %d sees: %v, want %v", tt.who.Role, tt.who.UserID, err, tt.sees)
		}
		list, _, err := c.svc.List(ctx, tt.who, guanjia.ComplaintFilter{})
		if err != nil || (len(list) == 1) != tt.sees {
			t.Errorf("%s %d lists %d complaints (%v), want visible=%v", tt.who.Role, tt.who.UserID, len(list), err, tt.sees)
		}
	}
	if _, err := c.svc.Stats(ctx, c.crewA, c.clock.Now().Add(-time.Hour), c.clock.Now()); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("crew reading stats: %v", err)
	}
}

func TestConcurrentActionsOnlyOneWins(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catWater, siteLat, siteLng)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.svc.Act(context.Background(), c.waterLead, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch guanjia.ErrorCode(err) {
		case "":
			ok++
		case guanjia.ECONFLICT:
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent accepts succeeded, want 1", ok)
	}
	if n := strings.Count(strings.Join(c.events(t, cp.ID), ","), "accept:"); n != 1 {
		t.Errorf("%d accept events written", n)
	}
}

// A crew member's task list holds their own tasks and the unassigned ones in
// their unit's queue, which any of them may sign for; not another unit's.
func TestCrewListsTheUnitQueue(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	u := &guanjia.User{Username: "waterCrew", Role: guanjia.RoleCrew, UnitCode: "water", GridID: "g1", OnDuty: true, Lat: siteLat, Lng: siteLng}
	if err := c.db.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	waterCrew := guanjia.Claims{UserID: u.ID, Role: u.Role, UnitCode: u.UnitCode}
	cw := c.report(t, c.citizen, catWater, siteLat, siteLng)
	if cw.AssigneeID != nil || cw.UnitCode != "water" {
		t.Fatalf("停水 went to %v of %s, want the water unit's queue", cw.AssigneeID, cw.UnitCode)
	}
	trash := c.report(t, c.citizen2, catTrash, siteLat, siteLng)
	listed := func(who guanjia.Claims) []int64 {
		t.Helper()
		list, total, err := c.svc.List(ctx, who, guanjia.ComplaintFilter{OpenOnly: true})
		if err != nil || total != len(list) {
			t.Fatalf("list: %d of %d, %v", len(list), total, err)
		}
		var ids []int64
		for _, x := range list {
			ids = append(ids, x.ID)
		}
		return ids
	}
	if got := listed(waterCrew); !slices.Equal(got, []int64{cw.ID}) {
		t.Errorf("the water crew lists %v, want the queue's %d", got, cw.ID)
	}
	if got := listed(c.crewA); !slices.Equal(got, []int64{trash.ID}) {
		t.Errorf("crew A lists %v, want their own %d only", got, trash.ID)
	}
	c.act(t, waterCrew, cw.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	if got := listed(waterCrew); !slices.Equal(got, []int64{cw.ID}) {
		t.Errorf("after signing for it the water crew lists %v", got)
	}
	// Given back (退单), it waits for the command center: nobody's to sign for.
	c.act(t, waterCrew, cw.ID, guanjia.ActionReturn, dispatch.ActionInput{Reason: "不属于本单位"})
	if got := listed(waterCrew); len(got) != 0 {
		t.Errorf("after giving it back the water crew lists %v", got)
	}
}

// A complaint takes at most MaxPhotosPerKind photos of each kind, and none
// once it has ended: a reporter cannot fill the store through their report.
func TestPhotosAreBounded(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	attach := func(who guanjia.Claims, kind string) error {
		_, err := c.svc.AttachPhoto(ctx, who, cp.ID, kind, "image/png", 3, strings.NewReader("png"))
		return err
	}
	for i := 0; i < guanjia.MaxPhotosPerKind-1; i++ {
		if err := attach(c.citizen, "report"); err != nil {
			t.Fatalf("report photo %d: %v", i+1, err)
		}
	}
	// Four uploads at once for the last place: one takes it.
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() { errs <- attach(c.citizen, "report") }()
	}
	took := 0
	for range cap(errs) {
		switch err := <-errs; guanjia.ErrorCode(err) {
		case "":
			took++
		case guanjia.EUNPROCESSABLE:
		default:
			t.Errorf("an upload for the last place: %v", err)
		}
	}
	if took != 1 {
		t.Errorf("%d uploads took the last place, want 1", took)
	}
	if err := attach(c.citizen, "report"); guanjia.ErrorCode(err) != guanjia.EUNPROCESSABLE {
		t.Errorf("report photo %d: %v, want unprocessable", guanjia.MaxPhotosPerKind+1, err)
	}
	c.act(t, c.crewA, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	if err := attach(c.crewA, "before"); err != nil {
		t.Errorf("the crew's before photo beside a full set of report photos: %v", err)
	}
	c.act(t, c.crewA, cp.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)})
	c.act(t, c.crewA, cp.ID, guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理"})
	c.act(t, c.dispatchr, cp.ID, guanjia.ActionClose, dispatch.ActionInput{})
	if err := attach(c.crewA, "after"); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("a photo for a closed complaint: %v, want conflict", err)
	}
}

// The unit's leader sees a crew's accepted task without the crew's own
// steps: checking in on site is the one's who signed for it.
func TestLeaderIsNotOfferedACrewsCheckIn(t *testing.T) {
	c := newCity(t)
	cp := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	crew := c.crewA
	if *cp.AssigneeID == c.crewB.UserID {
		crew = c.crewB
	}
	c.act(t, crew, cp.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	d, err := c.svc.Get(context.Background(), c.hwLead, cp.ID)
	if err != nil || slices.Contains(d.Actions, guanjia.ActionArrive) {
		t.Errorf("the leader's actions on the crew's task: %v %v, want no arrive", d.Actions, err)
	}
	if _, err := c.svc.Act(context.Background(), c.hwLead, cp.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)}); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("the leader checks in for the crew: %v, want forbidden", err)
	}
}

// The tasks of a crew member whose account is disabled, or who moves to
// another unit, do not wait on them: the reconciler's hand-over gives them
// to another crew member of the unit, or to its queue, and the citizen's
// on-site clock — met already, for a task on site — is kept.
func TestTasksOfDisabledOrMovedCrewAreHandedOver(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	change := func(ch guanjia.UserChange) {
		t.Helper()
		ch.At, ch.By = c.clock.Now(), guanjia.Actor{ID: c.dispatchr.UserID, Name: "admin"}
		if _, err := c.db.Users.ChangeUser(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	handOver := func(want int) {
		t.Helper()
		if n, err := c.svc.HandOver(ctx); err != nil || n != want {
			t.Fatalf("hand-over moved %d tasks (%v), want %d", n, err, want)
		}
	}
	onSite := c.report(t, c.citizen, catTrash, siteLat, siteLng)
	c.act(t, c.crewA, onSite.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.clock.Advance(25 * time.Minute) // on site five minutes before the 30-minute deadline
	arrived := c.act(t, c.crewA, onSite.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)}).ArrivedAt
	unsigned := c.report(t, c.citizen2, catTrash, siteLat+0.002, siteLng+0.002)
	c.act(t, c.dispatchr, unsigned.ID, guanjia.ActionDispatch, dispatch.ActionInput{CrewID: &c.crewA.UserID})
	handOver(0) // crew A may still hold both

	yes := true
	change(guanjia.UserChange{UserID: c.crewA.UserID, Disabled: &yes})
	c.clock.Advance(30 * time.Second)
	handOver(2)
	// On site already, the next crew member has the whole step to sign for
	// it, not what is left of the arrival window.
	if got := c.get(t, onSite.ID); got.AcceptBy == nil || got.AcceptBy.Sub(c.clock.Now()) != 5*time.Minute {
		t.Errorf("sign for the on-site task by %v, want five minutes from %v", got.AcceptBy, c.clock.Now())
	}
	for _, id := range []int64{onSite.ID, unsigned.ID} {
		got := c.get(t, id)
		if got.Status != guanjia.StatusDispatched || got.AssigneeID == nil || *got.AssigneeID != c.crewB.UserID {
			t.Fatalf("#%d after crew A was disabled: %s to %v, want dispatched to crew B", id, got.Status, got.AssigneeID)
		}
		if to := c.inboxOf(t, id, guanjia.TplTaskWithdrawn); !slices.Contains(to, c.crewA.UserID) {
			t.Errorf("#%d: withdrawn told %v, want crew A among them", id, to)
		}
		evs, _ := c.db.Complaints.ListEvents(ctx, id)
		if last := evs[len(evs)-1]; last.Action != guanjia.ActionDispatch || !strings.Contains(last.Note, "原处置人员账号已停用") {
			t.Errorf("#%d: last event %s %q, want the hand-over's dispatch saying why", id, last.Action, last.Note)
		}
	}
	handOver(0) // nothing left to move

	got := c.get(t, onSite.ID)
	if !got.ArrivedAt.Equal(*arrived) || !got.ArriveBy.Equal(*onSite.ArriveBy) {
		t.Errorf("on-site task handed over: arrived %v by %v, want %v by %v kept", got.ArrivedAt, got.ArriveBy, arrived, onSite.ArriveBy)
	}
	c.act(t, c.crewB, onSite.ID, guanjia.ActionAccept, dispatch.ActionInput{})
	c.clock.Advance(time.Hour)
	if got := c.act(t, c.crewB, onSite.ID, guanjia.ActionArrive, dispatch.ActionInput{Lat: ptr(siteLat), Lng: ptr(siteLng)}); !got.ArrivedAt.Equal(*arrived) {
		t.Errorf("crew B's check-in moved the arrival to %v; crew A arrived in time at %v", got.ArrivedAt, arrived)
	}

	// Crew B moves to the municipal unit: nobody else of 环卫 is on duty, so
	// the unit's queue takes the unsigned task and its leader hears of it.
	lsz := "lh-sz"
	change(guanjia.UserChange{UserID: c.crewB.UserID, UnitCode: &lsz})
	handOver(2)
	if got := c.get(t, unsigned.ID); got.AssigneeID != nil || got.UnitCode != "lh-hw" || got.Status != guanjia.StatusDispatched {
		t.Errorf("crew B moved away: %s to %v of %s, want the 环卫 unit's queue", got.Status, got.AssigneeID, got.UnitCode)
	}
	if evs, _ := c.db.Complaints.ListEvents(ctx, unsigned.ID); !strings.Contains(evs[len(evs)-1].Note, "原处置人员已调离本单位") {
		t.Errorf("the hand-over's note %q, want it to say crew B left the unit", evs[len(evs)-1].Note)
	}

	if to := c.inboxOf(t, unsigned.ID, guanjia.TplManualQueue); !slices.Contains(to, c.hwLead.UserID) {
		t.Errorf("the unit's queue was told %v, want its leader %d among them", to, c.hwLead.UserID)
	}
}

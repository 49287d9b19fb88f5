package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"guanjia"
	"guanjia/geo"
)

// ArrivalRadiusM is how close to the site a crew member's GPS check-in must be.
const ArrivalRadiusM = 200

// Service runs the complaint loop. Its methods check who is calling.
type Service struct {
	Store     Store
	Scheduler Scheduler
	Router    *Router
	Calendar  *Calendar
	Content   guanjia.ContentChecker
	Photos    guanjia.PhotoChecker // optional: screens citizens' photos
	Blobs     guanjia.BlobStore
	Live      Publisher    // optional: tells live queues that a complaint changed
	Hotspots  HotspotStore // optional: 热点诉求 detection (hotspot.go)
	Now       func() time.Time
	Log       *slog.Logger
	// MaxCrewAttempts is how many crew members are tried when nobody accepts
	// before the complaint goes to the unit leader.
	MaxCrewAttempts int
	// InServiceArea rejects reports outside the city.
	InServiceArea func(lat, lng float64) bool
	// ArmWithin is how near a timer's deadline must be for a change to arm
	// it in the queue at once; later ones stay in the database only, and the
	// reconciler arms them as they come near (ReconcileTimers), so it must
	// not exceed the reconciler's horizon. 0 arms every timer at once.
	ArmWithin time.Duration
}

// NewService returns a Service with the defaults for Haikou.
func NewService(st Store, sch Scheduler, router *Router, cal *Calendar, blobs guanjia.BlobStore) *Service {
	return &Service{
		Store: st, Scheduler: sch, Router: router, Calendar: cal, Blobs: blobs,
		Content: guanjia.NoContentCheck{}, Now: func() time.Time { return time.Now().UTC() },
		Log: slog.Default(), MaxCrewAttempts: 2, InServiceArea: geo.InServiceArea,
	}
}

// NewComplaint is what a reporter submits.
type NewComplaint struct {
	Category    string
	Description string
	Lat, Lng    float64
	CoordSystem string
	Address     string
	MediaURL    string // Open311's media_url: CreateOpen311 keeps it, the other intakes upload photos
	Source      guanjia.Source
	CallerName  string
	CallerPhone string
	SMSOptOut   bool // the caller wants no SMS
	// patrolOf is the hotspot a patrol order is opened from. Such an order
	// is work of its own, never merged into an open report nearby (no
	// duplicate search), and is linked to the hotspot as it is saved.
	patrolOf int64
}

// Create files a complaint: validates it, places it on the grid, links it to
// an open report of the same problem nearby, or routes and dispatches it.
func (s *Service) Create(ctx context.Context, who guanjia.Claims, in NewComplaint) (*guanjia.Complaint, error) {
	switch who.Role {
	case guanjia.RoleCitizen:
		in.Source, in.CallerPhone, in.CallerName = guanjia.SourceMiniProgram, "", ""
	case guanjia.RoleAgent:
		in.Source = guanjia.SourceHotline
	case guanjia.RoleCrew, guanjia.RoleGridManager: // a 网格员 reports 城市管理问题 from patrol too
		in.Source = guanjia.SourcePatrol
	case guanjia.RoleDispatcher, guanjia.RoleAdmin:
		if in.Source == "" {
			in.Source = guanjia.SourceHotline
		} else if in.Source == guanjia.SourceOpen311 {
			// Open311 publishes its requests' words and address: only its
			// own intake (CreateOpen311), which keeps no caller, files them.
			return nil, guanjia.FieldError(guanjia.EINVALID, "source", "only an Open311 client files requests of source open311")
		}
	default:
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "a %s may not file complaints", who.Role)
	}
	return s.create(ctx, who, in)
}

// CreateOpen311 files a request from an Open311 client through the citizens'
// intake; reporter is the client's system user. Person fields are not kept.
func (s *Service) CreateOpen311(ctx context.Context, reporter int64, in NewComplaint) (*guanjia.Complaint, error) {
	in.Source, in.CallerName, in.CallerPhone, in.SMSOptOut = guanjia.SourceOpen311, "", "", true
	return s.create(ctx, guanjia.Claims{UserID: reporter, Role: guanjia.RoleCitizen}, in)
}

func (s *Service) create(ctx context.Context, who guanjia.Claims, in NewComplaint) (*guanjia.Complaint, error) {
	if in.CoordSystem == "" {
		in.CoordSystem = string(geo.WGS84)
	}
	now := s.Now()
	c := &guanjia.Complaint{
		Category: in.Category, Description: in.Description, CoordSystem: in.CoordSystem,
		Address: in.Address, MediaURL: in.MediaURL, Source: in.Source, ReporterID: who.UserID, CallerName: in.CallerName,
		CallerPhone: in.CallerPhone, SMSOptOut: in.SMSOptOut, Status: guanjia.StatusSubmitted, CreatedAt: now, UpdatedAt: now,
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	lat, lng, err := geo.ToWGS84(geo.CoordSystem(in.CoordSystem), in.Lat, in.Lng)
	if err != nil {
		return nil, err
	}
	if !s.InServiceArea(lat, lng) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "lat", "the place is outside the service area")
	}
	c.Lat, c.Lng = lat, lng
	cat, err := s.Store.FindCategory(ctx, in.Category)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, guanjia.FieldError(guanjia.EINVALID, "category", "unknown category %q", in.Category)
	} else if err != nil {
		return nil, err
	}
	if err := cat.CheckOffered("category"); err != nil { // a patrol order at a hotspot of one too
		return nil, err
	}
	if err := s.checkText(ctx, who, "description", c.Description); err != nil {
		return nil, err
	}

	actor := who.UserID
	ch := &Change{Complaint: c, Follow: followers(who)}
	ch.Events = append(ch.Events, &guanjia.Event{Action: guanjia.ActionCreate, To: guanjia.StatusSubmitted,
		ActorID: &actor, ActorRole: who.Role, Lat: &c.Lat, Lng: &c.Lng, At: now})

	// The route (crews and their load) is looked up while the duplicate
	// search runs: two round trips at once, and a me-too report, the rarer
	// case, drops the route it did not need.
	routed := make(chan Route, 1)
	go func() { routed <- s.Router.Route(ctx, cat, c.Lat, c.Lng, nil) }()
	var orig *guanjia.Complaint
	if in.patrolOf == 0 {
		orig, err = s.findDuplicate(ctx, cat, c)
	}
	route := <-routed
	if err != nil {
		return nil, err
	} else if orig != nil {
		dup, err := s.createDuplicate(ctx, who, *c, orig)
		if guanjia.ErrorCode(err) != guanjia.ECONFLICT {
			return dup, err
		}
		// The original was closed, rejected or merged since it was found:
		// this report is dispatched on its own.
	}
	ch.PatrolOf = in.patrolOf
	c.GridID, c.District = route.GridID, route.District
	if route.UnitCode == "" {
		// The command center's manual queue: nobody is responsible for this place or category.
		if ch.Messages, err = s.addresses().toCommandCenter(ctx, guanjia.TplManualQueue, c, map[string]string{"reason": route.Reason}); err != nil {
			return nil, err
		}
	} else if err := s.dispatchTo(ctx, ch, cat, route, nil, "", route.Reason, false); err != nil {
		return nil, err
	}
	ch.Messages = append(ch.Messages, s.addresses().toCaller(c, guanjia.TplCallerAccepted, nil)...) // 受理 SMS with the order number
	if err := s.save(ctx, ch); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Service) checkText(ctx context.Context, who guanjia.Claims, field, text string) error {
	if _, off := s.Content.(guanjia.NoContentCheck); off || who.Role != guanjia.RoleCitizen {
		return nil // staff texts are not screened: they have no openid and are accountable
	}
	u, err := s.Store.FindUserByID(ctx, who.UserID)
	if err != nil {
		return err
	}
	return s.Content.CheckText(ctx, u.OpenID, field, text)
}

// followers are who hears about a new complaint's progress: the citizen who
// reported it. Staff who file (a hotline agent for a caller, a crew on patrol)
// follow it in the console instead.
func followers(who guanjia.Claims) []int64 {
	if who.Role == guanjia.RoleCitizen {
		return []int64{who.UserID}
	}
	return nil
}

// duplicateWindow is how far back a new report is linked to an open one.
const duplicateWindow = 24 * time.Hour

// mergesWith says whether a report of category cat filed at now, d metres
// from the open complaint o, is linked to it rather than dispatched: the
// rule of findDuplicate, which the previews (Nearby, CheckOpenNearby) repeat.
// A resolved complaint takes no more reports: the crew said the problem was
// gone, and a new report says it is not, so it is dispatched.
func mergesWith(cat *guanjia.Category, o *guanjia.Complaint, d float64, now time.Time) bool {
	return cat.DuplicateRadiusM > 0 && d <= cat.DuplicateRadiusM && !o.CreatedAt.Before(now.Add(-duplicateWindow)) &&
		o.Status != guanjia.StatusResolved
}

// findDuplicate returns the nearest open complaint that c merges with (see
// mergesWith), or nil.
func (s *Service) findDuplicate(ctx context.Context, cat *guanjia.Category, c *guanjia.Complaint) (*guanjia.Complaint, error) {
	if cat.DuplicateRadiusM <= 0 {
		return nil, nil
	}
	minLat, minLng, maxLat, maxLng := geo.BoundingBox(c.Lat, c.Lng, cat.DuplicateRadiusM)
	near, err := s.Store.NearbyOpen(ctx, cat.Code, c.CreatedAt.Add(-duplicateWindow), minLat, minLng, maxLat, maxLng)
	if err != nil {
		return nil, err
	}
	var best *guanjia.Complaint
	bestD := cat.DuplicateRadiusM
	for _, o := range near {
		if d := geo.Distance(c.Lat, c.Lng, o.Lat, o.Lng); d <= bestD && mergesWith(cat, o, d, c.CreatedAt) {
			best, bestD = o, d
		}
	}
	return best, nil
}

// createDuplicate records a me-too report, a copy of c: it is kept, linked
// to the original and not dispatched again; its reporter follows the
// original.
func (s *Service) createDuplicate(ctx context.Context, who guanjia.Claims, dup guanjia.Complaint, orig *guanjia.Complaint) (*guanjia.Complaint, error) {
	c := &dup
	now := c.CreatedAt
	actor := who.UserID
	c.Status = guanjia.StatusDuplicate
	c.DuplicateOf = &orig.ID
	c.GridID, c.District, c.UnitCode = orig.GridID, orig.District, orig.UnitCode
	ch := &Change{Complaint: c, Follow: followers(who)}
	ch.Events = []*guanjia.Event{
		{Action: guanjia.ActionCreate, To: guanjia.StatusSubmitted, ActorID: &actor, ActorRole: who.Role, Lat: &c.Lat, Lng: &c.Lng, At: now},
		{Action: guanjia.ActionMerge, From: guanjia.StatusSubmitted, To: guanjia.StatusDuplicate, ActorRole: who.Role,
			Note: fmt.Sprintf("同一问题已在处理: #%d", orig.ID), At: now},
	}
	// The original's timeline says someone else reported it too; its reporters list grows.
	ch.Annotate = &Annotation{ComplaintID: orig.ID, Follow: followers(who), Events: []*guanjia.Event{{Action: guanjia.ActionMeToo,
		From: orig.Status, To: orig.Status, ActorID: &actor, ActorRole: who.Role, At: now}}}
	ch.Messages = s.addresses().toCaller(c, guanjia.TplCallerAccepted, nil) // the caller is told the order number all the same
	if err := s.save(ctx, ch); err != nil {
		return nil, err
	}
	return c, nil
}

// dispatchTo fills ch with a dispatch along route: to a crew member when the
// route found one, to the unit's queue otherwise, with a fresh accept timer.
func (s *Service) dispatchTo(ctx context.Context, ch *Change, cat *guanjia.Category, route Route, actor *int64, role guanjia.Role, note string, restartArrival bool) error {
	c := ch.Complaint
	now := s.Now()
	ch.Messages = append(ch.Messages, s.addresses().withdrawn(c, route.CrewID, cat.Name, "已改派他人，无需前往")...)
	from := c.Status
	c.Status = guanjia.StatusDispatched
	c.UnitCode = route.UnitCode
	c.AssigneeID = route.CrewID
	c.Attempt++
	c.DispatchedAt = &now
	c.AcceptedAt = nil
	// 确保半小时到达现场: the on-site clock starts at the first dispatch and
	// belongs to the citizen, so a redispatch keeps it unless told otherwise.
	// A category without an on-site deadline (0: only a seed or plain SQL
	// makes a point-to-point one so) arms none rather than one due at once.
	freshArrival := cat.PointToPoint && cat.ArriveWithin > 0 && (c.ArriveBy == nil || restartArrival)
	if freshArrival {
		arriveBy := wholeSecond(now.Add(cat.ArriveWithin))
		c.ArriveBy, c.ArrivedAt = &arriveBy, nil
		ch.Cancel = append(ch.Cancel, TimerArrive, TimerArriveReminder)
		ch.Arm = append(ch.Arm, timerPair(c.ID, TimerArrive, TimerArriveReminder, deadlineSeq(arriveBy), now, arriveBy)...)
	}
	// Signing for the task is a step inside the arrival window (until someone
	// is on site), unless a reassignment comes so late in it that the cap
	// would only make a second miss of a crew given seconds: then they have
	// the whole step.
	acceptBy := wholeSecond(now.Add(cat.AcceptWithin))
	if c.ArrivedAt == nil && c.ArriveBy != nil && c.ArriveBy.After(now) && acceptBy.After(*c.ArriveBy) &&
		(freshArrival || c.ArriveBy.Sub(now) >= cat.AcceptWithin/2) {
		acceptBy = *c.ArriveBy
	}
	c.AcceptBy = &acceptBy
	ch.Cancel = append(ch.Cancel, TimerAccept, TimerAcceptReminder)
	ch.Arm = append(ch.Arm, timerPair(c.ID, TimerAccept, TimerAcceptReminder, int64(c.Attempt), now, acceptBy)...)
	if c.ResolveBy == nil {
		resolveBy := s.resolveDeadline(cat, now)
		c.ResolveBy = &resolveBy
		ch.Arm = append(ch.Arm, s.resolveTimers(c.ID, cat, now, resolveBy)...)
	}
	ch.Events = append(ch.Events, &guanjia.Event{Action: guanjia.ActionDispatch, From: from, To: c.Status,
		ActorID: actor, ActorRole: role, AssigneeID: route.CrewID, UnitCode: route.UnitCode, Note: note, At: now})
	data := map[string]string{"category": cat.Name, "address": c.Address, "deadline": s.Calendar.clock(acceptBy)}
	if route.CrewID != nil {
		ch.Messages = append(ch.Messages, s.addresses().toStaff(*route.CrewID, guanjia.TplTaskAssigned, c, data)...)
		return nil
	}
	data["reason"] = note
	leaders, err := s.addresses().toUnitLeaders(ctx, route.UnitCode, guanjia.TplManualQueue, c, data)
	ch.Messages = append(ch.Messages, leaders...)
	return err
}

// resolveDeadline is cat's resolve deadline for work that starts at from.
func (s *Service) resolveDeadline(cat *guanjia.Category, from time.Time) time.Time {
	return s.resolveAfter(cat, from, cat.ResolveWithin)
}

// resolveAfter is the deadline d after from, counted as cat counts its
// resolve deadline: in working time or on the clock (an extension too).
func (s *Service) resolveAfter(cat *guanjia.Category, from time.Time, d time.Duration) time.Time {
	if cat.ResolveMode == guanjia.WorkingTime {
		if !s.Calendar.KnownYear(from.Year()) {
			s.Log.Warn("holiday schedule unknown, counting plain weekends", "year", from.Year())
		}
		return wholeSecond(s.Calendar.AddWorking(from, d).UTC())
	}
	return wholeSecond(from.Add(d))
}

// wholeSecond rounds a deadline up to a whole second: the queue schedules in
// whole seconds, and a timer must never fire before its deadline.
func wholeSecond(t time.Time) time.Time {
	if r := t.Truncate(time.Second); !r.Equal(t) {
		return r.Add(time.Second)
	}
	return t
}

// timerPair arms a deadline and its reminder (催办), a fifth of the window before it.
func timerPair(id int64, kind, reminder TimerKind, seq int64, from, due time.Time) []Timer {
	return remindedAt(id, kind, reminder, seq, from, wholeSecond(due.Add(-due.Sub(from)/5)), due)
}

// remindedAt arms a deadline and its reminder at remind, when that falls inside the window.
func remindedAt(id int64, kind, reminder TimerKind, seq int64, from, remind, due time.Time) []Timer {
	ts := []Timer{{ComplaintID: id, Kind: kind, Seq: seq, DueAt: due}}
	if remind.After(from) && remind.Before(due) {
		ts = append(ts, Timer{ComplaintID: id, Kind: reminder, Seq: seq, DueAt: remind})
	}
	return ts
}

// resolveTimers arms the resolve deadline due of work from from, and its
// reminder a fifth of the window before it, counted as cat counts the
// deadline: a working-time deadline's 催办 comes in working hours, not at
// night, at the weekend or on a holiday.
func (s *Service) resolveTimers(id int64, cat *guanjia.Category, from, due time.Time) []Timer {
	if cat.ResolveMode != guanjia.WorkingTime {
		return timerPair(id, TimerResolve, TimerResolveReminder, deadlineSeq(due), from, due)
	}
	remind := wholeSecond(s.Calendar.AddWorking(from, s.Calendar.WorkingBetween(from, due)*4/5).UTC())
	return remindedAt(id, TimerResolve, TimerResolveReminder, deadlineSeq(due), from, remind, due)
}

// save writes ch and then hands its timers and messages to the scheduler. A
// scheduler failure is logged, not returned: the rows are written and the
// reconciler re-arms them.
func (s *Service) save(ctx context.Context, ch *Change) error {
	if err := s.Store.SaveComplaint(ctx, ch); err != nil {
		return err
	}
	// The queue calls are independent round trips to Redis: make them at once.
	var wg sync.WaitGroup
	if s.Live != nil { // after the row, so a page that reloads on it sees the change
		wg.Go(func() { s.Live.ComplaintChanged(ctx, ch.Complaint, guanjia.InboxRecipients(ch.Messages)) })
	}
	near := s.Now().Add(s.ArmWithin)
	for _, t := range ch.Arm { // the store has filled in the IDs of a new complaint
		if s.ArmWithin > 0 && t.DueAt.After(near) {
			continue // the reconciler arms it before it is due
		}
		wg.Go(func() {
			if err := s.Scheduler.ArmTimer(ctx, t); err != nil {
				s.Log.Warn("arm timer; the reconciler will retry", "complaint", t.ComplaintID, "kind", t.Kind, "err", err)
			}
		})
	}
	s.deliver(ctx, &wg, ch.NotificationIDs)
	wg.Wait()
	return nil
}

// deliver queues the delivery of saved notifications on wg, each its own
// round trip. A failure is logged: the row is written and the requeue job
// retries it.
func (s *Service) deliver(ctx context.Context, wg *sync.WaitGroup, ids []int64) {
	for _, id := range ids {
		wg.Go(func() {
			if err := s.Scheduler.Deliver(ctx, id); err != nil {
				s.Log.Warn("queue notification; the reconciler will retry", "notification", id, "err", err)
			}
		})
	}
}

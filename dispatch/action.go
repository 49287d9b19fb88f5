package dispatch

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"guanjia"
	"guanjia/geo"
)

// ActionInput carries what an action needs; each action reads its own fields.
type ActionInput struct {
	Note        string   // resolve, close, remind, escalate, followup
	Reason      string   // return, reject, reopen, extend (required)
	Lat, Lng    *float64 // arrive
	CoordSystem string
	UnitCode    string   // dispatch to a unit
	CrewID      *int64   // dispatch to a crew member
	Photos      []string // resolve: ids of uploaded before/after photos
	Score       int      // rate: 3 满意, 2 基本满意, 1 不满意
	Solved      *bool    // rate: 问题是否解决
	Comment     string
	// RestartArrival (dispatch) gives the new crew a fresh on-site window;
	// it takes the citizen's clock back, so it needs a Reason.
	RestartArrival bool
	DuplicateOf    int64         // merge
	ExtendBy       time.Duration // extend
}

// Act takes action on complaint id as who. It checks the state table, the
// caller's role and ownership, writes the change and its event, and arms or
// cancels timers. An illegal transition is ECONFLICT.
func (s *Service) Act(ctx context.Context, who guanjia.Claims, id int64, action guanjia.Action, in ActionInput) (*guanjia.Complaint, error) {
	c, err := s.Store.FindComplaint(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.authorize(ctx, who, c); err != nil {
		return nil, err
	}
	if err := guanjia.CheckText("note", in.Note, guanjia.MaxNote, true); err != nil {
		return nil, err
	}
	to, err := next(c.Status, action, who.Role)
	if err != nil {
		return nil, err
	}
	if err := s.checkOwner(ctx, who, c, action); err != nil {
		return nil, err
	}
	cat, err := s.Store.FindCategory(ctx, c.Category)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	actor := who.UserID
	ch := &Change{Complaint: c}
	ev := &guanjia.Event{Action: action, From: c.Status, To: to, ActorID: &actor, ActorRole: who.Role, At: now}
	var progress [2]string // status word and note for the reporters, when they should hear

	switch action {
	case guanjia.ActionDispatch:
		route, err := s.overrideRoute(ctx, who, c, cat, in)
		if err != nil {
			return nil, err
		}
		note := firstNonEmpty(in.Note, "人工派遣")
		if in.RestartArrival {
			if err := requireReason(in.Reason); err != nil {
				return nil, err
			}
			note += "; 重新计算到场时限: " + in.Reason
		}
		if err := s.dispatchTo(ctx, ch, cat, route, &actor, who.Role, note, in.RestartArrival); err != nil {
			return nil, err
		}
		ev = nil // dispatchTo wrote the event
	case guanjia.ActionAccept:
		if c.AssigneeID == nil {
			c.AssigneeID = &actor // a unit-level task: whoever accepts owns it
		}
		c.AcceptedAt = &now
		if c.AcceptBy != nil && now.After(*c.AcceptBy) {
			c.MissedAccepts++ // signed for late, before the timer noticed
		}
		ch.Cancel = []TimerKind{TimerAccept, TimerAcceptWarn}
		progress = [2]string{"已受理", "处置人员已签收"}
	case guanjia.ActionArrive:
		lat, lng, err := s.arrivalPoint(in)
		if err != nil {
			return nil, err
		}
		if d := geo.Distance(lat, lng, c.Lat, c.Lng); d > ArrivalRadiusM {
			return nil, guanjia.FieldError(guanjia.EUNPROCESSABLE, "lat", "you are %.0f m from the site; check in within %d m", d, ArrivalRadiusM)
		}
		c.ArrivedAt = &now
		ch.Cancel = []TimerKind{TimerArrive, TimerArriveWarn}
		ev.Lat, ev.Lng = &lat, &lng
		progress = [2]string{"已到场", "处置人员已到达现场"}
	case guanjia.ActionResolve:
		if cat.PointToPoint && c.Status == guanjia.StatusAccepted && who.Role == guanjia.RoleCrew {
			return nil, guanjia.Errorf(guanjia.ECONFLICT, "check in on site before resolving")
		}
		if strings.TrimSpace(in.Note) == "" {
			return nil, guanjia.FieldError(guanjia.EINVALID, "note", "say what was done")
		}
		if err := s.checkPhotos(ctx, c.ID, in.Photos); err != nil {
			return nil, err
		}
		c.ResolvedAt = &now
		if c.ResolveBy != nil && now.After(*c.ResolveBy) {
			c.Overdue = true
		}
		ch.Cancel = []TimerKind{TimerAccept, TimerAcceptWarn, TimerArrive, TimerArriveWarn, TimerResolve, TimerResolveWarn}
		ev.Note = in.Note
		if len(in.Photos) > 0 {
			ev.Note += " [照片: " + strings.Join(in.Photos, ",") + "]"
		}
		progress = [2]string{"已处置", "已处置完成, 请评价"}
	case guanjia.ActionReturn:
		if err := requireReason(in.Reason); err != nil {
			return nil, err
		}
		c.AssigneeID = nil
		ch.Cancel = []TimerKind{TimerAccept, TimerAcceptWarn} // the citizen's on-site clock runs on
		ev.Note = in.Reason
		if ch.Messages, err = s.toCommandCenter(ctx, guanjia.TplManualQueue, c, map[string]string{"reason": "退单: " + in.Reason}); err != nil {
			return nil, err
		}
	case guanjia.ActionClose:
		if ch.Messages, err = s.callerClosed(ctx, c); err != nil { // 办结 SMS with the link to rate
			return nil, err
		}
		c.ClosedAt = &now
		ev.Note = in.Note
		progress = [2]string{"已办结", "核查通过, 已结案"}
	case guanjia.ActionReject:
		if err := requireReason(in.Reason); err != nil {
			return nil, err
		}
		c.ClosedAt = &now
		ch.Cancel = allTimers
		ev.Note = in.Reason
		progress = [2]string{"不予立案", in.Reason}
	case guanjia.ActionMerge:
		orig, err := s.Store.FindComplaint(ctx, in.DuplicateOf)
		if err != nil || orig.ID == c.ID || !orig.Status.Open() || orig.Status == guanjia.StatusDuplicate {
			return nil, guanjia.FieldError(guanjia.EINVALID, "duplicate_of", "merge into an open complaint other than this one")
		}
		c.DuplicateOf = &orig.ID
		ch.Cancel = allTimers
		ev.Note = fmt.Sprintf("合并至 #%d", orig.ID)
		followers, err := s.Store.ListFollowers(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		ch.Annotate = &Annotation{ComplaintID: orig.ID, Follow: followers, Events: []*guanjia.Event{{Action: guanjia.ActionMeToo,
			From: orig.Status, To: orig.Status, ActorID: &actor, ActorRole: who.Role, Note: fmt.Sprintf("#%d", c.ID), At: now}}}
	case guanjia.ActionReopen:
		if err := requireReason(in.Reason); err != nil {
			return nil, err
		}
		if err := s.reopen(ctx, ch, cat, &actor, who.Role, in.Reason); err != nil {
			return nil, err
		}
		ev = nil
	case guanjia.ActionRate:
		channel := guanjia.RatedInMiniProgram
		if who.Role != guanjia.RoleCitizen {
			channel = guanjia.RatedByPhone // an agent records what the reporter said on the phone
		}
		if err := s.rate(ctx, ch, cat, who, channel, in); err != nil {
			return nil, err
		}
		ev = nil
	case guanjia.ActionExtend:
		if err := requireReason(in.Reason); err != nil {
			return nil, err
		}
		if in.ExtendBy <= 0 || in.ExtendBy > 90*24*time.Hour {
			return nil, guanjia.FieldError(guanjia.EINVALID, "extend_by_s", "extend by a positive time of at most 90 days")
		}
		base := now
		if c.ResolveBy != nil && c.ResolveBy.After(now) {
			base = *c.ResolveBy
		}
		resolveBy := wholeSecond(base.Add(in.ExtendBy))
		c.ResolveBy = &resolveBy
		c.Overdue = false
		ch.Cancel = []TimerKind{TimerResolve, TimerResolveWarn}
		ch.Arm = s.timerPair(c.ID, TimerResolve, TimerResolveWarn, deadlineSeq(resolveBy), now, resolveBy)
		ev.Note = fmt.Sprintf("延期至 %s: %s", resolveBy.In(s.Calendar.Location()).Format("2006-01-02 15:04"), in.Reason)
	case guanjia.ActionRemind, guanjia.ActionEscalate:
		ev.Note = in.Note
		tpl, to := guanjia.TplSLAWarning, s.toResponsible
		if action == guanjia.ActionEscalate {
			tpl, to = guanjia.TplEscalation, s.toSupervisors // 督办 goes to the leaders and the command center too
			c.ManualEscalations++
		}
		if ch.Messages, err = to(ctx, c, tpl, map[string]string{"note": in.Note}); err != nil {
			return nil, err
		}
	case guanjia.ActionFollowUp:
		if strings.TrimSpace(in.Note) == "" {
			return nil, guanjia.FieldError(guanjia.EINVALID, "note", "record what the reporter said")
		}
		ev.Note = in.Note
	}
	if ev != nil { // dispatch, reopen and rate wrote their own events and status
		c.Status = to
		ch.Events = append(ch.Events, ev)
	}
	c.UpdatedAt = now
	if progress[0] != "" {
		followers, err := s.Store.ListFollowers(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range followers {
			note := progress[1]
			if f != c.ReporterID && action == guanjia.ActionReject {
				note = "经核实不予立案" // the staff's reason is for the reporter, not for those who follow (ViewFollower)
			}
			ch.Messages = append(ch.Messages, s.message(f, guanjia.ChannelSubscribe, guanjia.TplComplaintUpdate, c,
				map[string]string{"status": progress[0], "note": note}))
		}
	}
	if err := s.save(ctx, ch); err != nil {
		return nil, err
	}
	return c, nil
}

var allTimers = []TimerKind{TimerAccept, TimerAcceptWarn, TimerArrive, TimerArriveWarn, TimerResolve, TimerResolveWarn}

// reopen sends resolved or closed work back (返工) to whoever did it, with fresh deadlines.
func (s *Service) reopen(ctx context.Context, ch *Change, cat *guanjia.Category, actor *int64, role guanjia.Role, reason string) error {
	c := ch.Complaint
	now := s.Now()
	ch.Events = append(ch.Events, &guanjia.Event{Action: guanjia.ActionReopen, From: c.Status, To: guanjia.StatusDispatched,
		ActorID: actor, ActorRole: role, Note: reason, At: now})
	c.ReopenCount++
	// The reworked result is rated afresh (a new round); earlier ratings stay
	// in the ratings table and keep counting.
	c.ResolvedAt, c.ClosedAt, c.Overdue, c.Rating, c.RatingComment = nil, nil, false, 0, ""
	resolveBy := s.resolveDeadline(cat, now)
	c.ResolveBy = &resolveBy
	ch.Cancel = allTimers
	ch.Arm = s.timerPair(c.ID, TimerResolve, TimerResolveWarn, deadlineSeq(resolveBy), now, resolveBy)
	route := Route{GridID: c.GridID, District: c.District, UnitCode: c.UnitCode, CrewID: c.AssigneeID}
	c.Status = guanjia.StatusDispatched
	if err := s.dispatchTo(ctx, ch, cat, route, actor, role, "返工: "+reason, true); err != nil {
		return err
	}
	ch.Events[len(ch.Events)-1].From = guanjia.StatusDispatched
	return nil
}

// overrideRoute turns a dispatcher's choice of unit or crew member into a route.
func (s *Service) overrideRoute(ctx context.Context, who guanjia.Claims, c *guanjia.Complaint, cat *guanjia.Category, in ActionInput) (Route, error) {
	switch {
	case in.CrewID != nil:
		u, err := s.Store.FindUserByID(ctx, *in.CrewID)
		if err != nil || u.Role != guanjia.RoleCrew {
			return Route{}, guanjia.FieldError(guanjia.EINVALID, "crew", "crew member %d not found", *in.CrewID)
		}
		if who.Role == guanjia.RoleUnitAdmin && u.UnitCode != who.UnitCode {
			return Route{}, guanjia.FieldError(guanjia.EFORBIDDEN, "crew", "crew member %d is not in your unit", u.ID)
		}
		return Route{GridID: c.GridID, District: c.District, UnitCode: u.UnitCode, CrewID: &u.ID}, nil
	case in.UnitCode != "":
		if who.Role == guanjia.RoleUnitAdmin {
			return Route{}, guanjia.FieldError(guanjia.EFORBIDDEN, "unit", "a unit admin dispatches to crew members of the unit")
		}
		if _, err := s.Store.FindUnit(ctx, in.UnitCode); err != nil {
			return Route{}, guanjia.FieldError(guanjia.EINVALID, "unit", "unit %q not found", in.UnitCode)
		}
		return s.Router.RouteToUnit(ctx, cat, in.UnitCode, c.Lat, c.Lng), nil
	}
	return Route{}, guanjia.FieldError(guanjia.EINVALID, "unit", "name a unit or a crew member")
}

func (s *Service) arrivalPoint(in ActionInput) (float64, float64, error) {
	if in.Lat == nil || in.Lng == nil {
		return 0, 0, guanjia.FieldError(guanjia.EINVALID, "lat", "your position is required to check in")
	}
	sys := in.CoordSystem
	if sys == "" {
		sys = string(geo.WGS84)
	}
	lat, lng, err := geo.ToWGS84(geo.CoordSystem(sys), *in.Lat, *in.Lng)
	if err != nil {
		return 0, 0, guanjia.FieldError(guanjia.EINVALID, "lat", "%v", err)
	}
	return lat, lng, nil
}

func (s *Service) checkPhotos(ctx context.Context, complaintID int64, ids []string) error {
	for _, id := range ids {
		p, err := s.Store.FindPhoto(ctx, id)
		if err != nil || p.ComplaintID != complaintID {
			return guanjia.FieldError(guanjia.EINVALID, "photos", "photo %q is not attached to this complaint", id)
		}
	}
	return nil
}

func requireReason(r string) error {
	if strings.TrimSpace(r) == "" {
		return guanjia.FieldError(guanjia.EINVALID, "reason", "a reason is required")
	}
	if utf8.RuneCountInString(r) > 500 {
		return guanjia.FieldError(guanjia.EINVALID, "reason", "reason is longer than 500 characters")
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// checkOwner enforces who may act on this particular complaint beyond their role.
func (s *Service) checkOwner(ctx context.Context, who guanjia.Claims, c *guanjia.Complaint, action guanjia.Action) error {
	switch who.Role {
	case guanjia.RoleCrew:
		mine := c.AssigneeID != nil && *c.AssigneeID == who.UserID
		unitTask := c.AssigneeID == nil && c.UnitCode == who.UnitCode && slices.Contains([]guanjia.Action{guanjia.ActionAccept, guanjia.ActionReturn}, action)
		if !mine && !unitTask {
			return guanjia.Errorf(guanjia.EFORBIDDEN, "this task is not yours")
		}
	case guanjia.RoleCitizen:
		if c.ReporterID != who.UserID {
			return guanjia.Errorf(guanjia.EFORBIDDEN, "only the reporter rates a complaint")
		}
	}
	return nil
}

package dispatch

import (
	"context"
	"slices"

	"guanjia"
)

// View is how much of a complaint its caller sees.
type View int

const (
	// ViewFull is the whole complaint: staff within their scope, and the
	// citizen who reported it (without the caller's phone).
	ViewFull View = iota + 1
	// ViewFollower is what a citizen who follows someone else's report (a
	// me-too, or a merge) sees: how the work goes, never another person's
	// words, place, photos or identity. See followerView.
	ViewFollower
)

// StaffSees says whether a staff member may see complaint c: the hotline
// and command center everything, a unit admin their unit's, a crew member
// their tasks and their unit's unassigned open ones. The live feed applies
// the same rule to every change it fans out.
func StaffSees(who guanjia.Claims, c *guanjia.Complaint) bool {
	switch who.Role {
	case guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleAdmin:
		return true
	case guanjia.RoleUnitAdmin:
		return who.InUnit(c.UnitCode)
	case guanjia.RoleCrew:
		return (c.AssigneeID != nil && *c.AssigneeID == who.UserID) || (c.AssigneeID == nil && who.InUnit(c.UnitCode) && c.Status.Open())
	}
	return false
}

// OwnReport says whether c is who's own report: a citizen's from the
// mini-program, or a 网格员's from patrol. List shows them theirs.
func OwnReport(who guanjia.Claims, c *guanjia.Complaint) bool {
	return (who.Role == guanjia.RoleCitizen || who.Role == guanjia.RoleGridManager) && c.ReporterID == who.UserID
}

// authorize says how much of complaint c who may see: staff by StaffSees,
// a reporter their own report fully, and a citizen one they follow as a
// follower.
func (s *Service) authorize(ctx context.Context, who guanjia.Claims, c *guanjia.Complaint) (View, error) {
	switch {
	case StaffSees(who, c), OwnReport(who, c):
		return ViewFull, nil
	case who.Role == guanjia.RoleCitizen:
		if ok, err := s.Store.IsFollower(ctx, c.ID, who.UserID); err != nil {
			return 0, err
		} else if ok {
			return ViewFollower, nil
		}
	}
	// Not found rather than forbidden: do not confirm that someone else's complaint exists.
	return 0, guanjia.Errorf(guanjia.ENOTFOUND, "complaint %d not found", c.ID)
}

// authorizeFull is authorize for what only a full viewer may do: open or
// add photos. A follower is told the complaint is not found.
func (s *Service) authorizeFull(ctx context.Context, who guanjia.Claims, c *guanjia.Complaint) error {
	view, err := s.authorize(ctx, who, c)
	if err == nil && view != ViewFull {
		err = guanjia.Errorf(guanjia.ENOTFOUND, "complaint %d not found", c.ID)
	}
	return err
}

// followerView is complaint c as a follower sees it: its status, category,
// place on the grid (district, grid, unit) and deadlines. The description,
// address, coordinates, source, reporter, caller, assignee and rating are
// another person's and are left out.
func followerView(c *guanjia.Complaint) *guanjia.Complaint {
	return &guanjia.Complaint{
		ID: c.ID, Category: c.Category, Status: c.Status, GridID: c.GridID, District: c.District, UnitCode: c.UnitCode,
		DuplicateOf: c.DuplicateOf, ReopenCount: c.ReopenCount, Overdue: c.Overdue,
		AcceptBy: c.AcceptBy, ArriveBy: c.ArriveBy, ResolveBy: c.ResolveBy,
		DispatchedAt: c.DispatchedAt, AcceptedAt: c.AcceptedAt, ArrivedAt: c.ArrivedAt, ResolvedAt: c.ResolvedAt, ClosedAt: c.ClosedAt,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

// followerEvents is a timeline as a follower sees it: what happened and
// when. Notes (staff may name people in them), actors, assignees and
// check-in positions are left out.
func followerEvents(events []*guanjia.Event) []*guanjia.Event {
	out := make([]*guanjia.Event, len(events))
	for i, e := range events {
		out[i] = &guanjia.Event{ID: e.ID, ComplaintID: e.ComplaintID, Action: e.Action, From: e.From, To: e.To, At: e.At}
	}
	return out
}

// reporterNotes are the steps whose note the reporter reads: what was done
// and why. The others' (催办, 督办, a 退单's reason, 回访 notes) are what
// staff tell each other.
var reporterNotes = []guanjia.Action{guanjia.ActionResolve, guanjia.ActionReject, guanjia.ActionReopen,
	guanjia.ActionExtend, guanjia.ActionMerge, guanjia.ActionClose}

// reporterEvents is a timeline as its citizen reporter sees it: their own
// steps whole; of staff's, what happened, when, which unit, and the notes
// meant for them, never who did it or where a crew member stood.
func reporterEvents(events []*guanjia.Event, reporter int64) []*guanjia.Event {
	out := make([]*guanjia.Event, len(events))
	for i, e := range events {
		if e.ActorID != nil && *e.ActorID == reporter {
			out[i] = e
			continue
		}
		out[i] = &guanjia.Event{ID: e.ID, ComplaintID: e.ComplaintID, Action: e.Action, From: e.From, To: e.To,
			ActorRole: e.ActorRole, UnitCode: e.UnitCode, At: e.At}
		if slices.Contains(reporterNotes, e.Action) {
			out[i].Note = e.Note
		}
	}
	return out
}

// Detail is a complaint with its timeline and photos, as its caller may see it.
type Detail struct {
	*guanjia.Complaint
	View    View
	Events  []*guanjia.Event
	Photos  []*guanjia.Photo
	Actions []guanjia.Action // what the caller may do now
}

// Get returns complaint id with its timeline, as much of it as who may see.
func (s *Service) Get(ctx context.Context, who guanjia.Claims, id int64) (*Detail, error) {
	c, err := s.Store.FindComplaint(ctx, id)
	if err != nil {
		return nil, err
	}
	view, err := s.authorize(ctx, who, c)
	if err != nil {
		return nil, err
	}
	events, err := s.Store.ListEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	if view == ViewFollower {
		return &Detail{Complaint: followerView(c), View: view, Events: followerEvents(events)}, nil
	}
	photos, err := s.Store.ListPhotos(ctx, id)
	if err != nil {
		return nil, err
	}
	if who.Role == guanjia.RoleCitizen {
		c.CallerPhone = ""
		events = reporterEvents(events, who.UserID)
	}
	actions, err := s.actionsOn(ctx, c, who)
	if err != nil {
		return nil, err
	}
	return &Detail{Complaint: c, View: view, Events: events, Photos: photos, Actions: actions}, nil
}

// List returns a page of the complaints who may see, newest first, and the total.
func (s *Service) List(ctx context.Context, who guanjia.Claims, f guanjia.ComplaintFilter) ([]*guanjia.Complaint, int, error) {
	switch who.Role {
	case guanjia.RoleCitizen, guanjia.RoleGridManager: // a 网格员: their own patrol reports
		f.ReporterID = &who.UserID
	case guanjia.RoleCrew: // their tasks, and their unit's queue they may sign for (checkOwner)
		f.AssigneeID, f.QueueOf = &who.UserID, who.UnitCode
	case guanjia.RoleUnitAdmin:
		f.UnitCode = who.UnitCode
	case guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleAdmin:
	default:
		return nil, 0, guanjia.Errorf(guanjia.EFORBIDDEN, "not allowed")
	}
	f.Page = min(max(f.Page, 1), guanjia.MaxPage) // bounds OFFSET = (page-1)·per_page
	if f.PerPage < 1 || f.PerPage > 200 {
		f.PerPage = 50
	}
	list, total, err := s.Store.ListComplaints(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if who.Role == guanjia.RoleCitizen { // their own reports, and those they follow as followers
		for i, c := range list {
			if c.ReporterID != who.UserID {
				list[i] = followerView(c)
			}
			list[i].CallerPhone = "" // as Get: a citizen never reads a caller's phone
		}
	}
	return list, total, nil
}

// Crews lists crew members with their open tasks, for dispatchers choosing
// whom to send: every unit for the command center, their own for a unit admin.
func (s *Service) Crews(ctx context.Context, who guanjia.Claims, unitCode string) ([]CrewLoad, error) {
	switch who.Role {
	case guanjia.RoleUnitAdmin:
		unitCode = who.UnitCode
	case guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleAdmin:
	default:
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "the crew list is for the command center and units")
	}
	return s.Store.Crews(ctx, unitCode)
}

// actionsOn lists what who may do to c now, by the state table: its rows
// read on c's status, and those read on its joined order's (onJoined: the
// rating), none of which once this round is rated (a second would be a 409);
// less those that are another's to take (checkOwner).
func (s *Service) actionsOn(ctx context.Context, c *guanjia.Complaint, who guanjia.Claims) ([]guanjia.Action, error) {
	var actions []guanjia.Action
	add := func(status guanjia.Status, onJoined bool) {
		for _, a := range Allowed(status, who.Role) {
			if transitions[a].onJoined == onJoined && checkOwner(who, c, a) == nil {
				actions = append(actions, a)
			}
		}
	}
	add(c.Status, false)
	if c.Rating == 0 {
		joined, err := s.joinedOrder(ctx, c)
		if err != nil {
			return nil, err
		}
		add(joined.Status, true)
	}
	slices.Sort(actions)
	return actions, nil
}

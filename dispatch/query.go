package dispatch

import (
	"context"

	"guanjia"
)

// authorize says whether who may see complaint c: a citizen their own (or one
// they follow), a crew member their tasks and their unit's unassigned ones, a
// unit admin their unit's, the hotline and command center everything.
func (s *Service) authorize(ctx context.Context, who guanjia.Claims, c *guanjia.Complaint) error {
	switch who.Role {
	case guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleAdmin:
		return nil
	case guanjia.RoleUnitAdmin:
		if c.UnitCode == who.UnitCode {
			return nil
		}
	case guanjia.RoleCrew:
		if (c.AssigneeID != nil && *c.AssigneeID == who.UserID) || (c.AssigneeID == nil && c.UnitCode == who.UnitCode && c.Status.Open()) {
			return nil
		}
	case guanjia.RoleCitizen:
		if c.ReporterID == who.UserID {
			return nil
		}
		if ok, err := s.Store.IsFollower(ctx, c.ID, who.UserID); err != nil {
			return err
		} else if ok {
			return nil
		}
	}
	// Not found rather than forbidden: do not confirm that someone else's complaint exists.
	return guanjia.Errorf(guanjia.ENOTFOUND, "complaint %d not found", c.ID)
}

// Detail is a complaint with its timeline and photos.
type Detail struct {
	*guanjia.Complaint
	Events  []*guanjia.Event
	Photos  []*guanjia.Photo
	Actions []guanjia.Action // what the caller may do now
}

// Get returns complaint id with its timeline, if who may see it.
func (s *Service) Get(ctx context.Context, who guanjia.Claims, id int64) (*Detail, error) {
	c, err := s.Store.FindComplaint(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, who, c); err != nil {
		return nil, err
	}
	events, err := s.Store.ListEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	photos, err := s.Store.ListPhotos(ctx, id)
	if err != nil {
		return nil, err
	}
	if who.Role == guanjia.RoleCitizen {
		c.CallerPhone = ""
	}
	return &Detail{Complaint: c, Events: events, Photos: photos, Actions: Allowed(c.Status, who.Role)}, nil
}

// List returns a page of the complaints who may see, newest first, and the total.
func (s *Service) List(ctx context.Context, who guanjia.Claims, f guanjia.ComplaintFilter) ([]*guanjia.Complaint, int, error) {
	switch who.Role {
	case guanjia.RoleCitizen:
		f.ReporterID = &who.UserID
	case guanjia.RoleCrew:
		f.AssigneeID = &who.UserID
	case guanjia.RoleUnitAdmin:
		f.UnitCode = who.UnitCode
	case guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleAdmin:
	default:
		return nil, 0, guanjia.Errorf(guanjia.EFORBIDDEN, "not allowed")
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage < 1 || f.PerPage > 200 {
		f.PerPage = 50
	}
	return s.Store.ListComplaints(ctx, f)
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

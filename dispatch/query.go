package dispatch

import (
	"context"
	"sort"
	"time"

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

// Stats computes the command center's figures over [from, to): overall and
// by unit, category and day (days in the calendar's time zone).
func (s *Service) Stats(ctx context.Context, who guanjia.Claims, from, to time.Time) (*StatsReport, error) {
	if !who.Role.IsStaff() || who.Role == guanjia.RoleCrew {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "statistics are for the command center and units")
	}
	rows, err := s.Store.StatsRows(ctx, from, to)
	if err != nil {
		return nil, err
	}
	rep := &StatsReport{From: from, To: to}
	byUnit, byCat, byDay := map[string]*guanjia.Stats{}, map[string]*guanjia.Stats{}, map[string]*guanjia.Stats{}
	for _, c := range rows {
		if who.Role == guanjia.RoleUnitAdmin && c.UnitCode != who.UnitCode {
			continue
		}
		day := c.CreatedAt.In(s.Calendar.Location()).Format("2006-01-02")
		for _, st := range []*guanjia.Stats{&rep.Total, group(byUnit, c.UnitCode), group(byCat, c.Category), group(byDay, day)} {
			count(st, c)
		}
	}
	finish(&rep.Total)
	rep.ByUnit, rep.ByCategory, rep.ByDay = rowsOf(byUnit), rowsOf(byCat), rowsOf(byDay)
	return rep, nil
}

// StatsReport is what GET /api/v1/stats answers.
type StatsReport struct {
	From, To   time.Time
	Total      guanjia.Stats
	ByUnit     []guanjia.StatsRow
	ByCategory []guanjia.StatsRow
	ByDay      []guanjia.StatsRow
}

func group(m map[string]*guanjia.Stats, key string) *guanjia.Stats {
	if m[key] == nil {
		m[key] = &guanjia.Stats{}
	}
	return m[key]
}

// count adds one complaint. Duplicates are not received work: their original is.
func count(st *guanjia.Stats, c *guanjia.Complaint) {
	if c.Status == guanjia.StatusDuplicate {
		return
	}
	st.Received++
	onTime := c.ResolvedAt != nil && c.ResolveBy != nil && !c.ResolvedAt.After(*c.ResolveBy)
	if c.ResolvedAt != nil {
		st.Handled++
		if onTime {
			st.OnTime++
		}
		if c.ReopenCount > 0 {
			st.Reopened++
		}
	}
	if c.Status == guanjia.StatusClosed {
		st.Closed++
		if onTime {
			st.ClosedOnTimeN++
		}
	}
	if c.Rating > 0 {
		st.Rated++
		if c.Rating >= guanjia.RatingFair {
			st.Satisfied++
		}
	}
}

func finish(st *guanjia.Stats) {
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(int(float64(a)/float64(b)*10000+0.5)) / 10000
	}
	st.HandlingRate = ratio(st.Handled, st.Received)
	st.OnTimeRate = ratio(st.OnTime, st.Handled)
	st.ClosedOnTime = ratio(st.ClosedOnTimeN, st.Closed)
	st.ReworkRate = ratio(st.Reopened, st.Handled)
	st.SatisfactionRate = ratio(st.Satisfied, st.Rated)
}

func rowsOf(m map[string]*guanjia.Stats) []guanjia.StatsRow {
	out := make([]guanjia.StatsRow, 0, len(m))
	for k, st := range m {
		finish(st)
		out = append(out, guanjia.StatsRow{Key: k, Stats: *st})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
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

package dispatch

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"guanjia"
)

// strandedBatch bounds the tasks one HandOver run moves; the next run takes the rest.
const strandedBatch = 200

// canHold says whether u may go on holding complaint c's task: an enabled
// account of a crew member or leader of c's unit. The store's StrandedTasks
// asks the same of every open task at once.
func canHold(u *guanjia.User, c *guanjia.Complaint) bool {
	return !u.Disabled() && (u.Role == guanjia.RoleCrew || u.Role == guanjia.RoleUnitAdmin) && u.UnitCode == c.UnitCode
}

// HandOver moves the open tasks of staff who can no longer hold them — their
// account was disabled, or they left the unit or its crews — to another
// crew member of the unit, or to its queue, as the system's 改派. The
// citizen's on-site clock runs on, and an arrival already made stays made.
// The reconciler runs it: the database says who holds what, so a change
// made anywhere (the console, the command line) is caught. It answers how
// many tasks it moved; a task that fails does not hold up the others.
func (s *Service) HandOver(ctx context.Context) (int, error) {
	ids, err := s.Store.StrandedTasks(ctx, strandedBatch)
	if err != nil {
		return 0, err
	}
	moved := 0
	var failed []error
	for _, id := range ids {
		// A crew member's step may land meanwhile: re-read and decide again.
		done, err := guanjia.UntilSettled(func() (bool, error) { return s.handOver(ctx, id) })
		if err != nil {
			failed = append(failed, fmt.Errorf("hand over complaint %d: %w", id, err))
		} else if done {
			moved++
		}
	}
	return moved, errors.Join(failed...)
}

func (s *Service) handOver(ctx context.Context, id int64) (bool, error) {
	c, err := s.Store.FindComplaint(ctx, id)
	if err != nil {
		return false, err
	}
	if !slices.Contains(inProgress, c.Status) || c.AssigneeID == nil {
		return false, nil
	}
	u, err := s.Store.FindUserByID(ctx, *c.AssigneeID)
	if lookupFailed(err) {
		return false, err
	}
	var why string
	switch {
	case err != nil: // no such user: nobody holds it
		why = "原处置人员账号不存在"
	case canHold(u, c):
		return false, nil
	case u.Disabled():
		why = "原处置人员账号已停用"
	case u.UnitCode != c.UnitCode:
		why = "原处置人员已调离本单位"
	default:
		why = "原处置人员已调整岗位"
	}
	cat, err := s.Store.FindCategory(ctx, c.Category)
	if err != nil {
		return false, err
	}
	a := &act{s: s, c: c, cat: cat, now: s.Now(), ch: &Change{Complaint: c}}
	if err := a.countAcceptMiss(ctx); err != nil { // an unnoticed miss stays counted, as at a desk's 改派
		return false, err
	}
	c.UpdatedAt = a.now
	route := s.Router.RouteToUnit(ctx, cat, c.UnitCode, c.Lat, c.Lng)
	if err := s.dispatchTo(ctx, a.ch, cat, route, nil, "", why+", 改派: "+route.Reason, false); err != nil {
		return false, err
	}
	return true, s.save(ctx, a.ch)
}

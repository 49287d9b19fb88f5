package dispatch

import (
	"context"
	"slices"

	"guanjia"
)

// transition is one row of the complaint state table: the statuses an action
// may start from, the status it leads to ("" = unchanged), who may take it
// and the step that fills in its change (see act). again says the step may
// run again when its save is refused because someone saved the complaint
// meanwhile (guanjia.UntilSettled): a step whose outcome the table decides. A
// choice the caller made on what they saw (a dispatch, an extension, a
// rating) is refused instead, and they reload. onJoined says from is read
// on the order c's problem is worked on under (joinedOrder), not on c: a
// me-too is rated once the order it joined is done.
type transition struct {
	from     []guanjia.Status
	to       guanjia.Status
	roles    []guanjia.Role
	do       func(*act, context.Context) error
	again    bool
	onJoined bool
}

var (
	open       = []guanjia.Status{guanjia.StatusSubmitted, guanjia.StatusDispatched, guanjia.StatusAccepted, guanjia.StatusOnSite, guanjia.StatusResolved, guanjia.StatusReturned}
	inProgress = []guanjia.Status{guanjia.StatusDispatched, guanjia.StatusAccepted, guanjia.StatusOnSite}
	staffDesk  = []guanjia.Role{guanjia.RoleDispatcher, guanjia.RoleAdmin}
)

// transitions is the whole complaint state machine: 采集 → 立案 → 派遣 → 处置 →
// 反馈 → 核查 → 结案 → 评价, with 退单, 返工, 不予立案 and merging of duplicates.
// Every action not listed here, or taken from a status not listed, is a 409.
// Each row's do is the action's step: crewaction.go for the crew's,
// deskaction.go for the command center's.
var transitions = map[guanjia.Action]transition{
	guanjia.ActionDispatch: {from: []guanjia.Status{guanjia.StatusSubmitted, guanjia.StatusDispatched, guanjia.StatusReturned},
		to: guanjia.StatusDispatched, roles: []guanjia.Role{guanjia.RoleDispatcher, guanjia.RoleAdmin, guanjia.RoleUnitAdmin},
		do: (*act).dispatch},
	guanjia.ActionAccept: {from: []guanjia.Status{guanjia.StatusDispatched},
		to: guanjia.StatusAccepted, roles: []guanjia.Role{guanjia.RoleCrew, guanjia.RoleUnitAdmin},
		do: (*act).accept, again: true},
	guanjia.ActionReturn: {from: []guanjia.Status{guanjia.StatusDispatched, guanjia.StatusAccepted},
		to: guanjia.StatusReturned, roles: []guanjia.Role{guanjia.RoleCrew, guanjia.RoleUnitAdmin},
		do: (*act).giveBack, again: true},
	// Whoever signed for the task checks in on site: a crew member, or the
	// unit's leader who took it from the unit's queue (checkOwner).
	guanjia.ActionArrive: {from: []guanjia.Status{guanjia.StatusAccepted},
		to: guanjia.StatusOnSite, roles: []guanjia.Role{guanjia.RoleCrew, guanjia.RoleUnitAdmin},
		do: (*act).arrive, again: true},
	guanjia.ActionResolve: {from: []guanjia.Status{guanjia.StatusAccepted, guanjia.StatusOnSite},
		to: guanjia.StatusResolved, roles: []guanjia.Role{guanjia.RoleCrew, guanjia.RoleUnitAdmin},
		do: (*act).resolve, again: true},
	guanjia.ActionClose: {from: []guanjia.Status{guanjia.StatusResolved},
		to: guanjia.StatusClosed, roles: staffDesk,
		do: (*act).close, again: true},
	guanjia.ActionReject: {from: []guanjia.Status{guanjia.StatusSubmitted, guanjia.StatusReturned},
		to: guanjia.StatusRejected, roles: staffDesk,
		do: (*act).reject, again: true},
	guanjia.ActionMerge: {from: []guanjia.Status{guanjia.StatusSubmitted, guanjia.StatusDispatched, guanjia.StatusReturned},
		to: guanjia.StatusDuplicate, roles: staffDesk,
		do: (*act).merge, again: true},
	guanjia.ActionReopen: {from: []guanjia.Status{guanjia.StatusResolved, guanjia.StatusClosed},
		to: guanjia.StatusDispatched, roles: staffDesk,
		do: (*act).reopen, again: true},
	// 回访: the reporter rates in the mini-program; an agent records a caller's answer by phone.
	guanjia.ActionRate: {from: []guanjia.Status{guanjia.StatusResolved, guanjia.StatusClosed},
		roles: []guanjia.Role{guanjia.RoleCitizen, guanjia.RoleAgent, guanjia.RoleDispatcher},
		do:    (*act).rate, onJoined: true},
	// Actions that leave the status as it is but belong on the timeline.
	guanjia.ActionExtend: {from: inProgress, roles: staffDesk,
		do: (*act).extend},
	guanjia.ActionRemind: {from: open, roles: []guanjia.Role{guanjia.RoleDispatcher, guanjia.RoleAdmin, guanjia.RoleAgent},
		do: (*act).remind},
	guanjia.ActionEscalate: {from: open, roles: staffDesk,
		do: (*act).escalate},
	guanjia.ActionFollowUp: {from: []guanjia.Status{guanjia.StatusResolved, guanjia.StatusClosed},
		roles: []guanjia.Role{guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleAdmin},
		do:    (*act).followUp},
}

// next returns the status action leads to from status, or ECONFLICT when the
// table has no such transition, or EFORBIDDEN when role may not take it.
func next(status guanjia.Status, action guanjia.Action, role guanjia.Role) (guanjia.Status, error) {
	t, ok := transitions[action]
	if !ok {
		return "", guanjia.Errorf(guanjia.EINVALID, "unknown action %q", action)
	}
	if !slices.Contains(t.roles, role) {
		return "", guanjia.Errorf(guanjia.EFORBIDDEN, "a %s may not %s a complaint", role, action)
	}
	if !slices.Contains(t.from, status) {
		return "", guanjia.Errorf(guanjia.ECONFLICT, "cannot %s a complaint that is %s", action, status)
	}
	if t.to == "" {
		return status, nil
	}
	return t.to, nil
}

// decide returns the status action leads c to when role takes it, by the
// table: next on c's status, or on its joined order's for a row read there
// (onJoined), which leaves c's own status as it is.
func (s *Service) decide(ctx context.Context, c *guanjia.Complaint, action guanjia.Action, role guanjia.Role) (guanjia.Status, error) {
	if !transitions[action].onJoined {
		return next(c.Status, action, role)
	}
	joined, err := s.joinedOrder(ctx, c)
	if err != nil {
		return "", err
	}
	if _, err := next(joined.Status, action, role); err != nil {
		return "", err
	}
	return c.Status, nil
}

// Allowed lists the actions role may take on a complaint in status, for the console's buttons.
func Allowed(status guanjia.Status, role guanjia.Role) []guanjia.Action {
	var out []guanjia.Action
	for a, t := range transitions {
		if slices.Contains(t.roles, role) && slices.Contains(t.from, status) {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

package mediation

import (
	"slices"

	"guanjia"
)

// transition is one row of the dispute state table: the statuses an action
// may start from, the status it leads to ("" = unchanged) and who may take it.
// An action taken once per case has again, which refuses a second (409).
type transition struct {
	from  []guanjia.DisputeStatus
	to    guanjia.DisputeStatus
	roles []guanjia.Role
	again func(*guanjia.Dispute) error
}

var (
	// running are the statuses in which the one-month clock runs.
	running   = []guanjia.DisputeStatus{guanjia.DisputeAccepted, guanjia.DisputeRouted, guanjia.DisputeMediating}
	beforeEnd = append([]guanjia.DisputeStatus{guanjia.DisputeReported}, running...)
	desk      = []guanjia.Role{guanjia.RoleDispatcher, guanjia.RoleAdmin}
	// committeeStaff mediate: 调解员 of a people's committee, and the
	// department's staff for 行政调解.
	committeeStaff   = []guanjia.Role{guanjia.RoleMediator, guanjia.RoleDepartment, guanjia.RoleAdmin}
	deskAndCommittee = []guanjia.Role{guanjia.RoleDispatcher, guanjia.RoleMediator, guanjia.RoleDepartment, guanjia.RoleAdmin}
)

// transitions is the whole mediation workflow: 受理 → 分流 → 指派 → 调解
// (sessions and their records) → 调解成功 (协议书, 司法确认, 回访) or 调解不成
// (advice) → 结案; 撤回 before the outcome. Anything else is a 409.
var transitions = map[guanjia.DisputeAction]transition{
	guanjia.DisputeAccept: {from: []guanjia.DisputeStatus{guanjia.DisputeReported},
		to: guanjia.DisputeAccepted, roles: deskAndCommittee},
	guanjia.DisputeRoute: {from: []guanjia.DisputeStatus{guanjia.DisputeAccepted, guanjia.DisputeRouted},
		to: guanjia.DisputeRouted, roles: deskAndCommittee},
	guanjia.DisputeAssign: {from: []guanjia.DisputeStatus{guanjia.DisputeRouted, guanjia.DisputeMediating},
		to: guanjia.DisputeMediating, roles: deskAndCommittee},
	guanjia.DisputeSchedule: {from: []guanjia.DisputeStatus{guanjia.DisputeMediating}, roles: committeeStaff},
	guanjia.DisputeRecord:   {from: []guanjia.DisputeStatus{guanjia.DisputeMediating}, roles: committeeStaff},
	guanjia.DisputeSucceed: {from: []guanjia.DisputeStatus{guanjia.DisputeMediating},
		to: guanjia.DisputeSucceeded, roles: committeeStaff},
	guanjia.DisputeFail: {from: []guanjia.DisputeStatus{guanjia.DisputeMediating},
		to: guanjia.DisputeFailed, roles: committeeStaff},
	guanjia.DisputeWithdraw: {from: beforeEnd,
		to: guanjia.DisputeWithdrawn, roles: []guanjia.Role{guanjia.RoleCitizen, guanjia.RoleDispatcher, guanjia.RoleMediator, guanjia.RoleDepartment, guanjia.RoleAdmin}},
	guanjia.DisputeRequestConfirmation: {from: []guanjia.DisputeStatus{guanjia.DisputeSucceeded},
		to: guanjia.DisputeConfirming, roles: committeeStaff,
		again: func(d *guanjia.Dispute) error {
			if d.ConfirmationStatus != "" {
				return guanjia.Errorf(guanjia.ECONFLICT, "the agreement was already sent for court confirmation")
			}
			return nil
		}},
	guanjia.DisputeConfirm: {from: []guanjia.DisputeStatus{guanjia.DisputeConfirming},
		to: guanjia.DisputeSucceeded, roles: deskAndCommittee},
	guanjia.DisputeFollowUp: {from: []guanjia.DisputeStatus{guanjia.DisputeSucceeded},
		roles: []guanjia.Role{guanjia.RoleMediator, guanjia.RoleDepartment, guanjia.RoleGridManager, guanjia.RoleAdmin},
		again: func(d *guanjia.Dispute) error {
			if d.FollowUpAt != nil {
				return guanjia.Errorf(guanjia.ECONFLICT, "the agreement was already followed up (回访)")
			}
			return nil
		}},
	guanjia.DisputeClose: {from: []guanjia.DisputeStatus{guanjia.DisputeSucceeded, guanjia.DisputeFailed, guanjia.DisputeWithdrawn},
		to: guanjia.DisputeClosed, roles: deskAndCommittee},
}

// next returns the status action leads to from status: EINVALID for an
// unknown action, EFORBIDDEN when role may not take it, ECONFLICT when the
// table has no such transition.
func next(status guanjia.DisputeStatus, action guanjia.DisputeAction, role guanjia.Role) (guanjia.DisputeStatus, error) {
	t, ok := transitions[action]
	if !ok {
		return "", guanjia.FieldError(guanjia.EINVALID, "action", "unknown action %q", action)
	}
	if !slices.Contains(t.roles, role) {
		return "", guanjia.Errorf(guanjia.EFORBIDDEN, "a %s may not %s a dispute", role, action)
	}
	if !slices.Contains(t.from, status) {
		return "", guanjia.Errorf(guanjia.ECONFLICT, "cannot %s a dispute that is %s", action, status)
	}
	if t.to == "" {
		return status, nil
	}
	return t.to, nil
}

// again refuses an action taken once per case that d has had (the table's again).
func again(d *guanjia.Dispute, action guanjia.DisputeAction) error {
	if t := transitions[action]; t.again != nil {
		return t.again(d)
	}
	return nil
}

// allowed lists the actions role may take from status, sorted.
func allowed(status guanjia.DisputeStatus, role guanjia.Role) []guanjia.DisputeAction {
	var out []guanjia.DisputeAction
	for a, t := range transitions {
		if slices.Contains(t.roles, role) && slices.Contains(t.from, status) {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

// open reports whether the one-month clock runs in status.
func open(status guanjia.DisputeStatus) bool { return slices.Contains(running, status) }

// statusName is the Chinese name of a status, for the notifications (sent
// in Chinese); messages and the API say statuses through the i18n catalogue.
func statusName(s guanjia.DisputeStatus) string {
	if n := statusNames[s]; n != "" {
		return n
	}
	return string(s)
}

var statusNames = map[guanjia.DisputeStatus]string{
	guanjia.DisputeReported: "待受理", guanjia.DisputeAccepted: "已受理", guanjia.DisputeRouted: "已分流",
	guanjia.DisputeMediating: "调解中", guanjia.DisputeSucceeded: "调解成功", guanjia.DisputeConfirming: "司法确认中",
	guanjia.DisputeFailed: "调解不成", guanjia.DisputeWithdrawn: "已撤回", guanjia.DisputeClosed: "已结案",
}

package credit

import (
	"cmp"
	"slices"

	"guanjia"
)

// transition is one row of the entry state table: the statuses an action may
// start from, the status it leads to ("" = unchanged, unless back names one
// for the status it starts from) and who may take it (the empty role is the
// system: the expiry job).
type transition struct {
	from  []guanjia.CreditStatus
	to    guanjia.CreditStatus
	back  map[guanjia.CreditStatus]guanjia.CreditStatus
	roles []guanjia.Role
}

var (
	publishers = []guanjia.Role{guanjia.RoleDepartment, guanjia.RoleAdmin}
	anyStatus  = []guanjia.CreditStatus{guanjia.CreditActive, guanjia.CreditExpired, guanjia.CreditRepaired, guanjia.CreditRevoked}
)

// transitions is the whole life of a list entry or public record: published
// active, it leaves public view when its period ends (expired), when a
// 信用修复 is approved (repaired) or when the department withdraws it
// (revoked). Anything not listed is a 409.
var transitions = map[guanjia.CreditAction]transition{
	guanjia.CreditPublish: {from: []guanjia.CreditStatus{""}, to: guanjia.CreditActive, roles: publishers},
	// A re-import with corrected content keeps the status: a repaired entry
	// does not come back because an old file was uploaded again. An expired
	// one does: the file extends its period (the import refuses a period
	// already over).
	guanjia.CreditAmend: {from: anyStatus, back: map[guanjia.CreditStatus]guanjia.CreditStatus{guanjia.CreditExpired: guanjia.CreditActive},
		roles: publishers},
	guanjia.CreditExpire:       {from: []guanjia.CreditStatus{guanjia.CreditActive}, to: guanjia.CreditExpired, roles: []guanjia.Role{""}},
	guanjia.CreditRepairApply:  {from: []guanjia.CreditStatus{guanjia.CreditActive}, roles: []guanjia.Role{guanjia.RoleCitizen, guanjia.RoleDepartment, guanjia.RoleAdmin}},
	guanjia.CreditRepairRefuse: {from: anyStatus, roles: publishers},
	guanjia.CreditRepair:       {from: []guanjia.CreditStatus{guanjia.CreditActive}, to: guanjia.CreditRepaired, roles: publishers},
	guanjia.CreditRevoke:       {from: []guanjia.CreditStatus{guanjia.CreditActive, guanjia.CreditExpired}, to: guanjia.CreditRevoked, roles: publishers},
}

// next returns the status action leads to from status: EFORBIDDEN when role
// may not take it, ECONFLICT when the table has no such transition.
func next(status guanjia.CreditStatus, action guanjia.CreditAction, role guanjia.Role) (guanjia.CreditStatus, error) {
	t, ok := transitions[action]
	if !ok {
		return "", guanjia.Errorf(guanjia.EINVALID, "unknown action %q", action)
	}
	if !slices.Contains(t.roles, role) {
		return "", guanjia.Errorf(guanjia.EFORBIDDEN, "a %s may not %s a credit entry", roleName(role), action)
	}
	if !slices.Contains(t.from, status) {
		return "", guanjia.Errorf(guanjia.ECONFLICT, "cannot %s an entry that is %s", action, status)
	}
	return t.lead(status), nil
}

// lead is where the transition leads from status.
func (t transition) lead(status guanjia.CreditStatus) guanjia.CreditStatus {
	if to := t.back[status]; to != "" {
		return to
	}
	return cmp.Or(t.to, status)
}

func roleName(r guanjia.Role) string {
	if r == "" {
		return "visitor"
	}
	return string(r)
}

// RepairStatus is where a 信用修复 application stands.
type RepairStatus string

const (
	RepairPending  RepairStatus = "pending"
	RepairApproved RepairStatus = "approved"
	RepairRefused  RepairStatus = "refused"
	// Superseded: another application for the same entry was approved first;
	// the entry is repaired and nothing is left to decide.
	RepairSuperseded RepairStatus = "superseded"
)

// repairDecisions is the repair application's state table: decided once, by
// the deciding department. The entry's own change is in transitions.
var repairDecisions = map[RepairStatus]struct {
	from   RepairStatus
	action guanjia.CreditAction
}{
	RepairApproved: {from: RepairPending, action: guanjia.CreditRepair},
	RepairRefused:  {from: RepairPending, action: guanjia.CreditRepairRefuse},
}

// RepresentativeStatus is where a standing to act for a subject stands.
// Word is how the applicant is told the decision (a subscribe message's
// phrase: at most 5 Chinese characters).
func (st RepairStatus) Word() string {
	return map[RepairStatus]string{RepairPending: "待审核", RepairApproved: "已通过", RepairRefused: "未通过", RepairSuperseded: "已修复"}[st]
}

type RepresentativeStatus string

// Word is how the user is told the decision (a subscribe message's phrase).
func (st RepresentativeStatus) Word() string {
	return map[RepresentativeStatus]string{RepresentativePending: "待审核", RepresentativeAccepted: "已认可", RepresentativeRefused: "未通过"}[st]
}

const (
	RepresentativePending  RepresentativeStatus = "pending"
	RepresentativeAccepted RepresentativeStatus = "accepted"
	RepresentativeRefused  RepresentativeStatus = "refused"
)

// representativeDecisions is a standing's state table: a 授权委托书 is
// pending until the department that reviews it accepts or refuses it, once.
// (A 法定代表人's ID-number check is decided as it is filed: accepted, or
// refused and kept as a failed attempt.)
var representativeDecisions = map[RepresentativeStatus]struct{ from RepresentativeStatus }{
	RepresentativeAccepted: {from: RepresentativePending},
	RepresentativeRefused:  {from: RepresentativePending},
}

// ArticleStatus is where a 诚信动态/政策法规/通知公告 article stands.
type ArticleStatus string

const (
	ArticleDraft       ArticleStatus = "draft"
	ArticlePublished   ArticleStatus = "published"
	ArticleUnpublished ArticleStatus = "unpublished"
)

// articleTransitions: publish from draft or unpublished, unpublish from published.
var articleTransitions = map[string]struct {
	from []ArticleStatus
	to   ArticleStatus
}{
	"publish":   {from: []ArticleStatus{ArticleDraft, ArticleUnpublished}, to: ArticlePublished},
	"unpublish": {from: []ArticleStatus{ArticlePublished}, to: ArticleUnpublished},
}

// AmendedStatus is the status of an entry of status was after a re-import
// amends it (the state table's CreditAmend).
func AmendedStatus(was guanjia.CreditStatus) guanjia.CreditStatus {
	return transitions[guanjia.CreditAmend].lead(was)
}

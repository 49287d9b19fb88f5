package volunteer

import (
	"slices"

	"guanjia"
)

// Actor is who takes a step, as the state tables see them: the platform's
// admins, a team's admins, the volunteer or requester themselves, or the
// system (timers).
type Actor string

const (
	ActorAdmin     Actor = "admin"      // platform admin (guanjia.RoleAdmin): reviews
	ActorTeamAdmin Actor = "team_admin" // an admin of the team concerned
	ActorSelf      Actor = "self"       // the volunteer whose signup it is, the requester of a help request
	ActorSystem    Actor = "system"
)

// Actions, as recorded in volunteer_events.
const (
	ActApply      = "apply"
	ActApprove    = "approve"
	ActRefuse     = "refuse"
	ActCreate     = "create"
	ActEdit       = "edit"
	ActSubmit     = "submit"
	ActStart      = "start"
	ActFinish     = "finish"
	ActCancel     = "cancel"
	ActReschedule = "reschedule"
	ActSettle     = "settle" // auto check-out and no-shows after the end
	ActSignup     = "signup"
	ActPromote    = "promote"
	ActCheckin    = "checkin"
	ActCheckout   = "checkout"
	ActNoShow     = "no_show"
	ActClaim      = "claim"
	ActComplete   = "complete"
	// A person's place in a team (subject team; the note names the member).
	ActAppointAdmin = "appoint_admin"
	ActRevokeAdmin  = "revoke_admin" // removed as admin, or stepped down
	ActLeave        = "leave"
	ActRemoveMember = "remove_member"
)

// transition is one row of a state table: the statuses an action may start
// from, the status it leads to ("" = unchanged) and who may take it.
type transition[S ~string] struct {
	from []S
	to   S
	by   []Actor
}

// teamTransitions is the team state machine: apply → review → certified.
var teamTransitions = map[string]transition[guanjia.TeamStatus]{
	ActApprove: {from: []guanjia.TeamStatus{guanjia.TeamPending}, to: guanjia.TeamCertified, by: []Actor{ActorAdmin}},
	ActRefuse:  {from: []guanjia.TeamStatus{guanjia.TeamPending}, to: guanjia.TeamRefused, by: []Actor{ActorAdmin}},
}

// Where a person stands after leaving a team, or being taken off it, as
// the event rows record it: the store deletes the member.
const (
	memberLeft    = "left"
	memberRemoved = "removed"
)

// memberTransitions is a person's place in a team: a member is made an
// admin and stops being one (removed by another admin, or stepping down);
// a member leaves or is taken off the team. An admin is neither: they step
// down first, and a team keeps one admin at least (decided under the
// team's lock: Teams.RemoveTeamAdmin).
var memberTransitions = map[string]transition[string]{
	ActAppointAdmin: {from: []string{guanjia.TeamRoleMember}, to: guanjia.TeamRoleAdmin, by: []Actor{ActorTeamAdmin, ActorAdmin}},
	ActRevokeAdmin:  {from: []string{guanjia.TeamRoleAdmin}, to: guanjia.TeamRoleMember, by: []Actor{ActorTeamAdmin, ActorAdmin}},
	ActLeave:        {from: []string{guanjia.TeamRoleMember}, to: memberLeft, by: []Actor{ActorSelf}},
	ActRemoveMember: {from: []string{guanjia.TeamRoleMember}, to: memberRemoved, by: []Actor{ActorTeamAdmin, ActorAdmin}},
}

var editable = []guanjia.ActivityStatus{guanjia.ActivityDraft, guanjia.ActivityRefused}

// activityTransitions is the activity state machine: draft → submitted →
// reviewed → published → in progress → finished, or cancelled (everyone
// signed up is told, and their signups cancelled, checked in ones too). Start and finish are the timers'.
var activityTransitions = map[string]transition[guanjia.ActivityStatus]{
	ActEdit:    {from: editable, by: []Actor{ActorTeamAdmin}},
	ActSubmit:  {from: editable, to: guanjia.ActivitySubmitted, by: []Actor{ActorTeamAdmin}},
	ActApprove: {from: []guanjia.ActivityStatus{guanjia.ActivitySubmitted}, to: guanjia.ActivityPublished, by: []Actor{ActorAdmin}},
	ActRefuse:  {from: []guanjia.ActivityStatus{guanjia.ActivitySubmitted}, to: guanjia.ActivityRefused, by: []Actor{ActorAdmin}},
	ActReschedule: {from: []guanjia.ActivityStatus{guanjia.ActivityPublished},
		by: []Actor{ActorTeamAdmin, ActorAdmin}},
	ActCancel: {from: []guanjia.ActivityStatus{guanjia.ActivityDraft, guanjia.ActivitySubmitted, guanjia.ActivityRefused, guanjia.ActivityPublished},
		to: guanjia.ActivityCancelled, by: []Actor{ActorTeamAdmin, ActorAdmin}},
	ActStart: {from: []guanjia.ActivityStatus{guanjia.ActivityPublished}, to: guanjia.ActivityInProgress, by: []Actor{ActorSystem}},
	// A lost start timer must not keep an activity from finishing.
	ActFinish: {from: []guanjia.ActivityStatus{guanjia.ActivityPublished, guanjia.ActivityInProgress},
		to: guanjia.ActivityFinished, by: []Actor{ActorSystem}},
	ActSettle: {from: []guanjia.ActivityStatus{guanjia.ActivityFinished}, by: []Actor{ActorSystem}},
}

// signupTransitions is the signup state machine. A signup starts confirmed
// or waitlisted (AdmitSignups decides which under the activity's lock).
var signupTransitions = map[string]transition[guanjia.SignupStatus]{
	ActPromote: {from: []guanjia.SignupStatus{guanjia.SignupWaitlisted}, to: guanjia.SignupConfirmed, by: []Actor{ActorSystem}},
	ActCancel: {from: []guanjia.SignupStatus{guanjia.SignupConfirmed, guanjia.SignupWaitlisted},
		to: guanjia.SignupCancelled, by: []Actor{ActorSelf, ActorSystem}},
	ActCheckin: {from: []guanjia.SignupStatus{guanjia.SignupConfirmed}, to: guanjia.SignupCheckedIn,
		by: []Actor{ActorSelf, ActorTeamAdmin}},
	ActCheckout: {from: []guanjia.SignupStatus{guanjia.SignupCheckedIn}, to: guanjia.SignupCheckedOut,
		by: []Actor{ActorSelf, ActorTeamAdmin, ActorSystem}},
	ActNoShow: {from: []guanjia.SignupStatus{guanjia.SignupConfirmed}, to: guanjia.SignupNoShow, by: []Actor{ActorSystem}},
}

// helpTransitions is the help request (求助) state machine: submitted →
// reviewed → published → claimed by a team → done.
var helpTransitions = map[string]transition[guanjia.HelpStatus]{
	ActApprove:  {from: []guanjia.HelpStatus{guanjia.HelpSubmitted}, to: guanjia.HelpPublished, by: []Actor{ActorAdmin}},
	ActRefuse:   {from: []guanjia.HelpStatus{guanjia.HelpSubmitted}, to: guanjia.HelpRefused, by: []Actor{ActorAdmin}},
	ActClaim:    {from: []guanjia.HelpStatus{guanjia.HelpPublished}, to: guanjia.HelpClaimed, by: []Actor{ActorTeamAdmin}},
	ActComplete: {from: []guanjia.HelpStatus{guanjia.HelpClaimed}, to: guanjia.HelpDone, by: []Actor{ActorTeamAdmin}},
	ActCancel: {from: []guanjia.HelpStatus{guanjia.HelpSubmitted, guanjia.HelpPublished},
		to: guanjia.HelpCancelled, by: []Actor{ActorSelf, ActorAdmin}},
}

// next looks action up in table: the status it leads to from status, or
// EINVALID for an unknown action, EFORBIDDEN when actor may not take it and
// ECONFLICT when it cannot be taken from status. what names the thing in messages.
func next[S ~string](table map[string]transition[S], what string, status S, action string, actor Actor) (S, error) {
	t, ok := table[action]
	if !ok {
		return "", guanjia.Errorf(guanjia.EINVALID, "unknown action %q on a %s", action, what)
	}
	if !slices.Contains(t.by, actor) {
		return "", guanjia.Errorf(guanjia.EFORBIDDEN, "you may not %s this %s", action, what)
	}
	if !slices.Contains(t.from, status) {
		return "", guanjia.Errorf(guanjia.ECONFLICT, "cannot %s a %s that is %s", action, what, status)
	}
	if t.to == "" {
		return status, nil
	}
	return t.to, nil
}

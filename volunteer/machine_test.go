package volunteer

import (
	"testing"

	"guanjia"
)

func TestActivityTransitions(t *testing.T) {
	tests := []struct {
		from   guanjia.ActivityStatus
		action string
		by     Actor
		to     guanjia.ActivityStatus
		code   string
	}{
		{guanjia.ActivityDraft, ActSubmit, ActorTeamAdmin, guanjia.ActivitySubmitted, ""},
		{guanjia.ActivityRefused, ActSubmit, ActorTeamAdmin, guanjia.ActivitySubmitted, ""},
		{guanjia.ActivitySubmitted, ActApprove, ActorAdmin, guanjia.ActivityPublished, ""},
		{guanjia.ActivitySubmitted, ActRefuse, ActorAdmin, guanjia.ActivityRefused, ""},
		{guanjia.ActivityPublished, ActStart, ActorSystem, guanjia.ActivityInProgress, ""},
		{guanjia.ActivityInProgress, ActFinish, ActorSystem, guanjia.ActivityFinished, ""},
		{guanjia.ActivityPublished, ActFinish, ActorSystem, guanjia.ActivityFinished, ""}, // a lost start timer
		{guanjia.ActivityPublished, ActCancel, ActorTeamAdmin, guanjia.ActivityCancelled, ""},
		{guanjia.ActivityPublished, ActReschedule, ActorTeamAdmin, guanjia.ActivityPublished, ""},
		{guanjia.ActivityFinished, ActSettle, ActorSystem, guanjia.ActivityFinished, ""},
		// Illegal from where it stands.
		{guanjia.ActivityDraft, ActApprove, ActorAdmin, "", guanjia.ECONFLICT},
		{guanjia.ActivityPublished, ActSubmit, ActorTeamAdmin, "", guanjia.ECONFLICT},
		{guanjia.ActivityInProgress, ActCancel, ActorTeamAdmin, "", guanjia.ECONFLICT},
		{guanjia.ActivityCancelled, ActStart, ActorSystem, "", guanjia.ECONFLICT},
		{guanjia.ActivityPublished, ActEdit, ActorTeamAdmin, "", guanjia.ECONFLICT},
		// Wrong actor: a team admin cannot review its own activity.
		{guanjia.ActivitySubmitted, ActApprove, ActorTeamAdmin, "", guanjia.EFORBIDDEN},
		{guanjia.ActivityDraft, ActSubmit, ActorSelf, "", guanjia.EFORBIDDEN},
		{guanjia.ActivityPublished, ActStart, ActorAdmin, "", guanjia.EFORBIDDEN},
		{guanjia.ActivityPublished, "teleport", ActorAdmin, "", guanjia.EINVALID},
	}
	for _, tt := range tests {
		got, err := next(activityTransitions, "activity", tt.from, tt.action, tt.by)
		if guanjia.ErrorCode(err) != tt.code {
			t.Errorf("%s %s by %s: err = %v, want code %q", tt.from, tt.action, tt.by, err, tt.code)
			continue
		}
		if tt.code == "" && got != tt.to {
			t.Errorf("%s %s by %s = %s, want %s", tt.from, tt.action, tt.by, got, tt.to)
		}
	}
}

func TestSignupTransitions(t *testing.T) {
	tests := []struct {
		from   guanjia.SignupStatus
		action string
		by     Actor
		to     guanjia.SignupStatus
		code   string
	}{
		{guanjia.SignupWaitlisted, ActPromote, ActorSystem, guanjia.SignupConfirmed, ""},
		{guanjia.SignupConfirmed, ActCancel, ActorSelf, guanjia.SignupCancelled, ""},
		{guanjia.SignupWaitlisted, ActCancel, ActorSelf, guanjia.SignupCancelled, ""},
		{guanjia.SignupConfirmed, ActCheckin, ActorSelf, guanjia.SignupCheckedIn, ""},
		{guanjia.SignupConfirmed, ActCheckin, ActorTeamAdmin, guanjia.SignupCheckedIn, ""},
		{guanjia.SignupCheckedIn, ActCheckout, ActorSystem, guanjia.SignupCheckedOut, ""},
		{guanjia.SignupConfirmed, ActNoShow, ActorSystem, guanjia.SignupNoShow, ""},
		{guanjia.SignupWaitlisted, ActCheckin, ActorSelf, "", guanjia.ECONFLICT},
		{guanjia.SignupCheckedIn, ActCheckin, ActorSelf, "", guanjia.ECONFLICT},
		{guanjia.SignupCheckedOut, ActCheckout, ActorSelf, "", guanjia.ECONFLICT},
		{guanjia.SignupCheckedIn, ActCancel, ActorSelf, "", guanjia.ECONFLICT},
		{guanjia.SignupWaitlisted, ActPromote, ActorSelf, "", guanjia.EFORBIDDEN},
	}
	for _, tt := range tests {
		got, err := next(signupTransitions, "signup", tt.from, tt.action, tt.by)
		if guanjia.ErrorCode(err) != tt.code {
			t.Errorf("%s %s by %s: err = %v, want code %q", tt.from, tt.action, tt.by, err, tt.code)
			continue
		}
		if tt.code == "" && got != tt.to {
			t.Errorf("%s %s by %s = %s, want %s", tt.from, tt.action, tt.by, got, tt.to)
		}
	}
}

func TestHelpAndTeamTransitions(t *testing.T) {
	if to, err := next(teamTransitions, "team", guanjia.TeamPending, ActApprove, ActorAdmin); err != nil || to != guanjia.TeamCertified {
		t.Errorf("approve pending team = %s, %v", to, err)
	}
	if _, err := next(teamTransitions, "team", guanjia.TeamCertified, ActRefuse, ActorAdmin); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("refuse certified team: %v, want conflict", err)
	}
	if to, err := next(helpTransitions, "help request", guanjia.HelpPublished, ActClaim, ActorTeamAdmin); err != nil || to != guanjia.HelpClaimed {
		t.Errorf("claim published request = %s, %v", to, err)
	}
	if _, err := next(helpTransitions, "help request", guanjia.HelpSubmitted, ActClaim, ActorTeamAdmin); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("claim unreviewed request: %v, want conflict", err)
	}
	if _, err := next(helpTransitions, "help request", guanjia.HelpClaimed, ActCancel, ActorSelf); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("cancel claimed request: %v, want conflict", err)
	}
}

package volunteer

import (
	"testing"

	"guanjia"
)

// A person's place in a team: who may take which step, from where.
func TestMemberTransitions(t *testing.T) {
	admin, member := guanjia.TeamRoleAdmin, guanjia.TeamRoleMember
	tests := []struct {
		from   string
		action string
		by     Actor
		to     string
		code   string
	}{
		{member, ActAppointAdmin, ActorTeamAdmin, admin, ""},
		{member, ActAppointAdmin, ActorAdmin, admin, ""},
		{admin, ActRevokeAdmin, ActorTeamAdmin, member, ""}, // another admin, or stepping down
		{admin, ActRevokeAdmin, ActorAdmin, member, ""},
		{member, ActLeave, ActorSelf, memberLeft, ""},
		{member, ActRemoveMember, ActorTeamAdmin, memberRemoved, ""},
		{member, ActRemoveMember, ActorAdmin, memberRemoved, ""},
		// An admin steps down before leaving or being removed.
		{admin, ActLeave, ActorSelf, "", guanjia.ECONFLICT},
		{admin, ActRemoveMember, ActorTeamAdmin, "", guanjia.ECONFLICT},
		{member, ActRevokeAdmin, ActorTeamAdmin, "", guanjia.ECONFLICT},
		{admin, ActAppointAdmin, ActorTeamAdmin, "", guanjia.ECONFLICT},
		// Members decide nothing about others.
		{member, ActAppointAdmin, ActorSelf, "", guanjia.EFORBIDDEN},
		{admin, ActRevokeAdmin, ActorSelf, "", guanjia.EFORBIDDEN},
		{member, ActRemoveMember, ActorSelf, "", guanjia.EFORBIDDEN},
		{member, ActLeave, ActorTeamAdmin, "", guanjia.EFORBIDDEN}, // leaving is one's own
	}
	for _, tt := range tests {
		got, err := next(memberTransitions, "team member", tt.from, tt.action, tt.by)
		if guanjia.ErrorCode(err) != tt.code {
			t.Errorf("%s %s by %s: err = %v, want code %q", tt.from, tt.action, tt.by, err, tt.code)
			continue
		}
		if tt.code == "" && got != tt.to {
			t.Errorf("%s %s by %s = %s, want %s", tt.from, tt.action, tt.by, got, tt.to)
		}
	}
}

package dispatch

import (
	"testing"

	"guanjia"
)

func TestTransitionTable(t *testing.T) {
	tests := []struct {
		from   guanjia.Status
		action guanjia.Action
		role   guanjia.Role
		to     guanjia.Status
		code   string // expected error code, "" = allowed
	}{
		{guanjia.StatusSubmitted, guanjia.ActionDispatch, guanjia.RoleDispatcher, guanjia.StatusDispatched, ""},
		{guanjia.StatusReturned, guanjia.ActionDispatch, guanjia.RoleDispatcher, guanjia.StatusDispatched, ""},
		{guanjia.StatusDispatched, guanjia.ActionAccept, guanjia.RoleCrew, guanjia.StatusAccepted, ""},
		{guanjia.StatusAccepted, guanjia.ActionArrive, guanjia.RoleCrew, guanjia.StatusOnSite, ""},
		{guanjia.StatusOnSite, guanjia.ActionResolve, guanjia.RoleCrew, guanjia.StatusResolved, ""},
		{guanjia.StatusResolved, guanjia.ActionClose, guanjia.RoleDispatcher, guanjia.StatusClosed, ""},
		{guanjia.StatusClosed, guanjia.ActionRate, guanjia.RoleCitizen, guanjia.StatusClosed, ""},
		{guanjia.StatusResolved, guanjia.ActionReopen, guanjia.RoleDispatcher, guanjia.StatusDispatched, ""},
		{guanjia.StatusAccepted, guanjia.ActionReturn, guanjia.RoleCrew, guanjia.StatusReturned, ""},
		{guanjia.StatusSubmitted, guanjia.ActionReject, guanjia.RoleDispatcher, guanjia.StatusRejected, ""},
		{guanjia.StatusDispatched, guanjia.ActionMerge, guanjia.RoleDispatcher, guanjia.StatusDuplicate, ""},
		{guanjia.StatusOnSite, guanjia.ActionExtend, guanjia.RoleDispatcher, guanjia.StatusOnSite, ""},
		// Illegal transitions.
		{guanjia.StatusSubmitted, guanjia.ActionAccept, guanjia.RoleCrew, "", guanjia.ECONFLICT},
		{guanjia.StatusDispatched, guanjia.ActionArrive, guanjia.RoleCrew, "", guanjia.ECONFLICT},
		{guanjia.StatusAccepted, guanjia.ActionClose, guanjia.RoleDispatcher, "", guanjia.ECONFLICT},
		{guanjia.StatusClosed, guanjia.ActionResolve, guanjia.RoleCrew, "", guanjia.ECONFLICT},
		{guanjia.StatusClosed, guanjia.ActionDispatch, guanjia.RoleDispatcher, "", guanjia.ECONFLICT},
		{guanjia.StatusRejected, guanjia.ActionReopen, guanjia.RoleDispatcher, "", guanjia.ECONFLICT},
		{guanjia.StatusDispatched, guanjia.ActionRate, guanjia.RoleCitizen, "", guanjia.ECONFLICT},
		// Wrong roles.
		{guanjia.StatusDispatched, guanjia.ActionAccept, guanjia.RoleCitizen, "", guanjia.EFORBIDDEN},
		{guanjia.StatusResolved, guanjia.ActionClose, guanjia.RoleCrew, "", guanjia.EFORBIDDEN},
		{guanjia.StatusSubmitted, guanjia.ActionDispatch, guanjia.RoleAgent, "", guanjia.EFORBIDDEN},
		{guanjia.StatusAccepted, guanjia.ActionArrive, guanjia.RoleDispatcher, "", guanjia.EFORBIDDEN},
		// Unknown action.
		{guanjia.StatusSubmitted, "teleport", guanjia.RoleAdmin, "", guanjia.EINVALID},
	}
	for _, tt := range tests {
		got, err := next(tt.from, tt.action, tt.role)
		if tt.code != "" {
			if guanjia.ErrorCode(err) != tt.code {
				t.Errorf("%s %s by %s: err = %v, want %s", tt.from, tt.action, tt.role, err, tt.code)
			}
			continue
		}
		if err != nil || got != tt.to {
			t.Errorf("%s %s by %s = %s, %v; want %s", tt.from, tt.action, tt.role, got, err, tt.to)
		}
	}
}

// Every status but the final ones has a way forward, and nothing leaves a final status.
func TestTransitionTableHasNoDeadEnds(t *testing.T) {
	final := map[guanjia.Status]bool{guanjia.StatusRejected: true, guanjia.StatusDuplicate: true}
	for _, st := range []guanjia.Status{guanjia.StatusSubmitted, guanjia.StatusDispatched, guanjia.StatusAccepted,
		guanjia.StatusOnSite, guanjia.StatusResolved, guanjia.StatusClosed, guanjia.StatusReturned,
		guanjia.StatusRejected, guanjia.StatusDuplicate} {
		moves := 0
		for _, tr := range transitions {
			for _, f := range tr.from {
				if f == st && tr.to != "" && tr.to != st {
					moves++
				}
			}
		}
		if final[st] && moves > 0 {
			t.Errorf("%s is final but has %d ways out", st, moves)
		}
		if !final[st] && moves == 0 {
			t.Errorf("%s has no way forward", st)
		}
	}
}

// Act runs every action of the table through its step.
func TestEveryTransitionHasAStep(t *testing.T) {
	for action, tr := range transitions {
		if tr.do == nil {
			t.Errorf("%s has no step", action)
		}
	}
}

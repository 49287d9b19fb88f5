package mediation

import (
	"slices"
	"testing"

	"guanjia"
)

func TestNext(t *testing.T) {
	cases := []struct {
		from   guanjia.DisputeStatus
		action guanjia.DisputeAction
		role   guanjia.Role
		to     guanjia.DisputeStatus
		code   string
	}{
		{guanjia.DisputeReported, guanjia.DisputeAccept, guanjia.RoleDispatcher, guanjia.DisputeAccepted, ""},
		{guanjia.DisputeReported, guanjia.DisputeAccept, guanjia.RoleMediator, guanjia.DisputeAccepted, ""},
		{guanjia.DisputeReported, guanjia.DisputeAccept, guanjia.RoleCitizen, "", guanjia.EFORBIDDEN},
		{guanjia.DisputeAccepted, guanjia.DisputeAccept, guanjia.RoleDispatcher, "", guanjia.ECONFLICT},
		{guanjia.DisputeAccepted, guanjia.DisputeRoute, guanjia.RoleDispatcher, guanjia.DisputeRouted, ""},
		{guanjia.DisputeRouted, guanjia.DisputeRoute, guanjia.RoleMediator, guanjia.DisputeRouted, ""}, // re-route up the ladder
		{guanjia.DisputeReported, guanjia.DisputeRoute, guanjia.RoleDispatcher, "", guanjia.ECONFLICT}, // 受理 first
		{guanjia.DisputeRouted, guanjia.DisputeAssign, guanjia.RoleMediator, guanjia.DisputeMediating, ""},
		{guanjia.DisputeMediating, guanjia.DisputeSchedule, guanjia.RoleMediator, guanjia.DisputeMediating, ""},
		{guanjia.DisputeRouted, guanjia.DisputeSchedule, guanjia.RoleMediator, "", guanjia.ECONFLICT},
		{guanjia.DisputeMediating, guanjia.DisputeSchedule, guanjia.RoleDispatcher, "", guanjia.EFORBIDDEN},
		{guanjia.DisputeMediating, guanjia.DisputeRecord, guanjia.RoleDepartment, guanjia.DisputeMediating, ""},
		{guanjia.DisputeMediating, guanjia.DisputeSucceed, guanjia.RoleMediator, guanjia.DisputeSucceeded, ""},
		{guanjia.DisputeMediating, guanjia.DisputeFail, guanjia.RoleMediator, guanjia.DisputeFailed, ""},
		{guanjia.DisputeSucceeded, guanjia.DisputeFail, guanjia.RoleMediator, "", guanjia.ECONFLICT},
		{guanjia.DisputeSucceeded, guanjia.DisputeRequestConfirmation, guanjia.RoleMediator, guanjia.DisputeConfirming, ""},
		{guanjia.DisputeFailed, guanjia.DisputeRequestConfirmation, guanjia.RoleMediator, "", guanjia.ECONFLICT},
		{guanjia.DisputeConfirming, guanjia.DisputeConfirm, guanjia.RoleDispatcher, guanjia.DisputeSucceeded, ""},
		{guanjia.DisputeSucceeded, guanjia.DisputeFollowUp, guanjia.RoleGridManager, guanjia.DisputeSucceeded, ""},
		{guanjia.DisputeConfirming, guanjia.DisputeClose, guanjia.RoleMediator, "", guanjia.ECONFLICT}, // wait for the court
		{guanjia.DisputeSucceeded, guanjia.DisputeClose, guanjia.RoleMediator, guanjia.DisputeClosed, ""},
		{guanjia.DisputeFailed, guanjia.DisputeClose, guanjia.RoleDispatcher, guanjia.DisputeClosed, ""},
		{guanjia.DisputeMediating, guanjia.DisputeWithdraw, guanjia.RoleCitizen, guanjia.DisputeWithdrawn, ""},
		{guanjia.DisputeSucceeded, guanjia.DisputeWithdraw, guanjia.RoleCitizen, "", guanjia.ECONFLICT},
		{guanjia.DisputeClosed, guanjia.DisputeClose, guanjia.RoleAdmin, "", guanjia.ECONFLICT},
		{guanjia.DisputeReported, "fly", guanjia.RoleAdmin, "", guanjia.EINVALID},
		{guanjia.DisputeMediating, guanjia.DisputeEscalate, guanjia.RoleAdmin, "", guanjia.EINVALID}, // timers only
	}
	for _, c := range cases {
		to, err := next(c.from, c.action, c.role)
		if guanjia.ErrorCode(err) != c.code && !(c.code == "" && err == nil) {
			t.Errorf("%s %s as %s: error %v, want %q", c.from, c.action, c.role, err, c.code)
			continue
		}
		if to != c.to {
			t.Errorf("%s %s as %s: %q, want %q", c.from, c.action, c.role, to, c.to)
		}
	}
}

func TestConflictMessageIsChineseReady(t *testing.T) {
	_, err := next(guanjia.DisputeClosed, guanjia.DisputeSucceed, guanjia.RoleMediator)
	if e, ok := err.(*guanjia.Error); !ok || e.Format != "cannot %s a dispute that is %s" || e.Args[0] != "调解成功" || e.Args[1] != "已结案" {
		t.Fatalf("conflict error %#v: want the Chinese action and status as arguments", err)
	}
}

func TestAllowed(t *testing.T) {
	got := allowed(guanjia.DisputeMediating, guanjia.RoleMediator)
	want := []guanjia.DisputeAction{guanjia.DisputeAssign, guanjia.DisputeFail, guanjia.DisputeRecord, guanjia.DisputeSchedule, guanjia.DisputeSucceed, guanjia.DisputeWithdraw}
	if !slices.Equal(got, want) {
		t.Fatalf("mediator while mediating: %v, want %v", got, want)
	}
	if got := allowed(guanjia.DisputeClosed, guanjia.RoleAdmin); len(got) != 0 {
		t.Fatalf("a closed dispute has no actions, got %v", got)
	}
	for _, s := range Statuses {
		if StatusName(s) == string(s) {
			t.Errorf("status %s has no Chinese name", s)
		}
	}
	for a := range transitions {
		if ActionName(a) == string(a) {
			t.Errorf("action %s has no Chinese name", a)
		}
		if steps[a] == nil {
			t.Errorf("action %s has no step", a)
		}
	}
}

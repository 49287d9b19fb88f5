package mediation

import (
	"maps"
	"slices"
	"testing"

	"guanjia"
	"guanjia/i18n"
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

// TestConflictMessageIsChineseReady: the action and status go into the
// message typed, so the catalogue says them in the reader's language.
func TestConflictMessageIsChineseReady(t *testing.T) {
	_, err := next(guanjia.DisputeClosed, guanjia.DisputeSucceed, guanjia.RoleMediator)
	if e, ok := err.(*guanjia.Error); !ok || e.Format != "cannot %s a dispute that is %s" || e.Args[0] != guanjia.DisputeSucceed || e.Args[1] != guanjia.DisputeClosed {
		t.Fatalf("conflict error %#v: want the action and status as typed arguments", err)
	}
	if got := i18n.Message(err, i18n.Chinese); got != "纠纷当前为「已结案」，不能调解成功" {
		t.Errorf("in Chinese: %q", got)
	}
	if got := i18n.Message(err, i18n.English); got != "cannot succeed a dispute that is closed" {
		t.Errorf("in English: %q", got)
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
	// Every status and action has a Chinese name: the statuses the table
	// reaches or leaves, and the actions it and the timers take.
	statuses := map[guanjia.DisputeStatus]bool{}
	for a, tr := range transitions {
		for _, s := range tr.from {
			statuses[s] = true
		}
		if tr.to != "" {
			statuses[tr.to] = true
		}
		if steps[a] == nil {
			t.Errorf("action %s has no step", a)
		}
	}
	if len(statuses) != 9 {
		t.Errorf("the table reaches %d statuses, want all 9: %v", len(statuses), statuses)
	}
	for s := range statuses {
		if statusName(s) == string(s) {
			t.Errorf("status %s has no Chinese name", s)
		}
		if n, ok := i18n.Term(i18n.Chinese, s); !ok || n != statusName(s) {
			t.Errorf("status %s is %q in the catalogue, %q in the notifications", s, n, statusName(s))
		}
	}
	for _, a := range append(slices.Collect(maps.Keys(transitions)), guanjia.DisputeCreate, guanjia.DisputeWarn, guanjia.DisputeEscalate, guanjia.DisputeRemind) {
		if n, ok := i18n.Term(i18n.Chinese, a); !ok || n == string(a) {
			t.Errorf("action %s has no Chinese name", a)
		}
	}
}

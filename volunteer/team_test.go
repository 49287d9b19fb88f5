package volunteer_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/volunteer"
)

// role answers who's role in team teamID, "" when they are not on it.
func (e *env) role(teamID int64, who guanjia.Claims) string {
	e.t.Helper()
	m, err := e.db.Volunteers.FindTeamMember(e.ctx, teamID, who.UserID)
	if code(err) == guanjia.ENOTFOUND {
		return ""
	} else if err != nil {
		e.t.Fatal(err)
	}
	return m.Role
}

// An admin made by mistake is one no longer, an admin steps down, a member
// leaves or is removed; the team always keeps an admin, and every change
// is on the team's record with who made it.
func TestTeamAdminsAndMembersComeAndGo(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	deputy, member, outsider := e.volunteer(), e.volunteer(), e.volunteer()
	for _, v := range []guanjia.Claims{deputy, member} {
		if _, err := e.svc.Teams.JoinTeam(e.ctx, v, tm.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.Teams.MakeTeamAdmin(e.ctx, lead, tm.ID, deputy.UserID); err != nil {
		t.Fatal(err)
	}

	refusals := []struct {
		name string
		err  error
		want string
	}{
		{"a member removes an admin", errOf(e.svc.Teams.RemoveTeamAdmin(e.ctx, member, tm.ID, deputy.UserID)), guanjia.EFORBIDDEN},
		{"an outsider removes an admin", errOf(e.svc.Teams.RemoveTeamAdmin(e.ctx, outsider, tm.ID, deputy.UserID)), guanjia.EFORBIDDEN},
		{"a member removes a member", e.svc.Teams.RemoveTeamMember(e.ctx, member, tm.ID, deputy.UserID), guanjia.EFORBIDDEN},
		{"an admin removes an admin from the team", e.svc.Teams.RemoveTeamMember(e.ctx, lead, tm.ID, deputy.UserID), guanjia.ECONFLICT},
		{"an admin leaves", e.svc.Teams.RemoveTeamMember(e.ctx, deputy, tm.ID, deputy.UserID), guanjia.ECONFLICT},
		{"a member is not an admin", errOf(e.svc.Teams.RemoveTeamAdmin(e.ctx, lead, tm.ID, member.UserID)), guanjia.ECONFLICT},
		{"someone not on the team", e.svc.Teams.RemoveTeamMember(e.ctx, lead, tm.ID, outsider.UserID), guanjia.ENOTFOUND},
		{"an outsider leaves", e.svc.Teams.RemoveTeamMember(e.ctx, outsider, tm.ID, outsider.UserID), guanjia.ENOTFOUND},
	}
	for _, r := range refusals {
		if code(r.err) != r.want {
			t.Errorf("%s: %v, want %s", r.name, r.err, r.want)
		}
	}
	if e.role(tm.ID, deputy) != guanjia.TeamRoleAdmin || e.role(tm.ID, member) != guanjia.TeamRoleMember {
		t.Fatal("a refusal changed the team")
	}

	// The deputy, appointed by mistake, is removed as admin and stays a member.
	m, err := e.svc.Teams.RemoveTeamAdmin(e.ctx, lead, tm.ID, deputy.UserID)
	if err != nil || m.Role != guanjia.TeamRoleMember || e.role(tm.ID, deputy) != guanjia.TeamRoleMember {
		t.Fatalf("remove the deputy as admin: %+v %v", m, err)
	}
	// The lead is the last admin now: neither they nor a platform admin can take that away.
	for name, who := range map[string]guanjia.Claims{"steps down": lead, "removed by a platform admin": e.admin} {
		err := errOf(e.svc.Teams.RemoveTeamAdmin(e.ctx, who, tm.ID, lead.UserID))
		if code(err) != guanjia.ECONFLICT || !strings.Contains(err.Error(), "the team's last admin stays one") {
			t.Errorf("the last admin %s: %v, want the conflict naming the rule", name, err)
		}
	}
	// With a second admin the lead steps down; the platform admin appoints them again.
	if _, err := e.svc.Teams.MakeTeamAdmin(e.ctx, lead, tm.ID, deputy.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Teams.RemoveTeamAdmin(e.ctx, lead, tm.ID, lead.UserID); err != nil || e.role(tm.ID, lead) != guanjia.TeamRoleMember {
		t.Fatalf("the lead steps down: %v", err)
	}
	if _, err := e.svc.Teams.MakeTeamAdmin(e.ctx, e.admin, tm.ID, lead.UserID); err != nil {
		t.Fatal(err)
	}

	// The member leaves, joins again and is removed by the platform admin;
	// the deputy, stepped down, is removed by the lead.
	if err := e.svc.Teams.RemoveTeamMember(e.ctx, member, tm.ID, member.UserID); err != nil || e.role(tm.ID, member) != "" {
		t.Fatalf("the member leaves: %v", err)
	}
	if _, err := e.svc.Teams.JoinTeam(e.ctx, member, tm.ID); err != nil {
		t.Fatalf("join again after leaving: %v", err)
	}
	if err := e.svc.Teams.RemoveTeamMember(e.ctx, e.admin, tm.ID, member.UserID); err != nil || e.role(tm.ID, member) != "" {
		t.Fatalf("the platform admin removes the member: %v", err)
	}
	if _, err := e.svc.Teams.RemoveTeamAdmin(e.ctx, deputy, tm.ID, deputy.UserID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Teams.RemoveTeamMember(e.ctx, lead, tm.ID, deputy.UserID); err != nil || e.role(tm.ID, deputy) != "" {
		t.Fatalf("the lead removes the deputy: %v", err)
	}

	// The team's record: each change, who made it and whom it concerned.
	events, err := e.db.Volunteers.ListVolunteerEvents(e.ctx, volunteer.SubjectTeam, tm.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range events {
		if ev.Action == volunteer.ActApply || ev.Action == volunteer.ActApprove {
			continue
		}
		got = append(got, fmt.Sprintf("%s %s→%s by %d: %s", ev.Action, ev.From, ev.To, *ev.ActorID, ev.Note))
	}
	person := func(who guanjia.Claims) string { return fmt.Sprintf("用户 #%d", who.UserID) }
	want := []string{
		fmt.Sprintf("appoint_admin member→admin by %d: %s", lead.UserID, person(deputy)),
		fmt.Sprintf("revoke_admin admin→member by %d: %s", lead.UserID, person(deputy)),
		fmt.Sprintf("appoint_admin member→admin by %d: %s", lead.UserID, person(deputy)),
		fmt.Sprintf("revoke_admin admin→member by %d: %s", lead.UserID, person(lead)),
		fmt.Sprintf("appoint_admin member→admin by %d: %s", e.admin.UserID, person(lead)),
		fmt.Sprintf("leave member→left by %d: %s", member.UserID, person(member)),
		fmt.Sprintf("remove_member member→removed by %d: %s", e.admin.UserID, person(member)),
		fmt.Sprintf("revoke_admin admin→member by %d: %s", deputy.UserID, person(deputy)),
		fmt.Sprintf("remove_member member→removed by %d: %s", lead.UserID, person(deputy)),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the team's record:\n%s\nwant\n%s", got, want)
	}
}

// Appointing an admin twice changes nothing and records nothing twice.
func TestAppointingAnAdminAgainChangesNothing(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	if m, err := e.svc.Teams.MakeTeamAdmin(e.ctx, lead, tm.ID, lead.UserID); err != nil || m.Role != guanjia.TeamRoleAdmin {
		t.Fatalf("appoint the admin again: %+v %v", m, err)
	}
	events, err := e.db.Volunteers.ListVolunteerEvents(e.ctx, volunteer.SubjectTeam, tm.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Errorf("%d team events, want the application and its approval only", len(events))
	}
}

// Signing up is open to every certified volunteer, on the team or not: a
// member who leaves keeps their places, their hours and their certificates.
func TestLeavingATeamKeepsSignupsAndHours(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	past := e.activity(tm.ID, lead, 5, t0.Add(2*time.Hour))
	future := e.activity(tm.ID, lead, 5, t0.Add(72*time.Hour))
	member := e.volunteer()
	if _, err := e.svc.Teams.JoinTeam(e.ctx, member, tm.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Signups.Signup(e.ctx, member, future.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Signups.Signup(e.ctx, member, past.ID); err != nil {
		t.Fatal(err)
	}
	// Served the first activity: checked in and out by hand.
	e.clock.Set(past.StartAt.Add(10 * time.Minute))
	if _, err := e.svc.Signups.ManualCheckIn(e.ctx, lead, past.ID, volunteer.ManualCheck{UserID: member.UserID, Reason: "手机没电"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(past.EndAt)
	if _, _, err := e.svc.Signups.ManualCheckOut(e.ctx, lead, past.ID, volunteer.ManualCheck{UserID: member.UserID, Reason: "手机没电"}); err != nil {
		t.Fatal(err)
	}

	if err := e.svc.Teams.RemoveTeamMember(e.ctx, member, tm.ID, member.UserID); err != nil {
		t.Fatal(err)
	}
	su, err := e.db.Volunteers.FindActiveSignup(e.ctx, future.ID, member.UserID)
	if err != nil || su.Status != guanjia.SignupConfirmed {
		t.Errorf("the signup after leaving: %+v %v, want still confirmed", su, err)
	}
	if a := e.find(future.ID); a.Confirmed != 1 {
		t.Errorf("the activity counts %d places taken, want 1", a.Confirmed)
	}
	cert, err := e.svc.Hours.IssueCertificate(e.ctx, member, tm.ID)
	if err != nil || cert.Totals.TotalMinutes() <= 0 {
		t.Errorf("a certificate of the hours served before leaving: %+v %v", cert, err)
	}
}

// errOf keeps the error of a call that answers a value too.
func errOf[T any](_ T, err error) error { return err }

package store_test

import (
	"sync"
	"testing"
	"time"

	"guanjia"
	"guanjia/volunteer"
)

// keepOneAdmin is the service's rule, as Teams.RemoveTeamAdmin hands it over.
func keepOneAdmin(admins int) error {
	if admins <= 1 {
		return guanjia.Errorf(guanjia.ECONFLICT, "the team's last admin stays one; appoint another admin first")
	}
	return nil
}

// Two admins of a team of two step down at the same moment: the team's lock
// decides them one after the other, so one of them stays an admin.
func TestChangeTeamMemberKeepsOneAdminUnderRace(t *testing.T) {
	f := newVolunteerFixture(t, 1, 1)
	second := f.users[0]
	now := time.Now().UTC()
	if err := f.db.Volunteers.AddTeamMember(f.ctx, &guanjia.TeamMember{TeamID: f.team.ID, UserID: second, Role: guanjia.TeamRoleAdmin, JoinedAt: now}); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, user := range []int64{f.lead, second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = f.db.Volunteers.ChangeTeamMember(f.ctx, &volunteer.TeamMemberChange{TeamID: f.team.ID, UserID: user,
					ExpectRole: guanjia.TeamRoleAdmin, Role: guanjia.TeamRoleMember, Check: keepOneAdmin,
					Event: &guanjia.VolunteerEvent{Subject: volunteer.SubjectTeam, Action: volunteer.ActRevokeAdmin, ActorID: &user, At: now}})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if guanjia.ErrorCode(err) != guanjia.ECONFLICT {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		admins := teamAdmins(t, f)
		if ok != 1 || len(admins) != 1 {
			t.Fatalf("round %d: %d stepped down, admins left %v; want one each", round, ok, admins)
		}
		// The one left appoints the other again for the next round.
		back := f.lead
		if admins[0] == f.lead {
			back = second
		}
		if err := f.db.Volunteers.ChangeTeamMember(f.ctx, &volunteer.TeamMemberChange{TeamID: f.team.ID, UserID: back,
			ExpectRole: guanjia.TeamRoleMember, Role: guanjia.TeamRoleAdmin}); err != nil {
			t.Fatal(err)
		}
	}
	events, err := f.db.Volunteers.ListVolunteerEvents(f.ctx, volunteer.SubjectTeam, f.team.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 5 {
		t.Errorf("%d team events, want one per admin who stepped down (5)", len(events))
	}
}

// A change guarded by the role the member had is refused once that moved
// on, and nothing is written; "" takes the member off the team.
func TestChangeTeamMemberGuardsAndRemoves(t *testing.T) {
	f := newVolunteerFixture(t, 1, 1)
	member := f.users[0]
	if err := f.db.Volunteers.AddTeamMember(f.ctx, &guanjia.TeamMember{TeamID: f.team.ID, UserID: member, Role: guanjia.TeamRoleMember,
		JoinedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	leave := func() error {
		return f.db.Volunteers.ChangeTeamMember(f.ctx, &volunteer.TeamMemberChange{TeamID: f.team.ID, UserID: member,
			ExpectRole: guanjia.TeamRoleMember, Event: &guanjia.VolunteerEvent{Subject: volunteer.SubjectTeam, Action: volunteer.ActLeave,
				From: guanjia.TeamRoleMember, To: "left", ActorID: &member, At: time.Now().UTC()}})
	}
	wrong := f.db.Volunteers.ChangeTeamMember(f.ctx, &volunteer.TeamMemberChange{TeamID: f.team.ID, UserID: member,
		ExpectRole: guanjia.TeamRoleAdmin, Role: guanjia.TeamRoleMember})
	if guanjia.ErrorCode(wrong) != guanjia.ECONFLICT {
		t.Errorf("a change expecting a role the member does not have: %v, want conflict", wrong)
	}
	if err := leave(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Volunteers.FindTeamMember(f.ctx, f.team.ID, member); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("the member who left is still found: %v", err)
	}
	if err := leave(); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("leaving twice: %v, want conflict", err)
	}
	if err := f.db.Volunteers.ChangeTeamMember(f.ctx, &volunteer.TeamMemberChange{TeamID: f.team.ID + 1000, UserID: member}); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("a change in a team that does not exist: %v, want not found", err)
	}
	events, err := f.db.Volunteers.ListVolunteerEvents(f.ctx, volunteer.SubjectTeam, f.team.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Action != volunteer.ActLeave || events[0].To != "left" || *events[0].ActorID != member {
		t.Errorf("team events %+v, want the one leave", events)
	}
	if n := len(teamAdmins(t, f)); n != 1 {
		t.Errorf("%d admins, want the lead still", n)
	}
}

func teamAdmins(t *testing.T, f *volunteerFixture) []int64 {
	t.Helper()
	members, err := f.db.Volunteers.ListTeamMembers(f.ctx, f.team.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, m := range members {
		if m.Role == guanjia.TeamRoleAdmin {
			out = append(out, m.UserID)
		}
	}
	return out
}

// The review queues read what a reviewer needs in the list's own query: a
// team's applicant by their certified name, an activity's team, when it
// was last submitted and how often it was refused before.
func TestReviewQueuesCarryWhatAReviewerNeeds(t *testing.T) {
	f := newVolunteerFixture(t, 1, 0)
	if err := f.db.Volunteers.CreateVolunteer(f.ctx, &guanjia.Volunteer{UserID: f.lead, Name: "陈海燕", IDNumber: "460106199001010012",
		Phone: "13800000000", CertifiedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	pending := &guanjia.Team{Name: "待审队", Organisation: "测试", ContactName: "陈", ContactPhone: "13800000000",
		Status: guanjia.TeamPending, CreatedBy: f.lead, CreatedAt: time.Now().UTC()}
	if err := f.db.Volunteers.CreateTeam(f.ctx, pending, nil); err != nil {
		t.Fatal(err)
	}
	teams, err := f.db.Volunteers.ListTeams(f.ctx, volunteer.TeamFilter{Status: guanjia.TeamPending, WithApplicant: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(teams) != 1 || teams[0].Applicant != "陈海燕" {
		t.Errorf("the pending teams %+v, want 待审队 applied for by 陈海燕", teams)
	}
	if teams, err = f.db.Volunteers.ListTeams(f.ctx, volunteer.TeamFilter{Status: guanjia.TeamPending}); err != nil || teams[0].Applicant != "" {
		t.Errorf("a list that does not ask names the applicant: %+v %v", teams, err)
	}

	// The fixture's activity goes through review: submitted, refused, submitted again.
	base := time.Now().UTC().Truncate(time.Second)
	a := f.activity
	steps := []struct {
		action string
		from   guanjia.ActivityStatus
		to     guanjia.ActivityStatus
		at     time.Time
	}{
		{volunteer.ActSubmit, guanjia.ActivityPublished, guanjia.ActivitySubmitted, base.Add(-3 * time.Hour)},
		{volunteer.ActRefuse, guanjia.ActivitySubmitted, guanjia.ActivityRefused, base.Add(-2 * time.Hour)},
		{volunteer.ActSubmit, guanjia.ActivityRefused, guanjia.ActivitySubmitted, base.Add(-time.Hour)},
	}
	for _, st := range steps {
		version, err := f.db.Volunteers.ActivityVersion(f.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		a.Status, a.UpdatedAt = st.to, st.at
		if err := f.db.Volunteers.SaveActivity(f.ctx, &volunteer.ActivityChange{Activity: a, ExpectStatus: st.from, ExpectVersion: version,
			Events: []*guanjia.VolunteerEvent{{Subject: volunteer.SubjectActivity, SubjectID: a.ID, Action: st.action,
				From: string(st.from), To: string(st.to), ActorID: &f.lead, At: st.at}}}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := f.db.Volunteers.ListActivities(f.ctx, volunteer.ActivityFilter{Status: []guanjia.ActivityStatus{guanjia.ActivitySubmitted}, WithReview: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("%d activities under review, want 1", len(list))
	}
	got := list[0]
	if got.TeamName != f.team.Name || got.SubmittedAt == nil || !got.SubmittedAt.Equal(steps[2].at) || got.Refusals != 1 {
		t.Errorf("under review: team %q, submitted %v, refused %d times; want %q, %v, 1", got.TeamName, got.SubmittedAt, got.Refusals, f.team.Name, steps[2].at)
	}
	plain, err := f.db.Volunteers.ListActivities(f.ctx, volunteer.ActivityFilter{IDs: []int64{a.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) != 1 || plain[0].TeamName != f.team.Name || plain[0].SubmittedAt != nil {
		t.Errorf("a plain list: %+v, want the team named and no review fields", plain)
	}
}

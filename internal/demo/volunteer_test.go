package demo

import (
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/volunteer"
)

// TestVolunteerDemoSeedsOnce checks the 公益海口 demo: valid certified
// volunteers, a certified team, an activity on now with the demo volunteer
// signed up, one tomorrow and one waiting for review; seeding again adds nothing.
func TestVolunteerDemoSeedsOnce(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	for range 2 {
		if err := seedVolunteerDemo(ctx, db, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	u, err := db.Users.FindUserByUsername(ctx, "volunteer")
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.Volunteers.FindVolunteer(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := guanjia.ValidateIDNumber(v.IDNumber, time.Now()); err != nil {
		t.Errorf("demo ID number %s: %v", v.IDNumber, err)
	}
	all, err := db.Volunteers.ListActivities(ctx, volunteer.ActivityFilter{})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[guanjia.ActivityStatus]int{}
	for _, a := range all {
		statuses[a.Status]++
	}
	if len(all) != 3 || statuses[guanjia.ActivityPublished] != 2 || statuses[guanjia.ActivitySubmitted] != 1 {
		t.Fatalf("demo activities %v, want 2 published and 1 submitted", statuses)
	}
	onNow := all[0] // the soonest
	if now := time.Now(); onNow.StartAt.After(now) || onNow.EndAt.Before(now) {
		t.Errorf("activity %q runs %s–%s, want it on now", onNow.Title, onNow.StartAt, onNow.EndAt)
	}
	su, err := db.Volunteers.FindActiveSignup(ctx, onNow.ID, u.ID)
	if err != nil || su.Status != guanjia.SignupConfirmed {
		t.Errorf("demo volunteer's signup %+v %v, want confirmed", su, err)
	}
	team, err := db.Volunteers.FindTeam(ctx, onNow.TeamID)
	if err != nil || team.Status != guanjia.TeamCertified || team.Members != 3 {
		t.Errorf("demo team %+v %v", team, err)
	}
}

// TestVolunteerDemoIsFoundBySkill: in the demo, the team's admin searching
// for 急救 around tomorrow's activity finds the demo volunteer, 急救 verified;
// every demo account's skills are in the catalogue, and volunteer2, who has
// not opted in, is found by nobody.
func TestVolunteerDemoIsFoundBySkill(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	if err := seedVolunteerDemo(ctx, db, io.Discard); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	svc := volunteer.NewService(db.Volunteers, &testenv.VolunteerTimers{}, guanjia.NoContentCheck{},
		testenv.NewClock(now), "demo-test-secret")
	ids := map[string]int64{}
	for _, username := range []string{"team-lead", "volunteer", "volunteer2"} {
		u, err := db.Users.FindUserByUsername(ctx, username)
		if err != nil {
			t.Fatal(err)
		}
		ids[username] = u.ID
		p, err := svc.Matching.MySkills(ctx, guanjia.Claims{UserID: u.ID, Role: u.Role})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Skills) == 0 {
			t.Errorf("%s records no skills", username)
		}
		for _, e := range p.Skills {
			if !slices.ContainsFunc(volunteer.SkillCatalogue, func(s volunteer.Skill) bool { return s.Name == e.Skill }) {
				t.Errorf("%s's skill %q is not in the catalogue", username, e.Skill)
			}
		}
	}
	all, err := db.Volunteers.ListActivities(ctx, volunteer.ActivityFilter{Status: []guanjia.ActivityStatus{guanjia.ActivityPublished}})
	if err != nil {
		t.Fatal(err)
	}
	var tomorrow *guanjia.Activity
	for _, a := range all {
		if a.SignupDeadline.After(now) {
			tomorrow = a
		}
	}
	if tomorrow == nil {
		t.Fatal("no demo activity open for signup")
	}
	lead := guanjia.Claims{UserID: ids["team-lead"], Role: guanjia.RoleCitizen}
	res, err := svc.Matching.Search(ctx, lead, volunteer.SearchInput{Skill: "急救", ActivityID: tomorrow.ID})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || res.Candidates[0].UserID != ids["volunteer"] || !res.Candidates[0].Verified {
		t.Fatalf("searching 急救 around %q found %+v, want the demo volunteer, verified", tomorrow.Title, res.Candidates)
	}
	if d := res.Candidates[0].DistanceM; d > 3000 {
		t.Errorf("the demo volunteer is %.0f m from %q, want near the demo activities", d, tomorrow.Title)
	}
	if res, err := svc.Matching.Search(ctx, lead, volunteer.SearchInput{Skill: "外语", ActivityID: tomorrow.ID, RadiusM: 50000}); err != nil || res.Total != 0 {
		t.Errorf("searching 外语 found %+v, %v; want nobody (volunteer2 has not opted in)", res, err)
	}
}

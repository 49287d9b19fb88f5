package demo

import (
	"context"
	"io"
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

package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"guanjia"
	"guanjia/account"
	"guanjia/store"
	"guanjia/volunteer"
)

// demoIDNumber completes 17 digits with their GB 11643 check character.
func demoIDNumber(first17 string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

// seedVolunteerDemo loads 公益海口's demo: certified volunteers, a certified
// team with its admin, an activity on now (the demo volunteer is signed up,
// so check-in works at once), one tomorrow and one waiting for review; the
// demo volunteer may be found by skill (精准匹配) around them.
// Running it twice changes nothing.
func seedVolunteerDemo(ctx context.Context, db *store.DB, out io.Writer) error {
	if _, err := db.Users.FindUserByUsername(ctx, "team-lead"); err == nil {
		return nil
	}
	now := time.Now().UTC().Truncate(time.Minute)
	ids, err := seedVolunteers(ctx, db, now)
	if err != nil {
		return err
	}
	team, err := seedTeam(ctx, db, ids, now)
	if err != nil {
		return err
	}
	if err := seedMatchProfiles(ctx, db, ids, now); err != nil {
		return err
	}
	activities, err := seedActivities(ctx, db, team.ID, ids["team-lead"], now)
	if err != nil {
		return err
	}
	// The demo volunteer holds a place on the activity that is on now.
	adm := &volunteer.Admission{UserID: ids["volunteer"], Now: now}
	if err := db.Volunteers.AdmitSignups(ctx, activities[0].ID, []*volunteer.Admission{adm}, func(*guanjia.Activity) error { return nil }); err != nil {
		return err
	}
	if adm.Err != nil {
		return adm.Err
	}
	fmt.Fprintf(out, "公益海口: team %q, activities %d (on now), %d (tomorrow), %d (waiting for review); accounts team-lead, volunteer (findable, 急救 verified), volunteer2\n",
		team.Name, activities[0].ID, activities[1].ID, activities[2].ID)
	return nil
}

// seedVolunteers makes the team's admin and two volunteers, certified,
// and answers their ids by username.
func seedVolunteers(ctx context.Context, db *store.DB, now time.Time) (map[string]int64, error) {
	hash, err := account.HashPassword(Password)
	if err != nil {
		return nil, err
	}
	people := []struct {
		username, name, id, phone string
		skills                    []string
	}{
		{"team-lead", "陈海燕", demoIDNumber("46010619850312002"), "13907551234", demoSkills["team-lead"]},
		{"volunteer", "王小明", demoIDNumber("46010820000521001"), "13876001122", demoSkills["volunteer"]},
		{"volunteer2", "林晓琳", demoIDNumber("46010019980816002"), "13976002233", demoSkills["volunteer2"]},
	}
	ids := map[string]int64{}
	for _, p := range people {
		u := &guanjia.User{Username: p.username, PasswordHash: hash, Role: guanjia.RoleCitizen, Name: p.name, Phone: p.phone}
		if err := db.Users.CreateUser(ctx, u); err != nil {
			return nil, err
		}
		ids[p.username] = u.ID
		if err := db.Volunteers.CreateVolunteer(ctx, &guanjia.Volunteer{UserID: u.ID, Name: p.name, IDNumber: p.id, Phone: p.phone,
			Skills: p.skills, Availability: "周末", CertifiedAt: now}); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// demoSkills are the demo accounts' skills, all from volunteer.SkillCatalogue:
// a search reads only catalogued skills.
var demoSkills = map[string][]string{
	"team-lead":  {"急救"},
	"volunteer":  {"环保", "摄影", "急救"},
	"volunteer2": {"外语", "教育辅导"},
}

// The demo volunteer's area: 龙华区 near 龙昆北路,
// about 1.4 km from 万绿园 and 2 km from 骑楼老街, so an organiser's search
// around the demo activities (5 km by default) finds them.
const demoAreaLat, demoAreaLng, demoAreaRadiusM = 20.0320, 110.3310, 5000

// seedMatchProfiles records the skills as PUT /api/v1/volunteer/me/skills
// does (the search reads those rows, not the certification's list). Only
// the demo volunteer is findable (being found is opt-in), with 急救
// verified by the team's admin, who saw the certificate.
func seedMatchProfiles(ctx context.Context, db *store.DB, ids map[string]int64, now time.Time) error {
	for _, username := range []string{"team-lead", "volunteer", "volunteer2"} {
		p := &volunteer.MatchProfile{UserID: ids[username], Availability: "周末"}
		for _, sk := range demoSkills[username] {
			p.Skills = append(p.Skills, volunteer.SkillEntry{Skill: sk})
		}
		if username == "volunteer" {
			lat, lng := demoAreaLat, demoAreaLng
			p.Findable, p.Lat, p.Lng, p.RadiusM = true, &lat, &lng, demoAreaRadiusM
		}
		if err := db.Volunteers.SaveMatchProfile(ctx, p); err != nil {
			return err
		}
	}
	lead := ids["team-lead"]
	return db.Volunteers.VerifySkill(ctx, ids["volunteer"], "急救", &lead, &now)
}

// seedTeam makes the team-lead's team, certified, with the two volunteers in it.
func seedTeam(ctx context.Context, db *store.DB, ids map[string]int64, now time.Time) (*guanjia.Team, error) {
	lead := ids["team-lead"]
	team := &guanjia.Team{Name: "龙华区青年志愿者协会", Organisation: "共青团海口市龙华区委员会", ContactName: "陈海燕",
		ContactPhone: "13907551234", District: "龙华区", Address: "海口市龙华区龙昆北路", Lat: 20.0315, Lng: 110.3280,
		Status: guanjia.TeamPending, CreatedBy: lead, CreatedAt: now}
	if err := db.Volunteers.CreateTeam(ctx, team, &guanjia.VolunteerEvent{Subject: volunteer.SubjectTeam, Action: volunteer.ActApply,
		To: string(guanjia.TeamPending), ActorID: &lead, At: now}); err != nil {
		return nil, err
	}
	team.Status, team.CertifiedAt = guanjia.TeamCertified, &now
	if err := db.Volunteers.UpdateTeamStatus(ctx, team, guanjia.TeamPending, &guanjia.VolunteerEvent{Subject: volunteer.SubjectTeam,
		SubjectID: team.ID, Action: volunteer.ActApprove, From: string(guanjia.TeamPending), To: string(guanjia.TeamCertified),
		Note: "演示数据", At: now}); err != nil {
		return nil, err
	}
	for _, u := range []string{"volunteer", "volunteer2"} {
		if err := db.Volunteers.AddTeamMember(ctx, &guanjia.TeamMember{TeamID: team.ID, UserID: ids[u], Role: guanjia.TeamRoleMember, JoinedAt: now}); err != nil {
			return nil, err
		}
	}
	return team, nil
}

// seedActivities makes the team's three activities: one on now and one
// tomorrow, published, and one next week waiting for review.
func seedActivities(ctx context.Context, db *store.DB, teamID, lead int64, now time.Time) ([]*guanjia.Activity, error) {
	day := func(days, hour, minute int) time.Time {
		l := now.In(guanjia.ChinaTime)
		return time.Date(l.Year(), l.Month(), l.Day()+days, hour, minute, 0, 0, l.Location()).UTC()
	}
	activities := []*guanjia.Activity{
		{Title: "骑楼老街文明引导", Description: "在骑楼老街引导游客文明游览、垃圾分类投放。",
			Address: "海口市龙华区中山路骑楼老街", Lat: 20.0467, Lng: 110.3441, RadiusM: 300,
			StartAt: now.Add(-10 * time.Minute), EndAt: now.Add(170 * time.Minute), SignupDeadline: now.Add(-10 * time.Minute),
			Capacity: 20, Requirements: "穿着志愿者马甲", Tags: []string{"文明实践", "旅游"}},
		{Title: "万绿园净滩护绿行动", Description: "清理万绿园海岸线垃圾, 爱护椰城绿地。",
			Address: "海口市龙华区滨海大道万绿园", Lat: 20.0405, Lng: 110.3222, RadiusM: 300,
			StartAt: day(1, 8, 30), EndAt: day(1, 11, 30), SignupDeadline: day(1, 8, 0),
			Capacity: 30, Requirements: "自备饮用水, 穿运动鞋", Tags: []string{"环保"}},
		{Title: "金牛岭公园义务植树", Description: "与社区居民一起种下椰子树苗。",
			Address: "海口市龙华区金牛岭公园", Lat: 20.0150, Lng: 110.3180, RadiusM: 400,
			StartAt: day(7, 8, 0), EndAt: day(7, 11, 0), SignupDeadline: day(6, 20, 0),
			Capacity: 50, Tags: []string{"环保", "植树"}},
	}
	for i, a := range activities {
		a.TeamID, a.CoordSystem, a.Status, a.CreatedBy, a.CreatedAt, a.UpdatedAt = teamID, "wgs84", guanjia.ActivityDraft, lead, now, now
		if err := db.Volunteers.CreateActivity(ctx, a, &guanjia.VolunteerEvent{Subject: volunteer.SubjectActivity, Action: volunteer.ActCreate,
			To: string(guanjia.ActivityDraft), ActorID: &lead, At: now}); err != nil {
			return nil, err
		}
		if err := publishDemoActivity(ctx, db, a, lead, i < 2, now); err != nil {
			return nil, err
		}
	}
	return activities, nil
}

// publishDemoActivity submits a draft as the team's admin and, when approve,
// approves it as the platform.
func publishDemoActivity(ctx context.Context, db *store.DB, a *guanjia.Activity, lead int64, approve bool, now time.Time) error {
	type step struct {
		action string
		to     guanjia.ActivityStatus
		actor  *int64
	}
	steps := []step{{volunteer.ActSubmit, guanjia.ActivitySubmitted, &lead}}
	if approve {
		steps = append(steps, step{volunteer.ActApprove, guanjia.ActivityPublished, nil})
	}
	for version, st := range steps {
		from := a.Status
		a.Status = st.to
		if err := db.Volunteers.SaveActivity(ctx, &volunteer.ActivityChange{Activity: a, ExpectStatus: from, ExpectVersion: version,
			Events: []*guanjia.VolunteerEvent{{Subject: volunteer.SubjectActivity, SubjectID: a.ID, Action: st.action,
				From: string(from), To: string(st.to), ActorID: st.actor, Note: "演示数据", At: now}}}); err != nil {
			return err
		}
	}
	return nil
}

package volunteer_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"guanjia"
	"guanjia/geo"
	"guanjia/volunteer"
)

// skilled makes a volunteer with skills whose area's centre is dLat degrees
// north of the activity site (0.01° ≈ 1.1 km).
func (e *env) skilled(dLat float64, findable bool, skills ...string) (guanjia.Claims, int64) {
	e.t.Helper()
	who := e.volunteer()
	lat, lng := placeLat+dLat, placeLng
	if _, err := e.svc.Matching.SetSkills(e.ctx, who, volunteer.SkillsInput{Skills: skills, Findable: findable,
		Lat: &lat, Lng: &lng, RadiusM: 3000, Availability: "周末"}); err != nil {
		e.t.Fatalf("set skills: %v", err)
	}
	v, err := e.svc.Volunteers.Me(e.ctx, who)
	if err != nil {
		e.t.Fatal(err)
	}
	return who, v.ID
}

func TestSearchFindsSkilledVolunteersNearbyMasked(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	a := e.activity(tm.ID, lead, 5, t0.Add(48*time.Hour))
	near, nearID := e.skilled(0.02, true, "急救", "驾驶")
	verified, verifiedID := e.skilled(0.03, true, "急救")
	e.skilled(0.08, true, "急救")  // about 9 km away
	e.skilled(0.01, true, "摄影")  // no 急救
	e.skilled(0.01, false, "急救") // not findable
	_ = near

	if _, err := e.svc.Teams.JoinTeam(e.ctx, verified, tm.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Matching.VerifySkill(e.ctx, verified, tm.ID, verified.UserID, "急救", true); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("a member verifies their own skill: %v, want forbidden", err)
	}
	if _, err := e.svc.Matching.VerifySkill(e.ctx, lead, tm.ID, verified.UserID, "急救", true); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, err := e.svc.Matching.VerifySkill(e.ctx, lead, tm.ID, near.UserID, "急救", true); code(err) != guanjia.ENOTFOUND {
		t.Errorf("verify a non-member: %v, want not found", err)
	}

	stranger := e.volunteer()
	if _, err := e.svc.Matching.Search(e.ctx, stranger, volunteer.SearchInput{Skill: "急救", Lat: &a.Lat, Lng: &a.Lng}); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("a volunteer searches: %v, want forbidden", err)
	}
	// A team applied for and not reviewed has its applicant as admin, and may
	// draft; its draft is no key to the search.
	applicant := e.volunteer()
	lat, lng := placeLat, placeLng
	pending, err := e.svc.Teams.ApplyTeam(e.ctx, applicant, volunteer.TeamInput{Name: "未审核志愿队", Organisation: "某协会",
		ContactName: "张三", ContactPhone: "13907550001", District: "龙华区", Lat: &lat, Lng: &lng})
	if err != nil {
		t.Fatal(err)
	}
	draft, err := e.svc.Activities.CreateActivity(e.ctx, applicant, volunteer.ActivityInput{TeamID: pending.ID, Title: "草稿活动", Address: "万绿园",
		Lat: &lat, Lng: &lng, RadiusM: 200, StartAt: t0.Add(72 * time.Hour), EndAt: t0.Add(75 * time.Hour), Capacity: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Matching.Search(e.ctx, applicant, volunteer.SearchInput{ActivityID: draft.ID, RadiusM: 20000}); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("the admin of a team not certified searches through its draft: %v, want forbidden", err)
	}
	// Nor is it a key to verifying a certificate: its admin's own, as any
	// admin's own, is another admin's to see.
	self, _ := e.skilled(0.01, false, "急救") // not findable: the search below counts the others
	mine, err := e.svc.Teams.ApplyTeam(e.ctx, self, volunteer.TeamInput{Name: "自证志愿队", Organisation: "无",
		ContactName: "赵六", ContactPhone: "13907550002", District: "龙华区", Lat: &lat, Lng: &lng})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who  guanjia.Claims
		team int64
	}{{self, mine.ID}, {lead, tm.ID}} {
		if _, err := e.svc.Matching.VerifySkill(e.ctx, c.who, c.team, c.who.UserID, "急救", true); code(err) != guanjia.EFORBIDDEN {
			t.Errorf("team %d's admin verifies their own 急救: %v, want forbidden", c.team, err)
		}
	}
	res, err := e.svc.Matching.Search(e.ctx, lead, volunteer.SearchInput{Skill: "急救", ActivityID: a.ID, RadiusM: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || len(res.Candidates) != 2 {
		t.Fatalf("found %d: %+v, want the two within 5 km holding 急救", res.Total, res.Candidates)
	}
	if res.Candidates[0].VolunteerID != verifiedID || !res.Candidates[0].Verified || res.Candidates[1].VolunteerID != nearID {
		t.Errorf("ranking %+v %+v: want the verified one first", res.Candidates[0], res.Candidates[1])
	}
	if d := res.Candidates[1].DistanceM; d < 2000 || d > 2500 {
		t.Errorf("distance %.0f m, want about 2.2 km", d)
	}
	if got := volunteer.MaskName(res.Candidates[0].Name, verifiedID); got != "志**" {
		t.Errorf("masked name %q", got)
	}
	page, err := e.svc.Matching.Search(e.ctx, lead, volunteer.SearchInput{Skill: "急救", Lat: &a.Lat, Lng: &a.Lng, PerPage: 1, Page: 2})
	if err != nil || page.Total != 2 || len(page.Candidates) != 1 || page.Candidates[0].VolunteerID != nearID {
		t.Errorf("page 2 of 1: %+v, %v", page, err)
	}
}

// TestSearchPlacesAreasOnlyToTheirCell: two volunteers whose area centres
// (often their homes) lie in the same cell of about 500 m show the same
// distance and score, and a radius between their exact distances finds both
// or neither, so no run of searches tells them apart or locates either.
func TestSearchPlacesAreasOnlyToTheirCell(t *testing.T) {
	e := newEnv(t)
	_, lead := e.team()
	// placeLat is 20.0405: 20.041 and 20.044 lie in the cell from 20.040 to 20.045.
	_, nearID := e.skilled(20.041-placeLat, true, "急救")
	_, farID := e.skilled(20.044-placeLat, true, "急救")
	lat, lng := placeLat, placeLng
	search := func(radius float64) []*volunteer.Candidate {
		t.Helper()
		res, err := e.svc.Matching.Search(e.ctx, lead, volunteer.SearchInput{Skill: "急救", Lat: &lat, Lng: &lng, RadiusM: radius})
		if err != nil {
			t.Fatal(err)
		}
		return res.Candidates
	}
	found := search(2000)
	if len(found) != 2 || found[0].VolunteerID != nearID || found[1].VolunteerID != farID {
		t.Fatalf("found %+v, want both, in id order", found)
	}
	if found[0].DistanceM != found[1].DistanceM || found[0].Score != found[1].Score {
		t.Errorf("told apart: %.0f m, score %.4f and %.0f m, score %.4f", found[0].DistanceM, found[0].Score, found[1].DistanceM, found[1].Score)
	}
	between := (geo.Distance(lat, lng, 20.041, lng) + geo.Distance(lat, lng, 20.044, lng)) / 2
	if n := len(search(between)); n == 1 {
		t.Errorf("a radius of %.0f m, between their exact distances, found one of them", between)
	}
}

// TestAcceptedInvitationsNeverOversell: capacity 1, two invitees accept at
// once: one confirmed, one waitlisted; names show once accepted.
func TestAcceptedInvitationsNeverOversell(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	a := e.activity(tm.ID, lead, 1, t0.Add(48*time.Hour))
	x, xID := e.skilled(0.01, true, "急救")
	y, yID := e.skilled(0.02, true, "急救")
	z, zID := e.skilled(0.02, true, "急救")
	_, hiddenID := e.skilled(0.02, false, "急救")

	if _, err := e.svc.Matching.Invite(e.ctx, x, a.ID, []int64{yID}); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("a volunteer invites: %v, want forbidden", err)
	}
	if _, err := e.svc.Matching.Invite(e.ctx, lead, a.ID, []int64{xID, hiddenID}); code(err) != guanjia.EINVALID {
		t.Errorf("inviting someone not findable: %v, want invalid", err)
	}
	invs, err := e.svc.Matching.Invite(e.ctx, lead, a.ID, []int64{xID, yID, zID, xID}) // x ticked twice: one invitation, told once
	if err != nil {
		t.Fatal(err)
	}
	if len(invs) != 3 {
		t.Fatalf("invitations %d, want 3", len(invs))
	}
	for _, inv := range invs {
		if inv.Status != volunteer.InvitePending || !strings.HasSuffix(inv.Name, "**") || !inv.ExpiresAt.Equal(a.SignupDeadline) {
			t.Errorf("invitation %+v", inv)
		}
	}
	if got := e.notes.To(x.UserID, guanjia.TplVolunteerInvitation); len(got) != 2 || got[0].Channel != guanjia.ChannelInbox || got[1].Channel != guanjia.ChannelSubscribe {
		t.Errorf("x was told %+v, want inbox and subscribe", got)
	}
	if again, err := e.svc.Matching.Invite(e.ctx, lead, a.ID, []int64{xID}); err != nil || len(again) != 3 {
		t.Errorf("inviting again: %d, %v", len(again), err)
	}
	if n := len(e.notes.To(x.UserID, guanjia.TplVolunteerInvitation)); n != 2 {
		t.Errorf("inviting again told x again: %d messages", n)
	}

	mine := func(who guanjia.Claims) *volunteer.Invitation {
		t.Helper()
		l, err := e.svc.Matching.MyInvitations(e.ctx, who)
		if err != nil || len(l) != 1 {
			t.Fatalf("my invitations: %v, %v", l, err)
		}
		return l[0]
	}
	var wg sync.WaitGroup
	sus := make([]*guanjia.Signup, 2)
	for i, who := range []guanjia.Claims{x, y} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, su, err := e.svc.Matching.Accept(e.ctx, who, mine(who).ID)
			if err != nil {
				t.Errorf("accept: %v", err)
				return
			}
			sus[i] = su
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	statuses := map[guanjia.SignupStatus]int{}
	for _, su := range sus {
		statuses[su.Status]++
	}
	if statuses[guanjia.SignupConfirmed] != 1 || statuses[guanjia.SignupWaitlisted] != 1 {
		t.Errorf("signups %v, want one confirmed and one waitlisted", statuses)
	}
	if got := e.find(a.ID); got.Confirmed != 1 || got.Waitlisted != 1 {
		t.Errorf("activity counters %d/%d, want 1/1", got.Confirmed, got.Waitlisted)
	}
	if _, _, err := e.svc.Matching.Accept(e.ctx, x, mine(x).ID); code(err) != guanjia.ECONFLICT {
		t.Errorf("accepting twice: %v, want conflict", err)
	}
	if _, err := e.svc.Matching.Decline(e.ctx, x, mine(z).ID); code(err) != guanjia.ENOTFOUND {
		t.Errorf("declining another's invitation: %v, want not found", err)
	}
	if inv, err := e.svc.Matching.Decline(e.ctx, z, mine(z).ID); err != nil || inv.Status != volunteer.InviteDeclined {
		t.Errorf("decline: %+v, %v", inv, err)
	}

	list, err := e.svc.Matching.ActivityInvitations(e.ctx, lead, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range list {
		masked := strings.HasSuffix(inv.Name, "**")
		if accepted := inv.Status == volunteer.InviteAccepted; accepted == masked || (accepted && inv.SignupID == nil) {
			t.Errorf("invitation %+v: names show once accepted, and only then", inv)
		}
	}
}

func TestInvitationsExpireAtSignupDeadline(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	a := e.activity(tm.ID, lead, 3, t0.Add(48*time.Hour))
	x, xID := e.skilled(0.01, true, "外语")
	invs, err := e.svc.Matching.Invite(e.ctx, lead, a.ID, []int64{xID})
	if err != nil {
		t.Fatal(err)
	}
	// One who signed up on their own accepts with that signup.
	y, yID := e.skilled(0.01, true, "外语")
	own, err := e.svc.Signups.Signup(e.ctx, y, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	yInv, err := e.svc.Matching.Invite(e.ctx, lead, a.ID, []int64{yID})
	if err != nil {
		t.Fatal(err)
	}
	var mineY *volunteer.Invitation
	for _, inv := range yInv {
		if inv.UserID == y.UserID {
			mineY = inv
		}
	}
	if inv, su, err := e.svc.Matching.Accept(e.ctx, y, mineY.ID); err != nil || su.ID != own.ID || *inv.SignupID != own.ID {
		t.Errorf("accepting after signing up: %+v, %+v, %v; want the same signup", inv, su, err)
	}

	e.clock.Set(a.SignupDeadline)
	if l, err := e.svc.Matching.MyInvitations(e.ctx, x); err != nil || l[0].Status != volunteer.InviteExpired {
		t.Errorf("after the deadline: %+v, %v; want expired", l, err)
	}
	if _, _, err := e.svc.Matching.Accept(e.ctx, x, invs[0].ID); code(err) != guanjia.EUNPROCESSABLE {
		t.Errorf("accepting an expired invitation: %v, want unprocessable", err)
	}
	if _, err := e.db.Volunteers.FindActiveSignup(e.ctx, a.ID, x.UserID); code(err) != guanjia.ENOTFOUND {
		t.Errorf("an expired invitation signed up: %v", err)
	}
	if _, err := e.svc.Matching.Invite(e.ctx, lead, a.ID, []int64{xID}); code(err) != guanjia.EUNPROCESSABLE {
		t.Errorf("inviting after the deadline: %v, want unprocessable", err)
	}
}

// An activity moved a week later keeps taking signups until its new
// deadline; an invitation to it follows, and inviting again is no harm.
func TestInvitationFollowsARescheduledActivity(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(48 * time.Hour)
	a := e.activity(tm.ID, lead, 3, start)
	x, xID := e.skilled(0.01, true, "外语")
	invs, err := e.svc.Matching.Invite(e.ctx, lead, a.ID, []int64{xID})
	if err != nil {
		t.Fatal(err)
	}
	moved := start.AddDate(0, 0, 7)
	if _, err := e.svc.Activities.RescheduleActivity(e.ctx, lead, a.ID, volunteer.RescheduleInput{StartAt: moved, EndAt: moved.Add(3 * time.Hour), Reason: "场地冲突"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(start.Add(time.Hour)) // past the old deadline, a week before the new one
	_, _ = e.svc.Matching.Invite(e.ctx, lead, a.ID, []int64{xID})
	if _, su, err := e.svc.Matching.Accept(e.ctx, x, invs[0].ID); err != nil {
		t.Errorf("accepting an invitation to an activity moved a week later, signup still open: %v (signup %v)", err, su)
	}
}

// An invitation refused as expired is answerable again once its activity is
// moved later and signup opens again: the organiser sees it pending, and
// inviting again does not leave it expired.
func TestExpiredInvitationComesBackWithItsActivity(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	start := t0.Add(72 * time.Hour)
	a := e.activity(tm.ID, lead, 3, start)
	early := volunteer.RescheduleInput{StartAt: start, EndAt: start.Add(3 * time.Hour), SignupDeadline: t0.Add(24 * time.Hour), Reason: "提前截止报名"}
	if _, err := e.svc.Activities.RescheduleActivity(e.ctx, lead, a.ID, early); err != nil {
		t.Fatal(err)
	}
	x, xID := e.skilled(0.01, true, "外语")
	invs, err := e.svc.Matching.Invite(e.ctx, lead, a.ID, []int64{xID})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Set(t0.Add(25 * time.Hour))
	if _, _, err := e.svc.Matching.Accept(e.ctx, x, invs[0].ID); code(err) != guanjia.EUNPROCESSABLE {
		t.Fatalf("accepting past the deadline: %v, want unprocessable", err)
	}
	later := start.Add(24 * time.Hour)
	if _, err := e.svc.Activities.RescheduleActivity(e.ctx, lead, a.ID, volunteer.RescheduleInput{StartAt: later, EndAt: later.Add(3 * time.Hour), Reason: "延期"}); err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.Matching.Invite(e.ctx, lead, a.ID, []int64{xID})
	if err != nil || len(again) != 1 || again[0].Status != volunteer.InvitePending || !again[0].ExpiresAt.Equal(later) {
		t.Fatalf("inviting again after the move: %+v, %v; want pending until %v", again, err, later)
	}
	if l, err := e.svc.Matching.MyInvitations(e.ctx, x); err != nil || l[0].Status != volunteer.InvitePending {
		t.Errorf("the volunteer's invitations after the move: %+v, %v; want pending", l, err)
	}
	if _, su, err := e.svc.Matching.Accept(e.ctx, x, invs[0].ID); err != nil || su.Status != guanjia.SignupConfirmed {
		t.Errorf("accepting after the move: %+v, %v", su, err)
	}
}

func TestSkillsComeFromTheCatalogue(t *testing.T) {
	e := newEnv(t)
	who := e.volunteer()
	if _, err := e.svc.Matching.SetSkills(e.ctx, who, volunteer.SkillsInput{Skills: []string{"飞行"}}); code(err) != guanjia.EINVALID {
		t.Errorf("skill outside the catalogue: %v, want invalid", err)
	}
	p, err := e.svc.Matching.SetSkills(e.ctx, who, volunteer.SkillsInput{Skills: []string{"急救", "急救", "法律"}})
	if err != nil || len(p.Skills) != 2 || p.Findable {
		t.Errorf("profile %+v, %v: want two skills, not findable by default", p, err)
	}
	if _, err := e.svc.Matching.SetSkills(e.ctx, e.user(guanjia.RoleCitizen), volunteer.SkillsInput{}); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("uncertified: %v, want forbidden", err)
	}
}

// The skills named at 实名认证 are the catalogue's, and the ones organisers
// search by: not words on the certification that no search finds.
func TestSkillsNamedAtCertificationAreSearchable(t *testing.T) {
	e := newEnv(t)
	who := e.user(guanjia.RoleCitizen)
	in := volunteer.CertifyInput{Name: "王小明", IDNumber: idNumber("46010619900307123"), Phone: "13800000000", Skills: []string{"急救", "吹笛子"}}
	if _, err := e.svc.Volunteers.Certify(e.ctx, who, in); code(err) != guanjia.EINVALID || guanjia.ErrorField(err) != "skills" {
		t.Fatalf("a skill outside the catalogue: %v, want invalid skills", err)
	}
	if _, err := e.svc.Volunteers.Me(e.ctx, who); code(err) != guanjia.ENOTFOUND {
		t.Fatalf("the refused certification was kept: %v", err)
	}
	in.Skills = []string{" 急救", "摄影", "急救"}
	v, err := e.svc.Volunteers.Certify(e.ctx, who, in)
	if err != nil || !slices.Equal(v.Skills, []string{"急救", "摄影"}) {
		t.Fatalf("certified with %v, %v; want 急救 and 摄影", v, err)
	}
	p, err := e.svc.Matching.MySkills(e.ctx, who)
	if err != nil || len(p.Skills) != 2 || !slices.ContainsFunc(p.Skills, func(s volunteer.SkillEntry) bool { return s.Skill == "急救" }) {
		t.Errorf("the volunteer's searchable skills: %+v, %v; want 急救 and 摄影", p, err)
	}
}

// TestSkillsAreaFromWeChatIsStoredInWGS84: the mini-program picks the area
// on WeChat's map (GCJ-02, about 500 m off in Haikou, a whole search cell);
// it is kept in WGS-84 like every other place.
func TestSkillsAreaFromWeChatIsStoredInWGS84(t *testing.T) {
	e := newEnv(t)
	who := e.volunteer()
	gLat, gLng := geo.WGS84ToGCJ02(placeLat, placeLng)
	p, err := e.svc.Matching.SetSkills(e.ctx, who, volunteer.SkillsInput{Skills: []string{"急救"}, Findable: true,
		Lat: &gLat, Lng: &gLng, CoordSystem: "gcj02", RadiusM: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if p.Lat == nil || geo.Distance(*p.Lat, *p.Lng, placeLat, placeLng) > 1 {
		t.Errorf("area kept at %v,%v; want the WGS-84 point %v,%v", p.Lat, p.Lng, placeLat, placeLng)
	}
	if _, err := e.svc.Matching.SetSkills(e.ctx, who, volunteer.SkillsInput{Lat: &gLat, Lng: &gLng, CoordSystem: "bd09"}); code(err) != guanjia.EINVALID || guanjia.ErrorField(err) != "coord_system" {
		t.Errorf("an unknown coord_system: %v, want invalid coord_system", err)
	}
}

// TestTeamMembersShowTheirSkills: an admin verifying certificates reads what
// each member recorded and whether it is verified; another team's members
// and non-admins see nothing.
func TestTeamMembersShowTheirSkills(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	medic, _ := e.skilled(0.01, false, "急救", "摄影")
	other, _ := e.skilled(0.01, true, "驾驶") // in no team
	if _, err := e.svc.Teams.JoinTeam(e.ctx, medic, tm.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Matching.VerifySkill(e.ctx, lead, tm.ID, medic.UserID, "急救", true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Teams.ListTeamMembers(e.ctx, medic, tm.ID); code(err) != guanjia.EFORBIDDEN {
		t.Errorf("a member lists the members: %v, want forbidden", err)
	}
	list, err := e.svc.Teams.ListTeamMembers(e.ctx, lead, tm.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Members) != 2 {
		t.Fatalf("members %+v, want the lead and the medic", list.Members)
	}
	got := map[string]bool{}
	for _, s := range list.Skills[medic.UserID] {
		got[s.Skill] = s.Verified()
	}
	if len(got) != 2 || !got["急救"] || got["摄影"] {
		t.Errorf("the medic's skills %v, want 急救 verified and 摄影 not", got)
	}
	if s := list.Skills[other.UserID]; s != nil {
		t.Errorf("someone outside the team is listed with %v", s)
	}
}

// An invitation to an activity cancelled since waits for no answer: it is
// expired, and 公益海口 counts it no more. 活动邀请 reads each invitation
// with its activity: title, times, place, status and team, in one read of
// the activities for the whole list.
func TestInvitationsOfACancelledActivityExpire(t *testing.T) {
	e := newEnv(t)
	tm, lead := e.team()
	a := e.activity(tm.ID, lead, 3, t0.Add(48*time.Hour))
	b := e.activity(tm.ID, lead, 3, t0.Add(72*time.Hour))
	x, xID := e.skilled(0.01, true, "外语")
	for _, act := range []*guanjia.Activity{a, b} {
		if _, err := e.svc.Matching.Invite(e.ctx, lead, act.ID, []int64{xID}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.Activities.CancelActivity(e.ctx, lead, a.ID, "天气预警"); err != nil {
		t.Fatal(err)
	}
	l, err := e.svc.Matching.MyInvitations(e.ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	status := map[int64]string{}
	for _, inv := range l {
		status[inv.ActivityID] = inv.Status
	}
	if status[a.ID] != volunteer.InviteExpired || status[b.ID] != volunteer.InvitePending {
		t.Errorf("invitations after one activity was cancelled: %v, want %d expired and %d pending", status, a.ID, b.ID)
	}
	if len(l) != 2 {
		t.Fatalf("%d invitations, want 2", len(l))
	}
	for _, inv := range l {
		got := inv.Activity
		if got == nil || got.ID != inv.ActivityID || got.Title != "万绿园净滩" || got.Address != "万绿园" || got.TeamName != tm.Name {
			t.Fatalf("invitation %d to %d carries %+v", inv.ID, inv.ActivityID, got)
		}
		want := map[int64]time.Time{a.ID: a.StartAt, b.ID: b.StartAt}[inv.ActivityID]
		if !got.StartAt.Equal(want) || !got.EndAt.Equal(want.Add(3*time.Hour)) {
			t.Errorf("invitation to %d: %v–%v, want from %v for 3 h", inv.ActivityID, got.StartAt, got.EndAt, want)
		}
	}
	both := map[int64]string{}
	for _, inv := range l {
		both[inv.ActivityID] = string(inv.Activity.Status) + "/" + inv.Status
	}
	if both[a.ID] != "cancelled/expired" || both[b.ID] != "published/pending" {
		t.Errorf("activity/invitation statuses %v", both)
	}
}

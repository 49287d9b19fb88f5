package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"guanjia"
)

// certified creates a user, certifies them as a volunteer and answers their id and token.
func (w *volunteerWorld) certified(name string, n int) (int64, string) {
	w.t.Helper()
	id, tok := w.user(name, guanjia.RoleCitizen)
	w.must(201, w.call("POST", "/api/v1/volunteer/certify", tok, map[string]any{"name": name,
		"id_number": idNumberFor(fmt.Sprintf("4601082000052100%d", n)), "phone": "13876001122"}), "certify "+name)
	return id, tok
}

// TestTeamAdminsAndMembersOverHTTP: an admin appointed by mistake is removed
// as admin, the last admin is refused in Chinese with 409, a member leaves
// (204) and another is removed; a member's own teams then say so.
func TestTeamAdminsAndMembersOverHTTP(t *testing.T) {
	w := newVolunteerWorld(t, time.Now().Truncate(time.Second).UTC())
	_, admin := w.user("admin", guanjia.RoleAdmin)
	leadID, lead := w.certified("陈海燕", 1)
	deputyID, deputy := w.certified("王小明", 2)
	memberID, member := w.certified("林晓琳", 3)
	team := w.must(201, w.call("POST", "/api/v1/teams", lead, map[string]any{"name": "龙华区青年志愿者协会", "organisation": "共青团海口市龙华区委员会",
		"contact_name": "陈海燕", "contact_phone": "13907551234", "district": "龙华区"}), "apply team")
	teamID := int64(team.num("id"))
	w.must(200, w.call("POST", fmt.Sprintf("/api/v1/teams/%d/review", teamID), admin, map[string]any{"approve": true}), "certify team")
	for _, tok := range []string{deputy, member} {
		w.must(201, w.call("POST", fmt.Sprintf("/api/v1/teams/%d/join", teamID), tok, nil), "join")
	}
	adminPath := func(user int64) string { return fmt.Sprintf("/api/v1/teams/%d/admins/%d", teamID, user) }
	memberPath := func(user int64) string { return fmt.Sprintf("/api/v1/teams/%d/members/%d", teamID, user) }
	w.must(200, w.call("POST", fmt.Sprintf("/api/v1/teams/%d/admins", teamID), lead, map[string]any{"user_id": deputyID}), "appoint by mistake")

	w.refused(403, "", w.call("DELETE", adminPath(deputyID), member, nil), "a member removes an admin")
	w.refused(403, "", w.call("DELETE", memberPath(deputyID), member, nil), "a member removes a member")
	w.refused(409, "", w.call("DELETE", memberPath(deputyID), deputy, nil), "an admin leaves")
	w.refused(404, "", w.call("DELETE", adminPath(0), lead, nil), "no such user")

	got := w.must(200, w.call("DELETE", adminPath(deputyID), lead, nil), "remove the deputy as admin")
	if got.str("role") != "member" || int64(got.num("user_id")) != deputyID {
		t.Errorf("after removing the admin role: %s", got.raw)
	}
	last := w.call("DELETE", adminPath(leadID), lead, nil)
	w.refused(409, "", last, "the last admin steps down")
	if msg := last.str("error", "message"); !strings.Contains(msg, "至少要有一名管理员") {
		t.Errorf("the last admin is told %q, want the rule in Chinese", msg)
	}
	w.refused(409, "", w.call("DELETE", adminPath(leadID), admin, nil), "a platform admin removes the last admin")

	if r := w.call("DELETE", memberPath(memberID), member, nil); r.status != 204 || len(r.raw) != 0 {
		t.Errorf("the member leaves: %d %s, want 204 and no body", r.status, r.raw)
	}
	w.must(204, w.call("DELETE", memberPath(deputyID), lead, nil), "the lead removes the deputy")
	if r := w.must(200, w.call("GET", "/api/v1/teams?mine=true", member, nil), "the member's teams"); len(r.get("teams").([]any)) != 0 {
		t.Errorf("the member's teams after leaving: %s", r.raw)
	}
	members := w.must(200, w.call("GET", fmt.Sprintf("/api/v1/teams/%d/members", teamID), lead, nil), "members")
	if list := members.get("members").([]any); len(list) != 1 || list[0].(map[string]any)["role"] != "admin" {
		t.Errorf("members left: %s, want the lead, an admin", members.raw)
	}
}

// TestReviewListsCarryWhatAReviewerNeeds: the console's queues read the
// applicant of a team and the team, submission and refusals of an
// activity from the lists themselves.
func TestReviewListsCarryWhatAReviewerNeeds(t *testing.T) {
	now := time.Now().Truncate(time.Second).UTC()
	w := newVolunteerWorld(t, now)
	_, admin := w.user("admin", guanjia.RoleAdmin)
	_, lead := w.certified("陈海燕", 1)
	_, citizen := w.user("citizen", guanjia.RoleCitizen)
	team := w.must(201, w.call("POST", "/api/v1/teams", lead, map[string]any{"name": "美兰助老队", "organisation": "美兰区民政局",
		"contact_name": "陈", "contact_phone": "13907551234", "district": "美兰区"}), "apply team")
	teamID := int64(team.num("id"))

	queue := w.must(200, w.call("GET", "/api/v1/teams?status=pending", admin, nil), "the team queue")
	if list := queue.get("teams").([]any); len(list) != 1 || list[0].(map[string]any)["applicant"] != "陈海燕" {
		t.Errorf("the team queue: %s, want 美兰助老队 applied for by 陈海燕", queue.raw)
	}
	w.must(200, w.call("POST", fmt.Sprintf("/api/v1/teams/%d/review", teamID), admin, map[string]any{"approve": true}), "certify")
	if public := w.must(200, w.call("GET", "/api/v1/teams", citizen, nil), "teams"); strings.Contains(string(public.raw), "applicant") {
		t.Errorf("the public list names the applicant: %s", public.raw)
	}

	start := now.Add(72 * time.Hour)
	act := w.must(201, w.call("POST", "/api/v1/activities", lead, map[string]any{"team_id": teamID, "title": "陪老人就医", "address": "海口市美兰区海府路",
		"lat": 20.03, "lng": 110.35, "start_at": start, "end_at": start.Add(3 * time.Hour), "capacity": 5}), "draft")
	path := fmt.Sprintf("/api/v1/activities/%d", int64(act.num("id")))
	w.must(200, w.call("POST", path+"/submit", lead, nil), "submit")
	w.must(200, w.call("POST", path+"/review", admin, map[string]any{"approve": false, "reason": "集合地点不明确"}), "refuse")
	w.clock.Set(now.Add(time.Hour))
	w.must(200, w.call("POST", path+"/submit", lead, nil), "submit again")

	list := w.must(200, w.call("GET", "/api/v1/activities?status=submitted", admin, nil), "the activity queue")
	acts := list.get("activities").([]any)
	if len(acts) != 1 {
		t.Fatalf("the activity queue: %s", list.raw)
	}
	a := acts[0].(map[string]any)
	if a["team"] != "美兰助老队" || a["submitted_at"] != now.Add(time.Hour).Format(time.RFC3339) || a["refusals"] != 1.0 || a["review_note"] != "集合地点不明确" {
		t.Errorf("under review: %s, want its team, submitted an hour after the first try, refused once", list.raw)
	}
}

// TestMyInvitationsCarryTheirActivity: 活动邀请 reads every invitation with
// its activity's title, times, place, status and team from the list.
func TestMyInvitationsCarryTheirActivityOverHTTP(t *testing.T) {
	now := time.Now().Truncate(time.Second).UTC()
	w := newVolunteerWorld(t, now)
	_, admin := w.user("admin", guanjia.RoleAdmin)
	_, lead := w.certified("陈海燕", 1)
	_, v := w.certified("林晓琳", 2)
	w.must(200, w.call("PUT", "/api/v1/volunteer/me/skills", v, map[string]any{"skills": []string{"外语"}, "findable": true,
		"lat": 20.04, "lng": 110.32, "radius_m": 3000}), "findable")
	me := w.must(200, w.call("GET", "/api/v1/volunteer/me", v, nil), "me")
	team := w.must(201, w.call("POST", "/api/v1/teams", lead, map[string]any{"name": "龙华区青年志愿者协会", "organisation": "共青团海口市龙华区委员会",
		"contact_name": "陈海燕", "contact_phone": "13907551234", "district": "龙华区"}), "apply team")
	teamID := int64(team.num("id"))
	w.must(200, w.call("POST", fmt.Sprintf("/api/v1/teams/%d/review", teamID), admin, map[string]any{"approve": true}), "certify")
	start := now.Add(48 * time.Hour)
	act := w.must(201, w.call("POST", "/api/v1/activities", lead, map[string]any{"team_id": teamID, "title": "万绿园净滩", "address": "海口市龙华区滨海大道万绿园",
		"lat": 20.0405, "lng": 110.3222, "start_at": start, "end_at": start.Add(3 * time.Hour), "capacity": 5}), "draft")
	path := fmt.Sprintf("/api/v1/activities/%d", int64(act.num("id")))
	w.must(200, w.call("POST", path+"/submit", lead, nil), "submit")
	w.must(200, w.call("POST", path+"/review", admin, map[string]any{"approve": true}), "publish")
	w.must(201, w.call("POST", path+"/invitations", lead, map[string]any{"volunteer_ids": []int64{int64(me.num("id"))}}), "invite")

	mine := w.must(200, w.call("GET", "/api/v1/volunteer/me/invitations", v, nil), "my invitations")
	invs := mine.get("invitations").([]any)
	if len(invs) != 1 {
		t.Fatalf("my invitations: %s", mine.raw)
	}
	got, _ := invs[0].(map[string]any)["activity"].(map[string]any)
	want := map[string]any{"id": act.num("id"), "team_id": float64(teamID), "team": "龙华区青年志愿者协会", "title": "万绿园净滩",
		"address": "海口市龙华区滨海大道万绿园", "start_at": start.Format(time.RFC3339), "end_at": start.Add(3 * time.Hour).Format(time.RFC3339),
		"signup_deadline": start.Format(time.RFC3339), "status": "published"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the invitation's activity:\n%v\nwant\n%v", got, want)
	}
}

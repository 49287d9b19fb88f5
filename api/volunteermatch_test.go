package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/geo"
)

// TestVolunteerMatchPath: a team admin finds volunteers with 急救 near the
// activity, names masked, invites one, who accepts and is signed up.
func TestVolunteerMatchPath(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	now := nextFriday(time.Now(), cst).Add(10 * time.Hour).UTC()
	w := newVolunteerWorld(t, now)
	_, admin := w.user("admin", guanjia.RoleAdmin)
	_, lead := w.user("lead", guanjia.RoleCitizen)
	v1ID, v1 := w.user("v1", guanjia.RoleCitizen)
	_, v2 := w.user("v2", guanjia.RoleCitizen)
	w.must(201, w.call("POST", "/api/v1/volunteer/certify", lead, map[string]any{"name": "陈海燕",
		"id_number": idNumberFor("46010619850312002"), "phone": "13907551234"}), "certify lead")
	for i, tok := range []string{v1, v2} {
		w.must(201, w.call("POST", "/api/v1/volunteer/certify", tok, map[string]any{"name": fmt.Sprintf("王志愿%d", i+1),
			"id_number": idNumberFor(fmt.Sprintf("4601082000052100%d", i+1)), "phone": "13876001122"}), "certify volunteer")
	}
	w.refused(400, "skills", w.call("PUT", "/api/v1/volunteer/me/skills", v1, map[string]any{"skills": []string{"飞行"}}), "skill outside the catalogue")
	me := w.must(200, w.call("PUT", "/api/v1/volunteer/me/skills", v1, map[string]any{"skills": []string{"急救"}, "findable": true,
		"lat": 20.0505, "lng": 110.3222, "radius_m": 3000}), "v1 skills")
	if me.get("findable") != true {
		t.Errorf("skills %s", me.raw)
	}
	w.must(200, w.call("PUT", "/api/v1/volunteer/me/skills", v2, map[string]any{"skills": []string{"急救"},
		"lat": 20.0505, "lng": 110.3222}), "v2 skills, not findable")

	team := w.must(201, w.call("POST", "/api/v1/teams", lead, map[string]any{"name": "龙华区青年志愿者协会", "organisation": "共青团海口市龙华区委员会",
		"contact_name": "陈海燕", "contact_phone": "13907551234", "district": "龙华区", "lat": 20.0315, "lng": 110.3280}), "apply team")
	teamID := int64(team.num("id"))
	w.must(200, w.call("POST", fmt.Sprintf("/api/v1/teams/%d/review", teamID), admin, map[string]any{"approve": true}), "certify team")
	// A team admin verifying a member's certificate reads the member's skills,
	// not where they live or whether they may be found.
	w.must(201, w.call("POST", fmt.Sprintf("/api/v1/teams/%d/join", teamID), v1, nil), "v1 joins")
	verified := w.must(200, w.call("PUT", fmt.Sprintf("/api/v1/teams/%d/members/%d/skills", teamID, v1ID), lead,
		map[string]any{"skill": "急救", "verified": true}), "verify v1's 急救")
	if strings.Contains(string(verified.raw), "lat") || strings.Contains(string(verified.raw), "findable") || !strings.Contains(string(verified.raw), "急救") {
		t.Errorf("the verification answers %s, want the skills only", verified.raw)
	}
	// The members list says what each recorded, so the admin knows what to verify.
	members := w.must(200, w.call("GET", fmt.Sprintf("/api/v1/teams/%d/members", teamID), lead, nil), "members")
	if raw := string(members.raw); !strings.Contains(raw, `"skills":[{"skill":"急救","verified":true`) ||
		strings.Contains(raw, "lat") || strings.Contains(raw, "findable") {
		t.Errorf("the members list answers %s, want v1's 急救 verified and nothing of where anyone lives", raw)
	}
	start := now.Add(48 * time.Hour)
	act := w.must(201, w.call("POST", "/api/v1/activities", lead, map[string]any{"team_id": teamID, "title": "万绿园急救保障",
		"address": "海口市龙华区滨海大道万绿园", "lat": 20.0405, "lng": 110.3222, "coord_system": "wgs84", "radius_m": 200,
		"start_at": start, "end_at": start.Add(3 * time.Hour), "capacity": 1}), "draft")
	path := func(s string) string { return fmt.Sprintf("/api/v1/activities/%d%s", int64(act.num("id")), s) }
	w.must(200, w.call("POST", path("/submit"), lead, nil), "submit")
	w.must(200, w.call("POST", path("/review"), admin, map[string]any{"approve": true}), "approve")

	search := fmt.Sprintf("/api/v1/volunteers/search?skill=%s&activity=%d&radius_m=5000", "%E6%80%A5%E6%95%91", int64(act.num("id")))
	w.refused(403, "", w.call("GET", search, v2, nil), "a volunteer searches")
	found := w.must(200, w.call("GET", search, lead, nil), "search")
	list, _ := found.get("volunteers").([]any)
	if len(list) != 1 {
		t.Fatalf("found %s, want v1 only", found.raw)
	}
	hit := list[0].(map[string]any)
	// About 1.1 km away, placed only to its cell of about 500 m.
	if d, _ := hit["distance_m"].(float64); hit["name"] != "王**" || d < 700 || d > 1500 {
		t.Errorf("hit %v: want a masked name about 1.1 km away", hit)
	}
	w.refused(403, "", w.call("POST", path("/invitations"), v2, map[string]any{"volunteer_ids": []any{hit["volunteer_id"]}}), "invited by a volunteer")
	w.must(201, w.call("POST", path("/invitations"), lead, map[string]any{"volunteer_ids": []any{hit["volunteer_id"]}}), "invite")

	mine := w.must(200, w.call("GET", "/api/v1/volunteer/me/invitations", v1, nil), "my invitations")
	invs, _ := mine.get("invitations").([]any)
	if len(invs) != 1 {
		t.Fatalf("invitations %s", mine.raw)
	}
	invID := int64(invs[0].(map[string]any)["id"].(float64))
	w.refused(404, "", w.call("POST", fmt.Sprintf("/api/v1/volunteer/me/invitations/%d/accept", invID), v2, nil), "someone else accepts")
	acc := w.must(200, w.call("POST", fmt.Sprintf("/api/v1/volunteer/me/invitations/%d/accept", invID), v1, nil), "accept")
	if acc.str("signup", "status") != "confirmed" || acc.str("invitation", "status") != "accepted" {
		t.Errorf("accepted: %s", acc.raw)
	}
	again := w.must(200, w.call("GET", search, lead, nil), "search after accepting")
	if hit := again.get("volunteers").([]any)[0].(map[string]any); hit["name"] != "王志愿1" || hit["invitation"] != "accepted" {
		t.Errorf("after accepting: %v, want the name shown", hit)
	}
}

// TestMySkillsAreaTakesWeChatCoordinates: the mini-program sends the point
// wx.chooseLocation picked (GCJ-02) with coord_system; it is read back in WGS-84.
func TestMySkillsAreaTakesWeChatCoordinates(t *testing.T) {
	w := newVolunteerWorld(t, time.Now().UTC())
	_, v := w.user("v", guanjia.RoleCitizen)
	w.must(201, w.call("POST", "/api/v1/volunteer/certify", v, map[string]any{"name": "王志愿",
		"id_number": idNumberFor("46010820000521001"), "phone": "13876001122"}), "certify")
	gLat, gLng := geo.WGS84ToGCJ02(20.0405, 110.3222)
	w.refused(400, "coord_system", w.call("PUT", "/api/v1/volunteer/me/skills", v, map[string]any{"skills": []string{"急救"},
		"lat": gLat, "lng": gLng, "coord_system": "bd09", "radius_m": 3000}), "an unknown coord_system")
	w.must(200, w.call("PUT", "/api/v1/volunteer/me/skills", v, map[string]any{"skills": []string{"急救"}, "findable": true,
		"lat": gLat, "lng": gLng, "coord_system": "gcj02", "radius_m": 3000}), "set skills from the map")
	me := w.must(200, w.call("GET", "/api/v1/volunteer/me/skills", v, nil), "read them back")
	if d := geo.Distance(me.num("lat"), me.num("lng"), 20.0405, 110.3222); d > 1 {
		t.Errorf("area read back %s: %.0f m from the point picked, want it in WGS-84", me.raw, d)
	}
}

package api_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/skip2/go-qrcode"

	"guanjia"
)

// organiserWorld is a certified team (lead its admin, member a member) with a
// published activity that v has signed up for, on a clock at its start.
type organiserWorld struct {
	*volunteerWorld
	lead, member, v string
	vID, teamID     int64
	path            func(string) string
}

func newOrganiserWorld(t *testing.T) *organiserWorld {
	t.Helper()
	cst := time.FixedZone("CST", 8*3600)
	now := nextFriday(time.Now(), cst).Add(10 * time.Hour).UTC()
	w := &organiserWorld{volunteerWorld: newVolunteerWorld(t, now)}
	_, admin := w.user("admin", guanjia.RoleAdmin)
	_, w.lead = w.user("lead", guanjia.RoleCitizen)
	_, w.member = w.user("member", guanjia.RoleCitizen)
	w.vID, w.v = w.user("v1", guanjia.RoleCitizen)
	for i, tok := range []string{w.lead, w.member, w.v} {
		w.must(201, w.call("POST", "/api/v1/volunteer/certify", tok, map[string]any{"name": fmt.Sprintf("志愿者%d", i+1),
			"id_number": idNumberFor(fmt.Sprintf("4601082000052100%d", i+1)), "phone": "13876001122"}), "certify")
	}
	team := w.must(201, w.call("POST", "/api/v1/teams", w.lead, map[string]any{"name": "龙华区青年志愿者协会", "organisation": "共青团海口市龙华区委员会",
		"contact_name": "陈海燕", "contact_phone": "13907551234", "district": "龙华区", "lat": 20.0315, "lng": 110.3280}), "apply team")
	w.teamID = int64(team.num("id"))
	w.must(200, w.call("POST", fmt.Sprintf("/api/v1/teams/%d/review", w.teamID), admin, map[string]any{"approve": true}), "certify team")
	w.must(201, w.call("POST", fmt.Sprintf("/api/v1/teams/%d/join", w.teamID), w.member, nil), "join")

	start := now.Add(24 * time.Hour)
	act := w.must(201, w.call("POST", "/api/v1/activities", w.lead, map[string]any{"team_id": w.teamID, "title": "万绿园净滩",
		"address": "海口市龙华区滨海大道万绿园", "lat": 20.0405, "lng": 110.3222, "start_at": start, "end_at": start.Add(3 * time.Hour),
		"capacity": 10}), "draft")
	w.path = func(s string) string { return fmt.Sprintf("/api/v1/activities/%d%s", int64(act.num("id")), s) }
	w.must(200, w.call("POST", w.path("/submit"), w.lead, nil), "submit")
	w.must(200, w.call("POST", w.path("/review"), admin, map[string]any{"approve": true}), "approve")
	w.must(201, w.call("POST", w.path("/signup"), w.v, nil), "signup")
	w.clock.Set(start)
	return w
}

// TestCheckinTokenQRCode: the organiser's phone shows the token as a PNG the
// server drew, and that picture holds the token itself.
func TestCheckinTokenQRCode(t *testing.T) {
	w := newOrganiserWorld(t)
	w.refused(403, "", w.call("GET", w.path("/checkin-token"), w.v, nil), "a volunteer asks for the code")
	w.refused(403, "", w.call("GET", w.path("/checkin-token"), w.member, nil), "a member who is no admin asks for the code")

	r := w.must(200, w.call("GET", w.path("/checkin-token"), w.lead, nil), "check-in token")
	tok := r.str("token")
	if _, err := time.Parse(time.RFC3339, r.str("expires_at")); err != nil || tok == "" {
		t.Fatalf("token answer: %s", r.raw)
	}
	const prefix = "data:image/png;base64,"
	url := r.str("qr_png")
	if !strings.HasPrefix(url, prefix) {
		t.Fatalf("qr_png %.60q…, want a PNG data URL", url)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(url, prefix))
	if err != nil {
		t.Fatalf("qr_png is not base64: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("qr_png is not a PNG: %v", err)
	}
	size := img.Bounds().Dx()
	if size < 256 || img.Bounds().Dy() != size {
		t.Fatalf("QR image %v, want a square of at least 256 px to scan from another phone", img.Bounds())
	}

	// Read each module at its centre and compare with the token's code at
	// medium error correction (the encoder is deterministic).
	want, err := qrcode.New(tok, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bits := want.Bitmap()
	px := float64(size) / float64(len(bits))
	for y, row := range bits {
		for x, dark := range row {
			r, _, _, _ := img.At(int((float64(x)+0.5)*px), int((float64(y)+0.5)*px)).RGBA()
			if got := r < 0x8000; got != dark {
				t.Fatalf("module (%d,%d) is dark=%v, want %v: the picture is not the token %q", x, y, got, dark, tok)
			}
		}
	}

	// What the picture holds checks the volunteer in.
	if su := w.must(200, w.call("POST", w.path("/checkin"), w.v, map[string]any{"token": tok, "lat": 20.0405, "lng": 110.3222}), "check in"); su.str("status") != "checked_in" {
		t.Errorf("check-in with the pictured token: %s", su.raw)
	}
}

// TestOrganiserSeesRoleAndNames: a member's own team list says whether they
// administer it (the mini-program shows its organiser pages by it), and the
// organisers' signup list names each volunteer.
func TestOrganiserSeesRoleAndNames(t *testing.T) {
	w := newOrganiserWorld(t)
	role := func(tok string) string {
		teams, _ := w.must(200, w.call("GET", "/api/v1/teams?mine=true", tok, nil), "my teams").get("teams").([]any)
		if len(teams) != 1 {
			t.Fatalf("my teams: %v", teams)
		}
		r, _ := teams[0].(map[string]any)["my_role"].(string)
		return r
	}
	if got := role(w.lead); got != guanjia.TeamRoleAdmin {
		t.Errorf("the lead's role %q, want admin", got)
	}
	if got := role(w.member); got != guanjia.TeamRoleMember {
		t.Errorf("the member's role %q, want member", got)
	}
	if all := w.must(200, w.call("GET", "/api/v1/teams", w.v, nil), "all teams"); strings.Contains(string(all.raw), "my_role") {
		t.Errorf("a list that is not the caller's own names a role: %s", all.raw)
	}

	list, _ := w.must(200, w.call("GET", w.path("/signups"), w.lead, nil), "signups").get("signups").([]any)
	if len(list) != 1 {
		t.Fatalf("signups: %v", list)
	}
	if su := list[0].(map[string]any); su["name"] != "志愿者3" || int64(su["user_id"].(float64)) != w.vID || su["status"] != "confirmed" {
		t.Errorf("the organiser's signup list: %v", su)
	}
	if mine := w.must(200, w.call("GET", "/api/v1/volunteer/me/signups", w.v, nil), "my signups"); strings.Contains(string(mine.raw), `"name"`) {
		t.Errorf("my own signups carry a name: %s", mine.raw)
	}
	w.refused(403, "", w.call("GET", w.path("/signups"), w.member, nil), "a member reads the signups")
}

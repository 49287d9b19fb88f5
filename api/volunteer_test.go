package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
	"guanjia/api"
	"guanjia/geo"
	"guanjia/internal/testenv"
	"guanjia/store"
	"guanjia/volunteer"
	"guanjia/worker"
)

// volunteerWorld is the API wired as cmd/guanjia wires it, on the test
// backends, with a clock the test moves.
type volunteerWorld struct {
	t         *testing.T
	ctx       context.Context
	db        *store.DB
	clock     *testenv.Clock
	srv       *httptest.Server
	handlers  *worker.Handlers
	inspector *asynq.Inspector
	secret    string
}

func newVolunteerWorld(t *testing.T, now time.Time) *volunteerWorld {
	t.Helper()
	w := &volunteerWorld{t: t, ctx: context.Background(), db: testenv.MustOpenDB(t), clock: testenv.NewClock(now), secret: "api-test-secret"}
	redis := testenv.MustRedis(t)
	conn := asynq.RedisClientOpt{Addr: redis.Addr, DB: redis.DB, Password: redis.Password}
	client := asynq.NewClient(conn)
	w.inspector = asynq.NewInspector(conn)
	t.Cleanup(func() { client.Close(); w.inspector.Close() })
	sched := &worker.Scheduler{Client: client, Notifications: w.db.Notifications}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	vol := volunteer.NewService(w.db.Volunteers, sched, guanjia.NoContentCheck{}, w.clock, w.secret)
	blobs := store.DiskBlobs{Dir: t.TempDir()}
	vol.Blobs, vol.Log = blobs, log
	w.handlers = &worker.Handlers{Volunteer: vol, Notifications: w.db.Notifications, Users: w.db.Users, Senders: map[string]guanjia.Sender{},
		Scheduler: sched, Metrics: worker.NewMetrics(prometheus.NewRegistry()), Log: log, Now: w.clock.Now}
	srv := api.New(api.Config{Secret: w.secret, TokenTTL: 90 * 24 * time.Hour}, api.Deps{
		Users: w.db.Users, Catalog: w.db.Catalog, Notifications: w.db.Notifications, Idempotency: w.db.Idempotency, Volunteer: vol,
		Registry: prometheus.NewRegistry(), Log: log, Now: w.clock.Now})
	w.srv = httptest.NewServer(srv)
	t.Cleanup(w.srv.Close)
	return w
}

// nextFriday is the midnight (in zone) that starts the first Friday at least
// two days after t. Tests that schedule asynq tasks build their dates from it,
// since asynq compares ProcessAt with the real clock.
func nextFriday(t time.Time, zone *time.Location) time.Time {
	d := t.In(zone).AddDate(0, 0, 2)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, zone)
	for d.Weekday() != time.Friday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// user creates an account and returns a bearer token for it.
func (w *volunteerWorld) user(name string, role guanjia.Role) (int64, string) {
	w.t.Helper()
	u := &guanjia.User{Username: name, Role: role, Name: name}
	if err := w.db.Users.CreateUser(w.ctx, u); err != nil {
		w.t.Fatal(err)
	}
	tok, err := api.IssueToken(w.ctx, w.db.Users, w.secret, u, 90*24*time.Hour, w.clock.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return u.ID, tok
}

type reply struct {
	status int
	body   map[string]any
	raw    []byte
	header http.Header
}

func (r reply) str(path ...string) string { return fmt.Sprint(r.get(path...)) }

func (r reply) num(path ...string) float64 {
	f, _ := r.get(path...).(float64)
	return f
}

func (r reply) get(path ...string) any {
	var cur any = r.body
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func (w *volunteerWorld) call(method, path, token string, body any) reply {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, w.srv.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, raw: raw, header: resp.Header}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// must fails the test unless the reply has the status.
func (w *volunteerWorld) must(status int, r reply, what string) reply {
	w.t.Helper()
	if r.status != status {
		w.t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.raw)
	}
	return r
}

// refused checks a bad request got a clear JSON error with the field named.
func (w *volunteerWorld) refused(status int, field string, r reply, what string) {
	w.t.Helper()
	if r.status != status || r.str("error", "code") == "" || r.str("error", "message") == "" {
		w.t.Fatalf("%s: status %d, want %d with a JSON error: %s", what, r.status, status, r.raw)
	}
	if field != "" && r.str("error", "field") != field {
		w.t.Errorf("%s: error field %q, want %q", what, r.str("error", "field"), field)
	}
}

// upload posts a small PNG as multipart field "file".
func (w *volunteerWorld) upload(path, token string) reply {
	w.t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "photo.png")
	_ = png.Encode(fw, img)
	mw.Close()
	req, _ := http.NewRequest("POST", w.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, raw: raw, header: resp.Header}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// fire runs the queued task with the given id through the worker's handler.
func (w *volunteerWorld) fire(taskID string) {
	w.t.Helper()
	info, err := w.inspector.GetTaskInfo(worker.QueueSLA, taskID)
	if err != nil {
		w.t.Fatalf("task %s is not queued: %v", taskID, err)
	}
	if err := w.handlers.NewServeMux().ProcessTask(w.ctx, asynq.NewTask(info.Type, info.Payload)); err != nil {
		w.t.Fatalf("task %s: %v", taskID, err)
	}
}

func (w *volunteerWorld) notified(user int64, tpl string) []*guanjia.Notification {
	w.t.Helper()
	list, err := w.db.Notifications.ListNotifications(w.ctx, guanjia.NotificationFilter{RecipientID: &user})
	if err != nil {
		w.t.Fatal(err)
	}
	var out []*guanjia.Notification
	for _, n := range list {
		if n.Template == tpl && n.Channel == guanjia.ChannelSubscribe {
			out = append(out, n)
		}
	}
	return out
}

func idNumberFor(first17 string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

// TestVolunteerPath walks 公益海口 end to end over HTTP: a team is
// certified, an activity reviewed and published, volunteers sign up with a
// waitlist and a promotion, the reminder task fires on a moved clock, QR and
// geofence check-in and check-out credit hours to the ledger, the worker's
// auto check-out settles the rest, and a certificate is verified publicly.
func TestVolunteerPath(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	now := nextFriday(time.Now(), cst).Add(10 * time.Hour).UTC() // a Friday 10:00 in Haikou still to come
	w := newVolunteerWorld(t, now)
	_, admin := w.user("admin", guanjia.RoleAdmin)
	leadID, lead := w.user("lead", guanjia.RoleCitizen)
	v1ID, v1 := w.user("v1", guanjia.RoleCitizen)
	v2ID, v2 := w.user("v2", guanjia.RoleCitizen)
	v3ID, v3 := w.user("v3", guanjia.RoleCitizen)
	_, stranger := w.user("stranger", guanjia.RoleCitizen)

	// Real-name certification: a bad checksum is refused and nothing is kept.
	good := idNumberFor("46010619850312002")
	bad := good[:17] + map[bool]string{true: "0", false: "1"}[good[17] != '0']
	w.refused(400, "id_number", w.call("POST", "/api/v1/volunteer/certify", lead, map[string]any{"name": "陈海燕", "id_number": bad, "phone": "13907551234"}), "bad checksum")
	w.refused(404, "", w.call("GET", "/api/v1/volunteer/me", lead, nil), "not certified yet")
	me := w.must(201, w.call("POST", "/api/v1/volunteer/certify", lead, map[string]any{"name": "陈海燕", "id_number": good, "phone": "13907551234", "skills": []string{"急救"}}), "certify")
	if me.str("id_number") != good[:4]+"**********"+good[14:] || me.str("phone") != "139****1234" {
		t.Errorf("certification shows %s / %s, want masked", me.str("id_number"), me.str("phone"))
	}
	for i, tok := range []string{v1, v2, v3} {
		w.must(201, w.call("POST", "/api/v1/volunteer/certify", tok, map[string]any{"name": fmt.Sprintf("志愿者%d", i+1),
			"id_number": idNumberFor(fmt.Sprintf("4601082000052100%d", i+1)), "phone": "13876001122"}), "certify volunteer")
	}

	// A team applies and an admin certifies it.
	team := w.must(201, w.call("POST", "/api/v1/teams", lead, map[string]any{"name": "龙华区青年志愿者协会", "organisation": "共青团海口市龙华区委员会",
		"contact_name": "陈海燕", "contact_phone": "13907551234", "district": "龙华区", "lat": 20.0315, "lng": 110.3280}), "apply team")
	teamID := int64(team.num("id"))
	if team.str("status") != "pending" {
		t.Fatalf("new team is %s", team.str("status"))
	}
	w.refused(403, "", w.call("POST", fmt.Sprintf("/api/v1/teams/%d/review", teamID), lead, map[string]any{"approve": true}), "self-certification")
	w.must(200, w.call("POST", fmt.Sprintf("/api/v1/teams/%d/review", teamID), admin, map[string]any{"approve": true}), "certify team")

	// The organiser drafts; bad drafts are refused; the admin publishes.
	start := nextFriday(time.Now(), cst).AddDate(0, 0, 1).Add(9 * time.Hour).UTC() // Saturday 09:00
	gLat, gLng := geo.WGS84ToGCJ02(20.0405, 110.3222)                              // 万绿园 as wx.getLocation reports it
	draft := map[string]any{"team_id": teamID, "title": "万绿园净滩", "address": "海口市龙华区滨海大道万绿园", "lat": gLat, "lng": gLng,
		"coord_system": "gcj02", "radius_m": 200, "start_at": start, "end_at": start.Add(3 * time.Hour), "capacity": 2}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range draft {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	w.refused(400, "end_at", w.call("POST", "/api/v1/activities", lead, with("end_at", start.Add(-time.Hour))), "ends before it starts")
	w.refused(400, "capacity", w.call("POST", "/api/v1/activities", lead, with("capacity", 0)), "no places")
	w.refused(403, "", w.call("POST", "/api/v1/activities", v1, draft), "drafted by a member")
	act := w.must(201, w.call("POST", "/api/v1/activities", lead, draft), "draft")
	actID := int64(act.num("id"))
	path := func(s string) string { return fmt.Sprintf("/api/v1/activities/%d%s", actID, s) }
	w.refused(404, "", w.call("GET", path(""), v1, nil), "a draft shown to a volunteer")
	w.must(200, w.call("POST", path("/submit"), lead, nil), "submit")
	w.refused(403, "", w.call("POST", path("/review"), lead, map[string]any{"approve": true}), "self-review")
	w.refused(400, "reason", w.call("POST", path("/review"), admin, map[string]any{"approve": false}), "refusal without a reason")
	pub := w.must(200, w.call("POST", path("/review"), admin, map[string]any{"approve": true}), "approve")
	if pub.str("status") != "published" {
		t.Fatalf("approved activity is %s", pub.str("status"))
	}
	near := w.must(200, w.call("GET", fmt.Sprintf("/api/v1/activities?near=%f,%f&coord_system=gcj02&radius=3000", gLat, gLng), v1, nil), "nearby")
	list, _ := near.get("activities").([]any)
	if len(list) != 1 || list[0].(map[string]any)["distance_m"].(float64) > 1 {
		t.Errorf("nearby activities %s", near.raw)
	}

	// Signup: two places, then the waitlist; no double signups.
	w.refused(403, "", w.call("POST", path("/signup"), stranger, nil), "uncertified signup")
	if r := w.must(201, w.call("POST", path("/signup"), v1, nil), "v1 signup"); r.str("status") != "confirmed" {
		t.Fatalf("v1: %s", r.raw)
	}
	w.refused(409, "", w.call("POST", path("/signup"), v1, nil), "second signup")
	w.must(201, w.call("POST", path("/signup"), v2, nil), "v2 signup")
	if r := w.must(201, w.call("POST", path("/signup"), v3, nil), "v3 signup"); r.str("status") != "waitlisted" || r.num("position") != 1 {
		t.Fatalf("v3: %s, want waitlisted at 1", r.raw)
	}
	got := w.must(200, w.call("GET", path(""), v3, nil), "get activity")
	if got.num("capacity") != 2 || got.num("confirmed") != 2 || got.num("waitlisted") != 1 || got.str("my_signup", "status") != "waitlisted" {
		t.Errorf("activity counts: %s", got.raw)
	}
	// v2 withdraws; v3 moves up and is told.
	w.must(200, w.call("DELETE", path("/signup"), v2, nil), "v2 cancels")
	if r := w.must(200, w.call("GET", path(""), v3, nil), "v3 looks"); r.str("my_signup", "status") != "confirmed" || r.num("waitlisted") != 0 {
		t.Errorf("after the cancellation: %s", r.raw)
	}
	if len(w.notified(v3ID, guanjia.TplSignupConfirmed)) != 1 {
		t.Error("v3 was not told of the promotion")
	}
	if len(w.notified(v2ID, guanjia.TplSignupConfirmed)) != 1 {
		t.Error("v2's confirmation is missing")
	}

	// The reminder is an asynq task at start − 1 h; it fires on a moved clock.
	signups := w.must(200, w.call("GET", path("/signups"), lead, nil), "signups")
	var v1Signup int64
	for _, s := range signups.get("signups").([]any) {
		if m := s.(map[string]any); int64(m["user_id"].(float64)) == v1ID {
			v1Signup = int64(m["id"].(float64))
		}
	}
	remindID := fmt.Sprintf("volunteer:remind:%d:%d", v1Signup, start.Unix())
	info, err := w.inspector.GetTaskInfo(worker.QueueSLA, remindID)
	if err != nil || !info.NextProcessAt.Equal(start.Add(-time.Hour)) {
		t.Fatalf("reminder task %s: %+v %v", remindID, info, err)
	}
	w.clock.Set(start.Add(-time.Hour))
	w.fire(remindID)
	if r := w.notified(v1ID, guanjia.TplActivityReminder); len(r) != 1 || r[0].Data["activity"] != "万绿园净滩" || r[0].Data["start"] != start.In(cst).Format("2006-01-02 15:04") {
		t.Errorf("reminder %+v", r)
	}

	// Check-in: the organiser's rotating code plus a position in the geofence.
	w.clock.Set(start.Add(5 * time.Minute))
	w.refused(403, "", w.call("GET", path("/checkin-token"), v1, nil), "a volunteer asks for the code")
	tok := w.must(200, w.call("GET", path("/checkin-token"), lead, nil), "checkin token").str("token")
	farLat, farLng := geo.WGS84ToGCJ02(20.0505, 110.3222) // a kilometre north
	w.refused(422, "lat", w.call("POST", path("/checkin"), v1, map[string]any{"token": tok, "lat": farLat, "lng": farLng, "coord_system": "gcj02"}), "outside the geofence")
	w.refused(400, "token", w.call("POST", path("/checkin"), v1, map[string]any{"token": tok + "x", "lat": gLat, "lng": gLng, "coord_system": "gcj02"}), "forged code")
	at := map[string]any{"token": tok, "lat": gLat, "lng": gLng, "coord_system": "gcj02"}
	if r := w.must(200, w.call("POST", path("/checkin"), v1, at), "v1 checks in"); r.str("status") != "checked_in" {
		t.Fatalf("v1 check-in: %s", r.raw)
	}
	w.must(200, w.call("POST", path("/checkin"), v3, at), "v3 checks in")

	// Participants who checked in add photos to the album; others may not.
	if r := w.upload(path("/photos"), v1); r.status != 201 || !strings.HasPrefix(r.str("url"), path("/photos/")) {
		t.Errorf("v1's photo: %d %s", r.status, r.raw)
	}
	w.refused(403, "", w.upload(path("/photos"), stranger), "a photo from someone who was not there")
	album := w.must(200, w.call("GET", path("/photos"), v2, nil), "album")
	if photos, _ := album.get("photos").([]any); len(photos) != 1 {
		t.Errorf("album: %s", album.raw)
	}
	w.clock.Set(start.Add(6 * time.Minute))
	w.refused(422, "token", w.call("POST", path("/checkout"), v1, at), "expired code")

	// Check-out credits min(out, end) − max(in, start), rounded down to half hours.
	w.clock.Set(start.Add(2*time.Hour + 50*time.Minute))
	tok = w.must(200, w.call("GET", path("/checkin-token"), lead, nil), "checkin token").str("token")
	at["token"] = tok
	out := w.must(200, w.call("POST", path("/checkout"), v1, at), "v1 checks out")
	if out.num("hours", "hours") != 2.5 || out.str("hours", "kind") != guanjia.HoursCredit {
		t.Errorf("v1 credited %s, want 2.5 h 信用时长", out.raw)
	}
	mine := w.must(200, w.call("GET", "/api/v1/volunteer/me/hours", v1, nil), "my hours")
	if mine.num("total_hours") != 2.5 || len(mine.get("entries").([]any)) != 1 {
		t.Errorf("v1's ledger: %s", mine.raw)
	}
	if len(w.notified(v1ID, guanjia.TplHoursCredited)) != 1 {
		t.Error("v1 was not told of the hours")
	}

	// v3 forgets to check out: the worker's auto check-out settles at end + 2 h.
	w.clock.Set(start.Add(5 * time.Hour))
	w.fire(fmt.Sprintf("volunteer:autocheckout:%d:%d", actID, start.Add(3*time.Hour).Unix()))
	settled := w.must(200, w.call("GET", path(""), v3, nil), "after settlement")
	if settled.str("status") != "finished" || settled.str("my_signup", "status") != "checked_out" || settled.get("my_signup", "auto_checkout") != true {
		t.Errorf("after auto check-out: %s", settled.raw)
	}
	if h := w.must(200, w.call("GET", "/api/v1/volunteer/me/hours", v3, nil), "v3 hours"); h.num("credit_hours") != 2.5 {
		t.Errorf("v3 credited %s, want 2.5 h (09:05 to the end)", h.raw)
	}

	// A certificate, confirmed publicly by number and code.
	cert := w.must(201, w.call("POST", "/api/v1/volunteer/certificates", v1, map[string]any{"team_id": teamID}), "certificate")
	number, code := cert.str("number"), cert.str("code")
	pub = w.must(200, w.call("GET", "/api/v1/volunteer/certificates/"+number+"?code="+code, "", nil), "public verification")
	if pub.get("valid") != true || pub.num("total_hours") != 2.5 || !strings.Contains(pub.str("id_number"), "**********") || pub.str("team") != "龙华区青年志愿者协会" {
		t.Errorf("verification: %s", pub.raw)
	}
	w.refused(404, "", w.call("GET", "/api/v1/volunteer/certificates/"+number+"?code=WRONG234", "", nil), "wrong code")
	if bare := w.must(200, w.call("GET", "/api/v1/volunteer/certificates/"+number, "", nil), "number only"); bare.get("name") != nil {
		t.Errorf("the number alone disclosed the holder: %s", bare.raw)
	}
	w.refused(404, "", w.call("GET", "/api/v1/volunteer/certificates/"+number+"/pdf", v3, nil), "someone else's PDF")
	pdf := w.call("GET", "/api/v1/volunteer/certificates/"+number+"/pdf", v1, nil)
	if pdf.status != 200 || pdf.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf.raw, []byte("%PDF-")) {
		t.Errorf("PDF: %d %s", pdf.status, pdf.header.Get("Content-Type"))
	}

	stats := w.must(200, w.call("GET", "/api/v1/volunteer/stats", v1, nil), "stats")
	if stats.num("teams") != 1 || stats.num("volunteers") != 4 || stats.num("total_hours") != 5 {
		t.Errorf("stats %s", stats.raw)
	}
	_ = leadID
}

func TestHelpRequestPath(t *testing.T) {
	now := time.Now().Add(24 * time.Hour).Truncate(time.Second).UTC()
	w := newVolunteerWorld(t, now)
	_, admin := w.user("admin", guanjia.RoleAdmin)
	_, lead := w.user("lead", guanjia.RoleCitizen)
	_, citizen := w.user("citizen", guanjia.RoleCitizen)
	_, other := w.user("other", guanjia.RoleCitizen)
	w.must(201, w.call("POST", "/api/v1/volunteer/certify", lead, map[string]any{"name": "陈海燕", "id_number": idNumberFor("46010619850312002"), "phone": "13907551234"}), "certify")
	team := w.must(201, w.call("POST", "/api/v1/teams", lead, map[string]any{"name": "美兰助老队", "organisation": "美兰区民政局",
		"contact_name": "陈", "contact_phone": "13907551234", "district": "美兰区"}), "team")
	teamID := int64(team.num("id"))

	w.refused(400, "needed_at", w.call("POST", "/api/v1/help-requests", citizen, map[string]any{"title": "老人就医陪诊", "address": "海府路",
		"lat": 20.03, "lng": 110.35}), "no time")
	h := w.must(201, w.call("POST", "/api/v1/help-requests", citizen, map[string]any{"title": "老人就医陪诊", "address": "海口市美兰区海府路",
		"lat": 20.03, "lng": 110.35, "needed_at": now.Add(48 * time.Hour)}), "post")
	p := fmt.Sprintf("/api/v1/help-requests/%d", int64(h.num("id")))
	w.refused(404, "", w.call("GET", p, other, nil), "unreviewed request shown to others")
	w.refused(409, "", w.call("POST", p+"/claim", lead, map[string]any{"team_id": teamID}), "claim before review")
	w.must(200, w.call("POST", p+"/review", admin, map[string]any{"approve": true}), "approve")
	w.refused(422, "team_id", w.call("POST", p+"/claim", lead, map[string]any{"team_id": teamID}), "claim by an uncertified team")
	w.must(200, w.call("POST", fmt.Sprintf("/api/v1/teams/%d/review", teamID), admin, map[string]any{"approve": true}), "certify team")
	w.refused(403, "", w.call("POST", p+"/claim", other, map[string]any{"team_id": teamID}), "claim by an outsider")
	w.must(200, w.call("POST", p+"/claim", lead, map[string]any{"team_id": teamID}), "claim")
	done := w.must(200, w.call("POST", p+"/complete", lead, map[string]any{"reason": "已陪同就医"}), "complete")
	if done.str("status") != "done" {
		t.Fatalf("completed request is %s", done.str("status"))
	}
	got := w.must(200, w.call("GET", p, other, nil), "timeline")
	if ev, _ := got.get("events").([]any); len(ev) != 4 {
		t.Errorf("timeline has %d events, want create, approve, claim, complete: %s", len(ev), got.raw)
	}
}

package main

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
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"guanjia/internal/demo"
	"guanjia/internal/testenv"
)

// startMain runs the real all-in-one system on 127.0.0.1:0 with a fresh data
// directory (and PostgreSQL + Redis when the test environment names them);
// options change the configuration before it starts.
func startMain(t *testing.T, options ...func(*Config)) *Main {
	t.Helper()
	cfg := Config{DataDir: t.TempDir(), TokenTTL: time.Hour, MaxPhotoBytes: 1 << 20, WorkerConcurrency: 8,
		TimerPoll: 100 * time.Millisecond, ReconcileInterval: time.Minute, LogLevel: "error"}
	for _, o := range options {
		o(&cfg)
	}
	if testenv.Postgres() {
		cfg.DatabaseURL = testenv.DatabaseURL(t)
		cfg.RedisURL = testenv.RedisURL(testenv.MustRedis(t))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ml, err := net.Listen("tcp", "127.0.0.1:0") // /metrics, apart from the API
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Out: io.Discard, Listener: l, MetricsListener: ml, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	if err := m.Start(context.Background(), ModeAll); err != nil {
		t.Fatalf("start: %v", err)
	}
	if testenv.Postgres() { // the embedded mode seeds an empty SQLite by itself
		if n, _ := m.DB.Users.CountUsers(context.Background()); n == 0 {
			if err := demo.Seed(context.Background(), m.DB, io.Discard); err != nil {
				t.Fatal(err)
			}
			if err := m.Dispatch.Router.Reload(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// client speaks JSON to the API as one user.
type client struct {
	t     *testing.T
	base  string
	token string
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (a answer) str(key string) string {
	v, _ := a.body[key].(string)
	return v
}

func (a answer) num(key string) float64 {
	v, _ := a.body[key].(float64)
	return v
}

func (a answer) errCode() string {
	e, _ := a.body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (a answer) errField() string {
	e, _ := a.body["error"].(map[string]any)
	s, _ := e["field"].(string)
	return s
}

func (c *client) do(method, path string, body any, header ...string) answer {
	c.t.Helper()
	var r io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case *multipart.Writer:
		c.t.Fatal("use upload")
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Content-Type", ct)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.send(req)
}

// must is do for a step the test builds on: another status than want ends the test.
func (c *client) must(want int, method, path string, body any) answer {
	c.t.Helper()
	a := c.do(method, path, body)
	if a.status != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, a.status, want, a.raw)
	}
	return a
}

// eventually polls check every 100 ms until it answers nil, and fails the
// test with its last answer when that takes longer than within: for what the
// worker does in its own time (timers, deliveries, WeChat's callbacks).
func eventually(t *testing.T, within time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *client) send(req *http.Request) answer {
	c.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header, raw: raw}
	_ = json.Unmarshal(raw, &a.body)
	c.checkAnswer(req, a)
	return a
}

func (c *client) upload(path, kind string, file []byte) answer {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("kind", kind)
	fw, _ := w.CreateFormFile("file", "photo.png")
	fw.Write(file)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	return c.send(req)
}

func login(t *testing.T, m *Main, username string) *client {
	t.Helper()
	c := &client{t: t, base: m.URL}
	a := c.do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": demo.Password})
	if a.status != 200 || a.str("token") == "" {
		t.Fatalf("login %s: %d %s", username, a.status, a.raw)
	}
	c.token = a.str("token")
	return c
}

func pngBytes() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// A point in grid lh01 (龙华区), where crew-lh01-hw patrols.
const lh01Lat, lh01Lng = 20.0035, 110.2900

func TestCompleteLoopWithArriveTimerEscalation(t *testing.T) {
	m := startMain(t)
	admin, citizen, crew, dispatcher := login(t, m, "admin"), login(t, m, "citizen"), login(t, m, "crew-lh01-hw"), login(t, m, "dispatcher")

	// A drill: the arrive window of 暴露垃圾 becomes 2 seconds.
	if a := admin.do("PUT", "/api/v1/categories/1101", map[string]any{"arrive_within_s": 2}); a.status != 200 || a.num("arrive_within_s") != 2 {
		t.Fatalf("edit category: %d %s", a.status, a.raw)
	}
	a := citizen.do("POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": "路口有一堆垃圾没人清理",
		"lat": lh01Lat, "lng": lh01Lng, "coord_system": "wgs84", "address": "龙华区某路口"})
	if a.status != 201 || a.str("status") != "dispatched" || a.str("grid") != "lh01" || a.str("unit") != "lh-hw" {
		t.Fatalf("create: %d %s", a.status, a.raw)
	}
	id := int64(a.num("id"))
	if a.str("arrive_by") == "" || a.num("missed_deadlines") != 0 {
		t.Fatalf("arrive_by is set at dispatch: %s", a.raw)
	}
	me := crew.do("GET", "/api/v1/me", nil)
	if a.num("assignee") != me.num("id") {
		t.Fatalf("assigned to %v, want crew-lh01-hw (%v)", a.num("assignee"), me.num("id"))
	}
	path := fmt.Sprintf("/api/v1/complaints/%d", id)
	if a := crew.do("POST", path+"/accept", nil); a.status != 200 {
		t.Fatalf("accept: %d %s", a.status, a.raw)
	}
	// Nobody arrives in 2 s: the timer escalates (督办) on its own.
	var escalated answer
	eventually(t, 15*time.Second, func() error {
		if escalated = dispatcher.do("GET", path, nil); escalated.num("missed_deadlines") < 1 {
			return fmt.Errorf("no escalation after the arrive deadline: %s", escalated.raw)
		}
		return nil
	})
	if !strings.Contains(string(escalated.raw), `"action":"escalate"`) {
		t.Errorf("timeline has no escalate event: %s", escalated.raw)
	}
	// The crew arrives after all, attaches a photo and resolves; the command center
	// closes; the citizen rates.
	if a := crew.do("POST", path+"/arrive", map[string]any{"lat": lh01Lat + 0.0005, "lng": lh01Lng}); a.status != 200 || a.str("status") != "on_site" {
		t.Fatalf("arrive: %d %s", a.status, a.raw)
	}
	photo := crew.upload(path+"/photos", "after", pngBytes())
	if photo.status != 201 {
		t.Fatalf("photo: %d %s", photo.status, photo.raw)
	}
	if a := crew.do("POST", path+"/resolve", map[string]any{"note": "已清理完毕", "photos": []string{photo.str("id")}}); a.status != 200 {
		t.Fatalf("resolve: %d %s", a.status, a.raw)
	}
	if a := dispatcher.do("POST", path+"/close", map[string]any{"note": "核查通过"}); a.status != 200 || a.str("status") != "closed" {
		t.Fatalf("close: %d %s", a.status, a.raw)
	}
	if a := citizen.do("POST", path+"/rate", map[string]any{"score": 3, "comment": "处理及时"}); a.status != 200 || a.num("rating") != 3 {
		t.Fatalf("rate: %d %s", a.status, a.raw)
	}
	mine := citizen.do("GET", path, nil)
	var actions []string
	for _, e := range mine.body["events"].([]any) {
		// A 催办 reminder may or may not come before a 2-second deadline: the
		// queue schedules in whole seconds.
		if a := e.(map[string]any)["action"].(string); a != "remind" {
			actions = append(actions, a)
		}
	}
	want := "create,dispatch,accept,escalate,arrive,resolve,close,rate"
	if got := strings.Join(actions, ","); got != want {
		t.Errorf("citizen's timeline = %s, want %s", got, want)
	}
	if photos, _ := mine.body["photos"].([]any); len(photos) != 1 {
		t.Errorf("photos on the complaint: %v", mine.body["photos"])
	}
	// The photo is served to whoever may see the complaint, and to nobody else.
	req, _ := http.NewRequest("GET", m.URL+"/api/v1/photos/"+photo.str("id"), nil)
	req.Header.Set("Authorization", "Bearer "+citizen.token)
	if got := citizen.send(req); got.status != 200 || got.header.Get("Content-Type") != "image/png" {
		t.Errorf("photo download: %d %s", got.status, got.header.Get("Content-Type"))
	} else if img, err := png.Decode(bytes.NewReader(got.raw)); err != nil || img.Bounds().Dx() != 4 {
		t.Errorf("photo download is not the 4×4 PNG: %v", err)
	}
	// Stats count it, and the breach shows in the metrics.
	st := dispatcher.do("GET", "/api/v1/stats", nil)
	total := st.body["total"].(map[string]any)
	if total["received"].(float64) != 1 || total["handled"].(float64) != 1 || total["closed"].(float64) != 1 {
		t.Errorf("stats: %s", st.raw)
	}
	res, err := http.Get(m.MetricsURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), `guanjia_sla_breaches_total{stage="arrive"} 1`) {
		t.Errorf("metrics lack the arrive breach")
	}
	// The delivery log shows the crew's task push and the citizen's updates.
	ns := dispatcher.do("GET", fmt.Sprintf("/api/v1/notifications?complaint=%d", id), nil)
	if list, _ := ns.body["notifications"].([]any); len(list) < 5 {
		t.Errorf("delivery log: %s", ns.raw)
	}
}

func TestRoleMatrix(t *testing.T) {
	m := startMain(t)
	users := map[string]*client{}
	for _, u := range []string{"admin", "dispatcher", "agent", "citizen", "crew-lh01-hw", "crew-lh02-hw", "lh-hw-lead", "water-lead"} {
		users[u] = login(t, m, u)
	}
	a := users["citizen"].do("POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": "垃圾",
		"lat": lh01Lat, "lng": lh01Lng})
	if a.status != 201 {
		t.Fatalf("create: %d %s", a.status, a.raw)
	}
	path := fmt.Sprintf("/api/v1/complaints/%d", int64(a.num("id")))
	anon := &client{t: t, base: m.URL}
	tests := []struct {
		user, method, path string
		body               any
		status             int
	}{
		{"", "GET", "/api/v1/complaints", nil, 401},
		{"", "GET", path, nil, 401},
		{"citizen", "GET", path, nil, 200},
		{"agent", "GET", path, nil, 200},
		{"lh-hw-lead", "GET", path, nil, 200},
		{"water-lead", "GET", path, nil, 404},
		{"crew-lh02-hw", "GET", path, nil, 404},
		{"crew-lh01-hw", "GET", path, nil, 200},
		{"citizen", "POST", path + "/accept", nil, 403},
		{"crew-lh02-hw", "POST", path + "/accept", nil, 404},
		{"crew-lh01-hw", "POST", path + "/close", nil, 403},
		{"agent", "POST", path + "/dispatch", map[string]any{"unit": "lh-hw"}, 403},
		{"citizen", "PUT", "/api/v1/categories/1101", map[string]any{"arrive_within_s": 1}, 403},
		{"dispatcher", "PUT", "/api/v1/categories/1101", map[string]any{"arrive_within_s": 1}, 403},
		{"citizen", "GET", "/api/v1/stats", nil, 403},
		{"crew-lh01-hw", "GET", "/api/v1/stats", nil, 403},
		{"lh-hw-lead", "GET", "/api/v1/stats", nil, 200},
		{"citizen", "GET", "/api/v1/notifications", nil, 403},
		{"citizen", "GET", "/admin/queues", nil, 403},
		{"citizen", "GET", "/api/v1/grids", nil, 200},
		{"crew-lh01-hw", "POST", path + "/accept", nil, 200},
		{"crew-lh01-hw", "POST", path + "/accept", nil, 409},
	}
	for _, tt := range tests {
		c := anon
		if tt.user != "" {
			c = users[tt.user]
		}
		got := c.do(tt.method, tt.path, tt.body)
		if got.status != tt.status {
			t.Errorf("%s %s %s = %d %s, want %d", tt.user, tt.method, tt.path, got.status, got.raw, tt.status)
		}
		if got.status >= 400 && got.errCode() == "" {
			t.Errorf("%s %s %s: error without the JSON error shape: %s", tt.user, tt.method, tt.path, got.raw)
		}
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	m := startMain(t)
	citizen, dispatcher := login(t, m, "citizen"), login(t, m, "dispatcher")
	good := map[string]any{"category": "1101", "description": "垃圾", "lat": lh01Lat, "lng": lh01Lng}
	with := func(k string, v any) map[string]any {
		out := map[string]any{}
		for kk, vv := range good {
			out[kk] = vv
		}
		out[k] = v
		return out
	}
	tests := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"malformed JSON", `{"category":`, 400, ""},
		{"unknown category", with("category", "9999"), 400, "category"},
		{"lat out of range", with("lat", 123.0), 400, "lat"},
		{"outside the city", with("lat", 39.9), 400, "lat"},
		{"empty description", with("description", ""), 400, "description"},
		{"description too long", with("description", strings.Repeat("字", 2001)), 400, "description"},
		{"lat as text", with("lat", "north"), 400, "lat"},
		{"missing lng", map[string]any{"category": "1101", "description": "垃圾", "lat": lh01Lat}, 400, "lat"},
	}
	for _, tt := range tests {
		a := citizen.do("POST", "/api/v1/complaints", tt.body)
		if a.status != tt.status || a.errCode() != "invalid" || (tt.field != "" && a.errField() != tt.field) {
			t.Errorf("%s: %d %s", tt.name, a.status, a.raw)
		}
	}
	if a := dispatcher.do("GET", "/api/v1/complaints", nil); a.num("total") != 0 {
		t.Errorf("bad input created complaints: %s", a.raw)
	}
	// Wrong password, garbage token.
	anon := &client{t: t, base: m.URL}
	if a := anon.do("POST", "/api/v1/auth/login", map[string]string{"username": "citizen", "password": "wrong"}); a.status != 401 || a.errCode() != "unauthorized" {
		t.Errorf("wrong password: %d %s", a.status, a.raw)
	}
	anon.token = "not.a.token"
	if a := anon.do("GET", "/api/v1/me", nil); a.status != 401 {
		t.Errorf("garbage token: %d", a.status)
	}
	// Photos: not an image, too large.
	a := citizen.do("POST", "/api/v1/complaints", good)
	path := fmt.Sprintf("/api/v1/complaints/%d/photos", int64(a.num("id")))
	if a := citizen.upload(path, "report", []byte("%PDF-1.4 not an image")); a.status != 415 {
		t.Errorf("pdf upload: %d %s", a.status, a.raw)
	}
	big := append(pngBytes(), make([]byte, 2<<20)...)
	if a := citizen.upload(path, "report", big); a.status != 413 {
		t.Errorf("2 MB upload with a 1 MB limit: %d %s", a.status, a.raw)
	}
	if a := citizen.upload(path, "after", pngBytes()); a.status != 403 {
		t.Errorf("citizen uploading an 'after' photo: %d %s", a.status, a.raw)
	}
	// Arrival claimed far from the site.
	crew := login(t, m, "crew-lh01-hw")
	cp := fmt.Sprintf("/api/v1/complaints/%d", int64(a.num("id")))
	crew.must(200, "POST", cp+"/accept", nil)
	if a := crew.do("POST", cp+"/arrive", map[string]any{"lat": lh01Lat + 0.01, "lng": lh01Lng}); a.status != 422 {
		t.Errorf("far arrival: %d %s", a.status, a.raw)
	}
	if a := dispatcher.do("GET", cp, nil); a.str("status") != "accepted" {
		t.Errorf("far arrival changed the status to %s", a.str("status"))
	}
}

func TestIdempotencyKey(t *testing.T) {
	m := startMain(t)
	citizen := login(t, m, "citizen")
	body := map[string]any{"category": "1101", "description": "垃圾", "lat": lh01Lat, "lng": lh01Lng}
	first := citizen.do("POST", "/api/v1/complaints", body, "Idempotency-Key", "k-1")
	again := citizen.do("POST", "/api/v1/complaints", body, "Idempotency-Key", "k-1")
	if first.status != 201 || again.status != 201 || first.num("id") != again.num("id") || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s / %d %s", first.status, first.raw, again.status, again.raw)
	}
	other := map[string]any{"category": "1101", "description": "另一处垃圾", "lat": lh01Lat, "lng": lh01Lng}
	if a := citizen.do("POST", "/api/v1/complaints", other, "Idempotency-Key", "k-1"); a.status != 422 {
		t.Errorf("same key, other body: %d %s", a.status, a.raw)
	}
	if a := login(t, m, "dispatcher").do("GET", "/api/v1/complaints", nil); a.num("total") != 1 {
		t.Errorf("%v complaints after a retried POST", a.num("total"))
	}
}

func TestHealthAndReadiness(t *testing.T) {
	m := startMain(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(m.URL + p)
		if err != nil || res.StatusCode != 200 {
			t.Errorf("%s: %v %v", p, res, err)
		}
		res.Body.Close()
	}
}

// In the demo, a citizen signs in from the mini-program with a login code;
// the offline WeChat then shows what each phone would have received.
func TestWeChatDemoFlow(t *testing.T) {
	m := startMain(t)
	anon := &client{t: t, base: m.URL}
	a := anon.do("POST", "/api/v1/wechat/login", map[string]string{"code": "demo-code-42"})
	if a.status != 200 || a.str("role") != "citizen" || a.str("openid") == "" {
		t.Fatalf("wechat login: %d %s", a.status, a.raw)
	}
	citizen := &client{t: t, base: m.URL, token: a.str("token")}
	if again := anon.do("POST", "/api/v1/wechat/login", map[string]string{"code": "demo-code-42"}); again.status != 401 {
		t.Errorf("reused login code: %d %s", again.status, again.raw)
	}
	// The citizen allows two progress messages in the subscribe popup.
	tpl := "demo-" + "complaint_update"
	if a := citizen.do("POST", "/api/v1/wechat/subscriptions", map[string]any{"template_ids": []string{tpl, tpl}}); a.status != 200 {
		t.Fatalf("subscriptions: %d %s", a.status, a.raw)
	}
	c := citizen.do("POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": "小区门口垃圾堆积",
		"lat": lh01Lat, "lng": lh01Lng, "coord_system": "wgs84"})
	if c.status != 201 {
		t.Fatalf("create: %d %s", c.status, c.raw)
	}
	path := fmt.Sprintf("/api/v1/complaints/%d", int64(c.num("id")))
	crew := login(t, m, "crew-lh01-hw")
	crew.must(200, "POST", path+"/accept", nil)
	crew.must(200, "POST", path+"/arrive", map[string]any{"lat": lh01Lat, "lng": lh01Lng})
	crew.must(200, "POST", path+"/resolve", map[string]any{"note": "已清理"}) // a third update: no consent left

	type received struct {
		Kind, ToUser, TemplateID, Title, Description, URL string
		ErrCode                                           int
		Data                                              map[string]string
	}
	eventually(t, 15*time.Second, func() error {
		res, err := http.Get(m.URL + "/__fake/wechat/messages")
		if err != nil {
			return err
		}
		var msgs []received
		json.NewDecoder(res.Body).Decode(&msgs)
		res.Body.Close()
		var wecom, subscribe int
		for _, msg := range msgs {
			switch {
			case msg.Kind == "wecom" && msg.ToUser == "crewlh01hw":
				wecom++
			case msg.Kind == "subscribe" && msg.ToUser == a.str("openid") && msg.ErrCode == 0:
				subscribe++
			}
		}
		if wecom < 1 || subscribe != 2 {
			return fmt.Errorf("phones received %d crew pushes and %d citizen messages: %+v", wecom, subscribe, msgs)
		}
		return nil
	})
	// The third update found no consent left: recorded, not an error, not retried.
	dispatcher := login(t, m, "dispatcher")
	eventually(t, 10*time.Second, func() error {
		ns := dispatcher.must(200, "GET", "/api/v1/notifications?complaint="+strconv.FormatInt(int64(c.num("id")), 10), nil)
		statuses := map[string]int{}
		for _, n := range ns.body["notifications"].([]any) {
			n := n.(map[string]any)
			if n["channel"] == "subscribe" {
				statuses[n["status"].(string)]++
			}
		}
		if statuses["sent"] != 2 || statuses["no_consent"] != 1 {
			return fmt.Errorf("subscribe deliveries: %v", statuses)
		}
		return nil
	})
}

// A citizen's photo goes to WeChat's media check; a risky verdict, pushed to
// /wechat/callback, hides it from the complaint.
func TestRiskyPhotoIsHidden(t *testing.T) {
	m := startMain(t)
	anon := &client{t: t, base: m.URL}
	a := anon.must(200, "POST", "/api/v1/wechat/login", map[string]string{"code": "photo-code-1"})
	citizen := &client{t: t, base: m.URL, token: a.str("token")}
	c := citizen.must(201, "POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": "垃圾", "lat": lh01Lat, "lng": lh01Lng})
	path := fmt.Sprintf("/api/v1/complaints/%d", int64(c.num("id")))
	if p := citizen.upload(path+"/photos", "report", pngBytes()); p.status != 201 {
		t.Fatalf("first photo: %d %s", p.status, p.raw)
	}
	m.fakeWeChat.SetRiskyWords("/media/photos/") // the fake now judges every photo risky
	if p := citizen.upload(path+"/photos", "report", pngBytes()); p.status != 201 {
		t.Fatalf("second photo: %d %s", p.status, p.raw)
	}
	eventually(t, 10*time.Second, func() error {
		d := citizen.must(200, "GET", path, nil)
		if photos, _ := d.body["photos"].([]any); len(photos) != 1 {
			return fmt.Errorf("the risky photo is still shown: %s", d.raw)
		}
		return nil
	})
}

func TestUnknownRoutesAnswerJSONErrors(t *testing.T) {
	m := startMain(t)
	c := login(t, m, "dispatcher")
	for _, tt := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/no-such-thing", 404, "not_found"},
		{"DELETE", "/api/v1/complaints", 404, "not_found"},
		{"GET", "/api/v1/complaints/abc", 404, "not_found"},
	} {
		a := c.do(tt.method, tt.path, nil)
		if a.errCode() != tt.code || a.status != tt.status {
			t.Errorf("%s %s = %d %s", tt.method, tt.path, a.status, a.raw)
		}
	}
}

// 联合惩戒: a team whose organisation is on a 失信 list is flagged to the reviewer.
func TestTeamCertificationFlagsBlackListedOrganisation(t *testing.T) {
	m := startMain(t)
	anon := &client{t: t, base: m.URL}
	list := anon.do("GET", "/api/v1/credit/lists/black?per_page=50", nil)
	var code, listName string
	for _, e := range list.body["entries"].([]any) {
		e := e.(map[string]any)
		if s, _ := e["subject"].(map[string]any); s != nil && s["kind"] == "legal" {
			code, listName = s["credit_code"].(string), e["list_name"].(string)
			break
		}
	}
	if code == "" {
		t.Fatalf("no black-listed organisation in the demo data: %s", list.raw)
	}
	vol := login(t, m, "volunteer")
	a := vol.do("POST", "/api/v1/teams", map[string]any{"name": "滨海志愿服务队", "organisation": "某建筑公司工会",
		"credit_code": code, "contact_name": "李四", "contact_phone": "13912345678", "district": "龙华区"})
	if a.status != 201 {
		t.Fatalf("apply: %d %s", a.status, a.raw)
	}
	admin := login(t, m, "admin")
	team := admin.do("GET", fmt.Sprintf("/api/v1/teams/%d", int64(a.num("id"))), nil)
	flags, _ := team.body["black_lists"].([]any)
	if len(flags) == 0 || flags[0] != listName {
		t.Errorf("team of black-listed %s not flagged: %s", code, team.raw)
	}

	// The review queue flags it too, and lists first whoever applied first.
	later := login(t, m, "volunteer2").must(201, "POST", "/api/v1/teams", map[string]any{"name": "椰城读书会", "organisation": "某街道社区",
		"contact_name": "王五", "contact_phone": "13912345679", "district": "美兰区"})
	queue := admin.must(200, "GET", "/api/v1/teams?status=pending", nil).body["teams"].([]any)
	var ids []float64
	for _, q := range queue {
		ids = append(ids, q.(map[string]any)["id"].(float64))
	}
	if i := slices.Index(ids, a.num("id")); i < 0 || i > slices.Index(ids, later.num("id")) {
		t.Fatalf("review queue %v: %v applied before %v", ids, a.num("id"), later.num("id"))
	} else if flags, _ := queue[i].(map[string]any)["black_lists"].([]any); len(flags) == 0 || flags[0] != listName {
		t.Errorf("the review queue does not flag the black-listed organisation: %v", queue[i])
	}
}

// TestEveryMenuPageRenders: each page of an administrator's menu opens, in
// full, as the page it names (a page whose template is missing is an error,
// not a blank 200).
func TestEveryMenuPageRenders(t *testing.T) {
	m := startMain(t)
	admin := login(t, m, "admin")
	get := func(path string) (int, string) { return getAs(t, admin, path) }
	_, home := get("/console/queue")
	links := regexp.MustCompile(`<a href="(/console/[a-z]+)"[^>]*>`).FindAllStringSubmatch(home, -1)
	if len(links) < 10 {
		t.Fatalf("the admin's menu has %d pages: %s", len(links), home)
	}
	for _, l := range links {
		status, body := get(l[1])
		name := strings.TrimPrefix(l[1], "/console/")
		if status != http.StatusOK || !strings.Contains(body, `data-page="`+name+`"`) || !strings.Contains(body, "</main>") {
			t.Errorf("GET %s: %d, page %q missing or cut short", l[1], status, name)
		}
	}
}

// TestCategoryEditsFromAStaleReadAreRefused: an admin's save sends the
// updated_at it read; one made since is a 409 and changes nothing; a new
// category sent with If-None-Match: * does not replace one of its code.
func TestCategoryEditsFromAStaleReadAreRefused(t *testing.T) {
	m := startMain(t)
	admin := login(t, m, "admin")
	find := func(code string) answer {
		for _, c := range admin.must(200, "GET", "/api/v1/categories", nil).body["categories"].([]any) {
			if c := c.(map[string]any); c["code"] == code {
				return answer{body: c}
			}
		}
		t.Fatalf("no category %s", code)
		return answer{}
	}
	read := find("1101")
	first := admin.must(200, "PUT", "/api/v1/categories/1101", map[string]any{"arrive_within_s": 1500, "updated_at": read.str("updated_at")})
	stale := admin.do("PUT", "/api/v1/categories/1101", map[string]any{"arrive_within_s": 1200, "updated_at": read.str("updated_at")})
	if stale.status != http.StatusConflict || stale.errField() != "version" {
		t.Errorf("a save from a stale read: %d %s", stale.status, stale.raw)
	}
	if got := find("1101"); got.num("arrive_within_s") != 1500 {
		t.Errorf("the stale save changed the category: %v", got.body)
	}
	admin.must(200, "PUT", "/api/v1/categories/1101", map[string]any{"arrive_within_s": 1200, "updated_at": first.str("updated_at")})
	admin.must(200, "PUT", "/api/v1/categories/1101", map[string]any{"arrive_within_s": 1800}) // a drill names no version

	taken := admin.do("PUT", "/api/v1/categories/1101", map[string]any{"name": "新分类", "department": "municipal",
		"accept_within_s": 300, "arrive_within_s": 1800, "resolve_within_s": 7200}, "If-None-Match", "*")
	if taken.status != http.StatusConflict || taken.errField() != "code" || find("1101").str("name") == "新分类" {
		t.Errorf("a new category over a taken code: %d %s", taken.status, taken.raw)
	}
}

package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/api"
	"guanjia/dispatch"
	"guanjia/internal/testenv"
	"guanjia/live"
	"guanjia/mediation"
	"guanjia/store"
	"guanjia/web"
)

// consoleRig is the API as the console uses it: a database with one grid, two
// units and their people, Redis for the live queue, and any number of API
// replicas sharing them.
type consoleRig struct {
	t      *testing.T
	db     *store.DB
	rdb    redis.UniversalClient
	svc    *dispatch.Service
	tokens map[string]string
	users  map[string]*guanjia.User
}

const consoleSecret = "console-test-secret"

// A point inside grid g1, where crew "crew" patrols.
const siteLat, siteLng = 20.005, 110.305

func newConsoleRig(t *testing.T) *consoleRig {
	t.Helper()
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	rdb := redis.NewClient(testenv.MustRedis(t))
	t.Cleanup(func() { rdb.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []*guanjia.Unit{
		{Code: "lh-hw", Name: "龙华区环卫所", Department: guanjia.DeptSanitation, District: "龙华区"},
		{Code: "lh-sz", Name: "龙华区市政管理所", Department: guanjia.DeptMunicipal, District: "龙华区"},
	} {
		must(db.Catalog.UpsertUnit(ctx, u))
	}
	must(db.Catalog.UpsertGrid(ctx, &guanjia.Grid{ID: "g1", Name: "中山街道第1网格", District: "龙华区",
		Geometry: []byte(`{"type":"Polygon","coordinates":[[[110.30,20.0],[110.31,20.0],[110.31,20.01],[110.30,20.01],[110.30,20.0]]]}`),
		Units:    map[string]string{guanjia.DeptSanitation: "lh-hw", guanjia.DeptMunicipal: "lh-sz"}}))
	for _, c := range []*guanjia.Category{
		{Code: "1101", Name: "暴露垃圾", Kind: "事件", Major: "市容环境", Department: guanjia.DeptSanitation, PointToPoint: true,
			AcceptWithin: 5 * time.Minute, ArriveWithin: 30 * time.Minute, ResolveWithin: 2 * time.Hour, ResolveMode: guanjia.NaturalTime, DuplicateRadiusM: 50},
		{Code: "0101", Name: "井盖破损/缺失", Kind: "部件", Major: "公用设施", Department: guanjia.DeptMunicipal, PointToPoint: true,
			AcceptWithin: 5 * time.Minute, ArriveWithin: 30 * time.Minute, ResolveWithin: 4 * time.Hour, ResolveMode: guanjia.NaturalTime, DuplicateRadiusM: 50},
	} {
		must(db.Catalog.UpsertCategory(ctx, c))
	}
	r := &consoleRig{t: t, db: db, rdb: rdb, tokens: map[string]string{}, users: map[string]*guanjia.User{}}
	for _, u := range []*guanjia.User{
		{Username: "dispatcher", Role: guanjia.RoleDispatcher, Name: "指挥中心值班员"},
		{Username: "agent", Role: guanjia.RoleAgent, Name: "话务员"},
		{Username: "admin", Role: guanjia.RoleAdmin},
		{Username: "citizen", Role: guanjia.RoleCitizen},
		{Username: "crew", Role: guanjia.RoleCrew, UnitCode: "lh-hw", GridID: "g1", OnDuty: true, Lat: siteLat, Lng: siteLng, Name: "环卫1号"},
		{Username: "crew-sz", Role: guanjia.RoleCrew, UnitCode: "lh-sz", GridID: "g1", OnDuty: true, Lat: siteLat, Lng: siteLng, Name: "市政1号"},
		{Username: "lead-hw", Role: guanjia.RoleUnitAdmin, UnitCode: "lh-hw"},
		{Username: "lead-sz", Role: guanjia.RoleUnitAdmin, UnitCode: "lh-sz"},
		{Username: "grid-g1", Role: guanjia.RoleGridManager, GridID: "g1", Name: "网格员"},
		{Username: "mediator", Role: guanjia.RoleMediator, UnitCode: "tj-lh", Name: "调解员"},
	} {
		r.addUser(u)
	}
	router, err := dispatch.NewRouter(ctx, db.Complaints)
	must(err)
	r.svc = dispatch.NewService(db.Complaints, &testenv.DispatchTimers{}, router, dispatch.DefaultCalendar(), store.DiskBlobs{Dir: t.TempDir()})
	r.svc.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	r.svc.Live = live.New(rdb, r.svc.Log)
	return r
}

// addUser creates u and signs them in: r.tokens and r.users know them by username.
func (r *consoleRig) addUser(u *guanjia.User) {
	r.t.Helper()
	ctx := context.Background()
	if err := r.db.Users.CreateUser(ctx, u); err != nil {
		r.t.Fatal(err)
	}
	tok, err := api.IssueToken(ctx, r.db.Users, consoleSecret, u, time.Hour, time.Now())
	if err != nil {
		r.t.Fatal(err)
	}
	r.tokens[u.Username], r.users[u.Username] = tok, u
}

// replica starts one more API process on the shared database and Redis.
func (r *consoleRig) replica() *api.Server {
	monitor := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "asynqmon") })
	return api.New(api.Config{Secret: consoleSecret, AdminQueuesUI: monitor}, api.Deps{Users: r.db.Users, Catalog: r.db.Catalog, Notifications: r.db.Notifications,
		Idempotency: r.db.Idempotency, Dispatch: r.svc, Notices: r.db.Notices, Live: live.New(r.rdb, r.svc.Log),
		Mediation: mediation.NewService(r.db.Disputes, nil, nil, nil), // the 大调解 pages are served with their API
		Registry:  prometheus.NewRegistry(), Log: r.svc.Log, Now: func() time.Time { return time.Now().UTC() }})
}

// call sends a JSON request as user ("" = nobody) and decodes the answer.
func (r *consoleRig) call(h http.Handler, user, method, path string, body any) (int, map[string]any) {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+r.tokens[user])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func errorField(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	s, _ := e["field"].(string)
	return s
}

// fileComplaint files a complaint as the agent and returns its id.
func (r *consoleRig) fileComplaint(h http.Handler, category string, lat, lng float64) int64 {
	r.t.Helper()
	code, out := r.call(h, "agent", "POST", "/api/v1/complaints", map[string]any{"category": category,
		"description": "路边有垃圾", "lat": lat, "lng": lng, "address": "龙华路", "caller_phone": "13812345678"})
	if code != http.StatusCreated {
		r.t.Fatalf("file complaint: %d %v", code, out)
	}
	return int64(out["id"].(float64))
}

func TestConsolePages(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.replica()
	page := func(user, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if user != "" {
			req.AddCookie(&http.Cookie{Name: "guanjia_token", Value: r.tokens[user]})
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	tests := []struct {
		user, path string
		status     int
		location   string // redirect target
		contains   string // in the page
	}{
		{"", "/console", http.StatusSeeOther, "/console/queue", ""},
		{"", "/console/queue", http.StatusSeeOther, "/console/login?next=%2Fconsole%2Fqueue", ""},
		{"", "/crew", http.StatusSeeOther, "/console/login?next=%2Fcrew", ""},
		{"", "/console/login?next=/crew", http.StatusOK, "", `data-next="/crew"`},
		{"", "/console/login?next=//evil.example", http.StatusOK, "", `data-next=""`},
		{"dispatcher", "/console/queue", http.StatusOK, "", "实时工单队列"},
		{"agent", "/console/new", http.StatusOK, "", "新建工单"},
		{"lead-hw", "/console/new", http.StatusSeeOther, "/console/queue", ""},
		{"dispatcher", "/console/orders/7", http.StatusOK, "", `data-order-id="7"`},
		{"dispatcher", "/console/dashboard", http.StatusOK, "", "统计看板"},
		{"dispatcher", "/console/notices", http.StatusOK, "", `id="notice-form"`},
		{"agent", "/console/notices", http.StatusOK, "", "全部告知"},
		{"admin", "/console/queue", http.StatusOK, "", "/admin/queues"},
		{"crew", "/console/queue", http.StatusSeeOther, "/crew", ""},
		{"crew", "/crew", http.StatusOK, "", "我的任务"},
		{"dispatcher", "/crew", http.StatusSeeOther, "/console/queue", ""},
		{"citizen", "/console/queue", http.StatusForbidden, "", ""},
	}
	for _, tt := range tests {
		rec := page(tt.user, tt.path)
		if rec.Code != tt.status {
			t.Errorf("%s GET %s: %d, want %d", tt.user, tt.path, rec.Code, tt.status)
			continue
		}
		if loc := rec.Header().Get("Location"); loc != tt.location {
			t.Errorf("%s GET %s: redirect to %q, want %q", tt.user, tt.path, loc, tt.location)
		}
		if !strings.Contains(rec.Body.String(), tt.contains) {
			t.Errorf("%s GET %s: page lacks %q", tt.user, tt.path, tt.contains)
		}
	}
	// Only an admin gets the queue monitor link.
	if body := page("dispatcher", "/console/queue").Body.String(); strings.Contains(body, "/admin/queues") {
		t.Error("a dispatcher sees the queue monitor link")
	}
	if rec := page("admin", "/admin/queues"); rec.Code != http.StatusOK || rec.Body.String() != "asynqmon" {
		t.Errorf("an admin signed in to the console opens the queue monitor: %d %q", rec.Code, rec.Body.String())
	}
	if rec := page("dispatcher", "/admin/queues"); rec.Code != http.StatusForbidden {
		t.Errorf("a dispatcher opens the queue monitor: %d, want 403", rec.Code)
	}
	if csp := page("dispatcher", "/console/queue").Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("pages should allow only their own scripts: %q", csp)
	}
}

func TestConsoleStaticAssets(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.replica()
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	for _, path := range []string{"/static/app.js", "/static/vendor/leaflet/leaflet.js", "/static/vendor/chartjs/chart.umd.min.js",
		"/static/vendor/leaflet/images/marker-icon.png", "/static/vendor/leaflet/LICENSE", "/static/vendor/chartjs/LICENSE.md"} {
		if rec := get(path); rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Errorf("GET %s: %d, %d bytes", path, rec.Code, rec.Body.Len())
		}
	}
	if cc := get("/static/app.css?v=" + web.Version).Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("a fingerprinted asset should be cached for good: %q", cc)
	}
	if cc := get("/static/app.css?v=old").Header().Get("Cache-Control"); strings.Contains(cc, "immutable") {
		t.Errorf("an asset of another release must not be cached for good: %q", cc)
	}
	if ct := get("/static/app.js").Header().Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("app.js served as %q", ct)
	}
	for _, path := range []string{"/static/nope.js", "/static/../web.go", "/static/%2e%2e/web.go", "/static/"} {
		if rec := get(path); rec.Code == http.StatusOK {
			t.Errorf("GET %s: 200, want an error", path)
		}
	}
}

func TestCrewList(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.replica()
	names := func(user, query string) []string {
		code, out := r.call(srv, user, "GET", "/api/v1/crews"+query, nil)
		if code != http.StatusOK {
			t.Fatalf("%s crews%s: %d %v", user, query, code, out)
		}
		var ns []string
		for _, c := range out["crews"].([]any) {
			ns = append(ns, c.(map[string]any)["name"].(string))
		}
		return ns
	}
	if got := strings.Join(names("dispatcher", ""), ","); got != "环卫1号,市政1号" {
		t.Errorf("dispatcher sees crews %q", got)
	}
	if got := strings.Join(names("dispatcher", "?unit=lh-sz"), ","); got != "市政1号" {
		t.Errorf("dispatcher sees lh-sz crews %q", got)
	}
	if got := strings.Join(names("lead-hw", "?unit=lh-sz"), ","); got != "环卫1号" {
		t.Errorf("a unit admin sees only their unit's crews, got %q", got)
	}
	for _, user := range []string{"crew", "citizen"} {
		if code, _ := r.call(srv, user, "GET", "/api/v1/crews", nil); code != http.StatusForbidden {
			t.Errorf("%s lists crews: %d, want 403", user, code)
		}
	}
}

// Disabling a crew member from the console hands their tasks over at once:
// the dispatcher does not wait for the reconciler to see the task move (here
// to the unit's queue, the crew member being the unit's only one).
func TestDisablingACrewMemberHandsTheirTasksOver(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.replica()
	id := r.fileComplaint(srv, "1101", siteLat, siteLng)
	task := fmt.Sprintf("/api/v1/complaints/%d", id)
	if code, out := r.call(srv, "dispatcher", "GET", task, nil); code != http.StatusOK || out["assignee"] != float64(r.users["crew"].ID) {
		t.Fatalf("filed: %d %v, want the task on the crew member", code, out)
	}
	if code, out := r.call(srv, "admin", "POST", fmt.Sprintf("/api/v1/users/%d/disable", r.users["crew"].ID), nil); code != http.StatusOK {
		t.Fatalf("disable: %d %v", code, out)
	}
	if code, out := r.call(srv, "dispatcher", "GET", task, nil); code != http.StatusOK || out["assignee"] != nil || out["status"] != "dispatched" {
		t.Errorf("right after the disable: %d %v, want dispatched to the unit's queue", code, out)
	}
}

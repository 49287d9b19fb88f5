package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/account"
	"guanjia/api"
	"guanjia/internal/testenv"
	"guanjia/store"
)

const (
	sessionSecret   = "session-test-secret"
	sessionPassword = "correct-horse-battery"
)

// sessionRig is accounts on the test backends (database and Redis) and any
// number of API replicas sharing them, on a clock the test moves.
type sessionRig struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	rdb   redis.UniversalClient
	clock *testenv.Clock
	ids   map[string]int64
}

func newSessionRig(t *testing.T) *sessionRig {
	t.Helper()
	r := &sessionRig{t: t, ctx: context.Background(), db: testenv.MustOpenDB(t), rdb: testenv.MustRedisConn(t).Client(t),
		clock: testenv.NewClock(time.Now().UTC()), ids: map[string]int64{}}
	if err := r.db.Catalog.UpsertUnit(r.ctx, &guanjia.Unit{Code: "lh-hw", Name: "龙华区环卫所", Department: guanjia.DeptSanitation, District: "龙华区"}); err != nil {
		t.Fatal(err)
	}
	hash, err := account.HashPassword(sessionPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*guanjia.User{
		{Username: "admin", Role: guanjia.RoleAdmin},
		{Username: "dispatcher", Role: guanjia.RoleDispatcher},
		{Username: "agent", Role: guanjia.RoleAgent},
		{Username: "crew", Role: guanjia.RoleCrew, UnitCode: "lh-hw"},
	} {
		u.PasswordHash = hash
		if err := r.db.Users.CreateUser(r.ctx, u); err != nil {
			t.Fatal(err)
		}
		r.ids[u.Username] = u.ID
	}
	return r
}

// replica starts one API process on the rig's database and Redis, following
// the other replicas' session changes as `guanjia api` does.
func (r *sessionRig) replica(cfg api.Config) *api.Server {
	r.t.Helper()
	cfg.Secret = sessionSecret
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = time.Hour
	}
	srv := api.New(cfg, api.Deps{Users: r.db.Users, Catalog: r.db.Catalog, Notifications: r.db.Notifications, Idempotency: r.db.Idempotency, Redis: r.rdb,
		Registry: prometheus.NewRegistry(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: r.clock.Now})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		r.t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, l); close(done) }()
	r.t.Cleanup(func() { stop(); <-done })
	return srv
}

type reqOpt func(*http.Request)

func bearer(tok string) reqOpt {
	return func(q *http.Request) { q.Header.Set("Authorization", "Bearer "+tok) }
}
func cookie(tok string) reqOpt {
	return func(q *http.Request) { q.AddCookie(&http.Cookie{Name: "guanjia_token", Value: tok}) }
}
func from(ip string) reqOpt            { return func(q *http.Request) { q.RemoteAddr = ip + ":40000" } }
func header(name, value string) reqOpt { return func(q *http.Request) { q.Header.Set(name, value) } }

type answerOf struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a answerOf) code() string {
	e, _ := a.body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// send calls h with a JSON body (a string is sent as it is, with its own
// Content-Type header option).
func send(h http.Handler, method, path string, body any, opts ...reqOpt) answerOf {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = strings.NewReader(string(j))
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = "192.0.2.10:40000"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answerOf{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &a.body)
	return a
}

func login(h http.Handler, username, password string, opts ...reqOpt) answerOf {
	return send(h, "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, opts...)
}

// signIn logs username in and answers the token.
func (r *sessionRig) signIn(h http.Handler, username string) string {
	r.t.Helper()
	a := login(h, username, sessionPassword)
	tok, _ := a.body["token"].(string)
	if a.status != http.StatusOK || tok == "" {
		r.t.Fatalf("login %s: %d %s", username, a.status, a.raw)
	}
	return tok
}

// eventually waits up to 5 s (the promise to a city) for the status of a call.
func eventually(t *testing.T, what string, want int, call func() answerOf) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		a := call()
		if a.status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %d %s after 5 s, want %d", what, a.status, a.raw, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// Row 1: a token of a user who is then demoted, then disabled, stops working
// on every replica — at once when the change is announced, within the
// recheck window when it is not (the command line without Redis).
func TestTokenStopsWhenTheAccountChanges(t *testing.T) {
	r := newSessionRig(t)
	a, b := r.replica(api.Config{}), r.replica(api.Config{})
	admin, disp := r.signIn(a, "admin"), r.signIn(a, "dispatcher")
	for _, srv := range []*api.Server{a, b} {
		if got := send(srv, "GET", "/api/v1/me", nil, bearer(disp)); got.status != http.StatusOK {
			t.Fatalf("dispatcher's token before the change: %d %s", got.status, got.raw)
		}
	}

	// Demoted to citizen on replica A: refused there at once, and on B within 5 s.
	got := send(a, "PUT", path("/api/v1/users/%d/role", r.ids["dispatcher"]), map[string]string{"role": "citizen"}, bearer(admin))
	if got.status != http.StatusOK || got.body["role"] != "citizen" {
		t.Fatalf("demote: %d %s", got.status, got.raw)
	}
	if got := send(a, "GET", "/api/v1/me", nil, bearer(disp)); got.status != http.StatusUnauthorized {
		t.Errorf("demoted dispatcher's token on the replica that demoted: %d %s", got.status, got.raw)
	}
	eventually(t, "demoted dispatcher's token on the other replica", http.StatusUnauthorized,
		func() answerOf { return send(b, "GET", "/api/v1/me", nil, bearer(disp)) })

	// A change nobody announces (the command line without Redis) takes
	// effect when the replicas' cached verdict runs out, 3 s by default.
	citizen := r.signIn(a, "dispatcher")
	for _, srv := range []*api.Server{a, b} {
		if got := send(srv, "GET", "/api/v1/me", nil, bearer(citizen)); got.status != http.StatusOK || got.body["role"] != "citizen" {
			t.Fatalf("signed in again as a citizen: %d %s", got.status, got.raw)
		}
	}
	yes := true
	if _, err := r.db.Users.ChangeUser(r.ctx, guanjia.UserChange{UserID: r.ids["dispatcher"], By: guanjia.Actor{Name: "cli"}, Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	r.clock.Set(r.clock.Now().Add(3*time.Second + time.Millisecond))
	for _, srv := range []*api.Server{a, b} {
		if got := send(srv, "GET", "/api/v1/me", nil, bearer(citizen)); got.status != http.StatusUnauthorized {
			t.Errorf("disabled user's token after the recheck window: %d %s", got.status, got.raw)
		}
	}
	// A disabled account does not sign in, even with the right password.
	if got := login(a, "dispatcher", sessionPassword); got.status != http.StatusForbidden {
		t.Errorf("disabled account signs in: %d %s", got.status, got.raw)
	}
	// Enabled again, it signs in again; its old sessions stay ended.
	if got := send(b, "POST", path("/api/v1/users/%d/enable", r.ids["dispatcher"]), nil, bearer(admin)); got.status != http.StatusOK || got.body["disabled"] != false {
		t.Fatalf("enable: %d %s", got.status, got.raw)
	}
	if got := send(a, "GET", "/api/v1/me", nil, bearer(citizen)); got.status != http.StatusUnauthorized {
		t.Errorf("a session ended by disabling came back with enabling: %d", got.status)
	}
	r.signIn(b, "dispatcher")

	// Each change is in the audit trail: who, when, what.
	got = send(b, "GET", path("/api/v1/users/audit?user=%d", r.ids["dispatcher"]), nil, bearer(admin))
	lines, _ := got.body["audit"].([]any)
	var events []string
	for _, l := range lines {
		m := l.(map[string]any)
		events = append(events, fmt.Sprintf("%s %s %v→%v", m["actor"], m["event"], m["from"], m["to"]))
		if m["at"] == "" {
			t.Errorf("audit line without a time: %v", m)
		}
	}
	want := []string{"admin enable <nil>→<nil>", "cli disable <nil>→<nil>", "admin role dispatcher→citizen"}
	if fmt.Sprint(events) != fmt.Sprint(want) {
		t.Errorf("audit: %q, want %q", events, want)
	}
	// Only administrators read it.
	if got := send(b, "GET", "/api/v1/users/audit", nil, bearer(r.signIn(a, "agent"))); got.status != http.StatusForbidden {
		t.Errorf("agent reads the audit: %d", got.status)
	}
}

// Logout ends the session on the server: the token is refused on every replica.
func TestLogoutRevokesTheToken(t *testing.T) {
	r := newSessionRig(t)
	a, b := r.replica(api.Config{}), r.replica(api.Config{})
	tok := r.signIn(a, "agent")
	if got := send(b, "GET", "/api/v1/me", nil, bearer(tok)); got.status != http.StatusOK {
		t.Fatalf("before logout: %d", got.status)
	}
	got := send(a, "POST", "/api/v1/auth/logout", nil, bearer(tok))
	if got.status != http.StatusNoContent || !strings.Contains(got.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("logout: %d %q", got.status, got.header.Get("Set-Cookie"))
	}
	if got := send(a, "GET", "/api/v1/me", nil, bearer(tok)); got.status != http.StatusUnauthorized {
		t.Errorf("logged-out token on the same replica: %d", got.status)
	}
	eventually(t, "logged-out token on the other replica", http.StatusUnauthorized,
		func() answerOf { return send(b, "GET", "/api/v1/me", nil, bearer(tok)) })
	// The console's cookie logs out the same way (from its own pages).
	tok = r.signIn(a, "agent")
	if got := send(a, "POST", "/api/v1/auth/logout", nil, cookie(tok), header("X-Requested-With", "fetch")); got.status != http.StatusNoContent {
		t.Fatalf("cookie logout: %d %s", got.status, got.raw)
	}
	if got := send(b, "GET", "/api/v1/me", nil, cookie(tok)); got.status != http.StatusUnauthorized {
		t.Errorf("logged-out cookie: %d", got.status)
	}
}

// A password change ends the user's other sessions and keeps the one it was made in.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	r := newSessionRig(t)
	a, b := r.replica(api.Config{}), r.replica(api.Config{})
	here, phone := r.signIn(a, "crew"), r.signIn(b, "crew")
	if got := send(a, "PUT", "/api/v1/me/password", map[string]string{"current_password": "not-the-password", "new_password": "a-new-password"},
		bearer(here)); got.status != http.StatusForbidden {
		t.Errorf("wrong current password: %d %s", got.status, got.raw)
	}
	got := send(a, "PUT", "/api/v1/me/password", map[string]string{"current_password": sessionPassword, "new_password": "a-new-password"}, bearer(here))
	if got.status != http.StatusNoContent {
		t.Fatalf("change password: %d %s", got.status, got.raw)
	}
	for _, srv := range []*api.Server{a, b} {
		if got := send(srv, "GET", "/api/v1/me", nil, bearer(here)); got.status != http.StatusOK {
			t.Errorf("the session that changed the password: %d", got.status)
		}
	}
	eventually(t, "the other session", http.StatusUnauthorized, func() answerOf { return send(b, "GET", "/api/v1/me", nil, bearer(phone)) })
	if got := login(a, "crew", sessionPassword); got.status != http.StatusUnauthorized {
		t.Errorf("old password: %d", got.status)
	}
	if got := login(a, "crew", "a-new-password"); got.status != http.StatusOK {
		t.Errorf("new password: %d %s", got.status, got.raw)
	}

	// An administrator's reset ends every session of the user.
	admin := r.signIn(a, "admin")
	if got := send(b, "POST", path("/api/v1/users/%d/password", r.ids["crew"]), map[string]string{"password": "short"}, bearer(admin)); got.status != http.StatusBadRequest {
		t.Errorf("a 5-character password: %d", got.status)
	}
	if got := send(b, "POST", path("/api/v1/users/%d/password", r.ids["crew"]), map[string]string{"password": "reset-by-admin"}, bearer(admin)); got.status != http.StatusOK {
		t.Fatalf("reset: %d %s", got.status, got.raw)
	}
	eventually(t, "the session that changed the password, after the reset", http.StatusUnauthorized,
		func() answerOf { return send(a, "GET", "/api/v1/me", nil, bearer(here)) })
	if got := login(a, "crew", "reset-by-admin"); got.status != http.StatusOK {
		t.Errorf("reset password: %d", got.status)
	}
}

// Administrators cannot lock themselves out, and a change is checked.
func TestUserAdministrationRules(t *testing.T) {
	r := newSessionRig(t)
	a := r.replica(api.Config{})
	admin := r.signIn(a, "admin")
	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"disable myself", "POST", path("/api/v1/users/%d/disable", r.ids["admin"]), nil, http.StatusUnprocessableEntity},
		{"demote myself", "PUT", path("/api/v1/users/%d/role", r.ids["admin"]), map[string]string{"role": "agent"}, http.StatusUnprocessableEntity},
		{"unknown role", "PUT", path("/api/v1/users/%d/role", r.ids["agent"]), map[string]string{"role": "mayor"}, http.StatusBadRequest},
		{"crew without a unit", "PUT", path("/api/v1/users/%d/role", r.ids["agent"]), map[string]string{"role": "crew"}, http.StatusBadRequest},
		{"unknown unit", "PUT", path("/api/v1/users/%d/role", r.ids["agent"]), map[string]string{"role": "crew", "unit": "nowhere"}, http.StatusNotFound},
		{"no such user", "POST", "/api/v1/users/99999/disable", nil, http.StatusNotFound},
		{"a crew member with a unit", "PUT", path("/api/v1/users/%d/role", r.ids["agent"]), map[string]string{"role": "crew", "unit": "lh-hw"}, http.StatusOK},
	} {
		if got := send(a, c.method, c.path, c.body, bearer(admin)); got.status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, got.status, got.raw, c.status)
		}
	}
	got := send(a, "GET", "/api/v1/users?role=crew", nil, bearer(admin))
	users, _ := got.body["users"].([]any)
	if got.status != http.StatusOK || len(users) != 2 {
		t.Errorf("crew list: %d %s", got.status, got.raw)
	}
	for q, want := range map[string]int{"q=isp": 1, "q=%25": 0, "q=_": 0, "disabled=false": 4, "disabled=true": 0} {
		got := send(a, "GET", "/api/v1/users?"+q, nil, bearer(admin))
		if users, _ := got.body["users"].([]any); got.status != http.StatusOK || len(users) != want {
			t.Errorf("users?%s: %d %s, want %d users", q, got.status, got.raw, want)
		}
	}
	if got := send(a, "GET", "/api/v1/users", nil, bearer(r.signIn(a, "dispatcher"))); got.status != http.StatusForbidden {
		t.Errorf("dispatcher lists users: %d", got.status)
	}
}

// Row 2: password guessing is throttled per account and per address, in
// Redis, so every replica counts together.
func TestLoginThrottle(t *testing.T) {
	r := newSessionRig(t)
	a, b := r.replica(api.Config{}), r.replica(api.Config{})
	// 5 wrong passwords (on two replicas) lock the account…
	for i := range 5 {
		srv := a
		if i%2 == 1 {
			srv = b
		}
		if got := login(srv, "agent", "wrong-password"); got.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d %s", i+1, got.status, got.raw)
		}
	}
	got := login(b, "agent", "wrong-password")
	retry, _ := strconv.Atoi(got.header.Get("Retry-After"))
	if got.status != http.StatusTooManyRequests || got.code() != guanjia.ETOOMANY || retry < 14*60 || retry > 15*60 {
		t.Fatalf("6th wrong password: %d Retry-After %q %s", got.status, got.header.Get("Retry-After"), got.raw)
	}
	// …even to the right one, until an administrator unlocks it.
	if got := login(a, "agent", sessionPassword); got.status != http.StatusTooManyRequests {
		t.Errorf("right password while locked: %d", got.status)
	}
	admin := r.signIn(a, "admin")
	if got := send(b, "GET", path("/api/v1/users/%d", r.ids["agent"]), nil, bearer(admin)); got.body["locked_for_s"] == nil {
		t.Errorf("the admin does not see the lock: %s", got.raw)
	}
	if got := send(b, "POST", path("/api/v1/users/%d/unlock", r.ids["agent"]), nil, bearer(admin)); got.status != http.StatusOK {
		t.Fatalf("unlock: %d %s", got.status, got.raw)
	}
	if got := login(a, "agent", sessionPassword); got.status != http.StatusOK {
		t.Errorf("right password after the unlock: %d %s", got.status, got.raw)
	}
	got = send(a, "GET", path("/api/v1/users/audit?user=%d", r.ids["agent"]), nil, bearer(admin))
	if !strings.Contains(got.raw, `"event":"unlock","actor":"admin"`) && !strings.Contains(got.raw, `"event":"unlock"`) ||
		!strings.Contains(got.raw, `"event":"lock"`) {
		t.Errorf("audit of the lock and unlock: %s", got.raw)
	}

	// 50 guesses in parallel: at most 5 are tried, the rest wait.
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv := a
			if i%2 == 1 {
				srv = b
			}
			st := login(srv, "dispatcher", fmt.Sprintf("guess-%d", i), from("198.51.100.7")).status
			mu.Lock()
			counts[st]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[http.StatusUnauthorized] > 5 || counts[http.StatusTooManyRequests] < 45 || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != 50 {
		t.Errorf("50 parallel guesses: %v", counts)
	}
	if got := login(a, "dispatcher", sessionPassword); got.status != http.StatusTooManyRequests {
		t.Errorf("right password after the parallel guesses: %d", got.status)
	}
}

// One address guessing across many accounts waits too; X-Forwarded-For is
// believed only from configured proxies.
func TestLoginThrottlePerAddress(t *testing.T) {
	r := newSessionRig(t)
	direct := r.replica(api.Config{Throttle: api.ThrottleConfig{IPFailures: 10}})
	_, proxies, _ := net.ParseCIDR("10.0.0.0/24")
	behind := r.replica(api.Config{Throttle: api.ThrottleConfig{IPFailures: 10}, TrustedProxies: []*net.IPNet{proxies}})

	// Spoofed X-Forwarded-For does not give a direct client new addresses.
	for i := range 10 {
		got := login(direct, fmt.Sprintf("nobody-%d", i), "wrong-password", from("203.0.113.5"), header("X-Forwarded-For", fmt.Sprintf("192.0.2.%d", i)))
		if got.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i+1, got.status, got.raw)
		}
	}
	got := login(direct, "nobody-else", "wrong-password", from("203.0.113.5"), header("X-Forwarded-For", "192.0.2.99"))
	if got.status != http.StatusTooManyRequests || got.header.Get("Retry-After") == "" {
		t.Errorf("11th failure from one address: %d %q", got.status, got.header.Get("Retry-After"))
	}
	if got := login(direct, "agent", sessionPassword, from("203.0.113.5")); got.status != http.StatusTooManyRequests {
		t.Errorf("that address, right password: %d", got.status)
	}
	if got := login(direct, "agent", sessionPassword, from("203.0.113.6")); got.status != http.StatusOK {
		t.Errorf("another address: %d %s", got.status, got.raw)
	}

	// Behind a configured proxy, the client is the address the proxy names.
	for i := range 10 {
		login(behind, fmt.Sprintf("nobody-%d", i), "wrong-password", from("10.0.0.2"), header("X-Forwarded-For", "198.51.100.20"))
	}
	if got := login(behind, "agent", sessionPassword, from("10.0.0.2"), header("X-Forwarded-For", "198.51.100.20")); got.status != http.StatusTooManyRequests {
		t.Errorf("the client behind the proxy that failed 10 times: %d", got.status)
	}
	if got := login(behind, "agent", sessionPassword, from("10.0.0.2"), header("X-Forwarded-For", "198.51.100.21")); got.status != http.StatusOK {
		t.Errorf("another client behind the same proxy: %d %s", got.status, got.raw)
	}

	// An IPv6 client holds a whole /64: its addresses are one address.
	v6 := func(host string) reqOpt { return func(q *http.Request) { q.RemoteAddr = "[" + host + "]:40000" } }
	for i := range 10 {
		login(direct, fmt.Sprintf("nobody-%d", i), "wrong-password", v6(fmt.Sprintf("2001:db8:1:2::%x", i+1)))
	}
	if got := login(direct, "agent", sessionPassword, v6("2001:db8:1:2:ffff::1")); got.status != http.StatusTooManyRequests {
		t.Errorf("another address of the /64 that failed 10 times: %d, want 429", got.status)
	}
	if got := login(direct, "agent", sessionPassword, v6("2001:db8:1:3::1")); got.status != http.StatusOK {
		t.Errorf("the next /64: %d %s", got.status, got.raw)
	}
}

// Row 16: a change signed in by the console's cookie must come from the
// console's own pages (JSON, or X-Requested-With); bearer clients are unaffected.
func TestCookieChangesNeedJSONOrAHeader(t *testing.T) {
	r := newSessionRig(t)
	a := r.replica(api.Config{SecureCookie: true})
	got := login(a, "admin", sessionPassword)
	if ck := got.header.Get("Set-Cookie"); !strings.Contains(ck, "Secure") || !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") {
		t.Errorf("session cookie with an https public URL: %q", ck)
	}
	admin := got.body["token"].(string)
	disable := path("/api/v1/users/%d/disable", r.ids["agent"])
	for _, c := range []struct {
		name string
		opts []reqOpt
	}{
		{"a text/plain form post", []reqOpt{cookie(admin), header("Content-Type", "text/plain")}},
		{"a urlencoded form post", []reqOpt{cookie(admin), header("Content-Type", "application/x-www-form-urlencoded")}},
		{"a multipart form post", []reqOpt{cookie(admin), header("Content-Type", "multipart/form-data; boundary=x")}},
		{"JSON the browser says is cross-site", []reqOpt{cookie(admin), header("Content-Type", "application/json"), header("Sec-Fetch-Site", "cross-site")}},
		{"JSON from another origin", []reqOpt{cookie(admin), header("Content-Type", "application/json"), header("Origin", "https://evil.example")}},
	} {
		got := send(a, "POST", disable, "", c.opts...)
		if got.status != http.StatusForbidden {
			t.Errorf("%s: %d %s, want 403", c.name, got.status, got.raw)
		}
	}
	if u, _ := r.db.Users.FindUserByID(r.ctx, r.ids["agent"]); u.Disabled() {
		t.Fatal("a refused request disabled the user")
	}
	if got := send(a, "POST", disable, map[string]any{}, cookie(admin)); got.status != http.StatusOK {
		t.Errorf("cookie with JSON: %d %s", got.status, got.raw)
	}
	enable := path("/api/v1/users/%d/enable", r.ids["agent"])
	if got := send(a, "POST", enable, "", cookie(admin), header("X-Requested-With", "fetch")); got.status != http.StatusOK {
		t.Errorf("cookie with X-Requested-With (the console's uploads): %d %s", got.status, got.raw)
	}
	if got := send(a, "POST", disable, "", cookie(admin), header("Sec-Fetch-Site", "same-origin"), header("Content-Type", "text/plain")); got.status != http.StatusOK {
		t.Errorf("cookie, the browser says same-origin: %d %s", got.status, got.raw)
	}
	if got := send(a, "POST", enable, "", bearer(admin), header("Content-Type", "text/plain")); got.status != http.StatusOK {
		t.Errorf("bearer token with text/plain: %d %s", got.status, got.raw)
	}
	if got := send(a, "GET", "/api/v1/me", nil, cookie(admin)); got.status != http.StatusOK {
		t.Errorf("cookie GET: %d", got.status)
	}
}

// Another site's form cannot sign this browser in as someone else: a
// text/plain body carries JSON, and the answer would set the cookie.
func TestLoginFromAnotherSiteIsRefused(t *testing.T) {
	r := newSessionRig(t)
	a := r.replica(api.Config{})
	body := fmt.Sprintf(`{"username":"admin","password":"%s"}`, sessionPassword)
	for _, c := range []struct {
		name string
		opts []reqOpt
	}{
		{"a text/plain form post", []reqOpt{header("Content-Type", "text/plain")}},
		{"a form the browser says is cross-site", []reqOpt{header("Content-Type", "text/plain"), header("Sec-Fetch-Site", "cross-site")}},
		{"JSON from another origin", []reqOpt{header("Origin", "https://evil.example")}},
	} {
		got := send(a, "POST", "/api/v1/auth/login", body, c.opts...)
		if got.status != http.StatusForbidden || got.header.Get("Set-Cookie") != "" {
			t.Errorf("%s: %d (cookie %q), want 403 and no cookie", c.name, got.status, got.header.Get("Set-Cookie"))
		}
	}
	if got := login(a, "admin", sessionPassword, header("Sec-Fetch-Site", "same-origin")); got.status != http.StatusOK {
		t.Errorf("the console's own sign-in: %d %s", got.status, got.raw)
	}
}

// resetDuringLogin has an administrator reset the password right after a
// sign-in read the account, while the old password is being checked.
type resetDuringLogin struct {
	*store.Users
	reset func()
}

func (r *resetDuringLogin) FindUserByUsername(ctx context.Context, username string) (*guanjia.User, error) {
	u, err := r.Users.FindUserByUsername(ctx, username)
	if reset := r.reset; reset != nil {
		r.reset = nil
		reset()
	}
	return u, err
}

// A password reset ends every sign-in with the old password, also one whose
// check was running as the reset landed (a stolen password tried again and
// again while the account is being secured).
func TestAResetDuringASignInEndsIt(t *testing.T) {
	r := newSessionRig(t)
	hash, err := account.HashPassword("a-new-secret-2026")
	if err != nil {
		t.Fatal(err)
	}
	users := &resetDuringLogin{Users: r.db.Users, reset: func() {
		if _, err := r.db.Users.ChangeUser(r.ctx, guanjia.UserChange{UserID: r.ids["agent"], By: guanjia.Actor{Name: "cli"},
			PasswordHash: &hash, PasswordEvent: guanjia.UserPasswordReset}); err != nil {
			t.Errorf("reset: %v", err)
		}
	}}
	srv := api.New(api.Config{Secret: sessionSecret, TokenTTL: time.Hour}, api.Deps{Users: users, Catalog: r.db.Catalog,
		Notifications: r.db.Notifications, Idempotency: r.db.Idempotency, Redis: r.rdb, Registry: prometheus.NewRegistry(),
		Log: slog.New(slog.DiscardHandler), Now: r.clock.Now})
	got := login(srv, "agent", sessionPassword)
	if tok, _ := got.body["token"].(string); tok != "" {
		if me := send(srv, "GET", "/api/v1/me", nil, bearer(tok)); me.status == http.StatusOK {
			t.Errorf("a sign-in with the old password outlived the reset: login %d, then /me %d", got.status, me.status)
		}
	}
	if got.status != http.StatusUnauthorized {
		t.Errorf("the sign-in over the reset: %d %s, want 401", got.status, got.raw)
	}
}

// WeChat sign-in issues sessions like a password does, and refuses a disabled citizen.
func TestWeChatLoginStartsASession(t *testing.T) {
	r := newSessionRig(t)
	citizen := &guanjia.User{OpenID: "o-citizen", Role: guanjia.RoleCitizen}
	if err := r.db.Users.CreateUser(r.ctx, citizen); err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Config{Secret: sessionSecret}, api.Deps{Users: r.db.Users, Catalog: r.db.Catalog, Notifications: r.db.Notifications, Idempotency: r.db.Idempotency,
		Redis: r.rdb, WeChat: fakeMiniProgram{db: r.db}, Registry: prometheus.NewRegistry(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: r.clock.Now})
	got := send(srv, "POST", "/api/v1/wechat/login", map[string]string{"code": "o-citizen"})
	tok, _ := got.body["token"].(string)
	if got.status != http.StatusOK || tok == "" {
		t.Fatalf("wechat login: %d %s", got.status, got.raw)
	}
	if got := send(srv, "GET", "/api/v1/me", nil, bearer(tok)); got.status != http.StatusOK {
		t.Errorf("wechat token: %d", got.status)
	}
	yes := true
	if _, err := r.db.Users.ChangeUser(r.ctx, guanjia.UserChange{UserID: citizen.ID, By: guanjia.Actor{Name: "cli"}, Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	r.clock.Set(r.clock.Now().Add(4 * time.Second))
	if got := send(srv, "GET", "/api/v1/me", nil, bearer(tok)); got.status != http.StatusUnauthorized {
		t.Errorf("disabled citizen's wechat token: %d", got.status)
	}
	if got := send(srv, "POST", "/api/v1/wechat/login", map[string]string{"code": "o-citizen"}); got.status != http.StatusForbidden {
		t.Errorf("disabled citizen signs in through WeChat: %d %s", got.status, got.raw)
	}

	// It sets no console cookie, so another site's form posting an attacker's
	// code cannot sign this browser in as them (login CSRF).
	attacker := &guanjia.User{OpenID: "o-attacker", Role: guanjia.RoleCitizen}
	if err := r.db.Users.CreateUser(r.ctx, attacker); err != nil {
		t.Fatal(err)
	}
	got = send(srv, "POST", "/api/v1/wechat/login", `{"code":"o-attacker"}`, header("Content-Type", "text/plain"), header("Sec-Fetch-Site", "cross-site"))
	if ck := got.header.Get("Set-Cookie"); ck != "" {
		t.Errorf("a cross-site WeChat sign-in: %d, sets the cookie %q", got.status, ck)
	}
}

// fakeMiniProgram signs in the user whose openid is the code; nothing else is called.
type fakeMiniProgram struct {
	api.MiniProgram
	db *store.DB
}

func (f fakeMiniProgram) Login(ctx context.Context, code string) (*guanjia.User, error) {
	return f.db.Users.FindUserByOpenID(ctx, code)
}

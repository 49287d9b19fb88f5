package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/demo"
)

// cli runs the command line against m's database and Redis, as an operator
// on the same deployment would.
func cli(t *testing.T, m *Main, args ...string) (string, error) {
	t.Helper()
	t.Setenv("DATABASE_URL", m.Config.DatabaseURL)
	t.Setenv("GUANJIA_DATA_DIR", m.Config.DataDir)
	t.Setenv("REDIS_URL", m.Config.RedisURL)
	t.Setenv("GUANJIA_SECRET", m.Config.Secret)
	var out bytes.Buffer
	err := run(context.Background(), args, &out)
	return out.String(), err
}

// within5s waits for what a user of any replica would see within 5 s.
func within5s(t *testing.T, what string, want int, call func() answer) {
	t.Helper()
	eventually(t, 5*time.Second, func() error {
		if a := call(); a.status != want {
			return fmt.Errorf("%s: %d %s after 5 s, want %d", what, a.status, a.raw, want)
		}
		return nil
	})
}

func signIn(m *Main, t *testing.T, username, password string) answer {
	c := &client{t: t, base: m.URL}
	return c.do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password})
}

// Row 1 as a hostile user tried it: a dispatcher's token, the dispatcher then
// demoted to citizen, then disabled from the command line. The token lists
// nothing, reads no stats and does no 催办; logout ends a token on the server.
func TestDemotedAndDisabledTokensStopWorking(t *testing.T) {
	m := startMain(t)
	admin, citizen, dispatcher := login(t, m, "admin"), login(t, m, "citizen"), login(t, m, "dispatcher")
	a := citizen.do("POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": "路口有一堆垃圾",
		"lat": lh01Lat, "lng": lh01Lng, "address": "龙华区"})
	if a.status != 201 {
		t.Fatalf("report: %d %s", a.status, a.raw)
	}
	id := int64(a.num("id"))
	if a := dispatcher.do("GET", "/api/v1/complaints", nil); a.status != 200 {
		t.Fatalf("dispatcher lists: %d", a.status)
	}

	me := dispatcher.do("GET", "/api/v1/me", nil)
	a = admin.do("PUT", fmt.Sprintf("/api/v1/users/%d/role", int64(me.num("id"))), map[string]string{"role": "citizen"})
	if a.status != 200 {
		t.Fatalf("demote: %d %s", a.status, a.raw)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/complaints"},
		{"GET", "/api/v1/stats"},
		{"POST", fmt.Sprintf("/api/v1/complaints/%d/remind", id)},
	} {
		within5s(t, "the demoted dispatcher's "+c.method+" "+c.path, 401, func() answer { return dispatcher.do(c.method, c.path, nil) })
	}
	timeline := admin.do("GET", fmt.Sprintf("/api/v1/complaints/%d", id), nil)
	for _, e := range timeline.body["events"].([]any) {
		if e.(map[string]any)["action"] == "remind" {
			t.Errorf("a 催办 by the demoted token: %v", e)
		}
	}

	// Signed in again (as a citizen), then disabled from the command line.
	again := login(t, m, "dispatcher")
	if out, err := cli(t, m, "user", "disable", "--username", "dispatcher"); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("user disable: %q %v", out, err)
	}
	within5s(t, "the disabled user's token", 401, func() answer { return again.do("GET", "/api/v1/me", nil) })
	if a := signIn(m, t, "dispatcher", demo.Password); a.status != 403 {
		t.Errorf("a disabled account signs in: %d %s", a.status, a.raw)
	}

	// Logout ends the token on the server, not just the cookie.
	agent := login(t, m, "agent")
	if a := agent.do("POST", "/api/v1/auth/logout", nil); a.status != 204 {
		t.Fatalf("logout: %d", a.status)
	}
	if a := agent.do("GET", "/api/v1/complaints", nil); a.status != 401 {
		t.Errorf("the logged-out token lists complaints: %d", a.status)
	}
}

// The command line administers accounts like the API: each change audited,
// sessions ended where the change calls for it, sign-in locks lifted.
func TestUserCommands(t *testing.T) {
	m := startMain(t)
	admin := login(t, m, "admin")
	agent := login(t, m, "agent")
	agentID := int64(agent.do("GET", "/api/v1/me", nil).num("id"))

	// Five wrong passwords lock the account; the command line unlocks it.
	for range 5 {
		signIn(m, t, "agent", "wrong-password")
	}
	if a := signIn(m, t, "agent", demo.Password); a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Fatalf("locked account: %d %q", a.status, a.header.Get("Retry-After"))
	}
	if out, err := cli(t, m, "user", "unlock", "--username", "agent"); err != nil || !strings.Contains(out, "unlocked") {
		t.Fatalf("user unlock: %q %v", out, err)
	}
	if a := signIn(m, t, "agent", demo.Password); a.status != 200 {
		t.Errorf("after unlock: %d %s", a.status, a.raw)
	}

	// A new role and unit end the sessions; the user signs in with the new role.
	out, err := cli(t, m, "user", "set-role", "--username", "agent", "--role", "crew", "--unit", "lh-hw", "--grid", "lh01")
	if err != nil || !strings.Contains(out, "role crew") {
		t.Fatalf("user set-role: %q %v", out, err)
	}
	within5s(t, "the token from before the new role", 401, func() answer { return agent.do("GET", "/api/v1/me", nil) })
	if a := signIn(m, t, "agent", demo.Password); a.status != 200 || a.str("role") != "crew" {
		t.Errorf("signed in after set-role: %d %s", a.status, a.raw)
	}

	// A new password: the old one no longer works.
	if _, err := cli(t, m, "user", "passwd", "--username", "agent", "--password", "new-password-2026"); err != nil {
		t.Fatal(err)
	}
	if a := signIn(m, t, "agent", demo.Password); a.status != 401 {
		t.Errorf("old password: %d", a.status)
	}
	if a := signIn(m, t, "agent", "new-password-2026"); a.status != 200 {
		t.Errorf("new password: %d", a.status)
	}

	// Disabled and enabled again.
	if _, err := cli(t, m, "user", "disable", "--username", "agent"); err != nil {
		t.Fatal(err)
	}
	if a := signIn(m, t, "agent", "new-password-2026"); a.status != 403 {
		t.Errorf("disabled: %d", a.status)
	}
	if _, err := cli(t, m, "token", "--user", "agent"); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("a token for a disabled user: %v", err)
	}
	if _, err := cli(t, m, "user", "enable", "--username", "agent"); err != nil {
		t.Fatal(err)
	}
	tok, err := cli(t, m, "token", "--user", "agent", "--ttl", "10m")
	if err != nil {
		t.Fatal(err)
	}
	operator := &client{t: t, base: m.URL, token: strings.TrimSpace(tok)}
	if a := operator.do("GET", "/api/v1/me", nil); a.status != 200 {
		t.Errorf("the operator's token: %d %s", a.status, a.raw)
	}

	// Mistakes say what is wrong and change nothing.
	for _, args := range [][]string{
		{"user", "set-role", "--username", "agent", "--role", "mayor"},
		{"user", "set-role", "--username", "agent", "--role", "unit_admin", "--unit", "nowhere"},
		{"user", "disable"},
		{"user", "disable", "--username", "nobody"},
		{"user", "passwd", "--username", "agent", "--password", "short"},
		{"user", "frobnicate", "--username", "agent"},
	} {
		if _, err := cli(t, m, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}

	// The trail says who did what, when: the operator at the command line,
	// and the system that locked the account.
	a := admin.do("GET", fmt.Sprintf("/api/v1/users/audit?user=%d", agentID), nil)
	var trail []string
	for _, l := range a.body["audit"].([]any) {
		line := l.(map[string]any)
		if actor := line["actor"].(string); !strings.HasPrefix(actor, "cli") && !(actor == "system" && line["event"] == "lock") {
			t.Errorf("%v by %v", line["event"], actor)
		}
		trail = append(trail, line["event"].(string))
	}
	want := "[enable disable password_reset grid unit role unlock lock]"
	if fmt.Sprint(trail) != want {
		t.Errorf("audit: %v, want %s", trail, want)
	}
}

// user add follows the administrators' API's rules (account.Service.Add):
// the new crew member signs in, the trail names the operator, and a
// mistake — an unknown grid, a taken username — creates nothing.
func TestUserAddCommand(t *testing.T) {
	m := startMain(t)
	out, err := cli(t, m, "user", "add", "--username", "wang-new", "--password", "hired-in-haikou", "--role", "crew",
		"--unit", "lh-hw", "--grid", "lh01", "--name", "王师傅")
	if err != nil || !strings.Contains(out, "user wang-new added") {
		t.Fatalf("user add: %q %v", out, err)
	}
	in := signIn(m, t, "wang-new", "hired-in-haikou")
	if in.status != 200 || in.str("role") != "crew" {
		t.Fatalf("the new crew member signs in: %d %s", in.status, in.raw)
	}
	me := (&client{t: t, base: m.URL, token: in.str("token")}).do("GET", "/api/v1/me", nil)
	if me.str("unit") != "lh-hw" || me.str("grid") != "lh01" || me.str("name") != "王师傅" {
		t.Errorf("the new account: %s", me.raw)
	}
	trail := login(t, m, "admin").do("GET", fmt.Sprintf("/api/v1/users/audit?user=%d", int64(me.num("id"))), nil)
	lines, _ := trail.body["audit"].([]any)
	if len(lines) != 1 || lines[0].(map[string]any)["event"] != "create" || !strings.HasPrefix(lines[0].(map[string]any)["actor"].(string), "cli") {
		t.Errorf("audit: %s", trail.raw)
	}
	for _, args := range [][]string{
		{"user", "add", "--username", "li-new", "--password", "hired-in-haikou", "--role", "crew", "--unit", "lh-hw", "--grid", "nowhere"},
		{"user", "add", "--username", "wang-new", "--password", "hired-in-haikou", "--role", "agent"},
	} {
		if _, err := cli(t, m, args...); guanjia.ErrorCode(err) != guanjia.EINVALID && guanjia.ErrorCode(err) != guanjia.ECONFLICT {
			t.Errorf("%v: %v", args, err)
		}
	}
	if a := signIn(m, t, "li-new", "hired-in-haikou"); a.status != 401 {
		t.Errorf("the account of a refused user add signs in: %d", a.status)
	}
	if a := signIn(m, t, "wang-new", "hired-in-haikou"); a.status != 200 || a.str("role") != "crew" {
		t.Errorf("wang-new after a refused second user add: %d %s", a.status, a.raw)
	}
}

package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"guanjia"
	"guanjia/api"
)

const newcomerPassword = "hired-in-haikou"

// An administrator creates a staff account; it signs in to its page with
// the password it was given, and the trail says who created it.
func TestUserCreate(t *testing.T) {
	r := newSessionRig(t)
	a := r.replica(api.Config{})
	if err := r.db.Catalog.UpsertGrid(r.ctx, &guanjia.Grid{ID: "lh01", Name: "中山街道第1网格", District: "龙华区",
		Geometry: []byte(`{"type":"Polygon","coordinates":[[[110.28,20.0],[110.30,20.0],[110.30,20.01],[110.28,20.01],[110.28,20.0]]]}`)}); err != nil {
		t.Fatal(err)
	}
	if err := r.db.Disputes.UpsertCommittee(r.ctx, &guanjia.Committee{Code: "tj-zs", Name: "中山街道人民调解委员会",
		Level: guanjia.LevelTown, Kind: guanjia.CommitteePeople}); err != nil {
		t.Fatal(err)
	}
	admin := r.signIn(a, "admin")

	got := send(a, "POST", "/api/v1/users", map[string]string{"username": "wang", "name": "王师傅", "role": "crew", "unit": "lh-hw",
		"grid": "lh01", "password": newcomerPassword}, bearer(admin))
	if got.status != http.StatusCreated || got.body["username"] != "wang" || got.body["role"] != "crew" || got.body["unit"] != "lh-hw" ||
		got.body["grid"] != "lh01" || got.body["name"] != "王师傅" || got.body["disabled"] != false {
		t.Fatalf("create a crew member: %d %s", got.status, got.raw)
	}
	if strings.Contains(got.raw, "$2") || strings.Contains(strings.ToLower(got.raw), "password") {
		t.Errorf("the answer shows the password or its hash: %s", got.raw)
	}
	id := int64(got.body["id"].(float64))

	// The new account signs in with its password and opens its page.
	in := login(a, "wang", newcomerPassword)
	tok, _ := in.body["token"].(string)
	if in.status != http.StatusOK || in.body["role"] != "crew" || tok == "" {
		t.Fatalf("the new account signs in: %d %s", in.status, in.raw)
	}
	if page := send(a, "GET", "/crew", nil, cookie(tok)); page.status != http.StatusOK || !strings.Contains(page.raw, "王师傅") {
		t.Errorf("the new account's page: %d", page.status)
	}

	trail := send(a, "GET", path("/api/v1/users/audit?user=%d", id), nil, bearer(admin))
	lines, _ := trail.body["audit"].([]any)
	if len(lines) != 1 {
		t.Fatalf("audit of the new account: %s", trail.raw)
	}
	line := lines[0].(map[string]any)
	if line["event"] != "create" || line["actor"] != "admin" || line["actor_id"] != float64(r.ids["admin"]) || line["to"] != "crew" {
		t.Errorf("audit line %v, want create by admin", line)
	}

	// A mediator's unit is their mediation committee; a grid manager needs a grid.
	for _, body := range []map[string]string{
		{"username": "li", "role": "mediator", "unit": "tj-zs", "password": newcomerPassword},
		{"username": "chen", "role": "grid_manager", "grid": "lh01", "password": newcomerPassword},
		{"username": "zhao", "role": "agent", "password": newcomerPassword},
	} {
		if got := send(a, "POST", "/api/v1/users", body, bearer(admin)); got.status != http.StatusCreated {
			t.Errorf("create %s: %d %s", body["role"], got.status, got.raw)
		}
	}

	// The list says how many accounts there are beyond its page.
	all := send(a, "GET", "/api/v1/users?per_page=200", nil, bearer(admin))
	onePage := send(a, "GET", "/api/v1/users?per_page=2&page=2", nil, bearer(admin))
	if users, _ := all.body["users"].([]any); onePage.body["total"] != float64(len(users)) || len(onePage.body["users"].([]any)) != 2 {
		t.Errorf("page 2 of 2 a page: total %v of %d accounts: %s", onePage.body["total"], len(users), onePage.raw)
	}

	// An account moved to mediation takes a committee as its unit, as a new one does.
	if got := send(a, "PUT", path("/api/v1/users/%d/role", r.ids["agent"]), map[string]string{"role": "mediator", "unit": "tj-zs"},
		bearer(admin)); got.status != http.StatusOK || got.body["unit"] != "tj-zs" {
		t.Errorf("move an agent to a mediation committee: %d %s", got.status, got.raw)
	}

	if got := send(a, "POST", "/api/v1/users", map[string]string{"username": "wang", "role": "agent", "password": newcomerPassword},
		bearer(admin)); got.status != http.StatusConflict || got.code() != guanjia.ECONFLICT {
		t.Errorf("a taken username: %d %s", got.status, got.raw)
	}
	if in := login(a, "wang", newcomerPassword); in.status != http.StatusOK || in.body["role"] != "crew" {
		t.Errorf("the first wang after the refused second: %d %s", in.status, in.raw)
	}
}

// A mistake in any field is a 400 naming it, in Chinese, and creates nothing.
func TestUserCreateRefusesBadInput(t *testing.T) {
	r := newSessionRig(t)
	a := r.replica(api.Config{})
	admin := r.signIn(a, "admin")
	count := func() (users, audit int) {
		t.Helper()
		u := send(a, "GET", "/api/v1/users?per_page=200", nil, bearer(admin))
		l := send(a, "GET", "/api/v1/users/audit?limit=200", nil, bearer(admin))
		us, _ := u.body["users"].([]any)
		ls, _ := l.body["audit"].([]any)
		if u.status != http.StatusOK || l.status != http.StatusOK {
			t.Fatalf("count: %d %d", u.status, l.status)
		}
		return len(us), len(ls)
	}
	users, audit := count()
	han := regexp.MustCompile(`\p{Han}`)
	ok := func(more map[string]string) map[string]string {
		body := map[string]string{"username": "newcomer", "name": "新同事", "role": "agent", "password": newcomerPassword}
		for k, v := range more {
			body[k] = v
		}
		return body
	}
	for _, c := range []struct {
		name  string
		body  map[string]string
		field string
		zh    string // the message, when the test pins it
	}{
		{"no username", ok(map[string]string{"username": ""}), "username", "请填写用户名"},
		{"a username too long", ok(map[string]string{"username": strings.Repeat("u", guanjia.MaxUsername+1)}), "username", ""},
		{"a name too long", ok(map[string]string{"name": strings.Repeat("名", guanjia.MaxName+1)}), "name", ""},
		{"an unknown role", ok(map[string]string{"role": "mayor"}), "role", `未知角色 "mayor"`},
		{"a citizen", ok(map[string]string{"role": "citizen"}), "role", "市民通过微信登录，此处只能新建工作人员账号"},
		{"a crew member without a unit", ok(map[string]string{"role": "crew"}), "unit", "处置人员须指定所属单位"},
		{"an unknown unit", ok(map[string]string{"role": "crew", "unit": "nowhere"}), "unit", "单位 nowhere 不存在"},
		{"a mediator in a unit, not a committee", ok(map[string]string{"role": "mediator", "unit": "lh-hw"}), "unit", "单位 lh-hw 不存在"},
		{"a grid manager without a grid", ok(map[string]string{"role": "grid_manager"}), "grid_id", ""},
		{"an unknown grid", ok(map[string]string{"role": "crew", "unit": "lh-hw", "grid": "nowhere"}), "grid", "网格 nowhere 不存在"},
		{"a short password", ok(map[string]string{"password": "short"}), "password", "密码至少 8 位"},
		{"a password of two lines", ok(map[string]string{"password": "first-line\nsecond"}), "password", ""},
	} {
		got := send(a, "POST", "/api/v1/users", c.body, bearer(admin))
		e, _ := got.body["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if got.status != http.StatusBadRequest || e["field"] != c.field || !han.MatchString(msg) || (c.zh != "" && msg != c.zh) {
			t.Errorf("%s: %d %s, want 400 on %s (%s)", c.name, got.status, got.raw, c.field, c.zh)
		}
	}
	if u, l := count(); u != users || l != audit {
		t.Errorf("refused creations changed the accounts: %d users and %d audit lines, were %d and %d", u, l, users, audit)
	}
	if in := login(a, "newcomer", newcomerPassword); in.status != http.StatusUnauthorized {
		t.Errorf("a refused account signs in: %d", in.status)
	}
}

// Only administrators create accounts.
func TestUserCreateIsForAdministrators(t *testing.T) {
	r := newSessionRig(t)
	a := r.replica(api.Config{})
	body := map[string]string{"username": "newcomer", "role": "admin", "password": newcomerPassword}
	for _, who := range []string{"dispatcher", "agent", "crew"} {
		if got := send(a, "POST", "/api/v1/users", body, bearer(r.signIn(a, who))); got.status != http.StatusForbidden {
			t.Errorf("%s creates an account: %d %s", who, got.status, got.raw)
		}
	}
	if got := send(a, "POST", "/api/v1/users", body); got.status != http.StatusUnauthorized {
		t.Errorf("anonymous creates an account: %d", got.status)
	}
	if _, err := r.db.Users.FindUserByUsername(r.ctx, "newcomer"); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("a refused caller created the account: %v", err)
	}
}

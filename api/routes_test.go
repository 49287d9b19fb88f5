package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
	"guanjia/api"
	"guanjia/approval"
	"guanjia/credit"
	"guanjia/internal/testenv"
	"guanjia/law"
	"guanjia/live"
	"guanjia/mediation"
	"guanjia/open311"
	"guanjia/poi"
	"guanjia/volunteer"
	"guanjia/weather"
)

// fullReplica serves every route of the table: every service and every
// optional handler configured.
func (r *consoleRig) fullReplica() *api.Server {
	stub := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, name) })
	}
	vol := volunteer.NewService(r.db.Volunteers, &testenv.VolunteerTimers{}, guanjia.NoContentCheck{},
		volunteer.ClockFunc(func() time.Time { return time.Now().UTC() }), consoleSecret)
	vol.Log = r.svc.Log
	cr := credit.NewService(r.db.Credit, nil, nil, nil)
	cr.Log = r.svc.Log
	return api.New(api.Config{Secret: consoleSecret, AdminQueuesUI: stub("asynqmon"), WeChatCallback: stub("callback"),
		FakeWeChat: stub("fake wechat"), FakeSMS: stub("fake sms")},
		api.Deps{Users: r.db.Users, Catalog: r.db.Catalog, Notifications: r.db.Notifications, Idempotency: r.db.Idempotency, Dispatch: r.svc,
			Volunteer: vol, Credit: cr, Notices: r.db.Notices, Inbox: r.db.Notifications, Open311: open311.NewService(r.db.Open311, r.db.Catalog, r.svc, "", nil), Deliveries: r.db.Notifications, Live: live.New(r.rdb, r.svc.Log),
			POI:       poi.NewService(r.db.POIs, r.db.Catalog, time.Now),
			Approvals: approval.NewService(r.db.Approvals, r.db.Catalog, nil, nil, r.svc.Log), ApprovalPushSecret: pushSecret, Laws: law.NewService(r.db.Laws, nil),
			Mediation: mediation.NewService(r.db.Disputes, nil, nil, nil),
			Weather:   weather.NewService(r.db.Weather, r.db.Catalog, nil),
			Ready:     func(context.Context) error { return nil }, Registry: prometheus.NewRegistry(), Log: r.svc.Log, Now: func() time.Time { return time.Now().UTC() }})
}

// TestRouteTableCoversEveryRoute: echo serves nothing the route table does
// not declare (a route added outside the table has no access declaration),
// and the full server serves every line of the table.
func TestRouteTableCoversEveryRoute(t *testing.T) {
	srv := newConsoleRig(t).fullReplica()
	declared := map[string]bool{}
	for _, rt := range srv.DeclaredRoutes() {
		if rt.Skipped {
			t.Errorf("%s %s is not served by the full server: the matrix cannot test it", rt.Method, rt.Path)
		}
		declared[rt.Method+" "+rt.Path] = true
	}
	for _, reg := range srv.RegisteredRoutes() {
		method, path, _ := strings.Cut(reg, " ")
		if !declared[reg] && !declared[api.AnyMethod+" "+path] {
			t.Errorf("%s %s is served but not in the route table: declare who may call it there", method, path)
		}
	}
}

// TestRoleMatrix calls every route of the table as anonymous and as every
// role, with nonsense ids and an empty body, and checks the route guard:
// anonymous is refused (401, or the login page) on every non-public route, a
// role the route does not list is refused by the guard (403, or its own start
// page), a listed role passes the guard (what the handler then says about
// ownership or the nonsense ids is its business).
func TestRoleMatrix(t *testing.T) {
	r := newConsoleRig(t)
	r.addUser(&guanjia.User{Username: "dept", Role: guanjia.RoleDepartment, UnitCode: "lh-hw"})
	asRole := map[guanjia.Role]string{guanjia.RoleCitizen: "citizen", guanjia.RoleAgent: "agent",
		guanjia.RoleDispatcher: "dispatcher", guanjia.RoleCrew: "crew", guanjia.RoleUnitAdmin: "lead-hw",
		guanjia.RoleAdmin: "admin", guanjia.RoleDepartment: "dept",
		guanjia.RoleGridManager: "grid-g1", guanjia.RoleMediator: "mediator"}
	for _, role := range guanjia.Roles {
		if asRole[role] == "" {
			t.Fatalf("the matrix has no user of role %s: add one", role)
		}
	}
	srv := r.fullReplica()
	roles := append([]guanjia.Role{""}, guanjia.Roles...) // "" is anonymous

	for _, rt := range srv.DeclaredRoutes() {
		method := rt.Method
		if method == api.AnyMethod {
			method = http.MethodGet
		}
		path := nonsensePath(rt.Path)
		for _, role := range roles {
			name := string(role)
			if role == "" {
				name = "anonymous"
			}
			t.Run(fmt.Sprintf("%s %s as %s", rt.Method, rt.Path, name), func(t *testing.T) {
				tok := r.tokens[asRole[role]]
				if rt.Path == "/api/v1/auth/logout" && role != "" { // logging out ends the session: spend a session of its own
					var err error
					if tok, err = api.IssueToken(context.Background(), r.db.Users, consoleSecret, r.users[asRole[role]], time.Hour, time.Now()); err != nil {
						t.Fatal(err)
					}
				}
				status, guarded, location := callAs(srv, tok, method, path)
				listed := rt.Roles == nil || slices.Contains(rt.Roles, role)
				switch {
				case rt.Public: // the handler may still refuse (a wrong password, a bad signature)
					if guarded {
						t.Errorf("the guard refused %s on a public route: %d", name, status)
					}
				case role == "" && rt.Page:
					if status != http.StatusSeeOther || !strings.HasPrefix(location, "/console/login") {
						t.Errorf("anonymous on a page: %d %q, want 303 to the login page", status, location)
					}
				case role == "":
					if status != http.StatusUnauthorized {
						t.Errorf("anonymous: %d, want 401", status)
					}
				case !listed:
					if !guarded || (status != http.StatusForbidden && !(rt.Page && status == http.StatusSeeOther)) {
						t.Errorf("%s is not listed: %d (guard %v), want the guard's 403", name, status, guarded)
					}
				default:
					if guarded || status == http.StatusUnauthorized {
						t.Errorf("%s is listed: %d (guard %v), want past the guard", name, status, guarded)
					}
				}
			})
		}
	}
}

// nonsensePath fills a route's parameters with ids that name nothing.
func nonsensePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		switch {
		case s == "*" || strings.HasSuffix(s, "*"):
			parts[i] = strings.TrimSuffix(s, "*") + "x"
		case s == ":action":
			parts[i] = "nonsense"
		case strings.HasPrefix(s, ":"):
			parts[i] = "987654"
		}
	}
	return strings.Join(parts, "/")
}

// callAs sends method path with an empty JSON object as the holder of tok
// ("" = anonymous) and reports the status, whether the route guard refused,
// and where a redirect points. Streams (the live queue) are cut short.
func callAs(h http.Handler, tok, method, path string) (int, bool, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	if path == "/api/v1/live" {
		ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
	}
	defer cancel()
	var body io.Reader
	if method != http.MethodGet {
		body = strings.NewReader("{}")
	}
	req := httptest.NewRequest(method, path, body).WithContext(ctx)
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
		req.AddCookie(&http.Cookie{Name: "guanjia_token", Value: tok}) // what the console pages read
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get(api.GuardHeader) != "", rec.Header().Get("Location")
}

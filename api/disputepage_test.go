package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"guanjia"
)

// TestDisputePages: mediators and the desk open the 大调解 pages, each role
// lands on its own start page, and a grid manager's /crew is the patrol page.
func TestDisputePages(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.replica()
	page := func(user, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: "guanjia_token", Value: r.tokens[user]})
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	tests := []struct {
		user, path string
		status     int
		location   string
		contains   string
	}{
		{"dispatcher", "/console/disputes", http.StatusOK, "", `id="dispute-table"`},
		{"agent", "/console/disputes", http.StatusOK, "", `id="dispute-table"`},
		{"mediator", "/console/disputes", http.StatusOK, "", "调解员"},
		{"mediator", "/console/disputes/12", http.StatusOK, "", `data-order-id="12"`},
		{"admin", "/console/disputes/12", http.StatusOK, "", "/api/v1/disputes/12/agreement.pdf"},
		{"dispatcher", "/console/disputes/x1", http.StatusNotFound, "", ""},
		// Everyone else's pages send a mediator to the dispute queue, and back.
		{"mediator", "/console/queue", http.StatusSeeOther, "/console/disputes", ""},
		{"mediator", "/console/dashboard", http.StatusSeeOther, "/console/disputes", ""},
		{"mediator", "/crew", http.StatusSeeOther, "/console/disputes", ""},
		{"lead-hw", "/console/disputes", http.StatusSeeOther, "/console/queue", ""},
		{"crew", "/console/disputes/12", http.StatusSeeOther, "/crew", ""},
		// A grid manager's start page is /crew, where they report from patrol.
		{"grid-g1", "/console/queue", http.StatusSeeOther, "/crew", ""},
		{"grid-g1", "/console/disputes", http.StatusSeeOther, "/crew", ""},
		{"grid-g1", "/crew", http.StatusOK, "", `id="patrol-form"`},
		{"crew", "/crew", http.StatusOK, "", `id="tasks"`},
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
	// A crew member's page has no patrol form; the nav shows 矛盾纠纷 to those who may open it.
	if body := page("crew", "/crew").Body.String(); strings.Contains(body, "patrol-form") {
		t.Error("a crew member gets the grid manager's patrol form")
	}
	if body := page("lead-hw", "/console/queue").Body.String(); strings.Contains(body, `href="/console/disputes"`) {
		t.Error("a unit admin's nav links to the dispute queue they may not open")
	}
	if body := page("dispatcher", "/console/queue").Body.String(); !strings.Contains(body, `href="/console/disputes"`) {
		t.Error("a dispatcher's nav lacks the dispute queue")
	}
	if body := page("mediator", "/console/disputes").Body.String(); strings.Contains(body, `>实时队列</a>`) || strings.Contains(body, `href="/console/new"`) {
		t.Error("a mediator's nav links to the 12345 pages they may not open")
	}
	// The 大调解 figures only for the dashboard's roles the figures answer.
	if body := page("dispatcher", "/console/dashboard").Body.String(); !strings.Contains(body, `id="dispute-stats"`) {
		t.Error("a dispatcher's dashboard lacks the 大调解 card")
	}
	if body := page("agent", "/console/dashboard").Body.String(); strings.Contains(body, `id="dispute-stats"`) {
		t.Error("an agent's dashboard shows the 大调解 card the API refuses them")
	}
}

// TestGridManagerPatrolComplaint: a grid manager's 城市管理问题 is a patrol
// complaint routed like any other; their list holds their own reports only,
// which they open and follow live as its reporter.
func TestGridManagerPatrolComplaint(t *testing.T) {
	r := newConsoleRig(t)
	ts := httptest.NewServer(r.replica())
	t.Cleanup(ts.Close)
	srv := ts.Config.Handler
	other := r.fileComplaint(srv, "0101", siteLat, siteLng)
	stream := r.follow(ts.URL, "grid-g1")
	code, out := r.call(srv, "grid-g1", "POST", "/api/v1/complaints", map[string]any{"category": "1101",
		"description": "巡查发现路口垃圾堆积", "lat": siteLat, "lng": siteLng, "coord_system": "wgs84", "source": "hotline"})
	if code != http.StatusCreated {
		t.Fatalf("grid manager files a patrol complaint: %d %v", code, out)
	}
	if out["source"] != "patrol" || out["unit"] != "lh-hw" {
		t.Errorf("grid manager's complaint: source %v unit %v, want patrol to lh-hw", out["source"], out["unit"])
	}
	mine := out["id"].(float64)
	if ev := nextLive(t, "grid-g1", stream); ev.name != "complaint" || ev.data["id"] != mine {
		t.Errorf("the grid manager's live feed first brought %s %v, want their report #%v", ev.name, ev.data, mine)
	}
	code, out = r.call(srv, "grid-g1", "GET", "/api/v1/complaints", nil)
	if code != http.StatusOK {
		t.Fatalf("grid manager lists complaints: %d %v", code, out)
	}
	list, _ := out["complaints"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != mine {
		t.Errorf("grid manager's list: %v, want only #%v (not #%d)", list, mine, other)
	}
	// They follow their own report as its reporter, and nobody else's.
	code, out = r.call(srv, "grid-g1", "GET", fmt.Sprintf("/api/v1/complaints/%v", mine), nil)
	if events, _ := out["events"].([]any); code != http.StatusOK || len(events) == 0 || out["description"] != "巡查发现路口垃圾堆积" {
		t.Errorf("grid manager opens their own report: %d %v", code, out)
	}
	if code, _ := r.call(srv, "grid-g1", "GET", fmt.Sprintf("/api/v1/complaints/%d", other), nil); code != http.StatusNotFound {
		t.Errorf("grid manager opens someone else's report: %d, want 404", code)
	}
	// Bad input is refused with nothing filed.
	code, out = r.call(srv, "grid-g1", "POST", "/api/v1/complaints", map[string]any{"category": "9999",
		"description": "x", "lat": siteLat, "lng": siteLng})
	if code != http.StatusBadRequest || errorField(out) != "category" {
		t.Errorf("unknown category: %d %v, want 400 on category", code, out)
	}
	if _, out = r.call(srv, "grid-g1", "GET", "/api/v1/complaints", nil); out["total"] != float64(1) {
		t.Errorf("after a refused report the grid manager has %v complaints, want 1", out["total"])
	}
}

// TestDisputePagesForDepartments: a department doing 行政调解 is committee
// staff in the workflow, so it opens the queue and the case page too.
func TestDisputePagesForDepartments(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.replica()
	r.addUser(&guanjia.User{Username: "dept-lh", Role: guanjia.RoleDepartment, UnitCode: "xz-lh", Name: "区住建局"})
	tok := r.tokens["dept-lh"]
	for path, want := range map[string]string{"/console/disputes": `id="dispute-table"`, "/console/disputes/12": `data-order-id="12"`} {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: "guanjia_token", Value: tok})
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("a department opens %s: %d, want 200 with %q", path, rec.Code, want)
		}
	}
}

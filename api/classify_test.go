package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
	"guanjia/api"
	"guanjia/classify"
	"guanjia/dispatch"
)

// TestCategorySuggestions: who may ask, what a bad request gets, and that
// the suggester learns from an edited category and from a closed complaint
// (under the category it was finally handled in).
func TestCategorySuggestions(t *testing.T) {
	ctx := context.Background()
	r := newConsoleRig(t)
	sugg := classify.NewService(classify.Stores{Catalogue: r.db.Catalog, Orders: r.db.Complaints})
	srv := api.New(api.Config{Secret: consoleSecret}, api.Deps{Users: r.db.Users, Catalog: r.db.Catalog,
		Notifications: r.db.Notifications, Idempotency: r.db.Idempotency, Dispatch: r.svc, Classify: sugg,
		Registry: prometheus.NewRegistry(), Log: r.svc.Log, Now: func() time.Time { return time.Now().UTC() }})
	const path = "/api/v1/categories/suggest"
	first := func(user, text string) (string, []any) {
		t.Helper()
		code, out := r.call(srv, user, "POST", path, map[string]any{"description": text})
		if code != http.StatusOK {
			t.Fatalf("suggest as %s: %d %v", user, code, out)
		}
		list := out["suggestions"].([]any)
		return list[0].(map[string]any)["code"].(string), list
	}

	if code, _ := r.call(srv, "", "POST", path, map[string]any{"description": "井盖丢了"}); code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", code)
	}
	if code, _ := r.call(srv, "crew", "POST", path, map[string]any{"description": "井盖丢了"}); code != http.StatusForbidden {
		t.Errorf("crew: %d, want 403", code)
	}
	for _, body := range []any{map[string]any{}, map[string]any{"description": "  "}, map[string]any{"description": 7}} {
		if code, out := r.call(srv, "agent", "POST", path, body); code != http.StatusBadRequest {
			t.Errorf("body %v: %d %v, want 400", body, code, out)
		}
	}

	// An administrator adds a third category with examples: the catalogue
	// keeps them and the next suggestion already knows them.
	code, out := r.call(srv, "admin", "PUT", "/api/v1/categories/0102", map[string]any{"code": "0102", "name": "路灯不亮",
		"kind": "部件", "major": "公用设施", "department": guanjia.DeptMunicipal, "accept_within_s": 300, "arrive_within_s": 1800,
		"resolve_within_s": 7200, "examples": []string{"晚上路灯不亮", "灯杆上的灯坏了"}})
	if code != http.StatusOK || len(out["examples"].([]any)) != 2 {
		t.Fatalf("edit category: %d %v", code, out)
	}
	_, out = r.call(srv, "agent", "GET", "/api/v1/categories", nil)
	kept := 0
	for _, c := range out["categories"].([]any) {
		if c := c.(map[string]any); c["code"] == "0102" {
			kept = len(c["examples"].([]any))
		}
	}
	if kept != 2 {
		t.Errorf("the catalogue keeps %d examples of 0102, want 2: %v", kept, out)
	}
	got, list := first("citizen", "晚上小区门口那盏路灯坏了")
	if got != "0102" || len(list) != 3 {
		t.Fatalf("suggestions %v, want 0102 first of three", list)
	}
	for _, s := range list {
		s := s.(map[string]any)
		if s["code"] == "" || s["name"] == "" || s["score"].(float64) < 0 || s["score"].(float64) > 1 {
			t.Errorf("suggestion %v", s)
		}
	}

	// A complaint filed as 暴露垃圾 and 改派 to 路灯不亮 before it closed
	// teaches its words to 路灯不亮 once the model is retrained.
	const text = "三轮车挡在巷子口卖椰子"
	before, _ := first("agent", text)
	if before == "0102" {
		t.Fatal("the catalogue alone already suggests 0102")
	}
	code, out = r.call(srv, "agent", "POST", "/api/v1/complaints", map[string]any{"category": "1101",
		"description": text, "lat": siteLat, "lng": siteLng, "address": "龙华路", "caller_phone": "13812345678"})
	if code != http.StatusCreated {
		t.Fatalf("file complaint: %d %v", code, out)
	}
	c, err := r.db.Complaints.FindComplaint(ctx, int64(out["id"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	if err := sugg.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := first("agent", text); got != before {
		t.Fatalf("an open complaint taught the model: %s → %s", before, got)
	}
	c.Category, c.Status = "0102", guanjia.StatusClosed
	if err := r.db.Complaints.SaveComplaint(ctx, &dispatch.Change{Complaint: c}); err != nil {
		t.Fatal(err)
	}
	if err := sugg.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := first("agent", text); got != "0102" {
		t.Errorf("after retraining on the closed complaint: %s, want 0102", got)
	}
}

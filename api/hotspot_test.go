package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestHotspotsOverTheAPI(t *testing.T) {
	r := newConsoleRig(t)
	r.svc.Hotspots = r.db.Hotspots
	srv := r.messagesReplica()
	for i := 0; i < 6; i++ {
		r.fileComplaint(srv, "1101", siteLat, siteLng+float64(i)*0.0002)
	}
	for run := 0; run < 2; run++ {
		if err := r.svc.RefreshHotspots(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	code, out := r.call(srv, "lead-hw", "GET", "/api/v1/hotspots", nil)
	if code != http.StatusOK {
		t.Fatalf("list: %d %v", code, out)
	}
	list := out["hotspots"].([]any)
	if len(list) != 1 {
		t.Fatalf("hotspots = %v", list)
	}
	h := list[0].(map[string]any)
	if h["category"] != "1101" || h["grid"] != "g1" || h["count"] != float64(6) || h["window"] != "1h" || len(h["orders"].([]any)) != 6 {
		t.Errorf("hotspot = %v", h)
	}
	_, inbox := r.call(srv, "lead-hw", "GET", "/api/v1/inbox", nil)
	n := 0
	for _, m := range inbox["messages"].([]any) {
		if m := m.(map[string]any); m["template"] == "hotspot" {
			n++
			if !strings.Contains(m["text"].(string), "热点诉求") {
				t.Errorf("inbox text %q", m["text"])
			}
		}
	}
	if n != 1 {
		t.Errorf("the unit leader has %d hotspot messages, want 1: %v", n, inbox)
	}

	path := fmt.Sprintf("/api/v1/hotspots/%v/patrol", h["id"])
	if code, _ := r.call(srv, "lead-hw", "POST", path, nil); code != http.StatusForbidden {
		t.Errorf("unit leader opens a patrol: %d", code)
	}
	code, p := r.call(srv, "dispatcher", "POST", path, map[string]any{"description": "市场门口垃圾反复堆放，安排巡查"})
	if code != http.StatusCreated || p["source"] != "patrol" || p["status"] != "dispatched" || p["unit"] != "lh-hw" {
		t.Fatalf("patrol: %d %v", code, p)
	}
	if code, _ := r.call(srv, "dispatcher", "POST", path, nil); code != http.StatusConflict {
		t.Errorf("second patrol: %d, want 409", code)
	}
	_, out = r.call(srv, "dispatcher", "GET", "/api/v1/hotspots", nil)
	if got := out["hotspots"].([]any)[0].(map[string]any)["patrol_complaint_id"]; got != p["id"] {
		t.Errorf("patrol_complaint_id = %v, want %v", got, p["id"])
	}

	const th = "/api/v1/hotspots/thresholds/1101"
	if code, out := r.call(srv, "admin", "PUT", th, map[string]any{"min_count": 1, "min_rise": 3, "radius_m": 150}); code != http.StatusBadRequest || errorField(out) != "min_count" {
		t.Errorf("min_count 1: %d %v", code, out)
	}
	if code, out := r.call(srv, "admin", "PUT", th, map[string]any{"min_count": 8, "min_rise": 2, "radius_m": 200}); code != http.StatusOK || out["min_count"] != float64(8) {
		t.Errorf("set threshold: %d %v", code, out)
	}
	if code, _ := r.call(srv, "admin", "PUT", "/api/v1/hotspots/thresholds/9999", map[string]any{"min_count": 8, "min_rise": 2, "radius_m": 200}); code != http.StatusNotFound {
		t.Errorf("unknown category: %d", code)
	}
}

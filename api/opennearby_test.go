package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"guanjia/geo"
)

// A citizen about to report learns whether the problem is already open
// nearby, and nothing about the report that is.
func TestComplaintOpenNearby(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.replica()
	r.fileComplaint(srv, "1101", siteLat, siteLng)

	north := func(m float64) (float64, float64) { return siteLat + m/111195, siteLng }
	check := func(user, category string, lat, lng float64, sys string) (int, map[string]any) {
		return r.call(srv, user, "GET", fmt.Sprintf("/api/v1/complaints/open-nearby?category=%s&lat=%v&lng=%v&coord_system=%s", category, lat, lng, sys), nil)
	}
	tests := []struct {
		name      string
		metres    float64
		category  string
		wantOpen  bool
		wantMerge bool
	}{
		{"30 m away: filing would join it", 30, "1101", true, true},
		{"120 m away: open nearby, filed separately", 120, "1101", true, false},
		{"400 m away: nothing nearby", 400, "1101", false, false},
		{"another category", 30, "0101", false, false},
	}
	for _, tt := range tests {
		lat, lng := north(tt.metres)
		code, out := check("citizen", tt.category, lat, lng, "wgs84")
		if code != http.StatusOK {
			t.Fatalf("%s: %d %v", tt.name, code, out)
		}
		if out["open_nearby"] != tt.wantOpen || out["will_merge"] != tt.wantMerge {
			t.Errorf("%s: open_nearby %v will_merge %v, want %v %v", tt.name, out["open_nearby"], out["will_merge"], tt.wantOpen, tt.wantMerge)
		}
		for _, k := range []string{"complaints", "id", "distance_m", "description", "address"} {
			if _, ok := out[k]; ok {
				t.Errorf("%s: the answer tells %q about another person's report", tt.name, k)
			}
		}
	}

	glat, glng := geo.WGS84ToGCJ02(siteLat, siteLng) // as wx.getLocation({type:'gcj02'}) gives it
	if code, out := check("citizen", "1101", glat, glng, "gcj02"); code != http.StatusOK || out["will_merge"] != true {
		t.Errorf("GCJ-02 position: %d %v", code, out)
	}
	// Bad coordinates are said in Chinese, naming the field to fix.
	for _, bad := range badPositions {
		code, out := r.call(srv, "citizen", "GET", "/api/v1/complaints/open-nearby?"+bad.query, nil)
		e, _ := out["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if code != http.StatusBadRequest || errorField(out) != bad.field || (bad.message != "" && msg != bad.message) {
			t.Errorf("?%s: %d %v, want 400 on %s %q", bad.query, code, out, bad.field, bad.message)
		}
	}
}

// The crew called a report done (已处置) but the rubbish is still there: a
// citizen about to report it again is not told it is being worked on, and
// their report is dispatched anew.
func TestOpenNearbyDoesNotDiscourageReportingAResolvedProblem(t *testing.T) {
	r := newConsoleRig(t)
	r.addCitizen("neighbour")
	h := r.replica()
	code, out := r.call(h, "citizen", "POST", "/api/v1/complaints", map[string]any{"category": "1101",
		"description": "路口有一堆垃圾", "lat": siteLat, "lng": siteLng})
	if code != http.StatusCreated {
		t.Fatalf("file: %d %v", code, out)
	}
	path := fmt.Sprintf("/api/v1/complaints/%d", int64(out["id"].(float64)))
	q := fmt.Sprintf("/api/v1/complaints/open-nearby?category=1101&lat=%v&lng=%v&coord_system=wgs84", siteLat+0.0001, siteLng)
	if _, near := r.call(h, "neighbour", "GET", q, nil); near["open_nearby"] != true {
		t.Fatalf("while it is worked on: %v", near)
	}
	for _, step := range []struct {
		action string
		body   map[string]any
	}{{"accept", map[string]any{}}, {"arrive", map[string]any{"lat": siteLat, "lng": siteLng}}, {"resolve", map[string]any{"note": "已清理"}}} {
		if code, out := r.call(h, "crew", "POST", path+"/"+step.action, step.body); code != http.StatusOK {
			t.Fatalf("%s: %d %v", step.action, code, out)
		}
	}
	code, near := r.call(h, "neighbour", "GET", q, nil)
	if code != http.StatusOK || near["open_nearby"] != false || near["will_merge"] != false {
		t.Errorf("open-nearby of a resolved report: %d %v, want neither open nor merging", code, near)
	}
	code, filed := r.call(h, "neighbour", "POST", "/api/v1/complaints", map[string]any{"category": "1101",
		"description": "垃圾还在", "lat": siteLat + 0.0001, "lng": siteLng})
	if code != http.StatusCreated || filed["status"] != "dispatched" {
		t.Errorf("the report again: %d %v, want dispatched on its own", code, filed)
	}
}

package api_test

import (
	"fmt"
	"math"
	"net/http"
	"testing"

	"guanjia/geo"
)

func TestComplaintNearby(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.replica()
	id := r.fileComplaint(srv, "1101", siteLat, siteLng)

	// Points north of the site; 0.0001° of latitude is about 11.1 m.
	north := func(m float64) (float64, float64) { return siteLat + m/111195, siteLng }
	find := func(user, category string, lat, lng float64, sys string) (int, map[string]any) {
		return r.call(srv, user, "GET", fmt.Sprintf("/api/v1/complaints/nearby?category=%s&lat=%v&lng=%v&coord_system=%s", category, lat, lng, sys), nil)
	}
	tests := []struct {
		name      string
		metres    float64
		category  string
		wantFound bool
		wantMerge bool
	}{
		{"30 m away: filing would merge", 30, "1101", true, true},
		{"120 m away: nearby, but filed separately", 120, "1101", true, false},
		{"400 m away: beyond the search", 400, "1101", false, false},
		{"another category", 30, "0101", false, false},
	}
	for _, tt := range tests {
		lat, lng := north(tt.metres)
		code, out := find("agent", tt.category, lat, lng, "wgs84")
		if code != http.StatusOK {
			t.Fatalf("%s: %d %v", tt.name, code, out)
		}
		list := out["complaints"].([]any)
		if !tt.wantFound {
			if len(list) != 0 {
				t.Errorf("%s: found %v", tt.name, list)
			}
			continue
		}
		if len(list) != 1 {
			t.Fatalf("%s: found %d complaints, want #%d", tt.name, len(list), id)
		}
		c := list[0].(map[string]any)
		if c["id"] != float64(id) || c["will_merge"] != tt.wantMerge || math.Abs(c["distance_m"].(float64)-tt.metres) > 1 {
			t.Errorf("%s: got #%v at %v m, will_merge %v", tt.name, c["id"], c["distance_m"], c["will_merge"])
		}
		if _, ok := c["caller_phone"]; ok {
			t.Errorf("%s: the nearby list shows the caller's phone", tt.name)
		}
	}

	// A phone's GCJ-02 position of the same spot finds it as well.
	glat, glng := geo.WGS84ToGCJ02(siteLat, siteLng)
	if code, out := find("dispatcher", "1101", glat, glng, "gcj02"); code != http.StatusOK || len(out["complaints"].([]any)) != 1 {
		t.Errorf("GCJ-02 search: %d %v", code, out)
	}

	// Bad coordinates are said in Chinese, naming the field to fix.
	for _, bad := range badPositions {
		code, out := r.call(srv, "agent", "GET", "/api/v1/complaints/nearby?"+bad.query, nil)
		e, _ := out["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if code != http.StatusBadRequest || errorField(out) != bad.field || (bad.message != "" && msg != bad.message) {
			t.Errorf("?%s: %d %v, want 400 on %s %q", bad.query, code, out, bad.field, bad.message)
		}
	}
	for _, user := range []string{"citizen", "crew", "lead-hw"} {
		if code, _ := find(user, "1101", siteLat, siteLng, "wgs84"); code != http.StatusForbidden {
			t.Errorf("%s searches complaints by place: %d, want 403", user, code)
		}
	}
}

// badPositions are queries of the nearby searches with something wrong, the
// field the 400 names, and its message when the test holds it to one.
var badPositions = []struct{ query, field, message string }{
	{"category=1101&lng=110.3", "lat", ""},
	{"category=1101&lat=north&lng=110.3", "lat", ""},
	{"category=1101&lat=20&lng=NaN", "lng", ""},
	{"lat=20&lng=110.3", "category", ""},
	{"category=9999&lat=20&lng=110.3", "category", ""},
	{"category=1101&lat=20&lng=110.3&coord_system=bd09", "coord_system", "coord_system 须为 wgs84 或 gcj02"},
	{"category=1101&lat=200&lng=110.3&coord_system=bd09", "coord_system", "coord_system 须为 wgs84 或 gcj02"},
	{"category=1101&lat=91&lng=110.3", "lat", notOnEarth},
	{"category=1101&lat=20&lng=-181&coord_system=gcj02", "lng", notOnEarth},
}

const notOnEarth = "经纬度无效：纬度须在 ±90 之间，经度须在 ±180 之间"

package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
	"guanjia/api"
	"guanjia/geo"
	"guanjia/live"
	"guanjia/weather"
)

// weatherServer serves 台风 / 气象 / 积水 over the rig's database (grid g1 at
// 110.30–110.31, 20.00–20.01); alerts are saved, their fan-out not queued.
func (r *consoleRig) weatherServer() *api.Server {
	svc := weather.NewService(r.db.Weather, r.db.Catalog, func() time.Time { return time.Now().UTC() })
	svc.Log = r.svc.Log
	return api.New(api.Config{Secret: consoleSecret}, api.Deps{Users: r.db.Users, Catalog: r.db.Catalog, Notifications: r.db.Notifications,
		Idempotency: r.db.Idempotency, Dispatch: r.svc, Live: live.New(r.rdb, r.svc.Log), Weather: svc,
		Registry: prometheus.NewRegistry(), Log: r.svc.Log, Now: func() time.Time { return time.Now().UTC() }})
}

func (r *consoleRig) uploadTrack(h http.Handler, user, format, data string) (int, map[string]any) {
	r.t.Helper()
	return r.postFile(h, user, "/api/v1/typhoons/imports", "track."+format, data, map[string]string{"format": format})
}

func TestWeatherTyphoonImportAndPublicTrack(t *testing.T) {
	r := newConsoleRig(t)
	r.addPOIDepartment() // "dept": the department account the meteorological staff use
	srv := r.weatherServer()
	csv := weather.CSVHeader + "\n" +
		"2411,摩羯,YAGI,observed,2024-09-06 08:00,19.6,111.7,915,65,,\n" +
		"2411,摩羯,YAGI,observed,2024-09-06 16:20,19.95,110.95,915,62,,\n" +
		"2411,摩羯,YAGI,forecast,2024-09-07 16:20,21.0,107.8,950,45,,\n"
	for _, user := range []string{"", "citizen", "agent", "crew"} {
		if code, _ := r.uploadTrack(srv, user, "csv", csv); code != http.StatusUnauthorized && code != http.StatusForbidden {
			t.Errorf("%q imports a track: %d", user, code)
		}
	}
	bad := weather.CSVHeader + "\n2411,摩羯,YAGI,observed,2024-09-06 08:00,north,111.7,915,65,,\n"
	if code, out := r.uploadTrack(srv, "dept", "csv", bad); code != http.StatusBadRequest || errorField(out) != "file" {
		t.Fatalf("bad file: %d %v", code, out)
	}
	// A mistyped year (2925 for 2025) would keep the storm 活跃 at the top of the list for ever.
	future := strings.ReplaceAll(csv, "2024-09-0", "2925-09-0")
	if code, out := r.uploadTrack(srv, "dept", "csv", future); code != http.StatusBadRequest || errorField(out) != "file" {
		t.Fatalf("a track observed in the future: %d %v", code, out)
	}
	if code, out := r.uploadTrack(srv, "dept", "xml", csv); code != http.StatusBadRequest || errorField(out) != "format" {
		t.Fatalf("bad format: %d %v", code, out)
	}
	if code, out := r.call(srv, "", "GET", "/api/v1/typhoons", nil); code != http.StatusOK || len(out["typhoons"].([]any)) != 0 {
		t.Fatalf("refused imports stored something: %d %v", code, out)
	}
	code, out := r.uploadTrack(srv, "dept", "csv", csv)
	if code != http.StatusCreated {
		t.Fatalf("import: %d %v", code, out)
	}
	id := strconv.FormatInt(int64(out["id"].(float64)), 10)
	// Anyone, signed in or not, sees the track and the cone.
	code, out = r.call(srv, "", "GET", "/api/v1/typhoons/"+id, nil)
	if code != http.StatusOK || out["name_zh"] != "摩羯" || len(out["observed"].([]any)) != 2 || len(out["forecast"].([]any)) != 1 {
		t.Fatalf("public typhoon: %d %v", code, out)
	}
	last := out["observed"].([]any)[1].(map[string]any)
	if last["intensity"] != "SuperTY" || last["pressure_hpa"] != 915.0 {
		t.Errorf("landfall position: %v", last)
	}
	if cone, _ := out["cone"].(map[string]any); cone["type"] != "MultiPolygon" {
		t.Errorf("cone: %v", out["cone"])
	}
	if code, _ := r.call(srv, "", "GET", "/api/v1/typhoons/99999", nil); code != http.StatusNotFound {
		t.Errorf("missing typhoon: %d", code)
	}
}

func TestWeatherWaterloggingPushAndPublicMap(t *testing.T) {
	r := newConsoleRig(t)
	r.addPOIDepartment() // "dept" stands for the sensor system's account
	srv := r.weatherServer()
	point := map[string]any{"name": "龙昆南路海秀路口", "address": "龙华区龙昆南路", "lat": 20.026, "lng": 110.3305,
		"video_url": "https://camera.haikou.example/live/1.m3u8"}
	if code, out := r.call(srv, "admin", "PUT", "/api/v1/waterlogging/points/HK-WL-001", point); code != http.StatusOK {
		t.Fatalf("save point: %d %v", code, out)
	}
	for name, edit := range map[string]func(map[string]any){
		"javascript link": func(m map[string]any) { m["video_url"] = "javascript:alert(1)" },
		"outside Haikou":  func(m map[string]any) { m["lat"], m["lng"] = 39.9, 116.4 },
		"no name":         func(m map[string]any) { m["name"] = "" },
	} {
		body := map[string]any{}
		for k, v := range point {
			body[k] = v
		}
		edit(body)
		if code, out := r.call(srv, "admin", "PUT", "/api/v1/waterlogging/points/HK-WL-002", body); code != http.StatusBadRequest {
			t.Errorf("%s: %d %v", name, code, out)
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	push := func(user string, readings ...map[string]any) (int, map[string]any) {
		return r.call(srv, user, "POST", "/api/v1/waterlogging/readings", map[string]any{"readings": readings})
	}
	reading := func(code string, cm float64, at time.Time) map[string]any {
		return map[string]any{"point": code, "depth_cm": cm, "measured_at": at.Format(time.RFC3339)}
	}
	for _, user := range []string{"", "citizen", "dispatcher", "crew"} {
		if code, _ := push(user, reading("HK-WL-001", 30, now)); code != http.StatusUnauthorized && code != http.StatusForbidden {
			t.Errorf("%q pushes readings: %d", user, code)
		}
	}
	if code, out := push("dept", reading("HK-WL-001", 18, now.Add(-10*time.Minute)), reading("HK-WL-001", 34, now)); code != http.StatusOK || out["added"] != 2.0 {
		t.Fatalf("push: %d %v", code, out)
	}
	for name, body := range map[string][]map[string]any{
		"unknown point":  {reading("HK-WL-001", 60, now.Add(time.Minute)), reading("HK-WL-404", 5, now)},
		"negative depth": {reading("HK-WL-001", -3, now)},
		"future":         {reading("HK-WL-001", 60, now.Add(time.Hour))},
		"bad time":       {{"point": "HK-WL-001", "depth_cm": 60, "measured_at": "刚才"}},
		"none":           {},
	} {
		if code, out := push("dept", body...); code != http.StatusBadRequest || errorField(out) != "readings" {
			t.Errorf("%s: %d %v", name, code, out)
		}
	}
	// A crew-reported 道路积水 shows on the map next to the sensors.
	if err := r.db.Catalog.UpsertCategory(context.Background(), &guanjia.Category{Code: "1301", Name: "道路积水", Kind: "事件", Major: "突发事件",
		Department: guanjia.DeptMunicipal, PointToPoint: true, AcceptWithin: 5 * time.Minute, ArriveWithin: 30 * time.Minute,
		ResolveWithin: 4 * time.Hour, ResolveMode: guanjia.NaturalTime}); err != nil {
		t.Fatal(err)
	}
	reported := r.fileComplaint(srv, "1301", siteLat+0.00037, siteLng+0.00041) // 41 m and 43 m off the site
	code, out := r.call(srv, "", "GET", "/api/v1/waterlogging", nil)
	if code != http.StatusOK {
		t.Fatalf("public map: %d %v", code, out)
	}
	points := out["points"].([]any)
	if len(points) != 1 {
		t.Fatalf("points: %v", points)
	}
	p := points[0].(map[string]any)
	if p["depth_cm"] != 34.0 || p["band"] != "severe" || p["video_url"] != point["video_url"] || p["stale"] != nil {
		t.Errorf("point: %v, want 34 cm (the refused pushes stored nothing), severe, with its camera", p)
	}
	reports := out["reports"].([]any)
	if len(reports) != 1 || reports[0].(map[string]any)["complaint_id"] != float64(reported) {
		t.Errorf("open 1301 reports: %v", reports)
	}
	rep := reports[0].(map[string]any)
	if _, leaks := rep["description"]; leaks {
		t.Error("the public map shows the reporter's words")
	}
	// Where, to about 110 m (as Open311 shows reports), and not the reporter's own words of the place.
	if _, leaks := rep["address"]; leaks || rep["lat"] != siteLat || rep["lng"] != siteLng {
		t.Errorf("the public map places the report at %v, %v (address %v), want %v, %v and no address", rep["lat"], rep["lng"], rep["address"], siteLat, siteLng)
	}
}

func TestWeatherAlertsAndPlaces(t *testing.T) {
	r := newConsoleRig(t)
	r.addCitizen("citizen-b")
	srv := r.weatherServer()
	now := time.Now().UTC().Truncate(time.Second)
	// The citizen saves 家 from wx.getLocation (GCJ-02) inside grid g1, and 单位 far away.
	gLat, gLng := geo.WGS84ToGCJ02(siteLat, siteLng)
	code, out := r.call(srv, "citizen", "POST", "/api/v1/me/places", map[string]any{"name": "家", "lat": gLat, "lng": gLng, "coord_system": "gcj02"})
	if code != http.StatusCreated {
		t.Fatalf("save place: %d %v", code, out)
	}
	if d := geo.Distance(out["lat"].(float64), out["lng"].(float64), siteLat, siteLng); d > 1 {
		t.Errorf("the place is stored %.1f m from where it is: GCJ-02 not converted", d)
	}
	home := int64(out["id"].(float64))
	if code, _ := r.call(srv, "citizen", "POST", "/api/v1/me/places", map[string]any{"name": "单位", "lat": 19.968, "lng": 110.505}); code != http.StatusCreated {
		t.Fatalf("second place: %d", code)
	}
	for name, body := range map[string]map[string]any{
		"same name":      {"name": "家", "lat": 20.0, "lng": 110.3},
		"unknown datum":  {"name": "学校", "lat": 20.0, "lng": 110.3, "coord_system": "bd09"},
		"outside Haikou": {"name": "学校", "lat": 39.9, "lng": 116.4},
		"no name":        {"name": "", "lat": 20.0, "lng": 110.3},
	} {
		if code, out := r.call(srv, "citizen", "POST", "/api/v1/me/places", body); code < 400 || code >= 500 || out["error"] == nil {
			t.Errorf("%s: %d %v", name, code, out)
		}
	}
	if code, out := r.call(srv, "citizen", "GET", "/api/v1/me/places", nil); code != http.StatusOK || len(out["places"].([]any)) != 2 {
		t.Fatalf("my places: %d %v", code, out)
	}
	if code, _ := r.call(srv, "citizen-b", "DELETE", "/api/v1/me/places/"+strconv.FormatInt(home, 10), nil); code != http.StatusNotFound {
		t.Errorf("another citizen deletes my place: %d", code)
	}

	alert := map[string]any{"kind": "rainstorm", "level": "orange", "title": "暴雨橙色预警", "body": "减少外出，避开下穿通道",
		"grids": []string{"g1"}, "valid_until": now.Add(6 * time.Hour).Format(time.RFC3339)}
	for _, user := range []string{"", "citizen", "agent", "crew"} {
		if code, _ := r.call(srv, user, "POST", "/api/v1/alerts", alert); code != http.StatusUnauthorized && code != http.StatusForbidden {
			t.Errorf("%q publishes an alert: %d", user, code)
		}
	}
	for name, c := range map[string]struct {
		field string
		edit  func(map[string]any)
	}{
		"unknown grid": {"grids", func(m map[string]any) { m["grids"] = []string{"g404"} }},
		"no area":      {"area", func(m map[string]any) { delete(m, "grids") }},
		"both areas": {"area", func(m map[string]any) {
			m["area"] = json.RawMessage(`{"type":"Polygon","coordinates":[[[110.3,20],[110.4,20],[110.4,20.1]]]}`)
		}},
		"bad polygon": {"area", func(m map[string]any) {
			delete(m, "grids")
			m["area"] = map[string]any{"type": "Point", "coordinates": []float64{110.3, 20}}
		}},
		"unknown level": {"level", func(m map[string]any) { m["level"] = "purple" }},
		"year 10000":    {"valid_until", func(m map[string]any) { m["valid_until"] = "9999-12-31T23:00:00-08:00" }},
		"too long":      {"valid_until", func(m map[string]any) { m["valid_until"] = now.Add(30 * 24 * time.Hour).Format(time.RFC3339) }},
		"already expired": {"valid_until", func(m map[string]any) {
			m["valid_from"], m["valid_until"] = now.Add(-2*time.Hour).Format(time.RFC3339), now.Add(-time.Hour).Format(time.RFC3339)
		}},
	} {
		body := map[string]any{}
		for k, v := range alert {
			body[k] = v
		}
		c.edit(body)
		if code, out := r.call(srv, "dispatcher", "POST", "/api/v1/alerts", body); code != http.StatusBadRequest || errorField(out) != c.field {
			t.Errorf("%s: %d %v, want 400 on %s", name, code, out, c.field)
		}
	}
	if all, _ := r.db.Weather.ListAlerts(context.Background(), nil, 10); len(all) != 0 {
		t.Fatalf("refused alerts were stored: %d", len(all))
	}
	code, out = r.call(srv, "dispatcher", "POST", "/api/v1/alerts", alert)
	if code != http.StatusCreated || out["current"] != true || out["level_name"] != "橙色" {
		t.Fatalf("publish: %d %v", code, out)
	}
	id := strconv.FormatInt(int64(out["id"].(float64)), 10)
	if area, _ := out["area"].(map[string]any); area["type"] != "MultiPolygon" {
		t.Errorf("a grid alert's area is drawn from the grid: %v", out["area"])
	}
	if code, out := r.call(srv, "", "GET", "/api/v1/alerts", nil); code != http.StatusOK || len(out["alerts"].([]any)) != 1 {
		t.Errorf("public alerts: %d %v", code, out)
	}
	code, out = r.call(srv, "citizen", "GET", "/api/v1/me/alerts", nil)
	if code != http.StatusOK || len(out["alerts"].([]any)) != 1 {
		t.Fatalf("my alerts: %d %v", code, out)
	}
	if places := out["alerts"].([]any)[0].(map[string]any)["places"].([]any); len(places) != 1 || places[0] != "家" {
		t.Errorf("the alert covers %v, want 家 only", places)
	}
	if code, out := r.call(srv, "citizen-b", "GET", "/api/v1/me/alerts", nil); code != http.StatusOK || len(out["alerts"].([]any)) != 0 {
		t.Errorf("a citizen without places: %d %v", code, out)
	}
	if code, _ := r.call(srv, "agent", "POST", "/api/v1/alerts/"+id+"/withdraw", nil); code != http.StatusForbidden {
		t.Errorf("agent withdraws: %d", code)
	}
	if code, out := r.call(srv, "admin", "POST", "/api/v1/alerts/"+id+"/withdraw", nil); code != http.StatusOK || out["current"] != false {
		t.Fatalf("withdraw: %d %v", code, out)
	}
	if code, _ := r.call(srv, "admin", "POST", "/api/v1/alerts/"+id+"/withdraw", nil); code != http.StatusConflict {
		t.Errorf("withdraw twice: %d", code)
	}
	if code, out := r.call(srv, "", "GET", "/api/v1/alerts", nil); code != http.StatusOK || len(out["alerts"].([]any)) != 0 {
		t.Errorf("a withdrawn alert is public: %v", out)
	}
	if code, _ := r.call(srv, "citizen", "DELETE", "/api/v1/me/places/"+strconv.FormatInt(home, 10), nil); code != http.StatusNoContent {
		t.Errorf("delete my place: %d", code)
	}
}

package api_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
	"guanjia/api"
	"guanjia/geo"
	"guanjia/live"
	"guanjia/poi"
)

// poiServer serves the 生活圈 over the rig's database (grid g1 at 110.30–110.31, 20.00–20.01).
func (r *consoleRig) poiServer() *api.Server {
	return api.New(api.Config{Secret: consoleSecret}, api.Deps{Users: r.db.Users, Catalog: r.db.Catalog, Notifications: r.db.Notifications,
		Idempotency: r.db.Idempotency, Dispatch: r.svc, Live: live.New(r.rdb, r.svc.Log), POI: poi.NewService(r.db.POIs, r.db.Catalog, time.Now),
		Registry: prometheus.NewRegistry(), Log: r.svc.Log, Now: func() time.Time { return time.Now().UTC() }})
}

// addPOIDepartment adds "dept", a department's staff member.
func (r *consoleRig) addPOIDepartment() {
	r.t.Helper()
	r.addUser(&guanjia.User{Username: "dept", Role: guanjia.RoleDepartment, UnitCode: "lh-hw"})
}

func coord(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// uploadPOIs posts a file to /api/v1/poi/imports as user.
func (r *consoleRig) uploadPOIs(h http.Handler, user, filename, coordSystem, data string) (int, map[string]any) {
	r.t.Helper()
	fields := map[string]string{}
	if coordSystem != "" {
		fields["coord_system"] = coordSystem
	}
	return r.postFile(h, user, "/api/v1/poi/imports", filename, data, fields)
}

// postFile posts data as multipart field "file" (named filename), with the
// other form fields, to path as user ("" = nobody), and decodes the answer.
func (r *consoleRig) postFile(h http.Handler, user, path, filename, data string, fields map[string]string) (int, map[string]any) {
	r.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write([]byte(data))
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+r.tokens[user])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func TestPOIImportAndNearby(t *testing.T) {
	r := newConsoleRig(t)
	r.addPOIDepartment()
	srv := r.poiServer()
	// GCJ-02, as a file exported from 高德 would be: 100 m and 2 km north of siteLat.
	gLat, gLng := geo.WGS84ToGCJ02(siteLat+0.0009, siteLng)
	fLat, fLng := geo.WGS84ToGCJ02(siteLat+0.018, siteLng)
	good := "name,kind,lat,lng,address,phone,hours\n" +
		"中山便民服务站,便民服务站," + coord(gLat) + "," + coord(gLng) + ",龙华路1号,0898-66661234,8:30-17:30\n" +
		"远处菜市场,market," + coord(fLat) + "," + coord(fLng) + ",,,\n"

	// Who may import: administrators and departments; nobody else.
	for user, want := range map[string]int{"": http.StatusUnauthorized, "citizen": http.StatusForbidden,
		"dispatcher": http.StatusForbidden, "agent": http.StatusForbidden, "crew": http.StatusForbidden} {
		if code, _ := r.uploadPOIs(srv, user, "lh.csv", "gcj02", good); code != want {
			t.Errorf("%q imports: %d, want %d", user, code, want)
		}
	}
	nearby := func() map[string]any {
		t.Helper()
		code, out := r.call(srv, "", "GET", "/api/v1/poi/nearby?lat="+coord(siteLat)+"&lng="+coord(siteLng)+"&coord_system=wgs84", nil)
		if code != http.StatusOK {
			t.Fatalf("nearby: %d %v", code, out)
		}
		return out
	}
	if missing := nearby()["missing"].([]any); len(missing) != 14 {
		t.Fatalf("before any import %d kinds missing, want all 14", len(missing))
	}

	// A bad row: 422 with each bad row's line and a Chinese reason; nothing stored.
	bad := good + "反了的公厕,toilet,110.305,20.005,,,\n" + "游乐场,游乐场,20.005,110.305,,,\n"
	code, out := r.uploadPOIs(srv, "dept", "lh.csv", "gcj02", bad)
	errs, _ := out["errors"].([]any)
	if code != http.StatusUnprocessableEntity || len(errs) != 2 {
		t.Fatalf("bad file: %d %v, want 422 with 2 row errors", code, out)
	}
	first := errs[0].(map[string]any)
	if first["line"] != 4.0 || first["column"] != "lat" || first["reason"] != "坐标 (110.305, 20.005) 不在海口市范围内，是否把纬度和经度填反了？" {
		t.Fatalf("row error %v", first)
	}
	if e := out["error"].(map[string]any); e["message"] != "文件有 2 处错误，未导入任何数据" {
		t.Fatalf("error %v", e)
	}
	if missing := nearby()["missing"].([]any); len(missing) != 14 {
		t.Fatal("a refused file stored places")
	}
	// No coordinate system declared: a plain 400, in Chinese.
	if code, out := r.uploadPOIs(srv, "admin", "lh.csv", "", good); code != http.StatusBadRequest || errorField(out) != "coord_system" ||
		out["error"].(map[string]any)["message"] != "请声明文件使用的坐标系：wgs84 或 gcj02" {
		t.Fatalf("no coord_system: %d %v", code, out)
	}

	code, out = r.uploadPOIs(srv, "dept", "lh.csv", "gcj02", good)
	if code != http.StatusCreated || out["places"] != 2.0 || out["source"] != "lh" || out["coord_system"] != "gcj02" {
		t.Fatalf("import: %d %v", code, out)
	}
	n := nearby()
	station := n["kinds"].([]any)[0].(map[string]any)
	places := station["places"].([]any)
	if station["code"] != "service_station" || len(places) != 1 {
		t.Fatalf("service stations: %v", station)
	}
	p := places[0].(map[string]any)
	// 100.1 m straight (0.0009° of latitude), 130 m walked, 2 minutes; stored in WGS-84.
	if p["name"] != "中山便民服务站" || p["straight_m"] != 100.0 || p["walk_m"] != 130.0 || p["minutes"] != 2.0 || p["lat"].(float64)-(siteLat+0.0009) > 1e-6 {
		t.Fatalf("place %v", p)
	}
	var missing []string
	for _, k := range n["missing"].([]any) {
		missing = append(missing, k.(map[string]any)["code"].(string))
	}
	if len(missing) != 13 || missing[2] != "market" { // the market is 2 km away
		t.Fatalf("missing %v, want all but service_station, market among them", missing)
	}
	// Asked in GCJ-02, the places come back in GCJ-02.
	cLat, cLng := geo.WGS84ToGCJ02(siteLat, siteLng)
	_, g := r.call(srv, "", "GET", "/api/v1/poi/nearby?lat="+coord(cLat)+"&lng="+coord(cLng)+"&coord_system=gcj02", nil)
	gp := g["kinds"].([]any)[0].(map[string]any)["places"].([]any)[0].(map[string]any)
	if d := geo.Distance(gp["lat"].(float64), gp["lng"].(float64), gLat, gLng); d > 0.5 {
		t.Fatalf("GCJ-02 answer is %.1f m off the file's GCJ-02 point", d)
	}

	// Bad queries: 400 in Chinese, nothing else.
	for _, q := range []string{"lat=abc&lng=110.3&coord_system=wgs84", "lat=20&lng=110.3&coord_system=bd09", "lat=20&lng=110.3",
		"lat=39.9&lng=116.4&coord_system=wgs84"} {
		if code, out := r.call(srv, "", "GET", "/api/v1/poi/nearby?"+q, nil); code != http.StatusBadRequest || out["error"] == nil {
			t.Errorf("%s: %d %v, want 400", q, code, out)
		}
	}

	// The gaps of grid g1; dispatchers see them, citizens do not.
	if code, _ := r.call(srv, "citizen", "GET", "/api/v1/poi/gaps", nil); code != http.StatusForbidden {
		t.Fatalf("citizen gaps: %d", code)
	}
	code, out = r.call(srv, "dispatcher", "GET", "/api/v1/poi/gaps", nil)
	grids := out["grids"].([]any)
	if code != http.StatusOK || len(grids) != 1 {
		t.Fatalf("gaps: %d %v", code, out)
	}
	g1 := grids[0].(map[string]any)
	// The 1 km grid's 16 sample points are all within 830 m of the station.
	if g1["grid"] != "g1" || g1["samples"] != 16.0 || len(g1["missing"].([]any)) != 13 || len(g1["partial"].([]any)) != 0 {
		t.Fatalf("g1 gaps %v, want 13 kinds missing and the service station reached everywhere", g1)
	}
	if code, out := r.call(srv, "admin", "GET", "/api/v1/poi/imports", nil); code != http.StatusOK || len(out["imports"].([]any)) != 1 {
		t.Fatalf("imports: %d %v", code, out)
	}

	// A source belongs to the department that created it: another
	// department may not replace it (403, the places stay); the creator
	// and administrators may.
	r.addUser(&guanjia.User{Username: "dept-other", Role: guanjia.RoleDepartment, UnitCode: "lh-sz"})
	empty := "name,kind,lat,lng\n远处菜市场,market," + coord(fLat) + "," + coord(fLng) + "\n"
	if code, out := r.uploadPOIs(srv, "dept-other", "lh.csv", "gcj02", empty); code != http.StatusForbidden || errorField(out) != "source" {
		t.Fatalf("another department replaced lh: %d %v", code, out)
	}
	if kinds := nearby()["kinds"].([]any); len(kinds) == 0 || kinds[0].(map[string]any)["code"] != "service_station" {
		t.Fatalf("a refused replacement removed lh's places: %v", kinds)
	}
	if code, out := r.uploadPOIs(srv, "dept-other", "lh-sz.csv", "gcj02", empty); code != http.StatusCreated {
		t.Fatalf("a department's own new source: %d %v", code, out)
	}
	for _, user := range []string{"admin", "dept"} {
		if code, out := r.uploadPOIs(srv, user, "lh.csv", "gcj02", good); code != http.StatusCreated || out["replaced"] != 2.0 {
			t.Fatalf("%s replaces lh: %d %v", user, code, out)
		}
	}
}

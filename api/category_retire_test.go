package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// catalogueEntry answers category code as GET /api/v1/categories has it, or nil.
func (r *consoleRig) catalogueEntry(h http.Handler, user, code string) map[string]any {
	r.t.Helper()
	status, out := r.call(h, user, "GET", "/api/v1/categories", nil)
	if status != http.StatusOK {
		r.t.Fatalf("GET categories: %d %v", status, out)
	}
	for _, v := range out["categories"].([]any) {
		if c := v.(map[string]any); c["code"] == code {
			return c
		}
	}
	return nil
}

// An administrator retires 暴露垃圾 through the versioned PUT. It is offered
// for no new complaint — filing it is refused on "category" in Chinese, Open311
// lists it no more and refuses it, 智能分类 suggests it no more — while the
// complaints filed before keep it: the catalogue still lists it (marked),
// the complaint, the list filtered by it and Open311's requests name it.
// Brought back, it is offered again.
func TestRetiredCategoryOverTheAPI(t *testing.T) {
	r := newConsoleRig(t)
	h := r.fullReplica()
	key := r.open311Key(h)
	before := r.fileComplaint(h, "1101", siteLat, siteLng)
	via311 := r.file311(h, key, "1101", siteLat, siteLng+0.003)

	entry := r.catalogueEntry(h, "agent", "1101")
	if entry["retired"] != false {
		t.Fatalf("a category starts offered: %v", entry)
	}
	read := entry["updated_at"]
	status, out := r.call(h, "admin", "PUT", "/api/v1/categories/1101", map[string]any{"code": "1101", "retired": true, "updated_at": read})
	if status != http.StatusOK || out["retired"] != true || out["name"] != "暴露垃圾" || out["arrive_within_s"] != float64(1800) {
		t.Fatalf("retire: %d %v", status, out)
	}
	if status, out := r.call(h, "admin", "PUT", "/api/v1/categories/1101", map[string]any{"code": "1101", "retired": false, "updated_at": read}); status != http.StatusConflict || errorField(out) != "version" {
		t.Errorf("bring it back from the older read: %d %v", status, out)
	}
	if got := r.catalogueEntry(h, "citizen", "1101"); got == nil || got["retired"] != true {
		t.Errorf("the catalogue after retiring: %v, want 1101 listed, retired", got)
	}

	for _, user := range []string{"citizen", "agent", "grid-g1"} {
		status, out := r.call(h, user, "POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": "路边有垃圾",
			"lat": siteLat, "lng": siteLng + 0.006, "coord_system": "wgs84", "caller_phone": "13800000000"})
		if status != http.StatusBadRequest || errorField(out) != "category" || !strings.Contains(errorMessage(out), "已停用") {
			t.Errorf("%s files under the retired category: %d %v", user, status, out)
		}
	}
	status, body := open311Call(h, "POST", "requests.json", url.Values{"api_key": {key}, "service_code": {"1101"},
		"lat": {fmt.Sprint(siteLat)}, "long": {fmt.Sprint(siteLng)}, "description": {"路口有一堆垃圾"}})
	if status != http.StatusBadRequest || !strings.Contains(string(body), "已停用") {
		t.Errorf("Open311 files under the retired service: %d %s", status, body)
	}
	var services []struct {
		Code string `json:"service_code"`
	}
	r.open311Get(h, "services.json", &services)
	if len(services) != 1 || services[0].Code != "0101" {
		t.Errorf("Open311 services: %+v, want 0101 alone", services)
	}
	status, out = r.call(h, "citizen", "POST", "/api/v1/categories/suggest", map[string]any{"description": "路边有一堆暴露垃圾没人清理"})
	if status != http.StatusOK || strings.Contains(fmt.Sprint(out["suggestions"]), "1101") {
		t.Errorf("智能分类 after retiring: %d %v", status, out)
	}

	// What was filed keeps its category.
	if status, out := r.call(h, "agent", "GET", fmt.Sprintf("/api/v1/complaints/%d", before), nil); status != http.StatusOK || out["category"] != "1101" {
		t.Errorf("the complaint filed before: %d %v", status, out)
	}
	status, out = r.call(h, "dispatcher", "GET", "/api/v1/complaints?category=1101", nil)
	if status != http.StatusOK || out["total"] != float64(2) {
		t.Errorf("the list filtered by the retired category: %d %v", status, out)
	}
	var rs []o311Request
	r.open311Get(h, "requests.json?service_code=1101", &rs)
	if len(rs) != 2 || rs[0].ServiceRequestID != via311 || rs[0].ServiceCode != "1101" || rs[1].ServiceRequestID != fmt.Sprint(before) {
		t.Errorf("Open311's requests filed before: %+v", rs)
	}

	status, out = r.call(h, "admin", "PUT", "/api/v1/categories/1101", map[string]any{"code": "1101", "retired": false, "updated_at": r.catalogueEntry(h, "admin", "1101")["updated_at"]})
	if status != http.StatusOK || out["retired"] != false {
		t.Fatalf("bring it back: %d %v", status, out)
	}
	if got := r.fileComplaint(h, "1101", siteLat, siteLng+0.006); got == 0 {
		t.Error("brought back, the category takes no report")
	}
	r.open311Get(h, "services.json", &services)
	if len(services) != 2 {
		t.Errorf("Open311 services after it came back: %+v", services)
	}
}

// A new category's code goes into URLs: only [0-9A-Za-z_-], 1 to 32 of
// them, refused on "code" in Chinese otherwise. A category that is not
// point-to-point needs no on-site deadline; a point-to-point one does.
func TestCategoryCodesAndArrivalOverTheAPI(t *testing.T) {
	r := newConsoleRig(t)
	h := r.replica()
	body := func(code string, p2p bool, arrive int) map[string]any {
		return map[string]any{"code": code, "name": "楼道堆物", "kind": "事件", "major": "市容环境", "department": "环卫",
			"point_to_point": p2p, "accept_within_s": 300, "arrive_within_s": arrive, "resolve_within_s": 7200}
	}
	for _, code := range []string{"11 04", "井盖01", "1104.1", strings.Repeat("1", 33)} {
		status, out := r.call(h, "admin", "PUT", "/api/v1/categories/"+url.PathEscape(code), body(code, false, 0))
		if status != http.StatusBadRequest || errorField(out) != "code" || !strings.Contains(errorMessage(out), "分类编码") {
			t.Errorf("new code %q: %d %v", code, status, out)
		}
	}
	status, out := r.call(h, "admin", "PUT", "/api/v1/categories/1104", body("1104", false, 0))
	if status != http.StatusOK || out["arrive_within_s"] != float64(0) || out["retired"] != false {
		t.Errorf("a unit-level category without an on-site deadline: %d %v", status, out)
	}
	status, out = r.call(h, "admin", "PUT", "/api/v1/categories/1105", body("1105", true, 0))
	if status != http.StatusBadRequest || errorField(out) != "arrive_within_s" || errorMessage(out) != "须大于 0" {
		t.Errorf("a point-to-point category without an on-site deadline: %d %v", status, out)
	}
	status, out = r.call(h, "admin", "PUT", "/api/v1/categories/1104", map[string]any{"code": "1104", "arrive_within_s": -60})
	if status != http.StatusBadRequest || errorField(out) != "arrive_within_s" || errorMessage(out) != "不能为负数" {
		t.Errorf("a negative on-site deadline: %d %v", status, out)
	}
}

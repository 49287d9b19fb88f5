package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
	"guanjia/api"
	"guanjia/live"
	"guanjia/mediation"
)

// disputeServer serves the 大调解 API over the rig's database and Redis (its
// live feed too), with the district committee of the rig's grid g1 and the
// city's traffic committee.
func (r *consoleRig) disputeServer() *api.Server {
	r.t.Helper()
	ctx := context.Background()
	for _, c := range []*guanjia.Committee{
		{Code: "tj-lh", Name: "龙华区人民调解委员会", Level: guanjia.LevelDistrict, Kind: guanjia.CommitteePeople, District: "龙华区"},
		{Code: "tj-jt", Name: "海口市交通事故纠纷人民调解委员会", Level: guanjia.LevelCity, Kind: guanjia.CommitteePeople, Types: []string{"traffic"}},
	} {
		if err := r.db.Disputes.UpsertCommittee(ctx, c); err != nil {
			r.t.Fatal(err)
		}
	}
	svc := mediation.NewService(r.db.Disputes, nil, r.svc.Router, nil)
	svc.Live = live.New(r.rdb, r.svc.Log)
	return api.New(api.Config{Secret: consoleSecret}, api.Deps{Users: r.db.Users, Catalog: r.db.Catalog, Notifications: r.db.Notifications,
		Idempotency: r.db.Idempotency, Dispatch: r.svc, Mediation: svc, Inbox: r.db.Notifications, Live: svc.Live.(*live.Live),
		Registry: prometheus.NewRegistry(), Log: r.svc.Log, Now: func() time.Time { return time.Now().UTC() }})
}

func disputeBody(source string) map[string]any {
	b := map[string]any{"type": "neighbour", "summary": "楼上装修噪音扰民", "description": "晚上十点后仍在施工", "address": "龙华区海垦路12号",
		"lat": siteLat, "lng": siteLng, "parties": []map[string]any{
			{"role": "applicant", "kind": "person", "name": "王海燕", "id_number": "11010519491231002X", "phone": "13876543210"},
			{"role": "respondent", "kind": "organisation", "name": "海口椰城装饰工程有限公司", "credit_code": "91350100M000100Y43"}}}
	if source != "" {
		b["source"] = source
	}
	return b
}

func TestDisputeIntakeFromEachSource(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.disputeServer()
	for _, c := range []struct{ user, source, want string }{
		{"citizen", "", "miniprogram"}, {"agent", "", "hotline"}, {"grid-g1", "", "patrol"},
		{"dispatcher", "court", "court"}, {"dispatcher", "police", "police"}, {"mediator", "hotline", "hotline"},
	} {
		code, out := r.call(srv, c.user, "POST", "/api/v1/disputes", disputeBody(c.source))
		if code != http.StatusCreated || out["source"] != c.want || out["grid_id"] != "g1" || out["status"] != "reported" || out["status_name"] != "待受理" {
			t.Errorf("%s files: %d %v", c.user, code, out)
			continue
		}
		if cm, _ := out["committee"].(map[string]any); cm["code"] != "tj-lh" || out["level"] != "district" {
			t.Errorf("%s's dispute goes to %v at %v, want the district committee", c.user, out["committee"], out["level"])
		}
		party := out["parties"].([]any)[0].(map[string]any)
		if party["id_number_masked"] != "1101**********002X" || party["phone_masked"] != "138****3210" || party["id_number"] != nil {
			t.Errorf("party shown as %v", party)
		}
	}
	for _, c := range []struct{ user, source, field string }{
		{"dispatcher", "", "source"},          // staff name the source
		{"citizen", "court", "source"},        // a citizen is the mini-program
		{"agent", "carrier pigeon", "source"}, // not a source at all
	} {
		if code, out := r.call(srv, c.user, "POST", "/api/v1/disputes", disputeBody(c.source)); code != http.StatusBadRequest || errorField(out) != c.field {
			t.Errorf("%s with source %q: %d %v", c.user, c.source, code, out)
		}
	}
	if code, _ := r.call(srv, "crew", "POST", "/api/v1/disputes", disputeBody("")); code != http.StatusForbidden {
		t.Errorf("a crew member files a dispute: %d", code)
	}
	code, out := r.call(srv, "citizen", "GET", "/api/v1/disputes", nil)
	if code != http.StatusOK || out["total"].(float64) != 1 {
		t.Fatalf("the citizen's list: %d %v", code, out)
	}
	if code, out := r.call(srv, "dispatcher", "GET", "/api/v1/disputes?committee=tj-lh&status=reported", nil); code != http.StatusOK || out["total"].(float64) != 6 {
		t.Fatalf("the desk's list: %d %v", code, out)
	}
	if code, out := r.call(srv, "grid-g1", "GET", "/api/v1/disputes", nil); code != http.StatusOK || out["total"].(float64) != 6 {
		t.Fatalf("the grid manager's list: %d %v", code, out)
	}
	traffic := disputeBody("")
	traffic["type"] = "traffic"
	if code, out := r.call(srv, "citizen", "POST", "/api/v1/disputes", traffic); code != http.StatusCreated || out["committee"].(map[string]any)["code"] != "tj-jt" {
		t.Fatalf("a traffic accident goes to the traffic committee: %d %v", code, out)
	}
}

func TestDisputeBadInputChangesNothing(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.disputeServer()
	bad := []struct {
		name, field string
		edit        func(map[string]any)
	}{
		{"unknown type", "type", func(m map[string]any) { m["type"] = "duel" }},
		{"no summary", "summary", func(m map[string]any) { m["summary"] = " " }},
		{"wrong ID check character", "id_number", func(m map[string]any) {
			m["parties"].([]map[string]any)[0]["id_number"] = "110105194912310021"
		}},
		{"wrong credit code", "credit_code", func(m map[string]any) {
			m["parties"].([]map[string]any)[1]["credit_code"] = "91350100M000100Y44"
		}},
		{"no respondent", "parties", func(m map[string]any) { m["parties"] = m["parties"].([]map[string]any)[:1] }},
		{"lat as text", "lat", func(m map[string]any) { m["lat"] = "二十" }},
		{"off the map", "lat", func(m map[string]any) { m["lat"] = 200.0 }},
	}
	for _, tt := range bad {
		body := disputeBody("")
		tt.edit(body)
		if code, out := r.call(srv, "citizen", "POST", "/api/v1/disputes", body); code != http.StatusBadRequest || errorField(out) != tt.field {
			t.Errorf("%s: %d %v, want 400 on %s", tt.name, code, out, tt.field)
		}
	}
	if code, out := r.call(srv, "dispatcher", "GET", "/api/v1/disputes", nil); code != http.StatusOK || out["total"].(float64) != 0 {
		t.Fatalf("refused intakes left disputes behind: %v", out)
	}
}

// TestDisputeFullPath walks a dispute from intake to closing, through the
// agreement PDF and 司法确认, as the people who do each step.
func TestDisputeFullPath(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.disputeServer()
	code, out := r.call(srv, "citizen", "POST", "/api/v1/disputes", disputeBody(""))
	if code != http.StatusCreated {
		t.Fatalf("intake: %d %v", code, out)
	}
	id := int64(out["id"].(float64))
	path := fmt.Sprintf("/api/v1/disputes/%d", id)
	mediatorID := r.users["mediator"].ID
	step := func(user, action string, body any, wantStatus string) map[string]any {
		t.Helper()
		code, out := r.call(srv, user, "POST", path+"/"+action, body)
		if code != http.StatusOK || out["status"] != wantStatus {
			t.Fatalf("%s %s: %d %v", user, action, code, out)
		}
		return out
	}
	code, inbox := r.call(srv, "mediator", "GET", "/api/v1/inbox", nil)
	if msgs, _ := inbox["messages"].([]any); code != http.StatusOK || len(msgs) != 1 ||
		!strings.HasPrefix(msgs[0].(map[string]any)["text"].(string), "新任务 "+out["number"].(string)+" 邻里纠纷") {
		t.Fatalf("the committee's inbox: %d %v", code, inbox)
	}
	step("mediator", "accept", nil, "accepted")
	step("mediator", "route", map[string]any{}, "routed")
	step("mediator", "assign", map[string]any{"mediators": []int64{mediatorID}}, "mediating")
	out = step("mediator", "schedule", map[string]any{"at": time.Now().Add(48 * time.Hour).Format(time.RFC3339), "place": "龙华区人民调解委员会调解室"}, "mediating")
	session := int64(out["sessions"].([]any)[0].(map[string]any)["id"].(float64))
	step("mediator", "record", map[string]any{"session": session, "record": "双方陈述，申请人要求停止夜间施工", "attended": "王海燕、公司代表"}, "mediating")
	out = step("mediator", "succeed", map[string]any{"terms": "一、被申请人每日 20 时后停止施工；\n二、被申请人赔偿申请人 800 元。"}, "succeeded")
	outcome := out["outcome"].(map[string]any)
	number, _ := outcome["agreement_number"].(string)
	if outcome["result"] != "success" || !strings.HasPrefix(number, "HK-XY-") {
		t.Fatalf("outcome %v", outcome)
	}

	req := httptest.NewRequest("GET", path+"/agreement.pdf", nil)
	req.Header.Set("Authorization", "Bearer "+r.tokens["citizen"])
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF-")) {
		t.Fatalf("agreement.pdf: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}

	step("mediator", "request_confirmation", map[string]any{"court": "海口市龙华区人民法院"}, "confirming")
	if code, out := r.call(srv, "mediator", "POST", path+"/close", nil); code != http.StatusConflict || !strings.Contains(out["error"].(map[string]any)["message"].(string), "司法确认中") {
		t.Fatalf("closing while the court decides: %d %v", code, out)
	}
	out = step("dispatcher", "confirm", map[string]any{"result": "confirmed", "note": "（2026）琼0106民特1号"}, "succeeded")
	if conf := out["confirmation"].(map[string]any); conf["status"] != "confirmed" || conf["court"] != "海口市龙华区人民法院" {
		t.Fatalf("confirmation %v", conf)
	}
	if code, _ := r.call(srv, "mediator", "POST", path+"/close", nil); code != http.StatusConflict {
		t.Fatalf("closing before the 回访: %d", code)
	}
	step("grid-g1", "follow_up", map[string]any{"kept": true, "note": "已停止夜间施工，赔偿已付"}, "succeeded")
	out = step("mediator", "close", nil, "closed")
	if len(out["events"].([]any)) != 11 || out["actions"] != nil {
		t.Fatalf("closed: %d events, actions %v", len(out["events"].([]any)), out["actions"])
	}

	// A closed case refuses more, in Chinese, and keeps its timeline.
	code, out = r.call(srv, "mediator", "POST", path+"/succeed", map[string]any{"terms": "x"})
	if msg, _ := out["error"].(map[string]any)["message"].(string); code != http.StatusConflict || msg != "纠纷当前为「已结案」，不能调解成功" {
		t.Fatalf("acting on a closed case: %d %v", code, out)
	}
	if _, out := r.call(srv, "dispatcher", "GET", path, nil); len(out["events"].([]any)) != 11 {
		t.Fatalf("a refused action wrote an event: %v", out["events"])
	}

	from := time.Now().Add(-time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") // a day, as the dashboard sends
	code, out = r.call(srv, "dispatcher", "GET", "/api/v1/disputes/stats?from="+from, nil)
	total, _ := out["total"].(map[string]any)
	if code != http.StatusOK || total["handled"] != 1.0 || total["succeeded"] != 1.0 || total["success_rate"] != 1.0 || total["pre_litigation"] != 1.0 {
		t.Fatalf("stats: %d %v", code, out)
	}
	if code, out := r.call(srv, "citizen", "GET", "/api/v1/disputes/types", nil); code != http.StatusOK || len(out["types"].([]any)) != len(mediation.Types) {
		t.Fatalf("types: %d %v", code, out)
	}
	if code, out := r.call(srv, "grid-g1", "GET", "/api/v1/mediation/committees", nil); code != http.StatusOK || len(out["committees"].([]any)) != 2 {
		t.Fatalf("committees: %d %v", code, out)
	}
}

// The assign form lists a committee's mediators: the desk sees any
// committee's, a mediator their own, nobody else; the disabled are gone.
func TestCommitteeMediators(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.disputeServer()
	ctx := context.Background()
	left := time.Now()
	gone := &guanjia.User{Username: "mediator-gone", Role: guanjia.RoleMediator, UnitCode: "tj-lh", Name: "已离职调解员", DisabledAt: &left}
	if err := r.db.Users.CreateUser(ctx, gone); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"dispatcher", "mediator"} {
		code, out := r.call(srv, user, "GET", "/api/v1/mediation/committees/tj-lh/mediators", nil)
		list, _ := out["mediators"].([]any)
		if code != http.StatusOK || len(list) != 1 || list[0].(map[string]any)["name"] != "调解员" ||
			list[0].(map[string]any)["id"] != float64(r.users["mediator"].ID) {
			t.Errorf("%s lists tj-lh's mediators: %d %v", user, code, out)
		}
	}
	for user, want := range map[string]int{"mediator": http.StatusForbidden, "citizen": http.StatusForbidden, "grid-g1": http.StatusForbidden} {
		if code, _ := r.call(srv, user, "GET", "/api/v1/mediation/committees/tj-jt/mediators", nil); code != want {
			t.Errorf("%s lists tj-jt's mediators: %d, want %d", user, code, want)
		}
	}
	if code, out := r.call(srv, "dispatcher", "GET", "/api/v1/mediation/committees/tj-xx/mediators", nil); code != http.StatusNotFound || out["error"] == nil {
		t.Errorf("an unknown committee: %d %v", code, out)
	}
}

package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
	"guanjia/api"
	"guanjia/approval"
	"guanjia/law"
)

const pushSecret = "approval-push-secret"

// approvalServer serves 行政审批查询 and 法律法规 over the rig's database and Redis.
func (r *consoleRig) approvalServer() *api.Server {
	return api.New(api.Config{Secret: consoleSecret}, api.Deps{Users: r.db.Users, Catalog: r.db.Catalog,
		Notifications: r.db.Notifications, Idempotency: r.db.Idempotency, Dispatch: r.svc, Redis: r.rdb,
		Approvals: approval.NewService(r.db.Approvals, r.db.Catalog, nil, nil, r.svc.Log), ApprovalPushSecret: pushSecret,
		Laws: law.NewService(r.db.Laws, nil), Registry: prometheus.NewRegistry(), Log: r.svc.Log})
}

type answer struct {
	code   int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(a.body, &out); err != nil {
		t.Fatalf("answer %d %q: %v", a.code, a.body, err)
	}
	return out
}

func serve(h http.Handler, req *http.Request) answer {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return answer{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// push sends body signed at ts (Unix seconds) with the secret given.
func push(h http.Handler, secret string, ts int64, body []byte) answer {
	req := httptest.NewRequest("POST", "/api/v1/approvals/push", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	stamp := strconv.FormatInt(ts, 10)
	req.Header.Set(approval.HeaderTimestamp, stamp)
	req.Header.Set(approval.HeaderSignature, approval.Sign(secret, stamp, body))
	return serve(h, req)
}

func lookup(h http.Handler, ip, number, tail string) answer {
	req := httptest.NewRequest("GET", "/api/v1/approvals/"+number+"?phone_tail="+tail, nil)
	req.RemoteAddr = ip + ":40000"
	return serve(h, req)
}

func pushBody(t *testing.T, records ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"records": records})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func record(number string, version int, status, phone string) map[string]any {
	return map[string]any{"number": number, "version": version, "matter": "食品经营许可", "department": "海口市行政审批服务局",
		"applicant": "王小明", "phone": phone, "status": status}
}

func TestApprovalPushLookupFollow(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.approvalServer()
	ctx := context.Background()
	now := time.Now().Unix()

	first := pushBody(t, record("HK-2026-0001", 1, "received", "13876541234"), record("HK-2026-0002", 1, "已受理", "13900005678"))
	if a := push(srv, pushSecret, now, first); a.code != http.StatusOK {
		t.Fatalf("push: %d %s", a.code, a.body)
	}
	// The same request again is a replay, refused; nothing is applied twice.
	if a := push(srv, pushSecret, now, first); a.code != http.StatusConflict {
		t.Errorf("replayed push: %d %s, want 409", a.code, a.body)
	}
	for name, a := range map[string]answer{
		"wrong secret":   push(srv, "guess", now, pushBody(t, record("HK-2026-0003", 1, "received", "13876541234"))),
		"expired":        push(srv, pushSecret, now-int64(approval.PushWindow.Seconds())-5, pushBody(t, record("HK-2026-0003", 1, "received", "13876541234"))),
		"bad record":     push(srv, pushSecret, now, pushBody(t, record("HK-2026-0003", 1, "received", "13876541234"), record("HK-2026-0004", 1, "received", "no phone"))),
		"unknown status": push(srv, pushSecret, now+1, pushBody(t, record("HK-2026-0003", 1, "approved", "13876541234"))),
		"not JSON":       push(srv, pushSecret, now+2, []byte(`{"records": [`)),
	} {
		want := http.StatusBadRequest
		if name == "wrong secret" || name == "expired" {
			want = http.StatusUnauthorized
		}
		if a.code != want || a.json(t)["error"] == nil {
			t.Errorf("%s: %d %s, want %d with a JSON error", name, a.code, a.body, want)
		}
	}
	if got, _ := r.db.Approvals.CurrentStates(ctx, []string{"HK-2026-0003", "HK-2026-0004"}); len(got) != 0 {
		t.Errorf("refused pushes wrote %v", got)
	}

	// Progress for the right pair; a wrong phone tail is exactly an unknown number.
	a := lookup(srv, "192.0.2.10", "HK-2026-0001", "1234")
	if out := a.json(t); a.code != http.StatusOK || out["label"] != "已受理" || out["applicant"] != "王*明" || len(out["timeline"].([]any)) != 1 {
		t.Fatalf("lookup: %d %s", a.code, a.body)
	}
	if bytes.Contains(a.body, []byte("13876541234")) {
		t.Error("the answer holds the phone number")
	}
	wrongTail := lookup(srv, "192.0.2.10", "HK-2026-0001", "4321")
	unknown := lookup(srv, "192.0.2.10", "HK-2099-0001", "1234")
	if wrongTail.code != http.StatusNotFound || wrongTail.code != unknown.code || !bytes.Equal(wrongTail.body, unknown.body) {
		t.Errorf("wrong tail %d %s; unknown number %d %s: want the same 404", wrongTail.code, wrongTail.body, unknown.code, unknown.body)
	}

	// A citizen follows with the pair and is told of the next change.
	code, out := r.call(srv, "citizen", "POST", "/api/v1/approvals/HK-2026-0001/follow", map[string]any{"phone_tail": "9999"})
	if code != http.StatusNotFound {
		t.Errorf("follow with a wrong tail: %d %v", code, out)
	}
	if code, out := r.call(srv, "citizen", "POST", "/api/v1/approvals/HK-2026-0001/follow", map[string]any{"phone_tail": "1234"}); code != http.StatusOK {
		t.Fatalf("follow: %d %v", code, out)
	}
	next := pushBody(t, record("HK-2026-0001", 2, "reviewing", "13876541234"), record("HK-2026-0002", 1, "reviewing", "13900005678"))
	a = push(srv, pushSecret, now+3, next)
	results := a.json(t)["results"].([]any)
	if a.code != http.StatusOK || results[0].(map[string]any)["outcome"] != "updated" || results[1].(map[string]any)["outcome"] != "unchanged" {
		t.Fatalf("second push: %d %s", a.code, a.body)
	}
	older := push(srv, pushSecret, now+4, pushBody(t, record("HK-2026-0001", 1, "received", "13876541234")))
	if res := older.json(t)["results"].([]any)[0].(map[string]any); older.code != http.StatusOK || res["outcome"] != "stale" || res["current_version"] != 2.0 {
		t.Errorf("an older version: %d %s", older.code, older.body)
	}
	citizen := r.users["citizen"].ID
	msgs, err := r.db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{RecipientID: &citizen})
	if err != nil || len(msgs) != 1 || msgs[0].Template != approval.TplApprovalUpdate || msgs[0].Data["status"] != "审查中" {
		t.Errorf("the follower's messages: %+v %v", msgs, err)
	}
	code, out = r.call(srv, "citizen", "GET", "/api/v1/approvals/followed", nil)
	if code != http.StatusOK || len(out["approvals"].([]any)) != 1 {
		t.Errorf("followed: %d %v", code, out)
	}
	if code, _ := r.call(srv, "citizen", "DELETE", "/api/v1/approvals/HK-2026-0001/follow", nil); code != http.StatusNoContent {
		t.Errorf("unfollow: %d", code)
	}
	code, out = r.call(srv, "dispatcher", "GET", "/api/v1/approvals/events", nil)
	if code != http.StatusOK || len(out["events"].([]any)) != 3 {
		t.Errorf("feed: %d %v", code, out)
	}
}

// Numbers cannot be enumerated: an address that misses too often must
// wait, whatever it asks next; another address is not affected.
func TestApprovalLookupThrottled(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.approvalServer()
	if a := push(srv, pushSecret, time.Now().Unix(), pushBody(t, record("HK-2026-0001", 1, "received", "13876541234"))); a.code != http.StatusOK {
		t.Fatalf("push: %d %s", a.code, a.body)
	}
	// Right answers do not count against anyone.
	for range 15 {
		if a := lookup(srv, "192.0.2.20", "HK-2026-0001", "1234"); a.code != http.StatusOK {
			t.Fatalf("lookup: %d %s", a.code, a.body)
		}
	}
	for i := range 10 {
		if a := lookup(srv, "192.0.2.20", "HK-2026-0001", strconv.Itoa(1000+i)); a.code != http.StatusNotFound {
			t.Fatalf("guess %d: %d %s", i+1, a.code, a.body)
		}
	}
	a := lookup(srv, "192.0.2.20", "HK-2026-0001", "1234")
	if a.code != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Errorf("after 10 misses: %d %s (Retry-After %q), want 429", a.code, a.body, a.header.Get("Retry-After"))
	}
	if a := lookup(srv, "192.0.2.21", "HK-2026-0001", "1234"); a.code != http.StatusOK {
		t.Errorf("another address: %d %s", a.code, a.body)
	}
}

// A guesser with many addresses (an IPv6 /64 is millions) is counted per
// number too: 20 misses of one number a day, from anywhere.
func TestApprovalLookupThrottledPerNumber(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.approvalServer()
	for _, rec := range []map[string]any{record("HK-2026-0001", 1, "received", "13876541234"), record("HK-2026-0002", 1, "received", "13876545678")} {
		if a := push(srv, pushSecret, time.Now().Unix(), pushBody(t, rec)); a.code != http.StatusOK {
			t.Fatalf("push: %d %s", a.code, a.body)
		}
	}
	for i := range 20 {
		ip := fmt.Sprintf("198.51.100.%d", i/4+1) // 4 misses each: no address is throttled
		if a := lookup(srv, ip, "HK-2026-0001", strconv.Itoa(1000+i)); a.code != http.StatusNotFound {
			t.Fatalf("guess %d: %d %s", i+1, a.code, a.body)
		}
	}
	if a := lookup(srv, "198.51.100.99", "HK-2026-0001", "1234"); a.code != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Errorf("the number after 20 misses from 5 addresses: %d %s, want 429", a.code, a.body)
	}
	if a := lookup(srv, "198.51.100.99", "HK-2026-0002", "5678"); a.code != http.StatusOK {
		t.Errorf("another number: %d %s", a.code, a.body)
	}
}

func TestApprovalImport(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.approvalServer()
	upload := func(user, csv string) (int, map[string]any) {
		return r.postFile(srv, user, "/api/v1/approvals/import", "approvals.csv", csv, nil)
	}
	const header = "受理编号,版本,事项名称,受理部门,申请人,联系电话,状态,说明,时间\n"
	good := header + "HK-2026-0101,1,建设工程规划许可,海口市行政审批服务局,陈海,13976001234,已受理,,2026-03-02 09:30\n" +
		"HK-2026-0101,2,建设工程规划许可,海口市行政审批服务局,陈海,13976001234,补正材料,请补交总平面图,2026-03-05 10:00\n"
	bad := header + "HK-2026-0102,1,公共场所卫生许可,海口市行政审批服务局,林木,13976005678,已受理,,\n" +
		"HK-2026-0101,3,建设工程规划许可,海口市行政审批服务局,陈海,13976001234,不予受理,,\n" + // 补正材料 → 不予受理 is allowed
		"HK-2026-0101,4,建设工程规划许可,海口市行政审批服务局,陈海,13976001234,审查中,,\n" + // but nothing after a final status
		"HK-2026-0103,1,公共场所卫生许可,海口市行政审批服务局,林木,139,已受理,,\n"
	if code, out := upload("admin", good); code != http.StatusCreated || out["rows"] != 2.0 {
		t.Fatalf("import: %d %v", code, out)
	}
	code, out := upload("admin", bad)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("bad import: %d %v", code, out)
	}
	errs := out["errors"].([]any)
	if len(errs) != 2 || errs[0].(map[string]any)["row"] != 5.0 || errs[1].(map[string]any)["row"] != 4.0 {
		t.Errorf("row report: %v", errs)
	}
	if reason := errs[1].(map[string]any)["reason"]; reason != "审批事项不能从“不予受理”变为“审查中”" {
		t.Errorf("reason %q", reason)
	}
	feed, _ := r.db.Approvals.RecentEvents(context.Background(), "", 10)
	if len(feed) != 2 || feed[0].Source != approval.SourceImport || feed[0].ActorID == nil || *feed[0].ActorID != r.users["admin"].ID {
		t.Errorf("the import's events do not name the importer: %+v", feed)
	}
	got, _ := r.db.Approvals.CurrentStates(context.Background(), []string{"HK-2026-0101", "HK-2026-0102"})
	if len(got) != 1 || got["HK-2026-0101"].Version != 2 {
		t.Errorf("a refused import changed the records: %v", got)
	}
	if code, _ := upload("citizen", good); code != http.StatusForbidden {
		t.Errorf("a citizen imports: %d", code)
	}

	// Department staff import their own department's applications only.
	ctx := context.Background()
	for code, name := range map[string]string{"hk-xzsp": "海口市行政审批服务局", "hk-wsj": "海口市卫生健康委员会"} {
		if err := r.db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: code, Name: name, Department: "行政审批"}); err != nil {
			t.Fatal(err)
		}
		r.addUser(&guanjia.User{Username: "staff-" + code, Role: guanjia.RoleDepartment, UnitCode: code})
	}
	next := header + "HK-2026-0101,3,建设工程规划许可,海口市行政审批服务局,陈海,13976001234,审查中,,2026-03-06 10:00\n"
	if code, out := upload("staff-hk-wsj", next); code != http.StatusUnprocessableEntity ||
		out["errors"].([]any)[0].(map[string]any)["column"] != "受理部门" {
		t.Errorf("another department moved 行政审批服务局's application: %d %v", code, out)
	}
	claimed := header + "HK-2026-0101,3,建设工程规划许可,海口市卫生健康委员会,陈海,13976001234,审查中,,2026-03-06 10:00\n"
	if code, out := upload("staff-hk-wsj", claimed); code != http.StatusUnprocessableEntity {
		t.Errorf("another department took over 行政审批服务局's application by naming itself: %d %v", code, out)
	}
	if got, _ := r.db.Approvals.CurrentStates(ctx, []string{"HK-2026-0101"}); got["HK-2026-0101"].Version != 2 {
		t.Errorf("a refused department import changed the record: %v", got)
	}
	if code, out := upload("staff-hk-xzsp", next); code != http.StatusCreated || out["rows"] != 1.0 {
		t.Errorf("the department that took it in: %d %v", code, out)
	}
}

func TestLawLibrary(t *testing.T) {
	r := newConsoleRig(t)
	srv := r.approvalServer()
	mediation := map[string]any{"title": "中华人民共和国人民调解法", "doc_number": "主席令第三十四号", "authority": "全国人民代表大会常务委员会",
		"level": "law", "published_on": "2010-08-28", "effective_on": "2011-01-01", "articles": []map[string]any{
			{"number": "第一条", "text": "为了完善人民调解制度，规范人民调解活动，及时解决民间纠纷，维护社会和谐稳定，根据宪法，制定本法。"},
			{"number": "第七条", "text": "人民调解委员会是依法设立的调解民间纠纷的群众性组织。"},
		}}
	code, out := r.call(srv, "admin", "POST", "/api/v1/laws", mediation)
	if code != http.StatusCreated || out["status_label"] != "现行有效" {
		t.Fatalf("create: %d %v", code, out)
	}
	id := strconv.Itoa(int(out["id"].(float64)))
	for _, tc := range []struct {
		name, field string
		edit        func(map[string]any)
	}{
		{"no title", "title", func(m map[string]any) { m["title"] = "" }},
		{"not a date", "published_on", func(m map[string]any) { m["published_on"] = "2010年8月28日" }},
		{"unknown level", "level", func(m map[string]any) { m["level"] = "decree" }},
		{"article twice", "articles", func(m map[string]any) {
			m["articles"] = []map[string]any{{"number": "第一条", "text": "甲"}, {"number": "第一条", "text": "乙"}}
		}},
	} {
		body := map[string]any{}
		for k, v := range mediation {
			body[k] = v
		}
		body["title"] = "另一部法规"
		tc.edit(body)
		if code, out := r.call(srv, "admin", "POST", "/api/v1/laws", body); code != http.StatusBadRequest || errorField(out) != tc.field {
			t.Errorf("%s: %d %v, want 400 on %s", tc.name, code, out, tc.field)
		}
	}
	if code, _ := r.call(srv, "citizen", "POST", "/api/v1/laws", mediation); code != http.StatusForbidden {
		t.Errorf("a citizen adds a law: %d", code)
	}
	code, out = r.call(srv, "", "GET", "/api/v1/laws", nil)
	if code != http.StatusOK || out["total"] != 1.0 {
		t.Errorf("list: %d %v (refused laws stored?)", code, out)
	}

	code, out = r.call(srv, "", "GET", "/api/v1/laws?q="+"%E7%BE%A4%E4%BC%97%E6%80%A7", nil) // 群众性
	if code != http.StatusOK || len(out["laws"].([]any)) != 1 {
		t.Fatalf("search: %d %v", code, out)
	}
	hit := out["laws"].([]any)[0].(map[string]any)
	match := hit["matches"].([]any)[0].(map[string]any)
	if match["number"] != "第七条" || match["snippet"] != "人民调解委员会是依法设立的调解民间纠纷的群众性组织。" {
		t.Errorf("the matching article: %v", match)
	}
	if code, out := r.call(srv, "", "GET", "/api/v1/laws?q=", nil); code != http.StatusOK || out["total"] != 1.0 {
		t.Errorf("an empty q lists: %d %v", code, out)
	}
	if code, out := r.call(srv, "dispatcher", "POST", "/api/v1/laws/"+id+"/status", map[string]any{"status": "repealed"}); code != http.StatusForbidden {
		t.Errorf("a dispatcher repeals: %d %v", code, out)
	}
	if code, out := r.call(srv, "admin", "POST", "/api/v1/laws/"+id+"/status", map[string]any{"status": "repealed"}); code != http.StatusOK || out["status_label"] != "已废止" {
		t.Errorf("repeal: %d %v", code, out)
	}
	code, out = r.call(srv, "", "GET", "/api/v1/laws/"+id, nil)
	if code != http.StatusOK || len(out["articles"].([]any)) != 2 || out["status"] != "repealed" {
		t.Errorf("get: %d %v", code, out)
	}
}

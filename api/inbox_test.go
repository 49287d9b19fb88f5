package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
	"guanjia/api"
	"guanjia/dispatch"
	"guanjia/live"
)

// messagesReplica is an API process with the inbox and the delivery stats.
func (r *consoleRig) messagesReplica() *api.Server {
	return api.New(api.Config{Secret: consoleSecret}, api.Deps{Users: r.db.Users, Catalog: r.db.Catalog, Notifications: r.db.Notifications,
		Idempotency: r.db.Idempotency, Dispatch: r.svc, Notices: r.db.Notices, Live: live.New(r.rdb, r.svc.Log), Inbox: r.db.Notifications, Deliveries: r.db.Notifications,
		Registry: prometheus.NewRegistry(), Log: r.svc.Log, Now: func() time.Time { return time.Now().UTC() }})
}

func (r *consoleRig) claims(user string) guanjia.Claims {
	u := r.users[user]
	return guanjia.Claims{UserID: u.ID, Role: u.Role, UnitCode: u.UnitCode}
}

func TestInboxOverTheAPI(t *testing.T) {
	r := newConsoleRig(t)
	srv := httptest.NewServer(r.messagesReplica())
	t.Cleanup(srv.Close)
	h := srv.Config.Handler
	crewLive := r.follow(srv.URL, "crew")

	id := r.fileComplaint(h, "1101", siteLat, siteLng) // a task for "crew"
	var heard []string
	for len(heard) == 0 || heard[len(heard)-1] != "inbox" {
		heard = append(heard, nextLive(t, "crew", crewLive).name) // the crew page's badge hears of it at once
	}
	if !slices.Contains(heard, "complaint") {
		t.Errorf("the crew page heard %v: the new task's row should come before the badge", heard)
	}
	code, out := r.call(h, "crew", "GET", "/api/v1/inbox", nil)
	msgs, _ := out["messages"].([]any)
	if code != http.StatusOK || out["unread"] != float64(1) || len(msgs) != 1 {
		t.Fatalf("crew's inbox: %d %v", code, out)
	}
	m := msgs[0].(map[string]any)
	if m["complaint"] != float64(id) || m["template"] != guanjia.TplTaskAssigned || m["read"] != false ||
		!strings.HasPrefix(m["text"].(string), fmt.Sprintf("新任务 #%d 暴露垃圾", id)) {
		t.Errorf("message: %v", m)
	}
	msgID := int64(m["id"].(float64))
	path := fmt.Sprintf("/api/v1/inbox/%d/read", msgID)
	if code, _ := r.call(h, "crew-sz", "POST", path, nil); code != http.StatusNotFound {
		t.Errorf("someone else's message: %d, want 404", code)
	}
	if code, out := r.call(h, "crew", "POST", path, nil); code != http.StatusOK || out["unread"] != float64(0) {
		t.Errorf("mark read: %d %v", code, out)
	}
	if _, out := r.call(h, "crew", "GET", "/api/v1/inbox", nil); out["unread"] != float64(0) {
		t.Errorf("after reading: %v", out)
	}

	// 督办 by hand: the unit's leader and the command center hear of it.
	if code, out := r.call(h, "dispatcher", "POST", fmt.Sprintf("/api/v1/complaints/%d/escalate", id), map[string]string{"note": "尽快处置"}); code != http.StatusOK {
		t.Fatalf("escalate: %d %v", code, out)
	}
	for _, who := range []string{"lead-hw", "dispatcher", "crew"} {
		_, out := r.call(h, who, "GET", "/api/v1/inbox?limit=1", nil)
		msgs, _ := out["messages"].([]any)
		if len(msgs) != 1 || msgs[0].(map[string]any)["template"] != guanjia.TplEscalation || out["unread"] != float64(1) {
			t.Errorf("%s's inbox after the 督办: %v", who, out)
		}
	}
	if _, out := r.call(h, "lead-sz", "GET", "/api/v1/inbox", nil); out["unread"] != float64(0) {
		t.Errorf("another unit's leader was told: %v", out)
	}
	if code, out := r.call(h, "dispatcher", "POST", "/api/v1/inbox/read", nil); code != http.StatusOK || out["marked"] != float64(1) {
		t.Errorf("mark all read: %d %v", code, out)
	}

	for _, q := range []string{"?limit=0", "?limit=101", "?before=x"} {
		if code, _ := r.call(h, "crew", "GET", "/api/v1/inbox"+q, nil); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, code)
		}
	}
	if code, _ := r.call(h, "citizen", "GET", "/api/v1/inbox", nil); code != http.StatusForbidden {
		t.Errorf("a citizen has no inbox: %d", code)
	}
	if code, _ := r.call(h, "", "GET", "/api/v1/inbox", nil); code != http.StatusUnauthorized {
		t.Errorf("nobody: %d", code)
	}
}

func TestDeliveryStats(t *testing.T) {
	r := newConsoleRig(t)
	h := r.messagesReplica()
	ctx := context.Background()
	id := r.fileComplaint(h, "1101", siteLat, siteLng)
	n := &guanjia.Notification{Message: guanjia.Message{RecipientID: r.users["crew"].ID, Channel: guanjia.ChannelWeCom,
		Template: guanjia.TplEscalation, ComplaintID: &id}, Status: guanjia.DeliveryFailed}
	if err := r.db.Notifications.CreateNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	// A failed message about no complaint (a credit decision, say) is not the desk's to count.
	if err := r.db.Notifications.CreateNotification(ctx, &guanjia.Notification{Message: guanjia.Message{RecipientID: r.users["citizen"].ID,
		Channel: guanjia.ChannelSubscribe, Template: guanjia.TplCreditRepairDecided}, Status: guanjia.DeliveryFailed}); err != nil {
		t.Fatal(err)
	}
	code, out := r.call(h, "dispatcher", "GET", "/api/v1/stats/deliveries", nil)
	recent, _ := out["recent_failed"].([]any)
	if code != http.StatusOK || out["failed"] != float64(1) || len(recent) != 1 {
		t.Errorf("stats: %d %v", code, out)
	}
	if code, out := r.call(h, "admin", "GET", "/api/v1/stats/deliveries", nil); code != http.StatusOK || out["failed"] != float64(2) {
		t.Errorf("an admin's stats: %d %v, want both failures", code, out)
	}
	if code, _ := r.call(h, "crew", "GET", "/api/v1/stats/deliveries", nil); code != http.StatusForbidden {
		t.Errorf("a crew member reads the dashboard: %d", code)
	}
	if code, out := r.call(h, "dispatcher", "GET", "/api/v1/notifications?status=failed", nil); code != http.StatusOK || len(out["notifications"].([]any)) != 1 {
		t.Errorf("the failed list: %d %v", code, out)
	}
}

func TestRatingToken(t *testing.T) {
	now := time.Now()
	tok := api.RatingToken("s3cret", 42, now.Add(time.Hour))
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != "42" || len(tok) > 40 {
		t.Fatalf("token %q: want <id>.<exp>.<sig>, short enough for an SMS", tok)
	}
	url := api.SignRatingURL("https://12345.haikou.gov.cn/", "s3cret", 42, now.Add(time.Hour))
	if url != "https://12345.haikou.gov.cn/r/"+tok {
		t.Errorf("url %q", url)
	}
	if other := api.RatingToken("another", 42, now.Add(time.Hour)); other == tok {
		t.Error("the signature does not depend on the secret")
	}
}

// ratingRig is a complaint filed by phone and resolved, and the API serving its link.
func ratingRig(t *testing.T) (*consoleRig, http.Handler, int64) {
	r := newConsoleRig(t)
	h := r.messagesReplica()
	id := r.fileComplaint(h, "1101", siteLat, siteLng)
	ctx := context.Background()
	crew := r.claims("crew")
	lat, lng := siteLat, siteLng
	for _, step := range []struct {
		a  guanjia.Action
		in dispatch.ActionInput
	}{
		{guanjia.ActionAccept, dispatch.ActionInput{}},
		{guanjia.ActionArrive, dispatch.ActionInput{Lat: &lat, Lng: &lng}},
		{guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理 <b>干净</b>"}},
	} {
		if _, err := r.svc.Act(ctx, crew, id, step.a, step.in); err != nil {
			t.Fatalf("%s: %v", step.a, err)
		}
	}
	return r, h, id
}

func page(t *testing.T, h http.Handler, method, path string, form url.Values) (int, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestRatingPage(t *testing.T) {
	r, h, id := ratingRig(t)
	link := "/r/" + api.RatingToken(consoleSecret, id, time.Now().Add(api.RatingLinkTTL))

	code, html := page(t, h, "GET", link, nil)
	if code != http.StatusOK || !strings.Contains(html, "办理结果评价") || !strings.Contains(html, "问题是否已解决") ||
		!strings.Contains(html, "暴露垃圾") || !strings.Contains(html, "已清理 &lt;b&gt;干净&lt;/b&gt;") {
		t.Fatalf("the form: %d\n%s", code, html)
	}

	// A missing answer: the form again, with what is missing, nothing recorded.
	code, html = page(t, h, "POST", link, url.Values{"score": {"3"}})
	if code != http.StatusBadRequest || !strings.Contains(html, "请选择问题是否已解决") || !strings.Contains(html, `value="3" required checked`) {
		t.Errorf("without solved: %d\n%s", code, html)
	}
	code, html = page(t, h, "POST", link, url.Values{"solved": {"yes"}, "score": {"3"}, "comment": {"很及时"}})
	if code != http.StatusOK || !strings.Contains(html, "评价成功") {
		t.Fatalf("rating: %d\n%s", code, html)
	}
	c, _ := r.db.Complaints.FindComplaint(context.Background(), id)
	if c.Rating != guanjia.RatingSatisfied || c.RatingComment != "很及时" {
		t.Errorf("the rating is not on the complaint: %+v", c)
	}

	// Twice: 409, in words or in JSON.
	if code, html := page(t, h, "POST", link, url.Values{"solved": {"yes"}, "score": {"1"}}); code != http.StatusConflict || !strings.Contains(html, "已经评价过") {
		t.Errorf("twice: %d\n%s", code, html)
	}
	if code, out := r.call(h, "", "POST", link, map[string]any{"solved": true, "score": 1}); code != http.StatusConflict || out["error"] == nil {
		t.Errorf("twice, JSON: %d %v", code, out)
	}
	if code, html := page(t, h, "GET", link, nil); code != http.StatusOK || !strings.Contains(html, "已经评价过") {
		t.Errorf("the link after rating: %d", code)
	}
}

// A call merged into another order is texted 办结 when that order closes:
// its link rates the call's own order, once the joined one is done, and
// sends no work back (the work was the other order's).
func TestRatingLinkOfAMergedCall(t *testing.T) {
	r, h, id := ratingRig(t)
	ctx := context.Background()
	merged := r.fileComplaint(h, "1101", siteLat+0.001, siteLng) // 111 m away: its own order until merged
	if _, err := r.svc.Act(ctx, r.claims("dispatcher"), merged, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: id}); err != nil {
		t.Fatal(err)
	}
	act := func(who string, a guanjia.Action, in dispatch.ActionInput) {
		t.Helper()
		if _, err := r.svc.Act(ctx, r.claims(who), id, a, in); err != nil {
			t.Fatalf("%s %s: %v", who, a, err)
		}
	}
	act("dispatcher", guanjia.ActionReopen, dispatch.ActionInput{Reason: "复查未清理干净"})
	link := "/r/" + api.RatingToken(consoleSecret, merged, time.Now().Add(api.RatingLinkTTL))
	if code, html := page(t, h, "GET", link, nil); code != http.StatusOK || !strings.Contains(html, "正在办理中") {
		t.Errorf("the link while the joined order is worked on again: %d\n%s", code, html)
	}
	if code, _ := page(t, h, "POST", link, url.Values{"solved": {"yes"}, "score": {"3"}}); code != http.StatusConflict {
		t.Errorf("rating while the joined order is worked on again: %d, want 409", code)
	}

	lat, lng := siteLat, siteLng
	act("crew", guanjia.ActionAccept, dispatch.ActionInput{})
	act("crew", guanjia.ActionArrive, dispatch.ActionInput{Lat: &lat, Lng: &lng})
	act("crew", guanjia.ActionResolve, dispatch.ActionInput{Note: "已清理"})
	act("dispatcher", guanjia.ActionClose, dispatch.ActionInput{})
	if code, html := page(t, h, "GET", link, nil); code != http.StatusOK || !strings.Contains(html, "问题是否已解决") {
		t.Fatalf("the link once the joined order is closed: %d\n%s", code, html)
	}
	// Its answer sends no work back (the work was the other order's), and the page does not say it does.
	if code, html := page(t, h, "POST", link, url.Values{"solved": {"no"}, "score": {"1"}, "comment": {"还有垃圾"}}); code != http.StatusOK ||
		!strings.Contains(html, "评价成功") || strings.Contains(html, "重新办理") {
		t.Fatalf("rating the merged call: %d\n%s", code, html)
	}
	if c, _ := r.db.Complaints.FindComplaint(ctx, merged); c.Rating != guanjia.RatingUnsatisfied || c.Status != guanjia.StatusDuplicate {
		t.Errorf("the merged call after its caller's answer: %+v", c)
	}
	if c, _ := r.db.Complaints.FindComplaint(ctx, id); c.Status != guanjia.StatusClosed || c.Rating != 0 {
		t.Errorf("the joined order after the merged caller's answer: status %s rating %d, want closed and unrated", c.Status, c.Rating)
	}
}

// A call merged into an order that is then found not to be the city's
// (退单, 不予立案) is told so, not that it is being worked on.
func TestRatingLinkOfACallWhoseJoinedOrderIsRejected(t *testing.T) {
	r, h, id := ratingRig(t)
	ctx := context.Background()
	merged := r.fileComplaint(h, "1101", siteLat+0.001, siteLng)
	steps := []struct {
		who    string
		id     int64
		action guanjia.Action
		in     dispatch.ActionInput
	}{
		{"dispatcher", id, guanjia.ActionReopen, dispatch.ActionInput{Reason: "复查未清理干净"}},
		{"dispatcher", merged, guanjia.ActionMerge, dispatch.ActionInput{DuplicateOf: id}},
		{"crew", id, guanjia.ActionReturn, dispatch.ActionInput{Reason: "非本单位职责"}},
		{"dispatcher", id, guanjia.ActionReject, dispatch.ActionInput{Reason: "属私人物业管理范围"}},
	}
	for _, st := range steps {
		if _, err := r.svc.Act(ctx, r.claims(st.who), st.id, st.action, st.in); err != nil {
			t.Fatalf("%s %s #%d: %v", st.who, st.action, st.id, err)
		}
	}
	link := "/r/" + api.RatingToken(consoleSecret, merged, time.Now().Add(api.RatingLinkTTL))
	if code, html := page(t, h, "GET", link, nil); code != http.StatusOK || !strings.Contains(html, "不予立案") || strings.Contains(html, "正在办理中") {
		t.Errorf("the link once the joined order is rejected: %d\n%s", code, html)
	}
	if code, _ := page(t, h, "POST", link, url.Values{"solved": {"yes"}, "score": {"3"}}); code != http.StatusConflict {
		t.Errorf("rating a call whose joined order is rejected: %d, want 409", code)
	}
}

func TestRatingLinkRefused(t *testing.T) {
	r, h, id := ratingRig(t)
	good := api.RatingToken(consoleSecret, id, time.Now().Add(time.Hour))
	parts := strings.Split(good, ".")
	cases := []struct {
		what, token, text string
		status            int
	}{
		{"expired", api.RatingToken(consoleSecret, id, time.Now().Add(-time.Minute)), "已过期", http.StatusGone},
		{"another complaint", fmt.Sprintf("%d.%s.%s", id+1, parts[1], parts[2]), "链接无效", http.StatusForbidden},
		{"a later expiry", fmt.Sprintf("%s.%s.%s", parts[0], "zzzzzzz", parts[2]), "链接无效", http.StatusForbidden},
		{"another secret", api.RatingToken("guess", id, time.Now().Add(time.Hour)), "链接无效", http.StatusForbidden},
		{"garbage", "abc", "链接无效", http.StatusForbidden},
	}
	for _, c := range cases {
		for _, method := range []string{"GET", "POST"} {
			code, html := page(t, h, method, "/r/"+c.token, url.Values{"solved": {"yes"}, "score": {"3"}})
			if code != c.status || !strings.Contains(html, c.text) {
				t.Errorf("%s, %s: %d, want %d saying %q\n%s", c.what, method, code, c.status, c.text, html)
			}
		}
	}
	if code, out := r.call(h, "", "POST", "/r/"+cases[0].token, map[string]any{"solved": true, "score": 3}); code != http.StatusGone || out["error"] == nil {
		t.Errorf("expired, JSON: %d %v", code, out)
	}
	if c, _ := r.db.Complaints.FindComplaint(context.Background(), id); c.Rating != 0 {
		t.Errorf("a refused link rated the complaint: %+v", c)
	}
}

// 未解决 on an order's own link sends its work back once, and the page says so.
func TestRatingLinkUnsolvedSendsTheWorkBack(t *testing.T) {
	r, h, id := ratingRig(t)
	link := "/r/" + api.RatingToken(consoleSecret, id, time.Now().Add(api.RatingLinkTTL))
	code, html := page(t, h, "POST", link, url.Values{"solved": {"no"}, "score": {"1"}, "comment": {"垃圾还在"}})
	if code != http.StatusOK || !strings.Contains(html, "重新办理") {
		t.Fatalf("an unsolved answer: %d\n%s", code, html)
	}
	if c, _ := r.db.Complaints.FindComplaint(context.Background(), id); c.ReopenCount != 1 || !c.Status.Open() {
		t.Errorf("the order after the answer: %s, reopened %d times; want open again, once", c.Status, c.ReopenCount)
	}
}

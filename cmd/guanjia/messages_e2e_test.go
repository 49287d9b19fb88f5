package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guanjia/api"
	"guanjia/sms"
	smsfake "guanjia/sms/fake"
)

// waitSMS waits for the offline SMS server to have a text of template tpl for complaint id.
func waitSMS(t *testing.T, m *Main, tpl string, id int64) smsfake.Received {
	t.Helper()
	var text smsfake.Received
	eventually(t, 15*time.Second, func() error {
		for _, msg := range m.fakeSMS.Messages() {
			if msg.TemplateID == tpl && len(msg.Params) > 0 && msg.Params[0] == fmt.Sprint(id) {
				text = msg
				return nil
			}
		}
		return fmt.Errorf("no SMS %s for complaint %d; the fake has %+v", tpl, id, m.fakeSMS.Messages())
	})
	return text
}

// get fetches a page as a phone's browser would: no login.
func get(t *testing.T, link string) (int, string) {
	t.Helper()
	res, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func postForm(t *testing.T, link string, form url.Values) (int, string) {
	t.Helper()
	res, err := http.PostForm(link, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// 12345: 受理 → 派单 → 办理 → 答复 → 回访, the caller answered by SMS.
func TestHotlineCallerIsTextedAndRatesByLink(t *testing.T) {
	m := startMain(t)
	agent, crew, dispatcher := login(t, m, "agent"), login(t, m, "crew-lh01-hw"), login(t, m, "dispatcher")

	a := agent.do("POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": "来电反映：路口垃圾堆积",
		"lat": lh01Lat, "lng": lh01Lng, "coord_system": "wgs84", "address": "龙华区某路口", "caller_name": "王先生", "caller_phone": "138-0013-8000"})
	if a.status != 201 || a.str("source") != "hotline" {
		t.Fatalf("file the call: %d %s", a.status, a.raw)
	}
	id := int64(a.num("id"))
	accepted := waitSMS(t, m, "100001", id)
	if accepted.Phone != "+8613800138000" || accepted.Code != "Ok" || !strings.Contains(accepted.Text, fmt.Sprintf("工单号%d", id)) {
		t.Errorf("受理 SMS: %+v", accepted)
	}
	// The demo shows it, with the number masked.
	if code, body := get(t, m.URL+"/__fake/sms/messages"); code != 200 || !strings.Contains(body, "+86138****8000") || strings.Contains(body, "13800138000") {
		t.Errorf("/__fake/sms/messages: %d %s", code, body)
	}

	path := fmt.Sprintf("/api/v1/complaints/%d", id)
	for _, step := range []struct {
		c      *client
		action string
		body   any
	}{
		{crew, "accept", nil},
		{crew, "arrive", map[string]any{"lat": lh01Lat, "lng": lh01Lng}},
		{crew, "resolve", map[string]any{"note": "已清运垃圾并冲洗路面"}},
		{dispatcher, "close", map[string]any{"note": "核查通过"}},
	} {
		if a := step.c.do("POST", path+"/"+step.action, step.body); a.status != 200 {
			t.Fatalf("%s: %d %s", step.action, a.status, a.raw)
		}
	}
	closed := waitSMS(t, m, "100002", id)
	if len(closed.Params) != 3 || !strings.Contains(closed.Text, "已清运垃圾并冲洗路面") {
		t.Fatalf("办结 SMS: %+v", closed)
	}
	link := closed.Params[2]
	if !strings.HasPrefix(link, m.URL+"/r/") {
		t.Fatalf("rating link %q, want one on this server", link)
	}

	// The caller follows the link: no login, a form in Chinese.
	code, html := get(t, link)
	if code != 200 || !strings.Contains(html, "问题是否已解决") || !strings.Contains(html, "已清运垃圾并冲洗路面") {
		t.Fatalf("rating page: %d\n%s", code, html)
	}
	// A tampered or expired link changes nothing.
	tampered := strings.Replace(link, fmt.Sprintf("/r/%d.", id), fmt.Sprintf("/r/%d.", id+1), 1)
	if code, html := postForm(t, tampered, url.Values{"solved": {"no"}, "score": {"1"}}); code != http.StatusForbidden || !strings.Contains(html, "链接无效") {
		t.Errorf("tampered link: %d %s", code, html)
	}
	expired := api.SignRatingURL(m.URL, m.Config.Secret, id, time.Now().Add(-time.Hour))
	if code, html := postForm(t, expired, url.Values{"solved": {"no"}, "score": {"1"}}); code != http.StatusGone || !strings.Contains(html, "已过期") {
		t.Errorf("expired link: %d %s", code, html)
	}
	if d := dispatcher.do("GET", path, nil); d.num("rating") != 0 {
		t.Fatalf("a refused link rated it: %s", d.raw)
	}

	if code, html := postForm(t, link, url.Values{"solved": {"yes"}, "score": {"3"}, "comment": {"处理很快"}}); code != 200 || !strings.Contains(html, "评价成功") {
		t.Fatalf("rate: %d\n%s", code, html)
	}
	d := dispatcher.do("GET", path, nil)
	if d.num("rating") != 3 || d.str("rating_comment") != "处理很快" || !strings.Contains(string(d.raw), "短信回访") {
		t.Errorf("the rating does not show on the complaint: %s", d.raw)
	}
	if code, html := postForm(t, link, url.Values{"solved": {"yes"}, "score": {"3"}}); code != http.StatusConflict || !strings.Contains(html, "已经评价过") {
		t.Errorf("rating twice: %d %s", code, html)
	}
}

// inbox reads a user's inbox.
func inbox(c *client) (unread int, texts []string, ids []int64) {
	a := c.do("GET", "/api/v1/inbox?limit=50", nil)
	msgs, _ := a.body["messages"].([]any)
	for _, x := range msgs {
		m := x.(map[string]any)
		texts = append(texts, m["text"].(string))
		ids = append(ids, int64(m["id"].(float64)))
	}
	return int(a.num("unread")), texts, ids
}

func containsText(texts []string, sub string) bool {
	for _, s := range texts {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// 督办, by hand and by a missed deadline, reaches the unit leader's and the
// command center's inboxes, although neither has a 企业微信 account.
func TestEscalationReachesLeaderAndCommandCenterInbox(t *testing.T) {
	m := startMain(t)
	admin, citizen, dispatcher, lead := login(t, m, "admin"), login(t, m, "citizen"), login(t, m, "dispatcher"), login(t, m, "lh-hw-lead")
	other := login(t, m, "lh-sz-lead")

	if a := admin.do("PUT", "/api/v1/categories/1101", map[string]any{"arrive_within_s": 2}); a.status != 200 {
		t.Fatalf("drill: %d %s", a.status, a.raw)
	}
	a := citizen.do("POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": "路口有一堆垃圾",
		"lat": lh01Lat, "lng": lh01Lng, "coord_system": "wgs84", "address": "龙华区某路口"})
	if a.status != 201 {
		t.Fatalf("create: %d %s", a.status, a.raw)
	}
	id := int64(a.num("id"))
	missed := fmt.Sprintf("督办 #%d：超过到场时限", id)

	// Nobody arrives within 2 s: the timer's 督办.
	eventually(t, 15*time.Second, func() error {
		_, leadTexts, _ := inbox(lead)
		_, deskTexts, _ := inbox(dispatcher)
		if !containsText(leadTexts, missed) || !containsText(deskTexts, missed) {
			return fmt.Errorf("no 督办 in the inboxes: leader %q, command center %q", leadTexts, deskTexts)
		}
		return nil
	})
	// By hand. The missed accept deadlines may be redispatching the order at
	// this moment: a 409 asks the dispatcher to refresh and try again.
	eventually(t, 10*time.Second, func() error {
		if a := dispatcher.do("POST", fmt.Sprintf("/api/v1/complaints/%d/escalate", id), map[string]any{"note": "群众反映强烈"}); a.status != 200 {
			return fmt.Errorf("escalate: %d %s", a.status, a.raw)
		}
		return nil
	})
	for who, c := range map[string]*client{"leader": lead, "command center": dispatcher} {
		unread, texts, _ := inbox(c)
		if !containsText(texts, fmt.Sprintf("督办 #%d：群众反映强烈", id)) || unread < 2 {
			t.Errorf("%s: %d unread %q", who, unread, texts)
		}
	}
	if _, texts, _ := inbox(other); containsText(texts, fmt.Sprintf("#%d", id)) {
		t.Errorf("another unit's leader was told: %q", texts)
	}
	// The delivery log tells "no 企业微信 account" apart from "no consent".
	var outcomes map[string]int
	for settled := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		log := dispatcher.do("GET", fmt.Sprintf("/api/v1/notifications?complaint=%d", id), nil)
		outcomes = map[string]int{}
		for _, x := range log.body["notifications"].([]any) {
			n := x.(map[string]any)
			outcomes[n["channel"].(string)+"/"+n["status"].(string)]++
		}
		if outcomes["wecom/pending"]+outcomes["wecom/retrying"] == 0 || time.Now().After(settled) {
			break
		}
	}
	if outcomes["wecom/no_channel"] == 0 || outcomes["wecom/no_consent"] != 0 || outcomes["inbox/sent"] == 0 {
		t.Errorf("delivery outcomes %v: want 企业微信 no_channel for the leader and command center, and their inboxes", outcomes)
	}

	// Mark as read: one, then the rest.
	before, _, ids := inbox(lead)
	if a := lead.do("POST", fmt.Sprintf("/api/v1/inbox/%d/read", ids[0]), nil); a.status != 200 || int(a.num("unread")) != before-1 {
		t.Errorf("mark read: %d %s (unread was %d)", a.status, a.raw, before)
	}
	if a := other.do("POST", fmt.Sprintf("/api/v1/inbox/%d/read", ids[1]), nil); a.status != 404 {
		t.Errorf("someone else's message: %d", a.status)
	}
	if a := lead.do("POST", "/api/v1/inbox/read", nil); a.status != 200 {
		t.Errorf("mark all read: %d %s", a.status, a.raw)
	}
	if unread, _, _ := inbox(lead); unread != 0 {
		t.Errorf("after reading all: %d unread", unread)
	}
	// The console shows the inbox page to desk staff.
	if code, html := getAs(t, lead, "/console/inbox"); code != 200 || !strings.Contains(html, "站内消息") {
		t.Errorf("console inbox page: %d", code)
	}
}

// getAs fetches a console page with the user's session.
func getAs(t *testing.T, c *client, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.AddCookie(&http.Cookie{Name: "guanjia_token", Value: c.token})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// The offline SMS is for the demo: a production process refuses it, and a
// worker with real credentials needs the public URL its rating links point to.
func TestProductionRefusesTheFakeSMS(t *testing.T) {
	for _, c := range []struct {
		mode Mode
		cfg  Config
		want string
	}{
		{ModeAPI, Config{SMS: smsConfig(true)}, "SMS_FAKE"},
		{ModeWorker, Config{SMS: smsConfig(true)}, "SMS_FAKE"},
		{ModeWorker, Config{SMS: smsConfig(false)}, "GUANJIA_PUBLIC_URL"},
	} {
		m := &Main{Config: c.cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if err := m.setupSMS(c.mode); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("mode %d: %v, want a refusal naming %s", c.mode, err, c.want)
		}
		m.Close()
	}
}

func smsConfig(fake bool) sms.Config {
	if fake {
		return sms.Config{Fake: true}
	}
	return sms.Config{SecretID: "AKID", SecretKey: "key", SdkAppID: "1400000001", SignName: "海口12345", Templates: sms.FakeTemplates}
}

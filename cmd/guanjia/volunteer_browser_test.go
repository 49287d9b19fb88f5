package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserVolunteerTeamReview: a citizen certifies as a volunteer and
// applies for a team; the admin finds it under 待审核团队 with what to judge
// it by (its name, typed with HTML, shown as typed), certifies it and it
// leaves the list. A team another admin decided meanwhile shows the server's
// refusal and stays as that admin left it.
func TestBrowserVolunteerTeamReview(t *testing.T) {
	m := startMain(t)
	open := newBrowser(t)
	admin := login(t, m, "admin")

	citizen := login(t, m, "citizen")
	citizen.must(201, "POST", "/api/v1/volunteer/certify", map[string]any{"name": "张海生",
		"id_number": volunteerIDNumber("46010719900101003"), "phone": "13812340000"})
	const teamName = `椰城<img src=x onerror=window.__xss=1>服务队`
	applied := citizen.must(201, "POST", "/api/v1/teams", map[string]any{"name": teamName, "organisation": "海口市美兰区白龙街道办事处",
		"contact_name": "李梅", "contact_phone": "13912345678", "district": "美兰区", "address": "海口市美兰区白龙南路"})
	teamID := int64(applied.num("id"))
	other := login(t, m, "volunteer").must(201, "POST", "/api/v1/teams", map[string]any{"name": "滨海助老服务队",
		"organisation": "海口市龙华区滨海街道办事处", "contact_name": "王小明", "contact_phone": "13876001122", "district": "龙华区"})
	otherID := int64(other.num("id"))

	s := open("admin")
	s.login(m.URL, "/console/volunteer", "admin")
	item := fmt.Sprintf(`#team-queue li[data-id="%d"]`, teamID)
	s.waitFor("the citizen's team waiting for review", scriptf(`document.querySelector(%s) !== null`, item))
	fields := reviewFields(s, item)
	for label, want := range map[string]string{
		"所属单位": "海口市美兰区白龙街道办事处", "联系人": "李梅 139****5678", "服务区域": "美兰区 海口市美兰区白龙南路",
		"申请人": "张海生", "申请时间": shanghaiMinute(parseTime(t, applied.str("created_at"))),
	} {
		if fields[label] != want {
			t.Errorf("%s of the team under review: %q, want %q (all: %v)", label, fields[label], want, fields)
		}
	}
	if got := s.eval(scriptf(`document.querySelector(%s + ' h3').textContent + '|' + (window.__xss === undefined) + '|' + document.querySelectorAll(%s + ' img').length`, item, item)); got != teamName+"|true|0" {
		t.Errorf("the team's name shows as %q, want the characters typed and no element made", got)
	}
	if strings.Contains(s.text(item), "13912345678") {
		t.Error("the contact's phone number shows unmasked")
	}
	// The queue names each applicant from its own list: no request per team.
	if got := pageRequests(s, `^/api/v1/teams/\d+/members$`); len(got) > 0 {
		t.Errorf("the team queue asked for each team's members: %v", got)
	}
	s.shot("volunteer-team-queue")

	s.do("certify the team", chromedp.Click(chromedp.CSS(item+` button[data-do=approve]`)))
	s.waitFor("the team off the list", scriptf(`document.querySelector(%s) === null`, item))
	if got := s.text("#review-done"); !strings.Contains(got, "已通过") || !strings.Contains(got, teamName) {
		t.Errorf("after certifying, the page says %q", got)
	}
	if team := admin.must(200, "GET", fmt.Sprintf("/api/v1/teams/%d", teamID), nil); team.str("status") != "certified" {
		t.Errorf("the team certified on the page is %q: %s", team.str("status"), team.raw)
	}
	s.waitFor("the team under 已认证的团队", scriptf(`[...document.querySelectorAll('#lookup-table tbody tr')].some((tr) => tr.textContent.includes(%s))`, teamName))

	// Another admin certifies the second team while this page still shows it.
	otherItem := fmt.Sprintf(`#team-queue li[data-id="%d"]`, otherID)
	admin.must(200, "POST", fmt.Sprintf("/api/v1/teams/%d/review", otherID), map[string]any{"approve": true})
	s.do("refuse the team decided meanwhile",
		chromedp.SendKeys(chromedp.CSS(otherItem+` textarea[name=reason]`), "联系人无法核实"),
		chromedp.Click(chromedp.CSS(otherItem+` button[data-do=refuse]`)))
	s.waitFor("the refusal shown", scriptf(`document.querySelector(%s + ' .error')?.hidden === false`, otherItem))
	want := admin.do("POST", fmt.Sprintf("/api/v1/teams/%d/review", otherID), map[string]any{"approve": false, "reason": "联系人无法核实"})
	if msg := serverMessage(want); want.status != 409 || s.text(otherItem+" .error") != msg {
		t.Errorf("the page says %q; the server answers %d %q", s.text(otherItem+" .error"), want.status, msg)
	}
	if got := s.eval(scriptf(`document.querySelector(%s + ' button[data-do=approve]').disabled`, otherItem)); got != true {
		t.Error("a team decided elsewhere still offers 通过")
	}
	if team := admin.must(200, "GET", fmt.Sprintf("/api/v1/teams/%d", otherID), nil); team.str("status") != "certified" || team.str("review_note") != "" {
		t.Errorf("the late refusal changed the team: %s", team.raw)
	}
	s.shot("volunteer-team-conflict")
}

// TestBrowserVolunteerActivityReview: the demo team submits an activity; the
// admin sees it under 待审核活动 with its team, times, place and places; a
// refusal without a reason shows the server's words and changes nothing; a
// refusal with one takes it off the list and the organiser reads the reason.
// The demo's activity waiting for review is published from the same page.
func TestBrowserVolunteerActivityReview(t *testing.T) {
	m := startMain(t)
	open := newBrowser(t)
	admin := login(t, m, "admin")
	lead := login(t, m, "team-lead")
	mine, _ := lead.must(200, "GET", "/api/v1/teams?mine=true", nil).body["teams"].([]any)
	if len(mine) != 1 {
		t.Fatalf("team-lead's teams: %v", mine)
	}
	team := mine[0].(map[string]any)

	// Three days from now, whatever day the test runs.
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	end, deadline := start.Add(3*time.Hour), start.Add(-12*time.Hour)
	const title, reason = "万绿园海岸净滩", "集合地点不明确，请写明具体入口"
	draft := lead.must(201, "POST", "/api/v1/activities", map[string]any{"team_id": team["id"], "title": title,
		"description": "清理万绿园海岸线的塑料垃圾并分类装袋。", "address": "海口市龙华区滨海大道万绿园西门",
		"lat": 20.0405, "lng": 110.3222, "coord_system": "wgs84", "radius_m": 250,
		"start_at": start, "end_at": end, "signup_deadline": deadline, "capacity": 25,
		"requirements": "自备手套和饮用水", "tags": []string{"环保", "净滩"}})
	id := int64(draft.num("id"))
	lead.must(200, "POST", fmt.Sprintf("/api/v1/activities/%d/submit", id), nil)
	activity := func() answer { return admin.must(200, "GET", fmt.Sprintf("/api/v1/activities/%d", id), nil) }

	s := open("admin")
	s.login(m.URL, "/console/volunteer", "admin")
	item := fmt.Sprintf(`#activity-queue li[data-id="%d"]`, id)
	s.waitFor("the activity waiting for review", scriptf(`document.querySelector(%s) !== null`, item))
	fields := reviewFields(s, item)
	for label, want := range map[string]string{
		"团队": team["name"].(string), "时间": shanghaiMinute(start) + " 至 " + shanghaiMinute(end), "报名截止": shanghaiMinute(deadline), "地点": "海口市龙华区滨海大道万绿园西门",
		"签到范围": "250 米", "名额": "25 人", "参加要求": "自备手套和饮用水", "标签": "环保、净滩",
	} {
		if fields[label] != want {
			t.Errorf("%s of the activity under review: %q, want %q (all: %v)", label, fields[label], want, fields)
		}
	}
	if got := s.text(item); !strings.Contains(got, title) || !strings.Contains(got, "清理万绿园海岸线的塑料垃圾并分类装袋。") {
		t.Errorf("the activity under review shows %q", got)
	}
	var submitted string
	events, _ := activity().body["events"].([]any)
	for _, e := range events {
		if ev := e.(map[string]any); ev["action"] == "submit" {
			submitted = shanghaiMinute(parseTime(t, ev["at"].(string)))
		}
	}
	if fields["提交时间"] != submitted || fields["此前驳回"] != "" {
		t.Errorf("submitted %q, refused before %q; want %q and no refusal", fields["提交时间"], fields["此前驳回"], submitted)
	}
	// The queue carries each activity's team and history: no request per activity.
	if got := pageRequests(s, `^/api/v1/activities/\d+$`); len(got) > 0 {
		t.Errorf("the activity queue asked for each activity: %v", got)
	}
	s.shot("volunteer-activity-queue")

	// Refused without a reason: the server's words, and nothing changes.
	s.do("refuse without a reason", chromedp.Click(chromedp.CSS(item+` button[data-do=refuse]`)))
	s.waitFor("the refusal's error", scriptf(`document.querySelector(%s + ' .error')?.hidden === false`, item))
	want := admin.do("POST", fmt.Sprintf("/api/v1/activities/%d/review", id), map[string]any{"approve": false})
	if msg := serverMessage(want); want.status != 400 || msg == "" || s.text(item+" .error") != msg {
		t.Errorf("a refusal without a reason shows %q; the server answers %d %q", s.text(item+" .error"), want.status, msg)
	}
	if a := activity(); a.str("status") != "submitted" || a.str("review_note") != "" || strings.Contains(string(a.raw), `"action":"refuse"`) {
		t.Errorf("a refusal without a reason changed the activity: %s", a.raw)
	}
	if s.eval(scriptf(`document.querySelector(%s) !== null`, item)) != true {
		t.Error("the activity left the list without a decision")
	}

	s.do("refuse with a reason",
		chromedp.SendKeys(chromedp.CSS(item+` textarea[name=reason]`), reason),
		chromedp.Click(chromedp.CSS(item+` button[data-do=refuse]`)))
	s.waitFor("the activity off the list", scriptf(`document.querySelector(%s) === null`, item))
	if got := s.text("#review-done"); !strings.Contains(got, "已驳回") || !strings.Contains(got, title) || !strings.Contains(got, reason) {
		t.Errorf("after refusing, the page says %q", got)
	}
	if a := activity(); a.str("status") != "refused" || a.str("review_note") != reason {
		t.Errorf("the refused activity is %q with reason %q", a.str("status"), a.str("review_note"))
	}
	if a := lead.must(200, "GET", fmt.Sprintf("/api/v1/activities/%d", id), nil); a.str("review_note") != reason {
		t.Errorf("the organiser reads the reason %q", a.str("review_note"))
	}
	s.eval(`(() => { const f = document.getElementById('lookup'); f.elements.what.value = 'activities/refused'; f.dispatchEvent(new Event('change')); })()`)
	s.waitFor("the activity under 未通过的活动", scriptf(`[...document.querySelectorAll('#lookup-table tbody tr')].some((tr) => tr.textContent.includes(%s) && tr.textContent.includes(%s))`, title, reason))

	// The demo's activity waiting for review is published.
	demoItem := `[...document.querySelectorAll('#activity-queue li.review')].find((li) => li.querySelector('h3').textContent === '金牛岭公园义务植树')`
	demoID := s.eval(`(` + demoItem + `)?.dataset.id ?? null`)
	if demoID == nil {
		t.Fatal("the demo's activity waiting for review is not listed")
	}
	s.eval(demoItem + `.querySelector('button[data-do=approve]').click()`)
	s.waitFor("the demo activity off the list", demoItem+` === undefined`)
	if a := admin.must(200, "GET", fmt.Sprintf("/api/v1/activities/%v", demoID), nil); a.str("status") != "published" {
		t.Errorf("the approved demo activity is %q", a.str("status"))
	}
	s.waitFor("an empty queue", `document.querySelector('#activity-queue li.empty') !== null && document.getElementById('activity-count').textContent === '（0）'`)
	s.shot("volunteer-activity-decided")
}

// pageRequests answers the paths the page has requested so far (its
// resource timings) that match the regular expression pattern.
func pageRequests(s *browserSession, pattern string) []string {
	s.t.Helper()
	raw := s.eval(scriptf(`performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => new RegExp(%s).test(p))`, pattern))
	var out []string
	for _, p := range raw.([]any) {
		out = append(out, p.(string))
	}
	return out
}

// reviewFields answers an item's facts as its page shows them, by label.
func reviewFields(s *browserSession, item string) map[string]string {
	s.t.Helper()
	raw := s.eval(scriptf(`Object.fromEntries([...document.querySelectorAll(%s + ' dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]))`, item))
	out := map[string]string{}
	for k, v := range raw.(map[string]any) {
		out[k], _ = v.(string)
	}
	return out
}

// scriptf formats a script with each argument as a JavaScript string literal.
func scriptf(format string, args ...string) string {
	quoted := make([]any, len(args))
	for i, a := range args {
		b, _ := json.Marshal(a)
		quoted[i] = string(b)
	}
	return fmt.Sprintf(format, quoted...)
}

// shanghaiMinute renders a time as the console does (GJ.time).
func shanghaiMinute(at time.Time) string {
	return at.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")
}

func parseTime(t *testing.T, rfc3339 string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		t.Fatalf("time %q: %v", rfc3339, err)
	}
	return at
}

// serverMessage is the message of an error answer.
func serverMessage(a answer) string {
	e, _ := a.body["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}

// volunteerIDNumber completes 17 digits with their GB 11643 check character.
func volunteerIDNumber(first17 string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * weights[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

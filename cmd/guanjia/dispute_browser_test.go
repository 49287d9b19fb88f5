package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserDisputeFromPatrolToAgreement drives 大调解 in chromium: a grid
// manager reports a 城市管理问题 and a 矛盾纠纷 from the crew page on a
// phone; the dispatcher accepts and routes the dispute on its case page; the
// committee's mediator takes it on, schedules and records a session and
// records the agreement, whose PDF link answers a PDF; the grid manager
// does the 回访; the dashboard shows the 大调解 figures of the API.
func TestBrowserDisputeFromPatrolToAgreement(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	base := m.URL
	dispatcherAPI := login(t, m, "dispatcher")

	// 1. The grid manager of lh01 reports from patrol, on a phone, where they stand.
	gm := open("grid manager")
	gm.do("phone screen and position",
		chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			lat, lng, acc := browserSiteLat, browserSiteLng, 15.0
			if _, err := chromedp.Call(ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{
				Latitude: &lat, Longitude: &lng, Accuracy: &acc}); err != nil {
				return err
			}
			_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
				Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingGranted,
				Origin: base, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
			return err
		}))
	gm.login(base, "/crew", "grid-lh01")
	gm.waitFor("the patrol page", `document.querySelectorAll('#patrol-type option').length > 1 && document.querySelectorAll('#patrol-category option').length > 1`)
	gm.waitFor("the position", `document.getElementById('patrol-where').textContent.startsWith('已定位')`)
	if w := gm.eval(`document.documentElement.scrollWidth`); w.(float64) > 360 {
		t.Errorf("the grid manager's page is %v px wide on a 360-px screen", w)
	}

	// A 城市管理问题 becomes a patrol work order.
	gm.do("report a 城市管理问题",
		chromedp.SetValue(chromedp.ID("patrol-category"), "1101"),
		chromedp.SendKeys(chromedp.ID("patrol-description"), "巡查发现金盘路口垃圾堆积"),
		chromedp.Click(chromedp.ID("patrol-submit")))
	gm.waitFor("the work order in my reports", `[...document.querySelectorAll('#gm-complaints li.task')].some(li => li.textContent.includes('巡查发现金盘路口垃圾堆积'))`)
	orders := login(t, m, "grid-lh01").must(200, "GET", "/api/v1/complaints", nil)
	list, _ := orders.body["complaints"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["source"] != "patrol" {
		t.Fatalf("the grid manager's work orders: %s, want one patrol report", orders.raw)
	}
	// Its progress opens on the card, and stays open and current as the order moves.
	gm.do("open the report's progress", chromedp.Click(chromedp.CSS(`#gm-complaints li.task details summary`)))
	gm.waitFor("its timeline", `[...document.querySelectorAll('#gm-complaints .timeline li')].map(li => li.dataset.event).join() === 'dispatch,create'`)
	dispatcherAPI.must(200, "POST", fmt.Sprintf("/api/v1/complaints/%v/remind", list[0].(map[string]any)["id"]), map[string]any{"note": "请今日清运"})
	gm.waitFor("the 催办 in the open timeline", `(() => { const li = document.querySelector('#gm-complaints details[open] .timeline li');
		return li && li.dataset.event === 'remind' && li.textContent.includes('请今日清运') })()`)

	// A 矛盾纠纷 goes to 大调解.
	gm.do("report a 矛盾纠纷", chromedp.Click(chromedp.CSS(`#patrol-form input[name=kind][value=dispute]`)))
	gm.waitFor("the dispute fields", `!document.querySelector('[data-for=dispute]').hidden`)
	// Bad input is refused on the page, nothing is sent.
	gm.do("submit without a summary", chromedp.Click(chromedp.ID("patrol-submit")))
	gm.waitFor("what is missing", `document.getElementById('patrol-error').textContent.includes('纠纷概要')`)
	// A company respondent may come with its 统一社会信用代码 (optional): the field shows for 单位 only.
	kind := func(k string) {
		gm.eval(`(() => { const s = document.getElementById('patrol-respondent-kind'); s.value = '` + k + `';
			s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
	}
	kind("organisation")
	gm.waitFor("the credit code field", `!document.getElementById('patrol-respondent-code-row').hidden`)
	kind("person")
	gm.waitFor("no credit code field", `document.getElementById('patrol-respondent-code-row').hidden`)
	gm.do("fill in the dispute",
		chromedp.SetValue(chromedp.ID("patrol-type"), "neighbour"),
		chromedp.SendKeys(chromedp.ID("patrol-summary"), "楼上漏水邻里纠纷"),
		chromedp.SendKeys(chromedp.ID("patrol-applicant"), "王海"),
		chromedp.SendKeys(chromedp.ID("patrol-applicant-phone"), "13812345678"),
		chromedp.SendKeys(chromedp.ID("patrol-respondent"), "李明"),
		chromedp.SendKeys(chromedp.ID("patrol-description"), "楼上卫生间漏水一个月，楼下天花板发霉，协商赔偿未果"),
		chromedp.SendKeys(chromedp.ID("patrol-address"), "龙华区金盘路 12 号 3 栋"))
	gm.shot("dispute-01-patrol-form")
	gm.do("submit", chromedp.Click(chromedp.ID("patrol-submit")))
	gm.waitFor("the dispute in my tasks", `[...document.querySelectorAll('#gm-disputes li.task')].some(li => li.textContent.includes('楼上漏水邻里纠纷'))`)
	gm.shot("dispute-02-patrol-tasks")
	id := int64(gm.eval(`Number([...document.querySelectorAll('#gm-disputes li.task')].find(li => li.textContent.includes('楼上漏水邻里纠纷')).dataset.id)`).(float64))
	d := dispatcherAPI.must(200, "GET", fmt.Sprintf("/api/v1/disputes/%d", id), nil)
	if d.str("source") != "patrol" || d.str("grid_id") != "lh01" || d.str("status") != "reported" {
		t.Fatalf("the grid manager's dispute: source %q grid %q status %q, want patrol in lh01, reported", d.str("source"), d.str("grid_id"), d.str("status"))
	}

	// 2. The dispatcher finds it in the queue and takes it in.
	disp := open("dispatcher")
	disp.login(base, "/console/disputes", "dispatcher")
	row := fmt.Sprintf(`#dispute-table tr[data-id="%d"]`, id)
	disp.do("the queue row", chromedp.WaitVisible(chromedp.CSS(row)))
	disp.shot("dispute-03-queue")
	if got := disp.text(row + " .countdown"); !strings.Contains(got, "剩 3 天") {
		t.Errorf("the queue row of a dispute filed now: %q, want its three days to accept counting down", got)
	}
	disp.do("open the case", chromedp.Click(chromedp.CSS(row+" a")))
	disp.waitFor("the case page", fmt.Sprintf(`location.pathname === '/console/disputes/%d' && document.querySelector('form[data-action=accept]') !== null`, id))
	if got := disp.text("#dispute-due"); !strings.Contains(got, "剩 3 天") {
		t.Errorf("the case page of a dispute filed now: %q, want its three days to accept", got)
	}
	page := disp.text("#dispute-parties")
	if !strings.Contains(page, "138****5678") || strings.Contains(page, "13812345678") {
		t.Errorf("the parties should show the phone masked: %q", page)
	}
	disp.do("accept", chromedp.Click(chromedp.CSS(`form[data-action=accept] button[type=submit]`)))
	disp.waitFor("accepted, with the one-month deadline", `document.querySelector('#dispute-status .badge')?.textContent === '已受理' && document.querySelector('#dispute-due .countdown.ok') !== null`)
	disp.do("route by grid and type", chromedp.Click(chromedp.CSS(`form[data-action=route] button[type=submit]`)))
	disp.waitFor("routed", `document.querySelector('#dispute-status .badge')?.textContent === '已分流'`)
	d = dispatcherAPI.must(200, "GET", fmt.Sprintf("/api/v1/disputes/%d", id), nil)
	committee, _ := d.body["committee"].(map[string]any)
	code, _ := committee["code"].(string)
	if code == "" {
		t.Fatalf("routed without a committee: %s", d.raw)
	}
	if !strings.Contains(disp.text("#dispute-info"), committee["name"].(string)) {
		t.Errorf("the case page does not name the committee %v", committee["name"])
	}
	disp.waitFor("the assign form offers the committee's mediators by name",
		`[...document.querySelectorAll('form[data-action=assign] input[name=mediator]')].some(i => i.closest('label').textContent.trim() !== '')`)
	disp.shot("dispute-04-routed")

	// 3. The committee's mediator takes it on and mediates.
	med := open("mediator")
	med.login(base, fmt.Sprintf("/console/disputes/%d", id), "mediator-"+code)
	med.waitFor("the assign form", `document.querySelector('form[data-action=assign] input[name=me]')?.checked === true`)
	med.do("take it on", chromedp.Click(chromedp.CSS(`form[data-action=assign] button[type=submit]`)))
	med.waitFor("mediating", `document.querySelector('#dispute-status .badge')?.textContent === '调解中' && document.querySelector('form[data-action=schedule]') !== null`)
	med.do("schedule a session",
		chromedp.SendKeys(chromedp.CSS(`form[data-action=schedule] input[name=place]`), "金盘社区人民调解室"),
		chromedp.Click(chromedp.CSS(`form[data-action=schedule] button[type=submit]`)))
	med.waitFor("the session", `[...document.querySelectorAll('#dispute-sessions li[data-session]')].some(li => li.textContent.includes('金盘社区人民调解室'))`)
	unfold := func(action string) {
		med.eval(fmt.Sprintf(`document.querySelector('details[data-action=%s]') && (document.querySelector('details[data-action=%s]').open = true)`, action, action))
	}
	unfold("record")
	med.do("record the session",
		chromedp.SendKeys(chromedp.CSS(`form[data-action=record] input[name=attended]`), "申请人王海、被申请人李明"),
		chromedp.SendKeys(chromedp.CSS(`form[data-action=record] textarea[name=record]`), "双方到场，李明同意维修防水并赔偿"),
		chromedp.Click(chromedp.CSS(`form[data-action=record] button[type=submit]`)))
	med.waitFor("the record", `document.querySelector('#dispute-sessions').textContent.includes('李明同意维修防水并赔偿')`)
	unfold("succeed")
	med.do("record the agreement",
		chromedp.SendKeys(chromedp.CSS(`form[data-action=succeed] textarea[name=terms]`), "李明于十日内修复卫生间防水，并赔偿王海天花板维修费 2000 元"),
		chromedp.Click(chromedp.CSS(`form[data-action=succeed] button[type=submit]`)))
	med.waitFor("the agreement", `!document.getElementById('dispute-outcome-card').hidden && !document.getElementById('dispute-pdf').hidden`)
	d = dispatcherAPI.must(200, "GET", fmt.Sprintf("/api/v1/disputes/%d", id), nil)
	outcome, _ := d.body["outcome"].(map[string]any)
	number, _ := outcome["agreement_number"].(string)
	if number == "" || !strings.Contains(med.text("#dispute-outcome"), number) {
		t.Errorf("the case page should show the agreement number %q: %q", number, med.text("#dispute-outcome"))
	}
	if med.eval(`document.querySelector('#dispute-due .countdown.none') !== null`) != true {
		t.Error("the one-month deadline should stop being coloured once mediation succeeded")
	}
	for _, ev := range []string{"create", "accept", "route", "assign", "schedule", "record", "succeed"} {
		if med.eval(fmt.Sprintf(`document.querySelector('#dispute-timeline li[data-event=%s]') !== null`, ev)) != true {
			t.Errorf("the timeline has no %s event", ev)
		}
	}
	// The PDF link, fetched with the mediator's session, answers a PDF.
	med.eval(`fetch(document.getElementById('dispute-pdf').href).then(async (r) => {
		const head = new Uint8Array(await r.arrayBuffer()).slice(0, 5);
		window.pdfAnswer = r.status + ' ' + r.headers.get('content-type') + ' ' + String.fromCharCode(...head);
	})`)
	med.waitFor("the PDF", `window.pdfAnswer !== undefined`)
	if got := med.eval(`window.pdfAnswer`).(string); got != "200 application/pdf %PDF-" {
		t.Errorf("the agreement link answered %q, want a PDF", got)
	}
	med.shot("dispute-05-agreement")

	// 4. Back on patrol, the grid manager does the 回访.
	gm.do("reload", chromedp.Navigate(base+"/crew"))
	card := fmt.Sprintf(`#gm-disputes li.task[data-id="%d"]`, id)
	gm.waitFor("the 回访 task", fmt.Sprintf(`document.querySelector('%s form[data-action=follow_up]') !== null`, card))
	gm.do("回访", chromedp.SendKeys(chromedp.CSS(card+` textarea[name=note]`), "已修复防水，赔偿已付"),
		chromedp.Click(chromedp.CSS(card+` form[data-action=follow_up] button[type=submit]`)))
	eventually(t, 10*time.Second, func() error {
		d = dispatcherAPI.must(200, "GET", fmt.Sprintf("/api/v1/disputes/%d", id), nil)
		if fu, _ := d.body["follow_up"].(map[string]any); fu == nil || fu["kept"] != true {
			return fmt.Errorf("no 回访 recorded: %s", d.raw)
		}
		return nil
	})
	gm.shot("dispute-06-follow-up")

	// 5. The dashboard's 大调解 card shows the figures of the API.
	disp.do("open the dashboard", chromedp.Navigate(base+"/console/dashboard"))
	disp.waitFor("the 大调解 figures", `document.querySelector('#dispute-kpis [data-kpi=handled] .value') !== null && document.querySelector('#dispute-by-committee tbody tr[data-key]') !== null`)
	from := disp.eval(`document.querySelector('#range [name=from]').value`).(string)
	to := disp.eval(`document.querySelector('#range [name=to]').value`).(string)
	stats := dispatcherAPI.must(200, "GET", "/api/v1/disputes/stats?from="+from+"&to="+to, nil) // both days inclusive, as the dashboard asks
	total, _ := stats.body["total"].(map[string]any)
	if total["handled"].(float64) < 1 || total["succeeded"].(float64) < 1 {
		t.Errorf("the stats do not count the dispute: %s", stats.raw)
	}
	for key, want := range map[string]string{
		"handled": groupThousands(total["handled"]), "resolved": groupThousands(total["resolved"]),
		"pre_litigation": groupThousands(total["pre_litigation"]), "success_rate": rateText(total["success_rate"]),
	} {
		if got := disp.text(`#dispute-kpis [data-kpi=` + key + `] .value`); got != want {
			t.Errorf("dashboard 大调解 %s: %q, /api/v1/disputes/stats says %q", key, got, want)
		}
	}
	if !strings.Contains(disp.text("#dispute-by-committee"), committee["name"].(string)) {
		t.Errorf("the by-committee table lacks %v", committee["name"])
	}
	disp.eval(`document.getElementById('dispute-stats').scrollIntoView()`)
	disp.shot("dispute-07-dashboard")
}

// rateText formats a nullable rate as the 大调解 card does.
func rateText(v any) string {
	r, ok := v.(float64)
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(math.Round(r*1000)/10, 'f', 1, 64) + "%"
}

// TestBrowserPatrolKeepsAnOldSettledDispute: a grid manager's page lists
// the newest 100 disputes; one settled long before them, its 回访 due, is
// still on it, first, with the 回访 form.
func TestBrowserPatrolKeepsAnOldSettledDispute(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	gmAPI, dispatcherAPI := login(t, m, "grid-lh01"), login(t, m, "dispatcher")
	file := func(summary string) int64 {
		return int64(gmAPI.must(201, "POST", "/api/v1/disputes", map[string]any{"type": "neighbour", "summary": summary,
			"address": "龙华区金盘路 12 号", "lat": browserSiteLat, "lng": browserSiteLng,
			"parties": []map[string]any{{"role": "applicant", "kind": "person", "name": "王海", "phone": "13812345678"},
				{"role": "respondent", "kind": "person", "name": "李明"}}}).num("id"))
	}
	old := file("最早的一宗：楼上漏水")
	path := fmt.Sprintf("/api/v1/disputes/%d/", old)
	dispatcherAPI.must(200, "POST", path+"accept", nil)
	routed := dispatcherAPI.must(200, "POST", path+"route", nil)
	med := login(t, m, "mediator-"+routed.body["committee"].(map[string]any)["code"].(string))
	me := med.must(200, "GET", "/api/v1/me", nil).num("id")
	med.must(200, "POST", path+"assign", map[string]any{"mediators": []float64{me}})
	scheduled := med.must(200, "POST", path+"schedule", map[string]any{"at": time.Now().Add(time.Hour).Format(time.RFC3339), "place": "金盘社区人民调解室"})
	session := scheduled.body["sessions"].([]any)[0].(map[string]any)["id"]
	med.must(200, "POST", path+"record", map[string]any{"session": session, "record": "双方到场", "attended": "王海、李明"})
	med.must(200, "POST", path+"succeed", map[string]any{"terms": "李明十日内修复防水"})
	for i := range 100 {
		file(fmt.Sprintf("后来的纠纷 %d", i))
	}

	gm := open("grid manager")
	gm.login(m.URL, "/crew", "grid-lh01")
	gm.waitFor("the page's disputes", `document.querySelectorAll('#gm-disputes li.task').length >= 100`)
	first := fmt.Sprintf(`document.querySelector('#gm-disputes li.task')?.dataset.id === '%d'`, old)
	gm.waitFor("the settled dispute first", first)
	if !strings.Contains(gm.text("#gm-disputes li.task"), "回访") {
		t.Errorf("the settled dispute's card offers no 回访: %q", gm.text("#gm-disputes li.task"))
	}
}

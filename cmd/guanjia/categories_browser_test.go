package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// catalogueEntry answers category code as GET /api/v1/categories has it now.
func catalogueEntry(t *testing.T, c *client, code string) map[string]any {
	t.Helper()
	a := c.must(200, "GET", "/api/v1/categories", nil)
	for _, v := range a.body["categories"].([]any) {
		if cat := v.(map[string]any); cat["code"] == code {
			return cat
		}
	}
	return nil
}

// onSiteWindow is how long a complaint's crew has to arrive: from its
// dispatch to its arrive_by, as the API answers them.
func onSiteWindow(t *testing.T, a answer) time.Duration {
	t.Helper()
	dispatched, err1 := time.Parse(time.RFC3339Nano, a.str("dispatched_at"))
	arriveBy, err2 := time.Parse(time.RFC3339Nano, a.str("arrive_by"))
	if err1 != nil || err2 != nil {
		t.Fatalf("complaint without dispatched_at and arrive_by: %s", a.raw)
	}
	return arriveBy.Sub(dispatched)
}

// setField puts value in the form field sel and tells the page, as typing would.
func setField(s *browserSession, sel, value string) {
	s.t.Helper()
	s.eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q;
		el.dispatchEvent(new Event('input', { bubbles: true })); el.dispatchEvent(new Event('change', { bubbles: true })); })()`, sel, value))
}

// openCategoryPage signs the administrator in on 分类管理 and waits for the catalogue.
func openCategoryPage(t *testing.T, m *Main, open func(string) *browserSession) *browserSession {
	t.Helper()
	admin := open("admin")
	admin.login(m.URL, "/console/categories", "admin")
	admin.waitFor("the catalogue", `document.querySelectorAll('#category-table tr[data-code]').length >= 18`)
	return admin
}

// TestBrowserCategoryCatalogue: an administrator reads the demo catalogue by
// 大类: each category's department with its units, whether it goes
// point-to-point, its deadlines in minutes, hours and working days, its
// duplicate radius and how many examples it has; filters and search narrow it.
func TestBrowserCategoryCatalogue(t *testing.T) {
	m := startMain(t)
	open := newBrowser(t)
	admin := openCategoryPage(t, m, open)
	if got := admin.text(`.topbar nav a[aria-current=page]`); got != "分类管理" {
		t.Errorf("the menu marks %q", got)
	}
	examples := len(catalogueEntry(t, login(t, m, "admin"), "1101")["examples"].([]any))
	cell := func(code, col string) string {
		t.Helper()
		got, _ := admin.eval(fmt.Sprintf(`document.querySelector('#category-table tr[data-code=%q] td[data-col=%s]')?.textContent ?? ''`, code, col)).(string)
		return got
	}
	for _, c := range []struct{ code, col, want string }{
		{"1101", "name", "暴露垃圾"},
		{"1101", "dispatch", "点对点"},
		{"1101", "accept", "5 分钟"},
		{"1101", "arrive", "30 分钟"},
		{"1101", "resolve", "2 小时自然时"},
		{"1101", "radius", "50 米"},
		{"1101", "examples", fmt.Sprintf("%d 条", examples)},
		{"0102", "resolve", "2 个工作日工作时"}, // 14 working hours: two 工作日 of 7
		{"1401", "dispatch", "派至单位"},
		{"1401", "arrive", "不计（2 小时）"}, // only point-to-point orders have an on-site deadline
		{"1401", "resolve", "1 天自然时"},
	} {
		if got := cell(c.code, c.col); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.code, c.col, got, c.want)
		}
	}
	if got := cell("1101", "department"); !strings.HasPrefix(got, "环卫") || !strings.Contains(got, "龙华区环卫所") {
		t.Errorf("1101's department: %q, want 环卫 with its units", got)
	}
	if got := cell("1401", "department"); !strings.Contains(got, "海口威立雅水务有限公司") {
		t.Errorf("1401's department: %q, want the water company", got)
	}
	if got := admin.eval(`[...document.querySelectorAll('#category-table tbody[data-major="市容环境"] tr[data-code]')].map((tr) => tr.dataset.code).join(' ')`); got != "1101 1102 1103" {
		t.Errorf("the 市容环境 group holds %v", got)
	}
	admin.shot("categories")

	shown := func() string {
		return admin.eval(`[...document.querySelectorAll('#category-table tr[data-code]')].map((tr) => tr.dataset.code).join(' ')`).(string)
	}
	setField(admin, `#category-filters [name=major]`, "公用事业")
	admin.waitFor("公用事业 alone", `document.querySelectorAll('#category-table tr[data-code]').length === 4`)
	if got := shown(); got != "1401 1402 1403 1404" {
		t.Errorf("大类 公用事业 shows %s", got)
	}
	setField(admin, `#category-filters [name=major]`, "")
	setField(admin, `#category-filters [name=q]`, "垃圾")
	admin.waitFor("the search", `document.querySelectorAll('#category-table tr[data-code]').length === 2`)
	if got := shown(); got != "1101 1103" {
		t.Errorf("searching 垃圾 shows %s", got)
	}
	setField(admin, `#category-filters [name=q]`, "1403")
	admin.waitFor("the search by code", `document.querySelectorAll('#category-table tr[data-code]').length === 1`)
	if got := shown(); got != "1403" {
		t.Errorf("searching 1403 shows %s", got)
	}
}

// TestBrowserCategoryArriveDeadline: an administrator gives 暴露垃圾 a
// 20-minute on-site deadline. Zero or negative minutes are refused with the
// server's words on that field and change nothing; 20 minutes is saved, a
// report filed afterwards must be on site 20 minutes after its dispatch, and
// one dispatched before keeps its half hour, as the page says.
func TestBrowserCategoryArriveDeadline(t *testing.T) {
	m := startMain(t)
	open := newBrowser(t)
	adminAPI, citizen := login(t, m, "admin"), login(t, m, "citizen")
	report := func(dLat float64) answer {
		t.Helper()
		a := citizen.must(201, "POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": "路口有一堆垃圾没人清理",
			"lat": lh01Lat + dLat, "lng": lh01Lng, "coord_system": "wgs84", "address": "龙华区某路口"})
		if a.str("status") != "dispatched" || a.body["assignee"] == nil {
			t.Fatalf("want a point-to-point dispatch: %s", a.raw)
		}
		return a
	}
	earlier := report(0)
	if w := onSiteWindow(t, earlier); w < 30*time.Minute-time.Second || w > 30*time.Minute+time.Second {
		t.Fatalf("before the edit the crew has %v to arrive, want 30 min", w)
	}
	before := catalogueEntry(t, adminAPI, "1101")

	admin := openCategoryPage(t, m, open)
	admin.do("edit 暴露垃圾", chromedp.Click(chromedp.CSS(`#category-table tr[data-code="1101"] button`)))
	admin.waitFor("the editor", `!document.getElementById('category-form').hidden`)
	if got := admin.eval(`document.getElementById('cat-arrive').value + ' ' + document.querySelector('[name=arrive_unit]').selectedOptions[0].textContent`); got != "30 分钟" {
		t.Errorf("the editor shows the on-site deadline as %q, want 30 分钟", got)
	}

	for _, bad := range []string{"0", "-5"} {
		setField(admin, "#cat-arrive", bad)
		admin.do("save "+bad+" minutes", chromedp.Click(chromedp.CSS(`#category-form button[type=submit]`)))
		admin.waitFor("the refusal", `!document.getElementById('cat-arrive-err').hidden`)
		if got := admin.text("#cat-arrive-err"); got != "须大于 0" {
			t.Errorf("%s minutes to arrive: %q next to the field, want the server's 须大于 0", bad, got)
		}
		if admin.eval(`document.getElementById('cat-arrive').getAttribute('aria-invalid')`) != "true" {
			t.Errorf("%s minutes: the field is not marked", bad)
		}
		if admin.eval(`document.getElementById('category-form').hidden`) != false {
			t.Errorf("%s minutes: the editor closed on a refusal", bad)
		}
		if after := catalogueEntry(t, adminAPI, "1101"); !reflect.DeepEqual(after, before) {
			t.Fatalf("a refused save changed the category:\n%v\nwas\n%v", after, before)
		}
	}
	admin.shot("category-refused")

	setField(admin, "#cat-arrive", "20")
	admin.waitFor("the preview", `document.getElementById('cat-preview').textContent.includes('新工单须 20 分钟内到场')`)
	if got := admin.text("#cat-preview li.changes"); got != "本次修改：到场时限 30 分钟 → 20 分钟" {
		t.Errorf("the preview's changes: %q", got)
	}
	if got := admin.text(".preview"); !strings.Contains(got, "已派遣的工单保留派遣时算定的签收、到场和办结时限") {
		t.Errorf("the editor does not say that orders already dispatched keep their deadlines: %q", got)
	}
	admin.shot("category-preview")

	// Another administrator saves 1101 while it is open here: this save is
	// refused, not written over theirs; reopened, it goes through.
	adminAPI.must(200, "PUT", "/api/v1/categories/1101", map[string]any{"duplicate_radius_m": 60, "updated_at": before["updated_at"]})
	admin.do("save over it", chromedp.Click(chromedp.CSS(`#category-form button[type=submit]`)))
	admin.waitFor("the refusal", `!document.getElementById('category-form-error').hidden`)
	if got := admin.text("#category-form-error"); !strings.Contains(got, "刚被他人更新") {
		t.Errorf("a save over another's says %q", got)
	}
	before = catalogueEntry(t, adminAPI, "1101")
	if before["duplicate_radius_m"] != float64(60) || before["arrive_within_s"] != float64(1800) {
		t.Fatalf("the refused save changed the category: %v", before)
	}
	admin.do("reopen", chromedp.Click(chromedp.ID("category-cancel")))
	admin.waitFor("the list again", `document.getElementById('category-form').hidden && document.querySelector('#category-table tr[data-code="1101"] button') !== null`)
	admin.do("edit 暴露垃圾 again", chromedp.Click(chromedp.CSS(`#category-table tr[data-code="1101"] button`)))
	admin.waitFor("the editor", `!document.getElementById('category-form').hidden`)
	setField(admin, "#cat-arrive", "20")
	admin.do("save", chromedp.Click(chromedp.CSS(`#category-form button[type=submit]`)))
	admin.waitFor("the saved deadline in the list", `document.getElementById('category-form').hidden &&
		document.querySelector('#category-table tr[data-code="1101"] td[data-col=arrive]').textContent === '20 分钟'`)

	after := catalogueEntry(t, adminAPI, "1101")
	if after["arrive_within_s"] != float64(1200) {
		t.Fatalf("saved arrive_within_s %v, want 1200", after["arrive_within_s"])
	}
	if after["updated_at"] == before["updated_at"] {
		t.Error("the save kept the category's updated_at")
	}
	after["arrive_within_s"], after["updated_at"] = before["arrive_within_s"], before["updated_at"]
	if !reflect.DeepEqual(after, before) {
		t.Errorf("the save changed more than the on-site deadline:\n%v\nwas\n%v", after, before)
	}

	later := report(0.002) // about 220 m away: not a me-too of the first
	if w := onSiteWindow(t, later); w < 20*time.Minute-time.Second || w > 20*time.Minute+time.Second {
		t.Errorf("a report after the edit gives the crew %v to arrive, want 20 min", w)
	}
	kept := citizen.must(200, "GET", fmt.Sprintf("/api/v1/complaints/%d", int64(earlier.num("id"))), nil)
	if kept.str("arrive_by") != earlier.str("arrive_by") {
		t.Errorf("the order dispatched before the edit: arrive_by %s, was %s", kept.str("arrive_by"), earlier.str("arrive_by"))
	}
}

// TestBrowserCategoryExamplesAndNew: examples typed one a line (blank lines
// and spaces around them dropped) are stored as a list; a new category
// cannot take a code in use, and once added is in the catalogue, its name
// shown as typed, and takes reports.
func TestBrowserCategoryExamplesAndNew(t *testing.T) {
	m := startMain(t)
	open := newBrowser(t)
	adminAPI := login(t, m, "admin")
	admin := openCategoryPage(t, m, open)
	const markup = `<img src=x onerror=window.__xss=1>`

	admin.do("edit 暴露垃圾", chromedp.Click(chromedp.CSS(`#category-table tr[data-code="1101"] button`)))
	admin.waitFor("the editor", `!document.getElementById('category-form').hidden`)
	setField(admin, "#cat-examples", "路边堆了好多垃圾\n\n   垃圾没人清运  \n"+markup+"\n")
	admin.waitFor("the count", `document.getElementById('cat-preview').textContent.includes('3 条示例')`)
	admin.do("save", chromedp.Click(chromedp.CSS(`#category-form button[type=submit]`)))
	admin.waitFor("the saved examples in the list", `document.getElementById('category-form').hidden &&
		document.querySelector('#category-table tr[data-code="1101"] td[data-col=examples]').textContent === '3 条'`)
	want := []any{"路边堆了好多垃圾", "垃圾没人清运", markup}
	if got := catalogueEntry(t, adminAPI, "1101")["examples"]; !reflect.DeepEqual(got, want) {
		t.Errorf("stored examples %#v, want %#v", got, want)
	}
	admin.do("edit it again", chromedp.Click(chromedp.CSS(`#category-table tr[data-code="1101"] button`)))
	admin.waitFor("the editor", `!document.getElementById('category-form').hidden`)
	if got := admin.eval(`document.getElementById('cat-examples').value`); got != "路边堆了好多垃圾\n垃圾没人清运\n"+markup {
		t.Errorf("the editor shows the examples as %q", got)
	}
	admin.do("cancel", chromedp.Click(chromedp.ID("category-cancel")))

	// 新增分类 with a code in use would replace 暴露垃圾: the page refuses it.
	before := catalogueEntry(t, adminAPI, "1101")
	name := "楼道堆放杂物" + markup
	admin.do("add a category", chromedp.Click(chromedp.ID("category-new")))
	admin.waitFor("an empty editor", `!document.getElementById('category-form').hidden && document.getElementById('cat-code').value === ''`)
	for sel, v := range map[string]string{"#cat-code": "1101", "#cat-name": name, "#cat-major": "市容环境", "#cat-kind": "事件",
		"#cat-department": "环卫", "#cat-accept": "5", "#cat-arrive": "30", "#cat-resolve": "4",
		"#cat-examples": "楼道里堆满了杂物\n消防通道被杂物堵住"} {
		setField(admin, sel, v)
	}
	admin.eval(`document.getElementById('cat-p2p').click()`)
	admin.eval(`(() => { const s = document.querySelector('[name=resolve_unit]'); s.value = 'hour'; s.dispatchEvent(new Event('change', { bubbles: true })); })()`)
	admin.do("save with a code in use", chromedp.Click(chromedp.CSS(`#category-form button[type=submit]`)))
	admin.waitFor("the refusal", `!document.getElementById('cat-code-err').hidden`)
	if got := admin.text("#cat-code-err"); !strings.Contains(got, "1101") || !strings.Contains(got, "暴露垃圾") {
		t.Errorf("a new category with code 1101: %q", got)
	}
	if got := catalogueEntry(t, adminAPI, "1101"); !reflect.DeepEqual(got, before) {
		t.Fatalf("the refused new category replaced 1101: %v", got)
	}

	setField(admin, "#cat-code", "1104")
	admin.waitFor("the preview", `document.getElementById('cat-preview').textContent.includes('新工单须 30 分钟内到场')`)
	admin.do("save", chromedp.Click(chromedp.CSS(`#category-form button[type=submit]`)))
	admin.waitFor("the new category in its group", `document.getElementById('category-form').hidden &&
		document.querySelector('#category-table tbody[data-major="市容环境"] tr[data-code="1104"]') !== null`)
	literal, _ := json.Marshal(name)
	if got := admin.eval(fmt.Sprintf(`document.querySelector('#category-table tr[data-code="1104"] td[data-col=name]').textContent === %s`, literal)); got != true {
		t.Errorf("the new category's name is not shown as typed: %q", admin.text(`#category-table tr[data-code="1104"] td[data-col=name]`))
	}
	if admin.eval(`typeof window.__xss === 'undefined' && document.querySelectorAll('img[src="x"]').length === 0`) != true {
		t.Error("the name became markup")
	}
	admin.shot("category-added")
	added := catalogueEntry(t, adminAPI, "1104")
	delete(added, "updated_at")
	wantAdded := map[string]any{"code": "1104", "name": name, "kind": "事件", "major": "市容环境", "department": "环卫",
		"point_to_point": true, "accept_within_s": float64(300), "arrive_within_s": float64(1800), "resolve_within_s": float64(14400),
		"resolve_mode": "natural", "duplicate_radius_m": float64(50), "examples": []any{"楼道里堆满了杂物", "消防通道被杂物堵住"}, "retired": false}
	if !reflect.DeepEqual(added, wantAdded) {
		t.Errorf("the new category:\n%v\nwant\n%v", added, wantAdded)
	}
	a := login(t, m, "citizen").must(201, "POST", "/api/v1/complaints", map[string]any{"category": "1104", "description": "楼道里堆满了杂物",
		"lat": lh01Lat, "lng": lh01Lng, "coord_system": "wgs84", "address": "龙华区某小区"})
	if a.str("unit") != "lh-hw" || a.body["assignee"] == nil {
		t.Errorf("a report in the new category went to %s, want a crew member of lh-hw: %s", a.str("unit"), a.raw)
	}
}

// filingChoices answers the category codes a filing form offers, once it is
// filled: the hotline's datalist (/console/new) or the patrol select (/crew).
func filingChoices(t *testing.T, s *browserSession, page string) string {
	t.Helper()
	switch page {
	case "new":
		s.waitFor("the categories offered", `document.querySelectorAll('#category-list option').length > 0`)
		return s.eval(`[...document.querySelectorAll('#category-list option')].map((o) => o.value.split(' ')[0]).join(' ')`).(string)
	default:
		s.waitFor("the categories offered", `document.querySelectorAll('#patrol-category option').length > 1`)
		return s.eval(`[...document.querySelectorAll('#patrol-category option')].map((o) => o.value).filter(Boolean).join(' ')`).(string)
	}
}

// TestBrowserCategoryRetire: an administrator retires 道路不洁 from its row,
// after a confirmation that says what it means (cancelled once: nothing
// changes). The catalogue keeps it, marked 已停用, with 启用 in place of
// 停用; the hotline's new-call form and the grid manager's patrol form no
// longer offer it, and a citizen filing it is refused, while the order filed
// before still shows it in the queue and the queue's filter still has it.
// Brought back with 启用, it is offered again.
func TestBrowserCategoryRetire(t *testing.T) {
	m := startMain(t)
	open := newBrowser(t)
	adminAPI, citizen := login(t, m, "admin"), login(t, m, "citizen")
	filed := citizen.must(201, "POST", "/api/v1/complaints", map[string]any{"category": "1102", "description": "人行道上满地落叶和纸屑",
		"lat": lh01Lat, "lng": lh01Lng, "coord_system": "wgs84", "address": "龙华区某人行道"})

	admin := openCategoryPage(t, m, open)
	const row = `#category-table tr[data-code="1102"]`
	admin.do("停用 道路不洁", chromedp.Click(chromedp.CSS(row+` button[data-action=retire]`)))
	admin.waitFor("the confirmation", `!document.getElementById('category-retire').hidden`)
	if got := admin.text("#category-retire-title"); !strings.Contains(got, "停用") || !strings.Contains(got, "道路不洁") {
		t.Errorf("the confirmation asks %q", got)
	}
	if got := admin.text("#category-retire-text"); !strings.Contains(got, "不再提供该分类") || !strings.Contains(got, "已有工单保留该分类") {
		t.Errorf("the confirmation says %q", got)
	}
	admin.shot("category-retire-confirm")
	admin.do("cancel", chromedp.Click(chromedp.ID("category-retire-cancel")))
	admin.waitFor("the confirmation closed", `document.getElementById('category-retire').hidden`)
	if got := catalogueEntry(t, adminAPI, "1102"); got["retired"] != false {
		t.Fatalf("a cancelled 停用 retired the category: %v", got)
	}

	// Another administrator saves 1102 while the question is open: this
	// 停用 is refused, not made over their save; asked again, it goes through.
	admin.do("停用 道路不洁 again", chromedp.Click(chromedp.CSS(row+` button[data-action=retire]`)))
	admin.waitFor("the confirmation", `!document.getElementById('category-retire').hidden`)
	read := catalogueEntry(t, adminAPI, "1102")
	adminAPI.must(200, "PUT", "/api/v1/categories/1102", map[string]any{"duplicate_radius_m": 60, "updated_at": read["updated_at"]})
	admin.do("confirm over it", chromedp.Click(chromedp.ID("category-retire-confirm")))
	admin.waitFor("the refusal", `!document.getElementById('category-retire-error').hidden`)
	if got := admin.text("#category-retire-error"); !strings.Contains(got, "刚被他人更新") {
		t.Errorf("a 停用 over another's save says %q", got)
	}
	if got := catalogueEntry(t, adminAPI, "1102"); got["retired"] != false || got["duplicate_radius_m"] != float64(60) {
		t.Fatalf("the refused 停用 changed the category: %v", got)
	}
	admin.do("confirm", chromedp.Click(chromedp.ID("category-retire-confirm")))
	admin.waitFor("the row marked", `document.getElementById('category-retire').hidden &&
		document.querySelector('`+row+`.retired td[data-col=name] .badge')?.textContent === '已停用'`)
	if got := admin.text(row + ` button[data-action=enable]`); got != "启用" {
		t.Errorf("a retired category's button says %q, want 启用", got)
	}
	if got := admin.text("#category-summary"); !strings.Contains(got, "其中 1 个已停用") {
		t.Errorf("the summary: %q", got)
	}
	admin.shot("category-retired")
	setField(admin, `#category-filters [name=status]`, "retired")
	admin.waitFor("the retired alone", `document.querySelectorAll('#category-table tr[data-code]').length === 1`)
	if got := admin.eval(`document.querySelector('#category-table tr[data-code]').dataset.code`); got != "1102" {
		t.Errorf("状态 已停用 shows %v", got)
	}
	setField(admin, `#category-filters [name=status]`, "")
	if got := catalogueEntry(t, adminAPI, "1102"); got["retired"] != true || got["name"] != "道路不洁" || got["duplicate_radius_m"] != float64(60) {
		t.Fatalf("after 停用 the API has %v", got)
	}

	agent := open("agent")
	agent.login(m.URL, "/console/new", "agent")
	if got := filingChoices(t, agent, "new"); strings.Contains(" "+got+" ", " 1102 ") || !strings.Contains(got, "1101") {
		t.Errorf("the new-call form offers %s", got)
	}
	gm := open("grid manager")
	gm.login(m.URL, "/crew", "grid-lh01")
	if got := filingChoices(t, gm, "patrol"); strings.Contains(" "+got+" ", " 1102 ") || !strings.Contains(got, "1101") {
		t.Errorf("the patrol form offers %s", got)
	}
	refused := citizen.do("POST", "/api/v1/complaints", map[string]any{"category": "1102", "description": "人行道上又是满地纸屑",
		"lat": lh01Lat + 0.002, "lng": lh01Lng, "coord_system": "wgs84", "address": "龙华区某人行道"})
	if msg, _ := refused.body["error"].(map[string]any); refused.status != 400 || msg["field"] != "category" || !strings.Contains(fmt.Sprint(msg["message"]), "已停用") {
		t.Errorf("a citizen files under the retired category: %d %s", refused.status, refused.raw)
	}

	disp := open("dispatcher")
	disp.login(m.URL, "/console/queue", "dispatcher")
	disp.waitFor("the order filed before, named", fmt.Sprintf(`document.querySelector('#queue-table tbody tr[data-id="%d"] td:nth-child(3)')?.textContent === '道路不洁'`,
		int64(filed.num("id"))))
	if got := disp.eval(`document.querySelector('#filters [name=category] option[value="1102"]')?.textContent ?? ''`); !strings.Contains(got.(string), "道路不洁") {
		t.Errorf("the queue's filter no longer has the retired category: %q", got)
	}

	admin.do("启用 道路不洁", chromedp.Click(chromedp.CSS(row+` button[data-action=enable]`)))
	admin.waitFor("the confirmation", `!document.getElementById('category-retire').hidden`)
	if got := admin.text("#category-retire-confirm"); got != "确认启用" {
		t.Errorf("the confirmation's button says %q", got)
	}
	admin.do("confirm", chromedp.Click(chromedp.ID("category-retire-confirm")))
	admin.waitFor("the row back", `document.getElementById('category-retire').hidden &&
		document.querySelector('`+row+`:not(.retired) button[data-action=retire]') !== null`)
	if got := catalogueEntry(t, adminAPI, "1102"); got["retired"] != false {
		t.Fatalf("after 启用 the API has %v", got)
	}
	agent.do("reload the new-call form", chromedp.Navigate(m.URL+"/console/new"))
	if got := filingChoices(t, agent, "new"); !strings.Contains(" "+got+" ", " 1102 ") {
		t.Errorf("brought back, the new-call form offers %s", got)
	}
}

// TestBrowserCategoryArriveOptional: the on-site deadline is marked 选填 for
// a category dispatched to a unit, and required once 点对点 is ticked; left
// empty for 停水, it is saved as none and the list says 不计.
func TestBrowserCategoryArriveOptional(t *testing.T) {
	m := startMain(t)
	open := newBrowser(t)
	adminAPI := login(t, m, "admin")
	admin := openCategoryPage(t, m, open)
	marks := func() string {
		return admin.eval(`(document.getElementById('cat-arrive-req').hidden ? '' : 'required') +
			(document.getElementById('cat-arrive-optional').hidden ? '' : '选填')`).(string)
	}
	admin.do("edit 停水", chromedp.Click(chromedp.CSS(`#category-table tr[data-code="1401"] button`)))
	admin.waitFor("the editor", `!document.getElementById('category-form').hidden`)
	if got := marks(); got != "选填" {
		t.Errorf("a unit-level category's on-site deadline is marked %q, want 选填", got)
	}
	admin.eval(`document.getElementById('cat-p2p').click()`)
	if got := marks(); got != "required" {
		t.Errorf("ticked 点对点, the on-site deadline is marked %q, want required", got)
	}
	admin.eval(`document.getElementById('cat-p2p').click()`)
	setField(admin, "#cat-arrive", "")
	admin.waitFor("the preview", `document.getElementById('cat-preview').textContent.includes('到场时限 2 小时 → 未填写')`)
	admin.do("save", chromedp.Click(chromedp.CSS(`#category-form button[type=submit]`)))
	admin.waitFor("the saved category in the list", `document.getElementById('category-form').hidden &&
		document.querySelector('#category-table tr[data-code="1401"] td[data-col=arrive]').textContent === '不计'`)
	if got := catalogueEntry(t, adminAPI, "1401"); got["arrive_within_s"] != float64(0) || got["point_to_point"] != false {
		t.Errorf("saved 停水: %v", got)
	}

	// 点对点 needs the deadline: the form says so before asking the server.
	admin.do("edit 停水 again", chromedp.Click(chromedp.CSS(`#category-table tr[data-code="1401"] button`)))
	admin.waitFor("the editor", `!document.getElementById('category-form').hidden`)
	if got := admin.eval(`document.getElementById('cat-arrive').value`); got != "" {
		t.Errorf("no on-site deadline shows as %q", got)
	}
	admin.eval(`document.getElementById('cat-p2p').click()`)
	admin.do("save", chromedp.Click(chromedp.CSS(`#category-form button[type=submit]`)))
	admin.waitFor("the refusal", `!document.getElementById('cat-arrive-err').hidden`)
	if got := admin.text("#cat-arrive-err"); got != "请填写时限" {
		t.Errorf("point-to-point without an on-site deadline: %q", got)
	}
	if got := catalogueEntry(t, adminAPI, "1401"); got["point_to_point"] != false {
		t.Errorf("a refused save changed 停水: %v", got)
	}
}

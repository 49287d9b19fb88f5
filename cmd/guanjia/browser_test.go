package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"guanjia/internal/demo"
)

// chromiumPath is Debian's chromium. Without it the browser tests skip on a
// developer's machine, and fail in CI, where .ci/run installs it.
const chromiumPath = "/usr/bin/chromium"

// browserSession is one person's browser: its own cookies (a browser context)
// and one tab, whose uncaught script errors fail the test.
type browserSession struct {
	t    *testing.T
	name string
	ctx  context.Context
	dir  string // screenshots

	mu     sync.Mutex
	errors []string
}

// newBrowser starts a headless chromium for the test and returns a func that
// opens a session for one person.
func newBrowser(t *testing.T) func(name string) *browserSession {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser tests need %s in CI: %v", chromiumPath, err)
		}
		t.Skipf("%s not installed (apt-get install chromium)", chromiumPath)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath), chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "zh-CN"), chromedp.WindowSize(1366, 900))
	root, cancelRoot := chromedp.NewContext(alloc)
	if err := chromedp.Do(root); err != nil { // starts the browser
		cancelRoot()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { cancelRoot(); cancelAlloc() })

	dir := os.Getenv("GUANJIA_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else {
		dir = filepath.Join(dir, "browser")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
	return func(name string) *browserSession {
		ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		s := &browserSession{t: t, name: name, ctx: ctx, dir: dir}
		if err := chromedp.Listen(ctx, func(ev any) {
			if e, ok := ev.(*runtime.EventExceptionThrown); ok {
				msg := e.ExceptionDetails.Text
				if e.ExceptionDetails.Exception != nil {
					msg += " " + e.ExceptionDetails.Exception.Description
				}
				s.mu.Lock()
				s.errors = append(s.errors, fmt.Sprintf("%s:%d %s", e.ExceptionDetails.URL, e.ExceptionDetails.LineNumber, msg))
				s.mu.Unlock()
			}
		}); err != nil {
			t.Fatalf("%s: open tab: %v", name, err)
		}
		// Record what the pages' Content-Security-Policy blocks: a blocked
		// script or style is a broken page that throws nothing.
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.cspViolations = []; document.addEventListener('securitypolicyviolation',
				(e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(s.checkScriptErrors)
		return s
	}
}

func (s *browserSession) checkScriptErrors() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.errors {
		s.t.Errorf("%s: uncaught script error: %s", s.name, e)
	}
}

// do runs steps with a bound on how long they may take.
func (s *browserSession) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		s.shot("failed-" + s.name)
		s.t.Fatalf("%s: %s: %v", s.name, what, err)
	}
}

func (s *browserSession) text(sel string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		s.shot("failed-" + s.name)
		s.t.Fatalf("%s: read %s: %v", s.name, sel, err)
	}
	return strings.TrimSpace(v)
}

func (s *browserSession) eval(expr string) any {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[any](expr))
	if err != nil {
		s.t.Fatalf("%s: evaluate %s: %v", s.name, expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it is true. It polls from Go
// so that it survives the page navigating meanwhile.
func (s *browserSession) waitFor(what, cond string) {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(s.ctx, 2*time.Second)
		var ok bool
		ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`Boolean(`+cond+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.shot("failed-" + s.name)
	s.t.Fatalf("%s: timed out waiting for %s (last error: %v)", s.name, what, err)
}

// shot saves a full-page screenshot as NAME.png, after checking that the
// page shows no leaked script values.
func (s *browserSession) shot(name string) {
	s.t.Helper()
	if !strings.HasPrefix(name, "failed-") {
		if leak, _ := chromedp.Run(s.ctx, chromedp.Evaluate[string](
			`(document.body.innerText.match(/\b(null|undefined|NaN)\b|\[object \w+\]/) || [''])[0]`)); leak != "" {
			s.t.Errorf("%s: page %s shows %q", s.name, name, leak)
		}
		if blocked, _ := chromedp.Run(s.ctx, chromedp.Evaluate[string](`window.cspViolations ? window.cspViolations.join('; ') : 'no CSP recorder'`)); blocked != "" {
			s.t.Errorf("%s: page %s had content blocked: %s", s.name, name, blocked)
		}
	}
	png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Logf("%s: screenshot %s: %v", s.name, name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644); err != nil {
		s.t.Errorf("save screenshot: %v", err)
	}
}

// login opens path, which sends a stranger to the login page, signs in and
// waits to be back on path.
func (s *browserSession) login(base, path, username string) {
	s.t.Helper()
	s.do("open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.ID("username")))
	s.do("sign in as "+username,
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)))
	s.waitFor("the page after login", fmt.Sprintf(`location.pathname === %q && document.readyState === "complete"`, strings.Split(path, "?")[0]))
}

// A point in grid lh01 (龙华区中山街道第1网格), where crew-lh01-hw patrols.
const browserSiteLat, browserSiteLng = 20.0035, 110.2900

// TestBrowserCallToClosure drives the console and the crew page in chromium
// through the whole loop: a hotline call becomes a work order, shows up in
// the live queue with a countdown, is redispatched, worked on a phone-sized
// crew page, closed, and counted on the dashboard.
func TestBrowserCallToClosure(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	base := m.URL
	dispatcherAPI := login(t, m, "dispatcher")
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	statsToday := func() map[string]any {
		a := dispatcherAPI.do("GET", "/api/v1/stats?from="+today+"&to="+today, nil)
		if a.status != 200 {
			t.Fatalf("stats: %d %s", a.status, a.raw)
		}
		total, _ := a.body["total"].(map[string]any)
		return total
	}

	// The dispatcher watches today's dashboard before the call comes in.
	disp := open("dispatcher")
	disp.login(base, "/console/dashboard", "dispatcher")
	disp.waitFor("today's figures", `document.querySelector('#kpi-today [data-kpi=received] .value') !== null`)
	before := disp.text(`#kpi-today [data-kpi=received] .value`)
	beforeStats := statsToday()
	if want := groupThousands(beforeStats["received"]); before != want {
		t.Errorf("dashboard received today before: %q, /api/v1/stats says %q", before, want)
	}

	// 1. An agent signs in and files the call.
	agent := open("agent")
	agent.login(base, "/console/new", "agent")
	agent.do("fill in the call",
		chromedp.SendKeys(chromedp.ID("caller_phone"), "13812345678"),
		chromedp.SendKeys(chromedp.ID("caller_name"), "王女士"),
		chromedp.SendKeys(chromedp.ID("category"), "1101 暴露垃圾"),
		chromedp.SendKeys(chromedp.ID("description"), "滨海大道辅路有一堆生活垃圾无人清运，有异味"),
		chromedp.SendKeys(chromedp.ID("address"), "龙华区滨海大道与龙华路交叉口东南角"),
		chromedp.SendKeys(chromedp.ID("lat"), strconv.FormatFloat(browserSiteLat, 'f', 4, 64)),
		chromedp.SendKeys(chromedp.ID("lng"), strconv.FormatFloat(browserSiteLng, 'f', 4, 64)+"\t"))
	agent.waitFor("the nearby check", `document.getElementById('nearby-hint').textContent.includes('米内')`)
	agent.waitFor("the map pin", `document.querySelectorAll('#map .leaflet-marker-icon').length === 1`)
	agent.shot("01-new-call")
	agent.do("save", chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.ID("new-order-link")))
	link := agent.text("#new-order-link")
	id, err := strconv.ParseInt(strings.TrimPrefix(link, "#"), 10, 64)
	if err != nil {
		t.Fatalf("new order link %q: %v", link, err)
	}
	result := agent.text("#result")
	if !strings.Contains(result, "138****5678") || strings.Contains(result, "13812345678") {
		t.Errorf("after saving, the caller's phone should show masked: %q", result)
	}
	if phone := agent.eval(`document.getElementById('caller_phone').value`); phone != "" {
		t.Errorf("the phone field still holds %q after saving", phone)
	}
	// Nothing of this call, its place least of all, is left for the next one.
	if left := agent.eval(`['category', 'address', 'lat', 'lng'].map((id) => document.getElementById(id).value).join('') +
		document.querySelectorAll('#map .leaflet-marker-icon').length + document.querySelectorAll('#nearby li').length`); left != "00" {
		t.Errorf("after saving, the form still holds the call's place: %q", left)
	}
	agent.shot("02-call-saved")

	// 2. It is in the live queue with a running countdown to 签收.
	row := fmt.Sprintf(`#queue-table tr[data-id="%d"]`, id)
	agent.do("open the queue", chromedp.Navigate(base+"/console/queue"), chromedp.WaitVisible(chromedp.CSS(row)))
	agent.waitFor("the live feed", `document.getElementById('live-state').classList.contains('on')`)
	countdown := agent.text(row + " .countdown")
	if !strings.HasPrefix(countdown, "签收剩") || agent.eval(`document.querySelector('`+row+` .countdown').classList.contains('ok')`) != true {
		t.Errorf("queue countdown: %q, want a green 签收剩 …", countdown)
	}
	firstCrew := agent.text(row + " td:nth-child(7)")
	agent.eval(`window.sameQueuePage = true`) // survives only if the page is never reloaded
	agent.shot("03-queue")

	// 3. The dispatcher redispatches it to another crew member of the unit.
	var crewID int64
	crews := dispatcherAPI.do("GET", "/api/v1/crews?unit=lh-hw", nil)
	for _, c := range crews.body["crews"].([]any) {
		c := c.(map[string]any)
		if c["name"] == "龙华区环卫02号" {
			crewID = int64(c["id"].(float64))
		}
	}
	if crewID == 0 {
		t.Fatalf("crew 龙华区环卫02号 (crew-lh02-hw) not in %s", crews.raw)
	}
	disp.do("open the order", chromedp.Navigate(fmt.Sprintf("%s/console/orders/%d", base, id)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-action=dispatch]`)))
	disp.do("redispatch, restarting the on-site clock",
		chromedp.SetValue(chromedp.CSS(`form[data-action=dispatch] select[name=crew]`), strconv.FormatInt(crewID, 10)),
		chromedp.SendKeys(chromedp.CSS(`form[data-action=dispatch] textarea[name=note]`), "01号人员在处理积水，改派02号"),
		chromedp.Click(chromedp.CSS(`form[data-action=dispatch] input[name=restart_arrival]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-action=dispatch] textarea[name=reason]`), "首派人员无法到场"),
		chromedp.Click(chromedp.CSS(`form[data-action=dispatch] button[type=submit]`)))
	disp.waitFor("the redispatch on the timeline", `[...document.querySelectorAll('#timeline li[data-event=dispatch]')].some(li => li.textContent.includes('龙华区环卫02号') && li.textContent.includes('重新计算到场时限: 首派人员无法到场'))`)
	disp.shot("04-order-redispatched")

	// The agent's queue follows without a reload.
	agent.waitFor("the queue row to show the new crew member", fmt.Sprintf(`document.querySelector('%s td:nth-child(7)').textContent === '龙华区环卫02号'`, row))
	if agent.eval(`window.sameQueuePage === true`) != true {
		t.Error("the queue page reloaded; it should update in place")
	}
	if firstCrew == "龙华区环卫02号" {
		t.Errorf("the order went to %s first; the redispatch changed nothing", firstCrew)
	}
	agent.shot("05-queue-live-update")
	// The countdown races the citizen's on-site deadline whoever holds the
	// order: the desk after 退单, the unit's queue after a missed sign-for.
	for _, c := range []struct{ order, want string }{
		{`{status: 'returned', arrive_by: soon, resolve_by: later, dispatched_at: past}`, "到场"},
		{`{status: 'dispatched', accept_by: past, arrive_by: soon, resolve_by: later, dispatched_at: past}`, "到场"},
		{`{status: 'dispatched', accept_by: sooner, arrive_by: soon, resolve_by: later, dispatched_at: past}`, "签收"},
		{`{status: 'on_site', arrive_by: soon, arrived_at: past, resolve_by: later, dispatched_at: past}`, "办结"},
	} {
		got := agent.eval(`(() => {
			const t = (min) => new Date(Date.now() + min * 60000).toISOString();
			const past = t(-5), sooner = t(3), soon = t(20), later = t(600);
			return GJ.nextDeadline(` + c.order + `).what;
		})()`)
		if got != c.want {
			t.Errorf("the countdown of %s races %v, want %s", c.order, got, c.want)
		}
	}

	// 4. The crew member works it on a 360-px phone screen, checking in by GPS.
	crew := open("crew")
	crew.do("phone screen and position",
		chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		at(base, browserSiteLat+0.0002, browserSiteLng+0.0001)) // about 25 m from the site
	crew.login(base, "/crew", "crew-lh02-hw")
	task := fmt.Sprintf(`li.task[data-id="%d"]`, id)
	crew.do("see the task", chromedp.WaitVisible(chromedp.CSS(task)))
	if w := crew.eval(`document.documentElement.scrollWidth`); w.(float64) > 360 {
		t.Errorf("the crew page is %v px wide on a 360-px screen", w)
	}
	if cd := crew.text(task + " .countdown"); !strings.HasPrefix(cd, "签收剩") {
		t.Errorf("crew countdown: %q, want 签收剩 …", cd)
	}
	crew.shot("06-crew-task")
	crew.do("accept", chromedp.Click(chromedp.CSS(task+` button[data-do=accept]`)))
	crew.waitFor("accepted", fmt.Sprintf(`document.querySelector('%s')?.dataset.status === 'accepted'`, task))
	if cd := crew.text(task + " .countdown"); !strings.HasPrefix(cd, "到场剩") {
		t.Errorf("after accepting, the countdown should run to 到场: %q", cd)
	}
	crew.do("check in", chromedp.Click(chromedp.CSS(task+` button[data-do=arrive]`)))
	crew.waitFor("on site", fmt.Sprintf(`document.querySelector('%s')?.dataset.status === 'on_site'`, task))
	photo := filepath.Join(t.TempDir(), "after.png")
	if err := os.WriteFile(photo, pngBytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// The note first, then the photo, as a tap leaves it: the file input focused.
	crew.do("describe the work", chromedp.SendKeys(chromedp.ID(fmt.Sprintf("resolve-%d", id)), "已清运垃圾并冲洗地面"))
	crew.do("upload the after photo",
		chromedp.SetValue(chromedp.ID(fmt.Sprintf("kind-%d", id)), "after"),
		chromedp.Focus(chromedp.ID(fmt.Sprintf("file-%d", id))),
		chromedp.SetUploadFiles(chromedp.ID(fmt.Sprintf("file-%d", id)), []string{photo}))
	crew.waitFor("the photo on the card", fmt.Sprintf(`document.querySelectorAll('%s .photos img').length === 1`, task))
	if note := crew.eval(fmt.Sprintf(`document.getElementById('resolve-%d').value`, id)); note != "已清运垃圾并冲洗地面" {
		t.Errorf("the note being written after the upload: %q", note)
	}
	crew.shot("07-crew-on-site")
	// Clicked in the page: the upload's live update may redraw the card (keeping the note) at any moment.
	crew.eval(`document.querySelector('` + task + ` form[data-action=resolve] button[type=submit]').click()`)
	crew.waitFor("the task to leave my list", fmt.Sprintf(`document.querySelector('%s') === null`, task))
	if done := dispatcherAPI.do("GET", fmt.Sprintf("/api/v1/complaints/%d", id), nil); !strings.Contains(string(done.raw), "[照片: ") {
		t.Errorf("the resolve step does not name the photo uploaded before it: %s", done.raw)
	}
	crew.shot("08-crew-done")

	// 5. The dispatcher's order page has followed along; verify and close.
	disp.do("close", chromedp.WaitVisible(chromedp.CSS(`form[data-action=close]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-action=close] textarea[name=note]`), "视频核查已清理干净"),
		chromedp.Click(chromedp.CSS(`form[data-action=close] button[type=submit]`)))
	disp.waitFor("closed", `document.querySelector('#order-status .badge')?.textContent === '已结案'`)
	// The caller answers the follow-up call: 基本满意, solved.
	disp.do("record the caller's rating", chromedp.WaitVisible(chromedp.CSS(`form[data-action=rate]`)),
		chromedp.SetValue(chromedp.CSS(`form[data-action=rate] select[name=score]`), "2"),
		chromedp.SendKeys(chromedp.CSS(`form[data-action=rate] textarea[name=comment]`), "清理及时"),
		chromedp.Click(chromedp.CSS(`form[data-action=rate] button[type=submit]`)))
	disp.waitFor("the rating on the timeline", `document.querySelector('#timeline li[data-event=rate]')?.textContent.includes('电话回访: 基本满意')`)
	if rated := dispatcherAPI.do("GET", fmt.Sprintf("/api/v1/complaints/%d", id), nil); rated.num("rating") != 2 || rated.str("status") != "closed" {
		t.Errorf("after the phone rating: rating %v, status %s; want 2 (基本满意), closed", rated.num("rating"), rated.str("status"))
	}
	for _, ev := range []string{"accept", "arrive", "resolve", "close", "rate"} {
		if disp.eval(fmt.Sprintf(`document.querySelector('#timeline li[data-event=%s]') !== null`, ev)) != true {
			t.Errorf("the timeline has no %s event", ev)
		}
	}
	if disp.eval(`document.querySelectorAll('#order-photos img').length`) != float64(1) {
		t.Error("the order page should show the crew's after photo")
	}
	disp.waitFor("the push log in words", `document.getElementById('deliveries').textContent.includes('新任务 · 站内消息') && !document.getElementById('deliveries').textContent.includes('task_assigned')`)
	disp.shot("09-order-closed")

	// 6. The dashboard counts the order, with the numbers of /api/v1/stats.
	disp.do("open the dashboard", chromedp.Navigate(base+"/console/dashboard"))
	disp.waitFor("today's figures", `document.querySelector('#kpi-today [data-kpi=received] .value') !== null`)
	after := statsToday()
	for key, want := range map[string]float64{"received": 1, "handled": 1, "closed": 1, "ratings": 1} {
		if got := after[key].(float64) - beforeStats[key].(float64); got != want {
			t.Errorf("/api/v1/stats %s went up by %v, want %v", key, got, want)
		}
	}
	for key, want := range map[string]string{
		"received": groupThousands(after["received"]), "handled": groupThousands(after["handled"]),
		"handling_rate": percent(after["handling_rate"], after["received"]), "handled_on_time_rate": percent(after["handled_on_time_rate"], after["handled"]),
		"closed_on_time_rate": percent(after["closed_on_time_rate"], after["closed"]), "rework_rate": percent(after["rework_rate"], after["ever_handled"]),
		"satisfaction_rate": percent(after["satisfaction_rate"], after["ratings"]), "solution_rate": percent(after["solution_rate"], after["solved_answers"]),
		"sign_on_time_rate": percent(after["sign_on_time_rate"], after["sign_due"]), "arrive_on_time_rate": percent(after["arrive_on_time_rate"], after["arrive_due"]),
	} {
		if got := disp.text(`#kpi-today [data-kpi=` + key + `] .value`); got != want {
			t.Errorf("dashboard %s today: %q, /api/v1/stats says %q", key, got, want)
		}
	}
	if disp.text(`#kpi-today [data-kpi=received] .value`) == before {
		t.Error("the dashboard's received count did not change")
	}
	disp.waitFor("the unit table", `document.querySelector('#table-unit tr[data-key="lh-hw"]') !== null`)
	disp.shot("10-dashboard")
}

// at places the browser's device at lat, lng (WGS-84) and lets base's pages
// read the position.
func at(base string, lat, lng float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		acc := 10.0
		_, err := chromedp.Call(ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{
			Latitude: &lat, Longitude: &lng, Accuracy: &acc})
		if err != nil {
			return err
		}
		_, err = chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingGranted,
			Origin: base, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
		return err
	})
}

// TestBrowserLeaderChecksInOnSite: with nobody of the unit on duty in the
// grid, a point-to-point task waits in the unit's queue; the leader who signs
// for it on the console goes there and checks in from the same page.
func TestBrowserLeaderChecksInOnSite(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	login(t, m, "crew-lh01-hw").must(200, "PUT", "/api/v1/me/position", map[string]any{
		"lat": lh01Lat, "lng": lh01Lng, "coord_system": "wgs84", "on_duty": false})
	a := reportTrash(t, m, "路口有一堆垃圾没人清理")
	if a.str("unit") != "lh-hw" || a.body["assignee"] != nil {
		t.Fatalf("want a task in lh-hw's queue: %s", a.raw)
	}
	id := int64(a.num("id"))

	lead := open("lead")
	lead.do("position", at(m.URL, lh01Lat+0.0003, lh01Lng)) // about 35 m away
	lead.login(m.URL, fmt.Sprintf("/console/orders/%d", id), "lh-hw-lead")
	// A leader dispatches to a crew member by name: the system's choice and a unit are the command center's.
	lead.waitFor("the dispatch form", `document.querySelector('form[data-action=dispatch] select[name=crew]') !== null`)
	if got := lead.eval(`document.querySelector('form[data-action=dispatch] select[name=crew] option').textContent + '|' + (document.querySelector('form[data-action=dispatch] select[name=unit]') === null)`); got != "请选择处置人员|true" {
		t.Errorf("the leader's dispatch form offers %q, want a crew member to choose and no unit", got)
	}
	lead.do("dispatch without a choice", chromedp.Click(chromedp.CSS(`form[data-action=dispatch] button[type=submit]`)))
	if got := lead.text(`form[data-action=dispatch] .error`); got != "请填写必填项" {
		t.Errorf("a leader's dispatch with nobody chosen says %q", got)
	}
	lead.do("sign for it (a form after 派遣)", chromedp.Click(chromedp.CSS(`details[data-action=accept] summary`)),
		chromedp.Click(chromedp.CSS(`form[data-action=accept] button[type=submit]`)))
	lead.waitFor("the check-in form", `document.querySelector('form[data-action=arrive]') !== null`)
	lead.do("check in", chromedp.Click(chromedp.CSS(`form[data-action=arrive] button[type=submit]`)))
	lead.waitFor("on site", `document.querySelector('#order-status .badge')?.textContent === '已到场'`)
	lead.waitFor("the check-in on the timeline", `document.querySelector('#timeline li[data-event=arrive]') !== null`)
	lead.shot("leader-on-site")
}

// groupThousands formats a count as the dashboard does (zh-CN: 1,234).
func groupThousands(v any) string {
	n, _ := v.(float64)
	s := strconv.FormatInt(int64(n), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// percent formats a rate as the dashboard does: one decimal, or — when
// nothing was counted.
func percent(v, of any) string {
	if n, _ := of.(float64); n == 0 {
		return "—"
	}
	r, _ := v.(float64)
	return strconv.FormatFloat(math.Round(r*1000)/10, 'f', 1, 64) + "%"
}

// seedOpenOrders inserts n open orders spread over the demo city's units,
// statuses, sources and deadlines (some overdue, some close, most not),
// newest last, in a few bulk statements.
func seedOpenOrders(t *testing.T, m *Main, n int) {
	t.Helper()
	ctx := context.Background()
	agent, err := m.DB.Users.FindUserByUsername(ctx, "agent")
	if err != nil {
		t.Fatal(err)
	}
	kinds := []struct{ category, dept string }{{"1101", "hw"}, {"0101", "sz"}, {"0401", "yl"}, {"1201", "cg"}}
	districts := []struct{ code, name string }{{"lh", "龙华区"}, {"ml", "美兰区"}, {"xy", "秀英区"}, {"qs", "琼山区"}}
	statuses := []string{"dispatched", "accepted", "on_site", "submitted"}
	sources := []string{"hotline", "miniprogram", "patrol"}
	now := time.Now().UTC()
	const batch = 500
	for start := 0; start < n; start += batch {
		var rows []string
		var args []any
		for i := start; i < start+batch && i < n; i++ {
			k, d := kinds[i%len(kinds)], districts[(i/4)%len(districts)]
			created := now.Add(time.Duration(i-n) * time.Minute)
			acceptBy := now.Add(time.Duration(i%40-5) * time.Minute) // 5 of every 40 overdue
			resolveBy := now.Add(time.Duration(i%50-3) * time.Hour)
			unit, status := d.code+"-"+k.dept, statuses[i%len(statuses)]
			if status == "submitted" {
				unit = ""
			}
			rows = append(rows, "(?, ?, ?, ?, 'wgs84', ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)")
			args = append(args, k.category, fmt.Sprintf("压测工单 %d", i+1), 20.0+float64(i%97)/1000, 110.25+float64(i%89)/1000,
				fmt.Sprintf("%s某路%d号", d.name, i%300+1), sources[i%len(sources)], agent.ID, status, d.code+"01", d.name, unit,
				acceptBy, resolveBy, created, created, created, created.Add(time.Minute))
		}
		err := m.DB.Gorm().WithContext(ctx).Exec(`INSERT INTO complaints (category, description, lat, lng, coord_system, address, source,
			reporter_id, status, grid_id, district, unit_code, attempt, accept_by, resolve_by, dispatched_at, accepted_at, created_at, updated_at)
			VALUES `+strings.Join(rows, ", "), args...).Error
		if err != nil {
			t.Fatalf("seed orders: %v", err)
		}
	}
}

// TestBrowserQueueWithManyOpenOrders checks that the live queue stays usable
// with 5,000 open orders: it draws one page at a time, pages and filters.
func TestBrowserQueueWithManyOpenOrders(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	const n = 5000
	seedOpenOrders(t, m, n)
	api := login(t, m, "dispatcher")

	start := time.Now()
	a := api.do("GET", "/api/v1/complaints?open=true&per_page=50&page=100", nil)
	if a.status != 200 || a.num("total") != n {
		t.Fatalf("last page of the open queue: %d total %v", a.status, a.body["total"])
	}
	t.Logf("API: last page of %d open orders in %v", n, time.Since(start).Round(time.Millisecond))

	disp := open("dispatcher")
	disp.login(base(m), "/console/dashboard", "dispatcher")
	start = time.Now()
	disp.do("open the queue", chromedp.Navigate(base(m)+"/console/queue"))
	disp.waitFor("a full first page", `document.querySelectorAll('#queue-table tbody tr[data-id]').length === 50`)
	disp.waitFor("the page's own timing", `performance.getEntriesByName('queue-shown').length === 1`)
	shown := time.Duration(disp.eval(`performance.getEntriesByName('queue-shown')[0].startTime`).(float64) * float64(time.Millisecond))
	// Logged, not asserted: a loaded machine may take any time; what keeps
	// the page fast is that it draws one page of 50, checked here.
	t.Logf("browser: queue with %d open orders shown %v after navigation (%v seen from the test)", n,
		shown.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if got := disp.text("#summary"); got != "共 5,000 条工单" {
		t.Errorf("summary %q", got)
	}
	if got := disp.text("#pageinfo"); got != "第 1 / 100 页" {
		t.Errorf("page info %q", got)
	}
	for _, cls := range []string{"ok", "warn", "overdue"} {
		if disp.eval(`document.querySelector('#queue-table .countdown.`+cls+`') !== null`) != true {
			t.Errorf("no %s countdown on the first page", cls)
		}
	}
	disp.shot("11-queue-5000")

	disp.do("next page", chromedp.Click(chromedp.ID("next")))
	disp.waitFor("page 2", `document.getElementById('pageinfo').textContent === '第 2 / 100 页'`)
	if first := disp.eval(`document.querySelector('#queue-table tbody tr').dataset.id`); first != strconv.Itoa(n-50) {
		t.Errorf("page 2 starts with #%v, want #%d", first, n-50)
	}

	// Filter by unit and source: the count is the API's, the URL keeps the filter.
	want := api.do("GET", "/api/v1/complaints?open=true&unit=ml-hw&source=patrol&per_page=1", nil).num("total")
	disp.do("filter", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
			const f = document.getElementById('filters');
			f.elements.unit.value = 'ml-hw';
			f.elements.source.value = 'patrol';
			f.dispatchEvent(new Event('change'));
		})()`))
		return err
	}))
	disp.waitFor("the filtered count", fmt.Sprintf(`document.getElementById('summary').textContent === '共 %s 条工单'`, groupThousands(want)))
	if rows := disp.eval(`[...document.querySelectorAll('#queue-table tbody tr[data-id]')].every(tr => tr.children[5].textContent === '美兰区环卫所' && tr.children[7].textContent === '巡查上报')`); rows != true {
		t.Error("a filtered row shows another unit or source")
	}
	if loc := disp.eval(`location.search`); !strings.Contains(loc.(string), "unit=ml-hw") || !strings.Contains(loc.(string), "source=patrol") {
		t.Errorf("the URL does not keep the filter: %v", loc)
	}
	disp.shot("12-queue-filtered")
}

func base(m *Main) string { return m.URL }

// TestBrowserRetryAfterALostAnswerActsOnce: the console's answer to a saved
// call is lost on the way (a proxy, a dropped connection); the agent saves
// again and gets the same order, and the caller one 受理 text. After a final
// answer, the same click is a new request.
func TestBrowserRetryAfterALostAnswerActsOnce(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	agent := open("agent")
	agent.login(m.URL, "/console/new", "agent")
	agent.eval(`(async () => {
	  const real = window.fetch;
	  let lose = true;
	  window.fetch = async (...args) => {
	    const res = await real(...args);
	    // The first save's answer is lost (the page's own reads go through untouched).
	    if (lose && String(args[0]).endsWith('/api/v1/complaints') && (args[1] || {}).method === 'POST') {
	      lose = false;
	      throw new TypeError('Failed to fetch'); // the order was saved; its answer never came
	    }
	    return res;
	  };
	  const call = { category: '1101', description: '重试测试：路口垃圾无人清运', lat: ` + strconv.FormatFloat(lh01Lat, 'f', 4, 64) + `,
	    lng: ` + strconv.FormatFloat(lh01Lng, 'f', 4, 64) + `, coord_system: 'wgs84', address: '龙华区某路口', source: 'hotline', caller_phone: '13812345678' };
	  const ids = [];
	  try { await GJ.api('POST', '/api/v1/complaints', call); } catch (e) { ids.push(e.message); }
	  ids.push((await GJ.api('POST', '/api/v1/complaints', call)).id);
	  ids.push((await GJ.api('POST', '/api/v1/complaints', call)).id); // a final answer came: a new call
	  window.retried = ids;
	})()`)
	agent.waitFor("the three saves", `Array.isArray(window.retried)`)
	got := agent.eval(`window.retried`).([]any)
	orders := login(t, m, "dispatcher").do("GET", "/api/v1/complaints?per_page=100", nil)
	var ids []float64
	for _, c := range orders.body["complaints"].([]any) {
		if c := c.(map[string]any); c["description"] == "重试测试：路口垃圾无人清运" {
			ids = append(ids, c["id"].(float64))
		}
	}
	if len(got) != 3 || len(ids) != 2 || got[1] == got[2] {
		t.Fatalf("a lost answer, its retry and a new save: %v; orders filed %v, want 2", got, ids)
	}
}

// TestBrowserQueueReopensARefusedStream: a proxy answers the live stream
// with 502 (a deploy); the browser gives such a stream up for good, and the
// queue would silently stop following. It opens the stream again and shows
// the orders filed meanwhile.
func TestBrowserQueueReopensARefusedStream(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	disp := open("dispatcher")
	var refuse atomic.Bool
	refuse.Store(true)
	paused := make(chan *fetch.EventRequestPaused, 64)
	if err := chromedp.Listen(disp.ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			select {
			case paused <- e:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for e := range paused {
			if refuse.Load() {
				chromedp.Call(disp.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: e.RequestID, ResponseCode: 502, Body: []byte("Bad Gateway")})
			} else {
				chromedp.Call(disp.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
			}
		}
	}()
	if _, err := chromedp.Call(disp.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/api/v1/live*"}}}); err != nil {
		t.Fatal(err)
	}
	disp.login(m.URL, "/console/queue", "dispatcher")
	disp.waitFor("the refused stream", `document.getElementById('live-state').classList.contains('off')`)
	a := reportTrash(t, m, "部署期间上报的垃圾问题")
	refuse.Store(false) // the deploy is over
	disp.waitFor("the stream back", `document.getElementById('live-state').classList.contains('on')`)
	disp.waitFor("the order filed while it was down", fmt.Sprintf(`document.querySelector('#queue-table tr[data-id="%d"]') !== null`, int64(a.num("id"))))
}

// TestBrowserOrderKeepsANoteThroughALiveUpdate: a dispatcher writes a 督办
// note and clicks away; an agent's 催办 meanwhile redraws the order page,
// which keeps the note and the open form.
func TestBrowserOrderKeepsANoteThroughALiveUpdate(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	a := reportTrash(t, m, "路口有一堆垃圾没人清理")
	id := int64(a.num("id"))
	disp := open("dispatcher")
	disp.login(m.URL, fmt.Sprintf("/console/orders/%d", id), "dispatcher")
	disp.do("write a 督办 note and click away", chromedp.Click(chromedp.CSS(`details[data-action=escalate] summary`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-action=escalate] textarea[name=note]`), "请立即处理"),
		chromedp.Click(chromedp.CSS(`#timeline`)))
	if r := login(t, m, "agent").do("POST", fmt.Sprintf("/api/v1/complaints/%d/remind", id), map[string]any{"note": "市民再次来电"}); r.status != 200 {
		t.Fatalf("催办: %d %s", r.status, r.raw)
	}
	disp.waitFor("the 催办 on the timeline", `document.querySelector('#timeline li[data-event=remind]') !== null`)
	if got := disp.eval(`document.querySelector('form[data-action=escalate] textarea[name=note]').value + '|' + document.querySelector('details[data-action=escalate]').open`); got != "请立即处理|true" {
		t.Errorf("after the live update the 督办 form holds %q, want the note, open", got)
	}
	disp.do("send the 督办", chromedp.Click(chromedp.CSS(`form[data-action=escalate] button[type=submit]`)))
	disp.waitFor("the 督办 on the timeline", `document.querySelector('#timeline li[data-event=escalate]') !== null`)
	if got := disp.eval(`document.querySelector('form[data-action=escalate] textarea[name=note]').value`); got != "" {
		t.Errorf("after sending, the 督办 form still holds %q", got)
	}
}

// TestBrowserInboxKeepsWhatWasLoaded: a dispatcher loads older messages
// (加载更多); a new one arrives live and the list keeps them all.
func TestBrowserInboxKeepsWhatWasLoaded(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	a := reportTrash(t, m, "路口有一堆垃圾没人清理")
	admin := login(t, m, "admin")
	escalate := func() {
		if r := admin.do("POST", fmt.Sprintf("/api/v1/complaints/%d/escalate", int64(a.num("id"))), map[string]any{"note": "群众反映强烈"}); r.status != 200 {
			t.Fatalf("督办: %d %s", r.status, r.raw)
		}
	}
	for range 35 { // more than a page (30): each 督办 reaches the command center's inbox
		escalate()
	}
	disp := open("dispatcher")
	disp.login(m.URL, "/console/inbox", "dispatcher")
	disp.waitFor("the first page", `document.querySelectorAll('#inbox-list li[data-id]').length === 30`)
	disp.do("load more", chromedp.Click(chromedp.CSS(`[data-inbox-more]`)))
	disp.waitFor("the older ones", `document.querySelectorAll('#inbox-list li[data-id]').length > 30`)
	loaded := disp.eval(`document.querySelectorAll('#inbox-list li[data-id]').length`).(float64)
	escalate()
	disp.waitFor("the new one, with the older ones kept", fmt.Sprintf(`document.querySelectorAll('#inbox-list li[data-id]').length === %d`, int(loaded)+1))
}

// reportTrash files a citizen's 暴露垃圾 report at a corner of grid lh01.
func reportTrash(t *testing.T, m *Main, description string) answer {
	t.Helper()
	return login(t, m, "citizen").must(201, "POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": description,
		"lat": lh01Lat, "lng": lh01Lng, "coord_system": "wgs84", "address": "龙华区某路口"})
}

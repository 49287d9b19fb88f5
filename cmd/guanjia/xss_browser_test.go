package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Issue 10, row 11: user text is always text. HTML and script put into every
// field people type — a complaint's description, address and caller, the
// notes and reasons of each step, a rating comment, a notice — show as the
// characters typed on every console and crew page, in the order page's map
// popup too: no script runs, no element is made, no outside image loads.
func TestBrowserUserTextIsText(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	base := m.URL

	// An outside server the payload's image points at: it must never be asked.
	var outside atomic.Int32
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { outside.Add(1) }))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)

	const img = `<img src=x onerror=window.__xss=1>` // 34 characters: fits a caller's name
	const script = img + `<script>window.__xss=2</script>`
	payload := script + fmt.Sprintf(`<img src="%s/x.png">`, srv.URL)
	agent, dispatcher, crew := login(t, m, "agent"), login(t, m, "dispatcher"), login(t, m, "crew-lh01-hw")
	crewID := int64(crew.do("GET", "/api/v1/me", nil).num("id"))
	must := func(a answer, what string) answer {
		t.Helper()
		if a.status >= 300 {
			t.Fatalf("%s: %d %s", what, a.status, a.raw)
		}
		return a
	}
	file := func(dLat float64) int64 {
		t.Helper()
		a := must(agent.do("POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": payload, "address": payload,
			"caller_name": img, "caller_phone": "13812345678", "lat": lh01Lat + dLat, "lng": lh01Lng}), "file a call")
		id := int64(a.num("id"))
		if a.num("assignee") != float64(crewID) {
			must(dispatcher.do("POST", fmt.Sprintf("/api/v1/complaints/%d/dispatch", id), map[string]any{"crew": crewID}), "dispatch")
		}
		return id
	}
	act := func(c *client, id int64, action string, body map[string]any) {
		t.Helper()
		if body == nil {
			body = map[string]any{}
		}
		must(c.do("POST", fmt.Sprintf("/api/v1/complaints/%d/%s", id, action), body), action)
	}
	// A: open, reminded, escalated and extended with notes.
	a := file(0)
	act(dispatcher, a, "remind", map[string]any{"note": payload})
	act(dispatcher, a, "escalate", map[string]any{"note": payload})
	act(dispatcher, a, "extend", map[string]any{"extend_by_s": 3600, "reason": payload})
	// B: the whole loop, with notes at each step and a rating comment.
	b := file(0.0006) // ~67 m away: not a me-too of A
	act(crew, b, "accept", nil)
	act(crew, b, "arrive", map[string]any{"lat": lh01Lat + 0.0006, "lng": lh01Lng})
	act(crew, b, "resolve", map[string]any{"note": payload})
	act(dispatcher, b, "close", map[string]any{"note": payload})
	act(agent, b, "followup", map[string]any{"note": payload})
	act(agent, b, "rate", map[string]any{"score": 1, "solved": false, "comment": payload})
	// C: returned by the crew with a reason: the command center's inbox says it.
	c := file(0.0012)
	act(crew, c, "return", map[string]any{"reason": payload})
	must(dispatcher.do("POST", "/api/v1/notices", map[string]any{"kind": "other", "title": img, "body": payload, "area": img,
		"valid_from": time.Now().Add(-time.Minute).Format(time.RFC3339), "valid_until": time.Now().Add(time.Hour).Format(time.RFC3339)}), "notice")

	literal, _ := json.Marshal(img)
	// clean checks the page now shown: the payload is there as text, and nothing of it became markup.
	clean := func(s *browserSession, page, where string) {
		t.Helper()
		s.waitFor(page+" shows the typed text", fmt.Sprintf(`(%s).innerText.includes(%s)`, where, literal))
		if v := s.eval(`typeof window.__xss`); v != "undefined" {
			t.Errorf("%s: a script from user text ran (window.__xss = %v)", page, s.eval(`window.__xss`))
		}
		if n := s.eval(`document.querySelectorAll('img[src="x"], img[src*="127.0.0.2"], script:not([src])').length`); n != float64(0) {
			t.Errorf("%s: %v elements made from user text", page, n)
		}
		s.shot("xss-" + page) // fails on anything the page's CSP had to block
	}

	disp := open("dispatcher")
	disp.login(base, "/console/queue?status=all", "dispatcher")
	disp.waitFor("the queue rows", fmt.Sprintf(`document.querySelector('#queue-table tr[data-id="%d"]') !== null`, c))
	clean(disp, "queue", "document.querySelector('#queue-table')")
	for _, id := range []int64{a, b, c} {
		disp.do("open the order", chromedp.Navigate(fmt.Sprintf("%s/console/orders/%d", base, id)))
		disp.waitFor("the timeline", `document.querySelectorAll('#timeline li').length > 1`)
		clean(disp, fmt.Sprintf("order-%d", id), "document.querySelector('#order-info')")
		clean(disp, fmt.Sprintf("order-%d-timeline", id), "document.querySelector('#timeline')")
		disp.do("open the map popup", chromedp.Click(chromedp.CSS(`#map .leaflet-marker-icon`)))
		clean(disp, fmt.Sprintf("order-%d-popup", id), "document.querySelector('#map .leaflet-popup-content')")
	}
	if got := disp.eval(`document.querySelector('#order-info').innerText`).(string); !strings.Contains(got, img+" 138****5678") {
		t.Errorf("the caller's name is not shown as typed: %q", got)
	}
	disp.do("open the notices", chromedp.Navigate(base+"/console/notices"))
	clean(disp, "notices", "document.querySelector('#notice-table')")
	disp.do("open the inbox", chromedp.Navigate(base+"/console/inbox"))
	clean(disp, "inbox", "document.querySelector('#inbox-list')")
	disp.do("open the dashboard", chromedp.Navigate(base+"/console/dashboard"))
	disp.waitFor("today's figures", `document.querySelector('#kpi-today [data-kpi=received] .value') !== null`)
	if v := disp.eval(`typeof window.__xss`); v != "undefined" {
		t.Error("dashboard: a script from user text ran")
	}
	disp.shot("xss-dashboard")

	crewPage := open("crew")
	crewPage.login(base, "/crew", "crew-lh01-hw")
	crewPage.waitFor("the task", fmt.Sprintf(`document.querySelector('li.task[data-id="%d"]') !== null`, a))
	clean(crewPage, "crew", fmt.Sprintf(`document.querySelector('li.task[data-id="%d"]')`, a))
	crewPage.do("open the crew inbox", chromedp.Click(chromedp.CSS(`[data-inbox-toggle]`)))
	clean(crewPage, "crew-inbox", "document.querySelector('#inbox-list')")

	if n := outside.Load(); n != 0 {
		t.Errorf("the pages loaded the outside image %d times", n)
	}
	// The pages' policy keeps inline scripts and outside images out, whatever slips through.
	res, err := http.Get(base + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self';") || strings.Count(csp, "'unsafe-inline'") != 1 || !strings.Contains(csp, "style-src 'self' 'unsafe-inline'") ||
		strings.Contains(csp, "http:") || strings.Contains(csp, "https:") {
		t.Errorf("Content-Security-Policy %q lets inline scripts or outside images in", csp)
	}
}

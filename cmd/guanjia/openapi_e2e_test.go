package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"guanjia/internal/testenv"
)

// specs holds the OpenAPI document of each running server, by base URL.
var specs sync.Map

// specOf fetches the server's own OpenAPI document, once.
func specOf(base string) (*testenv.OpenAPI, error) {
	if o, ok := specs.Load(base); ok {
		return o.(*testenv.OpenAPI), nil
	}
	res, err := http.Get(base + "/api/v1/openapi.json")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	doc, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("openapi.json: %d %v", res.StatusCode, err)
	}
	o, err := testenv.NewOpenAPI(doc)
	if err != nil {
		return nil, err
	}
	o2, _ := specs.LoadOrStore(base, o)
	return o2.(*testenv.OpenAPI), nil
}

// checkAnswer validates every /api/v1 answer the e2e clients get against
// the server's OpenAPI document: the schemas are proved on real answers.
func (c *client) checkAnswer(req *http.Request, a answer) {
	c.t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") || req.URL.Path == "/api/v1/openapi.json" {
		return
	}
	o, err := specOf(c.base)
	if err == nil {
		err = o.Check(req.Method, req.URL.Path, a.status, a.header.Get("Content-Type"), a.raw)
	}
	if err != nil {
		c.t.Errorf("OpenAPI: %v", err)
	}
}

// TestMainLoopAnswersMatchOpenAPI runs the loop a citizen, a crew and the
// command center go through, and the lookups around it, and checks that
// each of those routes was validated against its schema on the way.
func TestMainLoopAnswersMatchOpenAPI(t *testing.T) {
	m := startMain(t)
	anon := &client{t: t, base: m.URL}
	citizen, crew, dispatcher := login(t, m, "citizen"), login(t, m, "crew-lh01-hw"), login(t, m, "dispatcher")
	a := citizen.must(201, "POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": "路口有一堆垃圾没人清理",
		"lat": lh01Lat, "lng": lh01Lng, "coord_system": "wgs84", "address": "龙华区某路口"})
	path := fmt.Sprintf("/api/v1/complaints/%d", int64(a.num("id")))
	citizen.must(200, "GET", path, nil)
	citizen.must(200, "GET", "/api/v1/complaints", nil)
	citizen.must(200, "GET", "/api/v1/categories", nil)
	citizen.must(200, "GET", "/api/v1/me", nil)
	citizen.must(200, "GET", fmt.Sprintf("/api/v1/complaints/open-nearby?lat=%v&lng=%v&category=1101&coord_system=wgs84", lh01Lat, lh01Lng), nil)
	crew.must(200, "POST", path+"/accept", nil)
	crew.must(200, "POST", path+"/arrive", map[string]any{"lat": lh01Lat, "lng": lh01Lng})
	photo := crew.upload(path+"/photos", "after", pngBytes())
	crew.must(200, "POST", path+"/resolve", map[string]any{"note": "已清理完毕", "photos": []string{photo.str("id")}})
	dispatcher.must(200, "POST", path+"/close", map[string]any{"note": "核查通过"})
	citizen.must(200, "POST", path+"/rate", map[string]any{"score": 3, "comment": "处理及时"})
	dispatcher.must(200, "GET", path, nil)
	dispatcher.must(200, "GET", "/api/v1/complaints?status=closed", nil)
	dispatcher.must(200, "GET", fmt.Sprintf("/api/v1/complaints/nearby?lat=%v&lng=%v&category=1101", lh01Lat, lh01Lng), nil)
	dispatcher.must(200, "GET", "/api/v1/stats", nil)
	dispatcher.must(200, "GET", "/api/v1/stats/ranking", nil)
	dispatcher.must(200, "GET", "/api/v1/crews", nil)
	dispatcher.must(200, "GET", "/api/v1/units", nil)
	dispatcher.must(200, "GET", "/api/v1/notices/all", nil)
	dispatcher.must(200, "GET", fmt.Sprintf("/api/v1/notifications?complaint=%d", int64(a.num("id"))), nil)
	inbox := dispatcher.must(200, "GET", "/api/v1/inbox", nil)
	crew.must(200, "GET", "/api/v1/inbox", nil)
	dispatcher.must(200, "POST", "/api/v1/inbox/read", nil)
	_ = inbox
	anon.must(200, "GET", "/api/v1/notices", nil)
	anon.must(200, "GET", "/api/v1/credit/subjects?q=海口", nil)
	anon.must(200, "GET", "/api/v1/credit/check?code=91350100M000100Y43", nil)
	anon.must(200, "GET", "/api/v1/credit/lists/black", nil)
	anon.must(200, "GET", "/api/v1/credit/articles", nil)
	anon.must(200, "GET", "/api/v1/credit/types", nil)
	dispatcher.must(200, "GET", "/api/v1/stats/deliveries", nil)
	citizen.must(200, "GET", "/api/v1/volunteer/stats", nil)
	citizen.do("GET", "/api/v1/volunteer/me/hours", nil) // 200 for a volunteer, an error otherwise: either is checked
	// Errors answer the error shape.
	anon.must(401, "GET", "/api/v1/complaints", nil)
	citizen.must(400, "POST", "/api/v1/complaints", map[string]any{"category": "1101"})
	citizen.must(404, "GET", "/api/v1/complaints/999999", nil)
	citizen.must(403, "GET", "/api/v1/stats", nil)

	o, err := specOf(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]bool{}
	for _, k := range o.Checked() {
		checked[k] = true
	}
	for _, want := range []string{
		"POST /api/v1/complaints 201", "GET /api/v1/complaints/{id} 200", "GET /api/v1/complaints 200",
		"POST /api/v1/complaints/{id}/{action} 200", "POST /api/v1/complaints/{id}/photos 201", "GET /api/v1/stats 200",
		"GET /api/v1/inbox 200", "GET /api/v1/categories 200", "GET /api/v1/credit/subjects 200", "GET /api/v1/credit/check 200",
		"POST /api/v1/auth/login 200", "POST /api/v1/complaints default", "GET /api/v1/complaints default",
	} {
		if !checked[want] {
			t.Errorf("%s was not validated; validated: %v", want, o.Checked())
		}
	}
}

// TestAPIDocsBrowser: the developers' page renders the document with the
// vendored viewer, under the site's CSP, with nothing blocked.
func TestAPIDocsBrowser(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	dev := open("developer")
	dev.do("open /api/docs", chromedp.Navigate(m.URL+"/api/docs"))
	dev.waitFor("the viewer shows the operations", `(() => { const d = document.querySelector('rapi-doc');
		return d && d.shadowRoot && d.shadowRoot.textContent.includes('上报问题') && d.shadowRoot.textContent.includes('/api/v1/complaints'); })()`)
	dev.shot("api-docs")
}

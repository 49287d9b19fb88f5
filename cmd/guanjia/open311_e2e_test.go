package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// geoReport is a small Open311 GeoReport v2 client written from the
// specification's examples (wiki.open311.org/GeoReport_v2 and the
// servicerequestupdates extension), not from guanjia's code.
type geoReport struct {
	t      *testing.T
	base   string // http://host/open311/v2/
	format string // xml or json
}

type grService struct {
	ServiceCode string `xml:"service_code" json:"service_code"`
	ServiceName string `xml:"service_name" json:"service_name"`
	Description string `xml:"description" json:"description"`
	Metadata    bool   `xml:"metadata" json:"metadata"`
	Type        string `xml:"type" json:"type"`
	Keywords    string `xml:"keywords" json:"keywords"`
	Group       string `xml:"group" json:"group"`
}

type grServices struct {
	XMLName  xml.Name    `xml:"services"`
	Services []grService `xml:"service"`
}

type grRequest struct {
	ServiceRequestID  string  `xml:"service_request_id" json:"service_request_id"`
	Status            string  `xml:"status" json:"status"`
	StatusNotes       string  `xml:"status_notes" json:"status_notes"`
	ServiceName       string  `xml:"service_name" json:"service_name"`
	ServiceCode       string  `xml:"service_code" json:"service_code"`
	Description       string  `xml:"description" json:"description"`
	AgencyResponsible string  `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     string  `xml:"service_notice" json:"service_notice"`
	RequestedDatetime string  `xml:"requested_datetime" json:"requested_datetime"`
	UpdatedDatetime   string  `xml:"updated_datetime" json:"updated_datetime"`
	ExpectedDatetime  string  `xml:"expected_datetime" json:"expected_datetime"`
	Address           string  `xml:"address" json:"address"`
	Lat               float64 `xml:"lat" json:"lat"`
	Long              float64 `xml:"long" json:"long"`
	MediaURL          string  `xml:"media_url" json:"media_url"`
}

type grRequests struct {
	XMLName  xml.Name    `xml:"service_requests"`
	Requests []grRequest `xml:"request"`
}

type grUpdate struct {
	UpdateID         string `xml:"update_id" json:"update_id"`
	ServiceRequestID string `xml:"service_request_id" json:"service_request_id"`
	Status           string `xml:"status" json:"status"`
	UpdatedDatetime  string `xml:"updated_datetime" json:"updated_datetime"`
	Description      string `xml:"description" json:"description"`
	MediaURL         string `xml:"media_url" json:"media_url"`
}

type grUpdates struct {
	XMLName xml.Name   `xml:"service_request_updates"`
	Updates []grUpdate `xml:"request_update"`
}

type grError struct {
	Code        int    `xml:"code" json:"code"`
	Description string `xml:"description" json:"description"`
}

type grErrors struct {
	XMLName xml.Name  `xml:"errors"`
	Errors  []grError `xml:"error"`
}

type grDiscovery struct {
	XMLName   xml.Name `xml:"discovery" json:"-"`
	Changeset string   `xml:"changeset" json:"changeset"`
	Endpoints []struct {
		Specification string   `xml:"specification" json:"specification"`
		URL           string   `xml:"url" json:"url"`
		Formats       []string `xml:"formats>format" json:"formats"`
	} `xml:"endpoints>endpoint" json:"endpoints"`
}

// call sends a request and decodes the answer: for JSON into jsonInto (an
// array or object), for XML the document into xmlInto; an error answer into
// the specification's error list instead. It returns the status.
func (g *geoReport) call(method, path string, form url.Values, xmlInto, jsonInto any, errs *[]grError) int {
	g.t.Helper()
	u := g.base + path + "." + g.format
	var body io.Reader
	if method == http.MethodGet && form != nil {
		u += "?" + form.Encode()
	} else if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var xe grErrors
	if res.StatusCode >= 400 {
		xmlInto, jsonInto = &xe, errs
		if errs == nil {
			g.t.Fatalf("%s %s: %d %s", method, u, res.StatusCode, raw)
		}
	}
	if g.format == "xml" {
		if !strings.HasPrefix(string(raw), "<?xml") {
			g.t.Fatalf("%s %s: not an XML document: %s", method, u, raw)
		}
		err = xml.Unmarshal(raw, xmlInto)
		if errs != nil && res.StatusCode >= 400 {
			*errs = xe.Errors
		}
	} else {
		err = json.Unmarshal(raw, jsonInto)
	}
	if err != nil {
		g.t.Fatalf("%s %s: %d, cannot decode %s: %v", method, u, res.StatusCode, raw, err)
	}
	return res.StatusCode
}

func (g *geoReport) services() []grService {
	var x grServices
	var j []grService
	if st := g.call("GET", "services", nil, &x, &j, nil); st != 200 {
		g.t.Fatalf("services: %d", st)
	}
	return pick(g, x.Services, j)
}

func (g *geoReport) post(form url.Values) (int, []grRequest, []grError) {
	var x grRequests
	var j []grRequest
	var errs []grError
	st := g.call("POST", "requests", form, &x, &j, &errs)
	return st, pick(g, x.Requests, j), errs
}

func (g *geoReport) requests(q url.Values) []grRequest {
	var x grRequests
	var j []grRequest
	if st := g.call("GET", "requests", q, &x, &j, nil); st != 200 {
		g.t.Fatalf("requests: %d", st)
	}
	return pick(g, x.Requests, j)
}

func (g *geoReport) updates(q url.Values) []grUpdate {
	var x grUpdates
	var j []grUpdate
	if st := g.call("GET", "servicerequestupdates", q, &x, &j, nil); st != 200 {
		g.t.Fatalf("servicerequestupdates: %d", st)
	}
	return pick(g, x.Updates, j)
}

func pick[T any](g *geoReport, fromXML, fromJSON []T) []T {
	if g.format == "xml" {
		return fromXML
	}
	return fromJSON
}

func TestOpen311RoundTrip(t *testing.T) {
	m := startMain(t)
	admin, crew, dispatcher := login(t, m, "admin"), login(t, m, "crew-lh01-hw"), login(t, m, "dispatcher")
	added := admin.must(201, "POST", "/api/v1/open311/clients", map[string]any{"name": "fixmystreet"})
	key := added.str("key")
	if len(key) != 64 {
		t.Fatalf("client key: %s", added.raw)
	}
	if list := admin.must(200, "GET", "/api/v1/open311/clients", nil); strings.Contains(string(list.raw), key) {
		t.Fatalf("the key is shown again: %s", list.raw)
	}
	for _, format := range []string{"xml", "json"} {
		t.Run(format, func(t *testing.T) {
			g := &geoReport{t: t, base: m.URL + "/open311/v2/", format: format}
			var disc grDiscovery
			if st := g.call("GET", "discovery", nil, &disc, &disc, nil); st != 200 || len(disc.Endpoints) != 1 ||
				disc.Endpoints[0].URL != g.base || len(disc.Endpoints[0].Formats) != 2 {
				t.Fatalf("discovery: %d %+v", st, disc)
			}
			var svc grService
			for _, s := range g.services() {
				if s.ServiceCode == "1101" {
					svc = s
				}
			}
			if svc.ServiceName == "" || svc.Type != "realtime" || svc.Group == "" || svc.Metadata {
				t.Fatalf("service 1101: %+v", svc)
			}

			// Refusals: a bad key, an unknown service, a wrong jurisdiction.
			form := url.Values{"api_key": {"not-a-key"}, "service_code": {"1101"}, "lat": {fmt.Sprint(lh01Lat)},
				"long": {fmt.Sprint(lh01Lng)}, "description": {"路口有一堆垃圾没人清理"}, "address_string": {"龙华区某路口"},
				"first_name": {"张"}, "last_name": {"三"}, "phone": {"13800138000"}, "email": {"zs@example.com"},
				"media_url": {"https://img.example.com/r/2f9c.jpg"}}
			if st, _, errs := g.post(form); st != 403 || len(errs) != 1 || errs[0].Code != 403 || errs[0].Description == "" {
				t.Fatalf("bad key: %d %+v", st, errs)
			}
			form.Set("api_key", key)
			form.Set("service_code", "9999")
			if st, _, errs := g.post(form); st != 400 || len(errs) != 1 || errs[0].Code != 400 {
				t.Fatalf("unknown service: %d %+v", st, errs)
			}
			form.Set("service_code", "1101")

			st, receipts, _ := g.post(form)
			if st != 201 || len(receipts) != 1 || receipts[0].ServiceRequestID == "" || receipts[0].ServiceNotice == "" {
				t.Fatalf("post: %d %+v", st, receipts)
			}
			id := receipts[0].ServiceRequestID

			// It entered the loop: dispatched point-to-point, filed as open311.
			path := "/api/v1/complaints/" + id
			if a := dispatcher.must(200, "GET", path, nil); a.str("status") != "dispatched" || a.str("source") != "open311" {
				t.Fatalf("the request in the loop: %s", a.raw)
			}
			one := func() grRequest {
				t.Helper()
				var x grRequests
				var j []grRequest
				if st := g.call("GET", "requests/"+id, nil, &x, &j, nil); st != 200 || len(pick(g, x.Requests, j)) != 1 {
					t.Fatalf("requests/%s: %d", id, st)
				}
				return pick(g, x.Requests, j)[0]
			}
			r := one()
			if r.Status != "open" || r.ServiceCode != "1101" || r.ServiceName != svc.ServiceName || r.Lat != lh01Lat ||
				r.Description != "路口有一堆垃圾没人清理" || r.Address != "龙华区某路口" || r.MediaURL != "https://img.example.com/r/2f9c.jpg" ||
				r.ExpectedDatetime == "" || !strings.HasSuffix(r.RequestedDatetime, "+08:00") {
				t.Fatalf("open request: %+v", r)
			}
			if _, err := time.Parse(time.RFC3339, r.UpdatedDatetime); err != nil {
				t.Fatalf("updated_datetime %q: %v", r.UpdatedDatetime, err)
			}

			// The crew accepts, arrives, resolves; the command center closes.
			crew.must(200, "POST", path+"/accept", nil)
			crew.must(200, "POST", path+"/arrive", map[string]any{"lat": lh01Lat + 0.0005, "lng": lh01Lng})
			photo := crew.upload(path+"/photos", "after", pngBytes())
			if photo.status != 201 {
				t.Fatalf("photo: %d %s", photo.status, photo.raw)
			}
			crew.must(200, "POST", path+"/resolve", map[string]any{"note": "已清理完毕", "photos": []string{photo.str("id")}})
			if r := one(); r.Status != "open" {
				t.Fatalf("resolved, not yet closed: %+v", r)
			}
			dispatcher.must(200, "POST", path+"/close", map[string]any{"note": "核查通过"})
			if r := one(); r.Status != "closed" {
				t.Fatalf("closed: %+v", r)
			}
			closed := g.requests(url.Values{"status": {"closed"}, "service_code": {"1101"}})
			if !hasRequest(closed, id) || hasRequest(g.requests(url.Values{"status": {"open"}}), id) {
				t.Fatalf("status filters: %+v", closed)
			}
			if !hasRequest(g.requests(url.Values{"service_request_id": {id + ",999999"}}), id) {
				t.Fatal("service_request_id filter")
			}

			// Each step is an update, in order, with ids that stay the same.
			window := url.Values{"start_date": {time.Now().Add(-time.Hour).Format(time.RFC3339)},
				"end_date": {time.Now().Add(time.Hour).Format(time.RFC3339)}}
			steps := func() ([]string, []string) {
				var statuses, ids []string
				for _, u := range g.updates(window) {
					if u.ServiceRequestID == id {
						statuses, ids = append(statuses, u.Status), append(ids, u.UpdateID)
					}
				}
				return statuses, ids
			}
			statuses, ids := steps()
			want := "OPEN ACTION_SCHEDULED IN_PROGRESS IN_PROGRESS FIXED CLOSED"
			if got := strings.Join(statuses, " "); got != want {
				t.Fatalf("updates: %s, want %s", got, want)
			}
			if _, again := steps(); strings.Join(again, ",") != strings.Join(ids, ",") {
				t.Fatalf("update ids changed: %v then %v", ids, again)
			}

			// Nothing personal leaves: not the person fields sent, not staff names.
			all := g.updates(window)
			raw, _ := json.Marshal([]any{all, g.requests(nil)})
			for _, secret := range []string{"13800138000", "zs@example.com", "张", "crew-lh01-hw", "dispatcher"} {
				if strings.Contains(string(raw), secret) {
					t.Errorf("open311 output contains %q", secret)
				}
			}
		})
	}

	// Reading is public: a hotline order shows its service, status and a
	// rough place, not the caller's words as the agent typed them, the
	// address or the exact point.
	g := &geoReport{t: t, base: m.URL + "/open311/v2/", format: "json"}
	order := login(t, m, "agent").must(201, "POST", "/api/v1/complaints", map[string]any{"category": "1101",
		"description": "王先生来电：楼下垃圾三天没人清", "address": "龙华路 8 号王先生家楼下", "lat": lh01Lat + 0.00037,
		"lng": lh01Lng + 0.00021, "caller_name": "王先生", "caller_phone": "13812345678"})
	listed := g.requests(url.Values{"service_request_id": {fmt.Sprint(order.num("id"))}})
	if len(listed) != 1 || listed[0].ServiceName == "" || listed[0].Description != "" || listed[0].Address != "" ||
		math.Abs(listed[0].Lat-20.004) > 1e-9 || math.Abs(listed[0].Long-110.290) > 1e-9 {
		t.Fatalf("a hotline order as Open311 shows it: %+v", listed)
	}

	// A body is a short form: a large one is refused before the key is
	// checked or anything filed, a form on a POST as a file on a GET.
	big := url.Values{"api_key": {key}, "service_code": {"1101"}, "lat": {fmt.Sprint(lh01Lat)}, "long": {fmt.Sprint(lh01Lng)},
		"description": {strings.Repeat("垃", 30000)}}
	var file bytes.Buffer
	mw := multipart.NewWriter(&file)
	part, _ := mw.CreateFormFile("junk", "junk.bin")
	part.Write(make([]byte, 1<<20))
	mw.Close()
	for _, b := range []struct{ method, contentType, body string }{
		{"POST", "application/x-www-form-urlencoded", big.Encode()},
		{"GET", mw.FormDataContentType(), file.String()},
	} {
		req, _ := http.NewRequest(b.method, g.base+"requests.json", strings.NewReader(b.body))
		req.Header.Set("Content-Type", b.contentType)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var errs []grError
		json.NewDecoder(res.Body).Decode(&errs)
		res.Body.Close()
		if res.StatusCode != 413 || len(errs) != 1 || errs[0].Code != 413 || errs[0].Description == "" {
			t.Fatalf("%s with a %d-byte body: %d %+v", b.method, len(b.body), res.StatusCode, errs)
		}
	}

	// A revoked key files nothing.
	admin.must(200, "POST", "/api/v1/open311/clients/fixmystreet/revoke", nil)
	if st, _, _ := g.post(url.Values{"api_key": {key}, "service_code": {"1101"}, "lat": {"20"}, "long": {"110.3"}, "description": {"x"}}); st != 403 {
		t.Fatalf("revoked key: %d", st)
	}
	// A jurisdiction other than the configured one is not served.
	m.Open311.Jurisdiction = "haikou.gov.cn"
	var je []grError
	if st := g.call("GET", "services", url.Values{"jurisdiction_id": {"sanya.gov.cn"}}, nil, nil, &je); st != 404 || len(je) != 1 || je[0].Code != 404 {
		t.Fatalf("wrong jurisdiction: %d %+v", st, je)
	}
	var services []grService
	if st := g.call("GET", "services", url.Values{"jurisdiction_id": {"haikou.gov.cn"}}, nil, &services, nil); st != 200 || len(services) == 0 {
		t.Fatalf("right jurisdiction: %d", st)
	}
}

func hasRequest(rs []grRequest, id string) bool {
	for _, r := range rs {
		if r.ServiceRequestID == id {
			return true
		}
	}
	return false
}

func TestOpen311CLI(t *testing.T) {
	m := startMain(t)
	var out strings.Builder
	m.Out = &out
	if err := m.open311Command(t.Context(), []string{"add-client", "--name", "cli-client"}); err != nil {
		t.Fatal(err)
	}
	words := strings.Fields(out.String())
	key := words[len(words)-1]
	if c, err := m.Open311.Authenticate(t.Context(), key); err != nil || c.Name != "cli-client" {
		t.Fatalf("the printed key: %v", err)
	}
	if err := m.open311Command(t.Context(), []string{"revoke", "--name", "cli-client"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Open311.Authenticate(t.Context(), key); err == nil {
		t.Fatal("a revoked key still works")
	}
}

// A reporting app's picture reaches the people who act on the request: the
// crew member's task and the dispatcher's order show its media_url as a link
// out, opened apart from the page.
func TestBrowserOpen311PictureIsALink(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	key := login(t, m, "admin").must(201, "POST", "/api/v1/open311/clients", map[string]any{"name": "fixmystreet"}).str("key")
	const picture = "https://img.example.com/r/2f9c.jpg"
	g := &geoReport{t: t, base: m.URL + "/open311/v2/", format: "json"}
	st, receipts, errs := g.post(url.Values{"api_key": {key}, "service_code": {"1101"}, "lat": {fmt.Sprint(lh01Lat)},
		"long": {fmt.Sprint(lh01Lng)}, "description": {"路口有一堆垃圾没人清理"}, "media_url": {picture}})
	if st != 201 || len(receipts) != 1 {
		t.Fatalf("post: %d %+v %+v", st, receipts, errs)
	}
	id := receipts[0].ServiceRequestID
	link := func(s *browserSession, scope string) string {
		s.waitFor("the picture's link", fmt.Sprintf(`document.querySelector('%s .media-link a') !== null`, scope))
		return fmt.Sprint(s.eval(fmt.Sprintf(`(() => { const a = document.querySelector('%s .media-link a');
			return [a.href, a.target, a.rel, a.textContent].join('|') })()`, scope)))
	}
	want := picture + "|_blank|noopener noreferrer|查看上报图片（外部链接）"

	crew := open("crew")
	crew.login(m.URL, "/crew", "crew-lh01-hw")
	if got := link(crew, fmt.Sprintf(`li.task[data-id="%s"]`, id)); got != want {
		t.Errorf("the crew's task shows %q, want %q", got, want)
	}
	disp := open("dispatcher")
	disp.login(m.URL, "/console/orders/"+id, "dispatcher")
	if got := link(disp, "#order-photos"); got != want {
		t.Errorf("the dispatcher's order shows %q, want %q", got, want)
	}
}

package api_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"guanjia"
)

// What an Open311 GeoReport v2 client sees of the endpoint, on whichever
// backend is configured.

type o311Request struct {
	ServiceRequestID  string `json:"service_request_id"`
	ServiceCode       string `json:"service_code"`
	Description       string `json:"description"`
	Address           string `json:"address"`
	RequestedDatetime string `json:"requested_datetime"`
}

type o311Update struct {
	UpdateID         string `json:"update_id"`
	ServiceRequestID string `json:"service_request_id"`
	Status           string `json:"status"`
	UpdatedDatetime  string `json:"updated_datetime"`
}

type o311Error struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

// open311Call sends method target (a path under /open311/v2/ with its raw
// query) with form as the body of a POST, and returns the status and body.
func open311Call(h http.Handler, method, target string, form url.Values) (int, []byte) {
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, "/open311/v2/"+target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, "/open311/v2/"+target, nil)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// open311Get GETs a JSON list and decodes it into out.
func (r *consoleRig) open311Get(h http.Handler, target string, out any) {
	r.t.Helper()
	status, body := open311Call(h, "GET", target, nil)
	if status != http.StatusOK {
		r.t.Fatalf("GET %s: %d %s", target, status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		r.t.Fatalf("GET %s: %v in %s", target, err, body)
	}
}

// open311Key adds an Open311 client as the admin and returns its key.
func (r *consoleRig) open311Key(h http.Handler) string {
	r.t.Helper()
	code, out := r.call(h, "admin", "POST", "/api/v1/open311/clients", map[string]any{"name": "fixmystreet"})
	if code != http.StatusCreated {
		r.t.Fatalf("add client: %d %v", code, out)
	}
	return out["key"].(string)
}

// file311 files a request through Open311 and returns its id.
func (r *consoleRig) file311(h http.Handler, key, service string, lat, lng float64) string {
	r.t.Helper()
	status, body := open311Call(h, "POST", "requests.json", url.Values{"api_key": {key}, "service_code": {service},
		"lat": {fmt.Sprint(lat)}, "long": {fmt.Sprint(lng)}, "description": {"路口有一堆垃圾"}})
	var receipts []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.Unmarshal(body, &receipts); status != http.StatusCreated || err != nil || len(receipts) != 1 {
		r.t.Fatalf("POST requests.json: %d %s", status, body)
	}
	return receipts[0].ID
}

func requestIDs(rs []o311Request) string {
	ids := make([]string, len(rs))
	for i, x := range rs {
		ids[i] = x.ServiceRequestID
	}
	return strings.Join(ids, ",")
}

// A sync client reads servicerequestupdates and moves its window past the
// last one: internal events (here 4000 reminders) must not push a later
// change of status out of the answer.
func TestOpen311UpdatesAreNotHiddenByInternalEvents(t *testing.T) {
	r := newConsoleRig(t)
	h := r.fullReplica()
	id := r.file311(h, r.open311Key(h), "1101", siteLat, siteLng)
	n, _ := strconv.ParseInt(id, 10, 64)
	start := time.Now().UTC().Add(-time.Minute)
	reminders := make([]map[string]any, 4000)
	for i := range reminders {
		reminders[i] = map[string]any{"complaint_id": n, "action": string(guanjia.ActionRemind), "from_status": "dispatched",
			"to_status": "dispatched", "actor_role": "", "unit_code": "", "note": "", "at": start.Add(time.Duration(i) * time.Millisecond)}
	}
	if err := r.db.Gorm().Table("complaint_events").CreateInBatches(reminders, 200).Error; err != nil {
		t.Fatal(err)
	}
	if code, out := r.call(h, "crew", "POST", "/api/v1/complaints/"+id+"/accept", nil); code != http.StatusOK {
		t.Fatalf("accept: %d %v", code, out)
	}
	var updates []o311Update
	r.open311Get(h, "servicerequestupdates.json", &updates)
	var statuses []string
	for _, u := range updates {
		if u.ServiceRequestID == id {
			statuses = append(statuses, u.Status)
		}
	}
	if got := strings.Join(statuses, " "); got != "OPEN ACTION_SCHEDULED IN_PROGRESS" {
		t.Fatalf("updates: %q (%d in all), want OPEN ACTION_SCHEDULED IN_PROGRESS", got, len(updates))
	}
}

// Times are shown to the second: the time a request or an update shows, as
// end_date, includes it; a date alone is that whole day in the city; and a
// "+08:00" sent unencoded (a space once decoded) is read as sent.
func TestOpen311DatesIncludeWhatTheyShow(t *testing.T) {
	r := newConsoleRig(t)
	h := r.fullReplica()
	key := r.open311Key(h)
	filed := time.Now().UTC().Truncate(time.Second).Add(-time.Hour + 500*time.Millisecond) // half a second past what is shown
	r.svc.Now = func() time.Time { return filed }
	id := r.file311(h, key, "1101", siteLat, siteLng)
	var one []o311Request
	r.open311Get(h, "requests/"+id+".json", &one)
	shown := one[0].RequestedDatetime
	if shown != filed.In(guanjia.ChinaTime).Format(time.RFC3339) {
		t.Fatalf("requested_datetime %s, filed %s", shown, filed)
	}
	day := shown[:len(time.DateOnly)]
	prev := filed.In(guanjia.ChinaTime).AddDate(0, 0, -1).Format(time.DateOnly)
	for _, tc := range []struct {
		query string
		found bool
	}{
		{"end_date=" + url.QueryEscape(shown), true},
		{"start_date=" + url.QueryEscape(shown) + "&end_date=" + url.QueryEscape(shown), true},
		{"start_date=" + shown + "&end_date=" + shown, true}, // the + unencoded
		{"start_date=" + day + "&end_date=" + day, true},
		{"start_date=" + day, true},
		{"end_date=" + prev, false},
		{"end_date=" + url.QueryEscape(filed.Add(-time.Second).In(guanjia.ChinaTime).Format(time.RFC3339)), false},
	} {
		var rs []o311Request
		r.open311Get(h, "requests.json?"+tc.query, &rs)
		if got := requestIDs(rs) == id; got != tc.found {
			t.Errorf("requests.json?%s: %q, want %s found %v", tc.query, requestIDs(rs), id, tc.found)
		}
	}

	var updates []o311Update
	r.open311Get(h, "servicerequestupdates.json", &updates)
	if len(updates) == 0 || updates[0].Status != "OPEN" {
		t.Fatalf("updates: %+v", updates)
	}
	for _, q := range []string{"end_date=" + url.QueryEscape(updates[0].UpdatedDatetime), "start_date=" + day + "&end_date=" + day,
		"end_date=" + updates[0].UpdatedDatetime} {
		var got []o311Update
		r.open311Get(h, "servicerequestupdates.json?"+q, &got)
		if len(got) == 0 || got[0].UpdateID != updates[0].UpdateID {
			t.Errorf("servicerequestupdates.json?%s: %+v, want update %s", q, got, updates[0].UpdateID)
		}
	}

	status, body := open311Call(h, "GET", "requests.json?end_date=2026-13-01", nil)
	var errs []o311Error
	if json.Unmarshal(body, &errs); status != http.StatusBadRequest || len(errs) != 1 || errs[0].Code != 400 {
		t.Errorf("a date that is none: %d %s", status, body)
	}
}

// service_code may be a comma list.
func TestOpen311ServiceCodeList(t *testing.T) {
	r := newConsoleRig(t)
	h := r.fullReplica()
	key := r.open311Key(h)
	trash := r.file311(h, key, "1101", siteLat, siteLng)
	cover := r.file311(h, key, "0101", siteLat, siteLng)
	for _, tc := range []struct{ codes, want string }{
		{"1101,0101", cover + "," + trash},
		{"1101, 0101", cover + "," + trash},
		{"0101", cover},
		{"1101,", trash},
		{"9999", ""},
	} {
		var rs []o311Request
		r.open311Get(h, "requests.json?service_code="+url.QueryEscape(tc.codes), &rs)
		if got := requestIDs(rs); got != tc.want {
			t.Errorf("service_code=%s: %q, want %q", tc.codes, got, tc.want)
		}
	}
}

// Open311 publishes the words and address of requests of source open311,
// so no one files those but an Open311 client: a dispatcher or an admin who
// sends the source with a caller's name and phone is refused, and nothing
// of the caller's is published.
func TestOnlyOpen311ClientsFileOpen311Requests(t *testing.T) {
	r := newConsoleRig(t)
	h := r.fullReplica()
	for _, user := range []string{"dispatcher", "admin"} {
		got := r.send(h, user, "POST", "/api/v1/complaints", complaintJSON("source", `"open311"`), "application/json")
		if got.status != http.StatusBadRequest || got.field != "source" {
			t.Errorf("%s files a request of source open311: %d %s", user, got.status, got.body)
		}
	}
	var rs []o311Request
	r.open311Get(h, "requests.json", &rs)
	if len(rs) != 0 {
		t.Fatalf("refused requests are published: %+v", rs)
	}
	if got := r.send(h, "dispatcher", "POST", "/api/v1/complaints", complaintJSON("source", `"hotline"`), "application/json"); got.status != http.StatusCreated {
		t.Fatalf("a hotline order: %d %s", got.status, got.body)
	}
	r.open311Get(h, "requests.json", &rs)
	if len(rs) != 1 || rs[0].Description != "" || rs[0].Address != "" {
		t.Fatalf("a hotline order as Open311 shows it: %+v", rs)
	}
}

// Two clients of one name added at once: the one whose name was taken
// between its check and its insert is told so (409), and nothing is added.
func TestOpen311ClientNameTakenMeanwhile(t *testing.T) {
	r := newConsoleRig(t)
	h := r.fullReplica()
	g := r.db.Gorm()
	race := true
	// Just before the client's row is inserted, another takes its name.
	err := g.Callback().Create().Before("gorm:create").Register("test:open311_race", func(tx *gorm.DB) {
		if tx.Statement.Table != "open311_clients" || !race {
			return
		}
		race = false
		tx.Session(&gorm.Session{NewDB: true}).Exec("INSERT INTO open311_clients (name, key_hash, user_id, services, created_at) VALUES (?, ?, ?, '', ?)",
			"fixmystreet", "other", r.users["admin"].ID, time.Now().UTC())
	})
	if err != nil {
		t.Fatal(err)
	}
	code, out := r.call(h, "admin", "POST", "/api/v1/open311/clients", map[string]any{"name": "fixmystreet"})
	if code != http.StatusConflict || errorField(out) != "name" {
		t.Fatalf("a name taken meanwhile: %d %v, want 409 on name", code, out)
	}
	if code, out := r.call(h, "admin", "GET", "/api/v1/open311/clients", nil); code != http.StatusOK || len(out["clients"].([]any)) != 0 {
		t.Fatalf("clients after the conflict: %d %v", code, out)
	}
	r.open311Key(h) // and the name is free again
}

// Errors no handler of the endpoint answers (an unknown path, a wrong
// method, a malformed query) are the specification's error list too, in
// the format the path names.
func TestOpen311ErrorsOutsideTheHandlers(t *testing.T) {
	r := newConsoleRig(t)
	h := r.fullReplica()
	for _, tc := range []struct {
		method, target string
		status         int
	}{
		{"GET", "nonsense.json", http.StatusNotFound},
		{"GET", "nonsense.xml", http.StatusNotFound},
		{"GET", "requests/12/more.xml", http.StatusNotFound},
		{"DELETE", "requests.json", http.StatusMethodNotAllowed},
		{"PUT", "services.xml", http.StatusMethodNotAllowed},
		{"GET", "requests.json?status=%00", http.StatusBadRequest},
		{"GET", "requests.xml?status=%zz", http.StatusBadRequest},
	} {
		status, body := open311Call(h, tc.method, tc.target, nil)
		var errs []o311Error
		var err error
		if strings.Contains(tc.target, ".xml") {
			var doc struct {
				XMLName xml.Name    `xml:"errors"`
				Errors  []o311Error `xml:"error"`
			}
			err, errs = xml.Unmarshal(body, &doc), doc.Errors
		} else {
			err = json.Unmarshal(body, &errs)
		}
		if status != tc.status || err != nil || len(errs) != 1 || errs[0].Code != tc.status || errs[0].Description == "" {
			t.Errorf("%s %s: %d %s, want %d in Open311's error list", tc.method, tc.target, status, body, tc.status)
		}
	}
	// The API keeps its own.
	if got := r.send(h, "admin", "GET", "/api/v1/nonsense", nil, ""); got.status != http.StatusNotFound || got.code != guanjia.ENOTFOUND {
		t.Errorf("an unknown API path: %d %s", got.status, got.body)
	}
}

// A reporting app sends its reporter's picture as a media_url: the link is
// kept with the request, answered by GET requests, and shown to the
// dispatcher with the order. A link a browser should not open is refused by
// name, and nothing is filed.
func TestOpen311KeepsTheMediaURL(t *testing.T) {
	r := newConsoleRig(t)
	h := r.fullReplica()
	key := r.open311Key(h)
	form := func(media string) url.Values {
		return url.Values{"api_key": {key}, "service_code": {"1101"}, "lat": {fmt.Sprint(siteLat)},
			"long": {fmt.Sprint(siteLng)}, "description": {"路口有一堆垃圾"}, "media_url": {media}}
	}
	for _, bad := range []string{"javascript:alert(1)", "ftp://img.example.com/a.jpg", "img.example.com/a.jpg",
		"https://user:secret@img.example.com/a.jpg", "https:///a.jpg", "https://img.example.com/" + strings.Repeat("a", 2048)} {
		status, body := open311Call(h, "POST", "requests.json", form(bad))
		var errs []o311Error
		if err := json.Unmarshal(body, &errs); status != http.StatusBadRequest || err != nil || len(errs) != 1 ||
			!strings.Contains(errs[0].Description, "media_url") {
			t.Errorf("media_url %.40q: %d %s", bad, status, body)
		}
	}
	var rs []o311Request
	if r.open311Get(h, "requests.json", &rs); len(rs) != 0 {
		t.Fatalf("a refused request was filed: %+v", rs)
	}

	const picture = "https://img.example.com/reports/2f9c.jpg?size=large"
	status, body := open311Call(h, "POST", "requests.json", form(picture))
	var receipts []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.Unmarshal(body, &receipts); status != http.StatusCreated || err != nil || len(receipts) != 1 {
		t.Fatalf("POST requests.json: %d %s", status, body)
	}
	var got []struct {
		MediaURL string `json:"media_url"`
	}
	r.open311Get(h, "requests/"+receipts[0].ID+".json", &got)
	if len(got) != 1 || got[0].MediaURL != picture {
		t.Errorf("GET requests/%s: %+v, want media_url %s", receipts[0].ID, got, picture)
	}
	code, order := r.call(h, "dispatcher", "GET", "/api/v1/complaints/"+receipts[0].ID, nil)
	if code != http.StatusOK || order["media_url"] != picture {
		t.Errorf("the dispatcher's order: %d media_url %v, want %s", code, order["media_url"], picture)
	}
}

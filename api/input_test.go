package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/api"
)

// Issue 10, rows 4–8: what the API does with hostile input. These run on
// whichever backend is configured; on PostgreSQL a NUL reaching a TEXT
// column was a 500.

type apiError struct {
	status               int
	code, message, field string
	body                 string
}

// send posts a raw body (or GETs when body is nil) as user on h.
func (r *consoleRig) send(h http.Handler, user, method, path string, body []byte, contentType string) apiError {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept-Language", "en")
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+r.tokens[user])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return apiError{rec.Code, out.Error.Code, out.Error.Message, out.Error.Field, rec.Body.String()}
}

// complaintJSON is a valid new work order with one field replaced by raw JSON.
func complaintJSON(field, raw string) []byte {
	fields := map[string]string{"category": `"1101"`, "description": `"路边有垃圾"`, "lat": fmt.Sprint(siteLat),
		"lng": fmt.Sprint(siteLng), "address": `"龙华路"`, "caller_name": `"王先生"`, "caller_phone": `"13812345678"`}
	if field != "" {
		fields[field] = raw
	}
	var b strings.Builder
	b.WriteString("{")
	first := true
	for k, v := range fields {
		if !first {
			b.WriteString(",")
		}
		first = false
		fmt.Fprintf(&b, "%q:%s", k, v)
	}
	b.WriteString("}")
	return []byte(b.String())
}

func TestHostileTextIsRefused(t *testing.T) { // row 4
	r := newConsoleRig(t)
	h := r.fullReplica()
	const js = "application/json"
	for _, tc := range []struct {
		name, field, raw string
	}{
		{"NUL in a description", "description", `"垃圾\u0000堆放"`},
		{"NUL in a name", "caller_name", `"王\u0000"`},
		{"escape character in an address", "address", `"龙华路\u001b[31m"`},
		{"newline in a one-line field", "caller_name", `"王\n先生"`},
		{"NUL in a category code", "category", `"1101\u0000"`},
	} {
		if got := r.send(h, "agent", "POST", "/api/v1/complaints", complaintJSON(tc.field, tc.raw), js); got.status != 400 || got.field != tc.field {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.name, got.status, got.body, tc.field)
		}
	}
	// Invalid UTF-8 inside a JSON string (json would quietly turn it into U+FFFD).
	bad := append(append([]byte(`{"category":"1101","description":"`), 0xff, 0xfe), []byte(`","lat":20.005,"lng":110.305}`)...)
	if got := r.send(h, "agent", "POST", "/api/v1/complaints", bad, js); got.status != 400 {
		t.Errorf("invalid UTF-8 in the body: %d %s", got.status, got.body)
	}
	// Line breaks and tabs are fine where people write at length.
	if got := r.send(h, "agent", "POST", "/api/v1/complaints", complaintJSON("description", `"第一行\n\t第二行"`), js); got.status != 201 {
		t.Errorf("a multi-line description: %d %s", got.status, got.body)
	}

	// Query and path parameters: NUL, invalid UTF-8, control characters.
	for _, path := range []string{
		"/api/v1/complaints?district=%00",
		"/api/v1/complaints?district=%FF%FE",
		"/api/v1/complaints?category=a%0Ab",
		"/api/v1/complaints?%00=1",
		"/api/v1/complaints?district=%zz",
		"/api/v1/credit/subjects?q=%E6%B5%B7%00",
		"/api/v1/credit/subjects/91350100M000100Y4%00",
		"/api/v1/credit/subjects/%FF",
		"/api/v1/credit/lists/black%01",
		"/api/v1/photos/abc%00def",
	} {
		if got := r.send(h, "dispatcher", "GET", path, nil, ""); got.status != 400 || got.code != guanjia.EINVALID {
			t.Errorf("GET %s: %d %s, want 400", path, got.status, got.body)
		}
	}
	if got := r.send(h, "admin", "PUT", "/api/v1/categories/1101%00", []byte(`{"name":"x"}`), js); got.status != 400 || got.field != "code" {
		t.Errorf("NUL in a path parameter: %d %s", got.status, got.body)
	}

	// Multipart: a form field and an uploaded file's name.
	id := r.fileComplaint(h, "1101", siteLat, siteLng)
	for _, tc := range []struct{ name, kind, filename, field string }{
		{"NUL in a form field", "report\x00", "photo.png", "kind"},
		{"control character in a file name", "report", "ph\x01oto.png", "file"},
		{"invalid UTF-8 file name", "report", "ph\xffoto.png", "file"},
	} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("kind", tc.kind)
		fw, _ := mw.CreateFormFile("file", tc.filename)
		fw.Write(tinyPNG(t))
		mw.Close()
		got := r.send(h, "agent", "POST", fmt.Sprintf("/api/v1/complaints/%d/photos", id), body.Bytes(), mw.FormDataContentType())
		if got.status != 400 || got.field != tc.field {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.name, got.status, got.body, tc.field)
		}
	}
}

func TestCreditImportRefusesControlCharacters(t *testing.T) { // row 4, imports
	a := newCreditAPI(t)
	csv := strings.Replace(apiCSV(apiCode), "拖欠工资", "拖欠\x01工资", 1)
	var b batchAnswer
	rec := a.upload(t, "rsj", guanjia.CreditBlackList, "a.csv", []byte(csv), &b)
	if rec.Code != http.StatusUnprocessableEntity || len(b.Errors) != 1 || b.Errors[0].Row != 2 || b.Errors[0].Column != "列入原因" {
		t.Fatalf("a control character in a cell: %d %s, want a row error on row 2, 列入原因", rec.Code, rec.Body)
	}
	var e struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	if rec := a.upload(t, "rsj", guanjia.CreditBlackList, "a\x00.csv", []byte(apiCSV(apiCode)), &e); rec.Code != 400 || e.Error.Field != "file" {
		t.Fatalf("NUL in the file name: %d %s", rec.Code, rec.Body)
	}
}

func TestPagingIsBounded(t *testing.T) { // row 5
	a := newCreditAPI(t)
	for _, path := range []string{
		"/api/v1/credit/subjects?q=海南&page=9223372036854775807",
		"/api/v1/credit/subjects?q=海南&page=99999999999999999999",
		"/api/v1/credit/subjects?q=海南&page=0",
		"/api/v1/credit/subjects?q=海南&page=-1",
		"/api/v1/credit/subjects?q=海南&page=10001",
		"/api/v1/credit/subjects?q=海南&per_page=101",
		"/api/v1/credit/subjects?q=海南&per_page=0",
		"/api/v1/credit/lists/black?page=9223372036854775807",
		"/api/v1/credit/articles?page=9223372036854775807",
		"/api/v1/credit/articles?per_page=1000000",
	} {
		var e struct {
			Error struct{ Code, Message, Field string } `json:"error"`
		}
		rec := a.do(t, "", http.MethodGet, path, nil, "", &e)
		if rec.Code != http.StatusBadRequest || (e.Error.Field != "page" && e.Error.Field != "per_page") {
			t.Errorf("GET %s: %d %s, want 400 naming page or per_page", path, rec.Code, rec.Body)
		}
	}
	for _, path := range []string{"/api/v1/credit/subjects?q=海南&page=2", "/api/v1/credit/lists/black?page=10000&per_page=100"} {
		if rec := a.do(t, "", http.MethodGet, path, nil, "", nil); rec.Code != http.StatusOK {
			t.Errorf("GET %s: %d %s, want 200 (an empty page)", path, rec.Code, rec.Body)
		}
	}

	r := newConsoleRig(t)
	h := r.fullReplica()
	for _, path := range []string{"/api/v1/complaints?page=9223372036854775807", "/api/v1/complaints?per_page=201",
		"/api/v1/inbox?limit=0", "/api/v1/notifications?limit=501", "/api/v1/notices/all?limit=-5", "/api/v1/stats/deliveries?days=91"} {
		if got := r.send(h, "admin", "GET", path, nil, ""); got.status != 400 {
			t.Errorf("GET %s: %d %s, want 400", path, got.status, got.body)
		}
	}
	if got := r.send(h, "admin", "GET", "/api/v1/complaints?page=10000&per_page=200", nil, ""); got.status != 200 {
		t.Errorf("the last page: %d %s", got.status, got.body)
	}
}

func TestBodyIsOneJSONObject(t *testing.T) { // rows 6 and 8
	r := newConsoleRig(t)
	h := r.fullReplica()
	one := string(complaintJSON("", ""))
	for _, tc := range []struct{ name, body, field, message string }{
		{"two objects back to back", one + one, "", "the body must be one JSON object with nothing after it"},
		{"trailing garbage", one + "garbage", "", "the body must be one JSON object with nothing after it"},
		{"a trailing bracket", one + "]", "", "the body must be one JSON object with nothing after it"},
		{"an array", "[" + one + "]", "", "the body must be a JSON object"},
		{"a string", `"hello"`, "", "the body must be a JSON object"},
		{"null", `null`, "", "the body must be a JSON object"},
		{"nothing", ``, "", "a JSON body is required"},
		{"a string for a number", string(complaintJSON("lat", `"north"`)), "lat", "lat must be a number"},
		{"a number for a string", string(complaintJSON("description", `42`)), "description", "description must be a string"},
		{"an object for a string", string(complaintJSON("caller_name", `{"a":1}`)), "caller_name", "caller_name must be a string"},
		{"a huge number", string(complaintJSON("lat", `1e400`)), "lat", "lat is out of range"},
		{"cut short", one[:len(one)-5], "", "the JSON body ends too early"},
	} {
		got := r.send(h, "agent", "POST", "/api/v1/complaints", []byte(tc.body), "application/json")
		if got.status != 400 || got.field != tc.field || got.message != tc.message {
			t.Errorf("%s: %d %q (field %q), want 400 %q (field %q)", tc.name, got.status, got.message, got.field, tc.message, tc.field)
		}
		for _, internal := range []string{"api.", "Request", "float64", "string into", "Go value", "struct"} {
			if strings.Contains(got.message, internal) {
				t.Errorf("%s: the message %q names an internal (%q)", tc.name, got.message, internal)
			}
		}
	}
	// The same in Chinese, the default.
	req := httptest.NewRequest("POST", "/api/v1/complaints", strings.NewReader("[]"))
	req.Header.Set("Authorization", "Bearer "+r.tokens["agent"])
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), "JSON 对象") {
		t.Errorf("an array in Chinese: %s", rec.Body)
	}
}

// A time JSON can carry but cannot write back (year 10000 once in UTC) would
// be stored, and every page showing it would fail: it is refused on input.
func TestTimesOutsideWhatJSONWritesAreRefused(t *testing.T) {
	type request struct {
		At    time.Time  `json:"at"`
		Until *time.Time `json:"until"`
	}
	for body, field := range map[string]string{
		`{"at":"9999-12-31T23:00:00-02:00"}`:                                "at",
		`{"at":"2026-08-10T09:00:00+08:00","until":"1800-01-01T00:00:00Z"}`: "until",
	} {
		var v request
		if err := api.DecodeJSON([]byte(body), &v); guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != field {
			t.Errorf("%s: %v, want refused on %s", body, err, field)
		}
	}
	for _, body := range []string{`{"at":"9999-12-31T23:00:00+08:00"}`, `{"until":"2026-08-10T09:00:00+08:00"}`} {
		var v request
		if err := api.DecodeJSON([]byte(body), &v); err != nil {
			t.Errorf("%s (a time JSON writes; no at, as not given): %v", body, err)
		}
	}
}

func TestTextFieldsHaveMaxima(t *testing.T) { // row 7
	r := newConsoleRig(t)
	h := r.fullReplica()
	for _, tc := range []struct {
		name, field, raw string
		want             int
	}{
		{"a caller's name of 300,000 characters", "caller_name", `"` + strings.Repeat("王", 300000) + `"`, 400},
		{"a caller's name one over the maximum", "caller_name", `"` + strings.Repeat("王", guanjia.MaxName+1) + `"`, 400},
		{"a caller's name at the maximum", "caller_name", `"` + strings.Repeat("王", guanjia.MaxName) + `"`, 201},
		{"a description one over", "description", `"` + strings.Repeat("垃", guanjia.MaxDescription+1) + `"`, 400},
		{"an address one over", "address", `"` + strings.Repeat("路", 501) + `"`, 400},
	} {
		got := r.send(h, "agent", "POST", "/api/v1/complaints", complaintJSON(tc.field, tc.raw), "application/json")
		if got.status != tc.want || (tc.want == 400 && got.field != tc.field) {
			t.Errorf("%s: %d %.300s, want %d", tc.name, got.status, got.body, tc.want)
		}
	}
	// A field with no maximum of its own still has the API's: guanjia.MaxText.
	id := r.fileComplaint(h, "1101", siteLat, siteLng)
	long := fmt.Sprintf(`{"reason":%q}`, strings.Repeat("因", guanjia.MaxText+1))
	if got := r.send(h, "dispatcher", "POST", fmt.Sprintf("/api/v1/complaints/%d/reject", id), []byte(long), "application/json"); got.status != 400 || got.field != "reason" {
		t.Errorf("a reason over MaxText: %d %.300s", got.status, got.body)
	}
	note := fmt.Sprintf(`{"note":%q}`, strings.Repeat("记", guanjia.MaxNote+1))
	if got := r.send(h, "dispatcher", "POST", fmt.Sprintf("/api/v1/complaints/%d/followup", id), []byte(note), "application/json"); got.status != 400 || got.field != "note" {
		t.Errorf("a note over MaxNote: %d %.300s", got.status, got.body)
	}
	// Passwords: bcrypt reads 72 bytes, so a longer one cannot be a password.
	if got := r.send(h, "", "POST", "/api/v1/auth/login", []byte(fmt.Sprintf(`{"username":"admin","password":%q}`, strings.Repeat("p", 73))), "application/json"); got.status != 401 {
		t.Errorf("login with a 73-byte password: %d %s", got.status, got.body)
	}
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

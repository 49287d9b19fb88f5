package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/text/encoding/simplifiedchinese"

	"guanjia"
	"guanjia/api"
	"guanjia/credit"
	"guanjia/internal/testenv"
)

type creditAPI struct {
	srv    *api.Server
	svc    *credit.Service
	logs   *bytes.Buffer
	tokens map[string]string
}

func newCreditAPI(t *testing.T) *creditAPI {
	t.Helper()
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.UpsertUnit(ctx, &guanjia.Unit{Code: "hk-rsj", Name: "海口市人力资源和社会保障局", Department: "人社"}))
	must(db.SetRemit(ctx, "hk-rsj", []string{guanjia.CreditBlackList}))
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := credit.NewService(db, nil, nil, nil)
	svc.Log = log
	const secret = "test-secret"
	a := &creditAPI{svc: svc, logs: logs, tokens: map[string]string{}}
	for _, u := range []*guanjia.User{
		{Username: "rsj", Role: guanjia.RoleDepartment, UnitCode: "hk-rsj"},
		{Username: "citizen", Role: guanjia.RoleCitizen},
		{Username: "admin", Role: guanjia.RoleAdmin},
	} {
		must(db.CreateUser(ctx, u))
		tok, err := api.IssueToken(secret, u, time.Hour, time.Now())
		must(err)
		a.tokens[u.Username] = tok
	}
	a.srv = api.New(api.Config{Secret: secret}, api.Deps{Users: db, Catalog: db, Notifications: db, Idempotency: db,
		Credit: svc, Registry: prometheus.NewRegistry(), Log: log, Now: func() time.Time { return time.Now().UTC() }})
	return a
}

// do sends a request as user ("" = anonymous) and decodes a JSON answer into out.
func (a *creditAPI) do(t *testing.T, user, method, path string, body io.Reader, contentType string, out any) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[user])
	}
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, req)
	if out != nil && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, rec.Body)
		}
	}
	return rec
}

func (a *creditAPI) upload(t *testing.T, user, typ, filename string, data []byte, out any) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("type", typ)
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write(data)
	w.Close()
	return a.do(t, user, http.MethodPost, "/api/v1/credit/imports", &body, w.FormDataContentType(), out)
}

type batchAnswer struct {
	ID       int64  `json:"id"`
	Status   string `json:"status"`
	Percent  int    `json:"percent"`
	Inserted int    `json:"inserted"`
	Errors   []struct {
		Row    int    `json:"row"`
		Column string `json:"column"`
		Reason string `json:"reason"`
	} `json:"errors"`
	Error struct {
		Code string `json:"code"`
	} `json:"error"`
}

var (
	apiCode   = "91350100M000100Y43"
	apiPerson = credit.CompleteIDNumber("46010619880808123")
)

const apiHeader = "行政相对人名称,行政相对人类别,统一社会信用代码,证件号码,名单名称,列入原因,认定依据文号,认定部门,认定日期,有效期至\n"

func apiCSV(code string) string {
	return apiHeader +
		"海南椰风建筑工程有限公司,法人及非法人组织," + code + ",,拖欠农民工工资失信联合惩戒对象名单,拖欠工资,海人社〔2026〕1号,海口市人社局,2026-01-05,2099-01-05\n" +
		"符某,自然人,," + apiPerson + ",拖欠农民工工资失信联合惩戒对象名单,拖欠工资,海人社〔2026〕2号,海口市人社局,2026-01-05,2099-01-05\n"
}

func TestCreditAPI(t *testing.T) {
	a := newCreditAPI(t)

	// The template is a CSV header row anyone can download.
	rec := a.do(t, "", http.MethodGet, "/api/v1/credit/templates/blacklist", nil, "", nil)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") ||
		!strings.Contains(rec.Body.String(), "统一社会信用代码") {
		t.Fatalf("template: %d %s", rec.Code, rec.Body)
	}
	var e struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	if rec := a.do(t, "", http.MethodGet, "/api/v1/credit/templates/parking", nil, "", &e); rec.Code != 400 || e.Error.Field != "type" {
		t.Fatalf("unknown type: %d %+v", rec.Code, e)
	}

	// Only department staff import.
	if rec := a.upload(t, "", guanjia.CreditBlackList, "a.csv", []byte(apiCSV(apiCode)), nil); rec.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous import: %d", rec.Code)
	}
	if rec := a.upload(t, "citizen", guanjia.CreditBlackList, "a.csv", []byte(apiCSV(apiCode)), nil); rec.Code != http.StatusForbidden {
		t.Fatalf("citizen import: %d", rec.Code)
	}

	// A bad row: 422 with the row report.
	var b batchAnswer
	rec = a.upload(t, "rsj", guanjia.CreditBlackList, "a.csv", []byte(apiCSV("91350100M000100Y44")), &b)
	if rec.Code != http.StatusUnprocessableEntity || b.Status != "rejected" || b.ID == 0 || len(b.Errors) != 1 ||
		b.Errors[0].Row != 2 || b.Errors[0].Column != "统一社会信用代码" || b.Error.Code != guanjia.EUNPROCESSABLE {
		t.Fatalf("rejected batch: %d %s", rec.Code, rec.Body)
	}
	var st batchAnswer
	if rec := a.do(t, "rsj", http.MethodGet, fmt.Sprintf("/api/v1/credit/imports/%d", b.ID), nil, "", &st); rec.Code != 200 || len(st.Errors) != 1 {
		t.Fatalf("batch status: %d %s", rec.Code, rec.Body)
	}

	// Files that are not what they claim: clear errors with the right status.
	for _, tc := range []struct {
		name string
		data []byte
		want int
	}{
		{"list.xlsx", []byte(apiCSV(apiCode)), http.StatusUnsupportedMediaType},
		{"list.csv", []byte{0xFF, 0xFE, 0x4C, 0x88}, http.StatusUnsupportedMediaType},
		{"list.csv", []byte{}, http.StatusBadRequest},
	} {
		if rec := a.upload(t, "rsj", guanjia.CreditBlackList, tc.name, tc.data, &e); rec.Code != tc.want || e.Error.Message == "" {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
	}
	a.svc.MaxImportBytes = 100
	if rec := a.upload(t, "rsj", guanjia.CreditBlackList, "a.csv", []byte(apiCSV(apiCode)), &e); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d %s", rec.Code, rec.Body)
	}
	a.svc.MaxImportBytes = 1 << 20

	// Fixed and saved by Excel as GBK: imported; again: nothing new.
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(apiCSV(apiCode))
	if rec := a.upload(t, "rsj", guanjia.CreditBlackList, "a.csv", []byte(gbk), &b); rec.Code != http.StatusCreated || b.Inserted != 2 || b.Percent != 100 {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	if rec := a.upload(t, "rsj", guanjia.CreditBlackList, "a.csv", []byte(apiCSV(apiCode)), &b); rec.Code != http.StatusCreated || b.Inserted != 0 {
		t.Fatalf("re-import: %d %s", rec.Code, rec.Body)
	}

	// Anyone looks up: by part of the name, by code, by ID number (masked in the answer).
	var found struct {
		Subjects []struct {
			Name  string `json:"name"`
			Black int    `json:"black"`
		} `json:"subjects"`
	}
	if rec := a.do(t, "", http.MethodGet, "/api/v1/credit/subjects?q="+url.QueryEscape("椰风建筑"), nil, "", &found); rec.Code != 200 ||
		len(found.Subjects) != 1 || found.Subjects[0].Black != 1 {
		t.Fatalf("search: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, "", http.MethodGet, "/api/v1/credit/subjects?q="+url.QueryEscape("椰"), nil, "", &e); rec.Code != 400 || e.Error.Field != "q" {
		t.Fatalf("one-character search: %d %s", rec.Code, rec.Body)
	}
	rec = a.do(t, "", http.MethodGet, "/api/v1/credit/subjects/"+apiPerson, nil, "", nil)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), apiPerson) || !strings.Contains(rec.Body.String(), `"4601**********`) {
		t.Fatalf("person lookup: %d %s", rec.Code, rec.Body)
	}
	rec = a.do(t, "", http.MethodGet, "/api/v1/credit/lists/black", nil, "", nil)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), apiPerson) || !strings.Contains(rec.Body.String(), `"total":2`) {
		t.Fatalf("black list page: %d %s", rec.Code, rec.Body)
	}

	// The joint-punishment check other services call.
	var check struct {
		Black []struct {
			ID       int64  `json:"id"`
			ListName string `json:"list_name"`
		} `json:"black"`
		Red []any `json:"red"`
	}
	if rec := a.do(t, "", http.MethodGet, "/api/v1/credit/check?code="+apiCode, nil, "", &check); rec.Code != 200 || len(check.Black) != 1 || check.Red == nil {
		t.Fatalf("check: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, "", http.MethodGet, "/api/v1/credit/check?code=91350100M000100Y44", nil, "", &e); rec.Code != 400 {
		t.Fatalf("check with a wrong code: %d %s", rec.Code, rec.Body)
	}

	// 信用修复: the subject applies, the department approves, the entry leaves public view.
	var repair struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	body := fmt.Sprintf(`{"entry_id":%d,"reason":"已支付全部拖欠工资","evidence":"支付凭证"}`, check.Black[0].ID)
	if rec := a.do(t, "", http.MethodPost, "/api/v1/credit/repairs", strings.NewReader(body), "application/json", nil); rec.Code != 401 {
		t.Fatalf("anonymous repair: %d", rec.Code)
	}
	if rec := a.do(t, "citizen", http.MethodPost, "/api/v1/credit/repairs", strings.NewReader(body), "application/json", &repair); rec.Code != 201 {
		t.Fatalf("apply: %d %s", rec.Code, rec.Body)
	}
	decide := fmt.Sprintf("/api/v1/credit/repairs/%d/decide", repair.ID)
	if rec := a.do(t, "citizen", http.MethodPost, decide, strings.NewReader(`{"approve":true}`), "application/json", nil); rec.Code != 403 {
		t.Fatalf("citizen decides: %d", rec.Code)
	}
	if rec := a.do(t, "rsj", http.MethodPost, decide, strings.NewReader(`{}`), "application/json", &e); rec.Code != 400 || e.Error.Field != "approve" {
		t.Fatalf("decide without approve: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, "rsj", http.MethodPost, decide, strings.NewReader(`{"approve":true,"note":"整改到位"}`), "application/json", &repair); rec.Code != 200 || repair.Status != "approved" {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body)
	}
	a.do(t, "", http.MethodGet, "/api/v1/credit/check?code="+apiCode, nil, "", &check)
	if len(check.Black) != 0 {
		t.Fatal("the repaired entry is still on the black list")
	}
	// Staff still see it, with its history; the public does not.
	var entry struct {
		Entry  struct{ Status string }   `json:"entry"`
		Events []struct{ Action string } `json:"events"`
	}
	entryPath := "/api/v1/credit/entries/" + fmt.Sprint(firstEntryID(t, a))
	if rec := a.do(t, "rsj", http.MethodGet, entryPath, nil, "", &entry); rec.Code != 200 || entry.Entry.Status != "repaired" || len(entry.Events) != 3 {
		t.Fatalf("staff view: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, "", http.MethodGet, entryPath, nil, "", nil); rec.Code != 404 {
		t.Fatalf("public view of a repaired entry: %d", rec.Code)
	}

	// Personal data never reaches the log.
	if strings.Contains(a.logs.String(), apiPerson) || strings.Contains(a.logs.String(), apiPerson[6:14]) {
		t.Fatalf("an ID number was logged:\n%s", a.logs)
	}
}

// firstEntryID is the company's entry (the first imported).
func firstEntryID(t *testing.T, a *creditAPI) int64 {
	t.Helper()
	d, err := a.svc.Subject(context.Background(), guanjia.Claims{Role: guanjia.RoleAdmin}, apiCode)
	if err != nil || len(d.Black) != 1 {
		t.Fatalf("%+v %v", d, err)
	}
	return d.Black[0].ID
}

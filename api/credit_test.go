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
	"github.com/redis/go-redis/v9"
	"golang.org/x/text/encoding/simplifiedchinese"

	"guanjia"
	"guanjia/api"
	"guanjia/credit"
	"guanjia/internal/testenv"
	"guanjia/store"
)

type creditAPI struct {
	srv    *api.Server
	svc    *credit.Service
	db     *store.DB
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
	must(db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "hk-rsj", Name: "海口市人力资源和社会保障局", Department: "人社"}))
	must(db.Credit.SetRemit(ctx, "hk-rsj", []string{guanjia.CreditBlackList}))
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := credit.NewService(db.Credit, nil, nil, nil)
	svc.Log, svc.Blobs = log, store.DiskBlobs{Dir: t.TempDir()}
	const secret = "test-secret"
	a := &creditAPI{svc: svc, db: db, logs: logs, tokens: map[string]string{}}
	for _, u := range []*guanjia.User{
		{Username: "rsj", Role: guanjia.RoleDepartment, UnitCode: "hk-rsj"},
		{Username: "citizen", Role: guanjia.RoleCitizen},
		{Username: "rep", Role: guanjia.RoleCitizen},   // the company's 法定代表人
		{Username: "agent", Role: guanjia.RoleCitizen}, // holds the company's 授权委托书
		{Username: "admin", Role: guanjia.RoleAdmin},
	} {
		must(db.Users.CreateUser(ctx, u))
		tok, err := api.IssueToken(ctx, db.Users, secret, u, time.Hour, time.Now())
		must(err)
		a.tokens[u.Username] = tok
	}
	a.srv = api.New(api.Config{Secret: secret}, api.Deps{Users: db.Users, Catalog: db.Catalog, Notifications: db.Notifications, Idempotency: db.Idempotency,
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
	// The company's registered 法定代表人.
	apiRep, apiRepID = "林椰风", credit.CompleteIDNumber("46010519750505002")
)

const apiHeader = "行政相对人名称,行政相对人类别,统一社会信用代码,法定代表人,证件号码,名单名称,列入原因,认定依据文号,认定部门,认定日期,有效期至\n"

func apiCSV(code string) string {
	return apiHeader +
		"海南椰风建筑工程有限公司,法人及非法人组织," + code + "," + apiRep + "," + apiRepID + ",拖欠农民工工资失信联合惩戒对象名单,拖欠工资,海人社〔2026〕1号,海口市人社局,2026-01-05,2099-01-05\n" +
		"符某,自然人,,," + apiPerson + ",拖欠农民工工资失信联合惩戒对象名单,拖欠工资,海人社〔2026〕2号,海口市人社局,2026-01-05,2099-01-05\n"
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

	// 信用修复: an unrelated citizen is refused; the company's 法定代表人 binds
	// their account and applies, and so does the department on its behalf;
	// the department approves, the entry leaves public view.
	var repair struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Basis  string `json:"basis"`
	}
	body := fmt.Sprintf(`{"entry_id":%d,"reason":"已支付全部拖欠工资","evidence":"支付凭证"}`, check.Black[0].ID)
	if rec := a.do(t, "", http.MethodPost, "/api/v1/credit/repairs", strings.NewReader(body), "application/json", nil); rec.Code != 401 {
		t.Fatalf("anonymous repair: %d", rec.Code)
	}
	if rec := a.do(t, "citizen", http.MethodPost, "/api/v1/credit/repairs", strings.NewReader(body), "application/json", &e); rec.Code != 403 || e.Error.Message == "" {
		t.Fatalf("an unrelated citizen applies: %d %s", rec.Code, rec.Body)
	}
	bindPath := "/api/v1/credit/subjects/" + apiCode + "/representatives"
	wrong := fmt.Sprintf(`{"name":%q,"id_number":%q}`, apiRep, apiPerson)
	if rec := a.do(t, "rep", http.MethodPost, bindPath, strings.NewReader(wrong), "application/json", &e); rec.Code != 403 {
		t.Fatalf("bind with another's ID number: %d %s", rec.Code, rec.Body)
	}
	right := fmt.Sprintf(`{"name":%q,"id_number":%q}`, apiRep, apiRepID)
	var standing struct {
		ID     int64  `json:"id"`
		Basis  string `json:"basis"`
		Status string `json:"status"`
	}
	if rec := a.do(t, "rep", http.MethodPost, bindPath, strings.NewReader(right), "application/json", &standing); rec.Code != 201 ||
		standing.Status != "accepted" || standing.Basis != "legal_rep" || strings.Contains(rec.Body.String(), apiRepID) {
		t.Fatalf("bind the 法定代表人: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, "rep", http.MethodPost, bindPath, strings.NewReader(right), "application/json", nil); rec.Code != 200 {
		t.Fatalf("bind again: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, "rsj", http.MethodPost, bindPath, strings.NewReader(right), "application/json", nil); rec.Code != 403 {
		t.Fatalf("staff bind: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, "rep", http.MethodPost, "/api/v1/credit/repairs", strings.NewReader(body), "application/json", &repair); rec.Code != 201 || repair.Basis != "legal_rep" {
		t.Fatalf("apply: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, "rep", http.MethodPost, "/api/v1/credit/repairs", strings.NewReader(body), "application/json", &e); rec.Code != 409 {
		t.Fatalf("a second pending application by the same applicant: %d %s", rec.Code, rec.Body)
	}
	var onBehalf struct {
		Basis string `json:"basis"`
	}
	if rec := a.do(t, "rsj", http.MethodPost, "/api/v1/credit/repairs", strings.NewReader(body), "application/json", &onBehalf); rec.Code != 201 || onBehalf.Basis != "department" {
		t.Fatalf("staff on the subject's behalf: %d %s", rec.Code, rec.Body)
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
	if rec := a.do(t, "rsj", http.MethodGet, entryPath, nil, "", &entry); rec.Code != 200 || entry.Entry.Status != "repaired" || len(entry.Events) != 4 {
		t.Fatalf("staff view: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, "", http.MethodGet, entryPath, nil, "", nil); rec.Code != 404 {
		t.Fatalf("public view of a repaired entry: %d", rec.Code)
	}

	// Personal data never reaches the log.
	if strings.Contains(a.logs.String(), apiPerson) || strings.Contains(a.logs.String(), apiPerson[6:14]) ||
		strings.Contains(a.logs.String(), apiRepID) || strings.Contains(a.logs.String(), apiRepID[6:14]) {
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

// An agent's 授权委托书 over the API: uploaded as a file, pending until the
// department accepts it, then the agent applies. And a penalty's minimum
// publication period: an early application is a 422 naming the day.
func TestCreditRepairAgentsAndPeriodsAPI(t *testing.T) {
	a := newCreditAPI(t)
	ctx := context.Background()
	now := time.Now().UTC()
	a.svc.Now = func() time.Time { return now }
	var b batchAnswer
	if rec := a.upload(t, "rsj", guanjia.CreditBlackList, "a.csv", []byte(apiCSV(apiCode)), &b); rec.Code != http.StatusCreated {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	entryID := firstEntryID(t, a)
	var e struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	poa := func(user, filename string, data []byte, out any) *httptest.ResponseRecorder {
		t.Helper()
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("name", "周某")
		fw, _ := w.CreateFormFile("file", filename)
		fw.Write(data)
		w.Close()
		return a.do(t, user, http.MethodPost, fmt.Sprintf("/api/v1/credit/entries/%d/power-of-attorney", entryID), &body, w.FormDataContentType(), out)
	}
	pdf := []byte("%PDF-1.4\n授权委托书\n%%EOF\n")
	if rec := poa("agent", "poa.pdf", []byte("<html><script>alert(1)</script></html>"), &e); rec.Code != http.StatusUnsupportedMediaType {
		t.Fatalf("an HTML 授权委托书: %d %s", rec.Code, rec.Body)
	}
	if rec := poa("rsj", "poa.pdf", pdf, nil); rec.Code != http.StatusForbidden {
		t.Fatalf("staff upload a 授权委托书: %d %s", rec.Code, rec.Body)
	}
	var standing struct {
		ID       int64  `json:"id"`
		Status   string `json:"status"`
		Document string `json:"document"`
	}
	if rec := poa("agent", "poa.pdf", pdf, &standing); rec.Code != http.StatusCreated || standing.Status != "pending" || standing.Document == "" {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	body := fmt.Sprintf(`{"entry_id":%d,"reason":"已支付全部拖欠工资","evidence":"支付凭证"}`, entryID)
	if rec := a.do(t, "agent", http.MethodPost, "/api/v1/credit/repairs", strings.NewReader(body), "application/json", &e); rec.Code != 403 ||
		!strings.Contains(e.Error.Message, "等待部门审核") {
		t.Fatalf("apply before review: %d %s", rec.Code, rec.Body)
	}
	var queue struct {
		Representatives []struct {
			ID int64 `json:"id"`
		} `json:"representatives"`
	}
	if rec := a.do(t, "rsj", http.MethodGet, "/api/v1/credit/representatives?status=pending", nil, "", &queue); rec.Code != 200 ||
		len(queue.Representatives) != 1 || queue.Representatives[0].ID != standing.ID {
		t.Fatalf("the department's queue: %d %s", rec.Code, rec.Body)
	}
	rec := a.do(t, "rsj", http.MethodGet, standing.Document, nil, "", nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pdf" || !bytes.Equal(rec.Body.Bytes(), pdf) ||
		!strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("the department reads the 授权委托书: %d %v", rec.Code, rec.Header())
	}
	if rec := a.do(t, "citizen", http.MethodGet, standing.Document, nil, "", nil); rec.Code != 404 {
		t.Fatalf("another citizen reads the 授权委托书: %d", rec.Code)
	}
	decide := fmt.Sprintf("/api/v1/credit/representatives/%d/decide", standing.ID)
	if rec := a.do(t, "agent", http.MethodPost, decide, strings.NewReader(`{"accept":true}`), "application/json", nil); rec.Code != 403 {
		t.Fatalf("the agent accepts their own: %d", rec.Code)
	}
	if rec := a.do(t, "rsj", http.MethodPost, decide, strings.NewReader(`{"accept":true,"note":"核验无误"}`), "application/json", &standing); rec.Code != 200 || standing.Status != "accepted" {
		t.Fatalf("accept: %d %s", rec.Code, rec.Body)
	}
	var repair struct {
		Basis string `json:"basis"`
	}
	if rec := a.do(t, "agent", http.MethodPost, "/api/v1/credit/repairs", strings.NewReader(body), "application/json", &repair); rec.Code != 201 || repair.Basis != "power_of_attorney" {
		t.Fatalf("the agent applies: %d %s", rec.Code, rec.Body)
	}

	// A penalty of 一般失信 decided a month ago: repairable two months from now.
	if err := a.db.Credit.SetRemit(ctx, "hk-rsj", []string{guanjia.CreditBlackList, guanjia.CreditPenalty}); err != nil {
		t.Fatal(err)
	}
	y, m, d := now.In(time.FixedZone("CST", 8*3600)).Date()
	decided := time.Date(y, m-1, min(d, 28), 0, 0, 0, 0, time.UTC) // a day every month has
	csv := "行政相对人名称,统一社会信用代码,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,处罚决定日期,公示截止期,处罚机关,数据来源单位,失信程度\n" +
		"海南椰风建筑工程有限公司," + apiCode + ",海人社罚〔2026〕1号,拖欠工资,拖欠劳动者工资,《保障农民工工资支付条例》第五十四条,罚款,罚款人民币贰万元," +
		decided.Format("2006-01-02") + "," + decided.AddDate(1, 0, 0).Format("2006-01-02") + ",海口市人社局,海口市人社局,\n" +
		"海南椰风建筑工程有限公司," + apiCode + ",海人社罚〔2026〕2号,拖欠工资,拖欠劳动者工资,《保障农民工工资支付条例》第五十四条,罚款,罚款人民币拾万元," +
		decided.Format("2006-01-02") + "," + decided.AddDate(3, 0, 0).Format("2006-01-02") + ",海口市人社局,海口市人社局,严重失信\n"
	if rec := a.upload(t, "rsj", guanjia.CreditPenalty, "p.csv", []byte(csv), &b); rec.Code != http.StatusCreated {
		t.Fatalf("penalties: %d %s", rec.Code, rec.Body)
	}
	var subject struct {
		Records []struct {
			ID             int64  `json:"id"`
			DocumentNo     string `json:"document_no"`
			Severity       string `json:"severity"`
			RepairableFrom string `json:"repairable_from"`
		} `json:"records"`
	}
	a.do(t, "", http.MethodGet, "/api/v1/credit/subjects/"+apiCode, nil, "", &subject)
	want := map[string][2]string{
		"海人社罚〔2026〕1号": {"general", decided.AddDate(0, 3, 0).Format("2006-01-02")},
		"海人社罚〔2026〕2号": {"serious", decided.AddDate(1, 0, 0).Format("2006-01-02")},
	}
	if len(subject.Records) != 2 {
		t.Fatalf("records: %+v", subject.Records)
	}
	for _, r := range subject.Records {
		w := want[r.DocumentNo]
		if r.Severity != w[0] || r.RepairableFrom != w[1] {
			t.Errorf("%s: severity %q repairable from %q, want %v", r.DocumentNo, r.Severity, r.RepairableFrom, w)
		}
		body := fmt.Sprintf(`{"entry_id":%d,"reason":"已缴纳罚款并整改","evidence":"缴款凭证"}`, r.ID)
		rec := a.do(t, "agent", http.MethodPost, "/api/v1/credit/repairs", strings.NewReader(body), "application/json", &e)
		if msg := "自 " + w[1] + " 起可申请信用修复"; rec.Code != http.StatusUnprocessableEntity || !strings.Contains(e.Error.Message, msg) || e.Error.Field != "entry_id" {
			t.Errorf("%s applied early: %d %s, want 422 %q", r.DocumentNo, rec.Code, rec.Body, msg)
		}
	}
}

// 双公示 names a person and masks the ID number: their address is not
// published, and a 法定代表人's ID number is no key to the company.
func TestCreditLookupPublishesNoMoreThanTheRecords(t *testing.T) {
	a := newCreditAPI(t)
	lines := strings.Split(strings.TrimSuffix(apiCSV(apiCode), "\n"), "\n") // header, the company, the person
	csv := lines[0] + ",地址\n" + lines[1] + ",海口市滨海大道88号\n" + lines[2] + ",海口市龙华区椰林小区3栋\n"
	if rec := a.upload(t, "rsj", guanjia.CreditBlackList, "a.csv", []byte(csv), nil); rec.Code != http.StatusCreated {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	for _, path := range []string{"/api/v1/credit/subjects/" + apiPerson, "/api/v1/credit/lists/black",
		"/api/v1/credit/subjects?q=" + url.QueryEscape("符某")} {
		rec := a.do(t, "", http.MethodGet, path, nil, "", nil)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "符某") || strings.Contains(rec.Body.String(), "椰林小区") {
			t.Errorf("%s: %d, want the person without their address: %s", path, rec.Code, rec.Body)
		}
	}
	if rec := a.do(t, "", http.MethodGet, "/api/v1/credit/subjects/"+apiCode, nil, "", nil); !strings.Contains(rec.Body.String(), "滨海大道88号") {
		t.Errorf("a company's registered address is public: %s", rec.Body)
	}
	for _, path := range []string{"/api/v1/credit/subjects/" + apiRepID, "/api/v1/credit/subjects?q=" + apiRepID} {
		rec := a.do(t, "", http.MethodGet, path, nil, "", nil)
		if strings.Contains(rec.Body.String(), "椰风") || strings.Contains(rec.Body.String(), apiRep) {
			t.Errorf("%s: the 法定代表人's ID number finds the company: %d %s", path, rec.Code, rec.Body)
		}
	}
}

// An unregistered 个体工商户 is keyed by its operator's ID number: like a
// person, it is shown without the operator's name and (home) address.
func TestCreditLookupShowsAShopKeyedByIDNumberWithoutItsOperator(t *testing.T) {
	a := newCreditAPI(t)
	operatorID := credit.CompleteIDNumber("46010619800101004")
	csv := strings.TrimSuffix(apiHeader, "\n") + ",地址\n" +
		"椰城小吃店,个体工商户,,王某某," + operatorID + ",拖欠农民工工资失信联合惩戒对象名单,拖欠工资,海人社〔2026〕3号,海口市人社局,2026-01-05,2099-01-05,海口市龙华区椰林小区3栋\n"
	if rec := a.upload(t, "rsj", guanjia.CreditBlackList, "a.csv", []byte(csv), nil); rec.Code != http.StatusCreated {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	for _, path := range []string{"/api/v1/credit/subjects/" + operatorID, "/api/v1/credit/lists/black",
		"/api/v1/credit/subjects?q=" + url.QueryEscape("小吃店")} {
		rec := a.do(t, "", http.MethodGet, path, nil, "", nil)
		if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "椰城小吃店") || strings.Contains(body, "椰林小区") || strings.Contains(body, "王某某") {
			t.Errorf("%s: %d, want the shop without its operator's name and address: %s", path, rec.Code, body)
		}
	}
}

// throttled is a's credit API with Redis, where lookups that find nothing
// are counted per address: it answers a GET of path from ip, as user when named.
func (a *creditAPI) throttled(t *testing.T) func(ip, user, path string) *httptest.ResponseRecorder {
	srv := api.New(api.Config{Secret: "test-secret"}, api.Deps{Users: a.db.Users, Catalog: a.db.Catalog, Notifications: a.db.Notifications,
		Idempotency: a.db.Idempotency, Credit: a.svc, Redis: redis.NewClient(testenv.MustRedis(t)), Registry: prometheus.NewRegistry(),
		Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return time.Now().UTC() }})
	return func(ip, user, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = ip + ":40000"
		if user != "" {
			req.Header.Set("Authorization", "Bearer "+a.tokens[user])
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
}

// Lookups that find nothing are counted per address: 20 in 15 minutes, then
// 429. Lookups that find someone are not counted, nor are staff's; another
// address goes on.
func TestCreditLookupMissesThrottled(t *testing.T) {
	a := newCreditAPI(t)
	if rec := a.upload(t, "rsj", guanjia.CreditBlackList, "a.csv", []byte(apiCSV(apiCode)), nil); rec.Code != http.StatusCreated {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	throttled := a.throttled(t)
	get := func(ip, user, key string) *httptest.ResponseRecorder {
		return throttled(ip, user, "/api/v1/credit/subjects/"+key)
	}
	for range 25 {
		if rec := get("192.0.2.30", "", apiPerson); rec.Code != http.StatusOK {
			t.Fatalf("a published person: %d %s", rec.Code, rec.Body)
		}
	}
	for i := range 20 { // someone walking through ID numbers
		if rec := get("192.0.2.30", "", credit.CompleteIDNumber(fmt.Sprintf("46010619900101%03d", i))); rec.Code != http.StatusNotFound {
			t.Fatalf("guess %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	if rec := get("192.0.2.30", "", apiPerson); rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("after 20 misses: %d %s, want 429 with Retry-After", rec.Code, rec.Body)
	}
	if rec := get("192.0.2.31", "", apiPerson); rec.Code != http.StatusOK {
		t.Errorf("another address: %d %s", rec.Code, rec.Body)
	}
	if rec := get("192.0.2.30", "rsj", apiPerson); rec.Code != http.StatusOK {
		t.Errorf("credit staff from the same address: %d %s", rec.Code, rec.Body)
	}
}

// The search box looks an 18-character ID number up exactly as
// /subjects/{code} does: its misses count against the same limit, so ID
// numbers cannot be walked there instead.
func TestSearchingIDNumbersIsThrottledLikeLookups(t *testing.T) {
	a := newCreditAPI(t)
	if rec := a.upload(t, "rsj", guanjia.CreditBlackList, "a.csv", []byte(apiCSV(apiCode)), nil); rec.Code != http.StatusCreated {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	throttled := a.throttled(t)
	get := func(path string) *httptest.ResponseRecorder { return throttled("192.0.2.40", "", path) }
	for i := range 20 { // someone walking through ID numbers with the search box
		get("/api/v1/credit/subjects?q=" + credit.CompleteIDNumber(fmt.Sprintf("46010619900101%03d", i)))
	}
	if rec := get("/api/v1/credit/subjects?q=" + apiPerson); rec.Code != http.StatusTooManyRequests {
		t.Errorf("after 20 ID numbers that found nothing, the 21st search: %d %s, want 429", rec.Code, rec.Body)
	}
}

// The imports, the 信用修复 applications and the standings are paged with
// their number; the deciding staff read the applicant's name, the applicant does not.
func TestCreditListsPagedAPI(t *testing.T) {
	a := newCreditAPI(t)
	var b batchAnswer
	a.upload(t, "rsj", guanjia.CreditBlackList, "bad.csv", []byte(apiCSV("91350100M000100Y44")), &b) // refused: still a batch
	oldest := b.ID
	for range 2 {
		if rec := a.upload(t, "rsj", guanjia.CreditBlackList, "a.csv", []byte(apiCSV(apiCode)), &b); rec.Code != http.StatusCreated {
			t.Fatalf("import: %d %s", rec.Code, rec.Body)
		}
	}
	type page struct {
		Imports []struct {
			ID     int64 `json:"id"`
			Errors []any `json:"errors"`
		} `json:"imports"`
		Repairs []struct {
			ID            int64  `json:"id"`
			ApplicantName string `json:"applicant_name"`
		} `json:"repairs"`
		Representatives []struct {
			ID int64 `json:"id"`
		} `json:"representatives"`
		Total int `json:"total"`
		Page  int `json:"page"`
	}
	var p page
	if rec := a.do(t, "rsj", http.MethodGet, "/api/v1/credit/imports?per_page=2", nil, "", &p); rec.Code != 200 || p.Total != 3 || p.Page != 1 ||
		len(p.Imports) != 2 || p.Imports[0].ID != b.ID {
		t.Fatalf("the first page of imports: %d %s", rec.Code, rec.Body)
	}
	p = page{}
	if rec := a.do(t, "rsj", http.MethodGet, "/api/v1/credit/imports?per_page=2&page=2", nil, "", &p); rec.Code != 200 || p.Total != 3 || p.Page != 2 ||
		len(p.Imports) != 1 || p.Imports[0].ID != oldest || p.Imports[0].Errors != nil {
		t.Fatalf("the second page of imports: the refused batch, without its report: %d %s", rec.Code, rec.Body)
	}
	var e struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	if rec := a.do(t, "rsj", http.MethodGet, "/api/v1/credit/imports?per_page=101", nil, "", &e); rec.Code != 400 || e.Error.Field != "per_page" {
		t.Fatalf("more than 100 a page: %d %s", rec.Code, rec.Body)
	}

	// The 法定代表人 and the department apply.
	bind := fmt.Sprintf(`{"name":%q,"id_number":%q}`, apiRep, apiRepID)
	if rec := a.do(t, "rep", http.MethodPost, "/api/v1/credit/subjects/"+apiCode+"/representatives", strings.NewReader(bind), "application/json", nil); rec.Code != 201 {
		t.Fatalf("bind: %d %s", rec.Code, rec.Body)
	}
	apply := fmt.Sprintf(`{"entry_id":%d,"reason":"已支付全部拖欠工资","evidence":"支付凭证"}`, firstEntryID(t, a))
	applied := map[string]int64{}
	for _, user := range []string{"rep", "rsj"} {
		var app struct {
			ID int64 `json:"id"`
		}
		if rec := a.do(t, user, http.MethodPost, "/api/v1/credit/repairs", strings.NewReader(apply), "application/json", &app); rec.Code != 201 {
			t.Fatalf("%s applies: %d %s", user, rec.Code, rec.Body)
		}
		applied[user] = app.ID
	}
	repOwn := applied["rep"]
	p = page{}
	if rec := a.do(t, "rsj", http.MethodGet, "/api/v1/credit/repairs?status=pending&per_page=1&page=2", nil, "", &p); rec.Code != 200 || p.Total != 2 ||
		len(p.Repairs) != 1 || p.Repairs[0].ID != repOwn || p.Repairs[0].ApplicantName != "rep" {
		t.Fatalf("the department's second page: the 法定代表人's application, named: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, "rsj", http.MethodGet, fmt.Sprintf("/api/v1/credit/repairs/%d", repOwn), nil, "", nil); !strings.Contains(rec.Body.String(), `"applicant_name":"rep"`) {
		t.Errorf("the department reads the application: %d %s", rec.Code, rec.Body)
	}
	for _, path := range []string{"/api/v1/credit/repairs", fmt.Sprintf("/api/v1/credit/repairs/%d", repOwn)} {
		if rec := a.do(t, "rep", http.MethodGet, path, nil, "", nil); rec.Code != 200 || strings.Contains(rec.Body.String(), "applicant_name") {
			t.Errorf("the applicant reads %s: %d %s, want no applicant_name", path, rec.Code, rec.Body)
		}
	}
	p = page{}
	if rec := a.do(t, "rep", http.MethodGet, "/api/v1/credit/representatives?per_page=1", nil, "", &p); rec.Code != 200 || p.Total != 1 || len(p.Representatives) != 1 {
		t.Fatalf("the 法定代表人's standings: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, "rep", http.MethodGet, "/api/v1/credit/representatives?page=0", nil, "", &e); rec.Code != 400 || e.Error.Field != "page" {
		t.Fatalf("page 0: %d %s", rec.Code, rec.Body)
	}
}

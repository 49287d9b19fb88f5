package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"guanjia"
	"guanjia/credit"
)

// creditXSS is typed into what applicants and files say: the page shows it as text.
const creditXSS = `<img src=x onerror=window.__xss=1>`

// blackListCSV writes a 黑名单 file of 人社局 in the template's columns, one
// row per code, decided ten days ago and listed for a year from today
// (Haikou's calendar), so it never depends on the day the test runs.
func blackListCSV(t *testing.T, reason string, codes ...string) []byte {
	t.Helper()
	rt, err := credit.LookupType(guanjia.CreditBlackList)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(guanjia.ChinaTime)
	decided, until := today.AddDate(0, 0, -10).Format("2006-01-02"), today.AddDate(1, 0, 0).Format("2006-01-02")
	var rows [][]string
	for i, code := range codes {
		rows = append(rows, []string{fmt.Sprintf("海南浏览器测试%d号建筑工程有限公司", i+1), "法人及非法人组织", code, "符测试", "",
			"海口市龙华区滨海大道1号", "拖欠农民工工资失信联合惩戒对象名单", reason, fmt.Sprintf("海人社欠薪〔2026〕9%03d号", i+1),
			"海口市人力资源和社会保障局", decided, until})
	}
	return rt.CSV(rows)
}

// testCreditCode is the n-th valid 统一社会信用代码 of the test's own
// companies: no demo company has one (their codes start 91460100000).
func testCreditCode(n int) string {
	return credit.CompleteCreditCode(fmt.Sprintf("91460100MA5T%05d", n))
}

// publicSubject looks code up as the public does: 404 when nothing of it is published.
func publicSubject(t *testing.T, m *Main, code string) answer {
	t.Helper()
	return (&client{t: t, base: m.URL}).do("GET", "/api/v1/credit/subjects/"+code, nil)
}

// blackEntryIDs lists the ids of the black-list entries an answer about a subject shows.
func blackEntryIDs(a answer) []int64 {
	var ids []int64
	list, _ := a.body["black"].([]any)
	for _, e := range list {
		if e, ok := e.(map[string]any); ok {
			ids = append(ids, int64(e["id"].(float64)))
		}
	}
	return ids
}

// TestBrowserCreditImport: 人社局's credit staff download the black-list
// template, upload a file with one bad row and see that row's number, column
// and reason in Chinese, with nothing published; the fixed file publishes
// both companies, which the public then finds, and the earlier batch's report
// opens from the list of imports.
func TestBrowserCreditImport(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	first, second := testCreditCode(1), testCreditCode(2)
	broken := second[:17] + map[bool]string{true: "1", false: "0"}[second[17] == '0'] // a wrong check character

	s := open("credit-rsj")
	s.login(m.URL, "/console/credit", "credit-rsj")
	s.waitFor("the department's types", `document.querySelectorAll('#credit-type option[value]:not([value=""])').length === 2`)
	s.eval(`(() => { const t = document.getElementById('credit-type'); t.value = 'blacklist'; t.dispatchEvent(new Event('change')); })()`)
	s.waitFor("the template link", `!document.getElementById('credit-template').hidden`)
	s.eval(`fetch(document.getElementById('credit-template-csv').href).then(async (r) => { window.templateHead = r.status + ' ' + (await r.text()).slice(0, 7); })`) // text() drops the BOM
	s.waitFor("the template", `window.templateHead !== undefined`)
	if got := s.eval(`window.templateHead`); got != "200 行政相对人名称" {
		t.Errorf("the CSV template link answers %q, want the template's header row", got)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "人社局黑名单.csv")
	if err := os.WriteFile(file, blackListCSV(t, "拖欠工资 "+creditXSS, first, broken), 0o644); err != nil {
		t.Fatal(err)
	}
	s.do("upload a file with a bad row",
		chromedp.SetUploadFiles(chromedp.ID("credit-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`#credit-import button[type=submit]`)))
	s.waitFor("the row report", `document.querySelectorAll('#credit-batch-errors tbody tr').length === 1`)
	if got := s.text(`#credit-batch-errors tbody tr`); got != "3\t统一社会信用代码\t统一社会信用代码校验码不正确" {
		t.Errorf("the row report says %q, want row 3, its column and the reason in Chinese", got)
	}
	if got := s.text("#credit-import-error"); got != "文件有 1 处错误，未导入任何数据" {
		t.Errorf("the refusal says %q", got)
	}
	if got := s.text("#credit-batch-summary"); !strings.Contains(got, "未导入任何数据") {
		t.Errorf("the batch summary says %q", got)
	}
	rejected := s.eval(`document.getElementById('credit-batch').dataset.id`)
	s.shot("credit-01-row-report")
	// All or nothing: the good row of a refused file is not published.
	if a := publicSubject(t, m, first); a.status != http.StatusNotFound {
		t.Fatalf("a refused file published its good row: %d %s", a.status, a.raw)
	}
	if _, err := m.DB.Credit.FindSubjectByCode(context.Background(), first); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("a refused file stored its good row's company: %v", err)
	}

	if err := os.WriteFile(file, blackListCSV(t, "拖欠工资 "+creditXSS, first, second), 0o644); err != nil {
		t.Fatal(err)
	}
	s.do("upload the fixed file",
		chromedp.SetUploadFiles(chromedp.ID("credit-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`#credit-import button[type=submit]`)))
	s.waitFor("the import", `document.getElementById('credit-batch').dataset.status === 'done'`)
	if got := s.text("#credit-batch-summary"); got != "共 2 行：新增 2，更新 0，未变化 0" {
		t.Errorf("the batch summary says %q", got)
	}
	if !s.eval(`document.getElementById('credit-batch-report').hidden`).(bool) || s.text("#credit-import-error") != "" {
		t.Error("a good file still shows a row report or an error")
	}
	for _, code := range []string{first, second} {
		if a := publicSubject(t, m, code); a.status != http.StatusOK || len(blackEntryIDs(a)) != 1 {
			t.Errorf("the public lookup of %s after the import: %d %s", code, a.status, a.raw)
		}
	}
	s.shot("credit-02-imported")

	// Both batches are listed; the refused one's report opens again.
	s.waitFor("both batches listed", `document.querySelectorAll('#credit-imports tbody tr[data-id]').length >= 2`)
	s.do("open the refused batch", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#credit-imports tr[data-id="%v"] button`, rejected))))
	s.waitFor("its report", fmt.Sprintf(`document.getElementById('credit-batch').dataset.id === '%v' && document.querySelectorAll('#credit-batch-errors tbody tr').length === 1`, rejected))
	if got := s.text(`#credit-batch-errors tbody tr td:first-child`); got != "3" {
		t.Errorf("the reopened report names row %q", got)
	}

	// The published entry, found on the page, shows the file's text as text.
	s.do("find the company", chromedp.SendKeys(chromedp.ID("credit-q"), first), chromedp.Click(chromedp.CSS(`#credit-subject-search button[type=submit]`)))
	s.waitFor("its entry", `document.querySelectorAll('#credit-entries tbody tr[data-status=active]').length === 1`)
	if got := s.text("#credit-entries tbody tr"); !strings.Contains(got, creditXSS) {
		t.Errorf("the entry's reason is not shown as written: %q", got)
	}
	if v := s.eval(`typeof window.__xss + document.querySelectorAll('img[src="x"]').length`); v != "undefined0" {
		t.Errorf("text from the file became markup: %v", v)
	}
	s.shot("credit-03-entry")
}

// TestBrowserCreditImportFollowsAQueuedBatch: a file larger than what is
// imported within the request goes to the worker (202); the page follows
// the batch until it is imported, without a reload.
func TestBrowserCreditImportFollowsAQueuedBatch(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	rows := m.Credit.InlineRows + 1
	codes := make([]string, rows)
	for i := range codes {
		codes[i] = testCreditCode(100 + i)
	}
	file := filepath.Join(t.TempDir(), "人社局黑名单（大批量）.csv")
	if err := os.WriteFile(file, blackListCSV(t, "拖欠农民工工资", codes...), 0o644); err != nil {
		t.Fatal(err)
	}
	s := open("credit-rsj")
	s.login(m.URL, "/console/credit", "credit-rsj")
	s.waitFor("the department's types", `document.querySelector('#credit-type option[value=blacklist]') !== null`)
	// Count what the page asks: the upload's answer, and the polls of the batch.
	s.eval(`window.samePage = true; document.getElementById('credit-type').value = 'blacklist';
		window.importAnswers = []; window.batchPolls = 0;
		const real = window.fetch;
		window.fetch = async (url, opts) => {
			const res = await real(url, opts);
			if (url === '/api/v1/credit/imports' && opts.method === 'POST') window.importAnswers.push(res.status);
			if (/^\/api\/v1\/credit\/imports\/\d+$/.test(url)) window.batchPolls++;
			return res;
		};`)
	s.do("upload a large file",
		chromedp.SetUploadFiles(chromedp.ID("credit-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`#credit-import button[type=submit]`)))
	s.waitFor("the batch shown", `document.getElementById('credit-batch').dataset.id !== undefined`)
	id := s.eval(`document.getElementById('credit-batch').dataset.id`)
	staff := login(t, m, "credit-rsj")
	eventually(t, 60*time.Second, func() error {
		batch := staff.do("GET", fmt.Sprintf("/api/v1/credit/imports/%v", id), nil)
		if st := batch.str("status"); st != "done" {
			return fmt.Errorf("batch %v is %s: %s", id, st, batch.raw)
		}
		return nil
	})
	s.waitFor("the page to follow the batch to its end", `document.getElementById('credit-batch').dataset.status === 'done'`)
	if got, want := s.text("#credit-batch-summary"), fmt.Sprintf("共 %s 行：新增 %s，更新 0，未变化 0", groupThousands(float64(rows)), groupThousands(float64(rows))); got != want {
		t.Errorf("the followed batch says %q, want %q", got, want)
	}
	if s.eval(`window.samePage`) != true {
		t.Error("the page reloaded; it should follow the batch in place")
	}
	if got := s.eval(`window.importAnswers.join() + ' ' + (window.batchPolls > 0)`); got != "202 true" {
		t.Errorf("the upload's answers and whether the page polled: %v, want a 202 and polls", got)
	}
	if a := publicSubject(t, m, codes[rows-1]); a.status != http.StatusOK {
		t.Errorf("the last row's company after the import: %d %s", a.status, a.raw)
	}
	s.shot("credit-04-queued-done")
}

// demoRepairEntry is what the demo seeds for 信用修复: the company credit-rep
// stands for as its 法定代表人, and its entry on 人社局's black list (no
// minimum publication period: it may be repaired at once).
func demoRepairEntry(t *testing.T, m *Main) (code, name, legalRep string, entryID int64) {
	t.Helper()
	var reps struct {
		Representatives []struct {
			Basis   string `json:"basis"`
			Status  string `json:"status"`
			Subject struct {
				CreditCode string `json:"credit_code"`
			} `json:"subject"`
		} `json:"representatives"`
	}
	a := login(t, m, "credit-rep").must(200, "GET", "/api/v1/credit/representatives", nil)
	if err := json.Unmarshal(a.raw, &reps); err != nil || len(reps.Representatives) == 0 || reps.Representatives[0].Status != "accepted" {
		t.Fatalf("credit-rep's standing: %v %s", err, a.raw)
	}
	code = reps.Representatives[0].Subject.CreditCode
	var subject struct {
		Subject struct {
			Name     string `json:"name"`
			LegalRep string `json:"legal_rep"`
		} `json:"subject"`
		Black []struct {
			ID         int64  `json:"id"`
			Department string `json:"department"`
		} `json:"black"`
	}
	a = publicSubject(t, m, code)
	if err := json.Unmarshal(a.raw, &subject); err != nil || a.status != 200 {
		t.Fatalf("the demo company %s: %d %s", code, a.status, a.raw)
	}
	for _, e := range subject.Black {
		if e.Department == "hk-rsj" {
			return code, subject.Subject.Name, subject.Subject.LegalRep, e.ID
		}
	}
	t.Fatalf("the demo company %s is on no black list of 人社局: %s", code, a.raw)
	return
}

// TestBrowserCreditRepairDecided: credit-rep applies for the 信用修复 of its
// company's black-list entry; 人社局's staff see the application with the
// entry, the applicant, the reason and the evidence, are told a refusal needs
// a reason, and approve it: the application is approved and the entry leaves
// public view.
func TestBrowserCreditRepairDecided(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	code, company, legalRep, entryID := demoRepairEntry(t, m)
	applicant := login(t, m, "credit-rep")
	repair := applicant.must(201, "POST", "/api/v1/credit/repairs", map[string]any{"entry_id": entryID,
		"reason": "已足额支付拖欠的农民工工资", "evidence": "工资支付凭证（海人社监〔2026〕12号核查）\n" + creditXSS})
	repairID := int64(repair.num("id"))
	onBehalf := login(t, m, "credit-rsj").must(201, "POST", "/api/v1/credit/repairs", map[string]any{"entry_id": entryID,
		"reason": "经核查企业已整改", "evidence": "现场核查记录"})
	status := func() (string, string) {
		a := applicant.must(200, "GET", fmt.Sprintf("/api/v1/credit/repairs/%d", repairID), nil)
		return a.str("status"), a.str("decision_note")
	}

	s := open("credit-rsj")
	s.login(m.URL, "/console/credit", "credit-rsj")
	item := fmt.Sprintf(`#credit-repair-list li[data-id="%d"]`, repairID)
	s.waitFor("the pending application", fmt.Sprintf(`document.querySelector('%s') !== null`, item))
	got := s.text(item)
	for _, want := range []string{company, code, "黑名单（拖欠农民工工资失信联合惩戒对象名单）", legalRep + "（法定代表人）",
		"已足额支付拖欠的农民工工资", "工资支付凭证（海人社监〔2026〕12号核查）", creditXSS, "待审核"} {
		if !strings.Contains(got, want) {
			t.Errorf("the application does not show %q:\n%s", want, got)
		}
	}
	if v := s.eval(`typeof window.__xss + document.querySelectorAll('img[src="x"]').length`); v != "undefined0" {
		t.Errorf("the applicant's evidence became markup: %v", v)
	}
	// The department's own application on the subject's behalf names its clerk.
	if got := s.text(fmt.Sprintf(`#credit-repair-list li[data-id="%d"]`, int64(onBehalf.num("id")))); !strings.Contains(got, "海口市人力资源和社会保障局信用科（部门代为申请）") {
		t.Errorf("the department's application does not name its applicant:\n%s", got)
	}
	if got := s.text("#credit-repair-summary"); got != "共 2 件" {
		t.Errorf("the pending applications are counted as %q", got)
	}
	s.shot("credit-05-repair-pending")

	s.do("refuse without a reason", chromedp.Click(chromedp.CSS(item+` button[data-decide=no]`)))
	s.waitFor("the server's answer", fmt.Sprintf(`!document.querySelector('%s form .error').hidden`, item))
	if got := s.text(item + " form .error"); got != "请填写不予修复的理由" {
		t.Errorf("a refusal without a reason says %q", got)
	}
	if st, _ := status(); st != "pending" {
		t.Fatalf("a refused refusal changed the application: %s", st)
	}

	s.do("approve with a note",
		chromedp.SendKeys(chromedp.CSS(item+` textarea[name=note]`), "经核查已整改到位"),
		chromedp.Click(chromedp.CSS(item+` button[data-decide=yes]`)))
	s.waitFor("the application to leave the pending list", fmt.Sprintf(`document.querySelector('%s') === null`, item))
	if st, note := status(); st != "approved" || note != "经核查已整改到位" {
		t.Errorf("after 批准 the application is %q with note %q", st, note)
	}
	if e := login(t, m, "credit-rsj").must(200, "GET", fmt.Sprintf("/api/v1/credit/entries/%d", entryID), nil); e.body["entry"].(map[string]any)["status"] != "repaired" {
		t.Errorf("after 批准 the entry is %s", e.raw)
	}
	for _, id := range blackEntryIDs(publicSubject(t, m, code)) {
		if id == entryID {
			t.Errorf("the repaired entry %d is still public", id)
		}
	}
	s.eval(`(() => { const f = document.querySelector('#credit-repair-filter select'); f.value = 'approved'; f.dispatchEvent(new Event('change', { bubbles: true })); })()`)
	s.waitFor("the approved application", fmt.Sprintf(`document.querySelector('%s')?.dataset.status === 'approved'`, item))
	if got := s.text(item); !strings.Contains(got, "已批准") || !strings.Contains(got, "经核查已整改到位") {
		t.Errorf("the approved application shows %q", got)
	}
	s.shot("credit-06-repair-approved")
}

// TestBrowserCreditPowerOfAttorneyAccepted: an agent files a 授权委托书 for
// the demo company's black-list entry; 人社局's staff open the document from
// the page and accept it, after which the agent may apply for its repair.
func TestBrowserCreditPowerOfAttorneyAccepted(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	_, company, _, entryID := demoRepairEntry(t, m)
	agent := login(t, m, "citizen")
	pdf := []byte("%PDF-1.4\n授权委托书\n%%EOF\n")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("name", "周代理")
	fw, _ := w.CreateFormFile("file", "授权委托书.pdf")
	fw.Write(pdf)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/credit/entries/%d/power-of-attorney", m.URL, entryID), &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+agent.token)
	filed := agent.send(req)
	if filed.status != http.StatusCreated {
		t.Fatalf("file the 授权委托书: %d %s", filed.status, filed.raw)
	}
	repID := int64(filed.num("id"))

	s := open("credit-rsj")
	s.login(m.URL, "/console/credit", "credit-rsj")
	item := fmt.Sprintf(`#credit-rep-list li[data-id="%d"]`, repID)
	s.waitFor("the pending 授权委托书", fmt.Sprintf(`document.querySelector('%s') !== null`, item))
	got := s.text(item)
	for _, want := range []string{"周代理", "授权委托代理人", company, "黑名单（拖欠农民工工资失信联合惩戒对象名单）", "待审核"} {
		if !strings.Contains(got, want) {
			t.Errorf("the 授权委托书 does not show %q:\n%s", want, got)
		}
	}
	s.eval(fmt.Sprintf(`fetch(document.querySelector('%s a.credit-doc').href).then(async (r) => {
		window.document_ = r.status + ' ' + r.headers.get('content-type') + ' ' + (await r.text()).slice(0, 8); })`, item))
	s.waitFor("the document", `window.document_ !== undefined`)
	if got := s.eval(`window.document_`); got != "200 application/pdf %PDF-1.4" {
		t.Errorf("the document link answers %q, want the uploaded PDF", got)
	}
	s.shot("credit-07-poa-pending")

	s.do("accept", chromedp.SendKeys(chromedp.CSS(item+` textarea[name=note]`), "委托书与营业执照核验无误"),
		chromedp.Click(chromedp.CSS(item+` button[data-decide=yes]`)))
	s.waitFor("the 授权委托书 to leave the pending list", fmt.Sprintf(`document.querySelector('%s') === null`, item))
	if a := agent.must(200, "GET", fmt.Sprintf("/api/v1/credit/representatives/%d", repID), nil); a.str("status") != "accepted" ||
		a.str("decision_note") != "委托书与营业执照核验无误" {
		t.Errorf("after 认可 the 授权委托书 is %s", a.raw)
	}
	if a := agent.must(201, "POST", "/api/v1/credit/repairs", map[string]any{"entry_id": entryID, "reason": "受委托申请信用修复",
		"evidence": "工资支付凭证"}); a.str("basis") != "power_of_attorney" {
		t.Errorf("the agent's application stands on %q", a.str("basis"))
	}
}

// TestBrowserCreditRevoke: 人社局's staff find the demo company, see its
// entries with the revoke form on their own department's only, are told a
// revocation needs a reason, and revoke the black-list entry: it is revoked
// and leaves public view.
func TestBrowserCreditRevoke(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	code, _, _, entryID := demoRepairEntry(t, m)
	s := open("credit-rsj")
	s.login(m.URL, "/console/credit", "credit-rsj")
	s.do("find the company", chromedp.SendKeys(chromedp.ID("credit-q"), code), chromedp.Click(chromedp.CSS(`#credit-subject-search button[type=submit]`)))
	row := fmt.Sprintf(`#credit-entries tr[data-id="%d"]`, entryID)
	s.waitFor("its entries", fmt.Sprintf(`document.querySelector('%s') !== null`, row))
	// Only the publishing department revokes: 市场监管局's penalty has no form here.
	if v := s.eval(`[...document.querySelectorAll('#credit-entries tbody tr')].map((tr) => (tr.textContent.includes('海口市市场监督管理局') ? 's' : 'r') + (tr.querySelector('form[data-action=revoke]') ? 1 : 0)).sort().join()`); !strings.Contains(v.(string), "r1") || strings.Contains(v.(string), "s1") {
		t.Errorf("revoke forms by department (r = 人社局, s = 市场监管局; 1 = has one): %v", v)
	}
	s.do("revoke without a reason", chromedp.Click(chromedp.CSS(row+` details summary`)), chromedp.Click(chromedp.CSS(row+` button[type=submit]`)))
	s.waitFor("the server's answer", fmt.Sprintf(`!document.querySelector('%s form .error').hidden`, row))
	if got := s.text(row + " form .error"); got != "请填写撤销理由" {
		t.Errorf("a revocation without a reason says %q", got)
	}
	s.do("revoke with a reason", chromedp.SendKeys(chromedp.CSS(row+` textarea[name=note]`), "认定决定已被行政复议撤销"),
		chromedp.Click(chromedp.CSS(row+` button[type=submit]`)))
	s.waitFor("the entry revoked", fmt.Sprintf(`document.querySelector('%s')?.dataset.status === 'revoked'`, row))
	if got := s.text(row + " td:nth-child(6)"); got != "已撤销" {
		t.Errorf("the revoked entry shows %q", got)
	}
	s.waitFor("the company's black-list count to drop", `document.querySelector('#credit-subject-results tbody tr td:nth-child(4)').textContent === '0'`)
	staff := login(t, m, "credit-rsj").must(200, "GET", fmt.Sprintf("/api/v1/credit/entries/%d", entryID), nil)
	if staff.body["entry"].(map[string]any)["status"] != "revoked" || !strings.Contains(string(staff.raw), "认定决定已被行政复议撤销") {
		t.Errorf("after 撤销 the entry is %s", staff.raw)
	}
	for _, id := range blackEntryIDs(publicSubject(t, m, code)) {
		if id == entryID {
			t.Errorf("the revoked entry %d is still public", id)
		}
	}
	s.shot("credit-08-revoked")
}

// TestBrowserCreditAdminImportsForADepartment: an administrator names the
// department a file is published for; the types offered are that
// department's, and the batch is the department's.
func TestBrowserCreditAdminImportsForADepartment(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	code := testCreditCode(1)
	file := filepath.Join(t.TempDir(), "黑名单.csv")
	if err := os.WriteFile(file, blackListCSV(t, "拖欠农民工工资", code), 0o644); err != nil {
		t.Fatal(err)
	}
	s := open("admin")
	s.login(m.URL, "/console/credit", "admin")
	s.waitFor("the departments", `document.querySelector('#credit-department option[value="hk-rsj"]') !== null`)
	s.eval(`(() => { const d = document.getElementById('credit-department'); d.value = 'hk-rsj'; d.dispatchEvent(new Event('change')); })()`)
	if got := s.eval(`[...document.querySelectorAll('#credit-type option')].filter((o) => o.value).map((o) => o.textContent).join()`); got != "行政处罚,黑名单" {
		t.Errorf("for 人社局 the page offers %v, want its remit: 行政处罚, 黑名单", got)
	}
	s.eval(`document.getElementById('credit-type').value = 'blacklist'`)
	s.do("upload for 人社局", chromedp.SetUploadFiles(chromedp.ID("credit-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`#credit-import button[type=submit]`)))
	s.waitFor("the import", `document.getElementById('credit-batch').dataset.status === 'done'`)
	id := s.eval(`document.getElementById('credit-batch').dataset.id`)
	if b := login(t, m, "admin").must(200, "GET", fmt.Sprintf("/api/v1/credit/imports/%v", id), nil); b.str("department") != "hk-rsj" || b.num("inserted") != 1 {
		t.Errorf("the admin's batch: %s", b.raw)
	}
	if a := publicSubject(t, m, code); a.status != http.StatusOK {
		t.Errorf("the public lookup after the admin's import: %d %s", a.status, a.raw)
	}
}

// publicArticleTitles lists the titles of the articles the public sees.
func publicArticleTitles(t *testing.T, m *Main) []string {
	t.Helper()
	a := (&client{t: t, base: m.URL}).must(200, "GET", "/api/v1/credit/articles?per_page=100", nil)
	var titles []string
	list, _ := a.body["articles"].([]any)
	for _, x := range list {
		titles = append(titles, x.(map[string]any)["title"].(string))
	}
	return titles
}

// TestBrowserCreditArticleWrittenAndPublished: 人社局's credit staff write a
// 诚信动态 article, are told at the field what is missing, save it as a
// draft the public does not see, and publish it: the public lists it as
// written. Withdrawn meanwhile by a colleague, its 撤下 on the stale page
// shows the server's 409; published again and edited, the public sees the edit.
func TestBrowserCreditArticleWrittenAndPublished(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	title := "海口市开展根治欠薪冬季专项行动 " + creditXSS
	body := "市人社局联合住建、交通等部门开展专项检查。\n" + creditXSS

	s := open("credit-rsj")
	s.login(m.URL, "/console/credit", "credit-rsj")
	s.waitFor("the articles", `document.querySelectorAll('#credit-article-table tbody tr[data-id]').length > 0`)
	s.do("write an article", chromedp.Click(chromedp.ID("credit-article-new")))
	s.waitFor("the form", `!document.getElementById('credit-article-form').hidden`)
	if got := s.eval(`document.getElementById('credit-article-source').value`); got != "海口市人力资源和社会保障局" {
		t.Errorf("the source of a new article is %q, want the department", got)
	}
	s.do("save without a title", chromedp.SendKeys(chromedp.ID("credit-article-body"), body),
		chromedp.Click(chromedp.CSS(`#credit-article-form button[type=submit]`)))
	s.waitFor("the server's answer at the title", `!document.getElementById('credit-article-title-err').hidden`)
	if got := s.text("#credit-article-title-err"); got != "请填写标题" {
		t.Errorf("a save without a title says %q", got)
	}
	if s.eval(`document.getElementById('credit-article-title').getAttribute('aria-invalid')`) != "true" {
		t.Error("the title is not marked invalid")
	}
	s.do("save with a title", chromedp.SendKeys(chromedp.ID("credit-article-title"), title),
		chromedp.Click(chromedp.CSS(`#credit-article-form button[type=submit]`)))
	s.waitFor("the draft listed", `document.getElementById('credit-article-form').hidden &&
		document.querySelector('#credit-article-table tbody tr[data-status=draft]') !== null`)
	row := `#credit-article-table tbody tr[data-status=draft]`
	id := s.eval(`document.querySelector('` + row + `').dataset.id`)
	row = fmt.Sprintf(`#credit-article-table tbody tr[data-id="%v"]`, id)
	if got := s.text(row + " td:first-child"); got != title {
		t.Errorf("the draft's title shows %q", got)
	}
	if slices.Contains(publicArticleTitles(t, m), title) {
		t.Fatal("the public sees a draft")
	}
	s.shot("credit-09-article-draft")

	s.do("publish", chromedp.Click(chromedp.CSS(row+` button[data-article=publish]`)))
	s.waitFor("the article published", fmt.Sprintf(`document.querySelector('%s')?.dataset.status === 'published'`, row))
	if !slices.Contains(publicArticleTitles(t, m), title) {
		t.Fatal("the published article is not in the public list")
	}
	if a := (&client{t: t, base: m.URL}).must(200, "GET", fmt.Sprintf("/api/v1/credit/articles/%v", id), nil); a.str("body") != body ||
		a.str("source") != "海口市人力资源和社会保障局" || a.str("section") != "news" {
		t.Errorf("the public reads the article as %s", a.raw)
	}
	if v := s.eval(`typeof window.__xss + document.querySelectorAll('img[src="x"]').length`); v != "undefined0" {
		t.Errorf("the article's text became markup: %v", v)
	}

	// A colleague withdraws it meanwhile: the page still offers 撤下, and the server says why not.
	login(t, m, "credit-rsj").must(200, "POST", fmt.Sprintf("/api/v1/credit/articles/%v/unpublish", id), nil)
	s.do("withdraw on the stale page", chromedp.Click(chromedp.CSS(row+` button[data-article=unpublish]`)))
	s.waitFor("the server's refusal", `!document.getElementById('credit-article-list-error').hidden`)
	if got := s.text("#credit-article-list-error"); got != "文章当前为“已撤下”，不能撤下" {
		t.Errorf("withdrawing a withdrawn article says %q", got)
	}
	s.waitFor("the list to show it withdrawn", fmt.Sprintf(`document.querySelector('%s')?.dataset.status === 'unpublished'`, row))
	s.shot("credit-10-article-conflict")

	s.do("publish again", chromedp.Click(chromedp.CSS(row+` button[data-article=publish]`)))
	s.waitFor("published again", fmt.Sprintf(`document.querySelector('%s')?.dataset.status === 'published'`, row))
	s.do("edit", chromedp.Click(chromedp.CSS(row+` button[data-article=edit]`)))
	s.waitFor("the article in the form", fmt.Sprintf(`document.getElementById('credit-article-form').dataset.id === '%v'`, id))
	if got := s.eval(`document.getElementById('credit-article-body').value`); got != body {
		t.Errorf("the form shows the body as %q", got)
	}
	if s.eval(`document.getElementById('credit-article-live').hidden`) != false {
		t.Error("editing a published article does not say it is public")
	}
	// A colleague saves the article while it is open here: this save is
	// refused rather than undoing theirs; reopened, it goes through.
	colleague := login(t, m, "credit-rsj")
	read := colleague.must(200, "GET", fmt.Sprintf("/api/v1/credit/articles/%v", id), nil)
	colleague.must(200, "PUT", fmt.Sprintf("/api/v1/credit/articles/%v", id), map[string]any{"section": read.str("section"),
		"title": read.str("title"), "source": read.str("source"), "body": body + "\n（已更新）", "updated_at": read.str("updated_at")})
	stale := "海口市根治欠薪冬季专项行动（旧稿）"
	s.do("save over the colleague's edit", chromedp.SetValue(chromedp.ID("credit-article-title"), stale),
		chromedp.Click(chromedp.CSS(`#credit-article-form button[type=submit]`)))
	s.waitFor("the refusal", `!document.getElementById('credit-article-error').hidden`)
	if got := s.text("#credit-article-error"); !strings.Contains(got, "刚被他人更新") {
		t.Errorf("a stale save says %q", got)
	}
	if a := colleague.must(200, "GET", fmt.Sprintf("/api/v1/credit/articles/%v", id), nil); a.str("title") == stale || !strings.Contains(a.str("body"), "已更新") {
		t.Fatalf("the stale save overwrote the colleague's: %s", a.raw)
	}
	s.do("reopen", chromedp.Click(chromedp.ID("credit-article-cancel")), chromedp.Click(chromedp.CSS(row+` button[data-article=edit]`)))
	s.waitFor("the colleague's text in the form", `document.getElementById('credit-article-body').value.includes('已更新')`)

	edited := "海口市根治欠薪冬季专项行动取得阶段性成效"
	s.do("change the title", chromedp.SetValue(chromedp.ID("credit-article-title"), edited),
		chromedp.Click(chromedp.CSS(`#credit-article-form button[type=submit]`)))
	s.waitFor("the edit saved", fmt.Sprintf(`document.getElementById('credit-article-form').hidden && document.querySelector('%s td')?.textContent === %q`, row, edited))
	if titles := publicArticleTitles(t, m); !slices.Contains(titles, edited) || slices.Contains(titles, title) {
		t.Errorf("after the edit the public lists %q", titles)
	}

	// 市场监管局's staff see 人社局's article but are offered nothing to change in it.
	other := open("credit-scjg")
	other.login(m.URL, "/console/credit", "credit-scjg")
	other.waitFor("人社局's article", fmt.Sprintf(`document.querySelector('%s') !== null`, row))
	if got := other.eval(fmt.Sprintf(`document.querySelectorAll('%s button').length`, row)); got != float64(0) {
		t.Errorf("another department is offered %v buttons on the article", got)
	}
}

// TestBrowserCreditAdminWidensADepartmentsRemit: an administrator gives
// 人社局 行政许可 on top of its types; 人社局's import form then offers it.
// Department staff do not see the remits.
func TestBrowserCreditAdminWidensADepartmentsRemit(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	offered := func(s *browserSession) any {
		return s.eval(`[...document.querySelectorAll('#credit-type option')].filter((o) => o.value).map((o) => o.value).sort().join()`)
	}
	staff := open("credit-rsj")
	staff.login(m.URL, "/console/credit", "credit-rsj")
	staff.waitFor("the department's types", `document.querySelectorAll('#credit-type option[value]:not([value=""])').length === 2`)
	if staff.eval(`document.getElementById('credit-remits') === null`) != true {
		t.Error("department staff see the remits of every department")
	}

	admin := open("admin")
	admin.login(m.URL, "/console/credit", "admin")
	row := `#credit-remit-table tr[data-unit="hk-rsj"]`
	admin.waitFor("人社局's remit", fmt.Sprintf(`document.querySelector('%s') !== null`, row))
	if got := admin.eval(fmt.Sprintf(`[...document.querySelectorAll('%s input:checked')].map((x) => x.value).sort().join()`, row)); got != "blacklist,penalty" {
		t.Errorf("人社局's types are checked as %v", got)
	}
	admin.do("add 行政许可", chromedp.Click(chromedp.CSS(row+` input[value=license]`)), chromedp.Click(chromedp.CSS(row+` button[type=submit]`)))
	admin.waitFor("the remit saved", fmt.Sprintf(`document.querySelector('%s').dataset.types === 'blacklist,license,penalty'`, row))
	if got := admin.text(row + " .error"); got != "" {
		t.Errorf("saving the remit says %q", got)
	}
	admin.eval(`(() => { const d = document.getElementById('credit-department'); d.value = 'hk-rsj'; d.dispatchEvent(new Event('change')); })()`)
	if got := offered(admin); got != "blacklist,license,penalty" {
		t.Errorf("the admin's import form offers 人社局 %v", got)
	}
	admin.shot("credit-11-remits")

	staff.do("reload", chromedp.Reload())
	staff.waitFor("the department's types", `document.querySelectorAll('#credit-type option[value]:not([value=""])').length === 3`)
	if got := offered(staff); got != "blacklist,license,penalty" {
		t.Errorf("人社局's import form offers %v, want 行政许可 too", got)
	}

	// A department without a remit (审批局) is told so once, not shown a
	// page of refusals.
	other := open("approval-xzsp")
	other.login(m.URL, "/console/credit", "approval-xzsp")
	other.waitFor("the notice", `document.getElementById('credit-no-remit') !== null`)
	if got := other.eval(`[...document.querySelectorAll('.error')].filter((e) => !e.hidden).length`); got != float64(0) {
		t.Errorf("%v refusals shown besides the notice", got)
	}
}

// TestBrowserCreditImportsPaged: a department with more batches than a page
// pages through them, newest first, down to its first.
func TestBrowserCreditImportsPaged(t *testing.T) {
	open := newBrowser(t)
	m := startMain(t)
	ctx := context.Background()
	clerk, err := m.DB.Users.FindUserByUsername(ctx, "credit-rsj")
	if err != nil {
		t.Fatal(err)
	}
	staff := login(t, m, "credit-rsj")
	earlier, _ := staff.must(200, "GET", "/api/v1/credit/imports?per_page=100", nil).body["imports"].([]any)
	if len(earlier) == 0 {
		t.Fatal("the demo has no batch of 人社局")
	}
	firstID := earlier[len(earlier)-1].(map[string]any)["id"]
	for i := range 25 {
		at := time.Now().UTC()
		b := &credit.Batch{Type: guanjia.CreditBlackList, Department: "hk-rsj", UploadedBy: clerk.ID, UploaderRole: guanjia.RoleDepartment,
			Filename: fmt.Sprintf("黑名单第%d批.csv", i+1), FileHash: fmt.Sprintf("%064d", i), Format: "csv-utf8", Status: credit.BatchDone,
			Rows: 1, Inserted: 1, CreatedAt: at, FinishedAt: &at}
		if err := m.DB.Credit.CreateBatch(ctx, b, nil); err != nil {
			t.Fatal(err)
		}
	}
	total := int(staff.must(200, "GET", "/api/v1/credit/imports?per_page=1", nil).num("total"))
	pages := (total + 19) / 20

	s := open("credit-rsj")
	s.login(m.URL, "/console/credit", "credit-rsj")
	s.waitFor("the first page", `document.querySelectorAll('#credit-imports tbody tr[data-id]').length === 20`)
	if got := s.text("#credit-imports-pageinfo"); got != fmt.Sprintf("第 1 / %d 页", pages) {
		t.Errorf("the pager says %q", got)
	}
	if got := s.text("#credit-imports tbody tr td:nth-child(4)"); got != "黑名单第25批.csv" {
		t.Errorf("the first row is %q, want the newest batch", got)
	}
	for page := 2; page <= pages; page++ {
		s.do("next page", chromedp.Click(chromedp.ID("credit-imports-next")))
		s.waitFor(fmt.Sprintf("page %d", page), fmt.Sprintf(`document.getElementById('credit-imports-pageinfo').textContent === '第 %d / %d 页'`, page, pages))
	}
	s.waitFor("the last page", fmt.Sprintf(`document.querySelectorAll('#credit-imports tbody tr[data-id]').length === %d`, total-(pages-1)*20))
	if s.eval(fmt.Sprintf(`document.querySelector('#credit-imports tbody tr:last-child').dataset.id === '%v'`, firstID)) != true {
		t.Errorf("the last page does not end with the department's first batch %v", firstID)
	}
	if s.eval(`document.getElementById('credit-imports-next').disabled && !document.getElementById('credit-imports-prev').disabled`) != true {
		t.Error("on the last page 下一页 is enabled or 上一页 is not")
	}
	s.shot("credit-12-imports-paged")
}

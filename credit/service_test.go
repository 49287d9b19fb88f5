package credit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"guanjia"
	"guanjia/credit"
	"guanjia/i18n"
	"guanjia/internal/testenv"
	"guanjia/store"
)

// memCache is credit.Cache in memory, counting what it is asked. A lease
// is a key of leases, removed by Delete like a value.
type memCache struct {
	mu     sync.Mutex
	m      map[string][]byte
	leases map[string]string
	n      int // leases granted
	hits   int
}

func (c *memCache) GetOrLease(_ context.Context, key string) ([]byte, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[key]; ok {
		c.hits++
		return v, "", nil
	}
	if _, taken := c.leases[key]; taken {
		return nil, "", nil
	}
	c.n++
	lease := strconv.Itoa(c.n)
	c.leases[key] = lease
	return nil, lease, nil
}

func (c *memCache) Fill(_ context.Context, key, lease string, v []byte, _ time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.leases[key] == lease {
		delete(c.leases, key)
		c.m[key] = v
	}
	return nil
}

func (c *memCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	if ok {
		c.hits++
	}
	return v, ok, nil
}

func (c *memCache) Set(_ context.Context, key string, v []byte, _ time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = v
	return nil
}

func (c *memCache) Delete(_ context.Context, keys ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		delete(c.m, k)
		delete(c.leases, k)
	}
	return nil
}

// notes records the messages the service sends through the outbox
// (Deliver reads the row the change wrote).
type notes struct {
	mu     sync.Mutex
	msgs   []guanjia.Message
	outbox guanjia.NotificationStore
}

func (n *notes) Deliver(ctx context.Context, id int64) error {
	row, err := n.outbox.FindNotification(ctx, id)
	if err != nil {
		return err
	}
	return n.Notify(ctx, row.Message)
}

func (n *notes) Notify(_ context.Context, m guanjia.Message) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.msgs = append(n.msgs, m)
	return nil
}

func (n *notes) templates() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, m := range n.msgs {
		out = append(out, fmt.Sprintf("%s→%d", m.Template, m.RecipientID))
	}
	return out
}

type queuedJobs struct{ ids []int64 }

func (q *queuedJobs) EnqueueImport(_ context.Context, id int64) error {
	q.ids = append(q.ids, id)
	return nil
}

// rig is a credit service on a fresh database with a department (人社局, who
// may publish black lists and penalties), a department user, a citizen and an admin.
type rig struct {
	db      *store.DB
	svc     *credit.Service
	cache   *memCache
	notes   *notes
	jobs    *queuedJobs
	now     time.Time
	dept    guanjia.Claims
	other   guanjia.Claims // 市场监管局: red lists and licenses only
	citizen guanjia.Claims
	admin   guanjia.Claims
	public  guanjia.Claims
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	r := &rig{db: db, cache: &memCache{m: map[string][]byte{}, leases: map[string]string{}}, notes: &notes{outbox: db.Notifications}, jobs: &queuedJobs{},
		now: time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)} // 10:00 in Haikou
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "hk-rsj", Name: "海口市人力资源和社会保障局", Department: "人社"}))
	must(db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "hk-scjg", Name: "海口市市场监督管理局", Department: "市场监管"}))
	must(db.Credit.SetRemit(ctx, "hk-rsj", []string{guanjia.CreditBlackList, guanjia.CreditPenalty}))
	must(db.Credit.SetRemit(ctx, "hk-scjg", []string{guanjia.CreditRedList, guanjia.CreditLicense}))
	user := func(name string, role guanjia.Role, unit string) guanjia.Claims {
		u := &guanjia.User{Username: name, Role: role, UnitCode: unit}
		must(db.Users.CreateUser(ctx, u))
		return guanjia.Claims{UserID: u.ID, Role: role, UnitCode: unit}
	}
	r.dept = user("rsj-clerk", guanjia.RoleDepartment, "hk-rsj")
	r.other = user("scjg-clerk", guanjia.RoleDepartment, "hk-scjg")
	r.citizen = user("citizen", guanjia.RoleCitizen, "")
	r.admin = user("admin", guanjia.RoleAdmin, "")
	r.svc = credit.NewService(db.Credit, r.cache, r.jobs, r.notes)
	r.svc.Now = func() time.Time { return r.now }
	r.svc.Log = slog.New(slog.DiscardHandler)
	return r
}

func (r *rig) count(t *testing.T, table string) int {
	t.Helper()
	var n int64
	if err := r.db.Gorm().Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (r *rig) snapshot(t *testing.T) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"credit_subjects", "credit_entries", "credit_events", "credit_repairs"} {
		parts = append(parts, fmt.Sprintf("%s=%d", table, r.count(t, table)))
	}
	return strings.Join(parts, " ")
}

var (
	// GB 32100-2015's worked example and codes completed with their check characters.
	codeYeFeng  = "91350100M000100Y43"
	codeNanYang = credit.CompleteCreditCode("91460100MA5T00001")
	codeQiongZ  = credit.CompleteCreditCode("91460100MA5T00002")
	idWang      = credit.CompleteIDNumber("46010019850312123") // a 自然人 on the black list
	// The registered 法定代表人 of 南洋劳务 and of 椰风建筑.
	repChen, idChen = "陈南洋", credit.CompleteIDNumber("46010619700101001")
	repLin, idLin   = "林椰风", credit.CompleteIDNumber("46010519750505002")
)

const blackHeader = "行政相对人名称,行政相对人类别,统一社会信用代码,法定代表人,证件号码,名单名称,列入原因,认定依据文号,认定部门,认定日期,有效期至\n"

func blackRow(name, kind, code, id, doc, decided, until string) string {
	return blackRowRep(name, kind, code, "", id, doc, decided, until)
}

// blackRowRep is a row naming the 法定代表人 (legalRep, with their ID number in 证件号码).
func blackRowRep(name, kind, code, legalRep, id, doc, decided, until string) string {
	return strings.Join([]string{name, kind, code, legalRep, id, "拖欠农民工工资失信联合惩戒对象名单", "拖欠农民工工资", doc,
		"海口市人力资源和社会保障局", decided, until}, ",") + "\n"
}

// mixedCSV has two good rows and three bad ones: a wrong check character, a
// decision dated after today and a person without an ID number.
func mixedCSV() string {
	return blackHeader +
		blackRow("海南椰风建筑工程有限公司", "法人及非法人组织", codeYeFeng, "", "海人社欠薪〔2026〕1号", "2026-01-05", "2029-01-05") +
		blackRow("海南南洋劳务有限公司", "法人及非法人组织", "91460100MA5T000019", "", "海人社欠薪〔2026〕2号", "2026-01-05", "2029-01-05") +
		blackRow("海南琼州装饰工程有限公司", "法人及非法人组织", codeQiongZ, "", "海人社欠薪〔2026〕3号", "2026-04-01", "2029-01-05") +
		blackRow("王某某", "自然人", "", "", "海人社欠薪〔2026〕4号", "2026-01-05", "2029-01-05") +
		blackRow("王某某", "自然人", "", idWang, "海人社欠薪〔2026〕5号", "2026-01-06", "2026-06-30")
}

func fixedCSV() string {
	return blackHeader +
		blackRowRep("海南椰风建筑工程有限公司", "法人及非法人组织", codeYeFeng, repLin, idLin, "海人社欠薪〔2026〕1号", "2026-01-05", "2029-01-05") +
		blackRowRep("海南南洋劳务有限公司", "法人及非法人组织", codeNanYang, repChen, idChen, "海人社欠薪〔2026〕2号", "2026-01-05", "2029-01-05") +
		blackRow("海南琼州装饰工程有限公司", "法人及非法人组织", codeQiongZ, "", "海人社欠薪〔2026〕3号", "2026-03-01", "2029-01-05") +
		blackRow("王某某", "自然人", "", idWang, "海人社欠薪〔2026〕5号", "2026-01-06", "2026-06-30")
}

func (r *rig) importCSV(t *testing.T, who guanjia.Claims, typ, body string) *credit.Batch {
	t.Helper()
	b, err := r.svc.SubmitImport(context.Background(), who, credit.Upload{Type: typ, Filename: "upload.csv", Data: []byte(body)})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return b
}

// The "done when", end to end on the configured backend.
func TestImportLookupExpireRepair(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()

	// A department imports a mixed CSV: rejected with a row report, nothing imported.
	before := r.snapshot(t)
	b := r.importCSV(t, r.dept, guanjia.CreditBlackList, mixedCSV())
	if b.Status != credit.BatchRejected || b.ID == 0 {
		t.Fatalf("mixed batch: status %s id %d", b.Status, b.ID)
	}
	want := "{3 统一社会信用代码 统一社会信用代码校验码不正确}{4 认定日期 2026-04-01 晚于今天}{5 证件号码 自然人必填}"
	if got := report(b.Errors); got != want || b.ErrorCount != 3 {
		t.Fatalf("row report:\n got %v\nwant %v", got, want)
	}
	if after := r.snapshot(t); after != before {
		t.Fatalf("a rejected batch changed the database: %s → %s", before, after)
	}
	stored, err := r.svc.ImportStatus(ctx, r.dept, b.ID)
	if err == nil && report(stored.Errors) != want {
		t.Errorf("stored row report:\n got %v\nwant %v", report(stored.Errors), want)
	}
	if err != nil || stored.Status != credit.BatchRejected || len(stored.Errors) != 3 || stored.FileHash == "" || stored.UploadedBy != r.dept.UserID {
		t.Fatalf("the rejected batch is not recorded with its report: %+v, %v", stored, err)
	}

	// Fixed, it is accepted; imported again, nothing changes.
	b = r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	if b.Status != credit.BatchDone || b.Inserted != 4 || b.Updated != 0 {
		t.Fatalf("fixed batch: %+v", b)
	}
	snap := r.snapshot(t)
	if snap != "credit_subjects=4 credit_entries=4 credit_events=4 credit_repairs=0" {
		t.Fatalf("after import: %s", snap)
	}
	again := r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	if again.Status != credit.BatchDone || again.Inserted != 0 || again.Updated != 0 || again.Unchanged != 4 {
		t.Fatalf("re-import: %+v", again)
	}
	if s := r.snapshot(t); s != snap {
		t.Fatalf("re-import changed the database: %s → %s", snap, s)
	}

	// A citizen finds the company by part of its name and sees its black-list entry.
	res, err := r.svc.Search(ctx, r.public, "椰风建筑", 1, 20)
	if err != nil || len(res.Subjects) != 1 || res.Subjects[0].CreditCode != codeYeFeng {
		t.Fatalf("search: %+v, %v", res, err)
	}
	if n := res.Lists[res.Subjects[0].ID][guanjia.CreditBlackList]; n != 1 {
		t.Errorf("search shows %d black-list entries, want 1", n)
	}
	black, red, err := r.svc.CheckCode(ctx, strings.ToLower(codeYeFeng))
	if err != nil || len(black) != 1 || len(red) != 0 || black[0].Subject.Name != "海南椰风建筑工程有限公司" {
		t.Fatalf("check: %v %v %v", black, red, err)
	}

	// The person is found by ID number and shown only masked.
	d, err := r.svc.Subject(ctx, r.public, idWang)
	if err != nil {
		t.Fatal(err)
	}
	if d.Subject.IDMasked != "4601**********"+idWang[14:] || d.Subject.IDNumber != "" || len(d.Black) != 1 {
		t.Fatalf("person: %+v", d.Subject)
	}
	var enc string
	r.db.Gorm().Raw("SELECT id_enc FROM credit_subjects WHERE kind = 'person'").Scan(&enc)
	if enc == "" || strings.Contains(enc, idWang) {
		t.Fatalf("the ID number is not encrypted at rest: %q", enc)
	}

	// The person's entry ends on 2026-06-30: on 07-01 (Haikou) the periodic job expires it.
	r.now = time.Date(2026, 6, 30, 15, 59, 0, 0, time.UTC) // 23:59 on the last day
	if n, err := r.svc.ExpireDue(ctx); err != nil || n != 0 {
		t.Fatalf("expired %d on the last day (%v)", n, err)
	}
	r.now = time.Date(2026, 6, 30, 16, 1, 0, 0, time.UTC) // 00:01 on 07-01
	if n, err := r.svc.ExpireDue(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d, want 1 (%v)", n, err)
	}
	if n, _ := r.svc.ExpireDue(ctx); n != 0 {
		t.Fatalf("a second run expired %d more", n)
	}
	if _, err := r.svc.Subject(ctx, r.public, idWang); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("an expired person is still public: %v", err)
	}
	if res, _ := r.svc.Search(ctx, r.public, "王某某", 1, 20); len(res.Subjects) != 0 {
		t.Fatalf("an expired person is still findable by name")
	}
	staffView, err := r.svc.Subject(ctx, r.dept, idWang)
	if err != nil || len(staffView.Black) != 1 || staffView.Black[0].Status != guanjia.CreditExpired {
		t.Fatalf("staff must still see the expired entry: %+v, %v", staffView, err)
	}
	hist, err := r.svc.Entry(ctx, r.admin, staffView.Black[0].ID)
	if err != nil || len(hist.Events) != 2 || hist.Events[1].Action != guanjia.CreditExpire || hist.Events[1].ActorID != nil {
		t.Fatalf("audit trail of the expired entry: %+v, %v", hist, err)
	}
	if !contains(r.notes.templates(), fmt.Sprintf("%s→%d", guanjia.TplCreditExpired, r.dept.UserID)) {
		t.Errorf("the publishing department was not told: %v", r.notes.templates())
	}

	// A repair, applied for by the company's 法定代表人, takes another entry out of public view.
	d, err = r.svc.Subject(ctx, r.public, codeNanYang)
	if err != nil || len(d.Black) != 1 {
		t.Fatalf("before repair: %+v %v", d, err)
	}
	if _, _, err := r.svc.BindLegalRep(ctx, r.citizen, codeNanYang, credit.LegalRepClaim{Name: repChen, IDNumber: idChen}); err != nil {
		t.Fatal(err)
	}
	app, err := r.svc.ApplyRepair(ctx, r.citizen, credit.RepairApplication{EntryID: d.Black[0].ID,
		Reason: "已足额支付拖欠工资", Evidence: "工资支付凭证 海人社函〔2026〕9号"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.ApplyRepair(ctx, r.citizen, credit.RepairApplication{EntryID: d.Black[0].ID, Reason: "再次", Evidence: "同上"}); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("a second pending application: %v", err)
	}
	if _, err := r.svc.DecideRepair(ctx, r.other, app.ID, true, ""); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Fatalf("another department decided the repair: %v", err)
	}
	if _, err := r.svc.DecideRepair(ctx, r.dept, app.ID, true, "整改到位"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.DecideRepair(ctx, r.dept, app.ID, false, "重复"); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("deciding twice: %v", err)
	}
	d, err = r.svc.Subject(ctx, r.public, codeNanYang)
	if err != nil || len(d.Black) != 0 {
		t.Fatalf("a repaired entry is still public: %+v %v", d.Black, err)
	}
	if black, _, _ := r.svc.CheckCode(ctx, codeNanYang); len(black) != 0 {
		t.Fatalf("check still flags the repaired subject (stale cache?)")
	}
	hist, _ = r.svc.Entry(ctx, r.admin, app.EntryID)
	if last := hist.Events[len(hist.Events)-1]; last.Action != guanjia.CreditRepair || last.To != guanjia.CreditRepaired ||
		last.RepairID == nil || *last.RepairID != app.ID || last.Note != "整改到位" {
		t.Fatalf("repair decision not on the history: %+v", last)
	}
	if !contains(r.notes.templates(), fmt.Sprintf("%s→%d", guanjia.TplCreditRepairDecided, r.citizen.UserID)) {
		t.Errorf("the applicant was not told: %v", r.notes.templates())
	}

	// Re-importing the original file does not bring the repaired entry back.
	// (The person's row is left out: its period has ended, and a row whose
	// 有效期至 has passed is refused.)
	companies := strings.Join(strings.SplitAfter(fixedCSV(), "\n")[:4], "")
	again = r.importCSV(t, r.dept, guanjia.CreditBlackList, companies)
	if again.Unchanged != 3 {
		t.Fatalf("re-import after repair: %+v", again)
	}
	if black, _, _ := r.svc.CheckCode(ctx, codeNanYang); len(black) != 0 {
		t.Fatalf("a re-import revived a repaired entry")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestImportRules(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	before := r.snapshot(t)
	cases := []struct {
		name string
		who  guanjia.Claims
		up   credit.Upload
		code string
	}{
		{"unknown type", r.dept, credit.Upload{Type: "parking", Filename: "a.csv", Data: []byte(fixedCSV())}, guanjia.EINVALID},
		{"outside the remit", r.other, credit.Upload{Type: guanjia.CreditBlackList, Filename: "a.csv", Data: []byte(fixedCSV())}, guanjia.EFORBIDDEN},
		{"a citizen", r.citizen, credit.Upload{Type: guanjia.CreditBlackList, Filename: "a.csv", Data: []byte(fixedCSV())}, guanjia.EFORBIDDEN},
		{"admin without department", r.admin, credit.Upload{Type: guanjia.CreditBlackList, Filename: "a.csv", Data: []byte(fixedCSV())}, guanjia.EINVALID},
		{"not a spreadsheet", r.dept, credit.Upload{Type: guanjia.CreditBlackList, Filename: "list.xlsx", Data: []byte(fixedCSV())}, guanjia.EUNSUPPORTED},
		{"xls", r.dept, credit.Upload{Type: guanjia.CreditBlackList, Filename: "list.xls", Data: []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}}, guanjia.EUNSUPPORTED},
		{"UTF-16", r.dept, credit.Upload{Type: guanjia.CreditBlackList, Filename: "a.csv", Data: []byte{0xFF, 0xFE, 'a', 0}}, guanjia.EUNSUPPORTED},
		{"broken zip", r.dept, credit.Upload{Type: guanjia.CreditBlackList, Filename: "a.xlsx", Data: []byte("PK\x03\x04garbage")}, guanjia.EUNSUPPORTED},
		{"empty", r.dept, credit.Upload{Type: guanjia.CreditBlackList, Filename: "a.csv", Data: nil}, guanjia.EINVALID},
		{"header only", r.dept, credit.Upload{Type: guanjia.CreditBlackList, Filename: "a.csv", Data: []byte(blackHeader)}, guanjia.EINVALID},
		{"too large", r.dept, credit.Upload{Type: guanjia.CreditBlackList, Filename: "a.csv", Data: bytes.Repeat([]byte("x"), 51<<20)}, guanjia.ETOOLARGE},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.svc.SubmitImport(ctx, tc.who, tc.up)
			if guanjia.ErrorCode(err) != tc.code {
				t.Fatalf("got %v (%s), want %s", err, guanjia.ErrorCode(err), tc.code)
			}
		})
	}
	if after := r.snapshot(t); after != before {
		t.Fatalf("refused uploads changed the database: %s → %s", before, after)
	}

	// Encodings: GB18030 is read as such; Big5 bytes are not GB18030 text and are refused.
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(fixedCSV())
	if err != nil {
		t.Fatal(err)
	}
	b := r.importCSV(t, r.dept, guanjia.CreditBlackList, gb)
	if b.Status != credit.BatchDone || b.Format != credit.FormatCSVGB18030 || b.Inserted != 4 {
		t.Fatalf("GB18030 batch: %+v", b)
	}
	if res, _ := r.svc.Search(ctx, r.public, "琼州装饰", 1, 10); len(res.Subjects) != 1 {
		t.Fatalf("GB18030 names were not decoded")
	}
	_, err = r.svc.SubmitImport(ctx, r.dept, credit.Upload{Type: guanjia.CreditBlackList, Filename: "big5.csv",
		Data: []byte{0xA6, 0x57, 0xBA, 0xD9, 0x2C, 0x80, 0x0A}})
	if guanjia.ErrorCode(err) != guanjia.EUNSUPPORTED {
		t.Fatalf("not-GB18030 bytes: %v", err)
	}

	// A wrong template: missing and unknown columns are reported against row 1.
	b = r.importCSV(t, r.dept, guanjia.CreditBlackList, "行政相对人名称,统一社会信用代码,处罚机关\n某公司,"+codeYeFeng+",某局\n")
	if b.Status != credit.BatchRejected || report(b.Errors[:1]) != "{1 处罚机关 不是黑名单模板中的列}" {
		t.Fatalf("wrong template: %+v", b.Errors)
	}

	// An admin publishes on behalf of a department, within its remit.
	b, err = r.svc.SubmitImport(ctx, r.admin, credit.Upload{Type: guanjia.CreditBlackList, Department: "hk-rsj", Filename: "a.csv", Data: []byte(fixedCSV())})
	if err != nil || b.Status != credit.BatchDone || b.Unchanged != 4 {
		t.Fatalf("admin import: %+v %v", b, err)
	}
}

// A corrected re-import amends the entry in place, keeps its status and
// records the change; the cached lookup is dropped.
func TestReimportAmends(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	d, err := r.svc.Subject(ctx, r.public, codeYeFeng) // cached now
	if err != nil || d.Black[0].PublicUntil.Format("2006-01-02") != "2029-01-05" {
		t.Fatal(d, err)
	}
	changed := strings.Replace(fixedCSV(), "2026-01-05,2029-01-05", "2026-01-05,2028-01-05", 1)
	b := r.importCSV(t, r.dept, guanjia.CreditBlackList, changed)
	if b.Updated != 1 || b.Unchanged != 3 || b.Inserted != 0 {
		t.Fatalf("amend: %+v", b)
	}
	d, _ = r.svc.Subject(ctx, r.public, codeYeFeng)
	if got := d.Black[0].PublicUntil.Format("2006-01-02"); got != "2028-01-05" {
		t.Fatalf("lookup after amend says %s: the cache was not invalidated", got)
	}
	hist, _ := r.svc.Entry(ctx, r.dept, d.Black[0].ID)
	if len(hist.Events) != 2 || hist.Events[1].Action != guanjia.CreditAmend || !strings.Contains(hist.Events[1].Note, "2028-01-05") {
		t.Fatalf("amend history: %+v", hist.Events)
	}
}

// A large batch goes to the import job; its progress is visible and the
// result is the same as inline.
func TestQueuedImport(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.svc.InlineRows = 2
	b := r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	if b.Status != credit.BatchQueued || len(r.jobs.ids) != 1 || r.jobs.ids[0] != b.ID {
		t.Fatalf("queued: %+v, jobs %v", b, r.jobs.ids)
	}
	if r.count(t, "credit_entries") != 0 {
		t.Fatal("a queued batch was imported before its job ran")
	}
	st, _ := r.svc.ImportStatus(ctx, r.dept, b.ID)
	if st.Status != credit.BatchQueued || st.Percent != 0 {
		t.Fatalf("status while queued: %+v", st)
	}
	if _, err := r.svc.ImportStatus(ctx, r.other, b.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("another department sees the batch: %v", err)
	}
	if err := r.svc.RunImport(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	st, _ = r.svc.ImportStatus(ctx, r.dept, b.ID)
	if st.Status != credit.BatchDone || st.Percent != 100 || st.Inserted != 4 {
		t.Fatalf("after the job: %+v", st)
	}
	if err := r.svc.RunImport(ctx, b.ID); err != nil || r.count(t, "credit_entries") != 4 {
		t.Fatalf("running the job again: %v", err)
	}
	if _, err := r.db.Credit.LoadImportFile(ctx, b.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("the uploaded file was kept after import: %v", err)
	}
	if !contains(r.notes.templates(), fmt.Sprintf("%s→%d", guanjia.TplCreditImportDone, r.dept.UserID)) {
		t.Errorf("the uploader was not told: %v", r.notes.templates())
	}
}

// A queued batch the database refuses (a row names a record another
// department published) is rejected with that reason at once, not retried
// and reported as "failed, upload again": the same file fails the same way.
func TestQueuedImportRefusedSaysWhy(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	if err := r.db.Credit.SetRemit(ctx, "hk-scjg", []string{guanjia.CreditBlackList}); err != nil {
		t.Fatal(err)
	}
	r.svc.InlineRows = 2
	b := r.importCSV(t, r.other, guanjia.CreditBlackList, fixedCSV())
	if b.Status != credit.BatchQueued {
		t.Fatalf("queued: %s", b.Status)
	}
	if err := r.svc.RunImport(ctx, b.ID); err != nil {
		t.Fatalf("the job's error %v: it would be retried", err)
	}
	st, err := r.svc.ImportStatus(ctx, r.other, b.ID)
	if err != nil || st.Status != credit.BatchRejected || len(st.Errors) != 1 ||
		!strings.Contains(i18n.Sprintf(i18n.Chinese, st.Errors[0].Format, st.Errors[0].Args...), "已由其他部门") {
		t.Fatalf("batch %+v %v, want rejected saying another department published the record", st, err)
	}
}

// A queued batch that the job rejects or that fails keeps no copy of its
// file: the file holds ID numbers in plain text, and nothing reads it again.
func TestEndedBatchDropsItsFile(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.svc.InlineRows = 2
	rejected := r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	failed := r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	if rejected.Status != credit.BatchQueued || failed.Status != credit.BatchQueued || r.count(t, "credit_import_files") != 2 {
		t.Fatalf("queued: %s %s, %d files", rejected.Status, failed.Status, r.count(t, "credit_import_files"))
	}

	// The job's last attempt failed.
	r.svc.FailImport(ctx, failed.ID, fmt.Errorf("connection reset"))
	// The remit changed before the job ran: the batch is rejected.
	if err := r.db.Credit.SetRemit(ctx, "hk-rsj", []string{guanjia.CreditPenalty}); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.RunImport(ctx, rejected.ID); err != nil {
		t.Fatal(err)
	}

	for _, want := range []struct {
		id     int64
		status credit.BatchStatus
	}{{rejected.ID, credit.BatchRejected}, {failed.ID, credit.BatchFailed}} {
		st, err := r.svc.ImportStatus(ctx, r.dept, want.id)
		if err != nil || st.Status != want.status {
			t.Fatalf("batch %d: %+v %v, want %s", want.id, st, err, want.status)
		}
		if _, err := r.db.Credit.LoadImportFile(ctx, want.id); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
			t.Errorf("the file of the %s batch was kept: %v", want.status, err)
		}
	}
	if n := r.count(t, "credit_import_files"); n != 0 || r.count(t, "credit_entries") != 0 {
		t.Fatalf("%d files left, %d entries", n, r.count(t, "credit_entries"))
	}
}

// A person whose only entry's period ended is no longer found by name, from
// the first day after it (in Haikou), before the sweep has expired the entry.
func TestSearchPersonOnlyWithinPublicPeriod(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV()) // 王某某 public until 2026-06-30
	search := func() int {
		t.Helper()
		res, err := r.svc.Search(ctx, r.public, "王某某", 1, 20)
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Subjects)
	}
	r.now = time.Date(2026, 6, 30, 15, 59, 0, 0, time.UTC) // 23:59 on the last day
	if n := search(); n != 1 {
		t.Fatalf("on the last day of the period the person is found %d times, want 1", n)
	}
	r.now = time.Date(2026, 6, 30, 16, 1, 0, 0, time.UTC) // 00:01 on 07-01, no sweep yet
	if n := search(); n != 0 {
		t.Fatalf("after the period the person is still findable by name")
	}
	if _, err := r.svc.Subject(ctx, r.public, idWang); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("after the period the person is still public: %v", err)
	}
	// Staff still find them; companies stay findable.
	if res, err := r.svc.Search(ctx, r.dept, "王某某", 1, 20); err != nil || len(res.Subjects) != 1 {
		t.Fatalf("staff search: %+v %v", res, err)
	}
	if res, err := r.svc.Search(ctx, r.public, "椰风建筑", 1, 20); err != nil || len(res.Subjects) != 1 {
		t.Fatalf("company search: %+v %v", res, err)
	}
}

// Company names are published as departments write them, usually with
// full-width brackets; citizens type half-width ones (and phones' keyboards
// may give a code in full-width characters). Both find the company.
func TestSearchIgnoresCharacterWidth(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, blackHeader+
		blackRow("海南椰风（集团）建筑工程有限公司", "法人及非法人组织", codeYeFeng, "", "海人社欠薪〔2026〕1号", "2026-01-05", "2029-01-05")+
		blackRow("海南南洋(集团)劳务有限公司", "法人及非法人组织", codeNanYang, "", "海人社欠薪〔2026〕2号", "2026-01-05", "2029-01-05"))
	for q, want := range map[string]string{
		"椰风(集团)": "海南椰风（集团）建筑工程有限公司",
		"椰风（集团）": "海南椰风（集团）建筑工程有限公司",
		"南洋（集团）": "海南南洋(集团)劳务有限公司",
		"(集":     "", // two characters: both companies
		"９１３５０１００Ｍ０００１００Ｙ４３": "海南椰风（集团）建筑工程有限公司",
	} {
		res, err := r.svc.Search(ctx, r.public, q, 1, 20)
		switch {
		case err != nil:
			t.Errorf("search %q: %v", q, err)
		case want == "" && len(res.Subjects) != 2:
			t.Errorf("search %q: %d subjects, want both", q, len(res.Subjects))
		case want != "" && (len(res.Subjects) != 1 || res.Subjects[0].Name != want):
			t.Errorf("search %q: %d subjects, want %s", q, len(res.Subjects), want)
		}
	}
	if d, err := r.svc.Subject(ctx, r.public, "９１３５０１００Ｍ０００１００Ｙ４３"); err != nil || d.Subject.CreditCode != codeYeFeng {
		t.Errorf("lookup by a full-width code: %v", err)
	}
	if black, _, err := r.svc.CheckCode(ctx, "９１３５０１００ｍ０００１００ｙ４３"); err != nil || len(black) != 1 {
		t.Errorf("联合奖惩 check of a full-width code: %d entries, %v", len(black), err)
	}
}

// A department account without a unit sees no department's repairs or
// batches: its empty unit must not read as "every department".
func TestDepartmentAccountWithoutUnit(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	u := &guanjia.User{Username: "sensor", Role: guanjia.RoleDepartment}
	if err := r.db.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	nounit := guanjia.Claims{UserID: u.ID, Role: guanjia.RoleDepartment}
	b := r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	app, err := apply(r, r.dept, r.blackEntry(t, codeYeFeng).ID)
	if err != nil {
		t.Fatal(err)
	}

	_, _, err = r.svc.Repairs(ctx, nounit, "", 1, 50)
	if guanjia.ErrorCode(err) != guanjia.EFORBIDDEN || i18n.Message(err, i18n.Chinese) != "您的账号未归属任何部门" {
		t.Errorf("repairs of an account without a unit: %v", err)
	}
	_, _, err = r.svc.Batches(ctx, nounit, 1, 50)
	if guanjia.ErrorCode(err) != guanjia.EFORBIDDEN || i18n.Message(err, i18n.Chinese) != "您的账号未归属任何部门" {
		t.Errorf("batches of an account without a unit: %v", err)
	}
	if _, err := r.svc.Repair(ctx, nounit, app.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("an account without a unit reads a repair: %v", err)
	}
	if _, err := r.svc.ImportStatus(ctx, nounit, b.ID); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("an account without a unit reads a batch: %v", err) // not credit staff: no remit
	}
	if _, err := r.svc.DecideRepair(ctx, nounit, app.ID, false, "不予修复"); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("an account without a unit decides a repair: %v", err)
	}

	// A department with a unit sees its own, another department nothing of it.
	if repairs, _, err := r.svc.Repairs(ctx, r.dept, "", 1, 50); err != nil || len(repairs) != 1 || repairs[0].ID != app.ID {
		t.Errorf("the department's repairs: %+v %v", repairs, err)
	}
	if batches, _, err := r.svc.Batches(ctx, r.dept, 1, 50); err != nil || len(batches) != 1 || batches[0].ID != b.ID {
		t.Errorf("the department's batches: %+v %v", batches, err)
	}
	if repairs, _, err := r.svc.Repairs(ctx, r.other, "", 1, 50); err != nil || len(repairs) != 0 {
		t.Errorf("another department's repairs: %+v %v", repairs, err)
	}
	if batches, _, err := r.svc.Batches(ctx, r.other, 1, 50); err != nil || len(batches) != 0 {
		t.Errorf("another department's batches: %+v %v", batches, err)
	}
}

// The XLSX template round-trips: filled in, it imports, with dates typed as
// text or stored as Excel dates.
func TestXLSXImport(t *testing.T) {
	r := newRig(t)
	tpl, err := r.svc.Template(guanjia.CreditLicense, "xlsx")
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetList()[0]
	row := []any{"海南椰风建筑工程有限公司", "法人及非法人组织", codeYeFeng, "张三", "", "海口市美兰区", "琼建许〔2026〕12号", "普通",
		"建筑业企业资质证书", "D246012345", "建筑工程施工总承包三级", "2026-02-01", nil, "2031-01-31", "海口市住房和城乡建设局", "海口市住房和城乡建设局", ""}
	if err := f.SetSheetRow(sheet, "A2", &row); err != nil {
		t.Fatal(err)
	}
	// 有效期自 as a real date cell: Excel keeps a serial number.
	if err := f.SetCellValue(sheet, "M2", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.db.Credit.SetRemit(context.Background(), "hk-scjg", []string{guanjia.CreditLicense}); err != nil {
		t.Fatal(err)
	}
	b, err := r.svc.SubmitImport(context.Background(), r.other, credit.Upload{Type: guanjia.CreditLicense, Filename: "许可.xlsx", Data: buf.Bytes()})
	if err != nil || b.Status != credit.BatchDone || b.Format != credit.FormatXLSX {
		t.Fatalf("xlsx import: %+v %v", b, err)
	}
	d, err := r.svc.Subject(context.Background(), r.public, codeYeFeng)
	if err != nil || len(d.Records) != 1 {
		t.Fatalf("license: %+v %v", d, err)
	}
	lic := d.Records[0]
	if lic.ValidFrom == nil || lic.ValidFrom.Format("2006-01-02") != "2026-02-01" || lic.PublicUntil.Format("2006-01-02") != "2031-01-31" ||
		lic.Fields["license_no"] != "D246012345" || d.Subject.LegalRep != "张三" {
		t.Fatalf("license as stored: %+v", lic)
	}
}

func TestCheckCode(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, _, err := r.svc.CheckCode(ctx, "91350100M000100Y44"); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Fatalf("a wrong check character: %v", err)
	}
	black, red, err := r.svc.CheckCode(ctx, codeYeFeng)
	if err != nil || black == nil || red == nil || len(black)+len(red) != 0 {
		t.Fatalf("an unknown subject: %v %v %v", black, red, err)
	}
	// The miss was cached; the import must drop it.
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	if black, _, _ := r.svc.CheckCode(ctx, codeYeFeng); len(black) != 1 {
		t.Fatal("a cached miss outlived the import")
	}
	hits := r.cache.hits
	r.svc.CheckCode(ctx, codeYeFeng)
	if r.cache.hits != hits+1 {
		t.Error("a repeated lookup did not come from the cache")
	}
}

// A lookup that read the database before an import committed does not
// cache what it read once the import has dropped the code's cached lookup.
func TestLookupReadBeforeAnImportIsNotCached(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	reading := *r.svc
	reading.Store = writeAfterRead{Store: r.db.Credit, write: func() {
		r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	}}
	if black, _, err := reading.CheckCode(ctx, codeYeFeng); err != nil || len(black) != 0 {
		t.Fatalf("the lookup that read before the import: %v %v, want no entry", black, err)
	}
	if black, _, err := r.svc.CheckCode(ctx, codeYeFeng); err != nil || len(black) != 1 {
		t.Fatalf("the next lookup: %v %v, want the imported entry, not the answer read before the import", black, err)
	}
}

// writeAfterRead runs write, once, after reading a subject: a write that
// commits while a lookup is under way.
type writeAfterRead struct {
	credit.Store
	write func()
}

func (w writeAfterRead) FindSubjectByCode(ctx context.Context, code string) (*guanjia.CreditSubject, error) {
	s, err := w.Store.FindSubjectByCode(ctx, code)
	w.write()
	return s, err
}

func TestRedBlackListPages(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	p, err := r.svc.List(ctx, "black", "", 1, 2)
	if err != nil || p.Total != 4 || len(p.Entries) != 2 || p.Entries[0].Subject == nil {
		t.Fatalf("black list page: %+v %v", p, err)
	}
	if p.Entries[0].DecidedOn.Before(p.Entries[1].DecidedOn) {
		t.Error("not newest first")
	}
	if p, _ := r.svc.List(ctx, "red", "", 1, 20); p.Total != 0 {
		t.Errorf("red list has %d", p.Total)
	}
	if _, err := r.svc.List(ctx, "grey", "", 1, 20); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("unknown list: %v", err)
	}
}

func TestRevokeAndRepairRules(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	d, _ := r.svc.Subject(ctx, r.public, codeQiongZ)
	id := d.Black[0].ID
	if _, err := r.svc.Revoke(ctx, r.other, id, "错误"); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Fatalf("another department revoked: %v", err)
	}
	if _, err := r.svc.Revoke(ctx, r.dept, id, ""); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Fatalf("revoke without a reason: %v", err)
	}
	if _, err := r.svc.Revoke(ctx, r.dept, id, "决定已撤销"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Revoke(ctx, r.dept, id, "again"); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("revoking twice: %v", err)
	}
	// Out of public view, a revoked entry answers as one that does not exist,
	// but to credit staff, who hear that it cannot be repaired.
	if _, err := r.svc.ApplyRepair(ctx, r.citizen, credit.RepairApplication{EntryID: id, Reason: "x", Evidence: "y"}); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Fatalf("repair of a revoked entry: %v", err)
	}
	if _, err := r.svc.ApplyRepair(ctx, r.dept, credit.RepairApplication{EntryID: id, Reason: "x", Evidence: "y"}); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("the department applies to repair its revoked entry: %v, want conflict", err)
	}
	if _, err := r.svc.ApplyRepair(ctx, r.public, credit.RepairApplication{EntryID: id, Reason: "x", Evidence: "y"}); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN &&
		guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Fatalf("an anonymous repair: %v", err)
	}
	// A red-list entry is not 失信 information: nothing to repair.
	if err := r.db.Credit.SetRemit(ctx, "hk-scjg", []string{guanjia.CreditRedList}); err != nil {
		t.Fatal(err)
	}
	red := strings.Replace(fixedCSV(), "拖欠农民工工资失信联合惩戒对象名单", "A级纳税人", -1)
	red = strings.Replace(red, "海南琼州装饰工程有限公司", "海南琼州装饰工程有限公司", 1)
	b := r.importCSV(t, r.other, guanjia.CreditRedList, red)
	if b.Status != credit.BatchDone {
		t.Fatalf("red list: %+v", b)
	}
	reds, err := r.svc.Subject(ctx, r.admin, codeYeFeng) // staff see it: the black list withholds it from the public
	if err != nil || len(reds.Red) != 1 {
		t.Fatalf("red: %+v %v", reds, err)
	}
	if _, err := r.svc.ApplyRepair(ctx, r.citizen, credit.RepairApplication{EntryID: reds.Red[0].ID, Reason: "x", Evidence: "y"}); guanjia.ErrorCode(err) != guanjia.EUNPROCESSABLE {
		t.Fatalf("repair of a red-list entry: %v", err)
	}
	// A refusal needs a note, and leaves the entry public.
	d, _ = r.svc.Subject(ctx, r.public, codeYeFeng)
	if _, _, err := r.svc.BindLegalRep(ctx, r.citizen, codeYeFeng, credit.LegalRepClaim{Name: repLin, IDNumber: idLin}); err != nil {
		t.Fatal(err)
	}
	app, err := r.svc.ApplyRepair(ctx, r.citizen, credit.RepairApplication{EntryID: d.Black[0].ID, Reason: "已整改", Evidence: "整改报告"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.DecideRepair(ctx, r.dept, app.ID, false, ""); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Fatalf("refusal without a note: %v", err)
	}
	if _, err := r.svc.DecideRepair(ctx, r.dept, app.ID, false, "未足额支付"); err != nil {
		t.Fatal(err)
	}
	if black, _, _ := r.svc.CheckCode(ctx, codeYeFeng); len(black) != 1 {
		t.Fatal("a refused repair took the entry out of view")
	}
	mine, _, err := r.svc.Repairs(ctx, r.citizen, "", 1, 50)
	if err != nil || len(mine) != 1 || mine[0].Status != credit.RepairRefused || mine[0].Entry == nil {
		t.Fatalf("the applicant's applications: %+v %v", mine, err)
	}
}

func TestArticles(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.svc.CreateArticle(ctx, r.citizen, credit.ArticleInput{Section: "news", Title: "t", Body: "b"}); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Fatalf("a citizen wrote an article: %v", err)
	}
	if _, err := r.svc.CreateArticle(ctx, r.admin, credit.ArticleInput{Section: "blog", Title: "t", Body: "b"}); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Fatalf("unknown section: %v", err)
	}
	a, err := r.svc.CreateArticle(ctx, r.dept, credit.ArticleInput{Section: credit.SectionPolicy, Title: "海口市公共信用信息管理办法", Body: "第一条……"})
	if err != nil {
		t.Fatal(err)
	}
	if list, n, _ := r.svc.Articles(ctx, r.public, credit.SectionPolicy, 1, 10); n != 0 || len(list) != 0 {
		t.Fatal("a draft is public")
	}
	if _, err := r.svc.ArticleAction(ctx, r.admin, a.ID, "unpublish"); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("unpublish a draft: %v", err)
	}
	if _, err := r.svc.ArticleAction(ctx, r.admin, a.ID, "publish"); err != nil {
		t.Fatal(err)
	}
	if list, n, _ := r.svc.Articles(ctx, r.public, credit.SectionPolicy, 1, 10); n != 1 || list[0].PublishedAt == nil {
		t.Fatalf("published article not listed: %d", n)
	}
	if _, err := r.svc.ArticleAction(ctx, r.dept, a.ID, "unpublish"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Article(ctx, r.public, a.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("an unpublished article is public: %v", err)
	}
}

// report is a batch's row errors as the console shows them: in Chinese.
func report(errs []credit.RowError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "{%d %s %s}", e.Row, e.Column, i18n.Sprintf(i18n.Chinese, e.Format, e.Args...))
	}
	return b.String()
}

// Credit staff are admins and the departments with a remit to publish
// credit information, not every department account: one of a unit without
// a remit (水务, feeding flood sensors) reads only what the public reads and
// writes no articles.
func TestDepartmentWithoutRemitIsNotCreditStaff(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "hk-water", Name: "海口市水务局", Department: "水务"}); err != nil {
		t.Fatal(err)
	}
	u := &guanjia.User{Username: "water-clerk", Role: guanjia.RoleDepartment, UnitCode: "hk-water"}
	if err := r.db.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	water := guanjia.Claims{UserID: u.ID, Role: guanjia.RoleDepartment, UnitCode: "hk-water"}
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	entry := r.blackEntry(t, codeYeFeng)
	if _, err := r.svc.Revoke(ctx, r.dept, entry.ID, "决定已撤销"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Entry(ctx, water, entry.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("a department without a remit reads a revoked entry: %v", err)
	}
	if h, err := r.svc.Entry(ctx, r.other, entry.ID); err != nil || h.Entry.ID != entry.ID {
		t.Errorf("credit staff read the revoked entry: %+v %v", h, err)
	}
	if _, err := r.svc.CreateArticle(ctx, water, credit.ArticleInput{Section: "news", Title: "停水通知", Body: "明日停水"}); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("a department without a remit writes a credit article: %v", err)
	}
	// Nor does it read who stands for a subject as its 法定代表人.
	rep, _, err := r.svc.BindLegalRep(ctx, r.citizen, codeNanYang, credit.LegalRepClaim{Name: repChen, IDNumber: idChen})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Representative(ctx, water, rep.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("a department without a remit reads a 法定代表人: %v", err)
	}
	if got, err := r.svc.Representative(ctx, r.other, rep.ID); err != nil || got.ID != rep.ID {
		t.Errorf("credit staff read the 法定代表人: %+v %v", got, err)
	}
}

// About 3 in 100 ID numbers also pass the 统一社会信用代码's check: a person
// with such a number is found by it all the same.
func TestAnIDNumberThatLooksLikeACreditCode(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	var id string
	for n := 100; n < 1000 && id == ""; n++ {
		if c := credit.CompleteIDNumber(fmt.Sprintf("46010619880808%03d", n)); guanjia.ValidateCreditCode(c) == nil {
			id = c
		}
	}
	if id == "" {
		t.Fatal("no ID number in the range passes the credit code check")
	}
	r.importCSV(t, r.dept, guanjia.CreditBlackList, blackHeader+blackRow("符某", "自然人", "", id, "海人社欠薪〔2026〕9号", "2026-01-05", "2029-01-05"))
	for _, who := range []guanjia.Claims{r.public, r.dept} {
		if d, err := r.svc.Subject(ctx, who, id); err != nil || d.Subject.Name != "符某" {
			t.Errorf("%s looks up %s: %v", who.Role, guanjia.MaskIDNumber(id), err)
		}
	}
	if res, err := r.svc.Search(ctx, r.public, id, 1, 20); err != nil || len(res.Subjects) != 1 {
		t.Errorf("searching the number: %+v %v", res, err)
	}
}

// goneDuringImport is a client that goes away while its import is written.
type goneDuringImport struct {
	credit.Store
	cancel context.CancelFunc
}

func (g goneDuringImport) ImportBatch(ctx context.Context, _ *credit.Batch, _ []credit.ImportRow, _ func(int), _ credit.Notices[*credit.Batch]) ([]int64, error) {
	g.cancel()
	return nil, ctx.Err()
}

// An import whose request goes away is recorded as failed, not left
// "running" with nothing to run it.
func TestAnImportWhoseClientLeftIsFailed(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	r.svc.Store = goneDuringImport{Store: r.db.Credit, cancel: cancel}
	if _, err := r.svc.SubmitImport(ctx, r.dept, credit.Upload{Type: guanjia.CreditBlackList, Filename: "a.csv", Data: []byte(fixedCSV())}); err == nil {
		t.Fatal("the import went through")
	}
	r.svc.Store = r.db.Credit
	batches, _, err := r.svc.Batches(context.Background(), r.dept, 1, 10)
	if err != nil || len(batches) != 1 || batches[0].Status != credit.BatchFailed {
		t.Fatalf("the batch: %+v %v, want one, failed", batches, err)
	}
}

// unpublishedMeanwhile has another editor unpublish the article right after
// it is read for an edit.
type unpublishedMeanwhile struct {
	credit.Store
	unpublish func()
}

func (u unpublishedMeanwhile) FindArticle(ctx context.Context, id int64) (*credit.Article, error) {
	a, err := u.Store.FindArticle(ctx, id)
	u.unpublish()
	return a, err
}

// An edit saved after someone unpublished the article does not publish it again.
func TestAnEditDoesNotRepublish(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, err := r.svc.CreateArticle(ctx, r.dept, credit.ArticleInput{Section: credit.SectionPolicy, Title: "海口市公共信用信息管理办法", Body: "第一条……"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.ArticleAction(ctx, r.admin, a.ID, "publish"); err != nil {
		t.Fatal(err)
	}
	other := credit.NewService(r.db.Credit, r.cache, r.jobs, r.notes)
	r.svc.Store = unpublishedMeanwhile{Store: r.db.Credit, unpublish: func() {
		if _, err := other.ArticleAction(ctx, r.dept, a.ID, "unpublish"); err != nil {
			t.Errorf("unpublish meanwhile: %v", err)
		}
	}}
	if _, err := r.svc.UpdateArticle(ctx, r.admin, a.ID, credit.ArticleInput{Section: credit.SectionPolicy, Title: "海口市公共信用信息管理办法（修订）", Body: "第一条……"}); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("the edit over the unpublish: %v, want %s", err, guanjia.ECONFLICT)
	}
	r.svc.Store = r.db.Credit
	if _, err := r.svc.Article(ctx, r.public, a.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("the unpublished article is public again: %v", err)
	}
}

// An edit made from a stale read is refused, not written over a colleague's.
func TestAStaleArticleEditIsRefused(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, err := r.svc.CreateArticle(ctx, r.dept, credit.ArticleInput{Section: credit.SectionPolicy, Title: "海口市公共信用信息管理办法", Body: "第一条……"})
	if err != nil {
		t.Fatal(err)
	}
	read := a.UpdatedAt // both editors open it
	mine, err := r.svc.UpdateArticle(ctx, r.dept, a.ID, credit.ArticleInput{Section: credit.SectionPolicy, Title: "海口市公共信用信息管理办法（修订）", Body: "第一条……", Seen: read})
	if err != nil {
		t.Fatalf("the first save: %v", err)
	}
	_, err = r.svc.UpdateArticle(ctx, r.admin, a.ID, credit.ArticleInput{Section: credit.SectionPolicy, Title: "海口市公共信用信息管理办法（草案）", Body: "第一条……", Seen: read})
	if guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Errorf("a save from the stale read: %v, want %s", err, guanjia.ECONFLICT)
	}
	if got, err := r.svc.Article(ctx, r.admin, a.ID); err != nil || got.Title != "海口市公共信用信息管理办法（修订）" {
		t.Errorf("the first save was overwritten: %+v %v", got, err)
	}
	if _, err := r.svc.UpdateArticle(ctx, r.admin, a.ID, credit.ArticleInput{Section: credit.SectionPolicy, Title: "海口市公共信用信息管理办法（草案）", Body: "第一条……", Seen: mine.UpdatedAt}); err != nil {
		t.Errorf("a save from a fresh read: %v", err)
	}
}

// A company's new 法定代表人, named with their ID number by a later record,
// binds; the old one no longer does, and the masked ID shown is the new one's.
func TestANewLegalRepBinds(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV()) // 林椰风 stands for 椰风建筑
	if _, _, err := r.svc.BindLegalRep(ctx, r.citizen, codeYeFeng, credit.LegalRepClaim{Name: repLin, IDNumber: idLin}); err != nil {
		t.Fatal(err)
	}
	repWu, idWu := "吴新", credit.CompleteIDNumber("46010819800808003")
	r.importCSV(t, r.dept, guanjia.CreditBlackList, blackHeader+
		blackRowRep("海南椰风建筑工程有限公司", "法人及非法人组织", codeYeFeng, repWu, idWu, "海人社欠薪〔2026〕7号", "2026-02-05", "2029-02-05"))
	d, err := r.svc.Subject(ctx, r.public, codeYeFeng)
	if err != nil || d.Subject.LegalRep != repWu || d.Subject.IDMasked != guanjia.MaskIDNumber(idWu) {
		t.Fatalf("the company after the new record: %+v %v", d, err)
	}
	if _, _, err := r.svc.BindLegalRep(ctx, r.citizen, codeYeFeng, credit.LegalRepClaim{Name: repLin, IDNumber: idLin}); err == nil {
		t.Error("the former 法定代表人 bound")
	}
	if _, err := r.svc.ApplyRepair(ctx, r.citizen, credit.RepairApplication{EntryID: d.Black[0].ID, Reason: "已整改", Evidence: "整改报告"}); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("the former 法定代表人, bound before, applies for a repair: %v, want forbidden", err)
	}
	wu := &guanjia.User{Username: "wu", Role: guanjia.RoleCitizen}
	if err := r.db.Users.CreateUser(ctx, wu); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.svc.BindLegalRep(ctx, guanjia.Claims{UserID: wu.ID, Role: wu.Role}, codeYeFeng, credit.LegalRepClaim{Name: repWu, IDNumber: idWu}); err != nil {
		t.Errorf("the new 法定代表人 binds: %v", err)
	}
}

// An unregistered 个体工商户 is keyed by its operator's ID number, as the
// operator is as a person: they stay two subjects, each with its own records.
func TestAShopAndItsOperatorStayApart(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	id := credit.CompleteIDNumber("46010619800101004")
	r.importCSV(t, r.dept, guanjia.CreditBlackList, blackHeader+blackRow("椰城小吃店", "个体工商户", "", id, "海人社欠薪〔2026〕11号", "2026-01-05", "2029-01-05"))
	r.importCSV(t, r.dept, guanjia.CreditBlackList, blackHeader+blackRow("王某某", "自然人", "", id, "海人社欠薪〔2026〕12号", "2026-01-06", "2029-01-05"))
	for q, kind := range map[string]guanjia.SubjectKind{"小吃店": guanjia.SubjectBusiness, "王某某": guanjia.SubjectPerson} {
		res, err := r.svc.Search(ctx, r.public, q, 1, 20)
		if err != nil || len(res.Subjects) != 1 || res.Subjects[0].Kind != kind {
			t.Errorf("search %q: %+v %v, want one %s", q, res, err, kind)
			continue
		}
		d, err := r.svc.Subject(ctx, r.dept, strconv.FormatInt(res.Subjects[0].ID, 10))
		if err != nil || len(d.Black) != 1 {
			t.Errorf("%s's records: %+v %v, want its one", q, d, err)
		}
	}
}

// An unregistered 个体工商户 is keyed by its operator's ID number: like a
// person, it leaves public view when nothing about it is published any more:
// by name and by the subject's numeric ID too, not only by the ID number.
func TestAnUnregisteredShopLeavesPublicViewWithItsEntries(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	id := credit.CompleteIDNumber("46010619800101004")
	r.importCSV(t, r.dept, guanjia.CreditBlackList, "行政相对人名称,行政相对人类别,统一社会信用代码,法定代表人,证件号码,名单名称,列入原因,认定依据文号,认定部门,认定日期,有效期至,地址\n"+
		"椰城小吃店,个体工商户,,王某某,"+id+",拖欠农民工工资失信联合惩戒对象名单,拖欠工资,海人社欠薪〔2026〕11号,海口市人力资源和社会保障局,2026-01-05,2026-06-30,海口市龙华区椰林小区3栋\n")
	if res, err := r.svc.Search(ctx, r.public, "小吃店", 1, 20); err != nil || len(res.Subjects) != 1 {
		t.Fatalf("public search while listed: %+v %v", res, err)
	}
	r.now = time.Date(2026, 7, 2, 2, 0, 0, 0, time.UTC) // the period ended on 06-30
	if n, err := r.svc.ExpireDue(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d, %v", n, err)
	}
	if _, err := r.svc.Subject(ctx, r.public, id); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("by the operator's ID number: %v, want not found", err)
	}
	staff, err := r.svc.Search(ctx, r.dept, "小吃店", 1, 20)
	if err != nil || len(staff.Subjects) != 1 {
		t.Fatalf("staff search: %+v %v", staff, err)
	}
	if res, err := r.svc.Search(ctx, r.public, "小吃店", 1, 20); err != nil || len(res.Subjects) != 0 {
		s := res.Subjects[0]
		t.Errorf("public name search still shows the expired shop: %s, operator %s, ID %s, address %s", s.Name, s.LegalRep, s.IDMasked, s.Address)
	}
	if d, err := r.svc.Subject(ctx, r.public, strconv.FormatInt(staff.Subjects[0].ID, 10)); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("public lookup by subject ID still answers the expired shop: %+v %v", d, err)
	}
}

// A department whose remit is taken away neither decides nor withdraws its
// old entries' business any more: the administrators do.
func TestADepartmentWithoutRemitStops(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	entry := r.blackEntry(t, codeYeFeng)
	app, err := apply(r, r.dept, entry.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.SetRemit(ctx, r.admin, "hk-rsj", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Revoke(ctx, r.dept, entry.ID, "公示有误"); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("revoke without a remit: %v", err)
	}
	if _, err := r.svc.DecideRepair(ctx, r.dept, app.ID, false, "证据不足"); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("decide without a remit: %v", err)
	}
	if _, _, err := r.svc.Repairs(ctx, r.dept, "", 1, 50); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("the applications without a remit: %v", err)
	}
	if _, _, err := r.svc.Batches(ctx, r.dept, 1, 50); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("the batches without a remit: %v", err)
	}
	if got, err := r.svc.Revoke(ctx, r.admin, entry.ID, "公示有误"); err != nil || got.Status != guanjia.CreditRevoked {
		t.Errorf("an administrator revokes it: %+v %v", got, err)
	}
}

// An article is its department's: another department's staff neither edit,
// publish nor withdraw it; its own colleagues and administrators do.
func TestAnArticleIsItsDepartments(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, err := r.svc.CreateArticle(ctx, r.dept, credit.ArticleInput{Section: credit.SectionNews, Title: "人社局开展根治欠薪专项行动", Body: "……", Source: "海口市人力资源和社会保障局"})
	if err != nil {
		t.Fatal(err)
	}
	edit := credit.ArticleInput{Section: credit.SectionNews, Title: "市场监管局开展专项行动", Body: "……", Source: "海口市市场监督管理局", Seen: a.UpdatedAt}
	if _, err := r.svc.UpdateArticle(ctx, r.other, a.ID, edit); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("another department edits it: %v", err)
	}
	if _, err := r.svc.ArticleAction(ctx, r.other, a.ID, "publish"); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Errorf("another department publishes it: %v", err)
	}
	if got, _ := r.svc.Article(ctx, r.admin, a.ID); got.Title != "人社局开展根治欠薪专项行动" || got.Status != credit.ArticleDraft {
		t.Errorf("after the refusals: %+v", got)
	}
	if _, err := r.svc.ArticleAction(ctx, r.admin, a.ID, "publish"); err != nil {
		t.Fatalf("an administrator publishes it: %v", err)
	}
	if _, err := r.svc.ArticleAction(ctx, r.dept, a.ID, "unpublish"); err != nil {
		t.Errorf("its department withdraws it: %v", err)
	}
}

// outboxDownOnce fails the first expiry where its notices are written, inside
// the chunk's transaction, as a database that drops the connection there would.
type outboxDownOnce struct {
	credit.Store
	failed bool
}

func (o *outboxDownOnce) ExpireDue(ctx context.Context, day, at time.Time, limit int,
	notices credit.Notices[[]*guanjia.CreditEntry]) ([]*guanjia.CreditEntry, []int64, error) {
	if !o.failed && notices != nil {
		build := notices
		notices = func(expired []*guanjia.CreditEntry) ([]guanjia.Message, error) {
			if _, err := build(expired); err != nil {
				return nil, err
			}
			o.failed = true
			return nil, errors.New("outbox: connection reset")
		}
	}
	return o.Store.ExpireDue(ctx, day, at, limit, notices)
}

// A department is told its entry left public view exactly once, even when
// the first sweep fails where the notice is written.
func TestAnExpiryNoticeIsNotLost(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	id := credit.CompleteIDNumber("46010619800101004")
	r.importCSV(t, r.dept, guanjia.CreditBlackList, blackHeader+
		blackRow("王某某", "自然人", "", id, "海人社欠薪〔2026〕11号", "2026-01-05", "2026-06-30"))
	down := &outboxDownOnce{Store: r.db.Credit}
	r.svc.Store = down
	r.now = time.Date(2026, 7, 2, 2, 0, 0, 0, time.UTC)
	for range 3 { // the sweep every 10 minutes
		if _, err := r.svc.ExpireDue(ctx); err != nil {
			t.Logf("sweep: %v", err)
		}
		r.now = r.now.Add(10 * time.Minute)
	}
	if !down.failed {
		t.Fatal("the notice was never written, so never failed")
	}
	told := fmt.Sprintf("%s→%d", guanjia.TplCreditExpired, r.dept.UserID)
	if n := count(r.notes.templates(), told); n != 1 {
		t.Fatalf("人社局 was told %d times its entry left public view, want once: %v", n, r.notes.templates())
	}
	if _, err := r.svc.Subject(ctx, r.public, id); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("the expired entry is still public: %v", err)
	}
	var outbox int
	r.db.Gorm().Raw("SELECT COUNT(*) FROM notifications WHERE template = ? AND recipient_id = ?",
		guanjia.TplCreditExpired, r.dept.UserID).Scan(&outbox)
	if outbox != 1 {
		t.Fatalf("%d expiry notices in the outbox, want 1", outbox)
	}
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// diesDuringImport is an API process killed while it writes an import
// within the request: the batch was recorded running, nothing else happens.
type diesDuringImport struct{ credit.Store }

type processDied struct{}

func (diesDuringImport) ImportBatch(context.Context, *credit.Batch, []credit.ImportRow, func(int), credit.Notices[*credit.Batch]) ([]int64, error) {
	panic(processDied{})
}

// An import within a request whose process died is marked failed by the
// sweep once it has run longer than any import may, and its uploader told;
// before that it is left alone (it may still be running).
func TestAnAbandonedImportIsFailedAfterTheTimeout(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.svc.Store = diesDuringImport{Store: r.db.Credit}
	func() {
		defer func() {
			if p := recover(); p != (processDied{}) {
				panic(p)
			}
		}()
		r.svc.SubmitImport(ctx, r.dept, credit.Upload{Type: guanjia.CreditBlackList, Filename: "a.csv", Data: []byte(fixedCSV())})
	}()
	r.svc.Store = r.db.Credit // the service of another process
	batches, _, err := r.svc.Batches(ctx, r.dept, 1, 10)
	if err != nil || len(batches) != 1 || batches[0].Status != credit.BatchRunning {
		t.Fatalf("batches: %+v %v", batches, err)
	}
	id := batches[0].ID
	start := r.now
	told := fmt.Sprintf("%s→%d", guanjia.TplCreditImportDone, r.dept.UserID)

	r.now = start.Add(30 * time.Minute)
	if err := r.svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if b, _ := r.svc.ImportStatus(ctx, r.dept, id); b.Status != credit.BatchRunning || contains(r.notes.templates(), told) {
		t.Fatalf("after 30 minutes the batch is %s and the uploader told %v", b.Status, r.notes.templates())
	}
	if len(r.jobs.ids) != 0 {
		t.Fatalf("a batch without its file was queued: %v", r.jobs.ids)
	}

	r.now = start.Add(credit.ImportTimeout + time.Minute)
	if err := r.svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := r.svc.ImportStatus(ctx, r.dept, id)
	if err != nil || b.Status != credit.BatchFailed || len(b.Errors) != 1 {
		t.Fatalf("after the import timeout: %+v %v", b, err)
	}
	if n := count(r.notes.templates(), told); n != 1 {
		t.Fatalf("the uploader was told %d times, want once: %v", n, r.notes.templates())
	}
	if got := r.snapshot(t); got != "credit_subjects=0 credit_entries=0 credit_events=0 credit_repairs=0" {
		t.Fatalf("an abandoned import left %s", got)
	}
	if err := r.svc.Sweep(ctx); err != nil || count(r.notes.templates(), told) != 1 {
		t.Fatalf("a later sweep: %v, told %v", err, r.notes.templates())
	}
}

// 守信激励 and 失信惩戒 do not stand together: while a subject is on a black
// list, the public sees none of its red-list entries — by code, on its page,
// in a name search's counts, on the red list — and sees them again once it
// leaves the black list. Staff see them throughout.
func TestABlackListWithholdsTheSubjectsRedList(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	codeClean := credit.CompleteCreditCode("91460100MA5T00003")
	red := strings.ReplaceAll(blackHeader+
		blackRow("海南椰风建筑工程有限公司", "法人及非法人组织", codeYeFeng, "", "海市监〔2026〕1号", "2026-02-01", "2028-02-01")+
		blackRow("海南清风物业有限公司", "法人及非法人组织", codeClean, "", "海市监〔2026〕2号", "2026-02-01", "2028-02-01"),
		"拖欠农民工工资失信联合惩戒对象名单", "守合同重信用企业")
	if b := r.importCSV(t, r.other, guanjia.CreditRedList, red); b.Status != credit.BatchDone {
		t.Fatalf("red list: %+v", b)
	}
	public := func(wantYeFengRed int, wantList int) {
		t.Helper()
		black, reds, err := r.svc.CheckCode(ctx, codeYeFeng)
		if err != nil || len(reds) != wantYeFengRed {
			t.Errorf("code lookup: %d black, %d red (%v), want %d red", len(black), len(reds), err, wantYeFengRed)
		}
		if d, err := r.svc.Subject(ctx, r.public, codeYeFeng); err != nil || len(d.Red) != wantYeFengRed {
			t.Errorf("the subject's page: %+v %v, want %d red", d, err, wantYeFengRed)
		}
		res, err := r.svc.Search(ctx, r.public, "椰风建筑", 1, 20)
		if err != nil || len(res.Subjects) != 1 || res.Lists[res.Subjects[0].ID][guanjia.CreditRedList] != wantYeFengRed {
			t.Errorf("name search: %+v %v, want %d red", res, err, wantYeFengRed)
		}
		if page, err := r.svc.List(ctx, "red", "", 1, 20); err != nil || page.Total != wantList || len(page.Entries) != wantList {
			t.Errorf("the red list: %+v %v, want %d entries", page, err, wantList)
		}
	}
	public(0, 1)
	if _, reds, _ := r.svc.CheckCode(ctx, codeClean); len(reds) != 1 {
		t.Errorf("a subject on no black list: %d red, want 1", len(reds))
	}
	staff, err := r.svc.Subject(ctx, r.admin, codeYeFeng)
	if err != nil || len(staff.Red) != 1 || len(staff.Black) != 1 {
		t.Fatalf("staff see %+v %v, want both lists", staff, err)
	}
	if res, err := r.svc.Search(ctx, r.admin, "椰风建筑", 1, 20); err != nil || len(res.Subjects) != 1 || res.Lists[res.Subjects[0].ID][guanjia.CreditRedList] != 1 {
		t.Errorf("staff's name search: %+v %v, want the red entry counted", res, err)
	}
	redID := staff.Red[0].ID
	if _, err := r.svc.Entry(ctx, r.public, redID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("the withheld red entry by its id: %v, want not found", err)
	}

	if _, err := r.svc.Revoke(ctx, r.dept, staff.Black[0].ID, "决定已撤销"); err != nil {
		t.Fatal(err)
	}
	public(1, 2)
	if _, err := r.svc.Entry(ctx, r.public, redID); err != nil {
		t.Errorf("the red entry by its id once the black list is gone: %v", err)
	}
}

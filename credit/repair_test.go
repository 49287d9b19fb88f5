package credit_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"guanjia"
	"guanjia/credit"
	"guanjia/i18n"
)

// memBlobs is guanjia.BlobStore in memory.
type memBlobs struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (b *memBlobs) Put(_ context.Context, key string, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[key] = data
	return nil
}

func (b *memBlobs) Open(_ context.Context, key string) (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.m[key]
	if !ok {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "file %s not found", key)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (b *memBlobs) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

// citizen adds a citizen's account.
func (r *rig) newCitizen(t *testing.T, name string) guanjia.Claims {
	t.Helper()
	u := &guanjia.User{Username: name, Role: guanjia.RoleCitizen}
	if err := r.db.Users.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return guanjia.Claims{UserID: u.ID, Role: guanjia.RoleCitizen}
}

// blackEntry is the subject's black-list entry (fixedCSV imported).
func (r *rig) blackEntry(t *testing.T, code string) *guanjia.CreditEntry {
	t.Helper()
	d, err := r.svc.Subject(context.Background(), r.admin, code)
	if err != nil || len(d.Black) != 1 {
		t.Fatalf("black-list entry of %s: %+v %v", code, d, err)
	}
	return d.Black[0]
}

func apply(r *rig, who guanjia.Claims, entryID int64) (*credit.Repair, error) {
	return r.svc.ApplyRepair(context.Background(), who, credit.RepairApplication{EntryID: entryID,
		Reason: "已足额支付拖欠工资", Evidence: "工资支付凭证 海人社函〔2026〕9号"})
}

// The issue: any citizen applied for the repair of an unrelated company, and
// the company itself then got 409. Only who stands for the subject applies
// now, each applicant has their own pending application, and the department
// decides among them.
func TestRepairOnlyBySubjectsRepresentatives(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	entry := r.blackEntry(t, codeNanYang)
	stranger, chen := r.newCitizen(t, "stranger"), r.newCitizen(t, "chen")

	// An unrelated citizen is refused and blocks nobody.
	if _, err := apply(r, stranger, entry.ID); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Fatalf("an unrelated citizen applied: %v", err)
	}
	if n := r.count(t, "credit_repairs"); n != 0 {
		t.Fatalf("a refused application was kept: %d", n)
	}

	// The 法定代表人 binds their account: the name and ID number must be the registered ones.
	for _, tc := range []struct {
		name, id string
		code     string
	}{
		{repChen, idLin, guanjia.EFORBIDDEN},             // someone else's ID number
		{"陈北洋", idChen, guanjia.EFORBIDDEN},              // the right number, another name
		{repChen, "46010619700101001", guanjia.EINVALID}, // not an ID number
	} {
		if _, _, err := r.svc.BindLegalRep(ctx, chen, codeNanYang, credit.LegalRepClaim{Name: tc.name, IDNumber: tc.id}); guanjia.ErrorCode(err) != tc.code {
			t.Fatalf("bind %s/%s: %v, want %s", tc.name, tc.id, err, tc.code)
		}
	}
	rep, created, err := r.svc.BindLegalRep(ctx, chen, codeNanYang, credit.LegalRepClaim{Name: " 陈 南洋 ", IDNumber: strings.ToLower(idChen)})
	if err != nil || !created || rep.Status != credit.RepresentativeAccepted || rep.Basis != credit.AsLegalRep {
		t.Fatalf("bind the 法定代表人: %+v %v %v", rep, created, err)
	}
	if again, created, err := r.svc.BindLegalRep(ctx, chen, codeNanYang, credit.LegalRepClaim{Name: repChen, IDNumber: idChen}); err != nil || created || again.ID != rep.ID {
		t.Fatalf("binding again: %+v %v %v", again, created, err)
	}
	// The failed attempts are kept, refused, for audit; no ID number is stored with them.
	mine, _, err := r.svc.Representatives(ctx, chen, credit.RepresentativeRefused, 1, 50)
	if err != nil || len(mine) != 2 {
		t.Fatalf("failed attempts: %+v %v", mine, err)
	}
	// The department that decides a repair reads the standing it names; a failed attempt is not shown to it.
	if _, err := r.svc.Representative(ctx, r.dept, rep.ID); err != nil {
		t.Fatalf("the department reads the binding: %v", err)
	}
	if _, err := r.svc.Representative(ctx, r.dept, mine[0].ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("the department reads a failed attempt: %v", err)
	}
	if _, err := r.svc.Representative(ctx, stranger, rep.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("a stranger reads the binding: %v", err)
	}
	var stored int64
	r.db.Gorm().Raw("SELECT COUNT(*) FROM credit_representatives WHERE name LIKE ? OR decision_note LIKE ?", "%"+idChen[6:14]+"%", "%"+idChen[6:14]+"%").Scan(&stored)
	if stored != 0 {
		t.Fatal("an ID number was stored with a standing")
	}

	// The bound 法定代表人 applies; a second application of theirs is a 409.
	own, err := apply(r, chen, entry.ID)
	if err != nil || own.Basis != credit.AsLegalRep || own.Representative == nil || *own.Representative != rep.ID {
		t.Fatalf("the 法定代表人 applies: %+v %v", own, err)
	}
	told := fmt.Sprintf("%s→%d", guanjia.TplCreditRepairApplied, r.dept.UserID)
	if got := r.notes.templates(); !contains(got, told) {
		t.Errorf("the department was not told of the application: %v", got)
	}
	if _, err := apply(r, chen, entry.ID); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("a second pending application by the same applicant: %v", err)
	}
	// Staff of the publishing department file one on the subject's behalf; another department may not.
	if _, err := apply(r, r.other, entry.ID); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Fatalf("another department applied: %v", err)
	}
	onBehalf, err := apply(r, r.dept, entry.ID)
	if err != nil || onBehalf.Basis != credit.AsDepartment {
		t.Fatalf("staff on the subject's behalf: %+v %v", onBehalf, err)
	}
	// The department sees every pending application.
	queue, _, err := r.svc.Repairs(ctx, r.dept, credit.RepairPending, 1, 50)
	if err != nil || len(queue) != 2 {
		t.Fatalf("the department's queue: %d %v", len(queue), err)
	}
	if _, err := r.svc.Repair(ctx, stranger, own.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("a stranger reads the application: %v", err)
	}

	// Approving one repairs the entry and closes the other: nothing is left to decide.
	if _, err := r.svc.DecideRepair(ctx, r.dept, own.ID, true, "已足额支付"); err != nil {
		t.Fatal(err)
	}
	closed, err := r.svc.Repair(ctx, r.dept, onBehalf.ID)
	if err != nil || closed.Status != credit.RepairSuperseded || closed.DecidedAt == nil {
		t.Fatalf("the other pending application: %+v %v", closed, err)
	}
	if _, err := r.svc.DecideRepair(ctx, r.dept, onBehalf.ID, true, ""); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("deciding a superseded application: %v", err)
	}
	for _, who := range []int64{chen.UserID, r.dept.UserID} {
		if !contains(r.notes.templates(), fmt.Sprintf("%s→%d", guanjia.TplCreditRepairDecided, who)) {
			t.Errorf("applicant %d was not told: %v", who, r.notes.templates())
		}
	}
	if black, _, _ := r.svc.CheckCode(ctx, codeNanYang); len(black) != 0 {
		t.Fatal("the repaired entry is still on the black list")
	}
}

func TestBindLegalRepRules(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	guesser := r.newCitizen(t, "guesser")

	// Staff and anonymous callers bind nothing.
	for _, who := range []guanjia.Claims{r.public, r.dept, r.admin} {
		if _, _, err := r.svc.BindLegalRep(ctx, who, codeNanYang, credit.LegalRepClaim{Name: repChen, IDNumber: idChen}); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
			t.Errorf("%s binds: %v", who.Role, err)
		}
	}
	// No 法定代表人 ID number registered: a 授权委托书 is the way.
	if _, _, err := r.svc.BindLegalRep(ctx, guesser, codeQiongZ, credit.LegalRepClaim{Name: "某某", IDNumber: idChen}); guanjia.ErrorCode(err) != guanjia.EUNPROCESSABLE {
		t.Fatalf("bind to a subject without a registered ID number: %v", err)
	}
	// A person stands for themself.
	if rep, _, err := r.svc.BindLegalRep(ctx, r.newCitizen(t, "wang"), idWang, credit.LegalRepClaim{Name: "王某某", IDNumber: idWang}); err != nil ||
		rep.Status != credit.RepresentativeAccepted {
		t.Fatalf("a person binds: %+v %v", rep, err)
	}

	// Guessing is throttled: after 5 failures in 24 hours even the right answer waits.
	for i := 0; i < 5; i++ {
		wrong := credit.CompleteIDNumber(fmt.Sprintf("460106197001010%02d", 10+i))
		if _, _, err := r.svc.BindLegalRep(ctx, guesser, codeNanYang, credit.LegalRepClaim{Name: repChen, IDNumber: wrong}); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
			t.Fatalf("guess %d: %v", i, err)
		}
		r.now = r.now.Add(time.Minute)
	}
	first := r.now.Add(-5 * time.Minute)
	_, _, err := r.svc.BindLegalRep(ctx, guesser, codeNanYang, credit.LegalRepClaim{Name: repChen, IDNumber: idChen})
	wantAfter := first.Add(24 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")
	if guanjia.ErrorCode(err) != guanjia.ETOOMANY || !strings.Contains(i18n.Message(err, i18n.Chinese), wantAfter) {
		t.Fatalf("the sixth attempt: %v (want a retry after %s)", err, wantAfter)
	}
	r.now = first.Add(24*time.Hour + time.Second)
	if _, _, err := r.svc.BindLegalRep(ctx, guesser, codeNanYang, credit.LegalRepClaim{Name: repChen, IDNumber: idChen}); err != nil {
		t.Fatalf("a day later: %v", err)
	}

	// A real-name certified citizen binds only with their own certified ID number.
	certified := r.newCitizen(t, "certified")
	if err := r.db.Volunteers.CreateVolunteer(ctx, &guanjia.Volunteer{UserID: certified.UserID, Name: "张三",
		IDNumber: credit.CompleteIDNumber("46010719900101123"), Phone: "13800000000", CertifiedAt: r.now}); err != nil {
		t.Fatal(err)
	}
	_, _, err = r.svc.BindLegalRep(ctx, certified, codeYeFeng, credit.LegalRepClaim{Name: repLin, IDNumber: idLin})
	if guanjia.ErrorCode(err) != guanjia.EFORBIDDEN || guanjia.ErrorField(err) != "id_number" {
		t.Fatalf("binding with an ID number other than the certified one: %v", err)
	}
}

// An entry out of public view (revoked here) cannot be named to file a
// 授权委托书: it answers as one that does not exist, and its subject is not
// shown, nor the department told.
func TestPowerOfAttorneyNeedsAPublicEntry(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.svc.Blobs = &memBlobs{m: map[string][]byte{}}
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	entry := r.blackEntry(t, codeQiongZ)
	if _, err := r.svc.Revoke(ctx, r.dept, entry.ID, "决定已撤销"); err != nil {
		t.Fatal(err)
	}
	told := len(r.notes.templates())
	pdf := "%PDF-1.4\n授权委托书\n%%EOF\n"
	poa, err := r.svc.FilePowerOfAttorney(ctx, r.newCitizen(t, "prober"), credit.PowerOfAttorney{EntryID: entry.ID, Name: "周某",
		ContentType: "application/pdf", Size: int64(len(pdf)), Body: strings.NewReader(pdf)})
	if guanjia.ErrorCode(err) != guanjia.EINVALID || poa != nil {
		t.Fatalf("a 授权委托书 for a revoked entry: %+v %v, want invalid (no such entry)", poa, err)
	}
	if len(r.notes.templates()) != told {
		t.Errorf("the department was told: %v", r.notes.templates())
	}
}

// An agent with a 授权委托书: pending, and unable to apply, until the
// department that published the entry accepts it; it covers that
// department's entries of the subject only.
func TestPowerOfAttorney(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	blobs := &memBlobs{m: map[string][]byte{}}
	r.svc.Blobs = blobs
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	entry := r.blackEntry(t, codeQiongZ) // no 法定代表人 registered: an agent is the way
	agent, stranger := r.newCitizen(t, "agent"), r.newCitizen(t, "stranger")
	pdf := "%PDF-1.4\n授权委托书：兹委托周某办理本单位信用修复事宜。\n%%EOF\n"
	file := func(who guanjia.Claims, contentType string) (*credit.Representative, error) {
		return r.svc.FilePowerOfAttorney(ctx, who, credit.PowerOfAttorney{EntryID: entry.ID, Name: "周某",
			ContentType: contentType, Size: int64(len(pdf)), Body: strings.NewReader(pdf)})
	}

	if _, err := file(agent, "text/html; charset=utf-8"); guanjia.ErrorCode(err) != guanjia.EUNSUPPORTED {
		t.Fatalf("an HTML 授权委托书: %v", err)
	}
	if _, err := file(r.dept, "application/pdf"); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Fatalf("staff filed a 授权委托书: %v", err)
	}
	poa, err := file(agent, "application/pdf")
	if err != nil || poa.Status != credit.RepresentativePending || poa.Department != "hk-rsj" || poa.DocumentSize != int64(len(pdf)) {
		t.Fatalf("file: %+v %v", poa, err)
	}
	if _, err := file(agent, "application/pdf"); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("a second pending 授权委托书: %v", err)
	}
	if !contains(r.notes.templates(), fmt.Sprintf("%s→%d", guanjia.TplCreditAgentFiled, r.dept.UserID)) {
		t.Errorf("the department was not told: %v", r.notes.templates())
	}

	// Pending: the agent cannot apply yet.
	if _, err := apply(r, agent, entry.ID); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN ||
		!strings.Contains(i18n.Message(err, i18n.Chinese), "等待部门审核") {
		t.Fatalf("an agent applies before review: %v", err)
	}

	// The department reviews the file; nobody else sees it.
	queue, _, err := r.svc.Representatives(ctx, r.dept, credit.RepresentativePending, 1, 50)
	if err != nil || len(queue) != 1 || queue[0].ID != poa.ID || queue[0].Subject == nil || queue[0].Subject.CreditCode != codeQiongZ {
		t.Fatalf("the department's queue: %+v %v", queue, err)
	}
	_, body, err := r.svc.OpenPowerOfAttorney(ctx, r.dept, poa.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(body)
	body.Close()
	if string(got) != pdf {
		t.Fatalf("the department reads %q", got)
	}
	for _, who := range []guanjia.Claims{stranger, r.other, r.public} {
		if _, _, err := r.svc.OpenPowerOfAttorney(ctx, who, poa.ID); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
			t.Errorf("user %d (%s) opened the 授权委托书: %v", who.UserID, who.Role, err)
		}
	}
	if _, err := r.svc.DecideRepresentative(ctx, r.other, poa.ID, true, ""); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Fatalf("another department decided: %v", err)
	}
	if _, err := r.svc.DecideRepresentative(ctx, agent, poa.ID, true, ""); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Fatalf("the agent decided: %v", err)
	}
	if _, err := r.svc.DecideRepresentative(ctx, r.dept, poa.ID, false, ""); guanjia.ErrorCode(err) != guanjia.EINVALID {
		t.Fatalf("a refusal without a reason: %v", err)
	}
	accepted, err := r.svc.DecideRepresentative(ctx, r.dept, poa.ID, true, "委托书加盖公章，核验无误")
	if err != nil || accepted.Status != credit.RepresentativeAccepted || accepted.DecidedBy == nil || *accepted.DecidedBy != r.dept.UserID {
		t.Fatalf("accept: %+v %v", accepted, err)
	}
	if _, err := r.svc.DecideRepresentative(ctx, r.dept, poa.ID, false, "重复"); guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		t.Fatalf("deciding twice: %v", err)
	}
	if !contains(r.notes.templates(), fmt.Sprintf("%s→%d", guanjia.TplCreditAgentDecided, agent.UserID)) {
		t.Errorf("the agent was not told: %v", r.notes.templates())
	}

	// Accepted: the agent applies.
	app, err := apply(r, agent, entry.ID)
	if err != nil || app.Basis != credit.AsAgent || app.Representative == nil || *app.Representative != poa.ID {
		t.Fatalf("the agent applies: %+v %v", app, err)
	}

	// It covers the entries of the department that accepted it, not another's.
	if err := r.db.Credit.SetRemit(ctx, "hk-scjg", []string{guanjia.CreditRedList, guanjia.CreditLicense, guanjia.CreditPenalty}); err != nil {
		t.Fatal(err)
	}
	decided := civilToday(r).AddDate(0, -4, 0).Format("2006-01-02") // past its minimum period
	r.importCSV(t, r.other, guanjia.CreditPenalty, penaltyHeader+penaltyRow("海南琼州装饰工程有限公司", codeQiongZ, "", "", "海市监罚〔2025〕7号", decided, ""))
	d, _ := r.svc.Subject(ctx, r.admin, codeQiongZ)
	if len(d.Records) != 1 {
		t.Fatalf("records: %+v", d.Records)
	}
	if _, err := apply(r, agent, d.Records[0].ID); guanjia.ErrorCode(err) != guanjia.EFORBIDDEN {
		t.Fatalf("an agent accepted by 人社局 applies for a 市场监管局 entry: %v", err)
	}
}

const penaltyHeader = "行政相对人名称,统一社会信用代码,法定代表人,证件号码,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,处罚决定日期,公示截止期,处罚机关,数据来源单位,失信程度\n"

// penaltyRow is a penalty published for as long as the law allows: a year
// from the decision for 一般失信, three for 严重失信.
func penaltyRow(name, code, legalRep, id, doc, decided, severity string) string {
	d, err := time.Parse("2006-01-02", decided)
	if err != nil {
		panic(err)
	}
	years := 1
	if severity == "严重失信" {
		years = 3
	}
	return penaltyRowUntil(name, code, legalRep, id, doc, decided, d.AddDate(years, 0, 0).Format("2006-01-02"), severity)
}

// penaltyRowUntil is a penalty published until until (公示截止期).
func penaltyRowUntil(name, code, legalRep, id, doc, decided, until, severity string) string {
	return strings.Join([]string{name, code, legalRep, id, doc, "拖欠工资", "拖欠劳动者工资", "《保障农民工工资支付条例》第五十四条",
		"罚款", "罚款人民币贰万元", decided, until, "海口市人力资源和社会保障局", "海口市人力资源和社会保障局", severity}, ",") + "\n"
}

// civilToday is the rig's day in Haikou, at 00:00 UTC (as entries hold dates).
func civilToday(r *rig) time.Time {
	y, m, d := r.now.In(time.FixedZone("CST", 8*3600)).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// An application before the minimum publication period has run is refused
// with the day it becomes possible: 3 months after the decision for 一般失信,
// a year for 严重失信 (一般 when the file does not say).
func TestRepairMinimumPeriod(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	chen := r.newCitizen(t, "chen")
	if _, _, err := r.svc.BindLegalRep(ctx, chen, codeNanYang, credit.LegalRepClaim{Name: repChen, IDNumber: idChen}); err != nil {
		t.Fatal(err)
	}
	today := civilToday(r)
	at := func(months, days int) time.Time { return today.AddDate(0, months, days) }
	type tc struct {
		doc, severity string
		decided       time.Time
		open          time.Time // the first day a repair may be applied for
	}
	cases := []tc{
		{"海人社罚〔2026〕1号", "一般失信", at(-2, 0), at(-2, 0).AddDate(0, 3, 0)},
		{"海人社罚〔2026〕2号", "严重失信", at(-6, 0), at(-6, 0).AddDate(1, 0, 0)},
		{"海人社罚〔2026〕3号", "", at(-1, 0), at(-1, 0).AddDate(0, 3, 0)},       // no 失信程度: 一般失信
		{"海人社罚〔2025〕4号", "严重失信", at(-13, 0), at(-13, 0).AddDate(1, 0, 0)}, // a year has passed
	}
	csv := penaltyHeader
	for _, c := range cases {
		csv += penaltyRow("海南南洋劳务有限公司", codeNanYang, repChen, idChen, c.doc, c.decided.Format("2006-01-02"), c.severity)
	}
	if b := r.importCSV(t, r.dept, guanjia.CreditPenalty, csv); b.Status != credit.BatchDone {
		t.Fatalf("penalties: %+v", b.Errors)
	}
	d, _ := r.svc.Subject(ctx, r.admin, codeNanYang)
	byDoc := map[string]*guanjia.CreditEntry{}
	for _, e := range d.Records {
		byDoc[e.DocumentNo] = e
	}
	if byDoc[cases[1].doc].Severity != guanjia.SeveritySerious || byDoc[cases[2].doc].Severity != guanjia.SeverityGeneral {
		t.Fatalf("severities as imported: %s, %s", byDoc[cases[1].doc].Severity, byDoc[cases[2].doc].Severity)
	}
	for _, c := range cases[:3] {
		_, err := apply(r, chen, byDoc[c.doc].ID)
		want := fmt.Sprintf("自 %s 起可申请信用修复", c.open.Format("2006-01-02"))
		if guanjia.ErrorCode(err) != guanjia.EUNPROCESSABLE || !strings.Contains(i18n.Message(err, i18n.Chinese), want) {
			t.Errorf("%s (%s, decided %s): %v, want 422 %q", c.doc, c.severity, c.decided.Format("2006-01-02"), err, want)
		}
	}
	if _, err := apply(r, chen, byDoc[cases[3].doc].ID); err != nil {
		t.Fatalf("a year after a 严重失信 decision: %v", err)
	}
	// Staff on the subject's behalf wait the same period.
	if _, err := apply(r, r.dept, byDoc[cases[0].doc].ID); guanjia.ErrorCode(err) != guanjia.EUNPROCESSABLE {
		t.Fatalf("staff before the period ended: %v", err)
	}

	// The day before the 一般失信 period ends (23:59 in Haikou): still refused; that day: accepted.
	open := cases[0].open
	r.now = open.Add(-time.Minute - 8*time.Hour)
	if _, err := apply(r, chen, byDoc[cases[0].doc].ID); guanjia.ErrorCode(err) != guanjia.EUNPROCESSABLE {
		t.Fatalf("the day before: %v", err)
	}
	r.now = open.Add(-8 * time.Hour) // 00:00 in Haikou
	if _, err := apply(r, chen, byDoc[cases[0].doc].ID); err != nil {
		t.Fatalf("the day the period ends: %v", err)
	}
	// The English message says the same.
	_, err := apply(r, chen, byDoc[cases[1].doc].ID)
	if en := i18n.Message(err, i18n.English); !strings.Contains(en, cases[1].open.Format("2006-01-02")) {
		t.Fatalf("English: %q", en)
	}
}

// 《失信行为纠正后的信用信息修复管理办法（试行）》: a 行政处罚 of 一般失信 is
// published from three months to one year, of 严重失信 from one year to
// three, from the decision. A 公示截止期 outside that is refused, naming the
// day allowed.
func TestAPenaltyPublishedOutsideItsLegalPeriodIsRefused(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	decided := civilToday(r).AddDate(0, -1, 0)
	day := func(d time.Time) string { return d.Format("2006-01-02") }
	b := r.importCSV(t, r.dept, guanjia.CreditPenalty, penaltyHeader+
		penaltyRowUntil("海南南洋劳务有限公司", codeNanYang, repChen, idChen, "海人社罚〔2026〕9号", day(decided), "2099-12-31", "一般失信"))
	if b.Status == credit.BatchDone {
		d, _ := r.svc.Subject(ctx, r.public, codeNanYang)
		t.Fatalf("a 一般失信 penalty decided %s is published until %s (the maximum is one year: %s)",
			day(decided), day(d.Records[0].PublicUntil), day(decided.AddDate(1, 0, 0)))
	}
	if rep := report(b.Errors); !strings.Contains(rep, "公示截止期") || !strings.Contains(rep, "最晚为 "+day(decided.AddDate(1, 0, 0))) {
		t.Errorf("row errors: %s, want the column and the latest allowed 公示截止期", rep)
	}

	// At the maximum: accepted, for each severity.
	csv := penaltyHeader +
		penaltyRowUntil("海南南洋劳务有限公司", codeNanYang, repChen, idChen, "海人社罚〔2026〕10号", day(decided), day(decided.AddDate(1, 0, 0)), "一般失信") +
		penaltyRowUntil("海南南洋劳务有限公司", codeNanYang, repChen, idChen, "海人社罚〔2026〕11号", day(decided), day(decided.AddDate(3, 0, 0)), "严重失信")
	if b := r.importCSV(t, r.dept, guanjia.CreditPenalty, csv); b.Status != credit.BatchDone {
		t.Fatalf("penalties published for the longest period: %s", report(b.Errors))
	}
	// A day more: refused.
	csv = penaltyHeader +
		penaltyRowUntil("海南南洋劳务有限公司", codeNanYang, repChen, idChen, "海人社罚〔2026〕12号", day(decided), day(decided.AddDate(3, 0, 1)), "严重失信")
	if b := r.importCSV(t, r.dept, guanjia.CreditPenalty, csv); b.Status == credit.BatchDone || !strings.Contains(report(b.Errors), day(decided.AddDate(3, 0, 0))) {
		t.Errorf("a 严重失信 penalty published three years and a day: %s %s", b.Status, report(b.Errors))
	}
	// Shorter than the minimum: refused too; only 信用修复 ends it sooner.
	csv = penaltyHeader +
		penaltyRowUntil("海南南洋劳务有限公司", codeNanYang, repChen, idChen, "海人社罚〔2026〕13号", day(decided), day(decided.AddDate(0, 11, 0)), "严重失信")
	if b := r.importCSV(t, r.dept, guanjia.CreditPenalty, csv); b.Status == credit.BatchDone || !strings.Contains(report(b.Errors), "最早为 "+day(decided.AddDate(1, 0, 0))) {
		t.Errorf("a 严重失信 penalty published eleven months: %s %s", b.Status, report(b.Errors))
	}
}

// A department that corrects a penalty's 失信程度 re-imports it: the entry is
// amended, and its minimum period follows.
func TestSeverityReimportAmends(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	decided := civilToday(r).AddDate(0, -2, 0)
	row := func(severity string) string {
		return penaltyHeader + penaltyRow("海南南洋劳务有限公司", codeNanYang, repChen, idChen, "海人社罚〔2026〕9号", decided.Format("2006-01-02"), severity)
	}
	if b := r.importCSV(t, r.dept, guanjia.CreditPenalty, row("")); b.Inserted != 1 {
		t.Fatalf("import: %+v", b)
	}
	if b := r.importCSV(t, r.dept, guanjia.CreditPenalty, row("一般失信")); b.Unchanged != 1 {
		t.Fatalf("an empty 失信程度 is 一般失信: re-import %+v", b)
	}
	if b := r.importCSV(t, r.dept, guanjia.CreditPenalty, row("严重")); b.Updated != 1 {
		t.Fatalf("re-import as 严重: %+v", b)
	}
	d, _ := r.svc.Subject(ctx, r.admin, codeNanYang)
	if len(d.Records) != 1 || d.Records[0].Severity != guanjia.SeveritySerious {
		t.Fatalf("after the correction: %+v", d.Records)
	}
	if from, ok := credit.RepairableFrom(d.Records[0]); !ok || !from.Equal(decided.AddDate(1, 0, 0)) {
		t.Fatalf("repairable from %s", from.Format("2006-01-02"))
	}
	if b := r.importCSV(t, r.dept, guanjia.CreditPenalty, row("特别严重")); b.Status != credit.BatchRejected ||
		report(b.Errors) != `{2 失信程度 "特别严重" 不是可选值，可选：一般失信, 严重失信}` {
		t.Fatalf("an unknown 失信程度: %s", report(b.Errors))
	}
}

// An application filed while a penalty was 一般失信 is not approved once a
// re-import made it 严重失信: the approval waits for the longer period, and
// the entry stays public meanwhile.
func TestRepairApprovalWaitsForAmendedPeriod(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	decided := civilToday(r).AddDate(0, -4, 0)
	row := func(severity string) string {
		return penaltyHeader + penaltyRow("海南南洋劳务有限公司", codeNanYang, repChen, idChen, "海人社罚〔2025〕11号", decided.Format("2006-01-02"), severity)
	}
	r.importCSV(t, r.dept, guanjia.CreditPenalty, row("一般失信"))
	chen := r.newCitizen(t, "chen")
	if _, _, err := r.svc.BindLegalRep(ctx, chen, codeNanYang, credit.LegalRepClaim{Name: repChen, IDNumber: idChen}); err != nil {
		t.Fatal(err)
	}
	d, _ := r.svc.Subject(ctx, r.admin, codeNanYang)
	app, err := apply(r, chen, d.Records[0].ID)
	if err != nil {
		t.Fatalf("4 months after a 一般失信 decision: %v", err)
	}
	if b := r.importCSV(t, r.dept, guanjia.CreditPenalty, row("严重失信")); b.Updated != 1 {
		t.Fatalf("re-import as 严重失信: %+v", b)
	}

	_, err = r.svc.DecideRepair(ctx, r.dept, app.ID, true, "整改到位")
	open := decided.AddDate(1, 0, 0)
	want := fmt.Sprintf("自 %s 起可申请信用修复", open.Format("2006-01-02"))
	if guanjia.ErrorCode(err) != guanjia.EUNPROCESSABLE || !strings.Contains(i18n.Message(err, i18n.Chinese), want) {
		t.Fatalf("approval before the 严重失信 period ended: %v, want 422 %q", err, want)
	}
	if d, err := r.svc.Subject(ctx, r.public, codeNanYang); err != nil || len(d.Records) != 1 || d.Records[0].Status != guanjia.CreditActive {
		t.Fatalf("the entry left public view: %+v %v", d, err)
	}
	if mine, _ := r.svc.Repair(ctx, chen, app.ID); mine.Status != credit.RepairPending {
		t.Fatalf("the application is %s, want still pending", mine.Status)
	}

	// The day the period ends (00:00 in Haikou) the department approves it.
	r.now = open.Add(-8 * time.Hour)
	if _, err := r.svc.DecideRepair(ctx, r.dept, app.ID, true, "整改到位"); err != nil {
		t.Fatalf("approval once the period ended: %v", err)
	}
	if d, _ := r.svc.Subject(ctx, r.public, codeNanYang); len(d.Records) != 0 {
		t.Fatalf("the repaired entry is still public: %+v", d.Records)
	}
}

// The decisions are told in words a subscribe message's phrase can carry
// (WeChat refuses English and more than 5 characters there).
func TestDecisionsAreToldInWords(t *testing.T) {
	for _, w := range []string{credit.RepairApproved.Word(), credit.RepairRefused.Word(), credit.RepairSuperseded.Word(),
		credit.RepresentativeAccepted.Word(), credit.RepresentativeRefused.Word()} {
		if n := utf8.RuneCountInString(w); n == 0 || n > 5 || strings.ContainsAny(w, "abcdefghijklmnopqrstuvwxyz") {
			t.Errorf("decision word %q", w)
		}
	}
}

// The deciding staff see who applied by name, a page at a time; an
// applicant sees their own applications, without names.
func TestCreditRepairsNameTheApplicantToStaff(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.importCSV(t, r.dept, guanjia.CreditBlackList, fixedCSV())
	lin := &guanjia.User{Username: "lin", Name: repLin, Role: guanjia.RoleCitizen}
	if err := r.db.Users.CreateUser(ctx, lin); err != nil {
		t.Fatal(err)
	}
	linClaims := guanjia.Claims{UserID: lin.ID, Role: guanjia.RoleCitizen}
	chen := r.newCitizen(t, "chen") // no name given: the login name stands
	if _, _, err := r.svc.BindLegalRep(ctx, linClaims, codeYeFeng, credit.LegalRepClaim{Name: repLin, IDNumber: idLin}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.svc.BindLegalRep(ctx, chen, codeNanYang, credit.LegalRepClaim{Name: repChen, IDNumber: idChen}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, a := range []struct {
		who  guanjia.Claims
		code string
	}{{linClaims, codeYeFeng}, {chen, codeNanYang}, {r.dept, codeQiongZ}} {
		app, err := apply(r, a.who, r.blackEntry(t, a.code).ID)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, app.ID)
	}

	names := func(list []*credit.Repair) string {
		var out []string
		for _, x := range list {
			out = append(out, fmt.Sprintf("%d:%s", x.ID, x.ApplicantName))
		}
		return strings.Join(out, " ")
	}
	first, total, err := r.svc.Repairs(ctx, r.dept, credit.RepairPending, 1, 2)
	if want := fmt.Sprintf("%d:rsj-clerk %d:chen", ids[2], ids[1]); err != nil || total != 3 || names(first) != want {
		t.Errorf("the department's first page: %q of %d %v, want %q of 3", names(first), total, err, want)
	}
	second, total, err := r.svc.Repairs(ctx, r.admin, "", 2, 2)
	if want := fmt.Sprintf("%d:%s", ids[0], repLin); err != nil || total != 3 || names(second) != want {
		t.Errorf("the admin's second page: %q of %d %v, want %q of 3", names(second), total, err, want)
	}
	if one, err := r.svc.Repair(ctx, r.dept, ids[0]); err != nil || one.ApplicantName != repLin {
		t.Errorf("the department reads one application: %+v %v, want %s named", one, err, repLin)
	}

	mine, total, err := r.svc.Repairs(ctx, linClaims, "", 1, 50)
	if err != nil || total != 1 || len(mine) != 1 || mine[0].ID != ids[0] || mine[0].ApplicantName != "" {
		t.Errorf("the applicant's own list: %q of %d %v, want theirs without a name", names(mine), total, err)
	}
	if own, err := r.svc.Repair(ctx, linClaims, ids[0]); err != nil || own.ApplicantName != "" {
		t.Errorf("the applicant reads their application: %+v %v, want no name", own, err)
	}
}

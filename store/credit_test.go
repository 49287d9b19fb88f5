package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"guanjia"
	"guanjia/credit"
	"guanjia/internal/testenv"
	"guanjia/store"
)

type creditFixture struct {
	db   *store.DB
	user int64
	seq  int
}

func newCreditFixture(t *testing.T) *creditFixture {
	t.Helper()
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	if err := db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "hk-scjg", Name: "海口市市场监督管理局", Department: "市场监管"}); err != nil {
		t.Fatal(err)
	}
	u := &guanjia.User{Username: "clerk", Role: guanjia.RoleDepartment, UnitCode: "hk-scjg"}
	if err := db.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return &creditFixture{db: db, user: u.ID}
}

var day = func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }

// row is a penalty against a company, public until until.
func (f *creditFixture) row(name, code, doc, until string) credit.ImportRow {
	f.seq++
	return credit.ImportRow{Line: f.seq + 1,
		Subject: guanjia.CreditSubject{Kind: guanjia.SubjectLegal, CreditCode: code, Name: name, LegalRep: "张三"},
		Entry: guanjia.CreditEntry{Type: guanjia.CreditPenalty, ListName: "罚款", Reason: "违法事实", DocumentNo: doc,
			Authority: "海口市市场监督管理局", Department: "hk-scjg", DecidedOn: day("2026-01-05"), PublicUntil: day(until),
			Status: guanjia.CreditActive, Fields: map[string]string{"fine": "1.5"}}}
}

func (f *creditFixture) importRows(t *testing.T, rows ...credit.ImportRow) *credit.Batch {
	t.Helper()
	ctx := context.Background()
	b := &credit.Batch{Type: guanjia.CreditPenalty, Department: "hk-scjg", UploadedBy: f.user, UploaderRole: guanjia.RoleDepartment,
		FileHash: "x", Status: credit.BatchRunning, Rows: len(rows), CreatedAt: time.Now().UTC()}
	if err := f.db.Credit.CreateBatch(ctx, b, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Credit.ImportBatch(ctx, b, rows, nil, nil); err != nil {
		t.Fatal(err)
	}
	return b
}

func code(n int) string { return credit.CompleteCreditCode(fmt.Sprintf("914601000000%05d", n)) }

// searchNames answers the names a search for q finds, in its order (first 10).
func (f *creditFixture) searchNames(t *testing.T, q string) []string {
	t.Helper()
	subs, _, err := f.db.Credit.SearchSubjects(context.Background(), credit.SubjectSearch{Name: q, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range subs {
		out = append(out, s.Name)
	}
	return out
}

func TestCreditSearchSubstringAndRanking(t *testing.T) {
	f := newCreditFixture(t)
	ctx := context.Background()
	f.importRows(t,
		f.row("海南椰风建筑工程有限公司", code(1), "1号", "2029-01-01"),
		f.row("椰风", code(2), "2号", "2029-01-01"),
		f.row("海口椰风装饰有限公司", code(3), "3号", "2029-01-01"),
		f.row("百分百100%纯净水有限公司", code(4), "4号", "2029-01-01"),
		f.row("A_B科技有限公司", code(5), "5号", "2029-01-01"),
		f.row("AXB科技有限公司", code(6), "6号", "2029-01-01"),
	)
	names := func(q string) []string { return f.searchNames(t, q) }
	// The exact name first, then where the match starts, then shorter names.
	if got := fmt.Sprint(names("椰风")); got != "[椰风 海口椰风装饰有限公司 海南椰风建筑工程有限公司]" {
		t.Errorf("椰风: %s", got)
	}
	// LIKE's wildcards in a query are literal characters.
	if got := fmt.Sprint(names("0%纯")); got != "[百分百100%纯净水有限公司]" {
		t.Errorf("0%%纯: %s", got)
	}
	if got := fmt.Sprint(names("A_B")); got != "[A_B科技有限公司]" {
		t.Errorf("A_B: %s", got)
	}
	if got := names("%"); len(got) != 1 {
		t.Errorf("%%: %v", got)
	}
	// Paging.
	subs, more, _ := f.db.Credit.SearchSubjects(ctx, credit.SubjectSearch{Name: "有限公司", Limit: 2})
	rest, more2, _ := f.db.Credit.SearchSubjects(ctx, credit.SubjectSearch{Name: "有限公司", Limit: 2, Offset: 4})
	if len(subs) != 2 || !more || len(rest) != 1 || more2 {
		t.Errorf("paging: %d %v, %d %v", len(subs), more, len(rest), more2)
	}
	if testenv.Postgres() {
		var n int
		err := f.db.Gorm().Raw(`SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'credit_subjects' AND
			(indexdef LIKE '%gin_trgm_ops%' OR indexdef LIKE '%credit_bigrams(name)%')`).Scan(&n).Error
		if err != nil {
			t.Fatalf("count the indexes: %v", err)
		}
		if n != 2 {
			t.Errorf("%d of the trigram and bigram indexes on credit_subjects.name", n)
		}
	}
}

// Names are published with full-width or half-width brackets and typed
// with either: both widths match, and rank alike.
func TestCreditSearchEitherBracketWidth(t *testing.T) {
	f := newCreditFixture(t)
	f.importRows(t,
		f.row("海南椰风(集团)建筑工程有限公司", code(1), "1号", "2029-01-01"),
		f.row("椰风（集团）", code(2), "2号", "2029-01-01"),
		f.row("椰风（集团）装饰有限公司", code(3), "3号", "2029-01-01"),
		f.row("椰风集团有限公司", code(4), "4号", "2029-01-01"),
	)
	for _, q := range []string{"椰风(集团)", "椰风（集团）", "椰风（集团)"} {
		if got, want := f.searchNames(t, q), "[椰风（集团） 椰风（集团）装饰有限公司 海南椰风(集团)建筑工程有限公司]"; fmt.Sprint(got) != want {
			t.Errorf("%s: %v, want %s", q, got, want)
		}
	}
}

func TestCreditSubjectUpsert(t *testing.T) {
	f := newCreditFixture(t)
	ctx := context.Background()
	f.importRows(t, f.row("海南椰风建筑工程有限公司", code(1), "1号", "2029-01-01"))
	// Renamed, with no legal representative given: the name changes, the known representative stays.
	r := f.row("海南椰风建设集团有限公司", code(1), "2号", "2029-01-01")
	r.Subject.LegalRep = ""
	f.importRows(t, r)
	s, err := f.db.Credit.FindSubjectByCode(ctx, code(1))
	if err != nil || s.Name != "海南椰风建设集团有限公司" || s.LegalRep != "张三" {
		t.Fatalf("after rename: %+v %v", s, err)
	}
	var subjects int
	f.db.Gorm().Raw("SELECT COUNT(*) FROM credit_subjects").Scan(&subjects)
	if subjects != 1 {
		t.Fatalf("%d subjects for one code", subjects)
	}
	// A new company named by two rows of one file, and a known one named as
	// it is known: one new subject, each row's record on its subject.
	known := f.row("海南椰风建设集团有限公司", code(1), "5号", "2029-01-01")
	known.Subject.LegalRep = ""
	b := f.importRows(t, f.row("海口南渡江物流有限公司", code(2), "3号", "2029-01-01"),
		f.row("海口南渡江物流有限公司", code(2), "4号", "2029-01-01"), known)
	if b.Inserted != 3 {
		t.Fatalf("a batch of three new records inserted %d", b.Inserted)
	}
	for c, want := range map[string]int{code(1): 3, code(2): 2} {
		s, err := f.db.Credit.FindSubjectByCode(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		var entries int
		f.db.Gorm().Raw("SELECT COUNT(*) FROM credit_entries WHERE subject_id = ?", s.ID).Scan(&entries)
		if entries != want {
			t.Errorf("%s (%s) has %d records, want %d", s.Name, c, entries, want)
		}
	}
	f.db.Gorm().Raw("SELECT COUNT(*) FROM credit_subjects").Scan(&subjects)
	if subjects != 2 {
		t.Fatalf("%d subjects for two codes", subjects)
	}
	// A person is keyed by the hash of the ID number; only the masked form comes back.
	id := credit.CompleteIDNumber("46010019900101123")
	p := f.row("王某", "", "3号", "2029-01-01")
	p.Subject = guanjia.CreditSubject{Kind: guanjia.SubjectPerson, Name: "王某", IDNumber: id, IDMasked: guanjia.MaskIDNumber(id)}
	f.importRows(t, p)
	f.importRows(t, p)
	got, err := f.db.Credit.FindSubjectByIDNumber(ctx, id)
	if err != nil || got.IDMasked != guanjia.MaskIDNumber(id) || got.IDNumber != "" {
		t.Fatalf("person: %+v %v", got, err)
	}
	if _, err := f.db.Credit.FindSubjectByIDNumber(ctx, credit.CompleteIDNumber("46010019900101124")); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("another ID number: %v", err)
	} else if msg := guanjia.ErrorMessage(err); msg == "" || containsDigits(msg, "19900101124") {
		t.Fatalf("the error repeats the ID number: %q", msg)
	}
}

func containsDigits(s, digits string) bool {
	for i := 0; i+len(digits) <= len(s); i++ {
		if s[i:i+len(digits)] == digits {
			return true
		}
	}
	return false
}

// Two expiry runs at once move each entry once, with one event each.
func TestCreditExpireDueOnce(t *testing.T) {
	f := newCreditFixture(t)
	ctx := context.Background()
	var rows []credit.ImportRow
	for i := 0; i < 40; i++ {
		until := "2026-06-30"
		if i%4 == 0 {
			until = "2026-07-01"
		}
		rows = append(rows, f.row(fmt.Sprintf("公司%d", i), code(i), fmt.Sprintf("%d号", i), until))
	}
	f.importRows(t, rows...)
	var wg sync.WaitGroup
	counts := make([]int, 4)
	for w := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, _, err := f.db.Credit.ExpireDue(ctx, day("2026-07-01"), time.Now().UTC(), 7, nil)
				if err != nil {
					t.Error(err)
					return
				}
				counts[w] += len(got)
				if len(got) == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	total := counts[0] + counts[1] + counts[2] + counts[3]
	var events, expired int
	f.db.Gorm().Raw("SELECT COUNT(*) FROM credit_events WHERE action = 'expire'").Scan(&events)
	f.db.Gorm().Raw("SELECT COUNT(*) FROM credit_entries WHERE status = 'expired'").Scan(&expired)
	if total != 30 || events != 30 || expired != 30 {
		t.Fatalf("moved %d, events %d, expired %d; want 30 each", total, events, expired)
	}
}

// An import that fails half-way leaves nothing behind.
func TestCreditImportAtomic(t *testing.T) {
	f := newCreditFixture(t)
	ctx := context.Background()
	f.importRows(t, f.row("公司甲", code(1), "1号", "2029-01-01"))
	// The same record published by another department: the whole batch is refused.
	if err := f.db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "hk-other", Name: "另一个局", Department: "x"}); err != nil {
		t.Fatal(err)
	}
	fresh := f.row("公司乙", code(2), "2号", "2029-01-01")
	clash := f.row("公司甲", code(1), "1号", "2029-01-01")
	fresh.Entry.Department, clash.Entry.Department = "hk-other", "hk-other"
	b := &credit.Batch{Type: guanjia.CreditPenalty, Department: "hk-other", UploadedBy: f.user, FileHash: "y", Status: credit.BatchRunning, CreatedAt: time.Now().UTC()}
	if err := f.db.Credit.CreateBatch(ctx, b, []byte("file")); err != nil {
		t.Fatal(err)
	}
	_, err := f.db.Credit.ImportBatch(ctx, b, []credit.ImportRow{fresh, clash}, nil, nil)
	if guanjia.ErrorCode(err) != guanjia.EUNPROCESSABLE {
		t.Fatalf("got %v", err)
	}
	var subjects, entries int
	f.db.Gorm().Raw("SELECT COUNT(*) FROM credit_subjects").Scan(&subjects)
	f.db.Gorm().Raw("SELECT COUNT(*) FROM credit_entries").Scan(&entries)
	if subjects != 1 || entries != 1 {
		t.Fatalf("a failed import left %d subjects, %d entries", subjects, entries)
	}
	if got, _ := f.db.Credit.FindBatch(ctx, b.ID); got.Status != credit.BatchRunning {
		t.Fatalf("the failed batch is %s", got.Status)
	}
	if data, err := f.db.Credit.LoadImportFile(ctx, b.ID); err != nil || string(data) != "file" {
		t.Fatalf("the file of a failed import is gone: %v", err)
	}
}

// Subjects are never deleted, not even one with no entries: every entry can
// rely on its subject without a key check per row (PostgreSQL has none).
func TestCreditSubjectsAreKept(t *testing.T) {
	f := newCreditFixture(t)
	ctx := context.Background()
	f.importRows(t, f.row("公司甲", code(1), "1号", "2029-01-01"))
	if err := store.ExecRaw(ctx, f.db, `INSERT INTO credit_subjects (subject_key, kind, credit_code, name, created_at, updated_at)
		VALUES ('`+code(2)+`', 'legal', '`+code(2)+`', '公司乙', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	for _, where := range []string{"subject_key = '" + code(2) + "'", "TRUE"} {
		if err := store.ExecRaw(ctx, f.db, "DELETE FROM credit_subjects WHERE "+where); err == nil {
			t.Errorf("DELETE … WHERE %s was allowed", where)
		}
	}
	var subjects int
	f.db.Gorm().Raw("SELECT COUNT(*) FROM credit_subjects").Scan(&subjects)
	if subjects != 2 {
		t.Fatalf("%d subjects left, want 2", subjects)
	}
}

// A re-import that extends an expired entry's period brings it back into
// public view (the import refuses a period already over), with the amend on
// its history (a repaired or revoked one keeps its status: credit.AmendedStatus).
func TestCreditReimportRevivesAnExpiredEntry(t *testing.T) {
	f := newCreditFixture(t)
	ctx := context.Background()
	f.importRows(t, f.row("公司甲", code(1), "1号", "2026-06-30"))
	if got, _, err := f.db.Credit.ExpireDue(ctx, day("2026-07-01"), time.Now().UTC(), 10, nil); err != nil || len(got) != 1 {
		t.Fatalf("expire: %v %v", got, err)
	}
	b := f.importRows(t, f.row("公司甲", code(1), "1号", "2029-06-30"))
	if b.Updated != 1 {
		t.Fatalf("re-import: %+v, want 1 updated", b)
	}
	var status, from, to string
	f.db.Gorm().Raw("SELECT status FROM credit_entries").Scan(&status)
	f.db.Gorm().Raw("SELECT from_status FROM credit_events WHERE action = 'amend'").Scan(&from)
	f.db.Gorm().Raw("SELECT to_status FROM credit_events WHERE action = 'amend'").Scan(&to)
	if status != string(guanjia.CreditActive) || from != string(guanjia.CreditExpired) || to != string(guanjia.CreditActive) {
		t.Errorf("after the re-import: %s, amend %s → %s; want active, expired → active", status, from, to)
	}
}

// Imports, 信用修复 applications and standings are paged newest first with
// their number, which a filter narrows.
func TestCreditListsArePaged(t *testing.T) {
	f := newCreditFixture(t)
	ctx := context.Background()
	var batches []int64
	for i := range 5 {
		b := f.importRows(t, f.row(fmt.Sprintf("公司%d", i), code(i+1), fmt.Sprintf("%d号", i), "2029-01-01"))
		batches = append(batches, b.ID)
	}
	page, total, err := f.db.Credit.ListBatches(ctx, credit.BatchFilter{Department: "hk-scjg", Offset: 2, Limit: 2, CountTotal: true})
	if err != nil || total != 5 || len(page) != 2 || page[0].ID != batches[2] || page[1].ID != batches[1] {
		t.Errorf("the second page of two batches: %v %d %v, want batches %d and %d of 5", batchIDs(page), total, err, batches[2], batches[1])
	}
	if page, total, _ := f.db.Credit.ListBatches(ctx, credit.BatchFilter{Department: "hk-rsj", Limit: 2, CountTotal: true}); len(page) != 0 || total != 0 {
		t.Errorf("another department's batches: %d of %d", len(page), total)
	}

	entries, _, err := f.db.Credit.ListEntries(ctx, credit.EntryFilter{Department: "hk-scjg", Limit: 10})
	if err != nil || len(entries) != 5 {
		t.Fatalf("entries: %d %v", len(entries), err)
	}
	var repairs []int64
	for i, e := range entries {
		actor := f.user
		r := &credit.Repair{EntryID: e.ID, Department: "hk-scjg", ApplicantID: f.user, Basis: credit.AsDepartment,
			Reason: "已整改", Evidence: "整改报告", Status: credit.RepairPending, CreatedAt: time.Now().UTC()}
		if i == 0 {
			r.Status = credit.RepairRefused
		}
		ev := &guanjia.CreditEvent{EntryID: e.ID, Action: guanjia.CreditRepairApply, From: guanjia.CreditActive, To: guanjia.CreditActive,
			ActorID: &actor, ActorRole: guanjia.RoleDepartment, At: time.Now().UTC()}
		if _, err := f.db.Credit.CreateRepair(ctx, r, ev, nil); err != nil {
			t.Fatal(err)
		}
		repairs = append(repairs, r.ID)
	}
	got, total, err := f.db.Credit.ListRepairs(ctx, credit.RepairFilter{Department: "hk-scjg", Status: credit.RepairPending,
		Offset: 3, Limit: 3, CountTotal: true})
	if err != nil || total != 4 || len(got) != 1 || got[0].ID != repairs[1] || got[0].Entry == nil || got[0].Entry.ID != entries[1].ID {
		t.Errorf("the second page of three pending repairs: %d of %d %v, want repair %d with its entry", len(got), total, err, repairs[1])
	}

	var standings []int64
	for _, e := range entries[:3] {
		r := &credit.Representative{SubjectID: e.SubjectID, UserID: f.user, Basis: credit.AsAgent, Name: "周代理",
			Department: "hk-scjg", Status: credit.RepresentativePending, CreatedAt: time.Now().UTC()}
		if _, err := f.db.Credit.CreateRepresentative(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
		standings = append(standings, r.ID)
	}
	reps, total, err := f.db.Credit.ListRepresentatives(ctx, credit.RepresentativeFilter{Department: "hk-scjg", Offset: 1, Limit: 1, CountTotal: true})
	if err != nil || total != 3 || len(reps) != 1 || reps[0].ID != standings[1] || reps[0].Subject == nil {
		t.Errorf("the second page of one standing: %d of %d %v, want standing %d with its subject", len(reps), total, err, standings[1])
	}
	if _, total, _ := f.db.Credit.ListRepresentatives(ctx, credit.RepresentativeFilter{Department: "hk-scjg", Limit: 1}); total != 0 {
		t.Errorf("a list not asked to count says %d", total)
	}
}

func batchIDs(list []*credit.Batch) []int64 {
	ids := make([]int64, len(list))
	for i, b := range list {
		ids[i] = b.ID
	}
	return ids
}

// UserNames reads the display names of many users at once: the name, else the login name.
func TestCreditUserNames(t *testing.T) {
	f := newCreditFixture(t)
	ctx := context.Background()
	named := &guanjia.User{Username: "lin", Name: "林椰风", Role: guanjia.RoleCitizen}
	if err := f.db.Users.CreateUser(ctx, named); err != nil {
		t.Fatal(err)
	}
	names, err := f.db.Credit.UserNames(ctx, []int64{named.ID, f.user, 999999})
	if err != nil || len(names) != 2 || names[named.ID] != "林椰风" || names[f.user] != "clerk" {
		t.Errorf("names: %v %v, want 林椰风 and the clerk's login name", names, err)
	}
}

// Staff list drafts first, then what was published, newest first, on both
// backends (PostgreSQL and SQLite sort a missing published_at differently).
func TestCreditArticlesListDraftsFirst(t *testing.T) {
	f := newCreditFixture(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	var ids []int64
	for i, published := range []bool{false, true, false, true} {
		a := &credit.Article{Section: credit.SectionNews, Title: fmt.Sprintf("文章%d", i), Body: "正文", Status: credit.ArticleDraft,
			AuthorID: f.user, CreatedAt: now, UpdatedAt: now}
		if published {
			at := now.Add(time.Duration(i) * time.Hour)
			a.Status, a.PublishedAt = credit.ArticlePublished, &at
		}
		if err := f.db.Credit.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	list, total, err := f.db.Credit.ListArticles(ctx, credit.ArticleFilter{Limit: 10})
	var got []int64
	for _, a := range list {
		got = append(got, a.ID)
	}
	if want := []int64{ids[2], ids[0], ids[3], ids[1]}; err != nil || total != 4 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("articles in order %v (%d, %v), want the drafts, then the published, newest first: %v", got, total, err, want)
	}
}

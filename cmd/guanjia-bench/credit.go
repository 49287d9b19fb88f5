package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/credit"
	"guanjia/internal/demo"
	"guanjia/store"
	"guanjia/worker"
)

// creditBenchConfig is the scale and the samples of one run.
type creditBenchConfig struct {
	Subjects, Records int
	Lookups, Searches int
	ImportRows        int
	Schema            string
	Fresh             bool
	CPUProfile        string // of the timed import
}

// benchCredit measures 诚信海口 on PostgreSQL: lookup by code and name
// search (p50/p99) and import rows/s, each beside a raw SQL baseline in the
// same run. The data set (default 1,000,000 subjects and 5,000,000 records)
// is generated into its own schema and kept there for the next run. Redis,
// when REDIS_URL is set, adds the cache figures under keys of its own.
func benchCredit(ctx context.Context, e env, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("credit", flag.ContinueOnError)
	fs.SetOutput(out)
	c := creditBenchConfig{}
	fs.IntVar(&c.Subjects, "subjects", 1_000_000, "subjects in the data set")
	fs.IntVar(&c.Records, "records", 5_000_000, "list entries and records in the data set")
	fs.IntVar(&c.Lookups, "lookups", 5000, "code lookups to time")
	fs.IntVar(&c.Searches, "searches", 2000, "name searches to time")
	fs.IntVar(&c.ImportRows, "import-rows", 100_000, "rows in the timed import")
	fs.StringVar(&c.Schema, "schema", "credit_bench", "PostgreSQL schema holding the data set (kept between runs)")
	fs.BoolVar(&c.Fresh, "fresh", false, "drop the schema and generate the data set again")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the timed import to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if needPostgres(e.DatabaseURL) != nil {
		fmt.Fprintln(out, "credit: skipped: set DATABASE_URL to a PostgreSQL database (REDIS_URL adds the cache figures)")
		return nil
	}
	return runCreditBench(ctx, e.DatabaseURL, e.RedisURL, c, out)
}

// creditRun is one run of the credit benchmark: its connections, the
// generator of its samples, and the timings as they are taken.
type creditRun struct {
	c      creditBenchConfig
	db     *store.DB
	pool   *pgxpool.Pool
	svc    *credit.Service
	gen    *demo.CreditGen
	userID int64 // the department user who imports
	out    io.Writer

	svcLookup, cachedLookup, rawLookup []time.Duration
	svcSearch, rawSearch               []time.Duration
	svcShort, svcLong                  []time.Duration // svcSearch by query length
	imported                           *credit.Batch
	importRows                         int
	importTook, rawCopyTook            time.Duration
}

func runCreditBench(ctx context.Context, databaseURL, redisURL string, c creditBenchConfig, out io.Writer) error {
	if c.Fresh {
		if err := dropSchema(ctx, databaseURL, c.Schema); err != nil {
			return err
		}
	}
	url, err := inSchema(ctx, databaseURL, c.Schema)
	if err != nil {
		return err
	}
	r := &creditRun{c: c, out: out, gen: demo.NewCreditGen(47, time.Now().UTC())}
	if r.db, err = store.Open(url, "bench-secret"); err != nil {
		return err
	}
	defer r.db.Close()
	if err := r.db.Migrate(ctx); err != nil {
		return err
	}
	if r.pool, err = pgxpool.New(ctx, url); err != nil {
		return err
	}
	defer r.pool.Close()
	var version string
	_ = r.pool.QueryRow(ctx, "SHOW server_version").Scan(&version)
	fmt.Fprintf(out, "诚信海口 credit benchmark: PostgreSQL %s, %d subjects, %d records (schema %s)\n", version, c.Subjects, c.Records, c.Schema)
	if r.userID, err = r.dataSet(ctx); err != nil {
		return err
	}
	r.svc = credit.NewService(r.db.Credit, nil, nil, nil)
	r.svc.Log = slog.New(slog.DiscardHandler)
	if err := r.timeLookups(ctx, redisURL); err != nil {
		return err
	}
	if err := r.timeSearches(ctx); err != nil {
		return err
	}
	if err := r.timeImport(ctx); err != nil {
		return err
	}
	r.report()
	return r.forgetImport(ctx)
}

// timeLookups times code lookups: the service (database path), the service
// answering from Redis, and the same two queries in raw SQL.
func (r *creditRun) timeLookups(ctx context.Context, redisURL string) error {
	public := guanjia.Claims{}
	companies := r.c.Subjects * 95 / 100
	codes := make([]string, r.c.Lookups)
	for i := range codes {
		codes[i] = r.gen.CompanyCode(r.gen.Rand.IntN(companies))
	}
	lookup := func(code string) error {
		_, err := r.svc.Subject(ctx, public, code)
		return err
	}
	var err error
	if r.svcLookup, err = creditTimeEach(codes, lookup); err != nil {
		return fmt.Errorf("code lookup: %w", err)
	}
	if r.rawLookup, err = creditTimeEach(codes, func(code string) error { return r.rawLookupOne(ctx, code) }); err != nil {
		return fmt.Errorf("raw lookup: %w", err)
	}
	if redisURL == "" {
		return nil
	}
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	r.svc.Cache = worker.NewCreditCache(rdb, "guanjia:bench:")
	defer func() { r.svc.Cache = nil }()
	for _, code := range codes { // warm
		if err := lookup(code); err != nil {
			return err
		}
	}
	r.cachedLookup, err = creditTimeEach(codes, lookup)
	return err
}

// rawLookupOne is the service's lookup as two plain queries.
func (r *creditRun) rawLookupOne(ctx context.Context, code string) error {
	var id int64
	var name string
	if err := r.pool.QueryRow(ctx, "SELECT id, name FROM credit_subjects WHERE subject_key = $1", code).Scan(&id, &name); err != nil {
		return err
	}
	rows, err := r.pool.Query(ctx, `SELECT * FROM credit_entries WHERE subject_id = $1 AND status = 'active'
		ORDER BY decided_on DESC, id DESC LIMIT 500`, id)
	if err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// timeSearches times name searches: a part of an existing subject's name,
// 2 to 4 characters (a 字号, or a 字号 and the start of the trade).
func (r *creditRun) timeSearches(ctx context.Context) error {
	names, err := benchSampleNames(ctx, r.pool, r.c.Searches, samplePercent(r.c.Searches, r.c.Subjects))
	if err != nil {
		return err
	}
	queries := make([]string, len(names))
	for i, n := range names {
		runes := []rune(n)
		l := min(2+r.gen.Rand.IntN(3), len(runes))
		start := r.gen.Rand.IntN(len(runes) - l + 1)
		queries[i] = string(runes[start : start+l])
	}
	// Each query through the service and then raw, turn about: both meet
	// the same load from the rest of the machine.
	for _, q := range queries {
		svc, err := creditTimeEach([]string{q}, func(q string) error {
			_, err := r.svc.Search(ctx, guanjia.Claims{}, q, 1, 20)
			return err
		})
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		raw, err := creditTimeEach([]string{q}, func(q string) error {
			rows, err := r.pool.Query(ctx, `SELECT id, name FROM credit_subjects WHERE name ILIKE $1 LIMIT 20`, "%"+q+"%")
			if err != nil {
				return err
			}
			rows.Close()
			return rows.Err()
		})
		if err != nil {
			return fmt.Errorf("raw search: %w", err)
		}
		r.svcSearch, r.rawSearch = append(r.svcSearch, svc...), append(r.rawSearch, raw...)
		if len([]rune(q)) == 2 {
			r.svcShort = append(r.svcShort, svc...)
		} else {
			r.svcLong = append(r.svcLong, svc...)
		}
	}
	return nil
}

// timeImport times a department's CSV of new penalties through the whole
// service path (parse, validate, one transaction); the raw baseline COPYs
// the same rows into a copy of the table with the same indexes.
func (r *creditRun) timeImport(ctx context.Context) error {
	targets, err := benchSampleCompanies(ctx, r.pool, r.c.ImportRows, samplePercent(r.c.ImportRows, r.c.Subjects))
	if err != nil {
		return err
	}
	body, rows := benchImportCSV(r.gen, r.c, targets)
	if err := r.db.Credit.SetRemit(ctx, "hk-scjg", []string{guanjia.CreditPenalty, guanjia.CreditLicense}); err != nil {
		return err
	}
	r.svc.MaxImportBytes, r.svc.InlineRows = int64(len(body))+1, r.c.ImportRows+1
	who := guanjia.Claims{UserID: r.userID, Role: guanjia.RoleDepartment, UnitCode: "hk-scjg"}
	if r.c.CPUProfile != "" {
		f, err := os.Create(r.c.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	start := time.Now()
	b, err := r.svc.SubmitImport(ctx, who, credit.Upload{Type: guanjia.CreditPenalty, Filename: "bench.csv", Data: body})
	if r.c.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	if b.Status != credit.BatchDone {
		return fmt.Errorf("bench import %s: %v", b.Status, b.Errors)
	}
	r.imported, r.importRows, r.importTook = b, len(rows), time.Since(start)
	r.rawCopyTook, err = benchRawCopy(ctx, r.pool, rows)
	return err
}

func (r *creditRun) report() {
	out := r.out
	fmt.Fprintf(out, "\n%-44s %10s %10s %8s\n", "", "p50", "p99", "n")
	line := func(name string, d []time.Duration) {
		if len(d) == 0 {
			return
		}
		fmt.Fprintf(out, "%-44s %10s %10s %8d\n", name, creditMS(creditPercentile(d, 50)), creditMS(creditPercentile(d, 99)), len(d))
	}
	line("code lookup, service (database)", r.svcLookup)
	line("code lookup, service (Redis hit)", r.cachedLookup)
	line("code lookup, raw SQL (same two queries)", r.rawLookup)
	line("name search, service (ranked, page of 20)", r.svcSearch)
	line("  of which 2-character queries", r.svcShort)
	line("  of which 3-4-character queries", r.svcLong)
	line("name search, raw SQL (ILIKE … LIMIT 20)", r.rawSearch)
	fmt.Fprintf(out, "\n%-44s %10.0f rows/s  (%d rows in %s: %d new)\n", "import, service (CSV → validate → one tx)",
		float64(r.importRows)/r.importTook.Seconds(), r.importRows, r.importTook.Round(time.Millisecond), r.imported.Inserted)
	fmt.Fprintf(out, "%-44s %10.0f rows/s  (%d rows in %s)\n", "import, raw COPY (same rows, same indexes)",
		float64(r.importRows)/r.rawCopyTook.Seconds(), r.importRows, r.rawCopyTook.Round(time.Millisecond))
	p99 := func(d []time.Duration) string {
		if len(d) == 0 {
			return ""
		}
		return "p99 " + creditMS(creditPercentile(d, 99))
	}
	ratioOf := func(a, b []time.Duration) string {
		if len(a) == 0 || len(b) == 0 {
			return ""
		}
		return ratio(float64(creditPercentile(a, 99)), float64(creditPercentile(b, 99)))
	}
	within := func(d []time.Duration, limit time.Duration) bool {
		return len(d) > 0 && creditPercentile(d, 99) <= limit
	}
	rate, copyRate := float64(r.importRows)/r.importTook.Seconds(), float64(r.importRows)/r.rawCopyTook.Seconds()
	rows := []verdict{
		{figure: "code lookup, database", measured: p99(r.svcLookup), baseline: p99(r.rawLookup) + " (raw SQL, same two queries)",
			ratio: ratioOf(r.svcLookup, r.rawLookup), target: "p99 ≤ 5 ms", met: within(r.svcLookup, 5*time.Millisecond)},
	}
	if len(r.cachedLookup) > 0 {
		rows = append(rows, verdict{figure: "code lookup, Redis hit", measured: p99(r.cachedLookup), baseline: p99(r.rawLookup) + " (raw SQL)",
			ratio: ratioOf(r.cachedLookup, r.rawLookup), target: "p99 ≤ 5 ms", met: within(r.cachedLookup, 5*time.Millisecond)})
	}
	rows = append(rows,
		verdict{figure: fmt.Sprintf("name search, %d subjects / %d records", r.c.Subjects, r.c.Records), measured: p99(r.svcSearch),
			baseline: p99(r.rawSearch) + " (raw ILIKE … LIMIT 20, turn about)", ratio: ratioOf(r.svcSearch, r.rawSearch),
			target: "p99 ≤ 50 ms", met: within(r.svcSearch, 50*time.Millisecond)},
		verdict{figure: "credit import", measured: fmt.Sprintf("%.0f rows/s", rate), baseline: fmt.Sprintf("%.0f rows/s (raw COPY)", copyRate),
			ratio: ratio(rate, copyRate), target: "≥ 20,000 rows/s and ≥ 0.25 × COPY", met: rate >= 20000 && rate >= 0.25*copyRate})
	printVerdicts(out, rows)
}

// forgetImport removes the timed batch, so the next run imports the same rows again.
func (r *creditRun) forgetImport(ctx context.Context) error {
	if _, err := r.pool.Exec(ctx, "DELETE FROM credit_events WHERE batch_id = $1", r.imported.ID); err != nil {
		return err
	}
	_, err := r.pool.Exec(ctx, "DELETE FROM credit_entries WHERE batch_id = $1", r.imported.ID)
	return err
}

func creditMS(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func creditPercentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p+99)/100 - 1
	return s[max(0, min(i, len(s)-1))]
}

func creditTimeEach(items []string, fn func(string) error) ([]time.Duration, error) {
	out := make([]time.Duration, 0, len(items))
	for _, it := range items {
		start := time.Now()
		if err := fn(it); err != nil && guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	return out, nil
}

// dataSet fills the schema with the data set unless it is there already,
// and answers the department user's ID.
func (r *creditRun) dataSet(ctx context.Context) (int64, error) {
	db, c := r.db, r.c
	if err := db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "hk-scjg", Name: "海口市市场监督管理局", Department: "市场监管"}); err != nil {
		return 0, err
	}
	u, err := db.Users.FindUserByUsername(ctx, "bench-scjg")
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		u = &guanjia.User{Username: "bench-scjg", Role: guanjia.RoleDepartment, UnitCode: "hk-scjg"}
		err = db.Users.CreateUser(ctx, u)
	}
	if err != nil {
		return 0, err
	}
	var subjects, records int
	if err := r.pool.QueryRow(ctx, "SELECT (SELECT COUNT(*) FROM credit_subjects), (SELECT COUNT(*) FROM credit_entries)").Scan(&subjects, &records); err != nil {
		return 0, err
	}
	if subjects == c.Subjects && records == c.Records {
		fmt.Fprintln(r.out, "data set: reused")
		return u.ID, nil
	}
	if subjects != 0 || records != 0 {
		return 0, fmt.Errorf("schema %s holds %d subjects and %d records, not %d and %d: run with --fresh", c.Schema, subjects, records, c.Subjects, c.Records)
	}
	start := time.Now()
	n, err := r.generateSubjects(ctx)
	if err != nil {
		return 0, fmt.Errorf("generate subjects: %w", err)
	}
	subjectsTook, start := time.Since(start), time.Now()
	m, err := r.generateRecords(ctx)
	if err != nil {
		return 0, fmt.Errorf("generate records: %w", err)
	}
	recordsTook := time.Since(start)
	// As autovacuum would leave them: statistics, visibility map, GIN pending lists merged.
	for _, table := range []string{"credit_subjects", "credit_entries"} {
		if _, err := r.pool.Exec(ctx, "VACUUM (ANALYZE) "+table); err != nil {
			return 0, err
		}
	}
	fmt.Fprintf(r.out, "data set: generated %d subjects in %s (%.0f/s), %d records in %s (%.0f/s)\n",
		n, subjectsTook.Round(time.Second), float64(n)/subjectsTook.Seconds(), m, recordsTook.Round(time.Second), float64(m)/recordsTook.Seconds())
	return u.ID, nil
}

// generateSubjects COPYs the subjects: 95 % companies, 3 % 个体工商户, the rest persons.
func (r *creditRun) generateSubjects(ctx context.Context) (int64, error) {
	gen, db, now := r.gen, r.db, time.Now().UTC()
	companies, businesses := r.c.Subjects*95/100, r.c.Subjects*3/100
	i := 0
	return r.pool.CopyFrom(ctx, pgx.Identifier{"credit_subjects"},
		[]string{"subject_key", "kind", "credit_code", "id_enc", "id_hash", "id_masked", "name", "legal_rep", "address", "created_at", "updated_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			defer func() { i++ }()
			switch {
			case i < companies:
				code := gen.CompanyCode(i)
				return []any{code, "legal", code, "", "", "", gen.CompanyName(), gen.PersonName(), gen.Address(), now, now}, nil
			case i < companies+businesses:
				code := gen.BusinessCode(i - companies)
				return []any{code, "business", code, "", "", "", "海口市" + gen.PersonName() + "餐饮店", gen.PersonName(), gen.Address(), now, now}, nil
			case i < r.c.Subjects:
				id := gen.IDNumber(i - companies - businesses)
				return []any{"id:" + db.Hash(id), "person", "", db.Seal(id), db.Hash(id), guanjia.MaskIDNumber(id), gen.PersonName(), "", "", now, now}, nil
			}
			return nil, nil
		}))
}

// generateRecords COPYs the records over the subjects: mostly 双公示, some
// list entries; a tenth already out of public view.
func (r *creditRun) generateRecords(ctx context.Context) (int64, error) {
	gen, now := r.gen, time.Now().UTC()
	var minID int64
	if err := r.pool.QueryRow(ctx, "SELECT MIN(id) FROM credit_subjects").Scan(&minID); err != nil {
		return 0, err
	}
	types := []string{guanjia.CreditLicense, guanjia.CreditLicense, guanjia.CreditLicense, guanjia.CreditLicense,
		guanjia.CreditPenalty, guanjia.CreditPenalty, guanjia.CreditPenalty, guanjia.CreditBlackList, guanjia.CreditRedList, guanjia.CreditQuality}
	j := 0
	return r.pool.CopyFrom(ctx, pgx.Identifier{"credit_entries"},
		[]string{"type", "subject_id", "list_name", "reason", "document_no", "authority", "department", "decided_on", "public_until",
			"status", "fields", "created_at", "updated_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if j >= r.c.Records {
				return nil, nil
			}
			j++
			typ := types[gen.Rand.IntN(len(types))]
			status := "active"
			if gen.Rand.IntN(10) == 0 {
				status = "expired"
			}
			decided := gen.Today.AddDate(0, 0, -1-gen.Rand.IntN(1000))
			return []any{typ, minID + int64(gen.Rand.IntN(r.c.Subjects)), "罚款", "经营超过保质期的食品", fmt.Sprintf("海市监〔2025〕%d号", j),
				"海口市市场监督管理局", "hk-scjg", decided, decided.AddDate(3, 0, 0), status, `{"fine":"1.5"}`, now, now}, nil
		}))
}

// samplePercent is the share of the table to sample for about n rows of it.
func samplePercent(n, total int) float64 {
	return min(100, 200*float64(n)/float64(max(total, 1)))
}

// benchSampleNames picks names of existing subjects spread over the table.
func benchSampleNames(ctx context.Context, pool *pgxpool.Pool, n int, percent float64) ([]string, error) {
	rows, err := pool.Query(ctx, `SELECT name FROM credit_subjects TABLESAMPLE BERNOULLI ($2) WHERE kind <> 'person' LIMIT $1`, n, percent)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("no subjects to search for")
	}
	for len(names) < n { // a small data set: repeat
		names = append(names, names[len(names)%max(1, len(names))])
	}
	return names, nil
}

type benchCompany struct {
	id         int64
	code, name string
}

// benchSampleCompanies picks up to n companies spread over the table.
func benchSampleCompanies(ctx context.Context, pool *pgxpool.Pool, n int, percent float64) ([]benchCompany, error) {
	rows, err := pool.Query(ctx, `SELECT id, credit_code, name FROM credit_subjects TABLESAMPLE BERNOULLI ($2) WHERE kind = 'legal' LIMIT $1`, n, percent)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []benchCompany
	for rows.Next() {
		var b benchCompany
		if err := rows.Scan(&b.id, &b.code, &b.name); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, errors.New("no companies to import records for")
	}
	return out, rows.Err()
}

// benchImportCSV writes c.ImportRows new penalties against existing
// companies (each company under its own name, so nothing is renamed), and
// the same rows as the raw baseline writes them.
func benchImportCSV(gen *demo.CreditGen, c creditBenchConfig, targets []benchCompany) ([]byte, [][]any) {
	rt, _ := credit.LookupType(guanjia.CreditPenalty)
	rows := make([][]string, 0, c.ImportRows)
	raw := make([][]any, 0, c.ImportRows)
	stamp := time.Now().UnixNano()
	now := time.Now().UTC()
	for i := 0; i < c.ImportRows; i++ {
		t := targets[i%len(targets)]
		doc := fmt.Sprintf("海市监罚〔%d〕%d号", stamp, i)
		decided := gen.Today.AddDate(0, 0, -1-gen.Rand.IntN(300))
		until := decided.AddDate(1, 0, 0) // the longest a 一般失信 penalty is published (credit/period.go)
		rows = append(rows, []string{t.name, "法人及非法人组织", t.code, "", "", "", doc, "违反食品安全法",
			"经营超过保质期的食品", "《中华人民共和国食品安全法》第一百二十四条", "罚款", "罚款人民币伍仟元", "0.5", "",
			decided.Format("2006-01-02"), until.Format("2006-01-02"), "海口市市场监督管理局", "海口市市场监督管理局"})
		raw = append(raw, []any{guanjia.CreditPenalty, t.id, "罚款", "经营超过保质期的食品", doc, "海口市市场监督管理局", "hk-scjg",
			decided, until, "active", `{"basis":"《中华人民共和国食品安全法》第一百二十四条","content":"罚款人民币伍仟元","fine":"0.5","source_unit":"海口市市场监督管理局","violation_type":"违反食品安全法"}`, now, now})
	}
	return rt.CSV(rows), raw
}

// benchRawCopy COPYs rows into an empty copy of credit_entries with the same
// indexes: how fast PostgreSQL takes the rows with no checks at all.
func benchRawCopy(ctx context.Context, pool *pgxpool.Pool, rows [][]any) (time.Duration, error) {
	if _, err := pool.Exec(ctx, `DROP TABLE IF EXISTS bench_raw_entries;
		CREATE TABLE bench_raw_entries (LIKE credit_entries INCLUDING DEFAULTS INCLUDING INDEXES)`); err != nil {
		return 0, err
	}
	defer pool.Exec(context.Background(), "DROP TABLE IF EXISTS bench_raw_entries")
	start := time.Now()
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"bench_raw_entries"},
		[]string{"type", "subject_id", "list_name", "reason", "document_no", "authority", "department", "decided_on", "public_until",
			"status", "fields", "created_at", "updated_at"}, pgx.CopyFromRows(rows))
	return time.Since(start), err
}

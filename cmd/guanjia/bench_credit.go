package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/credit"
	"guanjia/store"
	"guanjia/worker"
)

func init() { benchmarks["credit"] = benchCredit }

// creditBenchConfig is the scale and the samples of one run.
type creditBenchConfig struct {
	Subjects, Records int
	Lookups, Searches int
	ImportRows        int
	Schema            string
	Fresh             bool
}

// benchCredit measures 诚信海口 on PostgreSQL: lookup by code and name
// search (p50/p99) and import rows/s, each beside a raw SQL baseline in the
// same run. The data set (default 1,000,000 subjects and 5,000,000 records)
// is generated into its own schema and kept there for the next run.
func benchCredit(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench credit", flag.ContinueOnError)
	c := creditBenchConfig{}
	fs.IntVar(&c.Subjects, "subjects", 1_000_000, "subjects in the data set")
	fs.IntVar(&c.Records, "records", 5_000_000, "list entries and records in the data set")
	fs.IntVar(&c.Lookups, "lookups", 5000, "code lookups to time")
	fs.IntVar(&c.Searches, "searches", 2000, "name searches to time")
	fs.IntVar(&c.ImportRows, "import-rows", 100_000, "rows in the timed import")
	fs.StringVar(&c.Schema, "schema", "credit_bench", "PostgreSQL schema holding the data set (kept between runs)")
	fs.BoolVar(&c.Fresh, "fresh", false, "drop the schema and generate the data set again")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(cfg.DatabaseURL, "postgres") {
		fmt.Fprintln(out, "bench credit: skipped: set DATABASE_URL to a PostgreSQL database (REDIS_URL adds the cache figures)")
		return nil
	}
	return runCreditBench(ctx, cfg.DatabaseURL, cfg.RedisURL, c, out)
}

func runCreditBench(ctx context.Context, databaseURL, redisURL string, c creditBenchConfig, out io.Writer) error {
	admin, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	if c.Fresh {
		if _, err := admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{c.Schema}.Sanitize()+" CASCADE"); err != nil {
			return err
		}
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{c.Schema}.Sanitize()); err != nil {
		return err
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("search_path", c.Schema)
	u.RawQuery = q.Encode()
	db, err := store.Open(u.String(), "bench-secret")
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		return err
	}
	defer pool.Close()
	var version string
	_ = pool.QueryRow(ctx, "SHOW server_version").Scan(&version)

	gen := newCreditGen(47, time.Now().UTC())
	fmt.Fprintf(out, "诚信海口 credit benchmark: PostgreSQL %s, %d subjects, %d records (schema %s)\n", version, c.Subjects, c.Records, c.Schema)
	userID, err := benchCreditDataSet(ctx, db, pool, gen, c, out)
	if err != nil {
		return err
	}

	svc := credit.NewService(db, nil, nil, nil)
	svc.Log = slog.New(slog.DiscardHandler)
	public := guanjia.Claims{}
	companies := c.Subjects * 95 / 100

	// Code lookups: the service (database path), the service answering from
	// Redis, and the same two queries in raw SQL.
	codes := make([]string, c.Lookups)
	for i := range codes {
		codes[i] = gen.companyCode(gen.r.IntN(companies))
	}
	svcLookup, err := creditTimeEach(codes, func(code string) error {
		_, err := svc.Subject(ctx, public, code)
		return err
	})
	if err != nil {
		return fmt.Errorf("code lookup: %w", err)
	}
	rawLookup, err := creditTimeEach(codes, func(code string) error {
		var id int64
		var name string
		if err := pool.QueryRow(ctx, "SELECT id, name FROM credit_subjects WHERE subject_key = $1", code).Scan(&id, &name); err != nil {
			return err
		}
		rows, err := pool.Query(ctx, `SELECT * FROM credit_entries WHERE subject_id = $1 AND status = 'active'
			ORDER BY decided_on DESC, id DESC LIMIT 500`, id)
		if err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("raw lookup: %w", err)
	}
	var cached []time.Duration
	if redisURL != "" {
		opt, err := redis.ParseURL(redisURL)
		if err != nil {
			return err
		}
		rdb := redis.NewClient(opt)
		defer rdb.Close()
		svc.Cache = worker.NewCreditCache(rdb, "guanjia:bench:")
		for _, code := range codes { // warm
			if _, err := svc.Subject(ctx, public, code); err != nil {
				return err
			}
		}
		if cached, err = creditTimeEach(codes, func(code string) error {
			_, err := svc.Subject(ctx, public, code)
			return err
		}); err != nil {
			return err
		}
		svc.Cache = nil
	}

	// Name searches: a part of an existing subject's name, 2 to 4 characters
	// (a 字号, or a 字号 and the start of the trade).
	names, err := benchSampleNames(ctx, pool, c.Searches, samplePercent(c.Searches, c.Subjects))
	if err != nil {
		return err
	}
	queries := make([]string, len(names))
	for i, n := range names {
		r := []rune(n)
		l := 2 + gen.r.IntN(3)
		if len(r) < l {
			l = len(r)
		}
		start := gen.r.IntN(len(r) - l + 1)
		queries[i] = string(r[start : start+l])
	}
	search := func(q string) error {
		_, err := svc.Search(ctx, public, q, 1, 20)
		return err
	}
	rawSearch := func(q string) error {
		rows, err := pool.Query(ctx, `SELECT id, name FROM credit_subjects WHERE name ILIKE $1 LIMIT 20`, "%"+q+"%")
		if err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	}
	svcSearch, err := creditTimeEach(queries, search)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	var svcShort, svcLong []time.Duration // the same runs, by query length
	for i, q := range queries {
		if len([]rune(q)) == 2 {
			svcShort = append(svcShort, svcSearch[i])
		} else {
			svcLong = append(svcLong, svcSearch[i])
		}
	}
	rawSearchAll, err := creditTimeEach(queries, rawSearch)
	if err != nil {
		return fmt.Errorf("raw search: %w", err)
	}

	// Import: a department's CSV of new penalties through the whole service
	// path (parse, validate, one transaction); the raw baseline COPYs the same
	// rows into a copy of the table with the same indexes.
	targets, err := benchSampleCompanies(ctx, pool, c.ImportRows, samplePercent(c.ImportRows, c.Subjects))
	if err != nil {
		return err
	}
	body, rows := benchImportCSV(gen, c, targets)
	if err := db.SetRemit(ctx, "hk-scjg", []string{guanjia.CreditPenalty, guanjia.CreditLicense}); err != nil {
		return err
	}
	svc.MaxImportBytes, svc.InlineRows = int64(len(body))+1, c.ImportRows+1
	who := guanjia.Claims{UserID: userID, Role: guanjia.RoleDepartment, UnitCode: "hk-scjg"}
	start := time.Now()
	b, err := svc.SubmitImport(ctx, who, credit.Upload{Type: guanjia.CreditPenalty, Filename: "bench.csv", Data: body})
	if err != nil {
		return err
	}
	if b.Status != credit.BatchDone {
		return fmt.Errorf("bench import %s: %v", b.Status, b.Errors)
	}
	importTook := time.Since(start)
	rawTook, err := benchRawCopy(ctx, pool, rows)
	if err != nil {
		return err
	}

	fmt.Fprintf(out, "\n%-44s %10s %10s %8s\n", "", "p50", "p99", "n")
	line := func(name string, d []time.Duration) {
		if len(d) == 0 {
			return
		}
		fmt.Fprintf(out, "%-44s %10s %10s %8d\n", name, creditMS(creditPercentile(d, 50)), creditMS(creditPercentile(d, 99)), len(d))
	}
	line("code lookup, service (database)", svcLookup)
	line("code lookup, service (Redis hit)", cached)
	line("code lookup, raw SQL (same two queries)", rawLookup)
	line("name search, service (ranked, page of 20)", svcSearch)
	line("  of which 2-character queries", svcShort)
	line("  of which 3-4-character queries", svcLong)
	line("name search, raw SQL (ILIKE … LIMIT 20)", rawSearchAll)
	fmt.Fprintf(out, "\n%-44s %10.0f rows/s  (%d rows in %s: %d new)\n", "import, service (CSV → validate → one tx)",
		float64(len(rows))/importTook.Seconds(), len(rows), importTook.Round(time.Millisecond), b.Inserted)
	fmt.Fprintf(out, "%-44s %10.0f rows/s  (%d rows in %s)\n", "import, raw COPY (same rows, same indexes)",
		float64(len(rows))/rawTook.Seconds(), len(rows), rawTook.Round(time.Millisecond))
	fmt.Fprintf(out, "\ntargets: code lookup p99 ≤ 5 ms, name search p99 ≤ 50 ms, import ≥ 20,000 rows/s\n")
	// The timed batch is removed so the next run imports the same rows again.
	if _, err := pool.Exec(ctx, "DELETE FROM credit_events WHERE batch_id = $1", b.ID); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, "DELETE FROM credit_entries WHERE batch_id = $1", b.ID); err != nil {
		return err
	}
	return nil
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

// benchCreditDataSet fills the schema with the data set unless it is there
// already; it returns the department user's ID.
func benchCreditDataSet(ctx context.Context, db *store.DB, pool *pgxpool.Pool, gen *creditGen, c creditBenchConfig, out io.Writer) (int64, error) {
	if err := db.UpsertUnit(ctx, &guanjia.Unit{Code: "hk-scjg", Name: "海口市市场监督管理局", Department: "市场监管"}); err != nil {
		return 0, err
	}
	u, err := db.FindUserByUsername(ctx, "bench-scjg")
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		u = &guanjia.User{Username: "bench-scjg", Role: guanjia.RoleDepartment, UnitCode: "hk-scjg"}
		err = db.CreateUser(ctx, u)
	}
	if err != nil {
		return 0, err
	}
	var subjects, records int
	if err := pool.QueryRow(ctx, "SELECT (SELECT COUNT(*) FROM credit_subjects), (SELECT COUNT(*) FROM credit_entries)").Scan(&subjects, &records); err != nil {
		return 0, err
	}
	if subjects == c.Subjects && records == c.Records {
		fmt.Fprintln(out, "data set: reused")
		return u.ID, nil
	}
	if subjects != 0 || records != 0 {
		return 0, fmt.Errorf("schema %s holds %d subjects and %d records, not %d and %d: run with --fresh", c.Schema, subjects, records, c.Subjects, c.Records)
	}
	now := time.Now().UTC()
	start := time.Now()
	companies, businesses := c.Subjects*95/100, c.Subjects*3/100 // the rest are persons
	i := 0
	n, err := pool.CopyFrom(ctx, pgx.Identifier{"credit_subjects"},
		[]string{"subject_key", "kind", "credit_code", "id_enc", "id_hash", "id_masked", "name", "legal_rep", "address", "created_at", "updated_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			defer func() { i++ }()
			switch {
			case i < companies:
				code := gen.companyCode(i)
				return []any{code, "legal", code, "", "", "", gen.companyName(), gen.personName(), gen.address(), now, now}, nil
			case i < companies+businesses:
				code := gen.businessCode(i - companies)
				return []any{code, "business", code, "", "", "", "海口市" + gen.personName() + "餐饮店", gen.personName(), gen.address(), now, now}, nil
			case i < c.Subjects:
				id := gen.idNumber(i - companies - businesses)
				return []any{"id:" + db.Hash(id), "person", "", db.Seal(id), db.Hash(id), guanjia.MaskIDNumber(id), gen.personName(), "", "", now, now}, nil
			}
			return nil, nil
		}))
	if err != nil {
		return 0, fmt.Errorf("generate subjects: %w", err)
	}
	subjectsTook := time.Since(start)
	var minID int64
	if err := pool.QueryRow(ctx, "SELECT MIN(id) FROM credit_subjects").Scan(&minID); err != nil {
		return 0, err
	}
	// Records: mostly 双公示, some list entries; a tenth already out of public view.
	types := []string{guanjia.CreditLicense, guanjia.CreditLicense, guanjia.CreditLicense, guanjia.CreditLicense,
		guanjia.CreditPenalty, guanjia.CreditPenalty, guanjia.CreditPenalty, guanjia.CreditBlackList, guanjia.CreditRedList, guanjia.CreditQuality}
	j := 0
	start2 := time.Now()
	m, err := pool.CopyFrom(ctx, pgx.Identifier{"credit_entries"},
		[]string{"type", "subject_id", "list_name", "reason", "document_no", "authority", "department", "decided_on", "public_until",
			"status", "fields", "created_at", "updated_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if j >= c.Records {
				return nil, nil
			}
			j++
			typ := types[gen.r.IntN(len(types))]
			status := "active"
			if gen.r.IntN(10) == 0 {
				status = "expired"
			}
			decided := gen.today.AddDate(0, 0, -1-gen.r.IntN(1000))
			return []any{typ, minID + int64(gen.r.IntN(c.Subjects)), "罚款", "经营超过保质期的食品", fmt.Sprintf("海市监〔2025〕%d号", j),
				"海口市市场监督管理局", "hk-scjg", decided, decided.AddDate(3, 0, 0), status, `{"fine":"1.5"}`, now, now}, nil
		}))
	if err != nil {
		return 0, fmt.Errorf("generate records: %w", err)
	}
	recordsTook := time.Since(start2)
	// As autovacuum would leave them: statistics, visibility map, GIN pending lists merged.
	for _, table := range []string{"credit_subjects", "credit_entries"} {
		if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) "+table); err != nil {
			return 0, err
		}
	}
	fmt.Fprintf(out, "data set: generated %d subjects in %s (%.0f/s), %d records in %s (%.0f/s)\n",
		n, subjectsTook.Round(time.Second), float64(n)/subjectsTook.Seconds(), m, recordsTook.Round(time.Second), float64(m)/recordsTook.Seconds())
	return u.ID, nil
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
func benchImportCSV(gen *creditGen, c creditBenchConfig, targets []benchCompany) ([]byte, [][]any) {
	rt, _ := credit.LookupType(guanjia.CreditPenalty)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	var header []string
	for _, f := range rt.Columns() {
		header = append(header, f.Header)
	}
	_ = w.Write(header)
	raw := make([][]any, 0, c.ImportRows)
	stamp := time.Now().UnixNano()
	now := time.Now().UTC()
	for i := 0; i < c.ImportRows; i++ {
		t := targets[i%len(targets)]
		doc := fmt.Sprintf("海市监罚〔%d〕%d号", stamp, i)
		decided := gen.today.AddDate(0, 0, -1-gen.r.IntN(300))
		until := decided.AddDate(3, 0, 0)
		_ = w.Write([]string{t.name, "法人及非法人组织", t.code, "", "", "", doc, "违反食品安全法",
			"经营超过保质期的食品", "《中华人民共和国食品安全法》第一百二十四条", "罚款", "罚款人民币伍仟元", "0.5", "",
			decided.Format("2006-01-02"), until.Format("2006-01-02"), "海口市市场监督管理局", "海口市市场监督管理局"})
		raw = append(raw, []any{guanjia.CreditPenalty, t.id, "罚款", "经营超过保质期的食品", doc, "海口市市场监督管理局", "hk-scjg",
			decided, until, "active", `{"basis":"《中华人民共和国食品安全法》第一百二十四条","content":"罚款人民币伍仟元","fine":"0.5","source_unit":"海口市市场监督管理局","violation_type":"违反食品安全法"}`, now, now})
	}
	w.Flush()
	return buf.Bytes(), raw
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

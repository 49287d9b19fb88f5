package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/store"
)

// dashboardBenchConfig is the scale and the samples of one run.
type dashboardBenchConfig struct {
	Complaints, Open, Citizens int
	Samples                    int
	Schema                     string
	Fresh                      bool
}

// The targets of issue 16, section 2.
const (
	targetStats   = 200 * time.Millisecond
	targetQueue   = 50 * time.Millisecond
	targetMyOwn   = 20 * time.Millisecond
	dashboardDays = 30
)

// benchDashboard measures, on a year of a large city's load (1,000,000
// complaints by default, 5,000 of them open), the dashboard's 30-day KPIs,
// the live queue's first page and a citizen's "my complaints", each through
// the service beside the raw SQL of the same rows in the same run.
func benchDashboard(ctx context.Context, e env, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(out)
	c := dashboardBenchConfig{}
	fs.IntVar(&c.Complaints, "complaints", 1_000_000, "complaints in the data set, spread over 365 days")
	fs.IntVar(&c.Open, "open", 5000, "of which open (the live queue)")
	fs.IntVar(&c.Citizens, "citizens", 200_000, "citizens who filed them")
	fs.IntVar(&c.Samples, "samples", 200, "timed calls of each query")
	fs.StringVar(&c.Schema, "schema", "stats_bench", "PostgreSQL schema holding the data set (kept between runs)")
	fs.BoolVar(&c.Fresh, "fresh", false, "drop the schema and generate the data set again")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if needPostgres(e.DatabaseURL) != nil {
		fmt.Fprintln(out, "stats: skipped: set DATABASE_URL to a PostgreSQL database")
		return nil
	}
	if c.Open > c.Complaints || c.Citizens < 1 || c.Samples < 1 {
		return fmt.Errorf("stats: need open ≤ complaints, citizens ≥ 1 and samples ≥ 1")
	}
	if c.Fresh {
		if err := dropSchema(ctx, e.DatabaseURL, c.Schema); err != nil {
			return err
		}
	}
	url, err := inSchema(ctx, e.DatabaseURL, c.Schema)
	if err != nil {
		return err
	}
	db, err := store.Open(url, "bench-secret")
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	var version string
	_ = pool.QueryRow(ctx, "SHOW server_version").Scan(&version)
	fmt.Fprintf(out, "dashboard and lists: PostgreSQL %s, %d complaints over 365 days, %d open, %d citizens (schema %s)\n",
		version, c.Complaints, c.Open, c.Citizens, c.Schema)
	fmt.Fprintf(out, "machine: %d CPUs, load average before %s\n", runtime.NumCPU(), loadAverage())
	if err := dashboardDataSet(ctx, pool, c, out); err != nil {
		return err
	}
	var anchor time.Time // the data set's "now": its newest complaint
	if err := pool.QueryRow(ctx, "SELECT max(created_at) FROM complaints").Scan(&anchor); err != nil {
		return err
	}
	svc := dispatch.NewService(db.Complaints, nil, nil, dispatch.DefaultCalendar(), nil)
	svc.Now = func() time.Time { return anchor }
	svc.Log = slog.New(slog.DiscardHandler)
	loc := svc.Calendar.Location()
	day := anchor.In(loc)
	to := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	from := to.AddDate(0, 0, -dashboardDays)
	dispatcher := guanjia.Claims{UserID: 1, Role: guanjia.RoleDispatcher}
	rng := rand.New(rand.NewPCG(16, 2))
	citizen := func() int64 { return 1 + rng.Int64N(int64(c.Citizens)) }
	notEnded := fmt.Sprintf("status NOT IN ('%s', '%s', '%s')", guanjia.StatusClosed, guanjia.StatusRejected, guanjia.StatusDuplicate)
	const page = 50

	var received, counted int // the service's 受理量 and the raw count of the same complaints
	rows := []dashboardRow{
		{name: fmt.Sprintf("%d-day stats, service (all KPIs, 5 breakdowns)", dashboardDays), target: targetStats,
			run: func() error {
				rep, err := svc.Stats(ctx, dispatcher, from.UTC(), to.UTC())
				if err == nil {
					received = rep.Total.Received
				}
				return err
			}},
		{name: "  baseline: raw SQL count of the same rows", baseline: true,
			run: func() error {
				return pool.QueryRow(ctx, "SELECT count(*) FROM complaints WHERE created_at >= $1 AND created_at < $2 AND status <> 'duplicate'",
					from, to).Scan(&counted)
			}},
		{name: fmt.Sprintf("live queue, page 1 of %d open, service", c.Open), target: targetQueue,
			run: func() error {
				_, _, err := svc.List(ctx, dispatcher, guanjia.ComplaintFilter{OpenOnly: true, Page: 1, PerPage: page})
				return err
			}},
		{name: "  baseline: raw SQL select of the same page", baseline: true,
			run: func() error {
				return rawRows(ctx, pool, "SELECT * FROM complaints WHERE "+notEnded+" ORDER BY id DESC LIMIT $1", page)
			}},
		{name: "my complaints, citizen's page 1, service", target: targetMyOwn,
			run: func() error {
				uid := citizen()
				_, _, err := svc.List(ctx, guanjia.Claims{UserID: uid, Role: guanjia.RoleCitizen}, guanjia.ComplaintFilter{Page: 1, PerPage: page})
				return err
			}},
		{name: "  baseline: raw SQL select of their rows", baseline: true,
			run: func() error {
				return rawRows(ctx, pool, "SELECT * FROM complaints WHERE reporter_id = $1 ORDER BY id DESC LIMIT 50", citizen())
			}},
	}
	for i := range rows {
		r := &rows[i]
		if err := r.run(); err != nil { // warm the caches and the plan
			return fmt.Errorf("%s: %w", r.name, err)
		}
		for range c.Samples {
			start := time.Now()
			if err := r.run(); err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			r.took = append(r.took, time.Since(start))
		}
	}
	fmt.Fprintf(out, "stats window %s … %s (Haikou): %d complaints received by the service, %d by the raw count\n",
		from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("2006-01-02"), received, counted)
	if received != counted {
		return fmt.Errorf("the service received %d complaints, the raw count %d", received, counted)
	}
	fmt.Fprintf(out, "\n%-52s %10s %10s %6s  %s\n", "", "p50", "p99", "n", "target (p99)")
	for _, r := range rows {
		verdict := ""
		if !r.baseline {
			met := "NOT MET"
			if creditPercentile(r.took, 99) <= r.target {
				met = "met"
			}
			verdict = fmt.Sprintf("≤ %s: %s", r.target, met)
		}
		fmt.Fprintf(out, "%-52s %10s %10s %6d  %s\n", r.name, creditMS(creditPercentile(r.took, 50)), creditMS(creditPercentile(r.took, 99)), len(r.took), verdict)
	}
	fmt.Fprintf(out, "\nload average after: %s (the machine may be shared; one caller at a time)\n", loadAverage())
	return nil
}

// dashboardRow is one timed query of the report.
type dashboardRow struct {
	name     string
	baseline bool
	target   time.Duration
	run      func() error
	took     []time.Duration
}

// rawRows runs a query and reads every row it answers.
func rawRows(ctx context.Context, pool *pgxpool.Pool, sql string, args ...any) error {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		if _, err := rows.Values(); err != nil {
			rows.Close()
			return err
		}
	}
	return rows.Err()
}

// loadAverage is the machine's 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// dashboardDataSet fills the schema with the data set unless it is there already.
func dashboardDataSet(ctx context.Context, pool *pgxpool.Pool, c dashboardBenchConfig, out io.Writer) error {
	var complaints, open int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status NOT IN ('closed', 'rejected', 'duplicate'))
		FROM complaints`).Scan(&complaints, &open); err != nil {
		return err
	}
	if complaints == c.Complaints && open == c.Open {
		fmt.Fprintln(out, "data set: reused")
		return nil
	}
	if complaints != 0 {
		return fmt.Errorf("schema %s holds %d complaints (%d open), not %d (%d): run with --fresh", c.Schema, complaints, open, c.Complaints, c.Open)
	}
	start := time.Now()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	for _, step := range dashboardSeed(c, time.Now().UTC()) {
		t0 := time.Now()
		if _, err := conn.Exec(ctx, step.sql); err != nil {
			return fmt.Errorf("seed %s: %w", step.what, err)
		}
		fmt.Fprintf(out, "  seeded %-40s %s\n", step.what, time.Since(t0).Round(time.Millisecond))
	}
	fmt.Fprintf(out, "data set: generated in %s\n", time.Since(start).Round(time.Second))
	return nil
}

type seedStep struct{ what, sql string }

// dashboardSeed is the data set as set-based SQL: the catalogue of Haikou's
// four districts (24 categories, a unit per district and department), the
// citizens, and the complaints filed evenly over the year before now, their
// timelines and 回访 answers (counted on their complaints' rows, as
// store/stats.go keeps them). The newest c.Open complaints are open; the
// rest are closed (93 %), rejected (3 %) or me-too duplicates (4 %).
// Categories are skewed (a few dominate), a fifth of the orders miss a
// deadline, one in twenty is reworked.
func dashboardSeed(c dashboardBenchConfig, now time.Time) []seedStep {
	n, open := c.Complaints, c.Open
	at := now.Format(time.RFC3339Nano)
	departments := []string{guanjia.DeptSanitation, guanjia.DeptMunicipal, guanjia.DeptWater, "园林", "交通", "市场监管"}
	var units []string
	for d, district := range []string{"龙华区", "秀英区", "琼山区", "美兰区"} {
		for k, dept := range departments {
			units = append(units, fmt.Sprintf("('u%d-%d', '%s%s管理所', '%s', '%s')", d, k, district, dept, dept, district))
		}
	}
	var cats []string
	for i := range 24 {
		cats = append(cats, fmt.Sprintf("('c%02d', '城市管家类别%d', '事件', '市容环境', '%s', %t, 300, 1800, 86400, 'natural', 50, '%s')",
			i, i, departments[i%len(departments)], i%2 == 0, at))
	}
	return []seedStep{
		{"units and categories", "INSERT INTO units (code, name, department, district) VALUES " + strings.Join(units, ", ") + ";\n" +
			"INSERT INTO categories (code, name, kind, major, department, point_to_point, accept_within_s, arrive_within_s, " +
			"resolve_within_s, resolve_mode, duplicate_radius_m, updated_at) VALUES " + strings.Join(cats, ", ")},
		{fmt.Sprintf("%d citizens", c.Citizens), fmt.Sprintf(`INSERT INTO users (id, role, name, created_at)
			SELECT i, 'citizen', '市民' || i, '%s'::timestamptz - interval '400 days' FROM generate_series(1, %d) i;
			SELECT setval(pg_get_serial_sequence('users', 'id'), %d)`, at, c.Citizens, c.Citizens)},
		{fmt.Sprintf("%d complaints", n), fmt.Sprintf(`SELECT setseed(0.16);
			INSERT INTO complaints (id, category, description, lat, lng, coord_system, address, source, reporter_id, status,
				grid_id, district, unit_code, attempt, duplicate_of, reopen_count, missed_deadlines, manual_escalations,
				missed_accepts, overdue, accept_by, arrive_by, resolve_by, dispatched_at, accepted_at, arrived_at, resolved_at,
				closed_at, version, rating, created_at, updated_at)
			SELECT i, 'c' || lpad(cat::text, 2, '0'), '城市管家巡查发现问题 #' || i, 19.95 + 0.1 * r1, 110.2 + 0.4 * r2, 'gcj02',
				'海口市第' || (i %% 997) || '号', (ARRAY['miniprogram', 'hotline', 'patrol', 'patrol'])[1 + (i %% 4)],
				reporter, status, 'g' || d || '-' || (i %% 50), (ARRAY['龙华区', '秀英区', '琼山区', '美兰区'])[d + 1],
				'u' || d || '-' || (cat %% 6), CASE WHEN status = 'submitted' THEN 0 ELSE 1 END,
				CASE WHEN status = 'duplicate' THEN greatest(1, i - 1 - (r3 * 50)::int) END,
				CASE WHEN r4 < 0.05 AND status <> 'duplicate' THEN 1 ELSE 0 END,
				CASE WHEN r5 < 0.2 THEN 1 + (r5 * 10)::int ELSE 0 END, CASE WHEN r6 < 0.02 THEN 1 ELSE 0 END,
				CASE WHEN accepted > t + interval '5 minutes' THEN 1 ELSE 0 END, resolved > t + interval '1 day',
				t + interval '5 minutes', CASE WHEN cat %% 2 = 0 THEN t + interval '30 minutes' END, t + interval '1 day',
				CASE WHEN status <> 'submitted' THEN t END,
				CASE WHEN status NOT IN ('submitted', 'dispatched', 'duplicate') THEN accepted END,
				CASE WHEN cat %% 2 = 0 AND status NOT IN ('submitted', 'dispatched', 'accepted', 'duplicate', 'rejected') THEN accepted + r7 * interval '40 minutes' END,
				CASE WHEN status IN ('resolved', 'closed') THEN resolved END, CASE WHEN status = 'closed' THEN resolved + interval '2 hours' END,
				1, 0, t, t
			FROM (
				SELECT i, t, cat, d, r1, r2, r3, r4, r5, r6, r7, 1 + (random() * %d)::bigint %% %d AS reporter,
					t + random() * interval '12 minutes' AS accepted, t + random() * random() * interval '60 hours' AS resolved,
					CASE WHEN i > %d THEN (ARRAY['submitted', 'dispatched', 'accepted', 'on_site', 'resolved', 'returned'])[1 + (i %% 6)]
						WHEN r3 < 0.04 THEN 'duplicate' WHEN r3 < 0.07 THEN 'rejected' ELSE 'closed' END AS status
				FROM (
					SELECT i, '%s'::timestamptz - (%d - i) * interval '365 days' / %d AS t, floor(24 * random() ^ 2)::int AS cat,
						floor(4 * random())::int AS d, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6, random() r7
					FROM generate_series(1, %d) i
				) g
			) h;
			SELECT setval(pg_get_serial_sequence('complaints', 'id'), %d)`,
			c.Citizens, c.Citizens, n-open, at, n, n, n, n)},
		{"their timelines", `INSERT INTO complaint_events (complaint_id, action, from_status, to_status, actor_role, unit_code, at)
			SELECT c.id, e.action, e.from_status, e.to_status, e.role, c.unit_code, e.at
			FROM complaints c CROSS JOIN LATERAL (VALUES
				('create', '', 'submitted', 'citizen', c.created_at),
				('dispatch', 'submitted', 'dispatched', 'dispatcher', c.dispatched_at),
				('accept', 'dispatched', 'accepted', 'crew', c.accepted_at),
				('arrive', 'accepted', 'on_site', 'crew', c.arrived_at),
				('resolve', 'on_site', 'resolved', 'crew', c.resolved_at),
				('close', 'resolved', 'closed', 'dispatcher', c.closed_at)
			) AS e (action, from_status, to_status, role, at)
			WHERE e.at IS NOT NULL
			ORDER BY c.id`},
		{"回访 answers and me-too followers", `SELECT setseed(0.47);
			INSERT INTO complaint_ratings (complaint_id, round, channel, solved, score, created_at)
			SELECT id, round, CASE WHEN random() < 0.6 THEN 'miniprogram' ELSE 'phone' END,
				CASE WHEN random() < 0.8 THEN random() < 0.85 END,
				CASE WHEN random() < 0.8 THEN 3 WHEN random() < 0.6 THEN 2 ELSE 1 END, closed_at
			FROM complaints CROSS JOIN LATERAL generate_series(0, reopen_count) AS round
			WHERE status = 'closed' AND random() < 0.7;
			UPDATE complaints SET kpi_ratings = a.ratings, kpi_satisfied = a.satisfied, kpi_solved_answers = a.solved_answers,
				kpi_solved = a.solved
			FROM (SELECT complaint_id, count(*) AS ratings, count(*) FILTER (WHERE score >= 2) AS satisfied,
					count(solved) AS solved_answers, count(*) FILTER (WHERE solved) AS solved
				FROM complaint_ratings GROUP BY complaint_id) a
			WHERE complaints.id = a.complaint_id;
			INSERT INTO complaint_followers (complaint_id, user_id)
			SELECT duplicate_of, reporter_id FROM complaints WHERE duplicate_of IS NOT NULL ON CONFLICT DO NOTHING`},
		{"statistics (VACUUM ANALYZE)", "VACUUM ANALYZE"},
	}
}

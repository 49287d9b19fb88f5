package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/account"
	"guanjia/api"
	"guanjia/dispatch"
	"guanjia/internal/demo"
	"guanjia/live"
	"guanjia/store"
	"guanjia/worker"
)

// intakeConfig is the scale of one intake run.
type intakeConfig struct {
	n, clients      int
	pending, timers int
	poll            time.Duration
	cpuprofile      string
	databaseURL     string // with the run's own schema
	redis           *redis.Options
	dataDir         string // photos, were any uploaded
}

// intakeCategories are the demo categories the load files under.
var intakeCategories = []string{"0101", "0201", "0401", "1101", "1102", "1103", "1201", "1202", "1301"}

// benchIntake measures the complaint intake path against PostgreSQL + Redis:
// complaints/s and latency at N concurrent HTTP clients, the same for a raw
// baseline (one INSERT through pgx + one asynq enqueue per item), dispatch
// latency, and SLA timer lateness with 100,000 pending timers. It works in
// its own PostgreSQL schema (dropped afterwards) and empties the Redis
// database that --flush-redis-db names.
func benchIntake(ctx context.Context, e env, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("intake", flag.ContinueOnError)
	fs.SetOutput(out)
	c := intakeConfig{}
	fs.IntVar(&c.n, "n", 20000, "complaints to file")
	fs.IntVar(&c.clients, "clients", 32, "concurrent clients")
	fs.IntVar(&c.pending, "pending", 100000, "pending timers while measuring lateness")
	fs.IntVar(&c.timers, "timers", 2000, "timers due during the lateness measurement")
	fs.DurationVar(&c.poll, "poll", 250*time.Millisecond, "the worker's poll interval (GUANJIA_TIMER_POLL of production)")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the intake run to this file")
	flushDB := flushFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := needPostgres(e.DatabaseURL); err != nil {
		return err
	}
	var err error
	if c.redis, err = flushableRedis(e.RedisURL, *flushDB); err != nil {
		return err
	}
	if err := flushRedis(ctx, c.redis); err != nil {
		return err
	}
	schema := fmt.Sprintf("bench_%d", time.Now().Unix())
	if c.databaseURL, err = inSchema(ctx, e.DatabaseURL, schema); err != nil {
		return err
	}
	defer dropSchema(context.Background(), e.DatabaseURL, schema)
	if c.dataDir, err = os.MkdirTemp("", "guanjia-bench-"); err != nil {
		return err
	}
	defer os.RemoveAll(c.dataDir)
	return runIntake(ctx, c, out)
}

func runIntake(ctx context.Context, c intakeConfig, out io.Writer) error {
	srv, err := startIntakeAPI(ctx, c)
	if err != nil {
		return err
	}
	defer srv.close()
	fmt.Fprintf(out, "guanjia-bench intake: %d complaints, %d clients, PostgreSQL + Redis\n", c.n, c.clients)
	// The baseline runs before and after the intake, and counts as the mean
	// of the two: load from elsewhere on the machine weighs on both alike.
	rawBefore, err := rawIntake(ctx, c)
	if err != nil {
		return err
	}
	citizens, err := signInCitizens(srv.url, c.clients)
	if err != nil {
		return err
	}
	floor, err := httpFloor(citizens, c)
	if err != nil {
		return err
	}
	intake, dispatched, assigned, err := fileComplaints(citizens, c)
	if err != nil {
		return err
	}
	rawAfter, err := rawIntake(ctx, c)
	if err != nil {
		return err
	}
	raw := result{latencies: &latencies{d: append(rawBefore.d, rawAfter.d...)}, rate: (rawBefore.rate + rawAfter.rate) / 2}
	fmt.Fprintf(out, "intake   (HTTP API, %d clients): %8.0f complaints/s   p50 %6.1f ms   p99 %6.1f ms\n", c.clients, intake.rate, ms(intake.p(50)), ms(intake.p(99)))
	fmt.Fprintf(out, "baseline (pgx INSERT + enqueue): %8.0f items/s        p50 %6.1f ms   p99 %6.1f ms   (%.0f/s before the intake, %.0f/s after)\n",
		raw.rate, ms(raw.p(50)), ms(raw.p(99)), rawBefore.rate, rawAfter.rate)
	fmt.Fprintf(out, "ratio intake/baseline: %.2f\n", intake.rate/raw.rate)
	fmt.Fprintf(out, "http floor (GET /api/v1/me, %d clients): %8.0f requests/s  p50 %6.1f ms   p99 %6.1f ms   (%.2f × the baseline: no intake files faster)\n",
		c.clients, floor.rate, ms(floor.p(50)), ms(floor.p(99)), floor.rate/raw.rate)
	fmt.Fprintf(out, "dispatch (created → assigned to a crew, %d point-to-point): p50 %.1f ms   p99 %.1f ms\n",
		assigned, ms(dispatched.p(50)), ms(dispatched.p(99)))
	srv.close()
	verdicts := []verdict{
		{figure: fmt.Sprintf("intake, HTTP, %d clients", c.clients),
			measured: fmt.Sprintf("%.0f complaints/s, p99 %.0f ms", intake.rate, ms(intake.p(99))),
			baseline: fmt.Sprintf("%.0f items/s, p99 %.0f ms (one INSERT + one enqueue)", raw.rate, ms(raw.p(99))),
			ratio:    ratio(intake.rate, raw.rate), target: "≥ 0.5 × baseline, p99 ≤ 50 ms",
			met: intake.rate >= 0.5*raw.rate && intake.p(99) <= 50*time.Millisecond},
		{figure: "dispatch, created → assigned", measured: fmt.Sprintf("p99 %.0f ms", ms(dispatched.p(99))),
			target: "p99 ≤ 250 ms", met: dispatched.p(99) <= 250*time.Millisecond},
	}

	// Timer lateness with many pending timers, tuned poll interval vs asynq's default.
	var tuned *latencies
	for _, poll := range []time.Duration{c.poll, 0} {
		if err := flushRedis(ctx, c.redis); err != nil {
			return err
		}
		late, err := timerLateness(ctx, c.redis, poll, c.pending, c.timers)
		if err != nil {
			return err
		}
		label := fmt.Sprintf("poll %v", poll)
		if poll == 0 {
			label = "asynq default poll (5s)"
		}
		fmt.Fprintf(out, "timer lateness, %d pending, %s: p50 %6.0f ms   p99 %6.0f ms   max %6.0f ms\n",
			c.pending, label, ms(late.p(50)), ms(late.p(99)), ms(late.p(100)))
		if poll != 0 {
			tuned = late
			continue
		}
		verdicts = append(verdicts, verdict{figure: fmt.Sprintf("timer lateness, %d pending", c.pending),
			measured: fmt.Sprintf("p99 %.0f ms (poll %v)", ms(tuned.p(99)), c.poll),
			baseline: fmt.Sprintf("p99 %.0f ms (asynq's default poll)", ms(late.p(99))),
			ratio:    ratio(ms(tuned.p(99)), ms(late.p(99))), target: "p99 ≤ 1 s", met: tuned.p(99) <= time.Second})
	}
	printVerdicts(out, verdicts)
	return nil
}

// intakeAPI is the API under load, wired as `guanjia api` wires it for
// complaints: the store, dispatch with its scheduler and live queue, the
// HTTP server with its middleware. No worker runs beside it: it would
// compete for the cores with the intake being measured.
type intakeAPI struct {
	url       string
	closeOnce sync.Once
	closers   []func()
}

func (a *intakeAPI) close() {
	a.closeOnce.Do(func() {
		for i := len(a.closers) - 1; i >= 0; i-- {
			a.closers[i]()
		}
	})
}

func startIntakeAPI(ctx context.Context, c intakeConfig) (*intakeAPI, error) {
	a := &intakeAPI{}
	srv, err := a.wire(ctx, c)
	if err != nil {
		a.close()
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.close()
		return nil, err
	}
	serveCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(serveCtx, l) }()
	a.closers = append(a.closers, func() { stop(); <-done })
	a.url = "http://" + l.Addr().String()
	return a, nil
}

// wire opens the store on the run's schema with the demo city in it and
// builds the server; a.close releases what it opened.
func (a *intakeAPI) wire(ctx context.Context, c intakeConfig) (*api.Server, error) {
	db, err := store.Open(c.databaseURL, "bench-secret")
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	if err := demo.Seed(ctx, db, io.Discard); err != nil {
		return nil, err
	}
	if err := addCitizens(ctx, db, c.clients); err != nil {
		return nil, err
	}
	rdb := redis.NewClient(c.redis)
	qopt := asynq.RedisClientOpt{Addr: c.redis.Addr, DB: c.redis.DB, Password: c.redis.Password}
	aq, inspect := asynq.NewClient(qopt), asynq.NewInspector(qopt)
	a.closers = append(a.closers, func() { aq.Close(); inspect.Close(); rdb.Close() })
	router, err := dispatch.NewRouter(ctx, db.Complaints)
	if err != nil {
		return nil, err
	}
	holidays, err := dispatch.LoadHolidays("")
	if err != nil {
		return nil, err
	}
	quiet := slog.New(slog.DiscardHandler)
	sched := &worker.Scheduler{Client: aq, Inspector: inspect, Notifications: db.Notifications}
	svc := dispatch.NewService(db.Complaints, sched, router, dispatch.NewCalendar(holidays, nil, nil),
		store.DiskBlobs{Dir: filepath.Join(c.dataDir, "photos")})
	svc.ArmWithin = 3 * time.Minute // as `guanjia` with its default reconcile interval (1 min)
	lv := live.New(rdb, quiet)
	svc.Log, svc.Live = quiet, lv
	return api.New(api.Config{Secret: "bench-secret"}, api.Deps{Users: db.Users, Catalog: db.Catalog, Notifications: db.Notifications,
		Idempotency: db.Idempotency, Dispatch: svc, Notices: db.Notices, Inbox: db.Notifications, Deliveries: db.Notifications, Live: lv, Redis: rdb,
		Ready: db.Ping, Registry: prometheus.NewRegistry(), Log: quiet, Now: svc.Now}), nil
}

// citizens are the load's clients: each signed in as a citizen of its own.
type citizens struct {
	base   string
	tokens []string
	client *http.Client
}

func signInCitizens(base string, n int) (*citizens, error) {
	cs := &citizens{base: base, tokens: make([]string, n), client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}}
	for i := range cs.tokens {
		var err error
		if cs.tokens[i], err = signIn(base, citizenName(i)); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// do sends req as client i's citizen.
func (cs *citizens) do(i int, req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+cs.tokens[i%len(cs.tokens)])
	return cs.client.Do(req)
}

// httpFloor times the cheapest signed-in request, GET /api/v1/me (the
// session is cached, nothing is written), at the intake's concurrency: the
// HTTP server, its middleware and the load's own clients, sharing the
// cores as the intake does. No intake can file faster than this.
func httpFloor(cs *citizens, c intakeConfig) (result, error) {
	return measure(c.n, c.clients, func(i int, _ *rand.Rand) error {
		req, _ := http.NewRequest("GET", cs.base+"/api/v1/me", nil)
		res, err := cs.do(i, req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /api/v1/me answered %d", res.StatusCode)
		}
		_, err = io.Copy(io.Discard, res.Body)
		return err
	})
}

// fileComplaints files c.n complaints through the HTTP API, each client
// sending an Idempotency-Key as the mini-program does, timing each and, for
// point-to-point ones, the time until a crew member was assigned (in the
// same transaction, so: the answer's arrival).
func fileComplaints(cs *citizens, c intakeConfig) (result, *latencies, int64, error) {
	if c.cpuprofile != "" {
		f, err := os.Create(c.cpuprofile)
		if err != nil {
			return result{}, nil, 0, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return result{}, nil, 0, err
		}
		defer pprof.StopCPUProfile()
	}
	grids := demo.GridCentres()
	var assigned atomic.Int64
	dispatched := &latencies{}
	r, err := measure(c.n, c.clients, func(i int, rng *rand.Rand) error {
		p := grids[rng.IntN(len(grids))]
		body, _ := json.Marshal(map[string]any{"category": intakeCategories[rng.IntN(len(intakeCategories))], "description": "压测: 路面问题",
			"lat": p[0] + (rng.Float64()-0.5)*0.012, "lng": p[1] + (rng.Float64()-0.5)*0.012, "coord_system": "wgs84"})
		req, _ := http.NewRequest("POST", cs.base+"/api/v1/complaints", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", i)) // as the mini-program sends with every POST
		start := time.Now()
		res, err := cs.do(i, req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		var created struct {
			Assignee *int64 `json:"assignee"`
		}
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("intake answered %d", res.StatusCode)
		}
		if err := json.NewDecoder(res.Body).Decode(&created); err != nil {
			return err
		}
		if created.Assignee != nil {
			assigned.Add(1)
			dispatched.add(time.Since(start))
		}
		return nil
	})
	return r, dispatched, assigned.Load(), err
}

// rawIntake is the baseline: one INSERT through pgx and one asynq enqueue
// per item. It writes to a copy of the complaints table with the same
// indexes, so that its rows are neither duplicates nor load for the intake.
func rawIntake(ctx context.Context, c intakeConfig) (result, error) {
	pool, err := pgxpool.New(ctx, c.databaseURL)
	if err != nil {
		return result{}, err
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS raw_complaints (LIKE complaints INCLUDING DEFAULTS INCLUDING INDEXES,
		FOREIGN KEY (category) REFERENCES categories (code), FOREIGN KEY (reporter_id) REFERENCES users (id))`); err != nil {
		return result{}, err
	}
	aq := asynq.NewClient(asynq.RedisClientOpt{Addr: c.redis.Addr, DB: c.redis.DB, Password: c.redis.Password})
	defer aq.Close()
	reporters := make([]int64, c.clients)
	for i := range reporters {
		if err := pool.QueryRow(ctx, "SELECT id FROM users WHERE username = $1", citizenName(i)).Scan(&reporters[i]); err != nil {
			return result{}, err
		}
	}
	grids := demo.GridCentres()
	return measure(c.n, c.clients, func(i int, rng *rand.Rand) error {
		p := grids[rng.IntN(len(grids))]
		now := time.Now().UTC()
		var id int64
		err := pool.QueryRow(ctx, `INSERT INTO raw_complaints (category, description, lat, lng, coord_system, source, reporter_id, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'wgs84', 'miniprogram', $5, 'submitted', $6, $6) RETURNING id`,
			intakeCategories[rng.IntN(len(intakeCategories))], "压测: 路面问题", p[0], p[1], reporters[i%len(reporters)], now).Scan(&id)
		if err != nil {
			return err
		}
		task, opts, _ := worker.NewSLATask(dispatch.Timer{ComplaintID: id, Kind: dispatch.TimerAccept, Seq: 1, DueAt: now.Add(time.Hour)})
		_, err = aq.EnqueueContext(ctx, task, opts...)
		return err
	})
}

// timerLateness schedules `pending` far-future SLA timers as load, then
// `count` timers due on whole seconds over the next 10 s, and records how
// late each handler starts after its due time.
func timerLateness(ctx context.Context, ropt *redis.Options, poll time.Duration, pending, count int) (*latencies, error) {
	conn := asynq.RedisClientOpt{Addr: ropt.Addr, DB: ropt.DB, Password: ropt.Password}
	aq := asynq.NewClient(conn)
	defer aq.Close()
	far := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	if _, err := measure(pending, 16, func(i int, _ *rand.Rand) error {
		task, opts, _ := worker.NewSLATask(dispatch.Timer{ComplaintID: int64(1_000_000 + i), Kind: dispatch.TimerResolve, Seq: 1, DueAt: far})
		_, err := aq.EnqueueContext(ctx, task, opts...)
		return err
	}); err != nil {
		return nil, err
	}
	late := &latencies{}
	var done sync.WaitGroup
	done.Add(count)
	mux := asynq.NewServeMux()
	mux.HandleFunc(worker.TypeSLAArrive, func(_ context.Context, t *asynq.Task) error {
		var p worker.SLAPayload
		json.Unmarshal(t.Payload(), &p)
		late.add(time.Since(time.Unix(p.Seq, 0)))
		done.Done()
		return nil
	})
	srv := worker.NewServer(conn, worker.Config{Concurrency: 20, PollInterval: poll, ShutdownTimeout: 5 * time.Second},
		slog.New(slog.DiscardHandler))
	if err := srv.Start(mux); err != nil {
		return nil, err
	}
	defer srv.Shutdown()
	start := time.Now().Add(2 * time.Second).Truncate(time.Second)
	for i := 0; i < count; i++ {
		due := start.Add(time.Duration(i%10) * time.Second)
		// Seq carries the due time so the handler can compute lateness.
		task, opts, _ := worker.NewSLATask(dispatch.Timer{ComplaintID: int64(i + 1), Kind: dispatch.TimerArrive, Seq: due.Unix(), DueAt: due})
		if _, err := aq.EnqueueContext(ctx, task, opts...); err != nil {
			return nil, err
		}
	}
	waited := make(chan struct{})
	go func() { done.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(60 * time.Second):
		return nil, errors.New("timers did not all fire within 60 s")
	}
	return late, nil
}

// addCitizens adds n citizens with the demo password, one for each client:
// a city's reports come from many people, and the load (and its row locks
// on the reporter) is spread over them as it would be.
func addCitizens(ctx context.Context, db *store.DB, n int) error {
	hash, err := account.HashPassword(demo.Password)
	if err != nil {
		return err
	}
	for i := range n {
		if err := db.Users.CreateUser(ctx, &guanjia.User{Username: citizenName(i), Role: guanjia.RoleCitizen,
			Name: fmt.Sprintf("压测市民%02d", i), PasswordHash: hash}); err != nil {
			return err
		}
	}
	return nil
}

func citizenName(i int) string { return fmt.Sprintf("bench-citizen-%02d", i) }

// signIn signs a citizen in and answers the bearer token.
func signIn(base, username string) (string, error) {
	res, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, username, demo.Password)))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var a struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil || a.Token == "" {
		return "", fmt.Errorf("sign in: %d %v", res.StatusCode, err)
	}
	return a.Token, nil
}

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
	"net/url"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"guanjia/dispatch"
	"guanjia/worker"
)

// benchmarks are the `guanjia bench NAME` commands. Each prints its figures
// beside a baseline measured in the same run.
var benchmarks = map[string]func(ctx context.Context, cfg Config, args []string, out io.Writer) error{
	"intake": benchIntake,
}

func runBench(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	if len(args) == 0 || benchmarks[args[0]] == nil {
		names := make([]string, 0, len(benchmarks))
		for n := range benchmarks {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("usage: guanjia bench %s", strings.Join(names, "|"))
	}
	return benchmarks[args[0]](ctx, cfg, args[1:], out)
}

// benchIntake measures the complaint intake path against PostgreSQL + Redis:
// complaints/s and latency at N concurrent HTTP clients, the same for a raw
// baseline (one INSERT through pgx + one asynq enqueue per item), dispatch
// latency, and SLA timer lateness with 100,000 pending timers. It works in
// its own PostgreSQL schema (dropped afterwards) and FLUSHES the Redis
// database named by REDIS_URL: point it at a throwaway one.
func benchIntake(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench intake", flag.ContinueOnError)
	n := fs.Int("n", 20000, "complaints to file")
	clients := fs.Int("clients", 32, "concurrent clients")
	pending := fs.Int("pending", 100000, "pending timers while measuring lateness")
	timers := fs.Int("timers", 2000, "timers due during the lateness measurement")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the intake run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(cfg.DatabaseURL, "postgres") || cfg.RedisURL == "" {
		return errors.New("bench intake needs DATABASE_URL (PostgreSQL) and REDIS_URL (a Redis database it may flush)")
	}
	schema := fmt.Sprintf("bench_%d", time.Now().Unix())
	admin, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return err
	}
	defer admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	cfg.DatabaseURL = u.String()
	ropt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return err
	}
	rc := redis.NewClient(ropt)
	defer rc.Close()
	if err := rc.FlushDB(ctx).Err(); err != nil {
		return err
	}
	if cfg.Secret == "" {
		cfg.Secret = "bench-secret"
	}
	cfg.LogLevel = "error"

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, Out: io.Discard, Listener: l, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	// The API alone: the worker would compete for the two cores with the intake
	// being measured, and the lateness run below measures the queue by itself.
	if err := m.Start(ctx, ModeAPI); err != nil {
		return err
	}
	defer m.Close()
	if err := seedDemo(ctx, m.DB, io.Discard); err != nil {
		return err
	}
	if err := m.Dispatch.Router.Reload(ctx); err != nil {
		return err
	}
	token, err := benchLogin(m.URL)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "guanjia bench intake: %d complaints, %d clients, PostgreSQL + Redis\n", *n, *clients)

	// 1. Intake through the HTTP API.
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
	}
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients}}
	grids := demoPoints()
	cats := []string{"0101", "0201", "0401", "1101", "1102", "1103", "1201", "1202", "1301"}
	var assigned atomic.Int64
	dispatchLat := newLatencies()
	intake, err := measure(*n, *clients, func(i int, rng *rand.Rand) error {
		p := grids[rng.IntN(len(grids))]
		body, _ := json.Marshal(map[string]any{"category": cats[rng.IntN(len(cats))], "description": "压测: 路面问题",
			"lat": p[0] + (rng.Float64()-0.5)*0.012, "lng": p[1] + (rng.Float64()-0.5)*0.012, "coord_system": "wgs84"})
		req, _ := http.NewRequest("POST", m.URL+"/api/v1/complaints", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		res, err := httpClient.Do(req)
		if err != nil {
			return err
		}
		var c struct {
			Assignee *int64 `json:"assignee"`
		}
		err = json.NewDecoder(res.Body).Decode(&c)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("intake answered %d", res.StatusCode)
		}
		if c.Assignee != nil {
			// Routing and assignment are part of the intake transaction: a
			// point-to-point complaint is assigned when the answer arrives.
			assigned.Add(1)
			dispatchLat.add(time.Since(start))
		}
		return err
	})
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}

	// 2. The raw baseline: one INSERT through pgx and one asynq enqueue per item.
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	aq := asynq.NewClient(asynq.RedisClientOpt{Addr: ropt.Addr, DB: ropt.DB, Password: ropt.Password})
	defer aq.Close()
	var reporter int64
	if err := pool.QueryRow(ctx, "SELECT id FROM users WHERE username = 'citizen'").Scan(&reporter); err != nil {
		return err
	}
	raw, err := measure(*n, *clients, func(i int, rng *rand.Rand) error {
		p := grids[rng.IntN(len(grids))]
		now := time.Now().UTC()
		var id int64
		err := pool.QueryRow(ctx, `INSERT INTO complaints (category, description, lat, lng, coord_system, source, reporter_id, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'wgs84', 'miniprogram', $5, 'submitted', $6, $6) RETURNING id`,
			cats[rng.IntN(len(cats))], "压测: 路面问题", p[0], p[1], reporter, now).Scan(&id)
		if err != nil {
			return err
		}
		task, opts, _ := worker.NewSLATask(dispatch.Timer{ComplaintID: id, Kind: dispatch.TimerAccept, Seq: 1, DueAt: now.Add(time.Hour)})
		_, err = aq.EnqueueContext(ctx, task, opts...)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "intake   (HTTP API, %d clients): %8.0f complaints/s   p50 %6.1f ms   p99 %6.1f ms\n", *clients, intake.rate, ms(intake.p(50)), ms(intake.p(99)))
	fmt.Fprintf(out, "baseline (pgx INSERT + enqueue): %8.0f items/s        p50 %6.1f ms   p99 %6.1f ms\n", raw.rate, ms(raw.p(50)), ms(raw.p(99)))
	fmt.Fprintf(out, "ratio intake/baseline: %.2f\n", intake.rate/raw.rate)
	fmt.Fprintf(out, "dispatch (created → assigned to a crew, %d point-to-point): p50 %.1f ms   p99 %.1f ms\n",
		assigned.Load(), ms(dispatchLat.p(50)), ms(dispatchLat.p(99)))
	m.Close()

	// 3. Timer lateness with many pending timers, tuned poll interval vs asynq's default.
	for _, poll := range []time.Duration{cfg.TimerPoll, 0} {
		if err := rc.FlushDB(ctx).Err(); err != nil {
			return err
		}
		late, err := timerLateness(ctx, ropt, poll, *pending, *timers)
		if err != nil {
			return err
		}
		label := fmt.Sprintf("poll %v", poll)
		if poll == 0 {
			label = "asynq default poll (5s)"
		}
		fmt.Fprintf(out, "timer lateness, %d pending, %s: p50 %6.0f ms   p99 %6.0f ms   max %6.0f ms\n",
			*pending, label, ms(late.p(50)), ms(late.p(99)), ms(late.p(100)))
	}
	return nil
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
	late := newLatencies()
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
		slog.New(slog.NewJSONHandler(io.Discard, nil)))
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

func benchLogin(base string) (string, error) {
	res, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"username":"citizen","password":%q}`, demoPassword)))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var a struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil || a.Token == "" {
		return "", fmt.Errorf("bench login: %d %v", res.StatusCode, err)
	}
	return a.Token, nil
}

// demoPoints are the centres of the demo grids.
func demoPoints() [][2]float64 {
	var out [][2]float64
	for _, d := range demoDistricts {
		for r := 0; r < d.rows; r++ {
			for c := 0; c < d.cols; c++ {
				out = append(out, [2]float64{d.minLat + (float64(r)+0.5)*d.cellLat, d.minLng + (float64(c)+0.5)*d.cellLng})
			}
		}
	}
	return out
}

// latencies collects durations safely from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func newLatencies() *latencies { return &latencies{} }

func (l *latencies) add(d time.Duration) { l.mu.Lock(); l.d = append(l.d, d); l.mu.Unlock() }

// p returns the q-th percentile (0..100).
func (l *latencies) p(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	i := int(q / 100 * float64(len(l.d)-1))
	return l.d[i]
}

type result struct {
	*latencies
	rate float64
}

// measure runs fn n times over `workers` goroutines and records each call's latency.
func measure(n, workers int, fn func(i int, rng *rand.Rand) error) (result, error) {
	lat := newLatencies()
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, seed*7919))
			for {
				i := int(next.Add(1)) - 1
				if i >= n || firstErr.Load() != nil {
					return
				}
				t0 := time.Now()
				if err := fn(i, rng); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				lat.add(time.Since(t0))
			}
		}(uint64(w + 1))
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return result{}, err
	}
	return result{latencies: lat, rate: float64(n) / time.Since(start).Seconds()}, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

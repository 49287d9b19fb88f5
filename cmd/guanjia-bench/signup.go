package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/store"
	"guanjia/volunteer"
	"guanjia/worker"
)

// benchSignup is the flash crowd of the volunteer platform: --people
// certified volunteers (10,000) sign up at the same instant for an activity
// with --capacity places (100), on PostgreSQL and Redis (reminders and
// confirmations are queued on asynq as in production). It checks that
// exactly that many are confirmed and the rest waitlisted in order, and
// reports signups per second and latency beside a baseline of as many plain
// single-row inserts made the same way in the same run. It works in its own
// PostgreSQL schema (dropped afterwards) and empties the Redis database that
// --flush-redis-db names.
func benchSignup(ctx context.Context, e env, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("signup", flag.ContinueOnError)
	fs.SetOutput(out)
	people := fs.Int("people", 10000, "volunteers who sign up at once")
	capacity := fs.Int("capacity", 100, "places of the activity")
	flushDB := flushFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *capacity < 1 || *people <= *capacity {
		return errors.New("--people must be more than --capacity, and --capacity at least 1")
	}
	if err := needPostgres(e.DatabaseURL); err != nil {
		return err
	}
	ropt, err := flushableRedis(e.RedisURL, *flushDB)
	if err != nil {
		return err
	}
	if err := flushRedis(ctx, ropt); err != nil {
		return err
	}
	schema := fmt.Sprintf("signup_bench_%d", time.Now().Unix())
	url, err := inSchema(ctx, e.DatabaseURL, schema)
	if err != nil {
		return err
	}
	defer dropSchema(context.Background(), e.DatabaseURL, schema)
	db, err := store.Open(url, "bench-secret")
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	return runSignup(ctx, db, ropt, *people, *capacity, out)
}

// crowdRun is one flash crowd: the platform, its team and the crowd.
type crowdRun struct {
	db          *store.DB
	svc         *volunteer.Service
	now         time.Time
	admin, lead guanjia.Claims
	team        int64
	crowd       []int64
}

func runSignup(ctx context.Context, db *store.DB, ropt *redis.Options, people, capacity int, out io.Writer) error {
	qopt := asynq.RedisClientOpt{Addr: ropt.Addr, DB: ropt.DB, Password: ropt.Password}
	client, inspect := asynq.NewClient(qopt), asynq.NewInspector(qopt)
	defer client.Close()
	defer inspect.Close()
	sched := &worker.Scheduler{Client: client, Inspector: inspect, Notifications: db.Notifications}
	r := &crowdRun{db: db, now: time.Now().UTC()}
	r.svc = volunteer.NewService(db.Volunteers, sched, guanjia.NoContentCheck{},
		volunteer.ClockFunc(func() time.Time { return r.now }), "bench")
	r.svc.Log = slog.New(slog.DiscardHandler)
	if err := r.gather(ctx, people); err != nil {
		return err
	}
	base, err := r.publish(ctx, guanjia.MaxActivityCapacity, 72*time.Hour)
	if err != nil {
		return err
	}
	// Baseline: the same crowd, each person one plain INSERT of a signup row
	// in its own transaction, with no admission rule at all.
	g := db.Gorm()
	baseline := rush(r.crowd, func(user int64) error {
		return g.WithContext(ctx).Exec(`INSERT INTO volunteer_signups (activity_id, user_id, status, created_at, updated_at)
			VALUES (?, ?, 'confirmed', now(), now())`, base.ID, user).Error
	})
	a, err := r.publish(ctx, capacity, 96*time.Hour) // a day after the baseline's: nobody holds two signups at once
	if err != nil {
		return err
	}
	told := &toldPositions{positions: map[int64]int{}}
	flash := rush(r.crowd, func(user int64) error {
		su, err := r.svc.Signups.Signup(ctx, guanjia.Claims{UserID: user, Role: guanjia.RoleCitizen}, a.ID)
		if err == nil {
			told.add(su)
		}
		return err
	})
	if baseline.errors > 0 || flash.errors > 0 {
		return fmt.Errorf("errors: baseline %d, signups %d (first: %v)", baseline.errors, flash.errors, flash.first)
	}
	confirmed, waiting, err := r.check(ctx, a.ID, capacity, told)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "flash crowd: %d signups for %d places in %s: %.0f/s, p50 %s, p99 %s; %d confirmed, %d waitlisted in order, 0 oversold\n",
		people, capacity, flash.elapsed.Round(time.Millisecond), flash.perSecond(), flash.quantile(0.5).Round(time.Millisecond),
		flash.quantile(0.99).Round(time.Millisecond), confirmed, waiting)
	fmt.Fprintf(out, "plain-insert baseline: %d single-row inserts in %s: %.0f/s, p50 %s, p99 %s\n", people,
		baseline.elapsed.Round(time.Millisecond), baseline.perSecond(), baseline.quantile(0.5).Round(time.Millisecond),
		baseline.quantile(0.99).Round(time.Millisecond))
	printVerdicts(out, []verdict{{figure: "signup flash crowd", measured: fmt.Sprintf("%.0f signups/s, 0 oversold", flash.perSecond()),
		baseline: fmt.Sprintf("%.0f inserts/s (plain single-row inserts)", baseline.perSecond()),
		ratio:    ratio(flash.perSecond(), baseline.perSecond()), target: "≥ 5,000/s, 0 oversold", met: flash.perSecond() >= 5000}})
	return nil
}

// gather loads an admin, people certified volunteers and a team lead in
// bulk (not timed), and certifies the lead's team.
func (r *crowdRun) gather(ctx context.Context, people int) error {
	admin := &guanjia.User{Username: "bench-admin", Role: guanjia.RoleAdmin}
	if err := r.db.Users.CreateUser(ctx, admin); err != nil {
		return err
	}
	r.admin = guanjia.Claims{UserID: admin.ID, Role: guanjia.RoleAdmin}
	g := r.db.Gorm()
	if err := g.Exec(`INSERT INTO users (username, role, created_at) SELECT 'crowd-' || n, 'citizen', now() FROM generate_series(1, ?) AS n`, people+2).Error; err != nil {
		return err
	}
	if err := g.Exec(`INSERT INTO volunteers (user_id, name, id_number_enc, id_number_hash, certified_at)
		SELECT id, '志愿者', '', 'crowd-' || id, now() FROM users WHERE username LIKE 'crowd-%'`).Error; err != nil {
		return err
	}
	var ids []int64
	if err := g.Raw("SELECT id FROM users WHERE username LIKE 'crowd-%' ORDER BY id").Scan(&ids).Error; err != nil {
		return err
	}
	r.crowd, r.lead = ids[:people], guanjia.Claims{UserID: ids[people], Role: guanjia.RoleCitizen}
	lat, lng := 20.03, 110.33
	tm, err := r.svc.Teams.ApplyTeam(ctx, r.lead, volunteer.TeamInput{Name: "快闪测试队", Organisation: "海口", ContactName: "陈",
		ContactPhone: "13800000000", District: "龙华区", Lat: &lat, Lng: &lng})
	if err != nil {
		return err
	}
	r.team = tm.ID
	_, err = r.svc.Teams.ReviewTeam(ctx, r.admin, tm.ID, true, "")
	return err
}

// publish creates, submits and approves an activity starting ahead from now.
func (r *crowdRun) publish(ctx context.Context, capacity int, ahead time.Duration) (*guanjia.Activity, error) {
	lat, lng := 20.0405, 110.3222 // 万绿园
	start := r.now.Add(ahead)
	a, err := r.svc.Activities.CreateActivity(ctx, r.lead, volunteer.ActivityInput{TeamID: r.team, Title: "快闪", Address: "万绿园",
		Lat: &lat, Lng: &lng, StartAt: start, EndAt: start.Add(3 * time.Hour), Capacity: capacity})
	if err != nil {
		return nil, err
	}
	if _, err := r.svc.Activities.SubmitActivity(ctx, r.lead, a.ID); err != nil {
		return nil, err
	}
	return r.svc.Activities.ReviewActivity(ctx, r.admin, a.ID, true, "")
}

// toldPositions is what each volunteer was told: confirmed, or their place on the waitlist.
type toldPositions struct {
	mu        sync.Mutex
	confirmed int
	positions map[int64]int // signup → the waitlist position its volunteer was told
}

func (t *toldPositions) add(su *guanjia.Signup) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if su.Status == guanjia.SignupConfirmed {
		t.confirmed++
	} else {
		t.positions[su.ID] = su.Position
	}
}

// check verifies the outcome: exactly capacity confirmed, the waitlist
// 1..n in ticket order, as each volunteer was told.
func (r *crowdRun) check(ctx context.Context, activityID int64, capacity int, told *toldPositions) (confirmed, waiting int, err error) {
	people := len(r.crowd)
	rows, err := r.db.Volunteers.ListSignups(ctx, volunteer.SignupFilter{ActivityID: activityID, Limit: 2 * people})
	if err != nil {
		return 0, 0, err
	}
	for _, su := range rows {
		switch su.Status {
		case guanjia.SignupConfirmed:
			confirmed++
		case guanjia.SignupWaitlisted:
			waiting++
			if told.positions[su.ID] != waiting || su.Position != waiting {
				return 0, 0, fmt.Errorf("signup %d is %d on the waitlist but was told %d", su.ID, waiting, told.positions[su.ID])
			}
		}
	}
	got, err := r.db.Volunteers.FindActivity(ctx, activityID)
	if err != nil {
		return 0, 0, err
	}
	if confirmed != capacity || told.confirmed != capacity || got.Confirmed != capacity || waiting != people-capacity || got.Waitlisted != people-capacity {
		return 0, 0, fmt.Errorf("confirmed %d (told %d, counted %d), waitlisted %d (counted %d); want %d and %d",
			confirmed, told.confirmed, got.Confirmed, waiting, got.Waitlisted, capacity, people-capacity)
	}
	return confirmed, waiting, nil
}

// rushResult is a crowd's calls, timed.
type rushResult struct {
	elapsed   time.Duration
	latencies []time.Duration // sorted
	errors    int
	first     error
}

func (r rushResult) perSecond() float64 { return float64(len(r.latencies)) / r.elapsed.Seconds() }

func (r rushResult) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[int(q*float64(len(r.latencies)-1))]
}

// rush starts one goroutine per user, releases them together and times each call.
func rush(users []int64, call func(user int64) error) rushResult {
	var (
		wg, ready sync.WaitGroup
		mu        sync.Mutex
		out       = rushResult{latencies: make([]time.Duration, 0, len(users))}
		gate      = make(chan struct{})
	)
	ready.Add(len(users))
	for _, u := range users {
		wg.Add(1)
		go func(u int64) {
			defer wg.Done()
			ready.Done()
			<-gate
			t := time.Now()
			err := call(u)
			d := time.Since(t)
			mu.Lock()
			defer mu.Unlock()
			out.latencies = append(out.latencies, d)
			if err != nil {
				if out.errors == 0 {
					out.first = err
				}
				out.errors++
			}
		}(u)
	}
	ready.Wait()
	start := time.Now()
	close(gate)
	wg.Wait()
	out.elapsed = time.Since(start)
	slices.Sort(out.latencies)
	return out
}

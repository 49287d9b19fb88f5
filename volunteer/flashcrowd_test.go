package volunteer_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/volunteer"
	"guanjia/worker"
)

// BenchmarkFlashCrowd is the flash crowd of the volunteer platform: 10,000
// certified volunteers sign up at the same instant for an activity with 100
// places, on PostgreSQL and Redis (reminders and confirmations are queued
// on asynq as in production). It checks that exactly 100 are confirmed and
// the rest waitlisted in order, and reports signups per second and latency
// beside a baseline of the same number of plain single-row inserts made the
// same way in the same run. Run it with
//
//	GUANJIA_TEST_DATABASE_URL=postgres://… GUANJIA_TEST_REDIS_URL=redis://… \
//	  go test -run '^$' -bench FlashCrowd -benchtime 1x ./volunteer/
func BenchmarkFlashCrowd(b *testing.B) {
	if !testenv.Postgres() || os.Getenv("GUANJIA_TEST_REDIS_URL") == "" {
		b.Skip("set GUANJIA_TEST_DATABASE_URL and GUANJIA_TEST_REDIS_URL: the flash crowd runs on PostgreSQL and Redis")
	}
	const people, capacity = 10000, 100
	ctx := context.Background()
	db := testenv.MustOpenDB(b)
	redis := testenv.MustRedis(b)
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: redis.Addr, DB: redis.DB, Password: redis.Password})
	defer client.Close()
	sched := &worker.Scheduler{Client: client, Notifications: db}
	clk := &clock{now: time.Now().UTC()}
	svc := volunteer.NewService(db, sched, sched, guanjia.NoContentCheck{}, clk, "bench")
	svc.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	admin := &guanjia.User{Username: "bench-admin", Role: guanjia.RoleAdmin}
	if err := db.CreateUser(ctx, admin); err != nil {
		b.Fatal(err)
	}
	adminClaims := guanjia.Claims{UserID: admin.ID, Role: guanjia.RoleAdmin}

	// 10,000 certified volunteers, loaded in bulk (not timed).
	g := db.Gorm()
	if err := g.Exec(`INSERT INTO users (username, role, created_at) SELECT 'crowd-' || n, 'citizen', now() FROM generate_series(1, ?) AS n`, people+2).Error; err != nil {
		b.Fatal(err)
	}
	if err := g.Exec(`INSERT INTO volunteers (user_id, name, id_number_enc, id_number_hash, certified_at)
		SELECT id, '志愿者', '', 'crowd-' || id, now() FROM users WHERE username LIKE 'crowd-%'`).Error; err != nil {
		b.Fatal(err)
	}
	var ids []int64
	if err := g.Raw("SELECT id FROM users WHERE username LIKE 'crowd-%' ORDER BY id").Scan(&ids).Error; err != nil {
		b.Fatal(err)
	}
	leadClaims := guanjia.Claims{UserID: ids[people], Role: guanjia.RoleCitizen}
	lat, lng := 20.03, 110.33
	tm, err := svc.ApplyTeam(ctx, leadClaims, volunteer.TeamInput{Name: "快闪测试队", Organisation: "海口", ContactName: "陈",
		ContactPhone: "13800000000", District: "龙华区", Lat: &lat, Lng: &lng})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.ReviewTeam(ctx, adminClaims, tm.ID, true, ""); err != nil {
		b.Fatal(err)
	}
	publish := func(capacity int) *guanjia.Activity {
		la, ln := placeLat, placeLng
		start := clk.Now().Add(72 * time.Hour)
		a, err := svc.CreateActivity(ctx, leadClaims, volunteer.ActivityInput{TeamID: tm.ID, Title: "快闪", Address: "万绿园",
			Lat: &la, Lng: &ln, StartAt: start, EndAt: start.Add(3 * time.Hour), Capacity: capacity})
		if err == nil {
			_, err = svc.SubmitActivity(ctx, leadClaims, a.ID)
		}
		if err == nil {
			a, err = svc.ReviewActivity(ctx, adminClaims, a.ID, true, "")
		}
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	crowd := ids[:people]

	// Baseline: the same crowd, each person one plain INSERT of a signup row
	// in its own transaction, with no admission rule at all.
	base := publish(guanjia.MaxActivityCapacity)
	baseline := rush(crowd, func(user int64) error {
		return g.WithContext(ctx).Exec(`INSERT INTO volunteer_signups (activity_id, user_id, status, created_at, updated_at)
			VALUES (?, ?, 'confirmed', now(), now())`, base.ID, user).Error
	})

	a := publish(capacity)
	var mu sync.Mutex
	positions := map[int64]int{} // signup → the position its volunteer was told
	confirmedTold := 0
	flash := rush(crowd, func(user int64) error {
		su, err := svc.Signup(ctx, guanjia.Claims{UserID: user, Role: guanjia.RoleCitizen}, a.ID)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if su.Status == guanjia.SignupConfirmed {
			confirmedTold++
		} else {
			positions[su.ID] = su.Position
		}
		return nil
	})
	if baseline.errors > 0 || flash.errors > 0 {
		b.Fatalf("errors: baseline %d, signups %d (first: %v)", baseline.errors, flash.errors, flash.first)
	}

	// Exactly 100 confirmed; the waitlist is 1..9,900 in ticket order, as told.
	rows, err := db.ListSignups(ctx, volunteer.SignupFilter{ActivityID: a.ID, Limit: 2 * people})
	if err != nil {
		b.Fatal(err)
	}
	confirmed, waiting := 0, 0
	for _, su := range rows {
		switch su.Status {
		case guanjia.SignupConfirmed:
			confirmed++
		case guanjia.SignupWaitlisted:
			waiting++
			if positions[su.ID] != waiting || su.Position != waiting {
				b.Fatalf("signup %d is %d on the waitlist but was told %d", su.ID, waiting, positions[su.ID])
			}
		}
	}
	got, _ := db.FindActivity(ctx, a.ID)
	if confirmed != capacity || confirmedTold != capacity || got.Confirmed != capacity || waiting != people-capacity || got.Waitlisted != people-capacity {
		b.Fatalf("confirmed %d (told %d, counted %d), waitlisted %d (counted %d); want %d and %d",
			confirmed, confirmedTold, got.Confirmed, waiting, got.Waitlisted, capacity, people-capacity)
	}

	b.ReportMetric(flash.perSecond(), "signups/s")
	b.ReportMetric(ms(flash.quantile(0.99)), "p99-ms")
	b.ReportMetric(baseline.perSecond(), "baseline-inserts/s")
	b.ReportMetric(ms(baseline.quantile(0.99)), "baseline-p99-ms")
	b.Logf("flash crowd: %d signups for %d places in %s: %.0f/s, p50 %s, p99 %s; %d confirmed, %d waitlisted in order, 0 oversold",
		people, capacity, flash.elapsed.Round(time.Millisecond), flash.perSecond(), flash.quantile(0.5).Round(time.Millisecond),
		flash.quantile(0.99).Round(time.Millisecond), confirmed, waiting)
	b.Logf("plain-insert baseline: %d single-row inserts in %s: %.0f/s, p50 %s, p99 %s", people,
		baseline.elapsed.Round(time.Millisecond), baseline.perSecond(), baseline.quantile(0.5).Round(time.Millisecond),
		baseline.quantile(0.99).Round(time.Millisecond))
}

type rushResult struct {
	elapsed   time.Duration
	latencies []time.Duration
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

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// rush starts one goroutine per user, releases them together and times each call.
func rush(users []int64, call func(user int64) error) rushResult {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		out   rushResult
		ready sync.WaitGroup
		gate  = make(chan struct{})
	)
	out.latencies = make([]time.Duration, 0, len(users))
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
			out.latencies = append(out.latencies, d)
			if err != nil {
				if out.errors == 0 {
					out.first = err
				}
				out.errors++
			}
			mu.Unlock()
		}(u)
	}
	ready.Wait()
	start := time.Now()
	close(gate)
	wg.Wait()
	out.elapsed = time.Since(start)
	sort.Slice(out.latencies, func(i, j int) bool { return out.latencies[i] < out.latencies[j] })
	return out
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"guanjia"
	"guanjia/internal/demo"
	"guanjia/internal/testenv"
	"guanjia/store"
)

// TestReplicasLoseNothing runs guanjia as production does — two API and two
// worker processes on one PostgreSQL and one Redis — files a few hundred
// complaints across both APIs under a short SLA drill, and meanwhile kills a
// worker with SIGKILL, empties Redis and restarts an API. Then it checks from
// the database, the source of truth, that nothing was lost or done twice.
//
// It builds the binary and takes a minute or two, so it runs only when
// GUANJIA_TEST_REPLICAS is set (.ci/run does) with PostgreSQL and Redis.
func TestReplicasLoseNothing(t *testing.T) {
	if os.Getenv("GUANJIA_TEST_REPLICAS") == "" || !testenv.Postgres() || os.Getenv("GUANJIA_TEST_REDIS_URL") == "" {
		t.Skip("set GUANJIA_TEST_REPLICAS=1 with GUANJIA_TEST_DATABASE_URL and GUANJIA_TEST_REDIS_URL")
	}
	const (
		complaints = 300
		clients    = 8
		arriveIn   = 12 * time.Second // the drill: 暴露垃圾 must be reached in 12 s, and nobody goes
		settleIn   = 3 * time.Minute  // for the timers and deliveries to settle after the faults
	)
	dir := t.TempDir()
	bin := filepath.Join(dir, "guanjia")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rdbOpt := testenv.MustRedis(t)
	env := append(os.Environ(),
		"DATABASE_URL="+testenv.DatabaseURL(t), "REDIS_URL="+testenv.RedisURL(rdbOpt),
		"GUANJIA_SECRET=replicas-test-secret", "GUANJIA_DATA_DIR="+filepath.Join(dir, "data"),
		"GUANJIA_LOG_LEVEL=warn", "GUANJIA_TIMER_POLL=200ms", "GUANJIA_RECONCILE_INTERVAL=3s",
		"GUANJIA_REQUEUE_INTERVAL=2s", "GUANJIA_METRICS_ADDR=127.0.0.1:0")
	cl := &cluster{t: t, bin: bin, dir: dir, env: env}
	for _, cmd := range [][]string{{"migrate"}, {"seed", "demo"}} {
		c := exec.Command(bin, cmd...)
		c.Env = env
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("guanjia %s: %v\n%s", strings.Join(cmd, " "), err, out)
		}
	}
	api1, api2 := cl.start("api", "api-1"), cl.start("api", "api-2")
	worker1 := cl.start("worker", "worker-1")
	cl.start("worker", "worker-2")
	t.Cleanup(cl.stopAll)

	admin := cl.login(api1.url, "admin")
	drill := map[string]any{"arrive_within_s": int(arriveIn / time.Second), "duplicate_radius_m": 0}
	if status, body := cl.post(api1.url, admin, "/api/v1/categories/1101", drill, "", http.MethodPut); status != 200 {
		t.Fatalf("drill: %d %s", status, body)
	}
	tokens := map[string]string{"citizen": cl.login(api1.url, "citizen"), "agent": cl.login(api2.url, "agent")}
	// Each replica caches the catalogue and rechecks it about once a second:
	// file nothing until the other API answers with the drill too.
	type category struct {
		Code          string
		ArriveWithinS int64 `json:"arrive_within_s"`
	}
	drilled := func(c category) bool { return c.Code == "1101" && c.ArriveWithinS == int64(arriveIn/time.Second) }
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var list struct{ Categories []category }
		_, raw := cl.post(api2.url, tokens["agent"], "/api/v1/categories", nil, "", http.MethodGet)
		json.Unmarshal(raw, &list)
		if slices.ContainsFunc(list.Categories, drilled) {
			time.Sleep(2500 * time.Millisecond) // and the intake's cached copy (store.Catalog's recheck, 1 s) with it
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("api-2 does not see the drill after 10 s: %s", raw)
		}
	}

	// File the complaints, each with its own Idempotency-Key; a request
	// that fails (its API is restarting) is retried on the other API.
	var (
		next              atomic.Int64
		retried, answered atomic.Int64
		mu                sync.Mutex
		created           = map[string]int64{} // Idempotency-Key → complaint id from the 201
	)
	centres := demo.GridCentres()
	file := func(n int) {
		key := fmt.Sprintf("replicas-%d", n)
		who := []string{"citizen", "agent"}[n%2]
		c := centres[n%len(centres)]
		body := map[string]any{"category": "1101", "description": fmt.Sprintf("第%d处暴露垃圾, 演练", n),
			"lat": c[0] + (rand.Float64()-0.5)*0.002, "lng": c[1] + (rand.Float64()-0.5)*0.002, "coord_system": "wgs84",
			"address": fmt.Sprintf("演练地址%d号", n)}
		if who == "agent" {
			body["source"], body["caller_phone"] = "hotline", fmt.Sprintf("1390000%04d", n)
		}
		urls := []string{api1.url, api2.url}
		for attempt := 0; ; attempt++ {
			base := urls[(n+attempt)%2]
			status, raw := cl.post(base, tokens[who], "/api/v1/complaints", body, key, http.MethodPost)
			if status == http.StatusCreated {
				var a struct{ ID int64 }
				json.Unmarshal(raw, &a)
				mu.Lock()
				if prev, ok := created[key]; ok && prev != a.ID {
					t.Errorf("%s answered 201 twice with different complaints: %d and %d", key, prev, a.ID)
				}
				created[key] = a.ID
				mu.Unlock()
				answered.Add(1)
				return
			}
			if status != 0 && status < 500 {
				t.Errorf("%s: %d %s", key, status, raw)
				return
			}
			if attempt > 50 {
				t.Errorf("%s: no answer after %d tries: %d %s", key, attempt, status, raw)
				return
			}
			retried.Add(1)
			time.Sleep(200 * time.Millisecond)
		}
	}
	faults := map[int64]func(){
		complaints / 4: func() { worker1.kill(syscall.SIGKILL) },
		complaints / 2: func() {
			rdb := redis.NewClient(rdbOpt)
			defer rdb.Close()
			if err := rdb.FlushDB(context.Background()).Err(); err != nil {
				t.Errorf("flush redis: %v", err)
			}
		},
		3 * complaints / 4: func() { api1.kill(syscall.SIGTERM); api1 = cl.start("api", "api-1b") },
	}
	started := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := next.Add(1); n <= complaints; n = next.Add(1) {
				if f := faults[n]; f != nil {
					t.Logf("after %d complaints: fault", n)
					f()
				}
				file(int(n))
			}
		}()
	}
	wg.Wait()
	filing := time.Since(started)

	db, err := store.Open(envValue(env, "DATABASE_URL"), "replicas-test-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var last replicaCheck
	deadline := time.Now().Add(arriveIn + settleIn)
	for {
		last = checkReplicas(db.Gorm(), created)
		if last.problem == "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	t.Logf("filed %d complaints through 2 APIs in %v (%d retries after faults); in the database: %d complaints, "+
		"%d timers (%d fired, %d cancelled), %d arrival escalations, %d messages %v; settled %v after filing",
		answered.Load(), filing.Round(time.Millisecond), retried.Load(), last.complaints, last.timers, last.fired,
		last.cancelled, last.escalations, last.messages, last.byStatus, time.Since(started.Add(filing)).Round(time.Second))
	if last.problem != "" {
		cl.dumpLogs()
		t.Fatal(last.problem)
	}
	if answered.Load() != complaints {
		t.Errorf("%d of %d complaints answered 201", answered.Load(), complaints)
	}
}

// replicaCheck is what the database says after the faults.
type replicaCheck struct {
	complaints, timers, fired, cancelled, escalations, messages int64
	byStatus                                                    map[string]int64
	problem                                                     string // "" when nothing is lost or doubled
}

// checkReplicas reads the database and names the first thing wrong.
func checkReplicas(gdb *gorm.DB, created map[string]int64) replicaCheck {
	var r replicaCheck
	ids := make([]int64, 0, len(created))
	for _, id := range created {
		ids = append(ids, id)
	}
	count := func(dst *int64, query string, args ...any) {
		if err := gdb.Raw(query, args...).Scan(dst).Error; err != nil && r.problem == "" {
			r.problem = err.Error()
		}
	}
	var distinct, drill, withTimers, overdue, wrongEscalations int64
	count(&distinct, `SELECT count(*) FROM complaints WHERE id IN ?`, ids)
	count(&drill, `SELECT count(*) FROM complaints WHERE description LIKE ?`, "%, 演练")
	r.complaints = drill
	count(&withTimers, `SELECT count(DISTINCT complaint_id) FROM complaint_timers WHERE kind = 'arrive' AND complaint_id IN ?`, ids)
	count(&r.timers, `SELECT count(*) FROM complaint_timers WHERE complaint_id IN ?`, ids)
	count(&r.fired, `SELECT count(*) FROM complaint_timers WHERE fired_at IS NOT NULL AND complaint_id IN ?`, ids)
	count(&r.cancelled, `SELECT count(*) FROM complaint_timers WHERE cancelled_at IS NOT NULL AND complaint_id IN ?`, ids)
	count(&overdue, `SELECT count(*) FROM complaint_timers WHERE fired_at IS NULL AND cancelled_at IS NULL
		AND due_at < ? AND complaint_id IN ?`, time.Now().Add(-guanjia.TimerEarlyTolerance-2*time.Second), ids)
	const arrivalMissed = "超过到场时限未到达现场" // dispatch's 督办 note for a missed arrival
	count(&r.escalations, `SELECT count(*) FROM complaint_events WHERE action = 'escalate' AND note = ? AND complaint_id IN ?`, arrivalMissed, ids)
	count(&wrongEscalations, `SELECT count(*) FROM (SELECT complaint_id FROM complaint_events
		WHERE action = 'escalate' AND note = ? AND complaint_id IN ? GROUP BY complaint_id HAVING count(*) <> 1) AS twice`, arrivalMissed, ids)
	var rows []struct {
		Status string
		N      int64
	}
	if err := gdb.Raw(`SELECT status, count(*) AS n FROM notifications WHERE complaint_id IN ? GROUP BY status`, ids).Scan(&rows).Error; err != nil {
		r.problem = err.Error()
	}
	r.byStatus = map[string]int64{}
	unsettled := int64(0)
	for _, row := range rows {
		r.byStatus[row.Status] = row.N
		r.messages += row.N
		if !guanjia.Settled(row.Status) {
			unsettled += row.N
		}
	}
	switch {
	case r.problem != "":
	case distinct != int64(len(created)) || drill != int64(len(created)):
		r.problem = fmt.Sprintf("%d answers 201 with %d distinct ids, and %d drill complaints in the database", len(created), distinct, drill)
	case withTimers != drill:
		r.problem = fmt.Sprintf("%d of %d complaints have their arrival timer", withTimers, drill)
	case overdue > 0:
		r.problem = fmt.Sprintf("%d overdue timers have not fired", overdue)
	case r.escalations != drill || wrongEscalations > 0:
		r.problem = fmt.Sprintf("%d arrival escalations for %d complaints nobody reached (%d complaints with other than one)", r.escalations, drill, wrongEscalations)
	case unsettled > 0:
		r.problem = fmt.Sprintf("%d messages neither delivered nor recorded as undeliverable: %v", unsettled, r.byStatus)
	}
	return r
}

func envValue(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v
		}
	}
	return ""
}

// cluster is the set of guanjia processes of one test.
type cluster struct {
	t     *testing.T
	bin   string
	dir   string
	env   []string
	mu    sync.Mutex
	procs []*replica
}

// replica is one guanjia process.
type replica struct {
	name string
	url  string // an API's base URL
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// start runs `guanjia <mode>` and, for an API, waits until it is ready.
func (cl *cluster) start(mode, name string) *replica {
	cl.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cl.t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	r := &replica{name: name, url: "http://" + addr, log: filepath.Join(cl.dir, name+".log"), done: make(chan struct{})}
	f, err := os.Create(r.log)
	if err != nil {
		cl.t.Fatal(err)
	}
	r.cmd = exec.Command(cl.bin, mode)
	r.cmd.Env = append(append([]string{}, cl.env...), "GUANJIA_HTTP_ADDR="+addr)
	r.cmd.Stdout, r.cmd.Stderr = f, f
	if err := r.cmd.Start(); err != nil {
		cl.t.Fatal(err)
	}
	go func() { r.cmd.Wait(); f.Close(); close(r.done) }()
	cl.mu.Lock()
	cl.procs = append(cl.procs, r)
	cl.mu.Unlock()
	if mode == "api" {
		for i := 0; ; i++ {
			if res, err := http.Get(r.url + "/readyz"); err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					break
				}
			}
			if i > 300 {
				cl.dumpLogs()
				cl.t.Fatalf("%s is not ready after 30 s", name)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return r
}

// kill sends sig and waits for the process to end.
func (r *replica) kill(sig syscall.Signal) {
	r.cmd.Process.Signal(sig)
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
}

func (cl *cluster) stopAll() {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	for _, r := range cl.procs {
		r.kill(syscall.SIGTERM)
	}
}

func (cl *cluster) dumpLogs() {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	for _, r := range cl.procs {
		b, _ := os.ReadFile(r.log)
		if len(b) > 4000 {
			b = b[len(b)-4000:]
		}
		cl.t.Logf("--- %s (last lines)\n%s", r.name, b)
	}
}

func (cl *cluster) login(base, username string) string {
	cl.t.Helper()
	status, raw := cl.post(base, "", "/api/v1/auth/login", map[string]string{"username": username, "password": demo.Password}, "", http.MethodPost)
	var a struct{ Token string }
	if json.Unmarshal(raw, &a); status != 200 || a.Token == "" {
		cl.t.Fatalf("login %s: %d %s", username, status, raw)
	}
	return a.Token
}

// post sends a JSON request; status 0 means no answer (the process is down).
func (cl *cluster) post(base, token, path string, body any, key, method string) (int, []byte) {
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(j))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

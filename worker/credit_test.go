package worker_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
	"guanjia/credit"
	"guanjia/internal/testenv"
	"guanjia/store"
	"guanjia/worker"
)

func TestCreditCache(t *testing.T) {
	rdb := testenv.MustRedisConn(t).Client(t)
	c := worker.NewCreditCache(rdb, "test:")
	ctx := context.Background()
	if _, ok, err := c.Get(ctx, "k"); ok || err != nil {
		t.Fatalf("a miss: %v %v", ok, err)
	}
	if err := c.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Get(ctx, "k"); !ok || err != nil || string(v) != "v" {
		t.Fatalf("a hit: %q %v %v", v, ok, err)
	}
	if ttl := rdb.TTL(ctx, "test:k").Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("ttl %v", ttl)
	}
	if err := c.Delete(ctx, "k", "other"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Get(ctx, "k"); ok {
		t.Fatal("deleted key still there")
	}

	// A lookup's miss is leased to one filler; a Delete revokes the lease.
	v, lease, err := c.GetOrLease(ctx, "l")
	if v != nil || lease == "" || err != nil {
		t.Fatalf("first miss: %q lease %q %v, want a lease", v, lease, err)
	}
	if v, other, err := c.GetOrLease(ctx, "l"); v != nil || other != "" || err != nil {
		t.Fatalf("second miss while leased: %q lease %q %v, want no value and no lease", v, other, err)
	}
	if err := c.Fill(ctx, "l", lease, []byte(`{"s":null}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, _, err := c.GetOrLease(ctx, "l"); string(v) != `{"s":null}` || err != nil {
		t.Fatalf("after the fill: %q %v", v, err)
	}
	if ttl := rdb.TTL(ctx, "test:l").Val(); ttl <= 5*time.Second || ttl > time.Minute {
		t.Errorf("filled value's ttl %v, want the fill's", ttl)
	}
	if err := c.Delete(ctx, "l"); err != nil {
		t.Fatal(err)
	}
	_, stale, _ := c.GetOrLease(ctx, "l")
	if err := c.Delete(ctx, "l"); err != nil { // a write committed meanwhile
		t.Fatal(err)
	}
	if err := c.Fill(ctx, "l", stale, []byte(`{"s":"old"}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := c.Get(ctx, "l"); ok {
		t.Errorf("a fill whose lease was revoked stored %q", v)
	}
}

// A large batch is queued, run by a real worker, and its result reaches the
// lookup: the cached "unknown" answer is dropped by the import.
func TestCreditImportThroughTheQueue(t *testing.T) {
	ctx := context.Background()
	r := newCreditRig(t)
	svc, sched, inspect, who := r.svc, r.sched, r.inspect, r.who
	first := credit.CompleteCreditCode("91460100000000000")
	if black, _, err := svc.CheckCode(ctx, first); err != nil || len(black) != 0 {
		t.Fatalf("before: %v %v", black, err) // now cached as unknown
	}
	b := r.submit(t, 300)
	if info, err := inspect.GetTaskInfo(worker.QueueDefault, fmt.Sprintf("credit:import:%d", b.ID)); err != nil || info.Type != worker.TypeCreditImport {
		t.Fatalf("the import task is not queued: %v %v", info, err)
	}
	// Queueing it again (the sweep does, for a batch Redis lost) is harmless.
	if err := sched.EnqueueImport(ctx, b.ID); err != nil {
		t.Fatal(err)
	}

	r.startWorker(t)
	waitFor(t, "the import", func() bool {
		st, err := svc.ImportStatus(ctx, who, b.ID)
		return err == nil && st.Status == credit.BatchDone
	})
	st, _ := svc.ImportStatus(ctx, who, b.ID)
	if st.Inserted != 300 || st.Percent != 100 {
		t.Fatalf("done: %+v", st)
	}
	// The cached lookups are dropped right after the batch commits (done),
	// not with it: a lookup in between may answer from before, no longer.
	waitFor(t, "the lookup to answer from the import", func() bool {
		black, _, _ := svc.CheckCode(ctx, first)
		return len(black) == 1
	})
	// A late duplicate is refused: the completed task keeps its ID
	// (asynq.Retention). The handler still queues the uploader's message
	// after the commit, so the task completes a moment after the batch.
	task := fmt.Sprintf("credit:import:%d", b.ID)
	waitFor(t, "the import task to complete", func() bool {
		info, err := inspect.GetTaskInfo(worker.QueueDefault, task)
		return err == nil && info.State == asynq.TaskStateCompleted
	})
	if err := sched.EnqueueImport(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if info, err := inspect.GetTaskInfo(worker.QueueDefault, task); err != nil {
		t.Error(err)
	} else if info.State != asynq.TaskStateCompleted {
		t.Errorf("after a late duplicate the import task is %s, want completed", info.State)
	}
}

func TestCreditHandlersRefuseBadPayload(t *testing.T) {
	h := &worker.Handlers{Credit: &credit.Service{}}
	err := h.HandleCreditImport(context.Background(), asynq.NewTask(worker.TypeCreditImport, []byte("{")))
	if !errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("a bad payload is retried: %v", err)
	}
}

// Redis loses an import's task while its batch shows 进行中 (a flush, a
// failover): the sweep queues it again, and the department sees its list published.
func TestSweepRequeuesARunningImportRedisLost(t *testing.T) {
	ctx := context.Background()
	r := newCreditRig(t)
	db, svc, h, who, u := r.db, r.svc, r.h, r.who, r.user
	b := r.submit(t, 30)
	// The job started (the batch shows running), then Redis lost it.
	row, err := db.Credit.FindBatch(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	row.Status = credit.BatchRunning
	if err := db.Credit.UpdateBatch(ctx, row); err != nil {
		t.Fatal(err)
	}
	if err := r.redis.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	svc.Now = func() time.Time { return time.Now().UTC().Add(10 * time.Minute) }
	if err := h.HandleCreditSweep(ctx, worker.NewCreditSweepTask()); err != nil {
		t.Fatal(err)
	}
	// The queued job runs on a worker. (Not asked of the Inspector: asynq's
	// client registers a queue name once per process, so after a flush the
	// Inspector reports the queue missing while its tasks are there and run.)
	r.startWorker(t)
	waitFor(t, "the batch the sweep queued again to be imported", func() bool {
		st, err := db.Credit.FindBatch(ctx, b.ID)
		return err == nil && st.Status == credit.BatchDone
	})
	st, err := svc.ImportStatus(ctx, who, b.ID)
	if err != nil || st.Status != credit.BatchDone || st.Inserted != 30 {
		t.Fatalf("after the sweep and the job: %+v %v", st, err)
	}
	page, err := svc.List(ctx, "black", "", 1, 100)
	if err != nil || page.Total != 30 {
		t.Fatalf("the black list shows %+v (%v), want the batch's 30 rows", page, err)
	}
	told, err := db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{RecipientID: &u.ID})
	if err != nil || len(told) != 1 || told[0].Template != guanjia.TplCreditImportDone || told[0].Data["status"] != string(credit.BatchDone) {
		t.Fatalf("the uploader's messages: %+v %v", told, err)
	}
	// Run again (a job the sweep queued while the first still ran): nothing changes.
	task, _ := worker.NewCreditImportTask(b.ID)
	if err := h.HandleCreditImport(ctx, task); err != nil {
		t.Fatal(err)
	}
	if again, _ := svc.ImportStatus(ctx, who, b.ID); again.Inserted != 30 || again.Unchanged != 0 {
		t.Fatalf("a second run rewrote the batch: %+v", again)
	}
}

// creditRig is a department (人社局, publishing black lists) with the credit
// service on a real queue.
type creditRig struct {
	db      *store.DB
	redis   testenv.TestRedis
	sched   *worker.Scheduler
	inspect *asynq.Inspector
	svc     *credit.Service
	h       *worker.Handlers
	user    *guanjia.User
	who     guanjia.Claims
}

func newCreditRig(t *testing.T) *creditRig {
	ctx := context.Background()
	r := &creditRig{db: testenv.MustOpenDB(t), redis: testenv.MustRedisConn(t)}
	client := asynq.NewClient(r.redis.Conn)
	t.Cleanup(func() { client.Close() })
	r.inspect = asynq.NewInspector(r.redis.Conn)
	t.Cleanup(func() { r.inspect.Close() })
	r.sched = &worker.Scheduler{Client: client, Inspector: r.inspect, Notifications: r.db.Notifications}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := r.db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "hk-rsj", Name: "海口市人力资源和社会保障局", Department: "人社"}); err != nil {
		t.Fatal(err)
	}
	if err := r.db.Credit.SetRemit(ctx, "hk-rsj", []string{guanjia.CreditBlackList}); err != nil {
		t.Fatal(err)
	}
	r.user = &guanjia.User{Username: "rsj", Role: guanjia.RoleDepartment, UnitCode: "hk-rsj"}
	if err := r.db.Users.CreateUser(ctx, r.user); err != nil {
		t.Fatal(err)
	}
	r.who = guanjia.Claims{UserID: r.user.ID, Role: guanjia.RoleDepartment, UnitCode: "hk-rsj"}
	r.svc = credit.NewService(r.db.Credit, worker.NewCreditCache(r.redis.Client(t), "guanjia:"), r.sched, r.sched)
	r.svc.Log, r.svc.InlineRows = log, 10
	r.h = &worker.Handlers{Credit: r.svc, Notifications: r.db.Notifications, Users: r.db.Users, Senders: map[string]guanjia.Sender{}, Scheduler: r.sched,
		Metrics: worker.NewMetrics(prometheus.NewRegistry()), Log: log, Now: func() time.Time { return time.Now().UTC() }}
	return r
}

// submit uploads a black list of n companies: more than InlineRows, so it is queued.
func (r *creditRig) submit(t *testing.T, n int) *credit.Batch {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("行政相对人名称,统一社会信用代码,名单名称,列入原因,认定依据文号,认定部门,认定日期,有效期至\n")
	for i := range n {
		code := credit.CompleteCreditCode(fmt.Sprintf("914601000000%05d", i))
		fmt.Fprintf(&csv, "公司%d,%s,拖欠农民工工资失信联合惩戒对象名单,拖欠工资,海人社〔2026〕%d号,海口市人社局,2026-01-05,2099-01-05\n", i, code, i)
	}
	b, err := r.svc.SubmitImport(context.Background(), r.who, credit.Upload{Type: guanjia.CreditBlackList, Filename: "list.csv", Data: []byte(csv.String())})
	if err != nil || b.Status != credit.BatchQueued {
		t.Fatalf("submit: %+v %v", b, err)
	}
	return b
}

// startWorker runs the queue's tasks until the test ends.
func (r *creditRig) startWorker(t *testing.T) {
	srv := worker.NewServer(r.redis.Conn, worker.Config{Concurrency: 2, PollInterval: 100 * time.Millisecond, ShutdownTimeout: 5 * time.Second},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := srv.Start(r.h.NewServeMux()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
}

package worker_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/internal/testenv"
	"guanjia/store"
	"guanjia/worker"
)

// rig is a real worker on a fresh database and Redis.
type rig struct {
	db       *store.DB
	svc      *dispatch.Service
	h        *worker.Handlers
	sched    *worker.Scheduler
	redis    testenv.TestRedis
	inspect  *asynq.Inspector
	senders  map[string]guanjia.Sender
	dispatch guanjia.Claims
	citizen  guanjia.Claims
	crew     guanjia.Claims
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	ropt := testenv.MustRedisConn(t)
	conn := ropt.Conn
	client := asynq.NewClient(conn)
	t.Cleanup(func() { client.Close() })
	r := &rig{db: db, redis: ropt, inspect: asynq.NewInspector(conn), senders: map[string]guanjia.Sender{}}
	t.Cleanup(func() { r.inspect.Close() })
	r.sched = &worker.Scheduler{Client: client, Inspector: r.inspect, Notifications: db.Notifications}

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: "lh-hw", Name: "龙华区环卫所", Department: guanjia.DeptSanitation}))
	must(db.Catalog.UpsertGrid(ctx, &guanjia.Grid{ID: "g1", Name: "g1", District: "龙华区",
		Geometry: []byte(`{"type":"Polygon","coordinates":[[[110.30,20.0],[110.31,20.0],[110.31,20.01],[110.30,20.01],[110.30,20.0]]]}`),
		Units:    map[string]string{guanjia.DeptSanitation: "lh-hw"}}))
	// Durations in seconds, as an admin would set them for a drill.
	must(db.Catalog.UpsertCategory(ctx, &guanjia.Category{Code: "1101", Name: "暴露垃圾", Kind: "事件", Major: "市容环境",
		Department: guanjia.DeptSanitation, PointToPoint: true, AcceptWithin: time.Hour, ArriveWithin: 2 * time.Second,
		ResolveWithin: time.Hour, ResolveMode: guanjia.NaturalTime}))
	mk := func(u *guanjia.User) guanjia.Claims {
		must(db.Users.CreateUser(ctx, u))
		return guanjia.Claims{UserID: u.ID, Role: u.Role, UnitCode: u.UnitCode}
	}
	r.dispatch = mk(&guanjia.User{Username: "dispatcher", Role: guanjia.RoleDispatcher})
	r.citizen = mk(&guanjia.User{Username: "citizen", Role: guanjia.RoleCitizen})
	r.crew = mk(&guanjia.User{Username: "crew", Role: guanjia.RoleCrew, UnitCode: "lh-hw", GridID: "g1", OnDuty: true, Lat: 20.005, Lng: 110.305})
	mk(&guanjia.User{Username: "lead", Role: guanjia.RoleUnitAdmin, UnitCode: "lh-hw"})

	router, err := dispatch.NewRouter(ctx, db.Complaints)
	must(err)
	r.svc = dispatch.NewService(db.Complaints, r.sched, router, dispatch.DefaultCalendar(), store.DiskBlobs{Dir: t.TempDir()})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r.svc.Log = log
	r.h = &worker.Handlers{Dispatch: r.svc, Notifications: db.Notifications, Users: db.Users, Senders: r.senders, Scheduler: r.sched,
		Metrics: worker.NewMetrics(prometheus.NewRegistry()), Log: log, Now: func() time.Time { return time.Now().UTC() },
		ReconcileHorizon: 3 * time.Hour}
	return r
}

// run starts a real asynq server with a short poll interval until the test ends.
func (r *rig) run(t *testing.T) {
	t.Helper()
	srv := worker.NewServer(r.redis.Conn, worker.Config{Concurrency: 4, PollInterval: 100 * time.Millisecond, ShutdownTimeout: 5 * time.Second},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := srv.Start(r.h.NewServeMux()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func (r *rig) complaint(t *testing.T, id int64) *guanjia.Complaint {
	c, err := r.db.Complaints.FindComplaint(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// file files a point-to-point complaint as the rig's citizen: the crew's task.
func (r *rig) file(t *testing.T) *guanjia.Complaint {
	t.Helper()
	c, err := r.svc.Create(context.Background(), r.citizen, dispatch.NewComplaint{Category: "1101", Description: "垃圾", Lat: 20.005, Lng: 110.305})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// act takes action on complaint id as the rig's crew member.
func (r *rig) act(t *testing.T, id int64, a guanjia.Action) {
	t.Helper()
	if _, err := r.svc.Act(context.Background(), r.crew, id, a, dispatch.ActionInput{}); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
}

func TestArriveTimerEscalatesThroughTheQueue(t *testing.T) {
	r := newRig(t)
	r.run(t)
	ctx := context.Background()
	c := r.file(t)
	r.act(t, c.ID, guanjia.ActionAccept)
	// Nobody arrives within 2 seconds: the real timer fires and escalates.
	waitFor(t, "escalation", func() bool { return r.complaint(t, c.ID).MissedDeadlines == 1 })
	waitFor(t, "the breach metric", func() bool {
		return testutil.ToFloat64(r.h.Metrics.SLABreaches.WithLabelValues("arrive")) == 1
	})
	// Every notification queued so far is settled (no senders configured: the inboxes only are sent).
	waitFor(t, "deliveries", func() bool {
		ns, _ := r.db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{ComplaintID: &c.ID})
		for _, n := range ns {
			if !guanjia.Settled(n.Status) {
				return false
			}
		}
		return len(ns) > 0
	})
}

func TestReconcileRebuildsTimersAfterRedisIsFlushed(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	c := r.file(t)
	if _, err := r.inspect.GetTaskInfo(worker.QueueSLA, fmt.Sprintf("sla:accept:%d:1", c.ID)); err != nil {
		t.Fatalf("accept timer not scheduled: %v", err)
	}
	// Arming again is idempotent: still one task per timer.
	if _, err := r.svc.ReconcileTimers(ctx, time.Now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if tasks, _ := r.inspect.ListScheduledTasks(worker.QueueSLA); len(tasks) != 4 {
		t.Errorf("%d scheduled tasks, want 4 (accept, resolve and their warnings)", len(tasks))
	}
	r.act(t, c.ID, guanjia.ActionAccept)
	// Redis loses everything, including the 2-second arrive timer.
	if err := r.redis.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.h.HandleReconcile(ctx, worker.NewReconcileTask()); err != nil {
		t.Fatal(err)
	}
	// The rebuilt timer fires and escalates as the lost one would have.
	r.run(t)
	waitFor(t, "escalation from the rebuilt timer", func() bool { return r.complaint(t, c.ID).MissedDeadlines == 1 })
}

// The reconciler hands a disabled crew member's task on: here, with nobody
// else on duty, to the unit's queue.
func TestReconcileHandsOverTheTasksOfADisabledCrewMember(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	c := r.file(t)
	r.act(t, c.ID, guanjia.ActionAccept)
	yes := true
	if _, err := r.db.Users.ChangeUser(ctx, guanjia.UserChange{UserID: r.crew.UserID, Disabled: &yes, At: time.Now(),
		By: guanjia.Actor{ID: r.dispatch.UserID, Name: "admin"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.h.HandleReconcile(ctx, worker.NewReconcileTask()); err != nil {
		t.Fatal(err)
	}
	if got := r.complaint(t, c.ID); got.Status != guanjia.StatusDispatched || got.AssigneeID != nil {
		t.Errorf("after the reconcile: %s to %v, want dispatched to the unit's queue", got.Status, got.AssigneeID)
	}
}

// flaky fails until told otherwise, and counts its calls.
type flaky struct {
	mu    sync.Mutex
	calls int
	err   error
}

func (f *flaky) Send(context.Context, *guanjia.User, *guanjia.Notification) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.err
}

func TestDeliveryOutcomes(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	send := func(channel string, err error) (*guanjia.Notification, *flaky) {
		t.Helper()
		f := &flaky{err: err}
		r.senders[channel] = f
		n := &guanjia.Notification{Message: guanjia.Message{RecipientID: r.citizen.UserID, Channel: channel, Template: guanjia.TplComplaintUpdate}}
		if err := r.db.Notifications.CreateNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
		task, _ := worker.NewNotifyTask(n.ID)
		herr := r.h.HandleNotify(ctx, task)
		got, _ := r.db.Notifications.FindNotification(ctx, n.ID)
		if (herr != nil) != (got.Status == guanjia.DeliveryRetrying) {
			t.Errorf("%s: handler error %v with status %s", channel, herr, got.Status)
		}
		return got, f
	}
	if n, _ := send(guanjia.ChannelSubscribe, nil); n.Status != guanjia.DeliverySent || n.SentAt == nil || n.Attempts != 1 {
		t.Errorf("sent: %+v", n)
	}
	n, f := send(guanjia.ChannelSubscribe, guanjia.ErrNoConsent)
	if n.Status != guanjia.DeliveryNoConsent {
		t.Errorf("no consent: %+v", n)
	}
	// A settled notification is not sent again by a duplicate task.
	task, _ := worker.NewNotifyTask(n.ID)
	if err := r.h.HandleNotify(ctx, task); err != nil || f.calls != 1 {
		t.Errorf("duplicate task: err %v, calls %d", err, f.calls)
	}
	if n, _ := send(guanjia.ChannelWeCom, errors.New("wecom: 503")); n.Status != guanjia.DeliveryRetrying || n.Error == "" {
		t.Errorf("failure: %+v", n)
	}
	bad := asynq.NewTask(worker.TypeNotify, []byte("{"))
	if err := r.h.HandleNotify(ctx, bad); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("bad payload: %v", err)
	}
}

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

	"guanjia"
	"guanjia/dispatch"
	"guanjia/store"
	"guanjia/worker"
)

// capture is a sender that records what it was given and answers err.
type capture struct {
	mu  sync.Mutex
	to  []*guanjia.User
	err error
}

func (c *capture) Send(_ context.Context, to *guanjia.User, _ *guanjia.Notification) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.to = append(c.to, to)
	return c.err
}

// Every outcome a sender can report lands in the delivery log as its own
// status, and only a plain failure is retried.
func TestDeliveryStatusOfEachOutcome(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	cases := []struct {
		err    error
		status string
	}{
		{nil, guanjia.DeliverySent},
		{fmt.Errorf("wechat: no 企业微信 account: %w", guanjia.ErrNoChannel), guanjia.DeliveryNoChannel},
		{fmt.Errorf("wechat: 43101: %w", guanjia.ErrNoConsent), guanjia.DeliveryNoConsent},
		{guanjia.Errorf(guanjia.EUNPROCESSABLE, "template refused"), guanjia.DeliveryFailed},
		{errors.New("503 from upstream"), guanjia.DeliveryRetrying},
	}
	for _, c := range cases {
		s := &capture{err: c.err}
		r.senders[guanjia.ChannelWeCom] = s
		n := &guanjia.Notification{Message: guanjia.Message{RecipientID: r.crew.UserID, Channel: guanjia.ChannelWeCom, Template: guanjia.TplEscalation}}
		if err := r.db.Notifications.CreateNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
		task, _ := worker.NewNotifyTask(n.ID)
		herr := r.h.HandleNotify(ctx, task)
		got, _ := r.db.Notifications.FindNotification(ctx, n.ID)
		if got.Status != c.status || (herr != nil) != (c.status == guanjia.DeliveryRetrying) {
			t.Errorf("sender said %v: status %s, handler %v; want %s", c.err, got.Status, herr, c.status)
		}
		if c.status != guanjia.DeliverySent && c.status != guanjia.DeliveryRetrying && got.Error == "" {
			t.Errorf("%s: no reason recorded", c.status)
		}
		if guanjia.Settled(c.status) { // a duplicate task sends nothing more
			_ = r.h.HandleNotify(ctx, task)
			if len(s.to) != 1 {
				t.Errorf("%s: sent %d times", c.status, len(s.to))
			}
		}
	}
}

// An SMS to a caller names no user: the sender gets the complaint's message and no user.
func TestMessageAddressedByComplaint(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	c, err := r.svc.Create(ctx, r.dispatch, dispatch.NewComplaint{Category: "1101", Description: "来电", Lat: 20.005, Lng: 110.305,
		Source: guanjia.SourceHotline, CallerPhone: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}
	s := &capture{}
	r.senders[guanjia.ChannelSMS] = s
	ns, _ := r.db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{ComplaintID: &c.ID})
	var sms *guanjia.Notification
	for _, n := range ns {
		if n.Channel == guanjia.ChannelSMS {
			sms = n
		}
	}
	if sms == nil || sms.RecipientID != 0 {
		t.Fatalf("no SMS to the caller: %+v", ns)
	}
	task, _ := worker.NewNotifyTask(sms.ID)
	if err := r.h.HandleNotify(ctx, task); err != nil {
		t.Fatal(err)
	}
	if len(s.to) != 1 || s.to[0] != nil {
		t.Errorf("the SMS sender got %v, want one call without a user", s.to)
	}
}

// Redis is away while a complaint is filed: its rows are written, nothing is
// queued. Once Redis answers again, the crew's push goes out within seconds
// (the fast re-queue), not at the reconciler's next minute, and the timer
// due soon is armed again and fires.
func TestUndeliveredAfterRedisOutageGoOutWithinSeconds(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	push := &capture{}
	r.senders[guanjia.ChannelWeCom] = push

	dead := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { dead.Close() })
	during := *r.svc // the API process during the outage
	during.Scheduler = &worker.Scheduler{Client: dead, Notifications: r.db.Notifications}
	c, err := during.Create(ctx, r.citizen, dispatch.NewComplaint{Category: "1101", Description: "垃圾", Lat: 20.005, Lng: 110.305})
	if err != nil {
		t.Fatalf("filing during the outage: %v", err)
	}
	pushRow := func() *guanjia.Notification {
		ns, _ := r.db.Notifications.ListNotifications(ctx, guanjia.NotificationFilter{ComplaintID: &c.ID})
		for _, n := range ns {
			if n.Channel == guanjia.ChannelWeCom && n.Template == guanjia.TplTaskAssigned {
				return n
			}
		}
		return nil
	}
	if n := pushRow(); n == nil || n.Status != guanjia.DeliveryPending {
		t.Fatalf("the crew's push: %+v, want pending", n)
	}
	if ns, _ := r.db.Notifications.ListInbox(ctx, r.crew.UserID, 0, 10); len(ns) != 1 || ns[0].Template != guanjia.TplTaskAssigned {
		t.Errorf("the crew's inbox has %v: the inbox needs no Redis", ns)
	}

	// Redis is back: a worker and its periodic tasks run; the reconciler would wait a minute.
	r.run(t)
	conn := r.redis.Conn
	periodic, err := worker.NewPeriodic(conn, worker.Config{ReconcileInterval: time.Minute, RequeueInterval: time.Second},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := periodic.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(periodic.Shutdown)
	// waitFor gives up long before the reconciler's minute: only the fast
	// re-queue sends the push in time.
	waitFor(t, "the crew's push", func() bool { n := pushRow(); return n != nil && n.Status == guanjia.DeliverySent })
	// The 2-second arrive timer, never armed, was armed again and escalated.
	waitFor(t, "the lost arrive timer", func() bool {
		evs, _ := r.db.Complaints.ListEvents(ctx, c.ID)
		for _, e := range evs {
			if e.Action == guanjia.ActionEscalate {
				return true
			}
		}
		return false
	})
}

// The re-queue is idempotent: running it while the queue still holds a
// message queues nothing twice.
func TestRequeueIsIdempotent(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	n := &guanjia.Notification{Message: guanjia.Message{RecipientID: r.crew.UserID, Channel: guanjia.ChannelWeCom, Template: guanjia.TplEscalation},
		CreatedAt: time.Now().UTC().Add(-time.Minute)}
	if err := r.db.Notifications.CreateNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := r.h.HandleRequeue(ctx, worker.NewRequeueTask()); err != nil {
			t.Fatal(err)
		}
	}
	tasks, err := r.inspect.ListPendingTasks(worker.QueueNotify)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 || tasks[0].ID != fmt.Sprintf("notify:%d", n.ID) {
		t.Errorf("queued %d tasks, want notify:%d once", len(tasks), n.ID)
	}
}

// slowSender takes longer than the task may run, and WeChat takes the message.
type slowSender struct{ calls int }

func (s *slowSender) Send(ctx context.Context, _ *guanjia.User, _ *guanjia.Notification) error {
	s.calls++
	<-ctx.Done() // the SDK would go on regardless; the task's time is up
	return nil
}

// A send that outlasts the task's time is still recorded as sent: unrecorded,
// the retry would deliver the message again.
func TestASlowSendIsRecordedOnce(t *testing.T) {
	r := newRig(t)
	s := &slowSender{}
	r.senders[guanjia.ChannelWeCom] = s
	n := &guanjia.Notification{Message: guanjia.Message{RecipientID: r.crew.UserID, Channel: guanjia.ChannelWeCom, Template: guanjia.TplEscalation}}
	if err := r.db.Notifications.CreateNotification(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	task, _ := worker.NewNotifyTask(n.ID)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_ = r.h.HandleNotify(ctx, task)
	got, _ := r.db.Notifications.FindNotification(context.Background(), n.ID)
	if got.Status != guanjia.DeliverySent || got.Attempts != 1 {
		t.Fatalf("after a slow send WeChat took: %s after %d attempts, want sent after 1", got.Status, got.Attempts)
	}
	_ = r.h.HandleNotify(context.Background(), task) // asynq's retry of the timed-out task
	if s.calls != 1 {
		t.Errorf("sent %d times, want once", s.calls)
	}
}

// The retry limit holds when the task is queued afresh (its retries used up
// while the row stayed unsettled): the row counts the attempts, not asynq.
func TestRetriesEndWhenTheTaskIsQueuedAfresh(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	s := &capture{err: errors.New("503 from upstream")}
	r.senders[guanjia.ChannelWeCom] = s
	n := &guanjia.Notification{Message: guanjia.Message{RecipientID: r.crew.UserID, Channel: guanjia.ChannelWeCom, Template: guanjia.TplEscalation}}
	if err := r.db.Notifications.CreateNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	task, _ := worker.NewNotifyTask(n.ID)
	for range 3 * worker.NotifyMaxRetry { // each run a fresh task: asynq's retry count is 0 every time
		_ = r.h.HandleNotify(ctx, task)
	}
	got, _ := r.db.Notifications.FindNotification(ctx, n.ID)
	if len(s.to) != worker.NotifyMaxRetry+1 || got.Status != guanjia.DeliveryFailed || got.Attempts != len(s.to) {
		t.Errorf("sent %d times, now %s after %d attempts; want %d sends, then failed", len(s.to), got.Status, got.Attempts, worker.NotifyMaxRetry+1)
	}
}

// A message on a channel this worker has no sender for (WeChat or SMS not
// configured) was not sent, and the delivery log says so.
func TestAChannelWithoutASenderIsNotSent(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	n := &guanjia.Notification{Message: guanjia.Message{RecipientID: r.crew.UserID, Channel: guanjia.ChannelWeCom, Template: guanjia.TplEscalation}}
	if err := r.db.Notifications.CreateNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	task, _ := worker.NewNotifyTask(n.ID)
	if err := r.h.HandleNotify(ctx, task); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.db.Notifications.FindNotification(ctx, n.ID); got.Status != guanjia.DeliveryNoChannel || got.Error == "" {
		t.Errorf("no 企业微信 sender: %s (%q), want no_channel with the reason", got.Status, got.Error)
	}
}

// flakyOutcomes fails the first write of a delivery's outcome, as a dropped
// connection or a failover does.
type flakyOutcomes struct {
	*store.Notifications
	failed bool
}

func (f *flakyOutcomes) UpdateNotification(ctx context.Context, n *guanjia.Notification) error {
	if !f.failed {
		f.failed = true
		return errors.New("store: update notification: connection reset by peer")
	}
	return f.Notifications.UpdateNotification(ctx, n)
}

// A message WeChat took is recorded as sent though the first write of its
// outcome fails: left pending, asynq's retry would push it a second time.
func TestASendWhoseOutcomeWriteFailsOnceIsNotSentAgain(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	s := &capture{}
	r.senders[guanjia.ChannelWeCom] = s
	n := &guanjia.Notification{Message: guanjia.Message{RecipientID: r.crew.UserID, Channel: guanjia.ChannelWeCom, Template: guanjia.TplEscalation}}
	if err := r.db.Notifications.CreateNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	h := *r.h
	h.Notifications = &flakyOutcomes{Notifications: r.db.Notifications}
	task, _ := worker.NewNotifyTask(n.ID)
	first := h.HandleNotify(ctx, task)
	retry := h.HandleNotify(ctx, task) // what asynq does after a failed run
	if got, _ := r.db.Notifications.FindNotification(ctx, n.ID); len(s.to) != 1 || got.Status != guanjia.DeliverySent {
		t.Errorf("the 督办 push was sent %d times and is %s (first run: %v; retry: %v); want once, sent", len(s.to), got.Status, first, retry)
	}
}

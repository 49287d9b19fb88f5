package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"guanjia"
	"guanjia/classify"
	"guanjia/credit"
	"guanjia/dispatch"
	"guanjia/mediation"
	"guanjia/volunteer"
	"guanjia/weather"
)

// Handlers holds what the task handlers need.
type Handlers struct {
	Dispatch      *dispatch.Service
	Volunteer     *volunteer.Service
	Credit        *credit.Service
	Classify      *classify.Service  // the category suggester the periodic job retrains; nil: none
	Weather       *weather.Service   // 台风 / 气象 / 积水: alert fan-out (worker/weather.go); nil: none
	Mediation     *mediation.Service // 大调解: deadline and session timers (worker/dispute.go); nil: none
	Notifications interface {
		guanjia.NotificationStore
		StaleNotifications(ctx context.Context, before time.Time, statuses []string, limit int) ([]int64, error)
	}
	Users       guanjia.UserStore
	Idempotency interface { // the stored answers of retried POSTs, purged (worker/idempotency.go); nil: none
		PurgeIdempotent(ctx context.Context, before time.Time) (int64, error)
	}
	Senders   map[string]guanjia.Sender // by channel; a channel without one is written to the log only
	Scheduler *Scheduler
	Metrics   *Metrics
	Log       *slog.Logger
	Now       func() time.Time
	// ReconcileHorizon is how far ahead the reconciler re-arms timers; it must
	// exceed the reconcile interval so nothing falls between two runs.
	ReconcileHorizon time.Duration
	// RequeueHorizon is how far ahead the fast re-queue re-arms timers (default
	// 30 s): those a Redis outage could make late before the reconciler's next run.
	RequeueHorizon time.Duration
}

// DefaultRequeueInterval is how often undelivered messages are re-queued.
const DefaultRequeueInterval = 5 * time.Second

// requeueGrace leaves a message just written to the process that wrote it,
// which queues it itself a moment later.
const requeueGrace = 2 * time.Second

// NewServeMux routes every task type to its handler.
func (h *Handlers) NewServeMux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Use(h.Metrics.middleware)
	for _, typ := range []string{TypeSLAAccept, TypeSLAArrive, TypeSLAResolve, TypeSLAReminder} {
		mux.HandleFunc(typ, h.HandleSLA)
	}
	mux.HandleFunc(TypeNotify, h.HandleNotify)
	mux.HandleFunc(TypeReconcile, h.HandleReconcile)
	mux.HandleFunc(TypeRequeue, h.HandleRequeue)
	mux.HandleFunc(TypeHotspotRefresh, h.HandleHotspotRefresh)
	mux.HandleFunc(TypeClassifyRetrain, h.HandleClassifyRetrain)
	if h.Idempotency != nil {
		mux.HandleFunc(TypeIdempotencyPurge, h.HandleIdempotencyPurge)
	}
	if h.Credit != nil {
		mux.HandleFunc(TypeCreditImport, h.HandleCreditImport)
		mux.HandleFunc(TypeCreditSweep, h.HandleCreditSweep)
	}
	mux.HandleFunc(TypeWeatherAlert, h.HandleWeatherAlert) // worker/weather.go
	for _, typ := range disputeTaskTypes() {               // 大调解 (worker/dispute.go)
		mux.HandleFunc(typ, h.HandleDisputeTimer)
	}
	for _, typ := range volunteerTaskTypes() { // 公益海口 (worker/volunteer.go)
		mux.HandleFunc(typ, h.HandleVolunteerTimer)
	}
	return mux
}

// HandleSLA fires an SLA timer.
func (h *Handlers) HandleSLA(ctx context.Context, t *asynq.Task) error {
	var p SLAPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ComplaintID == 0 {
		return fmt.Errorf("worker: bad %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	out, err := h.Dispatch.HandleTimer(ctx, p.ComplaintID, p.Kind, p.Seq)
	if err != nil {
		return err
	}
	if out.Breached {
		h.Metrics.SLABreaches.WithLabelValues(out.Stage).Inc()
	}
	return nil
}

// HandleNotify delivers one message and records the outcome. "No channel"
// (the recipient has no account there) and "no consent" are final, never
// retried; a refusal for good is failed at once; any other failure is retried
// by asynq with backoff and shows as retrying, then failed.
func (h *Handlers) HandleNotify(ctx context.Context, t *asynq.Task) error {
	var p NotifyPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.NotificationID == 0 {
		return fmt.Errorf("worker: bad notify payload: %v: %w", err, asynq.SkipRetry)
	}
	n, err := h.Notifications.FindNotification(ctx, p.NotificationID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return fmt.Errorf("worker: notification %d: %w", p.NotificationID, asynq.SkipRetry)
	} else if err != nil {
		return err
	}
	if guanjia.Settled(n.Status) {
		return nil // already settled: a duplicate task
	}
	var sendErr error
	if n.Attempts > NotifyMaxRetry {
		// asynq's count starts over when a lost or archived task is queued
		// afresh (HandleRequeue, the reconciler); the row's count does not.
		sendErr = guanjia.Errorf(guanjia.EUNPROCESSABLE, "gave up after %d attempts", n.Attempts)
	} else {
		n.Attempts++
		sendErr = h.send(ctx, n)
	}
	now := h.Now()
	switch {
	case sendErr == nil:
		n.Status, n.Error, n.SentAt = guanjia.DeliverySent, "", &now
	case errors.Is(sendErr, guanjia.ErrNoChannel):
		n.Status, n.Error = guanjia.DeliveryNoChannel, sendErr.Error()
	case errors.Is(sendErr, guanjia.ErrNoConsent):
		n.Status, n.Error = guanjia.DeliveryNoConsent, sendErr.Error()
	case guanjia.ErrorCode(sendErr) != guanjia.EINTERNAL:
		// The sender refused for good (no such recipient, no template): retrying cannot help.
		n.Status, n.Error = guanjia.DeliveryFailed, guanjia.ErrorMessage(sendErr)
	default:
		n.Status, n.Error = guanjia.DeliveryRetrying, sendErr.Error()
		if retried, _ := asynq.GetRetryCount(ctx); retried >= NotifyMaxRetry {
			n.Status = guanjia.DeliveryFailed
		}
	}
	h.Metrics.Deliveries.WithLabelValues(n.Channel, n.Status).Inc()
	if err := h.recordOutcome(ctx, n); err != nil {
		return err
	}
	if n.Status == guanjia.DeliveryRetrying {
		return sendErr
	}
	return nil
}

// recordOutcome writes a delivery's outcome, even when the task's time ran
// out during a slow send, and tries again when the write fails: unwritten,
// the row stays pending and asynq's retry would send a message WeChat or the
// SMS gateway took a second time.
func (h *Handlers) recordOutcome(ctx context.Context, n *guanjia.Notification) error {
	var err error
	for try := range recordTries {
		if try > 0 {
			time.Sleep(time.Duration(try) * 500 * time.Millisecond)
		}
		record, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		err = h.Notifications.UpdateNotification(record, n)
		cancel()
		if err == nil {
			return nil
		}
	}
	return err
}

func (h *Handlers) send(ctx context.Context, n *guanjia.Notification) error {
	sender := h.Senders[n.Channel]
	if n.Channel == guanjia.ChannelLog {
		h.Log.Info("notification", "id", n.ID, "channel", n.Channel, "template", n.Template, "recipient", n.RecipientID)
		return nil
	}
	if sender == nil { // not configured here: it was not sent, and the log must not say it was
		return fmt.Errorf("worker: no %s sender configured: %w", n.Channel, guanjia.ErrNoChannel)
	}
	var to *guanjia.User // nil: addressed by complaint (an SMS to the caller)
	if n.RecipientID != 0 {
		u, err := h.Users.FindUserByID(ctx, n.RecipientID)
		if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
			return guanjia.Errorf(guanjia.ENOTFOUND, "recipient %d does not exist", n.RecipientID)
		} else if err != nil {
			return err
		}
		to = u
	}
	return sender.Send(ctx, to, n)
}

// HandleReconcile re-arms timers and re-queues deliveries that Redis may have
// lost. The database is the truth; this makes the queue agree with it.
func (h *Handlers) HandleReconcile(ctx context.Context, _ *asynq.Task) error {
	now := h.Now()
	armed, err := h.Dispatch.ReconcileTimers(ctx, now.Add(h.ReconcileHorizon))
	if err != nil {
		return err
	}
	volunteerArmed, err := h.reconcileVolunteer(ctx, now.Add(h.ReconcileHorizon)) // 公益海口 (worker/volunteer.go)
	if err != nil {
		return err
	}
	armed += volunteerArmed
	alertsArmed, err := h.reconcileWeather(ctx) // alert fan-outs (worker/weather.go)
	if err != nil {
		return err
	}
	armed += alertsArmed
	disputesArmed, err := h.reconcileDisputes(ctx, now.Add(h.ReconcileHorizon)) // 大调解 (worker/dispute.go)
	if err != nil {
		return err
	}
	armed += disputesArmed
	// Retrying rows too: their retry tasks are lost with a flushed Redis.
	n, err := h.requeueNotifications(ctx, now.Add(-time.Minute), guanjia.DeliveryPending, guanjia.DeliveryRetrying)
	if err != nil {
		return err
	}
	// Last, and logged rather than returned: a task it cannot move must not
	// have the whole reconcile retried; the next run tries it again.
	handedOver, err := h.Dispatch.HandOver(ctx) // tasks of staff disabled or moved since
	if err != nil {
		h.Log.Error("hand over stranded tasks", "err", err)
	}
	h.Log.Debug("reconciled", "timers", armed, "notifications", n, "handed over", handedOver)
	return nil
}

// HandleRequeue runs every few seconds (DefaultRequeueInterval). It hands the
// queue every message the database holds pending — written while Redis was
// away, or lost with it — and re-arms the timers due soon. Both enqueues are
// idempotent by task id (notify:<id>, sla:<kind>:<complaint>:<seq>), so when
// nothing was lost a run costs two indexed queries and a few refused enqueues,
// each followed by a look at the task that holds the id: an archived one (its
// retries used up while, say, the database was away) is queued afresh.
func (h *Handlers) HandleRequeue(ctx context.Context, _ *asynq.Task) error {
	now := h.Now()
	// Pending rows only: a retrying one is in the queue's retry set, waiting on purpose.
	n, err := h.requeueNotifications(ctx, now.Add(-requeueGrace), guanjia.DeliveryPending)
	if err != nil {
		return err
	}
	horizon := h.RequeueHorizon
	if horizon <= 0 {
		horizon = 6 * DefaultRequeueInterval
	}
	armed := 0
	if h.Dispatch != nil {
		if armed, err = h.Dispatch.ReconcileTimers(ctx, now.Add(horizon)); err != nil {
			return err
		}
	}
	h.Log.Debug("re-queued", "notifications", n, "timers", armed)
	return nil
}

// requeueNotifications queues again the messages in statuses since before.
func (h *Handlers) requeueNotifications(ctx context.Context, before time.Time, statuses ...string) (int, error) {
	ids, err := h.Notifications.StaleNotifications(ctx, before, statuses, 1000)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := h.Scheduler.Deliver(ctx, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

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
	"guanjia/credit"
	"guanjia/dispatch"
	"guanjia/volunteer"
)

// Handlers holds what the task handlers need.
type Handlers struct {
	Dispatch      *dispatch.Service
	Volunteer     *volunteer.Service
	Credit        *credit.Service
	Notifications interface {
		guanjia.NotificationStore
		StaleNotifications(ctx context.Context, before time.Time, limit int) ([]int64, error)
	}
	Users     guanjia.UserStore
	Senders   map[string]guanjia.Sender // by channel; a channel without one is written to the log only
	Scheduler *Scheduler
	Metrics   *Metrics
	Log       *slog.Logger
	Now       func() time.Time
	// ReconcileHorizon is how far ahead the reconciler re-arms timers; it must
	// exceed the reconcile interval so nothing falls between two runs.
	ReconcileHorizon time.Duration
}

// NewServeMux routes every task type to its handler.
func (h *Handlers) NewServeMux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Use(h.Metrics.middleware)
	for _, typ := range []string{TypeSLAAccept, TypeSLAArrive, TypeSLAResolve, TypeSLAWarn} {
		mux.HandleFunc(typ, h.HandleSLA)
	}
	mux.HandleFunc(TypeNotify, h.HandleNotify)
	mux.HandleFunc(TypeReconcile, h.HandleReconcile)
	if h.Credit != nil {
		mux.HandleFunc(TypeCreditImport, h.HandleCreditImport)
		mux.HandleFunc(TypeCreditSweep, h.HandleCreditSweep)
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

// HandleNotify delivers one message and records the outcome. "No consent" is
// final (never retried); any other failure is retried by asynq with backoff
// and shows as retrying, then failed.
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
	switch n.Status {
	case guanjia.DeliverySent, guanjia.DeliveryNoConsent, guanjia.DeliveryFailed:
		return nil // already settled: a duplicate task
	}
	n.Attempts++
	sendErr := h.send(ctx, n)
	now := h.Now()
	switch {
	case sendErr == nil:
		n.Status, n.Error, n.SentAt = guanjia.DeliverySent, "", &now
	case errors.Is(sendErr, guanjia.ErrNoConsent):
		n.Status, n.Error = guanjia.DeliveryNoConsent, guanjia.ErrorMessage(sendErr)
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
	if err := h.Notifications.UpdateNotification(ctx, n); err != nil {
		return err
	}
	if n.Status == guanjia.DeliveryRetrying {
		return sendErr
	}
	return nil
}

func (h *Handlers) send(ctx context.Context, n *guanjia.Notification) error {
	sender := h.Senders[n.Channel]
	if sender == nil {
		h.Log.Info("notification", "id", n.ID, "channel", n.Channel, "template", n.Template, "recipient", n.RecipientID)
		return nil
	}
	to, err := h.Users.FindUserByID(ctx, n.RecipientID)
	if err != nil {
		return err
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
	ids, err := h.Notifications.StaleNotifications(ctx, now.Add(-time.Minute), 1000)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := h.Scheduler.Deliver(ctx, id); err != nil {
			return err
		}
	}
	h.Log.Debug("reconciled", "timers", armed, "notifications", len(ids))
	return nil
}

package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"guanjia/mediation"
)

// 大调解 timers: the warning before a dispute's one-month deadline, the
// escalation at it, and the reminder before a mediation session.
const (
	TypeDisputeWarn     = "dispute:warn"
	TypeDisputeEscalate = "dispute:escalate"
	TypeDisputeRemind   = "dispute:remind"
	TypeDisputeAccept   = "dispute:accept" // not accepted in time
)

var disputeTypes = map[mediation.TimerKind]string{
	mediation.TimerWarn:     TypeDisputeWarn,
	mediation.TimerEscalate: TypeDisputeEscalate,
	mediation.TimerRemind:   TypeDisputeRemind,
	mediation.TimerAccept:   TypeDisputeAccept,
}

// DisputeTimerPayload names one mediation timer.
type DisputeTimerPayload struct {
	Kind      mediation.TimerKind `json:"kind"`
	DisputeID int64               `json:"dispute_id"`
	SessionID int64               `json:"session_id,omitempty"`
	Seq       int64               `json:"seq"` // Unix time of the deadline or the session
}

// NewDisputeTimerTask builds the task of timer t. Its TaskID is
// deterministic (dispute:warn:<dispute>:<deadline-unix>,
// dispute:remind:<session>:<start-unix>), so arming twice is harmless and a
// moved deadline or session gets new tasks.
func NewDisputeTimerTask(t mediation.Timer) (*asynq.Task, []asynq.Option, error) {
	typ, ok := disputeTypes[t.Kind]
	if !ok {
		return nil, nil, fmt.Errorf("worker: unknown dispute timer kind %q", t.Kind)
	}
	b, err := json.Marshal(DisputeTimerPayload{Kind: t.Kind, DisputeID: t.DisputeID, SessionID: t.SessionID, Seq: t.Seq})
	if err != nil {
		return nil, nil, err
	}
	subject := t.DisputeID
	if t.Kind == mediation.TimerRemind {
		subject = t.SessionID
	}
	opts := []asynq.Option{
		asynq.TaskID(fmt.Sprintf("%s:%d:%d", typ, subject, t.Seq)),
		asynq.ProcessAt(t.DueAt), asynq.Queue(QueueSLA), asynq.MaxRetry(10), asynq.Timeout(2 * time.Minute),
	}
	return asynq.NewTask(typ, b), opts, nil
}

// ArmDisputeTimer schedules t; it implements mediation.Scheduler.
func (s *Scheduler) ArmDisputeTimer(ctx context.Context, t mediation.Timer) error {
	task, opts, err := NewDisputeTimerTask(t)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, task, opts)
}

var _ mediation.Scheduler = (*Scheduler)(nil)

// HandleDisputeTimer fires a mediation timer.
func (h *Handlers) HandleDisputeTimer(ctx context.Context, t *asynq.Task) error {
	var p DisputeTimerPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.DisputeID == 0 || disputeTypes[p.Kind] != t.Type() {
		return fmt.Errorf("worker: bad %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	if h.Mediation == nil {
		return fmt.Errorf("worker: no mediation service for %s: %w", t.Type(), asynq.SkipRetry)
	}
	fired, err := h.Mediation.HandleTimer(ctx, mediation.Timer{Kind: p.Kind, DisputeID: p.DisputeID, SessionID: p.SessionID, Seq: p.Seq})
	if err != nil {
		return err
	}
	if fired && p.Kind == mediation.TimerEscalate {
		h.Log.Info("mediation: dispute past its deadline escalated", "dispute", p.DisputeID)
	}
	return nil
}

// disputeTaskTypes lists the task types HandleDisputeTimer serves, for NewServeMux.
func disputeTaskTypes() []string {
	return []string{TypeDisputeWarn, TypeDisputeEscalate, TypeDisputeRemind, TypeDisputeAccept}
}

// reconcileDisputes re-arms the mediation timers due before horizon.
func (h *Handlers) reconcileDisputes(ctx context.Context, horizon time.Time) (int, error) {
	if h.Mediation == nil {
		return 0, nil
	}
	return h.Mediation.ReconcileTimers(ctx, horizon)
}

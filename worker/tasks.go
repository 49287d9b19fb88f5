// Package worker runs guanjia's background jobs on asynq: SLA timers,
// notification delivery and the reconciler that rebuilds lost timers.
package worker

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"guanjia/dispatch"
)

// Task types.
const (
	TypeSLAAccept   = "sla:accept"
	TypeSLAArrive   = "sla:arrive"
	TypeSLAResolve  = "sla:resolve"
	TypeSLAReminder = "sla:warn" // 催办; the queued value keeps its old name
	TypeNotify      = "notify:send"
	TypeReconcile   = "reconcile:run"
	TypeRequeue     = "reconcile:requeue" // every few seconds: undelivered messages and timers due soon
)

// Queues, by priority: missed deadlines must not wait behind a burst of messages.
const (
	QueueSLA     = "sla"
	QueueNotify  = "notify"
	QueueDefault = "default"
)

// SLAPayload names one SLA timer.
type SLAPayload struct {
	ComplaintID int64              `json:"complaint_id"`
	Kind        dispatch.TimerKind `json:"kind"`
	Seq         int64              `json:"seq"`
}

var slaTypes = map[dispatch.TimerKind]string{
	dispatch.TimerAccept:          TypeSLAAccept,
	dispatch.TimerArrive:          TypeSLAArrive,
	dispatch.TimerResolve:         TypeSLAResolve,
	dispatch.TimerAcceptReminder:  TypeSLAReminder,
	dispatch.TimerArriveReminder:  TypeSLAReminder,
	dispatch.TimerResolveReminder: TypeSLAReminder,
}

// NewSLATask builds the task for timer t. Its TaskID is deterministic
// (sla:<kind>:<complaint>:<seq>), so arming twice is harmless.
func NewSLATask(t dispatch.Timer) (*asynq.Task, []asynq.Option, error) {
	typ, ok := slaTypes[t.Kind]
	if !ok {
		return nil, nil, fmt.Errorf("worker: unknown timer kind %q", t.Kind)
	}
	b, err := json.Marshal(SLAPayload{ComplaintID: t.ComplaintID, Kind: t.Kind, Seq: t.Seq})
	if err != nil {
		return nil, nil, err
	}
	opts := []asynq.Option{
		asynq.TaskID(fmt.Sprintf("sla:%s:%d:%d", t.Kind, t.ComplaintID, t.Seq)),
		asynq.ProcessAt(t.DueAt), asynq.Queue(QueueSLA), asynq.MaxRetry(10), asynq.Timeout(30 * time.Second),
	}
	return asynq.NewTask(typ, b), opts, nil
}

// NotifyPayload names one row of the delivery log.
type NotifyPayload struct {
	NotificationID int64 `json:"notification_id"`
}

// NotifyMaxRetry is how often a failed push is retried (with asynq's backoff) before it shows as failed.
const NotifyMaxRetry = 6

// notifyTimeout bounds one delivery. A WeChat send can take four calls (a
// token, the send, a fresh token and the send again), each up to 15 s in
// the client the SDK uses, which ignores the task's context: the task must outlast
// them, or asynq retries a send still under way.
const notifyTimeout = 75 * time.Second

// recordTimeout bounds writing a delivery's outcome once; recordTries is
// how often it is tried.
const (
	recordTimeout = 10 * time.Second
	recordTries   = 3
)

// DrainTimeout is how long a stopping worker lets the handlers under way
// finish: a delivery's send and the writes of its outcome. Shorter, asynq
// would put a send still under way back in the queue, and another worker
// would send it again.
const DrainTimeout = notifyTimeout + recordTries*recordTimeout

// NewNotifyTask builds the delivery task of notification id (TaskID notify:<id>).
func NewNotifyTask(id int64) (*asynq.Task, []asynq.Option) {
	b, _ := json.Marshal(NotifyPayload{NotificationID: id})
	return asynq.NewTask(TypeNotify, b), []asynq.Option{
		asynq.TaskID(fmt.Sprintf("notify:%d", id)), asynq.Queue(QueueNotify),
		asynq.MaxRetry(NotifyMaxRetry), asynq.Timeout(notifyTimeout),
	}
}

// NewReconcileTask builds the periodic reconciler task.
func NewReconcileTask() *asynq.Task { return asynq.NewTask(TypeReconcile, nil) }

// NewRequeueTask builds the fast periodic re-queue of undelivered messages.
func NewRequeueTask() *asynq.Task { return asynq.NewTask(TypeRequeue, nil) }

package worker

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"guanjia"
	"guanjia/dispatch"
)

// Scheduler enqueues timers and deliveries; it implements dispatch.Scheduler
// and guanjia.Notifier.
type Scheduler struct {
	Client *asynq.Client
	// Inspector, on the same Redis as Client, tells a task that is still
	// queued from an archived one that merely holds its ID (see enqueue).
	// Nil: every ID conflict counts as queued.
	Inspector     *asynq.Inspector
	Notifications guanjia.NotificationStore
}

// ArmTimer schedules t; if the task is already queued it is left as it is.
func (s *Scheduler) ArmTimer(ctx context.Context, t dispatch.Timer) error {
	task, opts, err := NewSLATask(t)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, task, opts)
}

// Deliver queues delivery of a delivery-log row.
func (s *Scheduler) Deliver(ctx context.Context, id int64) error {
	task, opts := NewNotifyTask(id)
	return s.enqueue(ctx, task, opts)
}

// Notify writes m to the delivery log, then queues it. If queueing fails the
// row stays pending and the reconciler queues it later.
func (s *Scheduler) Notify(ctx context.Context, m guanjia.Message) error {
	n := &guanjia.Notification{Message: m, Status: guanjia.DeliveryPending}
	if err := s.Notifications.CreateNotification(ctx, n); err != nil {
		return err
	}
	if err := s.Deliver(ctx, n.ID); err != nil {
		return fmt.Errorf("worker: queue notification %d (left pending): %w", n.ID, err)
	}
	return nil
}

// enqueue queues task under the deterministic ID in opts; an ID conflict
// means it is already queued. But asynq also keeps an archived task (its
// retries used up) under its ID, and that one never runs again: it is
// deleted and the task queued afresh, since the database still wants it.
func (s *Scheduler) enqueue(ctx context.Context, task *asynq.Task, opts []asynq.Option) error {
	_, err := s.Client.EnqueueContext(ctx, task, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		var freed bool
		if freed, err = s.freeArchivedID(opts); freed {
			_, err = s.Client.EnqueueContext(ctx, task, opts...) // a conflict now: another process queued it first
		}
	}
	if err == nil || errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	return fmt.Errorf("worker: enqueue %s: %w", task.Type(), err)
}

// freeArchivedID deletes the task holding the ID in opts if it is archived,
// and reports whether the ID is free again. A completed task (kept by
// asynq.Retention) is left: its work is done, and the retention is there to
// refuse a late duplicate (credit imports).
func (s *Scheduler) freeArchivedID(opts []asynq.Option) (bool, error) {
	if s.Inspector == nil {
		return false, nil
	}
	queue, id := QueueDefault, ""
	for _, o := range opts {
		switch o.Type() {
		case asynq.QueueOpt:
			queue = o.Value().(string)
		case asynq.TaskIDOpt:
			id = o.Value().(string)
		}
	}
	info, err := s.Inspector.GetTaskInfo(queue, id)
	switch {
	case errors.Is(err, asynq.ErrTaskNotFound):
		return true, nil // gone in between
	case err != nil:
		return false, fmt.Errorf("inspect task %s: %w", id, err)
	case info.State != asynq.TaskStateArchived:
		return false, nil
	}
	if err := s.Inspector.DeleteTask(queue, id); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
		return false, fmt.Errorf("delete archived task %s: %w", id, err)
	}
	return true, nil
}

var (
	_ dispatch.Scheduler = (*Scheduler)(nil)
	_ guanjia.Notifier   = (*Scheduler)(nil)
)

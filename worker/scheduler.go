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
	Client        *asynq.Client
	Notifications guanjia.NotificationStore
}

// ArmTimer schedules t; if the task is already there it is left as it is.
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

func (s *Scheduler) enqueue(ctx context.Context, task *asynq.Task, opts []asynq.Option) error {
	_, err := s.Client.EnqueueContext(ctx, task, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("worker: enqueue %s: %w", task.Type(), err)
	}
	return nil
}

var (
	_ dispatch.Scheduler = (*Scheduler)(nil)
	_ guanjia.Notifier   = (*Scheduler)(nil)
)

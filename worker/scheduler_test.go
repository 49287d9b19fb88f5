package worker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/worker"
)

// A delivery whose task used up its retries (the database was away for its
// whole backoff) is archived by asynq under its task id. The message is still
// pending in the database, so the re-queue queues it afresh and it goes out;
// while its task is still queued, re-queueing leaves it alone.
func TestRequeueRevivesAnArchivedDelivery(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	n := &guanjia.Notification{Message: guanjia.Message{RecipientID: r.crew.UserID, Channel: guanjia.ChannelWeCom, Template: guanjia.TplEscalation},
		CreatedAt: time.Now().UTC().Add(-time.Minute)}
	if err := r.db.Notifications.CreateNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("notify:%d", n.ID)
	requeue := func() {
		t.Helper()
		if err := r.h.HandleRequeue(ctx, worker.NewRequeueTask()); err != nil {
			t.Fatal(err)
		}
	}
	requeue()
	if err := r.inspect.ArchiveTask(worker.QueueNotify, id); err != nil {
		t.Fatal(err)
	}
	requeue()
	if got := r.task(t, worker.QueueNotify, id); got.State != asynq.TaskStatePending {
		t.Fatalf("after re-queueing the archived delivery the task is %s, want pending", got.State)
	}
	requeue() // still pending: nothing to replace, nothing queued twice
	if tasks, err := r.inspect.ListPendingTasks(worker.QueueNotify); err != nil || len(tasks) != 1 || tasks[0].ID != id {
		t.Errorf("queued %d tasks (%v), want %s once", len(tasks), err, id)
	}

	push := &capture{}
	r.senders[guanjia.ChannelWeCom] = push
	r.run(t)
	waitFor(t, "the revived delivery", func() bool {
		got, _ := r.db.Notifications.FindNotification(ctx, n.ID)
		return got.Status == guanjia.DeliverySent
	})
}

// An SLA timer whose task was archived after its tries failed is armed again
// by the reconciler, for the same moment; an armed one is left as it is.
func TestReconcileRearmsAnArchivedTimer(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	c := r.file(t)
	id := fmt.Sprintf("sla:accept:%d:1", c.ID)
	armed := r.task(t, worker.QueueSLA, id)
	if armed.State != asynq.TaskStateScheduled {
		t.Fatalf("accept timer %s, want scheduled", armed.State)
	}
	due := armed.NextProcessAt

	// Arming it again, even for another time, changes nothing.
	later := dispatch.Timer{ComplaintID: c.ID, Kind: dispatch.TimerAccept, Seq: 1, DueAt: due.Add(time.Hour)}
	if err := r.sched.ArmTimer(ctx, later); err != nil {
		t.Fatal(err)
	}
	if got := r.task(t, worker.QueueSLA, id); got.State != asynq.TaskStateScheduled || !got.NextProcessAt.Equal(due) {
		t.Fatalf("after arming again: %s at %v, want scheduled at %v", got.State, got.NextProcessAt, due)
	}

	if err := r.inspect.ArchiveTask(worker.QueueSLA, id); err != nil {
		t.Fatal(err)
	}
	if err := r.h.HandleReconcile(ctx, worker.NewReconcileTask()); err != nil {
		t.Fatal(err)
	}
	if got := r.task(t, worker.QueueSLA, id); got.State != asynq.TaskStateScheduled || !got.NextProcessAt.Equal(due) {
		t.Fatalf("after reconciling the archived timer: %s at %v, want scheduled at %v", got.State, got.NextProcessAt, due)
	}
	if tasks, _ := r.inspect.ListScheduledTasks(worker.QueueSLA); len(tasks) != 4 {
		t.Errorf("%d scheduled tasks, want 4 (accept, resolve and their warnings)", len(tasks))
	}
}

// task is the queue's task id, which must exist.
func (r *rig) task(t *testing.T, queue, id string) *asynq.TaskInfo {
	t.Helper()
	info, err := r.inspect.GetTaskInfo(queue, id)
	if err != nil {
		t.Fatalf("task %s: %v", id, err)
	}
	return info
}

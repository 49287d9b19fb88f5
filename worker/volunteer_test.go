package worker_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"guanjia/internal/testenv"
	"guanjia/volunteer"
	"guanjia/worker"
)

func TestVolunteerTimerTaskIsDeterministic(t *testing.T) {
	// Two days ahead of the real clock: asynq schedules against it, so a fixed
	// date would turn into "pending" once it passed.
	due := time.Now().Add(48 * time.Hour).Truncate(time.Second).UTC()
	timer := volunteer.Timer{Kind: volunteer.TimerRemind, SubjectID: 42, Seq: due.Add(time.Hour).Unix(), DueAt: due}
	task, opts, err := worker.NewVolunteerTimerTask(timer)
	if err != nil {
		t.Fatal(err)
	}
	if task.Type() != worker.TypeActivityReminder {
		t.Errorf("type %s", task.Type())
	}
	var id string
	for _, o := range opts {
		if o.Type() == asynq.TaskIDOpt {
			id = o.Value().(string)
		}
	}
	if want := fmt.Sprintf("volunteer:remind:42:%d", timer.Seq); id != want { // the activity's start
		t.Errorf("task id %q, want %q", id, want)
	}
	if _, _, err := worker.NewVolunteerTimerTask(volunteer.Timer{Kind: "bogus", SubjectID: 1}); err == nil {
		t.Error("an unknown timer kind made a task")
	}

	// Arming twice leaves one task, scheduled at the due time.
	conn := testenv.MustRedisConn(t).Conn
	client, inspect := asynq.NewClient(conn), asynq.NewInspector(conn)
	defer client.Close()
	defer inspect.Close()
	sched := &worker.Scheduler{Client: client}
	for range 2 {
		if err := sched.ArmVolunteerTimer(context.Background(), timer); err != nil {
			t.Fatal(err)
		}
	}
	tasks, err := inspect.ListScheduledTasks(worker.QueueSLA)
	if err != nil || len(tasks) != 1 || !tasks[0].NextProcessAt.Equal(due) {
		t.Fatalf("scheduled %+v %v, want one task at %s", tasks, err, due)
	}
}

func TestVolunteerTimerRejectsBadPayloads(t *testing.T) {
	h := &worker.Handlers{}
	for _, task := range []*asynq.Task{
		asynq.NewTask(worker.TypeActivityReminder, []byte("not json")),
		asynq.NewTask(worker.TypeActivityReminder, []byte(`{"kind":"remind"}`)),                    // no subject
		asynq.NewTask(worker.TypeAutoCheckout, []byte(`{"kind":"remind","subject_id":1,"seq":1}`)), // kind and type disagree
	} {
		if err := h.HandleVolunteerTimer(context.Background(), task); !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("%s %s: %v, want skip retry", task.Type(), task.Payload(), err)
		}
	}
}

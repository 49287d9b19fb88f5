package worker_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/mediation"
	"guanjia/worker"
)

func TestDisputeTimerTaskIsDeterministic(t *testing.T) {
	due := time.Now().Add(48 * time.Hour).Truncate(time.Second).UTC() // ahead of the real clock asynq schedules against
	for _, c := range []struct {
		timer mediation.Timer
		typ   string
		id    string
	}{
		{mediation.Timer{Kind: mediation.TimerWarn, DisputeID: 7, Seq: due.Unix(), DueAt: due}, worker.TypeDisputeWarn, fmt.Sprintf("dispute:warn:7:%d", due.Unix())},
		{mediation.Timer{Kind: mediation.TimerEscalate, DisputeID: 7, Seq: due.Unix(), DueAt: due}, worker.TypeDisputeEscalate, fmt.Sprintf("dispute:escalate:7:%d", due.Unix())},
		{mediation.Timer{Kind: mediation.TimerRemind, DisputeID: 7, SessionID: 3, Seq: due.Unix(), DueAt: due}, worker.TypeDisputeRemind, fmt.Sprintf("dispute:remind:3:%d", due.Unix())},
		{mediation.Timer{Kind: mediation.TimerAccept, DisputeID: 7, Seq: due.Unix() - 72*3600, DueAt: due}, worker.TypeDisputeAccept, fmt.Sprintf("dispute:accept:7:%d", due.Unix()-72*3600)},
	} {
		task, opts, err := worker.NewDisputeTimerTask(c.timer)
		if err != nil {
			t.Fatal(err)
		}
		var id string
		for _, o := range opts {
			if o.Type() == asynq.TaskIDOpt {
				id = o.Value().(string)
			}
		}
		if task.Type() != c.typ || id != c.id {
			t.Errorf("%s: type %s id %s, want %s %s", c.timer.Kind, task.Type(), id, c.typ, c.id)
		}
	}
	conn := testenv.MustRedisConn(t).Conn
	client, inspect := asynq.NewClient(conn), asynq.NewInspector(conn)
	defer client.Close()
	defer inspect.Close()
	sched := &worker.Scheduler{Client: client}
	timer := mediation.Timer{Kind: mediation.TimerEscalate, DisputeID: 9, Seq: due.Unix(), DueAt: due}
	for range 2 {
		if err := sched.ArmDisputeTimer(context.Background(), timer); err != nil {
			t.Fatal(err)
		}
	}
	tasks, err := inspect.ListScheduledTasks(worker.QueueSLA)
	if err != nil || len(tasks) != 1 || !tasks[0].NextProcessAt.Equal(due) {
		t.Fatalf("scheduled %+v %v, want one task at %s", tasks, err, due)
	}
}

// TestDisputeTimerHandler: a payload that names nothing is dropped for good;
// a real escalation task re-reads the dispute and escalates it once.
func TestDisputeTimerHandler(t *testing.T) {
	ctx := context.Background()
	db := testenv.MustOpenDB(t)
	clk := testenv.NewClock(time.Now().UTC().Truncate(time.Second))
	db.Now = clk.Now
	svc := mediation.NewService(db.Disputes, nil, nil, clk.Now)
	h := &worker.Handlers{Mediation: svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, task := range []*asynq.Task{
		asynq.NewTask(worker.TypeDisputeWarn, []byte("not json")),
		asynq.NewTask(worker.TypeDisputeWarn, []byte(`{"kind":"warn"}`)),                          // no dispute
		asynq.NewTask(worker.TypeDisputeRemind, []byte(`{"kind":"warn","dispute_id":1,"seq":1}`)), // kind and type disagree
	} {
		if err := h.HandleDisputeTimer(ctx, task); !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("%s %s: %v, want skip retry", task.Type(), task.Payload(), err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.Disputes.UpsertCommittee(ctx, &guanjia.Committee{Code: "tj-hks", Name: "海口市人民调解委员会", Level: guanjia.LevelCity, Kind: guanjia.CommitteePeople}))
	desk := &guanjia.User{Username: "desk", Role: guanjia.RoleDispatcher}
	must(db.Users.CreateUser(ctx, desk))
	who := guanjia.Claims{UserID: desk.ID, Role: desk.Role}
	v, err := svc.Create(ctx, who, mediation.Input{Type: "debt", Summary: "借款未还", Lat: 20, Lng: 110.3, Source: guanjia.DisputeFromPolice,
		Parties: []guanjia.Party{{Role: "applicant", Kind: "person", Name: "甲"}, {Role: "respondent", Kind: "person", Name: "乙"}}})
	must(err)
	v, err = svc.Act(ctx, who, v.ID, guanjia.DisputeAccept, mediation.ActionInput{})
	must(err)
	clk.Set(*v.DueAt)
	task, _, err := worker.NewDisputeTimerTask(mediation.Timer{Kind: mediation.TimerEscalate, DisputeID: v.ID, Seq: v.DueAt.Unix(), DueAt: *v.DueAt})
	must(err)
	for range 2 {
		must(h.HandleDisputeTimer(ctx, task))
	}
	events, err := db.Disputes.ListDisputeEvents(ctx, v.ID)
	must(err)
	escalations := 0
	for _, e := range events {
		if e.Action == guanjia.DisputeEscalate {
			escalations++
		}
	}
	if escalations != 1 {
		t.Fatalf("%d escalations on the timeline, want 1: %+v", escalations, events)
	}
}

package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"guanjia/volunteer"
)

// 公益海口 timers: reminders before an activity, its start and finish, and
// the auto check-out job after its end.
const (
	TypeActivityReminder = "volunteer:remind"
	TypeActivityStart    = "volunteer:start"
	TypeActivityFinish   = "volunteer:finish"
	TypeAutoCheckout     = "volunteer:autocheckout"
)

var volunteerTypes = map[volunteer.TimerKind]string{
	volunteer.TimerRemind:       TypeActivityReminder,
	volunteer.TimerStart:        TypeActivityStart,
	volunteer.TimerFinish:       TypeActivityFinish,
	volunteer.TimerAutoCheckout: TypeAutoCheckout,
}

// VolunteerTimerPayload names one volunteer timer.
type VolunteerTimerPayload struct {
	Kind      volunteer.TimerKind `json:"kind"`
	SubjectID int64               `json:"subject_id"` // the signup (reminders) or the activity
	Seq       int64               `json:"seq"`        // Unix time of the activity instant the timer derives from
}

// NewVolunteerTimerTask builds the task of timer t. Its TaskID is
// deterministic (e.g. volunteer:remind:<signup>:<start-unix>), so arming
// twice is harmless and a moved activity gets new tasks.
func NewVolunteerTimerTask(t volunteer.Timer) (*asynq.Task, []asynq.Option, error) {
	typ, ok := volunteerTypes[t.Kind]
	if !ok {
		return nil, nil, fmt.Errorf("worker: unknown volunteer timer kind %q", t.Kind)
	}
	b, err := json.Marshal(VolunteerTimerPayload{Kind: t.Kind, SubjectID: t.SubjectID, Seq: t.Seq})
	if err != nil {
		return nil, nil, err
	}
	// Timers share the SLA queue: a reminder must not wait behind a burst of deliveries.
	opts := []asynq.Option{
		asynq.TaskID(fmt.Sprintf("%s:%d:%d", typ, t.SubjectID, t.Seq)),
		asynq.ProcessAt(t.DueAt), asynq.Queue(QueueSLA), asynq.MaxRetry(10), asynq.Timeout(2 * time.Minute),
	}
	return asynq.NewTask(typ, b), opts, nil
}

// ArmVolunteerTimer schedules t; if the task is already there it is left as
// it is. It implements volunteer.Scheduler.
func (s *Scheduler) ArmVolunteerTimer(ctx context.Context, t volunteer.Timer) error {
	task, opts, err := NewVolunteerTimerTask(t)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, task, opts)
}

var _ volunteer.Scheduler = (*Scheduler)(nil)

// HandleVolunteerTimer fires a volunteer timer: a reminder, an activity's
// start or finish, or the auto check-out after its end.
func (h *Handlers) HandleVolunteerTimer(ctx context.Context, t *asynq.Task) error {
	var p VolunteerTimerPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.SubjectID == 0 || volunteerTypes[p.Kind] != t.Type() {
		return fmt.Errorf("worker: bad %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	if h.Volunteer == nil {
		return fmt.Errorf("worker: no volunteer service for %s: %w", t.Type(), asynq.SkipRetry)
	}
	out, err := h.Volunteer.HandleTimer(ctx, volunteer.Timer{Kind: p.Kind, SubjectID: p.SubjectID, Seq: p.Seq})
	if err != nil {
		return err
	}
	if out.CheckedOut > 0 || out.NoShows > 0 {
		h.Log.Info("volunteer: activity settled", "activity", p.SubjectID, "auto_checked_out", out.CheckedOut, "no_shows", out.NoShows)
	}
	return nil
}

// volunteerTaskTypes lists the task types HandleVolunteerTimer serves, for NewServeMux.
func volunteerTaskTypes() []string {
	return []string{TypeActivityReminder, TypeActivityStart, TypeActivityFinish, TypeAutoCheckout}
}

// reconcileVolunteer re-arms the volunteer timers due before horizon.
func (h *Handlers) reconcileVolunteer(ctx context.Context, horizon time.Time) (int, error) {
	if h.Volunteer == nil {
		return 0, nil
	}
	return h.Volunteer.ReconcileTimers(ctx, horizon)
}

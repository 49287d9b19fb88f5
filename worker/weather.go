package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"guanjia/weather"
)

// TypeWeatherAlert fans a published alert out to the citizens whose saved
// places lie inside its area.
const TypeWeatherAlert = "weather:alert"

// WeatherAlertPayload names the alert to fan out.
type WeatherAlertPayload struct {
	AlertID int64 `json:"alert_id"`
}

// NewWeatherAlertTask builds the fan-out task of alert id, to run at at
// (the alert's start; at once when it has passed). Its TaskID
// (weather:alert:<id>) makes arming twice harmless; the store's (alert,
// citizen) record makes a retry send nothing twice.
func NewWeatherAlertTask(id int64, at time.Time) (*asynq.Task, []asynq.Option) {
	b, _ := json.Marshal(WeatherAlertPayload{AlertID: id})
	return asynq.NewTask(TypeWeatherAlert, b), []asynq.Option{
		asynq.TaskID(fmt.Sprintf("%s:%d", TypeWeatherAlert, id)), asynq.ProcessAt(at), asynq.Queue(QueueNotify),
		asynq.MaxRetry(10), asynq.Timeout(5 * time.Minute),
	}
}

// ArmAlertFanOut queues the fan-out of alert id to run at at; it implements weather.Scheduler.
func (s *Scheduler) ArmAlertFanOut(ctx context.Context, id int64, at time.Time) error {
	task, opts := NewWeatherAlertTask(id, at)
	return s.enqueue(ctx, task, opts)
}

var (
	_ weather.Scheduler = (*Scheduler)(nil)
	_ weather.Deliverer = (*Scheduler)(nil)
)

// HandleWeatherAlert fans an alert out: one message per citizen inside.
func (h *Handlers) HandleWeatherAlert(ctx context.Context, t *asynq.Task) error {
	var p WeatherAlertPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.AlertID <= 0 {
		return fmt.Errorf("worker: bad %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	if h.Weather == nil {
		return fmt.Errorf("worker: no weather service for %s: %w", t.Type(), asynq.SkipRetry)
	}
	out, err := h.Weather.FanOut(ctx, p.AlertID)
	if err != nil {
		return err
	}
	h.Log.Info("weather: alert fanned out", "alert", p.AlertID, "recipients", out.Recipients, "queued", out.Queued)
	return nil
}

// reconcileWeather re-arms the fan-out of alerts in force never fanned out.
func (h *Handlers) reconcileWeather(ctx context.Context) (int, error) {
	if h.Weather == nil {
		return 0, nil
	}
	return h.Weather.ReconcileAlerts(ctx)
}

package worker

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the worker's Prometheus series.
type Metrics struct {
	Tasks       *prometheus.CounterVec
	TaskSeconds *prometheus.HistogramVec
	SLABreaches *prometheus.CounterVec
	Deliveries  *prometheus.CounterVec
}

// NewMetrics registers the series with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Tasks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "guanjia_tasks_total",
			Help: "Background tasks processed, by type and result."}, []string{"type", "result"}),
		TaskSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "guanjia_task_seconds",
			Help: "Background task run time.", Buckets: prometheus.DefBuckets}, []string{"type"}),
		SLABreaches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "guanjia_sla_breaches_total",
			Help: "Missed complaint deadlines, by stage (accept, arrive, resolve)."}, []string{"stage"}),
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "guanjia_notifications_total",
			Help: "Notification delivery attempts, by channel and outcome."}, []string{"channel", "status"}),
	}
	reg.MustRegister(m.Tasks, m.TaskSeconds, m.SLABreaches, m.Deliveries)
	return m
}

func (m *Metrics) middleware(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		start := time.Now()
		err := next.ProcessTask(ctx, t)
		result := "ok"
		if err != nil {
			result = "error"
		}
		m.Tasks.WithLabelValues(t.Type(), result).Inc()
		m.TaskSeconds.WithLabelValues(t.Type()).Observe(time.Since(start).Seconds())
		return err
	})
}

package worker

import (
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
)

// Config tunes the worker.
type Config struct {
	Concurrency int
	// PollInterval is how often due timers are moved to their queues and how
	// long an idle worker waits before looking again. asynq's defaults (5 s and
	// 1 s) make SLA timers up to 6 s late.
	PollInterval      time.Duration
	ReconcileInterval time.Duration
	// RequeueInterval is how often messages the database holds undelivered
	// (queued while Redis was away) are handed to the queue again; seconds, so
	// a crew's task push is not a minute late after an outage.
	RequeueInterval time.Duration
	ShutdownTimeout time.Duration
}

// NewServer builds the asynq server that runs the handlers.
func NewServer(redis asynq.RedisConnOpt, cfg Config, log *slog.Logger) *asynq.Server {
	return asynq.NewServer(redis, asynq.Config{
		Concurrency:              cfg.Concurrency,
		Queues:                   map[string]int{QueueSLA: 6, QueueNotify: 3, QueueDefault: 1},
		DelayedTaskCheckInterval: cfg.PollInterval,
		TaskCheckInterval:        cfg.PollInterval,
		ShutdownTimeout:          cfg.ShutdownTimeout,
		Logger:                   slogAdapter{log},
		LogLevel:                 asynq.WarnLevel,
	})
}

// NewPeriodic builds the scheduler of periodic tasks. Every worker process
// runs one; asynq.Unique makes their enqueues of the same run collapse to one.
func NewPeriodic(redis asynq.RedisConnOpt, cfg Config, log *slog.Logger) (*asynq.Scheduler, error) {
	s := asynq.NewScheduler(redis, &asynq.SchedulerOpts{Logger: slogAdapter{log}, LogLevel: asynq.WarnLevel})
	every := "@every " + cfg.ReconcileInterval.String()
	if _, err := s.Register(every, NewReconcileTask(), asynq.Queue(QueueDefault), asynq.Unique(cfg.ReconcileInterval/2)); err != nil {
		return nil, err
	}
	requeue := cfg.RequeueInterval
	if requeue <= 0 {
		requeue = DefaultRequeueInterval
	}
	// On the notify queue: a burst of imports on the default queue must not hold it up.
	if _, err := s.Register("@every "+requeue.String(), NewRequeueTask(), asynq.Queue(QueueNotify), asynq.MaxRetry(0),
		asynq.Timeout(requeue+10*time.Second), asynq.Unique(max(requeue/2, time.Second))); err != nil {
		return nil, err
	}
	if _, err := s.Register("@every "+CreditSweepInterval.String(), NewCreditSweepTask(), asynq.Queue(QueueDefault), asynq.Unique(CreditSweepInterval/2)); err != nil {
		return nil, err
	}
	if _, err := s.Register("@every "+HotspotRefreshInterval.String(), NewHotspotRefreshTask(), asynq.Queue(QueueDefault), asynq.Unique(HotspotRefreshInterval/2)); err != nil {
		return nil, err
	}
	if _, err := s.Register("@every "+IdempotencyPurgeInterval.String(), NewIdempotencyPurgeTask(), asynq.Queue(QueueDefault),
		asynq.Unique(IdempotencyPurgeInterval/2)); err != nil {
		return nil, err
	}
	if _, err := s.Register("@every "+ClassifyRetrainInterval.String(), NewClassifyRetrainTask(), asynq.Queue(QueueDefault),
		asynq.MaxRetry(0), asynq.Unique(ClassifyRetrainInterval/2)); err != nil {
		return nil, err
	}
	return s, nil
}

// slogAdapter sends asynq's log lines to slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug("asynq", "msg", args) }
func (a slogAdapter) Info(args ...any)  { a.l.Info("asynq", "msg", args) }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn("asynq", "msg", args) }
func (a slogAdapter) Error(args ...any) { a.l.Error("asynq", "msg", args) }
func (a slogAdapter) Fatal(args ...any) { a.l.Error("asynq fatal", "msg", args) }

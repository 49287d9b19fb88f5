package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"guanjia/internal/testenv"
)

// A worker process runs the queue and nothing of the HTTP API: no server,
// no queue monitor, nothing listening on the API's address.
func TestWorkerBuildsNoAPI(t *testing.T) {
	cfg := Config{DataDir: t.TempDir(), Secret: "worker-test-secret", WorkerConcurrency: 2, TimerPoll: 100 * time.Millisecond,
		ReconcileInterval: time.Minute, RequeueInterval: time.Minute, LogLevel: "error"}
	if testenv.Postgres() {
		cfg.DatabaseURL = testenv.DatabaseURL(t)
		cfg.RedisURL = testenv.RedisURL(testenv.MustRedis(t))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ml, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Out: io.Discard, Listener: l, MetricsListener: ml, Log: slog.New(slog.DiscardHandler)}
	if err := m.Start(context.Background(), ModeWorker); err != nil {
		t.Fatalf("start: %v", err)
	}
	defer m.Close()
	if m.Worker == nil {
		t.Fatal("the worker does not run")
	}
	if m.API != nil || m.URL != "" {
		t.Errorf("a worker built the API (%v) or serves it at %q", m.API != nil, m.URL)
	}
}

package worker_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/worker"
)

// The periodic purge forgets the answers older than IdempotencyKeep.
func TestIdempotencyPurgeTask(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	u := &guanjia.User{Username: "agent-purge", Role: guanjia.RoleAgent}
	if err := db.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	db.Now = func() time.Time { return now }
	if _, err := db.Idempotency.BeginIdempotent(ctx, &guanjia.IdempotentResponse{Key: "k", UserID: u.ID, BodyHash: "h"}); err != nil {
		t.Fatal(err)
	}
	h := &worker.Handlers{Idempotency: db.Idempotency, Metrics: worker.NewMetrics(prometheus.NewRegistry()), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return now.Add(guanjia.IdempotencyKeep + time.Minute) }}
	if err := h.NewServeMux().ProcessTask(ctx, worker.NewIdempotencyPurgeTask()); err != nil {
		t.Fatal(err)
	}
	if old, err := db.Idempotency.BeginIdempotent(ctx, &guanjia.IdempotentResponse{Key: "k", UserID: u.ID, BodyHash: "other"}); err != nil || old != nil {
		t.Errorf("the key outlived its day: %+v %v", old, err)
	}
}

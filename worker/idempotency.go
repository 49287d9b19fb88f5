package worker

import (
	"context"
	"time"

	"github.com/hibiken/asynq"

	"guanjia"
)

// TypeIdempotencyPurge forgets the stored answers of retried POSTs once no
// client retries them any more (periodic).
const TypeIdempotencyPurge = "idempotency:purge"

// IdempotencyPurgeInterval is how often old answers are forgotten: they are
// kept a day, so an hour more or less changes nothing.
const IdempotencyPurgeInterval = time.Hour

// NewIdempotencyPurgeTask builds the periodic purge of stored answers.
func NewIdempotencyPurgeTask() *asynq.Task { return asynq.NewTask(TypeIdempotencyPurge, nil) }

// HandleIdempotencyPurge deletes the answers older than guanjia.IdempotencyKeep.
func (h *Handlers) HandleIdempotencyPurge(ctx context.Context, _ *asynq.Task) error {
	n, err := h.Idempotency.PurgeIdempotent(ctx, h.Now().Add(-guanjia.IdempotencyKeep))
	if err != nil {
		return err
	}
	h.Log.Debug("purged idempotency keys", "deleted", n)
	return nil
}

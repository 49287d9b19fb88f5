package guanjia

import (
	"context"
	"time"
)

// IdempotentResponse is the stored answer to a POST carrying an Idempotency-Key.
type IdempotentResponse struct {
	Key       string
	UserID    int64
	BodyHash  string // method, path and body, hashed: the same key with another body is refused
	Status    int    // 0 while the first request is still running
	Body      []byte
	CreatedAt time.Time
}

// IdempotencyStuckAfter is how long a key whose first request never finished
// (its process died) blocks retries: longer than any request may run.
const IdempotencyStuckAfter = 2 * time.Minute

// IdempotencyKeep is how long an answer is kept for retries: a client retries
// within minutes, and an answer may hold what its caller may see no longer.
const IdempotencyKeep = 24 * time.Hour

// IdempotencyStore remembers answers to retried POSTs.
type IdempotencyStore interface {
	// BeginIdempotent records a new key, or returns the existing record (ECONFLICT-free) when
	// the key was seen before for this user. A key still unfinished after
	// IdempotencyStuckAfter is taken over as new.
	BeginIdempotent(ctx context.Context, r *IdempotentResponse) (existing *IdempotentResponse, err error)
	FinishIdempotent(ctx context.Context, r *IdempotentResponse) error
	AbortIdempotent(ctx context.Context, userID int64, key string) error
}

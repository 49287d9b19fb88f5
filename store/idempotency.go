package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"guanjia"
)

// Idempotency remembers the answers to retried POSTs: guanjia.IdempotencyStore.
// Every keyed POST claims its key before it runs and stores its answer after:
// concurrent requests share those two statements (see coalescer).
type Idempotency struct {
	*conn
	claims   coalescer[*idempotencyRow, bool]
	finishes coalescer[*guanjia.IdempotentResponse, struct{}]
}

var _ guanjia.IdempotencyStore = (*Idempotency)(nil)

func newIdempotency(c *conn) *Idempotency {
	s := &Idempotency{conn: c}
	s.claims.run, s.finishes.run = s.claim, s.finish
	return s
}

type idempotencyRow struct {
	UserID    int64  `gorm:"primaryKey"`
	Key       string `gorm:"primaryKey"`
	BodyHash  string
	Status    int
	Body      string
	CreatedAt time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

type idempotencyKey struct {
	userID int64
	key    string
}

// claim inserts the rows whose keys are not taken and says which it
// inserted; of two rows with one key, the first is tried. Rows go in in key
// order, so that two replicas' claims cannot deadlock (a statement that
// fails all the same is retried row by row: see coalescer). On PostgreSQL
// the claim's commit does not wait for the disk (synchronous_commit is off for
// its transaction only): others see it at once, and a claim lost in a crash
// is harmless. Whatever the request goes on to write commits after it, and
// each commit flushes the log up to itself, the claim included; a request
// that wrote nothing may run again.
func (s *Idempotency) claim(ctx context.Context, rows []*idempotencyRow) ([]bool, error) {
	won := make([]bool, len(rows))
	first := make(map[idempotencyKey]int, len(rows))
	var values []string
	var args []any
	for i, r := range rows {
		k := idempotencyKey{r.UserID, r.Key}
		if _, seen := first[k]; seen {
			continue
		}
		first[k] = i
		values = append(values, "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT))")
		args = append(args, r.UserID, r.Key, r.BodyHash)
	}
	with, from := "", "v"
	if s.Dialect == "postgres" {
		with, from = "no_wait AS (SELECT set_config('synchronous_commit', 'off', true)), ", "v, no_wait"
	}
	// WHERE true: SQLite would read ON CONFLICT as part of the FROM's join.
	q := fmt.Sprintf(`WITH %sv (user_id, key, body_hash) AS (VALUES %s)
		INSERT INTO idempotency_keys (user_id, key, body_hash, status, body, created_at)
		SELECT v.user_id, v.key, v.body_hash, 0, '', ? FROM %s WHERE true ORDER BY v.user_id, v.key
		ON CONFLICT DO NOTHING RETURNING user_id, key`, with, strings.Join(values, ", "), from)
	args = append(args, s.Now())
	res, err := s.db.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer res.Close()
	for res.Next() {
		var k idempotencyKey
		if err := res.Scan(&k.userID, &k.key); err != nil {
			return nil, err
		}
		won[first[k]] = true
	}
	return won, res.Err()
}

// finish stores the answers of the requests whose keys were claimed.
func (s *Idempotency) finish(ctx context.Context, answers []*guanjia.IdempotentResponse) ([]struct{}, error) {
	values := make([]string, len(answers))
	var args []any
	for i, r := range answers {
		values[i] = "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT))"
		args = append(args, r.UserID, r.Key, r.Status, string(r.Body))
	}
	q := fmt.Sprintf(`WITH v (user_id, key, status, body) AS (VALUES %s)
		UPDATE idempotency_keys SET status = v.status, body = v.body FROM v
		WHERE idempotency_keys.user_id = v.user_id AND idempotency_keys.key = v.key`, strings.Join(values, ", "))
	if err := s.db.WithContext(ctx).Exec(q, args...).Error; err != nil {
		return nil, err
	}
	return make([]struct{}, len(answers)), nil
}

// BeginIdempotent claims (user, key). If it was claimed before, the earlier
// record is returned and nothing is written.
func (s *Idempotency) BeginIdempotent(ctx context.Context, r *guanjia.IdempotentResponse) (*guanjia.IdempotentResponse, error) {
	now := s.Now() // for the stuck-claim check; the claim's row is stamped by its statement
	won, err := s.claims.do(ctx, &idempotencyRow{UserID: r.UserID, Key: r.Key, BodyHash: r.BodyHash})
	if err != nil {
		return nil, fmt.Errorf("store: begin idempotent %s: %w", r.Key, err)
	}
	if won {
		return nil, nil
	}
	var old idempotencyRow
	if err := s.db.WithContext(ctx).Where("user_id = ? AND key = ?", r.UserID, r.Key).Take(&old).Error; err != nil {
		return nil, fmt.Errorf("store: find idempotent %s: %w", r.Key, err)
	}
	if old.Status == 0 && now.Sub(old.CreatedAt) > guanjia.IdempotencyStuckAfter {
		// The first request died without an answer: this retry takes the key over,
		// unless another retry just did.
		res := s.db.WithContext(ctx).Model(&idempotencyRow{}).
			Where("user_id = ? AND key = ? AND status = 0 AND created_at = ?", r.UserID, r.Key, old.CreatedAt).
			Updates(map[string]any{"body_hash": r.BodyHash, "created_at": now})
		if res.Error != nil {
			return nil, fmt.Errorf("store: take over idempotent %s: %w", r.Key, res.Error)
		}
		if res.RowsAffected == 1 {
			return nil, nil
		}
	}
	return &guanjia.IdempotentResponse{Key: old.Key, UserID: old.UserID, BodyHash: old.BodyHash,
		Status: old.Status, Body: []byte(old.Body), CreatedAt: old.CreatedAt}, nil
}

// FinishIdempotent stores the answer to replay for retries.
func (s *Idempotency) FinishIdempotent(ctx context.Context, r *guanjia.IdempotentResponse) error {
	if _, err := s.finishes.do(ctx, r); err != nil {
		return fmt.Errorf("store: finish idempotent %s: %w", r.Key, err)
	}
	return nil
}

// PurgeIdempotent deletes the keys claimed before before, answered or not.
func (s *Idempotency) PurgeIdempotent(ctx context.Context, before time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("created_at < ?", before).Delete(&idempotencyRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: purge idempotency keys: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// AbortIdempotent forgets a key whose request failed, so the client may retry it.
func (s *Idempotency) AbortIdempotent(ctx context.Context, userID int64, key string) error {
	if err := s.db.WithContext(ctx).Where("user_id = ? AND key = ?", userID, key).Delete(&idempotencyRow{}).Error; err != nil {
		return fmt.Errorf("store: abort idempotent %s: %w", key, err)
	}
	return nil
}

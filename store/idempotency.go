package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
)

// Idempotency remembers the answers to retried POSTs: guanjia.IdempotencyStore.
type Idempotency struct{ *conn }

var _ guanjia.IdempotencyStore = (*Idempotency)(nil)

type idempotencyRow struct {
	UserID    int64  `gorm:"primaryKey"`
	Key       string `gorm:"primaryKey"`
	BodyHash  string
	Status    int
	Body      string
	CreatedAt time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// claim inserts row unless its key is taken. On PostgreSQL the claim's commit
// does not wait for the disk (synchronous_commit is off for its transaction
// only): others see it at once, and a claim lost in a crash is harmless.
// Whatever the request goes on to write commits after it, and each commit
// flushes the log up to itself, the claim included; a request that wrote
// nothing may run again.
func (s *Idempotency) claim(ctx context.Context, row *idempotencyRow) *gorm.DB {
	if s.Dialect != "postgres" {
		return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(row)
	}
	return s.db.WithContext(ctx).Exec(`WITH no_wait AS (SELECT set_config('synchronous_commit', 'off', true))
		INSERT INTO idempotency_keys (user_id, key, body_hash, status, body, created_at)
		SELECT ?, ?, ?, 0, '', ? FROM no_wait ON CONFLICT DO NOTHING`, row.UserID, row.Key, row.BodyHash, row.CreatedAt)
}

// BeginIdempotent claims (user, key). If it was claimed before, the earlier
// record is returned and nothing is written.
func (s *Idempotency) BeginIdempotent(ctx context.Context, r *guanjia.IdempotentResponse) (*guanjia.IdempotentResponse, error) {
	row := idempotencyRow{UserID: r.UserID, Key: r.Key, BodyHash: r.BodyHash, CreatedAt: s.Now()}
	res := s.claim(ctx, &row)
	if res.Error != nil {
		return nil, fmt.Errorf("store: begin idempotent %s: %w", r.Key, res.Error)
	}
	if res.RowsAffected == 1 {
		return nil, nil
	}
	var old idempotencyRow
	if err := s.db.WithContext(ctx).Where("user_id = ? AND key = ?", r.UserID, r.Key).Take(&old).Error; err != nil {
		return nil, fmt.Errorf("store: find idempotent %s: %w", r.Key, err)
	}
	if old.Status == 0 && row.CreatedAt.Sub(old.CreatedAt) > guanjia.IdempotencyStuckAfter {
		// The first request died without an answer: this retry takes the key over,
		// unless another retry just did.
		res := s.db.WithContext(ctx).Model(&idempotencyRow{}).
			Where("user_id = ? AND key = ? AND status = 0 AND created_at = ?", r.UserID, r.Key, old.CreatedAt).
			Updates(map[string]any{"body_hash": r.BodyHash, "created_at": row.CreatedAt})
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
	err := s.db.WithContext(ctx).Model(&idempotencyRow{}).Where("user_id = ? AND key = ?", r.UserID, r.Key).
		Updates(map[string]any{"status": r.Status, "body": string(r.Body)}).Error
	if err != nil {
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

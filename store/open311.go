package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"guanjia"
)

// Open311 keeps Open311 clients and answers the GeoReport queries:
// guanjia.Open311Store.
type Open311 struct {
	*conn
	users      *Users
	complaints *Complaints
}

type open311ClientRow struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	KeyHash   string
	UserID    int64
	Services  string
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (open311ClientRow) TableName() string { return "open311_clients" }

func (r *open311ClientRow) client() *guanjia.Open311Client {
	c := &guanjia.Open311Client{ID: r.ID, Name: r.Name, KeyHash: r.KeyHash, UserID: r.UserID,
		CreatedAt: r.CreatedAt.UTC(), RevokedAt: utc(r.RevokedAt)}
	if r.Services != "" {
		c.Services = strings.Split(r.Services, ",")
	}
	return c
}

// CreateOpen311Client adds c with its system user u in one transaction.
func (s *Open311) CreateOpen311Client(ctx context.Context, c *guanjia.Open311Client, u *guanjia.User) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.Now()
	}
	u.CreatedAt = c.CreatedAt
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var live int64
		if err := tx.Model(&open311ClientRow{}).Where("name = ? AND revoked_at IS NULL", c.Name).Count(&live).Error; err != nil {
			return fmt.Errorf("store: find open311 client: %w", err)
		}
		if live > 0 {
			return guanjia.FieldError(guanjia.ECONFLICT, "name", "an Open311 client named %q exists", c.Name)
		}
		ur := s.users.toUserRow(u)
		if err := tx.Create(ur).Error; err != nil {
			return fmt.Errorf("store: create open311 user: %w", err)
		}
		u.ID, c.UserID = ur.ID, ur.ID
		row := open311ClientRow{Name: c.Name, KeyHash: c.KeyHash, UserID: c.UserID,
			Services: strings.Join(c.Services, ","), CreatedAt: c.CreatedAt.UTC()}
		// The count above does not stop a client of the same name added at
		// once: the unique index does.
		if err := tx.Create(&row).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
			return guanjia.FieldError(guanjia.ECONFLICT, "name", "an Open311 client named %q exists", c.Name)
		} else if err != nil {
			return fmt.Errorf("store: create open311 client: %w", err)
		}
		c.ID = row.ID
		return nil
	})
}

// FindOpen311ClientByKey returns the live client whose key hashes to keyHash.
func (s *Open311) FindOpen311ClientByKey(ctx context.Context, keyHash string) (*guanjia.Open311Client, error) {
	var row open311ClientRow
	err := s.db.WithContext(ctx).Where("key_hash = ? AND revoked_at IS NULL", keyHash).Take(&row).Error
	if err != nil {
		return nil, notFound(err, "open311 client", "by key")
	}
	return row.client(), nil
}

// ListOpen311Clients returns every client, revoked ones included, newest first.
func (s *Open311) ListOpen311Clients(ctx context.Context) ([]*guanjia.Open311Client, error) {
	var rows []open311ClientRow
	if err := s.db.WithContext(ctx).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list open311 clients: %w", err)
	}
	return mapRows(rows, (*open311ClientRow).client), nil
}

func (s *Open311) RevokeOpen311Client(ctx context.Context, name string, at time.Time) (*guanjia.Open311Client, error) {
	var row open311ClientRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("name = ? AND revoked_at IS NULL", name).Take(&row).Error; err != nil {
			return notFound(err, "open311 client", name)
		}
		row.RevokedAt = &at
		return tx.Model(&row).Update("revoked_at", at.UTC()).Error
	})
	if err != nil {
		return nil, err
	}
	return row.client(), nil
}

// Open311Requests returns the complaints f selects, newest first.
func (s *Open311) Open311Requests(ctx context.Context, f guanjia.Open311Filter) ([]*guanjia.Complaint, error) {
	q := s.db.WithContext(ctx).Model(&complaintRow{})
	if len(f.IDs) > 0 {
		q = q.Where("id IN ?", f.IDs)
	} else {
		q = q.Where("created_at >= ? AND created_at < ?", f.From.UTC(), f.To.UTC())
	}
	if len(f.Categories) > 0 {
		q = q.Where("category IN ?", f.Categories)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	var rows []complaintRow
	if err := q.Order("id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list open311 requests: %w", err)
	}
	return s.complaints.fromComplaintRows(rows)
}

// Open311Events returns the public events in [from, to), oldest first: a
// filing or a change of status. Internal ones (reminders, escalations,
// me-toos, ratings) are left out before the limit, so that a client syncing
// page by page misses no public one behind them.
func (s *Open311) Open311Events(ctx context.Context, from, to time.Time, limit int) ([]*guanjia.Event, error) {
	var rows []eventRow
	err := s.db.WithContext(ctx).Where("at >= ? AND at < ?", from.UTC(), to.UTC()).
		Where("action = ? OR from_status <> to_status", guanjia.ActionCreate).Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: list open311 events: %w", err)
	}
	return mapRows(rows, (*eventRow).event), nil
}

package store

import (
	"context"
	"fmt"
	"time"

	"guanjia"
)

// Notices keeps 温馨告知: guanjia.NoticeStore.
type Notices struct{ *conn }

type noticeRow struct {
	ID          int64 `gorm:"primaryKey"`
	Kind        string
	Title       string
	Body        string
	Area        string
	ValidFrom   time.Time
	ValidUntil  time.Time
	PublishedBy int64
	CreatedAt   time.Time
	WithdrawnAt *time.Time
	WithdrawnBy *int64
}

func (noticeRow) TableName() string { return "notices" }

func (r *noticeRow) notice() *guanjia.Notice {
	return &guanjia.Notice{ID: r.ID, Kind: guanjia.NoticeKind(r.Kind), Title: r.Title, Body: r.Body, Area: r.Area,
		ValidFrom: r.ValidFrom.UTC(), ValidUntil: r.ValidUntil.UTC(), PublishedBy: r.PublishedBy,
		CreatedAt: r.CreatedAt.UTC(), WithdrawnAt: utc(r.WithdrawnAt), WithdrawnBy: r.WithdrawnBy}
}

// CreateNotice inserts n and sets its ID. Times are stored in UTC.
func (s *Notices) CreateNotice(ctx context.Context, n *guanjia.Notice) error {
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.Now()
	}
	row := noticeRow{Kind: string(n.Kind), Title: n.Title, Body: n.Body, Area: n.Area,
		ValidFrom: n.ValidFrom.UTC(), ValidUntil: n.ValidUntil.UTC(), PublishedBy: n.PublishedBy, CreatedAt: n.CreatedAt.UTC()}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create notice: %w", err)
	}
	n.ID = row.ID
	return nil
}

func (s *Notices) FindNotice(ctx context.Context, id int64) (*guanjia.Notice, error) {
	var row noticeRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "notice", id)
	}
	return row.notice(), nil
}

// ListNotices returns notices, the most recently starting first; with
// CurrentAt only those shown at that moment.
func (s *Notices) ListNotices(ctx context.Context, f guanjia.NoticeFilter) ([]*guanjia.Notice, error) {
	q := s.db.WithContext(ctx).Model(&noticeRow{})
	if f.CurrentAt != nil {
		at := f.CurrentAt.UTC()
		q = q.Where("valid_until > ? AND valid_from <= ? AND withdrawn_at IS NULL", at, at)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var rows []noticeRow
	if err := q.Order("valid_from DESC, id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list notices: %w", err)
	}
	return mapRows(rows, (*noticeRow).notice), nil
}

// WithdrawNotice takes notice id down at at. A notice already withdrawn is
// ECONFLICT, so the first withdrawal's author and time stay on record.
func (s *Notices) WithdrawNotice(ctx context.Context, id, by int64, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&noticeRow{}).Where("id = ? AND withdrawn_at IS NULL", id).
		Updates(map[string]any{"withdrawn_at": at.UTC(), "withdrawn_by": by})
	if res.Error != nil {
		return fmt.Errorf("store: withdraw notice %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := s.FindNotice(ctx, id); err != nil {
			return err
		}
		return guanjia.Errorf(guanjia.ECONFLICT, "notice %d is already withdrawn", id)
	}
	return nil
}

var _ guanjia.NoticeStore = (*Notices)(nil)

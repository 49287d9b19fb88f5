package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"guanjia"
)

type notificationRow struct {
	ID          int64 `gorm:"primaryKey"`
	RecipientID int64
	Channel     string
	Template    string
	ComplaintID *int64
	Data        string
	Status      string
	Attempts    int
	Error       string
	CreatedAt   time.Time
	SentAt      *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

func (r *notificationRow) notification() *guanjia.Notification {
	n := &guanjia.Notification{ID: r.ID, Status: r.Status, Attempts: r.Attempts, Error: r.Error,
		CreatedAt: r.CreatedAt.UTC(), SentAt: utc(r.SentAt)}
	n.RecipientID, n.Channel, n.Template, n.ComplaintID = r.RecipientID, r.Channel, r.Template, r.ComplaintID
	_ = json.Unmarshal([]byte(r.Data), &n.Data)
	return n
}

func createNotification(tx *gorm.DB, n *guanjia.Notification) error {
	row := notificationRow{RecipientID: n.RecipientID, Channel: n.Channel, Template: n.Template,
		ComplaintID: n.ComplaintID, Data: marshalData(n.Data), Status: n.Status, CreatedAt: n.CreatedAt}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("store: create notification: %w", err)
	}
	n.ID = row.ID
	return nil
}

// CreateNotification adds a row to the delivery log.
func (s *DB) CreateNotification(ctx context.Context, n *guanjia.Notification) error {
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.Now()
	}
	if n.Status == "" {
		n.Status = guanjia.DeliveryPending
	}
	return createNotification(s.db.WithContext(ctx), n)
}

func (s *DB) FindNotification(ctx context.Context, id int64) (*guanjia.Notification, error) {
	var row notificationRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "notification", id)
	}
	return row.notification(), nil
}

// UpdateNotification records a delivery attempt's outcome.
func (s *DB) UpdateNotification(ctx context.Context, n *guanjia.Notification) error {
	err := s.db.WithContext(ctx).Model(&notificationRow{}).Where("id = ?", n.ID).
		Updates(map[string]any{"status": n.Status, "attempts": n.Attempts, "error": n.Error, "sent_at": n.SentAt}).Error
	if err != nil {
		return fmt.Errorf("store: update notification %d: %w", n.ID, err)
	}
	return nil
}

func (s *DB) ListNotifications(ctx context.Context, f guanjia.NotificationFilter) ([]*guanjia.Notification, error) {
	q := s.db.WithContext(ctx)
	if f.ComplaintID != nil {
		q = q.Where("complaint_id = ?", *f.ComplaintID)
	}
	if f.RecipientID != nil {
		q = q.Where("recipient_id = ?", *f.RecipientID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var rows []notificationRow
	if err := q.Order("id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list notifications: %w", err)
	}
	return mapRows(rows, (*notificationRow).notification), nil
}

// StaleNotifications lists rows still pending or retrying since before, for the
// reconciler to queue again.
func (s *DB) StaleNotifications(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&notificationRow{}).
		Where("status = ? AND created_at < ?", guanjia.DeliveryPending, before).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: stale notifications: %w", err)
	}
	return ids, nil
}

package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"guanjia"
)

// Notifications keeps the delivery log (the outbox the worker delivers from)
// and the staff's inbox: guanjia.NotificationStore and InboxStore.
type Notifications struct{ *conn }

var _ guanjia.NotificationStore = (*Notifications)(nil)

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
	ReadAt      *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

func (r *notificationRow) notification() *guanjia.Notification {
	n := &guanjia.Notification{ID: r.ID, Status: r.Status, Attempts: r.Attempts, Error: r.Error,
		CreatedAt: r.CreatedAt.UTC(), SentAt: utc(r.SentAt), ReadAt: utc(r.ReadAt)}
	n.RecipientID, n.Channel, n.Template, n.ComplaintID = r.RecipientID, r.Channel, r.Template, r.ComplaintID
	decodeJSON("notifications", r.ID, r.Data, &n.Data)
	return n
}

// newNotificationRow is the outbox row of m. An inbox message is delivered by
// being written, so it is sent at once and needs no queue.
func newNotificationRow(m guanjia.Message, now time.Time) notificationRow {
	row := notificationRow{RecipientID: m.RecipientID, Channel: m.Channel, Template: m.Template,
		ComplaintID: m.ComplaintID, Data: marshalData(m.Data), Status: guanjia.DeliveryPending, CreatedAt: now}
	if m.Channel == guanjia.ChannelInbox {
		row.Status, row.SentAt = guanjia.DeliverySent, &now
	}
	return row
}

// queueNotifications writes the outbox rows of messages and returns the ids
// of those the queue must deliver (all but inbox messages).
// A message without a complaint of its own is about complaintID, unless
// that is 0 (messages about no complaint, such as an approval's).
func queueNotifications(tx *gorm.DB, messages []guanjia.Message, complaintID int64, now time.Time) ([]int64, error) {
	rows, err := writeNotifications(tx, messages, complaintID, now)
	if err != nil {
		return nil, err
	}
	return pendingIDs(rows), nil
}

// writeNotifications writes the outbox rows of messages, in their order.
func writeNotifications(tx *gorm.DB, messages []guanjia.Message, complaintID int64, now time.Time) ([]notificationRow, error) {
	if len(messages) == 0 {
		return nil, nil
	}
	rows := make([]notificationRow, len(messages))
	for i, m := range messages {
		if m.ComplaintID == nil && complaintID != 0 {
			m.ComplaintID = &complaintID
		}
		rows[i] = newNotificationRow(m, now)
	}
	if err := tx.Create(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: queue notifications: %w", err)
	}
	return rows, nil
}

// pendingIDs are the ids of the rows the queue must deliver.
func pendingIDs(rows []notificationRow) []int64 {
	var ids []int64
	for _, r := range rows {
		if r.Status == guanjia.DeliveryPending {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// CreateNotification adds a row to the delivery log (an inbox message as sent).
func (s *Notifications) CreateNotification(ctx context.Context, n *guanjia.Notification) error {
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.Now()
	}
	row := newNotificationRow(n.Message, n.CreatedAt)
	if n.Status != "" && n.Channel != guanjia.ChannelInbox {
		row.Status = n.Status
	}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create notification: %w", err)
	}
	n.ID, n.Status, n.SentAt = row.ID, row.Status, row.SentAt
	return nil
}

func (s *Notifications) FindNotification(ctx context.Context, id int64) (*guanjia.Notification, error) {
	var row notificationRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "notification", id)
	}
	return row.notification(), nil
}

// UpdateNotification records a delivery attempt's outcome.
func (s *Notifications) UpdateNotification(ctx context.Context, n *guanjia.Notification) error {
	err := s.db.WithContext(ctx).Model(&notificationRow{}).Where("id = ?", n.ID).
		Updates(map[string]any{"status": n.Status, "attempts": n.Attempts, "error": n.Error, "sent_at": n.SentAt}).Error
	if err != nil {
		return fmt.Errorf("store: update notification %d: %w", n.ID, err)
	}
	return nil
}

func (s *Notifications) ListNotifications(ctx context.Context, f guanjia.NotificationFilter) ([]*guanjia.Notification, error) {
	q := scopeNotifications(s.db.WithContext(ctx), f)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
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

// StaleNotifications lists rows in one of statuses (pending, retrying) since
// before, for the re-queue to hand to the queue again (a no-op for those the
// queue still holds).
func (s *Notifications) StaleNotifications(ctx context.Context, before time.Time, statuses []string, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&notificationRow{}).
		Where("status IN ? AND created_at < ?", statuses, before).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: stale notifications: %w", err)
	}
	return ids, nil
}

// unitNotifications selects one unit's rows of the delivery log: messages
// about complaints the unit now holds, and messages to the unit's staff.
const unitNotifications = "(complaint_id IN (SELECT id FROM complaints WHERE unit_code = ?) OR recipient_id IN (SELECT id FROM users WHERE unit_code = ?))"

// scopeNotifications keeps the rows f names by complaint, recipient, unit
// and kind; its status and limit are the caller's.
func scopeNotifications(q *gorm.DB, f guanjia.NotificationFilter) *gorm.DB {
	if f.ComplaintID != nil {
		q = q.Where("complaint_id = ?", *f.ComplaintID)
	}
	if f.RecipientID != nil {
		q = q.Where("recipient_id = ?", *f.RecipientID)
	}
	if f.UnitCode != "" {
		q = q.Where(unitNotifications, f.UnitCode, f.UnitCode)
	}
	if f.ComplaintsOnly {
		q = q.Where("complaint_id IS NOT NULL")
	}
	return q
}

// DeliveryCounts counts the messages created since, by channel and status,
// of the part of the log scope keeps (its status and limit aside).
func (s *Notifications) DeliveryCounts(ctx context.Context, since time.Time, scope guanjia.NotificationFilter) ([]guanjia.DeliveryCount, error) {
	var out []guanjia.DeliveryCount
	q := scopeNotifications(s.db.WithContext(ctx).Model(&notificationRow{}), scope).
		Select("channel, status, COUNT(*) AS count").Where("created_at >= ?", since)
	err := q.Group("channel, status").Order("channel, status").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: delivery counts: %w", err)
	}
	return out, nil
}

// ListInbox returns a user's inbox messages, newest first.
func (s *Notifications) ListInbox(ctx context.Context, userID, before int64, limit int) ([]*guanjia.Notification, error) {
	q := s.db.WithContext(ctx).Where("recipient_id = ? AND channel = ?", userID, guanjia.ChannelInbox)
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	var rows []notificationRow
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: inbox of user %d: %w", userID, err)
	}
	return mapRows(rows, (*notificationRow).notification), nil
}

// CountUnread counts a user's unread inbox messages.
func (s *Notifications) CountUnread(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&notificationRow{}).
		Where("recipient_id = ? AND channel = ? AND read_at IS NULL", userID, guanjia.ChannelInbox).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: unread of user %d: %w", userID, err)
	}
	return int(n), nil
}

// MarkRead marks one of the user's inbox messages read; marking it again keeps the first time.
func (s *Notifications) MarkRead(ctx context.Context, userID, id int64, at time.Time) (*guanjia.Notification, error) {
	mine := s.db.WithContext(ctx).Where("id = ? AND recipient_id = ? AND channel = ?", id, userID, guanjia.ChannelInbox)
	if err := mine.Session(&gorm.Session{}).Model(&notificationRow{}).Where("read_at IS NULL").Update("read_at", at).Error; err != nil {
		return nil, fmt.Errorf("store: mark message %d read: %w", id, err)
	}
	// Another's message is not found rather than forbidden: whether it exists is not the caller's business.
	var row notificationRow
	if err := mine.Session(&gorm.Session{}).Take(&row).Error; err != nil {
		return nil, notFound(err, "message", id)
	}
	return row.notification(), nil
}

// MarkAllRead marks all of a user's unread inbox messages read and says how many.
func (s *Notifications) MarkAllRead(ctx context.Context, userID int64, at time.Time) (int, error) {
	res := s.db.WithContext(ctx).Model(&notificationRow{}).
		Where("recipient_id = ? AND channel = ? AND read_at IS NULL", userID, guanjia.ChannelInbox).Update("read_at", at)
	if res.Error != nil {
		return 0, fmt.Errorf("store: mark inbox of user %d read: %w", userID, res.Error)
	}
	return int(res.RowsAffected), nil
}

var _ guanjia.InboxStore = (*Notifications)(nil)

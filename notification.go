package guanjia

import (
	"context"
	"time"
)

// Channels a message can be delivered on.
const (
	ChannelLog       = "log"       // written to the delivery log only
	ChannelSubscribe = "subscribe" // WeChat mini-program subscribe message (citizens, volunteers)
	ChannelWeCom     = "wecom"     // 企业微信 application message (crews, unit leaders)
)

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryRetrying  = "retrying"
	DeliverySent      = "sent"
	DeliveryFailed    = "failed"
	DeliveryNoConsent = "no_consent" // the user has no subscribe consent left: skipped, never retried
)

// Templates name what a message says; channels map them to their own template ids.
const (
	TplTaskAssigned     = "task_assigned"     // crew: a new task with its deadline
	TplSLAWarning       = "sla_warning"       // crew: 催办
	TplEscalation       = "escalation"        // leaders and command center: 督办
	TplManualQueue      = "manual_queue"      // dispatchers: nobody could be routed
	TplComplaintUpdate  = "complaint_update"  // citizen: accepted, on site, resolved, closed
	TplSignupConfirmed  = "signup_confirmed"  // volunteer
	TplActivityReminder = "activity_reminder" // volunteer
	TplHoursCredited    = "hours_credited"    // volunteer
	TplActivityChanged  = "activity_changed"  // volunteer: cancelled or moved
)

// Message is one notification to one user.
type Message struct {
	RecipientID int64
	Channel     string
	Template    string
	ComplaintID *int64
	Data        map[string]string // template fields, e.g. "status", "deadline", "link"
}

// Notification is one row of the delivery log.
type Notification struct {
	ID int64
	Message
	Status    string
	Attempts  int
	Error     string
	CreatedAt time.Time
	SentAt    *time.Time
}

// Notifier queues a message for delivery; it never blocks on the channel itself.
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// Sender delivers a message on one channel. ErrNoConsent means the user has
// no subscribe consent left and another *Error that the message can never
// be delivered (neither is retried); any other error is retried.
type Sender interface {
	Send(ctx context.Context, to *User, n *Notification) error
}

// NotificationStore is the delivery log.
type NotificationStore interface {
	CreateNotification(ctx context.Context, n *Notification) error
	FindNotification(ctx context.Context, id int64) (*Notification, error)
	UpdateNotification(ctx context.Context, n *Notification) error
	ListNotifications(ctx context.Context, f NotificationFilter) ([]*Notification, error)
}

// NotificationFilter selects delivery-log rows.
type NotificationFilter struct {
	ComplaintID *int64
	RecipientID *int64
	Limit       int
}

// ErrNoConsent is returned by a Sender when the recipient has no subscribe consent left.
var ErrNoConsent = &Error{Code: ECONFLICT, Message: "no subscribe consent"}

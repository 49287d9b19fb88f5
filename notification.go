package guanjia

import (
	"context"
	"slices"
	"time"
)

// Channels a message can be delivered on.
const (
	ChannelLog       = "log"       // written to the delivery log only
	ChannelSubscribe = "subscribe" // WeChat mini-program subscribe message (citizens, volunteers)
	ChannelWeCom     = "wecom"     // 企业微信 application message (crews, unit leaders)
	// ChannelInbox is the 站内消息 of every staff member: the channel that
	// always exists. It is delivered by being written (the store saves it as
	// sent), so it reaches its reader even while Redis or WeChat are down.
	ChannelInbox = "inbox"
	// ChannelSMS is a text message to a 12345 caller, who is not a user: the
	// message is addressed by its complaint (RecipientID 0) and the sender
	// reads the caller's phone from the complaint at send time.
	ChannelSMS = "sms"
)

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryRetrying  = "retrying"
	DeliverySent      = "sent"
	DeliveryFailed    = "failed"
	DeliveryNoConsent = "no_consent" // the user has no subscribe consent left (or opted out of SMS): skipped, never retried
	DeliveryNoChannel = "no_channel" // the recipient has no account on the channel (no openid, no 企业微信 userid, no mobile): never retried
)

// DeliveryStatuses lists every delivery status, settled ones last.
var DeliveryStatuses = []string{DeliveryPending, DeliveryRetrying, DeliverySent, DeliveryFailed, DeliveryNoConsent, DeliveryNoChannel}

// Settled reports whether a delivery status is final: nothing will be tried again.
func Settled(status string) bool {
	switch status {
	case DeliverySent, DeliveryFailed, DeliveryNoConsent, DeliveryNoChannel:
		return true
	}
	return false
}

// Templates name what a message says; channels map them to their own template ids.
const (
	TplTaskAssigned        = "task_assigned"        // crew: a new task with its deadline
	TplTaskWithdrawn       = "task_withdrawn"       // crew: a task they held went elsewhere (改派, 合并): no need to go
	TplReminder            = "sla_warning"          // crew: 催办 (the value is stored: it keeps its old name)
	TplEscalation          = "escalation"           // leaders and command center: 督办
	TplManualQueue         = "manual_queue"         // dispatchers: nobody could be routed
	TplComplaintUpdate     = "complaint_update"     // citizen: accepted, on site, resolved, closed
	TplSignupConfirmed     = "signup_confirmed"     // volunteer
	TplActivityReminder    = "activity_reminder"    // volunteer
	TplHoursCredited       = "hours_credited"       // volunteer
	TplActivityChanged     = "activity_changed"     // volunteer: cancelled or moved
	TplVolunteerInvitation = "volunteer_invitation" // volunteer: a team invites them to an activity
	TplCallerAccepted      = "caller_accepted"      // 12345 caller, by SMS: 受理, with the order number
	TplCallerClosed        = "caller_closed"        // 12345 caller, by SMS, at 结案: what was done and a link to rate
	TplHotspot             = "hotspot"              // leaders and command center: a 热点诉求 crossed its threshold
)

// Message is one notification to one user (or, by SMS, to a complaint's
// caller or a dispute's party).
type Message struct {
	RecipientID int64 // 0: an SMS addressed by ComplaintID (the caller) or by Data's dispute and party
	Channel     string
	Template    string
	ComplaintID *int64
	Data        map[string]string // template fields, e.g. "status", "deadline", "link"
}

// InboxRecipients are the users msgs write to the inbox of, each once: whose
// open pages to tell when the messages are saved.
func InboxRecipients(msgs []Message) []int64 {
	var to []int64
	for _, m := range msgs {
		if m.Channel == ChannelInbox && !slices.Contains(to, m.RecipientID) {
			to = append(to, m.RecipientID)
		}
	}
	return to
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
	ReadAt    *time.Time // inbox messages: when the recipient marked it read
}

// Notifier queues a message for delivery; it never blocks on the channel itself.
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// Sender delivers a message on one channel. ErrNoConsent means the user has
// no subscribe consent left (or opted out), ErrNoChannel that the recipient
// has no account on the channel, and another *Error that the message can
// never be delivered (none of them is retried); any other error is retried.
// to is nil for a message addressed by complaint (RecipientID 0).
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
	// UnitCode keeps one unit's rows: messages about its complaints and
	// messages to its staff. "" is the whole city.
	UnitCode string
	// ComplaintsOnly keeps the messages about complaints: the hotline's and
	// the command center's part, not credit, 审批, mediation or volunteers'.
	ComplaintsOnly bool
	Status         string
	Limit          int
}

// DeliveryCount is how many messages of a channel ended in a status.
type DeliveryCount struct {
	Channel string `json:"channel"`
	Status  string `json:"status"`
	Count   int    `json:"count"`
}

// InboxStore keeps the staff's 站内消息 (notifications on ChannelInbox).
type InboxStore interface {
	// ListInbox returns a user's inbox messages newest first, with ids below
	// before when it is not 0, at most limit.
	ListInbox(ctx context.Context, userID, before int64, limit int) ([]*Notification, error)
	CountUnread(ctx context.Context, userID int64) (int, error)
	// MarkRead marks one of the user's messages read; another's is ENOTFOUND.
	MarkRead(ctx context.Context, userID, id int64, at time.Time) (*Notification, error)
	// MarkAllRead marks every unread message of the user read and says how many.
	MarkAllRead(ctx context.Context, userID int64, at time.Time) (int, error)
}

// ErrNoConsent is returned by a Sender when the recipient has no subscribe
// consent left, or has opted out of the channel.
var ErrNoConsent = &Error{Code: ECONFLICT, Message: "no subscribe consent"}

// ErrNoChannel is returned by a Sender when the recipient has no account on
// its channel: no openid, no 企业微信 userid, no mobile number.
var ErrNoChannel = &Error{Code: ECONFLICT, Message: "no channel bound"}

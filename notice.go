package guanjia

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// NoticeKind says what a 温馨告知 is about, so the mini-program can pick an icon.
type NoticeKind string

const (
	NoticeTyphoon      NoticeKind = "typhoon"      // 台风
	NoticeWaterlogging NoticeKind = "waterlogging" // 内涝积水
	NoticeHoliday      NoticeKind = "holiday"      // 节假日安排
	NoticeOutage       NoticeKind = "outage"       // 停水停电停气
	NoticeOther        NoticeKind = "other"
)

// NoticeKinds lists every kind, for validation and pickers.
var NoticeKinds = []NoticeKind{NoticeTyphoon, NoticeWaterlogging, NoticeHoliday, NoticeOutage, NoticeOther}

// MaxNoticeWindow is the longest a notice may stay current: a standing text
// belongs on a page of its own, not in the list people read before reporting.
const MaxNoticeWindow = 90 * 24 * time.Hour

// Notice is a 温馨告知 the command center publishes for citizens (typhoon,
// waterlogging, holiday hours), shown only inside its validity window.
type Notice struct {
	ID          int64
	Kind        NoticeKind
	Title       string
	Body        string
	Area        string // where it applies, e.g. 龙华区; "" = the whole city
	ValidFrom   time.Time
	ValidUntil  time.Time
	PublishedBy int64
	CreatedAt   time.Time
	WithdrawnAt *time.Time // taken down early
	WithdrawnBy *int64
}

// Validate checks what a publisher supplies.
func (n *Notice) Validate() error {
	n.Title, n.Body, n.Area = strings.TrimSpace(n.Title), strings.TrimSpace(n.Body), strings.TrimSpace(n.Area)
	valid := false
	for _, k := range NoticeKinds {
		valid = valid || n.Kind == k
	}
	switch {
	case !valid:
		return FieldError(EINVALID, "kind", "kind must be typhoon, waterlogging, holiday, outage or other")
	case n.Title == "":
		return FieldError(EINVALID, "title", "title is required")
	case utf8.RuneCountInString(n.Title) > 60:
		return FieldError(EINVALID, "title", "title is longer than 60 characters")
	case n.Body == "":
		return FieldError(EINVALID, "body", "body is required")
	case utf8.RuneCountInString(n.Body) > 2000:
		return FieldError(EINVALID, "body", "body is longer than 2000 characters")
	case utf8.RuneCountInString(n.Area) > 50:
		return FieldError(EINVALID, "area", "area is longer than 50 characters")
	case n.ValidFrom.IsZero():
		return FieldError(EINVALID, "valid_from", "valid_from is required")
	case n.ValidUntil.IsZero():
		return FieldError(EINVALID, "valid_until", "valid_until is required")
	case !n.ValidUntil.After(n.ValidFrom):
		return FieldError(EINVALID, "valid_until", "valid_until must be after valid_from")
	case n.ValidUntil.Sub(n.ValidFrom) > MaxNoticeWindow:
		return FieldError(EINVALID, "valid_until", "a notice may be current for at most 90 days")
	}
	return nil
}

// Current reports whether the notice is shown at t.
func (n *Notice) Current(t time.Time) bool {
	return n.WithdrawnAt == nil && !t.Before(n.ValidFrom) && t.Before(n.ValidUntil)
}

// NoticeFilter selects notices.
type NoticeFilter struct {
	CurrentAt *time.Time // only those shown at this time
	Limit     int
}

// NoticeStore keeps 温馨告知.
type NoticeStore interface {
	CreateNotice(ctx context.Context, n *Notice) error
	FindNotice(ctx context.Context, id int64) (*Notice, error)
	// ListNotices returns notices, the most recently starting first.
	ListNotices(ctx context.Context, f NoticeFilter) ([]*Notice, error)
	// WithdrawNotice takes a notice down; withdrawing it again is ECONFLICT.
	WithdrawNotice(ctx context.Context, id, by int64, at time.Time) error
}

package guanjia

import (
	"time"
	"unicode/utf8"
)

// Status is where a complaint stands in the loop
// 采集 → 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案 → 评价.
type Status string

const (
	StatusSubmitted  Status = "submitted"  // 立案; waiting in the command center's manual queue when unrouted
	StatusDispatched Status = "dispatched" // 派遣 to a unit, and to a crew member when point-to-point
	StatusAccepted   Status = "accepted"   // 签收 by the crew or unit
	StatusOnSite     Status = "on_site"    // crew checked in within reach of the site
	StatusResolved   Status = "resolved"   // 处置完成, waiting for 核查
	StatusClosed     Status = "closed"     // 结案
	StatusReturned   Status = "returned"   // 退单 to the command center
	StatusRejected   Status = "rejected"   // not a case (不予立案)
	StatusDuplicate  Status = "duplicate"  // merged into another complaint
)

// Open reports whether the complaint still needs work.
func (s Status) Open() bool {
	switch s {
	case StatusClosed, StatusRejected, StatusDuplicate:
		return false
	}
	return true
}

// Action is something that happens to a complaint; the state table in
// package dispatch says which actions move it from which status.
type Action string

const (
	ActionCreate   Action = "create"
	ActionDispatch Action = "dispatch"
	ActionAccept   Action = "accept"
	ActionArrive   Action = "arrive"
	ActionResolve  Action = "resolve"
	ActionReturn   Action = "return"
	ActionClose    Action = "close"
	ActionReject   Action = "reject"
	ActionMerge    Action = "merge"
	ActionReopen   Action = "reopen"
	ActionRate     Action = "rate"
	ActionMeToo    Action = "metoo"    // another report of the same problem was linked here
	ActionRemind   Action = "remind"   // 催办: a deadline is near
	ActionEscalate Action = "escalate" // 督办: a deadline was missed
	ActionExtend   Action = "extend"   // 延期: the command center grants more time
	ActionFollowUp Action = "followup" // 回访: the hotline called the reporter back
)

// Source is where a complaint came from.
type Source string

const (
	SourceMiniProgram Source = "miniprogram"
	SourceHotline     Source = "hotline"
	SourcePatrol      Source = "patrol"
)

// Rating scores: 满意, 基本满意, 不满意.
const (
	RatingSatisfied   = 3
	RatingFair        = 2
	RatingUnsatisfied = 1
)

// MaxDescription is the longest description accepted, in characters.
const MaxDescription = 2000

// Complaint is one reported city problem (or 12345 work order).
type Complaint struct {
	ID          int64
	Category    string
	Description string
	Lat, Lng    float64 // WGS-84
	CoordSystem string  // what the client sent: wgs84 or gcj02
	Address     string
	Source      Source
	ReporterID  int64  // the citizen or agent who filed it
	CallerName  string // hotline caller
	CallerPhone string // plain here; encrypted at rest, masked when shown

	Status      Status
	GridID      string
	District    string
	UnitCode    string
	AssigneeID  *int64
	Attempt     int // dispatch attempt; timers of older attempts are stale
	DuplicateOf *int64
	ReopenCount int
	Escalation  int  // how many deadlines were missed
	Overdue     bool // the resolve deadline passed before resolution

	AcceptBy, ArriveBy, ResolveBy       *time.Time
	DispatchedAt, AcceptedAt, ArrivedAt *time.Time
	ResolvedAt, ClosedAt                *time.Time
	Version                             int // bumped by every save; guards against lost updates
	Rating                              int
	RatingComment                       string
	CreatedAt, UpdatedAt                time.Time
}

// Validate checks what a reporter supplies; coordinates are checked by dispatch.
func (c *Complaint) Validate() error {
	switch n := utf8.RuneCountInString(c.Description); {
	case c.Category == "":
		return FieldError(EINVALID, "category", "category is required")
	case n == 0:
		return FieldError(EINVALID, "description", "description is required")
	case n > MaxDescription:
		return FieldError(EINVALID, "description", "description is longer than %d characters", MaxDescription)
	case utf8.RuneCountInString(c.Address) > 500:
		return FieldError(EINVALID, "address", "address is too long")
	case c.CallerPhone != "" && !ValidPhone(c.CallerPhone):
		return FieldError(EINVALID, "caller_phone", "caller phone is not a phone number")
	}
	switch c.Source {
	case SourceMiniProgram, SourceHotline, SourcePatrol:
	default:
		return FieldError(EINVALID, "source", "source must be miniprogram, hotline or patrol")
	}
	return nil
}

// Event is one immutable row of a complaint's timeline and audit log.
type Event struct {
	ID          int64
	ComplaintID int64
	Action      Action
	From, To    Status
	ActorID     *int64 // nil for the system (timers)
	ActorRole   Role
	AssigneeID  *int64 // who the complaint went to, on dispatch
	UnitCode    string
	Note        string
	Lat, Lng    *float64
	At          time.Time
}

// Photo is an image attached to a complaint.
type Photo struct {
	ID          string
	ComplaintID int64
	Kind        string // report, before, after
	ContentType string
	Size        int64
	UploadedBy  int64
	Hidden      bool // judged risky by content security
	CreatedAt   time.Time
}

// ComplaintFilter selects complaints for lists and queues.
type ComplaintFilter struct {
	Status     []Status
	UnitCode   string
	AssigneeID *int64
	ReporterID *int64
	District   string
	Category   string
	Source     Source
	OpenOnly   bool
	Page       int // from 1
	PerPage    int
}

// Stats are the figures the command center reports.
type Stats struct {
	Received         int     `json:"received"`
	Handled          int     `json:"handled"` // resolved or closed
	HandlingRate     float64 `json:"handling_rate"`
	OnTime           int     `json:"on_time"`      // handled by resolve_by
	OnTimeRate       float64 `json:"on_time_rate"` // of handled
	Closed           int     `json:"closed"`
	ClosedOnTimeN    int     `json:"closed_on_time"`
	ClosedOnTime     float64 `json:"closed_on_time_rate"` // 按期结案率: of closed
	Reopened         int     `json:"reopened"`
	ReworkRate       float64 `json:"rework_rate"` // 返工率: of handled
	Rated            int     `json:"rated"`
	Satisfied        int     `json:"satisfied"` // 满意 or 基本满意
	SatisfactionRate float64 `json:"satisfaction_rate"`
}

// StatsRow is Stats for one group (a unit, category or day).
type StatsRow struct {
	Key string `json:"key"`
	Stats
}

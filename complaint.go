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
	ActionRemind   Action = "remind"   // 催办: urge the one responsible, by hand or as a deadline nears
	ActionEscalate Action = "escalate" // 督办: a deadline was missed, or a supervisor orders it
	ActionExtend   Action = "extend"   // 延期: the command center grants more time
	ActionFollowUp Action = "followup" // 跟进: what the reporter said when called back (a 回访 without a rating)
)

// Source is where a complaint came from.
type Source string

const (
	SourceMiniProgram Source = "miniprogram"
	SourceHotline     Source = "hotline"
	SourcePatrol      Source = "patrol"
	SourceOpen311     Source = "open311" // an Open311 GeoReport v2 client
)

// Rating scores: 满意, 基本满意, 不满意.
const (
	RatingSatisfied   = 3
	RatingFair        = 2
	RatingUnsatisfied = 1
)

// Ways a 回访 (follow-up) answer reaches the city.
const (
	RatedInMiniProgram = "miniprogram" // the reporter, in the mini-program
	RatedBySMS         = "sms"         // a hotline caller, on the signed link of the 办结 SMS
	RatedByPhone       = "phone"       // an agent calling the reporter back
)

// Rating is one 回访 answer: 问题是否解决 and 满意度. Ratings are never
// erased: rework (返工) starts a new round, rated afresh, and every round's
// answer counts in 满意率 and 解决率.
type Rating struct {
	ID          int64
	ComplaintID int64
	Round       int // the complaint's ReopenCount when it was rated
	Channel     string
	Solved      *bool // nil when the question was not answered
	Score       int   // RatingSatisfied, RatingFair or RatingUnsatisfied
	Comment     string
	RaterID     *int64 // nil for a caller on the SMS link
	At          time.Time
}

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
	MediaURL    string // a picture of the problem elsewhere on the web, from an Open311 client's media_url
	Source      Source
	ReporterID  int64  // the citizen or agent who filed it
	CallerName  string // hotline caller
	CallerPhone string // plain here; encrypted at rest, masked when shown
	SMSOptOut   bool   // the caller asked for no SMS (受理 and 办结 texts are not sent)

	Status      Status
	GridID      string
	District    string
	UnitCode    string
	AssigneeID  *int64
	Attempt     int // dispatch attempt; timers of older attempts are stale
	DuplicateOf *int64
	ReopenCount int
	// 超时督办: deadlines (accept, arrive, resolve) that passed unmet.
	MissedDeadlines int
	// 人工督办: escalations a dispatcher made by hand.
	ManualEscalations int
	// Accept deadlines missed (by a crew member who then lost the task, or
	// who signed for it late): an order with any is not 按时签收.
	MissedAccepts int
	// Overdue: a resolve deadline passed before resolution, in this round or
	// an earlier one (kept through 延期 and 返工): not 按时办结.
	Overdue bool

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
	if err := CheckTexts(TextField{"description", c.Description, MaxDescription, true}, TextField{"address", c.Address, 500, false},
		TextField{"caller_name", c.CallerName, MaxName, false}, TextField{"category", c.Category, MaxCode, false}); err != nil {
		return err
	}
	switch c.Source {
	case SourceMiniProgram, SourceHotline, SourcePatrol, SourceOpen311:
	default:
		return FieldError(EINVALID, "source", "source must be miniprogram, hotline, patrol or open311")
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
	// QueueOf, beside AssigneeID: also the unassigned complaints dispatched
	// to this unit's queue, which any of its crew may sign for.
	QueueOf    string
	ReporterID *int64
	District   string
	Category   string
	Source     Source
	OpenOnly   bool
	Page       int // from 1
	PerPage    int
}

// Stats are the figures (KPIs) the command center and the units are judged
// by, for a set of complaints. Each is defined once, with its formula, in
// dispatch/kpi.go; the README has the table. A rate is 0 when its
// denominator is.
type Stats struct {
	Received          int     `json:"received"`             // 受理量
	Handled           int     `json:"handled"`              // 办结量
	HandlingRate      float64 `json:"handling_rate"`        // 办结率
	AcceptDue         int     `json:"sign_due"`             // dispatched orders whose 签收 is settled
	AcceptedOnTime    int     `json:"signed_on_time"`       //
	AcceptOnTimeRate  float64 `json:"sign_on_time_rate"`    // 按时签收率 = 响应率
	ArriveDue         int     `json:"arrive_due"`           // point-to-point orders whose arrival is settled
	ArrivedOnTime     int     `json:"arrived_on_time"`      //
	ArriveOnTimeRate  float64 `json:"arrive_on_time_rate"`  // 按时到场率
	HandledOnTime     int     `json:"handled_on_time"`      //
	HandledOnTimeRate float64 `json:"handled_on_time_rate"` // 按时办结率
	Closed            int     `json:"closed"`               // 结案量
	ClosedOnTime      int     `json:"closed_on_time"`       //
	ClosedOnTimeRate  float64 `json:"closed_on_time_rate"`  // 按期结案率
	EverHandled       int     `json:"ever_handled"`         // handled at least once
	Reworked          int     `json:"reworked"`             //
	ReworkRate        float64 `json:"rework_rate"`          // 返工率
	Ratings           int     `json:"ratings"`              // 回访 answers given
	Satisfied         int     `json:"satisfied"`            // 满意 or 基本满意
	SatisfactionRate  float64 `json:"satisfaction_rate"`    // 满意率
	SolvedAnswers     int     `json:"solved_answers"`       // answers to 问题是否解决
	Solved            int     `json:"solved"`               //
	SolutionRate      float64 `json:"solution_rate"`        // 解决率
	MissedDeadlines   int     `json:"missed_deadlines"`     // 超时督办
	ManualEscalations int     `json:"manual_escalations"`   // 人工督办
}

// StatsRow is Stats for one group (a unit, category or day).
type StatsRow struct {
	Key string `json:"key"`
	Stats
}

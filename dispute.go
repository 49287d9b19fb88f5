package guanjia

import "time"

// 大调解: a dispute (矛盾纠纷) is a work order mediated by a committee. The
// workflow lives in package mediation; these are its domain types.

// The subscribe messages a party who filed from the mini-program receives;
// a tap opens the dispute in the mini-program.
const (
	TplDisputeUpdate  = "dispute_update"  // 调解进度: accepted, routed, mediated, closed
	TplDisputeSession = "dispute_session" // 调解会提醒: a mediation session is coming
	// TplPartySession is the SMS a party without an account gets when a
	// session is scheduled: the dispute's number, when and where.
	TplPartySession = "party_session"
	// TplPartySessionOff is the SMS such a party gets when the mediation
	// ends before a session they were told of: it is off.
	TplPartySessionOff = "party_session_off"
)

// DisputeStatus is where a dispute stands.
type DisputeStatus string

const (
	DisputeReported   DisputeStatus = "reported"   // 待受理
	DisputeAccepted   DisputeStatus = "accepted"   // 已受理: the one-month clock runs
	DisputeRouted     DisputeStatus = "routed"     // 已分流 to a committee
	DisputeMediating  DisputeStatus = "mediating"  // 调解中: mediators assigned
	DisputeSucceeded  DisputeStatus = "succeeded"  // 调解成功: an agreement exists
	DisputeConfirming DisputeStatus = "confirming" // 司法确认中
	DisputeFailed     DisputeStatus = "failed"     // 调解不成
	DisputeWithdrawn  DisputeStatus = "withdrawn"  // 已撤回
	DisputeClosed     DisputeStatus = "closed"     // 已结案
)

// DisputeAction is a step of the mediation workflow.
type DisputeAction string

const (
	DisputeAccept              DisputeAction = "accept"
	DisputeRoute               DisputeAction = "route"
	DisputeAssign              DisputeAction = "assign"
	DisputeSchedule            DisputeAction = "schedule"
	DisputeRecord              DisputeAction = "record"
	DisputeSucceed             DisputeAction = "succeed"
	DisputeFail                DisputeAction = "fail"
	DisputeWithdraw            DisputeAction = "withdraw"
	DisputeRequestConfirmation DisputeAction = "request_confirmation"
	DisputeConfirm             DisputeAction = "confirm"
	DisputeFollowUp            DisputeAction = "follow_up"
	DisputeClose               DisputeAction = "close"
	// Written by the timers, never taken through the API.
	DisputeCreate   DisputeAction = "create"
	DisputeWarn     DisputeAction = "warn"     // 临期提醒
	DisputeEscalate DisputeAction = "escalate" // 超期督办
	DisputeRemind   DisputeAction = "remind"   // 调解会提醒
)

// Sources of a dispute.
const (
	DisputeFromMiniProgram = "miniprogram" // a citizen
	DisputeFromHotline     = "hotline"     // a 12345 agent
	DisputeFromPatrol      = "patrol"      // a grid manager on patrol
	DisputeFromCourt       = "court"       // 诉前 referral by a court
	DisputeFromPolice      = "police"      // referral by the police
)

// Committee levels, lowest first; a dispute goes up the ladder.
const (
	LevelVillage  = "village"  // 村（社区）人民调解委员会
	LevelTown     = "town"     // 乡镇（街道）
	LevelDistrict = "district" // 区
	LevelCity     = "city"     // 市
)

// Committee kinds.
const (
	CommitteePeople         = "people"         // 人民调解委员会
	CommitteeAdministrative = "administrative" // 行政调解 by the responsible department
)

// Committee is a mediation committee (or a department doing 行政调解).
type Committee struct {
	Code     string
	Name     string
	Level    string
	Kind     string
	District string   // "" for the city
	Superior string   // the committee a dispute escalates to; "" at the top
	GridIDs  []string // grids it serves (village and town committees)
	Types    []string // the dispute types a specialised committee takes (traffic, medical, tourism)
}

// Party is one side of a dispute: a person (with a masked ID number) or an
// organisation (by 统一社会信用代码).
type Party struct {
	ID         int64
	Role       string // applicant | respondent
	Kind       string // person | organisation
	Name       string
	IDNumber   string // plain here; encrypted at rest, masked when shown
	CreditCode string
	Phone      string // plain here; encrypted at rest, masked when shown
	UserID     int64  // the citizen's account when they filed it themselves; 0 otherwise
}

// MediationSession is one scheduled sitting of the mediators and parties.
type MediationSession struct {
	ID         int64
	At         time.Time
	Place      string
	Status     string // scheduled | held | cancelled (the mediation ended before it)
	Record     string
	Attended   string
	RemindedAt *time.Time
}

// Dispute is a 矛盾纠纷 work order.
type Dispute struct {
	ID            int64
	Number        string
	Type          string
	Status        DisputeStatus
	Level         string
	Source        string
	Summary       string
	Description   string
	Address       string
	Lat, Lng      float64 // WGS-84
	CoordSystem   string
	GridID        string
	District      string
	CommitteeCode string
	ReporterID    int64
	MediatorIDs   []int64
	MediatorNames []string // their display names, in the same order, as read
	Parties       []Party
	Sessions      []MediationSession

	// Outcome: Result is "" until 调解成功 or 调解不成.
	Result          string // success | failure
	AgreementNumber string
	Terms           string
	Performance     string // 履行方式
	Advice          string // litigation | arbitration | administrative
	OutcomeNote     string
	OutcomeAt       *time.Time

	Court              string // 司法确认: "" until requested
	ConfirmationStatus string // requested | confirmed | rejected
	ConfirmationNote   string

	FollowUpKept *bool // 回访: nil until done
	FollowUpNote string
	FollowUpAt   *time.Time

	AcceptedAt  *time.Time
	DueAt       *time.Time
	WarnedAt    *time.Time
	EscalatedAt *time.Time // the one-month deadline passed: 督办
	// AcceptEscalatedAt: reported and not accepted in time, 督办 too.
	AcceptEscalatedAt *time.Time
	ClosedAt          *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Version           int // optimistic lock: a change saved over another's is ECONFLICT
}

// Escalated says whether d was escalated (督办), for a deadline or for its
// acceptance: the superior committee was told, and reads it.
func (d *Dispute) Escalated() bool { return d.EscalatedAt != nil || d.AcceptEscalatedAt != nil }

// DisputeEvent is one immutable row of a dispute's timeline.
type DisputeEvent struct {
	ID        int64
	DisputeID int64
	At        time.Time
	ActorID   int64 // 0: the system (a timer)
	ActorName string
	Action    DisputeAction
	From, To  DisputeStatus
	Note      string
}

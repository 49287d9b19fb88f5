package guanjia

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// 公益海口: the volunteer platform's domain types. The rules that move them
// (state tables, hours, check-in) live in package volunteer.

// Volunteer is a citizen who passed real-name certification (实名认证).
type Volunteer struct {
	ID           int64 // the volunteer number is derived from it
	UserID       int64
	Name         string
	IDNumber     string // 居民身份证号: plain here; encrypted at rest, masked when shown
	Phone        string // plain here; encrypted at rest, masked when shown
	Skills       []string
	Availability string // free text: 周末, 工作日晚上
	CertifiedAt  time.Time
	NoShows      int // confirmed places never attended; filled by lookups
}

// Number is the volunteer number printed on certificates: HKZY + 8 digits.
func (v *Volunteer) Number() string { return VolunteerNumber(v.ID) }

// VolunteerNumber formats a volunteer number from the volunteer's ID.
func VolunteerNumber(id int64) string { return fmt.Sprintf("HKZY%08d", id) }

// TeamStatus is where a team's application stands.
type TeamStatus string

const (
	TeamPending   TeamStatus = "pending"   // applied, waiting for review
	TeamCertified TeamStatus = "certified" // may publish activities and claim help requests
	TeamRefused   TeamStatus = "refused"
)

// Team is a volunteer team (志愿服务队伍).
type Team struct {
	ID           int64
	Name         string
	Organisation string // the body it belongs to, e.g. 海口市龙华区团委
	CreditCode   string // 统一社会信用代码, optional
	ContactName  string
	ContactPhone string // plain here; encrypted at rest, masked when shown
	District     string // area served, e.g. 龙华区
	Address      string
	Lat, Lng     float64 // WGS-84; 0,0 when not given
	Status       TeamStatus
	ReviewNote   string
	CreatedBy    int64
	CreatedAt    time.Time
	CertifiedAt  *time.Time
	Members      int      // filled by lists and lookups
	BlackLists   []string // 失信 lists the organisation is on (联合惩戒), filled on lookups and reviews
	Applicant    string   // the certified name of the volunteer who applied (CreatedBy), filled on the review queue
}

// Team member roles.
const (
	TeamRoleAdmin  = "admin"  // drafts activities, checks people in by hand, enters 荣誉时长
	TeamRoleMember = "member" // joined the team
)

// TeamMember is one person's place in a team.
type TeamMember struct {
	TeamID   int64
	UserID   int64
	Role     string
	Name     string // the volunteer's name, filled by lists
	JoinedAt time.Time
}

// ActivityStatus is where a volunteer activity stands.
type ActivityStatus string

const (
	ActivityDraft      ActivityStatus = "draft"
	ActivitySubmitted  ActivityStatus = "submitted" // waiting for review
	ActivityRefused    ActivityStatus = "refused"   // may be edited and submitted again
	ActivityPublished  ActivityStatus = "published" // open for signup until the deadline
	ActivityInProgress ActivityStatus = "in_progress"
	ActivityFinished   ActivityStatus = "finished"
	ActivityCancelled  ActivityStatus = "cancelled"
)

// Activity is one volunteer service activity (志愿服务活动).
type Activity struct {
	ID             int64
	TeamID         int64
	Title          string
	Description    string
	Address        string
	Lat, Lng       float64 // WGS-84
	CoordSystem    string  // what the organiser sent
	RadiusM        float64 // the check-in geofence around (Lat, Lng)
	StartAt, EndAt time.Time
	SignupDeadline time.Time
	Capacity       int
	Requirements   string
	Tags           []string
	CoverPhoto     string // id of a photo in the activity's album
	Status         ActivityStatus
	ReviewNote     string // why it was refused or cancelled
	Confirmed      int    // places taken (confirmed, checked in or out, no-shows)
	Waitlisted     int
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SettledAt      *time.Time // everyone was checked out and hours credited
	TeamName       string     // filled by lists
	// Filled on the review queue: when it was last submitted, and how often refused before.
	SubmittedAt *time.Time
	Refusals    int
}

// Validate checks what an organiser supplies.
func (a *Activity) Validate() error {
	switch n := utf8.RuneCountInString(strings.TrimSpace(a.Title)); {
	case n == 0:
		return FieldError(EINVALID, "title", "title is required")
	case n > 100:
		return FieldError(EINVALID, "title", "title is longer than 100 characters")
	}
	switch {
	case utf8.RuneCountInString(a.Description) > MaxDescription:
		return FieldError(EINVALID, "description", "description is longer than %d characters", MaxDescription)
	case utf8.RuneCountInString(a.Requirements) > 1000:
		return FieldError(EINVALID, "requirements", "requirements are longer than 1000 characters")
	case strings.TrimSpace(a.Address) == "":
		return FieldError(EINVALID, "address", "say where the activity takes place")
	case utf8.RuneCountInString(a.Address) > 200:
		return FieldError(EINVALID, "address", "address is longer than 200 characters")
	case a.StartAt.IsZero() || a.EndAt.IsZero():
		return FieldError(EINVALID, "start_at", "start and end times are required")
	case !a.EndAt.After(a.StartAt):
		return FieldError(EINVALID, "end_at", "the activity must end after it starts")
	case a.EndAt.Sub(a.StartAt) > 24*time.Hour:
		return FieldError(EINVALID, "end_at", "an activity lasts at most 24 hours; split longer service into several")
	case a.SignupDeadline.IsZero():
		return FieldError(EINVALID, "signup_deadline", "a signup deadline is required")
	case a.SignupDeadline.After(a.StartAt):
		return FieldError(EINVALID, "signup_deadline", "signup must close no later than the start")
	case a.Capacity < 1:
		return FieldError(EINVALID, "capacity", "capacity must be at least 1")
	case a.Capacity > MaxActivityCapacity:
		return FieldError(EINVALID, "capacity", "capacity must be at most %d", MaxActivityCapacity)
	case a.RadiusM < 20 || a.RadiusM > 5000:
		return FieldError(EINVALID, "radius_m", "the check-in radius must be between 20 and 5000 m")
	case len(a.Tags) > 10:
		return FieldError(EINVALID, "tags", "at most 10 tags")
	}
	for _, t := range a.Tags {
		if n := utf8.RuneCountInString(t); n == 0 || n > 20 {
			return FieldError(EINVALID, "tags", "a tag has 1 to 20 characters")
		}
	}
	return nil
}

// MaxActivityCapacity bounds one activity's places.
const MaxActivityCapacity = 100000

// SignupStatus is where one person's signup stands.
type SignupStatus string

const (
	SignupConfirmed  SignupStatus = "confirmed"
	SignupWaitlisted SignupStatus = "waitlisted"
	SignupCancelled  SignupStatus = "cancelled"
	SignupCheckedIn  SignupStatus = "checked_in"
	SignupCheckedOut SignupStatus = "checked_out"
	SignupNoShow     SignupStatus = "no_show" // confirmed but never checked in
)

// HoldsPlace reports whether a signup in status s counts against capacity.
func (s SignupStatus) HoldsPlace() bool {
	switch s {
	case SignupConfirmed, SignupCheckedIn, SignupCheckedOut, SignupNoShow:
		return true
	}
	return false
}

// Signup is one volunteer's place (or waitlist ticket) for an activity.
type Signup struct {
	ID          int64
	ActivityID  int64
	UserID      int64
	Status      SignupStatus
	WaitlistSeq int64 // order on the waitlist; 0 when never waitlisted
	Position    int   // 1-based place on the waitlist now; filled by lookups of waitlisted signups
	RemindAt    *time.Time
	RemindedAt  *time.Time

	CheckinAt      *time.Time
	CheckinLat     *float64 // WGS-84
	CheckinLng     *float64
	CheckinManual  bool // checked in by the organiser (reason in the event log)
	CheckoutAt     *time.Time
	CheckoutLat    *float64
	CheckoutLng    *float64
	CheckoutManual bool
	AutoCheckout   bool // not checked out by end + grace: checked out at the end time and flagged

	CreatedAt   time.Time
	UpdatedAt   time.Time
	CancelledAt *time.Time
}

// Hours kinds (志愿服务时长).
const (
	HoursCredit = "credit" // 信用时长: from verified check-in and check-out
	HoursHonor  = "honor"  // 荣誉时长: entered by a team admin, capped, with a reason
)

// Where a ledger entry came from.
const (
	HoursFromCheckin    = "checkin"       // check-in and check-out by QR and position
	HoursFromManual     = "manual"        // the organiser checked the person in or out by hand
	HoursFromAuto       = "auto_checkout" // not checked out: counted to the end time and flagged
	HoursFromEntry      = "entry"         // 荣誉时长 typed in by a team admin
	HoursFromCorrection = "correction"
)

// HoursEntry is one row of the append-only hours ledger. A correction is a
// new entry (with CorrectsID) whose Minutes may be negative; rows are never edited.
type HoursEntry struct {
	ID         int64
	UserID     int64
	TeamID     int64
	ActivityID *int64
	SignupID   *int64
	Kind       string
	Source     string
	Minutes    int // signed: corrections may take time away
	Reason     string
	CorrectsID *int64
	EnteredBy  *int64 // nil for the system
	CreatedAt  time.Time
}

// Hours converts the entry's minutes to hours.
func (e *HoursEntry) Hours() float64 { return float64(e.Minutes) / 60 }

// HoursTotals sums a ledger: minutes by kind.
type HoursTotals struct {
	CreditMinutes int
	HonorMinutes  int
}

// TotalMinutes is credit plus honor.
func (t HoursTotals) TotalMinutes() int { return t.CreditMinutes + t.HonorMinutes }

// Certificate is an issued 志愿服务记录证明: a snapshot of the record as it
// was on the day, confirmed by number and verification code.
type Certificate struct {
	Number          string
	Code            string // verification code printed on the certificate
	UserID          int64
	TeamID          int64
	TeamName        string
	Name            string
	MaskedIDNumber  string
	VolunteerNumber string
	Lines           []CertificateLine
	Totals          HoursTotals
	IssuedAt        time.Time
}

// CertificateLine is one activity (or 荣誉时长 entry) on a certificate.
type CertificateLine struct {
	Date     string `json:"date"` // YYYY-MM-DD, Asia/Shanghai
	Activity string `json:"activity"`
	Kind     string `json:"kind"`
	Minutes  int    `json:"minutes"`
}

// HelpStatus is where a help request (求助) stands.
type HelpStatus string

const (
	HelpSubmitted HelpStatus = "submitted" // waiting for review
	HelpPublished HelpStatus = "published" // teams may claim it
	HelpRefused   HelpStatus = "refused"
	HelpClaimed   HelpStatus = "claimed" // a team took it on
	HelpDone      HelpStatus = "done"
	HelpCancelled HelpStatus = "cancelled"
)

// HelpRequest is a citizen's request for volunteer help.
type HelpRequest struct {
	ID          int64
	RequesterID int64
	Title       string // what
	Description string
	Address     string // where
	Lat, Lng    float64
	CoordSystem string
	NeededAt    time.Time // when
	Status      HelpStatus
	TeamID      *int64 // the team that claimed it
	ReviewNote  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate checks what a requester supplies.
func (h *HelpRequest) Validate() error {
	switch n := utf8.RuneCountInString(strings.TrimSpace(h.Title)); {
	case n == 0:
		return FieldError(EINVALID, "title", "say what help is needed")
	case n > 100:
		return FieldError(EINVALID, "title", "title is longer than 100 characters")
	}
	switch {
	case utf8.RuneCountInString(h.Description) > MaxDescription:
		return FieldError(EINVALID, "description", "description is longer than %d characters", MaxDescription)
	case strings.TrimSpace(h.Address) == "":
		return FieldError(EINVALID, "address", "say where help is needed")
	case utf8.RuneCountInString(h.Address) > 200:
		return FieldError(EINVALID, "address", "address is longer than 200 characters")
	case h.NeededAt.IsZero():
		return FieldError(EINVALID, "needed_at", "say when help is needed")
	}
	return nil
}

// VolunteerEvent is one immutable row of the volunteer platform's timeline
// and audit log: a transition of a team, activity, signup or help request.
type VolunteerEvent struct {
	ID        int64
	Subject   string // team, activity, signup, help_request
	SubjectID int64
	Action    string
	From, To  string
	ActorID   *int64 // nil for the system (timers)
	Note      string
	Lat, Lng  *float64
	At        time.Time
}

// VolunteerStats are the platform's headline figures.
type VolunteerStats struct {
	Teams              int `json:"teams"`               // certified
	Volunteers         int `json:"volunteers"`          // certified
	Activities         int `json:"activities"`          // published or later, not cancelled
	TotalMinutes       int `json:"total_minutes"`       // ledger total
	MonthMinutes       int `json:"month_minutes"`       // ledger entries made this month
	HelpRequestsDone   int `json:"help_requests_done"`  // 求助 completed
	HelpRequestsOpen   int `json:"help_requests_open"`  // published, waiting for a team
	ActivitiesUpcoming int `json:"activities_upcoming"` // published, not started
}

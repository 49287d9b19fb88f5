// Package approval is 行政审批查询: the progress of an application for an
// administrative licence, as the approval system reports it. Records arrive
// by a signed push (push.go) or a staff CSV import (csv.go); a citizen finds
// one by its 受理编号 and the last four digits of the applicant's phone, and
// may follow it to be told of each change of status.
package approval

import (
	"strings"
	"time"
	"unicode/utf8"

	"guanjia"
)

// Status is where an application stands.
type Status string

// The statuses, in the order an application usually passes them.
const (
	StatusReceived   Status = "received"   // 已受理
	StatusReviewing  Status = "reviewing"  // 审查中
	StatusSupplement Status = "supplement" // 补正材料: the applicant must hand in more
	StatusDecided    Status = "decided"    // 已决定: 准予 or 不予许可, the decision is made
	StatusCompleted  Status = "completed"  // 已办结: the licence (or the refusal) is handed over
	StatusRefused    Status = "refused"    // 不予受理: not accepted at all
)

// Statuses lists every status in order.
var Statuses = []Status{StatusReceived, StatusReviewing, StatusSupplement, StatusDecided, StatusCompleted, StatusRefused}

// statusLabels are the words citizens and the approval system's CSV use.
var statusLabels = map[Status]string{
	StatusReceived: "已受理", StatusReviewing: "审查中", StatusSupplement: "补正材料",
	StatusDecided: "已决定", StatusCompleted: "已办结", StatusRefused: "不予受理",
}

// Label is the status in Chinese.
func (s Status) Label() string { return statusLabels[s] }

// ParseStatus accepts a status code (received) or its Chinese label (已受理).
func ParseStatus(s string) (Status, bool) {
	s = strings.TrimSpace(s)
	for st, label := range statusLabels {
		if s == string(st) || s == label {
			return st, true
		}
	}
	return "", false
}

// transitions is the state machine: from each status, where an application
// may go next. The approval system may skip a step (a simple matter is
// decided at once), never go back from a final status. "" is a record not
// seen before.
var transitions = map[Status][]Status{
	"":               {StatusReceived, StatusReviewing, StatusSupplement, StatusDecided, StatusCompleted, StatusRefused},
	StatusReceived:   {StatusReviewing, StatusSupplement, StatusDecided, StatusCompleted, StatusRefused},
	StatusReviewing:  {StatusSupplement, StatusDecided, StatusCompleted},
	StatusSupplement: {StatusReviewing, StatusDecided, StatusCompleted, StatusRefused},
	StatusDecided:    {StatusCompleted},
	StatusCompleted:  {},
	StatusRefused:    {},
}

// CanMove reports whether an application may go from one status to another.
// Staying where it is is always allowed (a new version may correct other fields).
func CanMove(from, to Status) bool {
	if from == to && from != "" {
		return true
	}
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Final reports whether nothing follows the status.
func (s Status) Final() bool { return len(transitions[s]) == 0 && s != "" }

// Record is one application as the public sees it. The applicant's phone is
// personal data: the store keeps it sealed and a keyed hash of its last four
// digits for the lookup; it never leaves the store.
type Record struct {
	ID            int64
	Number        string // 受理编号
	Matter        string // 事项名称
	Department    string // 受理部门
	ApplicantMask string // the applicant's name, masked (张*明): the only form kept
	Status        Status
	Version       int64 // the approval system's version of the record; only a higher one changes it
	Note          string
	ChangedAt     time.Time // when the approval system says the current status began
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Events        []Event // the timeline, oldest first (when asked for)
}

// Event is one change of status: immutable, the timeline and the audit log.
type Event struct {
	ID        int64     `json:"id"`
	RecordID  int64     `json:"-"`
	Number    string    `json:"number,omitempty"` // with the recent-changes feed
	Matter    string    `json:"matter,omitempty"` // with the recent-changes feed
	Version   int64     `json:"version"`
	From      Status    `json:"from,omitempty"`
	To        Status    `json:"to"`
	Note      string    `json:"note,omitempty"`
	Source    string    `json:"source"`             // push or import
	ActorID   *int64    `json:"actor_id,omitempty"` // who imported; nil for the approval system's push
	At        time.Time `json:"at"`                 // when it happened in the approval system
	CreatedAt time.Time `json:"created_at"`
}

// Sources of a change.
const (
	SourcePush   = "push"
	SourceImport = "import"
)

// Update is one version of a record from the approval system.
type Update struct {
	Number     string    `json:"number"`
	Version    int64     `json:"version"`
	Matter     string    `json:"matter"`
	Department string    `json:"department"`
	Applicant  string    `json:"applicant"` // full name; only its masked form is kept
	Phone      string    `json:"phone"`
	Status     Status    `json:"status"`
	Note       string    `json:"note"`
	At         time.Time `json:"at"` // when the status began; zero: now
}

// Limits of an update's fields.
const (
	maxNumber     = 40
	maxMatter     = 100
	maxDepartment = 60
	maxApplicant  = 60
	maxNote       = 200
)

// Validate checks an update and trims its fields.
func (u *Update) Validate() error {
	u.Number, u.Matter, u.Department = strings.TrimSpace(u.Number), strings.TrimSpace(u.Matter), strings.TrimSpace(u.Department)
	u.Applicant, u.Phone, u.Note = strings.TrimSpace(u.Applicant), strings.TrimSpace(u.Phone), strings.TrimSpace(u.Note)
	if st, ok := ParseStatus(string(u.Status)); ok {
		u.Status = st
	}
	switch {
	case !ValidNumber(u.Number):
		return guanjia.FieldError(guanjia.EINVALID, "number", "number must be 1 to 40 letters, digits or dashes")
	case u.Version <= 0:
		return guanjia.FieldError(guanjia.EINVALID, "version", "version must be a positive number")
	case u.Matter == "" || utf8.RuneCountInString(u.Matter) > maxMatter:
		return guanjia.FieldError(guanjia.EINVALID, "matter", "matter is required, at most %d characters", maxMatter)
	case u.Department == "" || utf8.RuneCountInString(u.Department) > maxDepartment:
		return guanjia.FieldError(guanjia.EINVALID, "department", "department is required, at most %d characters", maxDepartment)
	case u.Applicant == "" || utf8.RuneCountInString(u.Applicant) > maxApplicant:
		return guanjia.FieldError(guanjia.EINVALID, "applicant", "applicant is required, at most %d characters", maxApplicant)
	case !ValidPhone(u.Phone):
		return guanjia.FieldError(guanjia.EINVALID, "phone", "phone must be a phone number ending in four digits")
	case statusLabels[u.Status] == "":
		return guanjia.FieldError(guanjia.EINVALID, "status", "unknown status %q", string(u.Status))
	case utf8.RuneCountInString(u.Note) > maxNote:
		return guanjia.FieldError(guanjia.EINVALID, "note", "note is longer than %d characters", maxNote)
	case !u.At.IsZero():
		return guanjia.CheckTime("at", u.At)
	}
	return nil
}

// ValidNumber reports whether s looks like a 受理编号: ASCII letters, digits
// and dashes, at most 40 of them.
func ValidNumber(s string) bool {
	if s == "" || len(s) > maxNumber {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

// ValidPhone accepts a phone number whose last four characters are digits.
func ValidPhone(p string) bool {
	return guanjia.ValidPhone(p) && ValidTail(p[len(p)-4:])
}

// ValidTail reports whether s is four digits.
func ValidTail(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// PhoneTail is the last four digits of a valid phone.
func PhoneTail(p string) string { return p[len(p)-4:] }

// Outcome is what applying an update did.
type Outcome string

const (
	OutcomeCreated   Outcome = "created"
	OutcomeUpdated   Outcome = "updated"
	OutcomeUnchanged Outcome = "unchanged" // this version was applied already
	OutcomeStale     Outcome = "stale"     // an older version than the one held: ignored
)

// Result is the outcome of one update.
type Result struct {
	Number  string  `json:"number"`
	Version int64   `json:"version"`
	Outcome Outcome `json:"outcome"`
	Current int64   `json:"current_version"` // the version held afterwards
}

// Decide is the rule for applying u to what is held under its number
// (found false: nothing yet). A version already applied is unchanged and an
// older one stale, whatever it says; a newer one creates or updates the
// record when the state machine allows its change of status, and is refused
// (ok false) otherwise. The store applies by it; an import checks its rows
// by it before writing anything. Each words a refusal for its reader.
func Decide(held Record, found bool, u Update) (outcome Outcome, ok bool) {
	switch {
	case found && u.Version == held.Version:
		return OutcomeUnchanged, true
	case found && u.Version < held.Version:
		return OutcomeStale, true
	case !CanMove(held.Status, u.Status):
		return "", false
	case found:
		return OutcomeUpdated, true
	}
	return OutcomeCreated, true
}

package volunteer

import (
	"context"
	"time"

	"guanjia"
)

// Store is what the volunteer platform needs from the database. Every method
// that changes state does so in one transaction; a guarded update whose row
// has moved on returns ECONFLICT and writes nothing.
type Store interface {
	MatchStore

	FindUserByID(ctx context.Context, id int64) (*guanjia.User, error)

	// CreateVolunteer records a certification, its skills the volunteer's
	// searchable ones. The same user or ID number certified twice is ECONFLICT.
	CreateVolunteer(ctx context.Context, v *guanjia.Volunteer) error
	FindVolunteer(ctx context.Context, userID int64) (*guanjia.Volunteer, error)
	// CertifiedVolunteers says which of users are certified volunteers.
	CertifiedVolunteers(ctx context.Context, users []int64) (map[int64]bool, error)

	// CreateTeam inserts a team with its applicant as its first admin. A taken name is ECONFLICT.
	CreateTeam(ctx context.Context, t *guanjia.Team, ev *guanjia.VolunteerEvent) error
	// UpdateTeamStatus writes t's status, review note and certification time if it still has expect.
	UpdateTeamStatus(ctx context.Context, t *guanjia.Team, expect guanjia.TeamStatus, ev *guanjia.VolunteerEvent) error
	FindTeam(ctx context.Context, id int64) (*guanjia.Team, error)
	ListTeams(ctx context.Context, f TeamFilter) ([]*guanjia.Team, error)
	// AddTeamMember is ECONFLICT when the user is already a member.
	AddTeamMember(ctx context.Context, m *guanjia.TeamMember) error
	// ChangeTeamMember applies ch if the member still has ch.ExpectRole,
	// under a lock on the team's row: ch.Check decides on the team's
	// admins as they are under that lock, so two admins stepping down at
	// once are decided one after the other.
	ChangeTeamMember(ctx context.Context, ch *TeamMemberChange) error
	FindTeamMember(ctx context.Context, teamID, userID int64) (*guanjia.TeamMember, error)
	ListTeamMembers(ctx context.Context, teamID int64) ([]*guanjia.TeamMember, error)
	// TeamRoles answers the user's role in each team they belong to, by team id.
	TeamRoles(ctx context.Context, userID int64) (map[int64]string, error)

	CreateActivity(ctx context.Context, a *guanjia.Activity, ev *guanjia.VolunteerEvent) error
	// SaveActivity applies ch if the activity still has ExpectStatus and ExpectVersion.
	SaveActivity(ctx context.Context, ch *ActivityChange) error
	FindActivity(ctx context.Context, id int64) (*guanjia.Activity, error)
	// ActivityVersion is the optimistic-lock counter of an activity's edits.
	ActivityVersion(ctx context.Context, id int64) (int, error)
	ListActivities(ctx context.Context, f ActivityFilter) ([]*guanjia.Activity, error)

	// AdmitSignups decides a batch of signups for one activity under the
	// activity's row lock, in the batch's order: each gets a place while
	// confirmed < capacity, the waitlist after that. check validates the
	// activity under the lock (and may fill in the admissions' Now and
	// RemindAt); its error fails the whole batch. A user who
	// already holds an active signup gets ECONFLICT in Err. The capacity is
	// also a CHECK constraint, so no bug above the database can oversell.
	AdmitSignups(ctx context.Context, activityID int64, batch []*Admission, check func(*guanjia.Activity) error) error
	// SaveSignup applies ch if the signup still has ExpectStatus.
	SaveSignup(ctx context.Context, ch *SignupChange) error
	FindSignup(ctx context.Context, id int64) (*guanjia.Signup, error)
	// FindActiveSignup returns the user's signup for the activity that is not cancelled.
	FindActiveSignup(ctx context.Context, activityID, userID int64) (*guanjia.Signup, error)
	ListSignups(ctx context.Context, f SignupFilter) ([]*guanjia.Signup, error)
	// SignupNames answers the certified names of everyone who signed up for
	// the activity (cancelled too), by user id.
	SignupNames(ctx context.Context, activityID int64) (map[int64]string, error)
	// DueReminders returns confirmed signups of published activities whose
	// reminder is not sent and is due before horizon.
	DueReminders(ctx context.Context, horizon time.Time) ([]*guanjia.Signup, error)
	// DueActivities returns published, in-progress and finished-but-unsettled
	// activities whose next lifecycle step (start, end, end + grace) is before horizon.
	DueActivities(ctx context.Context, horizon time.Time, grace time.Duration) ([]*guanjia.Activity, error)

	// AddHours appends to the ledger, and writes msgs to the outbox in the
	// same transaction; it answers the outbox rows the queue must deliver.
	// Rows are never updated or deleted.
	AddHours(ctx context.Context, e *guanjia.HoursEntry, msgs []guanjia.Message) ([]int64, error)
	// AddCorrection appends e, a correction of entry *e.CorrectsID, if fits
	// accepts that entry's total so far, decided under a lock on the entry.
	AddCorrection(ctx context.Context, e *guanjia.HoursEntry, fits func(total int) error) error
	FindHours(ctx context.Context, id int64) (*guanjia.HoursEntry, error)
	// ListHours returns the newest MaxLedgerRows entries, oldest first: the
	// latest are the ones a team admin looks for to correct.
	ListHours(ctx context.Context, f HoursFilter) ([]*guanjia.HoursEntry, error)
	SumHours(ctx context.Context, f HoursFilter) (guanjia.HoursTotals, error)

	// CreateCertificate is ECONFLICT when the number is taken.
	CreateCertificate(ctx context.Context, c *guanjia.Certificate) error
	FindCertificate(ctx context.Context, number string) (*guanjia.Certificate, error)

	CreateHelpRequest(ctx context.Context, h *guanjia.HelpRequest, ev *guanjia.VolunteerEvent) error
	// SaveHelpRequest writes h's status, team and note if it still has expect.
	SaveHelpRequest(ctx context.Context, h *guanjia.HelpRequest, expect guanjia.HelpStatus, ev *guanjia.VolunteerEvent) error
	FindHelpRequest(ctx context.Context, id int64) (*guanjia.HelpRequest, error)
	ListHelpRequests(ctx context.Context, f HelpFilter) ([]*guanjia.HelpRequest, error)

	AddActivityPhoto(ctx context.Context, p *ActivityPhoto) error
	ListActivityPhotos(ctx context.Context, activityID int64) ([]*ActivityPhoto, error)
	FindActivityPhoto(ctx context.Context, id string) (*ActivityPhoto, error)

	ListVolunteerEvents(ctx context.Context, subject string, id int64) ([]*guanjia.VolunteerEvent, error)
	VolunteerStats(ctx context.Context, monthStart, now time.Time) (guanjia.VolunteerStats, error)
}

// Scheduler arms the platform's timers on the queue, and queues the
// delivery of the outbox rows a step wrote. Both are idempotent
// (deterministic task ids): the reconciler arms again any timer lost, and the
// re-queue job delivers any row left pending.
type Scheduler interface {
	ArmVolunteerTimer(ctx context.Context, t Timer) error
	Deliver(ctx context.Context, notificationID int64) error
}

// Clock tells the time; tests move it instead of sleeping.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

func (f ClockFunc) Now() time.Time { return f() }

// Event subjects.
const (
	SubjectTeam     = "team"
	SubjectActivity = "activity"
	SubjectSignup   = "signup"
	SubjectHelp     = "help_request"
)

// ActivityChange is one step of an activity, written atomically.
type ActivityChange struct {
	Activity      *guanjia.Activity // the new state (counters are not written)
	ExpectStatus  guanjia.ActivityStatus
	ExpectVersion int
	Events        []*guanjia.VolunteerEvent
	// CancelSignups cancels every confirmed and waitlisted signup (the activity is cancelled).
	CancelSignups bool
	// Reschedule sets RemindAt on every confirmed and waitlisted signup and
	// clears their reminded time: the reminder is due again for the new start.
	Reschedule bool
	RemindAt   *time.Time
	// Messages are written to the outbox with the change; so are Tell's
	// messages about each signup the change reached (Affected), when set.
	Messages []guanjia.Message
	Tell     func(su *guanjia.Signup) []guanjia.Message
	// Filled in by the store: the signups CancelSignups or Reschedule
	// touched, and the outbox rows the queue must deliver.
	Affected        []*guanjia.Signup
	NotificationIDs []int64
}

// Admission is one signup in a batch handed to AdmitSignups.
type Admission struct {
	UserID   int64
	RemindAt *time.Time // when a confirmed signup's reminder is due; nil for none
	Now      time.Time  // when it was decided
	// Tell, when set, gives the messages about the decided signup; they are
	// written to the outbox with it.
	Tell func(su *guanjia.Signup) []guanjia.Message
	// Filled in by the store.
	Signup          *guanjia.Signup // Status confirmed or waitlisted; Position set when waitlisted
	Err             error
	NotificationIDs []int64 // the outbox rows the queue must deliver
}

// SignupChange is one step of a signup, written atomically.
type SignupChange struct {
	Signup       *guanjia.Signup // the new state
	ExpectStatus guanjia.SignupStatus
	Events       []*guanjia.VolunteerEvent
	Hours        *guanjia.HoursEntry // credited in the same transaction
	// Promote gives places freed by this change to the first waitlisted
	// signups, in order, with PromoteRemindAt as their reminder time.
	Promote         bool
	PromoteRemindAt *time.Time
	// Messages are written to the outbox with the change; so are
	// TellPromoted's messages about each promoted signup, when set.
	Messages     []guanjia.Message
	TellPromoted func(su *guanjia.Signup) []guanjia.Message
	// Filled in by the store: the promoted signups, and the outbox rows the
	// queue must deliver.
	Promoted        []*guanjia.Signup
	NotificationIDs []int64
}

// TeamMemberChange is one step of a person's place in a team, written
// atomically with its event.
type TeamMemberChange struct {
	TeamID, UserID int64
	ExpectRole     string // the member's role now; a member whose role moved on (or who left) is ECONFLICT
	Role           string // the new role; "" takes the member off the team
	// Check, when set, is handed the number of the team's admins before
	// the change, under the team's lock; its error fails the change.
	Check func(admins int) error
	Event *guanjia.VolunteerEvent
}

// TeamFilter selects teams.
type TeamFilter struct {
	Status                         guanjia.TeamStatus // "" = any
	MemberID                       int64              // teams this user belongs to; 0 = any
	MinLat, MinLng, MaxLat, MaxLng *float64           // bounding box
	OldestFirst                    bool               // else newest first
	WithApplicant                  bool               // fill each team's Applicant (the review queue)
	Limit                          int
}

// ActivityFilter selects activities.
type ActivityFilter struct {
	Status                         []guanjia.ActivityStatus
	TeamID                         int64
	IDs                            []int64
	MinLat, MinLng, MaxLat, MaxLng *float64
	NewestFirst                    bool // else soonest first
	WithReview                     bool // fill SubmittedAt and Refusals (the review queue)
	Limit                          int
}

// SignupFilter selects signups.
type SignupFilter struct {
	ActivityID int64
	UserID     int64
	Status     []guanjia.SignupStatus
	Limit      int
}

// HoursFilter selects ledger rows.
type HoursFilter struct {
	UserID     int64
	TeamID     int64
	ActivityID int64
	Since      *time.Time
}

// HelpFilter selects help requests.
type HelpFilter struct {
	Status      []guanjia.HelpStatus
	RequesterID int64
	TeamID      int64
	NotLapsedAt *time.Time // leave out the requests still waiting (HelpWaiting) whose needed time is not after this
	Limit       int
}

// ActivityPhoto is an image in an activity's album.
type ActivityPhoto struct {
	ID          string
	ActivityID  int64
	ContentType string
	Size        int64
	UploadedBy  int64
	CreatedAt   time.Time
}

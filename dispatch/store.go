package dispatch

import (
	"context"
	"time"

	"guanjia"
)

// TimerKind names an SLA timer. Each stage has a deadline and a reminder
// (催办) before it. The values are stored and queued: they keep their old
// "_warn" spelling.
type TimerKind string

const (
	TimerAccept          TimerKind = "accept"
	TimerAcceptReminder  TimerKind = "accept_warn"
	TimerArrive          TimerKind = "arrive"
	TimerArriveReminder  TimerKind = "arrive_warn"
	TimerResolve         TimerKind = "resolve"
	TimerResolveReminder TimerKind = "resolve_warn"
)

// Timer is one SLA deadline. The database row is the truth; the queue's
// scheduled task is derived from it and can be re-armed at any time.
type Timer struct {
	ComplaintID int64
	Kind        TimerKind
	Seq         int64 // the dispatch attempt (accept, arrive) or the deadline itself (resolve, see resolveSeq)
	DueAt       time.Time
	FiredAt     *time.Time
	CancelledAt *time.Time
}

// Change is everything one step of the workflow writes, atomically.
type Change struct {
	Complaint *guanjia.Complaint // the new state; ID 0 = insert; Version is what it was read at
	Events    []*guanjia.Event
	Arm       []Timer
	Cancel    []TimerKind // pending timers of these kinds are cancelled
	Fire      *Timer      // the timer whose firing caused this change
	Follow    []int64     // users who now follow the complaint
	Messages  []guanjia.Message
	Rating    *guanjia.Rating // a 回访 answer to record
	// Annotate adds to another complaint's timeline and followers (a me-too,
	// a merge) in the same transaction, so a lost race leaves no trace there.
	Annotate *Annotation
	// PatrolOf links a new patrol order to the hotspot it is opened from, in
	// the same transaction: ECONFLICT, and nothing written, when the hotspot
	// already has one.
	PatrolOf int64
	// Filled in by the store:
	NotificationIDs []int64
}

// Annotation is what a change adds to another complaint without touching its
// row. A me-too event without a note is given "#<id>" of the complaint saved
// (a new complaint has its id only once it is inserted).
type Annotation struct {
	ComplaintID int64
	Events      []*guanjia.Event
	Follow      []int64
}

// Store is what the workflow needs from the database.
type Store interface {
	// SaveComplaint applies a change in one transaction and bumps the
	// complaint's Version. When someone else saved the complaint since it was
	// read (another Version), it returns ECONFLICT naming the field "version"
	// (guanjia.StaleVersion); when the complaint its Annotate links to is no
	// longer open, plain ECONFLICT. Either way it writes nothing.
	SaveComplaint(ctx context.Context, ch *Change) error
	// MarkTimerFired records that a timer fired without touching its
	// complaint (a stale timer must not bump the version under a crew member's feet).
	MarkTimerFired(ctx context.Context, t Timer) error
	FindComplaint(ctx context.Context, id int64) (*guanjia.Complaint, error)
	ListComplaints(ctx context.Context, f guanjia.ComplaintFilter) ([]*guanjia.Complaint, int, error)
	ListEvents(ctx context.Context, complaintID int64) ([]*guanjia.Event, error)
	// NearbyOpen returns open, non-duplicate complaints of a category created
	// since, inside the bounding box.
	NearbyOpen(ctx context.Context, category string, since time.Time, minLat, minLng, maxLat, maxLng float64) ([]*guanjia.Complaint, error)
	IsFollower(ctx context.Context, complaintID, userID int64) (bool, error)
	ListFollowers(ctx context.Context, complaintID int64) ([]int64, error)
	// ListDuplicates lists the complaints linked to complaint id as its
	// duplicates (a me-too at intake, a merge at the desk), oldest first.
	ListDuplicates(ctx context.Context, id int64) ([]*guanjia.Complaint, error)
	// StatsGroups sums the KPI counts of kpi.go over the complaints q selects,
	// by day, unit, district and category.
	StatsGroups(ctx context.Context, q StatsQuery) ([]StatsGroup, error)

	FindTimer(ctx context.Context, complaintID int64, kind TimerKind, seq int64) (*Timer, error)
	// PendingTimers returns the timers neither fired nor cancelled that are due before horizon.
	PendingTimers(ctx context.Context, horizon time.Time) ([]Timer, error)

	// OnDutyCrews lists the on-duty crew members of a unit patrolling a grid,
	// each where last seen and with how many open tasks they carry.
	OnDutyCrews(ctx context.Context, unitCode, gridID string) ([]CrewPosition, error)
	// Crews lists crew members (of one unit, or all) with their open tasks.
	Crews(ctx context.Context, unitCode string) ([]CrewLoad, error)
	// StrandedTasks lists up to limit open tasks, oldest first, whose
	// assignee can no longer hold them (see CanHold).
	StrandedTasks(ctx context.Context, limit int) ([]int64, error)
	ListUsersByRole(ctx context.Context, role guanjia.Role, unitCode string) ([]*guanjia.User, error)
	FindUserByID(ctx context.Context, id int64) (*guanjia.User, error)

	FindCategory(ctx context.Context, code string) (*guanjia.Category, error)
	FindUnit(ctx context.Context, code string) (*guanjia.Unit, error)
	ListGrids(ctx context.Context) ([]*guanjia.Grid, error)

	// AddPhoto records a photo of a complaint, refusing it (EUNPROCESSABLE)
	// when the complaint has most photos of its kind already.
	AddPhoto(ctx context.Context, p *guanjia.Photo, most int) error
	ListPhotos(ctx context.Context, complaintID int64) ([]*guanjia.Photo, error)
	FindPhoto(ctx context.Context, id string) (*guanjia.Photo, error)
}

// CrewPosition is what point-to-point routing weighs of an on-duty crew
// member: where they were last seen and how many open tasks they carry.
type CrewPosition struct {
	ID        int64
	Lat, Lng  float64
	OpenTasks int
}

// CrewLoad is a crew member and their open tasks.
type CrewLoad struct {
	*guanjia.User
	OpenTasks int
}

// Scheduler arms timers and queues deliveries. Both must be idempotent: the
// reconciler calls them again for anything Redis may have lost.
type Scheduler interface {
	ArmTimer(ctx context.Context, t Timer) error
	Deliver(ctx context.Context, notificationID int64) error
}

// Publisher tells live views that a complaint changed (the console's queue)
// and whose inboxes have new messages, if anyone's (live.Live is one): in
// one message when both come of one change. It must not block and its
// failures are not the workflow's: it logs them.
type Publisher interface {
	ComplaintChanged(ctx context.Context, c *guanjia.Complaint, inbox []int64)
	InboxChanged(ctx context.Context, userIDs []int64)
}

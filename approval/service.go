package approval

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"guanjia"
)

// TplApprovalUpdate is the subscribe message a follower gets at each change
// of status (wechat/templates.go maps it to the mini-program's template).
const TplApprovalUpdate = "approval_update"

// Store is what approval needs from the database.
type Store interface {
	// ApplyUpdates applies us in order in one transaction. A version higher
	// than the one held replaces the record; a change of status writes an
	// event and queues a message to each follower (the outbox); the same or
	// an older version changes nothing. A change the state machine forbids
	// is ECONFLICT and nothing is written. It answers each update's outcome
	// and the ids of the queued messages.
	ApplyUpdates(ctx context.Context, us []Update, source string, actor *int64, now time.Time) ([]Result, []int64, error)
	// FindByTail returns the record numbered number whose applicant's phone
	// ends in tail, with its timeline. A wrong tail is the same ENOTFOUND
	// as an unknown number.
	FindByTail(ctx context.Context, number, tail string) (*Record, error)
	// CurrentStates answers the status, version and department held of each number known.
	CurrentStates(ctx context.Context, numbers []string) (map[string]Record, error)
	// Follow records that userID follows the record; following again changes nothing.
	Follow(ctx context.Context, recordID, userID int64, at time.Time) error
	// Unfollow forgets it; ENOTFOUND when userID did not follow number.
	Unfollow(ctx context.Context, number string, userID int64) error
	// ListFollowed answers the records userID follows, with their timelines, latest change first.
	ListFollowed(ctx context.Context, userID int64) ([]*Record, error)
	// RecentEvents answers the latest changes of status, newest first: of
	// the applications of department (a 受理部门's name), or of all when "".
	RecentEvents(ctx context.Context, department string, limit int) ([]Event, error)
}

// Units finds a unit by code (store.Catalog does).
type Units interface {
	FindUnit(ctx context.Context, code string) (*guanjia.Unit, error)
}

// Deliverer queues delivery of an outbox message (worker.Scheduler).
type Deliverer interface {
	Deliver(ctx context.Context, id int64) error
}

// Service is 行政审批查询.
type Service struct {
	Store     Store
	Deliverer Deliverer // nil: the worker's re-queue finds the messages
	// Units names a department's staff's unit: they import only the
	// applications their department (受理部门) took in. nil: only
	// administrators import.
	Units Units
	Now   func() time.Time
	Log   *slog.Logger
}

// NewService builds the service.
func NewService(st Store, units Units, d Deliverer, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{Store: st, Units: units, Deliverer: d, Now: now, Log: log}
}

// MaxPush is the most records one push may carry.
const MaxPush = 100

// Push applies records the approval system sent (its signature is checked
// by the caller). Any invalid record refuses the whole push: nothing changes.
func (s *Service) Push(ctx context.Context, us []Update) ([]Result, error) {
	if len(us) == 0 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "records", "records is empty")
	}
	if len(us) > MaxPush {
		return nil, guanjia.FieldError(guanjia.EINVALID, "records", "at most %d records in one push", MaxPush)
	}
	for i := range us {
		if err := us[i].Validate(); err != nil {
			if e, ok := err.(*guanjia.Error); ok {
				e.Field = fmt.Sprintf("records[%d].%s", i, e.Field) // which record, for the approval system's log
			}
			return nil, err
		}
	}
	return s.apply(ctx, us, SourcePush, nil)
}

func (s *Service) apply(ctx context.Context, us []Update, source string, actor *int64) ([]Result, error) {
	now := s.Now().UTC()
	for i := range us {
		if us[i].At.IsZero() || us[i].At.After(now) {
			us[i].At = now // a clock ahead of ours must not put a change in the future
		}
	}
	results, queued, err := s.Store.ApplyUpdates(ctx, us, source, actor, now)
	if err != nil {
		return nil, err
	}
	s.deliver(ctx, queued)
	return results, nil
}

// deliver queues the messages now; one that fails stays in the outbox for the re-queue.
func (s *Service) deliver(ctx context.Context, ids []int64) {
	if s.Deliverer == nil {
		return
	}
	for _, id := range ids {
		if err := s.Deliverer.Deliver(ctx, id); err != nil {
			s.Log.Warn("approval: queue a follower's message; the re-queue will", "notification", id, "err", err)
		}
	}
}

// errNotFound is the one answer to a wrong number and a wrong phone tail.
func errNotFound() error {
	return guanjia.Errorf(guanjia.ENOTFOUND, "no application with this number and phone tail")
}

// checkQuery validates what a citizen typed; a malformed pair is answered
// as not found, so the answer tells nothing about which half was wrong.
func checkQuery(number, tail string) error {
	if !ValidTail(tail) {
		return guanjia.FieldError(guanjia.EINVALID, "phone_tail", "phone_tail must be the last four digits of the phone")
	}
	if !ValidNumber(number) {
		return errNotFound()
	}
	return nil
}

// Lookup finds an application by its number and the applicant's phone tail.
func (s *Service) Lookup(ctx context.Context, number, tail string) (*Record, error) {
	if err := checkQuery(number, tail); err != nil {
		return nil, err
	}
	r, err := s.Store.FindByTail(ctx, number, tail)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, errNotFound()
	}
	return r, err
}

// Follow lets a signed-in citizen follow an application they can name by
// its number and phone tail.
func (s *Service) Follow(ctx context.Context, who guanjia.Claims, number, tail string) (*Record, error) {
	r, err := s.Lookup(ctx, number, tail)
	if err != nil {
		return nil, err
	}
	if err := s.Store.Follow(ctx, r.ID, who.UserID, s.Now().UTC()); err != nil {
		return nil, err
	}
	return r, nil
}

// Unfollow stops following.
func (s *Service) Unfollow(ctx context.Context, who guanjia.Claims, number string) error {
	return s.Store.Unfollow(ctx, number, who.UserID)
}

// Followed lists what the user follows.
func (s *Service) Followed(ctx context.Context, who guanjia.Claims) ([]*Record, error) {
	return s.Store.ListFollowed(ctx, who.UserID)
}

// Recent is the console's feed of changes: a department's own applications
// for its staff (as they import only their own), the city's for the others.
func (s *Service) Recent(ctx context.Context, who guanjia.Claims, limit int) ([]Event, error) {
	department, err := s.ownDepartment(ctx, who)
	if err != nil {
		return nil, err
	}
	return s.Store.RecentEvents(ctx, department, limit)
}

// FollowerMessage is what a follower is told of a change of status.
func FollowerMessage(r *Record, ev *Event, userID int64) guanjia.Message {
	return guanjia.Message{RecipientID: userID, Channel: guanjia.ChannelSubscribe, Template: TplApprovalUpdate,
		Data: map[string]string{
			"id": r.Number, "status": ev.To.Label(), "matter": r.Matter,
			"time": ev.At.In(guanjia.ChinaTime).Format("2006-01-02 15:04"), "note": noteOr(ev.Note, r.Department),
		}}
}

func noteOr(note, otherwise string) string {
	if note != "" {
		return note
	}
	return otherwise
}

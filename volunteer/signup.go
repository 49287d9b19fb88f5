package volunteer

import (
	"context"
	"fmt"
	"sync"
	"time"

	"guanjia"
)

// Signup takes a place on an activity for who, a certified volunteer, while
// signup is open: confirmed while places remain, waitlisted in order after
// that. Concurrent signups for one activity are decided together in batches
// (group commit): one transaction and one disk flush for many people, under
// the activity's row lock, so the capacity holds across processes too. Every
// check runs inside the batch, so a flash crowd costs the database a few
// statements per batch, not per person.
func (s *Signups) Signup(ctx context.Context, who guanjia.Claims, activityID int64) (*guanjia.Signup, error) {
	adm := &Admission{UserID: who.UserID}
	if err := s.admit.do(ctx, activityID, adm); err != nil {
		return nil, err
	}
	if adm.Err != nil {
		return nil, adm.Err
	}
	su := adm.Signup
	s.deliver(ctx, adm.NotificationIDs)
	if su.RemindAt != nil {
		a, err := s.Store.FindActivity(ctx, activityID)
		if err != nil {
			return nil, err
		}
		s.arm(ctx, reminderTimer(su.ID, a, *su.RemindAt))
	}
	return su, nil
}

// signupOpen says whether a may take signups at now.
func signupOpen(a *guanjia.Activity, now time.Time) error {
	if a.Status != guanjia.ActivityPublished {
		return guanjia.Errorf(guanjia.ECONFLICT, "the activity is %s; signup is closed", a.Status)
	}
	if !now.Before(a.SignupDeadline) {
		return guanjia.FieldError(guanjia.EUNPROCESSABLE, "signup_deadline", "signup closed at %s", localTime(a.SignupDeadline))
	}
	return nil
}

// tellConfirmed tells the volunteer of a confirmed signup of a that their
// place is confirmed; a waitlisted signup is told nothing.
func tellConfirmed(a *guanjia.Activity, note string) func(su *guanjia.Signup) []guanjia.Message {
	data := activityData(a, map[string]string{"note": note, "status": "已确认"})
	return func(su *guanjia.Signup) []guanjia.Message {
		if su.Status != guanjia.SignupConfirmed {
			return nil
		}
		return []guanjia.Message{message(su.UserID, guanjia.TplSignupConfirmed, data)}
	}
}

// CancelSignup withdraws who's signup until the cut-off before the start.
// A place freed goes to the first on the waitlist, who is told.
func (s *Signups) CancelSignup(ctx context.Context, who guanjia.Claims, activityID int64) (*guanjia.Signup, error) {
	a, err := s.Store.FindActivity(ctx, activityID)
	if err != nil {
		return nil, err
	}
	su, err := s.Store.FindActiveSignup(ctx, activityID, who.UserID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "you have not signed up for this activity")
	} else if err != nil {
		return nil, err
	}
	to, err := next(signupTransitions, "signup", su.Status, ActCancel, ActorSelf)
	if err != nil {
		return nil, err
	}
	if a.Status != guanjia.ActivityPublished {
		return nil, guanjia.Errorf(guanjia.ECONFLICT, "the activity is %s; signups can no longer be cancelled", a.Status)
	}
	now := s.now()
	if cutoff := a.StartAt.Add(-s.Config.CancelCutoff); !now.Before(cutoff) && su.Status == guanjia.SignupConfirmed {
		return nil, guanjia.Errorf(guanjia.EUNPROCESSABLE, "cancelling closed at %s (%s before the start); tell the organiser instead",
			localTime(cutoff), s.Config.CancelCutoff)
	}
	from := su.Status
	su.Status, su.UpdatedAt, su.CancelledAt = to, now, &now
	ch := &SignupChange{Signup: su, ExpectStatus: from, Promote: from == guanjia.SignupConfirmed,
		PromoteRemindAt: s.remindAt(a, now), TellPromoted: tellConfirmed(a, "候补转正: 有人取消, 您已获得名额"),
		Events: []*guanjia.VolunteerEvent{event(SubjectSignup, su.ID, ActCancel, string(from), string(to), actorID(who), "", now)}}
	if err := s.Store.SaveSignup(ctx, ch); err != nil {
		return nil, err
	}
	s.deliver(ctx, ch.NotificationIDs)
	for _, p := range ch.Promoted {
		if p.RemindAt != nil {
			s.arm(ctx, reminderTimer(p.ID, a, *p.RemindAt))
		}
	}
	return su, nil
}

// MySignups lists who's signups, newest first.
func (s *Signups) MySignups(ctx context.Context, who guanjia.Claims) ([]*guanjia.Signup, error) {
	return s.Store.ListSignups(ctx, SignupFilter{UserID: who.UserID, Limit: 200})
}

// Roster is an activity's signups as its organisers see them.
type Roster struct {
	Signups []*guanjia.Signup
	// Names are the volunteers' certified names by user id: on site, the
	// organiser checks in by hand someone they find by name, not by number.
	Names map[int64]string
}

// ListSignups lists an activity's signups, with names, for its team's admins.
func (s *Signups) ListSignups(ctx context.Context, who guanjia.Claims, activityID int64) (*Roster, error) {
	a, actor, _, err := s.loadActivity(ctx, who, activityID)
	if err != nil {
		return nil, err
	}
	if actor == ActorSelf {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the organisers see who signed up")
	}
	list, err := s.Store.ListSignups(ctx, SignupFilter{ActivityID: a.ID, Limit: guanjia.MaxActivityCapacity * 2})
	if err != nil {
		return nil, err
	}
	names, err := s.Store.SignupNames(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return &Roster{Signups: list, Names: names}, nil
}

// admitter groups concurrent signups per activity into batches. While one
// batch is being written, the next one collects; each activity has at most
// one writer goroutine in this process.
type admitter struct {
	p      *Platform
	mu     sync.Mutex
	queues map[int64]*admitQueue
}

type admitQueue struct {
	pending []*pendingAdmission
}

type pendingAdmission struct {
	adm  *Admission
	err  error
	done chan struct{}
}

func newAdmitter(p *Platform) *admitter {
	return &admitter{p: p, queues: map[int64]*admitQueue{}}
}

// do queues adm and waits until its batch is written. If ctx ends first the
// signup may still be written; the caller is told the outcome is unknown.
func (ad *admitter) do(ctx context.Context, activityID int64, adm *Admission) error {
	p := &pendingAdmission{adm: adm, done: make(chan struct{})}
	ad.mu.Lock()
	q, running := ad.queues[activityID]
	if !running {
		q = &admitQueue{}
		ad.queues[activityID] = q
	}
	q.pending = append(q.pending, p)
	ad.mu.Unlock()
	if !running {
		go ad.drain(activityID, q)
	}
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return fmt.Errorf("volunteer: signup for activity %d: %w", activityID, ctx.Err())
	}
}

// drain writes the queue's batches until it is empty, then retires it.
func (ad *admitter) drain(activityID int64, q *admitQueue) {
	max := ad.p.Config.MaxBatch
	if max <= 0 {
		max = 256
	}
	for {
		ad.mu.Lock()
		n := min(len(q.pending), max)
		if n == 0 {
			delete(ad.queues, activityID)
			ad.mu.Unlock()
			return
		}
		batch := q.pending[:n:n]
		q.pending = q.pending[n:]
		ad.mu.Unlock()

		// The batch outlives any one caller: write it under its own deadline.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		adms, err := ad.eligible(ctx, batch)
		if err == nil && len(adms) > 0 {
			err = ad.p.Store.AdmitSignups(ctx, activityID, adms, func(a *guanjia.Activity) error {
				// Under the activity's lock: is signup still open, and when are reminders due?
				now := ad.p.now()
				if err := signupOpen(a, now); err != nil {
					return err
				}
				remind, tell := ad.p.remindAt(a, now), tellConfirmed(a, "报名成功")
				for _, adm := range adms {
					adm.Now, adm.RemindAt, adm.Tell = now, remind, tell
				}
				return nil
			})
		}
		cancel()
		for _, p := range batch {
			p.err = err
			close(p.done)
		}
	}
}

// eligible answers uncertified callers in the batch with EFORBIDDEN (one
// query for the whole batch) and returns the admissions left to decide.
func (ad *admitter) eligible(ctx context.Context, batch []*pendingAdmission) ([]*Admission, error) {
	users := make([]int64, len(batch))
	for i, p := range batch {
		users[i] = p.adm.UserID
	}
	certified, err := ad.p.Store.CertifiedVolunteers(ctx, users)
	if err != nil {
		return nil, err
	}
	adms := make([]*Admission, 0, len(batch))
	for _, p := range batch {
		if certified[p.adm.UserID] {
			adms = append(adms, p.adm)
		} else {
			p.adm.Err = guanjia.Errorf(guanjia.EFORBIDDEN, "complete real-name certification (实名认证) first")
		}
	}
	return adms, nil
}

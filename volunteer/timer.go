package volunteer

import (
	"context"
	"fmt"
	"time"

	"guanjia"
)

// TimerKind names one of the platform's timers.
type TimerKind string

const (
	TimerRemind       TimerKind = "remind"       // a confirmed signup's reminder; subject: the signup
	TimerStart        TimerKind = "start"        // the activity moves to in progress; subject: the activity
	TimerFinish       TimerKind = "finish"       // the activity is over
	TimerAutoCheckout TimerKind = "autocheckout" // end + grace: check out whoever is left, count no-shows
)

// Timer is a due moment derived from the database: a signup's remind_at, an
// activity's start or end. Seq is the Unix time of the activity instant it
// was derived from (the start for reminders and the start timer, the end
// otherwise), so a task armed before the activity moved is recognised as
// stale and does nothing.
type Timer struct {
	Kind      TimerKind
	SubjectID int64
	Seq       int64
	DueAt     time.Time
}

func reminderTimer(signupID int64, a *guanjia.Activity, at time.Time) Timer {
	return Timer{Kind: TimerRemind, SubjectID: signupID, Seq: a.StartAt.Unix(), DueAt: at}
}

// activityTimers are the lifecycle timers of a published activity.
func activityTimers(a *guanjia.Activity, grace time.Duration) []Timer {
	return []Timer{
		{Kind: TimerStart, SubjectID: a.ID, Seq: a.StartAt.Unix(), DueAt: a.StartAt},
		{Kind: TimerFinish, SubjectID: a.ID, Seq: a.EndAt.Unix(), DueAt: a.EndAt},
		{Kind: TimerAutoCheckout, SubjectID: a.ID, Seq: a.EndAt.Unix(), DueAt: a.EndAt.Add(grace)},
	}
}

// TimerOutcome says what a fired timer did, for metrics and tests.
type TimerOutcome struct {
	Stale        bool // the world moved on; nothing was done
	Reminded     int
	CheckedOut   int // automatically, at the end time
	NoShows      int
	HoursCredits int
}

// HandleTimer acts on a due timer. It re-reads the rows and does nothing if
// they moved on, so a timer fired twice, late or after a reschedule is harmless.
func (s *Service) HandleTimer(ctx context.Context, t Timer) (TimerOutcome, error) {
	if now := s.now(); now.Add(guanjia.TimerEarlyTolerance).Before(t.DueAt) {
		return TimerOutcome{}, fmt.Errorf("volunteer: timer %s of %d fired %s early", t.Kind, t.SubjectID, t.DueAt.Sub(now))
	}
	switch t.Kind {
	case TimerRemind:
		return s.remind(ctx, t)
	case TimerStart:
		return s.lifecycle(ctx, t, ActStart)
	case TimerFinish:
		return s.lifecycle(ctx, t, ActFinish)
	case TimerAutoCheckout:
		return s.autoCheckout(ctx, t)
	}
	return TimerOutcome{}, guanjia.Errorf(guanjia.EINVALID, "unknown timer kind %q", t.Kind)
}

// remind sends a confirmed volunteer the reminder of an activity that is
// still on at the time the timer was armed for.
func (s *Service) remind(ctx context.Context, t Timer) (TimerOutcome, error) {
	su, err := s.Store.FindSignup(ctx, t.SubjectID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return TimerOutcome{Stale: true}, nil
	} else if err != nil {
		return TimerOutcome{}, err
	}
	a, err := s.Store.FindActivity(ctx, su.ActivityID)
	if err != nil {
		return TimerOutcome{}, err
	}
	if su.Status != guanjia.SignupConfirmed || su.RemindedAt != nil || a.Status != guanjia.ActivityPublished ||
		a.StartAt.Unix() != t.Seq || !s.now().Before(a.StartAt) {
		return TimerOutcome{Stale: true}, nil
	}
	now := s.now()
	su.RemindedAt, su.UpdatedAt = &now, now
	// The reminder is written to the outbox with reminded_at: both or
	// neither, so a retry after a failure sends it once.
	ch := &SignupChange{Signup: su, ExpectStatus: su.Status,
		Messages: []guanjia.Message{message(su.UserID, guanjia.TplActivityReminder, activityData(a, map[string]string{"note": "活动即将开始, 请按时签到"}))}}
	if err := s.Store.SaveSignup(ctx, ch); err != nil {
		if guanjia.ErrorCode(err) == guanjia.ECONFLICT {
			return TimerOutcome{Stale: true}, nil
		}
		return TimerOutcome{}, err
	}
	s.deliver(ctx, ch.NotificationIDs)
	return TimerOutcome{Reminded: 1}, nil
}

// lifecycle moves an activity to in progress (start) or finished (finish).
func (s *Service) lifecycle(ctx context.Context, t Timer, action string) (TimerOutcome, error) {
	a, err := s.Store.FindActivity(ctx, t.SubjectID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return TimerOutcome{Stale: true}, nil
	} else if err != nil {
		return TimerOutcome{}, err
	}
	at := a.EndAt
	if action == ActStart {
		at = a.StartAt
	}
	if at.Unix() != t.Seq {
		return TimerOutcome{Stale: true}, nil
	}
	if err := s.systemMove(ctx, a, action, ""); err != nil {
		if guanjia.ErrorCode(err) == guanjia.ECONFLICT {
			return TimerOutcome{Stale: true}, nil
		}
		return TimerOutcome{}, err
	}
	return TimerOutcome{}, nil
}

// systemMove writes a timer's transition of an activity; ECONFLICT when
// the state table has none from where the activity is.
func (s *Service) systemMove(ctx context.Context, a *guanjia.Activity, action string, note string) error {
	to, err := next(activityTransitions, "activity", a.Status, action, ActorSystem)
	if err != nil {
		return err
	}
	version, err := s.Store.ActivityVersion(ctx, a.ID)
	if err != nil {
		return err
	}
	now := s.now()
	from := a.Status
	a.Status, a.UpdatedAt = to, now
	if action == ActSettle {
		a.SettledAt = &now
	}
	return s.Store.SaveActivity(ctx, &ActivityChange{Activity: a, ExpectStatus: from, ExpectVersion: version,
		Events: []*guanjia.VolunteerEvent{event(SubjectActivity, a.ID, action, string(from), string(to), nil, note, now)}})
}

// autoCheckout settles an activity AutoCheckoutAfter past its end: whoever
// is still checked in is checked out at the end time, flagged, and credited;
// confirmed volunteers who never checked in are counted as no-shows; the
// waitlist lapses.
func (s *Service) autoCheckout(ctx context.Context, t Timer) (TimerOutcome, error) {
	var out TimerOutcome
	a, err := s.Store.FindActivity(ctx, t.SubjectID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return TimerOutcome{Stale: true}, nil
	} else if err != nil {
		return out, err
	}
	if a.EndAt.Unix() != t.Seq || a.SettledAt != nil {
		return TimerOutcome{Stale: true}, nil
	}
	switch a.Status {
	case guanjia.ActivityPublished, guanjia.ActivityInProgress: // the finish timer was lost
		if err := s.systemMove(ctx, a, ActFinish, ""); err != nil {
			return out, err
		}
	case guanjia.ActivityFinished:
	default:
		return TimerOutcome{Stale: true}, nil
	}
	signups, err := s.Store.ListSignups(ctx, SignupFilter{ActivityID: a.ID,
		Status: []guanjia.SignupStatus{guanjia.SignupCheckedIn, guanjia.SignupConfirmed, guanjia.SignupWaitlisted}, Limit: guanjia.MaxActivityCapacity * 2})
	if err != nil {
		return out, err
	}
	now := s.now()
	for _, su := range signups {
		from := su.Status
		ch := &SignupChange{Signup: su, ExpectStatus: from}
		switch from {
		case guanjia.SignupCheckedIn:
			end := a.EndAt
			su.Status, su.CheckoutAt, su.AutoCheckout = guanjia.SignupCheckedOut, &end, true
			ch.Hours = s.creditFor(a, su, guanjia.HoursFromAuto, now)
			ch.Messages = hoursCredited(a, ch.Hours)
			ch.Events = []*guanjia.VolunteerEvent{event(SubjectSignup, su.ID, ActCheckout, string(from), string(su.Status), nil,
				"未签退, 按活动结束时间自动签退", now)}
		case guanjia.SignupConfirmed:
			su.Status = guanjia.SignupNoShow
			ch.Events = []*guanjia.VolunteerEvent{event(SubjectSignup, su.ID, ActNoShow, string(from), string(su.Status), nil, "未签到", now)}
		case guanjia.SignupWaitlisted:
			su.Status, su.CancelledAt = guanjia.SignupCancelled, &now
			ch.Events = []*guanjia.VolunteerEvent{event(SubjectSignup, su.ID, ActCancel, string(from), string(su.Status), nil, "活动已结束, 候补失效", now)}
		}
		su.UpdatedAt = now
		if err := s.Store.SaveSignup(ctx, ch); guanjia.ErrorCode(err) == guanjia.ECONFLICT {
			continue // checked out by hand meanwhile
		} else if err != nil {
			return out, err
		}
		s.deliver(ctx, ch.NotificationIDs)
		switch su.Status {
		case guanjia.SignupCheckedOut:
			out.CheckedOut++
			if ch.Hours != nil && ch.Hours.Minutes > 0 {
				out.HoursCredits++
			}
		case guanjia.SignupNoShow:
			out.NoShows++
		}
	}
	if err := s.systemMove(ctx, a, ActSettle, ""); err != nil && guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		return out, err
	}
	return out, nil
}

// ReconcileTimers arms every timer due before horizon that the database says
// is pending. Arming is idempotent, so this repairs whatever the queue lost;
// timers due later are armed by a later run. It returns how many it armed.
func (s *Service) ReconcileTimers(ctx context.Context, horizon time.Time) (int, error) {
	grace := s.Config.AutoCheckoutAfter
	var timers []Timer
	reminders, err := s.Store.DueReminders(ctx, horizon)
	if err != nil {
		return 0, err
	}
	activities, err := s.Store.DueActivities(ctx, horizon, grace)
	if err != nil {
		return 0, err
	}
	byID := map[int64]*guanjia.Activity{}
	for _, a := range activities {
		byID[a.ID] = a
		for _, t := range activityTimers(a, grace) {
			switch {
			case !t.DueAt.Before(horizon):
			case t.Kind == TimerStart && a.Status != guanjia.ActivityPublished:
			case t.Kind == TimerFinish && a.Status == guanjia.ActivityFinished:
			default:
				timers = append(timers, t)
			}
		}
	}
	for _, su := range reminders {
		a := byID[su.ActivityID]
		if a == nil {
			if a, err = s.Store.FindActivity(ctx, su.ActivityID); err != nil {
				return 0, err
			}
			byID[a.ID] = a
		}
		timers = append(timers, reminderTimer(su.ID, a, *su.RemindAt))
	}
	for i, t := range timers {
		if err := s.Scheduler.ArmVolunteerTimer(ctx, t); err != nil {
			return i, err
		}
	}
	return len(timers), nil
}

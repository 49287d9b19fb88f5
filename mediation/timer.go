package mediation

import (
	"context"
	"fmt"

	"time"

	"guanjia"
)

// TimerKind names a mediation timer.
type TimerKind string

const (
	TimerWarn     TimerKind = "warn"     // a few days before the one-month deadline: the mediators are warned
	TimerEscalate TimerKind = "escalate" // at the deadline: 督办 by the superior committee and the command center
	TimerRemind   TimerKind = "remind"   // before a session: the mediators and parties are reminded
	TimerAccept   TimerKind = "accept"   // a reported dispute not accepted in time: 督办
)

// Timer is one timer. Seq is the Unix time of the instant it derives from
// (the deadline, the session's start): a moved instant is a new timer, and
// a timer whose instant no longer matches the row does nothing.
type Timer struct {
	Kind      TimerKind
	DisputeID int64
	SessionID int64 // remind only
	Seq       int64
	DueAt     time.Time
}

// Scheduler arms timers (worker.Scheduler is one). Arming twice is harmless.
type Scheduler interface {
	ArmDisputeTimer(ctx context.Context, t Timer) error
}

// deadlineTimers are the warning and the escalation of a dispute's deadline.
func (s *Service) deadlineTimers(d *guanjia.Dispute) []Timer {
	if d.DueAt == nil {
		return nil
	}
	seq := d.DueAt.Unix()
	return []Timer{
		{Kind: TimerWarn, DisputeID: d.ID, Seq: seq, DueAt: d.DueAt.Add(-s.WarnBefore)},
		{Kind: TimerEscalate, DisputeID: d.ID, Seq: seq, DueAt: *d.DueAt},
	}
}

// acceptTimer is the escalation of d when its committee has not accepted it
// within AcceptWithin of its report.
func (s *Service) acceptTimer(d *guanjia.Dispute) Timer {
	return Timer{Kind: TimerAccept, DisputeID: d.ID, Seq: d.CreatedAt.Unix(), DueAt: d.CreatedAt.Add(s.AcceptWithin)}
}

func (s *Service) remindTimer(disputeID int64, x guanjia.MediationSession) Timer {
	return Timer{Kind: TimerRemind, DisputeID: disputeID, SessionID: x.ID, Seq: x.At.Unix(), DueAt: x.At.Add(-s.RemindBefore)}
}

// DueSession is a session a reminder is due for.
type DueSession struct {
	DisputeID int64
	Session   guanjia.MediationSession
}

// arm schedules t; a failure is logged, not returned: the change is saved
// and the reconciler re-arms what the queue lost.
func (s *Service) arm(ctx context.Context, t Timer) {
	if s.Timers == nil {
		return
	}
	if err := s.Timers.ArmDisputeTimer(ctx, t); err != nil {
		s.Log.Warn("mediation: arm timer", "kind", t.Kind, "dispute", t.DisputeID, "err", err)
	}
}

// DueTimers lists the timers the database says are due by horizon and have
// not fired: the deadlines' warnings and escalations of running mediations,
// the reminders of their scheduled sessions.
func (s *Service) DueTimers(ctx context.Context, horizon time.Time) ([]Timer, error) {
	var out []Timer
	due, err := s.Store.DueDeadlines(ctx, running, horizon.Add(s.WarnBefore))
	if err != nil {
		return nil, err
	}
	for _, d := range due {
		for _, t := range s.deadlineTimers(d) {
			fired := t.Kind == TimerWarn && d.WarnedAt != nil || t.Kind == TimerEscalate && d.EscalatedAt != nil
			if !fired && !t.DueAt.After(horizon) {
				out = append(out, t)
			}
		}
	}
	awaiting, err := s.Store.AwaitingAcceptance(ctx, horizon.Add(-s.AcceptWithin))
	if err != nil {
		return nil, err
	}
	for _, d := range awaiting {
		out = append(out, s.acceptTimer(d))
	}
	// A session already begun is reminded of no more (HandleTimer skips it).
	sessions, err := s.Store.DueSessions(ctx, guanjia.DisputeMediating, s.Now(), horizon.Add(s.RemindBefore))
	if err != nil {
		return nil, err
	}
	for _, x := range sessions {
		out = append(out, s.remindTimer(x.DisputeID, x.Session))
	}
	return out, nil
}

// ReconcileTimers re-arms every timer due before horizon; it returns how many.
func (s *Service) ReconcileTimers(ctx context.Context, horizon time.Time) (int, error) {
	ts, err := s.DueTimers(ctx, horizon)
	if err != nil {
		return 0, err
	}
	for _, t := range ts {
		s.arm(ctx, t)
	}
	return len(ts), nil
}

// HandleTimer fires t. It re-reads the dispute and does nothing when the
// world moved on: the mediation ended, the deadline or session moved, or the
// timer already fired. It reports whether it changed anything.
func (s *Service) HandleTimer(ctx context.Context, t Timer) (bool, error) {
	d, err := s.Store.FindDispute(ctx, t.DisputeID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	now := s.Now()
	committees, err := s.Store.ListCommittees(ctx)
	if err != nil {
		return false, err
	}
	c := findCommittee(committees, d.CommitteeCode)
	var note string
	var msgs []guanjia.Message
	switch t.Kind {
	case TimerWarn, TimerEscalate:
		if !open(d.Status) || d.DueAt == nil || d.DueAt.Unix() != t.Seq {
			return false, nil
		}
		if t.Kind == TimerWarn {
			if d.WarnedAt != nil {
				return false, nil
			}
			d.WarnedAt = &now
			note = "调解期限将于" + clock(*d.DueAt) + "届满"
			msgs, err = s.toMediators(ctx, d, c, guanjia.TplReminder, note, now)
		} else {
			if d.EscalatedAt != nil {
				return false, nil
			}
			d.EscalatedAt = &now
			up := superior(committees, c)
			note = "已超过一个月调解期限，报请督办"
			if up != nil {
				note += "：" + up.Name
			}
			msgs, err = s.escalation(ctx, d, up, note, now)
		}
	case TimerAccept:
		if d.Status != guanjia.DisputeReported || d.AcceptEscalatedAt != nil || d.CreatedAt.Unix() != t.Seq {
			return false, nil
		}
		d.AcceptEscalatedAt = &now
		up := superior(committees, c)
		note = fmt.Sprintf("超过受理时限（%d日）未受理，报请督办", int(s.AcceptWithin.Hours()/24))
		if up != nil {
			note += "：" + up.Name
		}
		if c != nil { // without a committee it is the command center's, which escalation tells
			msgs, err = s.toCommittee(ctx, c, guanjia.TplEscalation, d, note)
		}
		if err == nil {
			var more []guanjia.Message
			more, err = s.escalation(ctx, d, up, note, now)
			msgs = append(msgs, more...)
		}
	case TimerRemind:
		i := -1
		for j, x := range d.Sessions {
			if x.ID == t.SessionID {
				i = j
			}
		}
		if d.Status != guanjia.DisputeMediating || i < 0 || d.Sessions[i].Status != "scheduled" ||
			d.Sessions[i].At.Unix() != t.Seq || d.Sessions[i].RemindedAt != nil || !now.Before(d.Sessions[i].At) {
			return false, nil // a reminder the queue lost and the reconciler found after the session is not sent late
		}
		x := &d.Sessions[i]
		x.RemindedAt = &now
		note = fmt.Sprintf("调解会提醒：%s %s", clock(x.At), x.Place)
		for _, id := range d.MediatorIDs {
			msgs = append(msgs, staff(id, guanjia.TplReminder, d, note, now)...)
		}
		for _, p := range d.Parties {
			if p.UserID != 0 {
				msgs = append(msgs, message(p.UserID, guanjia.ChannelSubscribe, guanjia.TplDisputeSession, d,
					map[string]string{"activity": "纠纷调解：" + d.Summary, "start": clock(x.At), "place": x.Place}))
			}
		}
	default:
		return false, fmt.Errorf("mediation: unknown timer kind %q", t.Kind)
	}
	if err != nil {
		return false, err
	}
	action := map[TimerKind]guanjia.DisputeAction{TimerWarn: guanjia.DisputeWarn, TimerEscalate: guanjia.DisputeEscalate,
		TimerAccept: guanjia.DisputeEscalate, TimerRemind: guanjia.DisputeRemind}[t.Kind]
	d.UpdatedAt = now
	ev := guanjia.DisputeEvent{At: now, ActorName: "系统", Action: action, From: d.Status, To: d.Status, Note: note}
	if err := s.Store.UpdateDispute(ctx, d, ev, msgs); err != nil {
		return false, err
	}
	s.announce(ctx, d, msgs)
	return true, nil
}

package dispatch

import (
	"context"
	"fmt"
	"slices"
	"time"

	"guanjia"
)

// deadlineSeq identifies an arrive or resolve deadline by its instant, so a
// new deadline (an extension, a rework, a restarted arrival) retires the
// timers of the old one.
func deadlineSeq(due time.Time) int64 { return due.Unix() }

// TimerOutcome says what a fired timer did, for metrics.
type TimerOutcome struct {
	Stage    string // accept, arrive, resolve
	Breached bool   // a deadline was missed (not a warning, not stale)
	Stale    bool   // the complaint had moved on; nothing was done
}

// HandleTimer acts on a due SLA timer: a reminder urges (催办); a missed
// accept redispatches to the next crew member and then escalates to the unit
// leader; a missed arrival or resolution escalates (督办). It re-reads the
// complaint and does nothing if the world moved on, so a timer fired twice
// or late is harmless.
func (s *Service) HandleTimer(ctx context.Context, complaintID int64, kind TimerKind, seq int64) (TimerOutcome, error) {
	// Two timers of one complaint may fire in the same instant (a deadline and
	// its warning): the loser of the race re-reads and tries again.
	return guanjia.UntilSettled(func() (TimerOutcome, error) { return s.handleTimer(ctx, complaintID, kind, seq) })
}

func (s *Service) handleTimer(ctx context.Context, complaintID int64, kind TimerKind, seq int64) (TimerOutcome, error) {
	out := TimerOutcome{Stage: stageOf(kind)}
	t, err := s.Store.FindTimer(ctx, complaintID, kind, seq)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		out.Stale = true
		return out, nil
	} else if err != nil {
		return out, err
	}
	if t.FiredAt != nil || t.CancelledAt != nil {
		out.Stale = true
		return out, nil
	}
	now := s.Now()
	if now.Add(guanjia.TimerEarlyTolerance).Before(t.DueAt) {
		return out, fmt.Errorf("dispatch: timer %s of complaint %d fired %s early", kind, complaintID, t.DueAt.Sub(now))
	}
	c, err := s.Store.FindComplaint(ctx, complaintID)
	if err != nil {
		return out, err
	}
	ch := &Change{Complaint: c, Fire: t}
	if !timerCurrent(c, t) || (isReminder(kind) && !now.Before(deadline(c, kind))) {
		// A reminder that comes at or after its deadline says nothing the deadline will not.
		out.Stale = true
		return out, s.Store.MarkTimerFired(ctx, *t)
	}
	cat, err := s.Store.FindCategory(ctx, c.Category)
	if err != nil {
		return out, err
	}
	c.UpdatedAt = now
	switch kind {
	case TimerAcceptReminder, TimerArriveReminder, TimerResolveReminder:
		ch.Events = []*guanjia.Event{{Action: guanjia.ActionRemind, From: c.Status, To: c.Status, Note: reminderNote[kind], At: now}}
		data := map[string]string{"note": reminderNote[kind], "deadline": s.Calendar.clock(deadline(c, kind))}
		if ch.Messages, err = s.addresses().toResponsible(ctx, c, guanjia.TplReminder, data); err != nil {
			return out, err
		}
	case TimerAccept:
		out.Breached = true
		c.MissedAccepts++
		if err := s.acceptMissed(ctx, ch, cat); err != nil {
			return out, err
		}
	case TimerArrive:
		out.Breached = true
		if err := s.escalate(ctx, ch, "超过到场时限未到达现场"); err != nil {
			return out, err
		}
	case TimerResolve:
		out.Breached = true
		c.Overdue = true
		if err := s.escalate(ctx, ch, "超过处置时限未办结"); err != nil {
			return out, err
		}
	}
	if err := s.save(ctx, ch); err != nil {
		return out, err
	}
	return out, nil
}

var reminderNote = map[TimerKind]string{
	TimerAcceptReminder:  "催办: 即将超过签收时限",
	TimerArriveReminder:  "催办: 即将超过到场时限",
	TimerResolveReminder: "催办: 即将超过处置时限",
}

func stageOf(k TimerKind) string {
	switch k {
	case TimerAccept, TimerAcceptReminder:
		return "accept"
	case TimerArrive, TimerArriveReminder:
		return "arrive"
	}
	return "resolve"
}

func isReminder(k TimerKind) bool {
	return k == TimerAcceptReminder || k == TimerArriveReminder || k == TimerResolveReminder
}

// deadline is the complaint's current deadline for the stage of k (zero if none).
func deadline(c *guanjia.Complaint, k TimerKind) time.Time {
	var t *time.Time
	switch stageOf(k) {
	case "accept":
		t = c.AcceptBy
	case "arrive":
		t = c.ArriveBy
	default:
		t = c.ResolveBy
	}
	if t == nil {
		return time.Time{}
	}
	return *t
}

// timerCurrent reports whether t still belongs to the complaint's present stage.
func timerCurrent(c *guanjia.Complaint, t *Timer) bool {
	switch stageOf(t.Kind) {
	case "accept":
		return c.Status == guanjia.StatusDispatched && int64(c.Attempt) == t.Seq
	case "arrive": // whether or not anyone signed for the task
		return c.Status.Open() && c.ResolvedAt == nil && c.ArrivedAt == nil && c.ArriveBy != nil && deadlineSeq(*c.ArriveBy) == t.Seq
	}
	return c.Status.Open() && c.ResolvedAt == nil && c.ResolveBy != nil && deadlineSeq(*c.ResolveBy) == t.Seq
}

// acceptMissed redispatches to the next crew member while attempts remain,
// then leaves the task in the unit's queue and escalates to its leader.
func (s *Service) acceptMissed(ctx context.Context, ch *Change, cat *guanjia.Category) error {
	c := ch.Complaint
	if cat.PointToPoint && c.AssigneeID != nil {
		tried, err := s.triedCrews(ctx, c.ID)
		if err != nil {
			return err
		}
		if len(tried) < s.MaxCrewAttempts {
			if route := s.Router.Route(ctx, cat, c.Lat, c.Lng, tried); route.CrewID != nil && route.UnitCode == c.UnitCode {
				c.MissedDeadlines++
				return s.dispatchTo(ctx, ch, cat, route, nil, "", "超时未签收, 改派: "+route.Reason, false)
			}
		}
	}
	ch.Messages = append(ch.Messages, s.addresses().withdrawn(c, nil, cat.Name, "超时未签收，已转单位负责人")...)
	c.AssigneeID = nil
	return s.escalate(ctx, ch, "超过签收时限未签收, 转单位负责人")
}

// triedCrews lists the crew members the complaint was dispatched to so far,
// each once: a rework (返工) goes back to the member who did the work, who
// is not a second member tried.
func (s *Service) triedCrews(ctx context.Context, id int64) ([]int64, error) {
	events, err := s.Store.ListEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, e := range events {
		if e.Action == guanjia.ActionDispatch && e.AssigneeID != nil && !slices.Contains(out, *e.AssigneeID) {
			out = append(out, *e.AssigneeID)
		}
	}
	return out, nil
}

// escalate (超时督办) records a missed deadline and tells the unit's leaders
// and the command center.
func (s *Service) escalate(ctx context.Context, ch *Change, note string) error {
	c := ch.Complaint
	c.MissedDeadlines++
	ch.Events = append(ch.Events, &guanjia.Event{Action: guanjia.ActionEscalate, From: c.Status, To: c.Status, Note: note, At: s.Now()})
	msgs, err := s.addresses().toSupervisors(ctx, c, guanjia.TplEscalation, map[string]string{"note": note})
	ch.Messages = append(ch.Messages, msgs...)
	return err
}

// ReconcileTimers re-arms every pending timer due before horizon. Arming is
// idempotent, so this repairs whatever the queue lost (a Redis restart or
// flush) and costs little for timers it still holds. Timers due later are
// re-armed by a later run, before they are due. It returns how many it armed.
func (s *Service) ReconcileTimers(ctx context.Context, horizon time.Time) (int, error) {
	timers, err := s.Store.PendingTimers(ctx, horizon)
	if err != nil {
		return 0, err
	}
	for i, t := range timers {
		if err := s.Scheduler.ArmTimer(ctx, t); err != nil {
			return i, err
		}
	}
	return len(timers), nil
}

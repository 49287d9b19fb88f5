package dispatch

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"guanjia"
)

// The command center's steps: 派遣, 结案, 不予立案, merging, 返工, 回访, 延期,
// 催办, 督办 and follow-up calls. See transitions.

// dispatch (派遣) sends the complaint to the unit or crew member the dispatcher chose.
func (a *act) dispatch(ctx context.Context) error {
	route, err := a.chosenRoute(ctx)
	if err != nil {
		return err
	}
	note := firstNonEmpty(a.in.Note, "人工派遣")
	if a.in.RestartArrival {
		// The clock is the citizen's: only the command center restarts it, not
		// the unit whose crew missed it and whose 按时到场率 it would mend.
		if !slices.Contains(staffDesk, a.who.Role) {
			return guanjia.FieldError(guanjia.EFORBIDDEN, "restart_arrival", "only the command center restarts the on-site deadline")
		}
		if err := requireReason(a.in.Reason); err != nil {
			return err
		}
		note += "; 重新计算到场时限: " + a.in.Reason
		if a.c.ArrivedAt == nil { // the citizen's clock restarts: a miss of the old one stays counted
			if _, err := a.countMiss(ctx, TimerArrive, a.c.ArriveBy); err != nil {
				return err
			}
		}
	}
	if err := a.countAcceptMiss(ctx); err != nil {
		return err
	}
	return a.s.dispatchTo(ctx, a.ch, a.cat, route, &a.actor, a.who.Role, note, a.in.RestartArrival)
}

// chosenRoute turns a dispatcher's choice of unit or crew member into a route.
func (a *act) chosenRoute(ctx context.Context) (Route, error) {
	c, in := a.c, a.in
	switch {
	case in.CrewID != nil:
		u, err := a.s.Store.FindUserByID(ctx, *in.CrewID)
		if lookupFailed(err) {
			return Route{}, err
		}
		if err != nil || u.Role != guanjia.RoleCrew {
			return Route{}, guanjia.FieldError(guanjia.EINVALID, "crew", "crew member %d not found", *in.CrewID)
		}
		if u.Disabled() { // the console's list may predate it; they cannot sign in to take the task
			return Route{}, guanjia.FieldError(guanjia.EINVALID, "crew", "crew member %d's account is disabled", u.ID)
		}
		if a.who.Role == guanjia.RoleUnitAdmin && u.UnitCode != a.who.UnitCode {
			return Route{}, guanjia.FieldError(guanjia.EFORBIDDEN, "crew", "crew member %d is not in your unit", u.ID)
		}
		return Route{GridID: c.GridID, District: c.District, UnitCode: u.UnitCode, CrewID: &u.ID}, nil
	case in.UnitCode != "":
		if a.who.Role == guanjia.RoleUnitAdmin {
			return Route{}, guanjia.FieldError(guanjia.EFORBIDDEN, "unit", "a unit admin dispatches to crew members of the unit")
		}
		if _, err := a.s.Store.FindUnit(ctx, in.UnitCode); lookupFailed(err) {
			return Route{}, err
		} else if err != nil {
			return Route{}, guanjia.FieldError(guanjia.EINVALID, "unit", "unit %q not found", in.UnitCode)
		}
		return a.s.Router.RouteToUnit(ctx, a.cat, in.UnitCode, c.Lat, c.Lng), nil
	}
	return Route{}, guanjia.FieldError(guanjia.EINVALID, "unit", "name a unit or a crew member")
}

// close (结案): the command center has checked the work and closes the
// order; a 12345 caller gets the SMS with the link to rate, and so do the
// callers whose calls were linked to it as duplicates (callerClosed).
func (a *act) close(ctx context.Context) error {
	msgs, err := a.s.addresses().callerClosed(ctx, a.c)
	if err != nil {
		return err
	}
	a.ch.Messages = msgs
	a.c.ClosedAt = &a.now
	a.record(a.in.Note)
	// To the citizen the matter is 办结 once it is closed: their words, not the code's.
	a.tell(news{status: "已办结", note: "核查通过, 已结案"})
	return nil
}

// reject (不予立案): the report is not a case; the reporter hears why.
func (a *act) reject(context.Context) error {
	if err := requireReason(a.in.Reason); err != nil {
		return err
	}
	a.c.ClosedAt = &a.now
	a.ch.Cancel = allTimers
	a.record(a.in.Reason)
	// The staff's reason is for the reporter, not for those who follow (ViewFollower).
	a.tell(news{status: "不予立案", note: a.in.Reason, othersNote: "经核实不予立案"})
	return nil
}

// merge links the complaint to an open one about the same problem; its
// followers follow that one from now on.
func (a *act) merge(ctx context.Context) error {
	c := a.c
	orig, err := a.s.Store.FindComplaint(ctx, a.in.DuplicateOf)
	if lookupFailed(err) {
		return err
	}
	if err != nil || orig.ID == c.ID || !orig.Status.Open() {
		return guanjia.FieldError(guanjia.EINVALID, "duplicate_of", "merge into an open complaint other than this one")
	}
	a.ch.Messages = a.s.addresses().withdrawn(c, nil, a.cat.Name, fmt.Sprintf("已并入 #%d 办理，无需前往", orig.ID))
	c.DuplicateOf = &orig.ID
	a.ch.Cancel = allTimers
	followers, err := a.s.Store.ListFollowers(ctx, c.ID)
	if err != nil {
		return err
	}
	a.ch.Annotate = &Annotation{ComplaintID: orig.ID, Follow: followers, Events: []*guanjia.Event{{Action: guanjia.ActionMeToo,
		From: orig.Status, To: orig.Status, ActorID: &a.actor, ActorRole: a.who.Role, Note: fmt.Sprintf("#%d", c.ID), At: a.now}}}
	a.record(fmt.Sprintf("合并至 #%d", orig.ID))
	// Its reporter hears where the work goes on, as after a me-too at intake.
	a.tell(news{status: "合并办理", note: fmt.Sprintf("同一问题已并入 #%d 办理", orig.ID)}) // a subscribe message's note: 20 characters
	return nil
}

// reopen (返工) sends resolved or closed work back.
func (a *act) reopen(ctx context.Context) error {
	if err := requireReason(a.in.Reason); err != nil {
		return err
	}
	return a.s.reopen(ctx, a.ch, a.cat, &a.actor, a.who.Role, a.in.Reason)
}

// rate (回访) records the reporter's answer: in the mini-program, or by an
// agent who called them.
func (a *act) rate(ctx context.Context) error {
	channel := guanjia.RatedInMiniProgram
	if a.who.Role != guanjia.RoleCitizen {
		channel = guanjia.RatedByPhone
	}
	return a.s.rate(ctx, a.ch, a.cat, a.who, channel, a.in)
}

// extend (延期) moves the resolve deadline later, with a reason. The
// extension is counted as the category counts its resolve deadline (工作时
// for a working-time category: resolveAfter). A deadline already missed
// stays missed: the order stays overdue, and the miss is counted once, here
// when its timer, which the extension retires, has not counted it yet.
func (a *act) extend(ctx context.Context) error {
	c := a.c
	if err := requireReason(a.in.Reason); err != nil {
		return err
	}
	if a.in.ExtendBy <= 0 || a.in.ExtendBy > 90*24*time.Hour {
		return guanjia.FieldError(guanjia.EINVALID, "extend_by_s", "extend by a positive time of at most 90 days")
	}
	base, note := a.now, ""
	if c.ResolveBy != nil && c.ResolveBy.After(a.now) {
		base = *c.ResolveBy
	} else if c.ResolveBy != nil && a.now.After(*c.ResolveBy) { // missed, as resolve and the KPIs count it
		if _, err := a.countMiss(ctx, TimerResolve, c.ResolveBy); err != nil {
			return err
		}
		c.Overdue = true
		note = fmt.Sprintf(" (原时限 %s 已超过)", a.s.Calendar.clock(*c.ResolveBy))
	}
	resolveBy := a.s.resolveAfter(a.cat, base, a.in.ExtendBy)
	c.ResolveBy = &resolveBy
	a.ch.Cancel = []TimerKind{TimerResolve, TimerResolveReminder}
	a.ch.Arm = a.s.resolveTimers(c.ID, a.cat, a.now, resolveBy)
	a.record(fmt.Sprintf("延期至 %s%s: %s", a.s.Calendar.clock(resolveBy), note, a.in.Reason))
	return nil
}

// countMiss counts (超时督办) the deadline due of the complaint's timer of
// kind when this step comes after it and the timer is not settled:
// HandleTimer counts a miss in the change that escalates it, and a step that
// cancels the timer counts it here, but the worker may have been down or
// Redis may have lost the timer, which then finds the step done and does
// nothing. It says whether it counted.
func (a *act) countMiss(ctx context.Context, kind TimerKind, due *time.Time) (bool, error) {
	if due == nil || !a.now.After(*due) {
		return false, nil
	}
	seq := deadlineSeq(*due)
	if kind == TimerAccept {
		seq = int64(a.c.Attempt) // a sign-for timer belongs to its dispatch
	}
	t, err := a.s.Store.FindTimer(ctx, a.c.ID, kind, seq)
	switch {
	case guanjia.ErrorCode(err) == guanjia.ENOTFOUND:
	case err != nil:
		return false, err
	case t.FiredAt != nil || t.CancelledAt != nil:
		return false, nil
	}
	a.c.MissedDeadlines++
	return true, nil
}

// countAcceptMiss counts the sign-for deadline of the current dispatch when
// a step takes the task away unsigned (改派, 退单) after it passed unnoticed:
// not 按时签收, as when the timer redispatches.
func (a *act) countAcceptMiss(ctx context.Context) error {
	if a.c.AcceptedAt != nil {
		return nil
	}
	counted, err := a.countMiss(ctx, TimerAccept, a.c.AcceptBy)
	if counted {
		a.c.MissedAccepts++
	}
	return err
}

// remind (催办) urges whoever is responsible now.
func (a *act) remind(ctx context.Context) error {
	msgs, err := a.s.addresses().toResponsible(ctx, a.c, guanjia.TplReminder, map[string]string{"note": a.in.Note})
	if err != nil {
		return err
	}
	a.ch.Messages = msgs
	a.record(a.in.Note)
	return nil
}

// escalate (督办) by hand: the unit's leaders and the command center hear
// of it as well as the assignee.
func (a *act) escalate(ctx context.Context) error {
	a.c.ManualEscalations++
	msgs, err := a.s.addresses().toSupervisors(ctx, a.c, guanjia.TplEscalation, map[string]string{"note": a.in.Note})
	if err != nil {
		return err
	}
	a.ch.Messages = msgs
	a.record(a.in.Note)
	return nil
}

// followUp records what the reporter said on a follow-up call.
func (a *act) followUp(context.Context) error {
	if strings.TrimSpace(a.in.Note) == "" {
		return guanjia.FieldError(guanjia.EINVALID, "note", "record what the reporter said")
	}
	a.record(a.in.Note)
	return nil
}

// reopen sends resolved or closed work back (返工) to whoever did it, with
// fresh deadlines; to the unit's routing when they can no longer take it
// (disabled, or moved to another unit). A 回访 answer of "not solved"
// reopens too.
func (s *Service) reopen(ctx context.Context, ch *Change, cat *guanjia.Category, actor *int64, role guanjia.Role, reason string) error {
	c := ch.Complaint
	now := s.Now()
	ch.Events = append(ch.Events, &guanjia.Event{Action: guanjia.ActionReopen, From: c.Status, To: guanjia.StatusDispatched,
		ActorID: actor, ActorRole: role, Note: reason, At: now})
	c.ReopenCount++
	// The reworked result is rated afresh (a new round); earlier ratings stay
	// in the ratings table and keep counting. Overdue stays: an order once
	// resolved late is not 按时办结 however fast its rework.
	c.ResolvedAt, c.ClosedAt, c.Rating, c.RatingComment = nil, nil, 0, ""
	resolveBy := s.resolveDeadline(cat, now)
	c.ResolveBy = &resolveBy
	ch.Cancel = allTimers
	ch.Arm = s.resolveTimers(c.ID, cat, now, resolveBy)
	route, err := s.reworkRoute(ctx, c, cat)
	if err != nil {
		return err
	}
	c.Status = guanjia.StatusDispatched
	if err := s.dispatchTo(ctx, ch, cat, route, actor, role, "返工: "+reason, true); err != nil {
		return err
	}
	ch.Events[len(ch.Events)-1].From = guanjia.StatusDispatched
	return nil
}

// reworkRoute is where 返工 goes: back to whoever did the work while they
// still work for the unit.
func (s *Service) reworkRoute(ctx context.Context, c *guanjia.Complaint, cat *guanjia.Category) (Route, error) {
	if c.AssigneeID != nil {
		u, err := s.Store.FindUserByID(ctx, *c.AssigneeID)
		if lookupFailed(err) {
			return Route{}, err
		}
		if err == nil && canHold(u, c) {
			return Route{GridID: c.GridID, District: c.District, UnitCode: c.UnitCode, CrewID: c.AssigneeID}, nil
		}
	}
	return s.Router.RouteToUnit(ctx, cat, c.UnitCode, c.Lat, c.Lng), nil
}

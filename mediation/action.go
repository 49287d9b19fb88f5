package mediation

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"guanjia"
)

// ActionInput carries what the actions take; each reads its own fields.
type ActionInput struct {
	Note        string
	Committee   string    // route
	Mediators   []int64   // assign
	At          time.Time // schedule
	Place       string    // schedule
	Session     int64     // record
	Record      string    // record
	Attended    string    // record
	Terms       string    // succeed
	Performance string    // succeed: 履行方式
	Advice      string    // fail
	Court       string    // request_confirmation
	Result      string    // confirm: confirmed | rejected
	Kept        *bool     // follow_up
}

// step is one action's change: it fills in d (already moved to its new
// status) and says the event's note and the messages to send.
type step struct {
	s     *Service
	who   guanjia.Claims
	in    ActionInput
	d     *guanjia.Dispute
	from  guanjia.DisputeStatus
	now   time.Time
	note  string
	msgs  []guanjia.Message
	arm   []Timer
	comms []*guanjia.Committee
}

var steps = map[guanjia.DisputeAction]func(*step, context.Context) error{
	guanjia.DisputeAccept:              (*step).accept,
	guanjia.DisputeRoute:               (*step).route,
	guanjia.DisputeAssign:              (*step).assign,
	guanjia.DisputeSchedule:            (*step).schedule,
	guanjia.DisputeRecord:              (*step).record,
	guanjia.DisputeSucceed:             (*step).succeed,
	guanjia.DisputeFail:                (*step).fail,
	guanjia.DisputeWithdraw:            (*step).withdraw,
	guanjia.DisputeRequestConfirmation: (*step).requestConfirmation,
	guanjia.DisputeConfirm:             (*step).confirm,
	guanjia.DisputeFollowUp:            (*step).followUp,
	guanjia.DisputeClose:               (*step).close,
}

// Act takes one workflow action on dispute id: the table decides whether it
// may be taken now and by whom; the step fills in the change, which is saved
// with its event and messages in one transaction, then timers are armed.
//
// The caller names no version: the dispute is read here, so a save that
// loses to a change made meanwhile (a session reminder the worker sent, a
// colleague's step) is tried again on a fresh read, where the table
// decides anew (guanjia.UntilSettled).
func (s *Service) Act(ctx context.Context, who guanjia.Claims, id int64, action guanjia.DisputeAction, in ActionInput) (*View, error) {
	return guanjia.UntilSettled(func() (*View, error) { return s.act(ctx, who, id, action, in) })
}

func (s *Service) act(ctx context.Context, who guanjia.Claims, id int64, action guanjia.DisputeAction, in ActionInput) (*View, error) {
	d, err := s.Store.FindDispute(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.scope(ctx, who, d); err != nil {
		return nil, err
	}
	to, err := next(d.Status, action, who.Role)
	if err != nil {
		return nil, err
	}
	if err := again(d, action); err != nil {
		return nil, err
	}
	if err := guanjia.CheckText("note", in.Note, guanjia.MaxNote, true); err != nil {
		return nil, err
	}
	committees, err := s.Store.ListCommittees(ctx)
	if err != nil {
		return nil, err
	}
	actor, err := s.Store.FindUserByID(ctx, who.UserID)
	if err != nil {
		return nil, err
	}
	st := &step{s: s, who: who, in: in, d: d, from: d.Status, now: s.Now(), note: strings.TrimSpace(in.Note), comms: committees}
	d.Status = to
	if err := steps[action](st, ctx); err != nil {
		return nil, err
	}
	d.UpdatedAt = st.now
	ev := guanjia.DisputeEvent{At: st.now, ActorID: who.UserID, ActorName: actor.DisplayName(), Action: action, From: st.from, To: to, Note: st.note}
	if err := s.Store.UpdateDispute(ctx, d, ev, st.msgs); err != nil {
		return nil, err
	}
	s.announce(ctx, d, st.msgs)
	if action == guanjia.DisputeSchedule {
		st.arm = append(st.arm, s.remindTimer(d.ID, d.Sessions[len(d.Sessions)-1]))
	}
	for _, t := range st.arm {
		s.arm(ctx, t)
	}
	v := s.view(d, committees, who.Role)
	if v.Events, err = s.timeline(ctx, who, id); err != nil {
		return nil, err
	}
	return v, nil
}

// tellApplicant tells the parties who have an account (the citizen who
// filed) what happened, by subscribe message.
func (st *step) tellApplicant(status, note string) {
	for _, p := range st.d.Parties {
		if p.UserID != 0 {
			st.msgs = append(st.msgs, message(p.UserID, guanjia.ChannelSubscribe, guanjia.TplDisputeUpdate, st.d,
				map[string]string{"status": status, "time": clock(st.now), "note": note}))
		}
	}
}

func (st *step) accept(context.Context) error {
	d := st.d
	d.AcceptedAt = &st.now
	due := TimeLimit(st.now)
	d.DueAt = &due
	st.arm = append(st.arm, st.s.deadlineTimers(d)...)
	st.tellApplicant("已受理", "调解期限至"+clock(due))
	return nil
}

func (st *step) route(ctx context.Context) error {
	d := st.d
	code := strings.TrimSpace(st.in.Committee)
	var c *guanjia.Committee
	if code == "" {
		c = Route(st.comms, d.Type, d.GridID, d.District)
		if c == nil {
			return guanjia.FieldError(guanjia.EINVALID, "committee", "no committee serves this dispute: name one")
		}
	} else if c = findCommittee(st.comms, code); c == nil {
		return guanjia.FieldError(guanjia.EINVALID, "committee", "unknown committee %q", code)
	}
	if c.Code != d.CommitteeCode {
		d.MediatorIDs, d.MediatorNames = nil, nil // the new committee assigns its own
	}
	d.CommitteeCode, d.Level = c.Code, c.Level
	if st.note == "" {
		st.note = "分流至" + c.Name
	}
	msgs, err := st.s.toCommittee(ctx, c, guanjia.TplTaskAssigned, d, "纠纷已分流至本委员会，请指派调解员")
	st.msgs = append(st.msgs, msgs...)
	return err
}

func (st *step) assign(ctx context.Context) error {
	d, ids := st.d, slices.Compact(slices.Sorted(slices.Values(st.in.Mediators)))
	if len(ids) == 0 || len(ids) > maxMediator {
		return guanjia.FieldError(guanjia.EINVALID, "mediators", "assign 1 to %d mediators", maxMediator)
	}
	var names []string
	for _, id := range ids {
		u, err := st.s.Store.FindUserByID(ctx, id)
		if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
			return guanjia.FieldError(guanjia.EINVALID, "mediators", "user %d is not a mediator of the committee", id)
		} else if err != nil {
			return err
		}
		if (u.Role != guanjia.RoleMediator && u.Role != guanjia.RoleDepartment) || u.UnitCode != d.CommitteeCode || u.Disabled() {
			return guanjia.FieldError(guanjia.EINVALID, "mediators", "user %d is not a mediator of the committee", id)
		}
		names = append(names, u.DisplayName())
		st.msgs = append(st.msgs, staff(u.ID, guanjia.TplTaskAssigned, d, "您被指派调解此纠纷", st.now)...)
	}
	d.MediatorIDs, d.MediatorNames = ids, names
	if st.note == "" {
		st.note = "调解员：" + strings.Join(names, "、")
	}
	return nil
}

func (st *step) schedule(context.Context) error {
	d, place := st.d, strings.TrimSpace(st.in.Place)
	if st.in.At.IsZero() || !st.in.At.After(st.now) {
		return guanjia.FieldError(guanjia.EINVALID, "at", "a session is scheduled in the future")
	}
	if st.in.At.After(st.now.AddDate(1, 0, 0)) { // a mistyped year, not a plan
		return guanjia.FieldError(guanjia.EINVALID, "at", "a session is scheduled within a year")
	}
	if place == "" {
		return guanjia.FieldError(guanjia.EINVALID, "place", "place is required")
	}
	if err := guanjia.CheckText("place", place, maxAddress, false); err != nil {
		return err
	}
	at := st.in.At.UTC()
	d.Sessions = append(d.Sessions, guanjia.MediationSession{At: at, Place: place, Status: "scheduled"})
	if st.note == "" {
		st.note = fmt.Sprintf("%s 在%s调解", clock(at), place)
	}
	for _, id := range d.MediatorIDs {
		st.msgs = append(st.msgs, staff(id, guanjia.TplReminder, d, "调解会："+clock(at)+" "+place, st.now)...)
	}
	st.tellApplicant("已安排调解", clock(at)+" "+place)
	// The parties without an account are told by SMS, once: the sender reads
	// the party's phone from the dispute when it sends.
	for _, p := range d.Parties {
		if p.UserID == 0 && p.Phone != "" {
			st.msgs = append(st.msgs, message(0, guanjia.ChannelSMS, guanjia.TplPartySession, d,
				map[string]string{"party": strconv.FormatInt(p.ID, 10), "start": clock(at), "place": place}))
		}
	}
	return nil // its reminder is armed once the session has its id (Act)
}

func (st *step) record(context.Context) error {
	d := st.d
	i := slices.IndexFunc(d.Sessions, func(x guanjia.MediationSession) bool { return x.ID == st.in.Session })
	if i < 0 {
		return guanjia.FieldError(guanjia.EINVALID, "session", "session %d is not a session of this dispute", st.in.Session)
	}
	if d.Sessions[i].Status != "scheduled" {
		return guanjia.Errorf(guanjia.ECONFLICT, "session %d is already recorded", st.in.Session)
	}
	record := strings.TrimSpace(st.in.Record)
	if record == "" {
		return guanjia.FieldError(guanjia.EINVALID, "record", "record is required")
	}
	if err := guanjia.CheckTexts(guanjia.TextField{Name: "record", Value: record, Max: guanjia.MaxText, Multiline: true},
		guanjia.TextField{Name: "attended", Value: st.in.Attended, Max: maxAddress}); err != nil {
		return err
	}
	d.Sessions[i].Status, d.Sessions[i].Record, d.Sessions[i].Attended = "held", record, strings.TrimSpace(st.in.Attended)
	if st.note == "" {
		st.note = fmt.Sprintf("第%d次调解已记录", i+1)
	}
	return nil
}

func (st *step) succeed(context.Context) error {
	d := st.d
	if !slices.ContainsFunc(d.Sessions, func(x guanjia.MediationSession) bool { return x.Status == "held" }) {
		return guanjia.Errorf(guanjia.ECONFLICT, "record a mediation session before the outcome")
	}
	terms := strings.TrimSpace(st.in.Terms)
	if terms == "" {
		return guanjia.FieldError(guanjia.EINVALID, "terms", "the agreement's terms are required")
	}
	if err := guanjia.CheckTexts(guanjia.TextField{Name: "terms", Value: terms, Max: guanjia.MaxText, Multiline: true},
		guanjia.TextField{Name: "performance", Value: st.in.Performance, Max: guanjia.MaxNote, Multiline: true}); err != nil {
		return err
	}
	d.Result, d.Terms, d.Performance, d.OutcomeAt = "success", terms, strings.TrimSpace(st.in.Performance), &st.now
	st.callOffSessions("调解成功")
	d.AgreementNumber = AgreementNumber(d, st.now)
	if st.note == "" {
		st.note = "达成调解协议 " + d.AgreementNumber
	}
	st.tellApplicant("调解成功", "协议书 "+d.AgreementNumber)
	return nil
}

// DisputeNumber numbers a dispute after its id and the year it came in:
// HK-TJ-<year>-<id>, unique without a counter. The store sets it once the
// id is known, in the transaction that creates the dispute.
func DisputeNumber(createdAt time.Time, id int64) string {
	return fmt.Sprintf("HK-TJ-%d-%06d", createdAt.In(guanjia.ChinaTime).Year(), id)
}

// AgreementNumber numbers a 人民调解协议书 after its dispute: the year it
// was signed and the dispute's id, so it is unique without a counter.
func AgreementNumber(d *guanjia.Dispute, at time.Time) string {
	return fmt.Sprintf("HK-XY-%d-%06d", at.In(guanjia.ChinaTime).Year(), d.ID)
}

func (st *step) fail(context.Context) error {
	d := st.d
	if !slices.Contains(advices, st.in.Advice) {
		return guanjia.FieldError(guanjia.EINVALID, "advice", "advice must be litigation, arbitration or administrative")
	}
	d.Result, d.Advice, d.OutcomeNote, d.OutcomeAt = "failure", st.in.Advice, st.note, &st.now
	st.callOffSessions("调解终止")
	st.note = strings.TrimSpace("建议" + AdviceName(st.in.Advice) + " " + st.note)
	st.tellApplicant("调解不成", "建议"+AdviceName(st.in.Advice))
	return nil
}

// AdviceName is the Chinese name of the advice given when mediation fails.
func AdviceName(a string) string {
	return map[string]string{"litigation": "诉讼", "arbitration": "仲裁", "administrative": "行政处理"}[a]
}

// withdraw needs nothing more: scope lets a citizen reach only their own.
func (st *step) withdraw(context.Context) error {
	st.callOffSessions("申请已撤回")
	return nil
}

// callOffSessions cancels the sessions still to come when the mediation
// ends before them, and texts the parties without an account, who were
// told of each by SMS (schedule) and would come for nothing. A session
// already past and not recorded stays as it is: it may have been held.
func (st *step) callOffSessions(why string) {
	for i := range st.d.Sessions {
		x := &st.d.Sessions[i]
		if x.Status != "scheduled" || !x.At.After(st.now) {
			continue
		}
		x.Status = "cancelled"
		for _, p := range st.d.Parties {
			if p.UserID == 0 && p.Phone != "" {
				st.msgs = append(st.msgs, message(0, guanjia.ChannelSMS, guanjia.TplPartySessionOff, st.d,
					map[string]string{"party": strconv.FormatInt(p.ID, 10), "start": clock(x.At), "place": x.Place, "why": why}))
			}
		}
	}
}

func (st *step) requestConfirmation(context.Context) error {
	d, court := st.d, strings.TrimSpace(st.in.Court)
	if court == "" {
		return guanjia.FieldError(guanjia.EINVALID, "court", "court is required")
	}
	if err := guanjia.CheckText("court", court, maxSummary, false); err != nil {
		return err
	}
	d.Court, d.ConfirmationStatus = court, "requested"
	if st.note == "" {
		st.note = "向" + court + "申请司法确认"
	}
	return nil
}

func (st *step) confirm(context.Context) error {
	if st.in.Result != "confirmed" && st.in.Result != "rejected" {
		return guanjia.FieldError(guanjia.EINVALID, "result", "result must be confirmed or rejected")
	}
	st.d.ConfirmationStatus, st.d.ConfirmationNote = st.in.Result, st.note
	st.note = strings.TrimSpace(map[string]string{"confirmed": "司法确认有效", "rejected": "司法确认驳回"}[st.in.Result] + " " + st.note)
	return nil
}

func (st *step) followUp(context.Context) error {
	if st.in.Kept == nil {
		return guanjia.FieldError(guanjia.EINVALID, "kept", "kept is required: is the agreement being kept?")
	}
	st.d.FollowUpKept, st.d.FollowUpNote, st.d.FollowUpAt = st.in.Kept, st.note, &st.now
	st.note = strings.TrimSpace(map[bool]string{true: "回访：协议正在履行", false: "回访：协议未履行"}[*st.in.Kept] + " " + st.note)
	return nil
}

func (st *step) close(context.Context) error {
	if st.d.Result == "success" && st.d.FollowUpAt == nil {
		return guanjia.Errorf(guanjia.ECONFLICT, "follow up the agreement (回访) before closing the case")
	}
	st.d.ClosedAt = &st.now
	st.tellApplicant("已结案", "")
	return nil
}

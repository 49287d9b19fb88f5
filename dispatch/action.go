package dispatch

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"guanjia"
)

// ActionInput carries what an action needs; each action reads its own fields.
type ActionInput struct {
	Note        string   // resolve, close, remind, escalate, followup
	Reason      string   // return, reject, reopen, extend (required)
	Lat, Lng    *float64 // arrive
	CoordSystem string
	UnitCode    string   // dispatch to a unit
	CrewID      *int64   // dispatch to a crew member
	Photos      []string // resolve: ids of uploaded before/after photos
	Score       int      // rate: 3 满意, 2 基本满意, 1 不满意
	Solved      *bool    // rate: 问题是否解决
	Comment     string
	// RestartArrival (dispatch) gives the new crew a fresh on-site window;
	// it takes the citizen's clock back, so it needs a Reason.
	RestartArrival bool
	DuplicateOf    int64         // merge
	ExtendBy       time.Duration // extend
}

// Act takes action on complaint id as who. It checks the state table, the
// caller's role and ownership, lets the action's step (transitions[action].do)
// fill in the change, and saves it: the complaint, its events, timers and
// messages. An illegal transition is ECONFLICT.
func (s *Service) Act(ctx context.Context, who guanjia.Claims, id int64, action guanjia.Action, in ActionInput) (*guanjia.Complaint, error) {
	if !transitions[action].again {
		return s.act(ctx, who, id, action, in)
	}
	// Only for steps the state table decides (transition.again) and the timers'.
	return guanjia.UntilSettled(func() (*guanjia.Complaint, error) { return s.act(ctx, who, id, action, in) })
}

func (s *Service) act(ctx context.Context, who guanjia.Claims, id int64, action guanjia.Action, in ActionInput) (*guanjia.Complaint, error) {
	c, err := s.Store.FindComplaint(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.authorize(ctx, who, c); err != nil {
		return nil, err
	}
	if err := guanjia.CheckText("note", in.Note, guanjia.MaxNote, true); err != nil {
		return nil, err
	}
	to, err := s.decide(ctx, c, action, who.Role)
	if err != nil {
		return nil, err
	}
	if err := checkOwner(who, c, action); err != nil {
		return nil, err
	}
	cat, err := s.Store.FindCategory(ctx, c.Category)
	if err != nil {
		return nil, err
	}
	a := &act{s: s, who: who, action: action, in: in, c: c, cat: cat, to: to, now: s.Now(), actor: who.UserID,
		ch: &Change{Complaint: c}}
	if err := transitions[action].do(a, ctx); err != nil {
		return nil, err
	}
	if err := a.finish(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// act is one action under way: what Act loaded and checked, and the change
// the action's step fills in. A step that takes the table's transition ends
// with record; one that dispatches (dispatch, reopen) or rates writes its
// own events. A step whose news the reporters should hear calls tell.
type act struct {
	s      *Service
	who    guanjia.Claims
	action guanjia.Action
	in     ActionInput
	c      *guanjia.Complaint
	cat    *guanjia.Category
	to     guanjia.Status // where the state table leads
	now    time.Time
	actor  int64
	ch     *Change
	news   *news
}

// news is what a complaint's followers are told of a step (a subscribe
// message): a status word and a note. othersNote, when set, replaces the
// note for followers other than the reporter. rate: they are asked to rate,
// so each is addressed through their own report (a me-too, a merged one),
// whose page has the form; the joined order's shows a follower progress only.
type news struct {
	status, note, othersNote string
	rate                     bool
}

// record writes the action's event, from the complaint's status to the one
// the table leads to, and moves the complaint there.
func (a *act) record(note string) *guanjia.Event {
	ev := &guanjia.Event{Action: a.action, From: a.c.Status, To: a.to, ActorID: &a.actor, ActorRole: a.who.Role, Note: note, At: a.now}
	a.c.Status = a.to
	a.ch.Events = append(a.ch.Events, ev)
	return ev
}

// tell has the complaint's followers hear of this step.
func (a *act) tell(n news) { a.news = &n }

// finish addresses the news to the followers and saves the change.
func (a *act) finish(ctx context.Context) error {
	a.c.UpdatedAt = a.now
	if a.news != nil {
		followers, err := a.s.Store.ListFollowers(ctx, a.c.ID)
		if err != nil {
			return err
		}
		own := map[int64]*guanjia.Complaint{}
		if a.news.rate && slices.ContainsFunc(followers, func(f int64) bool { return f != a.c.ReporterID }) {
			reports, err := a.s.addresses().linkedReports(ctx, a.c)
			if err != nil {
				return err
			}
			for _, r := range slices.Backward(reports) { // the first report of each reporter wins
				own[r.ReporterID] = r
			}
		}
		for _, f := range followers {
			note := a.news.note
			if f != a.c.ReporterID && a.news.othersNote != "" {
				note = a.news.othersNote
			}
			about := a.c
			if r, ok := own[f]; ok {
				about = r
			}
			a.ch.Messages = append(a.ch.Messages, a.s.addresses().message(f, guanjia.ChannelSubscribe, guanjia.TplComplaintUpdate, about,
				map[string]string{"status": a.news.status, "note": note}))
		}
	}
	return a.s.save(ctx, a.ch)
}

// allTimers are every SLA timer of a complaint: cancelled when it leaves the work.
var allTimers = []TimerKind{TimerAccept, TimerAcceptReminder, TimerArrive, TimerArriveReminder, TimerResolve, TimerResolveReminder}

// checkOwner enforces who may act on this particular complaint beyond their role.
func checkOwner(who guanjia.Claims, c *guanjia.Complaint, action guanjia.Action) error {
	switch who.Role {
	case guanjia.RoleCrew:
		mine := c.AssigneeID != nil && *c.AssigneeID == who.UserID
		unitTask := c.AssigneeID == nil && who.InUnit(c.UnitCode) && slices.Contains([]guanjia.Action{guanjia.ActionAccept, guanjia.ActionReturn}, action)
		if !mine && !unitTask {
			return guanjia.Errorf(guanjia.EFORBIDDEN, "this task is not yours")
		}
	case guanjia.RoleUnitAdmin: // a check-in on site is the one who is there
		if action == guanjia.ActionArrive && (c.AssigneeID == nil || *c.AssigneeID != who.UserID) {
			return guanjia.Errorf(guanjia.EFORBIDDEN, "the one who signed for the task checks in on site")
		}
	case guanjia.RoleCitizen:
		if c.ReporterID != who.UserID {
			return guanjia.Errorf(guanjia.EFORBIDDEN, "only the reporter rates a complaint")
		}
	}
	return nil
}

func requireReason(r string) error {
	if strings.TrimSpace(r) == "" {
		return guanjia.FieldError(guanjia.EINVALID, "reason", "a reason is required")
	}
	if utf8.RuneCountInString(r) > 500 {
		return guanjia.FieldError(guanjia.EINVALID, "reason", "reason is longer than 500 characters")
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// lookupFailed says whether err is a failure to look something up rather
// than its absence: the server's fault (500), not a bad reference in the
// request (400).
func lookupFailed(err error) bool { return err != nil && guanjia.ErrorCode(err) != guanjia.ENOTFOUND }

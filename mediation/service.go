// Package mediation is 大调解: disputes (矛盾纠纷) taken in from anywhere,
// accepted at the level where they arise, routed to a mediation committee
// by grid and type, mediated in sessions, and ended by an agreement (with
// 司法确认 and 回访) or by advice. The workflow is a table (machine.go), the
// one-month time limit and session reminders are timers (timer.go).
package mediation

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"guanjia"
	"guanjia/geo"
)

// Store keeps disputes, their parties, sessions, events and the committees.
type Store interface {
	ListCommittees(ctx context.Context) ([]*guanjia.Committee, error)
	FindGrid(ctx context.Context, id string) (*guanjia.Grid, error)
	// CreateDispute inserts d with its parties, its first event and the
	// messages about it, and sets d.ID and d.Number.
	CreateDispute(ctx context.Context, d *guanjia.Dispute, ev guanjia.DisputeEvent, msgs []guanjia.Message) error
	FindDispute(ctx context.Context, id int64) (*guanjia.Dispute, error)
	ListDisputeEvents(ctx context.Context, id int64) ([]guanjia.DisputeEvent, error)
	ListDisputes(ctx context.Context, f Filter) ([]*guanjia.Dispute, int64, error)
	// UpdateDispute saves d (its mediators and sessions too; new sessions get
	// their ids) with one event and its messages, if nobody saved it since
	// d.Version was read (else guanjia.StaleVersion), and moves
	// d.Version on.
	UpdateDispute(ctx context.Context, d *guanjia.Dispute, ev guanjia.DisputeEvent, msgs []guanjia.Message) error
	// AcceptedBetween returns the disputes accepted in [from, to), without
	// parties and sessions: what the statistics count.
	AcceptedBetween(ctx context.Context, from, to time.Time) ([]*guanjia.Dispute, error)
	// DueDeadlines returns the disputes, bare, in one of statuses whose
	// deadline comes by until and whose warning or escalation has not fired.
	DueDeadlines(ctx context.Context, statuses []guanjia.DisputeStatus, until time.Time) ([]*guanjia.Dispute, error)
	// AwaitingAcceptance returns the disputes, bare, reported by before and
	// neither accepted nor escalated for it since.
	AwaitingAcceptance(ctx context.Context, before time.Time) ([]*guanjia.Dispute, error)
	// DueSessions returns the scheduled sessions, not yet reminded, that
	// start after from and by until, of the disputes in status.
	DueSessions(ctx context.Context, status guanjia.DisputeStatus, from, until time.Time) ([]DueSession, error)
	FindUserByID(ctx context.Context, id int64) (*guanjia.User, error)
	ListUsersByRole(ctx context.Context, role guanjia.Role, unitCode string) ([]*guanjia.User, error)
}

// Filter selects disputes for a list.
type Filter struct {
	Status     guanjia.DisputeStatus
	Level      string
	Committee  string
	GridID     string // with OrFiledBy: the grid's disputes and those OrFiledBy filed
	OrFiledBy  int64
	ReporterID int64
	MediatorID int64
	Offset     int
	Limit      int
}

// GridLocator finds the grid of a WGS-84 point (dispatch.Router is one).
type GridLocator interface {
	Grid(ctx context.Context, lat, lng float64) (*guanjia.Grid, bool)
}

// Publisher tells live pages that a dispute changed and whose inboxes have
// new messages, if anyone's (live.Live is one). It must not block; it logs
// its failures.
type Publisher interface {
	DisputeChanged(ctx context.Context, d *guanjia.Dispute)
	InboxChanged(ctx context.Context, users []int64)
}

// Service runs the mediation workflow.
type Service struct {
	Store  Store
	Timers Scheduler
	Live   Publisher   // nil: no live pages to tell
	Grids  GridLocator // nil: a dispute's grid is the one sent, or the grid manager's
	Now    func() time.Time
	Log    *slog.Logger
	// WarnBefore is how long before the deadline the mediators are warned;
	// RemindBefore how long before a session the parties are reminded.
	WarnBefore, RemindBefore time.Duration
	// AcceptWithin is how long a reported dispute may wait for its committee
	// to accept it (及时受理) before it is escalated (督办).
	AcceptWithin time.Duration
}

// NewService returns a service with the default warning periods.
func NewService(st Store, timers Scheduler, grids GridLocator, now func() time.Time) *Service {
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	return &Service{Store: st, Timers: timers, Grids: grids, Now: now, Log: slog.Default(),
		WarnBefore: 3 * 24 * time.Hour, RemindBefore: 24 * time.Hour, AcceptWithin: 3 * 24 * time.Hour}
}

// TimeLimit is how long mediation normally takes from acceptance:
// one month (《人民调解工作若干规定》), counted on Haikou's calendar (on the
// UTC one a month from 04-01 00:30 would end on 05-02), to the same day of
// the next month or, when it has none, its last day (01-31 → 02-28).
func TimeLimit(accepted time.Time) time.Time {
	return guanjia.AddMonths(accepted.In(guanjia.ChinaTime), 1).UTC()
}

// Party roles and kinds, sources a caller may name, advice on failure.
var (
	partyRoles    = []string{"applicant", "respondent"}
	partyKinds    = []string{"person", "organisation"}
	sources       = []string{guanjia.DisputeFromMiniProgram, guanjia.DisputeFromHotline, guanjia.DisputeFromPatrol, guanjia.DisputeFromCourt, guanjia.DisputeFromPolice}
	impliedSource = map[guanjia.Role]string{guanjia.RoleCitizen: guanjia.DisputeFromMiniProgram,
		guanjia.RoleAgent: guanjia.DisputeFromHotline, guanjia.RoleGridManager: guanjia.DisputeFromPatrol}
	advices = []string{"litigation", "arbitration", "administrative"}
)

// Limits of the free-text fields, in characters.
const (
	maxSummary  = 100
	maxAddress  = 200
	maxParties  = 20
	maxMediator = 5
)

// Input is a new dispute as reported.
type Input struct {
	Type, Summary, Description, Address string
	Lat, Lng                            float64
	CoordSystem                         string
	GridID                              string
	Source                              string
	Parties                             []guanjia.Party
}

// View is a dispute as a caller sees it: with its committee, mediators'
// names, the actions the caller may take and (from Get and Act) its timeline.
type View struct {
	*guanjia.Dispute
	Committee *guanjia.Committee
	Mediators []Person
	Events    []guanjia.DisputeEvent
	Actions   []guanjia.DisputeAction
	AcceptBy  *time.Time // reported: when it is escalated unless accepted (AcceptWithin after filing)
}

// Person is a user named on a dispute.
type Person struct {
	ID   int64
	Name string
}

// Create takes in a dispute from any source and proposes its committee by
// grid and type (受理 then happens at that level).
func (s *Service) Create(ctx context.Context, who guanjia.Claims, in Input) (*View, error) {
	now := s.Now()
	d := &guanjia.Dispute{Type: in.Type, Summary: strings.TrimSpace(in.Summary), Description: in.Description,
		Address: in.Address, Status: guanjia.DisputeReported, CreatedAt: now, UpdatedAt: now}
	if _, ok := FindType(in.Type); !ok {
		return nil, guanjia.FieldError(guanjia.EINVALID, "type", "unknown dispute type %q", in.Type)
	}
	if d.Summary == "" {
		return nil, guanjia.FieldError(guanjia.EINVALID, "summary", "summary is required")
	}
	if err := guanjia.CheckTexts(guanjia.TextField{Name: "summary", Value: in.Summary, Max: maxSummary},
		guanjia.TextField{Name: "description", Value: in.Description, Max: guanjia.MaxText, Multiline: true},
		guanjia.TextField{Name: "address", Value: in.Address, Max: maxAddress}); err != nil {
		return nil, err
	}
	sys := in.CoordSystem
	if sys == "" {
		sys = string(geo.WGS84)
	}
	lat, lng, err := geo.ToWGS84(geo.CoordSystem(sys), in.Lat, in.Lng)
	if err != nil {
		return nil, err
	}
	if !geo.InServiceArea(lat, lng) { // no committee of the city could take it, no grid holds it
		return nil, guanjia.FieldError(guanjia.EINVALID, "lat", "the place is outside Haikou")
	}
	d.Lat, d.Lng, d.CoordSystem = lat, lng, sys
	if d.Source, err = sourceOf(who.Role, in.Source); err != nil {
		return nil, err
	}
	if d.Parties, err = checkParties(in.Parties, now); err != nil {
		return nil, err
	}
	caller, err := s.Store.FindUserByID(ctx, who.UserID)
	if err != nil {
		return nil, err
	}
	if err := s.locate(ctx, d, in.GridID, caller); err != nil {
		return nil, err
	}
	d.ReporterID = who.UserID // the account that filed it: "mine" in the lists
	if who.Role == guanjia.RoleCitizen {
		for i := range d.Parties {
			if d.Parties[i].Role == "applicant" {
				d.Parties[i].UserID = who.UserID // they file as the applicant: they hear about it
				break
			}
		}
	}
	committees, err := s.Store.ListCommittees(ctx)
	if err != nil {
		return nil, err
	}
	c := Route(committees, d.Type, d.GridID, d.District)
	if c != nil {
		d.CommitteeCode, d.Level = c.Code, c.Level
	}
	msgs, err := s.toCommittee(ctx, c, guanjia.TplTaskAssigned, d, "新纠纷待受理")
	if err != nil {
		return nil, err
	}
	ev := guanjia.DisputeEvent{At: now, ActorID: who.UserID, ActorName: caller.DisplayName(), Action: guanjia.DisputeCreate,
		To: d.Status, Note: SourceName(d.Source)}
	if err := s.Store.CreateDispute(ctx, d, ev, msgs); err != nil {
		return nil, err
	}
	s.announce(ctx, d, msgs)
	s.arm(ctx, s.acceptTimer(d))
	return s.view(d, committees, who.Role), nil
}

// sourceOf is where a dispute came from: implied by the caller's role, else as they say.
func sourceOf(role guanjia.Role, given string) (string, error) {
	if src := impliedSource[role]; src != "" {
		if given != "" && given != src {
			return "", guanjia.FieldError(guanjia.EINVALID, "source", "a %s reports disputes from %s", role, src)
		}
		return src, nil
	}
	if !slices.Contains(sources, given) {
		return "", guanjia.FieldError(guanjia.EINVALID, "source", "source must be miniprogram, hotline, patrol, court or police")
	}
	return given, nil
}

// SourceName is the Chinese name of a source.
func SourceName(src string) string {
	return map[string]string{guanjia.DisputeFromMiniProgram: "群众小程序申请", guanjia.DisputeFromHotline: "12345热线",
		guanjia.DisputeFromPatrol: "网格员排查", guanjia.DisputeFromCourt: "法院委派（诉前）", guanjia.DisputeFromPolice: "公安移送"}[src]
}

// checkParties validates the parties: at least one applicant and one
// respondent, persons with a valid ID number and organisations with a valid
// 统一社会信用代码 when given (who files often knows only the name).
func checkParties(in []guanjia.Party, now time.Time) ([]guanjia.Party, error) {
	if len(in) > maxParties {
		return nil, guanjia.FieldError(guanjia.EINVALID, "parties", "at most %d parties", maxParties)
	}
	out := make([]guanjia.Party, 0, len(in))
	for _, p := range in {
		p.Name, p.IDNumber, p.CreditCode = strings.TrimSpace(p.Name), strings.ToUpper(strings.TrimSpace(p.IDNumber)), strings.ToUpper(strings.TrimSpace(p.CreditCode))
		if !slices.Contains(partyRoles, p.Role) {
			return nil, guanjia.FieldError(guanjia.EINVALID, "parties", "a party's role must be applicant or respondent")
		}
		if !slices.Contains(partyKinds, p.Kind) {
			return nil, guanjia.FieldError(guanjia.EINVALID, "parties", "a party's kind must be person or organisation")
		}
		if p.Name == "" {
			return nil, guanjia.FieldError(guanjia.EINVALID, "parties", "a party's name is required")
		}
		if err := guanjia.CheckText("name", p.Name, guanjia.MaxName, false); err != nil {
			return nil, err
		}
		switch {
		case p.Kind == "person" && p.CreditCode != "":
			return nil, guanjia.FieldError(guanjia.EINVALID, "credit_code", "a person has no 统一社会信用代码")
		case p.Kind == "person" && p.IDNumber != "":
			if err := guanjia.ValidateIDNumber(p.IDNumber, now); err != nil {
				return nil, err
			}
		case p.Kind == "organisation":
			if p.IDNumber != "" {
				return nil, guanjia.FieldError(guanjia.EINVALID, "id_number", "an organisation has no ID number")
			}
			if p.CreditCode != "" {
				if err := guanjia.ValidateCreditCode(p.CreditCode); err != nil {
					return nil, err
				}
			}
		}
		if p.Phone != "" && !guanjia.ValidPhone(p.Phone) {
			return nil, guanjia.FieldError(guanjia.EINVALID, "phone", "a party's phone is not a phone number")
		}
		out = append(out, guanjia.Party{Role: p.Role, Kind: p.Kind, Name: p.Name, IDNumber: p.IDNumber, CreditCode: p.CreditCode, Phone: p.Phone})
	}
	for _, role := range partyRoles {
		if !slices.ContainsFunc(out, func(p guanjia.Party) bool { return p.Role == role }) {
			return nil, guanjia.FieldError(guanjia.EINVALID, "parties", "a dispute needs an applicant and a respondent")
		}
	}
	return out, nil
}

// locate sets the dispute's grid and district: the grid sent, else the grid
// of its position, else the grid manager's own.
func (s *Service) locate(ctx context.Context, d *guanjia.Dispute, gridID string, caller *guanjia.User) error {
	if gridID == "" && s.Grids != nil {
		if g, ok := s.Grids.Grid(ctx, d.Lat, d.Lng); ok {
			d.GridID, d.District = g.ID, g.District
			return nil
		}
	}
	if gridID == "" && caller.Role == guanjia.RoleGridManager {
		gridID = caller.GridID
	}
	if gridID == "" {
		return nil
	}
	g, err := s.Store.FindGrid(ctx, gridID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return guanjia.FieldError(guanjia.EINVALID, "grid_id", "unknown grid %q", gridID)
	} else if err != nil {
		return err
	}
	d.GridID, d.District = g.ID, g.District
	return nil
}

// Sees says whether who may see d: staff at the desk see all, a mediator
// (or a department doing 行政调解) their committee's, a grid manager the
// disputes of their grid (grid) and those they filed (its position may lie
// in the next grid), a citizen their own.
func Sees(who guanjia.Claims, grid string, d *guanjia.Dispute) bool {
	switch who.Role {
	case guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleAdmin:
		return true
	case guanjia.RoleMediator, guanjia.RoleDepartment:
		return who.InUnit(d.CommitteeCode)
	case guanjia.RoleCitizen:
		return d.ReporterID == who.UserID
	case guanjia.RoleGridManager:
		return (d.GridID != "" && d.GridID == grid) || d.ReporterID == who.UserID
	}
	return false
}

// scope refuses who a dispute they may not see (Sees).
func (s *Service) scope(ctx context.Context, who guanjia.Claims, d *guanjia.Dispute) error {
	grid := ""
	if who.Role == guanjia.RoleGridManager {
		u, err := s.Store.FindUserByID(ctx, who.UserID)
		if err != nil {
			return err
		}
		grid = u.GridID
	}
	if !Sees(who, grid, d) {
		return guanjia.Errorf(guanjia.EFORBIDDEN, "this dispute is not yours to see")
	}
	return nil
}

// find reads dispute id, if who may see it, and the committees. readOnly
// says who sees it only as the committee it was escalated to (督办): they
// read it, as the escalation message links to it, and act on nothing.
func (s *Service) find(ctx context.Context, who guanjia.Claims, id int64) (d *guanjia.Dispute, committees []*guanjia.Committee, readOnly bool, err error) {
	if d, err = s.Store.FindDispute(ctx, id); err != nil {
		return nil, nil, false, err
	}
	refused := s.scope(ctx, who, d)
	if refused != nil && (guanjia.ErrorCode(refused) != guanjia.EFORBIDDEN || !d.Escalated()) {
		return nil, nil, false, refused
	}
	if committees, err = s.Store.ListCommittees(ctx); err != nil {
		return nil, nil, false, err
	}
	if refused != nil && !escalatedTo(who, d, committees) {
		return nil, nil, false, refused
	}
	return d, committees, refused != nil, nil
}

// escalatedTo says whether who is of the committee d was escalated to: its
// committee's superior.
func escalatedTo(who guanjia.Claims, d *guanjia.Dispute, committees []*guanjia.Committee) bool {
	if who.Role != guanjia.RoleMediator && who.Role != guanjia.RoleDepartment {
		return false
	}
	up := superior(committees, findCommittee(committees, d.CommitteeCode))
	return d.Escalated() && up != nil && who.InUnit(up.Code)
}

// Get returns a dispute with its timeline and the caller's next actions (none
// to the committee it was escalated to, see find).
func (s *Service) Get(ctx context.Context, who guanjia.Claims, id int64) (*View, error) {
	d, committees, readOnly, err := s.find(ctx, who, id)
	if err != nil {
		return nil, err
	}
	role := who.Role
	if readOnly {
		role = "" // no actions
	}
	v := s.view(d, committees, role)
	if v.Events, err = s.timeline(ctx, who, id); err != nil {
		return nil, err
	}
	return v, nil
}

// timeline is dispute id's timeline as who reads it: the citizen who
// applied, only the notes meant for them (applicantReads).
func (s *Service) timeline(ctx context.Context, who guanjia.Claims, id int64) ([]guanjia.DisputeEvent, error) {
	events, err := s.Store.ListDisputeEvents(ctx, id)
	if err != nil || who.Role != guanjia.RoleCitizen {
		return events, err
	}
	for i := range events {
		if !applicantReads[events[i].Action] {
			events[i].Note = ""
		}
	}
	return events, nil
}

// applicantReads are the steps whose note the citizen who applied reads:
// what is said to them (when and where, why it failed, the court's word,
// their own withdrawal). The notes of the others are staff's among
// themselves (a 督办's reproach, a routing's reasons) and stay in the console.
var applicantReads = map[guanjia.DisputeAction]bool{guanjia.DisputeSchedule: true, guanjia.DisputeFail: true,
	guanjia.DisputeConfirm: true, guanjia.DisputeWithdraw: true}

// List returns a page of the disputes the caller may see; mine keeps those
// assigned to (a mediator) or filed by (anyone else) the caller.
func (s *Service) List(ctx context.Context, who guanjia.Claims, f Filter, mine bool) ([]*View, int64, error) {
	switch who.Role {
	case guanjia.RoleMediator, guanjia.RoleDepartment:
		if who.UnitCode == "" { // the store reads an empty committee as "all"
			return nil, 0, guanjia.Errorf(guanjia.EFORBIDDEN, "your account belongs to no department")
		}
		f.Committee = who.UnitCode
		if mine {
			f.MediatorID = who.UserID
		}
	case guanjia.RoleGridManager: // as Sees: their grid's, and those they filed wherever they lie
		u, err := s.Store.FindUserByID(ctx, who.UserID)
		if err != nil {
			return nil, 0, err
		}
		f.GridID, f.OrFiledBy = u.GridID, who.UserID
	case guanjia.RoleCitizen:
		f.ReporterID = who.UserID
	default:
		if mine {
			f.ReporterID = who.UserID
		}
	}
	list, total, err := s.Store.ListDisputes(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	committees, err := s.Store.ListCommittees(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*View, len(list))
	for i, d := range list {
		out[i] = s.view(d, committees, who.Role)
	}
	return out, total, nil
}

// Mediators lists who may be assigned a committee's disputes: its
// mediators, and the staff of a department doing 行政调解 under that code.
// The desk sees any committee's; committee staff their own.
func (s *Service) Mediators(ctx context.Context, who guanjia.Claims, code string) ([]Person, error) {
	switch who.Role {
	case guanjia.RoleDispatcher, guanjia.RoleAdmin:
	case guanjia.RoleMediator, guanjia.RoleDepartment:
		if !who.InUnit(code) {
			return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only your own committee's mediators are listed for you")
		}
	default:
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only the command center and committee staff list mediators")
	}
	committees, err := s.Store.ListCommittees(ctx)
	if err != nil {
		return nil, err
	}
	if findCommittee(committees, code) == nil {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "unknown committee %q", code)
	}
	out := []Person{}
	for _, role := range []guanjia.Role{guanjia.RoleMediator, guanjia.RoleDepartment} {
		users, err := s.Store.ListUsersByRole(ctx, role, code) // the disabled are left out
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			out = append(out, Person{ID: u.ID, Name: u.DisplayName()})
		}
	}
	return out, nil
}

// Committees lists the mediation committees.
func (s *Service) Committees(ctx context.Context) ([]*guanjia.Committee, error) {
	return s.Store.ListCommittees(ctx)
}

// view is d as a caller in role sees it: with its committee, its mediators'
// names and the actions role may take now (the table's for its status, less
// those taken once per case that it has had).
func (s *Service) view(d *guanjia.Dispute, committees []*guanjia.Committee, role guanjia.Role) *View {
	actions := slices.DeleteFunc(allowed(d.Status, role), func(a guanjia.DisputeAction) bool { return again(d, a) != nil })
	if role == guanjia.RoleCitizen && d.FollowUpNote != "" { // the 回访's note is staff's, as on the timeline
		shown := *d
		shown.FollowUpNote = ""
		d = &shown
	}
	v := &View{Dispute: d, Committee: findCommittee(committees, d.CommitteeCode), Mediators: []Person{}, Actions: actions}
	if d.Status == guanjia.DisputeReported {
		by := d.CreatedAt.Add(s.AcceptWithin)
		v.AcceptBy = &by
	}
	for i, id := range d.MediatorIDs {
		p := Person{ID: id}
		if i < len(d.MediatorNames) {
			p.Name = d.MediatorNames[i]
		}
		v.Mediators = append(v.Mediators, p)
	}
	return v
}

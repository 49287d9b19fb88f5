package api

// 大调解 (dispute mediation) API. The contract, kept to by the console pages
// and the mini-program:
//
//	POST /api/v1/disputes                      citizen, agent, dispatcher, grid_manager, mediator, admin
//	  body {type, summary, description, address, lat, lng, coord_system?, grid_id?,
//	        source? (miniprogram|hotline|patrol|court|police),
//	        parties: [{role: "applicant"|"respondent", kind: "person"|"organisation",
//	                   name, id_number?, credit_code?, phone?}]}
//	  → 201 Dispute. The source follows from the caller's role where it is
//	  implied (citizen → miniprogram, agent → hotline, grid_manager → patrol);
//	  court and police referrals are entered by staff with source court|police.
//
//	GET /api/v1/disputes?status=&level=&committee=&mine=&page=
//	  staff and grid managers see the queue (a mediator their committee's), a
//	  citizen their own → {disputes: [Dispute...], total, page}
//
//	GET /api/v1/disputes/{id} → Dispute with events and actions (what this caller may do now)
//
//	POST /api/v1/disputes/{id}/{action} → Dispute, actions and bodies:
//	  accept {note?}                                  受理
//	  route {committee?}                              分流 (default: grid + type routing;
//	                                                  行政调解 routes to a department unit)
//	  assign {mediators: [user ids]}                  指派调解员
//	  schedule {at (RFC 3339), place}                 安排调解 (reminds parties and mediators)
//	  record {session, record, attended}              调解记录 (session id, text, who attended)
//	  succeed {terms, performance?}                   调解成功: agreement number and PDF
//	  fail {advice: litigation|arbitration|administrative, note}   调解不成
//	  withdraw {note}                                 撤回
//	  request_confirmation {court}                    申请司法确认
//	  confirm {result: confirmed|rejected, note}      司法确认结果
//	  follow_up {kept: bool, note}                    回访
//	  close {note?}                                   结案
//	  An action not allowed in the state → 409 ECONFLICT with a Chinese message.
//
//	GET /api/v1/disputes/{id}/agreement.pdf         人民调解协议书 (after 调解成功)
//	GET /api/v1/disputes/types                      {types: [{code, name, specialised}]}
//	GET /api/v1/mediation/committees                {committees: [{code, name, level (village|town|district|city),
//	                                                  kind (people|administrative), district, superior, grid_ids, types}]}
//	GET /api/v1/disputes/stats?from=&to=            {from, to, total: Counts, by_level, by_type, by_committee: [{key, name, ...Counts}]}
//	                                                  Counts: {handled, resolved, succeeded, failed, withdrawn, concluded,
//	                                                  success_rate (null without outcomes), pre_litigation}
//	                                                  (formulas in mediation/stats.go); from/to are days (2026-01-31,
//	                                                  China time), both inclusive, at most a
//	                                                  year apart; default this year so far
//
// Dispute JSON:
//
//	{id, number ("HK-TJ-2026-000001"), type, type_name, status, status_name, level, source,
//	 summary, description, address, lat, lng, grid_id, district,
//	 committee: {code, name, level}|null, mediators: [{id, name}],
//	 parties: [{role, kind, name, id_number_masked?, credit_code?, phone_masked?}],
//	 sessions: [{id, at, place, status, record, attended}],
//	 outcome: {result: success|failure, agreement_number? ("HK-XY-2026-000001"), terms?, performance?, advice?, note?}|null,
//	 confirmation: {court, status: requested|confirmed|rejected, note}|null,
//	 follow_up: {kept, note, at}|null,
//	 accept_by (reported: 受理期限), accepted_at, due_at, created_at,
//	 events: [{at, actor, action, from, to, note}], actions: [...]}
//
// Statuses: reported (待受理) → accepted (已受理) → routed (已分流) → mediating
// (调解中, mediators assigned) → succeeded (调解成功) | failed (调解不成) |
// withdrawn (已撤回); succeeded → confirming (司法确认中) → succeeded (with the
// confirmation recorded); succeeded | failed | withdrawn → closed (已结案).

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"guanjia"
	"guanjia/i18n"
	"guanjia/mediation"
)

// disputeHandlers serve 大调解.
type disputeHandlers struct {
	mediation *mediation.Service
}

// Who may do what, by route.
var (
	disputeIntake  = []guanjia.Role{guanjia.RoleCitizen, guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleGridManager, guanjia.RoleMediator, guanjia.RoleAdmin}
	disputeReaders = []guanjia.Role{guanjia.RoleCitizen, guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleGridManager, guanjia.RoleMediator, guanjia.RoleDepartment, guanjia.RoleAdmin}
	disputeActors  = []guanjia.Role{guanjia.RoleCitizen, guanjia.RoleDispatcher, guanjia.RoleGridManager, guanjia.RoleMediator, guanjia.RoleDepartment, guanjia.RoleAdmin}
	disputeStaff   = []guanjia.Role{guanjia.RoleDispatcher, guanjia.RoleMediator, guanjia.RoleDepartment, guanjia.RoleAdmin}
	// disputePageRoles may open the 大调解 console pages (the queue and the
	// case page): the command centre and hotline desk who take disputes in,
	// and the committee staff who work them (mediators, departments doing
	// 行政调解). What each may do on a case is the API's answer (its actions).
	disputePageRoles = []guanjia.Role{guanjia.RoleDispatcher, guanjia.RoleAgent, guanjia.RoleAdmin, guanjia.RoleMediator, guanjia.RoleDepartment}
)

type partyRequest struct {
	Role       string `json:"role"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	IDNumber   string `json:"id_number"`
	CreditCode string `json:"credit_code"`
	Phone      string `json:"phone"`
}

type disputeRequest struct {
	Type        string         `json:"type"`
	Summary     string         `json:"summary"`
	Description string         `json:"description"`
	Address     string         `json:"address"`
	Lat         float64        `json:"lat"`
	Lng         float64        `json:"lng"`
	CoordSystem string         `json:"coord_system"`
	GridID      string         `json:"grid_id"`
	Source      string         `json:"source"`
	Parties     []partyRequest `json:"parties"`
}

type disputeActionRequest struct {
	Note        string  `json:"note"`
	Committee   string  `json:"committee"`
	Mediators   []int64 `json:"mediators"`
	At          string  `json:"at"` // RFC 3339
	Place       string  `json:"place"`
	Session     int64   `json:"session"`
	Record      string  `json:"record"`
	Attended    string  `json:"attended"`
	Terms       string  `json:"terms"`
	Performance string  `json:"performance"`
	Advice      string  `json:"advice"`
	Court       string  `json:"court"`
	Result      string  `json:"result"`
	Kept        *bool   `json:"kept"`
}

type committeeRef struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

type personJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type partyJSON struct {
	Role           string `json:"role"`
	Kind           string `json:"kind"`
	Name           string `json:"name"`
	IDNumberMasked string `json:"id_number_masked,omitempty"`
	CreditCode     string `json:"credit_code,omitempty"`
	PhoneMasked    string `json:"phone_masked,omitempty"`
}

type mediationSessionJSON struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Place    string    `json:"place"`
	Status   string    `json:"status"`
	Record   string    `json:"record"`
	Attended string    `json:"attended"`
}

type outcomeJSON struct {
	Result          string `json:"result"`
	AgreementNumber string `json:"agreement_number,omitempty"`
	Terms           string `json:"terms,omitempty"`
	Performance     string `json:"performance,omitempty"`
	Advice          string `json:"advice,omitempty"`
	Note            string `json:"note,omitempty"`
}

type confirmationJSON struct {
	Court  string `json:"court"`
	Status string `json:"status"`
	Note   string `json:"note"`
}

type followUpJSON struct {
	Kept bool      `json:"kept"`
	Note string    `json:"note"`
	At   time.Time `json:"at"`
}

type disputeEventJSON struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Note   string    `json:"note"`
}

type disputeJSON struct {
	ID           int64                  `json:"id"`
	Number       string                 `json:"number"`
	Type         string                 `json:"type"`
	TypeName     string                 `json:"type_name"`
	Status       string                 `json:"status"`
	StatusName   string                 `json:"status_name"`
	Level        string                 `json:"level"`
	Source       string                 `json:"source"`
	Summary      string                 `json:"summary"`
	Description  string                 `json:"description"`
	Address      string                 `json:"address"`
	Lat          float64                `json:"lat"`
	Lng          float64                `json:"lng"`
	GridID       string                 `json:"grid_id"`
	District     string                 `json:"district"`
	Committee    *committeeRef          `json:"committee"`
	Mediators    []personJSON           `json:"mediators"`
	Parties      []partyJSON            `json:"parties"`
	Sessions     []mediationSessionJSON `json:"sessions"`
	Outcome      *outcomeJSON           `json:"outcome"`
	Confirmation *confirmationJSON      `json:"confirmation"`
	FollowUp     *followUpJSON          `json:"follow_up"`
	AcceptBy     *time.Time             `json:"accept_by"` // reported: 受理期限, escalated (督办) unless accepted by then
	AcceptedAt   *time.Time             `json:"accepted_at"`
	DueAt        *time.Time             `json:"due_at"`
	CreatedAt    time.Time              `json:"created_at"`
	Events       []disputeEventJSON     `json:"events,omitempty"`
	Actions      []string               `json:"actions,omitempty"`
}

// toDisputeJSON renders v with its status named in lang.
func toDisputeJSON(v *mediation.View, lang language.Tag) disputeJSON {
	d := v.Dispute
	statusName, _ := i18n.Term(lang, d.Status)
	out := disputeJSON{ID: d.ID, Number: d.Number, Type: d.Type, TypeName: mediation.TypeName(d.Type), Status: string(d.Status),
		StatusName: statusName, Level: d.Level, Source: d.Source, Summary: d.Summary, Description: d.Description,
		Address: d.Address, Lat: d.Lat, Lng: d.Lng, GridID: d.GridID, District: d.District, AcceptBy: v.AcceptBy, AcceptedAt: d.AcceptedAt, DueAt: d.DueAt,
		CreatedAt: d.CreatedAt, Mediators: []personJSON{}, Parties: []partyJSON{}, Sessions: []mediationSessionJSON{}}
	if c := v.Committee; c != nil {
		out.Committee = &committeeRef{Code: c.Code, Name: c.Name, Level: c.Level}
	}
	for _, m := range v.Mediators {
		out.Mediators = append(out.Mediators, personJSON{ID: m.ID, Name: m.Name})
	}
	for _, p := range d.Parties {
		pj := partyJSON{Role: p.Role, Kind: p.Kind, Name: p.Name, CreditCode: p.CreditCode}
		if p.IDNumber != "" {
			pj.IDNumberMasked = guanjia.MaskIDNumber(p.IDNumber)
		}
		if p.Phone != "" {
			pj.PhoneMasked = guanjia.MaskPhone(p.Phone)
		}
		out.Parties = append(out.Parties, pj)
	}
	for _, x := range d.Sessions {
		out.Sessions = append(out.Sessions, mediationSessionJSON{ID: x.ID, At: x.At, Place: x.Place, Status: x.Status, Record: x.Record, Attended: x.Attended})
	}
	if d.Result != "" {
		out.Outcome = &outcomeJSON{Result: d.Result, AgreementNumber: d.AgreementNumber, Terms: d.Terms, Performance: d.Performance,
			Advice: d.Advice, Note: d.OutcomeNote}
	}
	if d.ConfirmationStatus != "" {
		out.Confirmation = &confirmationJSON{Court: d.Court, Status: d.ConfirmationStatus, Note: d.ConfirmationNote}
	}
	if d.FollowUpKept != nil && d.FollowUpAt != nil {
		out.FollowUp = &followUpJSON{Kept: *d.FollowUpKept, Note: d.FollowUpNote, At: *d.FollowUpAt}
	}
	for _, e := range v.Events {
		out.Events = append(out.Events, disputeEventJSON{At: e.At, Actor: e.ActorName, Action: string(e.Action), From: string(e.From), To: string(e.To), Note: e.Note})
	}
	for _, a := range v.Actions {
		out.Actions = append(out.Actions, string(a))
	}
	return out
}

// handleDisputeCreate takes in a dispute.
func (h *disputeHandlers) handleDisputeCreate(c echo.Context) error {
	var req disputeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	in := mediation.Input{Type: req.Type, Summary: req.Summary, Description: req.Description, Address: req.Address,
		Lat: req.Lat, Lng: req.Lng, CoordSystem: req.CoordSystem, GridID: req.GridID, Source: req.Source}
	for _, p := range req.Parties {
		in.Parties = append(in.Parties, guanjia.Party{Role: p.Role, Kind: p.Kind, Name: p.Name, IDNumber: p.IDNumber, CreditCode: p.CreditCode, Phone: p.Phone})
	}
	v, err := h.mediation.Create(c.Request().Context(), claimsOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toDisputeJSON(v, langOf(c)))
}

type disputeList struct {
	Disputes []disputeJSON `json:"disputes"`
	Total    int64         `json:"total"`
	Page     int           `json:"page"`
}

// handleDisputeList answers a page of the disputes the caller may see.
func (h *disputeHandlers) handleDisputeList(c echo.Context) error {
	page, perPage, err := paging(c, 20, 100)
	if err != nil {
		return err
	}
	f := mediation.Filter{Status: guanjia.DisputeStatus(c.QueryParam("status")), Level: c.QueryParam("level"),
		Committee: c.QueryParam("committee"), Offset: (page - 1) * perPage, Limit: perPage}
	for name, v := range map[string]string{"status": string(f.Status), "level": f.Level, "committee": f.Committee} {
		if err := guanjia.CheckText(name, v, guanjia.MaxCode, false); err != nil {
			return err
		}
	}
	mine := c.QueryParam("mine")
	if mine != "" && mine != "true" && mine != "false" {
		return invalid("mine", "mine must be true or false")
	}
	list, total, err := h.mediation.List(c.Request().Context(), claimsOf(c), f, mine == "true")
	if err != nil {
		return err
	}
	lang := langOf(c)
	return c.JSON(http.StatusOK, disputeList{Disputes: mapJSON(list, func(v *mediation.View) disputeJSON { return toDisputeJSON(v, lang) }),
		Total: total, Page: page})
}

// handleDisputeGet answers a dispute with its timeline and the caller's actions.
func (h *disputeHandlers) handleDisputeGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := h.mediation.Get(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toDisputeJSON(v, langOf(c)))
}

// handleDisputeAction takes one workflow action.
func (h *disputeHandlers) handleDisputeAction(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req disputeActionRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &req); err != nil {
			return err
		}
	}
	in := mediation.ActionInput{Note: req.Note, Committee: req.Committee, Mediators: req.Mediators, Place: req.Place,
		Session: req.Session, Record: req.Record, Attended: req.Attended, Terms: req.Terms, Performance: req.Performance,
		Advice: req.Advice, Court: req.Court, Result: req.Result, Kept: req.Kept}
	if req.At != "" {
		if in.At, err = time.Parse(time.RFC3339, req.At); err != nil {
			return invalid("at", "%s must be a time like 2026-08-10T09:00:00+08:00", "at")
		}
	}
	v, err := h.mediation.Act(c.Request().Context(), claimsOf(c), id, guanjia.DisputeAction(c.Param("action")), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toDisputeJSON(v, langOf(c)))
}

// handleDisputeAgreement answers the 人民调解协议书 PDF.
func (h *disputeHandlers) handleDisputeAgreement(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	pdf, v, err := h.mediation.Agreement(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s.pdf"`, v.AgreementNumber))
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

type disputeTypeJSON struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Specialised bool   `json:"specialised"`
}

type disputeTypeList struct {
	Types []disputeTypeJSON `json:"types"`
}

// handleDisputeTypes answers the 矛盾纠纷 catalogue.
func (h *disputeHandlers) handleDisputeTypes(c echo.Context) error {
	return c.JSON(http.StatusOK, disputeTypeList{Types: mapJSON(mediation.Types, func(t mediation.DisputeType) disputeTypeJSON {
		return disputeTypeJSON{Code: t.Code, Name: t.Name, Specialised: t.Specialised}
	})})
}

type committeeJSON struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Level    string   `json:"level"`
	Kind     string   `json:"kind"`
	District string   `json:"district"`
	Superior string   `json:"superior"`
	GridIDs  []string `json:"grid_ids"`
	Types    []string `json:"types"`
}

type committeeList struct {
	Committees []committeeJSON `json:"committees"`
}

// handleCommitteeList answers the mediation committees.
func (h *disputeHandlers) handleCommitteeList(c echo.Context) error {
	list, err := h.mediation.Committees(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, committeeList{Committees: mapJSON(list, func(x *guanjia.Committee) committeeJSON {
		return committeeJSON{Code: x.Code, Name: x.Name, Level: x.Level, Kind: x.Kind, District: x.District, Superior: x.Superior,
			GridIDs: append([]string{}, x.GridIDs...), Types: append([]string{}, x.Types...)}
	})})
}

type mediatorList struct {
	Mediators []personJSON `json:"mediators"`
}

// handleCommitteeMediators answers who may be assigned a committee's disputes.
func (h *disputeHandlers) handleCommitteeMediators(c echo.Context) error {
	list, err := h.mediation.Mediators(c.Request().Context(), claimsOf(c), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, mediatorList{Mediators: mapJSON(list, func(p mediation.Person) personJSON {
		return personJSON{ID: p.ID, Name: p.Name}
	})})
}

// handleDisputeStats answers the figures of a period (default: this year so far).
func (h *disputeHandlers) handleDisputeStats(c echo.Context) error {
	now := h.mediation.Now().In(guanjia.ChinaTime)
	from, to, err := dateRange(c, guanjia.ChinaTime, time.Date(now.Year(), 1, 1, 0, 0, 0, 0, guanjia.ChinaTime), now)
	if err != nil {
		return err
	}
	st, err := h.mediation.Stats(c.Request().Context(), from.UTC(), to.UTC())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, disputeFigures{From: from.Format("2006-01-02"), To: to.AddDate(0, 0, -1).Format("2006-01-02"),
		Total: st.Total, ByLevel: st.ByLevel, ByType: st.ByType, ByCommittee: st.ByCommittee})
}

// disputeFigures is the answer of GET /api/v1/disputes/stats (mediation/stats.go defines each figure).
type disputeFigures struct {
	From        string               `json:"from"` // the first day
	To          string               `json:"to"`   // the last day, inclusive
	Total       mediation.Counts     `json:"total"`
	ByLevel     []mediation.StatsRow `json:"by_level"`
	ByType      []mediation.StatsRow `json:"by_type"`
	ByCommittee []mediation.StatsRow `json:"by_committee"`
}

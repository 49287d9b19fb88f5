package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/dispatch"
)

type complaintJSON struct {
	ID            int64      `json:"id"`
	Category      string     `json:"category"`
	Description   string     `json:"description"`
	Lat           float64    `json:"lat"`
	Lng           float64    `json:"lng"`
	CoordSystem   string     `json:"coord_system"` // what the reporter sent; lat/lng are WGS-84
	Address       string     `json:"address"`
	Source        string     `json:"source"`
	ReporterID    int64      `json:"reporter_id"`
	CallerName    string     `json:"caller_name,omitempty"`
	CallerPhone   string     `json:"caller_phone,omitempty"` // masked
	Status        string     `json:"status"`
	Grid          string     `json:"grid"`
	District      string     `json:"district"`
	Unit          string     `json:"unit"`
	Assignee      *int64     `json:"assignee"`
	Attempt       int        `json:"attempt"`
	DuplicateOf   *int64     `json:"duplicate_of"`
	ReopenCount   int        `json:"reopen_count"`
	Escalation    int        `json:"escalation"`
	Overdue       bool       `json:"overdue"`
	AcceptBy      *time.Time `json:"accept_by"`
	ArriveBy      *time.Time `json:"arrive_by"`
	ResolveBy     *time.Time `json:"resolve_by"`
	DispatchedAt  *time.Time `json:"dispatched_at,omitempty"`
	AcceptedAt    *time.Time `json:"accepted_at,omitempty"`
	ArrivedAt     *time.Time `json:"arrived_at,omitempty"`
	ResolvedAt    *time.Time `json:"resolved_at,omitempty"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	Rating        int        `json:"rating,omitempty"`
	RatingComment string     `json:"rating_comment,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`

	Events  []eventJSON `json:"events,omitempty"`
	Photos  []photoJSON `json:"photos,omitempty"`
	Actions []string    `json:"actions,omitempty"`
}

type eventJSON struct {
	Action    string    `json:"action"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	ActorID   *int64    `json:"actor_id"`
	ActorRole string    `json:"actor_role,omitempty"`
	Assignee  *int64    `json:"assignee,omitempty"`
	Unit      string    `json:"unit,omitempty"`
	Note      string    `json:"note,omitempty"`
	Lat       *float64  `json:"lat,omitempty"`
	Lng       *float64  `json:"lng,omitempty"`
	At        time.Time `json:"at"`
}

func toComplaintJSON(c *guanjia.Complaint) complaintJSON {
	return complaintJSON{
		ID: c.ID, Category: c.Category, Description: c.Description, Lat: c.Lat, Lng: c.Lng,
		CoordSystem: c.CoordSystem, Address: c.Address, Source: string(c.Source), ReporterID: c.ReporterID,
		CallerName: c.CallerName, CallerPhone: guanjia.MaskPhone(c.CallerPhone), Status: string(c.Status),
		Grid: c.GridID, District: c.District, Unit: c.UnitCode, Assignee: c.AssigneeID, Attempt: c.Attempt,
		DuplicateOf: c.DuplicateOf, ReopenCount: c.ReopenCount, Escalation: c.Escalation, Overdue: c.Overdue,
		AcceptBy: c.AcceptBy, ArriveBy: c.ArriveBy, ResolveBy: c.ResolveBy, DispatchedAt: c.DispatchedAt,
		AcceptedAt: c.AcceptedAt, ArrivedAt: c.ArrivedAt, ResolvedAt: c.ResolvedAt, ClosedAt: c.ClosedAt,
		Rating: c.Rating, RatingComment: c.RatingComment, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

func toDetailJSON(d *dispatch.Detail) complaintJSON {
	out := toComplaintJSON(d.Complaint)
	out.Events = make([]eventJSON, len(d.Events))
	for i, e := range d.Events {
		out.Events[i] = eventJSON{Action: string(e.Action), From: string(e.From), To: string(e.To), ActorID: e.ActorID,
			ActorRole: string(e.ActorRole), Assignee: e.AssigneeID, Unit: e.UnitCode, Note: e.Note, Lat: e.Lat, Lng: e.Lng, At: e.At}
	}
	out.Photos = make([]photoJSON, 0, len(d.Photos))
	for _, p := range d.Photos {
		if !p.Hidden {
			out.Photos = append(out.Photos, toPhotoJSON(p))
		}
	}
	out.Actions = make([]string, len(d.Actions))
	for i, a := range d.Actions {
		out.Actions[i] = string(a)
	}
	return out
}

type complaintRequest struct {
	Category    string   `json:"category"`
	Description string   `json:"description"`
	Lat         *float64 `json:"lat"`
	Lng         *float64 `json:"lng"`
	CoordSystem string   `json:"coord_system"`
	Address     string   `json:"address"`
	Source      string   `json:"source"`
	CallerName  string   `json:"caller_name"`
	CallerPhone string   `json:"caller_phone"`
}

// handleComplaintCreate files a complaint (mini-program, hotline or patrol).
func (s *Server) handleComplaintCreate(c echo.Context) error {
	var req complaintRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Lat == nil || req.Lng == nil {
		return invalid("lat", "lat and lng are required")
	}
	created, err := s.dispatch.Create(c.Request().Context(), claimsOf(c), dispatch.NewComplaint{
		Category: req.Category, Description: strings.TrimSpace(req.Description), Lat: *req.Lat, Lng: *req.Lng,
		CoordSystem: req.CoordSystem, Address: req.Address, Source: guanjia.Source(req.Source),
		CallerName: req.CallerName, CallerPhone: req.CallerPhone,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toComplaintJSON(created))
}

// handleComplaintList answers a page of the complaints the caller may see.
func (s *Server) handleComplaintList(c echo.Context) error {
	page, err := queryInt(c, "page", 1)
	if err != nil {
		return err
	}
	perPage, err := queryInt(c, "per_page", 50)
	if err != nil {
		return err
	}
	f := guanjia.ComplaintFilter{UnitCode: c.QueryParam("unit"), District: c.QueryParam("district"),
		Category: c.QueryParam("category"), Source: guanjia.Source(c.QueryParam("source")),
		OpenOnly: c.QueryParam("open") == "true", Page: page, PerPage: perPage}
	if st := c.QueryParam("status"); st != "" {
		for _, v := range strings.Split(st, ",") {
			f.Status = append(f.Status, guanjia.Status(v))
		}
	}
	list, total, err := s.dispatch.List(c.Request().Context(), claimsOf(c), f)
	if err != nil {
		return err
	}
	out := make([]complaintJSON, len(list))
	for i, cp := range list {
		out[i] = toComplaintJSON(cp)
	}
	return c.JSON(http.StatusOK, map[string]any{"complaints": out, "total": total, "page": f.Page})
}

// handleComplaintGet answers one complaint with its timeline.
func (s *Server) handleComplaintGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := s.dispatch.Get(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toDetailJSON(d))
}

type actionRequest struct {
	Note        string   `json:"note"`
	Reason      string   `json:"reason"`
	Lat         *float64 `json:"lat"`
	Lng         *float64 `json:"lng"`
	CoordSystem string   `json:"coord_system"`
	Unit        string   `json:"unit"`
	Crew        *int64   `json:"crew"`
	Photos      []string `json:"photos"`
	Score       int      `json:"score"`
	Comment     string   `json:"comment"`
	DuplicateOf int64    `json:"duplicate_of"`
	ExtendByS   int64    `json:"extend_by_s"`
}

// handleComplaintAction takes one workflow action: accept, arrive, resolve,
// return, dispatch, close, reject, merge, reopen, rate, extend, remind,
// escalate, followup.
func (s *Server) handleComplaintAction(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req actionRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &req); err != nil {
			return err
		}
	}
	updated, err := s.dispatch.Act(c.Request().Context(), claimsOf(c), id, guanjia.Action(c.Param("action")), dispatch.ActionInput{
		Note: req.Note, Reason: req.Reason, Lat: req.Lat, Lng: req.Lng, CoordSystem: req.CoordSystem,
		UnitCode: req.Unit, CrewID: req.Crew, Photos: req.Photos, Score: req.Score, Comment: req.Comment,
		DuplicateOf: req.DuplicateOf, ExtendBy: time.Duration(req.ExtendByS) * time.Second,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toComplaintJSON(updated))
}

package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/geo"
	"guanjia/web"
)

// complaintJSON renders a complaint as dispatch hands it over. A follower's
// view (dispatch.ViewFollower) comes without the reporter's words, place and
// identity: those fields are empty and left out, and "view" says so.
type complaintJSON struct {
	ID                int64      `json:"id"`
	View              string     `json:"view,omitempty"` // "follower": progress only (someone else's report)
	Category          string     `json:"category"`
	Description       string     `json:"description,omitempty"`
	Lat               float64    `json:"lat,omitempty"`
	Lng               float64    `json:"lng,omitempty"`
	CoordSystem       string     `json:"coord_system,omitempty"`          // of lat/lng as answered: always wgs84
	ReportedIn        string     `json:"reported_coord_system,omitempty"` // what the reporter's device sent (wgs84 or gcj02)
	Address           string     `json:"address,omitempty"`
	MediaURL          string     `json:"media_url,omitempty"` // an Open311 client's link to a picture
	Source            string     `json:"source,omitempty"`
	ReporterID        int64      `json:"reporter_id,omitempty"`
	CallerName        string     `json:"caller_name,omitempty"`
	CallerPhone       string     `json:"caller_phone,omitempty"` // masked
	SMSOptOut         bool       `json:"sms_opt_out,omitempty"`  // the caller wants no SMS
	Status            string     `json:"status"`
	Grid              string     `json:"grid"`
	District          string     `json:"district"`
	Unit              string     `json:"unit"`
	Assignee          *int64     `json:"assignee"`
	Attempt           int        `json:"attempt"`
	DuplicateOf       *int64     `json:"duplicate_of"`
	ReopenCount       int        `json:"reopen_count"`
	MissedDeadlines   int        `json:"missed_deadlines"`   // 超时督办
	ManualEscalations int        `json:"manual_escalations"` // 人工督办
	Overdue           bool       `json:"overdue"`
	AcceptBy          *time.Time `json:"accept_by"`
	ArriveBy          *time.Time `json:"arrive_by"`
	ResolveBy         *time.Time `json:"resolve_by"`
	DispatchedAt      *time.Time `json:"dispatched_at,omitempty"`
	AcceptedAt        *time.Time `json:"accepted_at,omitempty"`
	ArrivedAt         *time.Time `json:"arrived_at,omitempty"`
	ResolvedAt        *time.Time `json:"resolved_at,omitempty"`
	ClosedAt          *time.Time `json:"closed_at,omitempty"`
	Rating            int        `json:"rating,omitempty"`
	RatingComment     string     `json:"rating_comment,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`

	Events  []eventJSON  `json:"events,omitempty"`
	Photos  *[]photoJSON `json:"photos,omitempty"` // on every single complaint; not on list rows
	Actions []string     `json:"actions,omitempty"`
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
	coords := ""
	if c.Lat != 0 || c.Lng != 0 {
		coords = string(geo.WGS84)
	}
	return complaintJSON{
		ID: c.ID, Category: c.Category, Description: c.Description, Lat: c.Lat, Lng: c.Lng,
		CoordSystem: coords, ReportedIn: c.CoordSystem, Address: c.Address, MediaURL: c.MediaURL, Source: string(c.Source), ReporterID: c.ReporterID,
		CallerName: c.CallerName, CallerPhone: guanjia.MaskPhone(c.CallerPhone), SMSOptOut: c.SMSOptOut, Status: string(c.Status),
		Grid: c.GridID, District: c.District, Unit: c.UnitCode, Assignee: c.AssigneeID, Attempt: c.Attempt,
		DuplicateOf: c.DuplicateOf, ReopenCount: c.ReopenCount, MissedDeadlines: c.MissedDeadlines,
		ManualEscalations: c.ManualEscalations, Overdue: c.Overdue,
		AcceptBy: c.AcceptBy, ArriveBy: c.ArriveBy, ResolveBy: c.ResolveBy, DispatchedAt: c.DispatchedAt,
		AcceptedAt: c.AcceptedAt, ArrivedAt: c.ArrivedAt, ResolvedAt: c.ResolvedAt, ClosedAt: c.ClosedAt,
		Rating: c.Rating, RatingComment: c.RatingComment, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

func toEventJSON(e *guanjia.Event) eventJSON {
	return eventJSON{Action: string(e.Action), From: string(e.From), To: string(e.To), ActorID: e.ActorID,
		ActorRole: string(e.ActorRole), Assignee: e.AssigneeID, Unit: e.UnitCode, Note: e.Note, Lat: e.Lat, Lng: e.Lng, At: e.At}
}

func toDetailJSON(d *dispatch.Detail) complaintJSON {
	out := toComplaintJSON(d.Complaint)
	if d.View == dispatch.ViewFollower {
		out.View = "follower"
	}
	out.Events = mapJSON(d.Events, toEventJSON)
	photos := make([]photoJSON, 0, len(d.Photos))
	for _, p := range d.Photos {
		if !p.Hidden {
			photos = append(photos, toPhotoJSON(p))
		}
	}
	out.Photos = &photos
	out.Actions = mapJSON(d.Actions, func(a guanjia.Action) string { return string(a) })
	return out
}

// complaintHandlers serve complaints: filing, the workflow's actions, photos
// (photo.go), the nearby searches, crews, the KPIs (stats.go) and the
// 回访 page of hotline callers (rate.go).
type complaintHandlers struct {
	dispatch      *dispatch.Service
	secret        string // signs photo and rating links
	maxPhotoBytes int64
	pages         *web.Pages // the rating page
	now           func() time.Time
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
	SMSOptOut   bool     `json:"sms_opt_out"` // the caller asked the agent for no SMS
}

// handleComplaintCreate files a complaint (mini-program, hotline or patrol).
func (h *complaintHandlers) handleComplaintCreate(c echo.Context) error {
	var req complaintRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Lat == nil || req.Lng == nil {
		return invalid("lat", "lat and lng are required")
	}
	created, err := h.dispatch.Create(c.Request().Context(), claimsOf(c), dispatch.NewComplaint{
		Category: req.Category, Description: strings.TrimSpace(req.Description), Lat: *req.Lat, Lng: *req.Lng,
		CoordSystem: req.CoordSystem, Address: req.Address, Source: guanjia.Source(req.Source),
		CallerName: req.CallerName, CallerPhone: req.CallerPhone, SMSOptOut: req.SMSOptOut,
	})
	if err != nil {
		return err
	}
	out := toComplaintJSON(created)
	out.Photos = &[]photoJSON{} // photos are uploaded once the complaint exists
	return c.JSON(http.StatusCreated, out)
}

// handleComplaintList answers a page of the complaints the caller may see.
func (h *complaintHandlers) handleComplaintList(c echo.Context) error {
	page, perPage, err := paging(c, 50, 200)
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
	who := claimsOf(c)
	list, total, err := h.dispatch.List(c.Request().Context(), who, f)
	if err != nil {
		return err
	}
	rows := mapJSON(list, toComplaintJSON)
	for i, cp := range list {
		if who.Role == guanjia.RoleCitizen && !dispatch.OwnReport(who, cp) { // 我关注的问题: a report they follow
			rows[i].View = "follower"
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"complaints": rows, "total": total, "page": f.Page})
}

// handleComplaintGet answers one complaint with its timeline.
func (h *complaintHandlers) handleComplaintGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := h.dispatch.Get(c.Request().Context(), claimsOf(c), id)
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
	Solved      *bool    `json:"solved"`
	Comment     string   `json:"comment"`
	// RestartArrival gives a redispatch a fresh on-site window (with a reason).
	RestartArrival bool  `json:"restart_arrival"`
	DuplicateOf    int64 `json:"duplicate_of"`
	ExtendByS      int64 `json:"extend_by_s"`
}

// handleComplaintAction takes one workflow action: accept, arrive, resolve,
// return, dispatch, close, reject, merge, reopen, rate, extend, remind,
// escalate, followup.
func (h *complaintHandlers) handleComplaintAction(c echo.Context) error {
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
	updated, err := h.dispatch.Act(c.Request().Context(), claimsOf(c), id, guanjia.Action(c.Param("action")), dispatch.ActionInput{
		Note: req.Note, Reason: req.Reason, Lat: req.Lat, Lng: req.Lng, CoordSystem: req.CoordSystem,
		UnitCode: req.Unit, CrewID: req.Crew, Photos: req.Photos, Score: req.Score, Solved: req.Solved, Comment: req.Comment,
		RestartArrival: req.RestartArrival,
		DuplicateOf:    req.DuplicateOf, ExtendBy: time.Duration(req.ExtendByS) * time.Second,
	})
	if err != nil {
		return err
	}
	// Answer the complaint as the caller now sees it, with its timeline and
	// next actions; one who just gave it away (退单) gets the bare row.
	d, err := h.dispatch.Get(c.Request().Context(), claimsOf(c), id)
	if err == nil {
		return c.JSON(http.StatusOK, toDetailJSON(d))
	} else if code := guanjia.ErrorCode(err); code != guanjia.EFORBIDDEN && code != guanjia.ENOTFOUND {
		return err
	}
	out := toComplaintJSON(updated)
	out.Photos = &[]photoJSON{}
	return c.JSON(http.StatusOK, out)
}

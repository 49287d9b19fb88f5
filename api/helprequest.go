package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/volunteer"
)

type helpRequestJSON struct {
	ID          int64     `json:"id"`
	RequesterID int64     `json:"requester_id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Address     string    `json:"address"`
	Lat         float64   `json:"lat"` // WGS-84
	Lng         float64   `json:"lng"`
	CoordSystem string    `json:"coord_system"`
	NeededAt    time.Time `json:"needed_at"`
	Status      string    `json:"status"`
	TeamID      *int64    `json:"team_id,omitempty"`
	ReviewNote  string    `json:"review_note,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Events      []vEvent  `json:"events,omitempty"`
}

func toHelpRequestJSON(h *guanjia.HelpRequest) helpRequestJSON {
	return helpRequestJSON{ID: h.ID, RequesterID: h.RequesterID, Title: h.Title, Description: h.Description,
		Address: h.Address, Lat: h.Lat, Lng: h.Lng, CoordSystem: h.CoordSystem, NeededAt: h.NeededAt, Status: string(h.Status),
		TeamID: h.TeamID, ReviewNote: h.ReviewNote, CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt}
}

type helpRequestRequest struct {
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Address     string     `json:"address"`
	Lat         *float64   `json:"lat"`
	Lng         *float64   `json:"lng"`
	CoordSystem string     `json:"coord_system"`
	NeededAt    *time.Time `json:"needed_at"`
}

// handleHelpRequestCreate files a citizen's request for help (求助).
func (h *volunteerHandlers) handleHelpRequestCreate(c echo.Context) error {
	var req helpRequestRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	hr, err := h.volunteer.Help.CreateHelpRequest(c.Request().Context(), claimsOf(c), volunteer.HelpInput{Title: req.Title,
		Description: req.Description, Address: req.Address, Lat: req.Lat, Lng: req.Lng, CoordSystem: req.CoordSystem,
		NeededAt: orZero(req.NeededAt)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toHelpRequestJSON(hr))
}

// handleHelpRequestList lists help requests: published by default,
// ?mine=true, ?team_id=, ?status= (unpublished ones for admins).
func (h *volunteerHandlers) handleHelpRequestList(c echo.Context) error {
	teamID, err := queryID(c, "team_id")
	if err != nil {
		return err
	}
	q := volunteer.HelpQuery{Mine: c.QueryParam("mine") == "true", TeamID: teamID}
	if st := c.QueryParam("status"); st != "" {
		for _, v := range strings.Split(st, ",") {
			q.Status = append(q.Status, guanjia.HelpStatus(strings.TrimSpace(v)))
		}
	}
	list, err := h.volunteer.Help.ListHelpRequests(c.Request().Context(), claimsOf(c), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"help_requests": mapJSON(list, toHelpRequestJSON)})
}

// handleHelpRequestGet answers one help request with its timeline.
func (h *volunteerHandlers) handleHelpRequestGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	hr, events, err := h.volunteer.Help.GetHelpRequest(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	out := toHelpRequestJSON(hr)
	out.Events = toVEvents(events)
	return c.JSON(http.StatusOK, out)
}

type helpActionRequest struct {
	Approve *bool  `json:"approve"` // review
	TeamID  int64  `json:"team_id"` // claim
	Reason  string `json:"reason"`  // refuse, cancel; complete: what was done
}

// handleHelpRequestAction takes a step: review (approve/refuse, admins),
// claim (a certified team's admin), complete (the claiming team), cancel (the requester).
func (h *volunteerHandlers) handleHelpRequestAction(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req helpActionRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &req); err != nil {
			return err
		}
	}
	in := volunteer.HelpAction{Action: c.Param("action"), TeamID: req.TeamID, Reason: req.Reason}
	switch in.Action {
	case "review":
		if req.Approve == nil {
			return invalid("approve", "approve is true or false")
		}
		in.Action = volunteer.ActRefuse
		if *req.Approve {
			in.Action = volunteer.ActApprove
		}
	case volunteer.ActClaim, volunteer.ActComplete, volunteer.ActCancel:
	default:
		return guanjia.Errorf(guanjia.ENOTFOUND, "no action %q on help requests (review, claim, complete, cancel)", in.Action)
	}
	hr, err := h.volunteer.Help.ActHelpRequest(c.Request().Context(), claimsOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toHelpRequestJSON(hr))
}

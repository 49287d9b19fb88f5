package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia/dispatch"
)

type crewJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Unit       string     `json:"unit"`
	Grid       string     `json:"grid"`
	OnDuty     bool       `json:"on_duty"`
	OpenTasks  int        `json:"open_tasks"`
	Lat        float64    `json:"lat,omitempty"`
	Lng        float64    `json:"lng,omitempty"`
	PositionAt *time.Time `json:"position_at,omitempty"`
}

func toCrewJSON(u dispatch.CrewLoad) crewJSON {
	return crewJSON{ID: u.ID, Name: u.DisplayName(), Unit: u.UnitCode, Grid: u.GridID, OnDuty: u.OnDuty,
		OpenTasks: u.OpenTasks, Lat: u.Lat, Lng: u.Lng, PositionAt: u.PositionAt}
}

// handleCrewList answers the crew members the console may dispatch to and
// shows on its maps, with the open tasks each carries. ?unit= narrows to one unit.
func (h *complaintHandlers) handleCrewList(c echo.Context) error {
	crews, err := h.dispatch.Crews(c.Request().Context(), claimsOf(c), c.QueryParam("unit"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"crews": mapJSON(crews, toCrewJSON)})
}

package api

import (
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// handleComplaintOpenNearby tells a citizen, before filing, whether a report
// of the category is already open near the point and whether filing would
// join it (?category=&lat=&lng=&coord_system=). Unlike the desk's nearby
// search it answers yes or no, never the reports.
func (h *complaintHandlers) handleComplaintOpenNearby(c echo.Context) error {
	var coords [2]float64
	for i, name := range []string{"lat", "lng"} {
		v, err := strconv.ParseFloat(c.QueryParam(name), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return invalid(name, "%s must be a number", name)
		}
		coords[i] = v
	}
	found, err := h.dispatch.CheckOpenNearby(c.Request().Context(), c.QueryParam("category"),
		coords[0], coords[1], c.QueryParam("coord_system"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"open_nearby": found.Open, "will_merge": found.WillMerge, "radius_m": found.RadiusM})
}

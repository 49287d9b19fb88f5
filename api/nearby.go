package api

import (
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"guanjia/dispatch"
)

type nearbyJSON struct {
	complaintJSON
	DistanceM float64 `json:"distance_m"`
	WillMerge bool    `json:"will_merge"` // filing here now would link to this one
}

// handleComplaintNearby answers the open complaints of a category near a
// point, nearest first: the new-call form's likely duplicates.
func (h *complaintHandlers) handleComplaintNearby(c echo.Context) error {
	var coords [2]float64
	for i, name := range []string{"lat", "lng"} {
		v, err := strconv.ParseFloat(c.QueryParam(name), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return invalid(name, "%s must be a number", name)
		}
		coords[i] = v
	}
	found, radius, err := h.dispatch.Nearby(c.Request().Context(), claimsOf(c), c.QueryParam("category"),
		coords[0], coords[1], c.QueryParam("coord_system"))
	if err != nil {
		return err
	}
	out := mapJSON(found, func(n dispatch.NearbyComplaint) nearbyJSON {
		return nearbyJSON{complaintJSON: toComplaintJSON(n.Complaint), DistanceM: math.Round(n.DistanceM), WillMerge: n.WillMerge}
	})
	return c.JSON(http.StatusOK, map[string]any{"complaints": out, "radius_m": radius})
}

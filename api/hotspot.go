package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia/dispatch"
)

// hotspotJSON is one 热点诉求: its place (grid, or a cluster's centre and
// grids), category, count over the window, the rise against the place's
// usual rate, and the orders in it.
type hotspotJSON struct {
	ID       int64      `json:"id"`
	Kind     string     `json:"kind"`
	Category string     `json:"category"`
	Grid     string     `json:"grid"`
	Grids    []string   `json:"grids"`
	Lat      float64    `json:"lat"`
	Lng      float64    `json:"lng"`
	RadiusM  float64    `json:"radius_m"`
	Window   string     `json:"window"`
	Count    int        `json:"count"`
	Baseline float64    `json:"baseline"`
	Rise     float64    `json:"rise"`
	Orders   []int64    `json:"orders"`
	Unit     string     `json:"unit"`
	FirstAt  time.Time  `json:"first_at"`
	LastAt   time.Time  `json:"last_at"`
	Notified *time.Time `json:"notified_at"`
	Patrol   *int64     `json:"patrol_complaint_id"`
}

type hotspotList struct {
	Hotspots []hotspotJSON `json:"hotspots"`
}

type patrolRequest struct {
	Description string `json:"description"`
}

func toHotspotJSON(h *dispatch.Hotspot) hotspotJSON {
	return hotspotJSON{ID: h.ID, Kind: h.Kind, Category: h.Category, Grid: h.GridID, Grids: h.Grids, Lat: h.Lat, Lng: h.Lng,
		RadiusM: h.RadiusM, Window: h.Window, Count: h.Count, Baseline: h.Baseline, Rise: h.Rise, Orders: h.Orders,
		Unit: h.UnitCode, FirstAt: h.FirstAt, LastAt: h.LastAt, Notified: h.NotifiedAt, Patrol: h.PatrolComplaintID}
}

// handleHotspotList answers the current hotspots, the greatest rise first.
func (h *complaintHandlers) handleHotspotList(c echo.Context) error {
	hs, err := h.dispatch.ListHotspots(c.Request().Context(), claimsOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, hotspotList{Hotspots: mapJSON(hs, toHotspotJSON)})
}

// handleHotspotPatrol opens a 主动巡查 order at a hotspot.
func (h *complaintHandlers) handleHotspotPatrol(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req patrolRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &req); err != nil {
			return err
		}
	}
	created, err := h.dispatch.OpenPatrol(c.Request().Context(), claimsOf(c), id, dispatch.PatrolInput{Description: strings.TrimSpace(req.Description)})
	if err != nil {
		return err
	}
	out := toComplaintJSON(created)
	out.Photos = &[]photoJSON{}
	return c.JSON(http.StatusCreated, out)
}

type hotspotThresholdRequest struct {
	MinCount int     `json:"min_count"`
	MinRise  float64 `json:"min_rise"`
	RadiusM  float64 `json:"radius_m"`
}

type hotspotThresholdJSON struct {
	Category string  `json:"category"`
	MinCount int     `json:"min_count"`
	MinRise  float64 `json:"min_rise"`
	RadiusM  float64 `json:"radius_m"`
}

// handleHotspotThreshold sets the thresholds of a category's hotspots.
func (h *complaintHandlers) handleHotspotThreshold(c echo.Context) error {
	var req hotspotThresholdRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	t := dispatch.HotspotThreshold{Category: c.Param("code"), MinCount: req.MinCount, MinRise: req.MinRise, RadiusM: req.RadiusM}
	if err := h.dispatch.SetHotspotThreshold(c.Request().Context(), claimsOf(c), t); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, hotspotThresholdJSON(t))
}

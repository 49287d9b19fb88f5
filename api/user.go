package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/geo"
)

type userJSON struct {
	ID       int64  `json:"id"`
	Username string `json:"username,omitempty"`
	Role     string `json:"role"`
	Name     string `json:"name,omitempty"`
	Phone    string `json:"phone,omitempty"` // masked
	Unit     string `json:"unit,omitempty"`
	Grid     string `json:"grid,omitempty"`
	OnDuty   bool   `json:"on_duty"`
}

func toUserJSON(u *guanjia.User) userJSON {
	return userJSON{ID: u.ID, Username: u.Username, Role: string(u.Role), Name: u.Name,
		Phone: guanjia.MaskPhone(u.Phone), Unit: u.UnitCode, Grid: u.GridID, OnDuty: u.OnDuty}
}

// handleMe answers who is signed in.
func (s *Server) handleMe(c echo.Context) error {
	u, err := s.users.FindUserByID(c.Request().Context(), claimsOf(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUserJSON(u))
}

type positionRequest struct {
	Lat         *float64 `json:"lat"`
	Lng         *float64 `json:"lng"`
	CoordSystem string   `json:"coord_system"`
	OnDuty      *bool    `json:"on_duty"`
}

// handleMePosition records a crew member's position and duty status, which
// point-to-point dispatch uses to pick the nearest person.
func (s *Server) handleMePosition(c echo.Context) error {
	var req positionRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Lat == nil || req.Lng == nil {
		return invalid("lat", "lat and lng are required")
	}
	if req.CoordSystem == "" {
		req.CoordSystem = string(geo.WGS84)
	}
	lat, lng, err := geo.ToWGS84(geo.CoordSystem(req.CoordSystem), *req.Lat, *req.Lng)
	if err != nil {
		return invalid("lat", "%v", err)
	}
	ctx := c.Request().Context()
	u, err := s.users.FindUserByID(ctx, claimsOf(c).UserID)
	if err != nil {
		return err
	}
	onDuty := u.OnDuty
	if req.OnDuty != nil {
		onDuty = *req.OnDuty
	}
	if err := s.users.UpdateCrewPosition(ctx, u.ID, lat, lng, onDuty, s.now().UTC().Truncate(time.Second)); err != nil {
		return err
	}
	u.OnDuty = onDuty
	return c.JSON(http.StatusOK, toUserJSON(u))
}

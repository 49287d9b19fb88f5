package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/account"
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
func (h *accountHandlers) handleMe(c echo.Context) error {
	u, err := h.accounts.Find(c.Request().Context(), claimsOf(c).UserID)
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
func (h *accountHandlers) handleMePosition(c echo.Context) error {
	var req positionRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Lat == nil || req.Lng == nil {
		return invalid("lat", "lat and lng are required")
	}
	u, err := h.accounts.UpdatePosition(c.Request().Context(), claimsOf(c),
		account.Position{Lat: *req.Lat, Lng: *req.Lng, CoordSystem: req.CoordSystem, OnDuty: req.OnDuty})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUserJSON(u))
}

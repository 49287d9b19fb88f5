package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// handleStats answers received, handled, handling rate, on-time rate,
// 按期结案率 and 返工率, overall and by unit, category and day. from and to
// are dates (YYYY-MM-DD, Asia/Shanghai); the default is the last 30 days.
func (s *Server) handleStats(c echo.Context) error {
	loc := s.dispatch.Calendar.Location()
	now := s.now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	from, to := today.AddDate(0, 0, -29), today.AddDate(0, 0, 1)
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := c.QueryParam(name); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, loc)
			if err != nil {
				return invalid(name, "%s must be a date like 2026-11-26", name)
			}
			if name == "to" {
				t = t.AddDate(0, 0, 1) // inclusive
			}
			*dst = t
		}
	}
	if !from.Before(to) {
		return invalid("from", "from must not be after to")
	}
	rep, err := s.dispatch.Stats(c.Request().Context(), claimsOf(c), from.UTC(), to.UTC())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{
		"from": from.Format("2006-01-02"), "to": to.AddDate(0, 0, -1).Format("2006-01-02"),
		"total": rep.Total, "by_unit": rep.ByUnit, "by_category": rep.ByCategory, "by_day": rep.ByDay,
	})
}

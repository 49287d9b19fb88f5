package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia/dispatch"
)

// handleStats answers the KPIs of dispatch/kpi.go, overall and by unit,
// district, category and day. from and to are dates (YYYY-MM-DD, Haikou
// time); the default is the last 30 days.
func (h *complaintHandlers) handleStats(c echo.Context) error {
	loc := h.dispatch.Calendar.Location()
	now := h.now().In(loc)
	from, to, err := dateRange(c, loc, now.AddDate(0, 0, -29), now)
	if err != nil {
		return err
	}
	rep, err := h.dispatch.Stats(c.Request().Context(), claimsOf(c), from.UTC(), to.UTC())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{
		"from": from.Format("2006-01-02"), "to": to.AddDate(0, 0, -1).Format("2006-01-02"),
		"total": rep.Total, "by_unit": rep.ByUnit, "by_district": rep.ByDistrict, "by_category": rep.ByCategory, "by_day": rep.ByDay,
	})
}

// handleStatsRanking ranks units and districts over a month (month=YYYY-MM,
// default this month) by 响应率, 解决率 and 满意率, weighted as
// dispatch.RankingWeights says.
func (h *complaintHandlers) handleStatsRanking(c echo.Context) error {
	loc := h.dispatch.Calendar.Location()
	now := h.now().In(loc)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	if v := c.QueryParam("month"); v != "" {
		t, err := time.ParseInLocation("2006-01", v, loc)
		if err != nil {
			return invalid("month", "month must look like 2026-11")
		}
		from = t
	}
	rep, err := h.dispatch.Stats(c.Request().Context(), claimsOf(c), from.UTC(), from.AddDate(0, 1, 0).UTC())
	if err != nil {
		return err
	}
	w := dispatch.RankingWeights
	return c.JSON(http.StatusOK, map[string]any{
		"month":     from.Format("2006-01"),
		"weights":   map[string]float64{"response_rate": w.Response, "solution_rate": w.Solution, "satisfaction_rate": w.Satisfaction},
		"units":     dispatch.Ranking(rep.ByUnit),
		"districts": dispatch.Ranking(rep.ByDistrict),
	})
}

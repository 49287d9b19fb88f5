package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
)

type noticeJSON struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	Area        string     `json:"area,omitempty"`
	ValidFrom   time.Time  `json:"valid_from"`
	ValidUntil  time.Time  `json:"valid_until"`
	CreatedAt   time.Time  `json:"created_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
	Current     bool       `json:"current"`
}

func (s *Server) toNoticeJSON(n *guanjia.Notice) noticeJSON {
	return noticeJSON{ID: n.ID, Kind: string(n.Kind), Title: n.Title, Body: n.Body, Area: n.Area,
		ValidFrom: n.ValidFrom, ValidUntil: n.ValidUntil, CreatedAt: n.CreatedAt, WithdrawnAt: n.WithdrawnAt,
		Current: n.Current(s.now())}
}

func (s *Server) noticeList(c echo.Context, f guanjia.NoticeFilter) error {
	list, err := s.notices.ListNotices(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]noticeJSON, len(list))
	for i, n := range list {
		out[i] = s.toNoticeJSON(n)
	}
	return c.JSON(http.StatusOK, map[string]any{"notices": out})
}

// handleNoticeList answers the 温馨告知 current now. Anyone may read them,
// signed in or not: the mini-program shows them before a citizen reports.
func (s *Server) handleNoticeList(c echo.Context) error {
	now := s.now()
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return s.noticeList(c, guanjia.NoticeFilter{CurrentAt: &now})
}

// handleNoticeListAll answers every notice, past and upcoming too, for the console.
func (s *Server) handleNoticeListAll(c echo.Context) error {
	limit, err := queryInt(c, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	return s.noticeList(c, guanjia.NoticeFilter{Limit: limit})
}

type noticeRequest struct {
	Kind       string `json:"kind"`
	Title      string `json:"title"`
	Body       string `json:"body"`
	Area       string `json:"area"`
	ValidFrom  string `json:"valid_from"` // RFC 3339, e.g. 2026-08-10T09:00:00+08:00; default now
	ValidUntil string `json:"valid_until"`
}

// handleNoticeCreate publishes a notice with its validity window.
func (s *Server) handleNoticeCreate(c echo.Context) error {
	var req noticeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Second)
	n := &guanjia.Notice{Kind: guanjia.NoticeKind(req.Kind), Title: req.Title, Body: req.Body, Area: req.Area,
		ValidFrom: now, PublishedBy: claimsOf(c).UserID, CreatedAt: now}
	for _, f := range []struct {
		name, value string
		dst         *time.Time
	}{{"valid_from", req.ValidFrom, &n.ValidFrom}, {"valid_until", req.ValidUntil, &n.ValidUntil}} {
		if f.value == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, f.value)
		if err != nil {
			return invalid(f.name, "%s must be a time like 2026-08-10T09:00:00+08:00", f.name)
		}
		*f.dst = t.UTC()
	}
	if err := n.Validate(); err != nil {
		return err
	}
	if !n.ValidUntil.After(now) {
		return invalid("valid_until", "the notice would already have expired")
	}
	if err := s.notices.CreateNotice(c.Request().Context(), n); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.toNoticeJSON(n))
}

// handleNoticeWithdraw takes a notice down before its window ends.
func (s *Server) handleNoticeWithdraw(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.notices.WithdrawNotice(ctx, id, claimsOf(c).UserID, s.now().UTC().Truncate(time.Second)); err != nil {
		return err
	}
	n, err := s.notices.FindNotice(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.toNoticeJSON(n))
}

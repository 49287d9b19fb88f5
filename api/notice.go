package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/notice"
)

// noticeHandlers serve 温馨告知.
type noticeHandlers struct {
	notices *notice.Service
}

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

func (h *noticeHandlers) toNoticeJSON(n *guanjia.Notice) noticeJSON {
	return noticeJSON{ID: n.ID, Kind: string(n.Kind), Title: n.Title, Body: n.Body, Area: n.Area,
		ValidFrom: n.ValidFrom, ValidUntil: n.ValidUntil, CreatedAt: n.CreatedAt, WithdrawnAt: n.WithdrawnAt,
		Current: n.Current(h.notices.Now())}
}

func (h *noticeHandlers) answerList(c echo.Context, list []*guanjia.Notice, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"notices": mapJSON(list, h.toNoticeJSON)})
}

// handleNoticeList answers the 温馨告知 current now. Anyone may read them,
// signed in or not: the mini-program shows them before a citizen reports.
func (h *noticeHandlers) handleNoticeList(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	list, err := h.notices.Current(c.Request().Context())
	return h.answerList(c, list, err)
}

// handleNoticeListAll answers every notice, past and upcoming too, for the console.
func (h *noticeHandlers) handleNoticeListAll(c echo.Context) error {
	limit, err := queryInt(c, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	list, err := h.notices.All(c.Request().Context(), limit)
	return h.answerList(c, list, err)
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
func (h *noticeHandlers) handleNoticeCreate(c echo.Context) error {
	var req noticeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	in := notice.Input{Kind: guanjia.NoticeKind(req.Kind), Title: req.Title, Body: req.Body, Area: req.Area}
	if err := parseTimes(timeField{"valid_from", req.ValidFrom, &in.ValidFrom}, timeField{"valid_until", req.ValidUntil, &in.ValidUntil}); err != nil {
		return err
	}
	n, err := h.notices.Publish(c.Request().Context(), claimsOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, h.toNoticeJSON(n))
}

// handleNoticeWithdraw takes a notice down before its window ends.
func (h *noticeHandlers) handleNoticeWithdraw(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	n, err := h.notices.Withdraw(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h.toNoticeJSON(n))
}

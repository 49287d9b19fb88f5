package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/dispatch"
)

// The inbox (站内消息) of every staff member: 催办, 督办, new tasks and the
// manual queue, written with the change they report. It is the channel that
// always exists; 企业微信 is an extra.

// messageHandlers serve the messages staff get: their inbox, the delivery
// log (notification.go) and its outcomes on the dashboard.
type messageHandlers struct {
	inbox         guanjia.InboxStore
	notifications guanjia.NotificationStore
	deliveries    DeliveryCounter
	now           func() time.Time
}

type inboxJSON struct {
	ID        int64             `json:"id"`
	Complaint *int64            `json:"complaint"`
	Template  string            `json:"template"`
	Text      string            `json:"text"` // one line of Chinese naming the complaint
	Data      map[string]string `json:"data,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	Read      bool              `json:"read"`
	ReadAt    *time.Time        `json:"read_at,omitempty"`
}

func toInboxJSON(n *guanjia.Notification) inboxJSON {
	var id int64
	if n.ComplaintID != nil {
		id = *n.ComplaintID
	}
	return inboxJSON{ID: n.ID, Complaint: n.ComplaintID, Template: n.Template, Text: dispatch.InboxText(n.Template, id, n.Data),
		Data: n.Data, CreatedAt: n.CreatedAt, Read: n.ReadAt != nil, ReadAt: n.ReadAt}
}

// maxInboxPage bounds one page of the inbox.
const maxInboxPage = 100

// handleInboxList answers my messages newest first (?limit=, ?before=<id> for
// the next page) with how many are unread.
func (h *messageHandlers) handleInboxList(c echo.Context) error {
	limit, err := queryInt(c, "limit", 20, 1, maxInboxPage)
	if err != nil {
		return err
	}
	var before int64
	if v := c.QueryParam("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before <= 0 {
			return invalid("before", "before must be a message id")
		}
	}
	ctx, me := c.Request().Context(), claimsOf(c).UserID
	list, err := h.inbox.ListInbox(ctx, me, before, limit)
	if err != nil {
		return err
	}
	unread, err := h.inbox.CountUnread(ctx, me)
	if err != nil {
		return err
	}
	out := mapJSON(list, toInboxJSON)
	var next *int64
	if len(list) == limit {
		next = &list[len(list)-1].ID
	}
	return c.JSON(http.StatusOK, map[string]any{"messages": out, "unread": unread, "next_before": next})
}

// handleInboxRead marks one of my messages read; another's is a 404.
func (h *messageHandlers) handleInboxRead(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx, me := c.Request().Context(), claimsOf(c).UserID
	n, err := h.inbox.MarkRead(ctx, me, id, h.now())
	if err != nil {
		return err
	}
	unread, err := h.inbox.CountUnread(ctx, me)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"message": toInboxJSON(n), "unread": unread})
}

// handleInboxReadAll marks all my messages read.
func (h *messageHandlers) handleInboxReadAll(c echo.Context) error {
	n, err := h.inbox.MarkAllRead(c.Request().Context(), claimsOf(c).UserID, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"marked": n, "unread": 0})
}

package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
)

type notificationJSON struct {
	ID        int64             `json:"id"`
	Recipient int64             `json:"recipient"`
	Channel   string            `json:"channel"`
	Template  string            `json:"template"`
	Complaint *int64            `json:"complaint,omitempty"`
	Data      map[string]string `json:"data,omitempty"`
	Status    string            `json:"status"`
	Attempts  int               `json:"attempts"`
	Error     string            `json:"error,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	SentAt    *time.Time        `json:"sent_at,omitempty"`
}

// handleNotificationList is the delivery log (?complaint=&user=), for staff.
func (s *Server) handleNotificationList(c echo.Context) error {
	var f guanjia.NotificationFilter
	for name, dst := range map[string]**int64{"complaint": &f.ComplaintID, "user": &f.RecipientID} {
		if v := c.QueryParam(name); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return invalid(name, "%s must be an id", name)
			}
			*dst = &id
		}
	}
	who := claimsOf(c)
	if who.Role == guanjia.RoleCrew {
		f.RecipientID = &who.UserID // a crew member sees their own pushes
	}
	list, err := s.notifications.ListNotifications(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]notificationJSON, len(list))
	for i, n := range list {
		out[i] = notificationJSON{ID: n.ID, Recipient: n.RecipientID, Channel: n.Channel, Template: n.Template,
			Complaint: n.ComplaintID, Data: n.Data, Status: n.Status, Attempts: n.Attempts, Error: n.Error,
			CreatedAt: n.CreatedAt, SentAt: n.SentAt}
	}
	return c.JSON(http.StatusOK, map[string]any{"notifications": out})
}

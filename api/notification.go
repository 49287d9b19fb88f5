package api

import (
	"context"
	"net/http"
	"slices"
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

// handleNotificationList is the delivery log (?complaint=&user=&status=), for staff.
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
	if st := c.QueryParam("status"); st != "" {
		if !slices.Contains(guanjia.DeliveryStatuses, st) {
			return invalid("status", "status is one of %v", guanjia.DeliveryStatuses)
		}
		f.Status = st
	}
	if limit, err := queryInt(c, "limit", 100); err != nil {
		return err
	} else if limit < 1 || limit > 500 {
		return invalid("limit", "limit is 1 to 500")
	} else {
		f.Limit = limit
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

// DeliveryCounter counts delivery outcomes, for the dashboard.
type DeliveryCounter interface {
	DeliveryCounts(ctx context.Context, since time.Time) ([]guanjia.DeliveryCount, error)
}

// handleDeliveryStats answers how the messages of the last ?days= (default 7,
// at most 90) ended, by channel and status, with the failed ones to look at
// (a row that reached nobody on a channel: failed, or retrying still).
func (s *Server) handleDeliveryStats(c echo.Context) error {
	days, err := queryInt(c, "days", 7)
	if err != nil {
		return err
	}
	if days < 1 || days > 90 {
		return invalid("days", "days is 1 to 90")
	}
	ctx := c.Request().Context()
	since := s.now().Add(-time.Duration(days) * 24 * time.Hour)
	counts, err := s.deliveries.DeliveryCounts(ctx, since)
	if err != nil {
		return err
	}
	total := map[string]int{}
	for _, d := range counts {
		total[d.Status] += d.Count
	}
	failed, err := s.notifications.ListNotifications(ctx, guanjia.NotificationFilter{Status: guanjia.DeliveryFailed, Limit: 20})
	if err != nil {
		return err
	}
	recent := make([]notificationJSON, 0, len(failed))
	for _, n := range failed {
		if n.CreatedAt.Before(since) {
			continue
		}
		recent = append(recent, notificationJSON{ID: n.ID, Recipient: n.RecipientID, Channel: n.Channel, Template: n.Template,
			Complaint: n.ComplaintID, Status: n.Status, Attempts: n.Attempts, Error: n.Error, CreatedAt: n.CreatedAt, SentAt: n.SentAt})
	}
	if counts == nil {
		counts = []guanjia.DeliveryCount{}
	}
	return c.JSON(http.StatusOK, map[string]any{
		"since": since, "days": days, "failed": total[guanjia.DeliveryFailed], "retrying": total[guanjia.DeliveryRetrying],
		"pending": total[guanjia.DeliveryPending], "no_channel": total[guanjia.DeliveryNoChannel],
		"no_consent": total[guanjia.DeliveryNoConsent], "sent": total[guanjia.DeliverySent],
		"by_channel": counts, "recent_failed": recent,
	})
}

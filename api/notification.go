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

func toNotificationJSON(n *guanjia.Notification) notificationJSON {
	return notificationJSON{ID: n.ID, Recipient: n.RecipientID, Channel: n.Channel, Template: n.Template,
		Complaint: n.ComplaintID, Data: n.Data, Status: n.Status, Attempts: n.Attempts, Error: n.Error,
		CreatedAt: n.CreatedAt, SentAt: n.SentAt}
}

// scopeNotifications narrows f to the part of the delivery log who may
// read: the hotline and the command center the messages about the city's
// complaints, admins everything, a unit admin their unit's (its complaints
// and its staff), a crew member the messages sent to them. Citizens have no
// delivery log.
func scopeNotifications(who guanjia.Claims, f *guanjia.NotificationFilter) error {
	switch who.Role {
	case guanjia.RoleAgent, guanjia.RoleDispatcher:
		f.ComplaintsOnly = true
	case guanjia.RoleAdmin:
	case guanjia.RoleUnitAdmin:
		f.UnitCode = who.UnitCode
	case guanjia.RoleCrew:
		f.RecipientID = &who.UserID
	default:
		return guanjia.Errorf(guanjia.EFORBIDDEN, "the delivery log is for staff")
	}
	return nil
}

// handleNotificationList is the delivery log (?complaint=&user=&status=), for
// staff, each within their scope (scopeNotifications).
func (h *messageHandlers) handleNotificationList(c echo.Context) error {
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
	if limit, err := queryInt(c, "limit", 100, 1, 500); err != nil {
		return err
	} else {
		f.Limit = limit
	}
	if err := scopeNotifications(claimsOf(c), &f); err != nil {
		return err
	}
	list, err := h.notifications.ListNotifications(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"notifications": mapJSON(list, toNotificationJSON)})
}

// DeliveryCounter counts delivery outcomes, for the dashboard.
type DeliveryCounter interface {
	// DeliveryCounts counts the messages of the part of the log scope keeps.
	DeliveryCounts(ctx context.Context, since time.Time, scope guanjia.NotificationFilter) ([]guanjia.DeliveryCount, error)
}

// handleDeliveryStats answers how the messages of the last ?days= (default 7,
// at most 90) ended, by channel and status, with the failed ones to look at
// (a row that reached nobody on a channel: failed, or retrying still).
func (h *messageHandlers) handleDeliveryStats(c echo.Context) error {
	days, err := queryInt(c, "days", 7, 1, 90)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	since := h.now().Add(-time.Duration(days) * 24 * time.Hour)
	failedFilter := guanjia.NotificationFilter{Status: guanjia.DeliveryFailed, Limit: 20}
	if err := scopeNotifications(claimsOf(c), &failedFilter); err != nil { // a unit admin: their unit's figures
		return err
	}
	counts, err := h.deliveries.DeliveryCounts(ctx, since, failedFilter) // by every status, in the same scope
	if err != nil {
		return err
	}
	total := map[string]int{}
	for _, d := range counts {
		total[d.Status] += d.Count
	}
	failed, err := h.notifications.ListNotifications(ctx, failedFilter)
	if err != nil {
		return err
	}
	recent := make([]notificationJSON, 0, len(failed))
	for _, n := range failed {
		if n.CreatedAt.Before(since) {
			continue
		}
		row := toNotificationJSON(n)
		row.Data = nil // the dashboard lists outcomes, not contents
		recent = append(recent, row)
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

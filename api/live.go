package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/live"
	"guanjia/mediation"
)

// liveHeartbeat keeps a stream open under the idle timeouts of common proxies.
const liveHeartbeat = 25 * time.Second

// liveRow renders a change for the stream: the complaint as a queue row,
// when who may see it by the rule for reading complaints (dispatch.StaffSees,
// or a grid manager's own patrol report). Citizens, followers included, get
// nothing here: the route is for staff.
func liveRow(who guanjia.Claims, ev live.Event) ([]byte, bool) {
	if ev.Complaint == nil || !(dispatch.StaffSees(who, ev.Complaint) || dispatch.OwnReport(who, ev.Complaint)) {
		return nil, false
	}
	b, err := json.Marshal(toComplaintJSON(ev.Complaint))
	return b, err == nil
}

// liveDispute renders a dispute's change for the stream when who may see
// it (mediation.Sees; grid is a grid manager's grid): which one and where it
// stands. The page reads the rest through the API.
func liveDispute(who guanjia.Claims, grid string, ev live.Event) ([]byte, bool) {
	d := ev.Dispute
	if d == nil || !mediation.Sees(who, grid, d) {
		return nil, false
	}
	b, err := json.Marshal(map[string]any{"id": d.ID, "number": d.Number, "status": d.Status, "updated_at": d.UpdatedAt})
	return b, err == nil
}

// handleLive streams the changes the caller may see as server-sent events
// ("complaint" with the row, "dispute" with its id and status, "inbox" when
// the caller's inbox has new messages, "resync" when some were lost), until
// the client leaves or the server shuts down.
func (h *consoleHandlers) handleLive(c echo.Context) error {
	ctx := c.Request().Context()
	who := claimsOf(c)
	session := signedToken{Claims: who, session: sessionOf(c)}
	opened, err := h.sessions.current(ctx, session)
	if err != nil {
		return err
	}
	grid := "" // a grid manager hears of their grid's disputes
	if who.Role == guanjia.RoleGridManager {
		grid = opened.grid
	}
	sub, err := h.live.Subscribe(ctx)
	if err != nil {
		return err
	}
	defer h.live.Unsubscribe(sub)

	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	w.Header().Set(echo.HeaderCacheControl, "no-store")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not hold events back
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 3000\n\n"); err != nil {
		return nil
	}
	w.Flush()

	heartbeat := time.NewTicker(liveHeartbeat)
	defer heartbeat.Stop()
	recheck := time.NewTicker(time.Second) // a stream ends with its session (logout, disabled, new role or grid)
	defer recheck.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-h.streamsDone:
			return nil
		case <-recheck.C:
			if v, err := h.sessions.current(ctx, session); err != nil || (who.Role == guanjia.RoleGridManager && v.grid != grid) {
				return nil // a moved grid manager's page reconnects, for the new grid
			}
		case <-heartbeat.C:
			_, err = fmt.Fprint(w, ": ping\n\n")
		case ev := <-sub.Events:
			// The row first, then the inbox badge: the order the console shows them in.
			if row, ok := liveRow(who, ev); ok {
				_, err = fmt.Fprintf(w, "event: complaint\ndata: %s\n\n", row)
			} else if row, ok := liveDispute(who, grid, ev); ok {
				_, err = fmt.Fprintf(w, "event: dispute\ndata: %s\n\n", row)
			}
			if err == nil && slices.Contains(ev.Inbox, who.UserID) {
				_, err = fmt.Fprint(w, "event: inbox\ndata: {}\n\n")
			}
		}
		if err == nil && sub.Lost() {
			_, err = fmt.Fprint(w, "event: resync\ndata: {}\n\n")
		}
		if err != nil {
			return nil // the client has gone
		}
		w.Flush()
	}
}

// closeStreams ends every live stream; the HTTP server calls it when it
// starts shutting down, since it does not cancel requests that never finish.
func (h *consoleHandlers) closeStreams() {
	h.closeStreamsOnce.Do(func() { close(h.streamsDone) })
}

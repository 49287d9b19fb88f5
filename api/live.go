package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/dispatch"
)

// liveChannel is the Redis pub/sub channel of complaint changes. Every
// process that changes complaints (API replicas, workers) publishes on it;
// every API replica subscribes once and fans out to its own browsers.
// Pub/sub ignores database numbers, so the number is part of the name: two
// deployments on one Redis, each in its own database, do not hear each other.
const liveChannel = "guanjia:live:complaints"

const (
	livePublishTimeout = time.Second      // a workflow step waits at most this long for Redis
	liveBuffer         = 64               // events a slow browser may fall behind before it must resync
	liveHeartbeat      = 25 * time.Second // under the idle timeouts of common proxies
)

// Live fans "complaint changed" out to the console's live queues through
// Redis pub/sub, so a change made on any replica, or by a worker's SLA timer,
// reaches browsers connected to every replica.
type Live struct {
	rdb     redis.UniversalClient
	channel string
	log     *slog.Logger

	mu   sync.Mutex
	ps   *redis.PubSub // the one subscription of this process; nil while nobody listens
	done chan struct{} // closed when ps's fan-out loop has ended
	subs map[*liveSub]struct{}
}

// NewLive returns a Live publishing and subscribing on rdb.
func NewLive(rdb redis.UniversalClient, log *slog.Logger) *Live {
	if log == nil {
		log = slog.Default()
	}
	channel := liveChannel
	if c, ok := rdb.(*redis.Client); ok { // a cluster has no database numbers
		channel = fmt.Sprintf("%s:%d", liveChannel, c.Options().DB)
	}
	return &Live{rdb: rdb, channel: channel, log: log, subs: map[*liveSub]struct{}{}}
}

var (
	_ dispatch.Publisher      = (*Live)(nil)
	_ dispatch.InboxPublisher = (*Live)(nil)
)

// InboxChanged tells the live pages of users that their inbox has new
// messages. Like ComplaintChanged, a failure is logged: the messages are
// saved, and pages read the inbox when they (re)connect.
func (l *Live) InboxChanged(ctx context.Context, users []int64) {
	b, err := json.Marshal(map[string][]int64{"inbox": users})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), livePublishTimeout)
	defer cancel()
	if err := l.rdb.Publish(ctx, l.channel, b).Err(); err != nil {
		l.log.Warn("live: publish inbox change", "users", len(users), "err", err)
	}
}

// ComplaintChanged publishes c. A failure is logged, not returned: the
// change is saved, and pages resync on reconnect and on their own timer.
func (l *Live) ComplaintChanged(ctx context.Context, c *guanjia.Complaint) {
	row := toComplaintJSON(c)
	row.CallerName, row.CallerPhone = "", "" // a queue row needs no caller details
	b, err := json.Marshal(row)
	if err != nil {
		l.log.Error("live: encode complaint", "complaint", c.ID, "err", err)
		return
	}
	// The request may end right after the change; the news should still go out.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), livePublishTimeout)
	defer cancel()
	if err := l.rdb.Publish(ctx, l.channel, b).Err(); err != nil {
		l.log.Warn("live: publish complaint change", "complaint", c.ID, "err", err)
	}
}

// liveEvent is one change as received, with what visibility needs decoded once.
type liveEvent struct {
	data     []byte
	unit     string
	assignee *int64
	open     bool
	inbox    []int64 // an inbox change: whose inboxes have new messages
}

type liveSub struct {
	events chan liveEvent
	lost   atomic.Bool // an event was dropped: the browser must reload its view
}

// subscribe adds a listener, subscribing to Redis when it is the first.
// It returns once the subscription is confirmed, so no later change is missed.
func (l *Live) subscribe(ctx context.Context) (*liveSub, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ps == nil {
		ps := l.rdb.Subscribe(ctx, l.channel)
		if _, err := ps.Receive(ctx); err != nil {
			ps.Close()
			return nil, fmt.Errorf("live: subscribe %s: %w", l.channel, err)
		}
		l.ps, l.done = ps, make(chan struct{})
		go l.fanOut(ps, l.done)
	}
	sub := &liveSub{events: make(chan liveEvent, liveBuffer)}
	l.subs[sub] = struct{}{}
	return sub, nil
}

// unsubscribe removes a listener; the last one out closes the Redis subscription.
func (l *Live) unsubscribe(sub *liveSub) {
	l.mu.Lock()
	delete(l.subs, sub)
	var ps *redis.PubSub
	var done chan struct{}
	if len(l.subs) == 0 && l.ps != nil {
		ps, done, l.ps = l.ps, l.done, nil
	}
	l.mu.Unlock()
	if ps != nil {
		ps.Close()
		<-done
	}
}

// fanOut copies each message of ps to every listener without waiting for
// any: a listener whose buffer is full loses the event and is told to resync.
func (l *Live) fanOut(ps *redis.PubSub, done chan struct{}) {
	defer close(done)
	for msg := range ps.Channel() {
		var head struct {
			Unit     string  `json:"unit"`
			Assignee *int64  `json:"assignee"`
			Status   string  `json:"status"`
			Inbox    []int64 `json:"inbox"`
		}
		if err := json.Unmarshal([]byte(msg.Payload), &head); err != nil {
			l.log.Warn("live: undecodable message", "err", err)
			continue
		}
		ev := liveEvent{data: []byte(msg.Payload), unit: head.Unit, assignee: head.Assignee, open: guanjia.Status(head.Status).Open(), inbox: head.Inbox}
		l.mu.Lock()
		if l.ps == ps { // a subscription being closed delivers nothing more
			for sub := range l.subs {
				select {
				case sub.events <- ev:
				default:
					sub.lost.Store(true)
				}
			}
		}
		l.mu.Unlock()
	}
}

// visible says whether who may see a change in the live feed, by the rule
// for reading the complaint (dispatch.StaffSees). Citizens, followers
// included, get nothing here: the route is for staff.
func (ev liveEvent) visible(who guanjia.Claims) bool {
	status := guanjia.StatusClosed
	if ev.open {
		status = guanjia.StatusSubmitted // any open status: the rule asks only whether it is open
	}
	return dispatch.StaffSees(who, &guanjia.Complaint{UnitCode: ev.unit, AssigneeID: ev.assignee, Status: status})
}

// handleLive streams complaint changes the caller may see as server-sent
// events ("complaint" with the row, "inbox" when the caller's inbox has new
// messages, "resync" when some were lost), until the client leaves or the
// server shuts down.
func (s *Server) handleLive(c echo.Context) error {
	ctx := c.Request().Context()
	who := claimsOf(c)
	sub, err := s.live.subscribe(ctx)
	if err != nil {
		return err
	}
	defer s.live.unsubscribe(sub)

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
	recheck := time.NewTicker(time.Second) // a stream ends with its session (logout, disabled, new role)
	defer recheck.Stop()
	session := signedToken{Claims: who, session: sessionOf(c)}
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-s.streamsDone:
			return nil
		case <-recheck.C:
			if s.sessionAdmits(ctx, session) != nil {
				return nil
			}
		case <-heartbeat.C:
			_, err = fmt.Fprint(w, ": ping\n\n")
		case ev := <-sub.events:
			switch {
			case ev.inbox != nil:
				if slices.Contains(ev.inbox, who.UserID) {
					_, err = fmt.Fprint(w, "event: inbox\ndata: {}\n\n")
				}
			case ev.visible(who):
				_, err = fmt.Fprintf(w, "event: complaint\ndata: %s\n\n", ev.data)
			}
		}
		if err == nil && sub.lost.Swap(false) {
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
func (s *Server) closeStreams() {
	s.closeStreamsOnce.Do(func() { close(s.streamsDone) })
}

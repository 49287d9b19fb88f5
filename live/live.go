// Package live carries "a complaint changed", "a dispute changed" and "an
// inbox has new messages" between processes over Redis pub/sub: every
// process that changes complaints or disputes (API replicas, workers)
// publishes, and every API replica subscribes once and fans the news out to
// its own browsers. It knows nothing of HTTP: the API decides who may see an
// event and renders it.
package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"guanjia"
)

// Channel is the Redis pub/sub channel of the changes. Pub/sub ignores
// database numbers, so the number is part of the name: two deployments on
// one Redis, each in its own database, do not hear each other.
const Channel = "guanjia:live:complaints"

const (
	publishTimeout = time.Second // a workflow step waits at most this long for Redis
	// Buffer is how many events a slow listener may fall behind before it must resync.
	Buffer = 64
)

// Event is one change as received: a complaint (without its caller's
// details), a dispute (who it belongs to and where it stands, without its
// parties), the users whose inboxes have new messages, or a complaint and
// the inboxes its change wrote to.
type Event struct {
	Complaint *guanjia.Complaint `json:"complaint,omitempty"`
	Dispute   *guanjia.Dispute   `json:"dispute,omitempty"`
	Inbox     []int64            `json:"inbox,omitempty"`
}

// Sub is one listener: a browser's live stream.
type Sub struct {
	Events chan Event
	lost   atomic.Bool // an event was dropped: the browser must reload its view
}

// Lost reports, and forgets, whether events were dropped since the last call.
func (s *Sub) Lost() bool { return s.lost.Swap(false) }

// Live publishes changes and fans them out to this process's listeners.
type Live struct {
	rdb     redis.UniversalClient
	channel string
	log     *slog.Logger

	mu   sync.Mutex
	ps   *redis.PubSub // the one subscription of this process; nil while nobody listens
	done chan struct{} // closed when ps's fan-out loop has ended
	subs map[*Sub]struct{}
}

// New returns a Live publishing and subscribing on rdb.
func New(rdb redis.UniversalClient, log *slog.Logger) *Live {
	if log == nil {
		log = slog.Default()
	}
	return &Live{rdb: rdb, channel: ChannelOf(rdb, Channel), log: log, subs: map[*Sub]struct{}{}}
}

// ChannelOf names a pub/sub channel on rdb: pub/sub ignores database
// numbers, so the number is added to name, and two deployments on one
// Redis, each in its own database, do not hear each other. A cluster has
// no database numbers.
func ChannelOf(rdb redis.UniversalClient, name string) string {
	if c, ok := rdb.(*redis.Client); ok {
		return fmt.Sprintf("%s:%d", name, c.Options().DB)
	}
	return name
}

// InboxChanged tells the live pages of users that their inbox has new
// messages; no users, no news. Like ComplaintChanged, a failure is logged:
// the messages are saved, and pages read the inbox when they (re)connect.
func (l *Live) InboxChanged(ctx context.Context, users []int64) {
	if len(users) == 0 {
		return
	}
	l.publish(ctx, Event{Inbox: users}, "inbox", len(users))
}

// ComplaintChanged publishes c, and with it the users whose inboxes got
// messages in the same change. A failure is logged, not returned: the
// change is saved, and pages resync on reconnect and on their own timer.
func (l *Live) ComplaintChanged(ctx context.Context, c *guanjia.Complaint, inbox []int64) {
	row := *c
	row.CallerName, row.CallerPhone = "", "" // a queue row needs no caller details
	l.publish(ctx, Event{Complaint: &row, Inbox: inbox}, "complaint", c.ID)
}

// DisputeChanged publishes that d changed: its id, status and whose it is
// (committee, grid, reporter), which is what the API decides who hears by.
// Pages read the rest through the API, so no party's details travel here.
func (l *Live) DisputeChanged(ctx context.Context, d *guanjia.Dispute) {
	l.publish(ctx, Event{Dispute: &guanjia.Dispute{ID: d.ID, Number: d.Number, Status: d.Status, CommitteeCode: d.CommitteeCode,
		GridID: d.GridID, ReporterID: d.ReporterID, UpdatedAt: d.UpdatedAt}}, "dispute", d.ID)
}

func (l *Live) publish(ctx context.Context, ev Event, kind string, id any) {
	b, err := json.Marshal(ev)
	if err != nil {
		l.log.Error("live: encode change", "kind", kind, "id", id, "err", err)
		return
	}
	// The request may end right after the change; the news should still go out.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	if err := l.rdb.Publish(ctx, l.channel, b).Err(); err != nil {
		l.log.Warn("live: publish change", "kind", kind, "id", id, "err", err)
	}
}

// Subscribe adds a listener, subscribing to Redis when it is the first.
// It returns once the subscription is confirmed, so no later change is missed.
func (l *Live) Subscribe(ctx context.Context) (*Sub, error) {
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
	sub := &Sub{Events: make(chan Event, Buffer)}
	l.subs[sub] = struct{}{}
	return sub, nil
}

// Unsubscribe removes a listener; the last one out closes the Redis subscription.
func (l *Live) Unsubscribe(sub *Sub) {
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

// subscribed reports whether the process holds a Redis subscription.
func (l *Live) subscribed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ps != nil
}

// fanOut copies each message of ps to every listener without waiting for
// any: a listener whose buffer is full loses the event and is told to resync.
func (l *Live) fanOut(ps *redis.PubSub, done chan struct{}) {
	defer close(done)
	for msg := range ps.Channel() {
		var ev Event
		if err := json.Unmarshal([]byte(msg.Payload), &ev); err != nil || (ev.Complaint == nil && ev.Dispute == nil && ev.Inbox == nil) {
			l.log.Warn("live: undecodable message", "err", err)
			continue
		}
		l.mu.Lock()
		if l.ps == ps { // a subscription being closed delivers nothing more
			for sub := range l.subs {
				select {
				case sub.Events <- ev:
				default:
					sub.lost.Store(true)
				}
			}
		}
		l.mu.Unlock()
	}
}

package api

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/internal/testenv"
)

// A browser that falls behind loses events, never blocks the others, and is
// told to resync; the last one out closes the Redis subscription, and the
// next one in opens it again.
func TestLiveSlowListener(t *testing.T) {
	ctx := context.Background()
	rdb := redis.NewClient(testenv.MustRedis(t))
	defer rdb.Close()
	l := NewLive(rdb, nil)

	slow, err := l.subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := l.subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The reading listener takes each event before the next is published;
	// the slow one reads nothing.
	const n = liveBuffer + 10
	for i := 1; i <= n; i++ {
		l.ComplaintChanged(ctx, &guanjia.Complaint{ID: int64(i), Status: guanjia.StatusDispatched, UnitCode: "lh-hw"})
		select {
		case ev := <-fast.events:
			if ev.unit != "lh-hw" || !ev.open {
				t.Fatalf("event %d decoded as %+v", i, ev)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the reading listener did not get event %d", i)
		}
	}
	if fast.lost.Load() {
		t.Error("the reading listener was told it lost events")
	}
	if len(slow.events) != liveBuffer || !slow.lost.Load() {
		t.Errorf("the slow listener holds %d events (lost %v), want its %d buffered and the rest marked lost",
			len(slow.events), slow.lost.Load(), liveBuffer)
	}

	l.unsubscribe(slow)
	l.unsubscribe(fast)
	l.mu.Lock()
	open := l.ps != nil
	l.mu.Unlock()
	if open {
		t.Error("the Redis subscription outlived its last listener")
	}

	again, err := l.subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer l.unsubscribe(again)
	l.ComplaintChanged(ctx, &guanjia.Complaint{ID: 99, Status: guanjia.StatusAccepted})
	select {
	case ev := <-again.events:
		if ev.open != true || ev.assignee != nil {
			t.Errorf("event decoded as %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event after subscribing again")
	}
}

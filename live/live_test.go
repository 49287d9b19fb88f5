package live

import (
	"context"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
)

// A browser that falls behind loses events, never blocks the others, and is
// told to resync; the last one out closes the Redis subscription, and the
// next one in opens it again.
func TestLiveSlowListener(t *testing.T) {
	ctx := context.Background()
	rdb := testenv.MustRedisConn(t).Client(t)
	l := New(rdb, nil)

	slow, err := l.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := l.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The reading listener takes each event before the next is published;
	// the slow one reads nothing.
	const n = Buffer + 10
	for i := 1; i <= n; i++ {
		l.ComplaintChanged(ctx, &guanjia.Complaint{ID: int64(i), Status: guanjia.StatusDispatched, UnitCode: "lh-hw", CallerPhone: "13800138000"}, nil)
		select {
		case ev := <-fast.Events:
			if c := ev.Complaint; c == nil || c.ID != int64(i) || c.UnitCode != "lh-hw" || c.Status != guanjia.StatusDispatched {
				t.Fatalf("event %d decoded as %+v", i, ev)
			} else if c.CallerPhone != "" {
				t.Fatalf("event %d carries the caller's phone", i)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the reading listener did not get event %d", i)
		}
	}
	if fast.Lost() {
		t.Error("the reading listener was told it lost events")
	}
	if len(slow.Events) != Buffer || !slow.Lost() {
		t.Errorf("the slow listener holds %d events, want its %d buffered and the rest marked lost", len(slow.Events), Buffer)
	}

	l.Unsubscribe(slow)
	l.Unsubscribe(fast)
	if l.subscribed() {
		t.Error("the Redis subscription outlived its last listener")
	}

	again, err := l.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unsubscribe(again)
	l.InboxChanged(ctx, []int64{7, 8})
	select {
	case ev := <-again.Events:
		if ev.Complaint != nil || len(ev.Inbox) != 2 || ev.Inbox[0] != 7 {
			t.Errorf("event decoded as %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event after subscribing again")
	}
}

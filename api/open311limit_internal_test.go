package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/internal/testenv"
)

// TestOpen311Limits: an api_key files perMinute requests in any minute — a
// window that slides, so a burst at the edge of one minute and the start of
// the next is refused — each key on its own count, shared by every replica.
func TestOpen311Limits(t *testing.T) {
	rdb := redis.NewClient(testenv.MustRedis(t))
	t.Cleanup(func() { rdb.Close() })
	start := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	now := start
	h := &open311Handlers{perMinute: 2, rdb: rdb, now: func() time.Time { return now }, log: slog.Default()}
	ctx := context.Background()
	fileAt := func(after time.Duration, client int64) error {
		now = start.Add(after)
		return h.countRequest(ctx, client)
	}
	if fileAt(0, 1) != nil || fileAt(50*time.Second, 1) != nil {
		t.Fatal("two a minute are filed")
	}
	err := fileAt(55*time.Second, 1)
	if guanjia.ErrorCode(err) != guanjia.ETOOMANY {
		t.Fatalf("the third in the minute: %v, want ETOOMANY", err)
	}
	c := echo.New().NewContext(httptest.NewRequest(http.MethodPost, "/", nil), httptest.NewRecorder())
	_ = retryLater(c, err)
	if got := c.Response().Header().Get("Retry-After"); got != "5" {
		t.Fatalf("Retry-After %q, want 5 (s until the first request is a minute old)", got)
	}
	if fileAt(61*time.Second, 1) != nil {
		t.Fatal("a minute after the first request, a third is filed")
	}
	if guanjia.ErrorCode(fileAt(62*time.Second, 1)) != guanjia.ETOOMANY {
		t.Fatal("the requests of 0:50 and 1:01 are in the minute before 1:02: a fourth must wait")
	}
	if fileAt(62*time.Second, 2) != nil {
		t.Fatal("each key has its own count")
	}

	// A second replica shares the count.
	other := &open311Handlers{perMinute: 2, rdb: rdb, now: func() time.Time { return start.Add(63 * time.Second) }, log: slog.Default()}
	if guanjia.ErrorCode(other.countRequest(ctx, 1)) != guanjia.ETOOMANY {
		t.Fatal("another replica lets the key file more")
	}
	if (&open311Handlers{perMinute: 2, now: time.Now}).countRequest(ctx, 1) != nil {
		t.Fatal("without Redis there is no limit")
	}
}

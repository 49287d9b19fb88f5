package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/internal/testenv"
)

func TestOpen311Limits(t *testing.T) {
	rdb := redis.NewClient(testenv.MustRedis(t))
	t.Cleanup(func() { rdb.Close() })
	h := &open311Handlers{perMinute: 2, rdb: rdb, log: slog.Default()}
	ctx := context.Background()
	if h.countRequest(ctx, 1) != nil || h.countRequest(ctx, 1) != nil {
		t.Fatal("two a minute are filed")
	}
	err := h.countRequest(ctx, 1)
	if guanjia.ErrorCode(err) != guanjia.ETOOMANY {
		t.Fatalf("the third in the minute: %v, want ETOOMANY", err)
	}
	if h.countRequest(ctx, 2) != nil {
		t.Fatal("each key has its own count")
	}

	c := echo.New().NewContext(httptest.NewRequest(http.MethodPost, "/", nil), httptest.NewRecorder())
	_ = retryLater(c, err)
	if s, _ := strconv.Atoi(c.Response().Header().Get("Retry-After")); s < 1 || s > 60 {
		t.Fatalf("Retry-After %q, want the rest of the minute", c.Response().Header().Get("Retry-After"))
	}

	// A second replica shares the count.
	other := &open311Handlers{perMinute: 2, rdb: rdb, log: slog.Default()}
	if guanjia.ErrorCode(other.countRequest(ctx, 1)) != guanjia.ETOOMANY {
		t.Fatal("another replica lets the key file more")
	}
	if (&open311Handlers{perMinute: 2}).countRequest(ctx, 1) != nil {
		t.Fatal("without Redis there is no limit")
	}
}

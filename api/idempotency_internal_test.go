package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
	"guanjia/internal/testenv"
)

// A handler that panics answers 500 and leaves the Idempotency-Key free, so
// the client's retry runs instead of getting 409 forever.
func TestPanicFreesIdempotencyKey(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	u := &guanjia.User{Username: "agent-panic", Role: guanjia.RoleAgent}
	if err := db.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	s := New(Config{Secret: "s"}, Deps{Users: db.Users, Catalog: db.Catalog, Notifications: db.Notifications, Idempotency: db.Idempotency,
		Registry: prometheus.NewRegistry(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now})
	calls := 0
	s.echo.POST("/api/v1/test-panic", func(c echo.Context) error {
		calls++
		if calls == 1 {
			panic("boom")
		}
		return c.JSON(http.StatusCreated, map[string]int{"call": calls})
	}, s.sessions.authenticate, s.idempotent)
	tok, err := IssueToken(ctx, db.Users, "s", u, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	post := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/test-panic", strings.NewReader(`{"a":1}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "retry-me")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w
	}
	if w := post(); w.Code != http.StatusInternalServerError {
		t.Fatalf("panicking handler answered %d %s", w.Code, w.Body)
	}
	if w := post(); w.Code != http.StatusCreated || calls != 2 {
		t.Fatalf("retry after the panic: %d %s (calls %d)", w.Code, w.Body, calls)
	}
	if w := post(); w.Code != http.StatusCreated || w.Header().Get("Idempotent-Replayed") != "true" || calls != 2 {
		t.Fatalf("second retry should replay: %d %s (calls %d)", w.Code, w.Body, calls)
	}
}

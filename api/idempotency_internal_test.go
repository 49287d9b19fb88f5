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
	"guanjia/store"
)

// A handler that panics answers 500 and leaves the Idempotency-Key free, so
// the client's retry runs instead of getting 409 forever.
func TestPanicFreesIdempotencyKey(t *testing.T) {
	s, _, _, tok := idempotencyServer(t, guanjia.RoleAgent)
	calls := 0
	s.echo.POST("/api/v1/test-panic", func(c echo.Context) error {
		calls++
		if calls == 1 {
			panic("boom")
		}
		return c.JSON(http.StatusCreated, map[string]int{"call": calls})
	}, s.sessions.authenticate, s.idempotent)
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

// A read-only POST (the category suggestion, asked at every pause in
// typing) is not stored under its Idempotency-Key: the same key with
// another description answers again instead of 422.
func TestReadOnlyPostSkipsIdempotency(t *testing.T) {
	s, db, u, tok := idempotencyServer(t, guanjia.RoleCitizen)
	for _, text := range []string{"路灯不亮", "垃圾没人清运"} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/categories/suggest", strings.NewReader(`{"description":"`+text+`"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "same-key")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusOK || w.Header().Get("Idempotent-Replayed") != "" {
			t.Fatalf("suggest %q: %d %s (replayed %q)", text, w.Code, w.Body, w.Header().Get("Idempotent-Replayed"))
		}
	}
	old, err := db.Idempotency.BeginIdempotent(context.Background(), &guanjia.IdempotentResponse{Key: "same-key", UserID: u.ID, BodyHash: "x"})
	if err != nil || old != nil {
		t.Fatalf("the suggestion's key was stored: %+v %v", old, err)
	}
}

// The role is checked before the Idempotency-Key: a refused caller's body
// is not read and nothing is stored under their key, so an answer given
// while they held a role is never replayed once they lost it.
func TestRefusedRoleStoresNoAnswer(t *testing.T) {
	s, db, u, tok := idempotencyServer(t, guanjia.RoleCitizen)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/users/1/disable", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "not-mine")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusForbidden {
		t.Fatalf("a citizen disables a user: %d %s", w.Code, w.Body)
	}
	old, err := db.Idempotency.BeginIdempotent(context.Background(), &guanjia.IdempotentResponse{Key: "not-mine", UserID: u.ID, BodyHash: "x"})
	if err != nil || old != nil {
		t.Fatalf("the refused request's key was stored: %+v %v", old, err)
	}
}

// A key that is not printable ASCII is refused before anything is stored:
// PostgreSQL would refuse invalid UTF-8 in the claim that concurrent
// requests share.
func TestIdempotencyKeyIsPrintableASCII(t *testing.T) {
	s, db, u, tok := idempotencyServer(t, guanjia.RoleCitizen)
	for _, key := range []string{"bad\xff", "tab\there", "键"} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/complaints", strings.NewReader(`{"category":"1101"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Idempotency-Key") {
			t.Errorf("key %q: %d %s, want 400 naming the header", key, w.Code, w.Body)
		}
		if old, err := db.Idempotency.BeginIdempotent(context.Background(), &guanjia.IdempotentResponse{Key: key, UserID: u.ID, BodyHash: "x"}); err == nil && old != nil {
			t.Errorf("key %q was stored: %+v", key, old)
		}
	}
}

// idempotencyServer is a bare server on a test database with one signed-in
// user of role, and that user's token.
func idempotencyServer(t *testing.T, role guanjia.Role) (*Server, *store.DB, *guanjia.User, string) {
	t.Helper()
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	u := &guanjia.User{Username: "user-" + string(role), Role: role}
	if err := db.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	s := New(Config{Secret: "s"}, Deps{Users: db.Users, Catalog: db.Catalog, Notifications: db.Notifications, Idempotency: db.Idempotency,
		Registry: prometheus.NewRegistry(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now})
	tok, err := IssueToken(ctx, db.Users, "s", u, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s, db, u, tok
}

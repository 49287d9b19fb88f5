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

	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
	"guanjia/internal/testenv"
)

// A read-only POST (the category suggestion, asked at every pause in
// typing) is not stored under its Idempotency-Key: the same key with
// another description answers again instead of 422.
func TestReadOnlyPostSkipsIdempotency(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	u := &guanjia.User{Username: "citizen-suggest", Role: guanjia.RoleCitizen}
	if err := db.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	s := New(Config{Secret: "s"}, Deps{Users: db.Users, Catalog: db.Catalog, Notifications: db.Notifications, Idempotency: db.Idempotency,
		Registry: prometheus.NewRegistry(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now})
	tok, err := IssueToken(ctx, db.Users, "s", u, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
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
	old, err := db.Idempotency.BeginIdempotent(ctx, &guanjia.IdempotentResponse{Key: "same-key", UserID: u.ID, BodyHash: "x"})
	if err != nil || old != nil {
		t.Fatalf("the suggestion's key was stored: %+v %v", old, err)
	}
}

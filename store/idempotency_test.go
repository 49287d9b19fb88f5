package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/store"
)

// A key whose first request never answered (its process died) blocks retries
// only for a while; then a retry takes it over.
func TestIdempotencyKeyStuckByADeadRequestExpires(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	u := &guanjia.User{Username: "agent-idem", Role: guanjia.RoleAgent}
	if err := db.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	db.Now = func() time.Time { return now }
	first := &guanjia.IdempotentResponse{Key: "k1", UserID: u.ID, BodyHash: "h"}
	if old, err := db.Idempotency.BeginIdempotent(ctx, first); err != nil || old != nil {
		t.Fatalf("first begin: %+v %v", old, err)
	}
	now = now.Add(time.Minute)
	if old, err := db.Idempotency.BeginIdempotent(ctx, first); err != nil || old == nil || old.Status != 0 {
		t.Fatalf("a retry while the first may still run sees it running: %+v %v", old, err)
	}
	now = now.Add(guanjia.IdempotencyStuckAfter)
	if old, err := db.Idempotency.BeginIdempotent(ctx, first); err != nil || old != nil {
		t.Fatalf("a retry after the first died should take the key over: %+v %v", old, err)
	}
	if err := db.Idempotency.FinishIdempotent(ctx, &guanjia.IdempotentResponse{Key: "k1", UserID: u.ID, Status: 201, Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if old, err := db.Idempotency.BeginIdempotent(ctx, first); err != nil || old == nil || old.Status != 201 {
		t.Fatalf("a finished answer is replayed until purged: %+v %v", old, err)
	}
}

// Answers are kept IdempotencyKeep, then purged: a retry after that runs
// the request anew; a younger answer is still replayed.
func TestIdempotencyPurgeForgetsOldAnswersOnly(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	u := &guanjia.User{Username: "agent-purge", Role: guanjia.RoleAgent}
	if err := db.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	db.Now = func() time.Time { return now }
	answer := func(key string) {
		t.Helper()
		if old, err := db.Idempotency.BeginIdempotent(ctx, &guanjia.IdempotentResponse{Key: key, UserID: u.ID, BodyHash: "h"}); err != nil || old != nil {
			t.Fatalf("begin %s: %+v %v", key, old, err)
		}
		if err := db.Idempotency.FinishIdempotent(ctx, &guanjia.IdempotentResponse{Key: key, UserID: u.ID, Status: 201, Body: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	answer("old")
	now = now.Add(guanjia.IdempotencyKeep)
	answer("young")
	now = now.Add(time.Hour)
	if n, err := db.Idempotency.PurgeIdempotent(ctx, now.Add(-guanjia.IdempotencyKeep)); err != nil || n != 1 {
		t.Fatalf("purged %d (%v), want the old answer only", n, err)
	}
	if old, err := db.Idempotency.BeginIdempotent(ctx, &guanjia.IdempotentResponse{Key: "old", UserID: u.ID, BodyHash: "h"}); err != nil || old != nil {
		t.Errorf("a retry after the purge should run anew: %+v %v", old, err)
	}
	if old, err := db.Idempotency.BeginIdempotent(ctx, &guanjia.IdempotentResponse{Key: "young", UserID: u.ID, BodyHash: "h"}); err != nil || old == nil || old.Status != 201 {
		t.Errorf("the young answer should be replayed: %+v %v", old, err)
	}
}

// A claim on PostgreSQL commits without waiting for the disk, and only it:
// the connection's next transactions (the request's own writes among them)
// still wait for theirs.
func TestIdempotencyClaimLeavesCommitsDurable(t *testing.T) {
	if !testenv.Postgres() {
		t.Skip("PostgreSQL only")
	}
	ctx := context.Background()
	db, err := store.Open(testenv.DatabaseURL(t)+"&pool_max_conns=1", testenv.Secret) // one connection: the claim's
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u := &guanjia.User{Username: "agent-claim", Role: guanjia.RoleAgent}
	if err := db.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"k1", "k1"} {
		if _, err := db.Idempotency.BeginIdempotent(ctx, &guanjia.IdempotentResponse{Key: key, UserID: u.ID, BodyHash: "h"}); err != nil {
			t.Fatal(err)
		}
		var setting string
		if err := db.Gorm().Raw("SHOW synchronous_commit").Scan(&setting).Error; err != nil || setting != "on" {
			t.Fatalf("after a claim the connection commits with synchronous_commit %q (%v), want on", setting, err)
		}
	}
}

// Requests arriving at once share the claim and answer statements, and each
// still learns only its own fate: of many requests with one key exactly one
// runs, every other key is claimed by its request, and every answer is kept.
func TestIdempotencyConcurrentRequestsEachGetTheirOwnAnswer(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	u := &guanjia.User{Username: "agent-crowd", Role: guanjia.RoleAgent}
	if err := db.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	const keys, tries = 40, 3
	var ran [keys]atomic.Int32
	var wg sync.WaitGroup
	for i := range keys * tries {
		key := fmt.Sprintf("k%d", i%keys)
		wg.Go(func() {
			r := &guanjia.IdempotentResponse{Key: key, UserID: u.ID, BodyHash: "h"}
			old, err := db.Idempotency.BeginIdempotent(ctx, r)
			if err != nil {
				t.Error(err)
				return
			}
			if old != nil {
				return // a running or answered first request
			}
			ran[i%keys].Add(1)
			r.Status, r.Body = 201, []byte(`{"key":"`+key+`"}`)
			if err := db.Idempotency.FinishIdempotent(ctx, r); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range keys {
		key := fmt.Sprintf("k%d", i)
		if n := ran[i].Load(); n != 1 {
			t.Errorf("key %s ran %d times, want once", key, n)
		}
		old, err := db.Idempotency.BeginIdempotent(ctx, &guanjia.IdempotentResponse{Key: key, UserID: u.ID, BodyHash: "h"})
		if err != nil || old == nil || old.Status != 201 || string(old.Body) != `{"key":"`+key+`"}` {
			t.Errorf("a retry of %s replays %+v (%v), want its own answer", key, old, err)
		}
	}
}

// Two API replicas claim the same keys at once, in whatever order their
// requests come: no request fails (their shared statements insert in key
// order, and one that fails all the same is retried row by row), and each
// key runs once.
func TestIdempotencyTwoReplicasClaimTheSameKeys(t *testing.T) {
	ctx := context.Background()
	dbURL := testenv.DatabaseURL(t)
	var replicas [2]*store.DB
	for i := range replicas {
		db, err := store.Open(dbURL, testenv.Secret)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		replicas[i] = db
	}
	u := &guanjia.User{Username: "agent-replicas", Role: guanjia.RoleAgent}
	if err := replicas[0].Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	const keys = 100
	var ran [keys]atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 * keys {
		db, k := replicas[i%2], i%keys
		if i/keys%2 == 1 {
			k = keys - 1 - k // every other round in reverse order
		}
		wg.Go(func() {
			old, err := db.Idempotency.BeginIdempotent(ctx, &guanjia.IdempotentResponse{Key: fmt.Sprintf("k%02d", k), UserID: u.ID, BodyHash: "h"})
			if err != nil {
				t.Errorf("claim k%02d: %v", k, err)
			} else if old == nil {
				ran[k].Add(1)
			}
		})
	}
	wg.Wait()
	for k := range keys {
		if n := ran[k].Load(); n != 1 {
			t.Errorf("key k%02d ran %d times, want once", k, n)
		}
	}
}

package store_test

import (
	"bytes"
	"context"
	"maps"
	"sync"
	"sync/atomic"
	"testing"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/store"
)

func newWeChatUser(t *testing.T, db *store.DB, openid string) *guanjia.User {
	t.Helper()
	u := &guanjia.User{Role: guanjia.RoleCitizen, OpenID: openid}
	if err := db.Users.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func consents(t *testing.T, db *store.DB, userID int64) map[string]int {
	t.Helper()
	m, err := db.WeChat.ListConsents(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestConsents(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	u := newWeChatUser(t, db, "o-consents")

	if err := db.WeChat.RecordConsents(ctx, u.ID, []string{"A", "B"}); err != nil {
		t.Fatal(err)
	}
	if err := db.WeChat.RecordConsents(ctx, u.ID, []string{"A"}); err != nil {
		t.Fatal(err)
	}
	if got, want := consents(t, db, u.ID), map[string]int{"A": 2, "B": 1}; !maps.Equal(got, want) {
		t.Fatalf("after recording: %v, want %v", got, want)
	}

	steps := []struct {
		name string
		do   func() error
		want map[string]int
	}{
		{"spend A", spend(db, u.ID, "A", true), map[string]int{"A": 1, "B": 1}},
		{"spend A again", spend(db, u.ID, "A", true), map[string]int{"A": 0, "B": 1}},
		{"spend A with none left", spend(db, u.ID, "A", false), map[string]int{"A": 0, "B": 1}},
		{"spend unknown template", spend(db, u.ID, "C", false), map[string]int{"A": 0, "B": 1}},
		{"refund A", func() error { return db.WeChat.RefundConsent(ctx, u.ID, "A") }, map[string]int{"A": 1, "B": 1}},
		{"clear B", func() error { return db.WeChat.ClearConsent(ctx, u.ID, "B") }, map[string]int{"A": 1, "B": 0}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := consents(t, db, u.ID); !maps.Equal(got, s.want) {
			t.Errorf("%s: %v, want %v", s.name, got, s.want)
		}
	}
}

func spend(db *store.DB, userID int64, tpl string, want bool) func() error {
	return func() error {
		ok, err := db.WeChat.SpendConsent(context.Background(), userID, tpl)
		if err == nil && ok != want {
			return guanjia.Errorf(guanjia.EINTERNAL, "SpendConsent = %v, want %v", ok, want)
		}
		return err
	}
}

// Two sends must never take the same consent: of many concurrent spends,
// exactly as many succeed as there were consents, and the count ends at zero.
func TestSpendConsentConcurrently(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	u := newWeChatUser(t, db, "o-race")
	const have, tries = 5, 40
	for range have {
		if err := db.WeChat.RecordConsents(ctx, u.ID, []string{"T"}); err != nil {
			t.Fatal(err)
		}
	}
	var spent atomic.Int32
	var wg sync.WaitGroup
	for range tries {
		wg.Go(func() {
			ok, err := db.WeChat.SpendConsent(ctx, u.ID, "T")
			if err != nil {
				t.Error(err)
			} else if ok {
				spent.Add(1)
			}
		})
	}
	wg.Wait()
	if spent.Load() != have {
		t.Errorf("%d spends succeeded, want %d", spent.Load(), have)
	}
	if got := consents(t, db, u.ID)["T"]; got != 0 {
		t.Errorf("remaining = %d, want 0", got)
	}
}

func TestMediaChecks(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	if err := db.WeChat.CreateMediaCheck(ctx, "trace-1", "photo-1"); err != nil {
		t.Fatal(err)
	}
	if err := db.WeChat.CreateMediaCheck(ctx, "trace-1", "photo-1"); err != nil {
		t.Fatalf("creating the same check twice: %v", err)
	}
	photo, err := db.WeChat.FinishMediaCheck(ctx, "trace-1", "risky")
	if err != nil || photo != "photo-1" {
		t.Fatalf("FinishMediaCheck = %q, %v; want photo-1", photo, err)
	}
	if _, err := db.WeChat.FinishMediaCheck(ctx, "trace-unknown", "pass"); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Errorf("unknown trace: %v, want ENOTFOUND", err)
	}
}

func TestWXACodes(t *testing.T) {
	db := testenv.MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.WeChat.FindWXACode(ctx, "c=1", "pages/index"); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("missing code: %v, want ENOTFOUND", err)
	}
	first := []byte("\x89PNG\r\n\x1a\nfirst\x00\xff")
	if err := db.WeChat.SaveWXACode(ctx, "c=1", "pages/index", first); err != nil {
		t.Fatal(err)
	}
	if err := db.WeChat.SaveWXACode(ctx, "c=1", "pages/index", []byte("second")); err != nil {
		t.Fatal(err)
	}
	got, err := db.WeChat.FindWXACode(ctx, "c=1", "pages/index")
	if err != nil || !bytes.Equal(got, first) {
		t.Errorf("FindWXACode = %q, %v; want the first image, bytes intact", got, err)
	}
}

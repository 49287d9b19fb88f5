package store_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"guanjia"
	"guanjia/internal/testenv"
	"guanjia/store"
)

// The PostgreSQL pool is sized from the cores unless DATABASE_URL says
// otherwise with pgxpool's pool_max_conns, which the server never sees.
func TestOpenSizesThePool(t *testing.T) {
	if !testenv.Postgres() {
		t.Skip("PostgreSQL only: SQLite's pool is fixed")
	}
	ctx := context.Background()
	url := testenv.DatabaseURL(t) // with a search_path of its own, which must survive
	var users []int64
	for _, tc := range []struct {
		param string
		want  int
	}{{"", 4 * runtime.GOMAXPROCS(0)}, {"&pool_max_conns=3", 3}} {
		db, err := store.Open(url+tc.param, testenv.Secret)
		if err != nil {
			t.Fatalf("open %q: %v", tc.param, err)
		}
		defer db.Close()
		sqlDB, err := db.Gorm().DB()
		if err != nil {
			t.Fatal(err)
		}
		if got := sqlDB.Stats().MaxOpenConnections; got != tc.want {
			t.Errorf("open %q: pool of %d, want %d", tc.param, got, tc.want)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("open %q: migrate: %v", tc.param, err)
		}
		u := &guanjia.User{Username: "pool" + tc.param, Role: guanjia.RoleAgent}
		if err := db.Users.CreateUser(ctx, u); err != nil {
			t.Fatalf("open %q: %v", tc.param, err)
		}
		users = append(users, u.ID)
	}
	// Both wrote to the one schema: the URL's other parameters were kept.
	db, err := store.Open(url, testenv.Secret)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range users {
		if _, err := db.Users.FindUserByID(ctx, id); err != nil {
			t.Errorf("user %d: %v", id, err)
		}
	}
	for _, bad := range []string{"&pool_max_conns=0", "&pool_max_conns=many"} {
		if _, err := store.Open(url+bad, testenv.Secret); err == nil || !strings.Contains(err.Error(), "pool_max_conns") {
			t.Errorf("open %q: %v, want an error naming pool_max_conns", bad, err)
		}
	}
}

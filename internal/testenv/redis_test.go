package testenv

import (
	"context"
	"os"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Leases held at the same time are never the same Redis database, and a
// database comes back empty to the next test that leases it.
func TestRedisLeasesAreExclusive(t *testing.T) {
	if os.Getenv("GUANJIA_TEST_REDIS_URL") == "" {
		t.Skip("GUANJIA_TEST_REDIS_URL is not set: every test gets a miniredis of its own")
	}
	held := map[int]bool{}
	t.Run("holders", func(t *testing.T) {
		for range 4 {
			opt := MustRedis(t) // held until this subtest ends
			if held[opt.DB] {
				t.Fatalf("database %d leased twice at once", opt.DB)
			}
			held[opt.DB] = true
			c := redis.NewClient(opt)
			c.Set(context.Background(), "left-behind", "x", 0)
			c.Close()
		}
	})
	opt := MustRedis(t)
	c := redis.NewClient(opt)
	defer c.Close()
	if n, err := c.DBSize(context.Background()).Result(); err != nil || n != 0 {
		t.Errorf("database %d holds %d keys (%v), want it empty", opt.DB, n, err)
	}
}

// On a single server or a cluster, each test's Redis comes back empty to the
// next one, asynq and plain clients reach it, and a key set in a slot of
// each master is seen again (a plain client on a cluster would get MOVED).
func TestRedisConnComesBackEmpty(t *testing.T) {
	ctx := context.Background()
	keys := []string{"a", "b", "c", "d", "e", "f"} // hash to slots on all three masters of a cluster
	t.Run("holder", func(t *testing.T) {
		r := MustRedisConn(t)
		c := r.Client(t)
		for _, k := range keys {
			if err := c.Set(ctx, k, "x", 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range keys {
			if v, err := c.Get(ctx, k).Result(); err != nil || v != "x" {
				t.Errorf("%s = %q, %v", k, v, err)
			}
		}
		if err := asynq.NewClient(r.Conn).Close(); err != nil {
			t.Errorf("asynq client of %s: %v", r.URL, err)
		}
	})
	r := MustRedisConn(t)
	c := r.Client(t)
	for _, k := range keys { // one at a time: EXISTS of keys in several slots is refused on a cluster
		if n, err := c.Exists(ctx, k).Result(); err != nil || n != 0 {
			t.Errorf("%s was left behind (%v)", k, err)
		}
	}
}

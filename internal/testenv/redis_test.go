package testenv

import (
	"context"
	"os"
	"testing"

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

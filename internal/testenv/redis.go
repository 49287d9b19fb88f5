package testenv

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Test packages run side by side in separate processes, and a Redis server
// has only a few numbered databases (16 by default). Each test that needs
// one leases a database number for as long as it runs: the lease is a key in
// the base database of GUANJIA_TEST_REDIS_URL, set only if absent, so no
// two tests (of any process) ever hold the same number. A lease lives
// leaseTTL unless its holder renews it, so a test process that dies frees
// its databases soon; one that waits too long for a free number fails.
const (
	leasePrefix = "guanjia:test:redis-lease:"
	leaseTTL    = time.Minute
	leaseRenew  = 20 * time.Second
	leaseWait   = 5 * time.Minute        // all numbers busy this long: the test fails
	leaseRetry  = 200 * time.Millisecond // between rounds of asking
)

// MustRedis returns options for an empty Redis database of the test's own: a
// new miniredis, or a leased database number of the real server (emptied
// first) when GUANJIA_TEST_REDIS_URL is set.
func MustRedis(tb testing.TB) *redis.Options {
	tb.Helper()
	base := os.Getenv("GUANJIA_TEST_REDIS_URL")
	if base == "" {
		m := miniredis.RunT(tb)
		return &redis.Options{Addr: m.Addr()}
	}
	opt, err := redis.ParseURL(base)
	if err != nil {
		tb.Fatalf("testenv: parse %s: %v", base, err)
	}
	admin := redis.NewClient(opt)
	db, err := lease(tb, admin, opt.DB)
	if err != nil {
		admin.Close()
		tb.Fatalf("testenv: redis: %v", err)
	}
	leased := *opt
	leased.DB = db
	c := redis.NewClient(&leased)
	defer c.Close()
	if err := c.FlushDB(context.Background()).Err(); err != nil {
		tb.Fatalf("testenv: flush redis db %d: %v", db, err)
	}
	return &leased
}

// lease takes a database number other than baseDB that no other test holds,
// renews it while tb runs and gives it back (and closes admin) at cleanup.
func lease(tb testing.TB, admin *redis.Client, baseDB int) (int, error) {
	ctx := context.Background()
	count := databases(ctx, admin)
	owner := randomHex(8)
	deadline := time.Now().Add(leaseWait)
	for {
		for db := 0; db < count; db++ {
			if db == baseDB {
				continue
			}
			key := leasePrefix + strconv.Itoa(db)
			ok, err := admin.SetNX(ctx, key, owner, leaseTTL).Result()
			if err != nil {
				return 0, err
			}
			if ok {
				stop := make(chan struct{})
				done := make(chan struct{})
				go renew(admin, key, owner, stop, done)
				tb.Cleanup(func() { close(stop); <-done; release(admin, key, owner); admin.Close() })
				return db, nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("all %d test databases stayed leased for %s", count-1, leaseWait)
		}
		time.Sleep(leaseRetry)
	}
}

// databases is how many numbered databases the server has.
func databases(ctx context.Context, admin *redis.Client) int {
	if v, err := admin.ConfigGet(ctx, "databases").Result(); err == nil {
		if n, err := strconv.Atoi(v["databases"]); err == nil && n > 1 {
			return n
		}
	}
	return 16
}

// renew keeps a lease alive until stop is closed.
func renew(admin *redis.Client, key, owner string, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(leaseRenew)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			renewScript.Run(ctx, admin, []string{key}, owner, leaseTTL.Milliseconds())
			cancel()
		}
	}
}

// release gives a lease back, unless it expired and someone else holds it now.
func release(admin *redis.Client, key, owner string) {
	releaseScript.Run(context.Background(), admin, []string{key}, owner)
}

var (
	renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`)
	releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)
)

// RedisURL renders options back to a redis:// URL, for code that takes one.
func RedisURL(opt *redis.Options) string {
	return fmt.Sprintf("redis://%s/%d", opt.Addr, opt.DB)
}

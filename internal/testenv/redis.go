package testenv

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"guanjia/internal/redisconn"
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
//
// A test that runs on a Redis Cluster too uses MustRedisConn; on a cluster
// this one skips the test.
func MustRedis(tb testing.TB) *redis.Options {
	tb.Helper()
	base := os.Getenv("GUANJIA_TEST_REDIS_URL")
	if base == "" {
		m := miniredis.RunT(tb)
		return &redis.Options{Addr: m.Addr()}
	}
	if isCluster(base) {
		tb.Skip("GUANJIA_TEST_REDIS_URL is a Redis Cluster and this test needs a single server (MustRedisConn works on both)")
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

// TestRedis is a test's own Redis: a miniredis, a leased database of a
// server, or a whole Redis Cluster.
type TestRedis struct {
	URL  string             // for code that reads REDIS_URL
	Conn asynq.RedisConnOpt // for asynq clients, servers and inspectors
}

// Client returns a client of it (a cluster client on a cluster), closed
// when the test ends.
func (r TestRedis) Client(tb testing.TB) redis.UniversalClient {
	c := redisconn.Client(r.Conn)
	tb.Cleanup(func() { c.Close() })
	return c
}

// Flush empties it, as a Redis that lost its data would be.
func (r TestRedis) Flush(ctx context.Context) error {
	c := redisconn.Client(r.Conn)
	defer c.Close()
	return empty(ctx, c)
}

// MustRedisConn returns an empty Redis of the test's own, like MustRedis,
// and works on a Redis Cluster too (GUANJIA_TEST_REDIS_URL=redis-cluster://…).
// A cluster has only database 0, and what guanjia keeps there (asynq's
// queues, the live feed's channel, the throttle's counters) has fixed names,
// so tests cannot share it side by side: one test at a time leases the whole
// cluster (the key leasePrefix+"cluster", renewed like a database lease) and
// empties every master before it starts. Run cluster tests with go test -p 1
// so that packages do not wait on each other's leases.
func MustRedisConn(tb testing.TB) TestRedis {
	tb.Helper()
	base := os.Getenv("GUANJIA_TEST_REDIS_URL")
	if !isCluster(base) {
		opt := MustRedis(tb)
		return TestRedis{URL: RedisURL(opt), Conn: asynq.RedisClientOpt{
			Addr: opt.Addr, DB: opt.DB, Username: opt.Username, Password: opt.Password}}
	}
	conn, err := redisconn.Parse(base)
	if err != nil {
		tb.Fatalf("testenv: parse %s: %v", base, err)
	}
	admin := redisconn.Client(conn)
	if _, err := acquire(tb, admin, []string{leasePrefix + "cluster"}); err != nil {
		admin.Close()
		tb.Fatalf("testenv: redis cluster: %v", err)
	}
	r := TestRedis{URL: base, Conn: conn}
	if err := r.Flush(context.Background()); err != nil {
		tb.Fatalf("testenv: empty redis cluster: %v", err)
	}
	return r
}

func isCluster(url string) bool { return strings.HasPrefix(url, "redis-cluster://") }

// empty deletes every key but the leases: FLUSHDB on one server; on a
// cluster, a scan of each master, as FLUSHALL would take the leases too.
func empty(ctx context.Context, c redis.UniversalClient) error {
	cluster, ok := c.(*redis.ClusterClient)
	if !ok {
		return c.FlushDB(ctx).Err()
	}
	return cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		iter := node.Scan(ctx, 0, "*", 1000).Iterator()
		for iter.Next(ctx) {
			if key := iter.Val(); !strings.HasPrefix(key, leasePrefix) {
				if err := node.Del(ctx, key).Err(); err != nil {
					return err
				}
			}
		}
		return iter.Err()
	})
}

// lease takes a database number other than baseDB that no other test holds,
// renews it while tb runs and gives it back (and closes admin) at cleanup.
func lease(tb testing.TB, admin *redis.Client, baseDB int) (int, error) {
	count := databases(context.Background(), admin)
	var keys []string
	for db := 0; db < count; db++ {
		if db != baseDB {
			keys = append(keys, leasePrefix+strconv.Itoa(db))
		}
	}
	i, err := acquire(tb, admin, keys)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimPrefix(keys[i], leasePrefix))
}

// acquire sets the first of keys that no other test holds, renews it while
// tb runs and gives it back (and closes admin) at cleanup. It answers which
// key it holds.
func acquire(tb testing.TB, admin redis.UniversalClient, keys []string) (int, error) {
	ctx := context.Background()
	owner := randomHex(8)
	deadline := time.Now().Add(leaseWait)
	for {
		for i, key := range keys {
			ok, err := admin.SetNX(ctx, key, owner, leaseTTL).Result()
			if err != nil {
				return 0, err
			}
			if ok {
				stop := make(chan struct{})
				done := make(chan struct{})
				go renew(admin, key, owner, stop, done)
				tb.Cleanup(func() { close(stop); <-done; release(admin, key, owner); admin.Close() })
				return i, nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("all %d test leases stayed taken for %s", len(keys), leaseWait)
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
func renew(admin redis.UniversalClient, key, owner string, stop <-chan struct{}, done chan<- struct{}) {
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
func release(admin redis.UniversalClient, key, owner string) {
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

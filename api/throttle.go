package api

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"guanjia"
)

// ThrottleConfig bounds password guessing. Zero fields take the defaults.
type ThrottleConfig struct {
	AccountFailures int           // wrong passwords for one account within Window that lock it (5)
	IPFailures      int           // wrong passwords from one address within Window, any accounts, before it must wait (30)
	Window          time.Duration // how long a failure counts (15m)
	Lock            time.Duration // how long a locked account stays locked, unless an administrator unlocks it (15m)
}

func (c *ThrottleConfig) defaults() {
	if c.AccountFailures <= 0 {
		c.AccountFailures = 5
	}
	if c.IPFailures <= 0 {
		c.IPFailures = 30
	}
	if c.Window <= 0 {
		c.Window = 15 * time.Minute
	}
	if c.Lock <= 0 {
		c.Lock = 15 * time.Minute
	}
}

// loginThrottle counts password attempts per account and per client address
// in Redis, which every replica shares. An attempt is counted before the
// password is checked and forgotten when it was right, so a burst of
// parallel guesses gets no further than a slow series: with 5 allowed, the
// sixth concurrent guess is refused without running bcrypt.
type loginThrottle struct {
	rdb redis.UniversalClient // nil: no throttling (tests that build a server without Redis)
	cfg ThrottleConfig
	log *slog.Logger
}

const throttlePrefix = "guanjia:login:"

// countScript adds one to a counter that lives for ARGV[1] ms from its first
// count, and answers the count and the milliseconds left.
var countScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`)

// slidingScript keeps, in the sorted set KEYS[1], the instants (ms, ARGV[1])
// of the tries of the last ARGV[2] ms. A try is recorded (as the unique
// member ARGV[4]) while there are fewer than ARGV[3]; otherwise it is not,
// and the answer says how many ms until the oldest leaves the window.
var slidingScript = redis.NewScript(`
local now, window, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= max then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 0`)

// slideTry records a try at now against key unless max were recorded in the
// window before it, and answers how long until one of those leaves the
// window (0: the try was recorded). Refused tries are not recorded.
func slideTry(ctx context.Context, rdb redis.UniversalClient, key string, max int, window time.Duration, now time.Time) (time.Duration, error) {
	member := strconv.FormatInt(now.UnixNano(), 36) + ":" + strconv.FormatUint(rand.Uint64(), 36)
	wait, err := slidingScript.Run(ctx, rdb, []string{key}, now.UnixMilli(), window.Milliseconds(), max, member).Int64()
	return time.Duration(wait) * time.Millisecond, err
}

// uncountScript takes one back from a counter that still exists (an
// expired one must not come back without its expiry).
var uncountScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECR', KEYS[1]) end
return 0`)

// countTry counts a try against key before it is made, so that parallel
// tries count too; the count lives window from its first try. It answers
// the count, this try included, and — once the count is past max — how
// long until it expires (0 while the try may go ahead).
func countTry(ctx context.Context, rdb redis.UniversalClient, key string, max int, window time.Duration) (n int64, wait time.Duration, err error) {
	res, err := countScript.Run(ctx, rdb, []string{key}, window.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, 0, err
	}
	if res[0] > int64(max) {
		wait = time.Duration(res[1]) * time.Millisecond
	}
	return res[0], wait, nil
}

// uncount takes a try back: it went well, or it was never made.
func uncount(ctx context.Context, rdb redis.UniversalClient, key string) error {
	return uncountScript.Run(ctx, rdb, []string{key}).Err()
}

// countMiss counts a lookup against key before it is made (parallel guesses
// count too) and answers undo, which takes it back when the lookup finds
// what it asked for, and how long to wait when key is past max (the
// refused lookup is taken back already: it is not one more miss). With Redis
// away nothing is counted.
func countMiss(ctx context.Context, rdb redis.UniversalClient, log *slog.Logger, throttle, key string, max int, window time.Duration) (undo func(), wait time.Duration) {
	_, wait, err := countTry(ctx, rdb, key, max, window)
	if err != nil {
		log.Error(throttle+" throttle: redis unavailable, not counting", "err", err)
		return func() {}, 0
	}
	undo = func() { uncount(ctx, rdb, key) }
	if wait > 0 {
		undo()
		return func() {}, wait
	}
	return undo, 0
}

// attempt is one counted try at a password.
type attempt struct {
	account, ip string
	n           int64 // the account's count, this attempt included
}

// throttled is a refusal to try: 429 with Retry-After.
type throttled struct {
	wait time.Duration
	err  *guanjia.Error
}

func (t *throttled) Error() string { return t.err.Error() }
func (t *throttled) Unwrap() error { return t.err }

func waitMinutes(d time.Duration) int { return int(math.Ceil(d.Minutes())) }

func accountKey(username string) string {
	return throttlePrefix + "fail:account:" + strings.ToLower(strings.TrimSpace(username))
}

func lockKey(username string) string {
	return throttlePrefix + "lock:" + strings.ToLower(strings.TrimSpace(username))
}

func ipKey(ip string) string { return throttlePrefix + "fail:ip:" + ip }

// clientNet is what a per-address limit counts: the client's address, or
// for IPv6 its /64, which one client holds whole (any ISP or cloud hands one
// out), so that rotating addresses within it is no way round the limit.
func clientNet(c echo.Context) string {
	ip := c.RealIP()
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Unmap().Is4() {
		return ip
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// begin counts an attempt at username's password from ip, or refuses it:
// the account is locked, or the address has failed too often.
func (t *loginThrottle) begin(ctx context.Context, username, ip string) (*attempt, error) {
	a := &attempt{account: username, ip: ip}
	if t.rdb == nil {
		return a, nil
	}
	if wait, err := t.rdb.PTTL(ctx, lockKey(username)).Result(); err != nil {
		return t.unavailable(a, err)
	} else if wait > 0 {
		return nil, accountLocked(wait)
	}
	_, wait, err := countTry(ctx, t.rdb, ipKey(ip), t.cfg.IPFailures, t.cfg.Window)
	if err != nil {
		return t.unavailable(a, err)
	}
	if wait > 0 {
		return nil, &throttled{wait: wait, err: guanjia.Errorf(guanjia.ETOOMANY,
			"too many failed sign-ins from this address; try again in %d minutes", waitMinutes(wait))}
	}
	if a.n, _, err = countTry(ctx, t.rdb, accountKey(username), t.cfg.AccountFailures, t.cfg.Window); err != nil {
		return t.unavailable(a, err)
	}
	if a.n > int64(t.cfg.AccountFailures) { // others are trying in parallel
		uncount(ctx, t.rdb, ipKey(ip)) // this one is not tried
		t.lock(ctx, username)
		wait, _ := t.rdb.PTTL(ctx, lockKey(username)).Result()
		return nil, accountLocked(max(wait, time.Second))
	}
	return a, nil
}

func accountLocked(wait time.Duration) error {
	return &throttled{wait: wait, err: guanjia.Errorf(guanjia.ETOOMANY,
		"too many wrong passwords: the account is locked for %d minutes; an administrator can unlock it", waitMinutes(wait))}
}

// unavailable lets the attempt through when Redis is away: signing in
// matters more than counting, and the outage is logged.
func (t *loginThrottle) unavailable(a *attempt, err error) (*attempt, error) {
	t.log.Error("login throttle: redis unavailable, not counting", "err", err)
	return &attempt{account: a.account, ip: a.ip}, nil
}

// failed records a wrong password; it answers true when this failure locked the account.
func (t *loginThrottle) failed(ctx context.Context, a *attempt) bool {
	if t.rdb == nil || a.n < int64(t.cfg.AccountFailures) {
		return false
	}
	return t.lock(ctx, a.account)
}

// lock locks the account for cfg.Lock; true when it was not locked
// already. The count stays until its window ends: were it reset here, a
// guess running in parallel could start a new count past the lock.
func (t *loginThrottle) lock(ctx context.Context, username string) bool {
	ok, err := t.rdb.SetNX(ctx, lockKey(username), "1", t.cfg.Lock).Result()
	if err != nil {
		t.log.Error("login throttle: lock", "err", err)
	}
	return ok
}

// succeeded forgets the attempt: a right password clears the account's count.
func (t *loginThrottle) succeeded(ctx context.Context, a *attempt) {
	if t.rdb == nil || a.n == 0 {
		return
	}
	err := t.rdb.Del(ctx, accountKey(a.account)).Err()
	if err == nil {
		err = uncount(ctx, t.rdb, ipKey(a.ip))
	}
	if err != nil {
		t.log.Warn("login throttle: forget a good attempt", "err", err)
	}
}

// unlock lifts an account's lock and its count.
func (t *loginThrottle) unlock(ctx context.Context, username string) error {
	if t.rdb == nil {
		return nil
	}
	// One DEL per key: on a Redis Cluster the two keys live in different slots.
	for _, key := range []string{lockKey(username), accountKey(username)} {
		if err := t.rdb.Del(ctx, key).Err(); err != nil {
			return err
		}
	}
	return nil
}

// lockedFor answers how long the account stays locked (0: it is not).
func (t *loginThrottle) lockedFor(ctx context.Context, username string) time.Duration {
	if t.rdb == nil || username == "" {
		return 0
	}
	d, err := t.rdb.PTTL(ctx, lockKey(username)).Result()
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// retryLater answers a throttled refusal as 429 with Retry-After (in whole
// seconds, rounded up); other errors pass.
func retryLater(c echo.Context, err error) error {
	var t *throttled
	if errors.As(err, &t) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(t.wait.Seconds()))))
		return t.err
	}
	return err
}

// UnlockAccount lifts an account's sign-in lock from outside the API (the
// command line), in the Redis the API replicas count in.
func UnlockAccount(ctx context.Context, rdb redis.UniversalClient, username string) error {
	return (&loginThrottle{rdb: rdb}).unlock(ctx, username)
}

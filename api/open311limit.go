package api

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// open311Limits is the per-key rate limit of POST requests: a token bucket
// per client in this process (each replica counts its own).
type open311Limits struct {
	perMinute int
	mu        sync.Mutex
	buckets   map[int64]*rate.Limiter
}

func newOpen311Limits(perMinute int) *open311Limits {
	return &open311Limits{perMinute: perMinute, buckets: map[int64]*rate.Limiter{}}
}

// allow takes a token of client's bucket; a limit of 0 or less allows all.
func (l *open311Limits) allow(client int64, now time.Time) bool {
	if l == nil || l.perMinute <= 0 {
		return true
	}
	l.mu.Lock()
	b, ok := l.buckets[client]
	if !ok {
		b = rate.NewLimiter(rate.Every(time.Minute/time.Duration(l.perMinute)), l.perMinute)
		l.buckets[client] = b
	}
	l.mu.Unlock()
	return b.AllowN(now, 1)
}

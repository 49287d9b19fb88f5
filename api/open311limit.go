package api

import (
	"sync"
	"time"
)

// open311Limits is the per-key rate limit of POST requests: a token bucket
// per client in this process (each replica counts its own).
type open311Limits struct {
	perMinute int
	mu        sync.Mutex
	buckets   map[int64]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newOpen311Limits(perMinute int) *open311Limits {
	return &open311Limits{perMinute: perMinute, buckets: map[int64]*bucket{}}
}

// allow takes a token of client's bucket; a limit of 0 or less allows all.
func (l *open311Limits) allow(client int64, now time.Time) bool {
	if l == nil || l.perMinute <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	max := float64(l.perMinute)
	b, ok := l.buckets[client]
	if !ok {
		b = &bucket{tokens: max, at: now}
		l.buckets[client] = b
	}
	b.tokens = min(max, b.tokens+now.Sub(b.at).Minutes()*max)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

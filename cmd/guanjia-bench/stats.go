package main

import (
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// latencies collects durations safely from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) { l.mu.Lock(); l.d = append(l.d, d); l.mu.Unlock() }

// p returns the q-th percentile (0..100).
func (l *latencies) p(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	slices.Sort(l.d)
	return l.d[int(q/100*float64(len(l.d)-1))]
}

// result is a timed run: each call's latency and the calls per second.
type result struct {
	*latencies
	rate float64
}

// measure runs fn n times over `workers` goroutines and records each call's latency.
func measure(n, workers int, fn func(i int, rng *rand.Rand) error) (result, error) {
	lat := &latencies{}
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, seed*7919))
			for {
				i := int(next.Add(1)) - 1
				if i >= n || firstErr.Load() != nil {
					return
				}
				t0 := time.Now()
				if err := fn(i, rng); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				lat.add(time.Since(t0))
			}
		}(uint64(w + 1))
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return result{}, err
	}
	return result{latencies: lat, rate: float64(n) / time.Since(start).Seconds()}, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

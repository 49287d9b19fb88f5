package store

import (
	"context"
	"sync"
)

// maxCoalesced bounds the rows one coalesced statement takes.
const maxCoalesced = 100

// coalescer runs concurrent calls of one small statement as one statement
// over many rows, as a database groups commits: the first caller runs its
// row at once; callers arriving meanwhile queue, and when it is done one of
// them runs the whole queue. An idle system pays nothing; a busy one pays one
// round trip and one commit for many requests instead of one each.
type coalescer[T, R any] struct {
	run func(ctx context.Context, items []T) ([]R, error) // results in the order of items

	mu     sync.Mutex
	busy   bool
	queued []*coalescedCall[T, R]
}

type coalescedCall[T, R any] struct {
	item   T
	result R
	err    error
	lead   bool          // woken to run the queue rather than with a result
	wake   chan struct{} // one signal: the result, or the turn to lead
}

func (c *coalescer[T, R]) do(ctx context.Context, item T) (R, error) {
	call := &coalescedCall[T, R]{item: item, wake: make(chan struct{}, 1)}
	c.mu.Lock()
	c.queued = append(c.queued, call)
	if c.busy {
		c.mu.Unlock()
		<-call.wake
		if !call.lead {
			return call.result, call.err
		}
		c.mu.Lock()
	}
	c.busy = true
	batch := c.queued[:min(len(c.queued), maxCoalesced)]
	c.queued = c.queued[len(batch):]
	c.mu.Unlock()

	items := make([]T, len(batch))
	for i, b := range batch {
		items[i] = b.item
	}
	// The others wait on this statement too: the leader's cancelled request
	// must not fail theirs.
	results, err := c.run(context.WithoutCancel(ctx), items)
	for i, b := range batch {
		if err != nil {
			b.err = err
		} else {
			b.result = results[i]
		}
		if b != call {
			b.wake <- struct{}{}
		}
	}

	c.mu.Lock()
	if len(c.queued) > 0 {
		next := c.queued[0]
		next.lead = true
		next.wake <- struct{}{}
	} else {
		c.busy = false
	}
	c.mu.Unlock()
	return call.result, call.err
}

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
// round trip and one commit for many requests instead of one each. When the
// shared statement fails, each row runs alone, so that a failure stays with
// the request it belongs to.
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
	batch := c.queued[:min(len(c.queued), maxCoalesced)] // call is the first
	c.queued = c.queued[len(batch):]
	c.mu.Unlock()
	defer func() { // deferred: a panicking statement must not leave the others waiting
		for _, b := range batch[1:] {
			b.wake <- struct{}{}
		}
		c.handOff()
	}()

	// The others wait on this statement too: the leader's cancelled request
	// must not fail theirs.
	ctx = context.WithoutCancel(ctx)
	c.runBatch(ctx, batch)
	if len(batch) > 1 && call.err != nil {
		for _, b := range batch {
			c.runBatch(ctx, []*coalescedCall[T, R]{b})
		}
	}
	return call.result, call.err
}

// runBatch runs the batch's statement and gives each call its result or the error.
func (c *coalescer[T, R]) runBatch(ctx context.Context, batch []*coalescedCall[T, R]) {
	items := make([]T, len(batch))
	for i, b := range batch {
		items[i] = b.item
	}
	results, err := c.run(ctx, items)
	for i, b := range batch {
		if b.err = err; err == nil {
			b.result = results[i]
		}
	}
}

// handOff wakes the next queued call to lead, or marks the coalescer idle.
func (c *coalescer[T, R]) handOff() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queued) == 0 {
		c.busy = false
		return
	}
	next := c.queued[0]
	next.lead = true
	next.wake <- struct{}{}
}

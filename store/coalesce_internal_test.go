package store

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Calls that arrive together share a statement, and each gets its own
// result; when the shared statement fails for one bad item, the others
// still get theirs and only the bad one its error.
func TestCoalescerKeepsAFailureWithItsCall(t *testing.T) {
	errBad := errors.New("13 is refused")
	var biggest atomic.Int64
	c := coalescer[int, int]{run: func(_ context.Context, items []int) ([]int, error) {
		if n := int64(len(items)); n > biggest.Load() {
			biggest.Store(n)
		}
		time.Sleep(time.Millisecond) // a round trip, while others queue
		if slices.Contains(items, 13) {
			return nil, errBad
		}
		out := make([]int, len(items))
		for i, v := range items {
			out[i] = 2 * v
		}
		return out, nil
	}}
	var wg sync.WaitGroup
	for i := range 300 {
		wg.Go(func() {
			got, err := c.do(context.Background(), i)
			switch {
			case i == 13 && !errors.Is(err, errBad):
				t.Errorf("the bad item got %d, %v", got, err)
			case i != 13 && (err != nil || got != 2*i):
				t.Errorf("item %d got %d, %v", i, got, err)
			}
		})
	}
	wg.Wait()
	if biggest.Load() < 2 {
		t.Fatal("no two calls shared a statement: nothing was tested")
	}
}

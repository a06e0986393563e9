package cases

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/haven-nrm/haven/internal/store"
)

// queueTallies keeps a queue's counts for the second of the service's clock
// they were made in. Counting a jurisdiction's whole queue steps through
// every row of it, and the queue is opened far more often than cases
// change: one count a second per filter serves every authority of the
// jurisdiction. When the second turns, the count of the second before is
// shown while one request's count of the new second runs in the
// background, so no reader waits for it; after a longer pause, or when
// this process has written a case (store.CasesGeneration), the reader
// waits for a new count, so one's own decisions show at once. Another
// process's writes show within a second or two.
type queueTallies struct {
	mu sync.Mutex
	m  map[tallyKey]*tallyEntry
}

type tallyKey struct {
	filter      string
	second, gen int64
}

type tallyEntry struct {
	done chan struct{}
	t    store.QueueTally
	err  error
}

func (e *tallyEntry) ready() bool {
	select {
	case <-e.done:
		return e.err == nil
	default:
		return false
	}
}

// queueFilterKey names the counts of the queue q selects in a
// jurisdiction.
func queueFilterKey(jurisdictionID string, q QueueQuery) string {
	return fmt.Sprintf("queue|%s|%s|%t|%t|%t|%s|%s|%t", jurisdictionID, q.Stage, q.Urgent, q.Overdue, q.Child, q.Agency, q.Reference, q.NotReference)
}

// tally returns the counts named filter, made by count unless made
// already (see queueTallies).
func (s *Service) tally(ctx context.Context, filter string, count func(context.Context) (store.QueueTally, error)) (store.QueueTally, error) {
	key := tallyKey{filter: filter, second: s.Now().Unix(), gen: s.DB.CasesGeneration()}
	prevKey := key
	prevKey.second--
	c := &s.tallies
	c.mu.Lock()
	e, ok := c.m[key]
	var prev *tallyEntry
	if !ok {
		if c.m == nil {
			c.m = map[tallyKey]*tallyEntry{}
		}
		for k := range c.m {
			if k.gen != key.gen || k.second < prevKey.second || k.second > key.second {
				delete(c.m, k)
			}
		}
		e = &tallyEntry{done: make(chan struct{})}
		c.m[key] = e
		if p := c.m[prevKey]; p != nil && p.ready() {
			prev = p
		}
	}
	c.mu.Unlock()
	if ok {
		select {
		case <-e.done:
		case <-ctx.Done():
			return store.QueueTally{}, ctx.Err()
		}
		return e.t, e.err
	}
	run := func(ctx context.Context) {
		e.t, e.err = count(ctx)
		close(e.done)
		if e.err != nil {
			c.mu.Lock()
			if c.m[key] == e {
				delete(c.m, key)
			}
			c.mu.Unlock()
		}
	}
	if prev != nil {
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			run(ctx)
		}()
		return prev.t, nil
	}
	run(ctx)
	return e.t, e.err
}

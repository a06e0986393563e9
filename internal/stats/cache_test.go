package stats

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestCacheServesStaleWhileRefreshing: within CacheFor a table is served
// from the cache; past it (within StaleFor) the old table is served at
// once while exactly one background computation replaces it; past
// CacheFor+StaleFor the caller waits for a fresh one.
func TestCacheServesStaleWhileRefreshing(t *testing.T) {
	ctx := context.Background()
	var c tableCache
	var calls atomic.Int64
	release := make(chan struct{})
	fn := func(block bool) func() (Table, error) {
		return func() (Table, error) {
			n := calls.Add(1)
			if block {
				<-release
			}
			return Table{K: int(n)}, nil
		}
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if tab, _ := c.get(ctx, "q", t0, fn(false)); tab.K != 1 {
		t.Fatalf("first get: %d", tab.K)
	}
	if tab, _ := c.get(ctx, "q", t0.Add(CacheFor/2), fn(false)); tab.K != 1 || calls.Load() != 1 {
		t.Fatalf("within CacheFor: table %d after %d computations", tab.K, calls.Load())
	}
	stale := t0.Add(CacheFor + time.Second)
	for range 5 {
		if tab, _ := c.get(ctx, "q", stale, fn(true)); tab.K != 1 {
			t.Fatalf("past CacheFor: got table %d, want the stale one at once", tab.K)
		}
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for {
		tab, _ := c.get(ctx, "q", stale, fn(false))
		if tab.K == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background refresh never replaced the stale table")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d computations: the stale table was refreshed more than once", calls.Load())
	}
	if tab, _ := c.get(ctx, "q", stale.Add(CacheFor+StaleFor+time.Second), fn(false)); tab.K != 3 {
		t.Fatalf("past CacheFor+StaleFor: got table %d, want a fresh one", tab.K)
	}
}

package stats

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CacheFor is how long a computed table is served before it is computed
// again. Statistics are aggregates over thousands of cases: a table up to a
// minute old serves a page as well as a fresh one, and 32 analysts asking
// at once then cost one GROUP BY, not 32. Cell-key perturbation is
// consistent, so serving a cached table reveals nothing a fresh one would
// not.
const CacheFor = time.Minute

// StaleFor is how long past CacheFor a table may still be served while a
// fresh one is computed in the background: at a million cases a table
// takes seconds to count, and without this every request for it would
// wait for the recount once a minute (the page's p99). A table older than
// CacheFor+StaleFor (a server nobody asked for a while) is computed before
// it is served.
const StaleFor = time.Minute

// cacheMax bounds the tables kept; when full the cache starts afresh.
const cacheMax = 512

type cached struct {
	done       chan struct{} // closed when t and err are set
	at         time.Time
	t          Table
	err        error
	refreshing bool // a fresh table is being computed (guarded by the cache's mutex)
}

// tableCache holds recent tables by scope and query; concurrent requests
// for the same table wait for one computation.
type tableCache struct {
	mu sync.Mutex
	m  map[string]*cached
}

func cacheKey(jid, aid string, q Query) string {
	var b strings.Builder
	b.WriteString(jid + "\x00" + aid + "\x00" + strings.Join(q.Dims, ",") + "\x00" + q.Period + "\x00" + strconv.FormatInt(q.From, 10) + "\x00" + strconv.FormatInt(q.To, 10) + "\x00" + q.Unit + "\x00" + q.Decided + "\x00" + strconv.Itoa(q.CGTargetDays))
	keys := make([]string, 0, len(q.Where))
	for k := range q.Where {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString("\x00" + k + "=" + q.Where[k])
	}
	return b.String()
}

// get returns the cached table for key, computing it with fn when it is
// missing, failed or older than CacheFor+StaleFor. A table older than
// CacheFor but within StaleFor is returned at once while one background
// computation (fn, which must not depend on the caller's cancellation)
// replaces it. Errors are not kept.
func (c *tableCache) get(ctx context.Context, key string, now time.Time, fn func() (Table, error)) (Table, error) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= cacheMax {
		c.m = map[string]*cached{}
	}
	e, ok := c.m[key]
	if ok {
		select {
		case <-e.done:
			age := now.Sub(e.at)
			switch {
			case e.err != nil || age > CacheFor+StaleFor:
				ok = false
			case age > CacheFor:
				if !e.refreshing {
					e.refreshing = true
					go c.refresh(key, e, now, fn)
				}
			}
		default: // being computed: wait for it
		}
	}
	if !ok {
		e = &cached{done: make(chan struct{}), at: now}
		c.m[key] = e
		c.mu.Unlock()
		e.t, e.err = fn()
		close(e.done)
		return e.t, e.err
	}
	c.mu.Unlock()
	select {
	case <-e.done:
		return e.t, e.err
	case <-ctx.Done():
		return Table{}, ctx.Err()
	}
}

// refresh computes a fresh table for key in the background and puts it in
// place of old; on failure old stays, to be retried by the next request.
func (c *tableCache) refresh(key string, old *cached, now time.Time, fn func() (Table, error)) {
	t, err := fn()
	c.mu.Lock()
	defer c.mu.Unlock()
	old.refreshing = false
	if err != nil || c.m[key] != old {
		return
	}
	n := &cached{done: make(chan struct{}), at: now, t: t}
	close(n.done)
	c.m[key] = n
}

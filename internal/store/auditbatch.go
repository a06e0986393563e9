package store

import (
	"context"
	"slices"
	"sync"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
)

// Views of records write nothing but their audit event. Under load each
// such event in a transaction of its own costs a commit, and on SQLite
// every commit waits for the one writer; RecordViews instead joins the
// events of views made at the same moment into one transaction. Each
// caller still returns only once its event is committed, so a record is
// never shown before its view is durable.

type viewEvent struct {
	ev   audit.Event
	done chan error
}

// viewBatcher runs one goroutine per open database, from Open until
// Close, which lets it commit what is queued and waits for it.
type viewBatcher struct {
	mu      sync.RWMutex // senders hold it for reading, Close for writing
	closed  bool
	ch      chan viewEvent
	stopped chan struct{}
}

// startViews starts the batcher of an opened database.
func (db *DB) startViews() {
	db.views.ch, db.views.stopped = make(chan viewEvent, 1024), make(chan struct{})
	go db.commitViews(db.views.ch)
}

// stop ends the batcher after it has committed every queued event.
func (b *viewBatcher) stop() {
	b.mu.Lock()
	if b.closed || b.ch == nil {
		b.closed = true
		b.mu.Unlock()
		return
	}
	b.closed = true
	close(b.ch)
	b.mu.Unlock()
	<-b.stopped
}

// maxViewBatch bounds one transaction of view events.
const maxViewBatch = 128

// RecordViews audits events that record views (no other change) and
// returns when they are committed, batched with those of concurrent
// views.
func (db *DB) RecordViews(ctx context.Context, events ...audit.Event) error {
	wait, err := db.BeginViews(ctx, events...)
	if err != nil {
		return err
	}
	return wait()
}

// BeginViews queues view events for commit and returns a wait that
// reports their commit. A handler queues its views as soon as it knows
// what it will show, prepares the page while the commit runs, and sends
// the page only after wait returns nil: the view is still durable before
// anything is shown, but the commit no longer adds to the page's time.
func (db *DB) BeginViews(ctx context.Context, events ...audit.Event) (wait func() error, err error) {
	// The request's scope marks the events (the record's agency, the
	// break-glass flag). Check them now: one bad event must not fail the
	// batch it would share.
	events = slices.Clone(events)
	for i := range events {
		events[i] = audit.Stamp(ctx, events[i])
	}
	for _, e := range events {
		e.ID, e.At = NewID(), 1
		if e.Actor == "" {
			e.Actor = audit.SystemActor
		}
		if err := audit.Chain(nil, e).Validate(); err != nil {
			return nil, errs.Wrap(errs.Internal, err)
		}
	}
	done := make(chan error, len(events))
	queued := 0
	// The read lock keeps Close from closing the channel under a send.
	db.views.mu.RLock()
	defer db.views.mu.RUnlock()
	if db.views.closed {
		return nil, errs.E(errs.Unavailable, "the database is closed")
	}
	for _, e := range events {
		select {
		case db.views.ch <- viewEvent{ev: e, done: done}:
			queued++
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return func() error {
		for range queued {
			if err := <-done; err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// commitViews writes waiting view events, as many as are waiting, in one
// transaction at a time, until Close closes ch.
func (db *DB) commitViews(ch chan viewEvent) {
	defer close(db.views.stopped)
	for first := range ch {
		batch := []viewEvent{first}
	more:
		for len(batch) < maxViewBatch {
			select {
			case v, ok := <-ch:
				if !ok {
					break more
				}
				batch = append(batch, v)
			default:
				break more
			}
		}
		err := db.Write(context.Background(), func(tx *Tx) error {
			for _, v := range batch {
				if err := tx.Audit(context.Background(), v.ev); err != nil {
					return err
				}
			}
			return nil
		})
		for _, v := range batch {
			v.done <- err
		}
	}
}

package store

import (
	"context"
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

type viewBatcher struct {
	once sync.Once
	ch   chan viewEvent
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
	db.views.once.Do(func() {
		db.views.ch = make(chan viewEvent, 1024)
		go db.commitViews()
	})
	// Check the events now: one bad event must not fail the batch it
	// would share.
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
// transaction at a time. It runs for the life of the process.
func (db *DB) commitViews() {
	for first := range db.views.ch {
		batch := []viewEvent{first}
	more:
		for len(batch) < maxViewBatch {
			select {
			case v := <-db.views.ch:
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

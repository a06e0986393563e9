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
			return errs.Wrap(errs.Internal, err)
		}
	}
	done := make(chan error, len(events))
	for _, e := range events {
		select {
		case db.views.ch <- viewEvent{ev: e, done: done}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for range events {
		if err := <-done; err != nil {
			return err
		}
	}
	return nil
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

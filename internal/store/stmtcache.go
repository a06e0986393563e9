package store

import (
	"context"
	"database/sql"
	"sync"
)

// readPool runs read queries. On SQLite it keeps each query's prepared
// statement: the embedded engine parses SQL on every call otherwise, which
// costs a page of a dozen queries more than running them. PostgreSQL's
// driver caches statements itself.
type readPool struct {
	*sql.DB
	cache bool
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

// maxCachedStatements bounds the cache; queries built with a varying number
// of placeholders beyond it run unprepared.
const maxCachedStatements = 512

func newReadPool(db *sql.DB, cache bool) *readPool {
	return &readPool{DB: db, cache: cache, stmts: map[string]*sql.Stmt{}}
}

func (p *readPool) stmt(ctx context.Context, q string) *sql.Stmt {
	if !p.cache {
		return nil
	}
	p.mu.RLock()
	st := p.stmts[q]
	p.mu.RUnlock()
	if st != nil {
		return st
	}
	p.mu.RLock()
	full := len(p.stmts) >= maxCachedStatements
	p.mu.RUnlock()
	if full {
		return nil
	}
	// Prepare without the lock: preparing may wait for a connection, and
	// on SQLite's writer that connection may belong to a transaction that
	// itself needs the lock to find its statements.
	st, err := p.DB.PrepareContext(ctx, q)
	if err != nil {
		return nil // the plain call reports the error
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old := p.stmts[q]; old != nil || p.stmts == nil {
		st.Close()
		return old
	}
	p.stmts[q] = st
	return st
}

// prepared returns the statement of q if it is already prepared.
func (p *readPool) prepared(q string) *sql.Stmt {
	if !p.cache {
		return nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.stmts[q]
}

// QueryContext runs a query, prepared once.
func (p *readPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, q, args...)
}

// QueryRowContext runs a one-row query, prepared once.
func (p *readPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := p.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, q, args...)
}

// Close closes the statements and the pool.
func (p *readPool) Close() error {
	p.mu.Lock()
	for _, st := range p.stmts {
		st.Close()
	}
	p.stmts = nil
	p.cache = false
	p.mu.Unlock()
	return p.DB.Close()
}

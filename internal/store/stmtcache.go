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
	p.mu.Lock()
	defer p.mu.Unlock()
	if st = p.stmts[q]; st != nil || len(p.stmts) >= maxCachedStatements {
		return st
	}
	st, err := p.DB.PrepareContext(ctx, q)
	if err != nil {
		return nil // the plain call reports the error
	}
	p.stmts[q] = st
	return st
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

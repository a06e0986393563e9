package store

import "context"

// Release is a statistics release row (migration 0026).
type Release struct {
	ID, Title, JurisdictionID, Period string
	FirstYear, LastYear               int
	Tables, Method                    string
	EpsilonMicro                      int64
	State                             string
	DraftedBy                         string
	DraftedAt                         int64
	ApprovedBy                        string
	PublishedAt                       int64
	Content, Digest, Signature        string
	PublicKey                         string
}

const releaseCols = `id, title, jurisdiction_id, period, first_year, last_year, tables, method, epsilon_micro, state,
	drafted_by, drafted_at, COALESCE(approved_by, ''), COALESCE(published_at, 0), content, digest, signature, public_key`

func scanRelease(row interface{ Scan(...any) error }) (Release, error) {
	var r Release
	err := row.Scan(&r.ID, &r.Title, &r.JurisdictionID, &r.Period, &r.FirstYear, &r.LastYear, &r.Tables, &r.Method, &r.EpsilonMicro,
		&r.State, &r.DraftedBy, &r.DraftedAt, &r.ApprovedBy, &r.PublishedAt, &r.Content, &r.Digest, &r.Signature, &r.PublicKey)
	return r, err
}

// InsertRelease stores a draft release.
func (tx *Tx) InsertRelease(ctx context.Context, r Release) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO statistics_releases (id, title, jurisdiction_id, period, first_year, last_year, tables,
		method, epsilon_micro, state, drafted_by, drafted_at, content, digest, signature, public_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '', '', '', '')`,
		r.ID, r.Title, r.JurisdictionID, r.Period, r.FirstYear, r.LastYear, r.Tables, r.Method, r.EpsilonMicro, "draft", r.DraftedBy, r.DraftedAt)
	return classify(err)
}

// PublishRelease freezes a draft: its content, digest and signature, who
// approved it and when. It changes nothing unless the row is still a
// draft, and reports whether it did.
func (tx *Tx) PublishRelease(ctx context.Context, r Release) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE statistics_releases SET state = 'published', approved_by = $2, published_at = $3,
		content = $4, digest = $5, signature = $6, public_key = $7 WHERE id = $1 AND state = 'draft'`,
		r.ID, r.ApprovedBy, r.PublishedAt, r.Content, r.Digest, r.Signature, r.PublicKey)
	if err != nil {
		return false, classify(err)
	}
	n, err := res.RowsAffected()
	return n == 1, classify(err)
}

// ReleaseTx reads a release inside a write transaction.
func (tx *Tx) Release(ctx context.Context, id string) (Release, error) {
	r, err := scanRelease(tx.QueryRowContext(ctx, `SELECT `+releaseCols+` FROM statistics_releases WHERE id = $1`, id))
	return r, notFound(err, "release")
}

// Release reads one release.
func (db *DB) Release(ctx context.Context, id string) (Release, error) {
	r, err := scanRelease(db.r.QueryRowContext(ctx, `SELECT `+releaseCols+` FROM statistics_releases WHERE id = $1`, id))
	return r, notFound(err, "release")
}

// Releases lists releases in a state ("" for all), newest first.
func (db *DB) Releases(ctx context.Context, state string) ([]Release, error) {
	q := `SELECT ` + releaseCols + ` FROM statistics_releases`
	var args []any
	if state != "" {
		q += ` WHERE state = $1`
		args = append(args, state)
	}
	return collect(ctx, db.r, q+` ORDER BY drafted_at DESC, id`, args, scanRelease)
}

// PublishedSpends lists the published releases that spent privacy budget,
// read in the transaction that is about to add one, so the ε ledger sees
// every spend committed before it (on SQLite the writer is serialised; on
// PostgreSQL the caller locks the ledger first with LockReleases).
func (tx *Tx) PublishedSpends(ctx context.Context) ([]Release, error) {
	return collect(ctx, tx, `SELECT `+releaseCols+` FROM statistics_releases WHERE state = 'published' AND epsilon_micro > 0`, nil, scanRelease)
}

// LockReleases serialises publications on PostgreSQL (an advisory lock
// held to the end of the transaction), so two releases cannot both pass
// the ε ledger against the same remaining budget. SQLite's single writer
// already does.
func (tx *Tx) LockReleases(ctx context.Context) error {
	if tx.Dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(1414)`)
	return classify(err)
}

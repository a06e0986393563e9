package store

import (
	"context"
	"strconv"

	"github.com/haven-nrm/haven/internal/errs"
)

// Case is the coded, non-identifying part of a case: what statistics and
// queues need. Codes follow HTCDS 2.0.
type Case struct {
	ID, Reference, JurisdictionID, AgencyID string
	Status, TraffickingStatus               string
	Gender, AgeBand, Citizenship            string
	Exploitation                            string
	// ExploitationCountry is the country of exploitation (HTCDS
	// hte_CountryOfExploitation) as statistics count it.
	ExploitationCountry  string
	Urgent, Synthetic    bool
	Version              int64
	CreatedAt, UpdatedAt int64
	// Decision is the competent authority's decision record (package
	// casework) as JSON; QueueKey its place in the authority's queue, ""
	// when nothing is pending.
	Decision, QueueKey string
	Child              bool
	// LetterLanguage is the language decision letters are written in.
	LetterLanguage string
	// PersonID links the sealed identity; empty for demo cases.
	PersonID string
	// AssignedUserID is the case worker assigned, if any.
	AssignedUserID string
	// ClosedAt is zero while the case is open.
	ClosedAt      int64
	ClosureReason string
}

// caseCols are the columns a new case is written with: decision_state and
// the rg_ and cg_ columns repeat the decision record's counted facts
// (decisionColumns).
const caseCols = `id, reference, jurisdiction_id, agency_id, status, trafficking_status, gender, age_band,
	citizenship, exploitation, urgent, synthetic, version, created_at, updated_at, decision, queue_key, child, letter_language,
	exploitation_country, decision_state, rg_outcome, rg_decided_at, rg_effective_at, cg_outcome, cg_decided_at, cg_effective_at,
	rg_deadline_at, reconsidered`

const caseColCount = 29

// caseReadCols adds the optional links for reads.
const caseReadCols = `id, reference, jurisdiction_id, agency_id, status, trafficking_status, gender, age_band,
	citizenship, exploitation, urgent, synthetic, version, created_at, updated_at, decision, COALESCE(queue_key, ''), child,
	letter_language, COALESCE(person_id, ''), COALESCE(assigned_user_id, ''), COALESCE(closed_at, 0), closure_reason`

func scanCase(row interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var urg, syn, child int
	err := row.Scan(&c.ID, &c.Reference, &c.JurisdictionID, &c.AgencyID, &c.Status, &c.TraffickingStatus, &c.Gender,
		&c.AgeBand, &c.Citizenship, &c.Exploitation, &urg, &syn, &c.Version, &c.CreatedAt, &c.UpdatedAt, &c.Decision, &c.QueueKey,
		&child, &c.LetterLanguage, &c.PersonID, &c.AssignedUserID, &c.ClosedAt, &c.ClosureReason)
	c.Urgent, c.Synthetic, c.Child = urg != 0, syn != 0, child != 0
	return c, err
}

// InsertCase stores a new case.
func (tx *Tx) InsertCase(ctx context.Context, c Case) error {
	var person any
	if c.PersonID != "" {
		person = c.PersonID
	}
	args, err := caseArgs(c)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO cases (`+caseCols+`, person_id) VALUES (`+placeholders(1, caseColCount+1)+`)`,
		append(args, person)...)
	return classify(err)
}

// caseArgs are the values of caseCols; the decision record is stored in
// its current form (stampDoc).
func caseArgs(c Case) ([]any, error) {
	decision, err := stampDoc(c.Decision)
	if err != nil {
		return nil, err
	}
	facts, err := decisionColumns(decision)
	if err != nil {
		return nil, err
	}
	return append([]any{c.ID, c.Reference, c.JurisdictionID, c.AgencyID, c.Status, c.TraffickingStatus, c.Gender, c.AgeBand,
		c.Citizenship, c.Exploitation, b2i(c.Urgent), b2i(c.Synthetic), c.Version, c.CreatedAt, c.UpdatedAt,
		decision, nullIfEmpty(c.QueueKey), b2i(c.Child), c.LetterLanguage, c.ExploitationCountry}, facts...), nil
}

// placeholders returns "$from, …, $to".
func placeholders(from, to int) string {
	b := make([]byte, 0, 4*(to-from+1))
	for i := from; i <= to; i++ {
		if i > from {
			b = append(b, ',')
		}
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(i), 10)
	}
	return string(b)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CaseUpdate is a change to a case row, applied only if the row is still
// at Version; the row moves to Version+1.
type CaseUpdate struct {
	ID                string
	Version           int64
	AgencyID          string
	JurisdictionID    string
	TraffickingStatus string
	Status            string
	Decision          string
	QueueKey          string
	AssignedUserID    string
	ClosedAt          int64
	ClosureReason     string
}

// UpdateCase writes a change to a case row if nobody changed it since it
// was read at u.Version; otherwise it reports a conflict and writes
// nothing.
func (tx *Tx) UpdateCase(ctx context.Context, u CaseUpdate) error {
	var closed any
	if u.ClosedAt != 0 {
		closed = u.ClosedAt
	}
	decision, err := stampDoc(u.Decision)
	if err != nil {
		return err
	}
	facts, err := decisionColumns(decision)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE cases SET version = version + 1, updated_at = $1, agency_id = $2, trafficking_status = $3,
		status = $4, decision = $5, queue_key = $6, assigned_user_id = $7, closed_at = $8, closure_reason = $9, jurisdiction_id = $12,
		decision_state = $13, rg_outcome = $14, rg_decided_at = $15, rg_effective_at = $16, cg_outcome = $17, cg_decided_at = $18,
		cg_effective_at = $19, rg_deadline_at = $20, reconsidered = $21
		WHERE id = $10 AND version = $11`, append([]any{Millis(tx.Now), u.AgencyID, u.TraffickingStatus, u.Status, decision,
		nullIfEmpty(u.QueueKey), nullIfEmpty(u.AssignedUserID), closed, u.ClosureReason, u.ID, u.Version, u.JurisdictionID}, facts...)...)
	return rowChanged(res, err, errs.E(errs.Conflict, "case changed since it was read"))
}

// Update returns the CaseUpdate that keeps c as it is.
func (c Case) Update() CaseUpdate {
	return CaseUpdate{ID: c.ID, Version: c.Version, AgencyID: c.AgencyID, JurisdictionID: c.JurisdictionID, TraffickingStatus: c.TraffickingStatus, Status: c.Status,
		Decision: c.Decision, QueueKey: c.QueueKey, AssignedUserID: c.AssignedUserID, ClosedAt: c.ClosedAt, ClosureReason: c.ClosureReason}
}

// Queue lists the open work of a jurisdiction's competent authority in
// queue order (casework.Priority.Key), from after a cursor key. Only what
// the queue shows is read (id, reference, urgency, child, queue key,
// creation): the queue key says what is pending and by when.
func (db *DB) Queue(ctx context.Context, jurisdictionID, after string, limit int) ([]Case, error) {
	q := selectFrom(`id, reference, urgent, child, queue_key, created_at`, "cases")
	q.where(true, "jurisdiction_id =", jurisdictionID)
	q.where(true, "queue_key >", after)
	q.page("queue_key", limit, 50, 500)
	return collect(ctx, db.r, q.sql, q.args, func(s scanner) (Case, error) {
		c := Case{JurisdictionID: jurisdictionID}
		var urg, child int
		err := s.Scan(&c.ID, &c.Reference, &urg, &child, &c.QueueKey, &c.CreatedAt)
		c.Urgent, c.Child = urg != 0, child != 0
		return c, err
	})
}

// Case returns one case.
func (db *DB) Case(ctx context.Context, id string) (Case, error) {
	c, err := scanCase(db.r.QueryRowContext(ctx, `SELECT `+caseReadCols+` FROM cases WHERE id = $1`, id))
	return c, notFound(err, "case")
}

// CaseFilter narrows a case list. Empty fields do not filter.
type CaseFilter struct {
	JurisdictionID, AgencyID, Status string
	Limit                            int
}

// Cases lists cases, urgent and newest first.
func (db *DB) Cases(ctx context.Context, f CaseFilter) ([]Case, error) {
	q := selectFrom(caseReadCols, "cases")
	q.where(f.JurisdictionID != "", "jurisdiction_id =", f.JurisdictionID)
	q.where(f.AgencyID != "", "agency_id =", f.AgencyID)
	q.where(f.Status != "", "status =", f.Status)
	q.page("urgent DESC, created_at DESC", f.Limit, 50, 500)
	return db.caseRows(ctx, q)
}

func (db *DB) caseRows(ctx context.Context, q *query) ([]Case, error) {
	return collect(ctx, db.r, q.sql, q.args, scanCase)
}

// BulkInsertCases stores many cases; used by the demo generator, which loads
// up to millions of synthetic cases. SQLite gets one prepared single-row
// statement executed per row (the driver binds $N parameters by name, so a
// statement with thousands of them costs quadratic time); PostgreSQL gets
// multi-row statements to save round trips.
func (tx *Tx) BulkInsertCases(ctx context.Context, cs []Case) error {
	if tx.Dialect == SQLite {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO cases (`+caseCols+`) VALUES (`+placeholders(1, caseColCount)+`)`)
		if err != nil {
			return classify(err)
		}
		defer stmt.Close()
		for _, c := range cs {
			args, err := caseArgs(c)
			if err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return classify(err)
			}
		}
		return nil
	}
	const cols = caseColCount
	const per = 200
	for start := 0; start < len(cs); start += per {
		end := min(start+per, len(cs))
		q := make([]byte, 0, 64*(end-start))
		q = append(q, "INSERT INTO cases ("+caseCols+") VALUES "...)
		args := make([]any, 0, cols*(end-start))
		for i, c := range cs[start:end] {
			if i > 0 {
				q = append(q, ',')
			}
			q = append(q, '(')
			for k := 0; k < cols; k++ {
				if k > 0 {
					q = append(q, ',')
				}
				q = append(q, '$')
				q = append(q, strconv.Itoa(i*cols+k+1)...)
			}
			q = append(q, ')')
			ca, err := caseArgs(c)
			if err != nil {
				return err
			}
			args = append(args, ca...)
		}
		if _, err := tx.ExecContext(ctx, string(q), args...); err != nil {
			return classify(err)
		}
	}
	return nil
}

// UpdateCaseUrgent marks a case urgent with its new queue key, if it is
// still at u.Version.
func (tx *Tx) UpdateCaseUrgent(ctx context.Context, u CaseUpdate) error {
	res, err := tx.ExecContext(ctx, `UPDATE cases SET urgent = 1, queue_key = $1, version = version + 1, updated_at = $2
		WHERE id = $3 AND version = $4`, nullIfEmpty(u.QueueKey), Millis(tx.Now), u.ID, u.Version)
	return changed(res, err)
}

// CaseIn reads one case through r (a transaction, to see its own writes).
func CaseIn(ctx context.Context, r Reader, id string) (Case, error) {
	c, err := scanCase(r.QueryRowContext(ctx, `SELECT `+caseReadCols+` FROM cases WHERE id = $1`, id))
	return c, notFound(err, "case")
}

// EachCase calls fn for every case of a scope, urgent and newest first, up
// to limit rows; exports stream through it.
func (db *DB) EachCase(ctx context.Context, f CaseFilter, limit int, fn func(Case) error) error {
	q := selectFrom(caseReadCols, "cases")
	q.where(f.JurisdictionID != "", "jurisdiction_id =", f.JurisdictionID)
	q.where(f.AgencyID != "", "agency_id =", f.AgencyID)
	q.page("urgent DESC, created_at DESC", limit, limit, limit)
	return each(ctx, db.r, q.sql, q.args, scanCase, fn)
}

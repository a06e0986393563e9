package store

import (
	"context"
	"database/sql"
	"slices"

	"github.com/haven-nrm/haven/internal/errs"
)

// The rows of a case file after intake. Rules live in the pure packages
// (casework, support, prosecution, directory); these rows hold their values
// as JSON or codes, and every free text as a sealed Note.

// SupportDoc is a person's early steps and information items, consent
// ledger, consent overrides and assessments, as JSON, under one version
// that every support change (service referrals included) moves on.
type SupportDoc struct {
	CaseID                                     string
	Version                                    int64
	Checklist, Consent, Overrides, Assessments string
	UpdatedAt                                  int64
}

// CaseParts says which of a case's casework tables hold rows for it. Most
// cases are early in their life and have few; one query that asks all
// tables at once spares the reads of the empty ones.
type CaseParts struct {
	Referrals, Goals, Notes, Handovers, Conferences, Tasks, Investigations bool
}

// Parts reads a case's support document (which nearly every case has)
// and reports which of its other casework tables hold rows, in one query.
func Parts(ctx context.Context, r Reader, caseID string) (CaseParts, SupportDoc, error) {
	var p CaseParts
	d := SupportDoc{CaseID: caseID}
	var version, updated, form sql.NullInt64
	var checklist, consent, overrides, assessments sql.NullString
	var ref, goal, note, hand, conf, task, inv int
	err := r.QueryRowContext(ctx, `SELECT s.version, s.checklist, s.consent, s.overrides, s.assessments, s.updated_at, s.doc_version,
		CASE WHEN EXISTS (SELECT 1 FROM service_referrals WHERE case_id = $1) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM support_goals WHERE case_id = $1) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM case_notes WHERE case_id = $1) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM handovers WHERE case_id = $1) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM conferences WHERE case_id = $1) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM tasks WHERE case_id = $1) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM investigations WHERE case_id = $1) THEN 1 ELSE 0 END
		FROM (SELECT 1 AS one) AS c LEFT JOIN case_support s ON s.case_id = $1`, caseID).
		Scan(&version, &checklist, &consent, &overrides, &assessments, &updated, &form, &ref, &goal, &note, &hand, &conf, &task, &inv)
	if err != nil {
		return p, d, classify(err)
	}
	if form.Valid {
		if err := knownForm(form.Int64, "case_support"); err != nil {
			return p, d, err
		}
	}
	if version.Valid {
		d.Version, d.Checklist, d.Consent, d.Overrides, d.Assessments, d.UpdatedAt = version.Int64, checklist.String,
			consent.String, overrides.String, assessments.String, updated.Int64
	}
	p = CaseParts{Referrals: ref != 0, Goals: goal != 0, Notes: note != 0, Handovers: hand != 0, Conferences: conf != 0,
		Tasks: task != 0, Investigations: inv != 0}
	return p, d, nil
}

// Support loads a case's support document; a case without one gets an
// empty document at version 0.
func Support(ctx context.Context, r Reader, caseID string) (SupportDoc, error) {
	d := SupportDoc{CaseID: caseID}
	var form int64
	err := r.QueryRowContext(ctx, `SELECT version, checklist, consent, overrides, assessments, updated_at, doc_version FROM case_support
		WHERE case_id = $1`, caseID).Scan(&d.Version, &d.Checklist, &d.Consent, &d.Overrides, &d.Assessments, &d.UpdatedAt, &form)
	if err == sql.ErrNoRows {
		return SupportDoc{CaseID: caseID}, nil
	}
	if err != nil {
		return d, classify(err)
	}
	return d, knownForm(form, "case_support")
}

// BulkInsertSupport inserts the first support documents of many cases, in
// statements of many rows; the demo's generator uses it.
func (tx *Tx) BulkInsertSupport(ctx context.Context, docs []SupportDoc) error {
	const cols, per = 8, 500
	now := Millis(tx.Now)
	for start := 0; start < len(docs); start += per {
		end := min(start+per, len(docs))
		q := []byte("INSERT INTO case_support (case_id, version, checklist, consent, overrides, assessments, updated_at, doc_version) VALUES ")
		args := make([]any, 0, cols*(end-start))
		for i, d := range docs[start:end] {
			if i > 0 {
				q = append(q, ',')
			}
			q = append(q, '(')
			q = append(q, placeholders(i*cols+1, i*cols+cols)...)
			q = append(q, ')')
			at := d.UpdatedAt
			if at == 0 {
				at = now
			}
			args = append(args, d.CaseID, 1, d.Checklist, d.Consent, d.Overrides, d.Assessments, at, DocVersion)
		}
		if _, err := tx.ExecContext(ctx, string(q), args...); err != nil {
			return classify(err)
		}
	}
	return nil
}

// SaveSupport writes d if the stored document is still at d.Version (0:
// none yet); the document moves to d.Version+1. A concurrent change gives a
// conflict and writes nothing.
func (tx *Tx) SaveSupport(ctx context.Context, d SupportDoc) error {
	now := Millis(tx.Now)
	if d.Version == 0 {
		_, err := tx.ExecContext(ctx, `INSERT INTO case_support (case_id, version, checklist, consent, overrides, assessments, updated_at, doc_version)
			VALUES ($1, 1, $2, $3, $4, $5, $6, $7)`, d.CaseID, d.Checklist, d.Consent, d.Overrides, d.Assessments, now, DocVersion)
		return classify(err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE case_support SET version = version + 1, checklist = $1, consent = $2, overrides = $3,
		assessments = $4, updated_at = $5, doc_version = $8 WHERE case_id = $6 AND version = $7`, d.Checklist, d.Consent, d.Overrides, d.Assessments, now,
		d.CaseID, d.Version, DocVersion)
	return changed(res, err)
}

// changed classifies a guarded write's error: errs.Conflict when it
// changed no row, the row having changed since it was read.
func changed(res sql.Result, err error) error {
	return rowChanged(res, err, errs.E(errs.Conflict, "changed since it was read"))
}

// rowChanged classifies a write's error, and answers none when the write
// changed no row.
func rowChanged(res sql.Result, err, none error) error {
	if err != nil {
		return classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return none
	}
	return nil
}

// ServiceReferral is a referral of the person to a service of a provider
// agency; History is the JSON of its events (package support).
type ServiceReferral struct {
	ID, CaseID, AgencyID, Service, LocationID, State, History string
	CreatedAt, UpdatedAt                                      int64
}

// ServiceReferrals lists a case's service referrals, oldest first.
func ServiceReferrals(ctx context.Context, r Reader, caseID string) ([]ServiceReferral, error) {
	return collect(ctx, r, `SELECT id, case_id, agency_id, service, location_id, state, history, created_at, updated_at, doc_version
		FROM service_referrals WHERE case_id = $1 ORDER BY created_at, id`, []any{caseID}, func(s scanner) (ServiceReferral, error) {
		var x ServiceReferral
		var form int64
		if err := s.Scan(&x.ID, &x.CaseID, &x.AgencyID, &x.Service, &x.LocationID, &x.State, &x.History, &x.CreatedAt, &x.UpdatedAt, &form); err != nil {
			return x, err
		}
		return x, knownForm(form, "service_referrals")
	})
}

// SaveServiceReferral inserts or replaces a service referral; the support
// document's version guards it.
func (tx *Tx) SaveServiceReferral(ctx context.Context, x ServiceReferral) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO service_referrals (id, case_id, agency_id, service, location_id, state, history, created_at, updated_at, doc_version)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (id) DO UPDATE SET state = excluded.state, history = excluded.history,
		location_id = excluded.location_id, updated_at = excluded.updated_at, doc_version = excluded.doc_version`,
		x.ID, x.CaseID, x.AgencyID, x.Service, x.LocationID, x.State, x.History, x.CreatedAt, x.UpdatedAt, DocVersion)
	return classify(err)
}

// Note is sealed free text about a case, under a data key of its own.
type Note struct {
	ID, CaseID, Kind, ObjectID string
	WrappedKey, Body           []byte
	CreatedBy                  string
	CreatedAt                  int64
}

// InsertNote stores a sealed note.
func (tx *Tx) InsertNote(ctx context.Context, n Note) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_notes (id, case_id, kind, object_id, wrapped_key, body, created_by, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, n.ID, n.CaseID, n.Kind, n.ObjectID, n.WrappedKey, n.Body, n.CreatedBy, n.CreatedAt)
	return classify(err)
}

// Notes lists a case's notes, oldest first.
func Notes(ctx context.Context, r Reader, caseID string) ([]Note, error) {
	return collect(ctx, r, `SELECT id, case_id, kind, object_id, wrapped_key, body, created_by, created_at FROM case_notes
		WHERE case_id = $1 ORDER BY created_at, id`, []any{caseID}, func(s scanner) (Note, error) {
		var n Note
		err := s.Scan(&n.ID, &n.CaseID, &n.Kind, &n.ObjectID, &n.WrappedKey, &n.Body, &n.CreatedBy, &n.CreatedAt)
		return n, err
	})
}

// Goal is an objective of the support plan; its words are a Note.
type Goal struct {
	ID         string `json:"id"`
	CaseID     string `json:"case_id"`
	PlanType   string `json:"plan_type"`
	TargetDate string `json:"target_date"`
	Status     string `json:"status"`
	CreatedBy  string `json:"created_by"`
	CreatedAt  int64  `json:"created_at"`
	UpdatedAt  int64  `json:"updated_at"`
}

// SaveGoal inserts or updates a goal.
func (tx *Tx) SaveGoal(ctx context.Context, g Goal) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO support_goals (id, case_id, plan_type, target_date, status, created_by, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (id) DO UPDATE SET status = excluded.status, target_date = excluded.target_date,
		updated_at = excluded.updated_at`, g.ID, g.CaseID, g.PlanType, g.TargetDate, g.Status, g.CreatedBy, g.CreatedAt, g.UpdatedAt)
	return classify(err)
}

// Goals lists a case's support plan objectives.
func Goals(ctx context.Context, r Reader, caseID string) ([]Goal, error) {
	return collect(ctx, r, `SELECT id, case_id, plan_type, target_date, status, created_by, created_at, updated_at FROM support_goals
		WHERE case_id = $1 ORDER BY target_date, created_at`, []any{caseID}, func(s scanner) (Goal, error) {
		var g Goal
		err := s.Scan(&g.ID, &g.CaseID, &g.PlanType, &g.TargetDate, &g.Status, &g.CreatedBy, &g.CreatedAt, &g.UpdatedAt)
		return g, err
	})
}

// Handover is a transfer or a referral of a case from one agency to
// another.
type Handover struct {
	ID           string `json:"id"`
	CaseID       string `json:"case_id"`
	Kind         string `json:"kind"`
	FromAgencyID string `json:"from_agency_id"`
	ToAgencyID   string `json:"to_agency_id"`
	Service      string `json:"service,omitempty"`
	State        string `json:"state"`
	Basis        string `json:"basis"`
	RejectReason string `json:"reject_reason,omitempty"`
	CreatedBy    string `json:"created_by"`
	CreatedAt    int64  `json:"created_at"`
	DecidedBy    string `json:"decided_by,omitempty"`
	DecidedAt    int64  `json:"decided_at,omitempty"`
	Version      int64  `json:"version"`
}

const handoverCols = `id, case_id, kind, from_agency_id, to_agency_id, service, state, basis, reject_reason, created_by, created_at,
	COALESCE(decided_by, ''), COALESCE(decided_at, 0), version`

func scanHandover(s scanner) (Handover, error) {
	var h Handover
	err := s.Scan(&h.ID, &h.CaseID, &h.Kind, &h.FromAgencyID, &h.ToAgencyID, &h.Service, &h.State, &h.Basis, &h.RejectReason,
		&h.CreatedBy, &h.CreatedAt, &h.DecidedBy, &h.DecidedAt, &h.Version)
	return h, err
}

// InsertHandover stores a new handover at version 1.
func (tx *Tx) InsertHandover(ctx context.Context, h Handover) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO handovers (id, case_id, kind, from_agency_id, to_agency_id, service, state, basis,
		reject_reason, created_by, created_at, version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,1)`,
		h.ID, h.CaseID, h.Kind, h.FromAgencyID, h.ToAgencyID, h.Service, h.State, h.Basis, h.RejectReason, h.CreatedBy, h.CreatedAt)
	return classify(err)
}

// UpdateHandover records a response to a handover read at h.Version.
func (tx *Tx) UpdateHandover(ctx context.Context, h Handover) error {
	res, err := tx.ExecContext(ctx, `UPDATE handovers SET state = $1, reject_reason = $2, decided_by = $3, decided_at = $4,
		version = version + 1 WHERE id = $5 AND version = $6`, h.State, h.RejectReason, h.DecidedBy, h.DecidedAt, h.ID, h.Version)
	return changed(res, err)
}

// Handovers lists a case's handovers, oldest first.
func Handovers(ctx context.Context, r Reader, caseID string) ([]Handover, error) {
	return collect(ctx, r, `SELECT `+handoverCols+` FROM handovers WHERE case_id = $1 ORDER BY created_at, id`, []any{caseID}, scanHandover)
}

// HandoversTo lists the handovers offered to an agency in a state, newest
// first.
func HandoversTo(ctx context.Context, r Reader, agencyID, state string, limit int) ([]Handover, error) {
	return collect(ctx, r, `SELECT `+handoverCols+` FROM handovers WHERE to_agency_id = $1 AND state = $2 ORDER BY created_at DESC LIMIT $3`,
		[]any{agencyID, state, limit}, scanHandover)
}

// Conference is a multidisciplinary case conference; Sectors and Agencies
// are comma-separated codes and ids; its decisions are a Note.
type Conference struct {
	ID        string `json:"id"`
	CaseID    string `json:"case_id"`
	HeldOn    string `json:"held_on"`
	Sectors   string `json:"sectors"`
	Agencies  string `json:"agencies"`
	CreatedBy string `json:"created_by"`
	CreatedAt int64  `json:"created_at"`
}

// InsertConference stores a conference.
func (tx *Tx) InsertConference(ctx context.Context, c Conference) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO conferences (id, case_id, held_on, sectors, agencies, created_by, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, c.ID, c.CaseID, c.HeldOn, c.Sectors, c.Agencies, c.CreatedBy, c.CreatedAt)
	return classify(err)
}

// Conferences lists a case's conferences, latest first.
func Conferences(ctx context.Context, r Reader, caseID string) ([]Conference, error) {
	return collect(ctx, r, `SELECT id, case_id, held_on, sectors, agencies, created_by, created_at FROM conferences WHERE case_id = $1
		ORDER BY held_on DESC, created_at DESC`, []any{caseID}, func(s scanner) (Conference, error) {
		var c Conference
		err := s.Scan(&c.ID, &c.CaseID, &c.HeldOn, &c.Sectors, &c.Agencies, &c.CreatedBy, &c.CreatedAt)
		return c, err
	})
}

// Task is a piece of work on a case with an owner and a due date; its
// description is a Note.
type Task struct {
	ID           string `json:"id"`
	CaseID       string `json:"case_id"`
	OwnerUserID  string `json:"owner_user_id"`
	Kind         string `json:"kind"`
	ConferenceID string `json:"conference_id,omitempty"`
	DueAt        int64  `json:"due_at"`
	DoneAt       int64  `json:"done_at,omitempty"`
	CreatedBy    string `json:"created_by"`
	CreatedAt    int64  `json:"created_at"`
	Version      int64  `json:"version"`
	// CaseReference is filled by the lists.
	CaseReference string `json:"case_reference"`
}

const taskCols = `t.id, t.case_id, t.owner_user_id, t.kind, t.conference_id, t.due_at, COALESCE(t.done_at, 0), t.created_by, t.created_at,
	t.version, c.reference`

func scanTask(s scanner) (Task, error) {
	var t Task
	err := s.Scan(&t.ID, &t.CaseID, &t.OwnerUserID, &t.Kind, &t.ConferenceID, &t.DueAt, &t.DoneAt, &t.CreatedBy, &t.CreatedAt, &t.Version,
		&t.CaseReference)
	return t, err
}

// InsertTask stores a task at version 1.
func (tx *Tx) InsertTask(ctx context.Context, t Task) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO tasks (id, case_id, owner_user_id, kind, conference_id, due_at, created_by, created_at, version)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,1)`, t.ID, t.CaseID, t.OwnerUserID, t.Kind, t.ConferenceID, t.DueAt, t.CreatedBy, t.CreatedAt)
	return classify(err)
}

// CompleteTask marks a task read at version done.
func (tx *Tx) CompleteTask(ctx context.Context, id string, version int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE tasks SET done_at = $1, version = version + 1 WHERE id = $2 AND version = $3 AND done_at IS NULL`,
		Millis(tx.Now), id, version)
	return changed(res, err)
}

// CaseTasks lists a case's tasks, open first, earliest due first.
func CaseTasks(ctx context.Context, r Reader, caseID string) ([]Task, error) {
	return collect(ctx, r, `SELECT `+taskCols+` FROM tasks t JOIN cases c ON c.id = t.case_id WHERE t.case_id = $1
		ORDER BY (t.done_at IS NOT NULL), t.due_at`, []any{caseID}, scanTask)
}

// OpenTasks lists a user's open tasks, earliest due first.
func OpenTasks(ctx context.Context, r Reader, userID string, limit int) ([]Task, error) {
	return collect(ctx, r, `SELECT `+taskCols+` FROM tasks t JOIN cases c ON c.id = t.case_id WHERE t.owner_user_id = $1
		AND t.done_at IS NULL ORDER BY t.due_at LIMIT $2`, []any{userID, limit}, scanTask)
}

// Investigation is an investigation record (package prosecution) as JSON.
type Investigation struct {
	ID, CaseID, AgencyID, Record string
	Version                      int64
	CreatedAt, UpdatedAt         int64
}

// SaveInvestigation inserts (Version 0) or updates an investigation read at
// Version.
func (tx *Tx) SaveInvestigation(ctx context.Context, x Investigation) error {
	now := Millis(tx.Now)
	var err error
	if x.Record, err = stampDoc(x.Record); err != nil {
		return err
	}
	if x.Version == 0 {
		if _, err = tx.ExecContext(ctx, `INSERT INTO investigations (id, case_id, agency_id, record, version, created_at, updated_at)
			VALUES ($1,$2,$3,$4,1,$5,$5)`, x.ID, x.CaseID, x.AgencyID, x.Record, now); err != nil {
			return classify(err)
		}
		return tx.saveInvestigationFacts(ctx, x.ID, x.Record)
	}
	res, err := tx.ExecContext(ctx, `UPDATE investigations SET record = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4`,
		x.Record, now, x.ID, x.Version)
	if err := changed(res, err); err != nil {
		return err
	}
	return tx.saveInvestigationFacts(ctx, x.ID, x.Record)
}

// Investigations lists a case's investigations.
func Investigations(ctx context.Context, r Reader, caseID string) ([]Investigation, error) {
	return collect(ctx, r, `SELECT id, case_id, agency_id, record, version, created_at, updated_at FROM investigations WHERE case_id = $1
		ORDER BY created_at`, []any{caseID}, func(s scanner) (Investigation, error) {
		var x Investigation
		err := s.Scan(&x.ID, &x.CaseID, &x.AgencyID, &x.Record, &x.Version, &x.CreatedAt, &x.UpdatedAt)
		return x, err
	})
}

// InvestigationsHolding lists the investigations whose record holds
// fragment (a JSON key such as "statute"), oldest first: the records a data
// migration has to rewrite.
func InvestigationsHolding(ctx context.Context, r Reader, fragment string) ([]Investigation, error) {
	return collect(ctx, r, `SELECT id, case_id, agency_id, record, version, created_at, updated_at FROM investigations
		WHERE record LIKE $1 ORDER BY created_at`, []any{"%" + fragment + "%"}, func(s scanner) (Investigation, error) {
		var x Investigation
		err := s.Scan(&x.ID, &x.CaseID, &x.AgencyID, &x.Record, &x.Version, &x.CreatedAt, &x.UpdatedAt)
		return x, err
	})
}

// Scrub rewrites the storage of table after a data migration removed clear
// text from it, so the old bytes do not linger in free space: on SQLite the
// WAL is checkpointed and emptied and the whole file rebuilt (VACUUM); on
// PostgreSQL the table is rewritten into new files (VACUUM FULL). Neither
// reaches copies made before (backups, PostgreSQL's archived WAL).
func (db *DB) Scrub(ctx context.Context, table string) error {
	if !slices.Contains([]string{"investigations"}, table) {
		return errs.E(errs.Invalid, "no scrub for table %s", table)
	}
	stmts := []string{`VACUUM FULL ` + table}
	if db.Dialect == SQLite {
		stmts = []string{`PRAGMA wal_checkpoint(TRUNCATE)`, `VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`}
	}
	for _, q := range stmts {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			return classify(err)
		}
	}
	return nil
}

// Email is an alert waiting to be sent: a code, a user, a case id.
type Email struct {
	ID, UserID, Kind, CaseID string
	CreatedAt                int64
	Attempts                 int
}

// QueueEmail stores an alert for the sender.
func (tx *Tx) QueueEmail(ctx context.Context, e Email) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO email_outbox (id, user_id, kind, case_id, created_at, attempts, last_error)
		VALUES ($1,$2,$3,$4,$5,0,'')`, e.ID, e.UserID, e.Kind, e.CaseID, e.CreatedAt)
	return classify(err)
}

// PendingEmails lists unsent alerts with fewer than maxAttempts tries,
// oldest first.
func (db *DB) PendingEmails(ctx context.Context, maxAttempts, limit int) ([]Email, error) {
	return collect(ctx, db.r, `SELECT id, user_id, kind, case_id, created_at, attempts FROM email_outbox WHERE sent_at IS NULL
		AND attempts < $1 ORDER BY created_at LIMIT $2`, []any{maxAttempts, limit}, func(s scanner) (Email, error) {
		var e Email
		err := s.Scan(&e.ID, &e.UserID, &e.Kind, &e.CaseID, &e.CreatedAt, &e.Attempts)
		return e, err
	})
}

// MarkEmail records an attempt: sent when errCode is empty, else a failure
// with a coded reason (never the server's text, which may echo an address).
func (tx *Tx) MarkEmail(ctx context.Context, id, errCode string) error {
	var sent any
	if errCode == "" {
		sent = Millis(tx.Now)
	}
	_, err := tx.ExecContext(ctx, `UPDATE email_outbox SET sent_at = $1, attempts = attempts + 1, last_error = $2 WHERE id = $3`, sent, errCode, id)
	return classify(err)
}

// scanner is what a scan function reads one row from: a *sql.Row or the
// current row of *sql.Rows.
type scanner = interface{ Scan(...any) error }

// collect runs a query and scans every row.
func collect[T any](ctx context.Context, r Reader, q string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	var out []T
	if err := each(ctx, r, q, args, scan, func(x T) error { out = append(out, x); return nil }); err != nil {
		return nil, err
	}
	return out, nil
}

// each runs a query and hands every row, scanned, to fn, stopping at the
// first error fn returns.
func each[T any](ctx context.Context, r Reader, q string, args []any, scan func(scanner) (T, error), fn func(T) error) error {
	rows, err := r.QueryContext(ctx, q, args...)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return classify(err)
		}
		if err := fn(x); err != nil {
			return err
		}
	}
	return classify(rows.Err())
}

// scanColumn scans a row of one column.
func scanColumn[T any](s scanner) (T, error) {
	var v T
	err := s.Scan(&v)
	return v, err
}

// QueueAgencyEmails queues an alert for every enabled user of an agency
// who has an e-mail address.
func (tx *Tx) QueueAgencyEmails(ctx context.Context, agencyID, kind, caseID string) error {
	return tx.queueEmails(ctx, kind, caseID, `SELECT id FROM users WHERE agency_id = $1 AND disabled = 0 AND email <> ''`, agencyID)
}

// QueueRoleEmails queues an alert for every enabled user of one role in
// an agency who has an e-mail address: e.g. its administrators.
func (tx *Tx) QueueRoleEmails(ctx context.Context, agencyID, role, kind, caseID string) error {
	return tx.queueEmails(ctx, kind, caseID, `SELECT id FROM users WHERE agency_id = $1 AND role = $2 AND disabled = 0 AND email <> ''`,
		agencyID, role)
}

func (tx *Tx) queueEmails(ctx context.Context, kind, caseID, users string, args ...any) error {
	ids, err := collect(ctx, tx, users, args, scanColumn[string])
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.QueueEmail(ctx, Email{ID: NewID(), UserID: id, Kind: kind, CaseID: caseID, CreatedAt: Millis(tx.Now)}); err != nil {
			return err
		}
	}
	return nil
}

// MarkOnce records that something was done for a key, and reports whether
// it is the first time.
func (tx *Tx) MarkOnce(ctx context.Context, kind, key string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO instance_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
		"once:"+kind+":"+key, "1")
	if err != nil {
		return false, classify(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

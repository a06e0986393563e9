package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
)

// CheckpointEvery is how many events pass between the checkpoints signed
// inside appending transactions; serve also signs the head every minute.
const CheckpointEvery = 256

// AuditSigner signs checkpoints of the audit chain.
type AuditSigner struct {
	Key   ed25519.PrivateKey
	KeyID string
}

// SetAuditSigner gives the database the instance's checkpoint key. Without
// one, events are still chained but no checkpoints are signed.
func (db *DB) SetAuditSigner(s *AuditSigner) { db.signer = s }

// AuditSignerOf returns the instance's checkpoint key given to the database,
// or nil; backups are signed with it.
func (db *DB) AuditSignerOf() *AuditSigner { return db.signer }

// Audit records an event in the transaction: the event exists exactly when
// the change it records does. The caller fills Actor, Action, the object
// and Details (ids and codes only); Audit checks them now and fills the id
// and time. The transaction's events are chained and written just before
// it commits, so the lock on the chain's head is held only for that
// moment, not for the whole transaction.
func (tx *Tx) Audit(ctx context.Context, e audit.Event) error {
	// The request's scope marks the event: the record's agency, and the
	// break-glass flag when a grant is what gives access.
	e = audit.Stamp(ctx, e)
	e.ID = NewID()
	e.At = Millis(tx.Now)
	if e.Actor == "" {
		e.Actor = audit.SystemActor
	}
	// Validate with placeholder chain fields; Chain fills the real ones.
	probe := audit.Chain(nil, e)
	if err := probe.Validate(); err != nil {
		return errs.Wrap(errs.Internal, err)
	}
	tx.pending = append(tx.pending, e)
	return nil
}

// flushAudit chains and writes the transaction's pending events. It locks
// the head row: concurrent appenders on PostgreSQL wait here until this
// transaction ends, so the chain has no forks or gaps.
func (tx *Tx) flushAudit(ctx context.Context) error {
	n := int64(len(tx.pending))
	if n == 0 {
		return nil
	}
	var last int64
	var headHex string
	if err := tx.queryRow(ctx, qAuditAdvance, n).Scan(&last, &headHex); err != nil {
		return classify(err)
	}
	var prev *audit.Event
	if headHex != "" {
		h, err := hex.DecodeString(headHex)
		if err != nil {
			return fmt.Errorf("audit head is damaged: %w", err)
		}
		prev = &audit.Event{Seq: last - n, Hash: h}
	} else if last != n {
		return fmt.Errorf("audit head is damaged: no hash at sequence %d", last-n)
	}
	// PostgreSQL takes the batch and the new head in one statement, one
	// round trip however many events; SQLite, in process, runs its
	// prepared one-row insert per event.
	batch := tx.Dialect == Postgres
	var q []byte
	var args []any
	if batch {
		q = append(q, "WITH ins AS (INSERT INTO audit_events ("+auditCols+") VALUES "...)
	}
	var checkpoints []audit.Checkpoint
	for i := range tx.pending {
		e := audit.Chain(prev, tx.pending[i])
		if e.Seq != last-n+int64(i)+1 {
			return fmt.Errorf("audit chain out of step: event %d, expected %d", e.Seq, last-n+int64(i)+1)
		}
		details := []byte("{}")
		if e.Details != nil {
			var err error
			if details, err = json.Marshal(e.Details); err != nil {
				return err
			}
		}
		row := []any{e.Seq, e.ID, e.At, e.Actor, e.Action, e.ObjectType, e.ObjectID, e.Agency,
			e.Reason, int64(e.Flags), string(details), e.PrevHash, e.Hash, e.Details[audit.RecordAgencyDetail]}
		if batch {
			if i > 0 {
				q = append(q, ',')
			}
			q = append(q, '(')
			q = append(q, placeholders(len(args)+1, len(args)+len(row))...)
			q = append(q, ')')
			args = append(args, row...)
		} else if _, err := tx.exec(ctx, qAuditInsert, row...); err != nil {
			return classify(err)
		}
		if tx.db.signer != nil && e.Seq%CheckpointEvery == 0 {
			checkpoints = append(checkpoints, audit.Sign(tx.db.signer.Key, tx.db.signer.KeyID, e, e.At))
		}
		prev = &e
	}
	head := hex.EncodeToString(prev.Hash)
	if batch {
		q = append(q, ") UPDATE audit_head SET hash = $"...)
		q = strconv.AppendInt(q, int64(len(args)+1), 10)
		q = append(q, " WHERE id = 1"...)
		if _, err := tx.sqlTx.ExecContext(ctx, string(q), append(args, head)...); err != nil {
			return classify(err)
		}
	} else if _, err := tx.exec(ctx, qAuditHead, head); err != nil {
		return classify(err)
	}
	for _, c := range checkpoints {
		if err := tx.insertCheckpoint(ctx, c); err != nil {
			return err
		}
	}
	tx.pending = nil
	return nil
}

// The audit trail's statements, which every change and every view runs.
const (
	qAuditAdvance = `UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash`
	qAuditInsert  = `INSERT INTO audit_events (` + auditCols + `) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`
	qAuditHead    = `UPDATE audit_head SET hash = $1 WHERE id = 1`
)

// prepareAudit prepares the audit statements on SQLite's writer before a
// transaction takes its one connection (preparing inside it would wait for
// that connection forever). Until the audit tables exist, during the first
// migration, it prepares nothing and the statements run unprepared.
func (db *DB) prepareAudit(ctx context.Context) {
	if !db.ws.cache || db.auditPrepared.Load() {
		return
	}
	for _, q := range []string{qAuditAdvance, qAuditInsert, qAuditHead} {
		if db.ws.stmt(ctx, q) == nil {
			return
		}
	}
	db.auditPrepared.Store(true)
}

// exec runs an audit statement, prepared when prepareAudit could.
func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := tx.db.ws.prepared(q); st != nil {
		return tx.sqlTx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.sqlTx.ExecContext(ctx, q, args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := tx.db.ws.prepared(q); st != nil {
		return tx.sqlTx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.sqlTx.QueryRowContext(ctx, q, args...)
}

func (tx *Tx) insertCheckpoint(ctx context.Context, c audit.Checkpoint) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (seq) DO NOTHING`, c.Seq, c.Hash, c.At, c.KeyID, c.Signature)
	return classify(err)
}

// CheckpointHead signs the newest event unless it is already signed. Every
// replica may call it; the insert is idempotent.
func (db *DB) CheckpointHead(ctx context.Context) (signed bool, err error) {
	if db.signer == nil {
		return false, errors.New("no audit signing key")
	}
	err = db.WriteBookkeeping(ctx, AuditCheckpoint, func(tx *Tx) error {
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&seq); err != nil {
			return classify(err)
		}
		if seq == 0 {
			return nil
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_checkpoints WHERE seq = $1`, seq).Scan(&n); err != nil || n > 0 {
			return classify(err)
		}
		e, err := scanAuditEvent(tx.QueryRowContext(ctx, `SELECT `+auditCols+` FROM audit_events WHERE seq = $1`, seq))
		if err != nil {
			return notFound(err, "audit event")
		}
		signed = true
		return tx.insertCheckpoint(ctx, audit.Sign(db.signer.Key, db.signer.KeyID, e, Millis(tx.Now)))
	})
	return signed, err
}

// auditCols are the columns of an event; record_agency repeats the detail
// of that name for the agency's administrators (migration 0010).
const auditCols = `seq, id, at, actor, action, object_type, object_id, agency, reason, flags, details, prev_hash, hash, record_agency`

func scanAuditEvent(row interface{ Scan(...any) error }) (audit.Event, error) {
	var e audit.Event
	var flags int64
	var details, recordAgency string
	if err := row.Scan(&e.Seq, &e.ID, &e.At, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.Agency, &e.Reason,
		&flags, &details, &e.PrevHash, &e.Hash, &recordAgency); err != nil {
		return e, err
	}
	e.Flags = uint32(flags)
	if details != "{}" && details != "" && details != "null" {
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			// A row whose details no longer parse was altered; hand
			// the verifier something that cannot match its hash.
			e.Details = map[string]string{"unparseable": strconv.Itoa(len(details))}
		}
	}
	if recordAgency != e.Details[audit.RecordAgencyDetail] {
		// The column no longer repeats the hashed detail: altered, to
		// hide the event from the record's agency or show it to another.
		e.Details = map[string]string{"record_agency_altered": strconv.Itoa(len(recordAgency))}
	}
	return e, nil
}

// EachAuditEvent streams the chain in sequence order, for verification.
func (db *DB) EachAuditEvent(ctx context.Context, fn func(audit.Event) error) error {
	return db.eachAuditEventFrom(ctx, 0, fn)
}

// eachAuditEventFrom calls fn for every event from sequence number from
// on, in sequence order.
func (db *DB) eachAuditEventFrom(ctx context.Context, from int64, fn func(audit.Event) error) error {
	return each(ctx, db.r, `SELECT `+auditCols+` FROM audit_events WHERE seq >= $1 ORDER BY seq`, []any{from}, scanAuditEvent, fn)
}

// AuditCheckpoints returns every checkpoint in sequence order.
func (db *DB) AuditCheckpoints(ctx context.Context) ([]audit.Checkpoint, error) {
	return collect(ctx, db.r, `SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq`, nil,
		func(s scanner) (audit.Checkpoint, error) {
			var c audit.Checkpoint
			err := s.Scan(&c.Seq, &c.Hash, &c.At, &c.KeyID, &c.Signature)
			return c, err
		})
}

// VerifyAudit walks the whole chain and its checkpoints with the given
// public keys and returns the summary or the first *audit.ChainError.
func (db *DB) VerifyAudit(ctx context.Context, keys ...ed25519.PublicKey) (audit.Summary, error) {
	if len(keys) == 0 {
		return audit.Summary{}, errors.New("no audit public key")
	}
	v := audit.NewVerifier(keys[0])
	for _, k := range keys[1:] {
		v.AddKey(k)
	}
	cps, err := db.AuditCheckpoints(ctx)
	if err != nil {
		return audit.Summary{}, err
	}
	for _, c := range cps {
		if err := v.Checkpoint(c); err != nil {
			return audit.Summary{}, err
		}
	}
	err = db.EachAuditEvent(ctx, func(e audit.Event) error { return v.Next(e) })
	if err != nil {
		var ce *audit.ChainError
		if errors.As(err, &ce) {
			return audit.Summary{}, err
		}
		return audit.Summary{}, err
	}
	return v.Finish()
}

// VerifyAuditSince verifies the events after the newest signed
// checkpoint, relying on that checkpoint's signature for everything before
// it: the quick check of a long log whose earlier part was verified in
// full before. The checkpoint must verify under one of keys. With no
// checkpoint yet, the whole chain is verified.
func (db *DB) VerifyAuditSince(ctx context.Context, keys ...ed25519.PublicKey) (audit.Summary, error) {
	cps, err := db.AuditCheckpoints(ctx)
	if err != nil {
		return audit.Summary{}, err
	}
	if len(cps) == 0 {
		return db.VerifyAudit(ctx, keys...)
	}
	last := cps[len(cps)-1]
	var pub ed25519.PublicKey
	for _, k := range keys {
		if len(k) == ed25519.PublicKeySize && audit.KeyIDFor(k) == last.KeyID {
			pub = k
		}
	}
	if pub == nil {
		return audit.Summary{}, &audit.ChainError{Seq: last.Seq, Kind: audit.KindBadCheckpoint, Detail: "the newest checkpoint is signed by none of the given keys"}
	}
	v, err := audit.NewVerifierFrom(pub, last)
	if err != nil {
		return audit.Summary{}, err
	}
	if err := db.eachAuditEventFrom(ctx, last.Seq, func(e audit.Event) error { return v.Next(e) }); err != nil {
		return audit.Summary{}, err
	}
	return v.Finish()
}

// AuditFilter narrows the audit log view. Agency keeps the events of that
// agency's staff and the events on that agency's records.
type AuditFilter struct {
	Actor, Action, ObjectID, Agency string
	FromMillis, ToMillis            int64
	BreakGlassOnly                  bool
	BeforeSeq                       int64
	Limit                           int
}

// AuditEvents lists events newest first.
func (db *DB) AuditEvents(ctx context.Context, f AuditFilter) ([]audit.Event, error) {
	q := selectFrom(auditCols, "audit_events")
	q.where(f.Actor != "", "actor =", f.Actor)
	q.where(f.Action != "", "action =", f.Action)
	q.where(f.ObjectID != "", "object_id =", f.ObjectID)
	if f.Agency != "" {
		// The agency's own staff's events, and every event on its
		// records, whoever made it.
		q.args = append(q.args, f.Agency)
		n := "$" + strconv.Itoa(len(q.args))
		q.sql += " AND (agency = " + n + " OR record_agency = " + n + ")"
	}
	q.where(f.FromMillis > 0, "at >=", f.FromMillis)
	q.where(f.ToMillis > 0, "at <", f.ToMillis)
	q.where(f.BeforeSeq > 0, "seq <", f.BeforeSeq)
	q.where(f.BreakGlassOnly, "flags =", int64(audit.FlagBreakGlass))
	q.page("seq DESC", f.Limit, 100, 500)
	return collect(ctx, db.r, q.sql, q.args, scanAuditEvent)
}

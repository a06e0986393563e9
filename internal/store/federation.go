package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/haven-nrm/haven/internal/errs"
)

// Peer is another Haven instance this one exchanges cases with (public
// keys only).
type Peer struct {
	ID, BaseURL, Country, Name, Contact string
	KeyID                               string
	SignKey, KEMKey                     []byte
	// RetiredKeys is JSON: key id → hex Ed25519 key of keys the peer
	// rotated away from, still trusted for envelopes in flight.
	RetiredKeys string
	// Status is active, suspended or removed.
	Status    string
	Agreement string // JSON, package trm
	AddedBy   string
	AddedAt   int64
	UpdatedAt int64
	Version   int64
}

const peerCols = `id, base_url, country, name, contact, key_id, sign_key, kem_key, retired_keys, status, agreement, added_by, added_at, updated_at, version`

func scanPeer(s scanner) (Peer, error) {
	var p Peer
	err := s.Scan(&p.ID, &p.BaseURL, &p.Country, &p.Name, &p.Contact, &p.KeyID, &p.SignKey, &p.KEMKey, &p.RetiredKeys, &p.Status,
		&p.Agreement, &p.AddedBy, &p.AddedAt, &p.UpdatedAt, &p.Version)
	return p, err
}

// UpsertPeer adds a peer, or replaces a known peer's keys, address and
// agreement (a re-added or rotated peer), making it active.
func (tx *Tx) UpsertPeer(ctx context.Context, p Peer) error {
	res, err := tx.ExecContext(ctx, `UPDATE federation_peers SET base_url = $2, country = $3, name = $4, contact = $5, key_id = $6,
		sign_key = $7, kem_key = $8, retired_keys = $9, status = $10, agreement = $11, updated_at = $12, version = version + 1 WHERE id = $1`,
		p.ID, p.BaseURL, p.Country, p.Name, p.Contact, p.KeyID, p.SignKey, p.KEMKey, p.RetiredKeys, p.Status, p.Agreement, p.UpdatedAt)
	if err != nil {
		return classify(err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO federation_peers (`+peerCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,1)`,
		p.ID, p.BaseURL, p.Country, p.Name, p.Contact, p.KeyID, p.SignKey, p.KEMKey, p.RetiredKeys, p.Status, p.Agreement, p.AddedBy,
		p.AddedAt, p.UpdatedAt)
	return classify(err)
}

// SetPeerStatus changes a peer's status.
func (tx *Tx) SetPeerStatus(ctx context.Context, id, status string) error {
	res, err := tx.ExecContext(ctx, `UPDATE federation_peers SET status = $2, updated_at = $3, version = version + 1 WHERE id = $1`,
		id, status, Millis(tx.Now))
	return rowChanged(res, err, errs.E(errs.NotFound, "no peer %s", id))
}

// PeerByID returns a peer, or an errs.NotFound error.
func PeerByID(ctx context.Context, r Reader, id string) (Peer, error) {
	p, err := scanPeer(r.QueryRowContext(ctx, `SELECT `+peerCols+` FROM federation_peers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Peer{}, errs.E(errs.NotFound, "no peer %s", id)
	}
	return p, classify(err)
}

// Peers lists every peer, by country and name.
func Peers(ctx context.Context, r Reader) ([]Peer, error) {
	return collect(ctx, r, `SELECT `+peerCols+` FROM federation_peers ORDER BY country, name, id`, nil, scanPeer)
}

// OutboxRow is an envelope waiting for (or delivered with) its receipt.
type OutboxRow struct {
	ID, PeerID, Kind, TransferID string
	WrappedKey, Payload          []byte
	State                        string // pending, delivered
	Attempts                     int
	NextAt                       int64
	LastError                    string // a refusal or fault code
	CreatedAt, DeliveredAt       int64
	Receipt                      []byte
}

const outboxCols = `id, peer_id, kind, transfer_id, wrapped_key, payload, state, attempts, next_at, last_error, created_at, COALESCE(delivered_at, 0), receipt`

func scanOutbox(s scanner) (OutboxRow, error) {
	var o OutboxRow
	err := s.Scan(&o.ID, &o.PeerID, &o.Kind, &o.TransferID, &o.WrappedKey, &o.Payload, &o.State, &o.Attempts, &o.NextAt, &o.LastError,
		&o.CreatedAt, &o.DeliveredAt, &o.Receipt)
	return o, err
}

// InsertOutbox queues an envelope's payload for a peer.
func (tx *Tx) InsertOutbox(ctx context.Context, o OutboxRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO federation_outbox (id, peer_id, kind, transfer_id, wrapped_key, payload, state, attempts,
		next_at, last_error, created_at) VALUES ($1,$2,$3,$4,$5,$6,'pending',0,$7,'',$8)`,
		o.ID, o.PeerID, o.Kind, o.TransferID, o.WrappedKey, o.Payload, o.NextAt, o.CreatedAt)
	return classify(err)
}

// PendingOutbox lists pending envelopes in the order they were queued
// (ids sort by creation), due or not: the sender keeps each peer's order.
func PendingOutbox(ctx context.Context, r Reader, limit int) ([]OutboxRow, error) {
	return collect(ctx, r, `SELECT `+outboxCols+` FROM federation_outbox WHERE state = 'pending'
		ORDER BY created_at, id LIMIT $1`, []any{limit}, scanOutbox)
}

// OutboxOf lists a transfer's envelopes, oldest first.
func OutboxOf(ctx context.Context, r Reader, transferID string) ([]OutboxRow, error) {
	return collect(ctx, r, `SELECT `+outboxCols+` FROM federation_outbox WHERE transfer_id = $1 ORDER BY created_at, id`,
		[]any{transferID}, scanOutbox)
}

// MarkDelivered records the peer's receipt and drops the sealed payload:
// once delivered the peer holds it, and this side keeps only the receipt.
func (tx *Tx) MarkDelivered(ctx context.Context, id string, receipt []byte) error {
	_, err := tx.ExecContext(ctx, `UPDATE federation_outbox SET state = 'delivered', delivered_at = $2, receipt = $3, wrapped_key = NULL,
		payload = NULL, attempts = attempts + 1, last_error = '' WHERE id = $1 AND state = 'pending'`, id, Millis(tx.Now), receipt)
	return classify(err)
}

// MarkRetry records a failed attempt and when to try again.
func (tx *Tx) MarkRetry(ctx context.Context, id, code string, nextAt int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE federation_outbox SET attempts = attempts + 1, next_at = $2, last_error = $3
		WHERE id = $1 AND state = 'pending'`, id, nextAt, code)
	return classify(err)
}

// InboxReceipt returns the receipt given for an envelope already accepted
// from a peer.
func InboxReceipt(ctx context.Context, r Reader, peerID, id string) ([]byte, bool, error) {
	var rc []byte
	err := r.QueryRowContext(ctx, `SELECT receipt FROM federation_inbox WHERE peer_id = $1 AND id = $2`, peerID, id).Scan(&rc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return rc, err == nil, classify(err)
}

// InsertInbox records an accepted envelope and its receipt.
func (tx *Tx) InsertInbox(ctx context.Context, peerID, id, kind string, receipt []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO federation_inbox (peer_id, id, kind, received_at, receipt) VALUES ($1,$2,$3,$4,$5)`,
		peerID, id, kind, Millis(tx.Now), receipt)
	return classify(err)
}

// Transfer is a case sent to or received from a peer.
type Transfer struct {
	ID, Direction, PeerID, RemoteID, CaseID, Purpose string
	Child                                            bool
	Status, Reason                                   string
	WrappedKey, Package                              []byte
	CreatedBy                                        string
	CreatedAt, UpdatedAt, Version                    int64
}

const transferCols = `id, direction, peer_id, remote_id, COALESCE(case_id, ''), purpose, child, status, reason, wrapped_key, package,
	created_by, created_at, updated_at, version`

func scanTransfer(s scanner) (Transfer, error) {
	var t Transfer
	var child int
	err := s.Scan(&t.ID, &t.Direction, &t.PeerID, &t.RemoteID, &t.CaseID, &t.Purpose, &child, &t.Status, &t.Reason, &t.WrappedKey,
		&t.Package, &t.CreatedBy, &t.CreatedAt, &t.UpdatedAt, &t.Version)
	t.Child = child != 0
	return t, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// InsertTransfer records a transfer.
func (tx *Tx) InsertTransfer(ctx context.Context, t Transfer) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO trm_transfers (`+transferColsPlain+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,1)`,
		t.ID, t.Direction, t.PeerID, t.RemoteID, nullable(t.CaseID), t.Purpose, b2i(t.Child), t.Status, t.Reason, t.WrappedKey, t.Package,
		t.CreatedBy, t.CreatedAt, t.UpdatedAt)
	return classify(err)
}

const transferColsPlain = `id, direction, peer_id, remote_id, case_id, purpose, child, status, reason, wrapped_key, package,
	created_by, created_at, updated_at, version`

// UpdateTransfer writes a transfer's status, reason, case and package if
// its version is still t.Version; else errs.Conflict.
func (tx *Tx) UpdateTransfer(ctx context.Context, t Transfer) error {
	res, err := tx.ExecContext(ctx, `UPDATE trm_transfers SET status = $2, reason = $3, case_id = $4, wrapped_key = $5, package = $6,
		updated_at = $7, version = version + 1 WHERE id = $1 AND version = $8`,
		t.ID, t.Status, t.Reason, nullable(t.CaseID), t.WrappedKey, t.Package, Millis(tx.Now), t.Version)
	return rowChanged(res, err, errs.E(errs.Conflict, "transfer %s changed", t.ID))
}

// TransferByID returns a transfer, or errs.NotFound.
func TransferByID(ctx context.Context, r Reader, id string) (Transfer, error) {
	t, err := scanTransfer(r.QueryRowContext(ctx, `SELECT `+transferCols+` FROM trm_transfers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Transfer{}, errs.E(errs.NotFound, "no transfer %s", id)
	}
	return t, classify(err)
}

// TransferByRemote returns the transfer a peer knows by remoteID.
func TransferByRemote(ctx context.Context, r Reader, peerID, direction, remoteID string) (Transfer, bool, error) {
	t, err := scanTransfer(r.QueryRowContext(ctx, `SELECT `+transferCols+` FROM trm_transfers WHERE peer_id = $1 AND direction = $2
		AND remote_id = $3`, peerID, direction, remoteID))
	if errors.Is(err, sql.ErrNoRows) {
		return Transfer{}, false, nil
	}
	return t, err == nil, classify(err)
}

// Transfers lists the transfers of a direction, newest first.
func Transfers(ctx context.Context, r Reader, direction string, limit int) ([]Transfer, error) {
	return collect(ctx, r, `SELECT `+transferCols+` FROM trm_transfers WHERE direction = $1 ORDER BY created_at DESC, id LIMIT $2`,
		[]any{direction, limit}, scanTransfer)
}

// TransfersOfCase lists a case's transfers, oldest first.
func TransfersOfCase(ctx context.Context, r Reader, caseID string) ([]Transfer, error) {
	return collect(ctx, r, `SELECT `+transferCols+` FROM trm_transfers WHERE case_id = $1 ORDER BY created_at, id`,
		[]any{caseID}, scanTransfer)
}

// StatusEvent is a coded event of a transfer.
type StatusEvent struct {
	ID, TransferID, Status, Country string
	At                              int64
}

// InsertStatusEvent records a status event.
func (tx *Tx) InsertStatusEvent(ctx context.Context, e StatusEvent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO trm_status_events (id, transfer_id, status, country, at) VALUES ($1,$2,$3,$4,$5)`,
		e.ID, e.TransferID, e.Status, e.Country, e.At)
	return classify(err)
}

// StatusEvents lists a transfer's events in order.
func StatusEvents(ctx context.Context, r Reader, transferID string) ([]StatusEvent, error) {
	return collect(ctx, r, `SELECT id, transfer_id, status, country, at FROM trm_status_events WHERE transfer_id = $1 ORDER BY at, id`,
		[]any{transferID}, func(s scanner) (StatusEvent, error) {
			var e StatusEvent
			err := s.Scan(&e.ID, &e.TransferID, &e.Status, &e.Country, &e.At)
			return e, err
		})
}

// TRMConsent is a recorded consent (or withdrawal) to a transfer, or a
// child's best-interests determination (Purpose "best_interests").
type TRMConsent struct {
	ID, CaseID, Purpose, Country string
	Given, ByGuardian            bool
	At                           int64
	RecordedBy                   string
}

// InsertTRMConsent records a consent statement.
func (tx *Tx) InsertTRMConsent(ctx context.Context, c TRMConsent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO trm_consents (id, case_id, purpose, country, given, by_guardian, at, recorded_by)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, c.ID, c.CaseID, c.Purpose, c.Country, b2i(c.Given), b2i(c.ByGuardian), c.At, c.RecordedBy)
	return classify(err)
}

// TRMConsents lists a case's consent statements in order.
func TRMConsents(ctx context.Context, r Reader, caseID string) ([]TRMConsent, error) {
	return collect(ctx, r, `SELECT id, case_id, purpose, country, given, by_guardian, at, recorded_by FROM trm_consents
		WHERE case_id = $1 ORDER BY at, id`, []any{caseID}, func(s scanner) (TRMConsent, error) {
		var c TRMConsent
		var g, bg int
		err := s.Scan(&c.ID, &c.CaseID, &c.Purpose, &c.Country, &g, &bg, &c.At, &c.RecordedBy)
		c.Given, c.ByGuardian = g != 0, bg != 0
		return c, err
	})
}

// SOPStep is a recorded SOP checklist step.
type SOPStep struct {
	ID, CaseID, SOP, Step, Country, RecordedBy string
	At                                         int64
}

// InsertSOPStep records a step.
func (tx *Tx) InsertSOPStep(ctx context.Context, s SOPStep) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO trm_sop_steps (id, case_id, sop, step, country, recorded_by, at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		s.ID, s.CaseID, s.SOP, s.Step, s.Country, s.RecordedBy, s.At)
	return classify(err)
}

// SOPSteps lists a case's recorded steps in order.
func SOPSteps(ctx context.Context, r Reader, caseID string) ([]SOPStep, error) {
	return collect(ctx, r, `SELECT id, case_id, sop, step, country, recorded_by, at FROM trm_sop_steps WHERE case_id = $1 ORDER BY at, id`,
		[]any{caseID}, func(s scanner) (SOPStep, error) {
			var x SOPStep
			err := s.Scan(&x.ID, &x.CaseID, &x.SOP, &x.Step, &x.Country, &x.RecordedBy, &x.At)
			return x, err
		})
}

// PersonIDs lists the ids of persons whose identity is held (not erased),
// at most limit: the answering side of a private set intersection.
func PersonIDs(ctx context.Context, r Reader, limit int) ([]string, error) {
	return collect(ctx, r, `SELECT id FROM persons WHERE erased_at IS NULL AND wrapped_key IS NOT NULL ORDER BY id LIMIT $1`,
		[]any{limit}, func(s scanner) (string, error) {
			var id string
			err := s.Scan(&id)
			return id, err
		})
}

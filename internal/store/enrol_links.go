package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/haven-nrm/haven/internal/errs"
)

// EnrolLink is a one-time link that lets a person set up a second factor.
// Only the SHA-256 of its token is stored (HashToken).
type EnrolLink struct {
	UserID                       string
	CreatedAt, ExpiresAt, UsedAt int64
}

// InsertEnrolLink stores a new link of a user by the hash of its token and
// ends the user's earlier unused links: only the newest link works.
func (tx *Tx) InsertEnrolLink(ctx context.Context, userID string, tokenHash []byte, expiresAt int64) error {
	if err := tx.EndEnrolLinks(ctx, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO enrol_links (token_hash, user_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, 0)`,
		tokenHash, userID, Millis(tx.Now), expiresAt)
	return classify(err)
}

// EndEnrolLinks ends every unused link of a user (a newer link, a disabled
// account).
func (tx *Tx) EndEnrolLinks(ctx context.Context, userID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE enrol_links SET used_at = $1 WHERE user_id = $2 AND used_at = 0`, Millis(tx.Now), userID)
	return classify(err)
}

// LiveEnrolLink finds an unused, unexpired link by the hash of its token;
// errs.NotFound for an unknown, used or expired one alike.
func (db *DB) LiveEnrolLink(ctx context.Context, tokenHash []byte, now int64) (EnrolLink, error) {
	var l EnrolLink
	err := db.r.QueryRowContext(ctx, `SELECT user_id, created_at, expires_at, used_at FROM enrol_links
		WHERE token_hash = $1 AND used_at = 0 AND expires_at > $2`, tokenHash, now).Scan(&l.UserID, &l.CreatedAt, &l.ExpiresAt, &l.UsedAt)
	return l, notFound(err, "enrolment link")
}

// UseEnrolLink spends a link of userID that is live at now, once: of two
// requests racing with one link, one gets errs.NotFound.
func (tx *Tx) UseEnrolLink(ctx context.Context, tokenHash []byte, userID string, now int64) error {
	var id string
	err := tx.QueryRowContext(ctx, `UPDATE enrol_links SET used_at = $1 WHERE token_hash = $2 AND user_id = $3 AND used_at = 0 AND expires_at > $1
		RETURNING user_id`, now, tokenHash, userID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "enrolment link not found")
	}
	return classify(err)
}

// StartEnrolment prepares the set-up of a user's second factor from a
// redeemed link: a pending, unconfirmed authenticator and every session
// still waiting to set one up are dropped, so a secret shown before is
// never shown to this or any other sign-in.
func (tx *Tx) StartEnrolment(ctx context.Context, userID string) error {
	for _, q := range []string{`DELETE FROM user_mfa WHERE user_id = $1 AND confirmed = 0`,
		`DELETE FROM sessions WHERE user_id = $1 AND stage = 'enrol'`} {
		if _, err := tx.ExecContext(ctx, q, userID); err != nil {
			return classify(err)
		}
	}
	return nil
}

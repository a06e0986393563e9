package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
)

// This file holds what an account proves itself with besides its password:
// a TOTP authenticator, recovery codes and API tokens; the counters that
// slow down guessing; and the session changes that go with them.

// SetUserPassword replaces an account's password hash.
func (tx *Tx) SetUserPassword(ctx context.Context, userID, hash string) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, Millis(tx.Now), userID)
	return rowChanged(res, err, errs.E(errs.NotFound, "user not found"))
}

// DeleteUserSessionsExcept ends every session of a user but one (after a
// password change, the session that made it stays).
func (tx *Tx) DeleteUserSessionsExcept(ctx context.Context, userID string, keep []byte) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, userID, keep)
	return classify(err)
}

// UserSessionCount counts a user's live sessions.
func (db *DB) UserSessionCount(ctx context.Context, userID string, now time.Time) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE user_id = $1 AND expires_at > $2 AND stage = ''`,
		userID, Millis(now)).Scan(&n)
	return n, classify(err)
}

// MFA is a user's TOTP authenticator. Secret is sealed under the data key
// that WrappedKey holds (record id = user id, field "totp_secret"); the store
// never sees it in clear. An unconfirmed authenticator is one being set up.
type MFA struct {
	UserID      string
	WrappedKey  []byte
	Secret      []byte
	Confirmed   bool
	LastStep    int64
	CreatedAt   int64
	ConfirmedAt int64
}

// MFAOf reads a user's authenticator through q: the read pool, or a write
// transaction that must see its own writes. errs.NotFound when there is none.
func MFAOf(ctx context.Context, q Reader, userID string) (MFA, error) {
	var m MFA
	var conf int
	err := q.QueryRowContext(ctx, `SELECT user_id, wrapped_key, totp_secret, confirmed, last_step, created_at, confirmed_at
		FROM user_mfa WHERE user_id = $1`, userID).Scan(&m.UserID, &m.WrappedKey, &m.Secret, &conf, &m.LastStep, &m.CreatedAt, &m.ConfirmedAt)
	m.Confirmed = conf != 0
	return m, notFound(err, "second factor")
}

// MFA reads a user's authenticator from the read pool.
func (db *DB) MFA(ctx context.Context, userID string) (MFA, error) { return MFAOf(ctx, db.r, userID) }

// HasMFA reports whether a user has a second factor: a confirmed
// authenticator or a passkey.
func (db *DB) HasMFA(ctx context.Context, userID string) (bool, error) {
	return HasMFAOf(ctx, db.r, userID)
}

// HasMFAOf is HasMFA through q (a transaction that must see its own
// writes).
func HasMFAOf(ctx context.Context, q Reader, userID string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM user_mfa WHERE user_id = $1 AND confirmed = 1)
		+ (SELECT count(*) FROM passkeys WHERE user_id = $1)`, userID).Scan(&n)
	return n > 0, classify(err)
}

// MFAUsers returns the ids of the users with a second factor.
func (db *DB) MFAUsers(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	err := each(ctx, db.r, `SELECT user_id FROM user_mfa WHERE confirmed = 1 UNION SELECT user_id FROM passkeys`, nil, scanColumn[string],
		func(id string) error { out[id] = true; return nil })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PutPendingMFA stores an authenticator being set up, replacing an earlier
// unconfirmed one. A confirmed authenticator is never replaced here
// (errs.Conflict): it must be reset first.
func (tx *Tx) PutPendingMFA(ctx context.Context, m MFA) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO user_mfa (user_id, wrapped_key, totp_secret, confirmed, last_step, created_at, confirmed_at)
		VALUES ($1, $2, $3, 0, 0, $4, 0)
		ON CONFLICT (user_id) DO UPDATE SET wrapped_key = excluded.wrapped_key, totp_secret = excluded.totp_secret,
			last_step = 0, created_at = excluded.created_at WHERE user_mfa.confirmed = 0`,
		m.UserID, m.WrappedKey, m.Secret, Millis(tx.Now))
	return rowChanged(res, err, errs.E(errs.Conflict, "a confirmed second factor exists"))
}

// ConfirmMFA marks a pending authenticator confirmed by a code of time step
// step, which it records as used.
func (tx *Tx) ConfirmMFA(ctx context.Context, userID string, step int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE user_mfa SET confirmed = 1, confirmed_at = $1, last_step = $2
		WHERE user_id = $3 AND confirmed = 0 AND last_step < $2`, Millis(tx.Now), step, userID)
	return rowChanged(res, err, errs.E(errs.Conflict, "no second factor awaiting confirmation"))
}

// UseTOTPStep records that a code of time step step was accepted. It
// reports false when that step or a later one was already used: a code is
// accepted once, even by replicas racing each other.
func (tx *Tx) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE user_mfa SET last_step = $1 WHERE user_id = $2 AND confirmed = 1 AND last_step < $1`, step, userID)
	if err != nil {
		return false, classify(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ReplaceRecoveryCodes stores a fresh set of recovery code hashes; the old
// codes stop working.
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return classify(err)
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at, used_at) VALUES ($1, $2, $3, 0)`,
			userID, h, Millis(tx.Now)); err != nil {
			return classify(err)
		}
	}
	return nil
}

// UseRecoveryCode spends an unused recovery code; it reports false when
// the code is unknown or already spent.
func (tx *Tx) UseRecoveryCode(ctx context.Context, userID string, hash []byte) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at = 0`,
		Millis(tx.Now), userID, hash)
	if err != nil {
		return false, classify(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (db *DB) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at = 0`, userID).Scan(&n)
	return n, classify(err)
}

// ResetMFA removes a user's authenticator and recovery codes and ends
// everything the user is signed in with (EndUserAccess): a new
// authenticator is set up through a new enrolment link.
func (tx *Tx) ResetMFA(ctx context.Context, userID string) error {
	for _, q := range []string{`DELETE FROM user_mfa WHERE user_id = $1`, `DELETE FROM recovery_codes WHERE user_id = $1`,
		`DELETE FROM passkeys WHERE user_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, userID); err != nil {
			return classify(err)
		}
	}
	return tx.EndUserAccess(ctx, userID)
}

// EndUserAccess ends every session of a user and revokes every live API
// token, in tx. Every recovery step calls it (a password change, signing
// out everywhere, an MFA reset, disabling the account): whoever held a
// session or a token of the account before holds nothing after.
func (tx *Tx) EndUserAccess(ctx context.Context, userID string) error {
	if err := tx.DeleteUserSessions(ctx, userID); err != nil {
		return err
	}
	return tx.RevokeUserAPITokens(ctx, userID)
}

// RevokeUserAPITokens revokes every live API token of a user.
func (tx *Tx) RevokeUserAPITokens(ctx context.Context, userID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at = 0`, Millis(tx.Now), userID)
	return classify(err)
}

// ThrottleRow is the failure counter of one key (see auth.Throttle).
type ThrottleRow struct {
	Failures    int
	LastFailure int64
	LockedUntil int64
}

// Throttle reads the counter of key; a key never seen reads as zero.
func (db *DB) Throttle(ctx context.Context, key []byte) (ThrottleRow, error) {
	var t ThrottleRow
	err := db.w.QueryRowContext(ctx, `SELECT failures, last_failure, locked_until FROM auth_throttle WHERE key = $1`, key).
		Scan(&t.Failures, &t.LastFailure, &t.LockedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return ThrottleRow{}, nil
	}
	return t, classify(err)
}

// LockThrottle reads the counter of key for update: on PostgreSQL the row
// stays locked until the transaction ends, so replicas counting failures of
// one key at once do not lose any (SQLite has one writer anyway).
func (tx *Tx) LockThrottle(ctx context.Context, key []byte) (ThrottleRow, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO auth_throttle (key, failures, last_failure, locked_until) VALUES ($1, 0, 0, 0)
		ON CONFLICT (key) DO NOTHING`, key); err != nil {
		return ThrottleRow{}, classify(err)
	}
	var t ThrottleRow
	err := tx.QueryRowContext(ctx, `UPDATE auth_throttle SET failures = failures WHERE key = $1 RETURNING failures, last_failure, locked_until`, key).
		Scan(&t.Failures, &t.LastFailure, &t.LockedUntil)
	return t, classify(err)
}

// PutThrottle writes the counter of key (after LockThrottle in the same
// transaction).
func (tx *Tx) PutThrottle(ctx context.Context, key []byte, t ThrottleRow) error {
	_, err := tx.ExecContext(ctx, `UPDATE auth_throttle SET failures = $1, last_failure = $2, locked_until = $3 WHERE key = $4`,
		t.Failures, t.LastFailure, t.LockedUntil, key)
	return classify(err)
}

// ClearThrottle forgets the failures of key (after a complete sign-in).
func (tx *Tx) ClearThrottle(ctx context.Context, key []byte) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM auth_throttle WHERE key = $1`, key)
	return classify(err)
}

// DeleteStaleThrottles forgets counters whose last failure and lock are
// both older than before; it keeps the table to the keys seen lately.
func (tx *Tx) DeleteStaleThrottles(ctx context.Context, before int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM auth_throttle WHERE last_failure < $1 AND locked_until < $1`, before)
	return classify(err)
}

// APIToken is a personal token for the JSON API. The token itself is shown
// once when created; only its SHA-256 is stored.
type APIToken struct {
	ID, UserID, Name                            string
	CreatedAt, ExpiresAt, LastUsedAt, RevokedAt int64
}

// Live reports whether the token may be used at now.
func (t APIToken) Live(now time.Time) bool { return t.RevokedAt == 0 && Millis(now) < t.ExpiresAt }

const apiTokenCols = `id, user_id, name, created_at, expires_at, last_used_at, revoked_at`

func scanAPIToken(row interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt)
	return t, err
}

// InsertAPIToken stores a new token by the hash of its secret.
func (tx *Tx) InsertAPIToken(ctx context.Context, t APIToken, tokenHash []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at, last_used_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, 0, 0)`, t.ID, t.UserID, t.Name, tokenHash, t.CreatedAt, t.ExpiresAt)
	return classify(err)
}

// APITokenByHash finds a token by the hash of its secret; errs.Unauthenticated
// when there is none. The caller checks Live.
func (db *DB) APITokenByHash(ctx context.Context, tokenHash []byte) (APIToken, error) {
	t, err := scanAPIToken(db.r.QueryRowContext(ctx, `SELECT `+apiTokenCols+` FROM api_tokens WHERE token_hash = $1`, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.E(errs.Unauthenticated, "no such token")
	}
	return t, classify(err)
}

// APITokenByID finds a token by id; errs.NotFound when there is none.
func (db *DB) APITokenByID(ctx context.Context, id string) (APIToken, error) {
	t, err := scanAPIToken(db.r.QueryRowContext(ctx, `SELECT `+apiTokenCols+` FROM api_tokens WHERE id = $1`, id))
	return t, notFound(err, "token")
}

// APITokens lists a user's tokens, newest first.
func (db *DB) APITokens(ctx context.Context, userID string) ([]APIToken, error) {
	return collect(ctx, db.r, `SELECT `+apiTokenCols+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id`, []any{userID}, scanAPIToken)
}

// RevokeAPIToken ends a live token of a user; errs.NotFound when the user
// has no such live token.
func (tx *Tx) RevokeAPIToken(ctx context.Context, userID, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at = 0`,
		Millis(tx.Now), id, userID)
	return rowChanged(res, err, errs.E(errs.NotFound, "token not found"))
}

// TouchAPIToken records the use of a token at ms (accounts decides when,
// and why it is not audited).
func (tx *Tx) TouchAPIToken(ctx context.Context, id string, ms int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, ms, id)
	return classify(err)
}

package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/haven-nrm/haven/internal/errs"
)

// Passkey is a registered WebAuthn credential of a user (package accounts
// gives Credential its meaning).
type Passkey struct {
	ID, UserID   string
	CredentialID []byte
	Name         string
	Credential   string
	SignCount    int64
	UserVerified bool
	CreatedAt    int64
	LastUsedAt   int64
}

const passkeyCols = `id, user_id, credential_id, name, credential, sign_count, user_verified, created_at, last_used_at`

func scanPasskey(row interface{ Scan(...any) error }) (Passkey, error) {
	var p Passkey
	var uv int
	err := row.Scan(&p.ID, &p.UserID, &p.CredentialID, &p.Name, &p.Credential, &p.SignCount, &uv, &p.CreatedAt, &p.LastUsedAt)
	p.UserVerified = uv != 0
	return p, err
}

// PasskeysOf lists a user's passkeys, oldest first, through q.
func PasskeysOf(ctx context.Context, q Reader, userID string) ([]Passkey, error) {
	return collect(ctx, q, `SELECT `+passkeyCols+` FROM passkeys WHERE user_id = $1 ORDER BY created_at, id`, []any{userID}, scanPasskey)
}

// Passkeys lists a user's passkeys.
func (db *DB) Passkeys(ctx context.Context, userID string) ([]Passkey, error) {
	return PasskeysOf(ctx, db.r, userID)
}

// InsertPasskey stores a new passkey.
func (tx *Tx) InsertPasskey(ctx context.Context, p Passkey) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO passkeys (`+passkeyCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,0)`,
		p.ID, p.UserID, p.CredentialID, p.Name, p.Credential, p.SignCount, b2i(p.UserVerified), Millis(tx.Now))
	return classify(err)
}

// UsePasskey records an accepted assertion: the new counter and the
// credential record, only if the stored counter is still below it (or both
// are zero: authenticators without a counter), so two replicas racing with
// one assertion cannot both accept it. It reports whether it did.
func (tx *Tx) UsePasskey(ctx context.Context, id string, count int64, credential string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE passkeys SET sign_count = $1, credential = $2, last_used_at = $3
		WHERE id = $4 AND (sign_count < $1 OR (sign_count = 0 AND $1 = 0))`, count, credential, Millis(tx.Now), id)
	if err != nil {
		return false, classify(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RenamePasskey names a user's passkey; errs.NotFound when the user has no
// such passkey.
func (tx *Tx) RenamePasskey(ctx context.Context, userID, id, name string) error {
	res, err := tx.ExecContext(ctx, `UPDATE passkeys SET name = $1 WHERE id = $2 AND user_id = $3`, name, id, userID)
	return rowChanged(res, err, errs.E(errs.NotFound, "passkey not found"))
}

// DeletePasskey removes a user's passkey; errs.NotFound when the user has
// no such passkey.
func (tx *Tx) DeletePasskey(ctx context.Context, userID, id string) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM passkeys WHERE id = $1 AND user_id = $2`, id, userID)
	return rowChanged(res, err, errs.E(errs.NotFound, "passkey not found"))
}

// DeletePasskeys removes every passkey of a user (a second-factor reset).
func (tx *Tx) DeletePasskeys(ctx context.Context, userID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM passkeys WHERE user_id = $1`, userID)
	return classify(err)
}

// PutPasskeyChallenge stores a ceremony in flight, replacing one under the
// same key, and forgets expired ones.
func (tx *Tx) PutPasskeyChallenge(ctx context.Context, keyHash []byte, kind, userID, sessionData string, expiresAt int64) error {
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM passkey_challenges WHERE expires_at <= $1 OR key_hash = $2`, []any{Millis(tx.Now), keyHash}},
		{`INSERT INTO passkey_challenges (key_hash, kind, user_id, session_data, expires_at) VALUES ($1,$2,$3,$4,$5)`,
			[]any{keyHash, kind, userID, sessionData, expiresAt}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return classify(err)
		}
	}
	return nil
}

// TakePasskeyChallenge deletes and returns the live ceremony of a key and
// kind; errs.NotFound when there is none (unknown, used, expired).
func (tx *Tx) TakePasskeyChallenge(ctx context.Context, keyHash []byte, kind string, now int64) (userID, sessionData string, err error) {
	var exp int64
	err = tx.QueryRowContext(ctx, `DELETE FROM passkey_challenges WHERE key_hash = $1 AND kind = $2
		RETURNING user_id, session_data, expires_at`, keyHash, kind).Scan(&userID, &sessionData, &exp)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && exp <= now) {
		return "", "", errs.E(errs.NotFound, "passkey challenge not found")
	}
	return userID, sessionData, classify(err)
}

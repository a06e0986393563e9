package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"

	"github.com/haven-nrm/haven/internal/errs"
)

// User is an account. PasswordHash is an argon2id PHC string.
type User struct {
	ID, Username, DisplayName, PasswordHash, Role, AgencyID, Language string
	// Email receives alerts (codes and links only); empty: none.
	Email                string
	Disabled, Synthetic  bool
	CreatedAt, UpdatedAt int64
	// JurisdictionID is the agency's jurisdiction (joined, not stored).
	JurisdictionID string
}

const userCols = `u.id, u.username, u.display_name, u.password_hash, u.role, u.agency_id, u.language,
	u.disabled, u.synthetic, u.created_at, u.updated_at, a.jurisdiction_id, u.email`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var dis, syn int
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.Role, &u.AgencyID, &u.Language,
		&dis, &syn, &u.CreatedAt, &u.UpdatedAt, &u.JurisdictionID, &u.Email)
	u.Disabled, u.Synthetic = dis != 0, syn != 0
	return u, err
}

// InsertUser stores a new account.
func (tx *Tx) InsertUser(ctx context.Context, u User) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, display_name, password_hash, role, agency_id,
		language, disabled, synthetic, created_at, updated_at, email) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
		u.ID, u.Username, u.DisplayName, u.PasswordHash, u.Role, u.AgencyID, u.Language, b2i(u.Disabled),
		b2i(u.Synthetic), u.CreatedAt, u.UpdatedAt, u.Email)
	if errs.Is(classify(err), errs.Conflict) {
		return errs.Field("username", "user.username_taken", err)
	}
	return classify(err)
}

// UserByUsername finds an account by its login name.
func (db *DB) UserByUsername(ctx context.Context, username string) (User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u JOIN agencies a ON a.id = u.agency_id WHERE u.username = $1`, username))
	return u, notFound(err, "user")
}

// UserByID finds an account by id.
func (db *DB) UserByID(ctx context.Context, id string) (User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u JOIN agencies a ON a.id = u.agency_id WHERE u.id = $1`, id))
	return u, notFound(err, "user")
}

// Users lists accounts by username.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	return collect(ctx, db.r, `SELECT `+userCols+` FROM users u JOIN agencies a ON a.id = u.agency_id ORDER BY u.username`, nil, scanUser)
}

// SetUserLanguage records a user's chosen language.
func (tx *Tx) SetUserLanguage(ctx context.Context, userID, lang string) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET language = $1, updated_at = $2 WHERE id = $3`, lang, Millis(tx.Now), userID)
	return classify(err)
}

// SetUserDisabled disables or enables an account; disabling ends all of its
// sessions, revokes its API tokens and ends its enrolment links in the same
// transaction (EndUserAccess), so enabling it again revives none of them.
func (tx *Tx) SetUserDisabled(ctx context.Context, userID string, disabled bool) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3`, b2i(disabled), Millis(tx.Now), userID)
	if err := rowChanged(res, err, errs.E(errs.NotFound, "user not found")); err != nil {
		return err
	}
	if disabled {
		if err := tx.EndEnrolLinks(ctx, userID); err != nil {
			return err
		}
		return tx.EndUserAccess(ctx, userID)
	}
	return nil
}

// Session is a signed-in browser. The id itself is never stored, only its
// SHA-256, so a copy of the database does not let anyone take over sessions.
type Session struct {
	TokenHash  []byte
	UserID     string
	CreatedAt  int64
	LastSeenAt int64
	ExpiresAt  int64
	// AuthAt is when the session last proved the password (and second
	// factor); Stage is "" for a complete session, "mfa" while the second
	// factor is awaited, "enrol" while a required one is set up; MFA is
	// set when a second factor was verified.
	AuthAt int64
	Stage  string
	MFA    bool
}

// HashToken returns the stored form of a session or API token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// InsertSession stores a new session.
func (tx *Tx) InsertSession(ctx context.Context, s Session) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, auth_at, stage, mfa)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, s.TokenHash, s.UserID, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.AuthAt, s.Stage, b2i(s.MFA))
	return classify(err)
}

// SessionByToken finds a live session by its token.
func (db *DB) SessionByToken(ctx context.Context, token string) (Session, error) {
	var s Session
	var mfa int
	err := db.r.QueryRowContext(ctx, `SELECT token_hash, user_id, created_at, last_seen_at, expires_at, auth_at, stage, mfa FROM sessions WHERE token_hash = $1`,
		HashToken(token)).Scan(&s.TokenHash, &s.UserID, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.AuthAt, &s.Stage, &mfa)
	s.MFA = mfa != 0
	if errors.Is(err, sql.ErrNoRows) {
		return s, errs.E(errs.Unauthenticated, "no such session")
	}
	return s, classify(err)
}

// TouchSession records activity on a session at ms (accounts decides when,
// and why it is not audited).
func (tx *Tx) TouchSession(ctx context.Context, tokenHash []byte, ms int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, ms, tokenHash)
	return classify(err)
}

// DeleteSession ends one session.
func (tx *Tx) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return classify(err)
}

// DeleteUserSessions ends every session of a user ("log out everywhere").
func (tx *Tx) DeleteUserSessions(ctx context.Context, userID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return classify(err)
}

// DeleteExpiredSessions removes the sessions whose absolute limit passed
// before nowMs or that were last seen before idleMs.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context, nowMs, idleMs int64) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2`, nowMs, idleMs)
	if err != nil {
		return 0, classify(err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

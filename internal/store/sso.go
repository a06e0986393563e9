package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/haven-nrm/haven/internal/errs"
)

// SSOProvider is an OpenID Connect identity provider of a jurisdiction or
// an agency (package sso gives its columns their meaning). The client
// secret is not here: SecretEnv or SecretFile names where it is.
type SSOProvider struct {
	ID, Name, JurisdictionID, AgencyID string
	Issuer, ClientID                   string
	SecretEnv, SecretFile              string
	// Scopes and MFAValues are space-separated; Mapping is JSON.
	Scopes, Mapping, MFAValues string
	Provision, Enabled         bool
	Version                    int64
	CreatedAt, UpdatedAt       int64
}

const ssoProviderCols = `id, name, jurisdiction_id, agency_id, issuer, client_id, secret_env, secret_file, scopes, mapping,
	mfa_values, provision, enabled, version, created_at, updated_at`

func scanSSOProvider(row interface{ Scan(...any) error }) (SSOProvider, error) {
	var p SSOProvider
	var prov, en int
	err := row.Scan(&p.ID, &p.Name, &p.JurisdictionID, &p.AgencyID, &p.Issuer, &p.ClientID, &p.SecretEnv, &p.SecretFile,
		&p.Scopes, &p.Mapping, &p.MFAValues, &prov, &en, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	p.Provision, p.Enabled = prov != 0, en != 0
	return p, err
}

// SSOProviders lists the providers by name.
func (db *DB) SSOProviders(ctx context.Context) ([]SSOProvider, error) {
	return collect(ctx, db.r, `SELECT `+ssoProviderCols+` FROM sso_providers ORDER BY name, id`, nil, scanSSOProvider)
}

// SSOProvider finds a provider by id.
func (db *DB) SSOProvider(ctx context.Context, id string) (SSOProvider, error) {
	p, err := scanSSOProvider(db.r.QueryRowContext(ctx, `SELECT `+ssoProviderCols+` FROM sso_providers WHERE id = $1`, id))
	return p, notFound(err, "identity provider")
}

// InsertSSOProvider stores a new provider at version 1.
func (tx *Tx) InsertSSOProvider(ctx context.Context, p SSOProvider) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sso_providers (`+ssoProviderCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,1,$14,$14)`,
		p.ID, p.Name, p.JurisdictionID, p.AgencyID, p.Issuer, p.ClientID, p.SecretEnv, p.SecretFile, p.Scopes, p.Mapping,
		p.MFAValues, b2i(p.Provision), b2i(p.Enabled), Millis(tx.Now))
	return classify(err)
}

// UpdateSSOProvider replaces a provider's settings if its version is
// still p.Version; errs.Conflict when someone changed it meanwhile.
func (tx *Tx) UpdateSSOProvider(ctx context.Context, p SSOProvider) error {
	res, err := tx.ExecContext(ctx, `UPDATE sso_providers SET name = $1, jurisdiction_id = $2, agency_id = $3, issuer = $4,
		client_id = $5, secret_env = $6, secret_file = $7, scopes = $8, mapping = $9, mfa_values = $10, provision = $11,
		enabled = $12, version = version + 1, updated_at = $13 WHERE id = $14 AND version = $15`,
		p.Name, p.JurisdictionID, p.AgencyID, p.Issuer, p.ClientID, p.SecretEnv, p.SecretFile, p.Scopes, p.Mapping,
		p.MFAValues, b2i(p.Provision), b2i(p.Enabled), Millis(tx.Now), p.ID, p.Version)
	return rowChanged(res, err, errs.E(errs.Conflict, "identity provider changed meanwhile"))
}

// SSOFlow is an authorization request in flight.
type SSOFlow struct {
	ProviderID           string
	BrowserHash          []byte
	Nonce, Verifier      string
	CreatedAt, ExpiresAt int64
}

// InsertSSOFlow stores a flow by the hash of its state, and forgets flows
// that expired.
func (tx *Tx) InsertSSOFlow(ctx context.Context, stateHash []byte, f SSOFlow) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sso_flows WHERE expires_at <= $1`, Millis(tx.Now)); err != nil {
		return classify(err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sso_flows (state_hash, provider_id, browser_hash, nonce, verifier, created_at, expires_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, stateHash, f.ProviderID, f.BrowserHash, f.Nonce, f.Verifier, f.CreatedAt, f.ExpiresAt)
	return classify(err)
}

// TakeSSOFlow deletes the flow of a state and returns it: a state is spent
// by its first use, expired or not, so of two requests with one state one
// gets errs.NotFound.
func (tx *Tx) TakeSSOFlow(ctx context.Context, stateHash []byte) (SSOFlow, error) {
	var f SSOFlow
	err := tx.QueryRowContext(ctx, `DELETE FROM sso_flows WHERE state_hash = $1
		RETURNING provider_id, browser_hash, nonce, verifier, created_at, expires_at`, stateHash).
		Scan(&f.ProviderID, &f.BrowserHash, &f.Nonce, &f.Verifier, &f.CreatedAt, &f.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return f, errs.E(errs.NotFound, "sign-in request not found")
	}
	return f, classify(err)
}

// SSOIdentityUser is the account linked to a provider's subject;
// errs.NotFound when none is.
func (db *DB) SSOIdentityUser(ctx context.Context, providerID string, subjectHash []byte) (string, error) {
	var id string
	err := db.r.QueryRowContext(ctx, `SELECT user_id FROM sso_identities WHERE provider_id = $1 AND subject_hash = $2`,
		providerID, subjectHash).Scan(&id)
	return id, notFound(err, "linked account")
}

// SSOIdentityUserTx is SSOIdentityUser inside a transaction.
func (tx *Tx) SSOIdentityUser(ctx context.Context, providerID string, subjectHash []byte) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT user_id FROM sso_identities WHERE provider_id = $1 AND subject_hash = $2`,
		providerID, subjectHash).Scan(&id)
	return id, notFound(err, "linked account")
}

// LinkSSOIdentity links a provider's subject to an account.
func (tx *Tx) LinkSSOIdentity(ctx context.Context, providerID string, subjectHash []byte, userID string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sso_identities (provider_id, subject_hash, user_id, created_at, last_at)
		VALUES ($1,$2,$3,$4,$4)`, providerID, subjectHash, userID, Millis(tx.Now))
	return classify(err)
}

// TouchSSOIdentity records a sign-in through a linked identity.
func (tx *Tx) TouchSSOIdentity(ctx context.Context, providerID string, subjectHash []byte) error {
	_, err := tx.ExecContext(ctx, `UPDATE sso_identities SET last_at = $1 WHERE provider_id = $2 AND subject_hash = $3`,
		Millis(tx.Now), providerID, subjectHash)
	return classify(err)
}

// SSOProviderOfUser is the provider an account was linked from most
// recently, "" when none.
func (db *DB) SSOProviderOfUser(ctx context.Context, userID string) (string, error) {
	var id string
	err := db.r.QueryRowContext(ctx, `SELECT provider_id FROM sso_identities WHERE user_id = $1 ORDER BY last_at DESC LIMIT 1`, userID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, classify(err)
}

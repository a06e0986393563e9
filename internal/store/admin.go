package store

import (
	"context"

	"github.com/haven-nrm/haven/internal/errs"
)

// This file holds what administration keeps about jurisdictions and
// agencies (migration 0015): the settings an administrator edits, each
// row guarded by its version.

// JurisdictionSettings is a jurisdiction with what administration keeps
// about it.
type JurisdictionSettings struct {
	Jurisdiction
	ParentID, Calendar, LegalProfile, Languages string
	// RGWorkingDays and RecoveryMinDays: 0 means the legal profile's.
	RGWorkingDays, RecoveryMinDays int
	// NegativeRGReview: -1 the profile's, else 0 or 1.
	NegativeRGReview int
	Version          int64
	UpdatedAt        int64
}

const jurisdictionCols = `id, code, country, name, timezone, synthetic, created_at, parent_id, calendar, legal_profile,
	languages, rg_working_days, recovery_min_days, negative_rg_review, version, updated_at`

func scanJurisdiction(row interface{ Scan(...any) error }) (JurisdictionSettings, error) {
	var j JurisdictionSettings
	var syn int
	err := row.Scan(&j.ID, &j.Code, &j.Country, &j.Name, &j.Timezone, &syn, &j.CreatedAt, &j.ParentID, &j.Calendar, &j.LegalProfile,
		&j.Languages, &j.RGWorkingDays, &j.RecoveryMinDays, &j.NegativeRGReview, &j.Version, &j.UpdatedAt)
	j.Synthetic = syn != 0
	return j, err
}

// AllJurisdictionSettings lists every jurisdiction by code.
func (db *DB) AllJurisdictionSettings(ctx context.Context) ([]JurisdictionSettings, error) {
	return collect(ctx, db.r, `SELECT `+jurisdictionCols+` FROM jurisdictions ORDER BY code`, nil, scanJurisdiction)
}

// JurisdictionByCode returns one jurisdiction by its code.
func (db *DB) JurisdictionByCode(ctx context.Context, code string) (JurisdictionSettings, error) {
	j, err := scanJurisdiction(db.r.QueryRowContext(ctx, `SELECT `+jurisdictionCols+` FROM jurisdictions WHERE code = $1`, code))
	return j, notFound(err, "jurisdiction")
}

// InsertJurisdictionSettings stores a new jurisdiction with its settings.
// A code already used is a conflict on the field "code".
func (tx *Tx) InsertJurisdictionSettings(ctx context.Context, j JurisdictionSettings) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO jurisdictions (id, code, country, name, timezone, synthetic, created_at, parent_id,
		calendar, legal_profile, languages, rg_working_days, recovery_min_days, negative_rg_review, version, updated_at)
		VALUES ($1,$2,$3,$4,$5,0,$6,$7,$8,$9,$10,$11,$12,$13,1,$6)`,
		j.ID, j.Code, j.Country, j.Name, j.Timezone, j.CreatedAt, j.ParentID, j.Calendar, j.LegalProfile, j.Languages,
		j.RGWorkingDays, j.RecoveryMinDays, j.NegativeRGReview)
	if errs.Is(classify(err), errs.Conflict) {
		return errs.Field("code", "admin.error.code_taken", err)
	}
	return classify(err)
}

// UpdateJurisdictionSettings writes j's settings (not its code or
// country) if its row still has version j.Version, and bumps the version;
// errs.Conflict when someone changed it meanwhile.
func (tx *Tx) UpdateJurisdictionSettings(ctx context.Context, j JurisdictionSettings) error {
	res, err := tx.ExecContext(ctx, `UPDATE jurisdictions SET name = $1, timezone = $2, parent_id = $3, calendar = $4,
		legal_profile = $5, languages = $6, rg_working_days = $7, recovery_min_days = $8, negative_rg_review = $9,
		version = version + 1, updated_at = $10 WHERE id = $11 AND version = $12`,
		j.Name, j.Timezone, j.ParentID, j.Calendar, j.LegalProfile, j.Languages, j.RGWorkingDays, j.RecoveryMinDays,
		j.NegativeRGReview, Millis(tx.Now), j.ID, j.Version)
	return rowChanged(res, err, errs.E(errs.Conflict, "jurisdiction changed meanwhile"))
}

// AgencySettings is an agency with what administration keeps about it.
type AgencySettings struct {
	Agency
	// Names is a JSON object: language tag → name.
	Names, Designations, Contact string
	Active                       bool
	Version, UpdatedAt           int64
}

const agencyCols = `id, jurisdiction_id, kind, name, synthetic, created_at, names, designations, contact, active, version, updated_at`

func scanAgency(row interface{ Scan(...any) error }) (AgencySettings, error) {
	var a AgencySettings
	var syn, act int
	err := row.Scan(&a.ID, &a.JurisdictionID, &a.Kind, &a.Name, &syn, &a.CreatedAt, &a.Names, &a.Designations, &a.Contact, &act,
		&a.Version, &a.UpdatedAt)
	a.Synthetic, a.Active = syn != 0, act != 0
	return a, err
}

// AllAgencySettings lists every agency by name.
func (db *DB) AllAgencySettings(ctx context.Context) ([]AgencySettings, error) {
	return collect(ctx, db.r, `SELECT `+agencyCols+` FROM agencies ORDER BY jurisdiction_id, name, id`, nil, scanAgency)
}

// AgencySettingsByID returns one agency.
func (db *DB) AgencySettingsByID(ctx context.Context, id string) (AgencySettings, error) {
	a, err := scanAgency(db.r.QueryRowContext(ctx, `SELECT `+agencyCols+` FROM agencies WHERE id = $1`, id))
	return a, notFound(err, "agency")
}

// InsertAgencySettings stores a new agency with its settings.
func (tx *Tx) InsertAgencySettings(ctx context.Context, a AgencySettings) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO agencies (id, jurisdiction_id, kind, name, synthetic, created_at, names, designations,
		contact, active, version, updated_at) VALUES ($1,$2,$3,$4,0,$5,$6,$7,$8,$9,1,$5)`,
		a.ID, a.JurisdictionID, a.Kind, a.Name, a.CreatedAt, a.Names, a.Designations, a.Contact, b2i(a.Active))
	return classify(err)
}

// UpdateAgencySettings writes a's settings if its row still has version
// a.Version; errs.Conflict otherwise.
func (tx *Tx) UpdateAgencySettings(ctx context.Context, a AgencySettings) error {
	res, err := tx.ExecContext(ctx, `UPDATE agencies SET jurisdiction_id = $1, kind = $2, name = $3, names = $4, designations = $5,
		contact = $6, active = $7, version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10`,
		a.JurisdictionID, a.Kind, a.Name, a.Names, a.Designations, a.Contact, b2i(a.Active), Millis(tx.Now), a.ID, a.Version)
	return rowChanged(res, err, errs.E(errs.Conflict, "agency changed meanwhile"))
}

// SetUserRole changes an account's role.
func (tx *Tx) SetUserRole(ctx context.Context, userID, role string) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET role = $1, updated_at = $2 WHERE id = $3`, role, Millis(tx.Now), userID)
	return rowChanged(res, err, errs.E(errs.NotFound, "user not found"))
}

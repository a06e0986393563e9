package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
)

// NewID returns a random 128-bit identifier as 32 hex digits. Ids carry no
// meaning, so they can appear in URLs and audit events.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// Jurisdiction is a country or a local area whose law and competent
// authority apply to a case.
type Jurisdiction struct {
	ID, Code, Country, Name, Timezone string
	Synthetic                         bool
	CreatedAt                         int64
}

// Agency is an organisation taking part in the referral mechanism.
type Agency struct {
	ID, JurisdictionID, Kind, Name string
	Synthetic                      bool
	CreatedAt                      int64
}

// InsertJurisdiction stores a jurisdiction.
func (tx *Tx) InsertJurisdiction(ctx context.Context, j Jurisdiction) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO jurisdictions (id, code, country, name, timezone, synthetic, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, j.ID, j.Code, j.Country, j.Name, j.Timezone, b2i(j.Synthetic), j.CreatedAt)
	return classify(err)
}

// InsertAgency stores an agency.
func (tx *Tx) InsertAgency(ctx context.Context, a Agency) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO agencies (id, jurisdiction_id, kind, name, synthetic, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, a.ID, a.JurisdictionID, a.Kind, a.Name, b2i(a.Synthetic), a.CreatedAt)
	return classify(err)
}

// Jurisdictions lists all jurisdictions by code.
func (db *DB) Jurisdictions(ctx context.Context) ([]Jurisdiction, error) {
	return collect(ctx, db.r, `SELECT id, code, country, name, timezone, synthetic, created_at FROM jurisdictions ORDER BY code`, nil,
		func(s scanner) (Jurisdiction, error) {
			var j Jurisdiction
			var syn int
			err := s.Scan(&j.ID, &j.Code, &j.Country, &j.Name, &j.Timezone, &syn, &j.CreatedAt)
			j.Synthetic = syn != 0
			return j, err
		})
}

// Agencies lists all agencies by jurisdiction and name.
func (db *DB) Agencies(ctx context.Context) ([]Agency, error) {
	return collect(ctx, db.r, `SELECT a.id, a.jurisdiction_id, a.kind, a.name, a.synthetic, a.created_at
		FROM agencies a JOIN jurisdictions j ON j.id = a.jurisdiction_id ORDER BY j.code, a.kind, a.name`, nil,
		func(s scanner) (Agency, error) {
			var a Agency
			var syn int
			err := s.Scan(&a.ID, &a.JurisdictionID, &a.Kind, &a.Name, &syn, &a.CreatedAt)
			a.Synthetic = syn != 0
			return a, err
		})
}

// Agency returns one agency.
func (db *DB) Agency(ctx context.Context, id string) (Agency, error) {
	var a Agency
	var syn int
	err := db.r.QueryRowContext(ctx, `SELECT id, jurisdiction_id, kind, name, synthetic, created_at FROM agencies WHERE id = $1`, id).
		Scan(&a.ID, &a.JurisdictionID, &a.Kind, &a.Name, &syn, &a.CreatedAt)
	a.Synthetic = syn != 0
	return a, notFound(err, "agency")
}

// Counts is a summary of what the instance holds.
type Counts struct {
	Jurisdictions, Agencies, Users, Cases int64
}

// Counts returns how many of each thing the instance holds.
func (db *DB) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	err := db.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM jurisdictions), (SELECT count(*) FROM agencies),
		(SELECT count(*) FROM users), (SELECT count(*) FROM cases)`).Scan(&c.Jurisdictions, &c.Agencies, &c.Users, &c.Cases)
	return c, classify(err)
}

// Setting reads an instance setting; ok is false when it is unset.
func (db *DB) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = db.r.QueryRowContext(ctx, `SELECT value FROM instance_settings WHERE key = $1`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, classify(err)
	}
	return value, true, nil
}

// SetSettingIfAbsent writes an instance setting unless it is set, and
// returns the value in force afterwards.
func (tx *Tx) SetSettingIfAbsent(ctx context.Context, key, value string) (string, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO instance_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
		return "", classify(err)
	}
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM instance_settings WHERE key = $1`, key).Scan(&v)
	return v, classify(err)
}

// SetSetting writes an instance setting.
func (tx *Tx) SetSetting(ctx context.Context, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO instance_settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return classify(err)
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
)

// CalendarVersion is one version of a jurisdiction's public holidays
// (migration 0016). Versions are only ever added.
type CalendarVersion struct {
	ID, JurisdictionID string
	Version            int64
	Years              []int
	Source, Note       string
	Verified           bool
	CreatedAt          int64
	Holidays           []CalendarDay
}

// CalendarDay is one holiday: a date YYYY-MM-DD and its name.
type CalendarDay struct{ Day, Name string }

// InsertCalendarVersion stores a new version with its holidays; its
// number must follow the latest (a concurrent import is a conflict on the
// unique version).
func (tx *Tx) InsertCalendarVersion(ctx context.Context, v CalendarVersion) error {
	ys := make([]string, len(v.Years))
	for i, y := range v.Years {
		ys[i] = strconv.Itoa(y)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_versions (id, jurisdiction_id, version, years, source, verified, note, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, v.ID, v.JurisdictionID, v.Version, strings.Join(ys, ","), v.Source, b2i(v.Verified), v.Note, v.CreatedAt); err != nil {
		return classify(err)
	}
	for _, h := range v.Holidays {
		if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_holidays (version_id, day, name) VALUES ($1,$2,$3)`, v.ID, h.Day, h.Name); err != nil {
			return classify(err)
		}
	}
	return nil
}

// LatestCalendar returns a jurisdiction's newest calendar version with its
// holidays; ok is false when it has none (the legal profile's calendar
// applies).
func LatestCalendar(ctx context.Context, r Reader, jurisdictionID string) (CalendarVersion, bool, error) {
	return calendarWhere(ctx, r, `jurisdiction_id = $1 ORDER BY version DESC LIMIT 1`, jurisdictionID)
}

// CalendarByID returns one calendar version with its holidays.
func CalendarByID(ctx context.Context, r Reader, id string) (CalendarVersion, bool, error) {
	return calendarWhere(ctx, r, `id = $1`, id)
}

func calendarWhere(ctx context.Context, r Reader, where string, arg string) (CalendarVersion, bool, error) {
	var v CalendarVersion
	var years string
	var ver int
	err := r.QueryRowContext(ctx, `SELECT id, jurisdiction_id, version, years, source, verified, note, created_at FROM calendar_versions WHERE `+where, arg).
		Scan(&v.ID, &v.JurisdictionID, &v.Version, &years, &v.Source, &ver, &v.Note, &v.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	if err != nil {
		return v, false, classify(err)
	}
	v.Verified, v.Years = ver != 0, calendarYears(years)
	v.Holidays, err = collect(ctx, r, `SELECT day, name FROM calendar_holidays WHERE version_id = $1 ORDER BY day`, []any{v.ID},
		func(s scanner) (CalendarDay, error) {
			var d CalendarDay
			err := s.Scan(&d.Day, &d.Name)
			return d, err
		})
	if err != nil {
		return v, false, err
	}
	return v, true, nil
}

// calendarYears reads a version's years, stored as a list with commas.
func calendarYears(years string) []int {
	var out []int
	for _, y := range strings.Split(years, ",") {
		if n, err := strconv.Atoi(y); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// CalendarVersions lists a jurisdiction's calendar versions, newest
// first, without their holidays.
func (db *DB) CalendarVersions(ctx context.Context, jurisdictionID string) ([]CalendarVersion, error) {
	return collect(ctx, db.r, `SELECT v.id, v.version, v.years, v.source, v.verified, v.created_at,
		(SELECT count(*) FROM calendar_holidays h WHERE h.version_id = v.id)
		FROM calendar_versions v WHERE v.jurisdiction_id = $1 ORDER BY v.version DESC`, []any{jurisdictionID},
		func(s scanner) (CalendarVersion, error) {
			v := CalendarVersion{JurisdictionID: jurisdictionID}
			var years string
			var ver, n int
			err := s.Scan(&v.ID, &v.Version, &years, &v.Source, &ver, &v.CreatedAt, &n)
			v.Verified, v.Years = ver != 0, calendarYears(years)
			v.Holidays = make([]CalendarDay, n) // the count only
			return v, err
		})
}

// JurisdictionSettingsByID returns one jurisdiction with its settings.
func JurisdictionSettingsByID(ctx context.Context, r Reader, id string) (JurisdictionSettings, error) {
	j, err := scanJurisdiction(r.QueryRowContext(ctx, `SELECT `+jurisdictionCols+` FROM jurisdictions WHERE id = $1`, id))
	return j, notFound(err, "jurisdiction")
}

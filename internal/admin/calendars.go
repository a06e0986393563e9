package admin

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/calendar"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// This file keeps calendars of public holidays as data: a jurisdiction's
// holidays are imported from an iCalendar file or loaded from Haven's
// samples, each time as a new version. Deadlines opened with a version
// keep it (the decision record names it); new ones count with the newest.

// CalendarImport is the result of an import: the new version.
type CalendarImport struct {
	Version  int64
	ID       string
	Years    []int
	Holidays int
	Verified bool
}

// ImportICS reads an iCalendar file (calendar.ParseICS) and makes a new
// calendar version of jurisdiction code: the years the file covers are
// replaced, the others kept (calendar.import). A file Haven cannot read
// exactly is refused whole, on the field "file".
func (s *Service) ImportICS(ctx context.Context, by By, code string, ics []byte, source string) (CalendarImport, error) {
	hs, err := calendar.ParseICS(bytes.NewReader(ics))
	if err != nil {
		return CalendarImport{}, errs.Field("file", "admin.error.ics", err)
	}
	if len(hs) == 0 {
		return CalendarImport{}, errs.Field("file", "admin.error.ics", errs.E(errs.Invalid, "no holidays in the file"))
	}
	if strings.TrimSpace(source) == "" {
		source = "iCalendar import"
	}
	return s.newCalendar(ctx, by, code, func(cur calendar.Holidays) calendar.Holidays {
		h := calendar.Merge(cur, hs, calendar.YearsOf(hs))
		h.Source, h.Note = source, "Imported; unverified until checked against the official gazette."
		return h
	})
}

// LoadSample makes a new calendar version of jurisdiction code from the
// sample holidays Haven ships for its country (2026 and 2027, unverified).
func (s *Service) LoadSample(ctx context.Context, by By, code string) (CalendarImport, error) {
	var sample calendar.Holidays
	return s.newCalendar(ctx, by, code, func(cur calendar.Holidays) calendar.Holidays {
		h := calendar.Merge(cur, sample.Holidays, sample.Years)
		h.Source, h.Note = sample.Source, sample.Note
		return h
	}, func(country string) error {
		var ok bool
		if sample, ok = calendar.Sample(country); !ok {
			return invalid("jurisdiction", "no_sample")
		}
		return nil
	})
}

// newCalendar writes the next calendar version of code: next(current).
// The holidays are checked against the country's calendar (zone, weekly
// rest days) before anything is written.
func (s *Service) newCalendar(ctx context.Context, by By, code string, next func(calendar.Holidays) calendar.Holidays, pre ...func(country string) error) (CalendarImport, error) {
	if !by.allowed(access.ManageJurisdictions, access.Resource{}) {
		return CalendarImport{}, errForbidden
	}
	j, err := s.db.JurisdictionByCode(ctx, strings.ToUpper(strings.TrimSpace(code)))
	if err != nil {
		return CalendarImport{}, invalid("jurisdiction", "jurisdiction")
	}
	for _, p := range pre {
		if err := p(j.Country); err != nil {
			return CalendarImport{}, err
		}
	}
	var out CalendarImport
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		cur, ok, err := store.LatestCalendar(ctx, tx, j.ID)
		if err != nil {
			return err
		}
		h := next(toHolidays(cur))
		if _, err := calendar.Apply(s.profile(j).Calendar, j.Timezone, h); err != nil {
			return errs.Field("file", "admin.error.ics", err)
		}
		v := store.CalendarVersion{ID: store.NewID(), JurisdictionID: j.ID, Version: 1, Years: h.Years, Source: h.Source, Note: h.Note,
			Verified: h.Verified, CreatedAt: store.Millis(tx.Now)}
		if ok {
			v.Version = cur.Version + 1
		}
		for _, d := range h.Holidays {
			v.Holidays = append(v.Holidays, store.CalendarDay{Day: d.Date, Name: d.Name})
		}
		if err := tx.InsertCalendarVersion(ctx, v); err != nil {
			return err
		}
		out = CalendarImport{Version: v.Version, ID: v.ID, Years: v.Years, Holidays: len(v.Holidays), Verified: v.Verified}
		return tx.Audit(ctx, by.event("calendar.import", "jurisdiction", j.ID, "", map[string]string{"code": j.Code,
			"version": strconv.FormatInt(v.Version, 10), "holidays": strconv.Itoa(len(v.Holidays))}))
	})
	return out, err
}

// profile is the legal profile a jurisdiction follows.
func (s *Service) profile(j Jurisdiction) casework.Country {
	code := j.LegalProfile
	if code == "" {
		code = j.Country
	}
	if c, ok := s.countries.Lookup(code); ok {
		return c
	}
	return s.countries.Default()
}

func toHolidays(v store.CalendarVersion) calendar.Holidays {
	h := calendar.Holidays{Years: v.Years, Verified: v.Verified, Source: v.Source, Note: v.Note}
	for _, d := range v.Holidays {
		h.Holidays = append(h.Holidays, casework.Holiday{Date: d.Day, Name: d.Name})
	}
	return h
}

// Calendars lists a jurisdiction's calendar versions, newest first.
func (s *Service) Calendars(ctx context.Context, by By, code string) ([]store.CalendarVersion, error) {
	if !by.allowed(access.ViewDirectory, access.Resource{}) {
		return nil, errForbidden
	}
	j, err := s.db.JurisdictionByCode(ctx, strings.ToUpper(strings.TrimSpace(code)))
	if err != nil {
		return nil, err
	}
	return s.db.CalendarVersions(ctx, j.ID)
}

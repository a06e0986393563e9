package admin

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

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
	// The source is the file's name as uploaded: kept only when it is
	// plain text of a sensible length.
	if source = strings.TrimSpace(source); text(source, 200) != nil {
		source = "iCalendar import"
	}
	return s.newCalendar(ctx, by, code, anyVersion, "calendar.import", nil, func(cur calendar.Holidays) (calendar.Holidays, error) {
		h := calendar.Merge(cur, hs, calendar.YearsOf(hs))
		h.Source, h.Note = source, "Imported; unverified until checked against the official gazette."
		return h, nil
	})
}

// LoadSample makes a new calendar version of jurisdiction code from the
// sample holidays Haven ships for its country (2026 and 2027, unverified).
func (s *Service) LoadSample(ctx context.Context, by By, code string) (CalendarImport, error) {
	var sample calendar.Holidays
	return s.newCalendar(ctx, by, code, anyVersion, "calendar.import", nil, func(cur calendar.Holidays) (calendar.Holidays, error) {
		h := calendar.Merge(cur, sample.Holidays, sample.Years)
		h.Source, h.Note = sample.Source, sample.Note
		return h, nil
	}, func(country string) error {
		var ok bool
		if sample, ok = calendar.Sample(country); !ok {
			return invalid("jurisdiction", "no_sample")
		}
		return nil
	})
}

// anyVersion: a change made from whatever version is current (an import
// replaces whole years and does not depend on what was there).
const anyVersion = -1

// newCalendar writes the next calendar version of code: next(current),
// audited as action with details. want is the version the change was
// made from (anyVersion: any); a newer one is a conflict and nothing is
// written. The holidays are checked against the country's calendar
// (zone, weekly rest days) before anything is written.
func (s *Service) newCalendar(ctx context.Context, by By, code string, want int64, action string, details map[string]string,
	next func(calendar.Holidays) (calendar.Holidays, error), pre ...func(country string) error) (CalendarImport, error) {
	if !by.allowed(access.ManageJurisdictions, access.Resource{}) {
		return CalendarImport{}, errForbidden
	}
	j, err := s.jurisdictionByCode(ctx, code)
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
		if want != anyVersion && cur.Version != want {
			return errs.E(errs.Conflict, "the calendar changed since it was read")
		}
		h, err := next(toHolidays(cur))
		if err != nil {
			return err
		}
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
		d := map[string]string{"code": j.Code, "version": strconv.FormatInt(v.Version, 10), "holidays": strconv.Itoa(len(v.Holidays))}
		for k, x := range details {
			d[k] = x
		}
		return tx.Audit(ctx, by.event(action, "jurisdiction", j.ID, "", d))
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
	j, err := s.jurisdictionByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	return s.db.CalendarVersions(ctx, j.ID)
}

// HolidayInput is a holiday added or removed by hand on the calendar
// page: Version is the calendar version the form showed.
type HolidayInput struct {
	Date    string `json:"date"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

// AddHoliday makes a new calendar version of jurisdiction code with the
// holiday in (calendar.Add): calendar.edit. A version newer than the one
// the form showed is a conflict.
func (s *Service) AddHoliday(ctx context.Context, by By, code string, in HolidayInput) (CalendarImport, error) {
	want, err := calendarVersion(in.Version)
	if err != nil {
		return CalendarImport{}, err
	}
	return s.newCalendar(ctx, by, code, want, "calendar.edit", map[string]string{"change": "add", "date": strings.TrimSpace(in.Date)},
		func(cur calendar.Holidays) (calendar.Holidays, error) {
			h, err := calendar.Add(cur, casework.Holiday{Date: in.Date, Name: in.Name})
			switch {
			case errors.Is(err, calendar.ErrDate):
				return h, errs.Field("date", "setup.error.holiday_date", err)
			case errors.Is(err, calendar.ErrName):
				return h, errs.Field("name", "setup.error.holiday_name", err)
			}
			return h, err
		})
}

// RemoveHoliday makes a new calendar version of jurisdiction code
// without the holiday on in.Date (calendar.Remove): calendar.edit.
func (s *Service) RemoveHoliday(ctx context.Context, by By, code string, in HolidayInput) (CalendarImport, error) {
	want, err := calendarVersion(in.Version)
	if err != nil {
		return CalendarImport{}, err
	}
	date := strings.TrimSpace(in.Date)
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return CalendarImport{}, errs.Field("date", "setup.error.holiday_date", err)
	}
	return s.newCalendar(ctx, by, code, want, "calendar.edit", map[string]string{"change": "remove", "date": date},
		func(cur calendar.Holidays) (calendar.Holidays, error) {
			h, err := calendar.Remove(cur, date)
			if errors.Is(err, calendar.ErrNoHoliday) {
				return h, errs.Field("date", "setup.error.holiday_date", err)
			}
			return h, err
		})
}

// calendarVersion reads the version a form showed.
func calendarVersion(v string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, invalid("version", "version")
	}
	return n, nil
}

// CalendarPage is a jurisdiction's calendar as its page shows it.
type CalendarPage struct {
	Code, Name, Country, TimeZone string
	// SharedFrom is the jurisdiction whose calendar this one counts
	// with, when not its own (its settings' calendar).
	SharedFrom string
	// Versions are every version, newest first (holiday counts only);
	// Current is the newest with its holidays, by year.
	Versions []store.CalendarVersion
	Current  int64
	Years    []HolidayYear
	// Sample: Haven ships sample holidays for the country.
	Sample bool
}

// HolidayYear is one year's holidays of a calendar version.
type HolidayYear struct {
	Year     int
	Holidays []store.CalendarDay
}

// Calendar reads jurisdiction code's calendar page: the administrator who
// keeps jurisdictions keeps their holidays.
func (s *Service) Calendar(ctx context.Context, by By, code string) (CalendarPage, error) {
	j, err := s.keptJurisdiction(ctx, by, code)
	if err != nil {
		return CalendarPage{}, err
	}
	out := CalendarPage{Code: j.Code, Name: j.Name, Country: j.Country, TimeZone: j.Timezone}
	if j.Calendar != "" && j.Calendar != j.Code {
		out.SharedFrom = j.Calendar
	}
	_, out.Sample = calendar.Sample(j.Country)
	if out.Versions, err = s.db.CalendarVersions(ctx, j.ID); err != nil {
		return CalendarPage{}, err
	}
	cur, ok, err := store.LatestCalendar(ctx, s.db.R(), j.ID)
	if err != nil || !ok {
		return out, err
	}
	out.Current = cur.Version
	for _, y := range cur.Years {
		hy := HolidayYear{Year: y}
		for _, d := range cur.Holidays {
			if strings.HasPrefix(d.Day, strconv.Itoa(y)+"-") {
				hy.Holidays = append(hy.Holidays, d)
			}
		}
		out.Years = append(out.Years, hy)
	}
	return out, nil
}

package cases

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/haven-nrm/haven/internal/calendar"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/store"
)

// LocalRules are the decision rules of jurisdiction jurisdictionID: its
// legal profile (its country's unless it names another, from cs), with
// its decision settings in place of the profile's where it sets them,
// counting working days in its own time zone with a calendar of public
// holidays — calendarID when given (the version a running deadline
// started with), else the newest version of its calendar (its own, or the
// jurisdiction its settings name), else the profile's (issue 12).
// The result's CalendarVersion names the version used.
func LocalRules(ctx context.Context, r store.Reader, cs *casework.Countries, jurisdictionID, calendarID string) (casework.Country, error) {
	js, err := store.JurisdictionSettingsByID(ctx, r, jurisdictionID)
	if err != nil {
		return casework.Country{}, err
	}
	code := js.Country
	if js.LegalProfile != "" {
		code = js.LegalProfile
	}
	cfg, ok := cs.Lookup(strings.ToUpper(code))
	if !ok {
		cfg = cs.Default()
	}
	cfg, _, err = withCalendar(ctx, r, withSettings(cfg, js), js, calendarID)
	return cfg, err
}

// withSettings puts a jurisdiction's decision settings into cfg.
func withSettings(cfg casework.Country, js store.JurisdictionSettings) casework.Country {
	if js.RGWorkingDays > 0 {
		cfg.RGTargetWorkingDays = js.RGWorkingDays
	}
	if js.RecoveryMinDays >= casework.MinRecoveryDays {
		cfg.RecoveryMinimumDays = js.RecoveryMinDays
	}
	if js.NegativeRGReview >= 0 {
		cfg.NegativeRGReview = js.NegativeRGReview == 1
	}
	return cfg
}

// CalendarUsed names a calendar version of public holidays: its number,
// the jurisdiction that keeps it, whether it was checked against the
// official gazette. The zero value is the legal profile's own calendar.
type CalendarUsed struct {
	ID           string
	Version      int64
	Jurisdiction string // its code
	Verified     bool
}

// withCalendar puts a jurisdiction's calendar into cfg: version
// calendarID, or the newest when "" (see LocalRules).
func withCalendar(ctx context.Context, r store.Reader, cfg casework.Country, js store.JurisdictionSettings, calendarID string) (casework.Country, CalendarUsed, error) {
	var v store.CalendarVersion
	var ok bool
	var err error
	if calendarID != "" {
		v, ok, err = store.CalendarByID(ctx, r, calendarID)
	} else {
		// A jurisdiction may count with another's calendar (a province
		// with its country's holidays).
		calID := js.ID
		if js.Calendar != "" && js.Calendar != js.Code {
			var id string
			if err := r.QueryRowContext(ctx, `SELECT id FROM jurisdictions WHERE code = $1`, js.Calendar).Scan(&id); err == nil {
				calID = id
			}
		}
		v, ok, err = store.LatestCalendar(ctx, r, calID)
	}
	if err != nil || !ok {
		return cfg, CalendarUsed{}, err
	}
	used := CalendarUsed{ID: v.ID, Version: v.Version, Jurisdiction: js.Code, Verified: v.Verified}
	if v.JurisdictionID != js.ID {
		var code string
		if err := r.QueryRowContext(ctx, `SELECT code FROM jurisdictions WHERE id = $1`, v.JurisdictionID).Scan(&code); err == nil {
			used.Jurisdiction = code
		}
	}
	h := calendar.Holidays{Years: v.Years, Verified: v.Verified, Source: v.Source, Note: v.Note}
	for _, d := range v.Holidays {
		h.Holidays = append(h.Holidays, casework.Holiday{Date: d.Day, Name: d.Name})
	}
	cal, err := calendar.Apply(cfg.Calendar, js.Timezone, h)
	if err != nil {
		return casework.Country{}, CalendarUsed{}, err
	}
	cfg.Calendar, cfg.CalendarVersion = cal, v.ID
	return cfg, used, nil
}

// rulesCache keeps the rules of (jurisdiction, calendar version) for a
// minute, as jurisdictions are: a case page and the queue read them on
// every view. Calendar versions never change; settings may, and are seen
// within the minute.
type rulesCache struct {
	mu sync.Mutex
	m  map[string]cachedRules
}

type cachedRules struct {
	cfg  casework.Country
	used CalendarUsed
	at   time.Time
}

// rules are the rules a case's record follows: the profile it was opened
// under (cfg, from Record), the jurisdiction's settings and the calendar
// version its deadline started with (calendarID; "" for records opened
// before the jurisdiction had a calendar of its own, which keep the
// profile's calendar). latest asks for the jurisdiction's newest
// calendar instead (the queue's "soon").
func (s *Service) rules(ctx context.Context, jurisdictionID string, cfg casework.Country, calendarID string, latest bool) (casework.Country, CalendarUsed, error) {
	key := jurisdictionID + "/" + cfg.Code + "/" + calendarID
	if latest {
		key += "/latest"
	}
	now := time.Now()
	s.rcache.mu.Lock()
	if c, ok := s.rcache.m[key]; ok && now.Sub(c.at) < time.Minute {
		s.rcache.mu.Unlock()
		return c.cfg, c.used, nil
	}
	s.rcache.mu.Unlock()
	js, err := store.JurisdictionSettingsByID(ctx, s.DB.R(), jurisdictionID)
	if err != nil {
		return cfg, CalendarUsed{}, err
	}
	if latest && js.LegalProfile != "" {
		cfg = s.Country(js.LegalProfile)
	}
	out, used := withSettings(cfg, js), CalendarUsed{}
	if calendarID != "" || latest {
		if out, used, err = withCalendar(ctx, s.DB.R(), out, js, calendarID); err != nil {
			return cfg, CalendarUsed{}, err
		}
	}
	s.rcache.mu.Lock()
	if s.rcache.m == nil {
		s.rcache.m = map[string]cachedRules{}
	}
	s.rcache.m[key] = cachedRules{cfg: out, used: used, at: now}
	s.rcache.mu.Unlock()
	return out, used, nil
}

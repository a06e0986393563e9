package referral

import (
	"context"

	"github.com/haven-nrm/haven/internal/calendar"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/store"
)

// localRules are the decision rules a new case of jurisdiction j opens
// under: its legal profile (the country's unless the jurisdiction names
// another), with the jurisdiction's decision settings in place of the
// profile's where it sets them, counting working days with its newest
// calendar of public holidays in its own time zone (issue 12). The
// record keeps the calendar version it was opened with.
func (s *Service) localRules(ctx context.Context, r store.Reader, j store.Jurisdiction) (casework.Country, error) {
	js, err := store.JurisdictionSettingsByID(ctx, r, j.ID)
	if err != nil {
		return casework.Country{}, err
	}
	code := j.Country
	if js.LegalProfile != "" {
		code = js.LegalProfile
	}
	cfg, err := s.country(code)
	if err != nil {
		return casework.Country{}, err
	}
	if js.RGWorkingDays > 0 {
		cfg.RGTargetWorkingDays = js.RGWorkingDays
	}
	if js.RecoveryMinDays >= casework.MinRecoveryDays {
		cfg.RecoveryMinimumDays = js.RecoveryMinDays
	}
	if js.NegativeRGReview >= 0 {
		cfg.NegativeRGReview = js.NegativeRGReview == 1
	}
	// A jurisdiction may count with another's calendar (a province with
	// its country's holidays).
	calID := j.ID
	if js.Calendar != "" && js.Calendar != js.Code {
		var cj store.JurisdictionSettings
		if err := r.QueryRowContext(ctx, `SELECT id FROM jurisdictions WHERE code = $1`, js.Calendar).Scan(&cj.ID); err == nil {
			calID = cj.ID
		}
	}
	v, ok, err := store.LatestCalendar(ctx, r, calID)
	if err != nil || !ok {
		return cfg, err
	}
	h := calendar.Holidays{Years: v.Years, Verified: v.Verified, Source: v.Source, Note: v.Note}
	for _, d := range v.Holidays {
		h.Holidays = append(h.Holidays, casework.Holiday{Date: d.Day, Name: d.Name})
	}
	cal, err := calendar.Apply(cfg.Calendar, js.Timezone, h)
	if err != nil {
		return casework.Country{}, err
	}
	cfg.Calendar, cfg.CalendarVersion = cal, v.ID
	return cfg, nil
}

package referral

import (
	"context"

	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/store"
)

// localRules are the decision rules a new case of jurisdiction j opens
// under (cases.LocalRules): its legal profile and decision settings,
// counting working days with its newest calendar of public holidays in
// its own time zone (issue 12). The record keeps the calendar version it
// was opened with, and later deadlines count with that version.
func (s *Service) localRules(ctx context.Context, r store.Reader, j store.Jurisdiction) (casework.Country, error) {
	if _, err := s.country(j.Country); err != nil { // loads the embedded profiles when none were given
		return casework.Country{}, err
	}
	return cases.LocalRules(ctx, r, s.Countries, j.ID, "")
}

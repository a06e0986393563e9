package admin

import (
	"context"
	"slices"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
)

// SetupStep is one step of setting up an instance, done or not, and the
// page where it is done.
type SetupStep struct {
	Key  string // the step's name: setup.step.<Key> in the catalogue
	Done bool
	Href string
}

// Setup is the first-run guide the system administrator sees on the
// administration page until every step is done: the country's settings,
// its holidays, the competent authority, a child-protection office, a
// police unit, and the first invitations.
type Setup struct {
	Shown bool
	Steps []SetupStep
	Done  bool
}

// Setup reports how far the set-up has come; Shown is false for a reader
// who does not set instances up.
func (s *Service) Setup(ctx context.Context, by By) (Setup, error) {
	if !by.allowed(access.ManageJurisdictions, access.Resource{}) {
		return Setup{}, nil
	}
	js, as, err := s.jurisdictionsAndAgencies(ctx)
	if err != nil {
		return Setup{}, err
	}
	counts, err := s.db.Counts(ctx)
	if err != nil {
		return Setup{}, err
	}
	settings, holidays := false, len(js) > 0
	firstCountry := ""
	for _, j := range js {
		if j.ParentID != "" {
			continue
		}
		if firstCountry == "" {
			firstCountry = j.Code
		}
		settings = settings || j.Languages != ""
		vs, err := s.db.CalendarVersions(ctx, j.ID)
		if err != nil {
			return Setup{}, err
		}
		holidays = holidays && len(vs) > 0
	}
	designated := func(d string) bool {
		return slices.ContainsFunc(as, func(a Agency) bool { return a.Active && slices.Contains(strings.Split(a.Designations, ","), d) })
	}
	edit := "/admin/jurisdictions"
	if firstCountry != "" {
		edit += "/" + firstCountry
	}
	cal := edit
	if firstCountry != "" {
		cal += "/calendar"
	}
	st := Setup{Shown: true, Steps: []SetupStep{
		{"country", settings, edit},
		{"holidays", holidays, cal},
		{"competent_authority", designated("competent_authority"), "/admin/agencies"},
		{"child_protection", designated("child_protection"), "/admin/agencies"},
		{"police", designated("police"), "/admin/agencies"},
		{"users", counts.Users > 1, "/admin/users"},
	}}
	st.Done = !slices.ContainsFunc(st.Steps, func(s SetupStep) bool { return !s.Done })
	return st, nil
}

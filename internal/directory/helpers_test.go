package directory

import (
	"errors"
	"testing"

	"github.com/haven-nrm/haven/internal/support"
)

const (
	agencyShelter = "agency-shelter"  // runs the safe house
	agencyOther   = "agency-outreach" // another NGO with case workers
	agencyPolice  = "agency-police"
	agencyCA      = "agency-competent-authority"
)

// ptr returns a pointer to n.
func ptr(n int) *int { return &n }

// org is the organization that runs the safe house.
func org() Organization {
	return Organization{ID: "org-1", AgencyID: agencyShelter, Name: "Harbour House Association",
		Description: "Shelter and support\nfor presumed victims."}
}

// safeHouse is a confidential location of org().
func safeHouse() Location {
	return Location{ID: "loc-safe", OrganizationID: "org-1", Name: "Harbour House", Confidential: true,
		Address: Address{Line1: "12 Linden Street", City: "Rivertown", Region: "North", PostalCode: "4021", Country: "NL"},
		Area:    "North district"}
}

// office is a location of org() that is not confidential.
func office() Location {
	return Location{ID: "loc-office", OrganizationID: "org-1", Name: "Harbour House office",
		Address: Address{Line1: "1 Market Square", City: "Rivertown", PostalCode: "4000", Country: "NL"},
		Area:    "Rivertown centre"}
}

// shelter is a valid, active short-term shelter service of org().
func shelter() Service {
	return Service{ID: "svc-1", OrganizationID: "org-1", Type: support.ServiceShortTermShelter, Name: "Emergency beds",
		Description: "Beds for the first nights.", Status: StatusActive, Languages: []string{"en", "ro"},
		Eligibility: Eligibility{MinAge: ptr(18), Genders: []string{"Feminine"}, AdultsOnly: true,
			Description: "Adult women."},
		Capacity: Capacity{Total: 8, Available: 2, Unit: UnitBeds}}
}

// wantCode fails unless err carries code (or is nil when code is "").
func wantCode(t *testing.T, rule string, err error, code Code) {
	t.Helper()
	if got := CodeOf(err); got != code || (code == "" && err != nil) {
		t.Errorf("%s: got error %v (code %q), want code %q", rule, err, got, code)
	}
}

// wantCodeAt is wantCode for the case name under rule that also fails
// unless a refusal names field.
func wantCodeAt(t *testing.T, name, rule string, err error, code Code, field string) {
	t.Helper()
	wantCode(t, name+": "+rule, err, code)
	if e := (*Error)(nil); errors.As(err, &e) && e.Field != field {
		t.Errorf("%s: %s: field %q, want %q", name, rule, e.Field, field)
	}
}

// checkCase is a case of a table test of a check: the change to a valid
// value of type T, and the code and field the rule wants ("" for none).
type checkCase[T any] struct {
	name, rule string
	change     func(*T)
	code       Code
	field      string
}

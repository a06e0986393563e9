package directory

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/support"
)

func TestCheckOrganization(t *testing.T) {
	cases := []checkCase[Organization]{
		{"valid", "HSDS 3.0 organization: id and name", func(*Organization) {}, "", ""},
		{"no description", "HSDS 3.0 organization: description is optional", func(o *Organization) { o.Description = "" }, "", ""},
		{"no id", "HSDS 3.0 organization: each organization has a unique identifier", func(o *Organization) { o.ID = "" }, CodeInvalidID, "id"},
		{"id with space", "directory: ids are opaque printable ASCII without spaces", func(o *Organization) { o.ID = "org 1" }, CodeInvalidID, "id"},
		{"long id", "directory: ids are at most 128 bytes", func(o *Organization) { o.ID = strings.Repeat("x", 129) }, CodeInvalidID, "id"},
		{"no agency", "directory: every organization is run by a Haven agency", func(o *Organization) { o.AgencyID = "" }, CodeInvalidID, "agency_id"},
		{"no name", "HSDS 3.0 organization.name is required", func(o *Organization) { o.Name = "" }, CodeRequired, "name"},
		{"blank name", "HSDS 3.0 organization.name is required", func(o *Organization) { o.Name = " \u00a0 " }, CodeRequired, "name"},
		{"long name", "directory: names are bounded", func(o *Organization) { o.Name = strings.Repeat("é", MaxNameLen+1) }, CodeTooLong, "name"},
		{"name at limit", "directory: names are bounded (limit counted in characters)", func(o *Organization) { o.Name = strings.Repeat("é", MaxNameLen) }, "", ""},
		{"line break in name", "directory: a name is one line", func(o *Organization) { o.Name = "Harbour\nHouse" }, CodeInvalidText, "name"},
		{"NUL in name", "directory: no control characters", func(o *Organization) { o.Name = "Harbour\x00" }, CodeInvalidText, "name"},
		{"bidi override", "directory: no bidirectional overrides", func(o *Organization) { o.Name = "Harbour\u202eesuoH" }, CodeInvalidText, "name"},
		{"invalid UTF-8", "directory: text is UTF-8", func(o *Organization) { o.Name = "Harbour\xff" }, CodeInvalidText, "name"},
		{"tab in description", "directory: no control characters but line breaks in descriptions", func(o *Organization) { o.Description = "a\tb" }, CodeInvalidText, "description"},
		{"C1 in description", "directory: no C1 control characters", func(o *Organization) { o.Description = "a\u0085b" }, CodeInvalidText, "description"},
		{"long description", "directory: descriptions are bounded", func(o *Organization) { o.Description = strings.Repeat("a", MaxDescriptionLen+1) }, CodeTooLong, "description"},
	}
	for _, c := range cases {
		o := org()
		c.change(&o)
		wantCodeAt(t, c.name, c.rule, CheckOrganization(o), c.code, c.field)
	}
}

func TestCheckService(t *testing.T) {
	cases := []checkCase[Service]{
		{"valid", "HSDS 3.0 service: id, name, status", func(*Service) {}, "", ""},
		{"every status", "HSDS 3.0 service.status: temporarily closed is a status", func(s *Service) { s.Status = StatusTemporarilyClosed }, "", ""},
		{"no capacity recorded", "HSDS 3.0 service_capacity is optional", func(s *Service) { s.Capacity = Capacity{} }, "", ""},
		{"open eligibility", "HSDS 3.0: eligibility is optional", func(s *Service) { s.Eligibility = Eligibility{} }, "", ""},
		{"three-letter language", "HSDS 3.0 language.code: ISO 639-1 or ISO 639-3", func(s *Service) { s.Languages = []string{"ron", "en"} }, "", ""},
		{"no id", "HSDS 3.0 service: each service has a unique identifier", func(s *Service) { s.ID = "" }, CodeInvalidID, "id"},
		{"no organization", "HSDS 3.0 service.organization_id: the organization that provides it", func(s *Service) { s.OrganizationID = "a b" }, CodeInvalidID, "organization_id"},
		{"unknown type", "services: only the service types of package support", func(s *Service) { s.Type = "astrology" }, CodeUnknownServiceType, "type"},
		{"no type", "services: only the service types of package support", func(s *Service) { s.Type = "" }, CodeUnknownServiceType, "type"},
		{"no name", "HSDS 3.0 service.name is required", func(s *Service) { s.Name = "\t" }, CodeRequired, "name"},
		{"name with line break", "directory: a name is one line", func(s *Service) { s.Name = "Beds\r" }, CodeInvalidText, "name"},
		{"no status", "HSDS 3.0 service.status is required", func(s *Service) { s.Status = "" }, CodeUnknownStatus, "status"},
		{"unknown status", "HSDS 3.0 service.status: active, inactive, defunct or temporarily closed", func(s *Service) { s.Status = "Active" }, CodeUnknownStatus, "status"},
		{"long description", "directory: descriptions are bounded", func(s *Service) { s.Description = strings.Repeat("a", MaxDescriptionLen+1) }, CodeTooLong, "description"},
		{"invalid language", "HSDS 3.0 language.code: ISO 639", func(s *Service) { s.Languages = []string{"english"} }, CodeInvalidLanguage, "languages"},
		{"special language", "ISO 639-2: und is not a language", func(s *Service) { s.Languages = []string{"und"} }, CodeInvalidLanguage, "languages"},
		{"duplicate language", "directory: a language is listed once", func(s *Service) { s.Languages = []string{"en", "ro", "en"} }, CodeDuplicateLanguage, "languages"},
		{"too many languages", "directory: lists are bounded", func(s *Service) { s.Languages = slices.Repeat([]string{"en"}, MaxLanguages+1) }, CodeTooMany, "languages"},
		{"negative minimum age", "HSDS 3.0 minimum_age: an age", func(s *Service) { s.Eligibility.MinAge = ptr(-1) }, CodeInvalidAge, "eligibility.minimum_age"},
		{"maximum age too high", "HSDS 3.0 maximum_age: an age", func(s *Service) { s.Eligibility.MaxAge = ptr(MaxAge + 1) }, CodeInvalidAge, "eligibility.maximum_age"},
		{"minimum above maximum", "HSDS 3.0: minimum_age ≤ maximum_age", func(s *Service) { s.Eligibility.MaxAge = ptr(17) }, CodeAgeRange, "eligibility.minimum_age"},
		{"children and adults", "directory: an eligibility someone can meet", func(s *Service) { s.Eligibility.ChildrenOnly = true }, CodeEligibilityConflict, "eligibility"},
		{"children from 18", "CoE Convention art. 4(d): a child is under 18", func(s *Service) { s.Eligibility.AdultsOnly = false; s.Eligibility.ChildrenOnly = true }, CodeEligibilityConflict, "eligibility"},
		{"adults up to 17", "CoE Convention art. 4(d): an adult is 18 or over", func(s *Service) { s.Eligibility.MinAge = nil; s.Eligibility.MaxAge = ptr(17) }, CodeEligibilityConflict, "eligibility"},
		{"children up to 17", "CoE Convention art. 4(d): a child is under 18", func(s *Service) {
			s.Eligibility = Eligibility{ChildrenOnly: true, MinAge: ptr(12), MaxAge: ptr(17)}
		}, "", ""},
		{"unknown gender", "HTCDS 2.0 prs_Gender codes", func(s *Service) { s.Eligibility.Genders = []string{"Female"} }, CodeUnknownGender, "eligibility.genders"},
		{"duplicate gender", "directory: a gender is listed once", func(s *Service) { s.Eligibility.Genders = []string{"Feminine", "Feminine"} }, CodeDuplicateGender, "eligibility.genders"},
		{"too many genders", "directory: lists are bounded", func(s *Service) { s.Eligibility.Genders = append(Genders(), "Feminine") }, CodeTooMany, "eligibility.genders"},
		{"every gender", "HTCDS 2.0 prs_Gender codes", func(s *Service) { s.Eligibility.Genders = Genders() }, "", ""},
		{"bad eligibility text", "directory: no control characters", func(s *Service) { s.Eligibility.Description = "\x1b[31m" }, CodeInvalidText, "eligibility.eligibility_description"},
		{"unknown unit", "directory: capacity in beds, places or sessions", func(s *Service) { s.Capacity.Unit = "rooms" }, CodeUnknownUnit, "capacity.unit"},
		{"counts without unit", "HSDS 3.0 service_capacity: unit is required", func(s *Service) { s.Capacity.Unit = "" }, CodeInvalidCapacity, "capacity.unit"},
		{"negative total", "capacity: 0 ≤ available ≤ total", func(s *Service) { s.Capacity = Capacity{Total: -1, Unit: UnitBeds} }, CodeInvalidCapacity, "capacity.maximum"},
		{"huge total", "directory: capacity is bounded", func(s *Service) { s.Capacity.Total = MaxCapacity + 1 }, CodeInvalidCapacity, "capacity.maximum"},
		{"negative available", "capacity: 0 ≤ available ≤ total", func(s *Service) { s.Capacity.Available = -1 }, CodeInvalidCapacity, "capacity.available"},
		{"available above total", "capacity: 0 ≤ available ≤ total", func(s *Service) { s.Capacity.Available = 9 }, CodeInvalidCapacity, "capacity.available"},
		{"full", "capacity: 0 ≤ available ≤ total (none free)", func(s *Service) { s.Capacity.Available = 0 }, "", ""},
		{"all free", "capacity: 0 ≤ available ≤ total (all free)", func(s *Service) { s.Capacity.Available = 8 }, "", ""},
		{"no total", "capacity: 0 ≤ available ≤ total (a service closed to new people)", func(s *Service) {
			s.Capacity = Capacity{Unit: UnitSessions}
		}, "", ""},
	}
	for _, c := range cases {
		s := shelter()
		c.change(&s)
		wantCodeAt(t, c.name, c.rule, CheckService(s), c.code, c.field)
	}
	for _, st := range support.ServiceTypes() {
		s := shelter()
		s.Type = st
		wantCode(t, "services: every service type of package support is a directory service", CheckService(s), "")
	}
}

func TestCheckLocation(t *testing.T) {
	cases := []struct {
		name, rule string
		loc        func() Location
		code       Code
		field      string
	}{
		{"safe house", "OSCE NRM handbook (seed): a shelter's location is confidential, shown by area", safeHouse, "", ""},
		{"office", "HSDS 3.0 location: a physical location with an address", office, "", ""},
		{"no address", "HSDS 3.0 address: optional", func() Location { l := office(); l.Address = Address{}; return l }, "", ""},
		{"public shelter", "directory: a shelter may be public on purpose", func() Location { l := office(); l.PublicShelter = true; return l }, "", ""},
		{"no id", "HSDS 3.0 location: each location has a unique identifier", func() Location { l := office(); l.ID = ""; return l }, CodeInvalidID, "id"},
		{"no organization", "HSDS 3.0 location.organization_id", func() Location { l := office(); l.OrganizationID = ""; return l }, CodeInvalidID, "organization_id"},
		{"no name", "directory: a location has a name", func() Location { l := office(); l.Name = ""; return l }, CodeRequired, "name"},
		{"line break in street", "directory: address fields are one line", func() Location { l := office(); l.Address.Line1 = "1 Market\nSquare"; return l }, CodeInvalidText, "address.address_1"},
		{"long city", "directory: address fields are bounded", func() Location { l := office(); l.Address.City = strings.Repeat("a", MaxAddressLen+1); return l }, CodeTooLong, "address.city"},
		{"control in region", "directory: no control characters", func() Location { l := office(); l.Address.Region = "\x7f"; return l }, CodeInvalidText, "address.region"},
		{"long postal code", "directory: postal codes are bounded", func() Location {
			l := office()
			l.Address.PostalCode = strings.Repeat("9", MaxPostalCodeLen+1)
			return l
		}, CodeTooLong, "address.postal_code"},
		{"lower-case country", "HSDS 3.0 address.country: ISO 3166-1 alpha-2", func() Location { l := office(); l.Address.Country = "nl"; return l }, CodeInvalidCountry, "address.country"},
		{"three-letter country", "HSDS 3.0 address.country: ISO 3166-1 alpha-2", func() Location { l := office(); l.Address.Country = "NLD"; return l }, CodeInvalidCountry, "address.country"},
		{"long area", "directory: the area is coarse and bounded", func() Location { l := safeHouse(); l.Area = strings.Repeat("a", MaxAreaLen+1); return l }, CodeTooLong, "area"},
		{"confidential without area", "OSCE NRM handbook (seed): a safe house is shown by its area only — it must have one",
			func() Location { l := safeHouse(); l.Area = ""; return l }, CodeAreaRequired, "area"},
		{"confidential with blank area", "OSCE NRM handbook (seed): a safe house is shown by its area only — it must have one",
			func() Location { l := safeHouse(); l.Area = "  "; return l }, CodeAreaRequired, "area"},
		{"area holds the street", "CoE Convention art. 11: the area must not give the safe house's address away",
			func() Location { l := safeHouse(); l.Area = "North, 12 LINDEN street"; return l }, CodeAreaRevealsAddress, "area"},
		{"area holds the postal code", "CoE Convention art. 11: the area must not give the safe house's address away",
			func() Location { l := safeHouse(); l.Area = "North 4021"; return l }, CodeAreaRevealsAddress, "area"},
		{"short street part", "directory: a street line under three characters reveals nothing",
			func() Location { l := safeHouse(); l.Address.Line1 = "7"; l.Area = "District 7"; return l }, "", ""},
		{"office area holds the street", "directory: a public location's area may name its street",
			func() Location { l := office(); l.Area = "1 Market Square"; return l }, "", ""},
		{"confidential public shelter", "directory: a safe house cannot be a public shelter",
			func() Location { l := safeHouse(); l.PublicShelter = true; return l }, CodeConfidentialPublicShelter, "public_shelter"},
	}
	for _, c := range cases {
		wantCodeAt(t, c.name, c.rule, CheckLocation(c.loc()), c.code, c.field)
	}
}

func TestCheckServiceAtLocation(t *testing.T) {
	legal := shelter()
	legal.Type = support.ServiceLegalAid
	long := shelter()
	long.Type = support.ServiceLongTermShelter
	publicShelter := office()
	publicShelter.PublicShelter = true
	link := func(s Service, l Location) ServiceAtLocation {
		return ServiceAtLocation{ID: "sal-1", ServiceID: s.ID, LocationID: l.ID}
	}
	cases := []struct {
		name, rule string
		sal        ServiceAtLocation
		svc        Service
		loc        Location
		code       Code
		warnings   []Code
	}{
		{"shelter at safe house", "CoE Convention art. 12(1)(a): secure accommodation — a shelter at a confidential location",
			link(shelter(), safeHouse()), shelter(), safeHouse(), "", nil},
		{"shelter at office", "OSCE NRM handbook (seed): a shelter at a public address is flagged",
			link(shelter(), office()), shelter(), office(), "", []Code{WarnShelterNotConfidential}},
		{"long-term shelter at office", "OSCE NRM handbook (seed): a shelter at a public address is flagged",
			link(long, office()), long, office(), "", []Code{WarnShelterNotConfidential}},
		{"declared public shelter", "directory: a shelter public on purpose is not flagged",
			link(shelter(), publicShelter), shelter(), publicShelter, "", nil},
		{"legal aid at office", "directory: only shelters are flagged", link(legal, office()), legal, office(), "", nil},
		{"no id", "HSDS 3.0 service_at_location: a unique identifier",
			ServiceAtLocation{ServiceID: "svc-1", LocationID: "loc-safe"}, shelter(), safeHouse(), CodeInvalidID, nil},
		{"no service", "HSDS 3.0 service_at_location.service_id",
			ServiceAtLocation{ID: "sal-1", LocationID: "loc-safe"}, shelter(), safeHouse(), CodeInvalidID, nil},
		{"no location", "HSDS 3.0 service_at_location.location_id",
			ServiceAtLocation{ID: "sal-1", ServiceID: "svc-1"}, shelter(), safeHouse(), CodeInvalidID, nil},
		{"other service", "HSDS 3.0 service_at_location links the service given",
			ServiceAtLocation{ID: "sal-1", ServiceID: "svc-2", LocationID: "loc-safe"}, shelter(), safeHouse(), CodeMismatch, nil},
		{"other location", "HSDS 3.0 service_at_location links the location given",
			ServiceAtLocation{ID: "sal-1", ServiceID: "svc-1", LocationID: "loc-office"}, shelter(), safeHouse(), CodeMismatch, nil},
	}
	for _, c := range cases {
		warnings, err := CheckServiceAtLocation(c.sal, c.svc, c.loc)
		wantCode(t, c.name+": "+c.rule, err, c.code)
		if !slices.Equal(warnings, c.warnings) {
			t.Errorf("%s: %s: warnings %v, want %v", c.name, c.rule, warnings, c.warnings)
		}
	}
}

func TestLists(t *testing.T) {
	if got := Statuses(); !slices.Equal(got, []Status{"active", "inactive", "defunct", "temporarily closed"}) {
		t.Errorf("HSDS 3.0 service.status enum: got %v", got)
	}
	if got := CapacityUnits(); !slices.Equal(got, []Unit{"beds", "places", "sessions"}) {
		t.Errorf("directory: capacity units, got %v", got)
	}
	if got := strings.Join(Genders(), " "); got != "Feminine Masculine TransgenderFeminine TransgenderMasculine NonConforming NonSpecifiedUnknown" {
		t.Errorf("HTCDS 2.0 prs_Gender (as package vocab): got %s", got)
	}
	for _, l := range [][]Code{ErrorCodes(), WarningCodes(), append(ErrorCodes(), WarningCodes()...)} {
		seen := map[Code]bool{}
		for _, c := range l {
			if seen[c] || c == "" {
				t.Errorf("directory: codes are unique and non-empty, %q", c)
			}
			seen[c] = true
		}
	}
	seen := map[Reason]bool{}
	for _, r := range Reasons() {
		if seen[r] || r == "" {
			t.Errorf("directory: reasons are unique and non-empty, %q", r)
		}
		seen[r] = true
	}
}

func TestErrorUnwrap(t *testing.T) {
	for _, code := range ErrorCodes() {
		err := error(&Error{Code: code, Field: "name"})
		if errs.KindOf(err) != errs.Invalid {
			t.Errorf("errs taxonomy: %s is invalid input, got %v", code, errs.KindOf(err))
		}
		var e *errs.Error
		if !errors.As(err, &e) || e.Key != "directory.error."+string(code) || e.Field != "name" {
			t.Errorf("errs taxonomy: %s unwraps to key directory.error.%s on its field, got %+v", code, code, e)
		}
		if CodeOf(err) != code || CodeOf(errors.Join(errors.New("x"), err)) != code {
			t.Errorf("directory: CodeOf finds %s in the chain", code)
		}
		if got, want := err.Error(), "directory: "+string(code)+" (name)"; got != want {
			t.Errorf("directory: error text %q, want %q", got, want)
		}
	}
	if CodeOf(errors.New("other")) != "" || CodeOf(nil) != "" {
		t.Errorf("directory: CodeOf of a foreign error is empty")
	}
}

// TestErrorsHoldNoInput checks that a refused record's text never reaches
// the error: a safe house's name or address must not end up in a log.
func TestErrorsHoldNoInput(t *testing.T) {
	secret := "Secret Lane 99\x00"
	l := safeHouse()
	l.Address.Line1 = secret
	s := shelter()
	s.Name = secret
	o := org()
	o.Name = secret
	for _, err := range []error{CheckLocation(l), CheckService(s), CheckOrganization(o)} {
		if err == nil || strings.Contains(err.Error(), "Secret") || strings.Contains(errors.Unwrap(err).Error(), "Secret") {
			t.Errorf("directory: errors carry codes only, got %v", err)
		}
	}
}

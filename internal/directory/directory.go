package directory

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/ident"
	"github.com/haven-nrm/haven/internal/support"
	"github.com/haven-nrm/haven/internal/vocab"
)

// Limits of the directory's fields, in characters (runes) for texts.
const (
	MaxNameLen        = 200  // organization, service and location names
	MaxDescriptionLen = 4000 // descriptions, eligibility description
	MaxAddressLen     = 200  // address_1, city, region
	MaxPostalCodeLen  = 20   // postal_code
	MaxAreaLen        = 100  // the coarse area shown in place of an address
	MaxLanguages      = 50   // languages of a service
	MaxAge            = 120  // age limits of an eligibility
	MaxCapacity       = 100000
	// AdultAge is the age from which a person is an adult: under 18 is a
	// child (CoE Convention art. 4(d)).
	AdultAge = 18
)

// Status is the HSDS 3.0 status of a service.
type Status string

// HSDS 3.0 service statuses.
const (
	StatusActive            Status = "active"
	StatusInactive          Status = "inactive"
	StatusDefunct           Status = "defunct"
	StatusTemporarilyClosed Status = "temporarily closed"
)

// Statuses returns the HSDS service statuses, for forms.
func Statuses() []Status {
	return []Status{StatusActive, StatusInactive, StatusDefunct, StatusTemporarilyClosed}
}

// Valid reports whether s is an HSDS service status.
func (s Status) Valid() bool { return slices.Contains(Statuses(), s) }

// Unit is what a service's capacity is counted in (the HSDS
// service_capacity unit).
type Unit string

// Capacity units.
const (
	UnitBeds     Unit = "beds"
	UnitPlaces   Unit = "places"
	UnitSessions Unit = "sessions"
)

// CapacityUnits returns the capacity units, for forms.
func CapacityUnits() []Unit { return []Unit{UnitBeds, UnitPlaces, UnitSessions} }

// Valid reports whether u is a capacity unit.
func (u Unit) Valid() bool { return slices.Contains(CapacityUnits(), u) }

// Genders returns the HTCDS 2.0 gender codes (prs_Gender) an eligibility may
// name, the same codes as package vocab's gender list.
func Genders() []string { return slices.Clone(vocab.Genders.Codes) }

// genderNotSpecified is the HTCDS code of a gender not given.
const genderNotSpecified = "NonSpecifiedUnknown"

// Organization is an HSDS organization: a body that provides services, run
// by a Haven agency.
type Organization struct {
	ID          string `json:"id"`
	AgencyID    string `json:"agency_id"` // the Haven agency that runs it
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Eligibility says who a service is for (HSDS eligibility_description,
// minimum_age, maximum_age). The zero Eligibility is open to everyone.
type Eligibility struct {
	MinAge *int `json:"minimum_age,omitempty"` // inclusive
	MaxAge *int `json:"maximum_age,omitempty"` // inclusive
	// Genders lists the HTCDS gender codes served; empty serves everyone.
	Genders []string `json:"genders,omitempty"`
	// ChildrenOnly: under AdultAge only. AdultsOnly: AdultAge and over only.
	ChildrenOnly bool   `json:"children_only,omitempty"`
	AdultsOnly   bool   `json:"adults_only,omitempty"`
	Description  string `json:"eligibility_description"`
}

// Capacity is how much of a service is free (HSDS service_capacity:
// available, maximum, unit). The zero Capacity means capacity is not
// recorded.
type Capacity struct {
	Total     int  `json:"maximum"`
	Available int  `json:"available"`
	Unit      Unit `json:"unit"` // "" when capacity is not recorded
}

// Recorded reports whether the service records its capacity.
func (c Capacity) Recorded() bool { return c.Unit != "" }

// Service is an HSDS service of one organization.
type Service struct {
	ID             string              `json:"id"`
	OrganizationID string              `json:"organization_id"`
	Type           support.ServiceType `json:"type"`
	Name           string              `json:"name"`
	Description    string              `json:"description"`
	Status         Status              `json:"status"`
	// Languages are the ISO 639 codes of the languages the service is
	// delivered in (without interpretation).
	Languages   []string    `json:"languages"`
	Eligibility Eligibility `json:"eligibility"`
	Capacity    Capacity    `json:"capacity"`
}

// Address is an HSDS physical address.
type Address struct {
	Line1      string `json:"address_1"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"` // ISO 3166-1 alpha-2
}

// Location is an HSDS physical location of an organization.
type Location struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organization_id"`
	Name           string `json:"name"`
	// Confidential marks a safe house: its name and address are shown only
	// to the agency that runs it and to the case worker assigned to a person
	// placed there.
	Confidential bool `json:"confidential"`
	// PublicShelter declares that a shelter at this location is publicly
	// known on purpose, so that it is not flagged for being a shelter at a
	// location that is not confidential.
	PublicShelter bool    `json:"public_shelter"`
	Address       Address `json:"address"`
	// Area is the coarse area shown to those who may not see the address
	// (a district or region name). A confidential location must have one.
	Area string `json:"area"`
}

// ServiceAtLocation links a service to a location where it is delivered
// (HSDS service_at_location).
type ServiceAtLocation struct {
	ID         string `json:"id"`
	ServiceID  string `json:"service_id"`
	LocationID string `json:"location_id"`
}

// IsShelter reports whether t is a shelter: short or long term.
func IsShelter(t support.ServiceType) bool {
	return t == support.ServiceShortTermShelter || t == support.ServiceLongTermShelter
}

// CheckOrganization refuses an organization with a malformed id or agency,
// a missing name or text that is too long or not plain.
func CheckOrganization(o Organization) error {
	if !ident.Valid(o.ID) {
		return refuse(CodeInvalidID, "id")
	}
	if !ident.Valid(o.AgencyID) {
		return refuse(CodeInvalidID, "agency_id")
	}
	if err := checkLine("name", o.Name, MaxNameLen, true); err != nil {
		return err
	}
	return checkText("description", o.Description, MaxDescriptionLen)
}

// CheckService refuses a malformed service: ids, type, name, status,
// description, languages, eligibility and capacity are checked in that
// order, and the first fault is returned.
func CheckService(s Service) error {
	if !ident.Valid(s.ID) {
		return refuse(CodeInvalidID, "id")
	}
	if !ident.Valid(s.OrganizationID) {
		return refuse(CodeInvalidID, "organization_id")
	}
	if !s.Type.Valid() {
		return refuse(CodeUnknownServiceType, "type")
	}
	if err := checkLine("name", s.Name, MaxNameLen, true); err != nil {
		return err
	}
	if !s.Status.Valid() {
		return refuse(CodeUnknownStatus, "status")
	}
	if err := checkText("description", s.Description, MaxDescriptionLen); err != nil {
		return err
	}
	if len(s.Languages) > MaxLanguages {
		return refuse(CodeTooMany, "languages")
	}
	for i, l := range s.Languages {
		if !ident.Language(l) {
			return refuse(CodeInvalidLanguage, "languages")
		}
		if slices.Contains(s.Languages[:i], l) {
			return refuse(CodeDuplicateLanguage, "languages")
		}
	}
	if err := checkEligibility(s.Eligibility); err != nil {
		return err
	}
	return checkCapacity(s.Capacity)
}

func checkEligibility(e Eligibility) error {
	for _, a := range []struct {
		field string
		age   *int
	}{{"eligibility.minimum_age", e.MinAge}, {"eligibility.maximum_age", e.MaxAge}} {
		if a.age != nil && (*a.age < 0 || *a.age > MaxAge) {
			return refuse(CodeInvalidAge, a.field)
		}
	}
	if e.MinAge != nil && e.MaxAge != nil && *e.MinAge > *e.MaxAge {
		return refuse(CodeAgeRange, "eligibility.minimum_age")
	}
	switch {
	case e.ChildrenOnly && e.AdultsOnly,
		e.ChildrenOnly && e.MinAge != nil && *e.MinAge >= AdultAge,
		e.AdultsOnly && e.MaxAge != nil && *e.MaxAge < AdultAge:
		return refuse(CodeEligibilityConflict, "eligibility")
	}
	genders := Genders()
	if len(e.Genders) > len(genders) {
		return refuse(CodeTooMany, "eligibility.genders")
	}
	for i, g := range e.Genders {
		if !slices.Contains(genders, g) {
			return refuse(CodeUnknownGender, "eligibility.genders")
		}
		if slices.Contains(e.Genders[:i], g) {
			return refuse(CodeDuplicateGender, "eligibility.genders")
		}
	}
	return checkText("eligibility.eligibility_description", e.Description, MaxDescriptionLen)
}

func checkCapacity(c Capacity) error {
	if !c.Recorded() {
		if c.Total != 0 || c.Available != 0 {
			return refuse(CodeInvalidCapacity, "capacity.unit")
		}
		return nil
	}
	if !c.Unit.Valid() {
		return refuse(CodeUnknownUnit, "capacity.unit")
	}
	if c.Total < 0 || c.Total > MaxCapacity {
		return refuse(CodeInvalidCapacity, "capacity.maximum")
	}
	if c.Available < 0 || c.Available > c.Total {
		return refuse(CodeInvalidCapacity, "capacity.available")
	}
	return nil
}

// CheckLocation refuses a malformed location. A confidential location must
// have an Area, and the Area may not hold its street line or postal code;
// a location cannot be both confidential and a public shelter.
func CheckLocation(l Location) error {
	if !ident.Valid(l.ID) {
		return refuse(CodeInvalidID, "id")
	}
	if !ident.Valid(l.OrganizationID) {
		return refuse(CodeInvalidID, "organization_id")
	}
	if err := checkLine("name", l.Name, MaxNameLen, true); err != nil {
		return err
	}
	a := l.Address
	for _, f := range []struct {
		field, value string
		max          int
	}{
		{"address.address_1", a.Line1, MaxAddressLen},
		{"address.city", a.City, MaxAddressLen},
		{"address.region", a.Region, MaxAddressLen},
		{"address.postal_code", a.PostalCode, MaxPostalCodeLen},
		{"area", l.Area, MaxAreaLen},
	} {
		if err := checkLine(f.field, f.value, f.max, false); err != nil {
			return err
		}
	}
	if a.Country != "" && !validCountry(a.Country) {
		return refuse(CodeInvalidCountry, "address.country")
	}
	if !l.Confidential {
		return nil
	}
	if l.PublicShelter {
		return refuse(CodeConfidentialPublicShelter, "public_shelter")
	}
	if strings.TrimSpace(l.Area) == "" {
		return refuse(CodeAreaRequired, "area")
	}
	if AreaRevealsAddress(l.Area, a) {
		return refuse(CodeAreaRevealsAddress, "area")
	}
	return nil
}

// minRevealLen is the length from which a street line or postal code found
// in an Area is taken to reveal it; shorter ones ("1", "A") are too common
// to tell anything.
const minRevealLen = 3

// AreaRevealsAddress reports whether area holds the street line or the
// postal code of a (ignoring case and surrounding spaces), when these are
// at least three characters long.
func AreaRevealsAddress(area string, a Address) bool {
	low := strings.ToLower(area)
	for _, part := range []string{a.Line1, a.PostalCode} {
		p := strings.ToLower(strings.TrimSpace(part))
		if utf8.RuneCountInString(p) >= minRevealLen && strings.Contains(low, p) {
			return true
		}
	}
	return false
}

// CheckServiceAtLocation refuses a link with malformed ids or one that does
// not join s and l, and returns the warnings about it: a shelter at a
// location that is neither confidential nor declared a public shelter
// (OSCE NRM handbook: shelter addresses are kept confidential).
func CheckServiceAtLocation(sal ServiceAtLocation, s Service, l Location) (warnings []Code, err error) {
	switch {
	case !ident.Valid(sal.ID):
		return nil, refuse(CodeInvalidID, "id")
	case !ident.Valid(sal.ServiceID):
		return nil, refuse(CodeInvalidID, "service_id")
	case !ident.Valid(sal.LocationID):
		return nil, refuse(CodeInvalidID, "location_id")
	case sal.ServiceID != s.ID:
		return nil, refuse(CodeMismatch, "service_id")
	case sal.LocationID != l.ID:
		return nil, refuse(CodeMismatch, "location_id")
	}
	if IsShelter(s.Type) && !l.Confidential && !l.PublicShelter {
		warnings = append(warnings, WarnShelterNotConfidential)
	}
	return warnings, nil
}

// validCountry reports whether c has the form of an ISO 3166-1 alpha-2 code;
// the code lists of the deployment (package vocab) check it fully.
func validCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// badRune reports a character that has no place in directory text: C0 and
// C1 controls, DEL, and bidirectional overrides and isolates, which can make
// text display otherwise than it reads. A line break is allowed in
// multi-line text only.
func badRune(multiline bool) func(rune) bool {
	return func(r rune) bool {
		if r == '\n' {
			return !multiline
		}
		return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
	}
}

// checkLine checks a single-line text: required ones may not be blank.
func checkLine(field, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return refuse(CodeRequired, field)
	}
	return check(field, s, max, false)
}

// checkText checks an optional multi-line text.
func checkText(field, s string, max int) error { return check(field, s, max, true) }

func check(field, s string, max int, multiline bool) error {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, badRune(multiline)) {
		return refuse(CodeInvalidText, field)
	}
	if utf8.RuneCountInString(s) > max {
		return refuse(CodeTooLong, field)
	}
	return nil
}

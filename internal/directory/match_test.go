package directory

import (
	"slices"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/support"
)

// svc builds an active short-term shelter service with the given id and
// name, then applies the changes.
func svc(id, name string, change func(*Service)) Service {
	s := Service{ID: id, OrganizationID: "org-1", Type: support.ServiceShortTermShelter, Name: name, Status: StatusActive}
	if change != nil {
		change(&s)
	}
	return s
}

func beds(total, available int) func(*Service) {
	return func(s *Service) { s.Capacity = Capacity{Total: total, Available: available, Unit: UnitBeds} }
}

func ids(cs []Candidate) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Service.ID
	}
	return strings.Join(out, " ")
}

func TestMatchOrder(t *testing.T) {
	speaks := func(langs ...string) func(*Service) { return func(s *Service) { s.Languages = langs } }
	both := func(fs ...func(*Service)) func(*Service) {
		return func(s *Service) {
			for _, f := range fs {
				f(s)
			}
		}
	}
	services := []Service{
		svc("full-ro", "Alpha", both(beds(4, 0), speaks("ro"))),
		svc("free-en", "Zulu", both(beds(4, 1), speaks("en"))),
		svc("free-ro", "Yankee", both(beds(4, 3), speaks("ro", "en"))),
		svc("unknown", "Bravo", speaks("ro")),
		svc("free-ro-b", "yankee", both(beds(2, 2), speaks("ro"))),
		svc("free-none", "Echo", beds(1, 1)),
		svc("medical", "Aaa clinic", func(s *Service) { s.Type = support.ServiceMedical }),
		svc("closed", "Aaa closed", both(beds(4, 4), speaks("ro"), func(s *Service) { s.Status = StatusTemporarilyClosed })),
	}
	person := PersonFacts{Age: ptr(25), Gender: "Feminine", Languages: []string{"ro"}}
	got := Match(services, support.ServiceShortTermShelter, person)
	// Free capacity first (language match first, then by name regardless of
	// case, then exact name, then id), then capacity not recorded, then none
	// free; other types and inactive services are left out.
	want := "free-ro free-ro-b free-none free-en unknown full-ro"
	if ids(got) != want {
		t.Errorf("matching: free capacity, then language, then name: got %s, want %s", ids(got), want)
	}
	reasons := map[string][]Reason{
		"free-ro":   {ReasonCapacityAvailable, ReasonLanguageMatch},
		"free-ro-b": {ReasonCapacityAvailable, ReasonLanguageMatch},
		"free-none": {ReasonCapacityAvailable},
		"free-en":   {ReasonCapacityAvailable, ReasonNoCommonLanguage},
		"unknown":   {ReasonCapacityUnknown, ReasonLanguageMatch},
		"full-ro":   {ReasonNoCapacity, ReasonLanguageMatch},
	}
	for _, c := range got {
		if !c.Eligible || !slices.Equal(c.Reasons, reasons[c.Service.ID]) {
			t.Errorf("matching: %s reasons %v (eligible %v), want %v", c.Service.ID, c.Reasons, c.Eligible, reasons[c.Service.ID])
		}
	}
	all := MatchAll(services, support.ServiceShortTermShelter, person)
	if ids(all) != want+" closed" || all[len(all)-1].Eligible || !all[len(all)-1].Has(ReasonNotActive) {
		t.Errorf("HSDS 3.0 service.status: a closed service is listed last by MatchAll with not_active, got %s", ids(all))
	}
	if got := Match(nil, support.ServiceMedical, person); got != nil {
		t.Errorf("matching: nothing to match, got %v", got)
	}
}

func TestMatchEligibility(t *testing.T) {
	cases := []struct {
		name, rule string
		elig       Eligibility
		status     Status
		person     PersonFacts
		eligible   bool
		reasons    []Reason
	}{
		{"open service", "HSDS 3.0: no eligibility limits serve everyone", Eligibility{}, StatusActive,
			PersonFacts{}, true, []Reason{ReasonCapacityUnknown}},
		{"within ages", "HSDS 3.0 minimum_age and maximum_age are inclusive", Eligibility{MinAge: ptr(18), MaxAge: ptr(25)}, StatusActive,
			PersonFacts{Age: ptr(25)}, true, []Reason{ReasonCapacityUnknown}},
		{"at minimum age", "HSDS 3.0 minimum_age is inclusive", Eligibility{MinAge: ptr(18)}, StatusActive,
			PersonFacts{Age: ptr(18)}, true, []Reason{ReasonCapacityUnknown}},
		{"too young", "HSDS 3.0 minimum_age", Eligibility{MinAge: ptr(18)}, StatusActive,
			PersonFacts{Age: ptr(17)}, false, []Reason{ReasonAgeIneligible, ReasonCapacityUnknown}},
		{"too old", "HSDS 3.0 maximum_age", Eligibility{MaxAge: ptr(25)}, StatusActive,
			PersonFacts{Age: ptr(26)}, false, []Reason{ReasonAgeIneligible, ReasonCapacityUnknown}},
		{"adult at a children's service", "CoE Convention art. 4(d): a child is under 18", Eligibility{ChildrenOnly: true}, StatusActive,
			PersonFacts{Age: ptr(18)}, false, []Reason{ReasonAgeIneligible, ReasonCapacityUnknown}},
		{"child at a children's service", "CoE Convention art. 4(d): a child is under 18", Eligibility{ChildrenOnly: true}, StatusActive,
			PersonFacts{Age: ptr(17)}, true, []Reason{ReasonCapacityUnknown}},
		{"child at an adults' service", "CoE Convention art. 4(d): an adult is 18 or over", Eligibility{AdultsOnly: true}, StatusActive,
			PersonFacts{Age: ptr(17)}, false, []Reason{ReasonAgeIneligible, ReasonCapacityUnknown}},
		{"age unknown, children's service", "CoE Convention art. 10(3): a person of uncertain age may be presumed a child — never excluded",
			Eligibility{ChildrenOnly: true}, StatusActive, PersonFacts{}, true, []Reason{ReasonCapacityUnknown, ReasonAgeUnknown}},
		{"age unknown, adults' service", "matching: an age not known excludes nothing; a person checks",
			Eligibility{AdultsOnly: true, MinAge: ptr(21)}, StatusActive, PersonFacts{}, true, []Reason{ReasonCapacityUnknown, ReasonAgeUnknown}},
		{"gender served", "HTCDS 2.0 prs_Gender: the service serves the person's gender", Eligibility{Genders: []string{"Feminine", "TransgenderFeminine"}}, StatusActive,
			PersonFacts{Gender: "TransgenderFeminine"}, true, []Reason{ReasonCapacityUnknown}},
		{"gender not served", "HTCDS 2.0 prs_Gender: the service serves some genders only", Eligibility{Genders: []string{"Feminine"}}, StatusActive,
			PersonFacts{Gender: "Masculine"}, false, []Reason{ReasonGenderIneligible, ReasonCapacityUnknown}},
		{"gender not given", "matching: a gender not known excludes nothing; a person checks", Eligibility{Genders: []string{"Feminine"}}, StatusActive,
			PersonFacts{}, true, []Reason{ReasonCapacityUnknown, ReasonGenderUnknown}},
		{"gender unspecified", "HTCDS 2.0 prs_Gender NonSpecifiedUnknown is a gender not known", Eligibility{Genders: []string{"Masculine"}}, StatusActive,
			PersonFacts{Gender: "NonSpecifiedUnknown"}, true, []Reason{ReasonCapacityUnknown, ReasonGenderUnknown}},
		{"inactive", "HSDS 3.0 service.status: only active services are matched", Eligibility{}, StatusInactive,
			PersonFacts{}, false, []Reason{ReasonNotActive, ReasonCapacityUnknown}},
		{"defunct", "HSDS 3.0 service.status: only active services are matched", Eligibility{}, StatusDefunct,
			PersonFacts{}, false, []Reason{ReasonNotActive, ReasonCapacityUnknown}},
		{"everything wrong", "matching: every reason is given, in a fixed order",
			Eligibility{AdultsOnly: true, Genders: []string{"Masculine"}}, StatusDefunct, PersonFacts{Age: ptr(12), Gender: "Feminine"},
			false, []Reason{ReasonNotActive, ReasonAgeIneligible, ReasonGenderIneligible, ReasonCapacityUnknown}},
	}
	for _, c := range cases {
		s := svc("s", "S", func(s *Service) { s.Eligibility = c.elig; s.Status = c.status })
		all := MatchAll([]Service{s}, support.ServiceShortTermShelter, c.person)
		if len(all) != 1 || all[0].Eligible != c.eligible || !slices.Equal(all[0].Reasons, c.reasons) {
			t.Errorf("%s: %s: got %+v, want eligible %v with %v", c.name, c.rule, all, c.eligible, c.reasons)
			continue
		}
		if got := Match([]Service{s}, support.ServiceShortTermShelter, c.person); (len(got) == 1) != c.eligible {
			t.Errorf("%s: %s: Match returns eligible services only, got %d", c.name, c.rule, len(got))
		}
	}
}

// TestMatchLeavesInputAlone checks that matching is pure: it never reorders
// or changes the services it is given, and its result shares no memory with
// them.
func TestMatchLeavesInputAlone(t *testing.T) {
	services := []Service{svc("b", "B", beds(1, 0)), svc("a", "A", beds(1, 1)), shelter()}
	before := ids(MatchAll(services, support.ServiceShortTermShelter, PersonFacts{}))
	got := MatchAll(services, support.ServiceShortTermShelter, PersonFacts{})
	if services[0].ID != "b" || services[1].ID != "a" {
		t.Errorf("matching: the input keeps its order")
	}
	for _, c := range got {
		if c.Service.ID == "svc-1" {
			c.Service.Languages[0] = "xx"
			c.Service.Eligibility.Genders[0] = "xx"
			*c.Service.Eligibility.MinAge = 99
		}
	}
	if services[2].Languages[0] != "en" || services[2].Eligibility.Genders[0] != "Feminine" || *services[2].Eligibility.MinAge != 18 {
		t.Errorf("matching: the result shares no memory with the input")
	}
	if ids(MatchAll(services, support.ServiceShortTermShelter, PersonFacts{})) != before {
		t.Errorf("matching: the same input gives the same order")
	}
}

package directory

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/ident"
	"github.com/haven-nrm/haven/internal/support"
)

// FuzzPresent builds arbitrary locations, organizations and viewers and
// checks the core rule of the directory (OSCE NRM handbook: shelter
// confidentiality; CoE Convention art. 11 and art. 12(1)(a)):
//
//   - a confidential location's name and address never reach a viewer who is
//     neither of the agency that runs it (the organization given is the
//     location's own, with a non-empty agency equal to the viewer's) nor the
//     case worker assigned to a person placed there: the view's Name and
//     Address are empty and AddressShown is false, and for a location that
//     passes CheckLocation the Area holds neither the street line nor the
//     postal code;
//   - no one who is not signed in sees any address;
//   - a view shows the location's own name and address or none at all, and
//     always the ids, the area and whether the location is confidential;
//   - the owner and the assigned case worker do see the address, and so does
//     every signed-in viewer of a location that is not confidential;
//   - CheckLocation refuses with a known code and never puts the input in
//     the error.
func FuzzPresent(f *testing.F) {
	f.Add(true, false, "loc-safe", "org-1", "Harbour House", "12 Linden Street", "Rivertown", "North", "4021", "NL",
		"North district", "org-1", agencyShelter, agencyOther, "case_worker", false)
	f.Add(true, false, "loc-safe", "org-1", "Harbour House", "12 Linden Street", "Rivertown", "North", "4021", "NL",
		"North district", "org-1", agencyShelter, agencyOther, "case_worker", true)
	f.Add(true, false, "l", "o", "n", "Street 1", "c", "r", "1234", "NL", "area 1234", "o", "", "", "police_investigator", true)
	f.Add(true, true, "l", "o", "n", "x", "c", "r", "p", "nl", "", "o2", "a", "a", "", true)
	f.Add(false, false, "loc-office", "org-1", "Office", "1 Market Square", "Rivertown", "", "4000", "NL", "Centre",
		"org-1", agencyShelter, agencyPolice, "police_investigator", false)
	f.Add(true, false, "l", "o", "n", "Secret Lane", "c", "r", "99", "NL", "SECRET LANE", "o", "a", "a", "shelter_staff", false)
	f.Fuzz(func(t *testing.T, confidential, public bool, id, locOrg, name, line1, city, region, postal, country, area,
		orgID, orgAgency, viewerAgency, role string, assigned bool) {
		loc := Location{ID: id, OrganizationID: locOrg, Name: name, Confidential: confidential, PublicShelter: public,
			Address: Address{Line1: line1, City: city, Region: region, PostalCode: postal, Country: country}, Area: area}
		org := Organization{ID: orgID, AgencyID: orgAgency, Name: "Org"}
		v := Viewer{AgencyID: viewerAgency, AssignedToCaseAtLocation: assigned, Role: role}

		view := Present(loc, org, v)
		visible := AddressVisible(loc, org, v)
		if view.AddressShown != visible {
			t.Fatalf("Present and AddressVisible disagree: %v vs %v", view.AddressShown, visible)
		}
		if view.ID != loc.ID || view.OrganizationID != loc.OrganizationID || view.Confidential != loc.Confidential || view.Area != loc.Area {
			t.Fatalf("the view always carries the ids, area and confidentiality: %+v", view)
		}
		hidden := !view.AddressShown && view.Name == "" && view.Address == (Address{})
		shown := view.AddressShown && view.Name == loc.Name && view.Address == loc.Address
		if !hidden && !shown {
			t.Fatalf("the view shows the location's own name and address or nothing: %+v", view)
		}

		signedIn := role != "" && !strings.ContainsFunc(role, func(r rune) bool { return r <= ' ' || r > '~' }) && len(role) <= 128
		owner := orgID != "" && orgID == locOrg && orgAgency != "" && orgAgency == viewerAgency
		assignedWorker := assigned && role == "case_worker"
		if !signedIn && !hidden {
			t.Fatalf("no address for a viewer not signed in: %+v sees %+v", v, view)
		}
		if confidential && !owner && !assignedWorker && !hidden {
			t.Fatalf("a safe house's address leaked to %+v (org %+v): %+v", v, org, view)
		}
		validOwner := owner && ident.Valid(orgID) && ident.Valid(orgAgency)
		if signedIn && (!confidential || validOwner || assignedWorker) && !shown {
			t.Fatalf("the address is shown to %+v: got %+v", v, view)
		}

		err := CheckLocation(loc)
		if err != nil {
			code := CodeOf(err)
			if !slices.Contains(ErrorCodes(), code) {
				t.Fatalf("CheckLocation refuses with a known code, got %v", err)
			}
			if want := (&Error{Code: code, Field: err.(*Error).Field}).Error(); err.Error() != want {
				t.Fatalf("the error holds a code and a field only: %q", err.Error())
			}
			return
		}
		if confidential {
			if strings.TrimSpace(area) == "" {
				t.Fatalf("a valid safe house has an area")
			}
			if hidden {
				b, _ := json.Marshal(view)
				low := strings.ToLower(view.Area)
				for _, part := range []string{line1, postal} {
					p := strings.ToLower(strings.TrimSpace(part))
					if utf8.RuneCountInString(p) >= 3 && strings.Contains(low, p) {
						t.Fatalf("the area of a valid safe house gives away its address: %s", b)
					}
				}
				if bytesHoldField(b) {
					t.Fatalf("the encoded hidden view holds address fields: %s", b)
				}
			}
		}
	})
}

// bytesHoldField reports whether an encoded view holds a name or an address
// field.
func bytesHoldField(b []byte) bool {
	s := string(b)
	return strings.Contains(s, `"name"`) || strings.Contains(s, `"address"`)
}

// FuzzMatch matches arbitrary services (decoded from the fuzzer's bytes)
// against arbitrary people and checks: only services of the type needed
// are returned; Match returns exactly the eligible, active ones of MatchAll,
// in the same order; eligible ones come before the others, with free
// capacity first, then capacity not recorded, then none free, and within
// those, language matches first; every candidate's reasons are known codes
// in the fixed order, and exactly one says how its capacity stands.
func FuzzMatch(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, uint8(0), uint8(30), uint8(1), uint8(1))
	f.Add([]byte{255, 0, 3, 9, 17, 128, 64, 2, 0, 0, 1, 1, 7, 200, 33, 5, 5, 5, 5}, uint8(1), uint8(255), uint8(0), uint8(2))
	f.Add([]byte{}, uint8(0), uint8(0), uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, need, age, gender, lang uint8) {
		types := support.ServiceTypes()[:3]
		langs := []string{"en", "ro", "uk", "vi"}
		genders := Genders()
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int(b)
		}
		var services []Service
		for i := 0; len(data) > 0 && i < 40; i++ {
			s := Service{ID: string(rune('a' + i%26)), Name: []string{"A", "b", "B", "a", "C"}[next()%5],
				Type: types[next()%len(types)], Status: Statuses()[next()%4]}
			flags := next()
			if flags&1 != 0 {
				s.Eligibility.MinAge = ptr(next() % 40)
			}
			if flags&2 != 0 {
				s.Eligibility.MaxAge = ptr(next() % 80)
			}
			s.Eligibility.ChildrenOnly = flags&4 != 0
			s.Eligibility.AdultsOnly = flags&8 != 0
			if flags&16 != 0 {
				s.Eligibility.Genders = []string{genders[next()%len(genders)]}
			}
			if flags&32 != 0 {
				s.Languages = []string{langs[next()%len(langs)]}
			}
			if flags&64 != 0 {
				total := next() % 5
				s.Capacity = Capacity{Total: total, Available: next() % (total + 1), Unit: UnitBeds}
			}
			services = append(services, s)
		}
		person := PersonFacts{Gender: append([]string{""}, genders...)[int(gender)%(len(genders)+1)]}
		if age < 200 {
			person.Age = ptr(int(age) % 90)
		}
		if lang%5 != 0 {
			person.Languages = []string{langs[int(lang)%len(langs)]}
		}
		want := types[int(need)%len(types)]
		all := MatchAll(services, want, person)
		matched := Match(services, want, person)

		n := 0
		for _, s := range services {
			if s.Type == want {
				n++
			}
		}
		if len(all) != n {
			t.Fatalf("MatchAll returns every service of the type: %d of %d", len(all), n)
		}
		var eligible []Candidate
		for i, c := range all {
			if c.Service.Type != want {
				t.Fatalf("a service of another type: %v", c.Service.Type)
			}
			if c.Eligible {
				eligible = append(eligible, c)
			}
			if c.Eligible != !(c.Has(ReasonNotActive) || c.Has(ReasonAgeIneligible) || c.Has(ReasonGenderIneligible)) {
				t.Fatalf("eligible unless a reason says otherwise: %+v", c)
			}
			if c.Eligible && c.Service.Status != StatusActive {
				t.Fatalf("only active services are eligible: %+v", c)
			}
			capacity := 0
			last := -1
			for _, r := range c.Reasons {
				k := slices.Index(Reasons(), r)
				if k <= last {
					t.Fatalf("reasons are known and in order: %v", c.Reasons)
				}
				last = k
				if r == ReasonCapacityAvailable || r == ReasonCapacityUnknown || r == ReasonNoCapacity {
					capacity++
				}
			}
			if capacity != 1 {
				t.Fatalf("one capacity reason: %v", c.Reasons)
			}
			if i > 0 && compare(all[i-1], c) > 0 {
				t.Fatalf("MatchAll is ordered: %+v before %+v", all[i-1], c)
			}
			if i > 0 && all[i-1].Eligible == c.Eligible {
				p, q := capacityRank(all[i-1]), capacityRank(c)
				if p > q || (p == q && !all[i-1].Has(ReasonLanguageMatch) && c.Has(ReasonLanguageMatch)) {
					t.Fatalf("free capacity, then language match: %v before %v", all[i-1].Reasons, c.Reasons)
				}
			}
			if i > 0 && !all[i-1].Eligible && c.Eligible {
				t.Fatalf("eligible services first")
			}
		}
		if ids(matched) != ids(eligible) || len(matched) != len(eligible) {
			t.Fatalf("Match is MatchAll's eligible services: %s vs %s", ids(matched), ids(eligible))
		}
	})
}

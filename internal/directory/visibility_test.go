package directory

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAddressVisibility is the matrix of who sees where a location is.
func TestAddressVisibility(t *testing.T) {
	const (
		ruleSafe    = "OSCE NRM handbook (seed): shelter addresses are confidential; CoE Convention art. 11 (private life) and art. 12(1)(a) (secure accommodation)"
		ruleOwner   = "OSCE NRM handbook (seed): the agency running a shelter knows where it is"
		ruleCase    = "CoE Convention art. 12(1)(a): the case worker assigned to a person placed in the safe house can reach it"
		rulePublic  = "directory: the address of a location that is not confidential is shown to every signed-in user"
		ruleSignIn  = "directory: no address is shown to anyone not signed in"
		ruleFailing = "directory: visibility fails closed"
	)
	otherOrg := Organization{ID: "org-2", AgencyID: agencyOther, Name: "Outreach"}
	orphan := org()
	orphan.AgencyID = ""
	cases := []struct {
		name, rule string
		loc        Location
		org        Organization
		viewer     Viewer
		visible    bool
	}{
		{"owner agency staff", ruleOwner, safeHouse(), org(), Viewer{AgencyID: agencyShelter, Role: "shelter_staff"}, true},
		{"owner agency case worker", ruleOwner, safeHouse(), org(), Viewer{AgencyID: agencyShelter, Role: "case_worker"}, true},
		{"owner agency admin", ruleOwner, safeHouse(), org(), Viewer{AgencyID: agencyShelter, Role: "agency_admin"}, true},
		{"assigned case worker of another agency", ruleCase, safeHouse(), org(),
			Viewer{AgencyID: agencyOther, Role: "case_worker", AssignedToCaseAtLocation: true}, true},
		{"other case worker of another agency", ruleSafe, safeHouse(), org(), Viewer{AgencyID: agencyOther, Role: "case_worker"}, false},
		{"other case worker of the case's agency", ruleSafe, safeHouse(), org(),
			Viewer{AgencyID: agencyOther, Role: "case_worker", AssignedToCaseAtLocation: false}, false},
		{"police investigator", ruleSafe, safeHouse(), org(), Viewer{AgencyID: agencyPolice, Role: "police_investigator"}, false},
		{"police flagged as assigned", ruleSafe + " — only a case worker is assigned", safeHouse(), org(),
			Viewer{AgencyID: agencyPolice, Role: "police_investigator", AssignedToCaseAtLocation: true}, false},
		{"prosecutor", ruleSafe, safeHouse(), org(), Viewer{AgencyID: agencyPolice, Role: "prosecutor"}, false},
		{"competent authority", ruleSafe, safeHouse(), org(), Viewer{AgencyID: agencyCA, Role: "competent_authority"}, false},
		{"system admin", ruleSafe, safeHouse(), org(), Viewer{Role: "system_admin"}, false},
		{"anonymous", ruleSafe, safeHouse(), org(), Viewer{}, false},
		{"anonymous of the owner agency", ruleSignIn, safeHouse(), org(), Viewer{AgencyID: agencyShelter}, false},
		{"anonymous flagged as assigned", ruleSignIn, safeHouse(), org(), Viewer{AssignedToCaseAtLocation: true}, false},
		{"wrong organization given", ruleFailing + ": the running agency is the location's organization's",
			safeHouse(), otherOrg, Viewer{AgencyID: agencyOther, Role: "shelter_staff"}, false},
		{"organization without agency", ruleFailing + ": an empty agency matches no one", safeHouse(), orphan,
			Viewer{Role: "shelter_staff"}, false},
		{"office: police", rulePublic, office(), org(), Viewer{AgencyID: agencyPolice, Role: "police_investigator"}, true},
		{"office: competent authority", rulePublic, office(), org(), Viewer{AgencyID: agencyCA, Role: "competent_authority"}, true},
		{"office: other case worker", rulePublic, office(), org(), Viewer{AgencyID: agencyOther, Role: "case_worker"}, true},
		{"office: owner", rulePublic, office(), org(), Viewer{AgencyID: agencyShelter, Role: "shelter_staff"}, true},
		{"office: any organization given", rulePublic, office(), otherOrg, Viewer{Role: "analyst"}, true},
		{"office: anonymous", ruleSignIn, office(), org(), Viewer{}, false},
	}
	for _, c := range cases {
		if got := AddressVisible(c.loc, c.org, c.viewer); got != c.visible {
			t.Errorf("%s: %s: visible %v, want %v", c.name, c.rule, got, c.visible)
		}
		v := Present(c.loc, c.org, c.viewer)
		if v.ID != c.loc.ID || v.OrganizationID != c.loc.OrganizationID || v.Confidential != c.loc.Confidential || v.Area != c.loc.Area {
			t.Errorf("%s: %s: every viewer sees the ids, the area and whether it is confidential, got %+v", c.name, c.rule, v)
		}
		if c.visible {
			if !v.AddressShown || v.Address != c.loc.Address || v.Name != c.loc.Name {
				t.Errorf("%s: %s: the view carries the name and address, got %+v", c.name, c.rule, v)
			}
			continue
		}
		if v.AddressShown || v.Address != (Address{}) || v.Name != "" {
			t.Errorf("%s: %s: the view carries no name and no address, got %+v", c.name, c.rule, v)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{c.loc.Name, c.loc.Address.Line1, c.loc.Address.PostalCode, "address_1", "postal_code"} {
			if strings.Contains(string(b), s) {
				t.Errorf("%s: %s: the encoded view holds %q: %s", c.name, c.rule, s, b)
			}
		}
	}
}

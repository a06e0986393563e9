package cases_test

import (
	"slices"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/directory"
	"github.com/haven-nrm/haven/internal/servicedir"
	"github.com/haven-nrm/haven/internal/support"
)

// TestOfferFormSuggestsServicesForAssessedNeeds: the offer form's view
// matches each need of the latest assessment against the directory
// (directory.Match): a shelter with free beds in the person's language
// comes first, one for men only is left out for a woman, and no other view
// carries suggestions. Both engines.
func TestOfferFormSuggestsServicesForAssessedNeeds(t *testing.T) {
	eachWorld(t, false, func(t *testing.T, w *world) {
		ctx := t.Context()
		dir := servicedir.New(w.db, w.svc.Keys)
		w.svc.Directory = dir
		shelter := w.agency["shelter_short_term"]
		staff := access.Principal{UserID: "shelter-staff", Role: access.ShelterStaff, AgencyID: shelter.ID, JurisdictionID: shelter.JurisdictionID}
		org, err := dir.CreateOrganization(ctx, staff, servicedir.NewOrganization{Name: "Lotus shelters"})
		if err != nil {
			t.Fatal(err)
		}
		add := func(name string, lang string, free int, genders []string) string {
			t.Helper()
			sv, err := dir.CreateService(ctx, staff, servicedir.NewService{Organization: org, Type: support.ServiceShortTermShelter, Name: name,
				Status: directory.StatusActive, Languages: []string{lang}, Eligibility: directory.Eligibility{Genders: genders},
				Capacity: directory.Capacity{Total: 10, Available: free, Unit: directory.UnitBeds}})
			if err != nil {
				t.Fatal(err)
			}
			return sv.ID
		}
		full := add("Full house", "ne", 0, nil)
		best := add("Open house", "ne", 3, nil)
		menOnly := add("Men's house", "ne", 5, []string{"Masculine"})

		d := w.dossier()
		w.do(ca, cases.Typed((*cases.Service).Assess).Run, in{"support_version": sv(d), "individual_rating": "medium",
			"needs": []string{string(support.ServiceShortTermShelter)}})

		v, err := w.svc.View(ctx, w.as(ca), w.caseID, cases.Via{Form: "offer", Action: access.OfferService})
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Viewed(); err != nil {
			t.Fatal(err)
		}
		if len(v.Suggestions) != 1 || v.Suggestions[0].Need != support.ServiceShortTermShelter {
			t.Fatalf("suggestions %+v, want one need: short-term shelter", v.Suggestions)
		}
		var ids []string
		for _, s := range v.Suggestions[0].Services {
			ids = append(ids, s.Service.ID)
			if s.Organization.Name != "Lotus shelters" {
				t.Errorf("suggestion without its organisation: %+v", s.Organization)
			}
		}
		if len(ids) < 2 || ids[0] != best || slices.Index(ids, full) < slices.Index(ids, best) {
			t.Errorf("order %v: want the house with free beds (%s) before the full one (%s)", ids, best, full)
		}
		if slices.Contains(ids, menOnly) {
			t.Error("a men-only shelter is suggested for a woman")
		}
		if !v.Suggestions[0].Services[0].Has(directory.ReasonLanguageMatch) || !v.Suggestions[0].Services[0].Has(directory.ReasonCapacityAvailable) {
			t.Errorf("reasons %v", v.Suggestions[0].Services[0].Reasons)
		}

		page, err := w.svc.View(ctx, w.as(ca), w.caseID, cases.Via{})
		if err != nil {
			t.Fatal(err)
		}
		if err := page.Viewed(); err != nil {
			t.Fatal(err)
		}
		if page.Suggestions != nil {
			t.Error("the case page carries directory suggestions")
		}
	})
}

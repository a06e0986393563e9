package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/referral"
	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/store"
)

// TestPossibleDuplicatesStayInsideTheViewersScope is issue 10 point 8: a
// person is referred in another jurisdiction; a name-only probe referral
// by the competent authority of this one matches that person. The probe's
// case page says a match exists and names the competent authority of the
// other jurisdiction to ask, but shows no id of that case or person and no
// link to it (which break-glass would then open).
func TestPossibleDuplicatesStayInsideTheViewersScope(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		ca := f.user(t, access.CompetentAuthority)
		fr := f.user(t, access.FirstResponder)
		// The person, referred in another jurisdiction.
		js, _ := f.db.Jurisdictions(ctx)
		var other store.Jurisdiction
		for _, j := range js {
			if j.ID != ca.JurisdictionID {
				other = j
				break
			}
		}
		authority, err := f.db.AgencyOfKind(ctx, other.ID, "competent_authority")
		if err != nil {
			t.Fatal(err)
		}
		eng, _ := screening.DefaultEngine()
		age := 26
		held, err := (&referral.Service{DB: f.db, Keys: f.keys, Engine: eng, Now: time.Now}).Submit(ctx,
			referral.By{UserID: fr.ID, AgencyID: authority.ID, JurisdictionID: other.ID},
			intake.Referral{Sector: "labour_inspection", Age: &age, Exploitation: "labour", Acts: []string{"recruitment"},
				Means: []string{"deception"}, Purposes: []string{"forced_labour"}, Consent: "given", ConsentLanguage: "en",
				Identity: intake.Identity{GivenName: "Probeda", FamilyName: "Farawayname", DocumentNumber: "ZX 998877", BirthDate: "1999-04-03"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		heldCase, err := f.db.Case(ctx, held.Referral.CaseID)
		if err != nil || heldCase.JurisdictionID != other.ID {
			t.Fatalf("the held case: %v in %s, want jurisdiction %s", err, heldCase.JurisdictionID, other.ID)
		}
		// The probe: a name only, referred here.
		c := f.login(t, access.CompetentAuthority)
		st, body := postJSON(t, c, f.srv.URL+"/api/v1/referrals", `{"sector":"labour_inspection","age":26,"acts":["recruitment"],
			"means":["deception"],"purposes":["forced_labour"],"consent":"given","consent_language":"en",
			"identity":{"given_name":"Probeda","family_name":"Farawayname"}}`)
		if st != 201 {
			t.Fatalf("probe referral: %d %v", st, body)
		}
		probe, _ := body["case_id"].(string)
		resp, page := get(t, c, f.srv.URL+"/cases/"+probe)
		if resp.StatusCode != 200 {
			t.Fatalf("probe case: %d", resp.StatusCode)
		}
		for _, id := range []string{heldCase.ID, heldCase.PersonID, held.Referral.ID, heldCase.Reference} {
			if id != "" && strings.Contains(page, id) {
				t.Errorf("the probe's case page shows %s of the match in another jurisdiction", id)
			}
		}
		if !strings.Contains(page, "duplicate-elsewhere") || !strings.Contains(page, authority.Name) {
			t.Errorf("the probe's case page does not say a match exists and whom to ask (%s)", authority.Name)
		}
		// The same over the API's case read: it shows no matches at all.
		if _, api := get(t, c, f.srv.URL+"/api/v1/cases/"+probe); strings.Contains(api, heldCase.ID) {
			t.Error("the API's case read shows the match's case")
		}
	})
}

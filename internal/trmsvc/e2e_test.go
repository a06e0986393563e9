package trmsvc

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/referral"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/trm"
)

// identify refers a presumed victim at the instance, as its first
// responder, and returns the case id.
func (in *instance) identify(age int, given, family, dob, doc string) string {
	in.t.Helper()
	fr := in.users["demo.first_responder"]
	r := intake.Referral{Sector: "labour_inspection", Age: &age, Gender: "Feminine", Citizenship: "NP", Languages: []string{"ne"},
		Exploitation: "labour", Acts: []string{"recruitment"}, Means: []string{"deception"}, Purposes: []string{"forced_labour"},
		Consent: "given", ConsentLanguage: "ne",
		Identity: intake.Identity{GivenName: given, FamilyName: family, BirthDate: dob, DocumentNumber: doc, Phone: "CANARY-PHONE",
			Address: "CANARY-ADDRESS", Narrative: "CANARY-NARRATIVE"}}
	out, err := in.svc.Referral.Submit(context.Background(), referral.By{UserID: fr.ID, AgencyID: fr.AgencyID, JurisdictionID: fr.JurisdictionID}, r, "")
	if err != nil {
		in.t.Fatal(err)
	}
	return out.Referral.CaseID
}

func (in *instance) transfer(id string) store.Transfer {
	in.t.Helper()
	t, err := store.TransferByID(context.Background(), in.db.R(), id)
	if err != nil {
		in.t.Fatal(err)
	}
	return t
}

func (in *instance) onlyIncoming() store.Transfer {
	in.t.Helper()
	ts, err := store.Transfers(context.Background(), in.db.R(), In, 10)
	if err != nil || len(ts) != 1 {
		in.t.Fatalf("incoming transfers: %d, %v", len(ts), err)
	}
	return ts[0]
}

// TestTransnationalReferralEndToEnd runs the TRM's SOP path between two
// instances on loopback — Thailand, where a Nepali woman is identified,
// and Nepal, her country of origin — each with its own database, keys and
// country: identification, consent, package, receipt, acceptance at
// origin, return, reintegration follow-ups reported back, withdrawal of
// consent and confirmed erasure; both audit chains verify afterwards.
func TestTransnationalReferralEndToEnd(t *testing.T) {
	onPeeredPairs(t, func(t *testing.T, th, np *instance) {
		ctx := context.Background()

		// Identification in the country of destination (SOP 1).
		caseID := th.identify(24, "Sita", "Tamang", "2002-04-15", "PA1234567")
		thCA, thCW := th.as("demo.competent_authority"), th.as("demo.case_worker")
		step := func(in *instance, who, caseID string, sop trm.SOP, code string) {
			t.Helper()
			p := in.as(who)
			if err := in.svc.RecordStep(ctx, p, caseID, StepInput{SOP: string(sop), Step: code}); err != nil {
				t.Fatalf("%s %s/%s: %v", in.country, sop, code, err)
			}
		}
		step(th, "demo.competent_authority", caseID, trm.SOPIdentification, "preliminary_identification")
		step(th, "demo.competent_authority", caseID, trm.SOPFirstAssistance, "safe_accommodation")

		// No package without consent for the purpose and the country.
		send := SendInput{Peer: np.svc.ID.Instance, Purpose: string(trm.PurposeReturn)}
		if _, err := th.svc.Send(ctx, thCA, caseID, send); trm.CodeOf(err) != trm.CodeNoConsent {
			t.Fatalf("sent without consent: %v", err)
		}
		if err := th.svc.RecordConsent(ctx, thCA, caseID, ConsentInput{Purpose: string(trm.PurposeReturn), Country: "NP", Given: true}); err != nil {
			t.Fatal(err)
		}
		// A case worker may record consent but not send.
		if _, err := th.svc.Send(ctx, thCW, caseID, send); err == nil {
			t.Fatal("a case worker sent a case abroad")
		}
		start := time.Now()
		ref, err := th.svc.Send(ctx, thCA, caseID, send)
		if err != nil {
			t.Fatal(err)
		}
		if n := th.deliver(); n != 1 {
			rows, _ := store.OutboxOf(ctx, th.db.R(), ref)
			t.Fatalf("delivered %d: %+v; refusals at NP %v", n, rows, np.events("federation.refused"))
		}
		roundTrip := time.Since(start)
		pkgSize := np.lastSize.Load()
		rows, _ := store.OutboxOf(ctx, th.db.R(), ref)
		if len(rows) != 1 || rows[0].State != "delivered" || len(rows[0].Receipt) == 0 || rows[0].Payload != nil {
			t.Fatalf("outbox after the receipt: %+v", rows)
		}
		if got := th.transfer(ref).Status; got != string(trm.StatusReceived) {
			t.Fatalf("sender's transfer after the receipt: %s", got)
		}

		// At origin: the package holds the purpose's fields only.
		in := np.onlyIncoming()
		npCA := np.as("demo.competent_authority")
		v, err := np.svc.OpenTransfer(ctx, npCA, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := trm.RuleFor(trm.PurposeReturn)
		for name := range v.Package.Fields {
			if !slices.Contains(r.Fields, name) {
				t.Errorf("received %s, outside the purpose", name)
			}
		}
		raw, _ := json.Marshal(v.Package)
		for _, c := range []string{"CANARY-PHONE", "CANARY-ADDRESS", "CANARY-NARRATIVE"} {
			if strings.Contains(string(raw), c) {
				t.Errorf("%s crossed the border", c)
			}
		}
		if v.Package.Fields["prs_TravelDocumentNumber"].Text != "PA1234567" || v.Package.Fields["prs_GivenName"].Text != "Sita" {
			t.Fatalf("the return package lacks identity or travel document: %+v", v.Package.Fields)
		}
		npCase, err := np.svc.Decide(ctx, npCA, in.ID, DecideInput{Accept: true})
		if err != nil {
			t.Fatal(err)
		}
		if npCase == "" {
			t.Fatal("acceptance opened no case")
		}
		np.deliver()
		if got := th.transfer(ref).Status; got != string(trm.StatusAccepted) {
			t.Fatalf("sender after acceptance: %s", got)
		}

		// Return (SOP 4), each country its own steps.
		step(th, "demo.competent_authority", caseID, trm.SOPReturn, "informed_voluntary_decision")
		step(th, "demo.competent_authority", caseID, trm.SOPReturn, "risk_assessment")
		step(np, "demo.competent_authority", npCase, trm.SOPReturn, "risk_assessment")
		step(np, "demo.competent_authority", npCase, trm.SOPReturn, "travel_documents")
		step(th, "demo.competent_authority", caseID, trm.SOPReturn, "escort_arranged")
		step(np, "demo.competent_authority", npCase, trm.SOPReturn, "reception_at_origin")
		step(np, "demo.competent_authority", npCase, trm.SOPReturn, "reintegration_plan")
		for _, f := range []string{"followup_3m", "followup_6m", "followup_12m"} {
			np.advance(24 * time.Hour)
			step(np, "demo.competent_authority", npCase, trm.SOPReturn, f)
		}
		th.clock.Store(np.clock.Load())
		np.deliver()
		var got []string
		evs, _ := store.StatusEvents(ctx, th.db.R(), ref)
		for _, e := range evs {
			got = append(got, e.Status+"@"+e.Country)
		}
		want := []string{"received@NP", "accepted@NP", "return_planned@NP", "returned@NP", "followup_3m@NP", "followup_6m@NP", "followup_12m@NP"}
		if !slices.Equal(got, want) {
			t.Fatalf("status events at the sender:\n got %v\nwant %v", got, want)
		}

		// Withdrawal: a signed deletion request, erasure, a signed
		// erasure receipt.
		if err := th.svc.RecordConsent(ctx, thCA, caseID, ConsentInput{Purpose: string(trm.PurposeReturn), Country: "NP", Given: false}); err != nil {
			t.Fatal(err)
		}
		th.deliver()
		in = np.transfer(in.ID)
		if in.Status != string(trm.StatusErased) || in.Package != nil || in.WrappedKey != nil {
			t.Fatalf("receiver after the deletion request: %s, package kept %v", in.Status, in.Package != nil)
		}
		c, err := np.db.Case(ctx, npCase)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := np.db.Person(ctx, c.PersonID); err != nil || !p.Erased {
			t.Fatalf("the person brought by the package is not erased: %v", err)
		}
		np.deliver()
		if got := th.transfer(ref).Status; got != string(trm.StatusErased) {
			t.Fatalf("sender after the erasure receipt: %s", got)
		}
		if len(th.events("trm.status.received")) == 0 || len(np.events("trm.erased")) != 1 {
			t.Fatal("status and erasure not audited")
		}
		th.verifyAudit()
		np.verifyAudit()
		t.Logf("package round trip (build, queue, seal, HTTP, open, store, signed receipt): %v; package envelope %d bytes, receipt %d bytes",
			roundTrip, pkgSize, len(rows[0].Receipt))
	})
}

package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/prosecution"
	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
	"github.com/haven-nrm/haven/internal/vocab"
)

// What the process statistics count beyond the case itself: the referral
// that opened it (its referring sector), the services offered to the
// person and what became of them, and for some cases an investigation with
// charges, verdicts and compensation — all through the real rules, so the
// statistics pages of a demonstration have something in every chart.

// abroad are the countries a synthetic person of each place is sometimes
// exploited in, for the flows chart.
var abroad = map[string][]string{
	"NP": {"IN", "MY", "QA", "AE"},
	"MN": {"CN", "KR", "JP"},
	"TH": {"MY", "JP", "KR"},
	"KR": {"JP", "CN", "US"},
}

// exploitationCountry is mostly the place's own country, else one abroad.
func exploitationCountry(rng *rand.Rand, home string) string {
	if a := abroad[home]; len(a) > 0 && rng.IntN(3) == 0 {
		return a[rng.IntN(len(a))]
	}
	return home
}

// sectorAgency is the kind of agency a referring sector's referrals come
// from in the demo.
var sectorAgency = map[string]string{
	"government_official": "local_government", "labour_inspection": "labour_inspection", "private_sector": "ngo",
	"law_enforcement": "police", "health": "health", "transport": "immigration", "education": "education",
	"ngo": "ngo", "self_referral": "ngo",
}

// process is one synthetic case's referral, service referrals and
// investigation, written with the case.
type process struct {
	referral       store.Referral
	services       []store.ServiceReferral
	investigations []store.Investigation
}

func (p process) save(ctx context.Context, tx *store.Tx) error {
	if err := tx.InsertReferral(ctx, p.referral); err != nil {
		return err
	}
	for _, s := range p.services {
		if err := tx.SaveServiceReferral(ctx, s); err != nil {
			return err
		}
	}
	for _, inv := range p.investigations {
		if err := tx.SaveInvestigation(ctx, inv); err != nil {
			return err
		}
	}
	return nil
}

// demoFacts is the coded part of a synthetic referral.
type demoFacts struct {
	Gender       string         `json:"gender,omitempty"`
	Citizenship  string         `json:"citizenship,omitempty"`
	Exploitation string         `json:"exploitation,omitempty"`
	Events       []intake.Event `json:"events,omitempty"`
	AgeBand      string         `json:"age_band"`
}

func ids(rng *rand.Rand) string {
	return fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64())
}

// processOf draws a case's referral, services and investigation.
func processOf(rng *rand.Rand, c store.Case, agencies map[string]string, responder, worker string, now time.Time) (process, error) {
	var out process
	at := store.FromMillis(c.CreatedAt)
	sector := vocab.Sectors.Codes[rng.IntN(len(vocab.Sectors.Codes))]
	facts, err := json.Marshal(demoFacts{Gender: c.Gender, Citizenship: c.Citizenship, Exploitation: c.Exploitation, AgeBand: c.AgeBand,
		Events: []intake.Event{{Type: "Exploitation", Country: c.ExploitationCountry}}})
	if err != nil {
		return out, err
	}
	rid := ids(rng)
	out.referral = store.Referral{ID: rid, Reference: "R-" + strings.ToUpper(rid[:10]), Kind: intake.KindReferral, CaseID: c.ID,
		JurisdictionID: c.JurisdictionID, ReceivingAgencyID: agencies["competent_authority"], ReferringAgencyID: agencies[sectorAgency[sector]],
		ReferringUserID: responder, Sector: sector, Consent: intake.ConsentGiven, ConsentLanguage: "en", Child: c.Child, Urgent: c.Urgent,
		Classification: screening.ClassPresumedTrafficking, ProtocolVerdict: screening.VerdictMeets, IndicatorsVerdict: screening.VerdictVictim,
		Facts: string(facts), Status: "received", CreatedAt: c.CreatedAt}
	if c.TraffickingStatus == casework.StatusPossible && now.Sub(at) < 30*24*time.Hour {
		return out, nil // too early for services or an investigation
	}
	// Services from the place's hospital, with which the person agreed to
	// share the record (earlySupport).
	var plan support.Plan
	types := support.ServiceTypes()
	for range 1 + rng.IntN(3) {
		id, t := ids(rng), notAfter(at.Add(time.Duration(24+rng.IntN(240))*time.Hour), now)
		svc := types[rng.IntN(len(types))]
		if !support.CanOffer(plan, svc, agencies["health"]).Allowed {
			continue
		}
		if plan, err = support.Offer(plan, support.OfferRequest{ID: id, Service: svc, Agency: agencies["health"], By: worker, At: t}, now); err != nil {
			return out, err
		}
		var steps []support.Action
		switch r := rng.IntN(10); {
		case r < 2: // still offered
		case r < 4:
			steps = []support.Action{support.ActionDecline}
		case r < 5:
			steps = []support.Action{support.ActionAccept, support.ActionWithdraw}
		case r < 7:
			steps = []support.Action{support.ActionAccept}
		case r < 9:
			steps = []support.Action{support.ActionAccept, support.ActionDeliver}
		default:
			steps = []support.Action{support.ActionAccept, support.ActionDeliver, support.ActionEnd}
		}
		for _, a := range steps {
			t = notAfter(t.Add(time.Duration(1+rng.IntN(72))*time.Hour), now)
			if plan, err = support.Act(plan, id, a, worker, t, now); err != nil {
				return out, err
			}
		}
		r, _ := plan.Find(id)
		h, err := json.Marshal(r.History)
		if err != nil {
			return out, err
		}
		out.services = append(out.services, store.ServiceReferral{ID: id, CaseID: c.ID, AgencyID: agencies["health"], Service: string(svc),
			State: string(r.State), History: string(h), CreatedAt: store.Millis(r.History[0].At), UpdatedAt: store.Millis(r.UpdatedAt())})
	}
	// About one identified person in three has an investigation.
	if c.TraffickingStatus == casework.StatusNot || rng.IntN(3) != 0 {
		return out, nil
	}
	inv, err := investigation(rng, c, agencies["police"], worker, at, now)
	if err != nil {
		return out, err
	}
	rec, err := json.Marshal(inv)
	if err != nil {
		return out, err
	}
	out.investigations = append(out.investigations, store.Investigation{ID: inv.ID, CaseID: c.ID, AgencyID: inv.Agency, Record: string(rec)})
	return out, nil
}

// investigation opens one, charges a suspect — under the trafficking
// provision a little over half the time, else under a substitute offence
// (the misclassification the seed warns about) — and takes it as far as a
// verdict and compensation for some.
func investigation(rng *rand.Rand, c store.Case, police, by string, at, now time.Time) (prosecution.Investigation, error) {
	t := notAfter(at.Add(time.Duration(2+rng.IntN(20))*24*time.Hour), now)
	inv, err := prosecution.Open(ids(rng), c.ID, police, t, by, t)
	if err != nil {
		return inv, err
	}
	step := func(f func(prosecution.Investigation) (prosecution.Investigation, error)) {
		if err == nil {
			t = notAfter(t.Add(time.Duration(1+rng.IntN(60))*24*time.Hour), now)
			inv, err = f(inv)
		}
	}
	sid, cid := ids(rng), ids(rng)
	step(func(i prosecution.Investigation) (prosecution.Investigation, error) {
		return prosecution.AddSuspect(i, i.Version, prosecution.Suspect{ID: sid, ChainRole: prosecution.ChainRoles()[rng.IntN(4)],
			Nature: prosecution.NatureIndividual, Gender: "Masculine"}, by, t)
	})
	offence := prosecution.OffenceTrafficking
	if rng.IntN(20) >= 11 {
		subs := prosecution.OffenceCategories()[1:]
		offence = subs[rng.IntN(len(subs))]
	}
	step(func(i prosecution.Investigation) (prosecution.Investigation, error) {
		return prosecution.AddCharge(i, i.Version, prosecution.Charge{ID: cid, SuspectID: sid, Offence: offence}, by, t)
	})
	r := rng.IntN(10)
	if r < 3 { // still being investigated
		return inv, err
	}
	step(func(i prosecution.Investigation) (prosecution.Investigation, error) {
		return prosecution.RecordProceeding(i, i.Version, prosecution.Proceeding{ID: ids(rng), ChargeID: cid, Stage: prosecution.StageCharged, At: t}, by, t)
	})
	if r < 5 { // before the court
		return inv, err
	}
	outcomes := []prosecution.Outcome{prosecution.OutcomeConvicted, prosecution.OutcomeConvicted, prosecution.OutcomeConvicted,
		prosecution.OutcomeAcquitted, prosecution.OutcomeDismissed, prosecution.OutcomeWithdrawn}
	outcome := outcomes[rng.IntN(len(outcomes))]
	step(func(i prosecution.Investigation) (prosecution.Investigation, error) {
		return prosecution.RecordProceeding(i, i.Version, prosecution.Proceeding{ID: ids(rng), ChargeID: cid, Stage: prosecution.StageVerdict, Outcome: outcome, At: t}, by, t)
	})
	if outcome == prosecution.OutcomeConvicted && rng.IntN(2) == 0 {
		amount := int64(50000 + rng.IntN(500000))
		comp := prosecution.Compensation{ID: ids(rng), ChargeID: cid, Ordered: prosecution.Money{Amount: amount, Currency: "USD"}}
		switch rng.IntN(4) {
		case 0:
			comp.State = prosecution.CompensationOrdered
		case 1:
			comp.State, comp.Paid = prosecution.CompensationPartiallyPaid, amount/2
		case 2:
			comp.State, comp.Paid = prosecution.CompensationPaid, amount
		default:
			comp.State = prosecution.CompensationUnpaid
		}
		step(func(i prosecution.Investigation) (prosecution.Investigation, error) {
			comp.At = t
			return prosecution.RecordCompensation(i, i.Version, comp, by, t)
		})
	}
	step(func(i prosecution.Investigation) (prosecution.Investigation, error) {
		return prosecution.Close(i, i.Version, prosecution.StatusClosedProsecuted, by, t)
	})
	return inv, err
}

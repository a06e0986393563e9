package support

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// modelReferral is the test's own account of a referral.
type modelReferral struct {
	id, agency string
	service    ServiceType
	state      State
	last       time.Time
}

// modelConsent is the test's own account of the latest event per purpose,
// recipient and service.
type modelConsent struct {
	at       time.Time
	seq      int
	action   ConsentAction
	guardian bool
}

// strip removes the referrals that are over (declined, withdrawn, ended).
func strip(p Plan) Plan {
	return Plan{Referrals: slices.DeleteFunc(p.clone().Referrals, func(r Referral) bool { return !r.State.Open() })}
}

// FuzzSupport applies random sequences of service and consent events — with
// unknown codes, missing users, dates in the future and out of order mixed
// in — and checks after each one:
//
//   - a refused change leaves the plan and the ledger as they were;
//   - referrals move only along the life cycle, and final ones never change;
//   - declined, withdrawn and ended referrals never change any decision:
//     CanOffer and CanCloseCase answer the same with them removed, an offer
//     is refused only while the same service from the same agency is open,
//     and from any plan (checked every tenth step and at the end) the case
//     can be brought to close and every service offered again;
//   - consent events never change any service decision;
//   - Allows follows the latest event about the recipient (and service);
//     CheckShare never lets data out of the owning agency without consent
//     unless a valid override is given, and then reports the override.
func FuzzSupport(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 1, 1, 0, 2, 2, 9, 3, 2, 7, 1, 1, 0, 4, 0, 13, 16, 1, 3, 4, 3, 0, 0})
	f.Add([]byte{0, 2, 8, 0, 14, 8, 1, 1, 1, 1, 1, 2, 2, 0, 1, 2, 0, 0, 2, 1, 3, 2, 32, 1, 0, 3, 8, 1, 2, 4})
	f.Add([]byte{2, 0, 1, 2, 4, 2, 2, 0, 0, 2, 64, 1, 2, 0, 129, 0, 5, 1, 1, 0, 1, 1, 0, 3, 1, 1, 4, 0, 200, 2})
	f.Add([]byte{0, 12, 1, 0, 3, 1, 0, 255, 0, 1, 9, 1, 1, 0, 0, 2, 132, 2, 2, 5, 3, 3, 3, 3})
	// Long sequences from a fixed generator, mostly well-formed, so that
	// go test alone walks deep plans and ledgers.
	for seed := range uint64(4) {
		r := rand.New(rand.NewPCG(seed, 2026))
		ops := make([]byte, 0, 3*150)
		for range 150 {
			ops = append(ops, byte(r.IntN(4)), byte(r.IntN(256))&^0xc0|byte(r.IntN(4)/3)<<6, byte(r.IntN(256))&^0x80|byte(r.IntN(16)/15)<<7)
		}
		f.Add(ops)
	}
	services := append(ServiceTypes(), "spa")
	agencies := []string{agencyA, agencyB, agencyC, ""}
	users := []string{worker, provider, worker, ""}
	recipients := []string{agencyA, agencyB, agencyC}
	shareServices := []ServiceType{"", ServiceMedical, ServiceLegalAid, ServiceShortTermShelter}
	good := Override{By: worker, Role: "competent_authority", Reason: "court_order", Justification: "Order of the court."}
	bad := Override{By: worker, Role: "police_investigator", Reason: "court_order", Justification: "Asked for it."}

	f.Fuzz(func(t *testing.T, ops []byte) {
		var (
			p       Plan
			l       Ledger
			refs    []modelReferral
			consent = map[key]modelConsent{}
			now     = t0
		)
		for i := 0; i+2 < len(ops) && i < 3*150; i += 3 {
			op, a, b := ops[i]%4, ops[i+1], ops[i+2]
			now = now.Add(time.Duration(b%4) * 2 * time.Minute)
			when := now.Add(-time.Duration(a>>6) * time.Hour)
			if b&0x80 != 0 {
				when = now.Add(time.Minute)
			}
			by := users[(b>>3)%4]
			future := when.After(now)
			beforeP, beforeL := p.clone(), Ledger{Events: slices.Clone(l.Events)}

			var err error
			wantOK := false
			switch op {
			case 0, 1: // offer
				svc, ag := services[int(a)%len(services)], agencies[int(b>>5)%len(agencies)]
				id := fmt.Sprint("r", i)
				open := slices.ContainsFunc(refs, func(r modelReferral) bool { return r.state.Open() && r.service == svc && r.agency == ag })
				wantOK = svc.Valid() && ag != "" && !open && by != "" && !future
				var np Plan
				np, err = Offer(p, OfferRequest{ID: id, Service: svc, Agency: ag, By: by, At: when}, now)
				if err == nil {
					p = np
					refs = append(refs, modelReferral{id: id, agency: ag, service: svc, state: StateOffered, last: when})
				}
			case 2: // act on a referral (one index past the end: not found)
				k := int(a&0x3f) % (len(refs) + 1)
				act := append(Actions(), "promote")[int(b>>5)%6]
				id := "none"
				if k < len(refs) {
					id = refs[k].id
					_, moves := stateOf[refs[k].state][act]
					wantOK = moves && by != "" && !future && !when.Before(refs[k].last)
				}
				var np Plan
				np, err = Act(p, id, act, by, when, now)
				if err == nil {
					p = np
					refs[k].state, refs[k].last = stateOf[refs[k].state][act], when
				}
			case 3: // consent event
				offers := decisions(p, services, agencies)
				purpose := Purposes()[int(a)%4]
				e := ConsentEvent{Purpose: purpose, Action: ConsentGiven, By: by, At: when, Language: "mn", ByGuardian: a&8 != 0}
				if a&4 != 0 {
					e.Action = ConsentWithdrawn
				}
				if purpose == PurposeShareWithAgency {
					e.Recipient = recipients[int(b>>5)%3]
					e.Service = shareServices[int(a>>4)%4]
				}
				old, seen := consent[e.key()]
				wantOK = by != "" && !future && (!seen || !when.Before(old.at))
				var nl Ledger
				nl, err = l.Record(e, now)
				if err == nil {
					l = nl
					consent[e.key()] = modelConsent{at: when, seq: i, action: e.Action, guardian: e.ByGuardian}
				}
				if got := decisions(p, services, agencies); !reflect.DeepEqual(got, offers) {
					t.Fatalf("step %d: a consent event changed a service decision", i)
				}
			}
			if (err == nil) != wantOK {
				t.Fatalf("step %d (op %d): err %v, want success %v", i, op, err, wantOK)
			}
			if err != nil && (!reflect.DeepEqual(p, beforeP) || !reflect.DeepEqual(l, beforeL)) {
				t.Fatalf("step %d: a refused change changed something", i)
			}
			checkPlan(t, i, p, refs, services, agencies)
			if i%30 == 0 || i+5 >= len(ops) || i+3 >= 3*150 {
				checkClosable(t, i, p, now)
			}
			checkConsent(t, i, l, consent, recipients, shareServices, now, good, bad)
		}
	})
}

// decisions is every offer decision of a plan, plus the close decision.
func decisions(p Plan, services []ServiceType, agencies []string) []Decision {
	var out []Decision
	for _, s := range services {
		for _, a := range agencies {
			out = append(out, CanOffer(p, s, a))
		}
	}
	return append(out, CanCloseCase(p))
}

func checkPlan(t *testing.T, step int, p Plan, refs []modelReferral, services []ServiceType, agencies []string) {
	t.Helper()
	if len(p.Referrals) != len(refs) {
		t.Fatalf("step %d: %d referrals, model %d", step, len(p.Referrals), len(refs))
	}
	for k, r := range p.Referrals {
		m := refs[k]
		if r.ID != m.id || r.State != m.state || r.Service != m.service || r.Agency != m.agency {
			t.Fatalf("step %d: referral %+v, model %+v", step, r, m)
		}
		for j, e := range r.History {
			switch {
			case j == 0 && (e.Action != ActionOffer || e.To != StateOffered):
				t.Fatalf("step %d: %s does not start with an offer", step, r.ID)
			case j > 0 && (e.From != r.History[j-1].To || e.At.Before(r.History[j-1].At) || stateOf[e.From][e.Action] != e.To):
				t.Fatalf("step %d: %s history breaks the life cycle at %d: %+v", step, r.ID, j, e)
			}
		}
	}
	// Final referrals never count.
	if got, want := decisions(p, services, agencies), decisions(strip(p), services, agencies); !reflect.DeepEqual(got, want) {
		t.Fatalf("step %d: declined, withdrawn or ended referrals changed a decision", step)
	}
	for _, s := range services {
		for _, ag := range agencies {
			open := slices.ContainsFunc(refs, func(r modelReferral) bool { return r.state.Open() && r.service == s && r.agency == ag })
			if d := CanOffer(p, s, ag); d.Allowed != (s.Valid() && ag != "" && !open) {
				t.Fatalf("step %d: CanOffer(%s, %q) = %+v", step, s, ag, d)
			}
		}
	}
}

// checkClosable checks that from p the case can always be brought to close:
// the provider ends what runs, the person answers what is offered; then
// every service can be offered again.
func checkClosable(t *testing.T, step int, p Plan, now time.Time) {
	t.Helper()
	q := p
	for _, r := range p.Referrals {
		var a Action
		switch r.State {
		case StateOffered:
			a = ActionDecline
		case StateAccepted, StateDelivered:
			a = ActionEnd
		default:
			continue
		}
		var err error
		if q, err = Act(q, r.ID, a, provider, now, now); err != nil {
			t.Fatalf("step %d: %s on %s refused: %v", step, a, r.ID, err)
		}
	}
	if d := CanCloseCase(q); !d.Allowed {
		t.Fatalf("step %d: the case cannot close after every service was answered or ended: %+v", step, d)
	}
	for _, s := range ServiceTypes() {
		if d := CanOffer(q, s, agencyB); !d.Allowed {
			t.Fatalf("step %d: %s cannot be offered again: %+v", step, s, d)
		}
	}
}

func checkConsent(t *testing.T, step int, l Ledger, consent map[key]modelConsent, recipients []string, shareServices []ServiceType,
	now time.Time, good, bad Override) {
	t.Helper()
	for _, purpose := range []Purpose{PurposeProceedings, PurposeContactByPhone, PurposeContactByMessage} {
		m, ok := consent[key{purpose: purpose}]
		if want := ok && m.action == ConsentGiven; Allows(l, purpose, "", "", now) != want {
			t.Fatalf("step %d: Allows(%s) != %v", step, purpose, want)
		}
	}
	for _, rec := range recipients {
		for _, s := range shareServices {
			// The later of the event about the agency and the one about
			// the service decides.
			m, ok := consent[key{PurposeShareWithAgency, rec, ""}]
			if sm, sok := consent[key{PurposeShareWithAgency, rec, s}]; s != "" && sok &&
				(!ok || sm.at.After(m.at) || (sm.at.Equal(m.at) && sm.seq > m.seq)) {
				m, ok = sm, true
			}
			want := ok && m.action == ConsentGiven
			if got := Allows(l, PurposeShareWithAgency, rec, s, now); got != want {
				t.Fatalf("step %d: Allows(share, %s, %q) = %v, want %v", step, rec, s, got, want)
			}
			plain := CheckShare(l, agencyA, rec, s, nil)
			forced := CheckShare(l, agencyA, rec, s, &good)
			refused := CheckShare(l, agencyA, rec, s, &bad)
			if rec == agencyA {
				if !plain.Allowed || plain.Code != CodeSameAgency || forced.Override {
					t.Fatalf("step %d: within the owning agency: %+v %+v", step, plain, forced)
				}
				continue
			}
			if plain.Allowed != want || plain.Override || refused.Allowed != want || refused.Override {
				t.Fatalf("step %d: sharing with %s for %q without consent or with a bad override: %+v %+v", step, rec, s, plain, refused)
			}
			if !forced.Allowed || forced.Override == want {
				t.Fatalf("step %d: a valid override: %+v (consent %v)", step, forced, want)
			}
			if ok && plain.ByGuardian != m.guardian {
				t.Fatalf("step %d: by_guardian not reported", step)
			}
		}
	}
}

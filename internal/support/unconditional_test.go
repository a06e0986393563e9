package support

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestDeclinedNeverBlocks enumerates every combination of the twelve
// services left untouched, declined or withdrawn at one agency (3^12 plans)
// and checks that in every one each service can still be offered, from that
// agency and from another, and the case can close.
func TestDeclinedNeverBlocks(t *testing.T) {
	rule := "seed: support without conditions — a declined (or withdrawn) service never blocks another, the same one again, or the case"
	services := ServiceTypes()
	n := 1
	for range services {
		n *= 3
	}
	if testing.Short() {
		n = 3 * 3 * 3 * 3 * 3 * 3
	}
	// Build the referrals once per service and final state, then assemble.
	final := map[State][]Referral{}
	for _, s := range []State{StateDeclined, StateWithdrawn} {
		a := ActionDecline
		if s == StateWithdrawn {
			a = ActionWithdraw
		}
		for i, svc := range services {
			id := fmt.Sprintf("%s-%d", s, i)
			p := mustAct(t, mustOffer(t, Plan{}, id, svc, agencyB, at(0)), id, a, at(1))
			final[s] = append(final[s], p.Referrals[0])
		}
	}
	checked := 0
	var p Plan
	for combo := 0; combo < n; combo++ {
		p.Referrals = p.Referrals[:0]
		for i, c := 0, combo; i < len(services); i, c = i+1, c/3 {
			switch c % 3 {
			case 1:
				p.Referrals = append(p.Referrals, final[StateDeclined][i])
			case 2:
				p.Referrals = append(p.Referrals, final[StateWithdrawn][i])
			}
		}
		for _, svc := range services {
			for _, ag := range []string{agencyB, agencyC} {
				if d := CanOffer(p, svc, ag); !d.Allowed {
					t.Fatalf("%s: combination %d blocks %s from %s: %+v", rule, combo, svc, ag, d)
				}
			}
		}
		if d := CanCloseCase(p); !d.Allowed {
			t.Fatalf("%s: combination %d holds the case open: %+v", rule, combo, d)
		}
		checked++
	}
	// And once offered again, the new offer runs its own course.
	p = Plan{Referrals: append(append([]Referral(nil), final[StateDeclined]...), final[StateWithdrawn]...)}
	for i, svc := range services {
		id := fmt.Sprint("again-", i)
		p = mustOffer(t, p, id, svc, agencyB, at(2))
		p = mustAct(t, p, id, ActionAccept, at(3))
		p = mustAct(t, p, id, ActionDeliver, at(4))
		p = mustAct(t, p, id, ActionEnd, at(5))
	}
	if d := CanCloseCase(p); !d.Allowed {
		t.Errorf("%s: after every service was declined, withdrawn, then delivered and ended, the case closes: %+v", rule, d)
	}
	t.Logf("%d plans checked", checked)
}

// TestOtherReferralsNeverCount checks, for every state of one referral, that
// the other referrals' states never change what can be done to it.
func TestOtherReferralsNeverCount(t *testing.T) {
	rule := "seed: support without conditions — what may be done to one service never depends on another"
	for _, own := range States() {
		for _, other := range States() {
			p := reach(t, own)
			q := reach(t, other)
			q.Referrals[0].ID, q.Referrals[0].Service = "x", ServiceShortTermShelter
			both := Plan{Referrals: append(p.clone().Referrals, q.Referrals[0])}
			for _, a := range Actions() {
				if CanAct(p, "r", a).Allowed != CanAct(both, "r", a).Allowed {
					t.Errorf("%s: %s on a %s referral changes when another is %s", rule, a, own, other)
				}
			}
		}
	}
}

// TestNoConditionsOnSupport documents that nothing about proceedings, or
// about consent, can be a condition of a service: the functions that offer
// and change services take no such input.
func TestNoConditionsOnSupport(t *testing.T) {
	rule := "OSCE / seed: taking part in proceedings is never a condition for any service"
	forbidden := []string{"proceed", "cooperat", "co_operat", "testif", "witness", "police", "prosecut", "complain", "report", "consent"}
	o := reflect.TypeFor[OfferRequest]()
	want := map[string]reflect.Type{"ID": reflect.TypeFor[string](), "Service": reflect.TypeFor[ServiceType](),
		"Agency": reflect.TypeFor[string](), "By": reflect.TypeFor[string](), "At": reflect.TypeFor[time.Time]()}
	if o.NumField() != len(want) {
		t.Errorf("%s: OfferRequest has %d fields, want exactly %v", rule, o.NumField(), want)
	}
	for f := range o.Fields() {
		if want[f.Name] != f.Type {
			t.Errorf("%s: OfferRequest.%s %s is not one of the offer's fields", rule, f.Name, f.Type)
		}
	}
	ledger := reflect.TypeFor[Ledger]()
	for name, fn := range map[string]any{"CanOffer": CanOffer, "Offer": Offer, "CanAct": CanAct, "Act": Act, "CanCloseCase": CanCloseCase} {
		ft := reflect.TypeOf(fn)
		for i := range ft.NumIn() {
			in := ft.In(i)
			if in.Kind() == reflect.Bool || in == ledger || in == reflect.TypeFor[ConsentEvent]() || in == reflect.TypeFor[Purpose]() {
				t.Errorf("%s: %s takes a %s", rule, name, in)
			}
		}
	}
	for _, ty := range []reflect.Type{o, reflect.TypeFor[Referral](), reflect.TypeFor[Plan](), reflect.TypeFor[ServiceEvent]()} {
		for f := range ty.Fields() {
			for _, w := range forbidden {
				if strings.Contains(strings.ToLower(f.Name), w) {
					t.Errorf("%s: %s.%s looks like a condition", rule, ty.Name(), f.Name)
				}
			}
		}
	}
	// A person who refused to take part in proceedings is offered every
	// service and can accept it: the ledger is simply not an input.
	l := mustRecord(t, Ledger{}, ConsentEvent{Purpose: PurposeProceedings, Action: ConsentWithdrawn, At: at(0)})
	if Allows(l, PurposeProceedings, "", "", at(1)) {
		t.Fatalf("consent: a withdrawal of consent to take part in proceedings stands")
	}
	var p Plan
	for i, s := range ServiceTypes() {
		id := fmt.Sprint("p", i)
		p = mustAct(t, mustOffer(t, p, id, s, agencyB, at(1)), id, ActionAccept, at(2))
	}
	if len(p.Open()) != len(ServiceTypes()) {
		t.Errorf("%s: every service was offered and accepted", rule)
	}
}

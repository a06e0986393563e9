package prosecution

import (
	"fmt"
	"testing"
	"time"
)

// position is where a charge stands, in the test's own words.
type position string

const (
	posInvestigation position = "investigation"
	posCharged       position = "charged"
	posTrial         position = "trial"
	posVerdict       position = "verdict"
	posLodged        position = "appeal_lodged"
	posDecided       position = "appeal_decided"
)

// entry is a step tried from a position.
type entry struct {
	stage   Stage
	outcome Outcome
}

func (e entry) String() string { return fmt.Sprintf("%s(%s)", e.stage, e.outcome) }

// pathTo lists the steps that bring c1 to a position.
var pathTo = map[position][]entry{
	posInvestigation: nil,
	posCharged:       {{StageCharged, ""}},
	posTrial:         {{StageCharged, ""}, {StageTrial, ""}},
	posVerdict:       {{StageCharged, ""}, {StageTrial, ""}, {StageVerdict, OutcomeConvicted}},
	posLodged:        {{StageCharged, ""}, {StageTrial, ""}, {StageVerdict, OutcomeConvicted}, {StageAppeal, ""}},
	posDecided:       {{StageCharged, ""}, {StageTrial, ""}, {StageVerdict, OutcomeConvicted}, {StageAppeal, ""}, {StageAppeal, OutcomeAcquitted}},
}

// reachPos returns base with c1 at position p, its steps an hour apart
// from at(1).
func reachPos(t testing.TB, p position) Investigation {
	t.Helper()
	inv := base(t)
	for i, e := range pathTo[p] {
		inv = withStep(t, inv, fmt.Sprint("p", i), "c1", e.stage, e.outcome, at(1+i))
	}
	return inv
}

// TestStageOrder tries every step from every position against an
// independent statement of the order of proceedings.
func TestStageOrder(t *testing.T) {
	entries := []entry{{StageInvestigation, ""}, {StageCharged, ""}, {StageTrial, ""}, {StageVerdict, OutcomeConvicted},
		{StageVerdict, OutcomeWithdrawn}, {StageAppeal, ""}, {StageAppeal, OutcomeConvicted}}
	// next: the position each step leads to; a missing entry is refused
	// (out_of_order, or verdict_without_charge for a verdict on a charge
	// never brought).
	next := map[position]map[entry]position{
		posInvestigation: {{StageCharged, ""}: posCharged},
		posCharged: {{StageTrial, ""}: posTrial, {StageVerdict, OutcomeConvicted}: posVerdict,
			{StageVerdict, OutcomeWithdrawn}: posVerdict},
		posTrial:   {{StageVerdict, OutcomeConvicted}: posVerdict, {StageVerdict, OutcomeWithdrawn}: posVerdict},
		posVerdict: {{StageAppeal, ""}: posLodged},
		posLodged:  {{StageAppeal, OutcomeConvicted}: posDecided, {StageTrial, ""}: posTrial},
		posDecided: {{StageAppeal, ""}: posLodged},
	}
	rules := map[Stage]string{
		StageInvestigation: "proceedings: a charge starts at the investigation stage and never returns to it",
		StageCharged:       "proceedings: a charge is brought once, from the investigation",
		StageTrial:         "proceedings: a trial follows a charge brought, or an appeal court's order of a retrial",
		StageVerdict:       "proceedings: a verdict needs a charge brought (a plea or dismissal before trial, or after the trial)",
		StageAppeal:        "proceedings: an appeal lies from a verdict or a decided appeal; only a lodged appeal is decided",
	}
	for from := range pathTo {
		for _, e := range entries {
			t.Run(fmt.Sprintf("%s/%s", from, e), func(t *testing.T) {
				inv := reachPos(t, from)
				before := inv.ChargeStatus("c1")
				out, err := RecordProceeding(inv, inv.Version, Proceeding{ID: "px", ChargeID: "c1", Stage: e.stage, Outcome: e.outcome, At: at(20)}, prosecutor, now)
				to, ok := next[from][e]
				if !ok {
					want := CodeOutOfOrder
					if e.stage == StageVerdict && from == posInvestigation {
						want = CodeVerdictWithoutCharge
					}
					wantCode(t, rules[e.stage], err, want)
					return
				}
				if err != nil {
					t.Fatalf("%s: %v", rules[e.stage], err)
				}
				st := out.ChargeStatus("c1")
				got := position(st.Stage)
				if st.Stage == StageAppeal {
					got = map[bool]position{true: posLodged, false: posDecided}[st.AppealPending]
				}
				if got != to {
					t.Errorf("%s: %s --%s--> %s, want %s", rules[e.stage], from, e, got, to)
				}
				// The outcome: set by a verdict or decided appeal, kept
				// while an appeal is lodged, cleared by a retrial.
				wantOutcome := before.Outcome
				switch {
				case e.outcome != "":
					wantOutcome = e.outcome
				case e.stage == StageTrial:
					wantOutcome = ""
				}
				if st.Outcome != wantOutcome || !st.At.Equal(at(20)) {
					t.Errorf("%s: status %+v, want outcome %q", rules[e.stage], st, wantOutcome)
				}
				if last := out.Proceedings[len(out.Proceedings)-1]; last.By != prosecutor {
					t.Errorf("audit: the proceeding names the user who recorded it")
				}
			})
		}
	}
}

func TestRecordProceedingRefusals(t *testing.T) {
	inv := reachPos(t, posTrial) // c1 charged at(1), trial at(2)
	inv = withCharge(t, inv, "c2", "s1", OffencePimping)
	cases := []struct {
		name, rule string
		p          Proceeding
		want       Code
	}{
		{"verdict", "proceedings: the trial ends in a verdict", Proceeding{ID: "v", ChargeID: "c1", Stage: StageVerdict, Outcome: OutcomeAcquitted, At: at(3)}, ""},
		{"same instant", "dates: a step on the day of the previous one is in order", Proceeding{ID: "v", ChargeID: "c1", Stage: StageVerdict, Outcome: OutcomeDismissed, At: at(2)}, ""},
		{"second charge", "proceedings: each charge has its own stages", Proceeding{ID: "v", ChargeID: "c2", Stage: StageCharged, At: at(1)}, ""},
		{"unknown charge", "proceedings: a verdict needs a charge of the investigation", Proceeding{ID: "v", ChargeID: "c9", Stage: StageVerdict, Outcome: OutcomeConvicted, At: at(3)}, CodeUnknownCharge},
		{"verdict on an uncharged charge", "proceedings: a verdict needs a charge brought", Proceeding{ID: "v", ChargeID: "c2", Stage: StageVerdict, Outcome: OutcomeConvicted, At: at(3)}, CodeVerdictWithoutCharge},
		{"unknown stage", "proceedings: stages come from the list", Proceeding{ID: "v", ChargeID: "c1", Stage: "hearing", At: at(3)}, CodeUnknownStage},
		{"unknown outcome", "proceedings: outcomes come from the list", Proceeding{ID: "v", ChargeID: "c1", Stage: StageVerdict, Outcome: "guilty", At: at(3)}, CodeUnknownOutcome},
		{"verdict without outcome", "proceedings: a verdict has an outcome", Proceeding{ID: "v", ChargeID: "c1", Stage: StageVerdict, At: at(3)}, CodeOutcomeRequired},
		{"outcome on a trial", "proceedings: a trial has no outcome of its own", Proceeding{ID: "v", ChargeID: "c1", Stage: StageTrial, Outcome: OutcomeConvicted, At: at(3)}, CodeOutcomeNotAllowed},
		{"outcome on a charge", "proceedings: bringing a charge has no outcome", Proceeding{ID: "v", ChargeID: "c2", Stage: StageCharged, Outcome: OutcomeWithdrawn, At: at(3)}, CodeOutcomeNotAllowed},
		{"before the trial", "dates: a verdict is not dated before the trial", Proceeding{ID: "v", ChargeID: "c1", Stage: StageVerdict, Outcome: OutcomeConvicted, At: at(1)}, CodeOutOfOrder},
		{"before the investigation", "dates: nothing predates the investigation", Proceeding{ID: "v", ChargeID: "c2", Stage: StageCharged, At: at(-1)}, CodeOutOfOrder},
		{"future", "dates: no step in the future", Proceeding{ID: "v", ChargeID: "c1", Stage: StageVerdict, Outcome: OutcomeConvicted, At: now.Add(time.Minute)}, CodeFutureDate},
		{"no date", "dates: every step has a date", Proceeding{ID: "v", ChargeID: "c1", Stage: StageVerdict, Outcome: OutcomeConvicted}, CodeInvalidInput},
		{"no id", "proceedings: a step has an id", Proceeding{ChargeID: "c1", Stage: StageVerdict, Outcome: OutcomeConvicted, At: at(3)}, CodeInvalidInput},
		{"duplicate id", "proceedings: ids are unique", Proceeding{ID: "p0", ChargeID: "c1", Stage: StageVerdict, Outcome: OutcomeConvicted, At: at(3)}, CodeDuplicateID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := RecordProceeding(inv, inv.Version, c.p, prosecutor, now)
			wantCode(t, c.rule, err, c.want)
			if err == nil && (len(out.Proceedings) != len(inv.Proceedings)+1 || out.Version != inv.Version+1) {
				t.Errorf("%s: %+v", c.rule, out)
			}
			if err != nil {
				if e := err.(*Error); e.Value != "" && !knownCode(e.Value) {
					t.Errorf("privacy: error value %q is not a code", e.Value)
				}
			}
		})
	}
}

func TestRecordSentence(t *testing.T) {
	after := func(steps ...entry) func(t testing.TB) Investigation {
		return func(t testing.TB) Investigation {
			inv := convicted(t) // trial at(3), convicted at(4)
			for i, e := range steps {
				inv = withStep(t, inv, fmt.Sprint("q", i), "c1", e.stage, e.outcome, at(5+i))
			}
			return inv
		}
	}
	verdict := func(o Outcome) func(t testing.TB) Investigation {
		return func(t testing.TB) Investigation {
			return withStep(t, reachPos(t, posTrial), "v", "c1", StageVerdict, o, at(4))
		}
	}
	s := func(f func(*Sentence)) Sentence {
		x := Sentence{ID: "x1", ChargeID: "c1", CustodialMonths: 96, At: at(10)}
		f(&x)
		return x
	}
	ok := func(*Sentence) {}
	runBuiltCases(t, []builtCase[Sentence]{
		{"custodial", "Palermo Protocol art. 5; Directive 2011/36/EU art. 4: penalties on conviction", after(), s(ok), ""},
		{"fine only", "sentences: a fine alone", after(), s(func(x *Sentence) { x.CustodialMonths, x.Fine = 0, Money{2500000, "MNT"} }), ""},
		{"custody and fine", "sentences: custody and a fine", after(), s(func(x *Sentence) { x.Fine = Money{100, "EUR"} }), ""},
		{"suspended", "sentences: a suspended term", after(), s(func(x *Sentence) { x.CustodialMonths, x.Suspended = 24, true }), ""},
		{"life", "sentences: life imprisonment (e.g. UK Modern Slavery Act 2015 s. 5)", after(), s(func(x *Sentence) { x.CustodialMonths, x.Life = 0, true }), ""},
		{"on the day of conviction", "dates: sentenced on the day of the verdict", after(), s(func(x *Sentence) { x.At = at(4) }), ""},
		{"conviction under appeal", "sentences: a conviction under appeal stands until decided", after(entry{StageAppeal, ""}), s(ok), ""},
		{"conviction upheld", "sentences: resentencing after the appeal", after(entry{StageAppeal, ""}, entry{StageAppeal, OutcomeConvicted}), s(ok), ""},
		{"acquitted", "sentences: a sentence only on conviction", verdict(OutcomeAcquitted), s(ok), CodeSentenceWithoutConviction},
		{"dismissed", "sentences: a sentence only on conviction", verdict(OutcomeDismissed), s(ok), CodeSentenceWithoutConviction},
		{"withdrawn", "sentences: a sentence only on conviction", verdict(OutcomeWithdrawn), s(ok), CodeSentenceWithoutConviction},
		{"before the verdict", "sentences: a sentence only on conviction", func(t testing.TB) Investigation { return reachPos(t, posTrial) }, s(ok), CodeSentenceWithoutConviction},
		{"never charged", "sentences: a sentence only on conviction", base, s(ok), CodeSentenceWithoutConviction},
		{"quashed on appeal", "sentences: a conviction quashed on appeal is no conviction",
			after(entry{StageAppeal, ""}, entry{StageAppeal, OutcomeAcquitted}), s(ok), CodeSentenceWithoutConviction},
		{"retrial ordered", "sentences: a retrial sets the conviction aside", after(entry{StageAppeal, ""}, entry{StageTrial, ""}), s(ok), CodeSentenceWithoutConviction},
		{"unknown charge", "sentences: on a charge of the investigation", after(), s(func(x *Sentence) { x.ChargeID = "c9" }), CodeUnknownCharge},
		{"nothing imposed", "sentences: a sentence imposes something (a discharge is recorded as no sentence)", after(), s(func(x *Sentence) { x.CustodialMonths = 0 }), CodeInvalidSentence},
		{"negative months", "sentences: a term is not negative", after(), s(func(x *Sentence) { x.CustodialMonths = -1 }), CodeInvalidSentence},
		{"too many months", "sentences: at most 1200 months; longer is life", after(), s(func(x *Sentence) { x.CustodialMonths = MaxCustodialMonths + 1 }), CodeInvalidSentence},
		{"suspended life", "sentences: a life sentence is not suspended", after(), s(func(x *Sentence) { x.CustodialMonths, x.Life, x.Suspended = 0, true, true }), CodeInvalidSentence},
		{"life and months", "sentences: a life sentence has no term in months", after(), s(func(x *Sentence) { x.Life = true }), CodeInvalidSentence},
		{"suspended nothing", "sentences: only custody is suspended", after(), s(func(x *Sentence) { x.CustodialMonths, x.Suspended, x.Fine = 0, true, Money{5, "EUR"} }), CodeInvalidSentence},
		{"negative fine", "ISO 4217: amounts in minor units, never negative", after(), s(func(x *Sentence) { x.Fine = Money{-5, "EUR"} }), CodeInvalidAmount},
		{"fine without currency", "ISO 4217: an amount names its currency", after(), s(func(x *Sentence) { x.Fine = Money{500, ""} }), CodeInvalidCurrency},
		{"fine in a bad currency", "ISO 4217: three upper-case letters", after(), s(func(x *Sentence) { x.Fine = Money{500, "eur"} }), CodeInvalidCurrency},
		{"fine in XXX", "ISO 4217: XXX is no currency", after(), s(func(x *Sentence) { x.Fine = Money{500, "XXX"} }), CodeInvalidCurrency},
		{"before the conviction", "dates: a sentence is not dated before the conviction", after(), s(func(x *Sentence) { x.At = at(3) }), CodeOutOfOrder},
		{"future", "dates: no sentence in the future", after(), s(func(x *Sentence) { x.At = now.Add(time.Hour) }), CodeFutureDate},
		{"no id", "sentences: a sentence has an id", after(), s(func(x *Sentence) { x.ID = "" }), CodeInvalidInput},
	}, func(inv Investigation, x Sentence) (Investigation, error) {
		return RecordSentence(inv, inv.Version, x, prosecutor, now)
	}, func(t *testing.T, c builtCase[Sentence], _, out Investigation) {
		got, ok := out.SentenceOf("c1")
		want := c.item
		want.By = prosecutor
		if !ok || got != want {
			t.Errorf("%s: sentence %+v", c.rule, got)
		}
	})
	inv := convicted(t)
	inv = must(t)(RecordSentence(inv, inv.Version, Sentence{ID: "x1", ChargeID: "c1", CustodialMonths: 96, At: at(5)}, prosecutor, now))
	_, err := RecordSentence(inv, inv.Version, Sentence{ID: "x1", ChargeID: "c1", CustodialMonths: 60, At: at(6)}, prosecutor, now)
	wantCode(t, "sentences: ids are unique", err, CodeDuplicateID)
	inv = must(t)(RecordSentence(inv, inv.Version, Sentence{ID: "x2", ChargeID: "c1", CustodialMonths: 60, At: at(6)}, prosecutor, now))
	if s, _ := inv.SentenceOf("c1"); s.ID != "x2" {
		t.Errorf("sentences: the latest sentence on a charge counts")
	}
	if _, ok := inv.SentenceOf("c9"); ok {
		t.Errorf("sentences: no sentence on an unknown charge")
	}
}

func TestRecordCompensation(t *testing.T) {
	k := func(f func(*Compensation)) Compensation {
		c := Compensation{ID: "k1", ChargeID: "c1", Ordered: Money{100000, "NPR"}, State: CompensationOrdered, At: at(6)}
		f(&c)
		return c
	}
	upd := func(paid int64, s CompensationState, when int) Compensation {
		return k(func(c *Compensation) { c.Paid, c.State, c.At = paid, s, at(when) })
	}
	conv := func(t testing.TB) Investigation { return convicted(t) }
	acq := func(t testing.TB) Investigation {
		return withStep(t, reachPos(t, posTrial), "v", "c1", StageVerdict, OutcomeAcquitted, at(4))
	}
	ord := func(t testing.TB) Investigation { return ordered(t) } // k1: 100000 NPR ordered at at(5)
	closedOrd := func(t testing.TB) Investigation {
		inv := ordered(t)
		return must(t)(Close(inv, inv.Version, StatusClosedProsecuted, officer, now))
	}
	runBuiltCases(t, []builtCase[Compensation]{
		{"ordered", "CoE Convention art. 15(3); Directive 2011/36/EU art. 17: compensation from the perpetrator", conv, k(func(*Compensation) {}), ""},
		{"ordered and paid at once", "compensation: paid in full", conv, k(func(c *Compensation) { c.Paid, c.State = 100000, CompensationPaid }), ""},
		{"no conviction", "Palermo Protocol art. 6(6): compensation ordered against a convicted offender here", acq, k(func(*Compensation) {}), CodeCompensationWithoutConviction},
		{"never charged", "compensation: ordered on a conviction", base, k(func(*Compensation) {}), CodeCompensationWithoutConviction},
		{"unknown charge", "compensation: on a charge of the investigation", conv, k(func(c *Compensation) { c.ChargeID = "c9" }), CodeUnknownCharge},
		{"before the conviction", "dates: an order is not dated before the conviction", conv, k(func(c *Compensation) { c.At = at(3) }), CodeOutOfOrder},
		{"future", "dates: no order in the future", conv, k(func(c *Compensation) { c.At = now.Add(time.Second) }), CodeFutureDate},
		{"nothing ordered", "compensation: an order is of an amount", conv, k(func(c *Compensation) { c.Ordered.Amount = 0 }), CodeInvalidAmount},
		{"no currency", "ISO 4217: an order names its currency", conv, k(func(c *Compensation) { c.Ordered.Currency = "" }), CodeInvalidCurrency},
		{"bad currency", "ISO 4217: three upper-case letters", conv, k(func(c *Compensation) { c.Ordered.Currency = "Rs" }), CodeInvalidCurrency},
		{"negative paid", "compensation: paid is never negative", conv, k(func(c *Compensation) { c.Paid = -1 }), CodeInvalidAmount},
		{"paid more than ordered", "compensation: paid ≤ ordered", conv, k(func(c *Compensation) { c.Paid, c.State = 100001, CompensationPaid }), CodeCompensationExceedsOrder},
		{"unknown state", "compensation: states come from the list", conv, k(func(c *Compensation) { c.State = "lost" }), CodeUnknownCompensationState},
		{"paid state, nothing paid", "compensation: the state agrees with the amounts", conv, k(func(c *Compensation) { c.State = CompensationPaid }), CodeCompensationStateMismatch},
		{"no id", "compensation: an order has an id", conv, k(func(c *Compensation) { c.ID = "" }), CodeInvalidInput},
		{"part paid", "compensation: partially paid", ord, upd(40000, CompensationPartiallyPaid, 7), ""},
		{"all paid", "compensation: paid", ord, upd(100000, CompensationPaid, 7), ""},
		{"unpaid", "compensation: unpaid (overdue or not enforced)", ord, upd(0, CompensationUnpaid, 7), ""},
		{"part paid, wrong state", "compensation: partially paid is more than nothing and less than all", ord, upd(40000, CompensationPaid, 7), CodeCompensationStateMismatch},
		{"all paid, partial state", "compensation: partially paid is less than all", ord, upd(100000, CompensationPartiallyPaid, 7), CodeCompensationStateMismatch},
		{"something paid, unpaid", "compensation: unpaid means nothing paid", ord, upd(1, CompensationUnpaid, 7), CodeCompensationStateMismatch},
		{"over-paid update", "compensation: paid ≤ ordered", ord, upd(100001, CompensationPaid, 7), CodeCompensationExceedsOrder},
		{"update before the order", "dates: an update is not dated before the previous one", ord, upd(40000, CompensationPartiallyPaid, 4), CodeOutOfOrder},
		{"amount changed", "compensation: an order's amount is the court's; a new order is a new entry", ord,
			k(func(c *Compensation) { c.Ordered.Amount, c.At = 200000, at(7) }), CodeOrderChanged},
		{"currency changed", "compensation: an order's currency is the court's", ord,
			k(func(c *Compensation) { c.Ordered.Currency, c.At = "USD", at(7) }), CodeOrderChanged},
		{"charge changed", "compensation: an order stays on its charge", ord,
			k(func(c *Compensation) { c.ChargeID, c.At = "c2", at(7) }), CodeOrderChanged},
		{"paid after closing", "CoE Convention art. 15(3): payment is followed after the case closes", closedOrd, upd(100000, CompensationPaid, 7), ""},
	}, func(inv Investigation, x Compensation) (Investigation, error) {
		return RecordCompensation(inv, inv.Version, x, prosecutor, now)
	}, func(t *testing.T, c builtCase[Compensation], inv, out Investigation) {
		want := c.item
		want.By = prosecutor
		n := len(inv.Compensation)
		if n == 0 {
			n = 1
		}
		if len(out.Compensation) != n || out.Compensation[n-1] != want || out.Status != inv.Status {
			t.Errorf("%s: compensation %+v", c.rule, out.Compensation)
		}
	})
}

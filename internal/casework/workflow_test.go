package casework

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/vocab"
)

var situations = []string{"referred", "rg_positive", "rg_negative_pending_review", "rg_negative", "cg_positive", "cg_negative_pending_review",
	"cg_negative", "reconsideration_rg", "reconsideration_cg"}

// operation is one workflow operation applied with the record's own
// version.
type operation struct {
	name, rule string
	do         func(w *walk, now time.Time) (Record, []Event, error)
	// want maps a situation to the state reached, or to an error code
	// prefixed with "!"; a situation not listed wants out_of_order.
	want map[string]string
}

func operations() []operation {
	rg := func(o string) func(*walk, time.Time) (Record, []Event, error) {
		return func(w *walk, now time.Time) (Record, []Event, error) {
			return DecideReasonableGrounds(w.rec, Decision{w.rec.Version, decider, o}, now, w.cfg)
		}
	}
	cg := func(o string) func(*walk, time.Time) (Record, []Event, error) {
		return func(w *walk, now time.Time) (Record, []Event, error) {
			return DecideConclusive(w.rec, Decision{w.rec.Version, decider, o}, now, w.cfg)
		}
	}
	review := func(o string) func(*walk, time.Time) (Record, []Event, error) {
		return func(w *walk, now time.Time) (Record, []Event, error) {
			return ReviewNegative(w.rec, Review{w.rec.Version, reviewer, o}, now, w.cfg)
		}
	}
	return []operation{
		{name: "RG positive", rule: "UK NRM: an RG decision is taken on a referral, or again on reconsideration (DOMAIN §3)", do: rg(RGPositive),
			want: map[string]string{"referred": "rg_positive", "reconsideration_rg": "rg_positive"}},
		{name: "RG negative", rule: "UK Modern Slavery Statutory Guidance: a negative RG decision is reviewed by a second decision maker before it takes effect",
			do:   rg(RGNegative),
			want: map[string]string{"referred": "rg_negative_pending_review", "reconsideration_rg": "rg_negative_pending_review"}},
		{name: "CG positive", rule: "UK NRM: a conclusive decision only after a positive RG decision (DOMAIN §3)", do: cg("victim_of_trafficking"),
			want: map[string]string{"rg_positive": "cg_positive", "reconsideration_cg": "cg_positive"}},
		{name: "CG positive (slavery)", rule: "UK NRM (England and Wales): victim of slavery, servitude or forced labour is a positive outcome",
			do:   cg("victim_of_slavery_servitude_forced_labour"),
			want: map[string]string{"rg_positive": "cg_positive", "reconsideration_cg": "cg_positive"}},
		{name: "CG negative without consultations", rule: "UK NRM: before a negative CG the authority consults the first responder, support provider and police (DOMAIN §3)",
			do:   cg("insufficient_evidence"),
			want: map[string]string{"rg_positive": "!consultation_missing", "reconsideration_cg": "!consultation_missing"}},
		{name: "CG negative after consultations", rule: "UK NRM: negative CG reviewed by a second person — it awaits review before it takes effect",
			do: func(w *walk, now time.Time) (Record, []Event, error) {
				if w.rec.AwaitingConclusive() && w.rec.State != StateCGNegativePendingReview {
					w.consultAll()
				}
				return DecideConclusive(w.rec, Decision{w.rec.Version, decider, "insufficient_evidence"}, now, w.cfg)
			},
			want: map[string]string{"rg_positive": "cg_negative_pending_review", "reconsideration_cg": "cg_negative_pending_review"}},
		{name: "CG unknown outcome", rule: "only the country's conclusive outcomes", do: cg("victim_probably"),
			want: map[string]string{"rg_positive": "!unknown_outcome", "reconsideration_cg": "!unknown_outcome"}},
		{name: "consultation", rule: "UK NRM: consultations belong to the conclusive stage (DOMAIN §3)",
			do: func(w *walk, now time.Time) (Record, []Event, error) {
				return RecordConsultation(w.rec, Consultation{w.rec.Version, clerk, "police"}, now, w.cfg)
			},
			want: map[string]string{"rg_positive": "rg_positive", "cg_negative_pending_review": "cg_negative_pending_review", "reconsideration_cg": "reconsideration_requested"}},
		{name: "review upheld", rule: "UK NRM: negative RG and CG decisions reviewed by a second person — upheld, they take effect", do: review(ReviewUpheld),
			want: map[string]string{"cg_negative_pending_review": "cg_negative", "rg_negative_pending_review": "rg_negative"}},
		{name: "review returned", rule: "UK NRM: negative RG and CG decisions reviewed by a second person — returned, the decision is taken again",
			do:   review(ReviewReturned),
			want: map[string]string{"cg_negative_pending_review": "rg_positive", "rg_negative_pending_review": "referred"}},
		{name: "reconsideration", rule: "UK NRM: reconsideration can be requested of a negative decision (DOMAIN §3)",
			do: func(w *walk, now time.Time) (Record, []Event, error) {
				return RequestReconsideration(w.rec, Reconsideration{w.rec.Version, clerk}, now, w.cfg)
			},
			want: map[string]string{"rg_negative": "reconsideration_requested", "cg_negative": "reconsideration_requested"}},
		{name: "extend period", rule: "never shortened: the period may be extended once a positive RG opened it",
			do: func(w *walk, now time.Time) (Record, []Event, error) {
				return ExtendPeriod(w.rec, Extension{w.rec.Version, decider, w.rec.Period.End.AddDate(0, 0, 14)}, now)
			},
			want: map[string]string{"referred": "!no_period", "rg_negative": "!no_period", "rg_negative_pending_review": "!no_period", "reconsideration_rg": "!no_period",
				"rg_positive": "rg_positive", "cg_positive": "cg_positive", "cg_negative_pending_review": "cg_negative_pending_review",
				"cg_negative": "cg_negative", "reconsideration_cg": "reconsideration_requested"}},
	}
}

func TestTransitions(t *testing.T) {
	cfg := country(t, DefaultCode)
	for _, op := range operations() {
		for _, sit := range situations {
			t.Run(op.name+"/"+sit, func(t *testing.T) {
				w := reach(t, cfg, false, sit)
				want, ok := op.want[sit]
				if !ok {
					want = "!" + string(CodeOutOfOrder)
				}
				got, ev, err := op.do(w, w.tick())
				if want[0] == '!' {
					wantCode(t, op.rule, err, Code(want[1:]))
					if !reflect.DeepEqual(got, Record{}) || ev != nil {
						t.Errorf("%s: a refused change returns no record and no events", op.rule)
					}
					return
				}
				if err != nil {
					t.Fatalf("%s: from %s: %v", op.rule, sit, err)
				}
				if string(got.State) != want {
					t.Fatalf("%s: from %s to %s, want %s", op.rule, sit, got.State, want)
				}
				if got.Version != w.rec.Version+1 {
					t.Errorf("optimistic versioning: version %d after %d", got.Version, w.rec.Version)
				}
				if got.TraffickingStatus != StatusOf(got.State) {
					t.Errorf("HTCDS status %s in state %s", got.TraffickingStatus, got.State)
				}
				if len(ev) == 0 || ev[0].From != w.rec.State || ev[0].To != got.State {
					t.Errorf("events %v", eventCodes(ev))
				}
				for _, e := range ev {
					if e.CaseID != "case-1" || e.Version != got.Version || e.By == "" || e.At.IsZero() {
						t.Errorf("event %+v lacks its case, version, user or time", e)
					}
				}
			})
		}
	}
}

func TestTraffickingStatus(t *testing.T) {
	cfg := country(t, DefaultCode)
	tests := []struct {
		situation, want, rule string
	}{
		{"referred", StatusPossible, "HTCDS: a referred person is a possible victim"},
		{"rg_positive", StatusPossible, "HTCDS: a positive RG leaves a possible victim"},
		{"rg_negative", StatusNot, "HTCDS: a final negative RG makes not a victim"},
		{"cg_positive", StatusActual, "HTCDS: a positive CG makes an actual victim"},
		{"cg_negative_pending_review", StatusPossible, "UK NRM: negative CG reviewed by a second person — not in effect before the review"},
		{"cg_negative", StatusNot, "HTCDS: a final negative CG makes not a victim"},
		{"reconsideration_rg", StatusPossible, "HTCDS: reconsideration makes a possible victim again"},
		{"reconsideration_cg", StatusPossible, "HTCDS: reconsideration makes a possible victim again"},
	}
	for _, tt := range tests {
		w := reach(t, cfg, false, tt.situation)
		if w.rec.TraffickingStatus != tt.want || StatusOf(w.rec.State) != tt.want {
			t.Errorf("%s: %s has %s, want %s", tt.rule, tt.situation, w.rec.TraffickingStatus, tt.want)
		}
		if !vocab.TraffickingStatuses.Has(tt.want) {
			t.Errorf("%s is not an HTCDS vic_TraffickingStatus code", tt.want)
		}
	}
	// The status change is reported as an event.
	w := reach(t, cfg, false, "rg_positive").consultAll().cg("insufficient_evidence")
	n := len(w.all)
	w.review(ReviewUpheld)
	if !slices.Contains(eventCodes(w.all[n:]), EventStatusChanged) {
		t.Errorf("HTCDS: a status change is an event: %v", eventCodes(w.all[n:]))
	}
}

func TestNegativeConclusiveConsultations(t *testing.T) {
	def := country(t, DefaultCode)
	fx := fixture(t)
	tests := []struct {
		name, rule string
		cfg        Country
		child      bool
		consulted  []string
		missing    []string // nil: the negative decision is accepted for review
	}{
		{"adult, none", "UK NRM: consult first responder, support provider and police before a negative CG (DOMAIN §3)",
			def, false, nil, []string{"first_responder", "support_provider", "police"}},
		{"adult, two of three", "UK NRM: every mandatory consultation, not most of them",
			def, false, []string{"first_responder", "police"}, []string{"support_provider"}},
		{"adult, all", "UK NRM: with all three consulted a negative CG may be proposed",
			def, false, []string{"police", "support_provider", "first_responder"}, nil},
		{"adult, repeated party", "UK NRM: consulting one party twice does not stand in for another",
			def, false, []string{"police", "police", "first_responder"}, []string{"support_provider"}},
		{"child, adult's three", "UK NRM: for a child the local authority is consulted too (DOMAIN §3)",
			def, true, []string{"first_responder", "support_provider", "police"}, []string{"local_authority"}},
		{"child, all four", "UK NRM: for a child, all four consulted",
			def, true, []string{"first_responder", "support_provider", "police", "local_authority"}, nil},
		{"adult, local authority not needed", "UK NRM: the local authority is mandatory for a child only",
			def, false, []string{"first_responder", "support_provider", "police"}, nil},
		{"configured parties", "consultations are per country configuration (fixture: guardian for a child)",
			fx, true, []string{"first_responder", "police", "local_authority"}, []string{"guardian"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWalk(t, tt.cfg, tt.child).rg(RGPositive).consult(tt.consulted...)
			neg := negativeOutcome(tt.cfg)
			got, _, err := DecideConclusive(w.rec, Decision{w.rec.Version, decider, neg}, w.tick(), tt.cfg)
			if tt.missing == nil {
				if err != nil || got.State != StateCGNegativePendingReview {
					t.Fatalf("%s: %v %s", tt.rule, err, got.State)
				}
				return
			}
			e := wantCode(t, tt.rule, err, CodeConsultationMissing)
			if !slices.Equal(e.Missing, tt.missing) {
				t.Errorf("%s: missing %v, want %v", tt.rule, e.Missing, tt.missing)
			}
		})
	}
	// A party the country does not consult is refused.
	w := newWalk(t, def, false).rg(RGPositive)
	_, _, err := RecordConsultation(w.rec, Consultation{w.rec.Version, clerk, "astrologer"}, w.tick(), def)
	wantCode(t, "consultations are with the configured parties only", err, CodeUnknownParty)
	// A positive CG needs no consultation.
	if _, _, err := DecideConclusive(w.rec, Decision{w.rec.Version, decider, "victim_of_trafficking"}, w.tick(), def); err != nil {
		t.Errorf("UK NRM: consultations are required before a negative CG only: %v", err)
	}
}

func TestSecondPersonReview(t *testing.T) {
	cfg := country(t, DefaultCode)
	pending := reach(t, cfg, false, "cg_negative_pending_review")
	tests := []struct {
		name, rule, by, outcome string
		want                    State
		code                    Code
	}{
		{"decider reviews own decision", "UK NRM: negative CG reviewed by a second person, not the decider", decider, ReviewUpheld, "", CodeSamePersonReview},
		{"decider returns own decision", "UK NRM: negative CG reviewed by a second person, not the decider", decider, ReviewReturned, "", CodeSamePersonReview},
		{"second person upholds", "UK NRM: negative CG reviewed by a second person", reviewer, ReviewUpheld, StateCGNegative, ""},
		{"clerk who consulted may review", "UK NRM: the second person is anyone but the decider", clerk, ReviewUpheld, StateCGNegative, ""},
		{"second person returns", "UK NRM: negative CG reviewed by a second person — or sent back", reviewer, ReviewReturned, StateRGPositive, ""},
		{"unknown review outcome", "review outcomes are upheld or returned", reviewer, "maybe", "", CodeUnknownOutcome},
		{"no reviewer", "every change names its user", "", ReviewUpheld, "", CodeActorRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := pending.now.Add(time.Hour)
			got, _, err := ReviewNegative(pending.rec, Review{pending.rec.Version, tt.by, tt.outcome}, now, cfg)
			if tt.code != "" {
				wantCode(t, tt.rule, err, tt.code)
				return
			}
			if err != nil || got.State != tt.want {
				t.Fatalf("%s: %v %s", tt.rule, err, got.State)
			}
			if got.Review.By != tt.by || got.Review.Outcome != tt.outcome {
				t.Errorf("%s: review %+v", tt.rule, got.Review)
			}
			if tt.want == StateCGNegative && !got.Conclusive.EffectiveAt.Equal(now) {
				t.Errorf("%s: a negative CG takes effect when upheld", tt.rule)
			}
			if tt.want == StateRGPositive && (got.Conclusive != DecisionEntry{} || len(got.Consultations) != len(pending.rec.Consultations)) {
				t.Errorf("%s: returned: the proposal is withdrawn and the consultations kept", tt.rule)
			}
		})
	}
	// Returned, a new negative proposal needs a new review by someone
	// other than its own decider.
	w := reach(t, cfg, false, "cg_negative_pending_review").review(ReviewReturned)
	w.apply(DecideConclusive(w.rec, Decision{w.rec.Version, reviewer, "insufficient_evidence"}, w.tick(), cfg))
	_, _, err := ReviewNegative(w.rec, Review{w.rec.Version, reviewer, ReviewUpheld}, w.tick(), cfg)
	wantCode(t, "UK NRM: negative CG reviewed by a second person — the decider of the new proposal cannot review it", err, CodeSamePersonReview)
	// A configuration that added a party after the proposal blocks its
	// taking effect.
	stricter := cfg
	stricter.Consultations.Always = append(slices.Clone(cfg.Consultations.Always), "labour_inspectorate")
	_, _, err = ReviewNegative(pending.rec, Review{pending.rec.Version, reviewer, ReviewUpheld}, pending.tick(), stricter)
	wantCode(t, "UK NRM: a negative CG takes effect only with every mandatory consultation recorded", err, CodeConsultationMissing)
}

func TestReconsideration(t *testing.T) {
	cfg := country(t, DefaultCode)
	// Of a negative RG: a new RG clock.
	w := reach(t, cfg, false, "rg_negative")
	w.reconsider()
	if w.rec.Reconsideration.Stage != StageReasonableGrounds || w.rec.Reconsideration.Of.Outcome != RGNegative ||
		!w.rec.RGClockStart.Equal(w.now) || !w.rec.RGDeadline.Equal(cfg.RGDeadline(w.now)) {
		t.Errorf("UK NRM: reconsidering a negative RG reopens the RG stage with a new 5-working-day target: %+v", w.rec)
	}
	if !w.rec.AwaitingReasonableGrounds() || w.rec.AwaitingConclusive() {
		t.Error("UK NRM: reconsideration of an RG reopens the RG stage only")
	}
	// Of a negative CG: the CG stage reopens, as a new round.
	w = reach(t, cfg, false, "reconsideration_cg")
	if w.rec.Reconsideration.Stage != StageConclusiveGrounds || w.rec.Reconsideration.Of.Outcome != "insufficient_evidence" ||
		len(w.rec.Consultations) != 0 || w.rec.Conclusive != (DecisionEntry{}) {
		t.Errorf("UK NRM: reconsidering a negative CG reopens the CG stage as a new round: %+v", w.rec)
	}
	_, _, err := DecideConclusive(w.rec, Decision{w.rec.Version, decider, "insufficient_evidence"}, w.tick(), cfg)
	wantCode(t, "UK NRM: a new negative CG after reconsideration needs its consultations again", err, CodeConsultationMissing)
	w.consultAll().cg("insufficient_evidence").review(ReviewUpheld).reconsider()
	if w.rec.State != StateReconsiderationRequested {
		t.Error("UK NRM: reconsideration can be requested again of a new negative decision")
	}
}

func TestChangeGuards(t *testing.T) {
	cfg := country(t, DefaultCode)
	w := reach(t, cfg, false, "referred")
	now := w.tick()
	tests := []struct {
		rule string
		err  error
		code Code
	}{
		{"optimistic versioning: a change on a stale copy is refused",
			second(DecideReasonableGrounds(w.rec, Decision{w.rec.Version - 1, decider, RGPositive}, now, cfg)), CodeStaleVersion},
		{"optimistic versioning: a version from the future is refused too",
			second(DecideReasonableGrounds(w.rec, Decision{w.rec.Version + 1, decider, RGPositive}, now, cfg)), CodeStaleVersion},
		{"every change names its user", second(DecideReasonableGrounds(w.rec, Decision{w.rec.Version, "", RGPositive}, now, cfg)), CodeActorRequired},
		{"the clock is passed in", second(DecideReasonableGrounds(w.rec, Decision{w.rec.Version, decider, RGPositive}, time.Time{}, cfg)), CodeInvalidInput},
		{"RG outcomes are positive or negative", second(DecideReasonableGrounds(w.rec, Decision{w.rec.Version, decider, "maybe"}, now, cfg)), CodeUnknownOutcome},
		{"a record follows its own country's rules", second(DecideReasonableGrounds(w.rec, Decision{w.rec.Version, decider, RGPositive}, now, country(t, "NP"))), CodeWrongCountry},
		{"UK NRM: a conclusive decision only after a positive RG (out_of_order)",
			second(DecideConclusive(w.rec, Decision{w.rec.Version, decider, "victim_of_trafficking"}, now, cfg)), CodeOutOfOrder},
		{"optimistic versioning: a period extension on a stale copy is refused",
			second(ExtendPeriod(w.rec, Extension{0, decider, now}, now)), CodeStaleVersion},
	}
	for _, tt := range tests {
		wantCode(t, tt.rule, tt.err, tt.code)
	}
	if _, _, err := NewRecord("", referral, false, cfg); CodeOf(err) != CodeInvalidInput {
		t.Errorf("a record needs a case id: %v", err)
	}
}

func second(_ Record, _ []Event, err error) error { return err }

func TestErrorsForTheUserInterface(t *testing.T) {
	tests := []struct {
		code Code
		kind errs.Kind
	}{
		{CodeStaleVersion, errs.Conflict}, {CodeSamePersonReview, errs.Forbidden}, {CodeOutOfOrder, errs.Invalid},
		{CodeConsultationMissing, errs.Invalid}, {CodePeriodShortened, errs.Invalid}, {CodeUnknownOutcome, errs.Invalid},
	}
	for _, tt := range tests {
		err := error(&Error{Code: tt.code, State: StateReferred})
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != tt.kind || e.Key != "casework.error."+string(tt.code) {
			t.Errorf("%s: classified %v, want kind %s and key casework.error.%s", tt.code, e, tt.kind, tt.code)
		}
		if CodeOf(errorsWrap(err)) != tt.code {
			t.Errorf("%s: the code is found through wrapping", tt.code)
		}
	}
	// The error text names codes and versions, never what the caller typed.
	w := reach(t, country(t, DefaultCode), false, "rg_positive")
	_, _, err := RecordConsultation(w.rec, Consultation{w.rec.Version, clerk, "Canaryname"}, w.tick(), w.cfg)
	if msg := err.Error(); !strings.Contains(msg, "unknown_party") || !strings.Contains(msg, "rg_positive") || strings.Contains(msg, "Canaryname") {
		t.Errorf("error text %q", msg)
	}
	_, _, err = DecideConclusive(w.rec, Decision{w.rec.Version, decider, "insufficient_evidence"}, w.tick(), w.cfg)
	if msg := err.Error(); !strings.Contains(msg, "first_responder, support_provider, police") {
		t.Errorf("consultation_missing names the parties: %q", msg)
	}
	if CodeOf(errors.New("other")) != "" {
		t.Error("CodeOf of another error is empty")
	}
}

func errorsWrap(err error) error { return errors.Join(errors.New("context"), err) }

func TestImmutability(t *testing.T) {
	cfg := country(t, DefaultCode)
	w := reach(t, cfg, true, "rg_positive").consult("police", "first_responder")
	orig := w.rec
	snapshot := w.rec
	snapshot.Consultations = slices.Clone(w.rec.Consultations)
	// Two changes derived from the same record must not share storage.
	a, _, errA := RecordConsultation(orig, Consultation{orig.Version, clerk, "support_provider"}, w.tick(), cfg)
	b, _, errB := RecordConsultation(orig, Consultation{orig.Version, clerk, "local_authority"}, w.tick(), cfg)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if !reflect.DeepEqual(orig, snapshot) {
		t.Error("an operation never changes the record it is given")
	}
	if a.Consultations[2].Party != "support_provider" || b.Consultations[2].Party != "local_authority" {
		t.Error("records derived from one record are independent")
	}
}

package prosecution

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
)

func TestErrorTaxonomy(t *testing.T) {
	for _, code := range ErrorCodes() {
		if !lowerSnake.MatchString(string(code)) {
			t.Errorf("codes: error code %q is not lower_snake", code)
		}
		var err error = &Error{Code: code, Field: "at"}
		wantKind := errs.Invalid
		if code == CodeStaleVersion {
			wantKind = errs.Conflict
		}
		if k := errs.KindOf(err); k != wantKind {
			t.Errorf("errs taxonomy: %s is %s, want %s", code, k, wantKind)
		}
		var e *errs.Error
		if !errors.As(err, &e) || e.Key != "prosecution.error."+string(code) || e.Field != "at" || e.Err.Error() != string(code) {
			t.Errorf("errs taxonomy: %s unwraps to %+v", code, e)
		}
		if CodeOf(fmt.Errorf("wrapped: %w", err)) != code {
			t.Errorf("errors: CodeOf sees through wrapping")
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(ErrorCodes())))) != len(ErrorCodes()) {
		t.Errorf("codes: an error code is listed twice")
	}
	if CodeOf(errors.New("x")) != "" || CodeOf(nil) != "" {
		t.Errorf("errors: CodeOf of another error is empty")
	}
	cases := []struct {
		err  *Error
		want string
	}{
		{&Error{Code: CodeStaleVersion}, "prosecution: stale_version"},
		{&Error{Code: CodeOutOfOrder, Field: "stage", Value: "verdict"}, "prosecution: out_of_order (stage): verdict"},
	}
	for _, c := range cases {
		if c.err.Error() != c.want {
			t.Errorf("errors: %q, want %q", c.err.Error(), c.want)
		}
	}
	// Only codes of the package reach an error's value: never what the
	// caller typed.
	for _, v := range []string{"Jane Doe", "JaneDoe", "ul. Mira 5", "+97798000000", "case-1"} {
		if e := refuse(CodeUnknownChainRole, "chain_role", v).(*Error); e.Value != "" {
			t.Errorf("privacy: %q reached an error", v)
		}
	}
	if e := refuse(CodeOutOfOrder, "stage", "appeal").(*Error); e.Value != "appeal" {
		t.Errorf("errors: a code is kept as the value")
	}
}

// TestEveryErrorCodeReachable produces every error code from the API, so
// that no code is listed that cannot occur, and none occurs unlisted.
func TestEveryErrorCodeReachable(t *testing.T) {
	conv := func() Investigation { return convicted(t) }
	comp := func(f func(*Compensation)) error {
		c := Compensation{ID: "k", ChargeID: "c1", Ordered: Money{10, "EUR"}, State: CompensationOrdered, At: at(5)}
		f(&c)
		inv := conv()
		_, err := RecordCompensation(inv, inv.Version, c, officer, now)
		return err
	}
	sent := func(f func(*Sentence)) error {
		s := Sentence{ID: "x", ChargeID: "c1", CustodialMonths: 1, At: at(5)}
		f(&s)
		inv := conv()
		_, err := RecordSentence(inv, inv.Version, s, officer, now)
		return err
	}
	part := func(p Participation, consent bool) error {
		inv := opened(t)
		_, err := RecordParticipation(inv, inv.Version, p, consent, officer, now)
		return err
	}
	step := func(inv Investigation, p Proceeding) error {
		_, err := RecordProceeding(inv, inv.Version, p, officer, now)
		return err
	}
	sus := func(f func(*Suspect)) error {
		s := suspect("s2")
		f(&s)
		inv := withSuspect(t, opened(t), "s1")
		_, err := AddSuspect(inv, inv.Version, s, officer, now)
		return err
	}
	closeAs := func(inv Investigation, s InvestigationStatus) error {
		_, err := Close(inv, inv.Version, s, officer, now)
		return err
	}
	reach := map[Code]func() error{
		CodeStaleVersion:   func() error { _, err := AddSuspect(opened(t), 0, suspect("s"), officer, now); return err },
		CodeInvalidInput:   func() error { _, err := Open("", "c", police, at(0), officer, now); return err },
		CodeActorRequired:  func() error { _, err := Open("i", "c", police, at(0), "", now); return err },
		CodeAgencyRequired: func() error { _, err := Open("i", "c", "", at(0), officer, now); return err },
		CodeFutureDate:     func() error { _, err := Open("i", "c", police, now.Add(time.Hour), officer, now); return err },
		CodeOutOfOrder:     func() error { return step(base(t), Proceeding{ID: "p", ChargeID: "c1", Stage: StageTrial, At: at(1)}) },
		CodeInvestigationClosed: func() error {
			inv := must(t)(Close(opened(t), 1, StatusClosedNoAction, officer, now))
			_, err := AddSuspect(inv, inv.Version, suspect("s"), officer, now)
			return err
		},
		CodeDuplicateID: func() error { return sus(func(s *Suspect) { s.ID = "s1" }) },
		CodeUnknownSuspect: func() error {
			inv := opened(t)
			_, err := AddCharge(inv, inv.Version, Charge{ID: "c", SuspectID: "s", Offence: OffenceTrafficking}, officer, now)
			return err
		},
		CodeUnknownCharge: func() error {
			return step(base(t), Proceeding{ID: "p", ChargeID: "c9", Stage: StageCharged, At: at(1)})
		},
		CodeUnknownChainRole:    func() error { return sus(func(s *Suspect) { s.ChainRole = "x" }) },
		CodeUnknownNature:       func() error { return sus(func(s *Suspect) { s.Nature = "x" }) },
		CodeUnknownGender:       func() error { return sus(func(s *Suspect) { s.Gender = "Male" }) },
		CodeGenderNotApplicable: func() error { return sus(func(s *Suspect) { s.Nature = NatureLegalPerson }) },
		CodeInvalidCountry:      func() error { return sus(func(s *Suspect) { s.Citizenship = "ZZ" }) },
		CodeUnknownOffence: func() error {
			inv := withSuspect(t, opened(t), "s1")
			_, err := AddCharge(inv, inv.Version, Charge{ID: "c", SuspectID: "s1", Offence: "x"}, officer, now)
			return err
		},
		CodeUnknownProvision: func() error {
			_, err := ChargeUnder(Charge{ID: "c", SuspectID: "s1", Provision: "no_such_code"}, Provisions("MN"))
			return err
		},
		CodeProvisionOffence: func() error {
			_, err := ChargeUnder(Charge{ID: "c", SuspectID: "s1", Provision: "mn_cc2002_art124", Offence: OffenceTrafficking}, Provisions("MN"))
			return err
		},

		CodeUnknownStage: func() error { return step(base(t), Proceeding{ID: "p", ChargeID: "c1", Stage: "x", At: at(1)}) },
		CodeUnknownOutcome: func() error {
			return step(base(t), Proceeding{ID: "p", ChargeID: "c1", Stage: StageVerdict, Outcome: "x", At: at(1)})
		},
		CodeOutcomeRequired: func() error {
			return step(charged(t), Proceeding{ID: "p", ChargeID: "c1", Stage: StageVerdict, At: at(3)})
		},
		CodeOutcomeNotAllowed: func() error {
			return step(charged(t), Proceeding{ID: "p", ChargeID: "c1", Stage: StageTrial, Outcome: OutcomeConvicted, At: at(3)})
		},
		CodeVerdictWithoutCharge: func() error {
			return step(base(t), Proceeding{ID: "p", ChargeID: "c1", Stage: StageVerdict, Outcome: OutcomeConvicted, At: at(1)})
		},
		CodeSentenceWithoutConviction: func() error {
			inv := charged(t)
			_, err := RecordSentence(inv, inv.Version, Sentence{ID: "x", ChargeID: "c1", CustodialMonths: 1, At: at(5)}, officer, now)
			return err
		},
		CodeInvalidSentence: func() error { return sent(func(s *Sentence) { s.CustodialMonths = 0 }) },
		CodeInvalidAmount:   func() error { return sent(func(s *Sentence) { s.Fine.Amount = -1 }) },
		CodeInvalidCurrency: func() error { return sent(func(s *Sentence) { s.Fine = Money{1, "E"} }) },
		CodeCompensationWithoutConviction: func() error {
			inv := charged(t)
			_, err := RecordCompensation(inv, inv.Version, Compensation{ID: "k", ChargeID: "c1", Ordered: Money{1, "EUR"}, State: CompensationOrdered, At: at(5)}, officer, now)
			return err
		},
		CodeCompensationExceedsOrder:  func() error { return comp(func(c *Compensation) { c.Paid = 11 }) },
		CodeUnknownCompensationState:  func() error { return comp(func(c *Compensation) { c.State = "x" }) },
		CodeCompensationStateMismatch: func() error { return comp(func(c *Compensation) { c.Paid = 5 }) },
		CodeOrderChanged: func() error {
			inv := ordered(t)
			_, err := RecordCompensation(inv, inv.Version, Compensation{ID: "k1", ChargeID: "c1", Ordered: Money{1, "NPR"}, State: CompensationOrdered, At: at(6)}, officer, now)
			return err
		},
		CodeUnknownWillingness:          func() error { return part(Participation{Willing: "x", At: at(1), Language: "en"}, true) },
		CodeParticipationWithoutConsent: func() error { return part(Participation{Willing: WillingYes, At: at(1), Language: "en"}, false) },
		CodeUnknownProtectionMeasure: func() error {
			return part(Participation{Willing: WillingNo, At: at(1), Language: "en", ProtectionMeasures: []ProtectionMeasure{"x"}}, false)
		},
		CodeDuplicateMeasure: func() error {
			return part(Participation{Willing: WillingNo, At: at(1), Language: "en", ProtectionMeasures: []ProtectionMeasure{MeasureVideoLink, MeasureVideoLink}}, false)
		},
		CodeLanguageRequired: func() error { return part(Participation{Willing: WillingNo, At: at(1)}, false) },
		CodeInvalidLanguage:  func() error { return part(Participation{Willing: WillingNo, At: at(1), Language: "zxx"}, false) },
		CodeUnknownNonPunishmentOffence: func() error {
			inv := opened(t)
			_, err := RaiseNonPunishment(inv, inv.Version, NonPunishmentFlag{Raised: true, At: at(1)}, officer, now)
			return err
		},
		CodeUnknownStatus:      func() error { return closeAs(opened(t), "x") },
		CodeNotAClosingStatus:  func() error { return closeAs(opened(t), StatusOpen) },
		CodeProceedingsPending: func() error { return closeAs(charged(t), StatusClosedProsecuted) },
		CodeNoProsecution:      func() error { return closeAs(opened(t), StatusClosedProsecuted) },
		CodeProsecutionBrought: func() error { return closeAs(conv(), StatusClosedNoAction) },
	}
	for _, code := range ErrorCodes() {
		f, ok := reach[code]
		if !ok {
			t.Errorf("codes: %s is listed but not reached by this test", code)
			continue
		}
		err := f()
		wantCode(t, "codes: every listed code occurs", err, code)
		if e, ok := err.(*Error); ok && strings.ContainsAny(e.Value, " @+") {
			t.Errorf("privacy: %s carries %q", code, e.Value)
		}
	}
	if len(reach) != len(ErrorCodes()) {
		t.Errorf("codes: %d codes reached, %d listed", len(reach), len(ErrorCodes()))
	}
}

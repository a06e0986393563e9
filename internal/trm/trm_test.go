package trm

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)

// everyFact gives every field a value carrying a canary, plus fields no
// purpose has, so a leak shows in the package's bytes.
func everyFact() map[string]Value {
	facts := map[string]Value{
		"prs_HomeAddress":  {Text: "CANARY-prs_HomeAddress"},
		"internal_note":    {Text: "CANARY-internal_note"},
		"vic_Statement_v0": {Text: "CANARY-vic_Statement_v0"},
	}
	for _, f := range Fields {
		switch f.Kind {
		case KindText:
			facts[f.Name] = Value{Text: "CANARY-" + f.Name}
		case KindCodes:
			facts[f.Name] = Value{Codes: []string{"canary_" + strings.ToLower(f.Name)}}
		case KindCode:
			facts[f.Name] = Value{Code: "canary_" + strings.ToLower(f.Name)}
		case KindCountry:
			facts[f.Name] = Value{Code: "NP"}
		case KindDate:
			facts[f.Name] = Value{Code: "2001-02-03"}
		}
	}
	return facts
}

// TRM-EU data minimisation: a package carries only its purpose's fields.
func TestAFieldOutsideThePurposeNeverLeaves(t *testing.T) {
	for _, r := range Rules {
		t.Run(string(r.Purpose), func(t *testing.T) {
			pkg, err := Build(r.Purpose, DefaultAgreement(), false, everyFact())
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(pkg)
			for name := range everyFact() {
				_, sent := pkg.Fields[name]
				if sent != slices.Contains(r.Fields, name) {
					t.Errorf("%s: sent %v, in the purpose %v", name, sent, slices.Contains(r.Fields, name))
				}
				if !slices.Contains(r.Fields, name) && (strings.Contains(string(raw), "CANARY-"+name) ||
					strings.Contains(string(raw), "canary_"+strings.ToLower(name))) {
					t.Errorf("the value of %s, outside the purpose, is in the package bytes", name)
				}
			}
			if err := Check(pkg); err != nil {
				t.Fatalf("the receiver refuses what Build made: %v", err)
			}
		})
	}
}

func TestStatisticsCarryNothingPersonal(t *testing.T) {
	r, _ := RuleFor(PurposeStatistics)
	for _, name := range r.Fields {
		f, _ := FieldByName(name)
		if f.Category == CatIdentity || f.Category == CatDocuments || f.Kind == KindText {
			t.Errorf("statistics carry %s", name)
		}
	}
	if r.Personal {
		t.Fatal("a statistics query must need no consent because it carries nothing personal")
	}
}

func TestAgreementNarrowsThePackage(t *testing.T) {
	a := DefaultAgreement()
	a.Categories = slices.DeleteFunc(a.Categories, func(c Category) bool { return c == CatDocuments })
	pkg, err := Build(PurposeReturn, a, false, everyFact())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pkg.Fields["prs_TravelDocumentNumber"]; ok {
		t.Fatal("a category outside the agreement was sent")
	}
	a.Purposes = []Purpose{PurposeStatistics}
	if _, err := Build(PurposeReturn, a, false, everyFact()); CodeOf(err) != CodePurposeNotAgreed {
		t.Fatalf("purpose outside the agreement: %v", err)
	}
}

func TestReceiverRefusesAFieldOutsideThePurpose(t *testing.T) {
	pkg := Package{Purpose: PurposeFamily, Fields: map[string]Value{"vic_Statement": {Text: "x"}}}
	if CodeOf(Check(pkg)) != CodeUnknownField {
		t.Fatal("a family-tracing package with a statement passed the receiver's check")
	}
	pkg = Package{Purpose: PurposeReturn, Fields: map[string]Value{"vic_RiskLevel": {Code: "High Risk!"}}}
	if CodeOf(Check(pkg)) != CodeBadValue {
		t.Fatal("a code with free text passed")
	}
}

// Consent gate: TRM-EU SOP 2 (informed consent to each transfer), UNHCR BIP
// Guidelines (a child's transfer needs a best-interests determination).
func TestGate(t *testing.T) {
	given := func(p Purpose, c string, g bool, at time.Time) Consent {
		return Consent{Purpose: p, Country: c, Given: true, ByGuardian: g, At: at}
	}
	withdrawn := func(p Purpose, c string, g bool, at time.Time) Consent {
		return Consent{Purpose: p, Country: c, Given: false, ByGuardian: g, At: at}
	}
	h := now.Add(-time.Hour)
	for _, c := range []struct {
		name     string
		p        Purpose
		s        Subject
		consents []Consent
		o        *Override
		want     Code
	}{
		{"adult with consent for the purpose and country", PurposeReturn, Subject{}, []Consent{given(PurposeReturn, "NP", false, h)}, nil, ""},
		{"adult without consent", PurposeReturn, Subject{}, nil, nil, CodeNoConsent},
		{"adult consent for another country", PurposeReturn, Subject{}, []Consent{given(PurposeReturn, "IN", false, h)}, nil, CodeNoConsent},
		{"adult consent for another purpose", PurposeReturn, Subject{}, []Consent{given(PurposeAssistance, "NP", false, h)}, nil, CodeNoConsent},
		{"adult consent withdrawn later", PurposeReturn, Subject{}, []Consent{given(PurposeReturn, "NP", false, h), withdrawn(PurposeReturn, "NP", false, now)}, nil, CodeNoConsent},
		{"adult consent dated after now does not count", PurposeReturn, Subject{}, []Consent{given(PurposeReturn, "NP", false, now.Add(time.Hour))}, nil, CodeNoConsent},
		{"statistics need no consent", PurposeStatistics, Subject{}, nil, nil, ""},
		{"child with guardian and BID", PurposeReturn, Subject{Child: true, BestInterests: true}, []Consent{given(PurposeReturn, "NP", true, h)}, nil, ""},
		{"child's own consent is not the guardian's", PurposeReturn, Subject{Child: true, BestInterests: true}, []Consent{given(PurposeReturn, "NP", false, h)}, nil, CodeNoGuardianConsent},
		{"child without BID", PurposeReturn, Subject{Child: true}, []Consent{given(PurposeReturn, "NP", true, h)}, nil, CodeNoBestInterests},
		{"override with a known reason", PurposeReturn, Subject{Child: true}, nil, &Override{Reason: "child_protection_emergency"}, ""},
		{"override without a reason", PurposeReturn, Subject{}, nil, &Override{}, CodeOverrideReason},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := Gate(c.p, "NP", c.s, c.consents, c.o, now)
			if CodeOf(err) != c.want || (c.want == "" && err != nil) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

// TRM-EU principle and CoE Convention art. 12(6): assistance is never
// conditional on return, so no assistance step waits for a return step.
func TestReturnIsNeverAConditionOfSupport(t *testing.T) {
	for _, st := range Checklists {
		if st.SOP != SOPFirstAssistance && st.SOP != SOPLongTerm {
			continue
		}
		if len(st.After) > 0 {
			t.Errorf("assistance step %s waits for %v", st.Code, st.After)
		}
		if err := CanRecord(st.SOP, st.Code, Destination, true, nil); err != nil {
			t.Errorf("assistance step %s refused with no return step done: %v", st.Code, err)
		}
	}
}

func TestFiveSOPsEachWithSteps(t *testing.T) {
	for _, s := range SOPs() {
		if !slices.ContainsFunc(Checklists, func(st Step) bool { return st.SOP == s }) {
			t.Errorf("SOP %s has no checklist", s)
		}
	}
	for _, st := range Checklists {
		for _, a := range st.After {
			if _, ok := StepFor(st.SOP, a); !ok {
				t.Errorf("%s waits for unknown step %s", st.Code, a)
			}
		}
	}
}

// SOP 4: an informed, voluntary decision and a risk assessment before any
// return arrangement; for a child, the family assessment and the BID first.
func TestReturnSteps(t *testing.T) {
	d := func(codes ...string) []Done {
		var out []Done
		for _, c := range codes {
			out = append(out, Done{SOPReturn, c, Both})
		}
		return out
	}
	for _, c := range []struct {
		name  string
		code  string
		side  Side
		child bool
		done  []Done
		want  Code
	}{
		{"decision first", "informed_voluntary_decision", Destination, false, nil, ""},
		{"no risk assessment before the decision", "risk_assessment", Destination, false, nil, CodeStepPrerequisite},
		{"the origin's risk assessment does not wait for the destination's record", "risk_assessment", Origin, false, nil, ""},
		{"the origin's travel documents wait for its risk assessment", "travel_documents", Origin, false, nil, CodeStepPrerequisite},
		{"risk assessment after it", "risk_assessment", Origin, false, d("informed_voluntary_decision"), ""},
		{"child: risk assessment waits for the BID", "risk_assessment", Origin, true, d("informed_voluntary_decision"), CodeStepPrerequisite},
		{"child: BID waits for the family assessment", "best_interests_determination", Origin, true, nil, CodeStepPrerequisite},
		{"child: all done", "risk_assessment", Destination, true, d("informed_voluntary_decision", "family_assessment", "best_interests_determination"), ""},
		{"adult has no family assessment step", "family_assessment", Origin, false, nil, CodeUnknownStep},
		{"travel documents are the origin's", "travel_documents", Destination, false, d("informed_voluntary_decision", "risk_assessment"), CodeWrongCountry},
		{"reception is the origin's", "reception_at_origin", Origin, false, d("informed_voluntary_decision", "risk_assessment", "travel_documents", "escort_arranged"), ""},
		{"no follow-up before reintegration plan", "followup_3m", Origin, false, d("reception_at_origin"), CodeStepPrerequisite},
		{"twice", "informed_voluntary_decision", Destination, false, d("informed_voluntary_decision"), CodeStepDone},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CanRecord(SOPReturn, c.code, c.side, c.child, c.done)
			if CodeOf(err) != c.want || (c.want == "" && err != nil) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestStatusOrder(t *testing.T) {
	path := []Status{StatusReceived, StatusAccepted, StatusReturnPlan, StatusReturned, StatusFollowup3, StatusFollowup6,
		StatusFollowup12, StatusClosed, StatusWithdrawn, StatusErased}
	cur := Status("")
	for _, s := range path {
		if err := Next(cur, s); err != nil {
			t.Fatalf("%s after %s: %v", s, cur, err)
		}
		cur = s
	}
	if CodeOf(Next(StatusReceived, StatusReturned)) != CodeStatusOutOfOrder {
		t.Fatal("returned before acceptance passed")
	}
	if CodeOf(Next(StatusErased, StatusAccepted)) != CodeStatusOutOfOrder {
		t.Fatal("a status after erasure passed")
	}
	if CodeOf(Next(StatusAccepted, "my notes")) != CodeUnknownStatus {
		t.Fatal("a status that is not a code passed")
	}
}

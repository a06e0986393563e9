package screening

import (
	"strings"
	"testing"
)

func TestProtocol(t *testing.T) {
	e := defaultEngine(t)
	tests := []struct {
		name string
		rule string
		c    Case
		// want
		verdict       string
		elements      Elements
		child         bool
		presumed      bool
		meansRequired bool
		consentIrrel  bool
		warn, noWarn  []string
	}{
		{
			name: "adult all three", rule: "Protocol art. 3(a): adult needs act, means and purpose",
			c:       Case{Age: intp(30), Acts: []string{"recruitment"}, Means: []string{"deception"}, Purposes: []string{"forced_labour"}},
			verdict: VerdictMeets, elements: Elements{Present, Present, Present}, meansRequired: true, consentIrrel: true,
			noWarn: []string{WarnProtocolInsufficient},
		},
		{
			name: "adult no means", rule: "Protocol art. 3(a): adult without means is not met",
			c:       Case{Age: intp(30), Acts: []string{"transportation"}, Purposes: []string{"sexual_exploitation"}},
			verdict: VerdictNotMet, elements: Elements{Present, Absent, Present}, meansRequired: true,
		},
		{
			name: "adult no act", rule: "Protocol art. 3(a): adult without act is not met",
			c:       Case{Age: intp(40), Means: []string{"use_of_force"}, Purposes: []string{"servitude"}},
			verdict: VerdictNotMet, elements: Elements{Absent, Present, Present}, meansRequired: true, consentIrrel: true,
		},
		{
			name: "adult no purpose", rule: "Protocol art. 3(a): adult without purpose is not met",
			c:       Case{Age: intp(22), Acts: []string{"harbouring"}, Means: []string{"abduction"}},
			verdict: VerdictNotMet, elements: Elements{Present, Present, Absent}, meansRequired: true, consentIrrel: true,
		},
		{
			name: "child no means", rule: "Protocol art. 3(c): child needs no means",
			c:       Case{Age: intp(15), Acts: []string{"recruitment"}, Purposes: []string{"forced_labour"}},
			verdict: VerdictMeets, elements: Elements{Present, Absent, Present}, child: true, consentIrrel: true,
		},
		{
			name: "child no act", rule: "Protocol art. 3(c): child still needs an act",
			c:       Case{Age: intp(15), Purposes: []string{"forced_labour"}},
			verdict: VerdictNotMet, elements: Elements{Absent, Absent, Present}, child: true, consentIrrel: true,
		},
		{
			name: "child no purpose", rule: "Protocol art. 3(c): child still needs a purpose",
			c:       Case{Age: intp(10), Acts: []string{"receipt"}},
			verdict: VerdictNotMet, elements: Elements{Present, Absent, Absent}, child: true, consentIrrel: true,
		},
		{
			name: "age 17", rule: "Protocol art. 3(d): a person of 17 is a child",
			c:       Case{Age: intp(17), Acts: []string{"transfer"}, Purposes: []string{"slavery"}},
			verdict: VerdictMeets, elements: Elements{Present, Absent, Present}, child: true, consentIrrel: true,
		},
		{
			name: "age 18", rule: "Protocol art. 3(d): a person of 18 is an adult, so means are needed",
			c:       Case{Age: intp(18), Acts: []string{"transfer"}, Purposes: []string{"slavery"}},
			verdict: VerdictNotMet, elements: Elements{Present, Absent, Present}, meansRequired: true,
		},
		{
			name: "age 0", rule: "Protocol art. 3(d): age 0 is accepted and is a child",
			c:       Case{Age: intp(0), Acts: []string{"transfer"}, Purposes: []string{"practices_similar_to_slavery"}},
			verdict: VerdictMeets, elements: Elements{Present, Absent, Present}, child: true, consentIrrel: true,
		},
		{
			name: "presumed child", rule: "UNICEF presumption of age: unknown age and may_be_child means a child",
			c:       Case{MayBeChild: true, Acts: []string{"recruitment"}, Purposes: []string{"organ_removal"}},
			verdict: VerdictMeets, elements: Elements{Present, Absent, Present}, child: true, presumed: true, consentIrrel: true,
			warn: []string{WarnPresumedChild}, noWarn: []string{WarnAgeUnknown},
		},
		{
			name: "unknown age adult", rule: "Protocol art. 3(d): unknown age with no reason to believe a child is assessed as an adult, with a warning",
			c:       Case{Acts: []string{"recruitment"}, Purposes: []string{"forced_labour"}},
			verdict: VerdictNotMet, elements: Elements{Present, Absent, Present}, meansRequired: true,
			warn: []string{WarnAgeUnknown}, noWarn: []string{WarnPresumedChild},
		},
		{
			name: "known age wins", rule: "UNICEF presumption of age applies only while age is not established",
			c:       Case{Age: intp(25), MayBeChild: true, Acts: []string{"recruitment"}, Purposes: []string{"forced_labour"}},
			verdict: VerdictNotMet, elements: Elements{Present, Absent, Present}, meansRequired: true,
			warn: []string{WarnAgeGivenMayBeChild}, noWarn: []string{WarnPresumedChild},
		},
		{
			name: "unknown means adult", rule: "Element rule: listed as unknown with no code is unknown; verdict insufficient",
			c:       Case{Age: intp(30), Acts: []string{"recruitment"}, Purposes: []string{"forced_labour"}, Unknown: []string{"means"}},
			verdict: VerdictInsufficient, elements: Elements{Present, Unknown, Present}, meansRequired: true,
			warn: []string{WarnProtocolInsufficient},
		},
		{
			name: "codes beat unknown", rule: "Element rule: an element with a code is present even if listed as unknown",
			c:       Case{Age: intp(30), Acts: []string{"recruitment"}, Means: []string{"fraud"}, Purposes: []string{"forced_labour"}, Unknown: []string{"means", "act"}},
			verdict: VerdictMeets, elements: Elements{Present, Present, Present}, meansRequired: true, consentIrrel: true,
			noWarn: []string{WarnProtocolInsufficient},
		},
		{
			name: "absent beats unknown", rule: "Verdict rule: not_met when a required element is known absent, even if another is unknown",
			c:       Case{Age: intp(30), Purposes: []string{"forced_labour"}, Unknown: []string{"means"}},
			verdict: VerdictNotMet, elements: Elements{Absent, Unknown, Present}, meansRequired: true,
			noWarn: []string{WarnProtocolInsufficient},
		},
		{
			name: "all unknown", rule: "Verdict rule: insufficient when required elements are unknown and none absent",
			c:       Case{Age: intp(30), Unknown: []string{"act", "means", "purpose"}},
			verdict: VerdictInsufficient, elements: Elements{Unknown, Unknown, Unknown}, meansRequired: true,
			warn: []string{WarnProtocolInsufficient},
		},
		{
			name: "child unknown means", rule: "Protocol art. 3(c): unknown means do not matter for a child",
			c:       Case{Age: intp(12), Acts: []string{"recruitment"}, Purposes: []string{"forced_labour"}, Unknown: []string{"means"}},
			verdict: VerdictMeets, elements: Elements{Present, Unknown, Present}, child: true, consentIrrel: true,
		},
		{
			name: "child unknown purpose", rule: "Verdict rule: child with unknown purpose is insufficient",
			c:       Case{Age: intp(12), Acts: []string{"recruitment"}, Unknown: []string{"purpose"}},
			verdict: VerdictInsufficient, elements: Elements{Present, Absent, Unknown}, child: true, consentIrrel: true,
			warn: []string{WarnProtocolInsufficient},
		},
		{
			name: "consent irrelevant", rule: "Protocol art. 3(b): consent is irrelevant once any means is present",
			c: Case{Age: intp(30), Acts: []string{"recruitment"}, Means: []string{"abuse_of_vulnerability"}, Purposes: []string{"forced_labour"},
				Smuggling: SmugglingFacts{ConsentedToMovement: true}},
			verdict: VerdictMeets, elements: Elements{Present, Present, Present}, meansRequired: true, consentIrrel: true,
			warn: []string{WarnConsentIrrelevant},
		},
		{
			name: "consent without means", rule: "Protocol art. 3(b): without means, an adult's consent is not declared irrelevant",
			c: Case{Age: intp(30), Acts: []string{"recruitment"}, Purposes: []string{"forced_labour"},
				Smuggling: SmugglingFacts{ConsentedToMovement: true}},
			verdict: VerdictNotMet, elements: Elements{Present, Absent, Present}, meansRequired: true,
			noWarn: []string{WarnConsentIrrelevant},
		},
		{
			name: "child consent", rule: "Protocol art. 3(c): a child's consent is irrelevant without any means",
			c: Case{Age: intp(16), Acts: []string{"recruitment"}, Purposes: []string{"forced_labour"},
				Smuggling: SmugglingFacts{ConsentedToMovement: true}},
			verdict: VerdictMeets, elements: Elements{Present, Absent, Present}, child: true, consentIrrel: true,
			warn: []string{WarnConsentIrrelevant},
		},
		{
			name: "national form only", rule: "Protocol art. 3(a): a national form alone is not a Protocol purpose",
			c:       Case{Age: intp(30), Acts: []string{"recruitment"}, Means: []string{"fraud"}, Purposes: []string{"forced_marriage"}},
			verdict: VerdictNotMet, elements: Elements{Present, Present, Absent}, meansRequired: true, consentIrrel: true,
			warn: []string{WarnNationalFormNotCovered},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.Screen(tt.c, Options{})
			if err != nil {
				t.Fatalf("%s: Screen: %v", tt.rule, err)
			}
			p := r.Protocol
			if p.Verdict != tt.verdict || p.Elements != tt.elements {
				t.Errorf("%s: verdict %s elements %+v, want %s %+v", tt.rule, p.Verdict, p.Elements, tt.verdict, tt.elements)
			}
			if p.Child != tt.child || p.PresumedChild != tt.presumed {
				t.Errorf("%s: child=%v presumed=%v, want %v %v", tt.rule, p.Child, p.PresumedChild, tt.child, tt.presumed)
			}
			if p.MeansRequired != tt.meansRequired {
				t.Errorf("%s: means_required=%v, want %v", tt.rule, p.MeansRequired, tt.meansRequired)
			}
			if p.ConsentIrrelevant != tt.consentIrrel {
				t.Errorf("%s: consent_irrelevant=%v, want %v", tt.rule, p.ConsentIrrelevant, tt.consentIrrel)
			}
			checkWarnings(t, r, tt.warn, tt.noWarn)
		})
	}
}

// Every code of each list establishes its element on its own.
func TestProtocolEveryCode(t *testing.T) {
	e := defaultEngine(t)
	base := Case{Age: intp(30), Acts: []string{"recruitment"}, Means: []string{"fraud"}, Purposes: []string{"forced_labour"}}
	tests := []struct {
		rule  string
		codes []string
		set   func(*Case, string)
	}{
		{"Protocol art. 3(a): each act establishes the act element", ActCodes(), func(c *Case, s string) { c.Acts = []string{s} }},
		{"Protocol art. 3(a): each means establishes the means element", MeansCodes(), func(c *Case, s string) { c.Means = []string{s} }},
		{"Protocol art. 3(a): each Protocol purpose establishes the purpose element", ProtocolPurposeCodes(), func(c *Case, s string) { c.Purposes = []string{s} }},
	}
	for _, tt := range tests {
		for _, code := range tt.codes {
			c := base
			tt.set(&c, code)
			r, err := e.Screen(c, Options{})
			if err != nil {
				t.Fatalf("%s: %s: %v", tt.rule, code, err)
			}
			if r.Protocol.Verdict != VerdictMeets {
				t.Errorf("%s: %s gave %s", tt.rule, code, r.Protocol.Verdict)
			}
		}
	}
}

func TestProtocolExplanation(t *testing.T) {
	e := defaultEngine(t)
	tests := []struct {
		name, rule string
		c          Case
		element    string
		wantRule   string
		wantFacts  []string
		wantText   string
	}{
		{
			name: "act facts", rule: "Explanation: the act line lists the act codes under art. 3(a)",
			c:       Case{Age: intp(30), Acts: []string{"transfer", "recruitment", "recruitment"}, Means: []string{"fraud"}, Purposes: []string{"servitude"}},
			element: "act", wantRule: "Protocol art. 3(a)", wantFacts: []string{"recruitment", "transfer"}, wantText: "Present",
		},
		{
			name: "means child", rule: "Explanation: for a child the means line cites art. 3(c)",
			c:       Case{Age: intp(14), Acts: []string{"recruitment"}, Purposes: []string{"servitude"}},
			element: "means", wantRule: "Protocol art. 3(c)", wantFacts: []string{}, wantText: "Not required for a child",
		},
		{
			name: "consent", rule: "Explanation: the consent line cites art. 3(b) with the means used",
			c:       Case{Age: intp(30), Acts: []string{"recruitment"}, Means: []string{"fraud", "deception"}, Purposes: []string{"servitude"}},
			element: "consent", wantRule: "Protocol art. 3(b)", wantFacts: []string{"deception", "fraud"}, wantText: "irrelevant",
		},
		{
			name: "presumption", rule: "Explanation: the age line names the presumption of age",
			c:       Case{MayBeChild: true, Acts: []string{"recruitment"}, Purposes: []string{"servitude"}},
			element: "age", wantRule: "Protocol art. 3(d); UNICEF presumption of age", wantFacts: []string{"age=unknown", "may_be_child"}, wantText: "presumed a child",
		},
		{
			name: "verdict adult", rule: "Explanation: the verdict line lists each required element's state",
			c:       Case{Age: intp(30), Acts: []string{"recruitment"}, Purposes: []string{"servitude"}, Unknown: []string{"means"}},
			element: "protocol", wantRule: "Protocol art. 3(a)", wantFacts: []string{"act=present", "means=unknown", "purpose=present"}, wantText: "insufficient",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.Screen(tt.c, Options{})
			if err != nil {
				t.Fatal(err)
			}
			l, ok := findLine(r, tt.element, "")
			if !ok {
				t.Fatalf("%s: no %s line in %+v", tt.rule, tt.element, r.Explanation)
			}
			if l.Rule != tt.wantRule || strings.Join(l.Facts, ",") != strings.Join(tt.wantFacts, ",") || !strings.Contains(l.Text, tt.wantText) {
				t.Errorf("%s: got %+v", tt.rule, l)
			}
		})
	}
}

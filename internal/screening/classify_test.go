package screening

import (
	"slices"
	"testing"
)

func TestSmugglingAndClassification(t *testing.T) {
	e := defaultEngine(t)
	smug := SmugglingFacts{IrregularBorderCrossing: true, PaidFacilitator: true, ConsentedToMovement: true}
	meets := Case{Age: intp(30), Acts: []string{"transportation"}, Means: []string{"deception"}, Purposes: []string{"forced_labour"}}
	with := func(c Case, s SmugglingFacts) Case { c.Smuggling = s; return c }
	recruit := []string{"deceptive_recruitment.deceived_nature_of_job", "deceptive_recruitment.deceived_wages"}
	exploit := []string{"exploitative_conditions.excessive_hours", "exploitative_conditions.low_or_no_salary"}
	coerce := []string{"coercion_at_destination.debt_bondage", "coercion_at_destination.violence_on_victim"}

	tests := []struct {
		name, rule string
		c          Case
		opts       Options
		smuggling  string
		class      string
		warn       []string
		noWarn     []string
	}{
		{
			name: "both facts", rule: "Smuggling Protocol art. 3(a): irregular crossing + paid facilitator indicate smuggling",
			c:         Case{Age: intp(30), Smuggling: SmugglingFacts{IrregularBorderCrossing: true, PaidFacilitator: true}},
			smuggling: VerdictSmugglingIndicated, class: ClassPossibleSmuggling, warn: []string{WarnPossibleSmuggling},
		},
		{
			name: "with consent", rule: "Smuggling Protocol art. 3(a): consent to movement supports smuggling",
			c:         Case{Age: intp(30), Smuggling: smug},
			smuggling: VerdictSmugglingIndicated, class: ClassPossibleSmuggling, noWarn: []string{WarnConsentIrrelevant},
		},
		{
			name: "crossing only", rule: "Smuggling Protocol art. 3(a): irregular crossing without a paid facilitator is not smuggling",
			c:         Case{Age: intp(30), Smuggling: SmugglingFacts{IrregularBorderCrossing: true, ConsentedToMovement: true}},
			smuggling: VerdictNotIndicated, class: ClassNotIndicated,
		},
		{
			name: "facilitator only", rule: "Smuggling Protocol art. 3(a): a paid facilitator without irregular crossing is not smuggling",
			c:         Case{Age: intp(30), Smuggling: SmugglingFacts{PaidFacilitator: true}},
			smuggling: VerdictNotIndicated, class: ClassNotIndicated,
		},
		{
			name: "consent only", rule: "Smuggling Protocol art. 3(a): consent to movement alone is not smuggling",
			c:         Case{Age: intp(30), Smuggling: SmugglingFacts{ConsentedToMovement: true}},
			smuggling: VerdictNotIndicated, class: ClassNotIndicated,
		},
		{
			name: "1: smuggling + protocol meets", rule: "Precedence 1: smuggling with the Protocol met is smuggling_with_trafficking_indicators and re-screen",
			c:         with(meets, smug),
			smuggling: VerdictSmugglingIndicated, class: ClassSmugglingWithTrafficking,
			warn: []string{WarnSmugglingWithTrafficking, WarnConsentIrrelevant}, noWarn: []string{WarnPossibleSmuggling},
		},
		{
			name: "1: smuggling + insufficient with purpose", rule: "Precedence 1: smuggling with Protocol insufficient and purpose present",
			c:         Case{Age: intp(30), Acts: []string{"transportation"}, Purposes: []string{"forced_labour"}, Unknown: []string{"means"}, Smuggling: smug},
			smuggling: VerdictSmugglingIndicated, class: ClassSmugglingWithTrafficking, warn: []string{WarnSmugglingWithTrafficking},
		},
		{
			name: "1: smuggling + insufficient with means", rule: "Precedence 1: smuggling with Protocol insufficient and means present",
			c:         Case{Age: intp(30), Acts: []string{"transportation"}, Means: []string{"fraud"}, Unknown: []string{"purpose"}, Smuggling: smug},
			smuggling: VerdictSmugglingIndicated, class: ClassSmugglingWithTrafficking,
		},
		{
			name: "1: smuggling + positive dimension", rule: "Precedence 1: smuggling with any positive indicator dimension",
			c:         Case{Age: intp(30), Exploitation: "labour", Indicators: coerce, Smuggling: smug},
			smuggling: VerdictSmugglingIndicated, class: ClassSmugglingWithTrafficking,
		},
		{
			name: "1: smuggling + indicators victim", rule: "Precedence 1: smuggling with the indicator verdict victim",
			c:         Case{Age: intp(30), Exploitation: "labour", Indicators: slices.Concat(recruit, exploit, coerce), Smuggling: smug},
			smuggling: VerdictSmugglingIndicated, class: ClassSmugglingWithTrafficking,
		},
		{
			name: "1: smuggled child", rule: "Precedence 1: a smuggled child with act and purpose (Protocol art. 3(c))",
			c:         Case{Age: intp(16), Acts: []string{"transportation"}, Purposes: []string{"forced_labour"}, Smuggling: smug},
			smuggling: VerdictSmugglingIndicated, class: ClassSmugglingWithTrafficking, warn: []string{WarnConsentIrrelevant},
		},
		{
			name: "2: protocol meets", rule: "Precedence 2: Protocol met without smuggling is presumed_trafficking",
			c: meets, smuggling: VerdictNotIndicated, class: ClassPresumedTrafficking,
			noWarn: []string{WarnSmugglingWithTrafficking, WarnPossibleSmuggling},
		},
		{
			name: "2: indicators victim", rule: "Precedence 2: indicator verdict victim without smuggling is presumed_trafficking even if the Protocol test is not met",
			c:         Case{Age: intp(30), Exploitation: "labour", Indicators: slices.Concat(recruit, exploit, coerce)},
			smuggling: VerdictNotIndicated, class: ClassPresumedTrafficking,
		},
		{
			name: "2: national meets", rule: "Precedence 2: the national definition met (covered national form) is presumed_trafficking",
			c:    Case{Age: intp(30), Acts: []string{"recruitment"}, Means: []string{"fraud"}, Purposes: []string{"forced_begging"}},
			opts: Options{Jurisdiction: "TH"}, smuggling: VerdictNotIndicated, class: ClassPresumedTrafficking,
		},
		{
			name: "3: smuggling + act only insufficient", rule: "Precedence 3: smuggling with only an act (insufficient, no means or purpose) is possible_smuggling",
			c:         Case{Age: intp(30), Acts: []string{"transportation"}, Unknown: []string{"means", "purpose"}, Smuggling: smug},
			smuggling: VerdictSmugglingIndicated, class: ClassPossibleSmuggling, warn: []string{WarnPossibleSmuggling, WarnProtocolInsufficient},
		},
		{
			name: "3: smuggling + not met", rule: "Precedence 3: a Protocol test not met is no trafficking signal",
			c:         Case{Age: intp(30), Purposes: []string{"forced_labour"}, Smuggling: smug},
			smuggling: VerdictSmugglingIndicated, class: ClassPossibleSmuggling,
		},
		{
			name: "3: smuggling + dimension not positive", rule: "Precedence 3: indicators that make no dimension positive are no signal",
			c:         Case{Age: intp(30), Exploitation: "labour", Indicators: []string{"exploitative_conditions.excessive_hours"}, Smuggling: smug},
			smuggling: VerdictSmugglingIndicated, class: ClassPossibleSmuggling,
		},
		{
			name: "4: nothing", rule: "Precedence 4: no facts is not_indicated",
			c: Case{Age: intp(30)}, smuggling: VerdictNotIndicated, class: ClassNotIndicated,
		},
		{
			name: "4: insufficient without smuggling", rule: "Precedence 4: insufficient without smuggling is not_indicated, with a warning to gather facts",
			c:         Case{Age: intp(30), Acts: []string{"recruitment"}, Purposes: []string{"forced_labour"}, Unknown: []string{"means"}},
			smuggling: VerdictNotIndicated, class: ClassNotIndicated, warn: []string{WarnProtocolInsufficient},
		},
		{
			name: "4: positive dimension only", rule: "Precedence 4: a positive dimension without smuggling or a strong signal is not_indicated",
			c:         Case{Age: intp(30), Exploitation: "labour", Indicators: coerce},
			smuggling: VerdictNotIndicated, class: ClassNotIndicated,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.Screen(tt.c, tt.opts)
			if err != nil {
				t.Fatalf("%s: %v", tt.rule, err)
			}
			if r.Smuggling.Verdict != tt.smuggling || r.Classification != tt.class {
				t.Errorf("%s: smuggling %s class %s, want %s %s", tt.rule, r.Smuggling.Verdict, r.Classification, tt.smuggling, tt.class)
			}
			if _, ok := findLine(r, "classification", ""); !ok {
				t.Errorf("%s: no classification line", tt.rule)
			}
			checkWarnings(t, r, tt.warn, tt.noWarn)
		})
	}
}

package screening

import (
	"errors"
	"strings"
	"testing"
)

func testJurisdiction(t *testing.T, code string, age int, meansForChildren, cseMeans bool, forms ...string) *Jurisdiction {
	t.Helper()
	return &Jurisdiction{Code: code, Name: "Test " + code, AgeOfMajority: age, MeansRequiredForChildren: meansForChildren,
		ChildSexualExploitationRequiresMeans: cseMeans, NationalForms: forms,
		Provenance: Provenance{Source: "test fixture", Verified: true}}
}

func TestNational(t *testing.T) {
	js, err := DefaultJurisdictions()
	if err != nil {
		t.Fatal(err)
	}
	js = append(js,
		testJurisdiction(t, "XA", 18, true, false),
		testJurisdiction(t, "XB", 16, false, false),
		testJurisdiction(t, "XC", 20, false, false, "forced_marriage", "armed_conflict"),
	)
	ps, _ := DefaultProfiles()
	e, err := NewEngine(ps, js)
	if err != nil {
		t.Fatal(err)
	}
	childSex := Case{Age: intp(15), Acts: []string{"recruitment"}, Purposes: []string{"sexual_exploitation"}}
	tests := []struct {
		name, rule     string
		c              Case
		jur            string
		code           string
		protocol       string
		national       string
		natMeans       bool
		natChild       bool
		covered        []string
		uncovered      []string
		warn, noWarn   []string
		classification string
	}{
		{
			name: "default protocol", rule: "Default jurisdiction: the Protocol's own definition, verified",
			c: childSex, jur: "", code: "protocol", protocol: VerdictMeets, national: VerdictMeets, natChild: true,
			noWarn: []string{WarnJurisdictionUnverified, WarnNationalChildSexualMeans, WarnNationalFallsShort},
		},
		{
			name: "NP source example", rule: "UNITAR 2014 example (NP sample): child sexual exploitation without force, fraud or coercion is not trafficking nationally; the Protocol art. 3(c) needs no means",
			c: childSex, jur: "NP", code: "NP", protocol: VerdictMeets, national: VerdictNotMet, natMeans: true, natChild: true,
			warn:           []string{WarnNationalChildSexualMeans, WarnNationalFallsShort, WarnJurisdictionUnverified},
			classification: ClassPresumedTrafficking,
		},
		{
			name: "NP with means", rule: "NP sample: child sexual exploitation with means meets the national definition",
			c:   Case{Age: intp(15), Acts: []string{"recruitment"}, Means: []string{"deception"}, Purposes: []string{"sexual_exploitation"}},
			jur: "np", code: "NP", protocol: VerdictMeets, national: VerdictMeets, natMeans: true, natChild: true,
			warn: []string{WarnNationalChildSexualMeans}, noWarn: []string{WarnNationalFallsShort},
		},
		{
			name: "NP labour", rule: "NP sample: the child sexual exploitation rule does not touch other purposes",
			c:   Case{Age: intp(15), Acts: []string{"recruitment"}, Purposes: []string{"forced_labour"}},
			jur: "NP", code: "NP", protocol: VerdictMeets, national: VerdictMeets, natChild: true,
			noWarn: []string{WarnNationalChildSexualMeans, WarnNationalFallsShort},
		},
		{
			name: "NP mixed purposes", rule: "NP sample: with another purpose, no means are needed nationally, but the shortfall is still warned",
			c:   Case{Age: intp(15), Acts: []string{"recruitment"}, Purposes: []string{"sexual_exploitation", "forced_labour"}},
			jur: "NP", code: "NP", protocol: VerdictMeets, national: VerdictMeets, natChild: true,
			warn: []string{WarnNationalChildSexualMeans}, noWarn: []string{WarnNationalFallsShort},
		},
		{
			name: "NP presumed child", rule: "UNICEF presumption of age applies under national law too",
			c:   Case{MayBeChild: true, Acts: []string{"recruitment"}, Purposes: []string{"sexual_exploitation"}},
			jur: "NP", code: "NP", protocol: VerdictMeets, national: VerdictNotMet, natMeans: true, natChild: true,
			warn: []string{WarnPresumedChild, WarnNationalChildSexualMeans, WarnNationalFallsShort},
		},
		{
			name: "TH covered form", rule: "National forms count as purpose where the jurisdiction covers them (TH sample: forced_begging)",
			c:   Case{Age: intp(30), Acts: []string{"recruitment"}, Means: []string{"fraud"}, Purposes: []string{"forced_begging"}},
			jur: "TH", code: "TH", protocol: VerdictNotMet, national: VerdictMeets, natMeans: true, covered: []string{"forced_begging"},
			noWarn: []string{WarnNationalFormNotCovered}, classification: ClassPresumedTrafficking,
		},
		{
			name: "MN uncovered form", rule: "National forms not covered by the jurisdiction do not count, with a warning",
			c:   Case{Age: intp(30), Acts: []string{"recruitment"}, Means: []string{"fraud"}, Purposes: []string{"forced_begging"}},
			jur: "MN", code: "MN", protocol: VerdictNotMet, national: VerdictNotMet, natMeans: true, uncovered: []string{"forced_begging"},
			warn: []string{WarnNationalFormNotCovered}, classification: ClassNotIndicated,
		},
		{
			name: "protocol uncovered form", rule: "The Protocol default covers no national form",
			c:   Case{Age: intp(14), Acts: []string{"recruitment"}, Purposes: []string{"forced_marriage", "forced_pregnancy"}},
			jur: "", code: "protocol", protocol: VerdictNotMet, national: VerdictNotMet, natChild: true,
			uncovered: []string{"forced_marriage", "forced_pregnancy"}, warn: []string{WarnNationalFormNotCovered},
		},
		{
			name: "XC partly covered", rule: "Covered and uncovered national forms are reported separately",
			c:   Case{Age: intp(14), Acts: []string{"recruitment"}, Purposes: []string{"forced_marriage", "surrogacy"}},
			jur: "XC", code: "XC", protocol: VerdictNotMet, national: VerdictMeets, natChild: true,
			covered: []string{"forced_marriage"}, uncovered: []string{"surrogacy"}, warn: []string{WarnNationalFormNotCovered},
		},
		{
			name: "XA means for children", rule: "National law that requires means for a child falls short of Protocol art. 3(c)",
			c:   Case{Age: intp(15), Acts: []string{"recruitment"}, Purposes: []string{"forced_labour"}},
			jur: "XA", code: "XA", protocol: VerdictMeets, national: VerdictNotMet, natMeans: true, natChild: true,
			warn: []string{WarnNationalMeansForChild, WarnNationalFallsShort}, noWarn: []string{WarnJurisdictionUnverified},
		},
		{
			name: "XA adult", rule: "The means-for-children shortfall is not warned for an adult",
			c:   Case{Age: intp(30), Acts: []string{"recruitment"}, Means: []string{"fraud"}, Purposes: []string{"forced_labour"}},
			jur: "XA", code: "XA", protocol: VerdictMeets, national: VerdictMeets, natMeans: true,
			noWarn: []string{WarnNationalMeansForChild, WarnNationalFallsShort},
		},
		{
			name: "XB majority 16", rule: "Protocol art. 3(d): a 17-year-old is a child even where national majority is 16",
			c:   Case{Age: intp(17), Acts: []string{"recruitment"}, Purposes: []string{"forced_labour"}},
			jur: "XB", code: "XB", protocol: VerdictMeets, national: VerdictNotMet, natMeans: true,
			warn: []string{WarnNationalAgeOfMajority, WarnNationalFallsShort},
		},
		{
			name: "XC majority 20", rule: "A national age of majority above 18 extends the child rule nationally",
			c:   Case{Age: intp(19), Acts: []string{"recruitment"}, Purposes: []string{"forced_labour"}},
			jur: "XC", code: "XC", protocol: VerdictNotMet, national: VerdictMeets, natChild: true,
			noWarn: []string{WarnNationalAgeOfMajority}, classification: ClassPresumedTrafficking,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.Screen(tt.c, Options{Jurisdiction: tt.jur})
			if err != nil {
				t.Fatalf("%s: %v", tt.rule, err)
			}
			n := r.National
			if n.Jurisdiction != tt.code || r.Protocol.Verdict != tt.protocol || n.Verdict != tt.national {
				t.Errorf("%s: %s protocol %s national %s, want %s %s %s", tt.rule, n.Jurisdiction, r.Protocol.Verdict, n.Verdict, tt.code, tt.protocol, tt.national)
			}
			if n.MeansRequired != tt.natMeans || n.Child != tt.natChild {
				t.Errorf("%s: national means_required=%v child=%v, want %v %v", tt.rule, n.MeansRequired, n.Child, tt.natMeans, tt.natChild)
			}
			// protocol.means_required always reflects the Protocol.
			if r.Protocol.MeansRequired != !r.Protocol.Child {
				t.Errorf("%s: protocol.means_required=%v for child=%v", tt.rule, r.Protocol.MeansRequired, r.Protocol.Child)
			}
			if strings.Join(n.CoveredForms, ",") != strings.Join(tt.covered, ",") || strings.Join(n.UncoveredForms, ",") != strings.Join(tt.uncovered, ",") {
				t.Errorf("%s: covered %v uncovered %v", tt.rule, n.CoveredForms, n.UncoveredForms)
			}
			if tt.classification != "" && r.Classification != tt.classification {
				t.Errorf("%s: classification %s, want %s", tt.rule, r.Classification, tt.classification)
			}
			if _, ok := findLine(r, "national", ""); !ok {
				t.Errorf("%s: no national line", tt.rule)
			}
			checkWarnings(t, r, tt.warn, tt.noWarn)
		})
	}
}

func TestSampleJurisdictions(t *testing.T) {
	e := defaultEngine(t)
	if got := strings.Join(e.JurisdictionCodes(), ","); got != "KR,MN,NP,TH,protocol" {
		t.Errorf("codes %s", got)
	}
	for _, code := range []string{"NP", "MN", "TH", "KR"} {
		// Sample legal profiles must say they are unverified and illustrative.
		r, err := e.Screen(Case{Age: intp(30)}, Options{Jurisdiction: code})
		if err != nil {
			t.Fatal(err)
		}
		if r.National.Verified || !hasWarning(r, WarnJurisdictionUnverified) {
			t.Errorf("%s: sample jurisdiction must be unverified and warned", code)
		}
		js, _ := DefaultJurisdictions()
		for _, j := range js {
			if j.Code == code && !strings.Contains(j.Provenance.Note, "not a statement of the law") {
				t.Errorf("%s: note must say the values are illustrative: %q", code, j.Provenance.Note)
			}
		}
	}
	if _, err := e.Screen(Case{Age: intp(30)}, Options{Jurisdiction: "ZZ"}); !errors.Is(err, ErrUnknownJurisdiction) {
		t.Errorf("unknown jurisdiction: %v", err)
	}
}

func TestParseJurisdictionErrors(t *testing.T) {
	valid := `{"code":"XY","name":"X","age_of_majority":18,"means_required_for_children":false,"national_forms":["forced_marriage"],
		"child_sexual_exploitation_requires_means":false,"provenance":{"source":"s","verified":false}}`
	if _, err := ParseJurisdiction([]byte(valid)); err != nil {
		t.Fatalf("valid: %v", err)
	}
	tests := []struct {
		rule, from, to, wantErr string
	}{
		{"Jurisdiction validation: unknown fields are rejected", `"name":"X"`, `"name":"X","extra":1`, "unknown field"},
		{"Jurisdiction validation: national forms come from the fixed list", `"forced_marriage"`, `"forced_labour"`, "national_forms"},
		{"Jurisdiction validation: a form is listed once", `"forced_marriage"`, `"forced_marriage","forced_marriage"`, "twice"},
		{"Jurisdiction validation: age_of_majority in range", `"age_of_majority":18`, `"age_of_majority":0`, "age_of_majority"},
		{"Jurisdiction validation: code is required", `"code":"XY"`, `"code":""`, "code"},
		{"Jurisdiction validation: provenance source is required", `"source":"s"`, `"source":""`, "provenance.source"},
		{"Jurisdiction validation: name is required", `"name":"X"`, `"name":" "`, "name"},
	}
	for _, tt := range tests {
		_, err := ParseJurisdiction([]byte(strings.Replace(valid, tt.from, tt.to, 1)))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: got %v, want error containing %q", tt.rule, err, tt.wantErr)
		}
	}
	// Codes are unique regardless of case; the Protocol default is added when missing.
	if _, err := NewEngine(nil, []*Jurisdiction{testJurisdiction(t, "AB", 18, false, false), testJurisdiction(t, "ab", 18, false, false)}); err == nil {
		t.Error("duplicate codes must be rejected")
	}
	e, err := NewEngine(nil, []*Jurisdiction{testJurisdiction(t, "AB", 18, false, false)})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.JurisdictionCodes(), ","); got != "AB,protocol" {
		t.Errorf("codes %s", got)
	}
}

package screening

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// syntheticProfile is a made-up profile used only to test the generic rule
// engine; its indicators mean nothing.
func syntheticProfile(id, population, exploitation string, verified bool, extraRule string) []byte {
	rule := `"dimension_positive_if_any": [{"strong": 2}, {"medium": 1, "medium_or_weak": 1}],
	  "groups": {"first": ["a"], "second": ["b", "c"]},
	  "victim_if": ["first", "second"]`
	if extraRule != "" {
		rule = extraRule
	}
	v := "false"
	if verified {
		v = "true"
	}
	return []byte(`{
	  "id": "` + id + `", "title": "Synthetic test profile", "population": "` + population + `", "exploitation": "` + exploitation + `",
	  "provenance": {"source": "test fixture", "verified": ` + v + `, "note": "synthetic"},
	  "dimensions": [
	    {"id": "a", "label": "A", "indicators": [
	      {"id": "a.s1", "label": "s1", "grade": "strong"}, {"id": "a.s2", "label": "s2", "grade": "strong"},
	      {"id": "a.m1", "label": "m1", "grade": "medium"}, {"id": "a.m2", "label": "m2", "grade": "medium"},
	      {"id": "a.w1", "label": "w1", "grade": "weak"}, {"id": "a.w2", "label": "w2", "grade": "weak"}]},
	    {"id": "b", "label": "B", "indicators": [
	      {"id": "b.s1", "label": "s1", "grade": "strong"}, {"id": "b.s2", "label": "s2", "grade": "strong"}]},
	    {"id": "c", "label": "C", "indicators": [
	      {"id": "c.s1", "label": "s1", "grade": "strong"}, {"id": "c.s2", "label": "s2", "grade": "strong"}]}
	  ],
	  "rule": {` + rule + `}
	}`)
}

func mustProfile(t *testing.T, data []byte) *Profile {
	t.Helper()
	p, err := ParseProfile(data)
	if err != nil {
		t.Fatalf("ParseProfile: %v", err)
	}
	return p
}

func engineWith(t *testing.T, extra ...*Profile) *Engine {
	t.Helper()
	ps, err := DefaultProfiles()
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(append(ps, extra...), nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestIndicators(t *testing.T) {
	sexualAdult := mustProfile(t, syntheticProfile("test-adult-sexual", "adult", "sexual", false, ""))
	verifiedLabour := mustProfile(t, syntheticProfile("zz-verified-adult-labour", "adult", "labour", true, ""))
	typesB := mustProfile(t, syntheticProfile("test-types", "adult", "labour", true,
		`"dimension_positive_if_any": [{"strong": 2}], "groups": {"first": ["a"], "second": ["b", "c"]}, "victim_if": ["first"], "types_group": "second"`))
	mowLeftover := mustProfile(t, syntheticProfile("test-mow", "adult", "labour", true,
		`"dimension_positive_if_any": [{"medium": 1, "medium_or_weak": 1}], "groups": {"first": ["a"]}, "victim_if": ["first"]`))
	noTypes := mustProfile(t, syntheticProfile("test-no-types", "adult", "labour", true,
		`"dimension_positive_if_any": [{"strong": 2}], "groups": {"first": ["a"]}, "victim_if": ["first"]`))
	def := defaultEngine(t)
	custom := engineWith(t, sexualAdult, typesB, mowLeftover, noTypes)
	withVerified := engineWith(t, verifiedLabour)

	adult := func(ind ...string) Case { return Case{Age: intp(30), Exploitation: "labour", Indicators: ind} }
	child := func(ind ...string) Case { return Case{Age: intp(14), Exploitation: "labour", Indicators: ind} }

	// Adult-list indicators that make each group positive.
	recruit := []string{"deceptive_recruitment.deceived_nature_of_job", "deceptive_recruitment.deceived_wages"}
	exploit := []string{"exploitative_conditions.excessive_hours", "exploitative_conditions.low_or_no_salary"}
	coerce := []string{"coercion_at_destination.debt_bondage", "coercion_at_destination.violence_on_victim"}
	cat := func(parts ...[]string) []string { return slices.Concat(parts...) }

	tests := []struct {
		name, rule string
		e          *Engine
		c          Case
		opts       Options
		profile    string
		verdict    string
		positive   []string // positive dimensions, sorted
		threshold  map[string]string
		types      []string
		warn       []string
		noWarn     []string
	}{
		{
			name: "2 strong", rule: "ILO-EC 2009 rule: 2 strong",
			c: adult(coerce...), profile: "ilo-ec-2009-adult-labour", verdict: VerdictNotIndicated,
			positive: []string{"coercion_at_destination"}, threshold: map[string]string{"coercion_at_destination": "2 strong"},
		},
		{
			name: "1 strong 1 medium", rule: "ILO-EC 2009 rule: 1 strong + 1 medium_or_weak (a medium)",
			c: adult(recruit...), profile: "ilo-ec-2009-adult-labour", verdict: VerdictNotIndicated,
			positive: []string{"deceptive_recruitment"}, threshold: map[string]string{"deceptive_recruitment": "1 strong + 1 medium_or_weak"},
			types: []string{"deceptive_recruitment"},
		},
		{
			name: "1 strong 1 weak", rule: "ILO-EC 2009 rule: 1 strong + 1 medium_or_weak (a weak)",
			c:       adult("deceptive_recruitment.deceived_nature_of_job", "deceptive_recruitment.deceived_education"),
			profile: "ilo-ec-2009-adult-labour", verdict: VerdictNotIndicated,
			positive: []string{"deceptive_recruitment"}, threshold: map[string]string{"deceptive_recruitment": "1 strong + 1 medium_or_weak"},
			types: []string{"deceptive_recruitment"},
		},
		{
			name: "3 medium", rule: "ILO-EC 2009 rule: 3 medium",
			c:       adult("coercive_recruitment.debt_bondage", "coercive_recruitment.threat_of_violence", "coercive_recruitment.withholding_of_money"),
			profile: "ilo-ec-2009-adult-labour", verdict: VerdictNotIndicated,
			positive: []string{"coercive_recruitment"}, threshold: map[string]string{"coercive_recruitment": "3 medium"},
			types: []string{"coercive_recruitment"},
		},
		{
			name: "2 medium 1 weak", rule: "ILO-EC 2009 rule: 2 medium + 1 weak",
			c: adult("recruitment_abuse_of_vulnerability.economic_reasons", "recruitment_abuse_of_vulnerability.family_situation",
				"recruitment_abuse_of_vulnerability.general_context"),
			profile: "ilo-ec-2009-adult-labour", verdict: VerdictNotIndicated,
			positive: []string{"recruitment_abuse_of_vulnerability"}, threshold: map[string]string{"recruitment_abuse_of_vulnerability": "2 medium + 1 weak"},
			types: []string{"recruitment_abuse_of_vulnerability"},
		},
		{
			name: "1 strong alone", rule: "ILO-EC 2009 rule: 1 strong alone meets no threshold",
			c: adult("exploitative_conditions.excessive_hours"), profile: "ilo-ec-2009-adult-labour", verdict: VerdictNotIndicated,
		},
		{
			name: "2 medium alone", rule: "ILO-EC 2009 rule: 2 medium alone meets no threshold",
			c:       adult("exploitative_conditions.hazardous_work", "exploitative_conditions.wage_manipulation"),
			profile: "ilo-ec-2009-adult-labour", verdict: VerdictNotIndicated,
		},
		{
			name: "1 medium 2 weak", rule: "ILO-EC 2009 rule: 1 medium + 2 weak meets no threshold",
			c: adult("abuse_of_vulnerability_at_destination.economic_reasons", "abuse_of_vulnerability_at_destination.difficulties_in_the_past",
				"abuse_of_vulnerability_at_destination.personal_characteristics"),
			profile: "ilo-ec-2009-adult-labour", verdict: VerdictNotIndicated,
		},
		{
			name: "adult victim", rule: "ILO-EC 2009 adult victim_if: recruitment + exploitation + coercion",
			c: adult(cat(recruit, exploit, coerce)...), profile: "ilo-ec-2009-adult-labour", verdict: VerdictVictim,
			positive: []string{"coercion_at_destination", "deceptive_recruitment", "exploitative_conditions"},
			types:    []string{"deceptive_recruitment"}, warn: []string{WarnProfileUnverified},
		},
		{
			name: "adult no coercion", rule: "ILO-EC 2009 adult victim_if: without a positive destination dimension, not indicated",
			c: adult(cat(recruit, exploit)...), profile: "ilo-ec-2009-adult-labour", verdict: VerdictNotIndicated,
			positive: []string{"deceptive_recruitment", "exploitative_conditions"}, types: []string{"deceptive_recruitment"},
		},
		{
			name: "adult no recruitment", rule: "ILO-EC 2009 adult victim_if: without a positive recruitment dimension, not indicated",
			c: adult(cat(exploit, coerce)...), profile: "ilo-ec-2009-adult-labour", verdict: VerdictNotIndicated,
			positive: []string{"coercion_at_destination", "exploitative_conditions"},
		},
		{
			name: "adult coercion via abuse of vulnerability", rule: "ILO-EC 2009 adult victim_if: either destination dimension satisfies the coercion group",
			c: adult(cat(recruit, exploit, []string{"abuse_of_vulnerability_at_destination.dependency_on_exploiters",
				"abuse_of_vulnerability_at_destination.family_situation", "abuse_of_vulnerability_at_destination.economic_reasons"})...),
			profile: "ilo-ec-2009-adult-labour", verdict: VerdictVictim,
			positive: []string{"abuse_of_vulnerability_at_destination", "deceptive_recruitment", "exploitative_conditions"},
			types:    []string{"deceptive_recruitment"},
		},
		{
			name: "child victim", rule: "ILO-EC 2009 child victim_if: recruitment + exploitation suffice",
			c: child(cat(recruit, exploit)...), profile: "ilo-ec-2009-child-labour", verdict: VerdictVictim,
			positive: []string{"deceptive_recruitment", "exploitative_conditions"}, types: []string{"deceptive_recruitment"},
		},
		{
			name: "child no exploitation", rule: "ILO-EC 2009 child victim_if: recruitment alone is not enough",
			c: child(recruit...), profile: "ilo-ec-2009-child-labour", verdict: VerdictNotIndicated,
			positive: []string{"deceptive_recruitment"}, types: []string{"deceptive_recruitment"},
		},
		{
			name: "child grades", rule: "ILO-EC 2009 child list: deceived_education is strong for children (2 strong)",
			c:       child("deceptive_recruitment.deceived_nature_of_job", "deceptive_recruitment.deceived_education"),
			profile: "ilo-ec-2009-child-labour", verdict: VerdictNotIndicated,
			positive: []string{"deceptive_recruitment"}, threshold: map[string]string{"deceptive_recruitment": "2 strong"},
			types: []string{"deceptive_recruitment"},
		},
		{
			name: "two types", rule: "Types: every positive recruitment dimension is a sub-type, sorted",
			c:       adult(cat(recruit, exploit, coerce, []string{"coercive_recruitment.violence_on_victim", "coercive_recruitment.debt_bondage"})...),
			profile: "ilo-ec-2009-adult-labour", verdict: VerdictVictim,
			positive: []string{"coercion_at_destination", "coercive_recruitment", "deceptive_recruitment", "exploitative_conditions"},
			types:    []string{"coercive_recruitment", "deceptive_recruitment"},
		},
		{
			name: "presumed child profile", rule: "Profile choice: a presumed child gets the child profile",
			c:       Case{MayBeChild: true, Exploitation: "labour", Indicators: recruit},
			profile: "ilo-ec-2009-child-labour", verdict: VerdictNotIndicated,
			positive: []string{"deceptive_recruitment"}, types: []string{"deceptive_recruitment"},
		},
		{
			name: "no indicators", rule: "Profile choice: adult + labour gets the adult profile; no indicators is warned, not a finding",
			c: adult(), profile: "ilo-ec-2009-adult-labour", verdict: VerdictNotIndicated, warn: []string{WarnNoIndicators},
		},
		{
			name: "duplicates once", rule: "ILO-EC 2009 rule: a repeated indicator counts once (1 strong alone)",
			c:       adult("exploitative_conditions.excessive_hours", "exploitative_conditions.excessive_hours"),
			profile: "ilo-ec-2009-adult-labour", verdict: VerdictNotIndicated,
		},
		{
			name: "sexual adult none", rule: "Profile choice: no sexual-exploitation profile is loaded, so none is invented",
			c: Case{Age: intp(30), Exploitation: "sexual"}, profile: "", verdict: VerdictNoProfile,
			warn: []string{WarnNoSexualProfile}, noWarn: []string{WarnProfileUnverified},
		},
		{
			name: "sexual child none", rule: "Profile choice: no child sexual-exploitation profile is loaded",
			c: Case{Age: intp(12), Exploitation: "sexual"}, profile: "", verdict: VerdictNoProfile,
			warn: []string{WarnNoSexualProfile},
		},
		{
			name: "sexual loaded", rule: "Profile choice: a loaded sexual-exploitation profile for the population is used, with a warning if unverified",
			e: custom, c: Case{Age: intp(30), Exploitation: "sexual", Indicators: []string{"a.s1", "a.s2", "b.s1", "b.s2"}},
			profile: "test-adult-sexual", verdict: VerdictVictim, positive: []string{"a", "b"},
			warn: []string{WarnProfileUnverified}, noWarn: []string{WarnNoSexualProfile},
		},
		{
			name: "sexual loaded other population", rule: "Profile choice: an adult sexual profile does not apply to a child",
			e: custom, c: Case{Age: intp(12), Exploitation: "sexual"}, profile: "", verdict: VerdictNoProfile,
			warn: []string{WarnNoSexualProfile},
		},
		{
			name: "no exploitation", rule: "Profile choice: without exploitation no profile is chosen",
			c: Case{Age: intp(30)}, profile: "", verdict: VerdictNoProfile, warn: []string{WarnNoProfile},
		},
		{
			name: "verified preferred", rule: "Profile choice: a verified profile for the population and exploitation is preferred",
			e: withVerified, c: adult("a.s1", "a.s2"), profile: "zz-verified-adult-labour", verdict: VerdictNotIndicated,
			positive: []string{"a"}, noWarn: []string{WarnProfileUnverified},
		},
		{
			name: "explicit profile", rule: "Options.ProfileID overrides the choice and warns on population mismatch",
			c: child(recruit...), opts: Options{ProfileID: "ilo-ec-2009-adult-labour"}, profile: "ilo-ec-2009-adult-labour",
			verdict: VerdictNotIndicated, positive: []string{"deceptive_recruitment"}, types: []string{"deceptive_recruitment"},
			warn: []string{WarnProfilePopulationMismatch},
		},
		{
			name: "explicit profile exploitation mismatch", rule: "Options.ProfileID warns when the profile's exploitation differs from the case",
			e: custom, c: Case{Age: intp(30), Exploitation: "labour"}, opts: Options{ProfileID: "test-adult-sexual"},
			profile: "test-adult-sexual", verdict: VerdictNotIndicated, warn: []string{WarnProfileExploitationMismatch},
		},
		{
			name: "types group", rule: "Generic rule: rule.types_group names the group reported as types; victim_if may name one group",
			e: custom, c: adult("a.s1", "a.s2", "c.s1", "c.s2"), opts: Options{ProfileID: "test-types"},
			profile: "test-types", verdict: VerdictVictim, positive: []string{"a", "c"}, types: []string{"c"},
		},
		{
			name: "no types group", rule: "Generic rule: a profile without a recruitment group or types_group has no types",
			e: custom, c: adult("a.s1", "a.s2"), opts: Options{ProfileID: "test-no-types"},
			profile: "test-no-types", verdict: VerdictVictim, positive: []string{"a"},
		},
		{
			name: "victim_if all groups", rule: "Generic rule: victim only when every group in victim_if has a positive dimension",
			e: custom, c: Case{Age: intp(30), Exploitation: "sexual", Indicators: []string{"a.s1", "a.s2"}},
			profile: "test-adult-sexual", verdict: VerdictNotIndicated, positive: []string{"a"},
		},
		{
			name: "medium_or_weak leftover fail", rule: "Generic threshold: medium_or_weak counts only indicators left after the medium minimum",
			e: custom, c: adult("a.m1"), opts: Options{ProfileID: "test-mow"}, profile: "test-mow", verdict: VerdictNotIndicated,
		},
		{
			name: "medium_or_weak leftover medium", rule: "Generic threshold: 1 medium + 1 medium_or_weak met by 2 medium",
			e: custom, c: adult("a.m1", "a.m2"), opts: Options{ProfileID: "test-mow"}, profile: "test-mow", verdict: VerdictVictim,
			positive: []string{"a"}, threshold: map[string]string{"a": "1 medium + 1 medium_or_weak"},
		},
		{
			name: "medium_or_weak leftover weak", rule: "Generic threshold: 1 medium + 1 medium_or_weak met by 1 medium + 1 weak",
			e: custom, c: adult("a.m1", "a.w1"), opts: Options{ProfileID: "test-mow"}, profile: "test-mow", verdict: VerdictVictim,
			positive: []string{"a"},
		},
		{
			name: "strong does not stand in", rule: "Generic threshold: a strong indicator does not count as medium",
			e: custom, c: adult("a.s1", "a.w1"), opts: Options{ProfileID: "test-mow"}, profile: "test-mow", verdict: VerdictNotIndicated,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.e
			if e == nil {
				e = def
			}
			r, err := e.Screen(tt.c, tt.opts)
			if err != nil {
				t.Fatalf("%s: Screen: %v", tt.rule, err)
			}
			ir := r.Indicators
			if ir.Profile != tt.profile || ir.Verdict != tt.verdict {
				t.Errorf("%s: profile %q verdict %s, want %q %s", tt.rule, ir.Profile, ir.Verdict, tt.profile, tt.verdict)
			}
			var positive []string
			for _, id := range sortedKeys(ir.Dimensions) {
				d := ir.Dimensions[id]
				if d.Positive {
					positive = append(positive, id)
					if len(d.Because) == 0 || d.Threshold == "" {
						t.Errorf("%s: positive dimension %s has no because/threshold", tt.rule, id)
					}
				} else if len(d.Because) != 0 {
					t.Errorf("%s: dimension %s not positive but because=%v", tt.rule, id, d.Because)
				}
			}
			if strings.Join(positive, ",") != strings.Join(tt.positive, ",") {
				t.Errorf("%s: positive %v, want %v", tt.rule, positive, tt.positive)
			}
			for id, want := range tt.threshold {
				if got := ir.Dimensions[id].Threshold; got != want {
					t.Errorf("%s: %s threshold %q, want %q", tt.rule, id, got, want)
				}
			}
			if strings.Join(ir.Types, ",") != strings.Join(tt.types, ",") || ir.Types == nil {
				t.Errorf("%s: types %v, want %v", tt.rule, ir.Types, tt.types)
			}
			checkWarnings(t, r, tt.warn, tt.noWarn)
		})
	}
}

func TestIndicatorCountsAndBecause(t *testing.T) {
	e := defaultEngine(t)
	c := Case{Age: intp(30), Exploitation: "labour", Indicators: []string{
		"deceptive_recruitment.deceived_nature_of_job", "deceptive_recruitment.deceived_wages",
		"deceptive_recruitment.deceived_housing", "deceptive_recruitment.deceived_education",
	}}
	r, err := e.Screen(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := r.Indicators.Dimensions["deceptive_recruitment"]
	// ILO-EC 2009 rule: the first threshold met, in profile order, is reported.
	if d.Strong != 1 || d.Medium != 2 || d.Weak != 1 || !d.Positive || d.Threshold != "1 strong + 1 medium_or_weak" {
		t.Fatalf("got %+v", d)
	}
	if want := "deceptive_recruitment.deceived_housing,deceptive_recruitment.deceived_nature_of_job"; strings.Join(d.Because, ",") != want {
		t.Errorf("because %v, want %s", d.Because, want)
	}
	if len(d.Present) != 4 {
		t.Errorf("present %v", d.Present)
	}
	if len(r.Indicators.Dimensions) != 6 {
		t.Errorf("every dimension is reported: %d", len(r.Indicators.Dimensions))
	}
	l, ok := findLine(r, "", "deceptive_recruitment")
	if !ok || l.Rule != "Profile ilo-ec-2009-adult-labour: positive if 1 strong + 1 medium_or_weak" || len(l.Facts) != 4 {
		t.Errorf("explanation line %+v", l)
	}
}

func TestIndicatorErrors(t *testing.T) {
	e := defaultEngine(t)
	tests := []struct {
		name, rule  string
		c           Case
		opts        Options
		field, code string
		sentinel    error
	}{
		{
			name: "unknown id", rule: "Unknown indicator ids are an error, not ignored",
			c:     Case{Age: intp(30), Exploitation: "labour", Indicators: []string{"deceptive_recruitment.no_such_thing"}},
			field: "indicators", code: "deceptive_recruitment.no_such_thing",
		},
		{
			name: "adult-only id for child", rule: "Indicator ids are checked against the profile in use (false_information_law is only in the adult list)",
			c:     Case{Age: intp(12), Exploitation: "labour", Indicators: []string{"recruitment_abuse_of_vulnerability.false_information_law"}},
			field: "indicators", code: "recruitment_abuse_of_vulnerability.false_information_law",
		},
		{
			name: "bad syntax", rule: `Indicator ids must have the form "dimension.indicator"`,
			c:     Case{Age: intp(30), Exploitation: "labour", Indicators: []string{"excessive_hours"}},
			field: "indicators", code: "excessive_hours",
		},
		{
			name: "sexual with indicators", rule: "Indicators given but no profile applies is an error",
			c:     Case{Age: intp(30), Exploitation: "sexual", Indicators: []string{"a.b"}},
			field: "indicators",
		},
		{
			name: "no exploitation with indicators", rule: "Indicators given without exploitation or a profile is an error on exploitation",
			c:     Case{Age: intp(30), Indicators: []string{"exploitative_conditions.excessive_hours"}},
			field: "exploitation",
		},
		{
			name: "unknown profile option", rule: "Options.ProfileID must name a loaded profile",
			c: Case{Age: intp(30)}, opts: Options{ProfileID: "nope"}, sentinel: ErrUnknownProfile,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Screen(tt.c, tt.opts)
			if err == nil {
				t.Fatalf("%s: no error", tt.rule)
			}
			if tt.sentinel != nil {
				if !errors.Is(err, tt.sentinel) {
					t.Fatalf("%s: got %v, want %v", tt.rule, err, tt.sentinel)
				}
				return
			}
			wantInputError(t, err, tt.field, tt.code)
		})
	}
}

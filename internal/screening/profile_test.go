package screening

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEmbeddedProfiles(t *testing.T) {
	ps, err := DefaultProfiles()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rule       string
		id         string
		population string
		victimIf   []string
		counts     []int
	}{
		{"ILO-EC 2009 adult/labour list: 67 indicators in dimensions of 10, 10, 16, 9, 15, 7",
			"ilo-ec-2009-adult-labour", "adult", []string{"recruitment", "exploitation", "coercion"}, []int{10, 10, 16, 9, 15, 7}},
		{"ILO-EC 2009 child/labour list: 65 indicators in dimensions of 10, 10, 15, 8, 15, 7",
			"ilo-ec-2009-child-labour", "child", []string{"recruitment", "exploitation"}, []int{10, 10, 15, 8, 15, 7}},
	}
	if len(ps) != len(tests) {
		t.Fatalf("%d embedded profiles, want %d", len(ps), len(tests))
	}
	for i, tt := range tests {
		p := ps[i]
		if p.ID != tt.id || p.Population != tt.population || p.Exploitation != "labour" {
			t.Errorf("%s: got %s %s %s", tt.rule, p.ID, p.Population, p.Exploitation)
		}
		// The grades and combination rule come from secondary sources.
		if p.Provenance.Verified {
			t.Errorf("%s: embedded profile must stay unverified", tt.rule)
		}
		var counts []int
		total := 0
		for _, d := range p.Dimensions {
			counts = append(counts, len(d.Indicators))
			total += len(d.Indicators)
		}
		if !equalInts(counts, tt.counts) || total != p.IndicatorCount() {
			t.Errorf("%s: counts %v", tt.rule, counts)
		}
		if strings.Join(p.Rule.VictimIf, ",") != strings.Join(tt.victimIf, ",") {
			t.Errorf("%s: victim_if %v", tt.rule, p.Rule.VictimIf)
		}
		if len(p.Rule.DimensionPositiveIfAny) != 4 {
			t.Errorf("%s: want the 4 thresholds, got %v", tt.rule, p.Rule.DimensionPositiveIfAny)
		}
		if p.typesGroup() != "recruitment" {
			t.Errorf("%s: types group %q", tt.rule, p.typesGroup())
		}
	}
	if got := ps[0].IndicatorCount(); got != 67 {
		t.Errorf("adult list has %d indicators, want 67", got)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// mutate parses the embedded adult profile as generic JSON, applies f and
// re-encodes it, so each error case differs from a valid profile in one way.
func mutate(t *testing.T, f func(m map[string]any)) []byte {
	t.Helper()
	data, err := embeddedProfiles.ReadFile("profiles/ilo-ec-2009-adult-labour.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParseProfileErrors(t *testing.T) {
	dims := func(m map[string]any) []any { return m["dimensions"].([]any) }
	dim := func(m map[string]any, i int) map[string]any { return dims(m)[i].(map[string]any) }
	ind := func(m map[string]any, d, i int) map[string]any {
		return dim(m, d)["indicators"].([]any)[i].(map[string]any)
	}
	rule := func(m map[string]any) map[string]any { return m["rule"].(map[string]any) }
	tests := []struct {
		rule    string
		mutate  func(m map[string]any)
		wantErr string
	}{
		{"Profile validation: unknown fields are rejected", func(m map[string]any) { m["extra"] = 1 }, "unknown field"},
		{"Profile validation: id is required", func(m map[string]any) { m["id"] = "" }, "id"},
		{"Profile validation: population is adult or child", func(m map[string]any) { m["population"] = "elderly" }, "population"},
		{"Profile validation: exploitation is labour or sexual", func(m map[string]any) { m["exploitation"] = "other" }, "exploitation"},
		{"Profile validation: provenance source is required", func(m map[string]any) { m["provenance"].(map[string]any)["source"] = "" }, "provenance.source"},
		{"Profile validation: unique dimension ids", func(m map[string]any) { dim(m, 1)["id"] = "deceptive_recruitment" }, "duplicate dimension id"},
		{"Profile validation: unique indicator ids", func(m map[string]any) {
			ind(m, 0, 1)["id"] = "deceptive_recruitment.deceived_nature_of_job"
		}, "duplicate indicator id"},
		{"Profile validation: indicator id prefixed by its dimension id", func(m map[string]any) {
			ind(m, 0, 1)["id"] = "coercive_recruitment.deceived_conditions_of_work"
		}, "must be \"deceptive_recruitment.\""},
		{"Profile validation: grade is strong, medium or weak", func(m map[string]any) { ind(m, 0, 0)["grade"] = "very strong" }, "grade"},
		{"Profile validation: a dimension has indicators", func(m map[string]any) { dim(m, 0)["indicators"] = []any{} }, "no indicators"},
		{"Profile validation: threshold keys are strong, medium, weak, medium_or_weak", func(m map[string]any) {
			rule(m)["dimension_positive_if_any"] = []any{map[string]any{"strongish": 1}}
		}, "key \"strongish\""},
		{"Profile validation: a threshold must require something", func(m map[string]any) {
			rule(m)["dimension_positive_if_any"] = []any{map[string]any{"strong": 0}}
		}, "requires no indicators"},
		{"Profile validation: at least one threshold", func(m map[string]any) { rule(m)["dimension_positive_if_any"] = []any{} }, "dimension_positive_if_any is empty"},
		{"Profile validation: groups refer to existing dimensions", func(m map[string]any) {
			rule(m)["groups"].(map[string]any)["exploitation"] = []any{"no_such_dimension"}
		}, "no dimension \"no_such_dimension\""},
		{"Profile validation: victim_if refers to existing groups", func(m map[string]any) {
			rule(m)["victim_if"] = []any{"recruitment", "no_such_group"}
		}, "no group \"no_such_group\""},
		{"Profile validation: victim_if is not empty", func(m map[string]any) { rule(m)["victim_if"] = []any{} }, "victim_if is empty"},
		{"Profile validation: types_group refers to an existing group", func(m map[string]any) { rule(m)["types_group"] = "nope" }, "types_group"},
		{"Profile validation: grades are strings", func(m map[string]any) { ind(m, 0, 0)["grade"] = 3 }, "cannot unmarshal"},
	}
	for _, tt := range tests {
		_, err := ParseProfile(mutate(t, tt.mutate))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: got %v, want error containing %q", tt.rule, err, tt.wantErr)
		}
	}
	if _, err := ParseProfile(append(mutate(t, func(map[string]any) {}), []byte(" {}")...)); err == nil {
		t.Error("Profile validation: trailing data is rejected")
	}
	if _, err := ParseProfile(mutate(t, func(map[string]any) {})); err != nil {
		t.Errorf("unchanged profile must parse: %v", err)
	}
}

func TestLoadProfileFileAndEngine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	if err := os.WriteFile(path, syntheticProfile("authority-adult-sexual", "adult", "sexual", true, ""), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := LoadProfileFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadProfileFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file must be an error")
	}
	e := engineWith(t, p)
	// The engine keeps its own copy: later changes to p do not affect it.
	p.Rule.VictimIf = []string{"nope"}
	r, err := e.Screen(Case{Age: intp(30), Exploitation: "sexual", Indicators: []string{"a.s1", "a.s2", "c.s1", "c.s2"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Indicators.Profile != "authority-adult-sexual" || !r.Indicators.Verified || r.Indicators.Verdict != VerdictVictim {
		t.Errorf("loaded verified profile: %+v", r.Indicators)
	}
	if hasWarning(r, WarnProfileUnverified) || hasWarning(r, WarnNoSexualProfile) {
		t.Errorf("warnings %v", warningCodes(r))
	}

	ps, _ := DefaultProfiles()
	if _, err := NewEngine(append(ps, ps[0]), nil); err == nil || !strings.Contains(err.Error(), "duplicate profile id") {
		t.Errorf("duplicate profile ids: %v", err)
	}
	bad := *ps[0]
	bad.Rule.VictimIf = []string{"missing"}
	if _, err := NewEngine([]*Profile{&bad}, nil); err == nil {
		t.Error("NewEngine must validate profiles built in Go")
	}
	de := defaultEngine(t)
	if got := strings.Join(de.ProfileIDs(), ","); got != "ilo-ec-2009-adult-labour,ilo-ec-2009-child-labour" {
		t.Errorf("ProfileIDs %s", got)
	}
}

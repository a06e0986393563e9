package screening

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDecodeCase(t *testing.T) {
	tests := []struct {
		name, rule  string
		in          string
		field, code string // expected InputError; field "-" means success
	}{
		{"full", "Input: every field decodes",
			`{"age": 16, "may_be_child": false, "exploitation": "labour", "acts": ["recruitment"], "means": ["fraud"],
			  "purposes": ["forced_labour", "forced_begging"], "unknown": ["means"], "indicators": ["deceptive_recruitment.deceived_wages"],
			  "smuggling": {"irregular_border_crossing": true, "paid_facilitator": true, "consented_to_movement": false}}`, "-", ""},
		{"null age", "Input: age may be null", `{"age": null, "may_be_child": true}`, "-", ""},
		{"empty object", "Input: every field is optional", `{}`, "-", ""},
		{"age 0", "Age bounds: 0 is accepted", `{"age": 0}`, "-", ""},
		{"age 130", "Age bounds: 130 is accepted", `{"age": 130}`, "-", ""},
		{"age -1", "Age bounds: negative ages are rejected", `{"age": -1}`, "age", "-1"},
		{"age 131", "Age bounds: ages over 130 are rejected", `{"age": 131}`, "age", "131"},
		{"age fraction", "Input: age is an integer", `{"age": 12.5}`, "age", ""},
		{"age string", "Input: age is a number, not a string", `{"age": "12"}`, "age", ""},
		{"unknown field", "Input: unknown fields are rejected", `{"agee": 12}`, "agee", ""},
		{"unknown nested field", "Input: unknown fields inside smuggling are rejected", `{"smuggling": {"paid": true}}`, "paid", ""},
		{"smuggling type", "Input: smuggling facts are booleans", `{"smuggling": {"paid_facilitator": "yes"}}`, "smuggling.paid_facilitator", ""},
		{"unknown act", "Input: unknown act codes are rejected", `{"acts": ["recruitment", "kidnap"]}`, "acts", "kidnap"},
		{"unknown means", "Input: unknown means codes are rejected", `{"means": ["bribery"]}`, "means", "bribery"},
		{"unknown purpose", "Input: unknown purpose codes are rejected", `{"purposes": ["forced_labor"]}`, "purposes", "forced_labor"},
		{"unknown element", "Input: unknown lists only act, means, purpose", `{"unknown": ["age"]}`, "unknown", "age"},
		{"bad indicator", "Input: indicator ids have the form dimension.indicator", `{"indicators": ["nodot"]}`, "indicators", "nodot"},
		{"bad exploitation", "Input: exploitation is labour or sexual", `{"exploitation": "both"}`, "exploitation", "both"},
		{"list type", "Input: codes are a list of strings", `{"acts": "recruitment"}`, "acts", ""},
		{"trailing", "Input: exactly one JSON object", `{} {}`, "", ""},
		{"array", "Input: the case is an object", `[]`, "", ""},
		{"null", "Input: the case is an object, not null", `null`, "", ""},
		{"empty", "Input: empty input is rejected", ``, "", ""},
		{"truncated", "Input: truncated JSON is rejected", `{"age": 1`, "", ""},
		{"too large", "Input: cases over 64 KiB are rejected", `{"acts": [` + strings.Repeat(`"recruitment",`, 6000) + `"recruitment"]}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := DecodeCase(strings.NewReader(tt.in))
			if tt.field == "-" {
				if err != nil {
					t.Fatalf("%s: %v", tt.rule, err)
				}
				if err := c.Validate(); err != nil {
					t.Fatalf("%s: decoded case does not validate: %v", tt.rule, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("%s: no error for %.60s", tt.rule, tt.in)
			}
			wantInputError(t, err, tt.field, tt.code)
		})
	}
}

func TestDecodeCaseFields(t *testing.T) {
	c, err := DecodeCase(strings.NewReader(`{"age": 16, "exploitation": "sexual", "unknown": ["purpose"],
		"smuggling": {"irregular_border_crossing": true}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Age == nil || *c.Age != 16 || c.Exploitation != "sexual" || c.Unknown[0] != "purpose" || !c.Smuggling.IrregularBorderCrossing {
		t.Errorf("decoded %+v", c)
	}
	var ie *InputError
	_, err = DecodeCase(strings.NewReader(`{"means": ["fraud", "magic"]}`))
	if !errors.As(err, &ie) || ie.Error() != `screening: means: "magic": unknown means code` {
		t.Errorf("error text %v", err)
	}
}

func TestScreenValidatesGoCases(t *testing.T) {
	e := defaultEngine(t)
	tests := []struct {
		rule        string
		c           Case
		field, code string
	}{
		{"Age bounds: Screen rejects ages over 130", Case{Age: intp(200)}, "age", "200"},
		{"Age bounds: Screen rejects negative ages", Case{Age: intp(-5)}, "age", "-5"},
		{"Input: Screen rejects unknown codes", Case{Purposes: []string{"x"}}, "purposes", "x"},
	}
	for _, tt := range tests {
		_, err := e.Screen(tt.c, Options{})
		wantInputError(t, err, tt.field, tt.code)
	}
}

// The same facts in any order, with duplicates, give byte-identical output.
func TestDeterministic(t *testing.T) {
	e := defaultEngine(t)
	a := Case{MayBeChild: true, Exploitation: "labour",
		Acts: []string{"transfer", "recruitment"}, Means: []string{"fraud", "deception"}, Purposes: []string{"servitude", "forced_labour", "forced_begging"},
		Indicators: []string{"exploitative_conditions.low_or_no_salary", "deceptive_recruitment.deceived_wages", "exploitative_conditions.excessive_hours", "deceptive_recruitment.deceived_nature_of_job"},
		Smuggling:  SmugglingFacts{IrregularBorderCrossing: true, PaidFacilitator: true}}
	b := a
	b.Acts = []string{"recruitment", "transfer", "recruitment"}
	b.Means = []string{"deception", "fraud"}
	b.Purposes = []string{"forced_begging", "forced_labour", "servitude"}
	b.Indicators = []string{"deceptive_recruitment.deceived_nature_of_job", "exploitative_conditions.excessive_hours", "deceptive_recruitment.deceived_wages", "exploitative_conditions.low_or_no_salary"}
	var out [][]byte
	for _, c := range []Case{a, b, a} {
		r, err := e.Screen(c, Options{Jurisdiction: "NP"})
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	if !bytes.Equal(out[0], out[1]) || !bytes.Equal(out[0], out[2]) {
		t.Errorf("output differs:\n%s\n%s", out[0], out[1])
	}
	// Lists are never null in the output, so clients need not check.
	if bytes.Contains(out[0], []byte("null")) {
		t.Errorf("null in output: %s", out[0])
	}
}

func FuzzDecodeAndScreen(f *testing.F) {
	seeds := []string{
		`{}`,
		`{"age": null, "may_be_child": true, "exploitation": "labour", "acts": ["recruitment"], "purposes": ["forced_labour"],
		  "indicators": ["deceptive_recruitment.deceived_nature_of_job", "exploitative_conditions.excessive_hours"]}`,
		`{"age": 30, "exploitation": "sexual", "means": ["fraud"], "unknown": ["act", "purpose"],
		  "smuggling": {"irregular_border_crossing": true, "paid_facilitator": true, "consented_to_movement": true}}`,
		`{"age": 15, "acts": ["transfer"], "purposes": ["sexual_exploitation", "forced_begging"]}`,
		`{"age": 131}`,
		`{"indicators": ["a.b"]}`,
		`[1, 2]`,
		`{"age": 1e400}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint8(0))
	}
	e := defaultEngine(f)
	jurs := append([]string{""}, e.JurisdictionCodes()...)
	profiles := append([]string{""}, e.ProfileIDs()...)
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		c, err := DecodeCase(bytes.NewReader(data))
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("decode error is not an *InputError: %v", err)
			}
			return
		}
		opts := Options{Jurisdiction: jurs[int(sel)%len(jurs)], ProfileID: profiles[int(sel/8)%len(profiles)]}
		r, err := e.Screen(c, opts)
		if err != nil {
			return
		}
		if r.Protocol.Verdict == "" || r.Classification == "" || r.Indicators.Verdict == "" || r.Smuggling.Verdict == "" || r.National.Verdict == "" {
			t.Fatalf("incomplete result %+v", r)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/screening"
)

func runScreenForTest(t *testing.T, args []string, in string) (screening.Result, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := runScreen(args, strings.NewReader(in), &stdout, &stderr)
	var r screening.Result
	if err == nil {
		if jerr := json.Unmarshal(stdout.Bytes(), &r); jerr != nil {
			t.Fatalf("output is not a result: %v\n%s", jerr, stdout.String())
		}
		if !strings.Contains(stdout.String(), "\n  \"protocol\": {") {
			t.Errorf("output is not indented:\n%s", stdout.String())
		}
	}
	return r, stderr.String(), err
}

func TestRunScreen(t *testing.T) {
	r, _, err := runScreenForTest(t, nil,
		`{"age": 15, "acts": ["recruitment"], "purposes": ["sexual_exploitation"], "exploitation": "sexual"}`)
	if err != nil {
		t.Fatal(err)
	}
	if r.Protocol.Verdict != "meets" || r.Classification != "presumed_trafficking" || r.National.Jurisdiction != "protocol" {
		t.Errorf("result %+v", r)
	}
	if r.Indicators.Verdict != "no_profile" || r.Indicators.Profile != "" {
		t.Errorf("no sexual profile is shipped: %+v", r.Indicators)
	}

	r, _, err = runScreenForTest(t, []string{"--jurisdiction", "NP"},
		`{"age": 15, "acts": ["recruitment"], "purposes": ["sexual_exploitation"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if r.National.Jurisdiction != "NP" || r.National.Verdict != "not_met" {
		t.Errorf("national %+v", r.National)
	}
}

func TestRunScreenProfileFile(t *testing.T) {
	profile := `{
	  "id": "authority-adult-sexual", "title": "Test profile", "population": "adult", "exploitation": "sexual",
	  "provenance": {"source": "test fixture", "verified": true},
	  "dimensions": [{"id": "d", "label": "D", "indicators": [
	    {"id": "d.one", "label": "one", "grade": "strong"}, {"id": "d.two", "label": "two", "grade": "strong"}]}],
	  "rule": {"dimension_positive_if_any": [{"strong": 2}], "groups": {"all": ["d"]}, "victim_if": ["all"]}
	}`
	path := filepath.Join(t.TempDir(), "profile.json")
	if err := os.WriteFile(path, []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	r, _, err := runScreenForTest(t, []string{"--profile", path},
		`{"age": 30, "exploitation": "sexual", "indicators": ["d.one", "d.two"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if r.Indicators.Profile != "authority-adult-sexual" || !r.Indicators.Verified || r.Indicators.Verdict != "victim" {
		t.Errorf("indicators %+v", r.Indicators)
	}

	// A loaded profile with the id of an embedded one replaces it.
	data, err := os.ReadFile(filepath.Join("..", "..", "internal", "screening", "profiles", "ilo-ec-2009-adult-labour.json"))
	if err != nil {
		t.Fatal(err)
	}
	replaced := filepath.Join(t.TempDir(), "adult.json")
	if err := os.WriteFile(replaced, bytes.Replace(data, []byte(`"verified": false`), []byte(`"verified": true`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	r, _, err = runScreenForTest(t, []string{"--profile", replaced}, `{"age": 30, "exploitation": "labour"}`)
	if err != nil {
		t.Fatal(err)
	}
	if r.Indicators.Profile != "ilo-ec-2009-adult-labour" || !r.Indicators.Verified {
		t.Errorf("replaced profile %+v", r.Indicators)
	}
}

func TestRunScreenErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"id": "x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		in   string
		want string
	}{
		{"unknown flag", []string{"--nope"}, `{}`, "flag provided but not defined"},
		{"extra argument", []string{"case.json"}, `{}`, "unexpected argument"},
		{"unknown jurisdiction", []string{"--jurisdiction", "ZZ"}, `{}`, "unknown jurisdiction"},
		{"missing profile file", []string{"--profile", filepath.Join(t.TempDir(), "missing.json")}, `{}`, "no such file"},
		{"invalid profile file", []string{"--profile", bad}, `{}`, "profile"},
		{"invalid JSON", nil, `{`, "invalid JSON"},
		{"unknown code", nil, `{"acts": ["kidnap"]}`, `acts: "kidnap"`},
		{"unknown indicator", nil, `{"age": 30, "exploitation": "labour", "indicators": ["a.b"]}`, `indicators: "a.b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runScreen(tt.args, strings.NewReader(tt.in), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want error containing %q", err, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("output on error: %s", stdout.String())
			}
		})
	}
	var ie *screening.InputError
	err := runScreen(nil, strings.NewReader(`{"age": 200}`), &bytes.Buffer{}, &bytes.Buffer{})
	if !errors.As(err, &ie) || ie.Field != "age" {
		t.Errorf("input errors keep their type: %v", err)
	}
}

func TestRunScreenHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := runScreen([]string{"-h"}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "usage: haven screen") || !strings.Contains(stderr.String(), "-jurisdiction") {
		t.Errorf("usage: %s", stderr.String())
	}
}

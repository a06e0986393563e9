package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/errs"
)

// TestInitAndScriptedSetUp runs the documented set-up commands on an
// empty data folder: init prints a one-time setup link and no password,
// a second init is refused, and jurisdictions, agencies and invitations
// are made from the command line with --json output (issue 12).
func TestInitAndScriptedSetUp(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	run := func(args ...string) (string, error) {
		e, out := userEnv(data, "")
		err := commands()[args[0]].run(ctx, e, args[1:])
		return out.String(), err
	}
	out, err := run("init", "--country", "NP", "--time-zone", "Asia/Kathmandu", "--username", "root", "--name", "First Admin")
	if err != nil || !strings.Contains(out, "/enrol/") || strings.Contains(strings.ToLower(out), "password (shown once)") {
		t.Fatalf("init: %v\n%s", err, out)
	}
	if _, err := run("init", "--country", "NP", "--time-zone", "Asia/Kathmandu", "--username", "root2", "--name", "Second"); !errs.Is(err, errs.Conflict) {
		t.Errorf("second init: %v", err)
	}
	out, err = run("jurisdiction", "add", "--code", "NP-P4", "--parent", "NP", "--name", "Gandaki", "--time-zone", "Asia/Kathmandu", "--rg-working-days", "7", "--json")
	var j jurisdictionJSON
	if err != nil || json.Unmarshal([]byte(out), &j) != nil || j.Code != "NP-P4" || j.RGWorkingDays != 7 || j.Parent == "" {
		t.Fatalf("jurisdiction add: %v %s", err, out)
	}
	if out, err = run("jurisdiction", "update", "--code", "NP-P4", "--negative-rg-review", "no", "--json"); err != nil ||
		json.Unmarshal([]byte(out), &j) != nil || j.NegativeRGReview == nil || *j.NegativeRGReview || j.RGWorkingDays != 7 || j.Version != 2 {
		t.Fatalf("jurisdiction update: %v %s", err, out)
	}
	out, err = run("agency", "add", "--jurisdiction", "NP", "--kind", "competent_authority", "--name", "Competent Authority",
		"--name-in", "ne=सक्षम निकाय", "--designations", "competent_authority", "--json")
	var a agencyJSON
	if err != nil || json.Unmarshal([]byte(out), &a) != nil || a.Names["ne"] != "सक्षम निकाय" || len(a.Designations) != 1 {
		t.Fatalf("agency add: %v %s", err, out)
	}
	out, err = run("user", "invite", "--username", "ca.officer", "--name", "CA Officer", "--role", "competent_authority", "--agency", a.ID, "--json")
	var l linkJSON
	if err != nil || json.Unmarshal([]byte(out), &l) != nil || !strings.Contains(l.Link, "/enrol/") || l.Role != "competent_authority" {
		t.Fatalf("user invite: %v %s", err, out)
	}
	if _, err := run("agency", "add", "--jurisdiction", "NP", "--kind", "bakery", "--name", "X"); !errs.Is(err, errs.Invalid) {
		t.Errorf("agency of unknown kind: %v", err)
	}
	out, err = run("agency", "list", "--json")
	var as []agencyJSON
	if err != nil || json.Unmarshal([]byte(out), &as) != nil || len(as) != 2 {
		t.Fatalf("agency list: %v %s", err, out)
	}
}

// TestDoctor: haven doctor finds what an operator must fix — a key file
// others may read, a base URL that is not https, an instance without
// accounts — and passes once they are fixed (issue 12, "Operations").
func TestDoctor(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	run := func(args ...string) ([]check, error) {
		e, out := userEnv(data, "")
		err := commands()[args[0]].run(ctx, e, args[1:])
		var cs []check
		if args[0] == "doctor" {
			if jerr := json.Unmarshal(out.Bytes(), &cs); jerr != nil {
				t.Fatalf("doctor --json: %v\n%s", jerr, out)
			}
		}
		return cs, err
	}
	status := func(cs []check) map[string]string {
		m := map[string]string{}
		for _, c := range cs {
			m[c.Name] = c.Status
		}
		return m
	}
	if _, err := run("migrate"); err != nil {
		t.Fatal(err)
	}
	cs, err := run("doctor", "--json", "--base-url", "http://haven.example")
	st := status(cs)
	if err == nil || st["base url"] != checkFail || st["accounts"] != checkFail || st["database"] != checkOK || st["migrations"] != checkOK {
		t.Errorf("doctor on a fresh instance: %v %v", err, cs)
	}
	if _, err := run("init", "--country", "MN", "--time-zone", "Asia/Ulaanbaatar", "--username", "root", "--name", "Root"); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(data, "master.key"), 0o644); err != nil {
		t.Fatal(err)
	}
	cs, err = run("doctor", "--json", "--base-url", "https://haven.example")
	if st := status(cs); err == nil || st["master key"] != checkFail || st["base url"] != checkOK || st["accounts"] != checkOK {
		t.Errorf("doctor with a readable key: %v %v", err, cs)
	}
	if err := os.Chmod(filepath.Join(data, "master.key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if cs, err = run("doctor", "--json", "--base-url", "https://haven.example"); err != nil {
		t.Errorf("doctor on a sound instance: %v %v", err, cs)
	}
}

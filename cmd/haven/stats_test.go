package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/stats"
)

// TestStatsCommands runs the statistics commands as an operator would on a
// demo: a table as JSON with withheld cells marked, a refused dimension, a
// the process measures as JSON and text, flows as a table, a release drafted by the analyst, refused to its drafter, approved by the
// competent authority and verified, and the CTDC export with its report.
func TestStatsCommands(t *testing.T) {
	data := filepath.Join(t.TempDir(), "demo")
	if r := haven(t, "", "demo", "--data", data, "--cases", "400", "--seed", "14", "--no-serve"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	r := haven(t, "", "stats", "table", "--data", data, "--by", "gender,age_band", "--json")
	var tab stats.Table
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &tab) != nil || tab.K != 11 || len(tab.Rows) == 0 {
		t.Fatalf("stats table: %+v", r)
	}
	if !strings.Contains(r.stdout, `"suppressed": "primary"`) {
		t.Fatalf("400 cases by gender and age have no withheld cell: %s", r.stdout)
	}
	if r := haven(t, "", "stats", "table", "--data", data, "--by", "gender"); r.code != 0 || !strings.Contains(r.stdout, "Feminine") || !strings.Contains(r.stdout, "k = 11") {
		t.Fatalf("stats table as text: %+v", r)
	}
	if r := haven(t, "", "stats", "table", "--data", data, "--by", "name"); r.code != 1 || !strings.Contains(r.stderr, "dimension") {
		t.Fatalf("unknown dimension: %+v", r)
	}
	r = haven(t, "", "stats", "measures", "--data", data, "--by", "year", "--json")
	var m stats.Measures
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &m) != nil || m.K != 11 || len(m.Timing) != 2 || len(m.Flows.Rows) == 0 || len(m.Services.Rows) == 0 {
		t.Fatalf("stats measures: %+v", r)
	}
	if r := haven(t, "", "stats", "measures", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "median days") || !strings.Contains(r.stdout, "trafficking") {
		t.Fatalf("stats measures as text: %+v", r)
	}
	if r := haven(t, "", "stats", "measures", "--data", data, "--by", "gender"); r.code != 1 || !strings.Contains(r.stderr, "dimension") {
		t.Fatalf("measures by an unknown grouping: %+v", r)
	}
	if r := haven(t, "", "stats", "table", "--data", data, "--by", "citizenship,exploitation_country", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"exploitation_country"`) {
		t.Fatalf("flows as a table: %+v", r)
	}
	r = haven(t, "", "stats", "release", "draft", "--data", data, "--as", "demo.analyst", "--title", "Referrals", "--tables", "gender;exploitation", "--period", "2025")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "release ") {
		t.Fatalf("draft: %+v", r)
	}
	id := strings.Fields(r.stdout)[1]
	if r := haven(t, "", "stats", "release", "approve", "--data", data, "--as", "demo.analyst", "--id", id); r.code != 1 || !strings.Contains(r.stderr, "same_person") {
		t.Fatalf("the drafter approved: %+v", r)
	}
	if r := haven(t, "", "stats", "release", "approve", "--data", data, "--as", "demo.competent_authority", "--id", id); r.code != 0 || !strings.Contains(r.stdout, "published") {
		t.Fatalf("approve: %+v", r)
	}
	if r := haven(t, "", "stats", "release", "verify", "--data", data, "--id", id); r.code != 0 || !strings.Contains(r.stdout, "verifies") {
		t.Fatalf("verify: %+v", r)
	}
	if r := haven(t, "", "stats", "release", "show", "--data", data, "--id", id, "--format", "csv"); r.code != 0 || !strings.HasPrefix(r.stdout, "table,dimensions") {
		t.Fatalf("show: %+v", r)
	}
	r = haven(t, "", "stats", "export-ctdc", "--data", data)
	if r.code != 0 || !strings.HasPrefix(r.stdout, strings.Join(stats.CTDCColumns, ",")) || !strings.Contains(r.stderr, "withheld, k = 11") {
		t.Fatalf("export-ctdc: code %d, %q", r.code, r.stderr)
	}
}

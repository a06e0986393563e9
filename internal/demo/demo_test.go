package demo_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// TestDemoHasCalendarsAndDesignations: a newcomer's demo shows what a
// real set-up has — every jurisdiction a calendar version of its
// country's sample holidays (unverified), which the demo's records count
// with, and agencies with their designations, the competent authority's,
// the child-protection office's and the police unit's among them (issue
// 12).
func TestDemoHasCalendarsAndDesignations(t *testing.T) {
	db := testenv.OpenMigrated(t, testenv.FreshSQLite(t))
	ctx := context.Background()
	if _, err := demo.Generate(ctx, db, demo.Options{Seed: 5, Cases: 40, PasswordParams: &auth.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}}); err != nil {
		t.Fatal(err)
	}
	js, err := db.Jurisdictions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]bool{}
	for _, j := range js {
		v, ok, err := store.LatestCalendar(ctx, db.R(), j.ID)
		if err != nil || !ok || len(v.Holidays) == 0 || v.Verified || v.Version != 1 {
			t.Errorf("%s: calendar %+v %v %v", j.Code, v.Version, ok, err)
		}
		versions[v.ID] = true
	}
	as, err := db.AllAgencySettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	designated := map[string]int{}
	for _, a := range as {
		if a.Designations == "" && a.Kind != "education" { // no part in the mechanism's designations
			t.Errorf("agency %s (%s) has no designation", a.Name, a.Kind)
		}
		for _, d := range strings.Split(a.Designations, ",") {
			designated[d]++
		}
	}
	for _, d := range []string{"competent_authority", "child_protection", "police"} {
		if designated[d] != len(js) {
			t.Errorf("%d agencies designated %s, want one per jurisdiction (%d)", designated[d], d, len(js))
		}
	}
	rows, err := db.R().QueryContext(ctx, `SELECT decision FROM cases`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			t.Fatal(err)
		}
		var rec casework.Record
		if err := json.Unmarshal([]byte(doc), &rec); err != nil {
			t.Fatal(err)
		}
		if !versions[rec.CalendarVersion] {
			t.Errorf("a demo record counts with calendar %q, not its jurisdiction's", rec.CalendarVersion)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no cases")
	}
}

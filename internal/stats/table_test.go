package stats

import (
	"context"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

var demoNow = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)

// fixture is a demo instance of n cases and its statistics service.
func fixture(t *testing.T, db *store.DB, n int) *Service {
	t.Helper()
	cheap := auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}
	if _, err := demo.Generate(context.Background(), db, demo.Options{Seed: 14, Cases: n, Now: demoNow, PasswordParams: &cheap}); err != nil {
		t.Fatal(err)
	}
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	return New(db, keys, func() time.Time { return demoNow })
}

// eachFixture runs fn on each engine with a service over a demo of n
// cases (fixture).
func eachFixture(t *testing.T, n int, fn func(t *testing.T, s *Service)) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) { fn(t, fixture(t, db, n)) })
}

// fixtureService is a service over db with a fresh keyring, for checks
// that need no data.
func fixtureService(db *store.DB) *Service {
	keys, err := seal.NewKeyring()
	if err != nil {
		panic(err)
	}
	return New(db, keys, func() time.Time { return demoNow })
}

var analyst = access.Principal{UserID: "u-analyst", Role: access.Analyst, AgencyID: "a", JurisdictionID: "j"}

// raw counts cases by the given columns straight from the engine: the
// oracle the published cells are checked against.
func raw(t *testing.T, db *store.DB, cols string) map[string]int64 {
	t.Helper()
	return rawCounts(t, db, `SELECT `+cols+`, count(*) FROM cases GROUP BY `+cols)
}

// rawCounts runs query, whose rows are two labels and a count, and returns
// the counts by "label|label".
func rawCounts(t *testing.T, db *store.DB, query string) map[string]int64 {
	t.Helper()
	rows, err := db.R().QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var a, b string
		var n int64
		if err := rows.Scan(&a, &b, &n); err != nil {
			t.Fatal(err)
		}
		out[a+"|"+b] = n
	}
	return out
}

// TestTableDisclosure: on both engines, a two-way table of the demo's
// cases publishes no cell below k, marks every withheld cell (never as
// zero), agrees with the raw GROUP BY wherever perturbation is off, and with
// cell-key perturbation gives the same people the same number whichever
// table they are counted in.
func TestTableDisclosure(t *testing.T) {
	eachFixture(t, 500, func(t *testing.T, s *Service) {
		ctx := t.Context()
		truth := raw(t, s.db, "gender, age_band")
		var keyless, distinct int
		if err := s.db.R().QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE stat_key = 0`).Scan(&keyless); err != nil || keyless != 0 {
			t.Fatalf("%d cases without a record key (%v)", keyless, err)
		}
		if err := s.db.R().QueryRowContext(ctx, `SELECT count(DISTINCT stat_key) FROM cases`).Scan(&distinct); err != nil || distinct < 490 {
			t.Fatalf("record keys are not random: %d distinct of 500 (%v)", distinct, err)
		}

		s.perturb = false
		tab, err := s.Table(ctx, analyst, TableInput{By: "gender,age_band"})
		if err != nil {
			t.Fatal(err)
		}
		if tab.K != 11 || len(tab.Rows) == 0 || len(tab.Columns) == 0 {
			t.Fatalf("table %+v", tab)
		}
		suppressed := 0
		for _, r := range tab.Rows {
			for j, c := range r.Cells {
				want := truth[r.Labels[0]+"|"+tab.Columns[j]]
				v, ok := c.Value()
				switch {
				case !ok:
					suppressed++
					if c.Suppressed == "" {
						t.Fatal("a withheld cell is not marked")
					}
					if c.Suppressed == "primary" && (want == 0 || want >= 11) {
						t.Fatalf("cell %v/%s = %d marked primary", r.Labels, tab.Columns[j], want)
					}
				case v > 0 && v < 11:
					t.Fatalf("published %d below k", v)
				case v != want:
					t.Fatalf("cell %v/%s published %d, raw %d", r.Labels, tab.Columns[j], v, want)
				}
			}
		}
		if suppressed == 0 {
			t.Fatal("the demo's gender × age table has no small cells: the test checks nothing")
		}
		var all int64
		for _, n := range truth {
			all += n
		}
		if v, ok := tab.Total.Value(); !ok || v != all {
			t.Fatalf("grand total %v, raw %d", tab.Total, all)
		}

		s.perturb = true
		a, err := s.Table(ctx, analyst, TableInput{By: "gender"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Table(ctx, analyst, TableInput{By: "age_band,exploitation"})
		if err != nil {
			t.Fatal(err)
		}
		ta, _ := a.Total.Value()
		tb, _ := b.Total.Value()
		if ta != tb || a.Method != "suppression+cell_key" {
			t.Fatalf("the same people got %d and %d in two tables", ta, tb)
		}
		if d := ta - all; d < -2 || d > 2 {
			t.Fatalf("perturbed total %d, true %d", ta, all)
		}
		for _, r := range b.Rows {
			for _, c := range append(r.Cells, r.Total) {
				if v, ok := c.Value(); ok && v > 0 && v < 11 {
					t.Fatalf("published %d below k", v)
				}
			}
		}
		again, _ := s.Table(ctx, analyst, TableInput{By: "gender"})
		for i := range a.Rows[0].Cells {
			x, _ := a.Rows[0].Cells[i].Value()
			y, _ := again.Rows[0].Cells[i].Value()
			if x != y {
				t.Fatal("asking twice gave two answers")
			}
		}
	})
}

// TestTableScopeAndPeriod: the competent authority's tables cover its
// jurisdiction; a period restricts by the referral's date; year and
// quarter are dimensions.
func TestTableScopeAndPeriod(t *testing.T) {
	eachFixture(t, 800, func(t *testing.T, s *Service) {
		ctx := t.Context()
		s.perturb = false
		js, err := s.db.Jurisdictions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ca := access.Principal{UserID: "u", Role: access.CompetentAuthority, AgencyID: "x", JurisdictionID: js[0].ID}
		tab, err := s.Table(ctx, ca, TableInput{By: "jurisdiction"})
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Columns) != 1 || tab.Columns[0] != js[0].ID {
			t.Fatalf("the authority's table covers %v", tab.Columns)
		}
		years, err := s.Table(ctx, analyst, TableInput{By: "year"})
		if err != nil {
			t.Fatal(err)
		}
		if len(years.Columns) < 3 || years.Columns[0] != "2023" {
			t.Fatalf("years %v", years.Columns)
		}
		q, err := s.Table(ctx, analyst, TableInput{By: "quarter", Period: "2025"})
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Columns) != 4 || q.Columns[0] != "2025-Q1" || q.Columns[3] != "2025-Q4" {
			t.Fatalf("quarters of 2025: %v", q.Columns)
		}
		y2025, _ := years.Rows[0].Cells[2].Value()
		qt, _ := q.Total.Value()
		if years.Columns[2] != "2025" || y2025 != qt {
			t.Fatalf("2025 by year %d, by quarters %d", y2025, qt)
		}
		if _, err := s.Table(ctx, access.Principal{UserID: "u", Role: access.CaseWorker}, TableInput{By: "gender"}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a case worker asked for statistics: %v", err)
		}
	})
}

// TestParseTable: requests outside the dimensions, the restriction syntax
// or the period syntax are refused with a code and nothing run.
func TestParseTable(t *testing.T) {
	good := []TableInput{
		{By: "gender"}, {By: "gender, age_band,citizenship"}, {By: ""},
		{By: "year", Where: "exploitation=ForcedLabour,gender=Feminine", Period: "2024..2025"},
		{By: "quarter", Period: "2025-Q2"},
	}
	for _, in := range good {
		if _, err := ParseTable(in); err != nil {
			t.Errorf("%+v: %v", in, err)
		}
	}
	bad := map[Code][]TableInput{
		CodeDimension: {{By: "name"}, {By: "gender,gender"}, {By: "narrative"}},
		CodeTooMany:   {{By: "gender,age_band,citizenship,year"}},
		CodeWhere:     {{Where: "gender"}, {Where: "name=x"}, {Where: "gender=<script>"}, {Where: "year=2025"}},
		CodePeriod:    {{Period: "2025-Q5"}, {Period: "25"}, {Period: "2026..2025"}, {Period: "last year"}},
	}
	for code, ins := range bad {
		for _, in := range ins {
			if _, err := ParseTable(in); errs.CodeOf[Code](err) != code {
				t.Errorf("%+v: %v, want %s", in, err, code)
			}
		}
	}
}

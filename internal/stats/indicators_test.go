package stats

import (
	"context"
	"testing"

	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// TestIndicators: each indicator's value is its numerator over its
// denominator from the published counts, compared with its target; the
// registry refuses a malformed definition.
func TestIndicators(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := fixture(t, db, 2000)
		s.perturb = false
		vs, err := s.IndicatorsFor(ctx, analyst, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != len(Indicators) {
			t.Fatalf("%d values for %d indicators", len(vs), len(Indicators))
		}
		var children, all int64
		if err := db.R().QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE age_band IN ('0-8', '9-17')`).Scan(&children); err != nil {
			t.Fatal(err)
		}
		if err := db.R().QueryRowContext(ctx, `SELECT count(*) FROM cases`).Scan(&all); err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.ID == "child_share" {
				if v.Value == nil || *v.Numerator != children || *v.Denominator != all {
					t.Fatalf("child share %+v, want %d / %d", v, children, all)
				}
			}
			if v.ID == "decided_share" && (v.Target == nil || *v.Target != 0.9 || v.Met == "") {
				t.Fatalf("decided share has no target or status: %+v", v)
			}
		}
	})
	for _, bad := range []IndicatorDef{
		{ID: "child_share", Dimension: "age_band", Numerator: []string{"0-8"}, Direction: "info"},
		{ID: "x1", Dimension: "name", Numerator: []string{"a"}, Direction: "info"},
		{ID: "x2", Dimension: "gender", Direction: "info"},
		{ID: "x3", Dimension: "gender", Numerator: []string{"Feminine"}, Direction: "up"},
		{ID: "x4", Dimension: "gender", Numerator: []string{"Feminine"}, Direction: "higher", Targets: map[string]float64{"*": 2}},
	} {
		if err := RegisterIndicators(bad); err == nil {
			t.Errorf("registered %+v", bad)
		}
	}
}

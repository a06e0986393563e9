package stats

import (
	"context"
	"sync"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
)

// TestIndicators: each indicator's value is its numerator over its
// denominator from the published counts, compared with its target; the
// registry refuses a malformed definition.
func TestIndicators(t *testing.T) {
	eachFixture(t, 2000, func(t *testing.T, s *Service) {
		ctx := t.Context()
		s.perturb = false
		vs, err := s.IndicatorsFor(ctx, analyst, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != len(Indicators) {
			t.Fatalf("%d values for %d indicators", len(vs), len(Indicators))
		}
		var children, all int64
		if err := s.db.R().QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE age_band IN ('0-8', '9-17')`).Scan(&children); err != nil {
			t.Fatal(err)
		}
		if err := s.db.R().QueryRowContext(ctx, `SELECT count(*) FROM cases`).Scan(&all); err != nil {
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

// measures is a measure source with fixed values, and the scope it was
// asked for.
type measures struct {
	m        map[string]int64
	jid, aid string
}

func (f *measures) Measures(_ context.Context, jid, aid string) (map[string]int64, error) {
	f.jid, f.aid = jid, aid
	return f.m, nil
}

var registerMeasured sync.Once

// TestMeasuredIndicators: an indicator of a measure source (a local
// government's records) is its numerator over its denominator times its
// scale, against its target; a measure that counts people is withheld
// below k (disclosure.Suppress), so the value is withheld too; a
// competent authority's source is asked for its jurisdiction; a source
// not added leaves the value empty; malformed definitions are refused.
func TestMeasuredIndicators(t *testing.T) {
	registerMeasured.Do(func() {
		err := RegisterIndicators(
			IndicatorDef{ID: "T-done", From: "t", Numerator: []string{"done"}, Denominator: []string{"all"}, Scale: 100, Direction: "higher", Targets: map[string]float64{"*": 80}},
			IndicatorDef{ID: "T-reach", From: "t", Numerator: []string{"reach"}, Denominator: []string{"pop"}, Scale: 1000, Direction: "higher",
				Targets: map[string]float64{"*": 100}, People: []string{"reach"}},
			IndicatorDef{ID: "T-trained", From: "t", Numerator: []string{"trained"}, Scale: 1, Direction: "info", People: []string{"trained"}},
			IndicatorDef{ID: "T-none", From: "absent", Numerator: []string{"x"}, Scale: 1, Direction: "info"})
		if err != nil {
			t.Fatal(err)
		}
	})
	eachFixture(t, 50, func(t *testing.T, s *Service) {
		ctx := t.Context()
		src := &measures{m: map[string]int64{"done": 2, "all": 4, "reach": 5, "pop": 1000, "trained": 22}}
		s.AddSource("t", src)
		ca := access.Principal{UserID: "u-ca", Role: access.CompetentAuthority, AgencyID: "a", JurisdictionID: "j"}
		vs, err := s.IndicatorsFor(ctx, ca, "")
		if err != nil {
			t.Fatal(err)
		}
		if src.jid != "j" || src.aid != "" {
			t.Fatalf("source asked for %q/%q, want the jurisdiction", src.jid, src.aid)
		}
		got := map[string]IndicatorValue{}
		for _, v := range vs {
			got[v.ID] = v
		}
		if v := got["T-done"]; v.Value == nil || *v.Value != 50 || v.Met != "not_met" || *v.Target != 80 || v.Unit != "number" {
			t.Fatalf("T-done: %+v", v)
		}
		if v := got["T-reach"]; v.Value != nil || v.Numerator != nil || v.Denominator == nil || *v.Denominator != 1000 {
			t.Fatalf("T-reach: 5 people reached is below k and must be withheld: %+v", v)
		}
		if v := got["T-trained"]; v.Value == nil || *v.Value != 22 || v.Denominator != nil || v.Met != "" {
			t.Fatalf("T-trained: %+v", v)
		}
		if v := got["T-none"]; v.Value != nil || v.Label != "stats.indicator.T-none" {
			t.Fatalf("T-none: %+v", v)
		}
		// A local government officer reads its own jurisdiction.
		lg := access.Principal{UserID: "u-lg", Role: access.LocalGovOfficer, AgencyID: "a-lg", JurisdictionID: "j2"}
		if _, err := s.IndicatorsFor(ctx, lg, ""); err != nil || src.jid != "j2" || src.aid != "" {
			t.Fatalf("a local government officer's source scope %q/%q (%v), want its jurisdiction", src.jid, src.aid, err)
		}
	})
	for _, bad := range []IndicatorDef{
		{ID: "m1", From: "t", Numerator: []string{"a", "b"}, Scale: 1, Direction: "info"},
		{ID: "m2", From: "t", Numerator: []string{"a"}, Denominator: []string{"b", "c"}, Scale: 1, Direction: "info"},
		{ID: "m3", From: "t", Numerator: []string{"a"}, Direction: "info"},
		{ID: "m4", From: "t", Numerator: []string{"a"}, Scale: 1, Direction: "higher", Targets: map[string]float64{"*": -1}},
		{ID: "m5", From: "t", Dimension: "gender", Numerator: []string{"a"}, Scale: 1, Direction: "info"},
	} {
		if err := RegisterIndicators(bad); err == nil {
			t.Errorf("registered %+v", bad)
		}
	}
}

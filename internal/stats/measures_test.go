package stats

import (
	"context"
	"fmt"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/testenv"
)

func n(v int64) *int64 { return &v }

func pub(v int64) Cell { return Cell{Count: n(v)} }

var withheld = Cell{Suppressed: "primary"}

// TestSmoothedQuantile: a published quantile is the mean of the
// QuantileWindow order statistics around the nearest rank ⌈q·n⌉ (Hyndman &
// Fan 1996, definition 1), rounded to whole days — never one person's own
// duration (docs/STATISTICS.md, "Time to decision").
func TestSmoothedQuantile(t *testing.T) {
	seq := func(n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = float64(i + 1)
		}
		return out
	}
	for _, c := range []struct {
		name   string
		sorted []float64
		q      float64
		want   float64
	}{
		{"median of 1…11: rank 6, window 4…8", seq(11), 0.5, 6},
		{"p90 of 1…11: rank 10, window shifted to 7…11", seq(11), 0.9, 9},
		{"median of 1…20: rank 10, window 8…12", seq(20), 0.5, 10},
		{"p90 of 1…20: rank 18, window 16…20", seq(20), 0.9, 18},
		{"an outlier inside the window is averaged, not published", []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100}, 0.9, 21}, // (4·1+100)/5 = 20.8
		{"fractional days are rounded", []float64{0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2}, 0.5, 1},
		{"empty", nil, 0.5, 0},
	} {
		if got := SmoothedQuantile(c.sorted, c.q); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

// TestQuantilesNeedK: the median and 90th percentile of a group are
// published only when the group holds at least k decisions and its count
// is itself published (docs/STATISTICS.md: a quantile of fewer than k
// values is close to one person's own duration).
func TestQuantilesNeedK(t *testing.T) {
	ten := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	eleven := append(ten[:10:10], 11)
	for _, c := range []struct {
		name  string
		days  []float64
		total Cell
		ok    bool
	}{
		{"k-1 values", ten, pub(10), false},
		{"k values", eleven, pub(11), true},
		{"k values, count withheld", eleven, withheld, false},
		{"unsorted input is sorted first", []float64{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, pub(11), true},
	} {
		m, p := Quantiles(c.days, 11, c.total)
		if (m != nil) != c.ok || (p != nil) != c.ok {
			t.Errorf("%s: median %v p90 %v, want published=%v", c.name, m, p, c.ok)
		}
		if c.ok && (*m != 6 || *p != 9) {
			t.Errorf("%s: median %v p90 %v, want 6 and 9", c.name, *m, *p)
		}
	}
}

// TestServiceStagesOf: stages come from current states — offered is every
// referral (each starts as an offer), accepted counts accepted, delivered
// and ended, delivered counts delivered and ended (support.States' order of
// transitions) — and a stage is withheld when a cell it adds is.
func TestServiceStagesOf(t *testing.T) {
	tab := Table{Columns: []string{"accepted", "declined", "delivered", "ended", "offered", "withdrawn"},
		Rows: []Row{
			{Labels: []string{"medical"}, Cells: []Cell{pub(20), pub(11), pub(15), pub(12), pub(30), pub(0)}, Total: pub(88)},
			{Labels: []string{"legal_aid"}, Cells: []Cell{pub(14), withheld, pub(0), pub(0), pub(20), withheld}, Total: withheld},
		}}
	got := ServiceStagesOf(tab)
	if len(got) != 2 {
		t.Fatalf("%+v", got)
	}
	m := got[0]
	if *m.Offered != 88 || *m.Accepted != 47 || *m.Declined != 11 || *m.Delivered != 27 {
		t.Errorf("medical: %d %d %d %d", *m.Offered, *m.Accepted, *m.Declined, *m.Delivered)
	}
	l := got[1]
	if l.Offered != nil || l.Declined != nil || l.Accepted == nil || *l.Accepted != 14 || *l.Delivered != 0 {
		t.Errorf("legal aid: %+v", l)
	}
}

// TestRatesOf: the reasonable-grounds positive rate is positive of
// positive+negative (pending left out); the reconsideration share is of the
// decisions taken; the conclusive positive rate uses the countries' positive
// codes; any withheld count withholds the rate.
func TestRatesOf(t *testing.T) {
	dec := Table{Columns: []string{"no", "yes"}, Rows: []Row{
		{Labels: []string{""}, Cells: []Cell{pub(40), pub(0)}, Total: pub(40)},
		{Labels: []string{"negative"}, Cells: []Cell{pub(20), pub(20)}, Total: pub(40)},
		{Labels: []string{"positive"}, Cells: []Cell{pub(100), pub(20)}, Total: pub(120)},
	}}
	cg := Table{Columns: []string{"", "insufficient_evidence", "victim_of_trafficking"}, Rows: []Row{
		{Cells: []Cell{pub(90), pub(15), pub(45)}, Total: pub(150)},
	}}
	pos := func(c string) bool { return c == "victim_of_trafficking" }
	r := RatesOf(dec, cg, pos)
	if r.RGPositive == nil || *r.RGPositive != 0.75 || *r.RGPositiveN != 160 {
		t.Errorf("rg positive %v", r.RGPositive)
	}
	if r.Reconsidered == nil || *r.Reconsidered != 0.25 {
		t.Errorf("reconsidered %v", r.Reconsidered)
	}
	if r.CGPositive == nil || *r.CGPositive != 0.75 || *r.CGDecidedN != 60 {
		t.Errorf("cg positive %v", r.CGPositive)
	}
	dec.Rows[1].Total, dec.Rows[2].Cells[1] = withheld, withheld
	cg.Rows[0].Cells[1] = withheld
	r = RatesOf(dec, cg, pos)
	if r.RGPositive != nil || r.Reconsidered != nil || r.CGPositive != nil {
		t.Errorf("a rate over a withheld count is published: %+v", r)
	}
	if !positiveConclusive()("victim_of_trafficking") || positiveConclusive()("insufficient_evidence") {
		t.Error("the countries' positive conclusive codes are misread")
	}
}

// TestFlowPairsOf: the flows chart shows published, known, non-zero pairs,
// largest first; withheld cells are never drawn.
func TestFlowPairsOf(t *testing.T) {
	tab := Table{Columns: []string{"MY", "NP", ""}, Rows: []Row{
		{Labels: []string{"IN"}, Cells: []Cell{pub(0), pub(12), pub(11)}},
		{Labels: []string{"NP"}, Cells: []Cell{pub(14), pub(120), withheld}},
		{Labels: []string{""}, Cells: []Cell{pub(30), pub(30), pub(30)}},
	}}
	got := FlowPairsOf(tab, 2)
	want := []FlowPair{{"NP", "NP", 120}, {"NP", "MY", 14}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestMeasuresDisclosure: on both engines, over the demo's data, every
// count of every process measure that an analyst, a competent authority or
// an agency administrator sees is withheld or at least k (the policy's
// primary suppression, docs/STATISTICS.md), every measure has published
// values (the demo feeds every chart), the medians appear only for groups
// of k, and the flows, services and prosecution tables agree with the raw
// distinct-person counts where perturbation is off.
func TestMeasuresDisclosure(t *testing.T) {
	eachFixture(t, 1500, func(t *testing.T, s *Service) {
		ctx := t.Context()
		check := func(who string, m Measures) {
			tables := map[string]Table{"flows": m.Flows, "decisions": m.Decisions, "conclusive": m.Conclusive, "services": m.Services,
				"investigations": m.Investigations, "charges": m.Charges, "compensation": m.Compensation}
			for _, tm := range m.Timing {
				tables["timing-"+tm.Stage] = tm.Table
				for _, g := range tm.Groups {
					if v, ok := g.Decided.Value(); g.Median != nil && (!ok || v < int64(m.K)) {
						t.Errorf("%s: a median for a group of %d", who, v)
					}
				}
			}
			for name, tab := range tables {
				published := 0
				cells := []Cell{tab.Total}
				for _, r := range tab.Rows {
					cells = append(cells, r.Total)
					cells = append(cells, r.Cells...)
				}
				cells = append(cells, tab.ColumnTotals...)
				for _, c := range cells {
					v, ok := c.Value()
					if !ok {
						if c.Suppressed == "" {
							t.Errorf("%s %s: a withheld cell is not marked", who, name)
						}
						continue
					}
					if v > 0 && v < int64(tab.K) {
						t.Errorf("%s %s: published %d below k=%d", who, name, v, tab.K)
					}
					if v > 0 {
						published++
					}
				}
				if who == "analyst" && published == 0 {
					t.Errorf("%s: the demo leaves %s empty", who, name)
				}
			}
		}
		m, err := s.Measures(ctx, analyst, MeasuresInput{})
		if err != nil {
			t.Fatal(err)
		}
		check("analyst", m)
		if len(m.FlowPairs) < 2 || m.Rates.RGPositive == nil || m.Rates.CGPositive == nil || m.Rates.Reconsidered == nil {
			t.Errorf("flows %v, rates %+v", m.FlowPairs, m.Rates)
		}
		if len(m.Timing) != 2 || m.Timing[0].Groups[0].Median == nil || m.Timing[0].Groups[0].WithinShare == nil || m.Timing[1].Groups[0].P90 == nil {
			t.Errorf("timing %+v", m.Timing)
		}
		byYear, err := s.Measures(ctx, analyst, MeasuresInput{By: "jurisdiction", Period: "2025"})
		if err != nil {
			t.Fatal(err)
		}
		check("analyst by jurisdiction", byYear)
		var jid, aid string
		if err := s.db.R().QueryRowContext(ctx, `SELECT jurisdiction_id, agency_id FROM cases ORDER BY id LIMIT 1`).Scan(&jid, &aid); err != nil {
			t.Fatal(err)
		}
		for _, p := range []access.Principal{
			{UserID: "u-ca", Role: access.CompetentAuthority, JurisdictionID: jid},
			{UserID: "u-aa", Role: access.AgencyAdmin, AgencyID: aid, JurisdictionID: jid},
		} {
			m, err := s.Measures(ctx, p, MeasuresInput{By: "quarter"})
			if err != nil {
				t.Fatal(err)
			}
			check(string(p.Role), m)
		}

		// Without perturbation the published cells are the raw counts of
		// distinct people.
		s.perturb = false
		s.cache = tableCache{}
		m, err = s.Measures(ctx, analyst, MeasuresInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			tab  Table
			from string
		}{
			{m.Flows, `SELECT c.citizenship, c.exploitation_country, count(*) FROM cases c GROUP BY 1, 2`},
			{m.Services, `SELECT s.service, s.state, count(DISTINCT c.id) FROM cases c JOIN service_referrals s ON s.case_id = c.id GROUP BY 1, 2`},
			{m.Charges, `SELECT ch.offence, ch.outcome, count(DISTINCT c.id) FROM cases c JOIN investigation_charges ch ON ch.case_id = c.id GROUP BY 1, 2`},
		} {
			truth := rawCounts(t, s.db, c.from)
			for _, r := range c.tab.Rows {
				for j, cell := range r.Cells {
					if v, ok := cell.Value(); ok && v != truth[r.Labels[0]+"|"+c.tab.Columns[j]] {
						t.Errorf("%v/%s: published %d, raw %d", r.Labels, c.tab.Columns[j], v, truth[r.Labels[0]+"|"+c.tab.Columns[j]])
					}
				}
			}
		}
		if _, err := s.Measures(ctx, analyst, MeasuresInput{By: "gender"}); err == nil {
			t.Error("timing grouped by an unknown grouping")
		}
		if _, err := s.Measures(ctx, access.Principal{UserID: "u", Role: access.CaseWorker}, MeasuresInput{}); err == nil {
			t.Error("a case worker sees the statistics")
		}
	})
}

// TestIOMIndicators: the handbook's protection and prosecution indicators
// are registered from data with a source, a kind and a period, and each
// has a value against its target over the demo (the disclosure-controlled
// counts they rest on are published).
func TestIOMIndicators(t *testing.T) {
	db := testenv.OpenMigrated(t, testenv.FreshSQLite(t))
	s := fixture(t, db, 1500)
	vs, err := s.IndicatorsFor(context.Background(), analyst, "")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]IndicatorValue{}
	for _, v := range vs {
		seen[v.ID] = v
	}
	for _, id := range []string{"rg_within_deadline_share", "cg_within_target_share", "iom_services_accepted_share", "iom_services_delivered_share",
		"iom_investigations_prosecuted_share", "iom_trafficking_charge_share", "iom_trafficking_conviction_share", "iom_compensation_paid_share"} {
		v, ok := seen[id]
		if !ok || v.Source == "" || v.Kind == "" || v.Period == "" {
			t.Errorf("%s: not registered with source, kind and period: %+v", id, v)
			continue
		}
		if v.Value == nil || v.Target == nil || v.Met == "" {
			t.Errorf("%s: no value against target over the demo: %+v", id, v)
		}
	}
	if err := RegisterIndicators(IndicatorDef{ID: "bad_unit", Unit: "services", Dimension: "gender", Numerator: []string{"x"}, Direction: "info"}); err == nil {
		t.Error("an indicator over a dimension its unit does not have is registered")
	}
}

package web

import (
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/stats"
)

// The process measures page: flows, decisions, time to decision, services
// and prosecution, each a chart and the disclosure-controlled table behind
// it (stats.Service.Measures).

func measuresInput(r *http.Request) stats.MeasuresInput {
	q := r.URL.Query()
	return stats.MeasuresInput{Period: q.Get("period"), By: q.Get("by")}
}

// statisticsMeasures is the page.
func (s *Server) statisticsMeasures(w http.ResponseWriter, r *http.Request) error {
	in := measuresInput(r)
	m, err := s.Services.Stats.Measures(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "statistics_measures", s.newPage(r, "stats.msr.title", "statistics", measuresView(s.localizer(r), in, m)))
}

// apiStatisticsMeasures answers the same measures as JSON.
func (s *Server) apiStatisticsMeasures(w http.ResponseWriter, r *http.Request) error {
	return statsJSON(w, r, s.Services.Stats.Measures, measuresInput(r))
}

// measuresPage is what the template shows.
type measuresPage struct {
	L         *i18n.Localizer
	In        stats.MeasuresInput
	Groups    []statsOption
	K         int
	Perturbed bool
	Flows     statsPage
	Decisions statsPage
	CG        statsPage
	Rates     []measureFact
	Timing    []statsPage
	Services  statsPage
	Stages    []stageRow
	Invest    statsPage
	Charges   statsPage
	Comp      statsPage
}

type measureFact struct{ Label, Value string }

type stageRow struct {
	Service string
	Cells   []statsCell
}

// block lays out one measure's table as the statistics page does, under
// its own title and id.
func block(L *i18n.Localizer, id, titleKey string, t stats.Table, period string) statsPage {
	p := statsView(L, stats.TableInput{Period: period}, t)
	p.ID, p.Title = id, L.T(titleKey)
	return p
}

func measuresView(L *i18n.Localizer, in stats.MeasuresInput, m stats.Measures) measuresPage {
	p := measuresPage{L: L, In: in, K: m.K, Perturbed: strings.Contains(m.Method, "cell_key")}
	for _, g := range stats.TimingGroups {
		label := L.T("stats.none")
		if g != "" {
			label = L.T("stats.dim." + g)
		}
		p.Groups = append(p.Groups, statsOption{Value: g, Label: label, Selected: g == m.By})
	}
	p.Flows = block(L, "flows", "stats.flow.title", m.Flows, m.Period)
	p.Flows.Chart, p.Flows.Note = flowChart(L, m.FlowPairs), L.T("stats.flow.note")
	p.Decisions = block(L, "decisions", "stats.dec.title", m.Decisions, m.Period)
	p.CG = block(L, "conclusive", "stats.dec.cg_title", m.Conclusive, m.Period)
	pct := func(f *float64) string {
		if f == nil {
			return L.T("stats.withheld_mark")
		}
		return percent(L, *f)
	}
	p.Rates = []measureFact{{L.T("stats.dec.rg_positive"), pct(m.Rates.RGPositive)}, {L.T("stats.dec.cg_positive"), pct(m.Rates.CGPositive)},
		{L.T("stats.dec.reconsidered"), pct(m.Rates.Reconsidered)}}
	for _, tm := range m.Timing {
		p.Timing = append(p.Timing, timingOf(L, tm, m))
	}
	p.Services = block(L, "services", "stats.svc.title", m.Services, m.Period)
	cell := func(v *int64) statsCell {
		if v == nil {
			return withheldCell(L)
		}
		return statsCell{Text: L.Number(*v)}
	}
	for _, st := range m.ServiceStages {
		p.Stages = append(p.Stages, stageRow{Service: statsLabel(L, m.Services, "service", st.Service),
			Cells: []statsCell{cell(st.Offered), cell(st.Accepted), cell(st.Declined), cell(st.Delivered)}})
	}
	p.Invest = block(L, "investigations", "stats.pros.investigations", m.Investigations, m.Period)
	p.Charges = block(L, "charges", "stats.pros.charges", m.Charges, m.Period)
	p.Charges.Note = L.T("stats.pros.note")
	p.Comp = block(L, "compensation", "stats.pros.compensation", m.Compensation, m.Period)
	return p
}

// flowChart draws one bar per published flow, largest first, labelled
// "origin → exploitation": a list of bars reads on a 360 px screen where
// a flow diagram would not.
func flowChart(L *i18n.Localizer, pairs []stats.FlowPair) statsChart {
	var bars []chartBar
	for _, f := range pairs {
		bars = append(bars, chartBar{Label: L.Region(f.From) + " → " + L.Region(f.To), Value: L.Number(f.Count), Size: float64(f.Count)})
	}
	return barChart(bars, largest(bars))
}

// timingOf lays out one decision's timing as a block of its own: a row
// per group with the decisions, those within the deadline, the share, the
// median and the 90th percentile; the chart shows the medians.
func timingOf(L *i18n.Localizer, tm stats.Timing, m stats.Measures) statsPage {
	v := statsPage{ID: "timing-" + tm.Stage, Title: L.T("stats.time.title_" + tm.Stage), L: L, Caption: L.T("stats.time.chart_caption"),
		Note: L.T("stats.time.note_"+tm.Stage, "K", m.K, "Days", tm.TargetDays)}
	if m.By != "" {
		v.Head = append(v.Head, L.T("stats.dim."+m.By))
	}
	v.Head = append(v.Head, L.T("stats.time.decided"), L.T("stats.time.within"), L.T("stats.time.share"), L.T("stats.time.median"), L.T("stats.time.p90"))
	opt := func(f *float64, pct bool) statsCell {
		switch {
		case f == nil:
			return withheldCell(L)
		case pct:
			return statsCell{Text: percent(L, *f)}
		}
		return statsCell{Text: L.T("stats.time.days", "N", L.Number(int64(*f)))}
	}
	var top float64
	var bars []chartBar
	for _, g := range tm.Groups {
		row := statsRow{}
		label := L.T("stats.all_cases")
		if len(g.Labels) > 0 {
			label = statsLabel(L, tm.Table, m.By, g.Labels[0])
			row.Labels = []string{label}
		}
		row.Cells = []statsCell{countCell(L, g.Decided), countCell(L, g.Within), opt(g.WithinShare, true), opt(g.Median, false), opt(g.P90, false)}
		v.Rows = append(v.Rows, row)
		b := chartBar{Label: label, Value: row.Cells[3].Text, Withheld: g.Median == nil}
		if g.Median != nil {
			b.Size = *g.Median
		}
		bars = append(bars, b)
		if g.P90 != nil {
			top = max(top, *g.P90)
		}
	}
	v.Chart = barChart(bars, top)
	return v
}

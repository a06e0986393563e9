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
	m, err := s.Services.Stats.Measures(r.Context(), principal(r), measuresInput(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
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
	Timing    []timingView
	Services  statsPage
	Stages    []stageRow
	Invest    statsPage
	Charges   statsPage
	Comp      statsPage
}

type measureFact struct{ Label, Value string }

type timingView struct {
	ID, Title, Note string
	Head            []string
	Rows            []statsRow
	Chart           statsChart
	L               *i18n.Localizer
}

type stageRow struct {
	Service string
	Cells   []statsCell
}

// measureLabel names the values of the process measures' dimensions.
func measureLabel(L *i18n.Localizer, dim, v string) (string, bool) {
	key := ""
	switch dim {
	case "exploitation_country":
		if n := L.Region(v); n != "" {
			return n, true
		}
		return v, true
	case "rg_outcome", "reconsidered", "rg_within", "cg_within", "offence_class":
		key = "stats.val." + v
	case "cg_outcome":
		key = "code.cg_outcome." + v
	case "service":
		key = "code.service." + v
	case "service_state":
		key = "code.service_state." + v
	case "offence":
		key = "prosecution.offence." + v
	case "charge_outcome":
		key = "prosecution.outcome." + v
	case "compensation":
		key = "prosecution.compensation_state." + v
	case "investigation_status":
		key = "prosecution.investigation_status." + v
	default:
		return "", false
	}
	switch {
	case v == "" && dim == "charge_outcome":
		return L.T("stats.val.pending"), true
	case v == "" && dim == "compensation":
		return L.T("stats.val.no_order"), true
	case v == "":
		return "", false // stats.unknown
	}
	if s := L.T(key); !strings.HasPrefix(s, "⟦") {
		return s, true
	}
	return v, true
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
	p.Flows.Chart = flowChart(L, m.FlowPairs)
	p.Decisions = block(L, "decisions", "stats.dec.title", m.Decisions, m.Period)
	p.CG = block(L, "conclusive", "stats.dec.cg_title", m.Conclusive, m.Period)
	pct := func(f *float64) string {
		if f == nil {
			return L.T("stats.withheld_mark")
		}
		return L.Decimal(*f*100, 1) + "%"
	}
	p.Rates = []measureFact{{L.T("stats.dec.rg_positive"), pct(m.Rates.RGPositive)}, {L.T("stats.dec.cg_positive"), pct(m.Rates.CGPositive)},
		{L.T("stats.dec.reconsidered"), pct(m.Rates.Reconsidered)}}
	for _, tm := range m.Timing {
		p.Timing = append(p.Timing, timingOf(L, tm, m))
	}
	p.Services = block(L, "services", "stats.svc.title", m.Services, m.Period)
	cell := func(v *int64) statsCell {
		if v == nil {
			return statsCell{Text: L.T("stats.withheld_mark"), Withheld: true}
		}
		return statsCell{Text: L.Number(*v)}
	}
	for _, st := range m.ServiceStages {
		p.Stages = append(p.Stages, stageRow{Service: statsLabel(L, m.Services, "service", st.Service),
			Cells: []statsCell{cell(st.Offered), cell(st.Accepted), cell(st.Declined), cell(st.Delivered)}})
	}
	p.Invest = block(L, "investigations", "stats.pros.investigations", m.Investigations, m.Period)
	p.Charges = block(L, "charges", "stats.pros.charges", m.Charges, m.Period)
	p.Comp = block(L, "compensation", "stats.pros.compensation", m.Compensation, m.Period)
	return p
}

// flowChart draws one bar per published flow, largest first, labelled
// "origin → exploitation": a list of bars reads on a 360 px screen where
// a flow diagram would not.
func flowChart(L *i18n.Localizer, pairs []stats.FlowPair) statsChart {
	var top int64 = 1
	for _, f := range pairs {
		top = max(top, f.Count)
	}
	var ch statsChart
	y := 4
	for _, f := range pairs {
		name := func(c string) string {
			if n := L.Region(c); n != "" {
				return n
			}
			return c
		}
		w := max(1, int(f.Count*chartBarMax/top))
		ch.Bars = append(ch.Bars, statsBar{Label: name(f.From) + " → " + name(f.To), Value: L.Number(f.Count), TextY: y + 13,
			Y: y + chartLabelH, BarH: chartBarH, W: w, ValueX: w + 6})
		y += chartLabelH + chartBarH + chartGap
	}
	ch.Height = y
	return ch
}

// timingOf lays out one decision's timing: a row per group with the
// decisions, those within the deadline, the share, the median and the
// 90th percentile; the chart shows the medians.
func timingOf(L *i18n.Localizer, tm stats.Timing, m stats.Measures) timingView {
	v := timingView{ID: "timing-" + tm.Stage, Title: L.T("stats.time.title_" + tm.Stage), L: L,
		Note: L.T("stats.time.note_"+tm.Stage, "K", m.K, "Days", tm.TargetDays)}
	if m.By != "" {
		v.Head = append(v.Head, L.T("stats.dim."+m.By))
	}
	v.Head = append(v.Head, L.T("stats.time.decided"), L.T("stats.time.within"), L.T("stats.time.share"), L.T("stats.time.median"), L.T("stats.time.p90"))
	cell := func(c stats.Cell) statsCell {
		if n, ok := c.Value(); ok {
			return statsCell{Text: L.Number(n)}
		}
		return statsCell{Text: L.T("stats.withheld_mark"), Withheld: true}
	}
	opt := func(f *float64, pct bool) statsCell {
		switch {
		case f == nil:
			return statsCell{Text: L.T("stats.withheld_mark"), Withheld: true}
		case pct:
			return statsCell{Text: L.Decimal(*f*100, 1) + "%"}
		}
		return statsCell{Text: L.T("stats.time.days", "N", L.Number(int64(*f)))}
	}
	var top float64 = 1
	for _, g := range tm.Groups {
		if g.P90 != nil && *g.P90 > top {
			top = *g.P90
		}
	}
	y := 4
	for _, g := range tm.Groups {
		row := statsRow{}
		label := L.T("stats.all_cases")
		if len(g.Labels) > 0 {
			label = statsLabel(L, tm.Table, m.By, g.Labels[0])
			row.Labels = []string{label}
		}
		row.Cells = []statsCell{cell(g.Decided), cell(g.Within), opt(g.WithinShare, true), opt(g.Median, false), opt(g.P90, false)}
		v.Rows = append(v.Rows, row)
		b := statsBar{Label: label, TextY: y + 13, Y: y + chartLabelH, BarH: chartBarH}
		if g.Median != nil {
			b.W = max(1, int(*g.Median*chartBarMax/top))
			b.Value = row.Cells[3].Text
		} else {
			b.Withheld, b.Value = true, L.T("stats.withheld_mark")
		}
		b.ValueX = b.W + 6
		v.Chart.Bars = append(v.Chart.Bars, b)
		y += chartLabelH + chartBarH + chartGap
	}
	v.Chart.Height = y
	return v
}

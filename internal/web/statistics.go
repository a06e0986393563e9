package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/stats"
)

// statsInput decodes a table request from the query: "by" may repeat (the
// page's two dimension lists) or hold a comma-separated list (links and
// the API).
func statsInput(r *http.Request) stats.TableInput {
	q := r.URL.Query()
	var by []string
	for _, v := range q["by"] {
		if v = strings.TrimSpace(v); v != "" {
			by = append(by, v)
		}
	}
	return stats.TableInput{By: strings.Join(by, ","), Where: q.Get("where"), Period: q.Get("period")}
}

// statistics is the statistics page: one disclosure-controlled table, a
// chart of it and the table itself as the chart's accessible equivalent.
func (s *Server) statistics(w http.ResponseWriter, r *http.Request) error {
	in := statsInput(r)
	if in.By == "" && !r.URL.Query().Has("by") {
		in.By = "year"
	}
	t, err := s.Services.Stats.Table(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	v := statsView(s.localizer(r), in, t)
	v.Desk = access.Allowed(access.ApproveRelease, principal(r), access.Resource{})
	return s.render(w, http.StatusOK, "statistics", s.newPage(r, "nav.statistics", "statistics", v))
}

// apiStatisticsTable answers the same table as JSON.
func (s *Server) apiStatisticsTable(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Services.Stats.Table(r.Context(), principal(r), statsInput(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

// statsPage is what the statistics template shows.
type statsPage struct {
	L          *i18n.Localizer
	ID         string // prefix of the element ids of the table's chart and table
	In         stats.TableInput
	Dims       []statsOption // the first dimension list
	Dims2      []statsOption // the second, with "none"
	Presets    []statsPreset
	Title      string
	Head       []string // column headings: the dimensions of the rows, the columns, total
	Rows       []statsRow
	Foot       *statsRow
	Chart      statsChart
	K          int
	Perturbed  bool
	Withheld   bool // some cell is withheld: explain the mark
	TotalCount string
	// Desk links the release desk for those who may draft or approve.
	Desk bool
}

type statsOption struct {
	Value, Label string
	Selected     bool
}

type statsPreset struct {
	Href, Label string
	Current     bool
}

type statsRow struct {
	Labels []string
	Cells  []statsCell
}

type statsCell struct {
	Text     string
	Withheld bool
}

// statsChart is a horizontal bar chart drawn in SVG by the template:
// one bar per value of the first dimension (the row totals, or the cells
// of a one-way table). Coordinates are in the viewBox's units; the SVG
// scales to the width of the page, so it fits a 360 px screen.
type statsChart struct {
	Height int
	Bars   []statsBar
}

type statsBar struct {
	Label, Value string
	Y, TextY, W  int
	ValueX, BarH int
	Withheld     bool
}

// statsLabel translates a dimension's value where the catalogue has a
// label for it, and shows the code itself where it has none.
func statsLabel(L *i18n.Localizer, t stats.Table, dim, v string) string {
	if s, ok := measureLabel(L, dim, v); ok {
		return s
	}
	if v == "" {
		return L.T("stats.unknown")
	}
	key := ""
	switch dim {
	case "gender":
		key = "code.gender." + v
	case "exploitation":
		key = "code.exploitation." + v
	case "sector":
		key = "code.sector." + v
	case "status":
		key = "code.case_status." + v
	case "decision":
		key = "code.cw_state." + v
	case "citizenship":
		if n := L.Region(v); n != "" {
			return n
		}
	case "jurisdiction":
		if n, ok := t.Names[v]; ok {
			return n
		}
	}
	if key != "" {
		if s := L.T(key); !strings.HasPrefix(s, "⟦") {
			return s
		}
	}
	return v
}

func statsView(L *i18n.Localizer, in stats.TableInput, t stats.Table) statsPage {
	p := statsPage{L: L, ID: "t0", In: in, K: t.K, Perturbed: strings.Contains(t.Method, "cell_key")}
	first, second := "", ""
	if len(t.Dimensions) > 0 {
		first = t.Dimensions[0]
	}
	if len(t.Dimensions) > 1 {
		second = t.Dimensions[1]
	}
	p.Dims2 = append(p.Dims2, statsOption{Value: "", Label: L.T("stats.none"), Selected: second == ""})
	for _, d := range stats.Dimensions {
		p.Dims = append(p.Dims, statsOption{Value: d, Label: L.T("stats.dim." + d), Selected: d == first})
		p.Dims2 = append(p.Dims2, statsOption{Value: d, Label: L.T("stats.dim." + d), Selected: d == second})
		p.Presets = append(p.Presets, statsPreset{Href: "/statistics?" + url.Values{"by": {d}, "period": {in.Period}}.Encode(),
			Label: L.T("stats.dim." + d), Current: len(t.Dimensions) == 1 && first == d})
	}
	cell := func(c stats.Cell) statsCell {
		if v, ok := c.Value(); ok {
			return statsCell{Text: L.Number(v)}
		}
		p.Withheld = true
		return statsCell{Text: L.T("stats.withheld_mark"), Withheld: true}
	}
	n := len(t.Dimensions)
	var names []string
	for _, d := range t.Dimensions {
		names = append(names, L.T("stats.dim."+d))
	}
	p.Title = strings.Join(names, " × ")
	if n == 0 {
		p.Title = L.T("stats.all_cases")
	}
	p.TotalCount = cell(t.Total).Text
	if n > 0 {
		p.Head = append(p.Head, names[:n-1]...)
		if n == 1 {
			p.Head = []string{names[0]}
		}
	}
	// A one-way table is shown as a column: one row per value.
	if n == 1 && len(t.Rows) == 1 {
		for j, c := range t.Columns {
			p.Rows = append(p.Rows, statsRow{Labels: []string{statsLabel(L, t, first, c)}, Cells: []statsCell{cell(t.Rows[0].Cells[j])}})
		}
		p.Head = append(p.Head, L.T("stats.cases"))
		p.Foot = &statsRow{Labels: []string{L.T("stats.total")}, Cells: []statsCell{cell(t.Total)}}
	} else if n > 1 {
		for _, c := range t.Columns {
			p.Head = append(p.Head, statsLabel(L, t, t.Dimensions[n-1], c))
		}
		p.Head = append(p.Head, L.T("stats.total"))
		for _, r := range t.Rows {
			row := statsRow{}
			for i, l := range r.Labels {
				row.Labels = append(row.Labels, statsLabel(L, t, t.Dimensions[i], l))
			}
			for _, c := range r.Cells {
				row.Cells = append(row.Cells, cell(c))
			}
			row.Cells = append(row.Cells, cell(r.Total))
			p.Rows = append(p.Rows, row)
		}
		foot := statsRow{Labels: make([]string, n-1)}
		foot.Labels[0] = L.T("stats.total")
		for _, c := range t.ColumnTotals {
			foot.Cells = append(foot.Cells, cell(c))
		}
		foot.Cells = append(foot.Cells, cell(t.Total))
		p.Foot = &foot
	}
	p.Chart = statsChartOf(L, t, p)
	return p
}

// The chart's geometry, in viewBox units (the box is 320 wide).
const (
	chartLabelH = 18 // a bar's label line above it
	chartBarH   = 16
	chartGap    = 10
	chartBarMax = 250
)

func statsChartOf(L *i18n.Localizer, t stats.Table, p statsPage) statsChart {
	type bar struct {
		label string
		c     stats.Cell
	}
	var bars []bar
	switch {
	case len(t.Dimensions) == 1 && len(t.Rows) == 1:
		for j, c := range t.Columns {
			bars = append(bars, bar{statsLabel(L, t, t.Dimensions[0], c), t.Rows[0].Cells[j]})
		}
	case len(t.Dimensions) > 1:
		for i, r := range t.Rows {
			bars = append(bars, bar{strings.Join(p.Rows[i].Labels, " · "), r.Total})
		}
	default:
		bars = append(bars, bar{L.T("stats.all_cases"), t.Total})
	}
	var top int64 = 1
	for _, b := range bars {
		if v, ok := b.c.Value(); ok && v > top {
			top = v
		}
	}
	var ch statsChart
	y := 4
	for _, b := range bars {
		sb := statsBar{Label: b.label, TextY: y + 13, Y: y + chartLabelH, BarH: chartBarH}
		if v, ok := b.c.Value(); ok {
			sb.W = max(1, int(v*chartBarMax/top))
			sb.Value = L.Number(v)
		} else {
			sb.Withheld, sb.W = true, 0
			sb.Value = L.T("stats.withheld_mark")
		}
		sb.ValueX = sb.W + 6
		ch.Bars = append(ch.Bars, sb)
		y += chartLabelH + chartBarH + chartGap
	}
	ch.Height = y
	return ch
}

// indicatorsPage is the indicators page.
type indicatorsPage struct {
	Period string
	Rows   []indicatorRow
}

type indicatorRow struct {
	ID, Label, Value, Target, Met, Counts string
}

// statisticsIndicators shows every registered indicator against its
// target for the reader's scope and the chosen period.
func (s *Server) statisticsIndicators(w http.ResponseWriter, r *http.Request) error {
	period := r.URL.Query().Get("period")
	vs, err := s.Services.Stats.IndicatorsFor(r.Context(), principal(r), period)
	if err != nil {
		return err
	}
	L := s.localizer(r)
	p := indicatorsPage{Period: period}
	pct := func(f *float64) string {
		if f == nil {
			return ""
		}
		return L.Decimal(*f*100, 1) + "%"
	}
	num := func(f *float64) string {
		if f == nil {
			return ""
		}
		return L.Decimal(*f, 1)
	}
	for _, v := range vs {
		row := indicatorRow{ID: v.ID, Label: v.Label, Value: pct(v.Value), Target: pct(v.Target)}
		if v.Unit == "number" {
			row.Value, row.Target = num(v.Value), num(v.Target)
		}
		if v.Value == nil {
			row.Value = L.T("stats.withheld_mark")
		}
		if v.Met != "" {
			row.Met = L.T("stats.indicator_" + v.Met)
		}
		switch {
		case v.Numerator != nil && v.Denominator != nil:
			row.Counts = L.Number(*v.Numerator) + " / " + L.Number(*v.Denominator)
		case v.Numerator != nil:
			row.Counts = L.Number(*v.Numerator)
		}
		p.Rows = append(p.Rows, row)
	}
	return s.render(w, http.StatusOK, "indicators", s.newPage(r, "stats.indicators", "statistics", p))
}

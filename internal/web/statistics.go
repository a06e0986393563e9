package web

import (
	"context"
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
	return statsJSON(w, r, s.Services.Stats.Table, statsInput(r))
}

// statsJSON answers a statistics read as JSON, as the service returns it.
func statsJSON[In, Out any](w http.ResponseWriter, r *http.Request, read func(context.Context, access.Principal, In) (Out, error), in In) error {
	out, err := read(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
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
	Caption    string // the chart's caption
	Note       string // a note under the table, when it has one
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

// valueKeys is where the catalogue keeps the labels of each dimension's
// values: the prefix, followed by the value.
var valueKeys = map[string]string{
	"gender":               "code.gender.",
	"exploitation":         "code.exploitation.",
	"sector":               "code.sector.",
	"status":               "code.case_status.",
	"decision":             "code.cw_state.",
	"rg_outcome":           "stats.val.",
	"reconsidered":         "stats.val.",
	"rg_within":            "stats.val.",
	"cg_within":            "stats.val.",
	"offence_class":        "stats.val.",
	"cg_outcome":           "code.cg_outcome.",
	"service":              "code.service.",
	"service_state":        "code.service_state.",
	"offence":              "prosecution.offence.",
	"charge_outcome":       "prosecution.outcome.",
	"compensation":         "prosecution.compensation_state.",
	"investigation_status": "prosecution.investigation_status.",
}

// emptyValueKeys labels the empty value of the dimensions where it means
// something other than "unknown".
var emptyValueKeys = map[string]string{
	"charge_outcome": "stats.val.pending",
	"compensation":   "stats.val.no_order",
}

// statsLabel translates a dimension's value where the catalogue has a
// label for it, and shows the code itself where it has none.
func statsLabel(L *i18n.Localizer, t stats.Table, dim, v string) string {
	switch {
	case dim == "exploitation_country":
		return L.Region(v)
	case v == "":
		if key, ok := emptyValueKeys[dim]; ok {
			return L.T(key)
		}
		return L.T("stats.unknown")
	case dim == "citizenship":
		return L.Region(v)
	case dim == "jurisdiction":
		if n, ok := t.Names[v]; ok {
			return n
		}
	}
	if prefix, ok := valueKeys[dim]; ok {
		if s := L.T(prefix + v); !strings.HasPrefix(s, "⟦") {
			return s
		}
	}
	return v
}

// withheldCell is a cell disclosure control withholds.
func withheldCell(L *i18n.Localizer) statsCell {
	return statsCell{Text: L.T("stats.withheld_mark"), Withheld: true}
}

// countCell shows a disclosure-controlled count, or the withheld mark.
func countCell(L *i18n.Localizer, c stats.Cell) statsCell {
	if v, ok := c.Value(); ok {
		return statsCell{Text: L.Number(v)}
	}
	return withheldCell(L)
}

// percent shows a share as a percentage to one decimal.
func percent(L *i18n.Localizer, f float64) string {
	return L.Decimal(f*100, 1) + "%"
}

func statsView(L *i18n.Localizer, in stats.TableInput, t stats.Table) statsPage {
	p := statsPage{L: L, ID: "t0", In: in, K: t.K, Perturbed: strings.Contains(t.Method, "cell_key"), Caption: L.T("stats.chart_caption")}
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
		sc := countCell(L, c)
		p.Withheld = p.Withheld || sc.Withheld
		return sc
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

// chartBar is one bar before layout: its label, the text beside it and
// its size; a withheld bar has no size.
type chartBar struct {
	Label, Value string
	Size         float64
	Withheld     bool
}

// cellBar is the bar of a disclosure-controlled count.
func cellBar(L *i18n.Localizer, label string, c stats.Cell) chartBar {
	sc := countCell(L, c)
	v, _ := c.Value()
	return chartBar{Label: label, Value: sc.Text, Size: float64(v), Withheld: sc.Withheld}
}

// largest is the size of the longest bar that is not withheld.
func largest(bars []chartBar) float64 {
	var top float64
	for _, b := range bars {
		if !b.Withheld {
			top = max(top, b.Size)
		}
	}
	return top
}

// barChart lays the bars out one under another, each under its label
// line; a bar is as long against chartBarMax as its size against top (at
// least 1), and at least 1 unit long unless withheld.
func barChart(bars []chartBar, top float64) statsChart {
	top = max(top, 1)
	var ch statsChart
	y := 4
	for _, b := range bars {
		sb := statsBar{Label: b.Label, Value: b.Value, Withheld: b.Withheld, TextY: y + 13, Y: y + chartLabelH, BarH: chartBarH}
		if !b.Withheld {
			sb.W = max(1, int(b.Size*chartBarMax/top))
		}
		sb.ValueX = sb.W + 6
		ch.Bars = append(ch.Bars, sb)
		y += chartLabelH + chartBarH + chartGap
	}
	ch.Height = y
	return ch
}

func statsChartOf(L *i18n.Localizer, t stats.Table, p statsPage) statsChart {
	var bars []chartBar
	switch {
	case len(t.Dimensions) == 1 && len(t.Rows) == 1:
		for j, c := range t.Columns {
			bars = append(bars, cellBar(L, statsLabel(L, t, t.Dimensions[0], c), t.Rows[0].Cells[j]))
		}
	case len(t.Dimensions) > 1:
		for i, r := range t.Rows {
			bars = append(bars, cellBar(L, strings.Join(p.Rows[i].Labels, " · "), r.Total))
		}
	default:
		bars = append(bars, cellBar(L, L.T("stats.all_cases"), t.Total))
	}
	return barChart(bars, largest(bars))
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
		return percent(L, *f)
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

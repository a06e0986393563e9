package stats

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// The process measures of the referral mechanism (issue 14): flows from
// country of origin to country of exploitation, decisions and their rates,
// time from referral to the decisions, services and prosecution. Each is a
// disclosure-controlled table computed like every other (Build, the
// instance's policy) from coded columns only; the rates, shares and
// quantiles derived from them are published only when every count they
// rest on is.

// MeasuresInput is a request for the measures: a period (as for tables)
// and how the timing is grouped ("", "year", "quarter" or
// "jurisdiction").
type MeasuresInput struct {
	Period string `field:"period"`
	By     string `field:"by"`
}

// TimingGroups are the groupings the timing may be cut by.
var TimingGroups = []string{"", "year", "quarter", "jurisdiction"}

// Measures is every process measure for one scope and period.
type Measures struct {
	Period string `json:"period,omitempty"`
	By     string `json:"by,omitempty"`
	K      int    `json:"k"`
	Method string `json:"method"`
	// Flows: citizenship × country of exploitation; FlowPairs the
	// published pairs, largest first, for the chart.
	Flows     Table      `json:"flows"`
	FlowPairs []FlowPair `json:"flow_pairs"`
	// Decisions: the reasonable-grounds outcome × whether a
	// reconsideration was requested; Conclusive: the conclusive outcomes.
	Decisions  Table `json:"decisions"`
	Conclusive Table `json:"conclusive"`
	Rates      Rates `json:"rates"`
	// Timing of the reasonable-grounds and the conclusive decisions.
	Timing []Timing `json:"timing"`
	// Services: service type × current state, and the stages derived.
	Services      Table          `json:"services"`
	ServiceStages []ServiceStage `json:"service_stages"`
	// Prosecution: investigations by status, charges by offence and
	// outcome, compensation orders on convictions by offence class.
	Investigations Table `json:"investigations"`
	Charges        Table `json:"charges"`
	Compensation   Table `json:"compensation"`
}

// FlowPair is one published flow.
type FlowPair struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Count int64  `json:"count"`
}

// Rates are the decision rates; nil when a count they need is withheld or
// the denominator is empty.
type Rates struct {
	RGPositive    *float64 `json:"rg_positive"`
	CGPositive    *float64 `json:"cg_positive"`
	Reconsidered  *float64 `json:"reconsidered"`
	RGPositiveN   *int64   `json:"rg_decided"`
	CGDecidedN    *int64   `json:"cg_decided"`
	ReconsideredN *int64   `json:"reconsidered_count"`
}

// Timing is the time from referral to one decision ("rg" or "cg"), per
// group: how many were decided, how many within the deadline (rg: the
// decision record's statutory deadline; cg: TargetDays), the median and
// 90th percentile in whole days.
type Timing struct {
	Stage      string        `json:"stage"`
	TargetDays int           `json:"target_days,omitempty"`
	Groups     []TimingGroup `json:"groups"`
	// Table is the count table the groups' counts come from.
	Table Table `json:"table"`
}

// TimingGroup is one group of a timing table.
type TimingGroup struct {
	Labels      []string `json:"labels"`
	Decided     Cell     `json:"decided"`
	Within      Cell     `json:"within"`
	WithinShare *float64 `json:"within_share"`
	Median      *float64 `json:"median_days"`
	P90         *float64 `json:"p90_days"`
}

// ServiceStage is one service type's referrals by stage, from their
// current states (ServiceStagesOf).
type ServiceStage struct {
	Service   string `json:"service"`
	Offered   *int64 `json:"offered"`
	Accepted  *int64 `json:"accepted"`
	Declined  *int64 `json:"declined"`
	Delivered *int64 `json:"delivered"`
}

//go:embed timing.json
var timingJSON []byte

// CGTargetDays is the target, in days from referral, for the conclusive
// decision, from timing.json: the law sets no deadline for it (the
// reasonable-grounds deadline is in the decision record), so the
// instance's monitoring framework sets one.
var CGTargetDays int

func init() {
	var f struct {
		CGTargetDays int `json:"cg_target_days"`
	}
	if err := json.Unmarshal(timingJSON, &f); err != nil || f.CGTargetDays <= 0 {
		panic("stats: timing.json: a positive cg_target_days is required")
	}
	CGTargetDays = f.CGTargetDays
}

// measuresCache keeps computed measures for CacheFor, by scope and
// request, like the tables they are made of: the timing reads every
// decided case's instants, which a page served to many readers should not
// repeat.
type measuresCache struct {
	mu sync.Mutex
	m  map[string]cachedMeasures
}

type cachedMeasures struct {
	at time.Time
	m  Measures
}

// Measures computes every process measure for p's scope.
func (s *Service) Measures(ctx context.Context, p access.Principal, in MeasuresInput) (Measures, error) {
	if !access.Allowed(access.ViewStatistics, p, access.Resource{}) {
		return Measures{}, errs.E(errs.Forbidden, "statistics: not allowed")
	}
	in.By = strings.TrimSpace(in.By)
	if !slices.Contains(TimingGroups, in.By) {
		return Measures{}, &Error{Code: CodeDimension, Field: "by", Value: codeValue(in.By)}
	}
	from, to, err := ParsePeriod(in.Period)
	if err != nil {
		return Measures{}, err
	}
	jid, aid := scope(p)
	key := fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%t", jid, aid, strings.TrimSpace(in.Period), in.By, s.perturb)
	now := s.now()
	s.mcache.mu.Lock()
	if c, ok := s.mcache.m[key]; ok && now.Sub(c.at) <= CacheFor && !now.Before(c.at) {
		s.mcache.mu.Unlock()
		return c.m, nil
	}
	s.mcache.mu.Unlock()
	m, err := s.measures(ctx, p, in, from, to)
	if err != nil {
		return m, err
	}
	s.mcache.mu.Lock()
	if s.mcache.m == nil || len(s.mcache.m) >= cacheMax {
		s.mcache.m = map[string]cachedMeasures{}
	}
	s.mcache.m[key] = cachedMeasures{at: now, m: m}
	s.mcache.mu.Unlock()
	return m, nil
}

func (s *Service) measures(ctx context.Context, p access.Principal, in MeasuresInput, from, to int64) (Measures, error) {
	var err error
	m := Measures{Period: strings.TrimSpace(in.Period), By: in.By}
	q := func(unit string, dims ...string) Query {
		return Query{Dims: dims, Period: m.Period, From: from, To: to, Unit: unit, CGTargetDays: CGTargetDays}
	}
	get := func(dst *Table, qq Query) {
		if err == nil {
			*dst, err = s.table(ctx, p, qq)
		}
	}
	get(&m.Flows, q("", "citizenship", "exploitation_country"))
	get(&m.Decisions, q("", "rg_outcome", "reconsidered"))
	get(&m.Conclusive, q("", "cg_outcome"))
	get(&m.Services, q("services", "service", "service_state"))
	get(&m.Investigations, q("investigations", "investigation_status"))
	get(&m.Charges, q("charges", "offence", "charge_outcome"))
	// Compensation is ordered on a conviction: the table is of convicted
	// charges, so its empty value reads "no order".
	cq := q("charges", "offence_class", "compensation")
	cq.Where = map[string]string{"charge_outcome": "convicted"}
	get(&m.Compensation, cq)
	if err != nil {
		return Measures{}, err
	}
	m.K, m.Method = m.Flows.K, m.Flows.Method
	m.FlowPairs = FlowPairsOf(m.Flows, 12)
	m.Rates = RatesOf(m.Decisions, m.Conclusive, positiveConclusive())
	m.ServiceStages = ServiceStagesOf(m.Services)
	for _, stage := range []string{"rg", "cg"} {
		t, err := s.timing(ctx, p, q("", groupDims(in.By, stage+"_within")...), stage)
		if err != nil {
			return Measures{}, err
		}
		m.Timing = append(m.Timing, t)
	}
	return m, nil
}

func groupDims(by, last string) []string {
	if by == "" {
		return []string{last}
	}
	return []string{by, last}
}

// timing counts one decision's timing table and adds the quantiles of the
// groups large enough to have them.
func (s *Service) timing(ctx context.Context, p access.Principal, q Query, stage string) (Timing, error) {
	q.Decided = stage
	t, err := s.table(ctx, p, q)
	if err != nil {
		return Timing{}, err
	}
	out := Timing{Stage: stage, Table: t}
	if stage == "cg" {
		out.TargetDays = CGTargetDays
	}
	sq := storeQuery(p, q)
	sq.Dims = q.Dims[:len(q.Dims)-1] // the groups, without the within column
	durs, err := s.db.StatDurations(ctx, sq, stage)
	if err != nil {
		return Timing{}, err
	}
	byGroup := map[string][]float64{}
	for _, d := range durs {
		byGroup[strings.Join(d.Values, "\x00")] = append(byGroup[strings.Join(d.Values, "\x00")], d.Days)
	}
	for _, r := range t.Rows {
		g := TimingGroup{Labels: r.Labels, Decided: r.Total}
		if g.Labels == nil {
			g.Labels = []string{}
		}
		if j := slices.Index(t.Columns, "yes"); j >= 0 {
			g.Within = r.Cells[j]
		} else if _, ok := r.Total.Value(); ok {
			zero := int64(0)
			g.Within = Cell{Count: &zero}
		} else {
			g.Within = Cell{Suppressed: "secondary"}
		}
		g.WithinShare = share(g.Within, withinDenominator(t, r))
		g.Median, g.P90 = Quantiles(byGroup[strings.Join(r.Labels, "\x00")], t.K, r.Total)
		out.Groups = append(out.Groups, g)
	}
	return out, nil
}

// withinDenominator is the number of decisions a within-deadline share is
// taken of: those with a deadline (yes and no), not "none".
func withinDenominator(t Table, r Row) Cell {
	var n int64
	for j, c := range t.Columns {
		if c != "yes" && c != "no" {
			continue
		}
		v, ok := r.Cells[j].Value()
		if !ok {
			return Cell{Suppressed: "secondary"}
		}
		n += v
	}
	return Cell{Count: &n}
}

func share(num, den Cell) *float64 {
	a, ok1 := num.Value()
	b, ok2 := den.Value()
	if !ok1 || !ok2 || b <= 0 {
		return nil
	}
	x := float64(a) / float64(b)
	return &x
}

// storeQuery is the store's form of a query in p's scope.
func storeQuery(p access.Principal, q Query) store.StatQuery {
	sq := store.StatQuery{Dims: q.Dims, Where: q.Where, From: q.From, To: q.To, Unit: q.Unit, Decided: q.Decided, CGTargetDays: q.CGTargetDays}
	sq.JurisdictionID, sq.AgencyID = scope(p)
	return sq
}

// QuantileWindow is how many order statistics a published quantile is the
// mean of: never one person's own duration.
const QuantileWindow = 5

// Quantiles returns the median and the 90th percentile of a group's
// durations in whole days, or nil when they may not be published: the
// group has fewer than k decisions, or its count is withheld. Each is the
// mean of the QuantileWindow order statistics around the nearest rank
// (Hyndman & Fan type 1), rounded to whole days, so that no single
// person's duration is published exactly (docs/STATISTICS.md).
func Quantiles(days []float64, k int, total Cell) (median, p90 *float64) {
	if _, ok := total.Value(); !ok || len(days) < max(k, QuantileWindow) {
		return nil, nil
	}
	sorted := slices.Clone(days)
	sort.Float64s(sorted)
	m, p := SmoothedQuantile(sorted, 0.5), SmoothedQuantile(sorted, 0.9)
	return &m, &p
}

// SmoothedQuantile is the q-quantile of sorted values as the mean of the
// QuantileWindow values centred on the nearest rank ⌈q·n⌉ (the window is
// shifted inside the list at its ends), rounded to a whole number.
func SmoothedQuantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	r := int(math.Ceil(q*float64(n))) - 1 // 0-based nearest rank
	w := min(QuantileWindow, n)
	lo := min(max(r-w/2, 0), n-w)
	var sum float64
	for _, v := range sorted[lo : lo+w] {
		sum += v
	}
	return math.Round(sum / float64(w))
}

// FlowPairsOf lists the published cells of a flows table (citizenship ×
// country of exploitation), largest first, at most n; withheld cells and
// flows whose ends are unknown are left out.
func FlowPairsOf(t Table, n int) []FlowPair {
	var out []FlowPair
	for _, r := range t.Rows {
		if len(r.Labels) == 0 || r.Labels[0] == "" {
			continue
		}
		for j, c := range r.Cells {
			v, ok := c.Value()
			if !ok || v == 0 || t.Columns[j] == "" {
				continue
			}
			out = append(out, FlowPair{From: r.Labels[0], To: t.Columns[j], Count: v})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].From+out[i].To < out[j].From+out[j].To
	})
	if len(out) > n {
		out = out[:n]
	}
	if out == nil {
		out = []FlowPair{}
	}
	return out
}

// RatesOf derives the decision rates from the published cells of the
// decisions table (rg_outcome × reconsidered) and the conclusive table:
// positive reasonable-grounds decisions of all taken, positive conclusive
// decisions of all taken (positive tells which outcome codes are), and
// reconsiderations of all decisions taken.
func RatesOf(decisions, conclusive Table, positive func(code string) bool) Rates {
	var r Rates
	rowTotal := func(code string) (int64, bool) {
		for _, row := range decisions.Rows {
			if len(row.Labels) > 0 && row.Labels[0] == code {
				return row.Total.Value()
			}
		}
		return 0, true // no such row: none
	}
	pos, ok1 := rowTotal("positive")
	neg, ok2 := rowTotal("negative")
	if ok1 && ok2 && pos+neg > 0 {
		n, x := pos+neg, float64(pos)/float64(pos+neg)
		r.RGPositive, r.RGPositiveN = &x, &n
	}
	if j := slices.Index(decisions.Columns, "yes"); j >= 0 && ok1 && ok2 && pos+neg > 0 {
		var yes int64
		ok := true
		for _, row := range decisions.Rows {
			if len(row.Labels) == 0 || row.Labels[0] == "" {
				continue
			}
			v, published := row.Cells[j].Value()
			ok = ok && published
			yes += v
		}
		if ok {
			x := float64(yes) / float64(pos+neg)
			r.Reconsidered, r.ReconsideredN = &x, &yes
		}
	} else if ok1 && ok2 && pos+neg > 0 {
		zero, x := int64(0), 0.0
		r.Reconsidered, r.ReconsideredN = &x, &zero
	}
	if len(conclusive.Rows) == 1 {
		var p, all int64
		ok := true
		for j, code := range conclusive.Columns {
			if code == "" {
				continue
			}
			v, published := conclusive.Rows[0].Cells[j].Value()
			ok = ok && published
			all += v
			if positive(code) {
				p += v
			}
		}
		if ok && all > 0 {
			x := float64(p) / float64(all)
			r.CGPositive, r.CGDecidedN = &x, &all
		}
	}
	return r
}

// positiveConclusive tells the positive conclusive outcome codes of every
// country the instance knows (outcome codes are the country's; a code
// positive in one is not negative in another).
func positiveConclusive() func(string) bool {
	pos := map[string]bool{}
	if cs, err := casework.DefaultCountries(); err == nil {
		all := []casework.Country{cs.Default()}
		for _, c := range cs.Codes() {
			if cfg, ok := cs.Lookup(c); ok {
				all = append(all, cfg)
			}
		}
		for _, c := range all {
			for _, o := range c.ConclusiveOutcomes {
				if o.Positive {
					pos[o.Code] = true
				}
			}
		}
	}
	return func(code string) bool { return pos[code] }
}

// ServiceStagesOf derives, per service type, the referrals offered (all of
// them: every referral starts as an offer), accepted (now accepted,
// delivered or ended), declined and delivered (now delivered or ended)
// from the published cells of a service × current state table. A stage is
// nil when a cell it adds up is withheld. Current states only: a referral
// accepted and later withdrawn counts as withdrawn, not accepted.
func ServiceStagesOf(t Table) []ServiceStage {
	out := []ServiceStage{}
	for _, r := range t.Rows {
		if len(r.Labels) == 0 {
			continue
		}
		sum := func(states ...string) *int64 {
			var n int64
			for j, c := range t.Columns {
				if !slices.Contains(states, c) {
					continue
				}
				v, ok := r.Cells[j].Value()
				if !ok {
					return nil
				}
				n += v
			}
			return &n
		}
		st := ServiceStage{Service: r.Labels[0], Accepted: sum("accepted", "delivered", "ended"),
			Declined: sum("declined"), Delivered: sum("delivered", "ended")}
		if v, ok := r.Total.Value(); ok {
			st.Offered = &v
		}
		out = append(out, st)
	}
	return out
}

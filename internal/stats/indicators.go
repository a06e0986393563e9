package stats

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/errs"
)

// IndicatorDef is one indicator, defined once, in data: a share of cases
// counted over one dimension — the cases whose value is in Numerator out
// of those whose value is in Denominator (empty: all cases in scope) —
// optionally restricted by Where (DIM=CODE, comma-separated), with targets
// per jurisdiction code ("*" for any jurisdiction, and for tables across
// jurisdictions). Its label is the catalogue's stats.indicator.<id>.
// Direction is "higher" (the value should reach the target), "lower" (stay
// under it) or "info" (no target).
type IndicatorDef struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	// Kind is the IOM handbook's area ("protection", "prosecution") or
	// "process" (the NRM's own); Period the reporting period the
	// indicator is meant for ("year", "quarter"; empty: any).
	Kind   string `json:"kind,omitempty"`
	Period string `json:"period,omitempty"`
	// Unit counts through service referrals, charges or investigations
	// (store.StatUnits; empty: cases), over UnitDimensions.
	Unit        string             `json:"unit,omitempty"`
	Dimension   string             `json:"dimension"`
	Numerator   []string           `json:"numerator"`
	Denominator []string           `json:"denominator"`
	Where       string             `json:"where,omitempty"`
	Direction   string             `json:"direction"`
	Targets     map[string]float64 `json:"targets"`
}

//go:embed indicators.json
var indicatorsJSON []byte

// IOM handbook protection and prosecution indicators over the process
// measures (measures.go), in a file of their own.
//
//go:embed indicators_iom.json
var indicatorsIOMJSON []byte

// UnitDimensions are the dimensions an indicator may count over, by unit:
// the table dimensions and the process measures' for cases, and each
// unit's own.
var UnitDimensions = map[string][]string{
	"":               append(slices.Clone(Dimensions), "rg_outcome", "cg_outcome", "reconsidered", "rg_within", "cg_within"),
	"services":       {"service", "service_state"},
	"charges":        {"offence", "offence_class", "charge_outcome", "compensation"},
	"investigations": {"investigation_status"},
}

// Indicators is the registry: the embedded definitions, to which
// RegisterIndicators adds others (local-government indicators, for
// instance) before the server starts.
var Indicators []IndicatorDef

func init() {
	for _, b := range [][]byte{indicatorsJSON, indicatorsIOMJSON} {
		var f struct {
			Indicators []IndicatorDef `json:"indicators"`
		}
		if err := json.Unmarshal(b, &f); err != nil {
			panic("stats: indicators: " + err.Error())
		}
		if err := RegisterIndicators(f.Indicators...); err != nil {
			panic(err)
		}
	}
}

// RegisterIndicators checks definitions and adds them to the registry: a
// known dimension, codes in the numerator, a unique id, a known direction
// and targets between 0 and 1.
func RegisterIndicators(defs ...IndicatorDef) error {
	for _, d := range defs {
		if d.ID == "" || !isCode(d.ID) || slices.ContainsFunc(Indicators, func(o IndicatorDef) bool { return o.ID == d.ID }) {
			return fmt.Errorf("stats: indicator %q: missing or repeated id", d.ID)
		}
		if !slices.Contains(UnitDimensions[d.Unit], d.Dimension) || len(d.Numerator) == 0 {
			return fmt.Errorf("stats: indicator %s: unknown unit or dimension, or empty numerator", d.ID)
		}
		if d.Period != "" && d.Period != "year" && d.Period != "quarter" {
			return fmt.Errorf("stats: indicator %s: period must be year, quarter or empty", d.ID)
		}
		if d.Direction != "higher" && d.Direction != "lower" && d.Direction != "info" {
			return fmt.Errorf("stats: indicator %s: direction must be higher, lower or info", d.ID)
		}
		if _, err := indicatorWhere(d.Unit, d.Where); err != nil {
			return fmt.Errorf("stats: indicator %s: %w", d.ID, err)
		}
		for j, v := range d.Targets {
			if v < 0 || v > 1 {
				return fmt.Errorf("stats: indicator %s: target for %s outside 0…1", d.ID, j)
			}
		}
		Indicators = append(Indicators, d)
	}
	return nil
}

// IndicatorValue is an indicator's value for a period and scope, against
// its target. Value is nil when a count it needs is withheld by the
// disclosure policy or the denominator is empty.
type IndicatorValue struct {
	ID          string   `json:"id"`
	Source      string   `json:"source"`
	Kind        string   `json:"kind,omitempty"`
	Period      string   `json:"period,omitempty"`
	Numerator   *int64   `json:"numerator"`
	Denominator *int64   `json:"denominator"`
	Value       *float64 `json:"value"`
	Target      *float64 `json:"target,omitempty"`
	Direction   string   `json:"direction"`
	// Met is "met", "not_met" or "" (no target, or no value).
	Met string `json:"met,omitempty"`
}

// IndicatorsFor computes every registered indicator for p's scope over a
// period, from the same disclosure-controlled tables the statistics page
// shows: a share is given only when every count it adds up is published.
func (s *Service) IndicatorsFor(ctx context.Context, p access.Principal, period string) ([]IndicatorValue, error) {
	if !access.Allowed(access.ViewStatistics, p, access.Resource{}) {
		return nil, errs.E(errs.Forbidden, "statistics: not allowed")
	}
	jcode := "*"
	if jid, _ := scope(p); jid != "" {
		js, err := s.db.Jurisdictions(ctx)
		if err != nil {
			return nil, err
		}
		for _, j := range js {
			if j.ID == jid {
				jcode = j.Code
			}
		}
	}
	var out []IndicatorValue
	for _, d := range Indicators {
		q, err := ParseTable(TableInput{Period: period})
		if err != nil {
			return nil, err
		}
		if q.Where, err = indicatorWhere(d.Unit, d.Where); err != nil {
			return nil, err
		}
		q.Dims, q.Unit, q.CGTargetDays = []string{d.Dimension}, d.Unit, CGTargetDays
		if d.Dimension == "rg_within" || d.Dimension == "cg_within" {
			q.Decided = d.Dimension[:2]
		}
		t, err := s.table(ctx, p, q)
		if err != nil {
			return nil, err
		}
		v := IndicatorValue{ID: d.ID, Source: d.Source, Kind: d.Kind, Period: d.Period, Direction: d.Direction}
		sum := func(codes []string) (int64, bool) {
			var n int64
			if len(t.Rows) == 0 {
				return 0, true
			}
			for j, c := range t.Columns {
				if len(codes) > 0 && !slices.Contains(codes, c) {
					continue
				}
				x, ok := t.Rows[0].Cells[j].Value()
				if !ok {
					return 0, false
				}
				n += x
			}
			return n, true
		}
		num, okN := sum(d.Numerator)
		den, okD := sum(d.Denominator)
		if len(d.Denominator) == 0 {
			den, okD = t.Total.Value()
		}
		if okN {
			v.Numerator = &num
		}
		if okD {
			v.Denominator = &den
		}
		if okN && okD && den > 0 {
			x := float64(num) / float64(den)
			v.Value = &x
		}
		if tg, ok := d.Targets[jcode]; ok {
			v.Target = &tg
		} else if tg, ok := d.Targets["*"]; ok {
			v.Target = &tg
		}
		if v.Value != nil && v.Target != nil && d.Direction != "info" {
			met := *v.Value >= *v.Target
			if d.Direction == "lower" {
				met = *v.Value <= *v.Target
			}
			v.Met = map[bool]string{true: "met", false: "not_met"}[met]
		}
		out = append(out, v)
	}
	return out, nil
}

// indicatorWhere reads a definition's restriction DIM=CODE,… over the
// dimensions of its unit.
func indicatorWhere(unit, where string) (map[string]string, error) {
	var out map[string]string
	for _, w := range splitList(where) {
		k, v, ok := strings.Cut(w, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || v == "" || k == "year" || k == "quarter" || !slices.Contains(UnitDimensions[unit], k) || !isCode(v) {
			return nil, &Error{Code: CodeWhere, Field: "where", Value: codeValue(k)}
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return out, nil
}

package stats

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/disclosure"
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
//
// An indicator that is not a share of cases names a measure source in From
// (registered on the service with AddSource: a local government's records,
// for instance): Numerator then names one measure and Denominator at most
// one (none: the value is the numerator), both summed over the units in the
// reader's scope; the value is their ratio times Scale, shown as a number,
// and its targets are on that scale. Measures listed in People count
// people: each passes the disclosure policy's primary suppression before
// it is used. Period says what window the source counts ("12m": the twelve
// months up to the reading; "latest": the latest state). Label is the
// catalogue key of its name when it is not stats.indicator.<id>.
type IndicatorDef struct {
	ID     string `json:"id"`
	Label  string `json:"label,omitempty"`
	Source string `json:"source"`
	// Kind is the IOM handbook's area ("protection", "prosecution") or
	// "process" (the NRM's own); Period the reporting period a share is
	// meant for ("year", "quarter"; empty: any), or the window a measure
	// source counts ("12m", "latest").
	Kind   string `json:"kind,omitempty"`
	Period string `json:"period,omitempty"`
	// Unit counts through service referrals, charges or investigations
	// (store.StatUnits; empty: cases), over UnitDimensions.
	Unit        string             `json:"unit,omitempty"`
	Dimension   string             `json:"dimension,omitempty"`
	Numerator   []string           `json:"numerator"`
	Denominator []string           `json:"denominator"`
	Where       string             `json:"where,omitempty"`
	Direction   string             `json:"direction"`
	Targets     map[string]float64 `json:"targets"`
	From        string             `json:"from,omitempty"`
	Scale       float64            `json:"scale,omitempty"`
	People      []string           `json:"people,omitempty"`
}

// LabelKey is the catalogue key of the indicator's name.
func (d IndicatorDef) LabelKey() string {
	if d.Label != "" {
		return d.Label
	}
	return "stats.indicator." + d.ID
}

// MeasureSource counts the measures of indicators that are not shares of
// cases, over the units in a scope (a jurisdiction, an agency, or the
// whole instance when both are empty).
type MeasureSource interface {
	Measures(ctx context.Context, jurisdictionID, agencyID string) (map[string]int64, error)
}

// AddSource registers a measure source under the name indicators give in
// From. It is called while the services are built, before any request.
func (s *Service) AddSource(name string, src MeasureSource) {
	if s.sources == nil {
		s.sources = map[string]MeasureSource{}
	}
	s.sources[name] = src
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
		if d.From != "" {
			if !isCode(d.From) || len(d.Numerator) != 1 || len(d.Denominator) > 1 || d.Scale <= 0 || d.Dimension != "" {
				return fmt.Errorf("stats: indicator %s: a measured indicator needs one numerator, at most one denominator and a scale", d.ID)
			}
			for j, v := range d.Targets {
				if v < 0 {
					return fmt.Errorf("stats: indicator %s: negative target for %s", d.ID, j)
				}
			}
			if d.Direction != "higher" && d.Direction != "lower" && d.Direction != "info" {
				return fmt.Errorf("stats: indicator %s: direction must be higher, lower or info", d.ID)
			}
			Indicators = append(Indicators, d)
			continue
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
	// Unit is "share" (a proportion, 0–1) or "number" (a measured
	// indicator's value on its own scale).
	Unit string `json:"unit"`
	// Label is the catalogue key of the indicator's name.
	Label string `json:"label"`
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
	measured := map[string]map[string]int64{}
	for _, d := range Indicators {
		if d.From != "" {
			v, err := s.measured(ctx, p, d, jcode, measured)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			continue
		}
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
		v := IndicatorValue{ID: d.ID, Source: d.Source, Kind: d.Kind, Period: d.Period, Direction: d.Direction, Unit: "share", Label: d.LabelKey()}
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
		out = append(out, v.against(d, jcode))
	}
	return out, nil
}

// against sets the target for the jurisdiction (its code, else "*") and
// whether the value meets it.
func (v IndicatorValue) against(d IndicatorDef, jcode string) IndicatorValue {
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
	return v
}

// measured computes an indicator from its source's measures for p's
// scope (asked once per source and call, in seen). A measure that counts
// people and lies below the policy's threshold is withheld: it passes
// disclosure.Suppress as a table of one cell, like any count of people.
func (s *Service) measured(ctx context.Context, p access.Principal, d IndicatorDef, jcode string, seen map[string]map[string]int64) (IndicatorValue, error) {
	v := IndicatorValue{ID: d.ID, Source: d.Source, Direction: d.Direction, Unit: "number", Label: d.LabelKey()}
	src := s.sources[d.From]
	if src == nil {
		return v.against(d, jcode), nil
	}
	jid, aid := scope(p)
	m, ok := seen[d.From]
	if !ok {
		var err error
		if m, err = src.Measures(ctx, jid, aid); err != nil {
			return v, err
		}
		seen[d.From] = m
	}
	pol, err := s.policy(ctx, jid)
	if err != nil {
		return v, err
	}
	get := func(name string) (int64, bool, error) {
		x, ok := m[name]
		if !ok {
			return 0, false, nil
		}
		if slices.Contains(d.People, name) {
			pr, err := disclosure.Suppress(disclosure.Grid{Rows: 1, Cols: 1, Counts: []int64{x}}, pol.K)
			if err != nil {
				return 0, false, err
			}
			if _, st := pr.At(0, 0); st.Suppressed() {
				return 0, false, nil
			}
		}
		return x, true, nil
	}
	num, okN, err := get(d.Numerator[0])
	if err != nil {
		return v, err
	}
	den, okD := int64(1), true
	if len(d.Denominator) == 1 {
		if den, okD, err = get(d.Denominator[0]); err != nil {
			return v, err
		}
		if okD {
			v.Denominator = &den
		}
	}
	if okN {
		v.Numerator = &num
	}
	if okN && okD && den > 0 {
		x := float64(num) / float64(den) * d.Scale
		v.Value = &x
	}
	return v.against(d, jcode), nil
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

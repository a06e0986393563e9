package services

import (
	"slices"

	"github.com/haven-nrm/haven/internal/localgov"
	"github.com/haven-nrm/haven/internal/stats"
)

// The local governments' indicators are registered with the statistics,
// so that the statistics' indicators page shows them beside the
// mechanism's, counted from the local governments' records (New adds
// their service as the measure source localgov.Source).
func init() {
	if err := stats.RegisterIndicators(localGovIndicators()...); err != nil {
		panic(err)
	}
}

// localGovIndicators are localgov.Indicators as the statistics define
// theirs: each a measured indicator of localgov.Source, its target the
// one for every jurisdiction, its direction "higher" ("info" without a
// target), its measures that count people named.
func localGovIndicators() []stats.IndicatorDef {
	var out []stats.IndicatorDef
	for _, i := range localgov.Indicators {
		d := stats.IndicatorDef{ID: i.Code, Label: i.NameKey, Source: i.Source, From: localgov.Source, Numerator: []string{i.Numerator},
			Denominator: []string{}, Scale: i.Scale, Period: i.Period, Direction: "higher", Targets: map[string]float64{"*": i.Target}}
		if i.Denominator != "" {
			d.Denominator = []string{i.Denominator}
		}
		if i.Target == 0 {
			d.Direction, d.Targets = "info", map[string]float64{}
		}
		for _, m := range []string{i.Numerator, i.Denominator} {
			if slices.Contains(localgov.People, m) {
				d.People = append(d.People, m)
			}
		}
		out = append(out, d)
	}
	return out
}

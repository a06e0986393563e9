package localgov

import (
	"slices"

	"github.com/haven-nrm/haven/internal/disclosure"
)

// Indicator is a local-government indicator, defined as data in the shape
// the statistics indicators take (code, name key, numerator, denominator,
// source, period, target) so that they can be registered with them. The
// numerator and denominator name measures that Service.Measures computes;
// an empty denominator makes the value the numerator itself. Scale
// multiplies a ratio (100 for a percentage, 1000 for "per 1,000").
type Indicator struct {
	Code        string
	NameKey     string
	Numerator   string
	Denominator string
	Scale       float64
	// Source names where the measures come from.
	Source string
	// Period is the window counted: "12m", the twelve months up to the
	// day of the reading; "latest", the latest record.
	Period string
	// Target is the value the plan aims at (IOM, Handbook on Performance
	// Indicators for Counter-Trafficking Projects, 2008: each indicator
	// with a baseline and a target).
	Target float64
}

// The measures the indicators use.
const (
	MeasureCampaignReach   = "campaign_reach"
	MeasurePopulation      = "population"
	MeasureTrained         = "trained"
	MeasureTrainedGain     = "trained_score_gain"
	MeasureAgreements      = "active_agreements"
	MeasureActivitiesDone  = "activities_done"
	MeasureActivities      = "activities"
	MeasureThreePTotal     = "threep_total"
	MeasureNetworkShown    = "network_referrals_shown"
	MeasureCommunityPeople = "programme_participants"
	// MeasureAssessed is how many local governments have a 3P
	// self-assessment: summed over several, the 3P total is an average.
	MeasureAssessed = "threep_assessed"
)

// Indicators are the local government's indicators.
var Indicators = []Indicator{
	{"LG-01", "localgov.indicator.lg01", MeasureCampaignReach, MeasurePopulation, 1000, "localgov_records (campaign)", "12m", 100},
	{"LG-02", "localgov.indicator.lg02", MeasureTrained, "", 1, "localgov_records (training)", "12m", 200},
	{"LG-03", "localgov.indicator.lg03", MeasureTrainedGain, MeasureTrained, 1, "localgov_records (training, pre- and post-test)", "12m", 15},
	{"LG-04", "localgov.indicator.lg04", MeasureCommunityPeople, "", 1, "localgov_records (programme)", "12m", 500},
	{"LG-05", "localgov.indicator.lg05", MeasureAgreements, "", 1, "localgov_records (partnership, active)", "latest", 5},
	{"LG-06", "localgov.indicator.lg06", MeasureActivitiesDone, MeasureActivities, 100, "localgov_plan_items", "latest", 80},
	{"LG-07", "localgov.indicator.lg07", MeasureThreePTotal, MeasureAssessed, 1, "threep_assessments", "latest", 12},
	{"LG-08", "localgov.indicator.lg08", MeasureNetworkShown, "", 1, "handovers, service_referrals (disclosure-controlled)", "latest", 0},
}

// People are the measures that count people: the statistics withhold
// each below their threshold.
var People = []string{MeasureCampaignReach, MeasureTrained, MeasureCommunityPeople, MeasureNetworkShown}

// Source is the name of the local governments' measure source among the
// statistics' sources (stats.Service.AddSource).
const Source = "localgov"

// IndicatorByCode returns an indicator, and false for an unknown code.
func IndicatorByCode(code string) (Indicator, bool) {
	for _, i := range Indicators {
		if i.Code == code {
			return i, true
		}
	}
	return Indicator{}, false
}

// Value computes an indicator from measures. ok is false when a
// denominator is zero or a measure is missing.
func (i Indicator) Value(m map[string]float64) (v float64, ok bool) {
	num, ok := m[i.Numerator]
	if !ok {
		return 0, false
	}
	if i.Denominator == "" {
		return num * i.Scale, true
	}
	den, ok := m[i.Denominator]
	if !ok || den == 0 {
		return 0, false
	}
	return num / den * i.Scale, true
}

// DefaultMinCount is the smallest count of the referral network shown
// when nothing else is configured: the statistics' default threshold
// (disclosure.DefaultK).
const DefaultMinCount = disclosure.DefaultK

// Flow is one count of the city's referral network, from agencies of one
// kind to agencies of another.
type Flow struct {
	From, To string
	Count    int64
	// Suppressed is "primary" when the count was below the threshold,
	// "secondary" when it is withheld so that a primary count cannot be
	// worked out from the totals, "" when it is shown (Count is 0 when
	// withheld).
	Suppressed string
}

// Primary reports whether the count is withheld for being below the
// threshold (rather than to protect another).
func (f Flow) Primary() bool { return f.Suppressed == "primary" }

// Network lays the city's referral flows out as a table — rows the
// referring kinds, columns the receiving kinds, with their totals — and
// protects it with the statistics' disclosure control
// (disclosure.Suppress: primary suppression below k, then complementary
// suppression until no withheld count follows from the totals). Every
// count that is not zero, and every withheld one, is returned.
func Network(flows []Flow, k int) (cells []Flow, err error) {
	if k <= 0 {
		k = DefaultMinCount
	}
	if len(flows) == 0 {
		return nil, nil
	}
	var from, to []string
	for _, f := range flows {
		if !slices.Contains(from, f.From) {
			from = append(from, f.From)
		}
		if !slices.Contains(to, f.To) {
			to = append(to, f.To)
		}
	}
	slices.Sort(from)
	slices.Sort(to)
	g := disclosure.Grid{Rows: len(from), Cols: len(to), Counts: make([]int64, len(from)*len(to))}
	for _, f := range flows {
		g.Counts[slices.Index(from, f.From)*len(to)+slices.Index(to, f.To)] += f.Count
	}
	p, err := disclosure.Suppress(g, k)
	if err != nil {
		return nil, err
	}
	for i, a := range from {
		for j, b := range to {
			v, st := p.At(i, j)
			switch {
			case st.Suppressed():
				cells = append(cells, Flow{From: a, To: b, Suppressed: st.String()})
			case v > 0:
				cells = append(cells, Flow{From: a, To: b, Count: v})
			}
		}
	}
	return cells, nil
}

package screening

import "sort"

// Result is the outcome of one screening. Field names are stable: the web
// interface and stored screenings depend on them.
type Result struct {
	Protocol       ProtocolResult   `json:"protocol"`
	Indicators     IndicatorsResult `json:"indicators"`
	Smuggling      SmugglingResult  `json:"smuggling"`
	Classification string           `json:"classification"`
	National       NationalResult   `json:"national"`
	Warnings       []Warning        `json:"warnings"`
	Explanation    []Line           `json:"explanation"`
}

// ProtocolResult is the test under UN Trafficking Protocol art. 3.
type ProtocolResult struct {
	Child         bool `json:"child"`
	PresumedChild bool `json:"presumed_child"`
	// MeansRequired is false for a child (art. 3(c)).
	MeansRequired bool `json:"means_required"`
	// ConsentIrrelevant is true when consent to the intended exploitation
	// cannot defeat the finding: means were used (art. 3(b)) or the person
	// is a child (art. 3(c)).
	ConsentIrrelevant bool     `json:"consent_irrelevant"`
	Elements          Elements `json:"elements"`
	Verdict           string   `json:"verdict"`
}

// Elements gives the state of each element: present, absent or unknown.
type Elements struct {
	Act     string `json:"act"`
	Means   string `json:"means"`
	Purpose string `json:"purpose"`
}

func (e Elements) get(name string) string {
	switch name {
	case ElementAct:
		return e.Act
	case ElementMeans:
		return e.Means
	default:
		return e.Purpose
	}
}

// IndicatorsResult is the assessment against an indicator profile.
type IndicatorsResult struct {
	// Profile is the id of the profile used, "" when none applied.
	Profile  string `json:"profile"`
	Verified bool   `json:"verified"`
	// Dimensions is keyed by dimension id (JSON objects are written with
	// sorted keys).
	Dimensions map[string]DimensionResult `json:"dimensions"`
	Groups     map[string]GroupResult     `json:"groups"`
	Verdict    string                     `json:"verdict"`
	// Types are the positive dimensions of the profile's types group (the
	// recruitment dimensions in the ILO–EC profiles), sorted.
	Types []string `json:"types"`
}

// DimensionResult counts the present indicators of one dimension.
type DimensionResult struct {
	Strong   int  `json:"strong"`
	Medium   int  `json:"medium"`
	Weak     int  `json:"weak"`
	Positive bool `json:"positive"`
	// Threshold is the first threshold met, e.g. "1 strong + 1 medium_or_weak".
	Threshold string `json:"threshold,omitempty"`
	// Because lists the indicators that meet that threshold.
	Because []string `json:"because"`
	// Present lists every present indicator of the dimension.
	Present []string `json:"present"`
}

// GroupResult says whether a group has a positive dimension, and which.
type GroupResult struct {
	Positive           bool     `json:"positive"`
	PositiveDimensions []string `json:"positive_dimensions"`
}

// SmugglingResult is the test under Smuggling Protocol art. 3(a).
type SmugglingResult struct {
	Verdict string `json:"verdict"`
}

// NationalResult is the test under the chosen national legal profile.
type NationalResult struct {
	Jurisdiction  string   `json:"jurisdiction"`
	Name          string   `json:"name"`
	Verified      bool     `json:"verified"`
	AgeOfMajority int      `json:"age_of_majority"`
	Child         bool     `json:"child"`
	MeansRequired bool     `json:"means_required"`
	Elements      Elements `json:"elements"`
	Verdict       string   `json:"verdict"`
	// CoveredForms are the national forms given that this law covers;
	// UncoveredForms those given that it does not.
	CoveredForms   []string `json:"covered_forms"`
	UncoveredForms []string `json:"uncovered_forms"`
}

// Warning is a message for the person screening. Code is stable so that an
// interface can translate it; Message is English; Facts holds the values the
// message refers to, for use in a translation.
type Warning struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Facts   []string `json:"facts,omitempty"`
}

// Line is one step of the explanation: which facts established an element
// or dimension, under which rule.
type Line struct {
	// Element names the part of the test: age, act, means, purpose, consent,
	// protocol, indicators, smuggling, national or classification.
	Element string `json:"element,omitempty"`
	// Dimension is set instead of Element for an indicator dimension.
	Dimension string   `json:"dimension,omitempty"`
	Rule      string   `json:"rule"`
	Facts     []string `json:"facts"`
	Text      string   `json:"text"`
}

// Warning codes. They are part of the output format: do not rename.
const (
	WarnPresumedChild               = "presumed_child"
	WarnAgeUnknown                  = "age_unknown"
	WarnAgeGivenMayBeChild          = "age_given_but_may_be_child"
	WarnConsentIrrelevant           = "consent_irrelevant"
	WarnProtocolInsufficient        = "protocol_insufficient"
	WarnProfileUnverified           = "profile_unverified"
	WarnNoSexualProfile             = "no_verified_sexual_profile"
	WarnNoProfile                   = "no_profile"
	WarnNoIndicators                = "indicators_not_recorded"
	WarnProfilePopulationMismatch   = "profile_population_mismatch"
	WarnProfileExploitationMismatch = "profile_exploitation_mismatch"
	WarnJurisdictionUnverified      = "jurisdiction_unverified"
	WarnNationalFormNotCovered      = "national_form_not_covered"
	WarnNationalMeansForChild       = "national_means_required_for_child"
	WarnNationalChildSexualMeans    = "national_child_sexual_exploitation_requires_means"
	WarnNationalAgeOfMajority       = "national_age_of_majority_below_18"
	WarnNationalFallsShort          = "national_law_falls_short"
	WarnSmugglingWithTrafficking    = "smuggling_with_trafficking_indicators"
	WarnPossibleSmuggling           = "possible_smuggling_rescreen"
)

type warnings []Warning

func (w *warnings) add(code, msg string, facts ...string) {
	*w = append(*w, Warning{Code: code, Message: msg, Facts: facts})
}

// sorted orders warnings by code, keeping insertion order among equal codes.
func (w warnings) sorted() []Warning {
	out := append([]Warning{}, w...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

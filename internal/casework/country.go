package casework

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
)

//go:embed countries/*.json
var embeddedCountries embed.FS

// DefaultCode is the code of the default configuration, modelled on the
// England and Wales NRM, for a jurisdiction without its own.
const DefaultCode = "default"

// Limits and floors of a country configuration.
const (
	// MaxCountryBytes bounds a configuration file.
	MaxCountryBytes = 256 << 10
	// MinRecoveryDays is the floor of the recovery and reflection period:
	// Council of Europe Convention art. 13 requires at least 30 days.
	MinRecoveryDays = 30
	// MaxRGTargetWorkingDays bounds the reasonable-grounds target.
	MaxRGTargetWorkingDays = 60
	maxRecoveryDays        = 3660
	maxHolidays            = 2000
)

// Country is one country's decision rules. Build one with ParseCountry;
// the zero Country is not usable.
type Country struct {
	Code string
	Name string
	// Calendar counts working days for the reasonable-grounds target.
	Calendar Calendar
	// RGTargetWorkingDays: the reasonable-grounds decision is due this many
	// working days after the referral (UK: 5).
	RGTargetWorkingDays int
	// RecoveryMinimumDays: a positive RG opens a recovery and reflection
	// period of at least this many days (CoE Convention art. 13: 30).
	RecoveryMinimumDays int
	// RecoveryUntilConclusive: the period lasts in any case until the
	// conclusive decision takes effect (UK policy).
	RecoveryUntilConclusive bool
	// ConclusiveOutcomes are the outcomes a conclusive decision may have.
	ConclusiveOutcomes []Outcome
	// Consultations are the parties consulted before a negative conclusive
	// decision.
	Consultations ConsultationRule
	// NegativeRGReview: a negative reasonable-grounds decision takes
	// effect only once a second person upholds it, as a negative
	// conclusive one always does (see NegativeNeedsReview). On unless the
	// configuration turns it off.
	NegativeRGReview bool
	Provenance       Provenance
	// CalendarVersion names the jurisdiction's calendar version that
	// Calendar holds ("" for the configuration's own): a record opened
	// with it keeps it (Record.CalendarVersion).
	CalendarVersion string
}

// NegativeNeedsReview reports whether a negative decision at a stage
// awaits a second person's review before it takes effect: a conclusive
// one always, a reasonable-grounds one when the country's decision
// settings say so (Country.NegativeRGReview).
func NegativeNeedsReview(stage Stage, cfg Country) bool {
	switch stage {
	case StageConclusiveGrounds:
		return true
	case StageReasonableGrounds:
		return cfg.NegativeRGReview
	}
	return false
}

// Outcome is a conclusive-grounds outcome; Positive outcomes identify a
// victim.
type Outcome struct {
	Code     string `json:"code"`
	Positive bool   `json:"positive"`
}

// ConsultationRule lists the parties whose views are sought before a
// negative conclusive decision: Always for everyone, Child in addition for
// a child.
type ConsultationRule struct {
	Always []string `json:"always"`
	Child  []string `json:"child"`
}

// Provenance says where a configuration's rules come from and whether a
// responsible person has checked them.
type Provenance struct {
	Source   string `json:"source"`
	Verified bool   `json:"verified"`
	Note     string `json:"note,omitempty"`
}

// Outcome returns the conclusive outcome with the given code.
func (c Country) Outcome(code string) (Outcome, bool) {
	i := slices.IndexFunc(c.ConclusiveOutcomes, func(o Outcome) bool { return o.Code == code })
	if i < 0 {
		return Outcome{}, false
	}
	return c.ConclusiveOutcomes[i], true
}

// RequiredConsultations lists the parties to consult before a negative
// conclusive decision on a child or an adult, in configuration order.
func (c Country) RequiredConsultations(child bool) []string {
	out := slices.Clone(c.Consultations.Always)
	if child {
		out = append(out, c.Consultations.Child...)
	}
	return out
}

// RGDeadline is the reasonable-grounds deadline for an RG clock started at
// start: the end of the target working day.
func (c Country) RGDeadline(start time.Time) time.Time {
	return AddWorkingDays(start, c.RGTargetWorkingDays, c.Calendar)
}

func (c Country) clone() Country {
	c.ConclusiveOutcomes = slices.Clone(c.ConclusiveOutcomes)
	c.Consultations.Always = slices.Clone(c.Consultations.Always)
	c.Consultations.Child = slices.Clone(c.Consultations.Child)
	return c
}

// The file format. Pointers mark values that must be present: a missing
// boolean would otherwise read as false.
type countryFile struct {
	Code               string            `json:"code"`
	Name               string            `json:"name"`
	Calendar           *calendarFile     `json:"calendar"`
	ReasonableGrounds  *rgFile           `json:"reasonable_grounds"`
	RecoveryPeriod     *periodFile       `json:"recovery_period"`
	ConclusiveOutcomes []outcomeFile     `json:"conclusive_outcomes"`
	Consultations      *ConsultationRule `json:"negative_conclusive_consultations"`
	Review             *reviewFile       `json:"second_person_review"`
	Provenance         *provenanceFile   `json:"provenance"`
}

// reviewFile says which negative decisions a second person reviews beyond
// the conclusive ones. The section may be left out (every negative
// decision is then reviewed); given, it must state its value.
type reviewFile struct {
	NegativeReasonableGrounds *bool `json:"negative_reasonable_grounds"`
}

type calendarFile struct {
	TimeZone string    `json:"time_zone"`
	Weekend  []string  `json:"weekend"`
	Years    []int     `json:"years"`
	Holidays []Holiday `json:"holidays"`
	Verified *bool     `json:"verified"`
	Note     string    `json:"note"`
}

type rgFile struct {
	TargetWorkingDays int `json:"target_working_days"`
}

type periodFile struct {
	MinimumDays     int   `json:"minimum_days"`
	UntilConclusive *bool `json:"until_conclusive"`
}

type outcomeFile struct {
	Code     string `json:"code"`
	Positive *bool  `json:"positive"`
}

type provenanceFile struct {
	Source   string `json:"source"`
	Verified *bool  `json:"verified"`
	Note     string `json:"note"`
}

var (
	countryCodePattern = regexp.MustCompile(`^(default|[A-Z]{2}(-[A-Z0-9]{1,3})?)$`)
	codePattern        = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	weekdayNames       = map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
		"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}
)

// ParseCountry decodes and validates a country configuration. It refuses
// unknown fields, missing sections, trailing data, an unknown time zone,
// holidays outside the years covered or listed twice, a recovery period
// shorter than the Convention's 30 days, outcomes without both a positive
// and a negative one, and codes listed twice, so that a mistyped
// configuration fails when loaded rather than deciding wrongly.
func ParseCountry(data []byte) (Country, error) {
	if len(data) > MaxCountryBytes {
		return Country{}, fmt.Errorf("casework: country: larger than %d bytes", MaxCountryBytes)
	}
	var f countryFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Country{}, fmt.Errorf("casework: country: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Country{}, fmt.Errorf("casework: country: unexpected data after the JSON object")
	}
	c, err := f.build()
	if err != nil {
		return Country{}, fmt.Errorf("casework: country %q: %w", f.Code, err)
	}
	return c, nil
}

func (f countryFile) build() (Country, error) {
	if !countryCodePattern.MatchString(f.Code) {
		return Country{}, fmt.Errorf("code must be %q or an ISO 3166 code such as \"NP\" or \"GB-ENG\"", DefaultCode)
	}
	if strings.TrimSpace(f.Name) == "" {
		return Country{}, fmt.Errorf("name is empty")
	}
	switch {
	case f.Calendar == nil:
		return Country{}, fmt.Errorf("calendar is missing")
	case f.ReasonableGrounds == nil:
		return Country{}, fmt.Errorf("reasonable_grounds is missing")
	case f.RecoveryPeriod == nil:
		return Country{}, fmt.Errorf("recovery_period is missing")
	case f.Consultations == nil:
		return Country{}, fmt.Errorf("negative_conclusive_consultations is missing")
	case f.Provenance == nil:
		return Country{}, fmt.Errorf("provenance is missing")
	}
	c := Country{Code: f.Code, Name: f.Name}

	cal := f.Calendar
	if cal.Verified == nil {
		return Country{}, fmt.Errorf("calendar.verified is missing")
	}
	if len(cal.Holidays) > maxHolidays {
		return Country{}, fmt.Errorf("calendar.holidays: more than %d", maxHolidays)
	}
	var weekend []time.Weekday
	for _, name := range cal.Weekend {
		d, ok := weekdayNames[name]
		if !ok {
			return Country{}, fmt.Errorf("calendar.weekend: %q is not a lower-case English day name", name)
		}
		weekend = append(weekend, d)
	}
	var err error
	if c.Calendar, err = NewCalendar(cal.TimeZone, weekend, cal.Years, cal.Holidays, *cal.Verified, cal.Note); err != nil {
		return Country{}, fmt.Errorf("calendar.%w", err)
	}
	if !*cal.Verified && strings.TrimSpace(cal.Note) == "" {
		return Country{}, fmt.Errorf("calendar.note must say what is unverified")
	}

	c.RGTargetWorkingDays = f.ReasonableGrounds.TargetWorkingDays
	if c.RGTargetWorkingDays < 1 || c.RGTargetWorkingDays > MaxRGTargetWorkingDays {
		return Country{}, fmt.Errorf("reasonable_grounds.target_working_days %d must be between 1 and %d", c.RGTargetWorkingDays, MaxRGTargetWorkingDays)
	}
	c.RecoveryMinimumDays = f.RecoveryPeriod.MinimumDays
	if c.RecoveryMinimumDays < MinRecoveryDays || c.RecoveryMinimumDays > maxRecoveryDays {
		return Country{}, fmt.Errorf("recovery_period.minimum_days %d must be between %d (Council of Europe Convention art. 13) and %d",
			c.RecoveryMinimumDays, MinRecoveryDays, maxRecoveryDays)
	}
	if f.RecoveryPeriod.UntilConclusive == nil {
		return Country{}, fmt.Errorf("recovery_period.until_conclusive is missing")
	}
	c.RecoveryUntilConclusive = *f.RecoveryPeriod.UntilConclusive

	seen := map[string]bool{}
	var pos, neg bool
	for _, o := range f.ConclusiveOutcomes {
		if !codePattern.MatchString(o.Code) {
			return Country{}, fmt.Errorf("conclusive_outcomes: %q is not a lower-case code", o.Code)
		}
		if seen[o.Code] {
			return Country{}, fmt.Errorf("conclusive_outcomes: %q listed twice", o.Code)
		}
		seen[o.Code] = true
		if o.Positive == nil {
			return Country{}, fmt.Errorf("conclusive_outcomes: %q needs positive true or false", o.Code)
		}
		pos, neg = pos || *o.Positive, neg || !*o.Positive
		c.ConclusiveOutcomes = append(c.ConclusiveOutcomes, Outcome{Code: o.Code, Positive: *o.Positive})
	}
	if !pos || !neg {
		return Country{}, fmt.Errorf("conclusive_outcomes needs at least one positive and one negative outcome")
	}

	parties := map[string]bool{}
	for _, list := range [][]string{f.Consultations.Always, f.Consultations.Child} {
		for _, p := range list {
			if !codePattern.MatchString(p) {
				return Country{}, fmt.Errorf("negative_conclusive_consultations: %q is not a lower-case code", p)
			}
			if parties[p] {
				return Country{}, fmt.Errorf("negative_conclusive_consultations: %q listed twice", p)
			}
			parties[p] = true
		}
	}
	c.Consultations = ConsultationRule{Always: slices.Clone(f.Consultations.Always), Child: slices.Clone(f.Consultations.Child)}

	c.NegativeRGReview = true
	if f.Review != nil {
		if f.Review.NegativeReasonableGrounds == nil {
			return Country{}, fmt.Errorf("second_person_review.negative_reasonable_grounds is missing")
		}
		c.NegativeRGReview = *f.Review.NegativeReasonableGrounds
	}

	p := f.Provenance
	if strings.TrimSpace(p.Source) == "" {
		return Country{}, fmt.Errorf("provenance.source is empty")
	}
	if p.Verified == nil {
		return Country{}, fmt.Errorf("provenance.verified is missing")
	}
	c.Provenance = Provenance{Source: p.Source, Verified: *p.Verified, Note: p.Note}
	return c, nil
}

// Countries is a set of country configurations with a default.
type Countries struct {
	byCode map[string]Country
	def    Country
}

// NewCountries builds a set from parsed configurations; exactly one must
// have the code "default".
func NewCountries(cs ...Country) (*Countries, error) {
	s := &Countries{byCode: map[string]Country{}}
	for _, c := range cs {
		if c.Code == "" {
			return nil, fmt.Errorf("casework: a country without a code")
		}
		if _, dup := s.byCode[c.Code]; dup {
			return nil, fmt.Errorf("casework: country %q given twice", c.Code)
		}
		s.byCode[c.Code] = c.clone()
	}
	def, ok := s.byCode[DefaultCode]
	if !ok {
		return nil, fmt.Errorf("casework: no %q configuration", DefaultCode)
	}
	s.def = def
	return s, nil
}

// DefaultCountries parses the embedded configurations: the default and the
// unverified samples.
func DefaultCountries() (*Countries, error) {
	entries, err := embeddedCountries.ReadDir("countries")
	if err != nil {
		return nil, err
	}
	var cs []Country
	for _, e := range entries {
		data, err := embeddedCountries.ReadFile("countries/" + e.Name())
		if err != nil {
			return nil, err
		}
		c, err := ParseCountry(data)
		if err != nil {
			return nil, fmt.Errorf("%w (embedded %s)", err, e.Name())
		}
		if want := strings.TrimSuffix(e.Name(), ".json"); c.Code != want {
			return nil, fmt.Errorf("casework: embedded %s holds code %q", e.Name(), c.Code)
		}
		cs = append(cs, c)
	}
	return NewCountries(cs...)
}

// Lookup returns the configuration of a country code.
func (s *Countries) Lookup(code string) (Country, bool) {
	c, ok := s.byCode[code]
	return c.clone(), ok
}

// Default returns the default configuration.
func (s *Countries) Default() Country { return s.def.clone() }

// Codes lists the codes held, sorted.
func (s *Countries) Codes() []string {
	out := make([]string, 0, len(s.byCode))
	for c := range s.byCode {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

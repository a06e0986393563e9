package directory

import (
	"cmp"
	"slices"
	"strings"

	"github.com/haven-nrm/haven/internal/support"
)

// PersonFacts are the few facts about a person that matching reads. A nil
// Age, an empty Gender or "NonSpecifiedUnknown" mean not known.
type PersonFacts struct {
	Age       *int
	Gender    string   // HTCDS gender code
	Languages []string // ISO 639 codes of languages the person understands
}

// Reason is a stable code saying why a service was matched the way it was.
type Reason string

// Reasons a service is ranked as it is.
const (
	// ReasonCapacityAvailable: the service has free capacity.
	ReasonCapacityAvailable Reason = "capacity_available"
	// ReasonCapacityUnknown: the service does not record its capacity.
	ReasonCapacityUnknown Reason = "capacity_unknown"
	// ReasonNoCapacity: the service records its capacity and none is free.
	ReasonNoCapacity Reason = "no_capacity"
	// ReasonLanguageMatch: the service is delivered in a language the
	// person understands.
	ReasonLanguageMatch Reason = "language_match"
	// ReasonNoCommonLanguage: the service lists its languages and none of
	// them is one the person understands: an interpreter is needed.
	ReasonNoCommonLanguage Reason = "no_common_language"
	// ReasonAgeUnknown: the service has age limits and the person's age is
	// not known; a person checks eligibility. A service is never excluded
	// for an age not known (CoE Convention art. 10(3): a person whose age
	// is uncertain may have to be presumed a child).
	ReasonAgeUnknown Reason = "age_unknown"
	// ReasonGenderUnknown: the service serves some genders only and the
	// person's gender is not known.
	ReasonGenderUnknown Reason = "gender_unknown"
)

// Reasons a service is not eligible; MatchAll returns them, Match leaves
// such services out.
const (
	// ReasonNotActive: the service's status is not active.
	ReasonNotActive Reason = "not_active"
	// ReasonAgeIneligible: the person's age is outside the service's
	// limits.
	ReasonAgeIneligible Reason = "age_ineligible"
	// ReasonGenderIneligible: the service does not serve the person's
	// gender.
	ReasonGenderIneligible Reason = "gender_ineligible"
)

// Reasons returns every reason code, in the order they appear in a
// Candidate.
func Reasons() []Reason {
	return []Reason{ReasonNotActive, ReasonAgeIneligible, ReasonGenderIneligible, ReasonCapacityAvailable,
		ReasonCapacityUnknown, ReasonNoCapacity, ReasonLanguageMatch, ReasonNoCommonLanguage, ReasonAgeUnknown,
		ReasonGenderUnknown}
}

// Candidate is a service matched against a person's need.
type Candidate struct {
	Service  Service
	Eligible bool
	// Reasons say why, in the order of Reasons(): first why the service is
	// not eligible (if it is not), then its capacity, languages and what is
	// not known.
	Reasons []Reason
}

// Has reports whether the candidate has reason r.
func (c Candidate) Has(r Reason) bool { return slices.Contains(c.Reasons, r) }

// Match returns the eligible active services of type need, best first:
// those with free capacity, then those that do not record capacity, then
// those with none free; within each, those delivered in a language the
// person understands first; then by name and id. Services with no free
// capacity are kept (with ReasonNoCapacity) so that a place can be asked
// for. Services of other types and ineligible ones are left out.
func Match(services []Service, need support.ServiceType, person PersonFacts) []Candidate {
	return slices.DeleteFunc(MatchAll(services, need, person), func(c Candidate) bool { return !c.Eligible })
}

// MatchAll is Match with the services of type need that are not eligible
// (not active, or the person is outside their age or gender limits) kept,
// after the eligible ones, each with the reasons why.
func MatchAll(services []Service, need support.ServiceType, person PersonFacts) []Candidate {
	var out []Candidate
	for _, s := range services {
		if s.Type != need {
			continue
		}
		s.Languages = slices.Clone(s.Languages)
		s.Eligibility.Genders = slices.Clone(s.Eligibility.Genders)
		s.Eligibility.MinAge = cloneInt(s.Eligibility.MinAge)
		s.Eligibility.MaxAge = cloneInt(s.Eligibility.MaxAge)
		out = append(out, assess(s, person))
	}
	slices.SortStableFunc(out, compare)
	return out
}

func cloneInt(p *int) *int {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// assess gives the reasons for one service of the type needed.
func assess(s Service, p PersonFacts) Candidate {
	var reasons []Reason
	if s.Status != StatusActive {
		reasons = append(reasons, ReasonNotActive)
	}
	e := s.Eligibility
	limited := e.MinAge != nil || e.MaxAge != nil || e.ChildrenOnly || e.AdultsOnly
	ageUnknown := limited && p.Age == nil
	if limited && p.Age != nil {
		a := *p.Age
		if (e.MinAge != nil && a < *e.MinAge) || (e.MaxAge != nil && a > *e.MaxAge) ||
			(e.ChildrenOnly && a >= AdultAge) || (e.AdultsOnly && a < AdultAge) {
			reasons = append(reasons, ReasonAgeIneligible)
		}
	}
	genderUnknown := false
	if len(e.Genders) > 0 {
		switch {
		case p.Gender == "" || p.Gender == genderNotSpecified:
			genderUnknown = true
		case !slices.Contains(e.Genders, p.Gender):
			reasons = append(reasons, ReasonGenderIneligible)
		}
	}
	eligible := len(reasons) == 0
	switch {
	case !s.Capacity.Recorded():
		reasons = append(reasons, ReasonCapacityUnknown)
	case s.Capacity.Available > 0:
		reasons = append(reasons, ReasonCapacityAvailable)
	default:
		reasons = append(reasons, ReasonNoCapacity)
	}
	if len(p.Languages) > 0 && len(s.Languages) > 0 {
		if slices.ContainsFunc(s.Languages, func(l string) bool { return slices.Contains(p.Languages, l) }) {
			reasons = append(reasons, ReasonLanguageMatch)
		} else {
			reasons = append(reasons, ReasonNoCommonLanguage)
		}
	}
	if ageUnknown {
		reasons = append(reasons, ReasonAgeUnknown)
	}
	if genderUnknown {
		reasons = append(reasons, ReasonGenderUnknown)
	}
	return Candidate{Service: s, Eligible: eligible, Reasons: reasons}
}

// capacityRank orders free capacity before capacity not recorded before
// none free.
func capacityRank(c Candidate) int {
	switch {
	case c.Has(ReasonCapacityAvailable):
		return 0
	case c.Has(ReasonCapacityUnknown):
		return 1
	}
	return 2
}

func compare(a, b Candidate) int {
	return cmp.Or(
		boolRank(a.Eligible, b.Eligible),
		cmp.Compare(capacityRank(a), capacityRank(b)),
		boolRank(a.Has(ReasonLanguageMatch), b.Has(ReasonLanguageMatch)),
		strings.Compare(strings.ToLower(a.Service.Name), strings.ToLower(b.Service.Name)),
		strings.Compare(a.Service.Name, b.Service.Name),
		strings.Compare(a.Service.ID, b.Service.ID),
	)
}

// boolRank orders true before false.
func boolRank(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

package support

import (
	"slices"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
)

// Level is a level of the needs and risk assessment (HTCDS 2.0 assessment
// and planning sections, after the IOM handbook on migrants vulnerable to
// violence, exploitation and abuse).
type Level string

// Assessment levels.
const (
	LevelIndividual Level = "individual"
	LevelHousehold  Level = "household"
	LevelCommunity  Level = "community"
)

// Levels returns the three levels in order.
func Levels() []Level { return []Level{LevelIndividual, LevelHousehold, LevelCommunity} }

// Rating is a risk rating.
type Rating string

// Risk ratings, lowest first.
const (
	RatingLow      Rating = "low"
	RatingMedium   Rating = "medium"
	RatingHigh     Rating = "high"
	RatingCritical Rating = "critical"
)

// Ratings returns the ratings, lowest first.
func Ratings() []Rating { return []Rating{RatingLow, RatingMedium, RatingHigh, RatingCritical} }

// Factor is a coded risk or vulnerability factor of one level.
type Factor string

// FactorInfo describes a factor: its level, and whether it is a safety
// factor (a threat to the person's or the family's safety now), which makes
// the assessment urgent whatever the rating.
type FactorInfo struct {
	Code   Factor
	Level  Level
	Safety bool
}

// factors is the factor list. The HTCDS sections give example questions
// only (nationality, race or ethnicity; sexual orientation; age; household
// income; violence or abuse in the household; discrimination in the
// household; access to law enforcement; local governance; access to
// education); the codes are Haven's own, built on those examples and the
// IOM handbook's levels.
var factors = []FactorInfo{
	// Individual.
	{"nationality_race_ethnicity", LevelIndividual, false},
	{"sexual_orientation_gender_identity", LevelIndividual, false},
	{"age", LevelIndividual, false},
	{"physical_health", LevelIndividual, false},
	{"mental_health", LevelIndividual, false},
	{"disability", LevelIndividual, false},
	{"education_literacy", LevelIndividual, false},
	{"migration_status_documents", LevelIndividual, false},
	{"debt", LevelIndividual, false},
	{"substance_use", LevelIndividual, false},
	{"threat_from_traffickers", LevelIndividual, true},
	{"contact_with_traffickers", LevelIndividual, true},
	{"risk_of_self_harm", LevelIndividual, true},
	{"risk_of_re_trafficking", LevelIndividual, true},
	// Household.
	{"household_income", LevelHousehold, false},
	{"household_discrimination", LevelHousehold, false},
	{"household_debt", LevelHousehold, false},
	{"dependants", LevelHousehold, false},
	{"household_violence_abuse", LevelHousehold, true},
	{"family_involved_in_trafficking", LevelHousehold, true},
	{"threats_to_family", LevelHousehold, true},
	// Community.
	{"access_to_law_enforcement", LevelCommunity, false},
	{"local_governance", LevelCommunity, false},
	{"access_to_education", LevelCommunity, false},
	{"access_to_health_care", LevelCommunity, false},
	{"access_to_livelihood", LevelCommunity, false},
	{"community_discrimination", LevelCommunity, false},
	{"stigma_on_return", LevelCommunity, false},
	{"traffickers_in_community", LevelCommunity, true},
	{"armed_conflict_or_disaster", LevelCommunity, true},
}

// Factors returns every factor, by level.
func Factors() []FactorInfo { return slices.Clone(factors) }

// Info returns the description of f.
func (f Factor) Info() (FactorInfo, bool) {
	i := slices.IndexFunc(factors, func(x FactorInfo) bool { return x.Code == f })
	if i < 0 {
		return FactorInfo{}, false
	}
	return factors[i], true
}

// LevelAssessment is the assessment of one level: a risk rating and the
// factors present.
type LevelAssessment struct {
	Level   Level    `json:"level"`
	Rating  Rating   `json:"rating"`
	Factors []Factor `json:"factors"`
}

// Assessment is a needs and risk assessment of one person, at one time.
// Needs lists the services the assessment finds the person needs; offering
// them remains the person's choice.
type Assessment struct {
	By     string            `json:"by"`
	At     time.Time         `json:"at"`
	Levels []LevelAssessment `json:"levels"`
	Needs  []ServiceType     `json:"needs"`
}

// CheckAssessment refuses an assessment with no user, no time or a time
// after now, no level, a level twice, an unknown level, rating, factor or
// service, or a factor of another level.
func CheckAssessment(a Assessment, now time.Time) error {
	if err := checkActor(a.By); err != nil {
		return err
	}
	if err := checkWhen(a.At, now); err != nil {
		return err
	}
	if len(a.Levels) == 0 {
		return errs.Refuse(CodeNoLevels, "levels", "")
	}
	seen := map[Level]bool{}
	for _, l := range a.Levels {
		if !slices.Contains(Levels(), l.Level) {
			return errs.Refuse(CodeUnknownLevel, "level", string(l.Level))
		}
		if seen[l.Level] {
			return errs.Refuse(CodeDuplicateLevel, "level", string(l.Level))
		}
		seen[l.Level] = true
		if !slices.Contains(Ratings(), l.Rating) {
			return errs.Refuse(CodeUnknownRating, "rating", string(l.Rating))
		}
		for _, f := range l.Factors {
			info, ok := f.Info()
			if !ok {
				return errs.Refuse(CodeUnknownFactor, "factors", string(f))
			}
			if info.Level != l.Level {
				return errs.Refuse(CodeFactorWrongLevel, "factors", string(f))
			}
		}
	}
	for _, s := range a.Needs {
		if !s.Valid() {
			return errs.Refuse(CodeUnknownService, "needs", string(s))
		}
	}
	return nil
}

// Urgent reports whether the assessment calls for action now: a level is
// rated critical, or a safety factor is present at any level. It errs on the
// side of the person: it looks at every level and factor given, checked or
// not.
func Urgent(a Assessment) bool {
	for _, l := range a.Levels {
		if l.Rating == RatingCritical {
			return true
		}
	}
	return len(SafetyFactors(a)) > 0
}

// SafetyFactors lists the safety factors present, in the order given.
func SafetyFactors(a Assessment) []Factor {
	var out []Factor
	for _, l := range a.Levels {
		for _, f := range l.Factors {
			if info, ok := f.Info(); ok && info.Safety {
				out = append(out, f)
			}
		}
	}
	return out
}

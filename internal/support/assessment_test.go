package support

import (
	"slices"
	"testing"
)

func TestFactorList(t *testing.T) {
	rule := "HTCDS 2.0 assessment and planning: factors belong to the individual, household or community level"
	seen := map[Factor]bool{}
	safety := map[Level]int{}
	perLevel := map[Level]int{}
	for _, f := range Factors() {
		if seen[f.Code] || !slices.Contains(Levels(), f.Level) || f.Code == "" {
			t.Errorf("%s: %+v", rule, f)
		}
		seen[f.Code] = true
		perLevel[f.Level]++
		if f.Safety {
			safety[f.Level]++
		}
	}
	for _, l := range Levels() {
		if perLevel[l] == 0 || safety[l] == 0 {
			t.Errorf("%s: level %s has %d factors, %d of them safety factors", rule, l, perLevel[l], safety[l])
		}
	}
	// The standard's own example questions each have a factor.
	for _, f := range []Factor{"nationality_race_ethnicity", "sexual_orientation_gender_identity", "age", "household_income",
		"household_violence_abuse", "household_discrimination", "access_to_law_enforcement", "local_governance", "access_to_education"} {
		if _, ok := f.Info(); !ok {
			t.Errorf("HTCDS 2.0 example question without a factor: %s", f)
		}
	}
}

func TestAssessment(t *testing.T) {
	lv := func(l Level, r Rating, f ...Factor) LevelAssessment {
		return LevelAssessment{Level: l, Rating: r, Factors: f}
	}
	cases := []struct {
		name, rule string
		levels     []LevelAssessment
		needs      []ServiceType
		err        Code
		urgent     bool
	}{
		{"all low", "assessment: low ratings and no safety factor are not urgent",
			[]LevelAssessment{lv(LevelIndividual, RatingLow, "age"), lv(LevelHousehold, RatingLow), lv(LevelCommunity, RatingMedium, "access_to_education")},
			[]ServiceType{ServiceEducation}, "", false},
		{"high", "assessment: high is not critical; without a safety factor it is not urgent",
			[]LevelAssessment{lv(LevelIndividual, RatingHigh, "mental_health", "debt")}, nil, "", false},
		{"critical individual", "assessment: any level rated critical is urgent",
			[]LevelAssessment{lv(LevelIndividual, RatingCritical)}, nil, "", true},
		{"critical community", "assessment: any level rated critical is urgent (community)",
			[]LevelAssessment{lv(LevelIndividual, RatingLow), lv(LevelCommunity, RatingCritical)}, nil, "", true},
		{"safety factor, low rating", "assessment: a safety factor is urgent whatever the rating",
			[]LevelAssessment{lv(LevelIndividual, RatingLow, "threat_from_traffickers")}, nil, "", true},
		{"household violence", "HTCDS 2.0: violence or abuse in the household is a safety factor",
			[]LevelAssessment{lv(LevelHousehold, RatingMedium, "household_violence_abuse")}, nil, "", true},
		{"traffickers nearby", "assessment: traffickers in the community is a safety factor",
			[]LevelAssessment{lv(LevelCommunity, RatingMedium, "traffickers_in_community")}, nil, "", true},
		{"no levels", "assessment: at least one level is assessed", nil, nil, CodeNoLevels, false},
		{"level twice", "assessment: each level once",
			[]LevelAssessment{lv(LevelIndividual, RatingLow), lv(LevelIndividual, RatingHigh)}, nil, CodeDuplicateLevel, false},
		{"unknown level", "assessment: individual, household or community only",
			[]LevelAssessment{lv("national", RatingLow)}, nil, CodeUnknownLevel, false},
		{"unknown rating", "assessment: low, medium, high or critical only",
			[]LevelAssessment{lv(LevelIndividual, "severe")}, nil, CodeUnknownRating, false},
		{"unknown factor", "assessment: factors are coded",
			[]LevelAssessment{lv(LevelIndividual, RatingLow, "bad vibes")}, nil, CodeUnknownFactor, false},
		{"factor on the wrong level", "assessment: a factor belongs to its level",
			[]LevelAssessment{lv(LevelCommunity, RatingLow, "household_income")}, nil, CodeFactorWrongLevel, false},
		{"wrong level, still urgent", "assessment: urgency errs on the person's side — a safety factor counts even when misfiled",
			[]LevelAssessment{lv(LevelCommunity, RatingLow, "threats_to_family")}, nil, CodeFactorWrongLevel, true},
		{"unknown need", "assessment: needs are service codes",
			[]LevelAssessment{lv(LevelIndividual, RatingLow)}, []ServiceType{"spa"}, CodeUnknownService, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Assessment{By: worker, At: at(1), Levels: c.levels, Needs: c.needs}
			wantCode(t, c.rule, CheckAssessment(a, at(2)), c.err)
			if got := Urgent(a); got != c.urgent {
				t.Errorf("%s: Urgent = %v", c.rule, got)
			}
			if got := len(SafetyFactors(a)) > 0; c.err == "" && got && !c.urgent {
				t.Errorf("%s: a safety factor without urgency", c.rule)
			}
		})
	}
	a := Assessment{By: worker, At: at(3), Levels: []LevelAssessment{lv(LevelIndividual, RatingLow)}}
	wantCode(t, "assessment: no assessment dated in the future", CheckAssessment(a, at(2)), CodeFutureDate)
	a.At, a.By = at(1), ""
	wantCode(t, "assessment: every assessment names its user", CheckAssessment(a, at(2)), CodeActorRequired)
}

func TestErrorsHoldNoFreeText(t *testing.T) {
	rule := "privacy: refusals carry codes only, never free text"
	cl, _ := NewChecklist(fixed(at(1)))
	err := cl.Record("Maria told me she was beaten", worker, "en", at(0))
	if CodeOf(err) != CodeUnknownItem || err.Error() != "support: unknown_item (item)" {
		t.Errorf("%s: %q", rule, err)
	}
	err = cl.Record("tea", worker, "en", at(0))
	if err.Error() != "support: unknown_item (item): tea" {
		t.Errorf("%s: a code-like value is kept: %q", rule, err)
	}
}

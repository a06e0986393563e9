package screening

import (
	"fmt"
	"sort"
	"strings"
)

// indicators assesses the case against an indicator profile: the one named
// in the options, or else the loaded profile for the person's population
// (child or adult, after the presumption of age) and kind of exploitation.
func (s *screen) indicators(e *Engine, profileID string) error {
	f := s.facts
	ir := &s.res.Indicators
	ir.Dimensions = map[string]DimensionResult{}
	ir.Groups = map[string]GroupResult{}
	ir.Types = []string{}
	population := PopulationAdult
	if s.res.Protocol.Child {
		population = PopulationChild
	}

	var prof *Profile
	switch {
	case profileID != "":
		prof = e.profiles[profileID]
		if prof == nil {
			return fmt.Errorf("%w %q (loaded: %s)", ErrUnknownProfile, profileID, list(e.profileIDs))
		}
		if prof.Population != population {
			s.warn.add(WarnProfilePopulationMismatch,
				fmt.Sprintf("Profile %s is for the %s population but the person is assessed as a %s.", prof.ID, prof.Population, population),
				prof.ID, prof.Population, population)
		}
		if f.exploitation != "" && f.exploitation != prof.Exploitation {
			s.warn.add(WarnProfileExploitationMismatch,
				fmt.Sprintf("Profile %s is for %s exploitation but the case records %s exploitation.", prof.ID, prof.Exploitation, f.exploitation),
				prof.ID, prof.Exploitation, f.exploitation)
		}
	case f.exploitation == "":
		if len(f.indicators) > 0 {
			return &InputError{Field: "exploitation", Msg: "needed to choose an indicator profile for the indicators given"}
		}
		s.warn.add(WarnNoProfile, "No indicator profile was applied because the kind of exploitation was not given.")
	default:
		prof = e.chooseProfile(population, f.exploitation)
		if prof == nil {
			if len(f.indicators) > 0 {
				return &InputError{Field: "indicators", Msg: fmt.Sprintf("no indicator profile for %s exploitation of a %s is loaded", f.exploitation, population)}
			}
			if f.exploitation == ExploitationSexual {
				// The ILO–EC sexual-exploitation lists are not shipped:
				// inventing them would put unsourced indicators in front
				// of decision makers.
				s.warn.add(WarnNoSexualProfile,
					fmt.Sprintf("No verified indicator profile for sexual exploitation of a %s is loaded, so indicators were not assessed. The deploying authority must load and verify its own profile.", population),
					population)
			} else {
				s.warn.add(WarnNoProfile,
					fmt.Sprintf("No indicator profile for %s exploitation of a %s is loaded, so indicators were not assessed.", f.exploitation, population),
					f.exploitation, population)
			}
		}
	}
	if prof == nil {
		ir.Verdict = VerdictNoProfile
		s.line(Line{Element: "indicators", Rule: "Indicator profile",
			Text: "No indicator profile applies; indicators were not assessed."})
		return nil
	}

	ir.Profile = prof.ID
	ir.Verified = prof.Provenance.Verified
	if !ir.Verified {
		s.warn.add(WarnProfileUnverified,
			fmt.Sprintf("Indicator profile %s is not verified against its source. %s", prof.ID, prof.Provenance.Note),
			prof.ID)
	}
	if len(f.indicators) == 0 {
		s.warn.add(WarnNoIndicators,
			"No indicators were recorded, so the indicator verdict says only that none were recorded, not that none exist.")
	}

	byDim := map[string]map[string][]string{} // dimension -> grade -> ids (sorted)
	for _, id := range f.indicators {
		ref, ok := prof.index[id]
		if !ok {
			return &InputError{Field: "indicators", Code: id, Msg: fmt.Sprintf("not an indicator of profile %s", prof.ID)}
		}
		if byDim[ref.dimension] == nil {
			byDim[ref.dimension] = map[string][]string{}
		}
		byDim[ref.dimension][ref.grade] = append(byDim[ref.dimension][ref.grade], id)
	}

	rule := prof.Rule
	var all []string
	for _, t := range rule.DimensionPositiveIfAny {
		all = append(all, t.describe())
	}
	for _, d := range prof.Dimensions {
		g := byDim[d.ID]
		dr := DimensionResult{
			Strong: len(g[GradeStrong]), Medium: len(g[GradeMedium]), Weak: len(g[GradeWeak]),
			Because: []string{}, Present: []string{},
		}
		for _, grade := range []string{GradeStrong, GradeMedium, GradeWeak} {
			dr.Present = append(dr.Present, g[grade]...)
		}
		sort.Strings(dr.Present)
		for _, t := range rule.DimensionPositiveIfAny {
			if w, ok := t.witness(g); ok {
				dr.Positive, dr.Threshold, dr.Because = true, t.describe(), w
				break
			}
		}
		ir.Dimensions[d.ID] = dr
		if dr.Positive {
			s.anyPositiveDimension = true
		}
		if len(dr.Present) == 0 {
			continue
		}
		counts := fmt.Sprintf("%d strong, %d medium, %d weak", dr.Strong, dr.Medium, dr.Weak)
		if dr.Positive {
			s.line(Line{Dimension: d.ID, Rule: fmt.Sprintf("Profile %s: positive if %s", prof.ID, dr.Threshold), Facts: dr.Present,
				Text: fmt.Sprintf("Positive: %s present; %s met by %s.", counts, dr.Threshold, list(dr.Because))})
		} else {
			s.line(Line{Dimension: d.ID, Rule: fmt.Sprintf("Profile %s: positive if any of %s", prof.ID, strings.Join(all, "; ")), Facts: dr.Present,
				Text: fmt.Sprintf("Not positive: %s present meet no threshold.", counts)})
		}
	}

	var positive []string
	for _, name := range sortedKeys(rule.Groups) {
		gr := GroupResult{PositiveDimensions: []string{}}
		for _, d := range rule.Groups[name] {
			if ir.Dimensions[d].Positive {
				gr.PositiveDimensions = append(gr.PositiveDimensions, d)
			}
		}
		sort.Strings(gr.PositiveDimensions)
		gr.Positive = len(gr.PositiveDimensions) > 0
		ir.Groups[name] = gr
	}
	for _, d := range prof.Dimensions {
		if ir.Dimensions[d.ID].Positive {
			positive = append(positive, d.ID)
		}
	}
	sort.Strings(positive)

	ir.Verdict = VerdictVictim
	var missing []string
	for _, g := range rule.VictimIf {
		if !ir.Groups[g].Positive {
			ir.Verdict = VerdictNotIndicated
			missing = append(missing, g)
		}
	}
	if tg := prof.typesGroup(); tg != "" {
		ir.Types = append(ir.Types, ir.Groups[tg].PositiveDimensions...)
	}
	text := fmt.Sprintf("Verdict %s.", ir.Verdict)
	if len(missing) > 0 {
		text += fmt.Sprintf(" No positive dimension in: %s.", strings.Join(missing, ", "))
	}
	if len(ir.Types) > 0 {
		text += fmt.Sprintf(" Positive %s dimensions (sub-type): %s.", prof.typesGroup(), strings.Join(ir.Types, ", "))
	}
	text += " Indicators support a decision by a person; they do not make it."
	s.line(Line{Element: "indicators",
		Rule:  fmt.Sprintf("Profile %s: victim if each of %s has a positive dimension", prof.ID, strings.Join(rule.VictimIf, ", ")),
		Facts: nonNil(positive), Text: text})
	return nil
}

// chooseProfile returns the loaded profile for a population and kind of
// exploitation, preferring verified profiles and then the lowest id, so
// that an authority's verified profile takes over from an unverified one
// and the choice never depends on load order.
func (e *Engine) chooseProfile(population, exploitation string) *Profile {
	var best *Profile
	for _, id := range e.profileIDs { // sorted
		p := e.profiles[id]
		if p.Population != population || p.Exploitation != exploitation {
			continue
		}
		if best == nil || (p.Provenance.Verified && !best.Provenance.Verified) {
			best = p
		}
	}
	return best
}

// witness reports whether the present indicators, by grade, meet the
// threshold, and if so which indicators meet it. Each indicator is used
// once: medium_or_weak takes the medium, then weak, indicators left after
// the "medium" and "weak" minimums.
func (t Threshold) witness(byGrade map[string][]string) ([]string, bool) {
	s, m, w := byGrade[GradeStrong], byGrade[GradeMedium], byGrade[GradeWeak]
	ns, nm, nw, nmw := t[GradeStrong], t[GradeMedium], t[GradeWeak], t[KeyMediumOrWeak]
	if len(s) < ns || len(m) < nm || len(w) < nw {
		return nil, false
	}
	rest := append(append([]string{}, m[nm:]...), w[nw:]...)
	if len(rest) < nmw {
		return nil, false
	}
	out := []string{}
	out = append(out, s[:ns]...)
	out = append(out, m[:nm]...)
	out = append(out, w[:nw]...)
	out = append(out, rest[:nmw]...)
	sort.Strings(out)
	return out, true
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

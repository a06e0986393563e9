package screening

import (
	"fmt"
	"slices"
)

// national applies the chosen jurisdiction's definition. It shares the act
// and means facts with the Protocol test; the purpose element also counts
// the national forms the jurisdiction covers, and the age limit and means
// requirement are the national ones. Where national law falls short of the
// Protocol the result says so, because the Protocol standard still governs
// identification and protection.
func (s *screen) national(j *Jurisdiction) {
	f := s.facts
	p := s.res.Protocol
	n := &s.res.National
	n.Jurisdiction, n.Name, n.Verified, n.AgeOfMajority = j.Code, j.Name, j.Provenance.Verified, j.AgeOfMajority
	n.Child, _ = childStatus(f, j.AgeOfMajority)
	n.CoveredForms = filter(f.forms, j.covers)
	n.UncoveredForms = filter(f.forms, func(c string) bool { return !j.covers(c) })
	purposes := sortedSet(append(append([]string{}, f.purposes...), n.CoveredForms...))
	n.Elements = Elements{
		Act:     p.Elements.Act,
		Means:   p.Elements.Means,
		Purpose: elementState(purposes, f.unknown[ElementPurpose]),
	}
	onlySexual := len(purposes) == 1 && purposes[0] == "sexual_exploitation"
	var why string
	switch {
	case !n.Child:
		n.MeansRequired, why = true, "means are required for an adult"
	case j.MeansRequiredForChildren:
		n.MeansRequired, why = true, "national law requires means even for a child"
	case j.ChildSexualExploitationRequiresMeans && onlySexual:
		n.MeansRequired, why = true, "the only purpose is sexual exploitation, which national law treats as trafficking of a child only with force, fraud or coercion"
	default:
		why = "means are not required for a child"
	}
	n.Verdict = verdictFor(n.Elements, n.MeansRequired)

	if !n.Verified {
		s.warn.add(WarnJurisdictionUnverified,
			fmt.Sprintf("Legal profile %s is not verified. %s", j.Code, j.Provenance.Note), j.Code)
	}
	for _, form := range n.UncoveredForms {
		s.warn.add(WarnNationalFormNotCovered,
			fmt.Sprintf("Purpose %s was given but %s (%s) does not cover it, so it does not establish the purpose element. If the facts also amount to a Protocol form (forced labour, servitude, slavery or practices similar to slavery), code that too.", form, j.Code, j.Name),
			form, j.Code)
	}
	if p.Child && j.MeansRequiredForChildren {
		s.warn.add(WarnNationalMeansForChild,
			fmt.Sprintf("The national law of %s requires means to be shown for a child; Protocol art. 3(c) does not. The person is a child under the Protocol.", j.Code),
			j.Code)
	}
	if p.Child && j.ChildSexualExploitationRequiresMeans && !j.MeansRequiredForChildren && slices.Contains(f.purposes, "sexual_exploitation") {
		s.warn.add(WarnNationalChildSexualMeans,
			fmt.Sprintf("The national law of %s does not treat the sexual exploitation of a child as trafficking without force, fraud or coercion; under Protocol art. 3(c) no means are needed for a child.", j.Code),
			j.Code)
	}
	if p.Child && !n.Child {
		s.warn.add(WarnNationalAgeOfMajority,
			fmt.Sprintf("The national law of %s treats persons from age %d as adults; under Protocol art. 3(d) a child is anyone under 18, so this person is a child under the Protocol.", j.Code, j.AgeOfMajority),
			j.Code, fmt.Sprint(j.AgeOfMajority))
	}
	if p.Verdict == VerdictMeets && n.Verdict != VerdictMeets {
		s.warn.add(WarnNationalFallsShort,
			fmt.Sprintf("The Protocol definition is met but the national definition of %s is not (%s): national law falls short of the Protocol for this case. Identification and protection should follow the Protocol.", j.Code, n.Verdict),
			j.Code, n.Verdict)
	}

	who := "an adult"
	if n.Child {
		who = "a child"
	}
	s.line(Line{Element: "national", Rule: fmt.Sprintf("National law: %s (%s)%s", j.Code, j.Name, unverifiedSuffix(n.Verified)),
		Facts: purposes,
		Text: fmt.Sprintf("Persons under %d are children. Assessed as %s: %s. Purposes counted: %s. Verdict %s.",
			j.AgeOfMajority, who, why, list(purposes), n.Verdict)})
}

func unverifiedSuffix(verified bool) string {
	if verified {
		return ""
	}
	return ", unverified"
}

package screening

import (
	"fmt"
	"strings"
)

// childStatus applies the age rule with the given age limit (18 under
// Protocol art. 3(d)). An established age decides. Without one, the
// presumption of age (UNICEF guidelines) treats a person who may be a child
// as a child, so that protection is not withheld while age is in doubt.
func childStatus(f facts, limit int) (child, presumed bool) {
	if f.age != nil {
		return *f.age < limit, false
	}
	if f.mayBeChild {
		return true, true
	}
	return false, false
}

// protocol runs the act / means / purpose test of Protocol art. 3.
func (s *screen) protocol() {
	f := s.facts
	p := &s.res.Protocol
	p.Child, p.PresumedChild = childStatus(f, ProtocolAdultAge)
	// Art. 3(c): for a child, act and purpose suffice.
	p.MeansRequired = !p.Child
	p.Elements = Elements{
		Act:     elementState(f.acts, f.unknown[ElementAct]),
		Means:   elementState(f.means, f.unknown[ElementMeans]),
		Purpose: elementState(f.purposes, f.unknown[ElementPurpose]),
	}
	// Art. 3(b): consent is irrelevant once any means was used; for a
	// child no means need be shown, so consent cannot defeat the test.
	p.ConsentIrrelevant = p.Elements.Means == Present || p.Child
	p.Verdict = verdictFor(p.Elements, p.MeansRequired)

	s.ageLine()

	s.line(Line{Element: ElementAct, Rule: "Protocol art. 3(a)", Facts: f.acts,
		Text: elementText(ElementAct, p.Elements.Act, f.acts, f.unknown[ElementAct])})
	meansText := elementText(ElementMeans, p.Elements.Means, f.means, f.unknown[ElementMeans])
	meansRule := "Protocol art. 3(a)"
	if p.Child {
		meansRule = "Protocol art. 3(c)"
		meansText = "Not required for a child: act and purpose suffice. " + meansText
	}
	s.line(Line{Element: ElementMeans, Rule: meansRule, Facts: f.means, Text: meansText})
	purposeText := elementText(ElementPurpose, p.Elements.Purpose, f.purposes, f.unknown[ElementPurpose])
	if len(f.forms) > 0 {
		purposeText += fmt.Sprintf(" National forms of exploitation (%s) are not in the Protocol's minimum list; they are assessed under national law.", list(f.forms))
	}
	s.line(Line{Element: ElementPurpose, Rule: "Protocol art. 3(a)", Facts: f.purposes, Text: purposeText})

	switch {
	case p.Elements.Means == Present:
		s.line(Line{Element: "consent", Rule: "Protocol art. 3(b)", Facts: f.means,
			Text: "Any consent to the intended exploitation is irrelevant because means were used."})
	case p.Child:
		s.line(Line{Element: "consent", Rule: "Protocol art. 3(c)",
			Text: "A child's consent is irrelevant: no means need be shown."})
	}
	if p.ConsentIrrelevant && f.smuggling.ConsentedToMovement {
		s.warn.add(WarnConsentIrrelevant,
			"The person consented to the movement. That consent does not prevent a finding of trafficking, because means were used or the person is a child (Protocol art. 3(b), 3(c)).")
	}

	required := []string{ElementAct, ElementPurpose}
	rule := "Protocol art. 3(c)"
	if p.MeansRequired {
		required = []string{ElementAct, ElementMeans, ElementPurpose}
		rule = "Protocol art. 3(a)"
	}
	states := make([]string, 0, len(required))
	var unknown []string
	for _, name := range required {
		st := p.Elements.get(name)
		states = append(states, name+"="+st)
		if st == Unknown {
			unknown = append(unknown, name)
		}
	}
	who := "an adult: act, means and purpose are required"
	if p.Child {
		who = "a child: act and purpose are required"
	}
	s.line(Line{Element: "protocol", Rule: rule, Facts: states,
		Text: fmt.Sprintf("Verdict %s for %s.", p.Verdict, who)})
	if p.Verdict == VerdictInsufficient {
		s.warn.add(WarnProtocolInsufficient,
			fmt.Sprintf("Not enough is known to apply the Protocol definition: %s still unknown. Gather the missing facts and screen again.", strings.Join(unknown, ", ")),
			unknown...)
	}
}

func (s *screen) ageLine() {
	f := s.facts
	p := s.res.Protocol
	switch {
	case f.age != nil:
		status := "an adult"
		if p.Child {
			status = "a child (under 18)"
		}
		s.line(Line{Element: "age", Rule: "Protocol art. 3(d)", Facts: []string{fmt.Sprintf("age=%d", *f.age)},
			Text: fmt.Sprintf("Age %d: %s.", *f.age, status)})
		if f.mayBeChild && !p.Child {
			s.warn.add(WarnAgeGivenMayBeChild,
				fmt.Sprintf("may_be_child is set but an age of %d was given, so the age was used. If the age is not established, leave it empty so that the presumption of age applies.", *f.age),
				fmt.Sprint(*f.age))
		}
	case f.mayBeChild:
		s.line(Line{Element: "age", Rule: "Protocol art. 3(d); UNICEF presumption of age", Facts: []string{"age=unknown", "may_be_child"},
			Text: "Age not established and there are reasons to believe the person is a child: presumed a child until the age is established."})
		s.warn.add(WarnPresumedChild,
			"Age not established and the person may be a child: treated as a child (presumption of age, UNICEF guidelines) until the age is established.")
	default:
		s.line(Line{Element: "age", Rule: "Protocol art. 3(d)", Facts: []string{"age=unknown"},
			Text: "Age not established and no reason recorded to believe the person is a child: assessed as an adult."})
		s.warn.add(WarnAgeUnknown,
			"Age not given and may_be_child is not set, so the person was assessed as an adult. If there is any reason to believe the person is under 18, set may_be_child.")
	}
}

func elementText(name, state string, codes []string, listedUnknown bool) string {
	switch state {
	case Present:
		t := fmt.Sprintf("Present: established by %s.", list(codes))
		if listedUnknown {
			t += " It was also listed as unknown; the coded facts take precedence."
		}
		return t
	case Unknown:
		return "Unknown: recorded as not yet established."
	default:
		return fmt.Sprintf("Absent: no %s was coded and it was not listed as unknown.", name)
	}
}

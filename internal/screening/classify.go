package screening

import "fmt"

// smuggling applies Smuggling Protocol art. 3(a): procuring, for a benefit,
// the illegal entry of a person. Both an irregular crossing and a paid
// facilitator are needed; the migrant's consent to the movement is typical
// of smuggling and supports the finding but is neither needed nor enough.
func (s *screen) smuggling() {
	sf := s.facts.smuggling
	var facts []string
	if sf.ConsentedToMovement {
		facts = append(facts, "consented_to_movement")
	}
	if sf.IrregularBorderCrossing {
		facts = append(facts, "irregular_border_crossing")
	}
	if sf.PaidFacilitator {
		facts = append(facts, "paid_facilitator")
	}
	var text string
	if sf.IrregularBorderCrossing && sf.PaidFacilitator {
		s.res.Smuggling.Verdict = VerdictSmugglingIndicated
		text = "Irregular border crossing procured through a paid facilitator: smuggling of migrants indicated."
		if sf.ConsentedToMovement {
			text += " The person's consent to the movement supports this."
		}
	} else {
		s.res.Smuggling.Verdict = VerdictNotIndicated
		text = "Smuggling not indicated: it needs both an irregular border crossing and a paid facilitator."
	}
	s.line(Line{Element: "smuggling", Rule: "Smuggling Protocol art. 3(a)", Facts: facts, Text: text})
}

// classify combines the parts into one classification. Precedence, first
// match wins:
//
//  1. smuggling_with_trafficking_indicators: smuggling is indicated and
//     there is any trafficking signal;
//  2. presumed_trafficking: a strong trafficking signal (and, by rule 1,
//     no smuggling);
//  3. possible_smuggling: smuggling is indicated, no trafficking signal;
//  4. not_indicated.
//
// A strong signal is: the Protocol test meets, the national test meets, or
// the indicator verdict is victim. Any signal is a strong signal, or a
// Protocol or national test that is insufficient with means or purpose
// present, or any positive indicator dimension. Rule 1 comes first because
// a smuggled migrant can be, or become, a trafficked person, and treating
// such a case as smuggling alone would deny protection; the case is flagged
// for re-screening instead.
func (s *screen) classify() {
	r := &s.res
	smuggled := r.Smuggling.Verdict == VerdictSmugglingIndicated
	var strong, weak []string
	if r.Protocol.Verdict == VerdictMeets {
		strong = append(strong, "protocol=meets")
	}
	if r.National.Verdict == VerdictMeets {
		strong = append(strong, "national="+VerdictMeets)
	}
	if r.Indicators.Verdict == VerdictVictim {
		strong = append(strong, "indicators=victim")
	}
	partial := func(verdict string, el Elements) bool {
		return verdict == VerdictInsufficient && (el.Means == Present || el.Purpose == Present)
	}
	if partial(r.Protocol.Verdict, r.Protocol.Elements) {
		weak = append(weak, "protocol=insufficient")
	}
	if partial(r.National.Verdict, r.National.Elements) {
		weak = append(weak, "national=insufficient")
	}
	if s.anyPositiveDimension {
		weak = append(weak, "indicators=positive_dimension")
	}
	signals := append(append([]string{}, strong...), weak...)
	if smuggled {
		signals = append(signals, "smuggling="+VerdictSmugglingIndicated)
	}

	var text string
	switch {
	case smuggled && len(strong)+len(weak) > 0:
		r.Classification = ClassSmugglingWithTrafficking
		text = "Smuggling is indicated and so are signs of trafficking (rule 1)."
		s.warn.add(WarnSmugglingWithTrafficking,
			"Smuggling is indicated, but so are signs of trafficking. A smuggled migrant can be or become a trafficked person: treat the person as a possible victim and screen again as facts emerge.")
	case len(strong) > 0:
		r.Classification = ClassPresumedTrafficking
		text = "Trafficking is indicated and smuggling is not (rule 2)."
	case smuggled:
		r.Classification = ClassPossibleSmuggling
		text = "Smuggling is indicated with no sign of trafficking (rule 3)."
		s.warn.add(WarnPossibleSmuggling,
			"Only smuggling is indicated. Smuggling can turn into trafficking: screen again if exploitation, coercion or deception comes to light.")
	default:
		r.Classification = ClassNotIndicated
		text = "Neither trafficking nor smuggling is indicated on the facts recorded (rule 4)."
	}
	s.line(Line{Element: "classification",
		Rule:  "Precedence: 1 smuggling with trafficking signals; 2 presumed trafficking; 3 possible smuggling; 4 not indicated",
		Facts: signals,
		Text:  fmt.Sprintf("Classification %s. %s This is a screening aid; the decision rests with the competent person.", r.Classification, text)})
}

package prosecution

import (
	"slices"
	"testing"
	"time"
)

func TestNonPunishmentGuidance(t *testing.T) {
	type G = GuidanceCode
	notify, assess, disc, nopen := GuideNotifyProsecutor, GuideAssessLink, GuideConsiderDiscontinuance, GuideConsiderNoPenalty
	detain, admin, child := GuideDoNotDetainImmigration, GuideAdministrative, GuideChildNoCompulsion
	flag := func(o NonPunishmentOffence, linked bool) NonPunishmentFlag {
		return NonPunishmentFlag{Raised: true, OffenceCategory: o, Linked: linked, At: at(1)}
	}
	cases := []struct {
		name, rule string
		f          NonPunishmentFlag
		child      bool
		want       []G
	}{
		{"not raised", "non-punishment: no suspicion, no guidance", NonPunishmentFlag{OffenceCategory: NPImmigration}, false, nil},
		{"not raised, child", "non-punishment: no suspicion, no guidance, for a child either", NonPunishmentFlag{}, true, nil},
		{"adult, immigration, link not established", "UN Recommended Principles (2002) principle 7: no detention for illegal entry or residence; Directive 2011/36/EU art. 8: the link is assessed",
			flag(NPImmigration, false), false, []G{notify, assess, detain, admin}},
		{"adult, immigration, linked", "CoE Convention art. 26; Directive 2011/36/EU art. 8: not to prosecute or impose penalties; ASEAN ACTIP art. 14(7): nor administrative liability",
			flag(NPImmigration, true), false, []G{notify, disc, nopen, detain, admin}},
		{"child, immigration, linked", "Palermo Protocol art. 3(c); Directive 2011/36/EU art. 2(5): no means, hence no compulsion, for a child",
			flag(NPImmigration, true), true, []G{notify, disc, nopen, detain, admin, child}},
		{"adult, document fraud, linked", "seed ch. 2.2: victims punished for false documents; CoE Convention art. 26",
			flag(NPDocumentFraud, true), false, []G{notify, disc, nopen}},
		{"child, document fraud, not linked", "OSCE 2013 non-punishment recommendations: the link is assessed, without a compulsion test for a child",
			flag(NPDocumentFraud, false), true, []G{notify, assess, child}},
		{"adult, drugs, linked", "OSCE 2013 non-punishment recommendations: cannabis cultivation and drug couriers",
			flag(NPDrugCultivationOrTrafficking, true), false, []G{notify, disc, nopen}},
		{"child, drugs, linked", "UNODC Model Law art. 10; CoE Convention art. 4(c): a child compelled or not",
			flag(NPDrugCultivationOrTrafficking, true), true, []G{notify, disc, nopen, child}},
		{"adult, prostitution, linked", "seed ch. 2.2: victims punished for work in the sex industry; ASEAN ACTIP art. 14(7): administrative liability too",
			flag(NPProstitutionRelated, true), false, []G{notify, disc, nopen, admin}},
		{"adult, begging, not linked", "ASEAN ACTIP art. 14(7): administrative penalties for begging",
			flag(NPTheftOrBegging, false), false, []G{notify, assess, admin}},
		{"adult, labour law, linked", "UNODC Model Law art. 10: not administratively liable",
			flag(NPLabourLaw, true), false, []G{notify, disc, nopen, admin}},
		{"adult, other, linked", "CoE Convention art. 26: any offence the person was compelled to commit",
			flag(NPOther, true), false, []G{notify, disc, nopen}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NonPunishmentGuidance(c.f, c.child)
			if got := g.ItemCodes(); !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
				t.Errorf("%s: guidance %v, want %v", c.rule, got, c.want)
			}
			for _, it := range g.Items {
				if len(it.Sources) == 0 {
					t.Errorf("%s: %s cites no instrument", c.rule, it.Code)
				}
			}
		})
	}
}

// TestGuidanceAdultAndChild checks, for every kind of offence and link,
// that a child gets the adult's guidance plus the item that no compulsion
// need be shown, and that each item cites its instruments.
func TestGuidanceAdultAndChild(t *testing.T) {
	cites := map[GuidanceCode][]string{
		GuideNotifyProsecutor:       {SrcCoE26, SrcDirective8, SrcOSCE2013},
		GuideAssessLink:             {SrcDirective8, SrcOSCE2013},
		GuideConsiderDiscontinuance: {SrcCoE26, SrcDirective8, SrcASEAN147, SrcModelLaw10, SrcOSCE2013},
		GuideConsiderNoPenalty:      {SrcCoE26, SrcDirective8},
		GuideDoNotDetainImmigration: {SrcUNPrinciple, SrcOSCE2013},
		GuideAdministrative:         {SrcASEAN147, SrcOSCE2013},
		GuideChildNoCompulsion:      {SrcPalermo3c, SrcDirective25, SrcOSCE2013},
	}
	seen := map[GuidanceCode]bool{}
	for _, o := range NonPunishmentOffences() {
		for _, linked := range []bool{false, true} {
			f := NonPunishmentFlag{Raised: true, OffenceCategory: o, Linked: linked}
			adult, kid := NonPunishmentGuidance(f, false), NonPunishmentGuidance(f, true)
			if want := append(adult.ItemCodes(), GuideChildNoCompulsion); !slices.Equal(kid.ItemCodes(), want) {
				t.Errorf("OSCE 2013 non-punishment recommendations: child guidance for %s (linked %v) is %v, want %v", o, linked, kid.ItemCodes(), want)
			}
			if adult.Has(GuideChildNoCompulsion) {
				t.Errorf("guidance: an adult gets no child item")
			}
			if !adult.Has(GuideNotifyProsecutor) || adult.Has(GuideAssessLink) == linked || adult.Has(GuideConsiderDiscontinuance) != linked {
				t.Errorf("CoE Convention art. 26; Directive 2011/36/EU art. 8: %s (linked %v): %v", o, linked, adult.ItemCodes())
			}
			if adult.Has(GuideDoNotDetainImmigration) != (o == NPImmigration) {
				t.Errorf("UN Recommended Principles (2002) principle 7: no immigration detention, for immigration offences: %s", o)
			}
			for _, it := range kid.Items {
				seen[it.Code] = true
				for _, src := range cites[it.Code] {
					if !slices.Contains(it.Sources, src) {
						t.Errorf("guidance: %s does not cite %s", it.Code, src)
					}
				}
				if !slices.Contains(GuidanceCodes(), it.Code) {
					t.Errorf("guidance: %s is not listed", it.Code)
				}
			}
		}
	}
	for _, c := range GuidanceCodes() {
		if !seen[c] {
			t.Errorf("guidance: %s is never given", c)
		}
	}
}

func TestRaiseNonPunishment(t *testing.T) {
	inv := opened(t)
	inv = must(t)(RaiseNonPunishment(inv, inv.Version, NonPunishmentFlag{Raised: true, OffenceCategory: NPImmigration, At: at(2)}, officer, now))
	runItemCases(t, []itemCase[NonPunishmentFlag]{
		{"linked", "Directive 2011/36/EU art. 8: the link established", NonPunishmentFlag{Raised: true, OffenceCategory: NPImmigration, Linked: true, At: at(3)}, ""},
		{"lowered", "non-punishment: the suspicion dropped", NonPunishmentFlag{At: at(3)}, ""},
		{"other offence", "CoE Convention art. 26: any unlawful activity", NonPunishmentFlag{Raised: true, OffenceCategory: NPOther, At: at(3)}, ""},
		{"raised without offence", "non-punishment: a raised flag names the kind of offence", NonPunishmentFlag{Raised: true, At: at(3)}, CodeUnknownNonPunishmentOffence},
		{"unknown offence", "non-punishment: kinds come from the list", NonPunishmentFlag{Raised: true, OffenceCategory: "murder", At: at(3)}, CodeUnknownNonPunishmentOffence},
		{"lowered with unknown offence", "non-punishment: kinds come from the list", NonPunishmentFlag{OffenceCategory: "x", At: at(3)}, CodeUnknownNonPunishmentOffence},
		{"before the last flag", "dates: not before the latest flag", NonPunishmentFlag{Raised: true, OffenceCategory: NPImmigration, At: at(1)}, CodeOutOfOrder},
		{"before the investigation", "dates: nothing predates the investigation", NonPunishmentFlag{Raised: true, OffenceCategory: NPImmigration, At: at(-1)}, CodeOutOfOrder},
		{"future", "dates: no flag in the future", NonPunishmentFlag{Raised: true, OffenceCategory: NPImmigration, At: now.Add(time.Second)}, CodeFutureDate},
		{"no date", "dates: a flag has a date", NonPunishmentFlag{Raised: true, OffenceCategory: NPImmigration}, CodeInvalidInput},
	}, func(x NonPunishmentFlag) (Investigation, error) {
		return RaiseNonPunishment(inv, inv.Version, x, officer, now)
	}, func(t *testing.T, c itemCase[NonPunishmentFlag], out Investigation) {
		want := c.item
		want.RaisedBy = officer
		if got, _ := out.CurrentNonPunishment(); got != want || len(out.NonPunishment) != 2 {
			t.Errorf("%s: %+v", c.rule, got)
		}
	})
	if _, ok := opened(t).CurrentNonPunishment(); ok {
		t.Errorf("non-punishment: none raised yet")
	}
}

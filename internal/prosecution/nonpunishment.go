package prosecution

import (
	"slices"
	"time"
)

// NonPunishmentFlag records that the person is suspected of an offence that
// may be linked to their exploitation. Trafficked persons are not to be
// prosecuted, detained or punished for offences they were compelled to
// commit as a direct consequence of being trafficked.
type NonPunishmentFlag struct {
	// Raised: the person is suspected of an offence. A flag with Raised
	// false lowers an earlier one (the suspicion was dropped).
	Raised bool `json:"raised"`
	// OffenceCategory is the kind of offence suspected; required when
	// raised.
	OffenceCategory NonPunishmentOffence `json:"offence_category,omitempty"`
	// Linked: a link between the offence and the exploitation has been
	// established. false means it has not (yet) been.
	Linked   bool      `json:"linked"`
	RaisedBy string    `json:"raised_by"` // the user who recorded it
	At       time.Time `json:"at"`
}

// GuidanceCode is an item of non-punishment guidance; user interfaces
// translate it under "prosecution.guidance.<code>".
type GuidanceCode string

// Guidance items.
const (
	// GuideNotifyProsecutor: tell the prosecutor (and the police) that the
	// suspect is a presumed or identified victim of trafficking, so the
	// discretion not to prosecute can be used.
	GuideNotifyProsecutor GuidanceCode = "notify_prosecutor_of_victim_status"
	// GuideAssessLink: establish whether the offence is a direct
	// consequence of the trafficking; no link yet is not a reason to go
	// on.
	GuideAssessLink GuidanceCode = "assess_link_to_exploitation"
	// GuideConsiderDiscontinuance: consider not prosecuting, or
	// discontinuing the prosecution.
	GuideConsiderDiscontinuance GuidanceCode = "consider_discontinuance"
	// GuideConsiderNoPenalty: if prosecuted, consider imposing no penalty.
	GuideConsiderNoPenalty GuidanceCode = "consider_no_penalty"
	// GuideDoNotDetainImmigration: do not detain the person for an
	// immigration offence.
	GuideDoNotDetainImmigration GuidanceCode = "do_not_detain_for_immigration_offence"
	// GuideAdministrative: the principle covers administrative penalties
	// (fines, immigration sanctions) as well as criminal ones.
	GuideAdministrative GuidanceCode = "extend_to_administrative_liability"
	// GuideChildNoCompulsion: a child need not show compulsion: the means
	// of trafficking are not required for a child, so neither is proof that
	// the child was compelled.
	GuideChildNoCompulsion GuidanceCode = "child_no_compulsion_test"
)

// GuidanceCodes returns every guidance item, in the order given.
func GuidanceCodes() []GuidanceCode {
	return []GuidanceCode{GuideNotifyProsecutor, GuideAssessLink, GuideConsiderDiscontinuance, GuideConsiderNoPenalty,
		GuideDoNotDetainImmigration, GuideAdministrative, GuideChildNoCompulsion}
}

// Sources of the non-punishment guidance.
const (
	SrcCoE26       = "CoE Convention art. 26"
	SrcDirective8  = "Directive 2011/36/EU art. 8"
	SrcOSCE2013    = "OSCE 2013 non-punishment recommendations"
	SrcASEAN147    = "ASEAN ACTIP art. 14(7)"
	SrcModelLaw10  = "UNODC Model Law art. 10"
	SrcUNPrinciple = "UN Recommended Principles and Guidelines (2002), principle 7"
	SrcPalermo3c   = "Palermo Protocol art. 3(c)"
	SrcDirective25 = "Directive 2011/36/EU art. 2(5)"
	SrcCoE4c       = "CoE Convention art. 4(c)"
)

// GuidanceItem is one item of guidance and the instruments it rests on.
type GuidanceItem struct {
	Code    GuidanceCode `json:"code"`
	Sources []string     `json:"sources"`
}

// Guidance is the non-punishment guidance for a flag, in GuidanceCodes
// order; empty when no flag is raised.
type Guidance struct {
	Items []GuidanceItem `json:"items"`
}

// Has reports whether the guidance holds code.
func (g Guidance) Has(code GuidanceCode) bool {
	return slices.ContainsFunc(g.Items, func(i GuidanceItem) bool { return i.Code == code })
}

// ItemCodes returns the codes of the guidance, in order.
func (g Guidance) ItemCodes() []GuidanceCode {
	out := make([]GuidanceCode, len(g.Items))
	for i, it := range g.Items {
		out[i] = it.Code
	}
	return out
}

// administrative are the kinds of offence often punished by administrative
// rather than criminal penalties.
var administrative = []NonPunishmentOffence{NPImmigration, NPProstitutionRelated, NPTheftOrBegging, NPLabourLaw}

// NonPunishmentGuidance returns the guidance for flag f; child says the
// person is a child (under 18, or presumed so while the age is uncertain).
// It is pure and takes nothing else: not the person's willingness to take
// part in proceedings, which never weighs on it.
//
// For a raised flag: always notify the prosecutor of the victim status;
// while no link is established, assess it; once linked, consider
// discontinuance and no penalty; for an immigration offence, do not detain
// (linked or not: the link is assessed in freedom); for offences often
// punished administratively, apply the principle to administrative
// penalties too; for a child, no test of compulsion.
func NonPunishmentGuidance(f NonPunishmentFlag, child bool) Guidance {
	if !f.Raised {
		return Guidance{}
	}
	var g Guidance
	add := func(c GuidanceCode, sources ...string) {
		g.Items = append(g.Items, GuidanceItem{Code: c, Sources: sources})
	}
	add(GuideNotifyProsecutor, SrcCoE26, SrcDirective8, SrcOSCE2013)
	if !f.Linked {
		add(GuideAssessLink, SrcDirective8, SrcOSCE2013)
	} else {
		add(GuideConsiderDiscontinuance, SrcDirective8, SrcCoE26, SrcUNPrinciple, SrcModelLaw10, SrcASEAN147, SrcOSCE2013)
		add(GuideConsiderNoPenalty, SrcCoE26, SrcDirective8, SrcModelLaw10)
	}
	if f.OffenceCategory == NPImmigration {
		add(GuideDoNotDetainImmigration, SrcUNPrinciple, SrcModelLaw10, SrcOSCE2013)
	}
	if slices.Contains(administrative, f.OffenceCategory) {
		add(GuideAdministrative, SrcASEAN147, SrcModelLaw10, SrcOSCE2013)
	}
	if child {
		add(GuideChildNoCompulsion, SrcPalermo3c, SrcDirective25, SrcCoE4c, SrcOSCE2013)
	}
	return g
}

// CurrentNonPunishment returns the latest non-punishment flag.
func (inv Investigation) CurrentNonPunishment() (NonPunishmentFlag, bool) {
	return latest(inv.NonPunishment)
}

// RaiseNonPunishment records flag f (or lowers an earlier one when
// f.Raised is false). f.RaisedBy is set to by. A raised flag names a known
// kind of offence; f.At may not lie after now, before the investigation
// opened, or before the latest flag.
func RaiseNonPunishment(inv Investigation, expectedVersion int64, f NonPunishmentFlag, by string, now time.Time) (Investigation, error) {
	out, err := begin(inv, expectedVersion, by, now)
	if err != nil {
		return Investigation{}, err
	}
	if (f.Raised || f.OffenceCategory != "") && !f.OffenceCategory.Valid() {
		return Investigation{}, refuse(CodeUnknownNonPunishmentOffence, "offence_category", "")
	}
	last, _ := inv.CurrentNonPunishment() // zero At when none: the opening is the floor
	if err := checkWhen("at", f.At, later(inv.OpenedAt, last.At), now); err != nil {
		return Investigation{}, err
	}
	f.RaisedBy = by
	out.NonPunishment = append(out.NonPunishment, f)
	return out, nil
}

package prosecution

import (
	"slices"
	"time"
)

// Participation is a statement of the person's willingness to take part in
// the proceedings, and the protection measures in place or asked for.
//
// Taking part is voluntary. It is never a condition of support (CoE
// Convention art. 12(6); Directive 2011/36/EU art. 11(3)): support lives in
// package support, and nothing in this package can grant, withhold or end
// a service. Nor is it a condition of the prosecution: investigations go on
// ex officio, whatever the person says (CoE Convention art. 27(1);
// Directive 2011/36/EU art. 9(1)), so a "no" blocks no operation here.
type Participation struct {
	Willing    Willingness `json:"willing"`
	RecordedBy string      `json:"recorded_by"` // the user who recorded it
	At         time.Time   `json:"at"`          // when the person said so
	// Language is the ISO 639 code of the language the person was asked
	// in.
	Language           string              `json:"language"`
	ProtectionMeasures []ProtectionMeasure `json:"protection_measures"`
}

// Decision says whether something may be recorded, and why not.
type Decision struct {
	Allowed bool `json:"allowed"`
	// Code is CodeAllowed, or the code of the refusal.
	Code Code `json:"code"`
}

// CodeAllowed is the code of an allowed Decision.
const CodeAllowed Code = "allowed"

// CanRecordParticipation decides whether the person's willingness w may be
// recorded. consentToProceedings is what the person's consent ledger says
// about taking part in proceedings (support.PurposeProceedings), read by
// the caller. "yes" needs that consent (participation_without_consent):
// taking part must be the person's informed choice. "no" and "undecided"
// never need it: a refusal is always recorded and respected.
func CanRecordParticipation(w Willingness, consentToProceedings bool) Decision {
	switch {
	case !w.Valid():
		return Decision{Code: CodeUnknownWillingness}
	case w == WillingYes && !consentToProceedings:
		return Decision{Code: CodeParticipationWithoutConsent}
	}
	return Decision{Allowed: true, Code: CodeAllowed}
}

// CurrentParticipation returns the latest statement of the person's
// willingness.
func (inv Investigation) CurrentParticipation() (Participation, bool) {
	return latest(inv.Participation)
}

// RecordParticipation records statement p (see CanRecordParticipation for
// consentToProceedings). p.RecordedBy is set to by. p.At may not lie after
// now, before the investigation opened, or before the latest statement; the
// language is required; the protection measures must be known and listed
// once each. The measures are recorded whatever the person's willingness:
// victims are protected whether or not they testify (CoE Convention art.
// 28).
func RecordParticipation(inv Investigation, expectedVersion int64, p Participation, consentToProceedings bool, by string,
	now time.Time) (Investigation, error) {
	out, err := begin(inv, expectedVersion, by, now)
	if err != nil {
		return Investigation{}, err
	}
	if d := CanRecordParticipation(p.Willing, consentToProceedings); !d.Allowed {
		return Investigation{}, refuse(d.Code, "willing", string(p.Willing))
	}
	if err := checkLanguage("language", p.Language); err != nil {
		return Investigation{}, err
	}
	for i, m := range p.ProtectionMeasures {
		if !m.Valid() {
			return Investigation{}, refuse(CodeUnknownProtectionMeasure, "protection_measures", "")
		}
		if slices.Contains(p.ProtectionMeasures[:i], m) {
			return Investigation{}, refuse(CodeDuplicateMeasure, "protection_measures", string(m))
		}
	}
	last, _ := inv.CurrentParticipation() // zero At when none: the opening is the floor
	if err := checkWhen("at", p.At, later(inv.OpenedAt, last.At), now); err != nil {
		return Investigation{}, err
	}
	p.RecordedBy = by
	p.ProtectionMeasures = slices.Clone(p.ProtectionMeasures)
	out.Participation = append(out.Participation, p)
	return out, nil
}

package trm

import (
	"time"

	"github.com/haven-nrm/haven/internal/errs"
)

// Consent is one recorded statement about sending the case to a country
// for a purpose: given or withdrawn, by the person or (for a child) the
// guardian.
type Consent struct {
	Purpose    Purpose   `json:"purpose"`
	Country    string    `json:"country"`
	Given      bool      `json:"given"`
	ByGuardian bool      `json:"by_guardian"`
	At         time.Time `json:"at"`
}

// Subject is what the gate needs to know of the person.
type Subject struct {
	Child bool
	// BestInterests: a best-interests determination is recorded for the
	// child and favours the step (UNHCR BIP Guidelines 2021).
	BestInterests bool
}

// Override is a competent authority's decision to send without the
// consent the gate needs (for example a child in danger whose guardian
// cannot be reached); it is audited with its coded reason.
type Override struct {
	Reason string
}

// OverrideReasons are the coded reasons an override may give.
var OverrideReasons = []string{"child_protection_emergency", "court_order", "life_threat"}

// Gate decides whether a package for purpose may go to country (ISO
// alpha-2) now: a statistics query always may; an adult's package needs
// the person's standing consent for that purpose and that country (the
// latest statement wins, so a withdrawal blocks); a child's needs the
// guardian's standing agreement and a recorded best-interests
// determination. An override passes the gate only with a known reason.
func Gate(p Purpose, country string, s Subject, consents []Consent, o *Override, at time.Time) error {
	r, err := RuleFor(p)
	if err != nil {
		return err
	}
	if !r.Personal {
		return nil
	}
	if o != nil {
		for _, reason := range OverrideReasons {
			if o.Reason == reason {
				return nil
			}
		}
		return errs.Refuse(CodeOverrideReason, "override_reason", "")
	}
	if s.Child {
		if !Standing(consents, p, country, true, at) {
			return errs.Refuse(CodeNoGuardianConsent, "consent", string(p))
		}
		if !s.BestInterests {
			return errs.Refuse(CodeNoBestInterests, "best_interests", "")
		}
		return nil
	}
	if !Standing(consents, p, country, false, at) {
		return errs.Refuse(CodeNoConsent, "consent", string(p))
	}
	return nil
}

// Standing reports whether the latest statement about purpose and country
// dated at or before at, by the guardian when guardian is set (else by the
// person), is a consent given. No statement is no consent.
func Standing(cs []Consent, p Purpose, country string, guardian bool, at time.Time) bool {
	var best *Consent
	for i := range cs {
		c := &cs[i]
		if c.Purpose != p || c.Country != country || c.ByGuardian != guardian || c.At.After(at) {
			continue
		}
		if best == nil || !c.At.Before(best.At) {
			best = c
		}
	}
	return best != nil && best.Given
}

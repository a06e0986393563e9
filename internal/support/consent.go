package support

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/ident"
)

// Purpose is what the person consents to.
type Purpose string

// Consent purposes. Sharing names the agency that would receive the data
// (Recipient) and, optionally, the service it is shared for; the other
// purposes have neither.
const (
	PurposeShareWithAgency  Purpose = "share_with_agency"
	PurposeProceedings      Purpose = "take_part_in_proceedings"
	PurposeContactByPhone   Purpose = "contact_by_phone"
	PurposeContactByMessage Purpose = "contact_by_message"
)

// Purposes returns every purpose.
func Purposes() []Purpose {
	return []Purpose{PurposeShareWithAgency, PurposeProceedings, PurposeContactByPhone, PurposeContactByMessage}
}

// Valid reports whether p is a consent purpose.
func (p Purpose) Valid() bool { return slices.Contains(Purposes(), p) }

// ConsentAction is given or withdrawn.
type ConsentAction string

// Consent actions.
const (
	ConsentGiven     ConsentAction = "given"
	ConsentWithdrawn ConsentAction = "withdrawn"
)

// ConsentEvent is one statement of consent, or of its withdrawal, as a user
// recorded it.
type ConsentEvent struct {
	Purpose   Purpose       `json:"purpose"`
	Recipient string        `json:"recipient,omitempty"` // agency id: share_with_agency only
	Service   ServiceType   `json:"service,omitempty"`   // optional: share_with_agency only
	Action    ConsentAction `json:"action"`
	// ByGuardian is true when a child's guardian gave or withdrew the
	// consent, rather than the person. A guardian's statement is its own
	// event; it is recorded and shown as such.
	ByGuardian bool      `json:"by_guardian"`
	By         string    `json:"by"`       // the user who recorded it
	At         time.Time `json:"at"`       // when it was given or withdrawn
	Language   string    `json:"language"` // ISO 639: the language the person was asked in
}

// key is what a consent event is about: the latest event per key wins.
type key struct {
	purpose   Purpose
	recipient string
	service   ServiceType
}

func (e ConsentEvent) key() key { return key{e.Purpose, e.Recipient, e.Service} }

// Ledger is every consent event of one person, in the order recorded. It is
// never rewritten: a withdrawal is a new event.
type Ledger struct {
	Events []ConsentEvent `json:"events"`
}

// Record appends e to the ledger. now is the clock's time. It refuses an
// unknown purpose or action, a share without a recipient, a recipient or
// service on another purpose, an unknown service, a missing user or
// language, a time after now, and a time before the latest event about the
// same purpose, recipient and service.
func (l Ledger) Record(e ConsentEvent, now time.Time) (Ledger, error) {
	if !e.Purpose.Valid() {
		return Ledger{}, errs.Refuse(CodeUnknownPurpose, "purpose", string(e.Purpose))
	}
	if e.Action != ConsentGiven && e.Action != ConsentWithdrawn {
		return Ledger{}, errs.Refuse(CodeUnknownConsentAction, "action", string(e.Action))
	}
	if e.Purpose == PurposeShareWithAgency {
		if !ident.Valid(e.Recipient) {
			return Ledger{}, errs.Refuse(CodeAgencyRequired, "recipient", "")
		}
		if e.Service != "" && !e.Service.Valid() {
			return Ledger{}, errs.Refuse(CodeUnknownService, "service", string(e.Service))
		}
	} else if e.Recipient != "" || e.Service != "" {
		return Ledger{}, errs.Refuse(CodeRecipientNotAllowed, "recipient", string(e.Purpose))
	}
	if err := checkActor(e.By); err != nil {
		return Ledger{}, err
	}
	if err := checkLanguage("language", e.Language); err != nil {
		return Ledger{}, err
	}
	if err := checkWhen(e.At, now); err != nil {
		return Ledger{}, err
	}
	for _, old := range l.Events {
		if old.key() == e.key() && e.At.Before(old.At) {
			return Ledger{}, errs.Refuse(CodeOutOfOrder, "at", "")
		}
	}
	return Ledger{Events: append(slices.Clone(l.Events), e)}, nil
}

// Latest returns the event that decides consent for purpose at the time at:
// the latest event (by date; of two on the same date, the one recorded last)
// dated at or before at among those about the same purpose, recipient and
// service. For sharing for a service, an event about the recipient with no
// service counts too: consent to share with an agency covers every service,
// and a withdrawal for the agency blocks every service, until a later event
// about the service itself says otherwise.
func Latest(l Ledger, purpose Purpose, recipient string, service ServiceType, at time.Time) (ConsentEvent, bool) {
	match := func(e ConsentEvent) bool {
		if e.Purpose != purpose || e.Recipient != recipient {
			return false
		}
		return e.Service == service || (purpose == PurposeShareWithAgency && e.Service == "")
	}
	var best ConsentEvent
	found := false
	for _, e := range l.Events {
		if match(e) && !e.At.After(at) && (!found || !e.At.Before(best.At)) {
			best, found = e, true
		}
	}
	return best, found
}

// Allows reports whether the person's consent for purpose (to recipient,
// for service) stands at the time at: the deciding event (see Latest) is a
// consent given. No event means no consent.
func Allows(l Ledger, purpose Purpose, recipient string, service ServiceType, at time.Time) bool {
	e, ok := Latest(l, purpose, recipient, service, at)
	return ok && e.Action == ConsentGiven
}

// ConsentState is what the ledger says about a purpose: none, given or
// withdrawn.
type ConsentState string

// Consent states.
const (
	ConsentNone           ConsentState = "none"
	ConsentStateGiven     ConsentState = "given"
	ConsentStateWithdrawn ConsentState = "withdrawn"
)

// Codes of sharing decisions.
const (
	// CodeSameAgency: the data stays in the agency that owns the case.
	CodeSameAgency Code = "same_agency"
	// CodeConsent: the person's consent covers the recipient and service.
	CodeConsent Code = "consent"
	// CodeOverride: shared without consent on an explicit override.
	CodeOverride Code = "override"
	// CodeNoConsent: no consent was ever recorded for the recipient.
	CodeNoConsent Code = "no_consent"
	// CodeConsentWithdrawn: the person withdrew consent.
	CodeConsentWithdrawn Code = "consent_withdrawn"
	// CodeOverrideRole: the override's user holds no role that may
	// override.
	CodeOverrideRole Code = "override_role_not_authorised"
	// CodeOverrideReason: the override has no coded reason, or an unknown
	// one.
	CodeOverrideReason Code = "override_reason_unknown"
	// CodeOverrideJustification: the override's justification is missing,
	// too long or holds control characters.
	CodeOverrideJustification Code = "override_justification_invalid"
)

// MaxJustificationLen is the longest justification of an override, in
// characters.
const MaxJustificationLen = 500

// Override asks to share outside the owning agency without the person's
// consent. It must be explicit: a user, a role that may override, a coded
// reason and a written justification. The caller seals the justification
// and writes the audit event; CheckShare only decides.
type Override struct {
	By            string // user id
	Role          string // the user's role, as in package access
	Reason        string // one of OverrideReasons
	Justification string // free text; identifying data may be in it, so never logged
}

// OverrideRoles returns the roles that may override a missing or withdrawn
// consent to share: those who decide on the case in the owning agency.
func OverrideRoles() []string { return []string{"competent_authority", "case_worker"} }

// OverrideReasons returns the coded reasons for an override: a danger to
// anyone's life, the protection of a child, and a court order.
func OverrideReasons() []string { return []string{"danger_to_life", "child_protection", "court_order"} }

// ShareDecision is CheckShare's answer.
type ShareDecision struct {
	Allowed bool
	// Code says why: same_agency, consent or override when allowed; else
	// no_consent, consent_withdrawn, an override_* code, or a code of bad
	// input (agency_required, unknown_service, actor_required).
	Code Code
	// Override is true only when the data may go because of the override:
	// the caller must audit it as such. With consent, an override given
	// anyway is not used and Override is false.
	Override bool
	// Consent is what the ledger says about the recipient and service, and
	// ByGuardian whether a guardian's event decided it.
	Consent    ConsentState
	ByGuardian bool
}

// CheckShare decides whether data of the case owned by fromAgency may go to
// toAgency, for service (or "" when shared for no particular service). It
// reads the ledger as it stands: the latest event about the recipient and
// service decides (see Latest). Within the owning agency no consent is
// needed. Outside it, the data may go with the person's consent, or without
// it only on a valid override.
func CheckShare(l Ledger, fromAgency, toAgency string, service ServiceType, override *Override) ShareDecision {
	if !ident.Valid(fromAgency) || !ident.Valid(toAgency) {
		return ShareDecision{Code: CodeAgencyRequired, Consent: ConsentNone}
	}
	if service != "" && !service.Valid() {
		return ShareDecision{Code: CodeUnknownService, Consent: ConsentNone}
	}
	if fromAgency == toAgency {
		return ShareDecision{Allowed: true, Code: CodeSameAgency, Consent: ConsentNone}
	}
	d := ShareDecision{Consent: ConsentNone, Code: CodeNoConsent}
	if e, ok := latestOverall(l, toAgency, service); ok {
		d.ByGuardian = e.ByGuardian
		if e.Action == ConsentGiven {
			d.Consent, d.Allowed, d.Code = ConsentStateGiven, true, CodeConsent
			return d
		}
		d.Consent, d.Code = ConsentStateWithdrawn, CodeConsentWithdrawn
	}
	if override == nil {
		return d
	}
	if code := checkOverride(*override); code != "" {
		d.Code = code
		return d
	}
	d.Allowed, d.Override, d.Code = true, true, CodeOverride
	return d
}

// latestOverall is Latest at the time of the ledger's latest event.
func latestOverall(l Ledger, recipient string, service ServiceType) (ConsentEvent, bool) {
	var last time.Time
	for _, e := range l.Events {
		if e.At.After(last) {
			last = e.At
		}
	}
	return Latest(l, PurposeShareWithAgency, recipient, service, last)
}

// checkOverride returns the code of the first fault of o, or "".
func checkOverride(o Override) Code {
	switch {
	case !ident.Valid(o.By):
		return CodeActorRequired
	case !slices.Contains(OverrideRoles(), o.Role):
		return CodeOverrideRole
	case !slices.Contains(OverrideReasons(), o.Reason):
		return CodeOverrideReason
	}
	j := o.Justification
	if !utf8.ValidString(j) || strings.TrimSpace(j) == "" || utf8.RuneCountInString(j) > MaxJustificationLen ||
		strings.ContainsFunc(j, func(r rune) bool {
			return (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) ||
				(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
		}) {
		return CodeOverrideJustification
	}
	return ""
}

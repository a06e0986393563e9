package support

import (
	"github.com/haven-nrm/haven/internal/errs"
)

// Code is a stable reason code: why a change was refused or an action is
// (not) allowed. User interfaces translate it; logs and audit events keep
// it as it is.
type Code string

// Codes of refusals and decisions.
const (
	// CodeAllowed: the action is allowed.
	CodeAllowed Code = "allowed"
	// CodeInvalidInput: a required value is missing or malformed (an id, a
	// time, free text).
	CodeInvalidInput Code = "invalid_input"
	// CodeActorRequired: the change names no user.
	CodeActorRequired Code = "actor_required"
	// CodeFutureDate: the change is dated after the clock's time.
	CodeFutureDate Code = "future_date"
	// CodeOutOfOrder: the change is dated before the latest change it
	// follows.
	CodeOutOfOrder Code = "out_of_order"
	// CodeLanguageRequired: no language was given.
	CodeLanguageRequired Code = "language_required"
	// CodeInvalidLanguage: the language is not an ISO 639 code of a
	// language.
	CodeInvalidLanguage Code = "invalid_language"
	// CodeUnknownItem: not one of the early steps or information items.
	CodeUnknownItem Code = "unknown_item"
	// CodeUnknownService: not one of the service types.
	CodeUnknownService Code = "unknown_service"
	// CodeAgencyRequired: a service referral or a consent to share names no
	// agency.
	CodeAgencyRequired Code = "agency_required"
	// CodeDuplicateID: a referral with this id is already in the plan.
	CodeDuplicateID Code = "duplicate_id"
	// CodeNotFound: no referral with this id is in the plan.
	CodeNotFound Code = "not_found"
	// CodeAlreadyOpen: the same service from the same agency is already
	// offered, accepted or being delivered.
	CodeAlreadyOpen Code = "already_open"
	// CodeUnknownAction: not one of the service actions.
	CodeUnknownAction Code = "unknown_action"
	// CodeNotAllowedInState: the action does not apply to the referral's
	// state (e.g. delivering a declined service).
	CodeNotAllowedInState Code = "not_allowed_in_state"
	// CodeOfferPending: an offer still awaits the person's answer.
	CodeOfferPending Code = "offer_pending"
	// CodeServiceInProgress: an accepted or delivered service has not
	// ended.
	CodeServiceInProgress Code = "service_in_progress"
	// CodeUnknownPurpose: not one of the consent purposes.
	CodeUnknownPurpose Code = "unknown_purpose"
	// CodeUnknownConsentAction: neither given nor withdrawn.
	CodeUnknownConsentAction Code = "unknown_consent_action"
	// CodeRecipientNotAllowed: a recipient or service on a purpose that has
	// none.
	CodeRecipientNotAllowed Code = "recipient_not_allowed"
	// CodeUnknownLevel, CodeDuplicateLevel, CodeUnknownRating,
	// CodeUnknownFactor, CodeFactorWrongLevel and CodeNoLevels: a malformed
	// needs and risk assessment.
	CodeUnknownLevel     Code = "unknown_level"
	CodeDuplicateLevel   Code = "duplicate_level"
	CodeUnknownRating    Code = "unknown_rating"
	CodeUnknownFactor    Code = "unknown_factor"
	CodeFactorWrongLevel Code = "factor_wrong_level"
	CodeNoLevels         Code = "no_levels"
)

// Error is a refused change (errs.Refusal, the rule packages' one error
// type). It holds codes only, never personal data or free text: Field names
// the input concerned, when there is one; Value is the offending code, when
// it is a code (never free text).
type Error = errs.Refusal[Code]

// Domain names the package in error texts and translation keys.
func (Code) Domain() string { return "support" }

// Kind classifies a refusal in Haven's taxonomy: a refused change is
// invalid input as the case stands; the message key is
// "support.error.<code>".
func (Code) Kind() errs.Kind { return errs.Invalid }

// Decision says whether an action is allowed, and why not.
type Decision struct {
	Allowed bool
	Code    Code
	// Referrals lists the ids of the referrals that stand in the way, when
	// there are any.
	Referrals []string
}

func allow() Decision { return Decision{Allowed: true, Code: CodeAllowed} }

func deny(code Code, referrals ...string) Decision {
	return Decision{Code: code, Referrals: referrals}
}

// ErrorCodes lists the codes an Error may carry.
func ErrorCodes() []Code {
	return []Code{CodeInvalidInput, CodeActorRequired, CodeFutureDate, CodeOutOfOrder, CodeLanguageRequired, CodeInvalidLanguage,
		CodeUnknownItem, CodeUnknownService, CodeAgencyRequired, CodeDuplicateID, CodeNotFound, CodeAlreadyOpen, CodeUnknownAction,
		CodeNotAllowedInState, CodeOfferPending, CodeServiceInProgress, CodeUnknownPurpose, CodeUnknownConsentAction,
		CodeRecipientNotAllowed, CodeUnknownLevel, CodeDuplicateLevel, CodeUnknownRating, CodeUnknownFactor, CodeFactorWrongLevel,
		CodeNoLevels, CodeNoConsent, CodeConsentWithdrawn, CodeOverrideRole, CodeOverrideReason, CodeOverrideJustification}
}

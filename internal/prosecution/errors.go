package prosecution

import (
	"github.com/haven-nrm/haven/internal/errs"
)

// Code is a stable reason code: why a change was refused. User interfaces
// translate it under "prosecution.error.<code>"; logs and audit events keep
// it as it is.
type Code string

// Codes of refusals.
const (
	// CodeStaleVersion: the investigation changed since the caller read it.
	CodeStaleVersion Code = "stale_version"
	// CodeInvalidInput: a required value is missing or malformed (an id, a
	// time).
	CodeInvalidInput Code = "invalid_input"
	// CodeActorRequired: the change names no user.
	CodeActorRequired Code = "actor_required"
	// CodeAgencyRequired: the investigation names no police agency.
	CodeAgencyRequired Code = "agency_required"
	// CodeFutureDate: the change is dated after the clock's time.
	CodeFutureDate Code = "future_date"
	// CodeOutOfOrder: the change is dated before the event it follows, or
	// the step does not follow from where the investigation or charge
	// stands.
	CodeOutOfOrder Code = "out_of_order"
	// CodeInvestigationClosed: the investigation is closed.
	CodeInvestigationClosed Code = "investigation_closed"
	// CodeDuplicateID: an entry with this id is already recorded.
	CodeDuplicateID Code = "duplicate_id"
	// CodeUnknownSuspect: a charge names no suspect of the investigation.
	CodeUnknownSuspect Code = "unknown_suspect"
	// CodeUnknownCharge: a proceeding, sentence or compensation names no
	// charge of the investigation.
	CodeUnknownCharge Code = "unknown_charge"
	// CodeUnknownChainRole: not one of ChainRoles.
	CodeUnknownChainRole Code = "unknown_chain_role"
	// CodeUnknownNature: not one of Natures.
	CodeUnknownNature Code = "unknown_nature"
	// CodeUnknownGender: not an HTCDS 2.0 gender.
	CodeUnknownGender Code = "unknown_gender"
	// CodeGenderNotApplicable: a gender given for a legal person.
	CodeGenderNotApplicable Code = "gender_not_applicable"
	// CodeInvalidCountry: not an ISO 3166-1 alpha-2 country code.
	CodeInvalidCountry Code = "invalid_country"
	// CodeUnknownOffence: not one of OffenceCategories.
	CodeUnknownOffence Code = "unknown_offence"
	// CodeUnknownProvision: the provision code is not in the list of the
	// case's country.
	CodeUnknownProvision Code = "unknown_provision"
	// CodeProvisionOffence: the offence category given is not the one the
	// provision counts as.
	CodeProvisionOffence Code = "provision_offence"
	// CodeUnknownStage: not one of Stages.
	CodeUnknownStage Code = "unknown_stage"
	// CodeUnknownOutcome: not one of VerdictOutcomes.
	CodeUnknownOutcome Code = "unknown_outcome"
	// CodeOutcomeRequired: a verdict without an outcome.
	CodeOutcomeRequired Code = "outcome_required"
	// CodeOutcomeNotAllowed: an outcome on a charged or trial stage.
	CodeOutcomeNotAllowed Code = "outcome_not_allowed"
	// CodeVerdictWithoutCharge: a verdict on a charge never brought before
	// a court (still at the investigation stage).
	CodeVerdictWithoutCharge Code = "verdict_without_charge"
	// CodeSentenceWithoutConviction: a sentence on a charge whose outcome
	// is not a conviction.
	CodeSentenceWithoutConviction Code = "sentence_without_conviction"
	// CodeInvalidSentence: a sentence that imposes nothing, or a malformed
	// one (a suspended life sentence, a suspended sentence without custody,
	// too many months).
	CodeInvalidSentence Code = "invalid_sentence"
	// CodeInvalidAmount: a negative amount, or an order of nothing.
	CodeInvalidAmount Code = "invalid_amount"
	// CodeInvalidCurrency: not an ISO 4217 currency code, or an amount
	// without a currency.
	CodeInvalidCurrency Code = "invalid_currency"
	// CodeCompensationWithoutConviction: compensation ordered on a charge
	// whose outcome is not a conviction.
	CodeCompensationWithoutConviction Code = "compensation_without_conviction"
	// CodeCompensationExceedsOrder: more paid than ordered.
	CodeCompensationExceedsOrder Code = "compensation_exceeds_order"
	// CodeUnknownCompensationState: not one of CompensationStates.
	CodeUnknownCompensationState Code = "unknown_compensation_state"
	// CodeCompensationStateMismatch: the state does not match the amounts
	// (e.g. paid while less than the order was paid).
	CodeCompensationStateMismatch Code = "compensation_state_mismatch"
	// CodeOrderChanged: an update of a compensation order changes its
	// charge or the amount ordered; a new order is a new entry.
	CodeOrderChanged Code = "order_changed"
	// CodeUnknownWillingness: not one of Willingnesses.
	CodeUnknownWillingness Code = "unknown_willingness"
	// CodeParticipationWithoutConsent: willingness "yes" recorded without
	// the person's consent to take part in proceedings.
	CodeParticipationWithoutConsent Code = "participation_without_consent"
	// CodeUnknownProtectionMeasure: not one of ProtectionMeasures.
	CodeUnknownProtectionMeasure Code = "unknown_protection_measure"
	// CodeDuplicateMeasure: a protection measure listed twice.
	CodeDuplicateMeasure Code = "duplicate_measure"
	// CodeLanguageRequired: no language was given.
	CodeLanguageRequired Code = "language_required"
	// CodeInvalidLanguage: not an ISO 639 code of a language.
	CodeInvalidLanguage Code = "invalid_language"
	// CodeUnknownNonPunishmentOffence: not one of NonPunishmentOffences, or
	// a flag raised without one.
	CodeUnknownNonPunishmentOffence Code = "unknown_non_punishment_offence"
	// CodeUnknownStatus: not one of InvestigationStatuses.
	CodeUnknownStatus Code = "unknown_status"
	// CodeNotAClosingStatus: Close with open or referred_to_prosecution.
	CodeNotAClosingStatus Code = "not_a_closing_status"
	// CodeProceedingsPending: a charge is still before a court (charged,
	// at trial, or under appeal).
	CodeProceedingsPending Code = "proceedings_pending"
	// CodeNoProsecution: closed as prosecuted while no charge was brought.
	CodeNoProsecution Code = "no_prosecution"
	// CodeProsecutionBrought: closed without action while a charge was
	// brought.
	CodeProsecutionBrought Code = "prosecution_brought"
)

// ErrorCodes returns every code of refusal, for translation catalogues.
func ErrorCodes() []Code {
	return []Code{CodeStaleVersion, CodeInvalidInput, CodeActorRequired, CodeAgencyRequired, CodeFutureDate,
		CodeOutOfOrder, CodeInvestigationClosed, CodeDuplicateID, CodeUnknownSuspect, CodeUnknownCharge,
		CodeUnknownChainRole, CodeUnknownNature, CodeUnknownGender, CodeGenderNotApplicable, CodeInvalidCountry,
		CodeUnknownOffence, CodeUnknownProvision, CodeProvisionOffence, CodeUnknownStage, CodeUnknownOutcome, CodeOutcomeRequired,
		CodeOutcomeNotAllowed, CodeVerdictWithoutCharge, CodeSentenceWithoutConviction, CodeInvalidSentence,
		CodeInvalidAmount, CodeInvalidCurrency, CodeCompensationWithoutConviction, CodeCompensationExceedsOrder,
		CodeUnknownCompensationState, CodeCompensationStateMismatch, CodeOrderChanged, CodeUnknownWillingness,
		CodeParticipationWithoutConsent, CodeUnknownProtectionMeasure, CodeDuplicateMeasure, CodeLanguageRequired,
		CodeInvalidLanguage, CodeUnknownNonPunishmentOffence, CodeUnknownStatus, CodeNotAClosingStatus,
		CodeProceedingsPending, CodeNoProsecution, CodeProsecutionBrought}
}

// Error is a refused change (errs.Refusal, the rule packages' one error
// type). It holds codes only, never personal data or free text: Field names
// the input concerned, when there is one; Value is the offending value when
// it is one of this package's codes (e.g. the stage that is out of order);
// anything else the caller typed is left out, so names typed into a code
// field never reach an error or a log.
type Error = errs.Refusal[Code]

// Domain names the package in error texts and translation keys.
func (Code) Domain() string { return "prosecution" }

// Kind classifies a refusal in Haven's taxonomy: a stale version is a
// conflict, every other refusal is invalid input for the investigation as
// it stands. The translation key is "prosecution.error.<code>".
func (c Code) Kind() errs.Kind {
	if c == CodeStaleVersion {
		return errs.Conflict
	}
	return errs.Invalid
}

// CodeOf returns the code of a prosecution error in err's chain, or "".
func CodeOf(err error) Code { return errs.CodeOf[Code](err) }

// refuse builds an Error. value is kept only when it is one of the
// package's codes.
func refuse(code Code, field, value string) error {
	if !knownCode(value) {
		value = ""
	}
	return &Error{Code: code, Field: field, Value: value}
}

// knownCode reports whether s is a code of one of the package's lists.
func knownCode(s string) bool { return codeSet[s] }

// codeSet holds every code of every list.
var codeSet = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range Codes() {
		for _, c := range l.Codes {
			m[c] = true
		}
	}
	return m
}()

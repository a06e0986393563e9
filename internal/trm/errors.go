package trm

import (
	"github.com/haven-nrm/haven/internal/errs"
)

// Code is a stable reason code of a refusal.
type Code string

// Codes of refusals.
const (
	CodeUnknownPurpose    Code = "unknown_purpose"
	CodePurposeNotAgreed  Code = "purpose_not_agreed"
	CodeNoConsent         Code = "no_consent"
	CodeNoGuardianConsent Code = "no_guardian_consent"
	CodeNoBestInterests   Code = "no_best_interests"
	CodeOverrideReason    Code = "override_reason_required"
	CodeUnknownField      Code = "unknown_field"
	CodeBadValue          Code = "bad_value"
	CodeUnknownStatus     Code = "unknown_status"
	CodeStatusOutOfOrder  Code = "status_out_of_order"
	CodeUnknownStep       Code = "unknown_step"
	CodeWrongCountry      Code = "wrong_country"
	CodeStepPrerequisite  Code = "step_prerequisite"
	CodeStepDone          Code = "step_done"
	CodeDeclineReason     Code = "decline_reason_required"
	CodeNothingToSend     Code = "nothing_to_send"
)

// Error is a refused change (errs.Refusal over this package's codes).
type Error = errs.Refusal[Code]

// Domain names the package in error texts and translation keys
// ("trm.error.<code>").
func (Code) Domain() string { return "trm" }

// Kind classifies a refusal: invalid as the case stands.
func (Code) Kind() errs.Kind { return errs.Invalid }

// CodeOf returns the code of a trm refusal in err's chain, or "".
func CodeOf(err error) Code { return errs.CodeOf[Code](err) }

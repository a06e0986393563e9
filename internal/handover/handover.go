// Package handover holds the rules of passing a case between agencies and
// of closing it (HTCDS 2.0 case and referral sections):
//
//   - a transfer moves ownership of the case to another agency, and only
//     when that agency accepts; a referral asks another agency to work on
//     the case (a service, an investigation) while the owner keeps it;
//   - the sender may revoke while the receiver has not answered, and a
//     referral also after acceptance; the receiver accepts, or rejects
//     with a coded reason; an accepted referral ends when the receiver
//     marks it done;
//   - at most one transfer is pending at a time, and never to the owner;
//   - a case closes with a coded reason, which sets its HTCDS status
//     (Closed, ClosedReferred, or FollowUp when the person is reintegrated
//     and is to be followed up), and reopens to Active.
//
// The package is pure: values in, values out; no clock, no storage.
package handover

import (
	"slices"

	"github.com/haven-nrm/haven/internal/errs"
)

// Kinds.
const (
	KindTransfer = "transfer"
	KindReferral = "referral"
)

// States.
const (
	StatePending  = "pending"
	StateAccepted = "accepted"
	StateRejected = "rejected"
	StateRevoked  = "revoked"
	StateDone     = "done"
)

// Responses.
const (
	Accept = "accept"
	Reject = "reject"
	Revoke = "revoke"
	Done   = "done"
)

// Kinds, States, Responses list the codes.
func Kinds() []string { return []string{KindTransfer, KindReferral} }
func States() []string {
	return []string{StatePending, StateAccepted, StateRejected, StateRevoked, StateDone}
}
func Responses() []string { return []string{Accept, Reject, Revoke, Done} }

// RejectReasons are the coded reasons a receiver gives for rejecting.
func RejectReasons() []string {
	return []string{"no_capacity", "outside_mandate", "not_eligible", "person_declined", "other"}
}

// Handover is what the rules need of one handover.
type Handover struct {
	Kind, State, From, To string
}

// Side is who answers: the sending agency or the receiving one.
type Side int

// Sides.
const (
	Sender Side = iota
	Receiver
)

// Code is a stable code: why a change was refused. The translation key is
// "handover.error.<code>".
type Code string

// Domain names the package in error texts and translation keys.
func (Code) Domain() string { return "handover" }

// Kind classifies a refusal: a wrong side is forbidden, anything else is
// invalid for the handover as it stands.
func (c Code) Kind() errs.Kind {
	if c == "wrong_side" {
		return errs.Forbidden
	}
	return errs.Invalid
}

// Error is a refused change, with a stable code (errs.Refusal, the rule
// packages' one error type).
type Error = errs.Refusal[Code]

// ErrorCodes lists every error code.
func ErrorCodes() []string {
	return []string{"unknown_kind", "same_agency", "unknown_agency", "transfer_pending", "case_closed", "unknown_response",
		"wrong_side", "not_allowed_in_state", "reason_required", "unknown_reason", "support_open"}
}

// CanOffer decides whether owner may hand the case over to to. known says
// whether the receiving agency exists; pending lists the handovers of the
// case as they stand.
func CanOffer(kind, owner, to string, known, closed bool, existing []Handover) error {
	switch {
	case !slices.Contains(Kinds(), kind):
		return &Error{Code: "unknown_kind"}
	case closed:
		return &Error{Code: "case_closed"}
	case !known:
		return &Error{Code: "unknown_agency"}
	case to == owner:
		return &Error{Code: "same_agency"}
	}
	for _, h := range existing {
		if h.Kind == KindTransfer && h.State == StatePending && kind == KindTransfer {
			return &Error{Code: "transfer_pending"}
		}
	}
	return nil
}

// Respond applies a response from side to a handover and returns its new
// state. Transfer ownership moves when Respond returns StateAccepted for a
// transfer. A rejection needs one of RejectReasons.
func Respond(h Handover, side Side, response, reason string) (string, error) {
	if !slices.Contains(Responses(), response) {
		return "", &Error{Code: "unknown_response"}
	}
	wantSide := Receiver
	if response == Revoke {
		wantSide = Sender
	}
	if side != wantSide {
		return "", &Error{Code: "wrong_side"}
	}
	switch response {
	case Accept:
		if h.State == StatePending {
			return StateAccepted, nil
		}
	case Reject:
		if h.State == StatePending {
			if reason == "" {
				return "", &Error{Code: "reason_required"}
			}
			if !slices.Contains(RejectReasons(), reason) {
				return "", &Error{Code: "unknown_reason"}
			}
			return StateRejected, nil
		}
	case Revoke:
		if h.State == StatePending || (h.Kind == KindReferral && h.State == StateAccepted) {
			return StateRevoked, nil
		}
	case Done:
		if h.Kind == KindReferral && h.State == StateAccepted {
			return StateDone, nil
		}
	}
	return "", &Error{Code: "not_allowed_in_state"}
}

// Working reports whether the receiver works on the case under h: an
// accepted referral, not yet done or revoked.
func Working(h Handover) bool { return h.Kind == KindReferral && h.State == StateAccepted }

// HTCDS 2.0 case statuses (cas_Status).
const (
	CaseActive         = "Active"
	CaseFollowUp       = "FollowUp"
	CaseClosed         = "Closed"
	CaseClosedReferred = "ClosedReferred"
)

// ClosureReasons are the coded reasons for closing a case (HTCDS
// cas_ReasonForCaseClosure is free text; codes keep statistics
// comparable).
func ClosureReasons() []string {
	return []string{"reintegrated", "returned_home", "referred_elsewhere", "support_no_longer_wanted", "lost_contact",
		"not_a_victim", "deceased", "other"}
}

// Close decides the status a case takes when closed for reason, and
// whether a follow-up is due: a reintegrated person is followed up (HTCDS
// FollowUp) before the case is closed for good; a case passed to another
// organisation is ClosedReferred. supportOpen is true while the person's
// support does not yet allow closing (an offer unanswered, a service not
// ended).
func Close(status, reason string, supportOpen bool) (newStatus string, followUp bool, err error) {
	switch {
	case status == CaseClosed || status == CaseClosedReferred:
		return "", false, &Error{Code: "case_closed"}
	case !slices.Contains(ClosureReasons(), reason):
		return "", false, &Error{Code: "unknown_reason"}
	case supportOpen && reason != "deceased":
		return "", false, &Error{Code: "support_open"}
	}
	switch reason {
	case "reintegrated":
		if status == CaseFollowUp {
			return CaseClosed, false, nil
		}
		return CaseFollowUp, true, nil
	case "referred_elsewhere":
		return CaseClosedReferred, false, nil
	}
	return CaseClosed, false, nil
}

// Reopen returns a closed or followed-up case to Active.
func Reopen(status string) (string, error) {
	if status == CaseActive {
		return "", &Error{Code: "not_allowed_in_state"}
	}
	return CaseActive, nil
}

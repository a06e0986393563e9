package casework

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
)

// State is where a case stands in the decision workflow.
type State string

// The states of the decision workflow:
//
//	referred ──RG──▶ rg_positive ──CG positive──────────────────────▶ cg_positive
//	 │  ▲                 │  ▲
//	 │  │                 │  └─ returned by the second person ◀─┐
//	 │  │                 └──CG negative (consultations done)──▶ cg_negative_pending_review
//	 │  └─ returned ◀─┐                                          │ upheld by a second person
//	 └──RG negative──▶ rg_negative_pending_review                ▼
//	                  │ upheld by a second person           cg_negative
//	                  ▼                                          │
//	             rg_negative ──▶ reconsideration_requested ◀─────┘
//
// A negative RG decision awaits a second person's review when the
// country's decision settings ask for it (Country.NegativeRGReview, on by
// default); otherwise it takes effect at once. reconsideration_requested
// reopens the stage whose negative decision is reconsidered: the RG stage
// from rg_negative, the CG stage from cg_negative; a negative RG returned
// on review goes back to the stage it was proposed in.
const (
	StateReferred                 State = "referred"
	StateRGPositive               State = "rg_positive"
	StateRGNegative               State = "rg_negative"
	StateRGNegativePendingReview  State = "rg_negative_pending_review"
	StateCGPositive               State = "cg_positive"
	StateCGNegativePendingReview  State = "cg_negative_pending_review"
	StateCGNegative               State = "cg_negative"
	StateReconsiderationRequested State = "reconsideration_requested"
)

// States lists every state.
var States = []State{StateReferred, StateRGPositive, StateRGNegative, StateRGNegativePendingReview, StateCGPositive,
	StateCGNegativePendingReview, StateCGNegative, StateReconsiderationRequested}

// Stage is a decision stage.
type Stage string

// Decision stages.
const (
	StageReasonableGrounds Stage = "reasonable_grounds"
	StageConclusiveGrounds Stage = "conclusive_grounds"
)

// Reasonable-grounds outcomes.
const (
	RGPositive = "positive"
	RGNegative = "negative"
)

// Review outcomes of a proposed negative decision.
const (
	ReviewUpheld   = "upheld"
	ReviewReturned = "returned"
)

// HTCDS 2.0 trafficking statuses (vic_TraffickingStatus).
const (
	StatusPossible = "PossibleVictimOfTrafficking"
	StatusActual   = "ActualVictimOfTrafficking"
	StatusNot      = "NotAVictimOfTrafficking"
)

// StatusOf is the HTCDS trafficking status that follows from a state: a
// positive conclusive decision makes an actual victim, a negative decision
// in effect (RG or CG, upheld on review where one is due) makes not a
// victim, and everything else, including a negative decision awaiting
// review and a reconsideration, leaves a possible victim.
func StatusOf(s State) string {
	switch s {
	case StateCGPositive:
		return StatusActual
	case StateRGNegative, StateCGNegative:
		return StatusNot
	default:
		return StatusPossible
	}
}

// Record is the competent authority's decision record on one case. Values
// are never changed in place: every operation returns a new Record.
type Record struct {
	CaseID string `json:"case_id"`
	// Country is the code of the configuration the record follows.
	Country string `json:"country"`
	// Child: the person is a child, which adds consultations.
	Child bool `json:"child"`
	// Version starts at 1 and grows by one with every change.
	Version           int64     `json:"version"`
	State             State     `json:"state"`
	TraffickingStatus string    `json:"trafficking_status"`
	ReferredAt        time.Time `json:"referred_at"`
	// RGClockStart is when the reasonable-grounds clock started: the
	// referral, or a request to reconsider a negative RG decision.
	RGClockStart time.Time `json:"rg_clock_start"`
	// RGDeadline is the end of the target working day after RGClockStart.
	RGDeadline time.Time `json:"rg_deadline"`
	// CalendarVersion is the calendar of public holidays the deadline was
	// counted with (Country.CalendarVersion; empty: the configuration's
	// own). A new calendar does not move a running deadline.
	CalendarVersion string `json:"calendar_version,omitempty"`
	// ReasonableGrounds is the RG decision of the current round: in
	// effect, or negative and awaiting review (EffectiveAt zero).
	ReasonableGrounds DecisionEntry `json:"reasonable_grounds"`
	// Conclusive is the CG decision of the current round: in effect, or
	// proposed and awaiting review (EffectiveAt zero).
	Conclusive DecisionEntry `json:"conclusive"`
	// Review is the latest second-person review of a negative decision
	// in the current round.
	Review ReviewEntry `json:"review"`
	// Consultations are those recorded in the current CG round.
	Consultations []ConsultationEntry `json:"consultations"`
	// Reconsideration is the latest request to reconsider.
	Reconsideration ReconsiderationEntry `json:"reconsideration"`
	// Period is the recovery and reflection period; zero until a positive
	// RG decision.
	Period    Period    `json:"period"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DecisionEntry is a decision taken.
type DecisionEntry struct {
	Outcome  string    `json:"outcome"`
	Positive bool      `json:"positive"`
	By       string    `json:"by"` // user id of the decider
	At       time.Time `json:"at"`
	// EffectiveAt is when the decision took effect: when taken, or for a
	// negative decision under review when a second person upheld it.
	EffectiveAt time.Time `json:"effective_at"`
}

// ConsultationEntry records that a party was consulted.
type ConsultationEntry struct {
	Party string    `json:"party"`
	By    string    `json:"by"` // user id of who recorded it
	At    time.Time `json:"at"`
}

// ReviewEntry is a second person's review of a proposed negative
// decision.
type ReviewEntry struct {
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Outcome string    `json:"outcome"` // upheld or returned
}

// ReconsiderationEntry is a request to reconsider a negative decision.
type ReconsiderationEntry struct {
	Stage Stage `json:"stage"`
	// Of is the decision reconsidered.
	Of DecisionEntry `json:"of"`
	By string        `json:"by"`
	At time.Time     `json:"at"`
}

// Period is a recovery and reflection period. End is where it ends at the
// least; it never moves earlier. UntilConclusive and MinimumDays are the
// terms it was opened on, kept so that a later configuration change cannot
// shorten a running period.
type Period struct {
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	MinimumDays     int       `json:"minimum_days"`
	UntilConclusive bool      `json:"until_conclusive"`
}

// Open reports whether a period was ever opened.
func (p Period) Open() bool { return !p.Start.IsZero() }

// AwaitingReasonableGrounds reports whether the case waits for an RG
// decision.
func (r Record) AwaitingReasonableGrounds() bool {
	return r.State == StateReferred || (r.State == StateReconsiderationRequested && r.Reconsideration.Stage == StageReasonableGrounds)
}

// PendingReview reports whether a negative decision awaits a second
// person's review, and who proposed it (the reviewer must be someone
// else).
func (r Record) PendingReview() (proposedBy string, pending bool) {
	switch r.State {
	case StateRGNegativePendingReview:
		return r.ReasonableGrounds.By, true
	case StateCGNegativePendingReview:
		return r.Conclusive.By, true
	}
	return "", false
}

// AwaitingConclusive reports whether the case has a positive RG decision
// and no conclusive decision in effect: the identification process is not
// complete.
func (r Record) AwaitingConclusive() bool {
	switch r.State {
	case StateRGPositive, StateCGNegativePendingReview:
		return true
	case StateReconsiderationRequested:
		return r.Reconsideration.Stage == StageConclusiveGrounds
	}
	return false
}

// Consulted lists the parties consulted in the current CG round, once
// each, in the order first recorded.
func (r Record) Consulted() []string {
	var out []string
	for _, c := range r.Consultations {
		if !slices.Contains(out, c.Party) {
			out = append(out, c.Party)
		}
	}
	return out
}

// Event codes.
const (
	EventRecordOpened             = "decision_record_opened"
	EventRGDecided                = "reasonable_grounds_decided"
	EventRGProposedNegative       = "reasonable_grounds_negative_proposed"
	EventNegativeRGReviewed       = "negative_reasonable_grounds_reviewed"
	EventCGProposedNegative       = "conclusive_negative_proposed"
	EventCGDecided                = "conclusive_grounds_decided"
	EventConsultationRecorded     = "consultation_recorded"
	EventNegativeReviewed         = "negative_conclusive_reviewed"
	EventReconsiderationRequested = "reconsideration_requested"
	EventPeriodOpened             = "recovery_period_opened"
	EventPeriodExtended           = "recovery_period_extended"
	EventStatusChanged            = "trafficking_status_changed"
)

// Event is a domain event: what changed, in codes and ids only, for the
// audit log and for notifications.
type Event struct {
	Code    string
	CaseID  string
	Version int64 // the record's version after the change
	At      time.Time
	By      string // user id
	From    State
	To      State
	// Outcome is the decision or review outcome, or the reconsidered stage.
	Outcome string
	// Party is the party consulted.
	Party string
	// Status is the HTCDS trafficking status after the change.
	Status string
	// PeriodEnd is the period's end after an opening or extension.
	PeriodEnd time.Time
}

// Code is a stable error code for the user interface; the translation key
// of its message is "casework.error.<code>".
type Code string

// Error codes.
const (
	// CodeStaleVersion: the record changed since the caller read it.
	CodeStaleVersion Code = "stale_version"
	// CodeOutOfOrder: the operation is not allowed in the record's state,
	// e.g. a conclusive decision before a positive reasonable-grounds one.
	CodeOutOfOrder Code = "out_of_order"
	// CodeConsultationMissing: a negative conclusive decision before every
	// mandatory consultation is recorded; Missing lists them.
	CodeConsultationMissing Code = "consultation_missing"
	// CodeSamePersonReview: the decider cannot review their own negative
	// decision.
	CodeSamePersonReview Code = "same_person_review"
	// CodePeriodShortened: a new period end not later than the current one.
	CodePeriodShortened Code = "period_shortened"
	// CodeNoPeriod: no recovery period has been opened.
	CodeNoPeriod Code = "no_period"
	// CodeUnknownOutcome: an outcome the country does not have.
	CodeUnknownOutcome Code = "unknown_outcome"
	// CodeUnknownParty: a party the country does not consult.
	CodeUnknownParty Code = "unknown_party"
	// CodeActorRequired: the change names no user.
	CodeActorRequired Code = "actor_required"
	// CodeWrongCountry: the configuration given is not the record's.
	CodeWrongCountry Code = "wrong_country"
	// CodeInvalidInput: a missing case id or time.
	CodeInvalidInput Code = "invalid_input"
	// CodeNotChild: a guardian is appointed for a child only.
	CodeNotChild Code = "not_a_child"
	// CodeFutureDate: a day after today.
	CodeFutureDate Code = "future_date"
)

// Codes lists every error code.
var Codes = []Code{CodeStaleVersion, CodeOutOfOrder, CodeConsultationMissing, CodeSamePersonReview, CodePeriodShortened,
	CodeNoPeriod, CodeUnknownOutcome, CodeUnknownParty, CodeActorRequired, CodeWrongCountry, CodeInvalidInput, CodeNotChild, CodeFutureDate}

// Error is a refused change. It holds codes and versions only: never the
// caller's input, never personal data.
type Error struct {
	Code Code
	// State is the record's state when the change was refused.
	State State
	// Missing lists the parties still to consult (consultation_missing).
	Missing []string
	// Detail says more, in codes, for logs.
	Detail string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("casework: ")
	b.WriteString(string(e.Code))
	if e.State != "" {
		b.WriteString(" in state ")
		b.WriteString(string(e.State))
	}
	if len(e.Missing) > 0 {
		b.WriteString(" (missing: ")
		b.WriteString(strings.Join(e.Missing, ", "))
		b.WriteString(")")
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap classifies the error in Haven's taxonomy: a stale version is a
// conflict, a review by the decider is forbidden, everything else is
// invalid for the record as it stands.
func (e *Error) Unwrap() error {
	kind := errs.Invalid
	switch e.Code {
	case CodeStaleVersion:
		kind = errs.Conflict
	case CodeSamePersonReview:
		kind = errs.Forbidden
	case CodeWrongCountry:
		kind = errs.Internal
	}
	return &errs.Error{Kind: kind, Key: "casework.error." + string(e.Code), Err: errors.New(string(e.Code))}
}

// CodeOf returns the code of a casework error in err's chain, or "".
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func refuse(code Code, r Record, format string, args ...any) error {
	return &Error{Code: code, State: r.State, Detail: fmt.Sprintf(format, args...)}
}

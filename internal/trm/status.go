package trm

import (
	"slices"

	"github.com/haven-nrm/haven/internal/errs"
)

// Status is a coded event of a linked case that flows from the receiver
// back to the sender: codes only, never the receiver's notes.
type Status string

// Status events in the order a case may pass them.
const (
	StatusReceived   Status = "received"
	StatusAccepted   Status = "accepted"
	StatusDeclined   Status = "declined"
	StatusAssistance Status = "assistance_started"
	StatusReturnPlan Status = "return_planned"
	StatusReturned   Status = "returned"
	StatusFollowup3  Status = "followup_3m"
	StatusFollowup6  Status = "followup_6m"
	StatusFollowup12 Status = "followup_12m"
	StatusClosed     Status = "closed"
	StatusWithdrawn  Status = "withdrawn"
	StatusErased     Status = "erased"
)

// follows says which statuses may come right after each; a status not
// listed as a key is final.
var follows = map[Status][]Status{
	"":               {StatusReceived},
	StatusReceived:   {StatusAccepted, StatusDeclined, StatusWithdrawn},
	StatusAccepted:   {StatusAssistance, StatusReturnPlan, StatusClosed, StatusWithdrawn},
	StatusAssistance: {StatusReturnPlan, StatusClosed, StatusWithdrawn},
	StatusReturnPlan: {StatusReturned, StatusAssistance, StatusClosed, StatusWithdrawn},
	StatusReturned:   {StatusFollowup3, StatusClosed, StatusWithdrawn},
	StatusFollowup3:  {StatusFollowup6, StatusClosed, StatusWithdrawn},
	StatusFollowup6:  {StatusFollowup12, StatusClosed, StatusWithdrawn},
	StatusFollowup12: {StatusClosed, StatusWithdrawn},
	StatusClosed:     {StatusWithdrawn},
	StatusDeclined:   {StatusWithdrawn},
	StatusWithdrawn:  {StatusErased},
}

// Statuses lists every status.
func Statuses() []Status {
	return []Status{StatusReceived, StatusAccepted, StatusDeclined, StatusAssistance, StatusReturnPlan, StatusReturned,
		StatusFollowup3, StatusFollowup6, StatusFollowup12, StatusClosed, StatusWithdrawn, StatusErased}
}

// Next checks that next may follow cur ("" before the first).
func Next(cur, next Status) error {
	if !slices.Contains(Statuses(), next) {
		return errs.Refuse(CodeUnknownStatus, "status", string(next))
	}
	if !slices.Contains(follows[cur], next) {
		return errs.Refuse(CodeStatusOutOfOrder, "status", string(next))
	}
	return nil
}

// StatusForStep is the status a recorded SOP step reports back, if any:
// the steps that move a linked case.
func StatusForStep(s SOP, code string) (Status, bool) {
	switch {
	case s == SOPFirstAssistance || s == SOPLongTerm:
		return StatusAssistance, true
	case s == SOPReturn && code == "travel_documents":
		return StatusReturnPlan, true
	case s == SOPReturn && code == "reception_at_origin":
		return StatusReturned, true
	case s == SOPReturn && code == "followup_3m":
		return StatusFollowup3, true
	case s == SOPReturn && code == "followup_6m":
		return StatusFollowup6, true
	case s == SOPReturn && code == "followup_12m":
		return StatusFollowup12, true
	}
	return "", false
}

// DeclineReasons are the coded reasons a receiver may decline with.
var DeclineReasons = []string{"not_a_national", "cannot_verify_identity", "no_capacity", "outside_agreement", "duplicate"}

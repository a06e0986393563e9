package cases

import (
	"errors"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/errs"
)

// CheckedForms are the commands whose form has a check-your-answers step
// before the change: the legal decisions on identification.
var CheckedForms = map[string]bool{"rg": true, "cg": true}

// DecisionCheck is a legal decision as it would be recorded, worked out
// before it is confirmed: what the user entered (kept, to show and to send
// again unchanged), every field refused at once, and otherwise the state
// the decision leads to and its legal effect. Nothing is written.
type DecisionCheck struct {
	// Stage is the command: "rg" or "cg".
	Stage string
	Input DecisionInput
	// Errors are the refused fields and their translation keys, all of
	// them; Refusal is the rule's refusal of values that are each fine (a
	// consultation missing, a decision out of order, a stale version).
	Errors  map[string]string
	Refusal error
	// To is the state the decision leads to, Status the person's
	// trafficking status then, PeriodEnd the end of the recovery period
	// it opens or keeps (zero when none) and UntilConclusive whether the
	// period runs on until the conclusive decision.
	To              casework.State
	Status          string
	PeriodEnd       time.Time
	UntilConclusive bool
}

// OK reports whether the decision may be confirmed as it stands.
func (c *DecisionCheck) OK() bool { return c != nil && len(c.Errors) == 0 && c.Refusal == nil }

// checkDecision works out what decision stage would record from in on the
// dossier as the user sees it, applying the same rule as DecideRG or
// DecideCG to a copy of the record at now.
func checkDecision(p access.Principal, d *Dossier, stage string, in Input, now time.Time) *DecisionCheck {
	var di DecisionInput
	decodeInto(in, &di)
	c := &DecisionCheck{Stage: stage, Input: di, Errors: map[string]string{}}
	field := func(err error) {
		var e *errs.Error
		if errors.As(err, &e) && e.Field != "" {
			c.Errors[e.Field] = e.Key
		}
	}
	v, err := versionOf(di.Version, "version")
	field(err)
	allowed := []string{casework.RGPositive, casework.RGNegative}
	if stage == "cg" {
		allowed = OutcomeCodes(d.Country)
	}
	outcome, err := codeOf(di.Outcome, "outcome", allowed)
	field(err)
	_, err = textOf(di.Reason, "reason", false)
	field(err)
	if len(c.Errors) > 0 {
		return c
	}
	if d.Case.ClosedAt != 0 {
		c.Refusal = &casework.Error{Code: casework.CodeOutOfOrder, State: d.Record.State, Detail: "case closed"}
		return c
	}
	if v != d.Case.Version {
		c.Refusal = conflict
		return c
	}
	dec := casework.Decision{ExpectedVersion: v, By: p.UserID, Outcome: outcome}
	var rec casework.Record
	if stage == "cg" {
		rec, _, err = casework.DecideConclusive(d.Record, dec, now, d.Country)
	} else {
		rec, _, err = casework.DecideReasonableGrounds(d.Record, dec, now, d.Country)
	}
	if err != nil {
		if casework.CodeOf(err) == casework.CodeStaleVersion {
			err = conflict
		}
		c.Refusal = err
		return c
	}
	c.To, c.Status = rec.State, rec.TraffickingStatus
	c.PeriodEnd, c.UntilConclusive = casework.PeriodEnd(rec)
	return c
}

package cases

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/store"
)

// DecisionInput is the input of a reasonable-grounds or conclusive
// decision and of the review of a negative one.
type DecisionInput struct {
	Version string `field:"version"`
	Outcome string `field:"outcome"`
	Reason  string `field:"reason"`
}

// ConsultationInput is the input of a consultation.
type ConsultationInput struct {
	Version string `field:"version"`
	Party   string `field:"party"`
	Reason  string `field:"reason"`
}

// ReconsiderInput is the input of a request for reconsideration.
type ReconsiderInput struct {
	Version string `field:"version"`
	Reason  string `field:"reason"`
}

// ExtendInput is the input of an extension of the recovery period.
type ExtendInput struct {
	Version string `field:"version"`
	NewEnd  string `field:"new_end"`
	Reason  string `field:"reason"`
}

// decide applies one decision rule to the record the user saw (at
// version) and writes the new record, its events, the reasons and the
// alerts.
func (s *Service) decide(ctx context.Context, p access.Principal, d *Dossier, version, reasonText, op string,
	apply func(rec casework.Record, v int64) (casework.Record, []casework.Event, error)) error {
	v, err := versionOf(version, "version")
	if err != nil {
		return err
	}
	reason, err := textOf(reasonText, "reason", false)
	if err != nil {
		return err
	}
	if d.Case.ClosedAt != 0 {
		return &casework.Error{Code: casework.CodeOutOfOrder, State: d.Record.State, Detail: "case closed"}
	}
	if v != d.Case.Version {
		return conflict
	}
	rec, events, err := apply(d.Record, v)
	if err != nil {
		if casework.CodeOf(err) == casework.CodeStaleVersion {
			return conflict
		}
		return err
	}
	return s.write(ctx, p, func(c *change) error {
		dec, key, err := EncodeRecord(rec, d.Case.Urgent, c.tx.Now)
		if err != nil {
			return err
		}
		u := d.Case.Update()
		u.Decision, u.QueueKey, u.TraffickingStatus = dec, key, rec.TraffickingStatus
		if d.Case.ClosedAt != 0 {
			u.QueueKey = ""
		}
		if err := c.tx.UpdateCase(ctx, u); err != nil {
			return asConflict(err)
		}
		for _, e := range events {
			details := map[string]string{"from": string(e.From), "to": string(e.To), "version": strconv.FormatInt(e.Version, 10), "status": e.Status}
			if e.Outcome != "" {
				details["outcome"] = e.Outcome
			}
			if e.Party != "" {
				details["party"] = e.Party
			}
			if !e.PeriodEnd.IsZero() {
				details["period_end"] = strconv.FormatInt(store.Millis(e.PeriodEnd), 10)
			}
			if err := c.audit("case."+e.Code, "case", d.Case.ID, details); err != nil {
				return err
			}
		}
		if err := s.note(c, d.Case.ID, NoteDecisionReason, d.Case.ID+":"+strconv.FormatInt(rec.Version, 10)+":"+op, reason); err != nil {
			return err
		}
		// The owning agency hears of every decision on its case.
		if d.Case.AgencyID != "" {
			return s.alert(c, d.Case.AgencyID, "decision_"+op, d.Case.ID)
		}
		return nil
	})
}

// DecideRG records a reasonable-grounds decision.
func (s *Service) DecideRG(ctx context.Context, p access.Principal, d *Dossier, in DecisionInput) error {
	outcome, err := codeOf(in.Outcome, "outcome", []string{casework.RGPositive, casework.RGNegative})
	if err != nil {
		return err
	}
	now := s.Now()
	return s.decide(ctx, p, d, in.Version, in.Reason, "rg", func(rec casework.Record, v int64) (casework.Record, []casework.Event, error) {
		return casework.DecideReasonableGrounds(rec, casework.Decision{ExpectedVersion: v, By: p.UserID, Outcome: outcome}, now, d.Country)
	})
}

// DecideCG records a conclusive-grounds decision.
func (s *Service) DecideCG(ctx context.Context, p access.Principal, d *Dossier, in DecisionInput) error {
	outcome, err := codeOf(in.Outcome, "outcome", OutcomeCodes(d.Country))
	if err != nil {
		return err
	}
	now := s.Now()
	return s.decide(ctx, p, d, in.Version, in.Reason, "cg", func(rec casework.Record, v int64) (casework.Record, []casework.Event, error) {
		return casework.DecideConclusive(rec, casework.Decision{ExpectedVersion: v, By: p.UserID, Outcome: outcome}, now, d.Country)
	})
}

// OutcomeCodes lists the conclusive outcomes of a country.
func OutcomeCodes(cfg casework.Country) []string {
	out := make([]string, len(cfg.ConclusiveOutcomes))
	for i, o := range cfg.ConclusiveOutcomes {
		out[i] = o.Code
	}
	return out
}

// Consult records that a party was consulted before a negative conclusive
// decision.
func (s *Service) Consult(ctx context.Context, p access.Principal, d *Dossier, in ConsultationInput) error {
	party, err := codeOf(in.Party, "party", d.Country.RequiredConsultations(true))
	if err != nil {
		return err
	}
	now := s.Now()
	return s.decide(ctx, p, d, in.Version, in.Reason, "consultation", func(rec casework.Record, v int64) (casework.Record, []casework.Event, error) {
		return casework.RecordConsultation(rec, casework.Consultation{ExpectedVersion: v, By: p.UserID, Party: party}, now, d.Country)
	})
}

// Review records a second person's review of a negative decision
// (conclusive, or reasonable-grounds where the country's settings ask for
// one).
func (s *Service) Review(ctx context.Context, p access.Principal, d *Dossier, in DecisionInput) error {
	outcome, err := codeOf(in.Outcome, "outcome", []string{casework.ReviewUpheld, casework.ReviewReturned})
	if err != nil {
		return err
	}
	now := s.Now()
	return s.decide(ctx, p, d, in.Version, in.Reason, "review", func(rec casework.Record, v int64) (casework.Record, []casework.Event, error) {
		return casework.ReviewNegative(rec, casework.Review{ExpectedVersion: v, By: p.UserID, Outcome: outcome}, now, d.Country)
	})
}

// Reconsider records a request to reconsider a negative decision.
func (s *Service) Reconsider(ctx context.Context, p access.Principal, d *Dossier, in ReconsiderInput) error {
	now := s.Now()
	return s.decide(ctx, p, d, in.Version, in.Reason, "reconsideration", func(rec casework.Record, v int64) (casework.Record, []casework.Event, error) {
		return casework.RequestReconsideration(rec, casework.Reconsideration{ExpectedVersion: v, By: p.UserID}, now, d.Country)
	})
}

// Extend moves the end of the recovery period later: to the end of the
// day given, in the country's calendar.
func (s *Service) Extend(ctx context.Context, p access.Principal, d *Dossier, in ExtendInput) error {
	day, err := dateOf(in.NewEnd, "new_end", d.Country.Calendar.Location(), true)
	if err != nil {
		return err
	}
	end := d.Country.Calendar.EndOfDay(day)
	now := s.Now()
	return s.decide(ctx, p, d, in.Version, in.Reason, "extension", func(rec casework.Record, v int64) (casework.Record, []casework.Event, error) {
		return casework.ExtendPeriod(rec, casework.Extension{ExpectedVersion: v, By: p.UserID, NewEnd: end}, now)
	})
}

// NoteDecisionReason is the kind of the sealed note that holds the reasons
// a decider gave.
const NoteDecisionReason = "decision_reason"

// DecisionOps are the decisions whose reasons are kept (Reason.Op).
func DecisionOps() []string {
	return []string{"rg", "cg", "consultation", "review", "reconsideration", "extension"}
}

// Reason is the reasons given for one decision, opened.
type Reason struct {
	// Op is the decision: rg, cg, consultation, review, reconsideration,
	// extension.
	Op string `json:"op"`
	// Version is the decision record's version the decision made.
	Version int64     `json:"version"`
	Text    string    `json:"text"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// Reasons opens the reasons given for the decisions on a case, oldest
// first. Call it only for a reader access.ViewReasons allows.
func (s *Service) Reasons(d *Dossier) ([]Reason, error) {
	out := []Reason{}
	for _, n := range d.Notes {
		if n.Kind != NoteDecisionReason {
			continue
		}
		// The note is about "<case>:<version>:<op>".
		parts := strings.Split(n.ObjectID, ":")
		if len(parts) != 3 || parts[0] != d.Case.ID {
			continue
		}
		v, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			continue
		}
		t, err := s.OpenNote(n)
		if err != nil {
			return nil, err
		}
		out = append(out, Reason{Op: parts[2], Version: v, Text: t, By: n.CreatedBy, At: store.FromMillis(n.CreatedAt)})
	}
	return out, nil
}

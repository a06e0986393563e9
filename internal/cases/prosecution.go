package cases

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/prosecution"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
)

// Investigations decodes a dossier's investigation records.
func Investigations(d *Dossier) ([]prosecution.Investigation, error) {
	out := make([]prosecution.Investigation, 0, len(d.Investigations))
	for _, x := range d.Investigations {
		var inv prosecution.Investigation
		if err := json.Unmarshal([]byte(x.Record), &inv); err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, nil
}

// investigationRef names the investigation a change applies to and the
// version of it the user saw.
type investigationRef struct {
	Investigation        string `field:"investigation"`
	InvestigationVersion string `field:"investigation_version"`
}

// InvestigationInput is the input of opening an investigation.
type InvestigationInput struct {
	OpenedOn string `field:"opened_on"`
}

// SuspectInput is the input of adding a suspect.
type SuspectInput struct {
	investigationRef
	ChainRole   string `field:"chain_role"`
	Nature      string `field:"nature"`
	Gender      string `field:"gender"`
	Citizenship string `field:"citizenship"`
	Organised   string `field:"organised"`
}

// ChargeInput is the input of bringing a charge.
type ChargeInput struct {
	investigationRef
	Suspect   string `field:"suspect"`
	Provision string `field:"provision"`
	Offence   string `field:"offence"`
	Note      string `field:"note"`
}

// ProceedingInput is the input of recording a stage of proceedings.
type ProceedingInput struct {
	investigationRef
	Charge  string `field:"charge"`
	Stage   string `field:"stage"`
	Outcome string `field:"outcome"`
	Date    string `field:"date"`
}

// SentenceInput is the input of recording a sentence.
type SentenceInput struct {
	investigationRef
	Charge          string `field:"charge"`
	CustodialMonths string `field:"custodial_months"`
	Life            string `field:"life"`
	Suspended       string `field:"suspended"`
	FineAmount      string `field:"fine_amount"`
	Currency        string `field:"currency"`
	Date            string `field:"date"`
}

// CompensationInput is the input of recording compensation.
type CompensationInput struct {
	investigationRef
	Compensation      string `field:"compensation"`
	Charge            string `field:"charge"`
	OrderedAmount     string `field:"ordered_amount"`
	PaidAmount        string `field:"paid_amount"`
	Currency          string `field:"currency"`
	CompensationState string `field:"compensation_state"`
	Date              string `field:"date"`
}

// ParticipationInput is the input of recording the person's participation in proceedings.
type ParticipationInput struct {
	investigationRef
	Willing  string   `field:"willing"`
	Language string   `field:"language"`
	Measures []string `field:"measures"`
	Date     string   `field:"date"`
}

// NonPunishmentInput is the input of raising the non-punishment principle.
type NonPunishmentInput struct {
	investigationRef
	Raised          string `field:"raised"`
	OffenceCategory string `field:"offence_category"`
	Linked          string `field:"linked"`
}

// InvestigationReferInput is the input of referring an investigation's
// file to the prosecution service.
type InvestigationReferInput struct {
	investigationRef
}

// InvestigationCloseInput is the input of closing an investigation.
type InvestigationCloseInput struct {
	investigationRef
	InvestigationStatus string `field:"investigation_status"`
}

// OpenInvestigation opens an investigation of the case by the user's
// agency.
func (s *Service) OpenInvestigation(ctx context.Context, p access.Principal, d *Dossier, in InvestigationInput) error {
	opened, err := s.dayOrNow(in.OpenedOn, "opened_on", d)
	if err != nil {
		return err
	}
	inv, err := prosecution.Open(store.NewID(), d.Case.ID, p.AgencyID, opened, p.UserID, s.Now())
	if err != nil {
		return err
	}
	return s.write(ctx, p, func(c *change) error {
		if err := c.tx.SaveInvestigation(ctx, store.Investigation{ID: inv.ID, CaseID: d.Case.ID, AgencyID: p.AgencyID, Record: mustJSON(inv)}); err != nil {
			return err
		}
		return c.audit("case.investigation_open", "case", d.Case.ID, map[string]string{"investigation": inv.ID})
	})
}

// investigationChange applies one rule of package prosecution to the
// investigation the user saw.
func (s *Service) investigationChange(ctx context.Context, p access.Principal, d *Dossier, in investigationRef, op string,
	apply func(inv prosecution.Investigation, v int64, now time.Time) (prosecution.Investigation, error)) error {
	return s.investigationChangeWith(ctx, p, d, in, op, apply, nil)
}

// investigationChangeWith is investigationChange with more to write in the
// same transaction (a sealed note).
func (s *Service) investigationChangeWith(ctx context.Context, p access.Principal, d *Dossier, in investigationRef, op string,
	apply func(inv prosecution.Investigation, v int64, now time.Time) (prosecution.Investigation, error), also func(c *change) error) error {
	row, err := rowOf(d.Investigations, "investigation", in.Investigation, func(x store.Investigation) string { return x.ID })
	if err != nil {
		return err
	}
	if err := seenAt(in.InvestigationVersion, "investigation_version", row.Version); err != nil {
		return err
	}
	var inv prosecution.Investigation
	if err := json.Unmarshal([]byte(row.Record), &inv); err != nil {
		return err
	}
	next, err := apply(inv, inv.Version, s.Now())
	if err != nil {
		if prosecution.CodeOf(err) == prosecution.CodeStaleVersion {
			return conflict
		}
		return err
	}
	return s.write(ctx, p, func(c *change) error {
		row.Record = mustJSON(next)
		if err := c.tx.SaveInvestigation(ctx, row); err != nil {
			return asConflict(err)
		}
		if also != nil {
			if err := also(c); err != nil {
				return err
			}
		}
		return c.audit("case.investigation_"+op, "case", d.Case.ID, map[string]string{"investigation": row.ID,
			"version": strconv.FormatInt(next.Version, 10)})
	})
}

// AddSuspect records a suspect by coded role, never by name.
func (s *Service) AddSuspect(ctx context.Context, p access.Principal, d *Dossier, in SuspectInput) error {
	sus := prosecution.Suspect{ID: store.NewID(), ChainRole: prosecution.ChainRole(in.ChainRole), Gender: in.Gender,
		Citizenship: strings.ToUpper(in.Citizenship), Organised: in.Organised == "true", Nature: prosecution.Nature(in.Nature)}
	// A company has no gender; a person whose gender is not known is
	// recorded as such (HTCDS NonSpecifiedUnknown) rather than refused.
	switch {
	case sus.Nature == prosecution.Nature("legal_person"):
		sus.Gender = ""
	case sus.Gender == "":
		sus.Gender = "NonSpecifiedUnknown"
	}
	return s.investigationChange(ctx, p, d, in.investigationRef, "suspect", func(inv prosecution.Investigation, v int64, now time.Time) (prosecution.Investigation, error) {
		return prosecution.AddSuspect(inv, v, sus, p.UserID, now)
	})
}

// ChargeNoteKind is the kind of the sealed note that holds what the officer
// wrote about a charge (its object is the charge).
const ChargeNoteKind = "charge_note"

// AddCharge records a charge against a suspect: the provision used, as a
// code of the case's country's list (which gives the offence category), or
// the offence category alone, and an optional note sealed like every free
// text about a case.
func (s *Service) AddCharge(ctx context.Context, p access.Principal, d *Dossier, in ChargeInput) error {
	note, err := textOf(in.Note, "note", false)
	if err != nil {
		return err
	}
	ch, err := prosecution.ChargeUnder(prosecution.Charge{ID: store.NewID(), SuspectID: in.Suspect,
		Offence: prosecution.OffenceCategory(in.Offence), Provision: in.Provision}, prosecution.Provisions(d.Jurisdiction.Country))
	if err != nil {
		return err
	}
	return s.investigationChangeWith(ctx, p, d, in.investigationRef, "charge", func(inv prosecution.Investigation, v int64, now time.Time) (prosecution.Investigation, error) {
		return prosecution.AddCharge(inv, v, ch, p.UserID, now)
	}, func(c *change) error {
		return s.note(c, d.Case.ID, ChargeNoteKind, ch.ID, note)
	})
}

// RecordProceeding records a stage of the proceedings on a charge.
func (s *Service) RecordProceeding(ctx context.Context, p access.Principal, d *Dossier, in ProceedingInput) error {
	at, err := s.dayOrNow(in.Date, "date", d)
	if err != nil {
		return err
	}
	pr := prosecution.Proceeding{ID: store.NewID(), ChargeID: in.Charge, Stage: prosecution.Stage(in.Stage),
		Outcome: prosecution.Outcome(in.Outcome), At: at}
	return s.investigationChange(ctx, p, d, in.investigationRef, "proceeding", func(inv prosecution.Investigation, v int64, now time.Time) (prosecution.Investigation, error) {
		return prosecution.RecordProceeding(inv, v, pr, p.UserID, now)
	})
}

// RecordSentence records the sentence on a convicted charge.
func (s *Service) RecordSentence(ctx context.Context, p access.Principal, d *Dossier, in SentenceInput) error {
	at, err := s.dayOrNow(in.Date, "date", d)
	if err != nil {
		return err
	}
	months, err := wholeOf(in.CustodialMonths, "custodial_months")
	if err != nil {
		return err
	}
	fine, err := wholeOf(in.FineAmount, "fine_amount")
	if err != nil {
		return err
	}
	se := prosecution.Sentence{ID: store.NewID(), ChargeID: in.Charge, CustodialMonths: int(months), Life: in.Life == "true",
		Suspended: in.Suspended == "true", Fine: prosecution.Money{Amount: fine, Currency: strings.ToUpper(in.Currency)}, At: at}
	return s.investigationChange(ctx, p, d, in.investigationRef, "sentence", func(inv prosecution.Investigation, v int64, now time.Time) (prosecution.Investigation, error) {
		return prosecution.RecordSentence(inv, v, se, p.UserID, now)
	})
}

// RecordCompensation records compensation a court ordered, and what was
// paid.
func (s *Service) RecordCompensation(ctx context.Context, p access.Principal, d *Dossier, in CompensationInput) error {
	ordered, err := wholeOf(in.OrderedAmount, "ordered_amount")
	if err != nil {
		return err
	}
	paid, err := wholeOf(in.PaidAmount, "paid_amount")
	if err != nil {
		return err
	}
	at, err := s.dayOrNow(in.Date, "date", d)
	if err != nil {
		return err
	}
	comp := prosecution.Compensation{ID: orDefault(in.Compensation, store.NewID()), ChargeID: in.Charge,
		Ordered: prosecution.Money{Amount: ordered, Currency: strings.ToUpper(in.Currency)}, Paid: paid,
		State: prosecution.CompensationState(in.CompensationState), At: at}
	return s.investigationChange(ctx, p, d, in.investigationRef, "compensation", func(inv prosecution.Investigation, v int64, now time.Time) (prosecution.Investigation, error) {
		return prosecution.RecordCompensation(inv, v, comp, p.UserID, now)
	})
}

// RecordParticipation records whether the person is willing to take part
// in the proceedings, and the protection measures. "Yes" needs the
// person's consent to take part, as the consent ledger stands now.
func (s *Service) RecordParticipation(ctx context.Context, p access.Principal, d *Dossier, in ParticipationInput) error {
	at, err := s.dayOrNow(in.Date, "date", d)
	if err != nil {
		return err
	}
	var measures []prosecution.ProtectionMeasure
	for _, m := range in.Measures {
		if m != "" {
			measures = append(measures, prosecution.ProtectionMeasure(m))
		}
	}
	pa := prosecution.Participation{Willing: prosecution.Willingness(in.Willing), At: at, Language: in.Language,
		ProtectionMeasures: measures}
	consent := support.Allows(d.Ledger, support.PurposeProceedings, "", "", s.Now())
	return s.investigationChange(ctx, p, d, in.investigationRef, "participation", func(inv prosecution.Investigation, v int64, now time.Time) (prosecution.Investigation, error) {
		return prosecution.RecordParticipation(inv, v, pa, consent, p.UserID, now)
	})
}

// RaiseNonPunishment records that the person is suspected of an offence
// that may be linked to their exploitation.
func (s *Service) RaiseNonPunishment(ctx context.Context, p access.Principal, d *Dossier, in NonPunishmentInput) error {
	f := prosecution.NonPunishmentFlag{Raised: in.Raised != "false", OffenceCategory: prosecution.NonPunishmentOffence(in.OffenceCategory),
		Linked: in.Linked == "true"}
	return s.investigationChange(ctx, p, d, in.investigationRef, "non_punishment", func(inv prosecution.Investigation, v int64, now time.Time) (prosecution.Investigation, error) {
		f.At = now
		return prosecution.RaiseNonPunishment(inv, v, f, p.UserID, now)
	})
}

// ReferInvestigation records that the police sent the file of an open
// investigation to the prosecution service (bringing a charge refers it
// too).
func (s *Service) ReferInvestigation(ctx context.Context, p access.Principal, d *Dossier, in InvestigationReferInput) error {
	return s.investigationChange(ctx, p, d, in.investigationRef, "refer", func(inv prosecution.Investigation, v int64, now time.Time) (prosecution.Investigation, error) {
		return prosecution.ReferToProsecution(inv, v, p.UserID, now)
	})
}

// CloseInvestigation closes an investigation with its outcome.
func (s *Service) CloseInvestigation(ctx context.Context, p access.Principal, d *Dossier, in InvestigationCloseInput) error {
	st := prosecution.InvestigationStatus(in.InvestigationStatus)
	return s.investigationChange(ctx, p, d, in.investigationRef, "close", func(inv prosecution.Investigation, v int64, now time.Time) (prosecution.Investigation, error) {
		return prosecution.Close(inv, v, st, p.UserID, now)
	})
}

// wholeOf reads a whole number field; empty is 0. The rule package
// judges the value (negative amounts, a sentence of no months).
func wholeOf(v, field string) (int64, error) {
	n, err := strconv.ParseInt(orDefault(v, "0"), 10, 64)
	if err != nil {
		return 0, badField(field)
	}
	return n, nil
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return strings.TrimSpace(s)
}

// Package referral carries out a first responder's referral: it checks it
// with the intake rules, seals the identifying data, and stores the person,
// the case, the referral, the notifications and their audit events in one
// transaction. It is the one write path for referrals, shared by the web
// form and the JSON API.
package referral

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/people"
	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
)

// Service holds what a referral needs.
type Service struct {
	DB     *store.DB
	Keys   *seal.Keyring
	Engine *screening.Engine
	Now    func() time.Time
	// Countries are the decision rules; nil means the embedded ones.
	Countries *casework.Countries
}

// By is who refers: a signed-in user of an agency in a jurisdiction.
type By struct {
	UserID, AgencyID, JurisdictionID string
}

// Outcome is what a referral produced.
type Outcome struct {
	Referral store.Referral
	Plan     intake.Plan
	// Replayed is true when the idempotency key matched an earlier
	// referral, which is returned instead of creating a second one.
	Replayed bool
}

// Agency kinds that receive referrals and child notifications.
const (
	CompetentAuthorityKind = "competent_authority"
	ChildProtectionKind    = cases.ChildProtectionKind
)

// MaxIdempotencyKey bounds the client-chosen key.
const MaxIdempotencyKey = 64

// Jurisdiction returns the country code whose legal profile applies to a
// referrer.
func (s *Service) Jurisdiction(ctx context.Context, by By) (store.Jurisdiction, error) {
	return s.DB.Jurisdiction(ctx, by.JurisdictionID)
}

// Screen screens the coded part of a referral without storing anything.
// Consent is not yet asked for at this point, so it is not checked.
func (s *Service) Screen(ctx context.Context, by By, r intake.Referral) (intake.Plan, error) {
	j, err := s.Jurisdiction(ctx, by)
	if err != nil {
		return intake.Plan{}, err
	}
	r.Consent, r.ConsentLanguage = intake.ConsentGiven, "en"
	return intake.Check(r, s.Engine, s.legalProfile(j), s.Now())
}

// legalProfile is the national legal profile for a jurisdiction's
// country, or the Protocol itself where the country has none loaded.
func (s *Service) legalProfile(j store.Jurisdiction) string {
	for _, c := range s.Engine.JurisdictionCodes() {
		if strings.EqualFold(c, j.Country) {
			return c
		}
	}
	return ""
}

// country returns the decision rules of a jurisdiction's country.
func (s *Service) country(code string) (casework.Country, error) {
	cs := s.Countries
	if cs == nil {
		var err error
		if cs, err = casework.DefaultCountries(); err != nil {
			return casework.Country{}, err
		}
		s.Countries = cs
	}
	if c, ok := cs.Lookup(strings.ToUpper(code)); ok {
		return c, nil
	}
	return cs.Default(), nil
}

// letterLanguage is the language decision letters are written in: the
// person's first language, else the one consent was asked in.
func letterLanguage(r intake.Referral) string {
	if len(r.Languages) > 0 {
		return r.Languages[0]
	}
	return r.ConsentLanguage
}

// exploitationCountry is the country of exploitation statistics count:
// the referral's exploitation event's country, else the country where the
// person was found (the jurisdiction's), as migration 0056 fills it.
func exploitationCountry(r intake.Referral, home string) string {
	for _, e := range r.Events {
		if e.Type == "Exploitation" && e.Country != "" {
			return strings.ToUpper(e.Country)
		}
	}
	return home
}

// facts is what a referral keeps in clear: coded facts only.
type facts struct {
	Age               *int                     `json:"age,omitempty"`
	MayBeChild        bool                     `json:"may_be_child,omitempty"`
	Gender            string                   `json:"gender,omitempty"`
	Citizenship       string                   `json:"citizenship,omitempty"`
	Languages         []string                 `json:"languages,omitempty"`
	Exploitation      string                   `json:"exploitation,omitempty"`
	Acts              []string                 `json:"acts,omitempty"`
	Means             []string                 `json:"means,omitempty"`
	Purposes          []string                 `json:"purposes,omitempty"`
	Unknown           []string                 `json:"unknown,omitempty"`
	Indicators        []string                 `json:"indicators,omitempty"`
	Smuggling         screening.SmugglingFacts `json:"smuggling"`
	MethodsOfControl  []string                 `json:"methods_of_control,omitempty"`
	ExploitationTypes []string                 `json:"exploitation_types,omitempty"`
	Industry          string                   `json:"industry,omitempty"`
	RecruiterRelation string                   `json:"recruiter_relation,omitempty"`
	Events            []intake.Event           `json:"events,omitempty"`
	AgeBand           string                   `json:"age_band"`
	Screening         screening.Result         `json:"screening"`
}

// Submit checks and stores a referral. Invalid input returns intake.Errors
// (wrapped as errs.Invalid) and stores nothing.
func (s *Service) Submit(ctx context.Context, by By, r intake.Referral, idemKey string) (Outcome, error) {
	if len(idemKey) > MaxIdempotencyKey || (idemKey != "" && !audit.IsToken(idemKey)) {
		return Outcome{}, errs.Field("idempotency_key", "intake.error.idempotency_key", errors.New("bad idempotency key"))
	}
	j, err := s.Jurisdiction(ctx, by)
	if err != nil {
		return Outcome{}, err
	}
	plan, err := intake.Check(r, s.Engine, s.legalProfile(j), s.Now())
	if err != nil {
		return Outcome{}, &errs.Error{Kind: errs.Invalid, Err: err}
	}
	authority, err := s.DB.AgencyOfKind(ctx, j.ID, CompetentAuthorityKind)
	if err != nil {
		return Outcome{}, errs.E(errs.Unavailable, "jurisdiction %s has no competent authority", j.ID)
	}
	var childProtection store.Agency
	if plan.NotifyChildProtection {
		if childProtection, err = s.DB.AgencyOfKind(ctx, j.ID, ChildProtectionKind); err != nil {
			return Outcome{}, errs.E(errs.Unavailable, "jurisdiction %s has no child-protection authority", j.ID)
		}
	}

	refID := store.NewID()
	ref := store.Referral{ID: refID, Reference: "R-" + strings.ToUpper(refID[:10]), Kind: plan.Kind,
		JurisdictionID: j.ID, ReceivingAgencyID: authority.ID, ReferringAgencyID: by.AgencyID, ReferringUserID: by.UserID,
		Sector: r.Sector, Consent: plan.Consent, ConsentLanguage: r.ConsentLanguage, Child: plan.Child, Urgent: plan.Urgent,
		Needs: r.Needs, Classification: plan.Screening.Classification, ProtocolVerdict: plan.Screening.Protocol.Verdict,
		IndicatorsVerdict: plan.Screening.Indicators.Verdict, Status: "received", IdempotencyKey: idemKey}
	f := facts{Age: r.Age, MayBeChild: r.MayBeChild, Gender: r.Gender, Citizenship: r.Citizenship, Languages: r.Languages,
		Exploitation: r.Exploitation, Acts: r.Acts, Means: r.Means, Purposes: r.Purposes, Unknown: r.Unknown, Indicators: r.Indicators,
		Smuggling: r.Smuggling, MethodsOfControl: r.MethodsOfControl, ExploitationTypes: r.ExploitationTypes, Industry: r.Industry,
		RecruiterRelation: r.RecruiterRelation, Events: r.Events, AgeBand: plan.AgeBand, Screening: plan.Screening}
	// The age derived from a birth date is kept in clear; the date itself
	// is identifying and is sealed.
	f.Age = plan.Age
	fj, err := json.Marshal(f)
	if err != nil {
		return Outcome{}, err
	}
	ref.Facts = string(fj)

	// Seal outside the transaction: it is CPU work only.
	var person store.SealedPerson
	var kase store.Case
	if plan.StoreIdentity {
		pid := store.NewID()
		fields, wk, tokens, err := people.Seal(s.Keys, pid, r.Identity)
		if err != nil {
			return Outcome{}, err
		}
		person = store.SealedPerson{ID: pid, WrappedKey: wk, Fields: fields, Tokens: tokens, Gender: orUnknown(r.Gender),
			AgeBand: plan.AgeBand, Citizenship: r.Citizenship, Languages: r.Languages, Child: plan.Child}
		cid := store.NewID()
		kase = store.Case{ID: cid, Reference: j.Country + "-" + strings.ToUpper(cid[:8]), JurisdictionID: j.ID, AgencyID: authority.ID,
			Status: "Active", TraffickingStatus: "PossibleVictimOfTrafficking", Gender: orUnknown(r.Gender), AgeBand: plan.AgeBand,
			Citizenship: r.Citizenship, Exploitation: r.PrimaryExploitation(), Urgent: plan.Urgent, Version: 1, PersonID: pid,
			Child: plan.Child, LetterLanguage: letterLanguage(r), ExploitationCountry: exploitationCountry(r, j.Country)}
		ref.CaseID = cid
	}

	var out Outcome
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if idemKey != "" {
			prev, found, err := tx.ReferralByIdempotencyKey(ctx, by.UserID, idemKey)
			if err != nil {
				return err
			}
			if found {
				out = Outcome{Referral: prev, Replayed: true}
				return nil
			}
		}
		now := store.Millis(tx.Now)
		ev := func(action, objType, objID string, details map[string]string) error {
			return tx.Audit(ctx, audit.Event{Actor: by.UserID, Action: action, ObjectType: objType, ObjectID: objID, Agency: by.AgencyID, Details: details})
		}
		if plan.StoreIdentity {
			person.CreatedAt = now
			if err := tx.InsertPerson(ctx, person); err != nil {
				return err
			}
			if err := ev("person.create", "person", person.ID, nil); err != nil {
				return err
			}
			kase.CreatedAt, kase.UpdatedAt = now, now
			// The competent authority's decision record opens with the
			// case, and with it the reasonable-grounds deadline.
			cfg, err := s.localRules(ctx, tx, j)
			if err != nil {
				return err
			}
			if kase.Decision, kase.QueueKey, err = cases.OpenRecord(cfg, kase.ID, tx.Now, plan.Child, plan.Urgent); err != nil {
				return err
			}
			if err := tx.InsertCase(ctx, kase); err != nil {
				return err
			}
			if err := ev("case.create", "case", kase.ID, map[string]string{"referral": refID, "receiving_agency": authority.ID}); err != nil {
				return err
			}
			// A child gets a guardian as soon as identified: the task
			// stands until the appointment is recorded (casework,
			// guardian.go).
			if plan.RequestGuardian {
				owner, err := cases.GuardianTaskOwner(ctx, tx, childProtection.ID, authority.ID)
				if err != nil {
					return err
				}
				if owner != "" {
					t := store.Task{ID: store.NewID(), CaseID: kase.ID, OwnerUserID: owner, Kind: cases.TaskGuardian,
						DueAt: store.Millis(casework.GuardianDue(tx.Now, cfg)), CreatedBy: by.UserID, CreatedAt: now}
					if err := tx.InsertTask(ctx, t); err != nil {
						return err
					}
					if err := ev("task.create", "case", kase.ID, map[string]string{"task": t.ID, "kind": t.Kind, "owner": owner}); err != nil {
						return err
					}
				}
			}
		}
		ref.CreatedAt = now
		if err := tx.InsertReferral(ctx, ref); err != nil {
			return err
		}
		if err := ev("referral.create", "referral", refID, map[string]string{"kind": plan.Kind, "consent": plan.Consent,
			"classification": orUnknown(plan.Screening.Classification)}); err != nil {
			return err
		}
		// The referral is sent: its author's draft ends with it.
		if dropped, err := tx.DeleteReferralDraft(ctx, by.UserID); err != nil {
			return err
		} else if dropped {
			if err := ev("referral.draft.discard", "referral_draft", by.UserID, map[string]string{"referral": refID}); err != nil {
				return err
			}
		}
		notes := []store.Notification{{ID: store.NewID(), AgencyID: authority.ID, Kind: "referral_received", ObjectType: "referral", ObjectID: refID}}
		if plan.Urgent {
			notes[0].Kind = "urgent_referral_received"
		}
		if plan.NotifyChildProtection {
			// The child-protection office's notices point at the child's
			// case, which that office may open (access: ChildProtection);
			// the referral itself stays the authority's.
			objType, objID := "referral", refID
			if ref.CaseID != "" {
				objType, objID = "case", ref.CaseID
			}
			notes = append(notes,
				store.Notification{ID: store.NewID(), AgencyID: childProtection.ID, Kind: "child_referral", ObjectType: objType, ObjectID: objID},
				store.Notification{ID: store.NewID(), AgencyID: childProtection.ID, Kind: "guardian_requested", ObjectType: objType, ObjectID: objID})
		}
		for _, n := range notes {
			n.CreatedAt = now
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
			// The authority, and the child-protection office about the
			// child's case, also hear by e-mail: a code and a link only.
			if n.AgencyID == authority.ID || n.ObjectType == "case" {
				if err := tx.QueueAgencyEmails(ctx, n.AgencyID, n.Kind, n.ObjectID); err != nil {
					return err
				}
			}
		}
		out = Outcome{Referral: ref, Plan: plan}
		return nil
	})
	if err != nil {
		return Outcome{}, err
	}
	return out, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "NonSpecifiedUnknown"
	}
	return s
}

package cases

import (
	"context"
	"slices"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/ident"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
)

// supportChange applies a change to the person's support document read at
// the version the user saw, then writes it with fn's other rows.
func (s *Service) supportChange(ctx context.Context, p access.Principal, d *Dossier, supportVersion, action string, details map[string]string,
	edit func(doc *store.SupportDoc) error, more func(c *change) error) error {
	if err := seenAt(supportVersion, "support_version", d.Support.Version); err != nil {
		return err
	}
	doc := d.Support
	if doc.Checklist == "" {
		doc.Checklist, doc.Consent, doc.Overrides, doc.Assessments = "[]", "{}", "[]", "[]"
	}
	if edit != nil {
		if err := edit(&doc); err != nil {
			return err
		}
	}
	return s.write(ctx, p, func(c *change) error {
		if err := c.tx.SaveSupport(ctx, doc); err != nil {
			return asConflict(err)
		}
		if err := c.audit(action, "case", d.Case.ID, details); err != nil {
			return err
		}
		if more != nil {
			return more(c)
		}
		return nil
	})
}

// ItemInput is the input of recording early steps and items of
// information: one or several (item repeated, or a JSON list; a single
// string is one item), all on the same day and in the same language.
type ItemInput struct {
	SupportVersion string   `field:"support_version"`
	Items          []string `field:"item"`
	Language       string   `field:"language"`
	Date           string   `field:"date"`
}

// ConsentInput is the input of recording consent given or withdrawn.
type ConsentInput struct {
	SupportVersion string `field:"support_version"`
	Purpose        string `field:"purpose"`
	Action         string `field:"action"`
	Recipient      string `field:"recipient"`
	Service        string `field:"service"`
	ByGuardian     string `field:"by_guardian"`
	Language       string `field:"language"`
	Date           string `field:"date"`
}

// AssessmentInput is the input of a needs and risk assessment: a rating
// and factors per level, and the needs.
type AssessmentInput struct {
	SupportVersion    string   `field:"support_version"`
	IndividualRating  string   `field:"individual_rating"`
	IndividualFactors []string `field:"individual_factors"`
	HouseholdRating   string   `field:"household_rating"`
	HouseholdFactors  []string `field:"household_factors"`
	CommunityRating   string   `field:"community_rating"`
	CommunityFactors  []string `field:"community_factors"`
	Needs             []string `field:"needs"`
}

// GoalInput is the input of adding an objective to the support plan.
type GoalInput struct {
	SupportVersion string `field:"support_version"`
	PlanType       string `field:"plan_type"`
	Objective      string `field:"objective"`
	TargetDate     string `field:"target_date"`
}

// GoalStatusInput is the input of setting an objective's status.
type GoalStatusInput struct {
	SupportVersion string `field:"support_version"`
	Goal           string `field:"goal"`
	Status         string `field:"status"`
}

// OfferInput is the input of offering a service.
type OfferInput struct {
	SupportVersion        string `field:"support_version"`
	Service               string `field:"service"`
	Agency                string `field:"agency"`
	Location              string `field:"location"`
	OverrideReason        string `field:"override_reason"`
	OverrideJustification string `field:"override_justification"`
}

// ServiceActionInput is the input of acting on an offered service.
type ServiceActionInput struct {
	SupportVersion string `field:"support_version"`
	Referral       string `field:"referral"`
	Action         string `field:"action"`
}

func itemCodes() []string { return codesOf(support.Items()) }

// RecordItem records early steps and items of information given, each
// once, with the day, the user and the language: all of them in one
// transaction, with one audit event per item, or none when any is refused.
func (s *Service) RecordItem(ctx context.Context, p access.Principal, d *Dossier, in ItemInput) error {
	items, err := codesOfList(in.Items, "item", itemCodes())
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return badField("item")
	}
	lang := in.Language
	if !ident.Language(lang) {
		return badField("language")
	}
	at, err := s.dayOrNow(in.Date, "date", d)
	if err != nil {
		return err
	}
	cl, err := support.NewChecklist(s.Now, d.Checklist...)
	if err != nil {
		return err
	}
	for _, item := range items {
		if err := cl.Record(support.Item(item), p.UserID, lang, at); err != nil {
			return err
		}
	}
	return s.supportChange(ctx, p, d, in.SupportVersion, "case.support_item", map[string]string{"item": items[0], "language": lang},
		func(doc *store.SupportDoc) error { doc.Checklist = mustJSON(cl.Entries()); return nil },
		func(c *change) error {
			for _, item := range items[1:] {
				if err := c.audit("case.support_item", "case", d.Case.ID, map[string]string{"item": item, "language": lang}); err != nil {
					return err
				}
			}
			return nil
		})
}

// dayOrNow reads a day in the country's zone: today means now, an earlier
// day its noon (the hour is not asked for).
func (s *Service) dayOrNow(v, field string, d *Dossier) (time.Time, error) {
	loc := d.Country.Calendar.Location()
	day, err := dateOf(v, field, loc, false)
	if err != nil {
		return time.Time{}, err
	}
	now := s.Now()
	if day.IsZero() || day.Format(time.DateOnly) == now.In(loc).Format(time.DateOnly) {
		return now, nil
	}
	return day.Add(12 * time.Hour), nil
}

func purposeCodes() []string { return codesOf(support.Purposes()) }

// ServiceCodes lists the service types.
func ServiceCodes() []string { return codesOf(support.ServiceTypes()) }

// RecordConsent records consent given or withdrawn, as the person (or a
// child's guardian) said it.
func (s *Service) RecordConsent(ctx context.Context, p access.Principal, d *Dossier, in ConsentInput) error {
	purpose, err := codeOf(in.Purpose, "purpose", purposeCodes())
	if err != nil {
		return err
	}
	action, err := codeOf(in.Action, "action", []string{string(support.ConsentGiven), string(support.ConsentWithdrawn)})
	if err != nil {
		return err
	}
	e := support.ConsentEvent{Purpose: support.Purpose(purpose), Action: support.ConsentAction(action), ByGuardian: in.ByGuardian == "true",
		By: p.UserID, Language: in.Language}
	if e.Purpose == support.PurposeShareWithAgency {
		if e.Recipient, err = s.agencyField(ctx, in.Recipient, "recipient"); err != nil {
			return err
		}
		if svc := in.Service; svc != "" {
			if !slices.Contains(ServiceCodes(), svc) {
				return badField("service")
			}
			e.Service = support.ServiceType(svc)
		}
	}
	if e.At, err = s.dayOrNow(in.Date, "date", d); err != nil {
		return err
	}
	l, err := d.Ledger.Record(e, s.Now())
	if err != nil {
		return err
	}
	details := map[string]string{"purpose": purpose, "action": action}
	if e.Recipient != "" {
		details["recipient"] = e.Recipient
	}
	return s.supportChange(ctx, p, d, in.SupportVersion, "case.consent", details, func(doc *store.SupportDoc) error { doc.Consent = mustJSON(l); return nil }, nil)
}

// agencyField reads the id of an agency that exists.
func (s *Service) agencyField(ctx context.Context, v, field string) (string, error) {
	aid, err := idOf(v, field)
	if err != nil {
		return "", err
	}
	if _, err := s.DB.Agency(ctx, aid); err != nil {
		return "", badField(field)
	}
	return aid, nil
}

// Assess records a needs and risk assessment; one that calls for action
// now makes the case urgent in the queue.
func (s *Service) Assess(ctx context.Context, p access.Principal, d *Dossier, in AssessmentInput) error {
	a := support.Assessment{By: p.UserID, At: s.Now()}
	given := map[support.Level]struct {
		rating  string
		factors []string
	}{
		support.LevelIndividual: {in.IndividualRating, in.IndividualFactors},
		support.LevelHousehold:  {in.HouseholdRating, in.HouseholdFactors},
		support.LevelCommunity:  {in.CommunityRating, in.CommunityFactors},
	}
	for _, lv := range support.Levels() {
		rating := given[lv].rating
		if rating == "" {
			continue
		}
		la := support.LevelAssessment{Level: lv, Rating: support.Rating(rating)}
		for _, f := range given[lv].factors {
			if f != "" {
				la.Factors = append(la.Factors, support.Factor(f))
			}
		}
		a.Levels = append(a.Levels, la)
	}
	for _, n := range in.Needs {
		if n != "" {
			a.Needs = append(a.Needs, support.ServiceType(n))
		}
	}
	if err := support.CheckAssessment(a, s.Now()); err != nil {
		return err
	}
	urgent := support.Urgent(a)
	all := append(slices.Clone(d.Assessments), a)
	return s.supportChange(ctx, p, d, in.SupportVersion, "case.assessment", map[string]string{"urgent": boolCode(urgent)},
		func(doc *store.SupportDoc) error { doc.Assessments = mustJSON(all); return nil },
		func(c *change) error {
			if !urgent || d.Case.Urgent {
				return nil
			}
			// Urgency raised by an assessment moves the case up the
			// authority's queue; the case row's version guards it.
			u := d.Case.Update()
			if k := queueKey(d.Record, true, c.tx.Now); k != "" && d.Case.ClosedAt == 0 {
				u.QueueKey = k
			}
			if err := c.tx.UpdateCaseUrgent(ctx, u); err != nil {
				return asConflict(err)
			}
			return s.alert(c, d.Case.AgencyID, "urgent_assessment", d.Case.ID)
		})
}

func boolCode(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// goalStatuses are the states of a support plan objective.
var goalStatuses = []string{"planned", "in_progress", "achieved", "discontinued"}

// GoalStatuses lists them.
func GoalStatuses() []string { return slices.Clone(goalStatuses) }

func planTypeCodes() []string { return codesOf(support.PlanTypes()) }

// AddGoal adds an objective to the support plan (HTCDS spl_Type), with a
// target date; its words are sealed.
func (s *Service) AddGoal(ctx context.Context, p access.Principal, d *Dossier, in GoalInput) error {
	pt, err := codeOf(in.PlanType, "plan_type", planTypeCodes())
	if err != nil {
		return err
	}
	objective, err := textOf(in.Objective, "objective", true)
	if err != nil {
		return err
	}
	target, err := dateOf(in.TargetDate, "target_date", d.Country.Calendar.Location(), true)
	if err != nil {
		return err
	}
	g := store.Goal{ID: store.NewID(), CaseID: d.Case.ID, PlanType: pt, TargetDate: target.Format(time.DateOnly), Status: "planned", CreatedBy: p.UserID}
	return s.supportChange(ctx, p, d, in.SupportVersion, "case.goal", map[string]string{"goal": g.ID, "plan_type": pt}, nil, func(c *change) error {
		g.CreatedAt, g.UpdatedAt = store.Millis(c.tx.Now), store.Millis(c.tx.Now)
		if err := c.tx.SaveGoal(ctx, g); err != nil {
			return err
		}
		return s.note(c, d.Case.ID, "goal", g.ID, objective)
	})
}

// UpdateGoal sets an objective's status.
func (s *Service) UpdateGoal(ctx context.Context, p access.Principal, d *Dossier, in GoalStatusInput) error {
	g, err := rowOf(d.Goals, "goal", in.Goal, func(g store.Goal) string { return g.ID })
	if err != nil {
		return err
	}
	status, err := codeOf(in.Status, "status", goalStatuses)
	if err != nil {
		return err
	}
	g.Status = status
	return s.supportChange(ctx, p, d, in.SupportVersion, "case.goal_status", map[string]string{"goal": g.ID, "status": status}, nil, func(c *change) error {
		g.UpdatedAt = store.Millis(c.tx.Now)
		return c.tx.SaveGoal(ctx, g)
	})
}

// overrideFrom reads an override, if the form asks for one.
func overrideFrom(reason, justification string, p access.Principal) (*support.Override, error) {
	if reason == "" {
		return nil, nil
	}
	just, err := textOf(justification, "override_justification", true)
	if err != nil {
		return nil, err
	}
	return &support.Override{By: p.UserID, Role: string(p.Role), Reason: reason, Justification: just}, nil
}

// share decides whether the case may go to agency for service, and when
// an override is what lets it go, records the override in the document
// and seals its justification.
func (s *Service) share(p access.Principal, d *Dossier, overrideReason, overrideJustification, agency string, service support.ServiceType) (*Override, string, error) {
	ov, err := overrideFrom(overrideReason, overrideJustification, p)
	if err != nil {
		return nil, "", err
	}
	dec := support.CheckShare(d.Ledger, d.Case.AgencyID, agency, service, ov)
	if !dec.Allowed {
		if shareAllowed(d.Ledger, d.Overrides, d.Case.AgencyID, agency, service) {
			return nil, "override", nil
		}
		return nil, "", &support.Error{Code: dec.Code}
	}
	if dec.Override {
		return &Override{Agency: agency, Service: service, Reason: ov.Reason, By: p.UserID, Role: string(p.Role), At: s.Now()}, ov.Justification, nil
	}
	return nil, string(dec.Code), nil
}

// Offer refers the person to a service of a provider agency. The case's
// data go to the provider only with the person's consent to share with it,
// or on an audited override.
func (s *Service) Offer(ctx context.Context, p access.Principal, d *Dossier, in OfferInput) error {
	svc, err := codeOf(in.Service, "service", ServiceCodes())
	if err != nil {
		return err
	}
	agency, err := s.agencyField(ctx, in.Agency, "agency")
	if err != nil {
		return err
	}
	// A placement names a location of the provider itself: it is what lets
	// the case's workers see a safe house's address, so it must not point
	// anywhere else.
	location := in.Location
	if location != "" {
		ok, err := s.DB.LocationOfAgency(ctx, location, agency)
		if err != nil {
			return err
		}
		if !ok {
			return badField("location")
		}
	}
	ov, just, err := s.share(p, d, in.OverrideReason, in.OverrideJustification, agency, support.ServiceType(svc))
	if err != nil {
		return err
	}
	now := s.Now()
	rid := store.NewID()
	plan, err := support.Offer(d.Plan, support.OfferRequest{ID: rid, Service: support.ServiceType(svc), Agency: agency, By: p.UserID, At: now}, now)
	if err != nil {
		return err
	}
	ref, _ := plan.Find(rid)
	overrides := d.Overrides
	if ov != nil {
		overrides = append(slices.Clone(overrides), *ov)
	}
	return s.supportChange(ctx, p, d, in.SupportVersion, "case.service_offer", map[string]string{"referral": rid, "service": svc, "agency": agency},
		func(doc *store.SupportDoc) error { doc.Overrides = mustJSON(overrides); return nil },
		func(c *change) error {
			if ov != nil {
				if err := s.overrideRecorded(c, d, ov, just); err != nil {
					return err
				}
			}
			if err := c.tx.SaveServiceReferral(ctx, store.ServiceReferral{ID: rid, CaseID: d.Case.ID, AgencyID: agency, Service: svc,
				LocationID: location, State: string(ref.State), History: mustJSON(ref.History), CreatedAt: store.Millis(now),
				UpdatedAt: store.Millis(now)}); err != nil {
				return err
			}
			return s.alert(c, agency, "service_offered", d.Case.ID)
		})
}

// overrideRecorded audits an override with its reason and seals its
// justification.
func (s *Service) overrideRecorded(c *change, d *Dossier, ov *Override, justification string) error {
	n, err := s.sealNote(d.Case.ID, "override_justification", ov.Agency, c.actor.UserID, justification, c.tx.Now)
	if err != nil {
		return err
	}
	ov.Note = n.ID
	if err := c.tx.InsertNote(c.ctx, n); err != nil {
		return err
	}
	return c.audit("consent.override", "case", d.Case.ID, map[string]string{"recipient": ov.Agency, "service": string(ov.Service),
		"reason": ov.Reason, "note": n.ID})
}

func actionCodes() []string { return codesOf(support.Actions()) }

// ActOnService records the person's choice on an offered service
// (accepted, declined, withdrawn) or the provider's work (delivered,
// ended). A declined service changes nothing else.
func (s *Service) ActOnService(ctx context.Context, p access.Principal, d *Dossier, in ServiceActionInput) error {
	rid, err := idOf(in.Referral, "referral")
	if err != nil {
		return err
	}
	act, err := codeOf(in.Action, "action", actionCodes())
	if err != nil {
		return err
	}
	now := s.Now()
	plan, err := support.Act(d.Plan, rid, support.Action(act), p.UserID, now, now)
	if err != nil {
		return err
	}
	ref, _ := plan.Find(rid)
	i := slices.IndexFunc(d.Referrals, func(x store.ServiceReferral) bool { return x.ID == rid })
	row := d.Referrals[i]
	row.State, row.History, row.UpdatedAt = string(ref.State), mustJSON(ref.History), store.Millis(now)
	return s.supportChange(ctx, p, d, in.SupportVersion, "case.service_"+act, map[string]string{"referral": rid, "state": row.State}, nil,
		func(c *change) error { return c.tx.SaveServiceReferral(ctx, row) })
}

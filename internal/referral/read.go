package referral

import (
	"context"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// List is what the referrals page shows.
type List struct {
	Received []store.Referral // the competent authority's queue
	Made     []store.Referral // what the principal's agency referred
}

// List reads the referrals p's agency made (status only) and, for the
// competent authority, the referrals it received.
func (s *Service) List(ctx context.Context, p access.Principal) (List, error) {
	var out List
	var err error
	if p.Role == access.CompetentAuthority {
		if out.Received, err = s.DB.Referrals(ctx, store.ReferralFilter{ReceivingAgencyID: p.AgencyID}); err != nil {
			return List{}, err
		}
	}
	if out.Made, err = s.DB.Referrals(ctx, store.ReferralFilter{ReferringAgencyID: p.AgencyID}); err != nil {
		return List{}, err
	}
	return out, nil
}

// View is one referral as one principal may see it.
type View struct {
	Ref store.Referral
	// Full is true for the receiving authority, which sees the coded
	// facts and screening; the referring agency sees the status only.
	Full bool
}

// View reads referral id for p: its receiving authority sees it in full,
// its referring agency its status; anyone else is told it does not exist
// (errs.NotFound). The view is audited before it is returned.
func (s *Service) View(ctx context.Context, p access.Principal, id string) (View, error) {
	ref, err := s.DB.ReferralByID(ctx, id)
	if err != nil {
		return View{}, err
	}
	full := p.AgencyID == ref.ReceivingAgencyID && access.Allowed(access.ViewReferral, p,
		access.Resource{AgencyID: ref.ReceivingAgencyID, JurisdictionID: ref.JurisdictionID})
	status := p.AgencyID == ref.ReferringAgencyID
	if !full && !status {
		return View{}, errs.E(errs.NotFound, "no such page")
	}
	if err := s.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Actor: p.UserID, Agency: p.AgencyID, Action: "referral.view", ObjectType: "referral", ObjectID: ref.ID})
	}); err != nil {
		return View{}, err
	}
	return View{Ref: ref, Full: full}, nil
}

// DefaultSector guesses the referring sector from the kind of the user's
// agency, for a new referral form ("" when the agency is unknown).
func (s *Service) DefaultSector(ctx context.Context, agencyID string) string {
	a, err := s.DB.Agency(ctx, agencyID)
	if err != nil {
		return ""
	}
	switch a.Kind {
	case "police", "immigration":
		return "law_enforcement"
	case "labour_inspection":
		return "labour_inspection"
	case "health":
		return "health"
	case "education":
		return "education"
	case "ngo", "shelter_short_term", "shelter_long_term":
		return "ngo"
	}
	return "government_official"
}

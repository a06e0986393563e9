package cases

import (
	"context"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// Duplicates are the possible matches of a person with other persons, as
// one viewer may see them.
type Duplicates struct {
	// InScope are matches on cases the viewer may open: the case and the
	// kinds of evidence that matched.
	InScope []store.PersonMatch
	// Elsewhere are matches outside the viewer's scope: only that a match
	// exists, and, per jurisdiction, the competent authority to ask. They
	// carry no id of the person or the case, so nothing leads to the
	// record (not even a request for emergency access).
	Elsewhere []Elsewhere
}

// Elsewhere says that a possible match is held outside the viewer's
// scope, and whom to ask: the competent authority of its jurisdiction.
// Authority is empty when the match has no case, or its jurisdiction no
// authority.
type Elsewhere struct {
	Jurisdiction string // the jurisdiction's name
	Authority    string // the competent authority's name
}

// Duplicates finds the possible matches of a person by their blind-index
// tokens and splits them by p's scope: a match on a case p may open in its
// own right (its agency's, or for the competent authority its
// jurisdiction's) shows the case; any other match shows only that it
// exists and which authority to ask, once per jurisdiction. A break-glass
// grant or a part in the other case does not widen this: a probe
// referral must not lead to a record outside the viewer's scope.
func (s *Service) Duplicates(ctx context.Context, p access.Principal, personID string) (Duplicates, error) {
	var out Duplicates
	tokens, err := s.DB.PersonTokens(ctx, personID)
	if err != nil {
		return out, err
	}
	matches, err := s.DB.MatchPersons(ctx, personID, tokens)
	if err != nil {
		return out, err
	}
	seen := map[string]bool{}
	for _, m := range matches {
		if m.CaseID != "" && access.Allowed(access.ViewCaseSummary, p, access.Resource{AgencyID: m.AgencyID, JurisdictionID: m.JurisdictionID}) {
			out.InScope = append(out.InScope, m)
			continue
		}
		if seen[m.JurisdictionID] {
			continue
		}
		seen[m.JurisdictionID] = true
		var e Elsewhere
		if m.JurisdictionID != "" {
			j, err := s.Jurisdiction(ctx, m.JurisdictionID)
			if err != nil {
				return out, err
			}
			e.Jurisdiction = j.Name
			a, err := s.DB.AgencyOfKind(ctx, m.JurisdictionID, "competent_authority")
			switch {
			case err == nil:
				e.Authority = a.Name
			case errs.KindOf(err) != errs.NotFound:
				return out, err
			}
		}
		out.Elsewhere = append(out.Elsewhere, e)
	}
	return out, nil
}

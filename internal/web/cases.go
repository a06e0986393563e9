package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/store"
)

// caseList shows the coded case list of the principal's scope.
func (s *Server) caseList(w http.ResponseWriter, r *http.Request) error {
	agencyID, jurisdictionID := access.CaseListScope(principal(r))
	cs, err := s.DB.Cases(r.Context(), store.CaseFilter{AgencyID: agencyID, JurisdictionID: jurisdictionID, Limit: 50})
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "cases", s.newPage(r, "nav.cases", "cases", cs))
}

// caseView shows one case's coded fields after the scope check.
func (s *Server) caseView(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if len(id) != 32 {
		return errNotFound
	}
	c, err := s.DB.Case(r.Context(), id)
	if err != nil {
		return err
	}
	if !access.Allowed(access.ViewCaseSummary, principal(r), access.Resource{AgencyID: c.AgencyID, JurisdictionID: c.JurisdictionID}) {
		// Out of scope looks the same as absent: no confirmation that
		// the case exists.
		return errNotFound
	}
	// The view is recorded before it is shown: no audit row, no page.
	if err := s.DB.Write(r.Context(), func(tx *store.Tx) error {
		return tx.Audit(r.Context(), s.event(r, "case.view", "case", c.ID, nil))
	}); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "case", s.newPage(r, "case.title", "cases", c))
}

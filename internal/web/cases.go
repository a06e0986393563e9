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

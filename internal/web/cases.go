package web

import (
	"net/http"
)

// caseList shows the coded case list of the principal's scope.
func (s *Server) caseList(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.cases.CaseList(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "cases", s.newPage(r, "nav.cases", "cases", cs))
}

package web

import (
	"net/http"
)

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, http.StatusOK, "admin", s.newPage(r, "admin.title", "admin", nil))
}

func (s *Server) adminJurisdictions(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.accounts.Jurisdictions(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "jurisdictions", s.newPage(r, "admin.jurisdictions", "admin", rows))
}

func (s *Server) adminAgencies(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.accounts.Agencies(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "agencies", s.newPage(r, "admin.agencies", "admin", rows))
}

// adminUsers lists the accounts; agency administrators see their own
// agency's accounts only.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.accounts.Users(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "users", s.newPage(r, "admin.users", "admin", us))
}

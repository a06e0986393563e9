package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/cases"
)

// homePage is the home page: the counts and notices, and the start of a
// referral for every role that may refer.
type homePage struct {
	cases.Home
	CanRefer bool
}

// home shows the counts of records and the agency's unread notices
// (cases.Home).
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cases.Home(r.Context(), principal(r))
	if err != nil {
		return err
	}
	hp := homePage{Home: d, CanRefer: access.Allowed(access.CreateReferral, principal(r), access.Resource{})}
	return s.render(w, http.StatusOK, "home", s.newPage(r, "home.title", "home", hp))
}

// comingSoon serves the navigation entries of capabilities that are not
// built yet, so the layout is complete and honest about it.
func (s *Server) comingSoon(title, active string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.render(w, http.StatusOK, "soon", s.newPage(r, title, active, nil))
	}
}

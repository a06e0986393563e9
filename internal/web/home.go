package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/store"
)

type homeData struct {
	store.Counts
	// Notices are the agency's unread notifications: new and urgent
	// referrals, children referred, guardians requested, emergency access
	// to the agency's records.
	Notices []store.Notification
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	c, err := s.DB.Counts(r.Context())
	if err != nil {
		return err
	}
	d := homeData{Counts: c}
	p := principal(r)
	if access.Allowed(access.ViewNotifications, p, access.Resource{AgencyID: p.AgencyID, JurisdictionID: p.JurisdictionID}) {
		if d.Notices, err = s.DB.Notifications(r.Context(), p.AgencyID); err != nil {
			return err
		}
	}
	return s.render(w, http.StatusOK, "home", s.newPage(r, "home.title", "home", d))
}

// comingSoon serves the navigation entries of capabilities that are not
// built yet, so the layout is complete and honest about it.
func (s *Server) comingSoon(title, active string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.render(w, http.StatusOK, "soon", s.newPage(r, title, active, nil))
	}
}

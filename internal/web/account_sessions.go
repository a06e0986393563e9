package web

import (
	"net/http"
)

// endAllSessions signs the user out everywhere: every session of the
// account ends, this one included, and every API token is revoked.
func (s *Server) endAllSessions(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if u == nil || currentSession(r) == nil {
		return errNeedsSession
	}
	if err := s.accounts.EndAllSessions(r.Context(), principal(r), u.ID); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/store"
)

// endAllSessions signs the user out everywhere: every session of the
// account ends, this one included, and every API token is revoked.
func (s *Server) endAllSessions(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if u == nil || currentSession(r) == nil {
		return errNeedsSession
	}
	ctx := r.Context()
	if err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.EndUserAccess(ctx, u.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, s.event(r, "session.end_all", "user", u.ID, nil))
	}); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

package web

import (
	"net/http"
)

// tokenRevoke ends one of the user's API tokens at once. A token of
// someone else answers 404, as if it did not exist.
func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !isID(id) {
		return errNotFound
	}
	if err := s.accounts.RevokeAPIToken(r.Context(), principal(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/tokens", http.StatusSeeOther)
	return nil
}

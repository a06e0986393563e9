package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/accounts"
)

// recoveryCodesRenew replaces the user's recovery codes by ten new ones and
// shows them once; the old ones stop working.
func (s *Server) recoveryCodesRenew(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if u == nil {
		return errUnauthenticated
	}
	if ok, err := s.requireRecentAuth(w, r); !ok || err != nil {
		return err
	}
	codes, err := s.accounts.RenewRecoveryCodes(r.Context(), principal(r), u.ID)
	if err == accounts.ErrNoSecondFactor {
		http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "mfa_codes", s.newPage(r, "mfa.codes.title", "", mfaCodesData{Codes: codes}))
}

package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/store"
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
	ctx := r.Context()
	has, err := s.DB.HasMFA(ctx, u.ID)
	if err != nil {
		return err
	}
	if !has {
		http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
		return nil
	}
	codes := auth.NewRecoveryCodes()
	if err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashRecoveryCodes(u.ID, codes)); err != nil {
			return err
		}
		return tx.Audit(ctx, s.event(r, "mfa.recovery_codes", "user", u.ID, nil))
	}); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "mfa_codes", s.newPage(r, "mfa.codes.title", "", mfaCodesData{Codes: codes}))
}

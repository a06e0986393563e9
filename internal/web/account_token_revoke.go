package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// tokenRevoke ends one of the user's API tokens at once. A token of
// someone else answers 404, as if it did not exist.
func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !isID(id) {
		return errNotFound
	}
	ctx := r.Context()
	t, err := s.DB.APITokenByID(ctx, id)
	if err != nil {
		return err
	}
	if !access.Allowed(access.ManageAPITokens, principal(r), access.Resource{OwnerUserID: t.UserID}) {
		return errNotFound
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeAPIToken(ctx, t.UserID, t.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, s.event(r, "token.revoke", "api_token", t.ID, nil))
	})
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	http.Redirect(w, r, "/account/tokens", http.StatusSeeOther)
	return nil
}

package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
)

type accountData struct {
	User          *accounts.User
	MFA           bool
	MFARequired   bool
	RecoveryLeft  int
	Sessions      int
	Notice        string // translation key of a confirmation, if any
	RecoveryLow   bool
	TokensAllowed bool
}

// accountNotices are the confirmations other account pages send back with
// ?done=…; only these keys are shown.
var accountNotices = map[string]string{
	"password": "account.notice.password",
}

// accountView shows one's own account: second factor, recovery codes,
// password, API tokens, and signing out everywhere.
func (s *Server) accountView(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if u == nil {
		return errUnauthenticated
	}
	sum, err := s.accounts.Summary(r.Context(), u.ID)
	if err != nil {
		return err
	}
	d := accountData{User: u, MFA: sum.MFA, MFARequired: s.mfaRequired(access.Role(u.Role)), Notice: accountNotices[r.URL.Query().Get("done")],
		TokensAllowed: access.Allowed(access.ManageAPITokens, principal(r), access.Resource{OwnerUserID: u.ID}),
		RecoveryLeft:  sum.RecoveryLeft, RecoveryLow: sum.MFA && sum.RecoveryLeft <= 3, Sessions: sum.Sessions}
	return s.render(w, http.StatusOK, "account", s.newPage(r, "account.title", "", d))
}

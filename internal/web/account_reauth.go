package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/haven-nrm/haven/internal/errs"
)

// errNeedsSession refuses a sensitive action to a request that cannot prove
// its user's identity again (an API token).
var errNeedsSession = &errs.Error{Kind: errs.Forbidden, Key: "auth.reauth.needs_session", Err: errors.New("recent sign-in needs a browser session")}

// requireRecentAuth guards the most sensitive actions (creating API
// tokens, changing how one signs in; later shelter addresses, exports and
// cross-border sharing): when the session last proved its user's identity
// more than five minutes ago (accounts.RecentAuth), it answers with a redirect to /reauth, which
// returns to the same page afterwards, and reports false. The handler then
// returns at once:
//
//	if ok, err := s.requireRecentAuth(w, r); !ok || err != nil {
//		return err
//	}
//
// A form submitted when the proof is too old is not carried out: the user
// comes back to the page its "return" field names (a GET page) and sends it
// again.
func (s *Server) requireRecentAuth(w http.ResponseWriter, r *http.Request) (bool, error) {
	sess := currentSession(r)
	if sess == nil || currentUser(r) == nil {
		return false, errNeedsSession
	}
	if s.accounts.RecentlyAuthenticated(*sess) {
		return true, nil
	}
	back := r.URL.Path
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// A form names the page to come back to in its "return" field.
		back = r.PostFormValue("return")
	}
	http.Redirect(w, r, "/reauth?return="+url.QueryEscape(localPath(back)), http.StatusSeeOther)
	return false, nil
}

type reauthData struct {
	Return string
	MFA    bool
	Failed bool
}

func (s *Server) reauthForm(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if u == nil || currentSession(r) == nil {
		return errNeedsSession
	}
	has, err := s.accounts.HasSecondFactor(r.Context(), u.ID)
	if err != nil {
		return err
	}
	d := reauthData{Return: localPath(r.URL.Query().Get("return")), MFA: has}
	return s.render(w, http.StatusOK, "reauth", s.newPage(r, "auth.reauth.title", "", d))
}

// reauthSubmit checks the password, and the second factor when the user has
// one (accounts.Reauthenticate), and returns to the page asked for with a
// new session id; a failure shows the form again.
func (s *Server) reauthSubmit(w http.ResponseWriter, r *http.Request) error {
	u, sess, err := sessionForm(r)
	if err != nil {
		return err
	}
	back := localPath(r.PostForm.Get("return"))
	token, has, err := s.accounts.Reauthenticate(r.Context(), s.client(r), u, sess, r.PostForm.Get("password"), r.PostForm.Get("code"))
	if err != nil {
		return err
	}
	if token == "" {
		d := reauthData{Return: back, MFA: has, Failed: true}
		return s.render(w, http.StatusUnauthorized, "reauth", s.newPage(r, "auth.reauth.title", "", d))
	}
	s.setSessionCookie(w, token)
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

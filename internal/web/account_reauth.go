package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// errNeedsSession refuses a sensitive action to a request that cannot prove
// its user's identity again (an API token).
var errNeedsSession = &errs.Error{Kind: errs.Forbidden, Key: "auth.reauth.needs_session", Err: errors.New("recent sign-in needs a browser session")}

// requireRecentAuth guards the most sensitive actions (creating API
// tokens, changing how one signs in; later shelter addresses, exports and
// cross-border sharing): when the session last proved its user's identity
// more than five minutes ago, it answers with a redirect to /reauth, which
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
	if store.Millis(s.Now())-sess.AuthAt <= recentAuth.Milliseconds() {
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
	has, err := s.DB.HasMFA(r.Context(), u.ID)
	if err != nil {
		return err
	}
	d := reauthData{Return: localPath(r.URL.Query().Get("return")), MFA: has}
	return s.render(w, http.StatusOK, "reauth", s.newPage(r, "auth.reauth.title", "", d))
}

// reauthSubmit checks the password, and the second factor when the user has
// one, then gives the session a new id and a fresh time of proof (its
// absolute limit stays) and returns to the page asked for. Failures count
// like failed sign-ins.
func (s *Server) reauthSubmit(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	sess := currentSession(r)
	if u == nil || sess == nil {
		return errNeedsSession
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	ctx := r.Context()
	password, code := r.PostForm.Get("password"), r.PostForm.Get("code")
	back := localPath(r.PostForm.Get("return"))
	has, err := s.DB.HasMFA(ctx, u.ID)
	if err != nil {
		return err
	}
	now := s.Now()
	refused, err := s.throttled(r, u.Username, now)
	if err != nil {
		return err
	}
	passwordOK := false
	if !refused && len(password) <= 1000 {
		passwordOK = auth.VerifyPassword(password, u.PasswordHash) == nil
	}
	var token string
	ok := false
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if refused {
			return tx.Audit(ctx, s.event(r, "session.refused", "user", u.ID, map[string]string{"stage": "reauth"}))
		}
		method := "password"
		if passwordOK && has {
			var err error
			if method, err = s.useSecondFactor(ctx, tx, u.ID, code, now); err != nil {
				return err
			}
		}
		if !passwordOK || method == "" {
			if err := s.countFailure(ctx, tx, r, u.Username, now); err != nil {
				return err
			}
			return tx.Audit(ctx, s.event(r, "session.reauth_failed", "user", u.ID, nil))
		}
		ok = true
		var err error
		if token, err = s.rotateSession(ctx, tx, r, newSession{UserID: u.ID, MFA: sess.MFA || has, AuthAt: store.Millis(now),
			CreatedAt: sess.CreatedAt, ExpiresAt: sess.ExpiresAt}, now); err != nil {
			return err
		}
		if err := s.clearFailures(ctx, tx, r, u.Username); err != nil {
			return err
		}
		return tx.Audit(ctx, s.event(r, "session.reauth", "user", u.ID, map[string]string{"method": method}))
	})
	if err != nil {
		return err
	}
	if !ok {
		d := reauthData{Return: back, MFA: has, Failed: true}
		return s.render(w, http.StatusUnauthorized, "reauth", s.newPage(r, "auth.reauth.title", "", d))
	}
	s.setSessionCookie(w, token)
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

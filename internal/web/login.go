package web

import (
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/errs"
)

type loginData struct {
	Username string
	Failed   bool
	// NeedsLink: the password was right, but the account must set up a
	// second factor first, which only its enrolment link allows.
	NeedsLink bool
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if currentUser(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.render(w, http.StatusOK, "login", s.newPage(r, "auth.login.title", "", loginData{}))
}

// loginSubmit is the password step of signing in (accounts.SignIn). Every
// failure gets the same message, so the form cannot tell who has an
// account. A user with a second factor goes on to the second step; a user
// who must have one and has none is told to open the enrolment link
// (enrol_link.go). A complete sign-in marks the browser as a known device
// of the account.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	username, password := strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
	res, err := s.accounts.SignIn(r.Context(), s.client(r), username, password)
	if err != nil {
		return err
	}
	switch res.Outcome {
	case accounts.SignInFailed:
		return s.loginFailed(w, r, username)
	case accounts.SignInNeedsLink:
		p := s.newPage(r, "auth.login.title", "", loginData{Username: username, NeedsLink: true})
		return s.render(w, http.StatusForbidden, "login", p)
	}
	s.setSessionCookie(w, res.Token)
	s.rememberDevice(w, res.Device)
	next := "/"
	if res.Stage == stageMFA {
		next = "/mfa/verify"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// loginFailed shows the one message every failed sign-in gets.
func (s *Server) loginFailed(w http.ResponseWriter, r *http.Request, username string) error {
	p := s.newPage(r, "auth.login.title", "", loginData{Username: username, Failed: true})
	return s.render(w, http.StatusUnauthorized, "login", p)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		var who *accounts.User
		stage := ""
		if u := currentUser(r); u != nil {
			who = u
		} else if p := pending(r); p != nil {
			who, stage = &p.User, p.Stage
		}
		if err := s.accounts.SignOut(r.Context(), c.Value, who, stage); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

package web

import (
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/sso"
)

type loginData struct {
	Username string
	Failed   bool
	// NeedsLink: the password was right, but the account must set up a
	// second factor first, which only its enrolment link allows.
	NeedsLink bool
	// PasskeyFailed: a sign-in with a passkey was refused.
	PasskeyFailed bool
	// Providers are the identity providers one can sign in with.
	Providers []sso.LoginLink
}

// loginPage renders the sign-in form with the providers it offers.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, status int, d loginData) error {
	var err error
	if d.Providers, err = s.Services.SSO.LoginLinks(r.Context()); err != nil {
		return err
	}
	return s.render(w, status, "login", s.newPage(r, "auth.login.title", "", d))
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if currentUser(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.loginPage(w, r, http.StatusOK, loginData{})
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
		return s.loginPage(w, r, http.StatusForbidden, loginData{Username: username, NeedsLink: true})
	}
	return s.signedIn(w, r, res.Token, res.Device, afterFirstStep(res.Stage, res.DraftWaiting))
}

// signedIn sets the cookie of the session a sign-in step opened (password,
// identity provider, second factor, passkey), remembers the device and goes
// on to next.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, token, device, next string) error {
	s.setSessionCookie(w, token)
	s.rememberDevice(w, device)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// afterFirstStep is where a first sign-in step leads: to the second factor
// when it is still owed, else back to a referral the session's end cut
// short, else home.
func afterFirstStep(stage string, draftWaiting bool) string {
	switch {
	case stage == stageMFA:
		return "/mfa/verify"
	case draftWaiting:
		return "/referrals/new"
	}
	return "/"
}

// loginFailed shows the one message every failed sign-in gets.
func (s *Server) loginFailed(w http.ResponseWriter, r *http.Request, username string) error {
	return s.loginPage(w, r, http.StatusUnauthorized, loginData{Username: username, Failed: true})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	endURL := ""
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
		if who != nil {
			endURL = s.Services.SSO.EndSessionURL(r.Context(), who.ID, strings.TrimSuffix(s.callbackURL(r), "/sso/callback")+"/login")
		}
	}
	s.clearSessionCookie(w)
	if endURL != "" {
		// Haven's session is over; signing out of the provider too is
		// offered, not forced: the provider's session may serve other
		// systems of the institution.
		return s.render(w, http.StatusOK, "sso_signed_out", s.newPage(r, "sso.signed_out.title", "", endURL))
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

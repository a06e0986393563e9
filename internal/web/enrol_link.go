package web

import (
	"errors"
	"net/http"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
)

type enrolLinkData struct {
	// Action is the link's own path, where the form posts.
	Action string
	// Invalid: the link is unknown, used, expired or replaced.
	Invalid bool
	Failed  bool
	// SetPassword: the account has no password yet (made by haven init
	// or an invitation); the page asks the person to choose one.
	SetPassword bool
	// Error is the translation key of a refused new password, on Field.
	Error, Field string
	// Min is the shortest password; Count the number Error speaks of.
	Min, Count int
}

// enrolLinkForm is the page a one-time enrolment link opens: it asks for
// the account's password. Opening it spends nothing, so a mail scanner
// that follows the link does not use it up.
func (s *Server) enrolLinkForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	set, err := s.accounts.LinkSetsPassword(r.Context(), token)
	if err != nil {
		return s.enrolLinkInvalid(w, r, err)
	}
	return s.render(w, http.StatusOK, "enrol_link", s.newPage(r, "enrol.link.title", "", enrolLinkData{Action: accounts.EnrolPath + token, SetPassword: set, Min: auth.MinPasswordChars}))
}

// enrolLinkInvalid answers a link that does not work with one page for
// every reason (404), or passes on a fault.
func (s *Server) enrolLinkInvalid(w http.ResponseWriter, r *http.Request, err error) error {
	if !errs.Is(err, errs.NotFound) {
		return err
	}
	return s.render(w, http.StatusNotFound, "enrol_link", s.newPage(r, "enrol.link.title", "", enrolLinkData{Invalid: true}))
}

// enrolLinkSubmit checks the account's password (failures count like
// failed sign-ins), spends the link and opens a session that can only set
// up a second factor (/mfa/enrol); confirming it signs the person in.
// Neither the link without the password nor the password without the link
// gets this far.
func (s *Server) enrolLinkSubmit(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	formErr := r.ParseForm()
	if r.PostForm.Has("new") {
		return s.setupLinkSubmit(w, r, token, formErr)
	}
	sess, err := s.accounts.OpenEnrolLink(r.Context(), s.client(r), token, r.PostForm.Get("password"), formErr)
	if err != nil {
		// Not a live link, spent by a request racing this one, or a
		// form that could not be read.
		return s.enrolLinkInvalid(w, r, err)
	}
	if sess == "" {
		d := enrolLinkData{Action: accounts.EnrolPath + token, Failed: true}
		return s.render(w, http.StatusUnauthorized, "enrol_link", s.newPage(r, "enrol.link.title", "", d))
	}
	s.setSessionCookie(w, sess)
	http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
	return nil
}

// setupLinkSubmit is the link page of an account without a password: the
// person chooses one (the policy applies), which spends the link and
// opens the second-factor set-up. A refused password spends nothing and
// shows the page again with the reason.
func (s *Server) setupLinkSubmit(w http.ResponseWriter, r *http.Request, token string, formErr error) error {
	sess, err := s.accounts.SetPasswordByLink(r.Context(), s.client(r), token, r.PostForm.Get("new"), r.PostForm.Get("confirm"), formErr)
	var fe *errs.Error
	if errors.As(err, &fe) && fe.Field != "" && fe.Key != "" {
		d := enrolLinkData{Action: accounts.EnrolPath + token, SetPassword: true, Error: fe.Key, Field: fe.Field,
			Min: auth.MinPasswordChars, Count: auth.MinPasswordChars}
		if fe.Key == "auth.password."+string(auth.PasswordTooLong) {
			d.Count = auth.MaxPasswordBytes
		}
		return s.render(w, http.StatusBadRequest, "enrol_link", s.newPage(r, "enrol.link.title", "", d))
	}
	if err != nil {
		return s.enrolLinkInvalid(w, r, err)
	}
	s.setSessionCookie(w, sess)
	http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
	return nil
}

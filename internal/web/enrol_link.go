package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/errs"
)

type enrolLinkData struct {
	// Action is the link's own path, where the form posts.
	Action string
	// Invalid: the link is unknown, used, expired or replaced.
	Invalid bool
	Failed  bool
}

// enrolLinkForm is the page a one-time enrolment link opens: it asks for
// the account's password. Opening it spends nothing, so a mail scanner
// that follows the link does not use it up.
func (s *Server) enrolLinkForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if err := s.accounts.CheckEnrolLink(r.Context(), token); err != nil {
		return s.enrolLinkInvalid(w, r, err)
	}
	return s.render(w, http.StatusOK, "enrol_link", s.newPage(r, "enrol.link.title", "", enrolLinkData{Action: accounts.EnrolPath + token}))
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

package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
)

type mfaEnrolData struct {
	Started bool
	// QR is a data: URL of a PNG QR code of the otpauth:// URI.
	QR template.URL
	// Secret is the base32 secret in groups of four, for typing by hand.
	Secret string
	Failed bool
	// PasskeyFailed: the passkey's answer did not verify.
	PasskeyFailed bool
}

type mfaCodesData struct {
	Codes []string
}

// enrolSubject returns who is setting up a second factor: the user of a
// session opened by an enrolment link (enrol_link.go), which is the only way
// to set one up. A password alone never reaches this step: a signed-in user
// without a second factor goes back to the account page, which says to ask
// for a link; anyone else answers with a redirect. ok=false means the
// answer was written.
func (s *Server) enrolSubject(w http.ResponseWriter, r *http.Request) (u accounts.User, ok bool, err error) {
	if p := pending(r); p != nil {
		if p.Stage != stageEnrol {
			http.Redirect(w, r, "/mfa/verify", http.StatusSeeOther)
			return u, false, nil
		}
		return p.User, true, nil
	}
	if currentUser(r) != nil {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return u, false, nil
	}
	return u, false, s.leaveSecondStep(w, r)
}

// enrolDone sends a user who already has a confirmed second factor on to
// the second step.
func enrolDone(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/mfa/verify", http.StatusSeeOther)
}

// mfaEnrolForm shows the set-up of a TOTP authenticator: first a button
// that creates the secret, then its QR code, the secret itself and a field
// for the first code.
func (s *Server) mfaEnrolForm(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.enrolSubject(w, r)
	if !ok || err != nil {
		return err
	}
	return s.renderEnrol(w, r, u, false)
}

func (s *Server) renderEnrol(w http.ResponseWriter, r *http.Request, u accounts.User, failed bool) error {
	d := mfaEnrolData{Failed: failed}
	e, err := s.accounts.Enrolment(r.Context(), u)
	if err == accounts.ErrEnrolled {
		enrolDone(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	if e.Started {
		png, err := auth.TOTPQRCode(e.URI, 240)
		if err != nil {
			return errs.Wrap(errs.Internal, err)
		}
		d.Started = true
		// The data URL is built here from our own PNG; nothing of it
		// comes from the request.
		d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
		d.Secret = groupBy4(e.Secret)
	}
	status := http.StatusOK
	if failed {
		status = http.StatusBadRequest
	}
	return s.render(w, status, "mfa_enrol", s.newPage(r, "mfa.enrol.title", "", d))
}

// mfaEnrolStart creates a new secret (accounts.StartEnrolment).
func (s *Server) mfaEnrolStart(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.enrolSubject(w, r)
	if !ok || err != nil {
		return err
	}
	if err := s.accounts.StartEnrolment(r.Context(), u); err != nil {
		if err == accounts.ErrEnrolled {
			enrolDone(w, r)
			return nil
		}
		return err
	}
	http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
	return nil
}

// mfaEnrolConfirm accepts the first code of the new authenticator
// (accounts.ConfirmEnrolment) and shows the ten recovery codes once. The
// session now has proved a second factor.
func (s *Server) mfaEnrolConfirm(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.enrolSubject(w, r)
	if !ok || err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	res, err := s.accounts.ConfirmEnrolment(r.Context(), s.client(r), u, r.PostForm.Get("code"))
	switch err {
	case nil:
	case accounts.ErrNotStarted:
		http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
		return nil
	case accounts.ErrEnrolled:
		enrolDone(w, r)
		return nil
	case accounts.ErrWrongCode:
		return s.renderEnrol(w, r, u, true)
	default:
		return err
	}
	s.setSessionCookie(w, res.Token)
	s.rememberDevice(w, res.Device)
	return s.render(w, http.StatusOK, "mfa_codes", s.newPage(r, "mfa.codes.title", "", mfaCodesData{Codes: res.Codes}))
}

func groupBy4(s string) string {
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), " ")
}

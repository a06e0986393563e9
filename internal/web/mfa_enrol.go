package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

type mfaEnrolData struct {
	Started bool
	// QR is a data: URL of a PNG QR code of the otpauth:// URI.
	QR template.URL
	// Secret is the base32 secret in groups of four, for typing by hand.
	Secret string
	Failed bool
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
func (s *Server) enrolSubject(w http.ResponseWriter, r *http.Request) (u store.User, ok bool, err error) {
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

func (s *Server) renderEnrol(w http.ResponseWriter, r *http.Request, u store.User, failed bool) error {
	d := mfaEnrolData{Failed: failed}
	m, err := s.DB.MFA(r.Context(), u.ID)
	switch {
	case errs.Is(err, errs.NotFound):
	case err != nil:
		return err
	case m.Confirmed:
		enrolDone(w, r)
		return nil
	default:
		secret, err := s.openTOTPSecret(m)
		if err != nil {
			return err
		}
		uri, err := auth.TOTPURI(secret, totpIssuer, u.Username)
		if err != nil {
			return errs.Wrap(errs.Internal, err)
		}
		png, err := auth.TOTPQRCode(uri, 240)
		if err != nil {
			return errs.Wrap(errs.Internal, err)
		}
		d.Started = true
		// The data URL is built here from our own PNG; nothing of it
		// comes from the request.
		d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
		d.Secret = groupBy4(secret)
	}
	status := http.StatusOK
	if failed {
		status = http.StatusBadRequest
	}
	return s.render(w, status, "mfa_enrol", s.newPage(r, "mfa.enrol.title", "", d))
}

// mfaEnrolStart creates a new secret, sealed under the user's own data key,
// replacing one that was never confirmed.
func (s *Server) mfaEnrolStart(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.enrolSubject(w, r)
	if !ok || err != nil {
		return err
	}
	if has, err := s.DB.HasMFA(r.Context(), u.ID); err != nil || has {
		if has {
			enrolDone(w, r)
		}
		return err
	}
	wrapped, sealed, err := s.sealTOTPSecret(u.ID, auth.NewTOTPSecret())
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.PutPendingMFA(ctx, store.MFA{UserID: u.ID, WrappedKey: wrapped, Secret: sealed}); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(u, "mfa.enrol_start", nil))
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
	return nil
}

// mfaEnrolConfirm accepts the first code of the new authenticator, makes
// ten recovery codes and shows them once. Every session of the user ends and
// a new one starts: the session now has proved a second factor.
func (s *Server) mfaEnrolConfirm(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.enrolSubject(w, r)
	if !ok || err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	ctx := r.Context()
	m, err := s.DB.MFA(ctx, u.ID)
	if errs.Is(err, errs.NotFound) {
		http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	if m.Confirmed {
		enrolDone(w, r)
		return nil
	}
	secret, err := s.openTOTPSecret(m)
	if err != nil {
		return err
	}
	now := s.Now()
	step, ok := auth.MatchTOTP(secret, r.PostForm.Get("code"), now, m.LastStep)
	if !ok {
		return s.renderEnrol(w, r, u, true)
	}
	codes := auth.NewRecoveryCodes()
	ns := newSession{UserID: u.ID, MFA: true, AuthAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(sessionAbsolute))}
	var token string
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ConfirmMFA(ctx, u.ID, step); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashRecoveryCodes(u.ID, codes)); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		var err error
		if token, err = s.rotateSession(ctx, tx, r, ns, now); err != nil {
			return err
		}
		if err := s.clearFailures(ctx, tx, r, u.Username); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(u, "mfa.enrol", map[string]string{"method": "totp"}))
	})
	if errs.Is(err, errs.Conflict) {
		// Confirmed meanwhile, or the code's step was used: start over.
		return s.renderEnrol(w, r, u, true)
	}
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	s.rememberDevice(w, u.Username)
	return s.render(w, http.StatusOK, "mfa_codes", s.newPage(r, "mfa.codes.title", "", mfaCodesData{Codes: codes}))
}

func hashRecoveryCodes(userID string, codes []string) [][]byte {
	out := make([][]byte, len(codes))
	for i, c := range codes {
		n, _ := auth.NormaliseRecoveryCode(c)
		out[i] = auth.HashRecoveryCode(userID, n)
	}
	return out
}

func groupBy4(s string) string {
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), " ")
}

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
	// Required is set when the user cannot go on without a second factor.
	Required bool
}

type mfaCodesData struct {
	Codes []string
}

// enrolSubject returns who is setting up a second factor: a half-signed-in
// user who must have one, or a signed-in user who chose to. For anyone else
// it answers with a redirect and returns ok=false.
func (s *Server) enrolSubject(w http.ResponseWriter, r *http.Request) (u store.User, full, ok bool, err error) {
	if p := pending(r); p != nil {
		if p.Stage != stageEnrol {
			http.Redirect(w, r, "/mfa/verify", http.StatusSeeOther)
			return u, false, false, nil
		}
		return p.User, false, true, nil
	}
	cu := currentUser(r)
	if cu == nil || currentSession(r) == nil {
		return u, false, false, s.leaveSecondStep(w, r)
	}
	// Changing how one signs in asks for a recent proof of identity.
	if ok, err := s.requireRecentAuth(w, r); !ok || err != nil {
		return u, false, false, err
	}
	return *cu, true, true, nil
}

// enrolDone sends a user who already has a confirmed second factor on.
func enrolDone(w http.ResponseWriter, r *http.Request, full bool) {
	to := "/mfa/verify"
	if full {
		to = "/account"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// mfaEnrolForm shows the set-up of a TOTP authenticator: first a button
// that creates the secret, then its QR code, the secret itself and a field
// for the first code.
func (s *Server) mfaEnrolForm(w http.ResponseWriter, r *http.Request) error {
	u, full, ok, err := s.enrolSubject(w, r)
	if !ok || err != nil {
		return err
	}
	return s.renderEnrol(w, r, u, full, false)
}

func (s *Server) renderEnrol(w http.ResponseWriter, r *http.Request, u store.User, full, failed bool) error {
	d := mfaEnrolData{Required: !full, Failed: failed}
	m, err := s.DB.MFA(r.Context(), u.ID)
	switch {
	case errs.Is(err, errs.NotFound):
	case err != nil:
		return err
	case m.Confirmed:
		enrolDone(w, r, full)
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
	u, full, ok, err := s.enrolSubject(w, r)
	if !ok || err != nil {
		return err
	}
	if has, err := s.DB.HasMFA(r.Context(), u.ID); err != nil || has {
		if has {
			enrolDone(w, r, full)
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
	u, full, ok, err := s.enrolSubject(w, r)
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
		enrolDone(w, r, full)
		return nil
	}
	secret, err := s.openTOTPSecret(m)
	if err != nil {
		return err
	}
	now := s.Now()
	step, ok := auth.MatchTOTP(secret, r.PostForm.Get("code"), now, m.LastStep)
	if !ok {
		return s.renderEnrol(w, r, u, full, true)
	}
	codes := auth.NewRecoveryCodes()
	ns := newSession{UserID: u.ID, MFA: true, AuthAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(sessionAbsolute))}
	if sess := currentSession(r); full && sess != nil {
		// The same sign-in goes on: its absolute limit stays.
		ns.CreatedAt, ns.ExpiresAt = sess.CreatedAt, sess.ExpiresAt
	}
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
		if err := s.clearFailures(ctx, tx, u.Username); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(u, "mfa.enrol", map[string]string{"method": "totp"}))
	})
	if errs.Is(err, errs.Conflict) {
		// Confirmed meanwhile, or the code's step was used: start over.
		return s.renderEnrol(w, r, u, full, true)
	}
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token)
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

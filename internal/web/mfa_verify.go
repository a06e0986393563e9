package web

import (
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/store"
)

type mfaVerifyData struct {
	Failed bool
}

// mfaVerifyForm asks a half-signed-in user for the second factor.
func (s *Server) mfaVerifyForm(w http.ResponseWriter, r *http.Request) error {
	p := pending(r)
	if p == nil {
		return s.leaveSecondStep(w, r)
	}
	if p.Stage == stageEnrol {
		if has, err := s.DB.HasMFA(r.Context(), p.User.ID); err != nil || !has {
			http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
			return err
		}
	}
	return s.render(w, http.StatusOK, "mfa_verify", s.newPage(r, "mfa.verify.title", "", mfaVerifyData{}))
}

// mfaVerifySubmit checks the second factor (a TOTP code, or one of the
// recovery codes) and, when it is accepted, replaces the half-signed-in
// session by a complete one with a new id. Wrong codes count as failed
// sign-ins of the account.
func (s *Server) mfaVerifySubmit(w http.ResponseWriter, r *http.Request) error {
	p := pending(r)
	if p == nil {
		return s.leaveSecondStep(w, r)
	}
	if err := r.ParseForm(); err != nil {
		return s.mfaVerifyFailed(w, r)
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if len(code) > 64 {
		return s.mfaVerifyFailed(w, r)
	}
	ctx := r.Context()
	now := s.Now()
	u := p.User
	refused, err := s.throttled(r, u.Username, now)
	if err != nil {
		return err
	}
	var token, method string
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if refused {
			return tx.Audit(ctx, userEvent(u, "session.refused", map[string]string{"stage": stageMFA}))
		}
		var err error
		if method, err = s.useSecondFactor(ctx, tx, u.ID, code, now); err != nil {
			return err
		}
		if method == "" {
			if err := s.countFailure(ctx, tx, r, u.Username, now); err != nil {
				return err
			}
			return tx.Audit(ctx, userEvent(u, "session.mfa_failed", nil))
		}
		ms := store.Millis(now)
		if token, err = s.rotateSession(ctx, tx, r, newSession{UserID: u.ID, MFA: true, AuthAt: ms,
			ExpiresAt: store.Millis(now.Add(sessionAbsolute))}, now); err != nil {
			return err
		}
		if err := s.clearFailures(ctx, tx, r, u.Username); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(u, "session.mfa", map[string]string{"method": method}))
	})
	if err != nil {
		return err
	}
	if method == "" {
		return s.mfaVerifyFailed(w, r)
	}
	s.setSessionCookie(w, token)
	s.rememberDevice(w, u.Username)
	next := "/"
	if method == "recovery" {
		// Show how many recovery codes are left.
		next = "/account"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) mfaVerifyFailed(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, http.StatusUnauthorized, "mfa_verify", s.newPage(r, "mfa.verify.title", "", mfaVerifyData{Failed: true}))
}

// leaveSecondStep sends a visitor who has no half-signed-in session away
// from the second step: home when signed in, else to sign in.
func (s *Server) leaveSecondStep(w http.ResponseWriter, r *http.Request) error {
	to := "/login"
	if currentUser(r) != nil {
		to = "/"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

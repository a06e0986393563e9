package web

import (
	"net/http"
)

type mfaVerifyData struct {
	Failed bool
	// Passkey: the user has a passkey to offer instead of a code.
	Passkey bool
}

// verifyData is what the second step shows to the user of p.
func (s *Server) verifyData(r *http.Request, p *pendingSignIn, failed bool) (mfaVerifyData, error) {
	ks, err := s.accounts.Passkeys(r.Context(), p.User.ID)
	return mfaVerifyData{Failed: failed, Passkey: len(ks) > 0}, err
}

// mfaVerifyForm asks a half-signed-in user for the second factor.
func (s *Server) mfaVerifyForm(w http.ResponseWriter, r *http.Request) error {
	p := pending(r)
	if p == nil {
		return s.leaveSecondStep(w, r)
	}
	if p.Stage == stageEnrol {
		if has, err := s.accounts.HasSecondFactor(r.Context(), p.User.ID); err != nil || !has {
			http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
			return err
		}
	}
	d, err := s.verifyData(r, p, false)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "mfa_verify", s.newPage(r, "mfa.verify.title", "", d))
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
	res, err := s.accounts.VerifySecondFactor(r.Context(), s.client(r), p.User, r.PostForm.Get("code"))
	if err != nil {
		return err
	}
	if res.Method == "" {
		return s.mfaVerifyFailed(w, r)
	}
	next := "/"
	switch {
	case res.Method == "recovery":
		// Show how many recovery codes are left.
		next = "/account"
	case res.DraftWaiting:
		next = "/referrals/new" // back to the interview the session's end cut short
	}
	return s.signedIn(w, r, res.Token, res.Device, next)
}

func (s *Server) mfaVerifyFailed(w http.ResponseWriter, r *http.Request) error {
	d := mfaVerifyData{Failed: true}
	if p := pending(r); p != nil {
		var err error
		if d, err = s.verifyData(r, p, true); err != nil {
			return err
		}
	}
	return s.render(w, http.StatusUnauthorized, "mfa_verify", s.newPage(r, "mfa.verify.title", "", d))
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

package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/errs"
)

// passkeyCookie binds a sign-in without a password to the browser that
// began it (accounts.BeginPasskeySignIn).
const passkeyCookie = "haven_passkey"

// relyingParty is Haven as WebAuthn sees it: the configured base URL's
// host, else the host the request came to. Passkeys are bound to it, so
// production sets HAVEN_BASE_URL.
func (s *Server) relyingParty(r *http.Request) accounts.RelyingParty {
	if u, err := url.Parse(s.Config.BaseURL); err == nil && s.Config.BaseURL != "" {
		return accounts.RelyingParty{ID: u.Hostname(), Origin: u.Scheme + "://" + u.Host}
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	id := host
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		id = h
	}
	return accounts.RelyingParty{ID: id, Origin: scheme + "://" + host}
}

func writeRawJSON(w http.ResponseWriter, b []byte) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err := w.Write(b)
	return err
}

// passkeySubject is who registers a passkey: the user of a session opened
// by an enrolment link (their first second factor), or a signed-in user
// (another passkey, which the service allows only to one who has a second
// factor and proved it recently). ok=false: the answer was written.
func (s *Server) passkeySubject(w http.ResponseWriter, r *http.Request) (u accounts.User, sess accounts.Session, enrol, ok bool, err error) {
	if p := pending(r); p != nil {
		if p.Stage != stageEnrol {
			return u, sess, false, false, errUnauthenticated
		}
		return p.User, p.Session, true, true, nil
	}
	if cu, cs := currentUser(r), currentSession(r); cu != nil && cs != nil {
		return *cu, *cs, false, true, nil
	}
	return u, sess, false, false, errUnauthenticated
}

// passkeyRegisterBegin answers the options of navigator.credentials.create.
func (s *Server) passkeyRegisterBegin(w http.ResponseWriter, r *http.Request) error {
	u, sess, enrol, ok, err := s.passkeySubject(w, r)
	if !ok || err != nil {
		return err
	}
	b, err := s.accounts.BeginPasskeyRegistration(r.Context(), u, sess, enrol, s.relyingParty(r))
	if err != nil {
		return err
	}
	return writeRawJSON(w, b)
}

// passkeyRegister stores the new passkey (the form's credential field
// holds the authenticator's answer). A first passkey, in an enrolment
// session, signs the person in and shows the recovery codes once.
func (s *Server) passkeyRegister(w http.ResponseWriter, r *http.Request) error {
	u, sess, enrol, ok, err := s.passkeySubject(w, r)
	if !ok || err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	res, err := s.accounts.FinishPasskeyRegistration(r.Context(), s.client(r), u, sess, enrol, r.PostForm.Get("name"),
		r.PostForm.Get("credential"), s.relyingParty(r))
	if err == accounts.ErrWrongCode {
		if enrol {
			return s.renderEnrolPasskeyFailed(w, r, u)
		}
		http.Redirect(w, r, "/account/passkeys?done=failed", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	if !enrol {
		http.Redirect(w, r, "/account/passkeys?done=added", http.StatusSeeOther)
		return nil
	}
	s.setSessionCookie(w, res.Token)
	s.rememberDevice(w, res.Device)
	return s.render(w, http.StatusOK, "mfa_codes", s.newPage(r, "mfa.codes.title", "", mfaCodesData{Codes: res.Codes}))
}

func (s *Server) renderEnrolPasskeyFailed(w http.ResponseWriter, r *http.Request, u accounts.User) error {
	d := mfaEnrolData{PasskeyFailed: true}
	return s.render(w, http.StatusBadRequest, "mfa_enrol", s.newPage(r, "mfa.enrol.title", "", d))
}

// mfaPasskeyBegin answers the options of navigator.credentials.get for
// the second step of a sign-in.
func (s *Server) mfaPasskeyBegin(w http.ResponseWriter, r *http.Request) error {
	p := pending(r)
	if p == nil || p.Stage != stageMFA {
		return errUnauthenticated
	}
	b, err := s.accounts.BeginPasskeySecondFactor(r.Context(), p.User, p.Session, s.relyingParty(r))
	if err != nil {
		return err
	}
	return writeRawJSON(w, b)
}

// mfaPasskey checks the passkey of the second step.
func (s *Server) mfaPasskey(w http.ResponseWriter, r *http.Request) error {
	p := pending(r)
	if p == nil || p.Stage != stageMFA {
		return s.leaveSecondStep(w, r)
	}
	if err := r.ParseForm(); err != nil {
		return s.mfaVerifyFailed(w, r)
	}
	res, err := s.accounts.FinishPasskeySecondFactor(r.Context(), s.client(r), p.User, p.Session, r.PostForm.Get("credential"), s.relyingParty(r))
	if err != nil {
		return err
	}
	if res.Method == "" {
		return s.mfaVerifyFailed(w, r)
	}
	return s.signedIn(w, r, res.Token, res.Device, "/")
}

// loginPasskeyBegin starts a sign-in without a password.
func (s *Server) loginPasskeyBegin(w http.ResponseWriter, r *http.Request) error {
	b, handle, err := s.accounts.BeginPasskeySignIn(r.Context(), s.relyingParty(r))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: passkeyCookie, Value: handle, Path: "/login/", HttpOnly: true,
		Secure: s.Config.SecureCookies(), SameSite: http.SameSiteStrictMode, MaxAge: int(accounts.PasskeyChallengeLife.Seconds())})
	return writeRawJSON(w, b)
}

// loginPasskey completes a sign-in without a password.
func (s *Server) loginPasskey(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	handle := ""
	if c, err := r.Cookie(passkeyCookie); err == nil {
		handle = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: passkeyCookie, Value: "", Path: "/login/", HttpOnly: true,
		Secure: s.Config.SecureCookies(), SameSite: http.SameSiteStrictMode, MaxAge: -1})
	res, err := s.accounts.FinishPasskeySignIn(r.Context(), s.client(r), handle, r.PostForm.Get("credential"), s.relyingParty(r))
	if err != nil {
		return err
	}
	if res.Refused != "" {
		return s.loginPage(w, r, http.StatusUnauthorized, loginData{PasskeyFailed: true})
	}
	return s.signedIn(w, r, res.Token, res.Device, "/")
}

type passkeysData struct {
	Passkeys []accounts.Passkey
	Notice   string
	// CanAdd: the account has a second factor and proved it recently;
	// NeedsReauth: it has one, but must prove it again first.
	CanAdd, NeedsReauth, HasFactor bool
}

var passkeyNotices = map[string]string{"added": "passkey.notice.added", "failed": "passkey.notice.failed",
	"renamed": "passkey.notice.renamed", "removed": "passkey.notice.removed"}

// passkeysView lists one's passkeys.
func (s *Server) passkeysView(w http.ResponseWriter, r *http.Request) error {
	u, sess := currentUser(r), currentSession(r)
	if u == nil || sess == nil {
		return errUnauthenticated
	}
	ks, err := s.accounts.Passkeys(r.Context(), u.ID)
	if err != nil {
		return err
	}
	has, err := s.accounts.HasSecondFactor(r.Context(), u.ID)
	if err != nil {
		return err
	}
	recent := s.accounts.RecentlyAuthenticated(*sess)
	d := passkeysData{Passkeys: ks, Notice: passkeyNotices[r.URL.Query().Get("done")], HasFactor: has, CanAdd: has && recent, NeedsReauth: has && !recent}
	return s.render(w, http.StatusOK, "account_passkeys", s.newPage(r, "passkey.title", "", d))
}

// passkeyRename names one of one's passkeys.
func (s *Server) passkeyRename(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	if err := s.accounts.RenamePasskey(r.Context(), principal(r), r.PathValue("id"), r.PostForm.Get("name")); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/passkeys?done=renamed", http.StatusSeeOther)
	return nil
}

// passkeyRemove removes one of one's passkeys.
func (s *Server) passkeyRemove(w http.ResponseWriter, r *http.Request) error {
	if err := s.accounts.RemovePasskey(r.Context(), principal(r), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/passkeys?done=removed", http.StatusSeeOther)
	return nil
}

package web

import (
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/sso"
)

// ssoBrowserCookie binds a sign-in through a provider to the browser that
// began it: the callback is refused unless it carries the value the start
// set, so nobody can sign a victim's browser into the attacker's account
// by sending it a callback link (login CSRF).
const ssoBrowserCookie = "haven_sso"

// callbackURL is where the provider sends the browser back: the
// configured base URL, else the address the request came to (the
// provider accepts only the redirect URIs registered with it).
func (s *Server) callbackURL(r *http.Request) string {
	if s.Config.BaseURL != "" {
		return strings.TrimSuffix(s.Config.BaseURL, "/") + sso.CallbackPath
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + sso.CallbackPath
}

// ssoStart leaves for the provider (sso.Begin).
func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) error {
	authURL, browser, err := s.Services.SSO.Begin(r.Context(), r.PathValue("id"), s.callbackURL(r))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: ssoBrowserCookie, Value: browser, Path: "/sso/", HttpOnly: true,
		Secure: s.Config.SecureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: int(sso.FlowLife.Seconds())})
	http.Redirect(w, r, authURL, http.StatusSeeOther)
	return nil
}

type ssoRefusedData struct {
	// Reason is the key of the message: what the person can do about it.
	Reason string
}

// ssoReasonKey groups the refusal codes into what the person is told:
// the account is not allowed, the account is disabled, a second factor
// must be set up first, or the sign-in failed and can be tried again.
func ssoReasonKey(code string) string {
	switch code {
	case "unmapped", "no_provisioning", "no_account", "no_username", "username_taken":
		return "sso.refused.unmapped"
	case "disabled":
		return "sso.refused.disabled"
	case "no_second_factor":
		return "auth.login.needs_link"
	}
	return "sso.refused.failed"
}

// ssoCallback completes the sign-in (sso.Finish).
func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := sso.Callback{State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error")}
	if c, err := r.Cookie(ssoBrowserCookie); err == nil {
		in.Browser = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: ssoBrowserCookie, Value: "", Path: "/sso/", HttpOnly: true,
		Secure: s.Config.SecureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
	res, err := s.Services.SSO.Finish(r.Context(), s.client(r), in, s.callbackURL(r))
	if err != nil {
		return err
	}
	if res.Refused != "" {
		status := http.StatusForbidden
		if ssoReasonKey(res.Refused) == "sso.refused.failed" {
			status = http.StatusUnauthorized
		}
		return s.render(w, status, "sso_refused", s.newPage(r, "sso.refused.title", "", ssoRefusedData{Reason: ssoReasonKey(res.Refused)}))
	}
	return s.signedIn(w, r, res.Token, res.Device, afterFirstStep(res.Stage, false))
}

type adminSSOData struct {
	sso.Admin
	// Forms are one form per provider and a last, empty one for a new
	// provider.
	Forms []ssoForm
	Saved bool
	// Callback is the path of the redirect URI to register.
	Callback string
}

type ssoForm struct {
	P sso.ProviderRow
	// Mapping is the provider's mapping as the form shows it.
	Mapping string
	// N numbers the form, for unique element ids.
	N int
}

// adminSSO shows the identity providers and a form for each.
func (s *Server) adminSSO(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminSSO(w, r, http.StatusOK, r.URL.Query().Get("saved") == "1")
}

func (s *Server) renderAdminSSO(w http.ResponseWriter, r *http.Request, status int, saved bool) error {
	a, err := s.Services.SSO.AdminView(r.Context(), principal(r))
	if err != nil {
		return err
	}
	d := adminSSOData{Admin: a, Saved: saved, Callback: sso.CallbackPath}
	for i, p := range a.Providers {
		rules, err := sso.DecodeRules(p.Mapping)
		if err != nil {
			return err
		}
		d.Forms = append(d.Forms, ssoForm{P: p, Mapping: sso.FormatRules(rules), N: i + 1})
	}
	d.Forms = append(d.Forms, ssoForm{P: sso.ProviderRow{Scopes: "openid profile email", Enabled: true}, N: 0})
	return s.render(w, status, "admin_sso", s.newPage(r, "sso.admin.title", "admin", d))
}

// adminSSOSave creates or changes a provider (sso.Save).
func (s *Server) adminSSOSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	f := r.PostForm
	in := sso.ProviderInput{ID: f.Get("id"), Version: f.Get("version"), Name: f.Get("name"), JurisdictionID: f.Get("jurisdiction"),
		AgencyID: f.Get("agency"), Issuer: f.Get("issuer"), ClientID: f.Get("client_id"), SecretEnv: f.Get("secret_env"),
		SecretFile: f.Get("secret_file"), Scopes: f.Get("scopes"), MFAValues: f.Get("mfa_values"), Mapping: f.Get("mapping"),
		Provision: f.Get("provision"), Enabled: f.Get("enabled")}
	if _, err := s.Services.SSO.Save(r.Context(), principal(r), in); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/sso?saved=1", http.StatusSeeOther)
	return nil
}

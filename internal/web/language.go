package web

import (
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/errs"
)

const langCookie = "haven_lang"

// languageChange stores the chosen language: on the account when signed in,
// and in a cookie for the sign-in page. It works without JavaScript.
func (s *Server) languageChange(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	lang := r.PostForm.Get("lang")
	if !s.I18n.Supported(lang) {
		return errs.Field("lang", "error.bad_request", errs.E(errs.Invalid, "unsupported language"))
	}
	if u := currentUser(r); u != nil {
		if err := s.accounts.SetLanguage(r.Context(), principal(r), u.ID, lang); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", HttpOnly: true,
		Secure: s.Config.SecureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	http.Redirect(w, r, localPath(r.PostForm.Get("return")), http.StatusSeeOther)
	return nil
}

// localPath accepts only a path on this site, so the return address cannot
// send the user elsewhere. Control characters are refused too: browsers
// drop tabs and newlines from a Location, so "/\t/evil.example" would
// become "//evil.example".
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\?#") || len(p) > 200 ||
		strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return p
}

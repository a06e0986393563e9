package web

import (
	"errors"
	"net/http"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
)

type passwordData struct {
	// Error is the translation key of what went wrong, if anything;
	// Field is the input it concerns.
	Error, Field string
	// Min is the shortest password; Count the number the error message
	// names, if any.
	Min, Count int
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, http.StatusOK, "account_password", s.newPage(r, "account.password.title", "",
		passwordData{Min: auth.MinPasswordChars}))
}

// passwordChange sets a new password (accounts.ChangePassword): the other
// sessions of the user end and every API token is revoked; this session
// gets a new id. A refused form comes back with the message next to its
// field.
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) error {
	u, sess, err := sessionForm(r)
	if err != nil {
		return err
	}
	in := accounts.PasswordChange{Current: r.PostForm.Get("current"), New: r.PostForm.Get("new"), Confirm: r.PostForm.Get("confirm")}
	token, err := s.accounts.ChangePassword(r.Context(), s.client(r), u, sess, in)
	var refusal *errs.Error
	if errors.As(err, &refusal) && refusal.Key != "" && (refusal.Kind == errs.Invalid || refusal.Kind == errs.Unauthenticated) {
		status, count := http.StatusBadRequest, auth.MinPasswordChars
		if refusal.Kind == errs.Unauthenticated {
			status = http.StatusUnauthorized
		}
		if refusal.Key == "auth.password."+string(auth.PasswordTooLong) {
			count = auth.MaxPasswordBytes
		}
		return s.render(w, status, "account_password", s.newPage(r, "account.password.title", "",
			passwordData{Error: refusal.Key, Field: refusal.Field, Min: auth.MinPasswordChars, Count: count}))
	}
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
	return nil
}

// sessionForm is the signed-in user and session of a form that acts on
// them (a new password, a reauthentication), with the form parsed.
func sessionForm(r *http.Request) (accounts.User, accounts.Session, error) {
	u, sess := currentUser(r), currentSession(r)
	if u == nil || sess == nil {
		return accounts.User{}, accounts.Session{}, errNeedsSession
	}
	if err := r.ParseForm(); err != nil {
		return accounts.User{}, accounts.Session{}, errs.Wrap(errs.Invalid, err)
	}
	return *u, *sess, nil
}

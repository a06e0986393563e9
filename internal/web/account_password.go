package web

import (
	"errors"
	"net/http"

	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
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

// passwordChange sets a new password after checking the current one (whose
// failures count like failed sign-ins) and the password policy. The other
// sessions of the user end and every API token is revoked; this session
// gets a new id.
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	sess := currentSession(r)
	if u == nil || sess == nil {
		return errNeedsSession
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	current, next, again := r.PostForm.Get("current"), r.PostForm.Get("new"), r.PostForm.Get("confirm")
	fail := func(status int, field, key string) error {
		count := auth.MinPasswordChars
		if key == "auth.password."+string(auth.PasswordTooLong) {
			count = auth.MaxPasswordBytes
		}
		return s.render(w, status, "account_password", s.newPage(r, "account.password.title", "",
			passwordData{Error: key, Field: field, Min: auth.MinPasswordChars, Count: count}))
	}
	ctx := r.Context()
	now := s.Now()
	refused, err := s.throttled(r, u.Username, now)
	if err != nil {
		return err
	}
	if refused || len(current) > 1000 || auth.VerifyPassword(current, u.PasswordHash) != nil {
		if err := s.DB.Write(ctx, func(tx *store.Tx) error {
			if !refused {
				if err := s.countFailure(ctx, tx, r, u.Username, now); err != nil {
					return err
				}
			}
			return tx.Audit(ctx, s.event(r, "user.password_failed", "user", u.ID, nil))
		}); err != nil {
			return err
		}
		return fail(http.StatusUnauthorized, "current", "account.password.wrong_current")
	}
	if next != again {
		return fail(http.StatusBadRequest, "confirm", "account.password.mismatch")
	}
	if err := auth.CheckPassword(next, u.Username, u.DisplayName); err != nil {
		var pe *auth.PasswordError
		if errors.As(err, &pe) {
			return fail(http.StatusBadRequest, "new", "auth.password."+string(pe.Problem))
		}
		return err
	}
	if next == current {
		return fail(http.StatusBadRequest, "new", "account.password.same")
	}
	hash, err := auth.HashPassword(next, auth.DefaultParams)
	if err != nil {
		return err
	}
	var token string
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetUserPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		if err := tx.EndUserAccess(ctx, u.ID); err != nil {
			return err
		}
		var err error
		if token, err = s.rotateSession(ctx, tx, r, newSession{UserID: u.ID, MFA: sess.MFA, AuthAt: store.Millis(now),
			CreatedAt: sess.CreatedAt, ExpiresAt: sess.ExpiresAt}, now); err != nil {
			return err
		}
		return tx.Audit(ctx, s.event(r, "user.password", "user", u.ID, nil))
	})
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
	return nil
}

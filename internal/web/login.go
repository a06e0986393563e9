package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

type loginData struct {
	Username string
	Failed   bool
	// NeedsLink: the password was right, but the account must set up a
	// second factor first, which only its enrolment link allows.
	NeedsLink bool
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if currentUser(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.render(w, http.StatusOK, "login", s.newPage(r, "auth.login.title", "", loginData{}))
}

// loginSubmit is the password step of signing in. Unknown users, wrong
// passwords, disabled accounts and attempts refused by the failure counters
// get the same message, so the form cannot tell who has an account; unknown
// users cost the time of a password check. A user with a second factor
// gets a session that can only take the second step. A user who must have
// one and has none gets no session at all: a password alone never sets up a
// second factor, so the page says to open the enrolment link
// (enrol_link.go). A complete sign-in marks the browser as a known device
// of the account (see throttleKeys).
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	password := r.PostForm.Get("password")
	if len(username) > 100 || len(password) > 1000 {
		return errs.E(errs.Invalid, "credentials too long")
	}
	// No account has such a name, and PostgreSQL refuses NUL and invalid
	// UTF-8 in a query parameter.
	if !utf8.ValidString(username) || strings.IndexByte(username, 0) >= 0 {
		return errs.E(errs.Invalid, "malformed user name")
	}
	ctx := r.Context()
	now := s.Now()
	refused, err := s.throttled(r, username, now)
	if err != nil {
		return err
	}
	if refused {
		// Refused unchecked and uncounted: a lock never grows while
		// someone keeps knocking.
		if err := s.DB.Write(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, audit.Event{Action: "session.refused", Reason: "throttled"})
		}); err != nil {
			return err
		}
		return s.loginFailed(w, r, username)
	}
	u, err := s.DB.UserByUsername(ctx, username)
	switch {
	case errs.Is(err, errs.NotFound):
		auth.EqualiseTiming(password)
	case err != nil:
		return err
	default:
		if verr := auth.VerifyPassword(password, u.PasswordHash); verr != nil {
			if !errors.Is(verr, auth.ErrMismatch) {
				s.Logger.Error("stored password hash unusable", "user_id", u.ID)
			}
			err = verr
		} else if u.Disabled {
			err = errs.E(errs.Unauthenticated, "account disabled")
		}
	}
	if err != nil {
		ev := audit.Event{Action: "session.failed"}
		if u.ID != "" {
			ev.ObjectType, ev.ObjectID, ev.Agency = "user", u.ID, u.AgencyID
		}
		if aerr := s.DB.Write(ctx, func(tx *store.Tx) error {
			if err := s.countFailure(ctx, tx, r, username, now); err != nil {
				return err
			}
			return tx.Audit(ctx, ev)
		}); aerr != nil {
			return aerr
		}
		return s.loginFailed(w, r, username)
	}
	hasMFA, err := s.DB.HasMFA(ctx, u.ID)
	if err != nil {
		return err
	}
	if !hasMFA && s.mfaRequired(access.Role(u.Role)) {
		if err := s.DB.Write(ctx, func(tx *store.Tx) error {
			ev := userEvent(u, "session.refused", nil)
			ev.Reason = "no_second_factor"
			return tx.Audit(ctx, ev)
		}); err != nil {
			return err
		}
		p := s.newPage(r, "auth.login.title", "", loginData{Username: username, NeedsLink: true})
		return s.render(w, http.StatusForbidden, "login", p)
	}
	ms := store.Millis(now)
	ns := newSession{UserID: u.ID, AuthAt: ms, ExpiresAt: store.Millis(now.Add(sessionAbsolute))}
	next := "/"
	if hasMFA {
		ns.Stage, ns.AuthAt, ns.ExpiresAt, next = stageMFA, 0, store.Millis(now.Add(pendingMFALife)), "/mfa/verify"
	}
	var token string
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		if token, err = s.rotateSession(ctx, tx, r, ns, now); err != nil {
			return err
		}
		if ns.Stage != stageMFA {
			// Everything the account has was proved: forget its
			// failures. With a second factor that waits for it.
			if err := s.clearFailures(ctx, tx, r, username); err != nil {
				return err
			}
		}
		var details map[string]string
		if ns.Stage != "" {
			details = map[string]string{"stage": ns.Stage}
		}
		return tx.Audit(ctx, userEvent(u, "session.start", details))
	})
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	if ns.Stage == "" {
		s.rememberDevice(w, u.Username)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// loginFailed shows the one message every failed sign-in gets.
func (s *Server) loginFailed(w http.ResponseWriter, r *http.Request, username string) error {
	p := s.newPage(r, "auth.login.title", "", loginData{Username: username, Failed: true})
	return s.render(w, http.StatusUnauthorized, "login", p)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.DB.Write(r.Context(), func(tx *store.Tx) error {
			if err := tx.DeleteSession(r.Context(), store.HashToken(c.Value)); err != nil {
				return err
			}
			if u := currentUser(r); u != nil {
				return tx.Audit(r.Context(), s.event(r, "session.end", "user", u.ID, nil))
			}
			if p := pending(r); p != nil {
				return tx.Audit(r.Context(), userEvent(p.User, "session.end", map[string]string{"stage": p.Stage}))
			}
			return nil
		}); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

type loginData struct {
	Username string
	Failed   bool
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if currentUser(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.render(w, http.StatusOK, "login", s.newPage(r, "auth.login.title", "", loginData{}))
}

// loginSubmit signs a user in. Unknown users and wrong passwords get the same
// message and cost the same time, so the form cannot tell who has an
// account.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	password := r.PostForm.Get("password")
	if len(username) > 100 || len(password) > 1000 {
		return errs.E(errs.Invalid, "credentials too long")
	}
	u, err := s.DB.UserByUsername(r.Context(), username)
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
		if aerr := s.DB.Write(r.Context(), func(tx *store.Tx) error { return tx.Audit(r.Context(), ev) }); aerr != nil {
			return aerr
		}
		p := s.newPage(r, "auth.login.title", "", loginData{Username: username, Failed: true})
		return s.render(w, http.StatusUnauthorized, "login", p)
	}
	// A new session id at every sign-in: a session id planted before
	// sign-in is never promoted.
	if old, cerr := r.Cookie(sessionCookie); cerr == nil {
		_ = s.DB.Write(r.Context(), func(tx *store.Tx) error { return tx.DeleteSession(r.Context(), store.HashToken(old.Value)) })
	}
	token := auth.NewToken()
	now := s.Now()
	err = s.DB.Write(r.Context(), func(tx *store.Tx) error {
		if err := tx.InsertSession(r.Context(), store.Session{TokenHash: store.HashToken(token), UserID: u.ID,
			CreatedAt: store.Millis(now), LastSeenAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(sessionAbsolute))}); err != nil {
			return err
		}
		return tx.Audit(r.Context(), audit.Event{Actor: u.ID, Action: "session.start", ObjectType: "user", ObjectID: u.ID, Agency: u.AgencyID})
	})
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
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
			return nil
		}); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

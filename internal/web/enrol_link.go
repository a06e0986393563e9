package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

type enrolLinkData struct {
	// Action is the link's own path, where the form posts.
	Action string
	// Invalid: the link is unknown, used, expired or replaced.
	Invalid bool
	Failed  bool
}

// enrolLinkForm is the page a one-time enrolment link opens: it asks for
// the account's password. Opening it spends nothing, so a mail scanner
// that follows the link does not use it up.
func (s *Server) enrolLinkForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if _, err := accounts.LinkUser(r.Context(), s.DB, token, s.Now()); err != nil {
		return s.enrolLinkInvalid(w, r, err)
	}
	return s.render(w, http.StatusOK, "enrol_link", s.newPage(r, "enrol.link.title", "", enrolLinkData{Action: accounts.EnrolPath + token}))
}

// enrolLinkInvalid answers a link that does not work with one page for
// every reason (404), or passes on a fault.
func (s *Server) enrolLinkInvalid(w http.ResponseWriter, r *http.Request, err error) error {
	if !errs.Is(err, errs.NotFound) {
		return err
	}
	return s.render(w, http.StatusNotFound, "enrol_link", s.newPage(r, "enrol.link.title", "", enrolLinkData{Invalid: true}))
}

// enrolLinkSubmit checks the account's password (failures count like
// failed sign-ins), spends the link and opens a session that can only set
// up a second factor (/mfa/enrol); confirming it signs the person in.
// Neither the link without the password nor the password without the link
// gets this far.
func (s *Server) enrolLinkSubmit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	now := s.Now()
	token := r.PathValue("token")
	u, err := accounts.LinkUser(ctx, s.DB, token, now)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			if aerr := s.DB.Write(ctx, func(tx *store.Tx) error {
				return tx.Audit(ctx, audit.Event{Action: "user.enrol_link_refused", Reason: "invalid_link"})
			}); aerr != nil {
				return aerr
			}
		}
		return s.enrolLinkInvalid(w, r, err)
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	password := r.PostForm.Get("password")
	refused, err := s.throttled(r, u.Username, now)
	if err != nil {
		return err
	}
	if refused || len(password) > 1000 || auth.VerifyPassword(password, u.PasswordHash) != nil {
		if err := s.DB.Write(ctx, func(tx *store.Tx) error {
			if !refused {
				if err := s.countFailure(ctx, tx, r, u.Username, now); err != nil {
					return err
				}
			}
			return tx.Audit(ctx, userEvent(u, "user.enrol_link_failed", nil))
		}); err != nil {
			return err
		}
		d := enrolLinkData{Action: accounts.EnrolPath + token, Failed: true}
		return s.render(w, http.StatusUnauthorized, "enrol_link", s.newPage(r, "enrol.link.title", "", d))
	}
	var sess string
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := accounts.RedeemEnrolLink(ctx, tx, u, token, now); err != nil {
			return err
		}
		var err error
		sess, err = s.rotateSession(ctx, tx, r, newSession{UserID: u.ID, Stage: stageEnrol, AuthAt: store.Millis(now),
			ExpiresAt: store.Millis(now.Add(pendingEnrolLife))}, now)
		return err
	})
	if err != nil {
		// Spent by a request racing this one.
		return s.enrolLinkInvalid(w, r, err)
	}
	s.setSessionCookie(w, sess)
	http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
	return nil
}

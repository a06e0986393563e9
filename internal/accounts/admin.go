package accounts

import (
	"context"
	"time"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/store"
)

// This file holds the administration of accounts that `haven user` does
// today: creating an account, disabling and enabling it, resetting its
// second factor, and listing accounts. reason names the surface in the
// audit events ("cli"); the actor is the system.

// NewAccount is an account to create. Password is in clear; it must pass
// the password policy (the caller checks it, to say which rule failed).
type NewAccount struct {
	Username, DisplayName, Password, Role, AgencyID, Email string
}

// CheckAgency answers errs.Invalid when no agency has id.
func (s *Service) CheckAgency(ctx context.Context, id string) error {
	if _, err := s.db.Agency(ctx, id); err != nil {
		return errs.E(errs.Invalid, "no agency with id %q", id)
	}
	return nil
}

// CreateUser stores a new account with its password hashed, records
// user.create and issues its first enrolment link (valid for life,
// delivered as Delivery says for m), in one transaction. The agency must
// exist.
func (s *Service) CreateUser(ctx context.Context, in NewAccount, m *notify.Mailer, life time.Duration, reason string) (User, Link, error) {
	if err := s.CheckAgency(ctx, in.AgencyID); err != nil {
		return User{}, Link{}, err
	}
	hash, err := auth.HashPassword(in.Password, auth.DefaultParams)
	if err != nil {
		return User{}, Link{}, err
	}
	u := store.User{ID: store.NewID(), Username: in.Username, DisplayName: in.DisplayName, PasswordHash: hash, Role: in.Role,
		AgencyID: in.AgencyID, Email: in.Email}
	var link Link
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		u.CreatedAt, u.UpdatedAt = store.Millis(tx.Now), store.Millis(tx.Now)
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.Audit(ctx, audit.Event{Action: "user.create", ObjectType: "user", ObjectID: u.ID, Agency: u.AgencyID, Reason: reason,
			Details: map[string]string{"role": in.Role}}); err != nil {
			return err
		}
		var err error
		link, err = IssueEnrolLink(ctx, tx, u, tx.Now, life, Delivery(m, u), reason)
		return err
	})
	if err != nil {
		return User{}, Link{}, err
	}
	return u, link, nil
}

// ResetSecondFactor is for a user who lost their authenticator and
// recovery codes: both are removed, every session and API token of the
// account ends, user.mfa_reset is recorded and a new enrolment link is
// issued, in one transaction.
func (s *Service) ResetSecondFactor(ctx context.Context, username string, m *notify.Mailer, life time.Duration, reason string) (User, Link, error) {
	u, err := s.db.UserByUsername(ctx, username)
	if err != nil {
		return User{}, Link{}, err
	}
	var link Link
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ResetMFA(ctx, u.ID); err != nil {
			return err
		}
		if err := tx.Audit(ctx, audit.Event{Action: "user.mfa_reset", ObjectType: "user", ObjectID: u.ID, Agency: u.AgencyID, Reason: reason}); err != nil {
			return err
		}
		link, err = IssueEnrolLink(ctx, tx, u, tx.Now, life, Delivery(m, u), reason)
		return err
	})
	if err != nil {
		return User{}, Link{}, err
	}
	return u, link, nil
}

// AllUsers lists every account by username and the ids of those with a
// confirmed second factor.
func (s *Service) AllUsers(ctx context.Context) ([]User, map[string]bool, error) {
	us, err := s.db.Users(ctx)
	if err != nil {
		return nil, nil, err
	}
	mfa, err := s.db.MFAUsers(ctx)
	if err != nil {
		return nil, nil, err
	}
	return us, mfa, nil
}

// LinkShown records that u's enrolment link, meant to be e-mailed, was
// shown to the administrator instead because the e-mail failed.
func (s *Service) LinkShown(ctx context.Context, u User) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Action: "user.enrol_link_shown", ObjectType: "user", ObjectID: u.ID, Agency: u.AgencyID, Reason: "email_failed"})
	})
}

package admin

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/store"
)

// This file holds the accounts an administrator keeps. A system
// administrator keeps the accounts of administrators (agency and system);
// an agency administrator keeps the other accounts of their own agency
// and no other's: the resource of access.AdministerUser is the account's
// agency. An account out of reach answers errs.NotFound, as if it did not
// exist.

// adminRoles are the roles only a system administrator gives or keeps.
var adminRoles = []access.Role{access.AgencyAdmin, access.SystemAdmin}

// mayAdminister reports whether by may keep an account of role in agency.
func (b By) mayAdminister(role access.Role, agencyID string) bool {
	for _, r := range adminRoles {
		if role == r {
			return b.allowed(access.AdministerAdmin, access.Resource{})
		}
	}
	return b.allowed(access.AdministerUser, access.Resource{AgencyID: agencyID})
}

// InviteInput is an invitation: a new account without a password.
type InviteInput struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	// AgencyID: "" means the inviting administrator's own agency.
	AgencyID string `json:"agency_id"`
	Email    string `json:"email"`
}

// Invite creates an account without a password and issues its one-time
// link (valid for life; e-mailed by m when it can be, else to be shown
// once): the person chooses a password and sets up a second factor on
// the link's page (user.create, user.enrol_link).
func (s *Service) Invite(ctx context.Context, by By, in InviteInput, m *notify.Mailer, life time.Duration) (store.User, accounts.Link, error) {
	role := access.Role(strings.TrimSpace(in.Role))
	if !role.Valid() {
		return store.User{}, accounts.Link{}, invalid("role", "role")
	}
	agencyID := strings.TrimSpace(in.AgencyID)
	if agencyID == "" && !by.Shell {
		agencyID = by.Principal.AgencyID
	}
	if !by.mayAdminister(role, agencyID) {
		return store.User{}, accounts.Link{}, errForbidden
	}
	ag, err := s.db.AgencySettingsByID(ctx, agencyID)
	if err != nil || !ag.Active {
		return store.User{}, accounts.Link{}, invalid("agency_id", "agency")
	}
	u, err := checkAccount(in.Username, in.DisplayName, in.Email)
	if err != nil {
		return store.User{}, accounts.Link{}, err
	}
	u.Role, u.AgencyID = string(role), ag.ID
	var link accounts.Link
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		now := store.Millis(tx.Now)
		u.ID, u.CreatedAt, u.UpdatedAt = store.NewID(), now, now
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.Audit(ctx, by.event("user.create", "user", u.ID, u.AgencyID, map[string]string{"role": u.Role, "via": "invite"})); err != nil {
			return err
		}
		reason := "web"
		if by.Shell {
			reason = "cli"
		}
		var err error
		link, err = accounts.IssueEnrolLink(ctx, tx, u, tx.Now, life, accounts.Delivery(m, u), reason)
		return err
	})
	if err != nil {
		return store.User{}, accounts.Link{}, usernameTaken(err)
	}
	return u, link, nil
}

// usernameTaken answers a user name already in use with the
// administration's refusal.
func usernameTaken(err error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Key == "user.username_taken" {
		return invalid("username", "username_taken")
	}
	return err
}

// target loads the account id and checks that by may keep it.
func (s *Service) target(ctx context.Context, by By, id string) (store.User, error) {
	u, err := s.db.UserByID(ctx, strings.TrimSpace(id))
	if err != nil {
		return store.User{}, err
	}
	if !by.mayAdminister(access.Role(u.Role), u.AgencyID) {
		return store.User{}, errs.E(errs.NotFound, "user not found")
	}
	if !by.Shell && u.ID == by.Principal.UserID {
		// An administrator does not lock themselves out, nor promote
		// themselves: another administrator does it.
		return store.User{}, errForbidden
	}
	return u, nil
}

// SetRole changes the role of account id (user.role). Both the old and
// the new role must be within by's reach.
func (s *Service) SetRole(ctx context.Context, by By, id, role string) error {
	u, err := s.target(ctx, by, id)
	if err != nil {
		return err
	}
	r := access.Role(strings.TrimSpace(role))
	if !r.Valid() {
		return invalid("role", "role")
	}
	if !by.mayAdminister(r, u.AgencyID) {
		return errForbidden
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetUserRole(ctx, u.ID, string(r)); err != nil {
			return err
		}
		// Sessions carry the role they started with: they end.
		if err := tx.EndUserAccess(ctx, u.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, by.event("user.role", "user", u.ID, u.AgencyID, map[string]string{"from": u.Role, "to": string(r)}))
	})
}

// SetDisabled disables or re-enables account id (user.disable,
// user.enable); disabling ends its sessions, tokens and links.
func (s *Service) SetDisabled(ctx context.Context, by By, id string, disabled bool) error {
	u, err := s.target(ctx, by, id)
	if err != nil {
		return err
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetUserDisabled(ctx, u.ID, disabled); err != nil {
			return err
		}
		return tx.Audit(ctx, by.event(action, "user", u.ID, u.AgencyID, nil))
	})
}

// ResetSecondFactor removes account id's authenticator and recovery
// codes, ends its sessions and tokens and issues a new enrolment link
// (user.mfa_reset, user.enrol_link).
func (s *Service) ResetSecondFactor(ctx context.Context, by By, id string, m *notify.Mailer, life time.Duration) (store.User, accounts.Link, error) {
	u, err := s.target(ctx, by, id)
	if err != nil {
		return store.User{}, accounts.Link{}, err
	}
	var link accounts.Link
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ResetMFA(ctx, u.ID); err != nil {
			return err
		}
		if err := tx.Audit(ctx, by.event("user.mfa_reset", "user", u.ID, u.AgencyID, nil)); err != nil {
			return err
		}
		reason := "web"
		if by.Shell {
			reason = "cli"
		}
		link, err = accounts.IssueEnrolLink(ctx, tx, u, tx.Now, life, accounts.Delivery(m, u), reason)
		return err
	})
	if err != nil {
		return store.User{}, accounts.Link{}, err
	}
	return u, link, nil
}

// UserRow is an account in the administration list.
type UserRow struct {
	store.User
	// Agency is the agency's name; MFA: a second factor is set up;
	// Invited: no password chosen yet; Manage: the reader may change it.
	Agency       string
	MFA, Invited bool
	Manage       bool
}

// Accounts is the users page: the accounts by reaches, the roles it may
// give and the agencies it may invite into.
type Accounts struct {
	Users    []UserRow
	Roles    []access.Role
	Agencies []Agency
}

// Accounts lists what by administers: a system administrator every
// account (changing the administrators'), an agency administrator their
// own agency's.
func (s *Service) Accounts(ctx context.Context, by By) (Accounts, error) {
	if !by.allowed(access.ManageUsers, access.Resource{}) {
		return Accounts{}, errForbidden
	}
	us, err := s.db.Users(ctx)
	if err != nil {
		return Accounts{}, err
	}
	mfa, err := s.db.MFAUsers(ctx)
	if err != nil {
		return Accounts{}, err
	}
	as, err := s.db.AllAgencySettings(ctx)
	if err != nil {
		return Accounts{}, err
	}
	names := map[string]string{}
	var out Accounts
	for _, a := range as {
		names[a.ID] = a.Name
		if a.Active && (by.allowed(access.AdministerAdmin, access.Resource{}) || by.allowed(access.AdministerUser, access.Resource{AgencyID: a.ID})) {
			out.Agencies = append(out.Agencies, a)
		}
	}
	for _, r := range access.Roles {
		if by.mayAdminister(r, by.Principal.AgencyID) {
			out.Roles = append(out.Roles, r)
		}
	}
	for _, u := range us {
		own := by.Shell || by.allowed(access.AdministerAdmin, access.Resource{}) || u.AgencyID == by.Principal.AgencyID
		if !own {
			continue
		}
		manage := by.mayAdminister(access.Role(u.Role), u.AgencyID) && (by.Shell || u.ID != by.Principal.UserID)
		out.Users = append(out.Users, UserRow{User: u, Agency: names[u.AgencyID], MFA: mfa[u.ID], Invited: u.PasswordHash == "", Manage: manage})
	}
	return out, nil
}

package accounts

import (
	"context"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// External is a sign-in that an identity provider vouched for (package
// sso): the provider, the keyed hash of the subject, and what the
// administrator's mapping decided.
type External struct {
	ProviderID  string
	SubjectHash []byte
	// Provision: no account is linked yet; create one with these.
	Provision      bool
	Username, Name string
	AgencyID, Role string
	// MFA: the provider's proof of a second factor counts as Haven's.
	MFA bool
}

// ExternalOutcome is how an external sign-in ended.
type ExternalOutcome struct {
	// Refused is a reason code when no session started: "disabled",
	// "no_account", "username_taken", "no_second_factor".
	Refused string
	Token   string
	Stage   string
	Device  string
}

// SignInExternal starts a session for a sign-in an identity provider
// vouched for, in one transaction: the linked account (or, when the
// mapping allows it, a new account linked to the subject), the session and
// session.start with the provider and whether its proof of a second
// factor counted. A disabled account stays out. When the provider's proof
// does not count, the account's own second factor is asked for; an account
// that must have one and has none is refused as a password sign-in is
// (only an enrolment link sets one up). A provisioned account gets a
// random password nobody knows: it signs in through its provider.
func (s *Service) SignInExternal(ctx context.Context, c Client, e External) (ExternalOutcome, error) {
	now := s.now()
	var hash string
	if e.Provision {
		var err error
		if hash, err = auth.HashPassword(auth.NewToken(), auth.DefaultParams); err != nil {
			return ExternalOutcome{}, err
		}
	}
	var out ExternalOutcome
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		refuse := func(u *User, reason string) error {
			out = ExternalOutcome{Refused: reason}
			ev := audit.Event{Action: "session.refused", Reason: reason, Details: map[string]string{"provider": e.ProviderID}}
			if u != nil {
				ev.Actor, ev.ObjectType, ev.ObjectID, ev.Agency = u.ID, "user", u.ID, u.AgencyID
			}
			return tx.Audit(ctx, ev)
		}
		var u User
		userID, err := tx.SSOIdentityUser(ctx, e.ProviderID, e.SubjectHash)
		switch {
		case errs.Is(err, errs.NotFound) && !e.Provision:
			return refuse(nil, "no_account")
		case errs.Is(err, errs.NotFound):
			u = store.User{ID: store.NewID(), Username: e.Username, DisplayName: e.Name, PasswordHash: hash, Role: e.Role,
				AgencyID: e.AgencyID, CreatedAt: store.Millis(now), UpdatedAt: store.Millis(now)}
			if err := tx.InsertUser(ctx, u); err != nil {
				if errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) {
					return refuse(nil, "username_taken")
				}
				return err
			}
			if err := tx.LinkSSOIdentity(ctx, e.ProviderID, e.SubjectHash, u.ID); err != nil {
				return err
			}
			if err := tx.Audit(ctx, audit.Event{Actor: u.ID, Action: "user.provision", ObjectType: "user", ObjectID: u.ID,
				Agency: u.AgencyID, Details: map[string]string{"provider": e.ProviderID, "role": e.Role}}); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if u, err = s.db.UserByID(ctx, userID); err != nil {
				return err
			}
			if u.Disabled {
				return refuse(&u, "disabled")
			}
			if err := tx.TouchSSOIdentity(ctx, e.ProviderID, e.SubjectHash); err != nil {
				return err
			}
		}
		ns := newSession{UserID: u.ID, MFA: e.MFA, AuthAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(SessionAbsolute))}
		if !e.MFA {
			has, err := store.HasMFAOf(ctx, tx, u.ID)
			if err != nil {
				return err
			}
			switch {
			case has:
				ns.Stage, ns.AuthAt, ns.ExpiresAt = StageMFA, 0, store.Millis(now.Add(PendingMFALife))
			case s.mfaRequired(access.Role(u.Role)):
				return refuse(&u, "no_second_factor")
			}
		}
		if out.Token, err = s.rotateSession(ctx, tx, c, ns, now); err != nil {
			return err
		}
		out.Stage = ns.Stage
		d := map[string]string{"provider": e.ProviderID, "method": "sso"}
		if e.MFA {
			d["mfa"] = "provider"
		}
		if ns.Stage != "" {
			d["stage"] = ns.Stage
		}
		if ns.Stage == "" {
			out.Device = s.NewDeviceCookie(u.Username)
		}
		return tx.Audit(ctx, userEvent(u, "session.start", d))
	})
	if err != nil {
		return ExternalOutcome{}, err
	}
	return out, nil
}

package accounts

import (
	"context"
	"errors"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// Answers of the second-factor set-up that the pages turn into redirects.
var (
	// ErrEnrolled: the user already has a confirmed second factor.
	ErrEnrolled = errs.E(errs.Conflict, "a confirmed second factor exists")
	// ErrNotStarted: no authenticator is being set up.
	ErrNotStarted = errs.E(errs.NotFound, "no second factor being set up")
	// ErrWrongCode: the code does not confirm the new authenticator (or
	// it was confirmed meanwhile, or the code's step was used).
	ErrWrongCode = errs.E(errs.Invalid, "code does not confirm the authenticator")
	// ErrNoSecondFactor: the user has no second factor to renew codes of.
	ErrNoSecondFactor = errs.E(errs.NotFound, "no second factor")
)

// Enrolment is the state of a second factor being set up.
type Enrolment struct {
	// Started: a secret was made and awaits its first code.
	Started bool
	// Secret is the base32 secret; URI the otpauth:// URI of it.
	Secret, URI string
}

// Enrolment returns the authenticator u is setting up: none yet
// (Started false), or its secret; ErrEnrolled when it is confirmed.
func (s *Service) Enrolment(ctx context.Context, u User) (Enrolment, error) {
	m, err := s.db.MFA(ctx, u.ID)
	switch {
	case errs.Is(err, errs.NotFound):
		return Enrolment{}, nil
	case err != nil:
		return Enrolment{}, err
	case m.Confirmed:
		return Enrolment{}, ErrEnrolled
	}
	secret, err := s.openTOTPSecret(m)
	if err != nil {
		return Enrolment{}, err
	}
	uri, err := auth.TOTPURI(secret, TOTPIssuer, u.Username)
	if err != nil {
		return Enrolment{}, errs.Wrap(errs.Internal, err)
	}
	return Enrolment{Started: true, Secret: secret, URI: uri}, nil
}

// StartEnrolment creates a new TOTP secret for u, sealed under u's own
// data key, replacing one that was never confirmed; ErrEnrolled when u has
// a confirmed one.
func (s *Service) StartEnrolment(ctx context.Context, u User) error {
	if has, err := s.db.HasMFA(ctx, u.ID); err != nil || has {
		if has {
			return ErrEnrolled
		}
		return err
	}
	wrapped, sealed, err := s.sealTOTPSecret(u.ID, auth.NewTOTPSecret())
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.PutPendingMFA(ctx, store.MFA{UserID: u.ID, WrappedKey: wrapped, Secret: sealed}); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(u, "mfa.enrol_start", nil))
	})
}

// Confirmed is the answer of ConfirmEnrolment.
type Confirmed struct {
	// Codes are the new recovery codes, shown once.
	Codes []string
	// Token is the new complete session's id; Device a device cookie.
	Token, Device string
}

// ConfirmEnrolment accepts the first code of u's new authenticator, makes
// ten recovery codes, ends every session of u and starts a complete one
// for client c: the session now has proved a second factor. ErrNotStarted,
// ErrEnrolled or ErrWrongCode when it cannot.
func (s *Service) ConfirmEnrolment(ctx context.Context, c Client, u User, code string) (Confirmed, error) {
	m, err := s.db.MFA(ctx, u.ID)
	if errs.Is(err, errs.NotFound) {
		return Confirmed{}, ErrNotStarted
	}
	if err != nil {
		return Confirmed{}, err
	}
	if m.Confirmed {
		return Confirmed{}, ErrEnrolled
	}
	secret, err := s.openTOTPSecret(m)
	if err != nil {
		return Confirmed{}, err
	}
	now := s.now()
	step, ok := auth.MatchTOTP(secret, code, now, m.LastStep)
	if !ok {
		return Confirmed{}, ErrWrongCode
	}
	var res Confirmed
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ConfirmMFA(ctx, u.ID, step); err != nil {
			return err
		}
		var err error
		res, err = s.firstFactorSetUp(ctx, tx, c, u, "totp", now)
		return err
	})
	if errs.Is(err, errs.Conflict) {
		// Confirmed meanwhile, or the code's step was used: start over.
		return Confirmed{}, ErrWrongCode
	}
	if err != nil {
		return Confirmed{}, err
	}
	res.Device = s.NewDeviceCookie(u.Username)
	return res, nil
}

// RenewRecoveryCodes replaces the recovery codes of userID by ten new
// ones and returns them, to be shown once; the old ones stop working.
// ErrNoSecondFactor when the user has no second factor.
func (s *Service) RenewRecoveryCodes(ctx context.Context, p access.Principal, userID string) ([]string, error) {
	has, err := s.db.HasMFA(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !has {
		return nil, ErrNoSecondFactor
	}
	codes := auth.NewRecoveryCodes()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceRecoveryCodes(ctx, userID, hashRecoveryCodes(userID, codes)); err != nil {
			return err
		}
		return tx.Audit(ctx, principalEvent(p, "mfa.recovery_codes", "user", userID, nil))
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// OpenEnrolLink checks the account's password on the page an enrolment
// link opened (failures count like failed sign-ins), spends the link and
// opens a session that can only set up a second factor. It returns the
// session's id, or "" when the password was refused; errs.NotFound for a
// link that does not work (recorded as refused when it was not even
// live). formErr is why the form could not be read, if it could not: it
// is answered (errs.Invalid) once the link is known to work, as the link
// comes first.
func (s *Service) OpenEnrolLink(ctx context.Context, c Client, token, password string, formErr error) (string, error) {
	now := s.now()
	u, err := LinkUser(ctx, s.db, token, now)
	if err != nil {
		return "", s.linkRefused(ctx, err)
	}
	if formErr != nil {
		return "", errs.Wrap(errs.Invalid, formErr)
	}
	refused, err := s.throttled(ctx, c, u.Username, now)
	if err != nil {
		return "", err
	}
	if refused || len(password) > 1000 || auth.VerifyPassword(password, u.PasswordHash) != nil {
		return "", s.db.Write(ctx, func(tx *store.Tx) error {
			if !refused {
				if err := s.countFailure(ctx, tx, c, u.Username, now); err != nil {
					return err
				}
			}
			return tx.Audit(ctx, userEvent(u, "user.enrol_link_failed", nil))
		})
	}
	return s.redeemEnrolLink(ctx, c, u, token, now, nil)
}

// LinkSetsPassword reports whether token is a live link of an account
// that has no password yet (one made by `haven init` or an invitation):
// its page asks the person to choose one instead of entering it.
// errs.NotFound for a link that does not work.
func (s *Service) LinkSetsPassword(ctx context.Context, token string) (bool, error) {
	u, err := LinkUser(ctx, s.db, token, s.now())
	if err != nil {
		return false, err
	}
	return u.PasswordHash == "", nil
}

// SetPasswordByLink is OpenEnrolLink for an account without a password:
// the person holding the link chooses the password (the policy applies;
// the two entries must match), the link is spent, and a session that can
// only set up a second factor opens — all in one transaction, so a link
// cannot set a password without being spent. A refused password is an
// *errs.Error on the field "new" or "confirm" and spends nothing.
// errs.NotFound for a link that does not work, and for an account that
// has a password (its link is redeemed with OpenEnrolLink).
func (s *Service) SetPasswordByLink(ctx context.Context, c Client, token, password, confirm string, formErr error) (string, error) {
	now := s.now()
	u, err := LinkUser(ctx, s.db, token, now)
	if err == nil && u.PasswordHash != "" {
		err = errs.E(errs.NotFound, "enrolment link not found")
	}
	if err != nil {
		return "", s.linkRefused(ctx, err)
	}
	if formErr != nil {
		return "", errs.Wrap(errs.Invalid, formErr)
	}
	if err := auth.CheckPassword(password, u.Username, u.DisplayName); err != nil {
		var pe *auth.PasswordError
		if errors.As(err, &pe) {
			return "", errs.Field("new", "auth.password."+string(pe.Problem), err)
		}
		return "", err
	}
	if password != confirm {
		return "", errs.Field("confirm", "account.password.mismatch", errors.New("passwords differ"))
	}
	hash, err := auth.HashPassword(password, auth.DefaultParams)
	if err != nil {
		return "", err
	}
	return s.redeemEnrolLink(ctx, c, u, token, now, func(tx *store.Tx) error {
		if err := tx.SetUserPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Actor: u.ID, Action: "user.password", ObjectType: "user", ObjectID: u.ID, Agency: u.AgencyID,
			Reason: "enrol_link"})
	})
}

// redeemEnrolLink spends u's enrolment link token, does also (when not
// nil) and opens a session for client c that can only set up a second
// factor, all in one transaction. It returns the session's id.
func (s *Service) redeemEnrolLink(ctx context.Context, c Client, u User, token string, now time.Time, also func(tx *store.Tx) error) (string, error) {
	var sess string
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if err := RedeemEnrolLink(ctx, tx, u, token, now); err != nil {
			return err
		}
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		var err error
		sess, err = s.rotateSession(ctx, tx, c, newSession{UserID: u.ID, Stage: StageEnrol, AuthAt: store.Millis(now),
			ExpiresAt: store.Millis(now.Add(PendingEnrolLife))}, now)
		return err
	})
	return sess, err
}

// firstFactorSetUp ends, in tx, the set-up of u's first second factor
// (method): ten new recovery codes replace any old ones, every session of
// u ends and a complete one starts for client c, with mfa.enrol.
func (s *Service) firstFactorSetUp(ctx context.Context, tx *store.Tx, c Client, u User, method string, now time.Time) (Confirmed, error) {
	res := Confirmed{Codes: auth.NewRecoveryCodes()}
	if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashRecoveryCodes(u.ID, res.Codes)); err != nil {
		return Confirmed{}, err
	}
	if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
		return Confirmed{}, err
	}
	var err error
	if res.Token, err = s.completeSession(ctx, tx, c, u, now); err != nil {
		return Confirmed{}, err
	}
	return res, tx.Audit(ctx, userEvent(u, "mfa.enrol", map[string]string{"method": method}))
}

// linkRefused answers a link that does not work: a link not found (unknown,
// used or expired) is audited, as someone may be trying links.
func (s *Service) linkRefused(ctx context.Context, err error) error {
	if errs.Is(err, errs.NotFound) {
		if aerr := s.db.Write(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, audit.Event{Action: "user.enrol_link_refused", Reason: "invalid_link"})
		}); aerr != nil {
			return aerr
		}
	}
	return err
}

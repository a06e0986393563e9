package accounts

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// errSessionEnded answers a session that is over (expired, idle, of a
// disabled account, or that must end).
var errSessionEnded = errs.E(errs.Unauthenticated, "session ended")

// SignInOutcome is how the password step ended.
type SignInOutcome int

const (
	// SignInFailed: unknown user, wrong password, disabled account or an
	// attempt refused by the failure counters; all look alike.
	SignInFailed SignInOutcome = iota
	// SignInNeedsLink: the password was right, but the account must set
	// up a second factor first, which only its enrolment link allows.
	SignInNeedsLink
	// SignInStarted: a session started (Stage says whether it waits for
	// the second factor).
	SignInStarted
)

// SignInResult is the answer of SignIn.
type SignInResult struct {
	Outcome SignInOutcome
	// Token is the new session's id, for the cookie.
	Token string
	// Stage is "" for a complete session, StageMFA when the second factor
	// is awaited.
	Stage string
	// Device is a new device cookie value after a complete sign-in.
	Device string
	// DraftWaiting: after a complete sign-in, the user has a referral
	// draft still live (the session ended mid-interview), so the sign-in
	// lands on the referral form, filled from it.
	DraftWaiting bool
}

// SignIn is the password step of signing in. Unknown users, wrong
// passwords, disabled accounts and attempts refused by the failure counters
// get the same outcome, so the form cannot tell who has an account; unknown
// users cost the time of a password check. A user with a second factor
// gets a session that can only take the second step. A user who must have
// one and has none gets no session at all: a password alone never sets up a
// second factor. A complete sign-in marks the browser as a known device
// of the account (Device).
func (s *Service) SignIn(ctx context.Context, c Client, username, password string) (SignInResult, error) {
	username = strings.TrimSpace(username)
	if len(username) > 100 || len(password) > 1000 {
		return SignInResult{}, errs.E(errs.Invalid, "credentials too long")
	}
	// No account has such a name, and PostgreSQL refuses NUL and invalid
	// UTF-8 in a query parameter.
	if !utf8.ValidString(username) || strings.IndexByte(username, 0) >= 0 {
		return SignInResult{}, errs.E(errs.Invalid, "malformed user name")
	}
	now := s.now()
	refused, err := s.throttled(ctx, c, username, now)
	if err != nil {
		return SignInResult{}, err
	}
	if refused {
		// Refused unchecked and uncounted: a lock never grows while
		// someone keeps knocking.
		return SignInResult{}, s.db.Write(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, audit.Event{Action: "session.refused", Reason: "throttled"})
		})
	}
	u, err := s.db.UserByUsername(ctx, username)
	switch {
	case errs.Is(err, errs.NotFound):
		auth.EqualiseTiming(password)
	case err != nil:
		return SignInResult{}, err
	default:
		if u.PasswordHash == "" {
			// An invited account whose person has not yet chosen a
			// password through the link: nothing signs in with it.
			auth.EqualiseTiming(password)
			err = auth.ErrMismatch
		} else if verr := auth.VerifyPassword(password, u.PasswordHash); verr != nil {
			if !errors.Is(verr, auth.ErrMismatch) {
				s.log.Error("stored password hash unusable", "user_id", u.ID)
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
		return SignInResult{}, s.db.Write(ctx, func(tx *store.Tx) error {
			if err := s.countFailure(ctx, tx, c, username, now); err != nil {
				return err
			}
			return tx.Audit(ctx, ev)
		})
	}
	// A hash made with weaker parameters than today's is replaced while
	// the password is at hand, so raising the cost reaches every account
	// as it signs in.
	var rehash string
	if auth.NeedsRehash(u.PasswordHash, auth.DefaultParams) {
		if rehash, err = auth.HashPassword(password, auth.DefaultParams); err != nil {
			return SignInResult{}, err
		}
	}
	hasMFA, err := s.db.HasMFA(ctx, u.ID)
	if err != nil {
		return SignInResult{}, err
	}
	if !hasMFA && s.mfaRequired(access.Role(u.Role)) {
		return SignInResult{Outcome: SignInNeedsLink}, s.db.Write(ctx, func(tx *store.Tx) error {
			ev := userEvent(u, "session.refused", nil)
			ev.Reason = "no_second_factor"
			return tx.Audit(ctx, ev)
		})
	}
	ms := store.Millis(now)
	ns := newSession{UserID: u.ID, AuthAt: ms, ExpiresAt: store.Millis(now.Add(SessionAbsolute))}
	if hasMFA {
		ns.Stage, ns.AuthAt, ns.ExpiresAt = StageMFA, 0, store.Millis(now.Add(PendingMFALife))
	}
	res := SignInResult{Outcome: SignInStarted, Stage: ns.Stage}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if res.Token, err = s.rotateSession(ctx, tx, c, ns, now); err != nil {
			return err
		}
		if rehash != "" {
			if err := tx.SetUserPassword(ctx, u.ID, rehash); err != nil {
				return err
			}
			if err := tx.Audit(ctx, userEvent(u, "user.password_rehashed", nil)); err != nil {
				return err
			}
		}
		if ns.Stage != StageMFA {
			// Everything the account has was proved: forget its
			// failures. With a second factor that waits for it.
			if err := s.clearFailures(ctx, tx, c, username); err != nil {
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
		return SignInResult{}, err
	}
	if ns.Stage == "" {
		res.Device = s.NewDeviceCookie(u.Username)
		if res.DraftWaiting, err = s.draftWaiting(ctx, u.ID, now); err != nil {
			return SignInResult{}, err
		}
	}
	return res, nil
}

// draftWaiting reports whether userID has a live referral draft at now.
// Only the draft's presence is read; it stays sealed.
func (s *Service) draftWaiting(ctx context.Context, userID string, now time.Time) (bool, error) {
	_, err := s.db.LiveReferralDraft(ctx, userID, store.Millis(now))
	if errs.Is(err, errs.NotFound) {
		return false, nil
	}
	return err == nil, err
}

// SecondFactorResult is the answer of VerifySecondFactor.
type SecondFactorResult struct {
	// Method is "totp" or "recovery"; "" when the code was refused.
	Method string
	// Token is the complete session's id; Device a new device cookie.
	Token, Device string
	// DraftWaiting: the user has a live referral draft to go back to
	// (SignInResult.DraftWaiting).
	DraftWaiting bool
}

// VerifySecondFactor checks the second factor of u, whose session c
// passed the password step (a TOTP code, or one of the recovery codes),
// and, when it is accepted, replaces the half-signed-in session by a
// complete one with a new id. Wrong codes count as failed sign-ins of the
// account.
func (s *Service) VerifySecondFactor(ctx context.Context, c Client, u User, code string) (SecondFactorResult, error) {
	code = strings.TrimSpace(code)
	if len(code) > 64 {
		return SecondFactorResult{}, nil
	}
	now := s.now()
	refused, err := s.throttled(ctx, c, u.Username, now)
	if err != nil {
		return SecondFactorResult{}, err
	}
	var res SecondFactorResult
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if refused {
			return tx.Audit(ctx, userEvent(u, "session.refused", map[string]string{"stage": StageMFA}))
		}
		method, err := s.useSecondFactor(ctx, tx, u.ID, code, now)
		if err != nil {
			return err
		}
		if method == "" {
			if err := s.countFailure(ctx, tx, c, u.Username, now); err != nil {
				return err
			}
			return tx.Audit(ctx, userEvent(u, "session.mfa_failed", nil))
		}
		if res.Token, err = s.completeSession(ctx, tx, c, u, now); err != nil {
			return err
		}
		res.Method = method
		return tx.Audit(ctx, userEvent(u, "session.mfa", map[string]string{"method": method}))
	})
	if err != nil || res.Method == "" {
		return SecondFactorResult{}, err
	}
	res.Device = s.NewDeviceCookie(u.Username)
	if res.DraftWaiting, err = s.draftWaiting(ctx, u.ID, now); err != nil {
		return SecondFactorResult{}, err
	}
	return res, nil
}

// SignOut ends the session whose id is token. who is the session's user
// (nil when the session is unknown); stage is the session's stage when it
// had passed the password step only.
func (s *Service) SignOut(ctx context.Context, token string, who *User, stage string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(ctx, store.HashToken(token)); err != nil {
			return err
		}
		if who == nil {
			// No such session: nothing ended, nothing to record.
			return nil
		}
		var details map[string]string
		if stage != "" {
			details = map[string]string{"stage": stage}
		}
		return tx.Audit(ctx, userEvent(*who, "session.end", details))
	})
}

// Resumed is a live session and its user.
type Resumed struct {
	User    User
	Session Session
	// Stage is "" for a complete session, StageMFA or StageEnrol for one
	// that passed the password step only.
	Stage string
}

// Resume is the session lookup every request makes: the live session
// whose id is token, and its user. A session past its absolute or idle
// limit, of a disabled account, or that must end (see stage) is deleted
// and answers errs.Unauthenticated, as an unknown one does; errs.NotFound
// when its user is gone; any other error is a fault. Activity is recorded
// at most once a minute.
func (s *Service) Resume(ctx context.Context, token string) (Resumed, error) {
	now := s.now()
	sess, err := s.db.SessionByToken(ctx, token)
	if err == nil && (store.Millis(now) > sess.ExpiresAt || store.Millis(now)-sess.LastSeenAt > SessionIdle.Milliseconds()) {
		s.dropSession(ctx, sess)
		err = errSessionEnded
	}
	var u User
	if err == nil {
		u, err = s.db.UserByID(ctx, sess.UserID)
		if err == nil && u.Disabled {
			err = errSessionEnded
		}
	}
	if err != nil {
		return Resumed{}, err
	}
	stage, err := s.sessionStage(ctx, sess, u)
	if err != nil {
		return Resumed{}, err
	}
	if stage == StageEnded {
		s.dropSession(ctx, sess)
		return Resumed{}, errSessionEnded
	}
	s.touchSession(ctx, sess, now)
	return Resumed{User: u, Session: sess, Stage: stage}, nil
}

// dropSession deletes a session that is over. It is bookkeeping, not a use
// case: the session ended by its limits or by an earlier, audited change
// (disabling the account, a new requirement), so no event is written, and
// a failure leaves the row for the sweep.
func (s *Service) dropSession(ctx context.Context, sess Session) {
	_ = s.db.WriteBookkeeping(ctx, store.SessionActivity, func(tx *store.Tx) error { return tx.DeleteSession(ctx, sess.TokenHash) })
}

// SweepSessions removes the sessions past their absolute or idle limit at
// now and says how many. Like dropSession it is unaudited bookkeeping: the
// sessions are over already, whether or not their rows are gone.
func (s *Service) SweepSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.db.WriteBookkeeping(ctx, store.SessionActivity, func(tx *store.Tx) error {
		var err error
		n, err = tx.DeleteExpiredSessions(ctx, store.Millis(now), store.Millis(now.Add(-SessionIdle)))
		return err
	})
	return n, err
}

// touchSession records activity on a session, at most once a minute to
// spare the writer. It is an unaudited bookkeeping write on purpose: it
// changes nothing anyone decided (only when the idle limit runs from), an
// event per request would flood the audit trail with what the request log
// already says, and a failure does not stop the request.
func (s *Service) touchSession(ctx context.Context, sess Session, now time.Time) {
	if store.Millis(now)-sess.LastSeenAt < 60_000 {
		return
	}
	_ = s.db.WriteBookkeeping(ctx, store.SessionActivity, func(tx *store.Tx) error { return tx.TouchSession(ctx, sess.TokenHash, store.Millis(now)) })
}

// sessionStage is the stored stage. A complete session that verified no
// second factor, of a role that must use one (a session from before the
// requirement applied), must take the second step when the user has a
// factor; when the user has none it ends (StageEnded), because only an
// enrolment link sets one up.
func (s *Service) sessionStage(ctx context.Context, sess Session, u User) (string, error) {
	if sess.Stage != "" || sess.MFA || !s.mfaRequired(access.Role(u.Role)) {
		return sess.Stage, nil
	}
	has, err := s.db.HasMFA(ctx, u.ID)
	if err != nil {
		return "", err
	}
	if has {
		return StageMFA, nil
	}
	return StageEnded, nil
}

// TokenUser is the lookup of an API request's bearer token: the token's
// owner, whose rights it acts with. A token that is malformed, unknown,
// revoked, expired or whose owner is disabled answers
// errs.Unauthenticated (errs.NotFound when the owner is gone); any other
// error is a fault. Its use is recorded at most once a minute, unaudited
// like a session's activity.
func (s *Service) TokenUser(ctx context.Context, token string) (User, error) {
	now := s.now()
	var t APIToken
	var u User
	err := errs.E(errs.Unauthenticated, "malformed token")
	if len(token) <= 100 {
		t, err = s.db.APITokenByHash(ctx, store.HashToken(token))
	}
	if err == nil && !t.Live(now) {
		err = errs.E(errs.Unauthenticated, "token revoked or expired")
	}
	if err == nil {
		u, err = s.db.UserByID(ctx, t.UserID)
		if err == nil && u.Disabled {
			err = errs.E(errs.Unauthenticated, "account disabled")
		}
	}
	if err != nil {
		return User{}, err
	}
	if store.Millis(now)-t.LastUsedAt >= 60_000 {
		_ = s.db.WriteBookkeeping(ctx, store.SessionActivity, func(tx *store.Tx) error { return tx.TouchAPIToken(ctx, t.ID, store.Millis(now)) })
	}
	return u, nil
}

// Reauthenticate checks the password of u, signed in with session sess
// (c), and the second factor when u has one, then gives the session a new
// id and a fresh time of proof (its absolute limit stays). It returns the
// new session id, or "" when the proof failed (failures count like failed
// sign-ins), and whether u has a second factor (the form asks for it).
func (s *Service) Reauthenticate(ctx context.Context, c Client, u User, sess Session, password, code string) (token string, mfa bool, err error) {
	has, err := s.db.HasMFA(ctx, u.ID)
	if err != nil {
		return "", false, err
	}
	now := s.now()
	refused, err := s.throttled(ctx, c, u.Username, now)
	if err != nil {
		return "", has, err
	}
	passwordOK := false
	if !refused && len(password) <= 1000 {
		passwordOK = auth.VerifyPassword(password, u.PasswordHash) == nil
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if refused {
			return tx.Audit(ctx, userEvent(u, "session.refused", map[string]string{"stage": "reauth"}))
		}
		method := "password"
		if passwordOK && has {
			var err error
			if method, err = s.useSecondFactor(ctx, tx, u.ID, code, now); err != nil {
				return err
			}
		}
		if !passwordOK || method == "" {
			if err := s.countFailure(ctx, tx, c, u.Username, now); err != nil {
				return err
			}
			return tx.Audit(ctx, userEvent(u, "session.reauth_failed", nil))
		}
		var err error
		if token, err = s.rotateSession(ctx, tx, c, newSession{UserID: u.ID, MFA: sess.MFA || has, AuthAt: store.Millis(now),
			CreatedAt: sess.CreatedAt, ExpiresAt: sess.ExpiresAt}, now); err != nil {
			return err
		}
		if err := s.clearFailures(ctx, tx, c, u.Username); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(u, "session.reauth", map[string]string{"method": method}))
	})
	if err != nil {
		return "", has, err
	}
	return token, has, nil
}

// RecentlyAuthenticated reports whether sess proved its user's identity
// within RecentAuth.
func (s *Service) RecentlyAuthenticated(sess Session) bool {
	return store.Millis(s.now())-sess.AuthAt <= RecentAuth.Milliseconds()
}

// EndAllSessions signs user out everywhere: every session of the account
// ends, the caller's included, and every API token is revoked.
func (s *Service) EndAllSessions(ctx context.Context, p access.Principal, userID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.EndUserAccess(ctx, userID); err != nil {
			return err
		}
		return tx.Audit(ctx, principalEvent(p, "session.end_all", "user", userID, nil))
	})
}

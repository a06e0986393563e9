package accounts

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// Passkey is a registered passkey as the account page shows it.
type Passkey = store.Passkey

// PasskeyChallengeLife bounds a WebAuthn ceremony.
const PasskeyChallengeLife = 5 * time.Minute

// RelyingParty is Haven as WebAuthn sees it: the host name passkeys are
// bound to (RP ID) and the origin pages are served from.
type RelyingParty struct{ ID, Origin string }

// Refusals of passkey use cases the pages show.
var (
	// ErrPasskeyNeedsLink: the account has no second factor yet; only an
	// enrolment link sets up the first one, passkey or not.
	ErrPasskeyNeedsLink = &errs.Error{Kind: errs.Forbidden, Key: "passkey.error.needs_link", Err: errs.E(errs.Forbidden, "first factor through a link")}
	// ErrPasskeyReauth: adding a passkey needs a recent proof of identity.
	ErrPasskeyReauth = &errs.Error{Kind: errs.Forbidden, Key: "passkey.error.reauth", Err: errs.E(errs.Forbidden, "re-authentication needed")}
	// ErrLastFactor: removing it would leave an account that must have a
	// second factor with none.
	ErrLastFactor = &errs.Error{Kind: errs.Conflict, Key: "passkey.error.last_factor", Err: errs.E(errs.Conflict, "last second factor")}
)

// waUser is an account as the WebAuthn library sees it. Its handle is
// the account id, which names no one.
type waUser struct {
	u     User
	keys  []Passkey
	creds []webauthn.Credential
}

func (w *waUser) WebAuthnID() []byte                         { return []byte(w.u.ID) }
func (w *waUser) WebAuthnName() string                       { return w.u.Username }
func (w *waUser) WebAuthnDisplayName() string                { return w.u.DisplayName }
func (w *waUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }

func (s *Service) waUserOf(ctx context.Context, q store.Reader, u User) (*waUser, error) {
	keys, err := store.PasskeysOf(ctx, q, u.ID)
	if err != nil {
		return nil, err
	}
	w := &waUser{u: u, keys: keys}
	for _, k := range keys {
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(k.Credential), &c); err != nil {
			return nil, errs.Wrap(errs.Internal, err)
		}
		w.creds = append(w.creds, c)
	}
	return w, nil
}

func (s *Service) webauthn(rp RelyingParty) (*webauthn.WebAuthn, error) {
	w, err := webauthn.New(&webauthn.Config{RPID: rp.ID, RPDisplayName: "Haven", RPOrigins: []string{rp.Origin},
		Timeouts: webauthn.TimeoutsConfig{Login: webauthn.TimeoutConfig{Enforce: true, Timeout: PasskeyChallengeLife},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: PasskeyChallengeLife}}})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err)
	}
	return w, nil
}

// beginFor is what a ceremony for u starts from: WebAuthn as rp and u's
// passkeys.
func (s *Service) beginFor(ctx context.Context, u User, rp RelyingParty) (*webauthn.WebAuthn, *waUser, error) {
	w, err := s.webauthn(rp)
	if err != nil {
		return nil, nil, err
	}
	wu, err := s.waUserOf(ctx, s.db.R(), u)
	if err != nil {
		return nil, nil, err
	}
	return w, wu, nil
}

// challengeKey keys a ceremony by the session it belongs to, or by the
// handle of a sign-in without a password.
func (s *Service) challengeKey(kind, of string) []byte {
	return s.keys.BlindIndex("passkey-challenge", kind+":"+of)
}

func sessionKey(sess Session) string { return hex.EncodeToString(sess.TokenHash) }

// beginCeremony keeps the state sd of a ceremony of kind for u (nil for a
// sign-in without a password), keyed by of (see challengeKey), and
// returns the browser's options opts as JSON.
func (s *Service) beginCeremony(ctx context.Context, u *User, kind, of string, sd *webauthn.SessionData, opts any) ([]byte, error) {
	b, err := json.Marshal(sd)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err)
	}
	uid := ""
	if u != nil {
		uid = u.ID
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.PutPasskeyChallenge(ctx, s.challengeKey(kind, of), kind, uid, string(b), store.Millis(s.now().Add(PasskeyChallengeLife))); err != nil {
			return err
		}
		ev := audit.Event{Action: "passkey.begin", Details: map[string]string{"kind": kind}}
		if u != nil {
			ev = userEvent(*u, "passkey.begin", map[string]string{"kind": kind})
		}
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	b, err = json.Marshal(opts)
	return b, errs.Wrap(errs.Internal, err)
}

// takeChallenge spends the ceremony of kind keyed by of; it must belong to
// userID ("" for a sign-in without a password).
func (s *Service) takeChallenge(ctx context.Context, tx *store.Tx, kind, of, userID string) (*webauthn.SessionData, error) {
	uid, raw, err := tx.TakePasskeyChallenge(ctx, s.challengeKey(kind, of), kind, store.Millis(s.now()))
	if err != nil {
		return nil, err
	}
	if uid != userID {
		return nil, errs.E(errs.NotFound, "passkey challenge of another user")
	}
	var sd webauthn.SessionData
	if err := json.Unmarshal([]byte(raw), &sd); err != nil {
		return nil, errs.Wrap(errs.Internal, err)
	}
	return &sd, nil
}

func uvFor(r access.Role) protocol.UserVerificationRequirement {
	if UserVerificationRequired(r) {
		return protocol.VerificationRequired
	}
	return protocol.VerificationPreferred
}

// BeginPasskeyRegistration starts registering a passkey for u in session
// sess and returns the options for navigator.credentials.create. enrol
// says the session was opened by an enrolment link: the first second
// factor of an account is set up only there. Otherwise u must have a
// second factor already and have proved it recently. Passkeys are
// discoverable (they can sign in without a user name) and verify the user
// for the roles that must (UserVerificationRequired).
func (s *Service) BeginPasskeyRegistration(ctx context.Context, u User, sess Session, enrol bool, rp RelyingParty) ([]byte, error) {
	if !enrol {
		has, err := s.db.HasMFA(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		if !has {
			return nil, ErrPasskeyNeedsLink
		}
		if !s.RecentlyAuthenticated(sess) {
			return nil, ErrPasskeyReauth
		}
	}
	w, wu, err := s.beginFor(ctx, u, rp)
	if err != nil {
		return nil, err
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range wu.creds {
		exclude = append(exclude, c.Descriptor())
	}
	opts, sd, err := w.BeginRegistration(wu,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementRequired,
			UserVerification: uvFor(access.Role(u.Role))}),
		webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err)
	}
	return s.beginCeremony(ctx, &u, "register", sessionKey(sess), sd, opts)
}

// PasskeyName checks a passkey's name: 1 to 60 characters, no control
// characters.
func PasskeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 60 || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", errs.Field("name", "passkey.error.name", nil)
	}
	return name, nil
}

// FinishPasskeyRegistration checks the authenticator's answer (body, the
// JSON of the PublicKeyCredential) against the ceremony of sess, spent by
// this use, and stores the passkey under name, with passkey.add. In an
// enrolment session the passkey is the account's first second factor: as
// when an authenticator app is confirmed, ten recovery codes are made,
// every session of u ends and a complete one starts (Confirmed).
// ErrWrongCode when the answer does not verify.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, c Client, u User, sess Session, enrol bool, name, body string, rp RelyingParty) (Confirmed, error) {
	name, err := PasskeyName(name)
	if err != nil {
		return Confirmed{}, err
	}
	w, err := s.webauthn(rp)
	if err != nil {
		return Confirmed{}, err
	}
	parsed, perr := protocol.ParseCredentialCreationResponseBytes([]byte(body))
	now := s.now()
	var res Confirmed
	failed := false
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		sd, err := s.takeChallenge(ctx, tx, "register", sessionKey(sess), u.ID)
		if errs.Is(err, errs.NotFound) {
			failed = true
			return tx.Audit(ctx, userEvent(u, "passkey.add_failed", map[string]string{"reason": "challenge"}))
		}
		if err != nil {
			return err
		}
		if !enrol {
			if has, err := store.HasMFAOf(ctx, tx, u.ID); err != nil || !has {
				if err == nil {
					err = ErrPasskeyNeedsLink
				}
				return err
			}
		}
		wu, err := s.waUserOf(ctx, tx, u)
		if err != nil {
			return err
		}
		var cred *webauthn.Credential
		if perr == nil {
			cred, perr = w.CreateCredential(wu, *sd, parsed)
		}
		if perr != nil {
			failed = true
			s.log.Info("passkey registration refused", "user_id", u.ID, "error", perr.Error())
			return tx.Audit(ctx, userEvent(u, "passkey.add_failed", map[string]string{"reason": "verification"}))
		}
		raw, err := json.Marshal(cred)
		if err != nil {
			return errs.Wrap(errs.Internal, err)
		}
		pk := store.Passkey{ID: store.NewID(), UserID: u.ID, CredentialID: cred.ID, Name: name, Credential: string(raw),
			SignCount: int64(cred.Authenticator.SignCount), UserVerified: cred.Flags.UserVerified}
		if err := tx.InsertPasskey(ctx, pk); err != nil {
			return err
		}
		if err := tx.Audit(ctx, userEvent(u, "passkey.add", map[string]string{"passkey": pk.ID, "uv": boolCode(pk.UserVerified)})); err != nil {
			return err
		}
		if !enrol {
			return nil
		}
		res, err = s.firstFactorSetUp(ctx, tx, c, u, "passkey", now)
		return err
	})
	if err != nil {
		return Confirmed{}, err
	}
	if failed {
		return Confirmed{}, ErrWrongCode
	}
	if enrol {
		res.Device = s.NewDeviceCookie(u.Username)
	}
	return res, nil
}

func boolCode(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// BeginPasskeySecondFactor starts the second step of a sign-in with one of
// u's passkeys, for session sess.
func (s *Service) BeginPasskeySecondFactor(ctx context.Context, u User, sess Session, rp RelyingParty) ([]byte, error) {
	w, wu, err := s.beginFor(ctx, u, rp)
	if err != nil {
		return nil, err
	}
	if len(wu.creds) == 0 {
		return nil, errs.E(errs.NotFound, "no passkey")
	}
	opts, sd, err := w.BeginLogin(wu, webauthn.WithUserVerification(uvFor(access.Role(u.Role))))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err)
	}
	return s.beginCeremony(ctx, &u, "mfa", sessionKey(sess), sd, opts)
}

// checkAssertion verifies an assertion for wu inside tx and spends the
// passkey's counter. It answers the passkey used, or a refusal reason:
// "verification" (it does not verify), "clone" (the signature counter did
// not grow: two authenticators hold the same key, and Haven refuses both
// rather than guess which is the real one), "user_verification" (a role or
// a sign-in without a password that needs it got none).
func (s *Service) checkAssertion(ctx context.Context, tx *store.Tx, cred *webauthn.Credential, verr error, wu *waUser, needUV bool) (Passkey, string, error) {
	if verr != nil || cred == nil {
		return Passkey{}, "verification", nil
	}
	var pk Passkey
	for _, k := range wu.keys {
		if bytes.Equal(k.CredentialID, cred.ID) {
			pk = k
		}
	}
	if pk.ID == "" {
		return Passkey{}, "verification", nil
	}
	if cred.Authenticator.CloneWarning {
		return pk, "clone", nil
	}
	if needUV && !cred.Flags.UserVerified {
		return pk, "user_verification", nil
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return pk, "", errs.Wrap(errs.Internal, err)
	}
	ok, err := tx.UsePasskey(ctx, pk.ID, int64(cred.Authenticator.SignCount), string(raw))
	if err != nil {
		return pk, "", err
	}
	if !ok {
		return pk, "clone", nil
	}
	return pk, "", nil
}

// refusePasskey records a refused assertion; a suspected clone is recorded
// as such, for the administrator to act on.
func refusePasskey(ctx context.Context, tx *store.Tx, u *User, pk Passkey, reason string) error {
	action := "session.refused"
	if reason == "clone" {
		action = "passkey.clone_refused"
	}
	ev := audit.Event{Action: action, Reason: "passkey_" + reason}
	if u != nil {
		ev = userEvent(*u, action, nil)
		ev.Reason = "passkey_" + reason
		if pk.ID != "" {
			ev.Details = map[string]string{"passkey": pk.ID}
		}
	}
	return tx.Audit(ctx, ev)
}

// FinishPasskeySecondFactor checks the assertion (body) of the second
// step of u's sign-in and, when it is accepted, replaces the
// half-signed-in session by a complete one, as VerifySecondFactor does for
// a code. Method is "" when it was refused.
func (s *Service) FinishPasskeySecondFactor(ctx context.Context, c Client, u User, sess Session, body string, rp RelyingParty) (SecondFactorResult, error) {
	w, err := s.webauthn(rp)
	if err != nil {
		return SecondFactorResult{}, err
	}
	parsed, perr := protocol.ParseCredentialRequestResponseBytes([]byte(body))
	now := s.now()
	var res SecondFactorResult
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		sd, err := s.takeChallenge(ctx, tx, "mfa", sessionKey(sess), u.ID)
		if errs.Is(err, errs.NotFound) {
			return refusePasskey(ctx, tx, &u, Passkey{}, "challenge")
		}
		if err != nil {
			return err
		}
		wu, err := s.waUserOf(ctx, tx, u)
		if err != nil {
			return err
		}
		var cred *webauthn.Credential
		if perr == nil {
			cred, perr = w.ValidateLogin(wu, *sd, parsed)
		}
		pk, reason, err := s.checkAssertion(ctx, tx, cred, perr, wu, UserVerificationRequired(access.Role(u.Role)))
		if err != nil {
			return err
		}
		if reason != "" {
			return refusePasskey(ctx, tx, &u, pk, reason)
		}
		if res.Token, err = s.completeSession(ctx, tx, c, u, now); err != nil {
			return err
		}
		res.Method = "passkey"
		return tx.Audit(ctx, userEvent(u, "session.mfa", map[string]string{"method": "passkey", "passkey": pk.ID}))
	})
	if err != nil || res.Method == "" {
		return SecondFactorResult{}, err
	}
	res.Device = s.NewDeviceCookie(u.Username)
	return res, nil
}

// BeginPasskeySignIn starts a sign-in without a password: any passkey of
// any account may answer (a discoverable credential names its account).
// It returns the options for navigator.credentials.get and a random
// handle that the browser keeps in a cookie, binding the ceremony to it.
func (s *Service) BeginPasskeySignIn(ctx context.Context, rp RelyingParty) (options []byte, handle string, err error) {
	w, err := s.webauthn(rp)
	if err != nil {
		return nil, "", err
	}
	opts, sd, err := w.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, "", errs.Wrap(errs.Internal, err)
	}
	handle = auth.NewToken()
	b, err := s.beginCeremony(ctx, nil, "login", handle, sd, opts)
	if err != nil {
		return nil, "", err
	}
	return b, handle, nil
}

// PasskeySignIn is how a sign-in without a password ended.
type PasskeySignIn struct {
	// Refused is a reason code when no session started.
	Refused       string
	Token, Device string
}

// FinishPasskeySignIn checks the assertion (body) of a sign-in without a
// password and starts a complete session for the passkey's account: one
// that is not disabled, whose role may sign in so, and whose authenticator
// verified the user. A cloned authenticator (the signature counter did not
// grow) is refused and recorded as passkey.clone_refused.
func (s *Service) FinishPasskeySignIn(ctx context.Context, c Client, handle, body string, rp RelyingParty) (PasskeySignIn, error) {
	if len(handle) > 100 {
		return PasskeySignIn{Refused: "challenge"}, nil
	}
	w, err := s.webauthn(rp)
	if err != nil {
		return PasskeySignIn{}, err
	}
	parsed, perr := protocol.ParseCredentialRequestResponseBytes([]byte(body))
	now := s.now()
	var out PasskeySignIn
	var signedIn *User
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		refuse := func(u *User, pk Passkey, reason string) error {
			out.Refused = reason
			return refusePasskey(ctx, tx, u, pk, reason)
		}
		sd, err := s.takeChallenge(ctx, tx, "login", handle, "")
		if errs.Is(err, errs.NotFound) {
			return refuse(nil, Passkey{}, "challenge")
		}
		if err != nil {
			return err
		}
		if perr != nil {
			return refuse(nil, Passkey{}, "verification")
		}
		var wu *waUser
		var found User
		user, cred, verr := w.ValidatePasskeyLogin(func(_, userHandle []byte) (webauthn.User, error) {
			u, err := s.db.UserByID(ctx, string(userHandle))
			if err != nil {
				return nil, err
			}
			found = u
			if wu, err = s.waUserOf(ctx, tx, u); err != nil {
				return nil, err
			}
			return wu, nil
		}, *sd, parsed)
		if wu == nil || user == nil {
			return refuse(nil, Passkey{}, "verification")
		}
		u := found
		pk, reason, err := s.checkAssertion(ctx, tx, cred, verr, wu, true)
		if err != nil {
			return err
		}
		switch {
		case reason != "":
			return refuse(&u, pk, reason)
		case u.Disabled:
			return refuse(&u, pk, "disabled")
		case !PasswordlessAllowed(access.Role(u.Role)):
			return refuse(&u, pk, "role")
		}
		if out.Token, err = s.rotateSession(ctx, tx, c, newSession{UserID: u.ID, MFA: true, AuthAt: store.Millis(now),
			ExpiresAt: store.Millis(now.Add(SessionAbsolute))}, now); err != nil {
			return err
		}
		signedIn = &u
		return tx.Audit(ctx, userEvent(u, "session.start", map[string]string{"method": "passkey", "passkey": pk.ID}))
	})
	if err != nil {
		return PasskeySignIn{}, err
	}
	if signedIn != nil {
		out.Device = s.NewDeviceCookie(signedIn.Username)
	}
	return out, nil
}

// Passkeys lists u's passkeys.
func (s *Service) Passkeys(ctx context.Context, userID string) ([]Passkey, error) {
	return s.db.Passkeys(ctx, userID)
}

// RenamePasskey names one of p's own passkeys, with passkey.rename.
func (s *Service) RenamePasskey(ctx context.Context, p access.Principal, id, name string) error {
	name, err := PasskeyName(name)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.RenamePasskey(ctx, p.UserID, id, name); err != nil {
			return err
		}
		return tx.Audit(ctx, principalEvent(p, "passkey.rename", "user", p.UserID, map[string]string{"passkey": id}))
	})
}

// RemovePasskey removes one of p's own passkeys, with passkey.remove. An
// account that must have a second factor keeps at least one
// (ErrLastFactor); its recovery codes stay.
func (s *Service) RemovePasskey(ctx context.Context, p access.Principal, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.DeletePasskey(ctx, p.UserID, id); err != nil {
			return err
		}
		has, err := store.HasMFAOf(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if !has && s.mfaRequired(p.Role) {
			return ErrLastFactor
		}
		return tx.Audit(ctx, principalEvent(p, "passkey.remove", "user", p.UserID, map[string]string{"passkey": id}))
	})
}

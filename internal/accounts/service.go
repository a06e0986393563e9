package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
)

// The account records the service hands to its callers. They are the
// store's rows under the service's names, so that a caller (the web layer)
// names no storage type.
type (
	User         = store.User
	Session      = store.Session
	APIToken     = store.APIToken
	AuditFilter  = store.AuditFilter
	Jurisdiction = store.Jurisdiction
	Agency       = store.Agency
)

// Time limits of sessions.
const (
	// SessionIdle ends a session unused this long; the server's sweep
	// removes such sessions from the database.
	SessionIdle = 30 * time.Minute
	// SessionAbsolute ends every session this long after sign-in.
	SessionAbsolute = 12 * time.Hour
	// PendingMFALife bounds a session that passed the password step and
	// waits for the second factor.
	PendingMFALife = 10 * time.Minute
	// PendingEnrolLife bounds a session opened by an enrolment link.
	PendingEnrolLife = 30 * time.Minute
	// RecentAuth is how long a proof of identity counts as recent for the
	// most sensitive actions.
	RecentAuth = 5 * time.Minute
	// DeviceLife is how long a device cookie lasts.
	DeviceLife = 180 * 24 * time.Hour
)

// Stages of a session that has passed the password step only.
const (
	StageMFA   = "mfa"   // the second factor is awaited
	StageEnrol = "enrol" // opened by an enrolment link: a second factor is set up
	// StageEnded is never stored: the session must end (see Resume).
	StageEnded = "ended"
)

// totpField is the sealed field that holds a user's TOTP secret; the
// record id is the user id.
const totpField = "totp_secret"

// TOTPIssuer names Haven in authenticator apps.
const TOTPIssuer = "Haven"

// Service carries out the account use cases: signing in, the second
// factor, sessions, re-authentication, passwords, API tokens, the language
// preference, the administration lists and the audit log. Each method that
// changes something writes the change and its audit events in one
// transaction (store.DB.Write); it alone reaches the store and the keyring
// for accounts.
type Service struct {
	db          *store.DB
	keys        *seal.Keyring
	now         func() time.Time
	log         *slog.Logger
	mfaRequired func(access.Role) bool
}

// NewService builds the account service. mfaRequired says which roles must
// sign in with a second factor; now is the clock.
func NewService(db *store.DB, keys *seal.Keyring, now func() time.Time, log *slog.Logger, mfaRequired func(access.Role) bool) *Service {
	if mfaRequired == nil {
		mfaRequired = func(access.Role) bool { return true }
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, keys: keys, now: now, log: log, mfaRequired: mfaRequired}
}

// Client is what a request tells about who sends it, as sent: the client's
// address, the device cookie's value and the session cookie's value ("" for
// none). Nothing of it is trusted: the device cookie counts only when its
// keyed hash matches.
type Client struct {
	Address string
	Device  string
	Session string
}

// userEvent is an audit event about a user's own account.
func userEvent(u User, action string, details map[string]string) audit.Event {
	return audit.Event{Actor: u.ID, Action: action, ObjectType: "user", ObjectID: u.ID, Agency: u.AgencyID, Details: details}
}

// principalEvent is an audit event by the acting principal.
func principalEvent(p access.Principal, action, objectType, objectID string, details map[string]string) audit.Event {
	return audit.Event{Actor: p.UserID, Action: action, ObjectType: objectType, ObjectID: objectID, Agency: p.AgencyID, Details: details}
}

// Sign-in throttling (OWASP "device cookies"). Guessing must slow down
// without letting anyone lock a user out, so failures are counted per
// account name and client address, per address, and, for an account, across
// every browser it has never signed in from; a browser where the account
// signed in before carries a device cookie and is counted on its own. An
// attacker elsewhere, however many wrong passwords they send, never touches
// the counter of the real user's own browser.
//
// Throttle keys are keyed hashes (blind indexes) of the account name, the
// client address and the device cookie's nonce: the table never holds any
// of them in clear. Names are counted whether or not an account has them,
// so the counters tell nothing about which accounts exist.

// deviceValue matches a device cookie: 128-bit nonce, 128-bit keyed hash.
var deviceValue = regexp.MustCompile(`^[0-9a-f]{32}\.[0-9a-f]{32}$`)

func (s *Service) deviceMAC(nonce, username string) string {
	return hex.EncodeToString(s.keys.BlindIndex("device-cookie", nonce+":"+username))
}

// knownDevice returns the nonce of the client's device cookie when it was
// issued for username.
func (s *Service) knownDevice(c Client, username string) (string, bool) {
	if !deviceValue.MatchString(c.Device) {
		return "", false
	}
	nonce, mac, _ := strings.Cut(c.Device, ".")
	return nonce, hmac.Equal([]byte(mac), []byte(s.deviceMAC(nonce, username)))
}

// NewDeviceCookie is the value of a device cookie that marks a browser as
// one where username signed in: set after every complete sign-in, with a
// new nonce each time. It names no one.
func (s *Service) NewDeviceCookie(username string) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	nonce := hex.EncodeToString(b)
	return nonce + "." + s.deviceMAC(nonce, username)
}

// throttleKey is one failure counter and its policy.
type throttleKey struct {
	key []byte
	th  auth.Throttle
}

// throttleKeys are the counters an attempt for username from c is checked
// against and counted in: the device's own for a known device; else the
// account and address together, the address, and the account across
// unknown devices.
func (s *Service) throttleKeys(c Client, username string) []throttleKey {
	if nonce, ok := s.knownDevice(c, username); ok {
		return []throttleKey{{s.keys.BlindIndex("throttle-device", "d:"+nonce), auth.DeviceThrottle}}
	}
	ip := c.Address
	return []throttleKey{
		{s.keys.BlindIndex("throttle-account", "ua:"+username+"\n"+ip), auth.AccountAddressThrottle},
		{s.keys.BlindIndex("throttle-address", "a:"+ip), auth.AddressThrottle},
		{s.keys.BlindIndex("throttle-account", "u:"+username), auth.UnknownDeviceThrottle},
	}
}

// throttled reports whether an attempt for username from c must be
// refused unchecked.
func (s *Service) throttled(ctx context.Context, c Client, username string, now time.Time) (bool, error) {
	ms := store.Millis(now)
	for _, k := range s.throttleKeys(c, username) {
		row, err := s.db.Throttle(ctx, k.key)
		if err != nil {
			return false, err
		}
		if !k.th.Allows(auth.ThrottleState(row), ms) {
			return true, nil
		}
	}
	return false, nil
}

// countFailure records a failed attempt for username from c in tx, and
// forgets counters nobody touched for a day.
func (s *Service) countFailure(ctx context.Context, tx *store.Tx, c Client, username string, now time.Time) error {
	ms := store.Millis(now)
	for _, k := range s.throttleKeys(c, username) {
		row, err := tx.LockThrottle(ctx, k.key)
		if err != nil {
			return err
		}
		if err := tx.PutThrottle(ctx, k.key, store.ThrottleRow(k.th.Fail(auth.ThrottleState(row), ms))); err != nil {
			return err
		}
	}
	return tx.DeleteStaleThrottles(ctx, ms-(24*time.Hour).Milliseconds())
}

// clearFailures forgets the failures of username on c's device, or from
// c's address, after it proved everything it has. The address counter and
// the account's counter of unknown devices are kept: one good sign-in must
// not wipe out the failures of others.
func (s *Service) clearFailures(ctx context.Context, tx *store.Tx, c Client, username string) error {
	return tx.ClearThrottle(ctx, s.throttleKeys(c, username)[0].key)
}

// newSession describes a session to start.
type newSession struct {
	UserID    string
	Stage     string
	MFA       bool
	AuthAt    int64
	CreatedAt int64
	ExpiresAt int64
}

// rotateSession ends the client's current session, if any, and starts ns
// in tx with a fresh random id: at sign-in and at every change of what the
// session has proved, a session id known before is never promoted. The
// caller sets the cookie once tx has committed.
func (s *Service) rotateSession(ctx context.Context, tx *store.Tx, c Client, ns newSession, now time.Time) (string, error) {
	if c.Session != "" {
		if err := tx.DeleteSession(ctx, store.HashToken(c.Session)); err != nil {
			return "", err
		}
	}
	token := auth.NewToken()
	if ns.CreatedAt == 0 {
		ns.CreatedAt = store.Millis(now)
	}
	err := tx.InsertSession(ctx, store.Session{TokenHash: store.HashToken(token), UserID: ns.UserID, CreatedAt: ns.CreatedAt,
		LastSeenAt: store.Millis(now), ExpiresAt: ns.ExpiresAt, AuthAt: ns.AuthAt, Stage: ns.Stage, MFA: ns.MFA})
	return token, err
}

// completeSession starts, in tx, a session of u for client c that has
// proved a second factor now (it replaces c's current one) and forgets
// the failed sign-ins of u on c's device.
func (s *Service) completeSession(ctx context.Context, tx *store.Tx, c Client, u User, now time.Time) (string, error) {
	token, err := s.rotateSession(ctx, tx, c, newSession{UserID: u.ID, MFA: true, AuthAt: store.Millis(now),
		ExpiresAt: store.Millis(now.Add(SessionAbsolute))}, now)
	if err != nil {
		return "", err
	}
	if err := s.clearFailures(ctx, tx, c, u.Username); err != nil {
		return "", err
	}
	return token, nil
}

// sealTOTPSecret seals a new secret under a fresh data key of the user.
func (s *Service) sealTOTPSecret(userID, secret string) (wrapped, sealed []byte, err error) {
	dk, wk, err := s.keys.NewDataKey(userID)
	if err != nil {
		return nil, nil, err
	}
	defer dk.Destroy()
	sealed, err = seal.Seal(dk, userID, totpField, []byte(secret))
	if err != nil {
		return nil, nil, err
	}
	return wk, sealed, nil
}

// openTOTPSecret opens the sealed secret of an authenticator.
func (s *Service) openTOTPSecret(m store.MFA) (string, error) {
	dk, err := s.keys.Unwrap(m.UserID, seal.WrappedKey(m.WrappedKey))
	if err != nil {
		return "", errs.Wrap(errs.Internal, err)
	}
	defer dk.Destroy()
	pt, err := seal.Open(dk, m.UserID, totpField, m.Secret)
	if err != nil {
		return "", errs.Wrap(errs.Internal, err)
	}
	return string(pt), nil
}

// useSecondFactor checks a typed code against the user's confirmed
// authenticator, or else against the user's unused recovery codes, and
// spends what it accepts, inside tx: a TOTP time step or a recovery code is
// accepted once. It returns the method ("totp" or "recovery") or "" when
// the code is not accepted.
func (s *Service) useSecondFactor(ctx context.Context, tx *store.Tx, userID, code string, now time.Time) (string, error) {
	m, err := store.MFAOf(ctx, tx, userID)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return "", err
	}
	// A user with passkeys and no authenticator app still has recovery
	// codes.
	if auth.LooksLikeTOTP(code) {
		if err != nil || !m.Confirmed {
			return "", nil
		}
		secret, err := s.openTOTPSecret(m)
		if err != nil {
			return "", err
		}
		step, ok := auth.MatchTOTP(secret, code, now, m.LastStep)
		if !ok {
			return "", nil
		}
		if ok, err = tx.UseTOTPStep(ctx, userID, step); err != nil || !ok {
			return "", err
		}
		return "totp", nil
	}
	n, ok := auth.NormaliseRecoveryCode(code)
	if !ok {
		return "", nil
	}
	if ok, err := tx.UseRecoveryCode(ctx, userID, auth.HashRecoveryCode(userID, n)); err != nil || !ok {
		return "", err
	}
	return "recovery", nil
}

func hashRecoveryCodes(userID string, codes []string) [][]byte {
	out := make([][]byte, len(codes))
	for i, c := range codes {
		n, _ := auth.NormaliseRecoveryCode(c)
		out[i] = auth.HashRecoveryCode(userID, n)
	}
	return out
}

// HasSecondFactor reports whether the user has a confirmed authenticator.
func (s *Service) HasSecondFactor(ctx context.Context, userID string) (bool, error) {
	return s.db.HasMFA(ctx, userID)
}

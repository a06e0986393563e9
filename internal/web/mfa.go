package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
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

// This file holds what the sign-in steps share: which roles need a second
// factor, the sealed TOTP secret, checking a second factor, the failure
// counters, and starting a new session.

// totpField is the sealed field that holds a user's TOTP secret; the
// record id is the user id.
const totpField = "totp_secret"

// totpIssuer names Haven in authenticator apps.
const totpIssuer = "Haven"

// Time limits of sessions that have passed the password step only, and of
// a proof of identity for the most sensitive actions.
const (
	pendingMFALife   = 10 * time.Minute
	pendingEnrolLife = 30 * time.Minute
	recentAuth       = 5 * time.Minute
)

// defaultMFARoles are the roles that see identifying data: all but the
// analyst, who sees aggregates only.
func defaultMFARoles() map[access.Role]bool {
	m := map[access.Role]bool{}
	for _, r := range access.Roles {
		if r != access.Analyst {
			m[r] = true
		}
	}
	return m
}

// parseMFARoles reads the HAVEN_MFA_ROLES setting: a comma list of roles,
// empty for the default, "none" for no role.
func parseMFARoles(list string) (map[access.Role]bool, error) {
	list = strings.TrimSpace(list)
	switch list {
	case "":
		return defaultMFARoles(), nil
	case "none":
		return map[access.Role]bool{}, nil
	}
	m := map[access.Role]bool{}
	for _, f := range strings.Split(list, ",") {
		r := access.Role(strings.TrimSpace(f))
		if !r.Valid() {
			return nil, fmt.Errorf("HAVEN_MFA_ROLES: %q is not a role", string(r))
		}
		m[r] = true
	}
	return m, nil
}

// mfaRequired reports whether users of role must sign in with a second
// factor.
func (s *Server) mfaRequired(role access.Role) bool {
	if s.Config.MFAOptional {
		return false
	}
	roles, err := parseMFARoles(s.Config.MFARoles)
	if err != nil {
		// New refuses a bad setting; should one slip through, the
		// safe reading is that everyone needs a second factor.
		return true
	}
	return roles[role]
}

// sealTOTPSecret seals a new secret under a fresh data key of the user.
func (s *Server) sealTOTPSecret(userID, secret string) (wrapped, sealed []byte, err error) {
	dk, wk, err := s.Keys.NewDataKey(userID)
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
func (s *Server) openTOTPSecret(m store.MFA) (string, error) {
	dk, err := s.Keys.Unwrap(m.UserID, seal.WrappedKey(m.WrappedKey))
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
func (s *Server) useSecondFactor(ctx context.Context, tx *store.Tx, userID, code string, now time.Time) (string, error) {
	m, err := store.MFAOf(ctx, tx, userID)
	if errs.Is(err, errs.NotFound) || (err == nil && !m.Confirmed) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if auth.LooksLikeTOTP(code) {
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

// deviceCookie recognises a browser where an account completed a sign-in:
// a random nonce and a keyed hash of the nonce and the account name. It
// names no one, lasts deviceLife and is renewed at every sign-in.
const deviceCookie = "haven_device"

const deviceLife = 180 * 24 * time.Hour

// deviceValue matches a device cookie: 128-bit nonce, 128-bit keyed hash.
var deviceValue = regexp.MustCompile(`^[0-9a-f]{32}\.[0-9a-f]{32}$`)

func (s *Server) deviceMAC(nonce, username string) string {
	return hex.EncodeToString(s.Keys.BlindIndex("device-cookie", nonce+":"+username))
}

// knownDevice returns the nonce of the request's device cookie when it was
// issued for username.
func (s *Server) knownDevice(r *http.Request, username string) (string, bool) {
	c, err := r.Cookie(deviceCookie)
	if err != nil || !deviceValue.MatchString(c.Value) {
		return "", false
	}
	nonce, mac, _ := strings.Cut(c.Value, ".")
	return nonce, hmac.Equal([]byte(mac), []byte(s.deviceMAC(nonce, username)))
}

// rememberDevice marks the browser as one where username signed in: called
// after every complete sign-in, with a new nonce each time.
func (s *Server) rememberDevice(w http.ResponseWriter, username string) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	nonce := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: nonce + "." + s.deviceMAC(nonce, username), Path: "/", HttpOnly: true,
		Secure: s.Config.SecureCookies(), SameSite: http.SameSiteStrictMode, MaxAge: int(deviceLife.Seconds())})
}

// throttleKey is one failure counter and its policy.
type throttleKey struct {
	key []byte
	th  auth.Throttle
}

// throttleKeys are the counters an attempt for username from r is checked
// against and counted in: the device's own for a known device; else the
// account and address together, the address, and the account across
// unknown devices.
func (s *Server) throttleKeys(r *http.Request, username string) []throttleKey {
	if nonce, ok := s.knownDevice(r, username); ok {
		return []throttleKey{{s.Keys.BlindIndex("throttle-device", "d:"+nonce), auth.DeviceThrottle}}
	}
	ip := s.clientIP(r)
	return []throttleKey{
		{s.Keys.BlindIndex("throttle-account", "ua:"+username+"\n"+ip), auth.AccountAddressThrottle},
		{s.Keys.BlindIndex("throttle-address", "a:"+ip), auth.AddressThrottle},
		{s.Keys.BlindIndex("throttle-account", "u:"+username), auth.UnknownDeviceThrottle},
	}
}

// throttled reports whether an attempt for username from r must be
// refused unchecked.
func (s *Server) throttled(r *http.Request, username string, now time.Time) (bool, error) {
	ms := store.Millis(now)
	for _, k := range s.throttleKeys(r, username) {
		row, err := s.DB.Throttle(r.Context(), k.key)
		if err != nil {
			return false, err
		}
		if !k.th.Allows(auth.ThrottleState(row), ms) {
			return true, nil
		}
	}
	return false, nil
}

// countFailure records a failed attempt for username from r in tx, and
// forgets counters nobody touched for a day.
func (s *Server) countFailure(ctx context.Context, tx *store.Tx, r *http.Request, username string, now time.Time) error {
	ms := store.Millis(now)
	for _, k := range s.throttleKeys(r, username) {
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

// clearFailures forgets the failures of username on r's device, or from
// r's address, after it proved everything it has. The address counter and
// the account's counter of unknown devices are kept: one good sign-in must
// not wipe out the failures of others.
func (s *Server) clearFailures(ctx context.Context, tx *store.Tx, r *http.Request, username string) error {
	return tx.ClearThrottle(ctx, s.throttleKeys(r, username)[0].key)
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

// rotateSession ends the request's current session, if any, and starts ns
// in tx with a fresh random id: at sign-in and at every change of what the
// session has proved, a session id known before is never promoted. The
// caller sets the cookie once tx has committed.
func (s *Server) rotateSession(ctx context.Context, tx *store.Tx, r *http.Request, ns newSession, now time.Time) (string, error) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := tx.DeleteSession(ctx, store.HashToken(c.Value)); err != nil {
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

// userEvent is an audit event about a user's own account.
func userEvent(u store.User, action string, details map[string]string) audit.Event {
	return audit.Event{Actor: u.ID, Action: action, ObjectType: "user", ObjectID: u.ID, Agency: u.AgencyID, Details: details}
}

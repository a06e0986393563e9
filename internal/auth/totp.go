package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP (RFC 6238) with the parameters every authenticator app supports:
// HMAC-SHA-1, six digits, 30-second steps, a 160-bit secret (RFC 4226 §4).
const (
	TOTPPeriod     = 30
	TOTPSecretSize = 20
	// TOTPSkew is how many steps before and after the current one are
	// accepted, for clocks that drift and codes typed slowly.
	TOTPSkew = 1
)

var totpOpts = totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// ErrBadSecret is returned for a TOTP secret that is not valid base32.
var ErrBadSecret = errors.New("auth: malformed TOTP secret")

// NewTOTPSecret returns a random secret in the base32 form authenticator
// apps take.
func NewTOTPSecret() string {
	b := make([]byte, TOTPSecretSize)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return b32.EncodeToString(b)
}

// TOTPURI returns the otpauth:// URI that enrols secret in an authenticator
// app under issuer and account.
func TOTPURI(secret, issuer, account string) (string, error) {
	raw, err := b32.DecodeString(secret)
	if err != nil {
		return "", ErrBadSecret
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: TOTPPeriod,
		Secret: raw, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", err
	}
	return k.URL(), nil
}

// TOTPQRCode returns a PNG QR code of an otpauth:// URI, size×size pixels.
func TOTPQRCode(uri string, size int) ([]byte, error) {
	k, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return nil, err
	}
	img, err := k.Image(size, size)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// TOTPStep is the RFC 6238 time step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / TOTPPeriod }

// MatchTOTP checks a code typed by a person against secret at time now. It
// accepts the steps within TOTPSkew of now that are later than lastStep, so
// a code (and any code of an earlier step) is accepted at most once when the
// caller stores the returned step. Spaces in the code are ignored.
func MatchTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != otp.DigitsSix.Length() || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	cur := TOTPStep(now)
	for s := cur - TOTPSkew; s <= cur+TOTPSkew; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*TOTPPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && s > lastStep {
			step, ok = s, true
		}
	}
	return step, ok
}

// LooksLikeTOTP reports whether a typed second-factor code has the shape of
// a TOTP code (six digits) rather than of a recovery code.
func LooksLikeTOTP(code string) bool {
	code = strings.Join(strings.Fields(code), "")
	return len(code) == otp.DigitsSix.Length() && strings.Trim(code, "0123456789") == ""
}

// Recovery codes: RecoveryCodeCount single-use codes of 24 characters from
// Crockford's base32 alphabet, 120 random bits each. At 112 bits or more a
// plain hash may store them (ASVS 5.0 V6.5.2), so only a SHA-256 is kept.
const (
	RecoveryCodeCount = 10
	recoveryCodeLen   = 24
	crockford         = "0123456789abcdefghjkmnpqrstvwxyz"
)

// NewRecoveryCodes returns RecoveryCodeCount fresh codes, grouped by four
// characters for reading.
func NewRecoveryCodes() []string {
	out := make([]string, RecoveryCodeCount)
	for i := range out {
		b := make([]byte, recoveryCodeLen)
		if _, err := rand.Read(b); err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		var sb strings.Builder
		for j, c := range b {
			if j > 0 && j%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(crockford[c&31])
		}
		out[i] = sb.String()
	}
	return out
}

// NormaliseRecoveryCode removes spaces and hyphens, lower-cases, and maps
// the letters Crockford's base32 reads as digits (o→0, i and l→1). It
// reports false for text that cannot be a recovery code.
func NormaliseRecoveryCode(s string) (string, bool) {
	var sb strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == 'o':
			r = '0'
		case r == 'i' || r == 'l':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(crockford, r) {
			return "", false
		}
		sb.WriteRune(r)
	}
	if sb.Len() != recoveryCodeLen {
		return "", false
	}
	return sb.String(), true
}

// HashRecoveryCode is the stored form of a normalised recovery code of a
// user: SHA-256 over a domain, the user id and the code.
func HashRecoveryCode(userID, normalised string) []byte {
	h := sha256.New()
	h.Write([]byte("haven/recovery-code/v1\x00"))
	h.Write([]byte(userID))
	h.Write([]byte{0})
	h.Write([]byte(normalised))
	return h.Sum(nil)
}

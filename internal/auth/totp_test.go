package auth

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func TestTOTP(t *testing.T) {
	secret := NewTOTPSecret()
	if len(secret) != 32 || secret == NewTOTPSecret() {
		t.Fatalf("secret %q: want 32 base32 characters (160 bits), distinct each time", secret)
	}
	now := time.Date(2026, 3, 1, 12, 0, 10, 0, time.UTC)
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	step, ok := MatchTOTP(secret, code, now, 0)
	if !ok || step != TOTPStep(now) {
		t.Fatalf("current code refused (%d, %v)", step, ok)
	}
	if _, ok := MatchTOTP(secret, code[:3]+" "+code[3:], now, 0); !ok {
		t.Fatal("a code typed with a space is refused")
	}
	// Once its step is recorded, the code (and older ones) is refused.
	if _, ok := MatchTOTP(secret, code, now, step); ok {
		t.Fatal("replayed code accepted")
	}
	// One step of drift either way is accepted, two are not.
	for _, d := range []time.Duration{-30 * time.Second, 30 * time.Second} {
		if _, ok := MatchTOTP(secret, code, now.Add(d), 0); !ok {
			t.Errorf("code refused at %v drift", d)
		}
	}
	for _, d := range []time.Duration{-90 * time.Second, 90 * time.Second} {
		if _, ok := MatchTOTP(secret, code, now.Add(d), 0); ok {
			t.Errorf("code accepted at %v drift", d)
		}
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef", code + "0"} {
		if _, ok := MatchTOTP(secret, bad, now, 0); ok {
			t.Errorf("code %q accepted", bad)
		}
	}
	if _, ok := MatchTOTP("not base32!", code, now, 0); ok {
		t.Fatal("malformed secret accepted")
	}
}

func TestTOTPURIAndQRCode(t *testing.T) {
	secret := NewTOTPSecret()
	uri, err := TOTPURI(secret, "Haven", "demo.case_worker")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != secret ||
		u.Query().Get("issuer") != "Haven" || u.Query().Get("digits") != "6" || u.Query().Get("period") != "30" {
		t.Fatalf("URI %q", uri)
	}
	png, err := TOTPQRCode(uri, 200)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("QR code: %v", err)
	}
	if _, err := TOTPURI("!!", "Haven", "x"); err == nil {
		t.Fatal("malformed secret gave a URI")
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes := NewRecoveryCodes()
	if len(codes) != RecoveryCodeCount {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		n, ok := NormaliseRecoveryCode(c)
		if !ok || len(n) != 24 || seen[n] {
			t.Fatalf("code %q normalises to %q, %v", c, n, ok)
		}
		seen[n] = true
		// Typed in capitals, without hyphens, with look-alike letters.
		typed := strings.ToUpper(strings.NewReplacer("-", " ", "0", "O", "1", "l").Replace(c))
		if m, ok := NormaliseRecoveryCode(typed); !ok || m != n {
			t.Fatalf("%q typed as %q normalises to %q", c, typed, m)
		}
		if LooksLikeTOTP(c) {
			t.Fatalf("recovery code %q taken for a TOTP code", c)
		}
	}
	for _, bad := range []string{"", "abcd", strings.Repeat("u", 24), strings.Repeat("a", 25), "ÄÄÄÄ"} {
		if _, ok := NormaliseRecoveryCode(bad); ok {
			t.Errorf("%q accepted as a recovery code", bad)
		}
	}
	n, _ := NormaliseRecoveryCode(codes[0])
	if bytes.Equal(HashRecoveryCode("u1", n), HashRecoveryCode("u2", n)) || len(HashRecoveryCode("u1", n)) != 32 {
		t.Fatal("recovery code hashes are not bound to the user")
	}
}

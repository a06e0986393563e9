package auth

import (
	"errors"
	"strings"
	"testing"
)

// Small parameters keep the tests fast; the format and checks are the same.
var testParams = Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery staple", testParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("unexpected PHC string %q", h)
	}
	if err := VerifyPassword("correct horse battery staple", h); err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if err := VerifyPassword("correct horse battery stapl", h); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: got %v, want ErrMismatch", err)
	}
	h2, _ := HashPassword("correct horse battery staple", testParams)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=18$m=1024,t=1,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA", "$argon2id$v=19$m=1024,t=1,p=1$!!$AAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA"} {
		if err := VerifyPassword("x", h); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("hash %q: got %v, want a format error", h, err)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	h, _ := HashPassword("pw", testParams)
	if !NeedsRehash(h, DefaultParams) {
		t.Fatal("weak hash not flagged for rehash")
	}
	if NeedsRehash(h, testParams) {
		t.Fatal("hash with current parameters flagged")
	}
}

func TestNewToken(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || len(a) != 43 {
		t.Fatalf("tokens %q %q: want distinct 43-char base64url", a, b)
	}
}

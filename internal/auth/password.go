// Package auth holds the credentials side of accounts: password hashing,
// session tokens and, later, second factors. It does no I/O of its own.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id parameters. The defaults follow OWASP's password
// storage guidance (argon2id, m=64 MiB, t=3, p=2 exceeds its m=19 MiB, t=2
// minimum); about 100 ms per hash on a 2-core server.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
	SaltLen int
}

// DefaultParams are used for every new hash.
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2, KeyLen: 32, SaltLen: 16}

// ErrMismatch is returned when a password does not match its hash.
var ErrMismatch = errors.New("password does not match")

// HashPassword returns an argon2id hash in PHC string format.
func HashPassword(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword checks a password against a PHC argon2id hash in constant
// time. It returns ErrMismatch for a wrong password and another error for a
// malformed hash.
func VerifyPassword(password, encoded string) error {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return ErrMismatch
	}
	return nil
}

// dummyHash is verified against when a username is unknown, so that an
// unknown user costs the same time as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("haven-timing-equaliser", DefaultParams)
	if err != nil {
		panic(err)
	}
	return h
})

// EqualiseTiming spends the time of one password verification.
func EqualiseTiming(password string) { _ = VerifyPassword(password, dummyHash()) }

// NeedsRehash reports whether a stored hash uses weaker parameters than p.
func NeedsRehash(encoded string, p Params) bool {
	cur, _, _, err := decodeHash(encoded)
	return err != nil || cur.Memory < p.Memory || cur.Time < p.Time
}

func decodeHash(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errors.New("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errors.New("malformed argon2 parameters")
	}
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > 4*1024*1024 || p.Time > 100 {
		return p, nil, nil, errors.New("argon2 parameters out of range")
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, errors.New("malformed salt")
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return p, nil, nil, errors.New("malformed key")
	}
	return p, salt, key, nil
}

// NewToken returns a random 256-bit token, URL-safe, for sessions and API
// tokens. Only its hash is stored.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

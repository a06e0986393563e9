package federation

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/haven-nrm/haven/internal/secretfile"
)

// maxKeyFileSize bounds how much of the identity file is read: it holds a
// handful of key pairs.
const maxKeyFileSize = 64 << 10

// The HPKE suite of every package: DHKEM(X25519, HKDF-SHA256),
// HKDF-SHA256, AES-256-GCM (RFC 9180 ids 0x0020, 0x0001, 0x0002).
var (
	suiteKEM  = hpke.DHKEM(ecdh.X25519())
	suiteKDF  = hpke.HKDFSHA256()
	suiteAEAD = hpke.AES256GCM()
)

// KeyPair is one generation of an instance's federation keys. A rotation
// adds a pair; older pairs stay to open envelopes sealed to them while
// peers learn the new one.
type KeyPair struct {
	// ID names the pair on the wire: the first 16 bytes, in hex, of
	// SHA-256 over the two public keys.
	ID      string
	Created time.Time
	Sign    ed25519.PrivateKey
	KEM     hpke.PrivateKey
}

// SignPublic is the pair's public signing key.
func (k *KeyPair) SignPublic() ed25519.PublicKey { return k.Sign.Public().(ed25519.PublicKey) }

// KEMPublic is the pair's public HPKE key (32 bytes for X25519).
func (k *KeyPair) KEMPublic() []byte { return k.KEM.PublicKey().Bytes() }

// Identity is an instance's federation identity: a stable instance id and
// its key pairs, the last one active.
type Identity struct {
	// Instance is the instance's id among peers; it never changes.
	Instance string
	Keys     []*KeyPair
}

// Active is the key pair used to sign and that peers seal to.
func (id *Identity) Active() *KeyPair { return id.Keys[len(id.Keys)-1] }

// Key returns the pair with the given id, active or retired.
func (id *Identity) Key(keyID string) (*KeyPair, bool) {
	for _, k := range id.Keys {
		if k.ID == keyID {
			return k, true
		}
	}
	return nil, false
}

// KeyIDFor is the id of a pair of public keys.
func KeyIDFor(sign ed25519.PublicKey, kem []byte) string {
	h := sha256.New()
	h.Write([]byte("haven-trm/key-id/v1\x00"))
	h.Write(sign)
	h.Write(kem)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// NewKeyPair makes a fresh pair.
func NewKeyPair(now time.Time) (*KeyPair, error) {
	_, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	kk, err := suiteKEM.GenerateKey()
	if err != nil {
		return nil, err
	}
	k := &KeyPair{Created: now.UTC().Truncate(time.Second), Sign: sk, KEM: kk}
	k.ID = KeyIDFor(k.SignPublic(), k.KEMPublic())
	return k, nil
}

// NewIdentity makes an identity with one key pair.
func NewIdentity(now time.Time) (*Identity, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	k, err := NewKeyPair(now)
	if err != nil {
		return nil, err
	}
	return &Identity{Instance: hex.EncodeToString(b[:]), Keys: []*KeyPair{k}}, nil
}

// fileDoc is the identity file: JSON, mode 0600, beside the master key.
type fileDoc struct {
	Version  int       `json:"version"`
	Instance string    `json:"instance"`
	Keys     []fileKey `json:"keys"`
}

type fileKey struct {
	Created time.Time `json:"created"`
	// Ed25519Seed is the 32-byte seed of the signing key (RFC 8032).
	Ed25519Seed string `json:"ed25519_seed"`
	// X25519 is the HPKE private key as RFC 9180 SerializePrivateKey.
	X25519 string `json:"x25519"`
}

func (id *Identity) marshal() ([]byte, error) {
	d := fileDoc{Version: 1, Instance: id.Instance}
	for _, k := range id.Keys {
		kb, err := k.KEM.Bytes()
		if err != nil {
			return nil, err
		}
		d.Keys = append(d.Keys, fileKey{
			Created:     k.Created,
			Ed25519Seed: base64.StdEncoding.EncodeToString(k.Sign.Seed()),
			X25519:      base64.StdEncoding.EncodeToString(kb),
		})
	}
	return json.MarshalIndent(d, "", "  ")
}

func parseIdentity(data []byte) (*Identity, error) {
	var d fileDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("federation key file: %w", err)
	}
	if d.Version != 1 || len(d.Instance) != 32 || len(d.Keys) == 0 {
		return nil, errors.New("federation key file: not a version 1 identity with an instance id and a key")
	}
	id := &Identity{Instance: d.Instance}
	for i, fk := range d.Keys {
		seed, err := base64.StdEncoding.DecodeString(fk.Ed25519Seed)
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("federation key file: key %d: bad signing seed", i)
		}
		kb, err := base64.StdEncoding.DecodeString(fk.X25519)
		if err != nil {
			return nil, fmt.Errorf("federation key file: key %d: bad encryption key", i)
		}
		kk, err := suiteKEM.NewPrivateKey(kb)
		if err != nil {
			return nil, fmt.Errorf("federation key file: key %d: %w", i, err)
		}
		k := &KeyPair{Created: fk.Created, Sign: ed25519.NewKeyFromSeed(seed), KEM: kk}
		k.ID = KeyIDFor(k.SignPublic(), k.KEMPublic())
		id.Keys = append(id.Keys, k)
	}
	return id, nil
}

// LoadOrCreate reads the identity file at path, creating it with a new
// identity when it does not exist. The file must be owner-only
// (secretfile); two processes starting at once end up with one identity.
func LoadOrCreate(path string, now time.Time) (*Identity, error) {
	id, err := Load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return id, err
	}
	id, err = NewIdentity(now)
	if err != nil {
		return nil, err
	}
	data, err := id.marshal()
	if err != nil {
		return nil, err
	}
	defer clear(data)
	created, err := secretfile.Create(path, data)
	if err != nil {
		return nil, fmt.Errorf("federation key file: %w", err)
	}
	if !created {
		return Load(path)
	}
	return id, nil
}

// Load reads an existing identity file.
func Load(path string) (*Identity, error) {
	data, err := secretfile.Read(path, maxKeyFileSize)
	if err != nil {
		return nil, fmt.Errorf("federation key file: %w", err)
	}
	defer clear(data)
	return parseIdentity(data)
}

// Rotate adds a new active key pair to the identity file at path and
// returns the identity. The retired pairs stay, so envelopes already
// sealed to them still open; peers learn the new keys from the
// well-known document, which the retired key endorses.
func Rotate(path string, now time.Time) (*Identity, error) {
	id, err := Load(path)
	if err != nil {
		return nil, err
	}
	k, err := NewKeyPair(now)
	if err != nil {
		return nil, err
	}
	id.Keys = append(id.Keys, k)
	data, err := id.marshal()
	if err != nil {
		return nil, err
	}
	defer clear(data)
	if err := secretfile.Replace(path, data); err != nil {
		return nil, fmt.Errorf("federation key file: %w", err)
	}
	return id, nil
}

package seal

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
)

// KeySize is the size in bytes of master keys, data keys and the index
// secret.
const KeySize = 32

const (
	keyIDSize = 8 // bytes; written as 16 lowercase hex digits

	masterLineTag = "haven-master-key"
	indexLineTag  = "haven-index-key"
	formatV1      = "v1"

	// maxKeyringSize bounds the text accepted by ParseKeyring.
	maxKeyringSize = 1 << 20
	// maxMasterKeys bounds the number of master keys in one keyring.
	maxMasterKeys = 1000

	indexKeySalt = "haven/index-salt/v1"
	indexKeyInfo = "haven/blind-index/hmac-sha256/v1"
)

// ErrInvalidKeyring is returned (wrapped) when keyring text is malformed.
var ErrInvalidKeyring = errors.New("seal: invalid keyring")

type keyID [keyIDSize]byte

func (id keyID) String() string { return hex.EncodeToString(id[:]) }

type masterKey struct {
	id  keyID
	key *[KeySize]byte
}

// Keyring holds the master keys (the last one is active) and the secret
// from which the blind-index key is derived.
//
// Methods that change a Keyring return a new Keyring, so one value may be
// shared between goroutines. The one exception is Refresh, which lets a
// running server pick up keys added to its key file by a rotation, so that
// rotating needs no restart. Key material is kept behind pointers, and
// Keyring prints and logs as "[redacted]".
type Keyring struct {
	// All key material sits two pointers away from any value a caller can
	// hold. fmt cannot call Format through unexported fields, and for some
	// verbs it prints what a pointer it meets points to; with this layout
	// that is never more than further pointers.
	st *atomic.Pointer[keyringState]
	// path is the key file the keyring was loaded from, for Refresh.
	path string
}

func fromState(st *keyringState) *Keyring {
	kr := &Keyring{st: new(atomic.Pointer[keyringState])}
	kr.st.Store(st)
	return kr
}

func (kr *Keyring) state() *keyringState { return kr.st.Load() }

type keyringState struct {
	keys        []masterKey // in file order; the last one is active
	indexSecret *[KeySize]byte
	indexKey    *[KeySize]byte // HKDF-SHA256(indexSecret)
}

// NewKeyring returns a keyring with one fresh master key and a fresh index
// secret.
func NewKeyring() (*Keyring, error) {
	mk, err := newMasterKey(nil)
	if err != nil {
		return nil, err
	}
	secret := new([KeySize]byte)
	if _, err := rand.Read(secret[:]); err != nil {
		return nil, fmt.Errorf("seal: generating index secret: %w", err)
	}
	return newKeyring([]masterKey{mk}, secret)
}

func newKeyring(keys []masterKey, indexSecret *[KeySize]byte) (*Keyring, error) {
	ik, err := hkdf.Key(sha256.New, indexSecret[:], []byte(indexKeySalt), indexKeyInfo, KeySize)
	if err != nil {
		return nil, fmt.Errorf("seal: deriving index key: %w", err)
	}
	indexKey := new([KeySize]byte)
	copy(indexKey[:], ik)
	clear(ik)
	return fromState(&keyringState{keys: keys, indexSecret: indexSecret, indexKey: indexKey}), nil
}

// newMasterKey creates a random master key whose id differs from those in
// existing.
func newMasterKey(existing []masterKey) (masterKey, error) {
	mk := masterKey{key: new([KeySize]byte)}
	if _, err := rand.Read(mk.key[:]); err != nil {
		return masterKey{}, fmt.Errorf("seal: generating master key: %w", err)
	}
	for {
		if _, err := rand.Read(mk.id[:]); err != nil {
			return masterKey{}, fmt.Errorf("seal: generating key id: %w", err)
		}
		if !hasKeyID(existing, mk.id) {
			return mk, nil
		}
	}
}

func hasKeyID(keys []masterKey, id keyID) bool {
	for _, k := range keys {
		if k.id == id {
			return true
		}
	}
	return false
}

func (kr *Keyring) active() masterKey { return kr.state().keys[len(kr.state().keys)-1] }

func (kr *Keyring) lookup(id keyID) (masterKey, bool) {
	for _, k := range kr.state().keys {
		if k.id == id {
			return k, true
		}
	}
	return masterKey{}, false
}

// ActiveKeyID returns the id of the master key that new data keys are
// wrapped under. Key ids are not secret.
func (kr *Keyring) ActiveKeyID() string { return kr.active().id.String() }

// KeyIDs returns the ids of all master keys, oldest first; the last one is
// the active key.
func (kr *Keyring) KeyIDs() []string {
	ids := make([]string, len(kr.state().keys))
	for i, k := range kr.state().keys {
		ids[i] = k.id.String()
	}
	return ids
}

// WithNewActiveKey returns a copy of the keyring with an additional, newly
// generated master key that becomes the active key. The older keys stay
// available for unwrapping. The index secret is unchanged, so blind indexes
// stay valid.
func (kr *Keyring) WithNewActiveKey() (*Keyring, error) {
	mk, err := newMasterKey(kr.state().keys)
	if err != nil {
		return nil, err
	}
	keys := make([]masterKey, 0, len(kr.state().keys)+1)
	keys = append(keys, kr.state().keys...)
	keys = append(keys, mk)
	return fromState(&keyringState{keys: keys, indexSecret: kr.state().indexSecret, indexKey: kr.state().indexKey}), nil
}

// Without returns a copy of the keyring without the master key keyID. Use it
// to retire an old key once every data key wrapped under it has been
// rewrapped ([Keyring.Rewrap]); data keys still wrapped under a removed key
// become unrecoverable. The active key cannot be removed.
func (kr *Keyring) Without(keyID string) (*Keyring, error) {
	id, err := parseKeyID(keyID)
	if err != nil {
		return nil, err
	}
	if kr.active().id == id {
		return nil, fmt.Errorf("seal: master key %s is the active key and cannot be removed", id)
	}
	if _, ok := kr.lookup(id); !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownKey, id)
	}
	keys := make([]masterKey, 0, len(kr.state().keys)-1)
	for _, k := range kr.state().keys {
		if k.id != id {
			keys = append(keys, k)
		}
	}
	return fromState(&keyringState{keys: keys, indexSecret: kr.state().indexSecret, indexKey: kr.state().indexKey}), nil
}

// Marshal returns the keyring in the key-file text format:
//
//	haven-index-key v1 <base64 index secret>
//	haven-master-key v1 <key id> <base64 key>
//	...
//
// with one haven-master-key line per master key, the active key last, and
// leading "#" comment lines. The result contains secret key material: write
// it only with [WriteKeyFile] (or to an equally protected place) and clear
// it afterwards.
func (kr *Keyring) Marshal() []byte {
	const header = "# Haven keyring. Secret: whoever reads this file can decrypt every\n" +
		"# protected record. Keep it mode 0600, and never store it together\n" +
		"# with database backups. The last haven-master-key line is the active key.\n"
	// Sized up front and built without strings, so that no stray copies of
	// the keys are left behind.
	lineSize := len(masterLineTag) + len(formatV1) + 2*keyIDSize + base64.StdEncoding.EncodedLen(KeySize) + 4
	b := make([]byte, 0, len(header)+(1+len(kr.state().keys))*lineSize)
	b = append(b, header...)
	b = append(b, indexLineTag+" "+formatV1+" "...)
	b = base64.StdEncoding.AppendEncode(b, kr.state().indexSecret[:])
	b = append(b, '\n')
	for _, k := range kr.state().keys {
		b = append(b, masterLineTag+" "+formatV1+" "...)
		b = hex.AppendEncode(b, k.id[:])
		b = append(b, ' ')
		b = base64.StdEncoding.AppendEncode(b, k.key[:])
		b = append(b, '\n')
	}
	return b
}

// ParseKeyring parses keyring text as written by [Keyring.Marshal]. Lines
// are separated by newlines; text without any newline (handy for the
// HAVEN_MASTER_KEY environment variable) may separate them with ";". Blank
// lines and lines starting with "#" are ignored, and fields may be
// separated by any white space. Exactly one haven-index-key line and at
// least one haven-master-key line are required, in any order; the last
// haven-master-key line is the active key. Errors name the offending line
// number, never its content. ParseKeyring does not keep or modify data.
func ParseKeyring(data []byte) (*Keyring, error) {
	if len(data) > maxKeyringSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidKeyring, maxKeyringSize)
	}
	var (
		keys   []masterKey
		secret *[KeySize]byte
	)
	// Work on bytes rather than strings, so that no unclearable copies of
	// the keys are made. Errors give line numbers so that they never need
	// to quote a line.
	for i, line := range splitLines(data) {
		lineNo := i + 1
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		f := bytes.Fields(line)
		switch string(f[0]) {
		case indexLineTag:
			if len(f) != 3 {
				return nil, fmt.Errorf("%w: line %d: %s needs 3 fields, has %d", ErrInvalidKeyring, lineNo, indexLineTag, len(f))
			}
			if string(f[1]) != formatV1 {
				return nil, fmt.Errorf("%w: line %d: unsupported %s version", ErrInvalidKeyring, lineNo, indexLineTag)
			}
			if secret != nil {
				return nil, fmt.Errorf("%w: line %d: more than one %s line", ErrInvalidKeyring, lineNo, indexLineTag)
			}
			k, err := decodeKey(f[2])
			if err != nil {
				return nil, fmt.Errorf("%w: line %d: index secret: %v", ErrInvalidKeyring, lineNo, err)
			}
			secret = k
		case masterLineTag:
			if len(f) != 4 {
				return nil, fmt.Errorf("%w: line %d: %s needs 4 fields, has %d", ErrInvalidKeyring, lineNo, masterLineTag, len(f))
			}
			if string(f[1]) != formatV1 {
				return nil, fmt.Errorf("%w: line %d: unsupported %s version", ErrInvalidKeyring, lineNo, masterLineTag)
			}
			id, err := parseKeyID(string(f[2]))
			if err != nil {
				return nil, fmt.Errorf("%w: line %d: %v", ErrInvalidKeyring, lineNo, err)
			}
			if hasKeyID(keys, id) {
				return nil, fmt.Errorf("%w: line %d: duplicate master key id %s", ErrInvalidKeyring, lineNo, id)
			}
			if len(keys) >= maxMasterKeys {
				return nil, fmt.Errorf("%w: more than %d master keys", ErrInvalidKeyring, maxMasterKeys)
			}
			k, err := decodeKey(f[3])
			if err != nil {
				return nil, fmt.Errorf("%w: line %d: master key %s: %v", ErrInvalidKeyring, lineNo, id, err)
			}
			keys = append(keys, masterKey{id: id, key: k})
		default:
			return nil, fmt.Errorf("%w: line %d: unknown line type", ErrInvalidKeyring, lineNo)
		}
	}
	if secret == nil {
		return nil, fmt.Errorf("%w: no %s line", ErrInvalidKeyring, indexLineTag)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no %s line", ErrInvalidKeyring, masterLineTag)
	}
	return newKeyring(keys, secret)
}

// splitLines splits s into lines at '\n' or, when s has no newline at all
// (a one-line environment variable), at ';'.
func splitLines(s []byte) [][]byte {
	if bytes.IndexByte(s, '\n') >= 0 {
		return bytes.Split(s, []byte{'\n'})
	}
	return bytes.Split(s, []byte{';'})
}

// decodeKey decodes a padded standard base64 key of exactly KeySize bytes.
// Its errors never contain the input.
func decodeKey(s []byte) (*[KeySize]byte, error) {
	if len(s) != base64.StdEncoding.EncodedLen(KeySize) {
		return nil, errors.New("not a base64-encoded 32-byte key")
	}
	var buf [KeySize + 3]byte
	n, err := base64.StdEncoding.Strict().Decode(buf[:], s)
	defer clear(buf[:])
	if err != nil || n != KeySize {
		return nil, errors.New("not a base64-encoded 32-byte key")
	}
	var zero [KeySize]byte
	if subtle.ConstantTimeCompare(buf[:KeySize], zero[:]) == 1 {
		return nil, errors.New("key is all zero bytes")
	}
	k := new([KeySize]byte)
	copy(k[:], buf[:KeySize])
	return k, nil
}

// parseKeyID parses a key id: exactly 16 lowercase hex digits.
func parseKeyID(s string) (keyID, error) {
	var id keyID
	if len(s) != 2*keyIDSize {
		return id, errors.New("key id must be 16 lowercase hex digits")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return id, errors.New("key id must be 16 lowercase hex digits")
		}
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, errors.New("key id must be 16 lowercase hex digits")
	}
	return id, nil
}

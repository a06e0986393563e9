package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
)

const (
	wrapVersion1 = 0x01
	wrapPurpose  = "haven/dek/v1"

	gcmNonceSize = 12
	gcmTagSize   = 16

	wrapHeaderSize = 1 + keyIDSize

	// maxContextLen bounds record ids and field names bound into AAD.
	maxContextLen = 4096
)

// WrappedKeySize is the length of a version 1 [WrappedKey] (69 bytes).
const WrappedKeySize = wrapHeaderSize + gcmNonceSize + KeySize + gcmTagSize

var (
	// ErrDecrypt is returned (wrapped) when a ciphertext or wrapped key
	// fails authentication: wrong key, wrong record or field, or tampering.
	ErrDecrypt = errors.New("seal: decryption failed")
	// ErrMalformed is returned (wrapped) when a ciphertext or wrapped key
	// has an unknown version or a wrong length.
	ErrMalformed = errors.New("seal: malformed input")
	// ErrUnknownKey is returned (wrapped) when a wrapped key names a master
	// key that is not in the keyring.
	ErrUnknownKey = errors.New("seal: unknown master key")
	// ErrInvalidKey is returned (wrapped) for a zero or destroyed DataKey.
	ErrInvalidKey = errors.New("seal: invalid data key")
)

// dataKeyMaterial keeps the key behind a second pointer for the same reason
// as Keyring does.
type dataKeyMaterial struct {
	key       *[KeySize]byte
	destroyed bool
}

// DataKey is a record's AES-256 data key in plaintext. It lives only in
// memory: persist the [WrappedKey] instead. Copies of a DataKey share the
// same key material. The zero DataKey is invalid. A DataKey prints and logs
// as "[redacted]".
type DataKey struct {
	m *dataKeyMaterial
}

// Destroy overwrites the key material (for all copies of dk); afterwards
// Seal and Open with dk fail. It must not run concurrently with other uses
// of dk. Go may have left other copies in memory, so this is a best effort.
func (dk DataKey) Destroy() {
	if dk.m != nil {
		clear(dk.m.key[:])
		dk.m.destroyed = true
	}
}

func (dk DataKey) aead() (cipher.AEAD, error) {
	if dk.m == nil || dk.m.destroyed {
		return nil, ErrInvalidKey
	}
	return newGCM(dk.m.key)
}

func newGCM(key *[KeySize]byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return aead, nil
}

// WrappedKey is a data key encrypted under a master key. It is what gets
// stored with a record. Layout (version 1, WrappedKeySize bytes):
//
//	version (1 byte, 0x01) || master key id (8 bytes) || nonce (12 bytes) ||
//	AES-256-GCM ciphertext of the data key with tag (48 bytes)
//
// The AAD binds the purpose "haven/dek/v1", the version and key id, and the
// owning record id, so a wrapped key copied to another record fails to
// unwrap. Deleting every copy of a record's WrappedKey makes the record's
// fields unrecoverable. A WrappedKey prints and logs as "[redacted]" so
// that log files never keep a copy that would defeat such erasure. Store it
// as []byte(w), or pass it to database/sql or pgx directly: it implements
// driver.Valuer and sql.Scanner with its raw bytes.
type WrappedKey []byte

// Value returns the raw bytes of w, so that database drivers store them
// rather than the redacted String form.
func (w WrappedKey) Value() (driver.Value, error) {
	if w == nil {
		return nil, nil
	}
	return []byte(w), nil
}

// Scan copies a database value ([]byte, string or NULL) into w.
func (w *WrappedKey) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*w = nil
	case []byte:
		*w = append(WrappedKey(nil), v...)
	case string:
		*w = WrappedKey(v)
	default:
		return fmt.Errorf("seal: cannot scan %T into WrappedKey", src)
	}
	return nil
}

// KeyID returns the id of the master key that w is wrapped under.
func (w WrappedKey) KeyID() (string, error) {
	id, err := w.parse()
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

func (w WrappedKey) parse() (keyID, error) {
	var id keyID
	if len(w) == 0 {
		return id, fmt.Errorf("%w: empty wrapped key", ErrMalformed)
	}
	if w[0] != wrapVersion1 {
		return id, fmt.Errorf("%w: unsupported wrapped key version %d", ErrMalformed, w[0])
	}
	if len(w) != WrappedKeySize {
		return id, fmt.Errorf("%w: wrapped key has %d bytes, want %d", ErrMalformed, len(w), WrappedKeySize)
	}
	copy(id[:], w[1:wrapHeaderSize])
	return id, nil
}

// NewDataKey creates a random data key for the record recordID and returns
// it together with its wrapped form under the active master key.
func (kr *Keyring) NewDataKey(recordID string) (DataKey, WrappedKey, error) {
	if err := checkContext("record id", recordID); err != nil {
		return DataKey{}, nil, err
	}
	m := &dataKeyMaterial{key: new([KeySize]byte)}
	if _, err := rand.Read(m.key[:]); err != nil {
		return DataKey{}, nil, fmt.Errorf("seal: generating data key: %w", err)
	}
	w, err := wrap(kr.active(), recordID, m.key)
	if err != nil {
		return DataKey{}, nil, err
	}
	return DataKey{m: m}, w, nil
}

// Unwrap decrypts the data key of record recordID with the master key that
// w names.
func (kr *Keyring) Unwrap(recordID string, w WrappedKey) (DataKey, error) {
	if err := checkContext("record id", recordID); err != nil {
		return DataKey{}, err
	}
	id, err := w.parse()
	if err != nil {
		return DataKey{}, err
	}
	mk, ok := kr.lookup(id)
	if !ok {
		// A rotation elsewhere may have added the key to the file.
		if changed, _ := kr.Refresh(); changed {
			mk, ok = kr.lookup(id)
		}
	}
	if !ok {
		return DataKey{}, fmt.Errorf("%w: wrapped key names master key %s, which is not in the keyring", ErrUnknownKey, id)
	}
	aead, err := newGCM(mk.key)
	if err != nil {
		return DataKey{}, err
	}
	nonce := w[wrapHeaderSize : wrapHeaderSize+gcmNonceSize]
	m := &dataKeyMaterial{key: new([KeySize]byte)}
	_, err = aead.Open(m.key[:0], nonce, w[wrapHeaderSize+gcmNonceSize:], wrapAAD(w[:wrapHeaderSize], recordID))
	if err != nil {
		return DataKey{}, fmt.Errorf("%w: wrapped data key does not belong to this record or master key", ErrDecrypt)
	}
	return DataKey{m: m}, nil
}

// Rewrap re-encrypts the data key in w under the active master key. The data
// key itself, and so every field ciphertext made with it, stays the same:
// rotating the master key needs no re-encryption of fields. If w is already
// wrapped under the active key it is verified and returned unchanged.
func (kr *Keyring) Rewrap(recordID string, w WrappedKey) (WrappedKey, error) {
	dk, err := kr.Unwrap(recordID, w)
	if err != nil {
		return nil, err
	}
	defer dk.Destroy()
	if !kr.NeedsRewrap(w) {
		return append(WrappedKey(nil), w...), nil
	}
	return wrap(kr.active(), recordID, dk.m.key)
}

// NeedsRewrap reports whether w is not wrapped under the active master key
// (malformed input also reports true, so that Rewrap surfaces the error).
func (kr *Keyring) NeedsRewrap(w WrappedKey) bool {
	id, err := w.parse()
	return err != nil || id != kr.active().id
}

func wrap(mk masterKey, recordID string, key *[KeySize]byte) (WrappedKey, error) {
	aead, err := newGCM(mk.key)
	if err != nil {
		return nil, err
	}
	w := make(WrappedKey, wrapHeaderSize+gcmNonceSize, WrappedKeySize)
	w[0] = wrapVersion1
	copy(w[1:wrapHeaderSize], mk.id[:])
	if _, err := rand.Read(w[wrapHeaderSize:]); err != nil {
		return nil, fmt.Errorf("seal: generating nonce: %w", err)
	}
	nonce := w[wrapHeaderSize : wrapHeaderSize+gcmNonceSize]
	return aead.Seal(w, nonce, key[:], wrapAAD(w[:wrapHeaderSize], recordID)), nil
}

func wrapAAD(header []byte, recordID string) []byte {
	aad := appendLenPrefixed(nil, wrapPurpose)
	aad = appendLenPrefixed(aad, string(header))
	return appendLenPrefixed(aad, recordID)
}

// appendLenPrefixed appends a 4-byte big-endian length and s. Callers keep
// s within maxContextLen.
func appendLenPrefixed(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func checkContext(what, s string) error {
	if s == "" {
		return fmt.Errorf("seal: empty %s", what)
	}
	if len(s) > maxContextLen {
		return fmt.Errorf("seal: %s longer than %d bytes", what, maxContextLen)
	}
	return nil
}

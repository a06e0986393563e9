package seal

import (
	"crypto/cipher"
	"crypto/rand"
	"fmt"
)

const (
	fieldVersion1 = 0x01
	fieldPurpose  = "haven/field/v1"

	fieldOverhead = 1 + gcmNonceSize + gcmTagSize
)

// Seal encrypts one field of record recordID with the record's data key.
// The result (version 1) is
//
//	version (1 byte, 0x01) || nonce (12 random bytes) || AES-256-GCM ciphertext and tag
//
// with AAD = len||"haven/field/v1" || len||recordID || len||field (4-byte
// big-endian lengths), so the ciphertext only opens for the same record and
// field. An empty plaintext is allowed. Record id and field name must be
// non-empty and at most 4096 bytes.
func Seal(dk DataKey, recordID, field string, plaintext []byte) ([]byte, error) {
	aead, aad, err := fieldCipher(dk, recordID, field)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+gcmNonceSize, fieldOverhead+len(plaintext))
	out[0] = fieldVersion1
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("seal: generating nonce: %w", err)
	}
	return aead.Seal(out, out[1:1+gcmNonceSize], plaintext, aad), nil
}

// Open decrypts a field sealed by [Seal] for the same data key, record and
// field. Any mismatch or modification yields an error wrapping
// [ErrDecrypt] (or [ErrMalformed] for a wrong version or length); errors
// never contain plaintext or key material.
func Open(dk DataKey, recordID, field string, ciphertext []byte) ([]byte, error) {
	aead, aad, err := fieldCipher(dk, recordID, field)
	if err != nil {
		return nil, err
	}
	if len(ciphertext) == 0 {
		return nil, fmt.Errorf("%w: empty field ciphertext", ErrMalformed)
	}
	if ciphertext[0] != fieldVersion1 {
		return nil, fmt.Errorf("%w: unsupported field ciphertext version %d", ErrMalformed, ciphertext[0])
	}
	if len(ciphertext) < fieldOverhead {
		return nil, fmt.Errorf("%w: field ciphertext too short", ErrMalformed)
	}
	pt, err := aead.Open(nil, ciphertext[1:1+gcmNonceSize], ciphertext[1+gcmNonceSize:], aad)
	if err != nil {
		return nil, fmt.Errorf("%w: field does not belong to this record, field or data key, or was modified", ErrDecrypt)
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

// fieldCipher is the cipher of data key dk and the AAD of field of record
// recordID.
func fieldCipher(dk DataKey, recordID, field string) (cipher.AEAD, []byte, error) {
	aad, err := fieldAAD(recordID, field)
	if err != nil {
		return nil, nil, err
	}
	aead, err := dk.aead()
	if err != nil {
		return nil, nil, err
	}
	return aead, aad, nil
}

func fieldAAD(recordID, field string) ([]byte, error) {
	if err := checkContext("record id", recordID); err != nil {
		return nil, err
	}
	if err := checkContext("field name", field); err != nil {
		return nil, err
	}
	aad := make([]byte, 0, 12+len(fieldPurpose)+len(recordID)+len(field))
	aad = appendLenPrefixed(aad, fieldPurpose)
	aad = appendLenPrefixed(aad, recordID)
	return appendLenPrefixed(aad, field), nil
}

// OpenWrapped decrypts a field sealed for record recordID under the data
// key that w wraps, as [Keyring.Unwrap] and [Open] do, and destroys the
// data key after.
func (kr *Keyring) OpenWrapped(recordID string, w WrappedKey, field string, ciphertext []byte) ([]byte, error) {
	dk, err := kr.Unwrap(recordID, w)
	if err != nil {
		return nil, err
	}
	defer dk.Destroy()
	return Open(dk, recordID, field, ciphertext)
}

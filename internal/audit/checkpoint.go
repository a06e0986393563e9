package audit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// checkpointDomain is prepended to the signed checkpoint message.
const checkpointDomain = "haven/audit-checkpoint/v1"

// Checkpoint is a signed statement that the event with sequence number Seq
// had hash Hash at time At (Unix milliseconds, UTC). Because every event
// hash covers the previous one, a checkpoint commits to the whole log up to
// and including Seq. KeyID names the Ed25519 key that made Signature (see
// [KeyIDFor]).
//
// Signature is an Ed25519 signature over
//
//	"haven/audit-checkpoint/v1" || Seq (int64, 8 bytes big-endian)
//	  || Hash (32 bytes) || At (int64, 8 bytes big-endian)
//
// KeyID is not signed; it only selects the verification key.
type Checkpoint struct {
	Seq       int64
	Hash      []byte
	At        int64
	KeyID     string
	Signature []byte
}

// ErrBadCheckpoint is returned (wrapped) by [Checkpoint.Verify].
var ErrBadCheckpoint = errors.New("audit: bad checkpoint")

// KeyIDFor returns the key id of pub: the hex encoding of the first 8 bytes
// of SHA-256(pub).
func KeyIDFor(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

func checkpointMessage(seq int64, hash []byte, at int64) []byte {
	m := make([]byte, 0, len(checkpointDomain)+8+len(hash)+8)
	m = append(m, checkpointDomain...)
	m = binary.BigEndian.AppendUint64(m, uint64(seq))
	m = append(m, hash...)
	m = binary.BigEndian.AppendUint64(m, uint64(at))
	return m
}

// Sign returns a checkpoint for e, which must be a chained event (see
// [Chain]), signed with priv at time at (Unix milliseconds, UTC). keyID
// should be [KeyIDFor] of priv's public key, as returned by
// [LoadOrCreateSigningKey].
func Sign(priv ed25519.PrivateKey, keyID string, e Event, at int64) Checkpoint {
	h := append([]byte(nil), e.Hash...)
	return Checkpoint{
		Seq:       e.Seq,
		Hash:      h,
		At:        at,
		KeyID:     keyID,
		Signature: ed25519.Sign(priv, checkpointMessage(e.Seq, h, at)),
	}
}

// Verify checks c's signature under pub, and that c is well formed: Seq at
// least 1 and a Hash of [HashSize] bytes. It does not check KeyID and does
// not compare Hash with any event; [Verifier] does both.
func (c Checkpoint) Verify(pub ed25519.PublicKey) error {
	switch {
	case len(pub) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: public key has %d bytes, want %d", ErrBadCheckpoint, len(pub), ed25519.PublicKeySize)
	case c.Seq < 1:
		return fmt.Errorf("%w: seq %d is not positive", ErrBadCheckpoint, c.Seq)
	case len(c.Hash) != HashSize:
		return fmt.Errorf("%w: hash has %d bytes, want %d", ErrBadCheckpoint, len(c.Hash), HashSize)
	case len(c.Signature) != ed25519.SignatureSize:
		return fmt.Errorf("%w: signature has %d bytes, want %d", ErrBadCheckpoint, len(c.Signature), ed25519.SignatureSize)
	case !ed25519.Verify(pub, checkpointMessage(c.Seq, c.Hash, c.At), c.Signature):
		return fmt.Errorf("%w: signature does not verify", ErrBadCheckpoint)
	}
	return nil
}

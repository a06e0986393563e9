package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
)

func TestKeyIDFor(t *testing.T) {
	_, pub, id := testKey(1)
	sum := sha256.Sum256(pub)
	if want := hex.EncodeToString(sum[:8]); id != want || len(id) != 16 {
		t.Fatalf("KeyIDFor = %q, want %q", id, want)
	}
	_, _, other := testKey(2)
	if other == id {
		t.Fatal("two keys share a key id")
	}
}

func TestSignVerify(t *testing.T) {
	priv, pub, keyID := testKey(1)
	_, otherPub, _ := testKey(2)
	e := buildLog(3)[2]
	c := Sign(priv, keyID, e, 1_800_000_000_000)
	if c.Seq != 3 || !bytes.Equal(c.Hash, e.Hash) || c.At != 1_800_000_000_000 || c.KeyID != keyID {
		t.Fatalf("checkpoint %+v", c)
	}
	if err := c.Verify(pub); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// The signed message is the documented one.
	msg := []byte("haven/audit-checkpoint/v1")
	msg = binary.BigEndian.AppendUint64(msg, 3)
	msg = append(msg, e.Hash...)
	msg = binary.BigEndian.AppendUint64(msg, 1_800_000_000_000)
	if !ed25519.Verify(pub, msg, c.Signature) {
		t.Fatal("signature is not over the documented message")
	}
	e.Hash[0] ^= 1
	if c.Hash[0] == e.Hash[0] {
		t.Fatal("checkpoint shares the event's hash slice")
	}

	tests := []struct {
		name string
		f    func(c *Checkpoint)
		pub  ed25519.PublicKey
	}{
		{"other key", func(c *Checkpoint) {}, otherPub},
		{"nil key", func(c *Checkpoint) {}, nil},
		{"short key", func(c *Checkpoint) {}, pub[:31]},
		{"seq", func(c *Checkpoint) { c.Seq++ }, pub},
		{"zero seq", func(c *Checkpoint) { c.Seq = 0 }, pub},
		{"hash", func(c *Checkpoint) { c.Hash[0] ^= 1 }, pub},
		{"short hash", func(c *Checkpoint) { c.Hash = c.Hash[:31] }, pub},
		{"time", func(c *Checkpoint) { c.At-- }, pub},
		{"signature", func(c *Checkpoint) { c.Signature[63] ^= 0x80 }, pub},
		{"short signature", func(c *Checkpoint) { c.Signature = c.Signature[:63] }, pub},
		{"no signature", func(c *Checkpoint) { c.Signature = nil }, pub},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := c
			bad.Hash = slices.Clone(c.Hash)
			bad.Signature = slices.Clone(c.Signature)
			tt.f(&bad)
			if err := bad.Verify(tt.pub); !errors.Is(err, ErrBadCheckpoint) {
				t.Fatalf("Verify = %v, want ErrBadCheckpoint", err)
			}
		})
	}
}

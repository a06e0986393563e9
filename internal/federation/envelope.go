package federation

import (
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Version is the envelope format's version.
const Version = 1

// envelopeDomain starts the signed and the HPKE-bound bytes.
const envelopeDomain = "haven-trm/envelope/v1"

// MaxSealed bounds the sealed part of an envelope: packages carry coded
// values and a little sealed text, never files.
const MaxSealed = 512 << 10

// Window is how far an envelope's time may lie from the receiver's clock.
// Outside it an envelope is refused as stale; inside it a repeated id is a
// replay (the receiver keeps every id it accepted).
const Window = 15 * time.Minute

// Kinds of envelope.
const (
	KindPackage  = "package"  // a case package for a purpose
	KindReceipt  = "receipt"  // the signed acknowledgement of an envelope
	KindDecision = "decision" // acceptance or refusal of a package
	KindStatus   = "status"   // a coded status event of a linked case
	KindDeletion = "deletion" // a request to erase what a package brought
	KindErasure  = "erasure"  // confirmation that it was erased
	KindPSI      = "psi"      // a private set intersection message
)

var kinds = map[string]bool{KindPackage: true, KindReceipt: true, KindDecision: true, KindStatus: true,
	KindDeletion: true, KindErasure: true, KindPSI: true}

// Envelope is one message between instances, as JSON on the wire.
// []byte fields are standard base64.
type Envelope struct {
	V       int    `json:"v"`
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	From    string `json:"from"`
	FromKey string `json:"from_key"`
	To      string `json:"to"`
	ToKey   string `json:"to_key"`
	// At is the sender's time, RFC 3339 UTC with milliseconds.
	At string `json:"at"`
	// Sealed is HPKE's encapsulated key followed by the ciphertext.
	Sealed []byte `json:"sealed"`
	// Sig is Ed25519 by the sender's key FromKey over SignedBytes.
	Sig []byte `json:"sig"`
}

// Recipient is what a sender needs of a peer: its instance id and active
// encryption key.
type Recipient struct {
	Instance string
	KeyID    string
	KEMKey   []byte
}

// PeerKeys is what a receiver knows of a sender.
type PeerKeys struct {
	Instance string
	// Suspended peers' envelopes are refused.
	Suspended bool
	// SignKeys are the sender's trusted signing keys by key id (the
	// active one and any retired ones still trusted).
	SignKeys map[string]ed25519.PublicKey
}

// Refusal reasons, each a distinct error so the receiver audits which.
var (
	ErrMalformed   = errors.New("federation: malformed envelope")
	ErrNotForUs    = errors.New("federation: envelope addressed to another instance")
	ErrUnknownPeer = errors.New("federation: unknown peer")
	ErrSuspended   = errors.New("federation: peer suspended")
	ErrUnknownKey  = errors.New("federation: unknown sender key")
	ErrSignature   = errors.New("federation: bad signature")
	ErrStale       = errors.New("federation: envelope outside the time window")
	ErrWrongKey    = errors.New("federation: sealed to a key this instance does not hold")
	ErrDecrypt     = errors.New("federation: sealed part does not open")
	ErrReplay      = errors.New("federation: envelope already received")
)

// Reason is the audit code of a refusal.
func Reason(err error) string {
	for _, r := range []struct {
		err  error
		code string
	}{{ErrMalformed, "malformed"}, {ErrNotForUs, "not_for_us"}, {ErrUnknownPeer, "unknown_peer"},
		{ErrSuspended, "suspended_peer"}, {ErrUnknownKey, "unknown_key"}, {ErrSignature, "bad_signature"},
		{ErrStale, "stale"}, {ErrWrongKey, "wrong_key"}, {ErrDecrypt, "decrypt_failed"}, {ErrReplay, "replay"}} {
		if errors.Is(err, r.err) {
			return r.code
		}
	}
	return "error"
}

// header encodes the fields before Sealed: each as a 4-byte big-endian
// length and its bytes, after the domain. It is HPKE's info, so a sealed
// part moved under another header does not open.
func (e *Envelope) header() []byte {
	b := []byte(envelopeDomain)
	for _, f := range []string{strconv.Itoa(e.V), e.ID, e.Kind, e.From, e.FromKey, e.To, e.ToKey, e.At} {
		b = appendField(b, []byte(f))
	}
	return b
}

// SignedBytes is what Sig signs: the header, then Sealed as one more field.
func (e *Envelope) SignedBytes() []byte { return appendField(e.header(), e.Sealed) }

func appendField(b, f []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
	return append(b, f...)
}

// NewID is a fresh envelope id, 32 hex digits: the time in nanoseconds
// (8 bytes, big-endian) and 8 random bytes, so ids sort in the order they
// were made and an outbox sends a peer's envelopes in that order.
func NewID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixNano()))
	if _, err := rand.Read(b[8:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b[:])
}

// Seal makes an envelope of kind carrying plaintext to the recipient,
// signed with the identity's active key. id may be empty for a fresh one
// (an outbox gives its row's id, so a retry resends the same envelope).
func (id *Identity) Seal(envID string, kind string, to Recipient, plaintext []byte, now time.Time) (*Envelope, error) {
	if !kinds[kind] {
		return nil, fmt.Errorf("%w: kind", ErrMalformed)
	}
	if envID == "" {
		envID = NewID()
	}
	pk, err := suiteKEM.NewPublicKey(to.KEMKey)
	if err != nil {
		return nil, fmt.Errorf("federation: recipient key: %w", err)
	}
	k := id.Active()
	e := &Envelope{V: Version, ID: envID, Kind: kind, From: id.Instance, FromKey: k.ID, To: to.Instance, ToKey: to.KeyID,
		At: now.UTC().Format("2006-01-02T15:04:05.000Z")}
	e.Sealed, err = hpke.Seal(pk, suiteKDF, suiteAEAD, e.header(), plaintext)
	if err != nil {
		return nil, err
	}
	e.Sig = ed25519.Sign(k.Sign, e.SignedBytes())
	return e, nil
}

// Check verifies everything about an envelope that needs no secret: its
// shape, that it is addressed to this instance, that the sender is a
// known, active peer, the signature by a trusted key of the sender, and
// its time. It returns the sender's instance for the caller's replay check.
func (id *Identity) Check(e *Envelope, lookup func(instance string) (PeerKeys, error), now time.Time) (PeerKeys, error) {
	if e.V != Version || !isHexID(e.ID) || !kinds[e.Kind] || !isHexID(e.From) || len(e.Sealed) == 0 || len(e.Sealed) > MaxSealed {
		return PeerKeys{}, ErrMalformed
	}
	if e.To != id.Instance {
		return PeerKeys{}, ErrNotForUs
	}
	p, err := lookup(e.From)
	if err != nil {
		return PeerKeys{}, err
	}
	if p.Suspended {
		return p, ErrSuspended
	}
	pub, ok := p.SignKeys[e.FromKey]
	if !ok {
		return p, ErrUnknownKey
	}
	if !ed25519.Verify(pub, e.SignedBytes(), e.Sig) {
		return p, ErrSignature
	}
	at, err := time.Parse(time.RFC3339Nano, e.At)
	if err != nil {
		return p, ErrMalformed
	}
	if d := now.Sub(at); d > Window || d < -Window {
		return p, ErrStale
	}
	return p, nil
}

// OpenSealed decrypts a checked envelope with the key it was sealed to.
func (id *Identity) OpenSealed(e *Envelope) ([]byte, error) {
	k, ok := id.Key(e.ToKey)
	if !ok {
		return nil, ErrWrongKey
	}
	pt, err := hpke.Open(k.KEM, suiteKDF, suiteAEAD, e.header(), e.Sealed)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// Time is the envelope's time.
func (e *Envelope) Time() time.Time {
	t, _ := time.Parse(time.RFC3339Nano, e.At)
	return t
}

func isHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

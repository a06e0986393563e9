package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
)

// HashSize is the length in bytes of [Event.Hash], [Event.PrevHash] and
// [Checkpoint.Hash].
const HashSize = sha256.Size

// eventDomain is prepended to the canonical encoding before hashing, so an
// event hash can never be confused with a hash of anything else.
const eventDomain = "haven/audit/v1"

// Flags for [Event.Flags].
const (
	// FlagBreakGlass marks an access made under the break-glass procedure:
	// an emergency override of the normal access rules. [Event.Reason]
	// must then hold the break-glass reason id.
	FlagBreakGlass uint32 = 1 << 0
)

// SystemActor is the [Event.Actor] of events caused by Haven itself rather
// than by a user (scheduled jobs, retention runs, start-up).
const SystemActor = "system"

// Limits enforced by [Event.Validate] and [ValidateDetails].
const (
	// MaxTokenLen is the maximum length of an identifier or code: every
	// string field of an event and every key and value of its details.
	MaxTokenLen = 128
	// MaxDetails is the maximum number of entries in [Event.Details].
	MaxDetails = 32
)

// Event is one audit log entry.
//
// Events record who did what to which object, by identifiers and codes
// only. They never carry personal data: no names, dates of birth, document
// numbers, addresses, free-text notes or search terms. Personal data lives
// in the case records, where it can be corrected and erased as data
// protection law requires. The audit log is append-only and hash-chained,
// so nothing written into it can be changed or erased later without
// breaking the chain; personal data written here by mistake could never be
// removed. Identifiers are still pseudonymous personal data in law (they
// lead back to a person through the case records), so access to the audit
// log must be restricted too.
//
// [Event.Validate] and [ValidateDetails] enforce this mechanically: every
// string is limited to the characters A-Z a-z 0-9 . _ : - and to
// [MaxTokenLen] bytes, which admits identifiers and codes but no spaces and
// therefore no names or prose.
//
// Seq, PrevHash and Hash are filled by [Chain]; every other field is set by
// the caller.
type Event struct {
	// Seq is the position in the log, starting at 1, without gaps.
	Seq int64
	// ID is the event's unique identifier.
	ID string
	// At is the time of the event in Unix milliseconds, UTC.
	At int64
	// Actor is the acting user's id, or [SystemActor].
	Actor string
	// Action is a dotted action code, such as "case.view" or "user.login".
	Action string
	// ObjectType and ObjectID identify the object acted on, if any.
	ObjectType string
	ObjectID   string
	// Agency is the id of the agency on whose behalf the actor acted.
	Agency string
	// Reason is a coded reason, or the break-glass reason id when
	// FlagBreakGlass is set. Never free text.
	Reason string
	// Flags is a set of Flag* bits.
	Flags uint32
	// Details holds further identifiers and codes. Never personal data.
	Details map[string]string
	// PrevHash is the Hash of the previous event, or [Genesis] for the
	// first event.
	PrevHash []byte
	// Hash is SHA-256 over the event domain and the canonical encoding of
	// every other field; see [Event.ComputeHash].
	Hash []byte
}

// Genesis returns the PrevHash of the first event: 32 zero bytes.
func Genesis() []byte { return make([]byte, HashSize) }

// ErrInvalidEvent is returned (wrapped) by [Event.Validate] and
// [ValidateDetails].
var ErrInvalidEvent = errors.New("audit: invalid event")

// IsToken reports whether s is a valid identifier or code: 1 to
// [MaxTokenLen] bytes from A-Z a-z 0-9 . _ : -
func IsToken(s string) bool {
	if len(s) == 0 || len(s) > MaxTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// ValidateDetails checks that every key and value of d is an identifier or
// code (see [IsToken]) and that d has at most [MaxDetails] entries. It is
// the guard against personal data slipping into the audit log by accident:
// a name, an address or a sentence contains a space or another character
// outside the allowed set and is rejected. Error messages never quote the
// rejected value, so they are safe to log.
func ValidateDetails(d map[string]string) error {
	if len(d) > MaxDetails {
		return fmt.Errorf("%w: %d details, at most %d allowed", ErrInvalidEvent, len(d), MaxDetails)
	}
	for _, k := range slices.Sorted(maps.Keys(d)) {
		if !IsToken(k) {
			return fmt.Errorf("%w: detail key is not an identifier or code (%d bytes)", ErrInvalidEvent, len(k))
		}
		if !IsToken(d[k]) {
			return fmt.Errorf("%w: detail %q: value is not an identifier or code (%d bytes)", ErrInvalidEvent, k, len(d[k]))
		}
	}
	return nil
}

// Validate checks the caller-supplied fields of e before it is chained:
// ID, Actor and Action are required, At must be positive, and every string
// that is set must be an identifier or code (see [IsToken]); Details must
// pass [ValidateDetails]. An event flagged [FlagBreakGlass] must carry its
// reason id in Reason. Seq, PrevHash and Hash are not checked; [Chain]
// sets them.
func (e Event) Validate() error {
	if e.At <= 0 {
		return fmt.Errorf("%w: time must be positive Unix milliseconds", ErrInvalidEvent)
	}
	required := []struct{ name, v string }{
		{"id", e.ID}, {"actor", e.Actor}, {"action", e.Action},
	}
	for _, f := range required {
		if !IsToken(f.v) {
			return fmt.Errorf("%w: %s is missing or not an identifier or code (%d bytes)", ErrInvalidEvent, f.name, len(f.v))
		}
	}
	optional := []struct{ name, v string }{
		{"object type", e.ObjectType}, {"object id", e.ObjectID},
		{"agency", e.Agency}, {"reason", e.Reason},
	}
	for _, f := range optional {
		if f.v != "" && !IsToken(f.v) {
			return fmt.Errorf("%w: %s is not an identifier or code (%d bytes)", ErrInvalidEvent, f.name, len(f.v))
		}
	}
	if e.ObjectID != "" && e.ObjectType == "" {
		return fmt.Errorf("%w: object id without object type", ErrInvalidEvent)
	}
	if e.Flags&FlagBreakGlass != 0 && e.Reason == "" {
		return fmt.Errorf("%w: break-glass event without a reason id", ErrInvalidEvent)
	}
	return ValidateDetails(e.Details)
}

// Chain links e to prev and returns it with Seq, PrevHash and Hash set:
// Seq is prev.Seq+1 and PrevHash a copy of prev.Hash, or 1 and [Genesis]
// when prev is nil (the first event). Details is copied, so later changes
// to the caller's map do not affect the returned event.
//
// Chain does not validate e; call [Event.Validate] first.
func Chain(prev *Event, e Event) Event {
	if prev == nil {
		e.Seq = 1
		e.PrevHash = Genesis()
	} else {
		e.Seq = prev.Seq + 1
		e.PrevHash = slices.Clone(prev.Hash)
	}
	e.Details = maps.Clone(e.Details)
	e.Hash = e.ComputeHash()
	return e
}

// ComputeHash returns SHA-256("haven/audit/v1" || canonical encoding of e).
// The canonical encoding covers every field except Hash; see
// [Event.AppendCanonical].
func (e Event) ComputeHash() []byte {
	var h hasher
	sum := h.hash(&e)
	return sum[:]
}

// AppendCanonical appends the canonical encoding of e to b and returns the
// extended slice. The encoding covers every field except Hash, in this
// order, with all integers big-endian:
//
//	Seq         int64, 8 bytes (two's complement)
//	PrevHash    bytes
//	ID          string
//	At          int64, 8 bytes (two's complement)
//	Actor       string
//	Action      string
//	ObjectType  string
//	ObjectID    string
//	Agency      string
//	Reason      string
//	Flags       uint32, 4 bytes
//	Details     uint32 entry count, then for each entry in ascending
//	            byte order of keys: key string, value string
//
// where bytes and string are a uint32 length followed by that many bytes.
// The encoding is injective: distinct events (treating a nil and an empty
// map or slice as equal) have distinct encodings; the tests hold a decoder
// (decode_test.go) that inverts it.
//
// AppendCanonical panics if a field is 4 GiB or longer or Details has 2^32
// or more entries, which no database row can hold.
func (e Event) AppendCanonical(b []byte) []byte {
	b, _ = appendCanonical(b, &e, nil)
	return b
}

// appendCanonical is AppendCanonical with a reusable scratch slice for the
// sorted detail keys, which it returns for the next call.
func appendCanonical(b []byte, e *Event, keys []string) ([]byte, []string) {
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = appendBytes(b, e.PrevHash)
	b = appendString(b, e.ID)
	b = binary.BigEndian.AppendUint64(b, uint64(e.At))
	b = appendString(b, e.Actor)
	b = appendString(b, e.Action)
	b = appendString(b, e.ObjectType)
	b = appendString(b, e.ObjectID)
	b = appendString(b, e.Agency)
	b = appendString(b, e.Reason)
	b = binary.BigEndian.AppendUint32(b, e.Flags)
	b = binary.BigEndian.AppendUint32(b, checkLen(len(e.Details)))
	keys = keys[:0]
	for k := range e.Details {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, e.Details[k])
	}
	return b, keys
}

func checkLen(n int) uint32 {
	if uint64(n) > math.MaxUint32 {
		panic("audit: event field too long to encode")
	}
	return uint32(n)
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, checkLen(len(s)))
	return append(b, s...)
}

func appendBytes(b []byte, p []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, checkLen(len(p)))
	return append(b, p...)
}

// hasher computes event hashes, reusing its buffers between calls.
type hasher struct {
	buf  []byte
	keys []string
}

func (h *hasher) hash(e *Event) [HashSize]byte {
	h.buf, h.keys = appendCanonical(append(h.buf[:0], eventDomain...), e, h.keys)
	sum := sha256.Sum256(h.buf)
	// Do not keep a large buffer alive after an unusually large event.
	if cap(h.buf) > 64<<10 {
		h.buf = nil
	}
	return sum
}

package audit

// The canonical decoder is the tests' proof that AppendCanonical is
// injective: every accepted input re-encodes to exactly itself. Haven itself
// never decodes the encoding (it hashes it), so the decoder lives with the
// tests.

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrMalformed is returned (wrapped) by [DecodeCanonical] for input that is
// not a canonical event encoding.
var ErrMalformed = errors.New("audit: malformed canonical encoding")

// DecodeCanonical parses the canonical encoding produced by
// [Event.AppendCanonical] and returns the event with Hash set from the
// decoded content (the encoding does not contain Hash). It accepts only
// canonical input: detail keys must be strictly ascending (so unique), and
// there must be no trailing bytes. Hence every accepted input re-encodes to
// exactly itself. Empty Details and PrevHash decode as nil.
func DecodeCanonical(b []byte) (Event, error) {
	d := decoder{b: b}
	var e Event
	e.Seq = int64(d.uint64())
	e.PrevHash = d.bytes()
	e.ID = d.string()
	e.At = int64(d.uint64())
	e.Actor = d.string()
	e.Action = d.string()
	e.ObjectType = d.string()
	e.ObjectID = d.string()
	e.Agency = d.string()
	e.Reason = d.string()
	e.Flags = d.uint32()
	n := d.uint32()
	// Each entry takes at least 8 bytes; refuse counts the input cannot
	// hold before allocating.
	if d.err == nil && uint64(n) > uint64(len(d.b))/8 {
		d.fail("detail count %d exceeds input", n)
	}
	if d.err == nil && n > 0 {
		e.Details = make(map[string]string, n)
		prev := ""
		for i := uint32(0); i < n && d.err == nil; i++ {
			k := d.string()
			v := d.string()
			if d.err != nil {
				break
			}
			if i > 0 && k <= prev {
				d.fail("detail keys not in strictly ascending order")
				break
			}
			e.Details[k] = v
			prev = k
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing bytes", len(d.b))
	}
	if d.err != nil {
		return Event{}, d.err
	}
	e.Hash = e.ComputeHash()
	return e, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) take(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail("truncated input")
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) uint64() uint64 {
	p := d.take(8)
	if p == nil {
		return 0
	}
	return binary.BigEndian.Uint64(p)
}

func (d *decoder) uint32() uint32 {
	p := d.take(4)
	if p == nil {
		return 0
	}
	return binary.BigEndian.Uint32(p)
}

func (d *decoder) bytes() []byte {
	p := d.take(uint64(d.uint32()))
	if len(p) == 0 {
		return nil
	}
	return append([]byte(nil), p...)
}

func (d *decoder) string() string {
	return string(d.take(uint64(d.uint32())))
}

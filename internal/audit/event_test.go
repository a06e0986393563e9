package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// testEvent returns a valid, unchained event with index i.
func testEvent(i int) Event {
	return Event{
		ID:         fmt.Sprintf("ev-%d", i),
		At:         1_700_000_000_000 + int64(i)*1000,
		Actor:      "user-7",
		Action:     "case.view",
		ObjectType: "case",
		ObjectID:   fmt.Sprintf("case-%d", i%13),
		Agency:     "agency-3",
		Reason:     "R01",
		Details:    map[string]string{"screen": "summary", "n": strconv.Itoa(i)},
	}
}

// buildLog returns a chained log of n events.
func buildLog(n int) []Event {
	events := make([]Event, n)
	for i := range events {
		var prev *Event
		if i > 0 {
			prev = &events[i-1]
		}
		events[i] = Chain(prev, testEvent(i+1))
	}
	return events
}

func TestChain(t *testing.T) {
	log := buildLog(3)
	if log[0].Seq != 1 || !bytes.Equal(log[0].PrevHash, Genesis()) {
		t.Fatalf("first event: seq %d prev %x", log[0].Seq, log[0].PrevHash)
	}
	for i, e := range log {
		if e.Seq != int64(i+1) {
			t.Errorf("event %d: seq %d", i, e.Seq)
		}
		if len(e.Hash) != HashSize || !bytes.Equal(e.Hash, e.ComputeHash()) {
			t.Errorf("event %d: hash %x", i, e.Hash)
		}
		if i > 0 && !bytes.Equal(e.PrevHash, log[i-1].Hash) {
			t.Errorf("event %d: prev hash does not link", i)
		}
	}

	// Chain copies what it links to and the caller's details.
	in := testEvent(4)
	e := Chain(&log[2], in)
	log[2].Hash[0] ^= 1
	in.Details["screen"] = "changed"
	if !bytes.Equal(e.Hash, e.ComputeHash()) || bytes.Equal(e.PrevHash, log[2].Hash) {
		t.Error("Chain result shares memory with its inputs")
	}
}

func TestGenesis(t *testing.T) {
	g := Genesis()
	if !bytes.Equal(g, make([]byte, 32)) {
		t.Fatalf("Genesis() = %x", g)
	}
	g[0] = 1
	if Genesis()[0] != 0 {
		t.Fatal("Genesis returns shared memory")
	}
}

// TestCanonicalLayout rebuilds the documented encoding by hand.
func TestCanonicalLayout(t *testing.T) {
	e := Event{
		Seq: 42, ID: "id1", At: -5, Actor: "u", Action: "case.view",
		ObjectType: "case", ObjectID: "c9", Agency: "", Reason: "BG-2",
		Flags:    FlagBreakGlass,
		Details:  map[string]string{"b": "2", "a": "1"},
		PrevHash: bytes.Repeat([]byte{0xab}, 32),
		Hash:     []byte("ignored"),
	}
	var want []byte
	str := func(s string) {
		want = binary.BigEndian.AppendUint32(want, uint32(len(s)))
		want = append(want, s...)
	}
	want = binary.BigEndian.AppendUint64(want, 42)
	str(string(e.PrevHash))
	str("id1")
	want = binary.BigEndian.AppendUint64(want, 0xfffffffffffffffb)
	for _, s := range []string{"u", "case.view", "case", "c9", "", "BG-2"} {
		str(s)
	}
	want = binary.BigEndian.AppendUint32(want, 1)
	want = binary.BigEndian.AppendUint32(want, 2)
	for _, s := range []string{"a", "1", "b", "2"} {
		str(s)
	}
	if got := e.AppendCanonical(nil); !bytes.Equal(got, want) {
		t.Fatalf("canonical encoding\n got %x\nwant %x", got, want)
	}
	sum := sha256.Sum256(append([]byte("haven/audit/v1"), want...))
	if !bytes.Equal(e.ComputeHash(), sum[:]) {
		t.Fatal("ComputeHash is not SHA-256 of domain and canonical encoding")
	}
	// Pin the format: a change to the encoding must be a deliberate new
	// version, because it would invalidate every stored hash.
	const golden = "029918e9c46d8ba6ad5f834d1954c4d888744bd31a19c67458fa00d90c2a698c"
	if got := hex.EncodeToString(sum[:]); got != golden {
		t.Errorf("hash of the reference event = %s, want %s", got, golden)
	}
}

func TestCanonicalDeterministic(t *testing.T) {
	a := testEvent(1)
	b := testEvent(1)
	b.Details = map[string]string{}
	// Insert in a different order; map iteration order must not matter.
	b.Details["screen"] = "summary"
	b.Details["n"] = "1"
	for range 20 {
		if !bytes.Equal(a.AppendCanonical(nil), b.AppendCanonical(nil)) {
			t.Fatal("encoding depends on map order")
		}
	}
	// nil and empty are the same.
	c, d := testEvent(2), testEvent(2)
	c.Details, d.Details = nil, map[string]string{}
	c.PrevHash, d.PrevHash = nil, []byte{}
	if !bytes.Equal(c.ComputeHash(), d.ComputeHash()) {
		t.Fatal("nil and empty encode differently")
	}
}

// TestCanonicalInjective checks that moving bytes across field boundaries
// changes the hash.
func TestCanonicalInjective(t *testing.T) {
	base := testEvent(1)
	variants := map[string]func(e *Event){
		"base":              func(e *Event) {},
		"actor/action a":    func(e *Event) { e.Actor, e.Action = "ab", "c" },
		"actor/action b":    func(e *Event) { e.Actor, e.Action = "a", "bc" },
		"type/id a":         func(e *Event) { e.ObjectType, e.ObjectID = "case", "" },
		"type/id b":         func(e *Event) { e.ObjectType, e.ObjectID = "", "case" },
		"detail key/value":  func(e *Event) { e.Details = map[string]string{"ab": "c"} },
		"detail key/value2": func(e *Event) { e.Details = map[string]string{"a": "bc"} },
		"two details":       func(e *Event) { e.Details = map[string]string{"a": "b", "c": "d"} },
		"one detail":        func(e *Event) { e.Details = map[string]string{"a": "b\x00\x00\x00\x01c"} },
		"agency/reason a":   func(e *Event) { e.Agency, e.Reason = "x", "" },
		"agency/reason b":   func(e *Event) { e.Agency, e.Reason = "", "x" },
		"seq":               func(e *Event) { e.Seq = 2 },
		"prev":              func(e *Event) { e.PrevHash = Genesis() },
		"flags":             func(e *Event) { e.Flags = FlagBreakGlass },
		"at":                func(e *Event) { e.At++ },
		"id":                func(e *Event) { e.ID = "ev-1x" },
	}
	seen := map[string]string{}
	for name, f := range variants {
		e := base
		e.Details = map[string]string{"n": "1"}
		f(&e)
		h := string(e.ComputeHash())
		if other, dup := seen[h]; dup {
			t.Errorf("%s and %s have the same hash", name, other)
		}
		seen[h] = name
	}
}

func TestDecodeCanonical(t *testing.T) {
	for _, e := range append(buildLog(3), Event{}, Event{Seq: -1, At: -1, Flags: ^uint32(0)}) {
		b := e.AppendCanonical(nil)
		got, err := DecodeCanonical(b)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !bytes.Equal(got.AppendCanonical(nil), b) {
			t.Fatalf("round trip changed the encoding")
		}
		if !bytes.Equal(got.Hash, e.ComputeHash()) {
			t.Fatalf("decoded hash differs")
		}
	}

	valid := testEvent(1).AppendCanonical(nil)
	twoKeys := func(k1, k2 string) []byte {
		e := testEvent(1)
		e.Details = nil
		b := e.AppendCanonical(nil)
		b = b[:len(b)-4]
		b = binary.BigEndian.AppendUint32(b, 2)
		for _, s := range []string{k1, "v", k2, "v"} {
			b = appendString(b, s)
		}
		return b
	}
	bad := map[string][]byte{
		"empty":         nil,
		"truncated":     valid[:len(valid)-1],
		"trailing":      append(append([]byte(nil), valid...), 0),
		"unsorted keys": twoKeys("b", "a"),
		"repeated key":  twoKeys("a", "a"),
		"huge count": func() []byte {
			b := append([]byte(nil), twoKeys("a", "b")...)
			// Overwrite the detail count (located before the entries).
			off := len(b) - 4*(4+1) - 4
			binary.BigEndian.PutUint32(b[off:], 0xffffffff)
			return b
		}(),
		"huge length": binary.BigEndian.AppendUint32(make([]byte, 8), 0xfffffff0),
	}
	if _, err := DecodeCanonical(twoKeys("a", "b")); err != nil {
		t.Fatalf("sorted keys rejected: %v", err)
	}
	for name, b := range bad {
		if _, err := DecodeCanonical(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}

func TestIsToken(t *testing.T) {
	good := []string{"a", "case.view", "user-7", "A_b:c.d-9", strings.Repeat("x", MaxTokenLen),
		"018f6b7e-2c1a-7d3e-9f00-1a2b3c4d5e6f"}
	bad := []string{"", " ", "Jane Doe", "jane@example.org", "a/b", "a,b", "Zoë", "line\nbreak",
		"tab\t", "x\x00", "1990-01-01 ", "+44 20 7946 0000", strings.Repeat("x", MaxTokenLen+1)}
	for _, s := range good {
		if !IsToken(s) {
			t.Errorf("IsToken(%q) = false", s)
		}
	}
	for _, s := range bad {
		if IsToken(s) {
			t.Errorf("IsToken(%q) = true", s)
		}
	}
}

func TestValidateDetails(t *testing.T) {
	many := map[string]string{}
	for i := range MaxDetails + 1 {
		many["k"+strconv.Itoa(i)] = "v"
	}
	tests := []struct {
		name string
		d    map[string]string
		ok   bool
	}{
		{"nil", nil, true},
		{"ids and codes", map[string]string{"case": "case-12", "doc.type": "PASSPORT", "ref": "NRM:2024:0042"}, true},
		{"name as value", map[string]string{"name": "Jane Doe"}, false},
		{"email as value", map[string]string{"contact": "jane@example.org"}, false},
		{"free text", map[string]string{"note": "seen at the station"}, false},
		{"non-ascii", map[string]string{"city": "Łódź"}, false},
		{"key with space", map[string]string{"first name": "x"}, false},
		{"empty key", map[string]string{"": "x"}, false},
		{"empty value", map[string]string{"k": ""}, false},
		{"long value", map[string]string{"k": strings.Repeat("1", MaxTokenLen+1)}, false},
		{"long key", map[string]string{strings.Repeat("k", MaxTokenLen+1): "1"}, false},
		{"too many", many, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateDetails(tt.d)
			if (err == nil) != tt.ok {
				t.Fatalf("ValidateDetails = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalidEvent) {
					t.Errorf("error does not wrap ErrInvalidEvent: %v", err)
				}
				for _, v := range tt.d {
					if len(v) > 3 && strings.Contains(err.Error(), v) {
						t.Errorf("error message quotes the rejected value: %v", err)
					}
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		f    func(e *Event)
		ok   bool
	}{
		{"valid", func(e *Event) {}, true},
		{"system actor, no object", func(e *Event) { e.Actor = SystemActor; e.ObjectType, e.ObjectID = "", "" }, true},
		{"object type without id", func(e *Event) { e.ObjectID = "" }, true},
		{"break glass with reason", func(e *Event) { e.Flags |= FlagBreakGlass; e.Reason = "BG-3" }, true},
		{"no id", func(e *Event) { e.ID = "" }, false},
		{"no actor", func(e *Event) { e.Actor = "" }, false},
		{"no action", func(e *Event) { e.Action = "" }, false},
		{"zero time", func(e *Event) { e.At = 0 }, false},
		{"object id without type", func(e *Event) { e.ObjectType = "" }, false},
		{"free-text reason", func(e *Event) { e.Reason = "mother called" }, false},
		{"name as actor", func(e *Event) { e.Actor = "Jane Doe" }, false},
		{"name as object id", func(e *Event) { e.ObjectID = "Jane Doe" }, false},
		{"agency with space", func(e *Event) { e.Agency = "a b" }, false},
		{"break glass without reason", func(e *Event) { e.Flags |= FlagBreakGlass; e.Reason = "" }, false},
		{"bad detail", func(e *Event) { e.Details["dob"] = "01/02/1990" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := testEvent(1)
			tt.f(&e)
			err := e.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidEvent) {
				t.Errorf("error does not wrap ErrInvalidEvent: %v", err)
			}
		})
	}
}

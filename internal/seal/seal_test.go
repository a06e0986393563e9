package seal

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func newTestKeyring(t testing.TB) *Keyring {
	t.Helper()
	kr, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func newTestDataKey(t testing.TB, kr *Keyring, recordID string) (DataKey, WrappedKey) {
	t.Helper()
	dk, w, err := kr.NewDataKey(recordID)
	if err != nil {
		t.Fatal(err)
	}
	return dk, w
}

// mustSeal seals pt for the record's field and fails the test on error.
func mustSeal(t testing.TB, dk DataKey, record, field string, pt []byte) []byte {
	t.Helper()
	ct, err := Seal(dk, record, field, pt)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// withNewKey returns kr with a new active key.
func withNewKey(t testing.TB, kr *Keyring) *Keyring {
	t.Helper()
	next, err := kr.WithNewActiveKey()
	if err != nil {
		t.Fatal(err)
	}
	return next
}

func TestSealOpenRoundTrip(t *testing.T) {
	kr := newTestKeyring(t)
	dk, _ := newTestDataKey(t, kr, "rec-1")
	cases := map[string][]byte{
		"empty":   {},
		"nil":     nil,
		"short":   []byte("x"),
		"64 byte": bytes.Repeat([]byte{0xAB}, 64),
		"unicode": []byte("김민준 · สมชาย · Өлзийбаяр · राम थापा · José"),
		"1 MiB":   bytes.Repeat([]byte("shelter "), 1<<17),
	}
	for name, pt := range cases {
		t.Run(name, func(t *testing.T) {
			ct := mustSeal(t, dk, "rec-1", "name", pt)
			if got, want := len(ct), len(pt)+fieldOverhead; got != want {
				t.Errorf("ciphertext length %d, want %d", got, want)
			}
			if ct[0] != fieldVersion1 {
				t.Errorf("version byte %#x, want %#x", ct[0], fieldVersion1)
			}
			if len(pt) >= 8 && bytes.Contains(ct, pt[:8]) {
				t.Error("ciphertext contains plaintext")
			}
			got, err := Open(dk, "rec-1", "name", ct)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, pt) || got == nil {
				t.Errorf("Open = %q (nil: %v), want %q", got, got == nil, pt)
			}
		})
	}
}

func TestSealIsRandomized(t *testing.T) {
	kr := newTestKeyring(t)
	dk, _ := newTestDataKey(t, kr, "rec-1")
	a, _ := Seal(dk, "rec-1", "name", []byte("Maria"))
	b, _ := Seal(dk, "rec-1", "name", []byte("Maria"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are equal: nonce not random")
	}
	if bytes.Equal(a[1:13], b[1:13]) {
		t.Fatal("nonce repeated")
	}
}

func TestOpenWrongContextFails(t *testing.T) {
	kr := newTestKeyring(t)
	dk, _ := newTestDataKey(t, kr, "rec-1")
	other, _ := newTestDataKey(t, kr, "rec-2")
	ct := mustSeal(t, dk, "rec-1", "name", []byte("Maria de la Cruz"))
	tests := []struct {
		name          string
		dk            DataKey
		record, field string
	}{
		{"other record", dk, "rec-2", "name"},
		{"other field", dk, "rec-1", "document"},
		{"other record and field", dk, "rec-2", "document"},
		{"other data key", other, "rec-1", "name"},
		{"record/field boundary shifted", dk, "rec-1n", "ame"},
		{"record/field boundary shifted back", dk, "rec-", "1name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := Open(tc.dk, tc.record, tc.field, ct)
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Open = %q, %v; want ErrDecrypt", pt, err)
			}
			if strings.Contains(err.Error(), "Maria") {
				t.Fatalf("error contains plaintext: %v", err)
			}
		})
	}
}

func TestOpenTamperedFails(t *testing.T) {
	kr := newTestKeyring(t)
	dk, _ := newTestDataKey(t, kr, "rec-1")
	ct := mustSeal(t, dk, "rec-1", "document", []byte("AB123456"))
	for i := range ct {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(ct)
			bad[i] ^= bit
			if pt, err := Open(dk, "rec-1", "document", bad); err == nil {
				t.Fatalf("flipping bit %#x of byte %d: Open succeeded with %q", bit, i, pt)
			}
		}
	}
	if _, err := Open(dk, "rec-1", "document", ct[:len(ct)-1]); !errors.Is(err, ErrDecrypt) {
		t.Errorf("truncated: %v, want ErrDecrypt", err)
	}
	if _, err := Open(dk, "rec-1", "document", append(bytes.Clone(ct), 0)); !errors.Is(err, ErrDecrypt) {
		t.Errorf("extended: %v, want ErrDecrypt", err)
	}
	bad := bytes.Clone(ct)
	bad[0] = 0x02
	if _, err := Open(dk, "rec-1", "document", bad); !errors.Is(err, ErrMalformed) {
		t.Errorf("unknown version: %v, want ErrMalformed", err)
	}
	for _, short := range [][]byte{nil, {}, {fieldVersion1}, ct[:fieldOverhead-1]} {
		if _, err := Open(dk, "rec-1", "document", short); !errors.Is(err, ErrMalformed) {
			t.Errorf("%d-byte ciphertext: %v, want ErrMalformed", len(short), err)
		}
	}
}

func TestSealRejectsBadArguments(t *testing.T) {
	kr := newTestKeyring(t)
	dk, _ := newTestDataKey(t, kr, "rec-1")
	long := strings.Repeat("x", maxContextLen+1)
	if _, err := Seal(DataKey{}, "rec-1", "name", nil); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("zero DataKey: %v, want ErrInvalidKey", err)
	}
	if _, err := Open(DataKey{}, "rec-1", "name", make([]byte, 40)); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Open with zero DataKey: %v, want ErrInvalidKey", err)
	}
	for _, args := range [][2]string{{"", "name"}, {"rec-1", ""}, {long, "name"}, {"rec-1", long}} {
		if _, err := Seal(dk, args[0], args[1], []byte("x")); err == nil {
			t.Errorf("Seal(record %d bytes, field %d bytes) succeeded", len(args[0]), len(args[1]))
		}
	}
	if _, _, err := kr.NewDataKey(""); err == nil {
		t.Error("NewDataKey with empty record id succeeded")
	}
}

func TestDataKeyWrapUnwrap(t *testing.T) {
	kr := newTestKeyring(t)
	dk, w := newTestDataKey(t, kr, "rec-1")
	if len(w) != WrappedKeySize || w[0] != wrapVersion1 {
		t.Fatalf("wrapped key: %d bytes, version %#x", len(w), w[0])
	}
	id, err := w.KeyID()
	if err != nil || id != kr.ActiveKeyID() {
		t.Fatalf("KeyID = %q, %v; want %q", id, err, kr.ActiveKeyID())
	}
	if bytes.Contains(w, dk.m.key[:8]) {
		t.Fatal("wrapped key contains the data key")
	}
	ct := mustSeal(t, dk, "rec-1", "name", []byte("Maria"))
	dk2, err := kr.Unwrap("rec-1", w)
	if err != nil {
		t.Fatal(err)
	}
	if *dk2.m.key != *dk.m.key {
		t.Fatal("unwrapped key differs")
	}
	if pt, err := Open(dk2, "rec-1", "name", ct); err != nil || string(pt) != "Maria" {
		t.Fatalf("Open with unwrapped key = %q, %v", pt, err)
	}
	// Every data key is fresh.
	dk3, w3 := newTestDataKey(t, kr, "rec-1")
	if *dk3.m.key == *dk.m.key || bytes.Equal(w3, w) {
		t.Fatal("NewDataKey repeated a key or wrapping")
	}
}

func TestWrappedKeyMovedToOtherRecordFails(t *testing.T) {
	kr := newTestKeyring(t)
	_, w := newTestDataKey(t, kr, "rec-1")
	if _, err := kr.Unwrap("rec-2", w); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Unwrap for another record: %v, want ErrDecrypt", err)
	}
	if _, err := kr.Rewrap("rec-2", w); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Rewrap for another record: %v, want ErrDecrypt", err)
	}
}

func TestWrappedKeyTamperedFails(t *testing.T) {
	kr := newTestKeyring(t)
	_, w := newTestDataKey(t, kr, "rec-1")
	for i := range w {
		bad := bytes.Clone(w)
		bad[i] ^= 0x01
		if _, err := kr.Unwrap("rec-1", bad); err == nil {
			t.Fatalf("flipping byte %d: Unwrap succeeded", i)
		}
	}
	if _, err := kr.Unwrap("rec-1", w[:len(w)-1]); !errors.Is(err, ErrMalformed) {
		t.Errorf("truncated: %v, want ErrMalformed", err)
	}
	if _, err := kr.Unwrap("rec-1", append(bytes.Clone(w), 0)); !errors.Is(err, ErrMalformed) {
		t.Errorf("extended: %v, want ErrMalformed", err)
	}
}

func TestUnwrapWithOtherKeyringFails(t *testing.T) {
	kr := newTestKeyring(t)
	_, w := newTestDataKey(t, kr, "rec-1")
	other := newTestKeyring(t)
	if _, err := other.Unwrap("rec-1", w); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Unwrap with unrelated keyring: %v, want ErrUnknownKey", err)
	}
}

// TestErasure demonstrates crypto-shredding: once a record's wrapped data
// key is destroyed, its field ciphertexts cannot be opened any more, even
// with the master key at hand.
func TestErasure(t *testing.T) {
	kr := newTestKeyring(t)
	dk, w := newTestDataKey(t, kr, "rec-1")
	ct := mustSeal(t, dk, "rec-1", "name", []byte("Maria de la Cruz"))
	dk.Destroy() // the plaintext key leaves memory

	// The store deletes the wrapped key (here: zeroes it, then drops it).
	zeroed := make(WrappedKey, len(w))
	copy(zeroed, w)
	clear(zeroed[wrapHeaderSize:]) // keep version and key id: only the secret part is gone
	for name, gone := range map[string]WrappedKey{"zeroed": zeroed, "all zero": make(WrappedKey, len(w)), "removed": nil} {
		if _, err := kr.Unwrap("rec-1", gone); err == nil {
			t.Errorf("%s wrapped key: Unwrap succeeded", name)
		}
	}
	// Without the data key, Open is impossible: a destroyed key, the zero
	// key, or any other key fails.
	if _, err := Open(dk, "rec-1", "name", ct); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Open with destroyed key: %v, want ErrInvalidKey", err)
	}
	for range 20 {
		guess, _ := newTestDataKey(t, kr, "rec-1")
		if _, err := Open(guess, "rec-1", "name", ct); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("Open with another data key: %v, want ErrDecrypt", err)
		}
	}
	// Rewrap cannot resurrect it either.
	if _, err := kr.Rewrap("rec-1", zeroed); err == nil {
		t.Error("Rewrap of erased key succeeded")
	}
}

func TestDestroy(t *testing.T) {
	kr := newTestKeyring(t)
	dk, _ := newTestDataKey(t, kr, "rec-1")
	ct, _ := Seal(dk, "rec-1", "f", []byte("x"))
	cp := dk
	dk.Destroy()
	if *dk.m.key != [KeySize]byte{} {
		t.Fatal("key material not cleared")
	}
	if _, err := Seal(cp, "rec-1", "f", []byte("x")); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Seal with a copy of a destroyed key: %v, want ErrInvalidKey", err)
	}
	if _, err := Open(cp, "rec-1", "f", ct); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Open with a copy of a destroyed key: %v, want ErrInvalidKey", err)
	}
	DataKey{}.Destroy() // no panic
}

func TestWrappedKeySQL(t *testing.T) {
	kr := newTestKeyring(t)
	_, w := newTestDataKey(t, kr, "rec-1")
	v, err := w.Value()
	if err != nil {
		t.Fatal(err)
	}
	b, ok := v.([]byte)
	if !ok || !bytes.Equal(b, w) {
		t.Fatalf("Value = %T, want the raw bytes", v)
	}
	var got WrappedKey
	if err := got.Scan(b); err != nil || !bytes.Equal(got, w) {
		t.Fatalf("Scan([]byte) = %v", err)
	}
	b[0] ^= 0xFF // the driver may reuse its buffer
	if got[0] != wrapVersion1 {
		t.Fatal("Scan did not copy")
	}
	if err := got.Scan(string(w)); err != nil || !bytes.Equal(got, w) {
		t.Fatalf("Scan(string) = %v", err)
	}
	if err := got.Scan(nil); err != nil || got != nil {
		t.Fatalf("Scan(nil) = %v, %v", got, err)
	}
	if err := got.Scan(42); err == nil {
		t.Fatal("Scan(int) succeeded")
	}
	if v, err := WrappedKey(nil).Value(); v != nil || err != nil {
		t.Fatalf("nil Value = %v, %v", v, err)
	}
}

package seal

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func fixedDataKey() DataKey {
	k := new([KeySize]byte)
	for i := range k {
		k[i] = byte(0xA0 + i)
	}
	return DataKey{m: &dataKeyMaterial{key: k}}
}

func FuzzOpen(f *testing.F) {
	dk := fixedDataKey()
	for _, pt := range []string{"", "Maria de la Cruz", "김민준", strings.Repeat("x", 64)} {
		ct := mustSeal(f, dk, "rec-1", "name", []byte(pt))
		f.Add(ct, "rec-1", "name")
	}
	f.Add([]byte{}, "rec-1", "name")
	f.Add([]byte{fieldVersion1}, "rec-1", "name")
	f.Add([]byte{0x02, 0, 0, 0}, "", "")
	f.Fuzz(func(t *testing.T, ct []byte, record, field string) {
		pt, err := Open(dk, record, field, ct)
		if err == nil && (record != "rec-1" || field != "name") {
			t.Fatalf("Open succeeded for record %q field %q", record, field)
		}
		if err != nil && pt != nil {
			t.Fatal("Open returned plaintext with an error")
		}
		// Whatever the input, sealing it opens again.
		sealed, err := Seal(dk, record, field, ct)
		if err != nil {
			if record != "" && field != "" && len(record) <= maxContextLen && len(field) <= maxContextLen {
				t.Fatalf("Seal: %v", err)
			}
			return
		}
		back, err := Open(dk, record, field, sealed)
		if err != nil || !bytes.Equal(back, ct) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzUnwrap(f *testing.F) {
	kr := fixedKeyring(f)
	_, w := newTestDataKey(f, kr, "rec-1")
	f.Add([]byte(w), "rec-1")
	f.Add([]byte(w), "rec-2")
	f.Add([]byte{}, "rec-1")
	f.Add([]byte{wrapVersion1}, "rec-1")
	f.Add(bytes.Repeat([]byte{1}, WrappedKeySize), "rec-1")
	f.Fuzz(func(t *testing.T, data []byte, record string) {
		in := WrappedKey(data)
		id, idErr := in.KeyID()
		needs := kr.NeedsRewrap(in)
		if idErr == nil && id == kr.ActiveKeyID() && needs {
			t.Fatal("NeedsRewrap true for a key under the active master key")
		}
		// Seeds are made in each fuzzing process afresh, so the only valid
		// inputs are wrapped keys of rec-1 under the fixed master key.
		dk, err := kr.Unwrap(record, in)
		if err == nil {
			if record != "rec-1" || idErr != nil || id != kr.ActiveKeyID() {
				t.Fatalf("Unwrap accepted a forged or moved wrapped key")
			}
			if _, err := Seal(dk, record, "f", nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, rerr := kr.Rewrap(record, in); (rerr == nil) != (err == nil) {
			t.Fatalf("Rewrap error %v, Unwrap error %v", rerr, err)
		}
	})
}

func FuzzParseKeyring(f *testing.F) {
	kr := fixedKeyring(f)
	text := kr.Marshal()
	f.Add(text)
	f.Add(bytes.ReplaceAll(bytes.TrimSpace(text[bytes.Index(text, []byte("haven-index")):]), []byte("\n"), []byte(";")))
	f.Add([]byte("haven-index-key v1 AAAA\nhaven-master-key v1 0123456789abcdef AAAA"))
	f.Add([]byte("# only a comment"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		kr, err := ParseKeyring(data)
		if err != nil {
			if kr != nil {
				t.Fatal("keyring returned with an error")
			}
			return
		}
		out := kr.Marshal()
		kr2, err := ParseKeyring(out)
		if err != nil {
			t.Fatalf("re-parsing Marshal output: %v", err)
		}
		if !bytes.Equal(kr2.Marshal(), out) {
			t.Fatal("Marshal is not stable")
		}
		if !slices.Equal(kr.KeyIDs(), kr2.KeyIDs()) || kr.ActiveKeyID() != kr2.ActiveKeyID() {
			t.Fatal("key ids changed")
		}
		if !bytes.Equal(kr.BlindIndex(KindDocument, "A1"), kr2.BlindIndex(KindDocument, "A1")) {
			t.Fatal("index key changed")
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, tc := range nameTests {
		f.Add(tc.in)
	}
	f.Add("ab-12.345 67")
	f.Add("१२३४५-๑๒๓")
	f.Add("\xff\xfe invalid")
	f.Fuzz(func(t *testing.T, s string) {
		for _, kind := range []string{KindName, KindNamePart, KindDocument, KindDOB} {
			n := Normalize(kind, s)
			if again := Normalize(kind, n); again != n {
				t.Fatalf("Normalize(%q) not idempotent: %q then %q", kind, n, again)
			}
			if !utf8.ValidString(n) {
				t.Fatalf("Normalize(%q) gave invalid UTF-8 %q", kind, n)
			}
		}
		n := NormalizeName(s)
		if strings.TrimSpace(n) != n || strings.Contains(n, "  ") {
			t.Fatalf("NormalizeName(%q) = %q has stray spaces", s, n)
		}
	})
}

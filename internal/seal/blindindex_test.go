package seal

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"testing"
)

// fixedKeyring has a known index secret (bytes 0..31) so that tokens can be
// checked against the specification and pinned across versions.
func fixedKeyring(t testing.TB) *Keyring {
	t.Helper()
	secret := make([]byte, 32)
	for i := range secret {
		secret[i] = byte(i)
	}
	text := "haven-index-key v1 " + base64.StdEncoding.EncodeToString(secret) + "\n" +
		"haven-master-key v1 0123456789abcdef " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x42}, 32)) + "\n"
	kr, err := ParseKeyring([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func TestBlindIndexMatchesSpecification(t *testing.T) {
	kr := fixedKeyring(t)
	secret := kr.state().indexSecret[:]
	indexKey, err := hkdf.Key(sha256.New, secret, []byte("haven/index-salt/v1"), "haven/blind-index/hmac-sha256/v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ kind, value, normalized string }{
		{KindDocument, "ab-123 456", "AB123456"},
		{KindNamePart, "María", "maria"},
		{KindName, "Maria de la Cruz", "cruz de la maria"},
		{KindDOB, "1990-01-02", "1990-01-02"},
	} {
		mac := hmac.New(sha256.New, indexKey)
		mac.Write([]byte(tc.kind + "\x00" + tc.normalized))
		want := mac.Sum(nil)[:16]
		if got := kr.BlindIndex(tc.kind, tc.value); !bytes.Equal(got, want) {
			t.Errorf("BlindIndex(%q, %q) = %x, want %x", tc.kind, tc.value, got, want)
		}
	}
	// Pinned: a change here breaks every stored index.
	const pinned = "f9794a0a32430e71c4aa73f66feba432"
	if got := hex.EncodeToString(kr.BlindIndex(KindDocument, "AB123456")); got != pinned {
		t.Errorf("BlindIndex(document, AB123456) = %s, pinned %s", got, pinned)
	}
}

func TestBlindIndexStable(t *testing.T) {
	kr := newTestKeyring(t)
	a := kr.BlindIndex(KindDocument, "AB123456")
	if len(a) != BlindIndexSize {
		t.Fatalf("token length %d", len(a))
	}
	if !bytes.Equal(a, kr.BlindIndex(KindDocument, "AB123456")) {
		t.Fatal("token not deterministic")
	}
	reparsed, err := ParseKeyring(kr.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, reparsed.BlindIndex(KindDocument, "AB123456")) {
		t.Fatal("token changed after Marshal and ParseKeyring")
	}
	rotated := withNewKey(t, kr)
	if !bytes.Equal(a, rotated.BlindIndex(KindDocument, "AB123456")) {
		t.Fatal("token changed with master-key rotation")
	}
	if bytes.Equal(a, newTestKeyring(t).BlindIndex(KindDocument, "AB123456")) {
		t.Fatal("unrelated keyrings give equal tokens")
	}
	// Equivalent spellings give the same token.
	for _, v := range []string{"ab-123 456", "AB.123.456", "ＡＢ１２３４５６", "AB१२३४५६"} {
		if !bytes.Equal(a, kr.BlindIndex(KindDocument, v)) {
			t.Errorf("document %q has a different token", v)
		}
	}
	if bytes.Equal(a, kr.BlindIndex(KindDocument, "AB123457")) {
		t.Fatal("different documents give equal tokens")
	}
}

func TestBlindIndexKindSeparation(t *testing.T) {
	kr := newTestKeyring(t)
	seen := map[string]string{}
	for _, kind := range []string{KindName, KindNamePart, KindDocument, KindDOB, "other", "nam", "name-"} {
		for _, value := range []string{"12345", "maria"} {
			tok := string(kr.BlindIndex(kind, value))
			if prev, ok := seen[tok]; ok {
				t.Fatalf("%s/%s has the same token as %s", kind, value, prev)
			}
			seen[tok] = kind + "/" + value
		}
	}
	// kind || 0x00 || value leaves no room for shifting bytes between the two.
	if bytes.Equal(kr.BlindIndex("ab", "c"), kr.BlindIndex("a", "bc")) {
		t.Fatal("kind/value boundary is ambiguous")
	}
}

func TestBlindIndexEmpty(t *testing.T) {
	kr := newTestKeyring(t)
	for _, v := range []string{"", "   ", "\u200B", " - . "} {
		for _, kind := range []string{KindName, KindNamePart, KindDocument, KindDOB} {
			if kind == KindDOB && v == " - . " {
				continue // punctuation is part of other kinds' values
			}
			if tok := kr.BlindIndex(kind, v); tok != nil {
				t.Errorf("BlindIndex(%q, %q) = %x, want nil", kind, v, tok)
			}
		}
		if toks := kr.NameTokens(v); toks != nil {
			t.Errorf("NameTokens(%q) = %d tokens, want nil", v, len(toks))
		}
	}
}

func TestBlindIndexBadKindPanics(t *testing.T) {
	kr := newTestKeyring(t)
	for _, kind := range []string{"", "na\x00me"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("BlindIndex(%q, ...) did not panic", kind)
				}
			}()
			kr.BlindIndex(kind, "x")
		}()
	}
}

func containsToken(set [][]byte, tok []byte) bool {
	return slices.ContainsFunc(set, func(b []byte) bool { return bytes.Equal(b, tok) })
}

func TestNameTokens(t *testing.T) {
	kr := newTestKeyring(t)
	stored := kr.NameTokens("María de la Cruz")
	if len(stored) != 5 {
		t.Fatalf("%d tokens, want 5 (full name and 4 words)", len(stored))
	}
	if !bytes.Equal(stored[0], kr.BlindIndex(KindName, "maria de la cruz")) {
		t.Fatal("first token is not the full-name token")
	}
	if !slices.IsSortedFunc(stored[1:], bytes.Compare) {
		t.Fatal("word tokens are not in token order")
	}
	// Whole-name search, in any word order and spelling.
	for _, q := range []string{"Maria de la Cruz", "CRUZ, maría de la", "de la cruz maria"} {
		if !bytes.Equal(stored[0], kr.BlindIndex(KindName, q)) {
			t.Errorf("full-name search %q does not match", q)
		}
	}
	if bytes.Equal(stored[0], kr.BlindIndex(KindName, "cruz maria")) {
		t.Error("partial name matches the full-name token")
	}
	// Word search: every query word must be among the stored tokens.
	for _, q := range []string{"cruz maria", "Cruz", "MARÍA", "maria cruz de"} {
		for _, tok := range kr.NamePartTokens(q) {
			if !containsToken(stored, tok) {
				t.Errorf("search %q: a word is not found", q)
			}
		}
	}
	for _, q := range []string{"cruise", "maria lopez"} {
		all := true
		for _, tok := range kr.NamePartTokens(q) {
			all = all && containsToken(stored, tok)
		}
		if all {
			t.Errorf("search %q matches María de la Cruz", q)
		}
	}
	// Repeated words give one token each; other scripts work the same way.
	if got := kr.NameTokens("Maria Maria"); len(got) != 2 {
		t.Errorf("NameTokens(Maria Maria) = %d tokens, want 2", len(got))
	}
	ko := kr.NameTokens("김 민준")
	if len(ko) != 3 || !containsToken(ko, kr.BlindIndex(KindNamePart, "민준")) {
		t.Error("Korean name tokens wrong")
	}
	mn := kr.NameTokens("Батболд Өлзийбаяр")
	if !containsToken(mn, kr.BlindIndex(KindNamePart, "ӨЛЗИЙБАЯР")) {
		t.Error("Mongolian name tokens wrong")
	}
	if containsToken(stored, kr.BlindIndex(KindName, "maria")) || containsToken(stored, kr.BlindIndex(KindDocument, "maria")) {
		t.Error("word token collides with another kind")
	}
}

package seal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var keyIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

func TestNewKeyring(t *testing.T) {
	a, b := newTestKeyring(t), newTestKeyring(t)
	if !keyIDPattern.MatchString(a.ActiveKeyID()) {
		t.Fatalf("key id %q is not 16 lowercase hex digits", a.ActiveKeyID())
	}
	if a.ActiveKeyID() == b.ActiveKeyID() {
		t.Fatal("two keyrings share a key id")
	}
	if *a.active().key == *b.active().key || *a.state().indexSecret == *b.state().indexSecret {
		t.Fatal("two keyrings share key material")
	}
	if *a.state().indexKey == *a.state().indexSecret || *a.state().indexKey == *a.active().key {
		t.Fatal("index key equals a stored secret")
	}
	if got := a.KeyIDs(); len(got) != 1 || got[0] != a.ActiveKeyID() {
		t.Fatalf("KeyIDs = %v", got)
	}
}

func TestRotation(t *testing.T) {
	kr1 := newTestKeyring(t)
	oldID := kr1.ActiveKeyID()
	dk, w1 := newTestDataKey(t, kr1, "rec-1")
	ct := mustSeal(t, dk, "rec-1", "name", []byte("Өлзийбаяр"))
	idx := kr1.BlindIndex(KindName, "Өлзийбаяр")

	// Step 1: add a new active key. Old wraps stay readable.
	kr2 := withNewKey(t, kr1)
	newID := kr2.ActiveKeyID()
	if newID == oldID || !keyIDPattern.MatchString(newID) {
		t.Fatalf("new active key id %q (old %q)", newID, oldID)
	}
	if got := kr2.KeyIDs(); !slices.Equal(got, []string{oldID, newID}) {
		t.Fatalf("KeyIDs = %v, want [%s %s]", got, oldID, newID)
	}
	if got := kr1.KeyIDs(); !slices.Equal(got, []string{oldID}) {
		t.Fatalf("WithNewActiveKey changed the original keyring: %v", got)
	}
	if !kr2.NeedsRewrap(w1) || kr1.NeedsRewrap(w1) {
		t.Fatal("NeedsRewrap wrong")
	}
	if _, err := kr2.Unwrap("rec-1", w1); err != nil {
		t.Fatalf("old wrap unreadable after adding a key: %v", err)
	}
	if !bytes.Equal(kr2.BlindIndex(KindName, "Өлзийбаяр"), idx) {
		t.Fatal("blind index changed with master rotation")
	}
	_, wNew := newTestDataKey(t, kr2, "rec-2")
	if id, _ := wNew.KeyID(); id != newID {
		t.Fatalf("new data key wrapped under %s, want %s", id, newID)
	}

	// Step 2: rewrap. The data key, and so the field ciphertext, is unchanged.
	w2, err := kr2.Rewrap("rec-1", w1)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := w2.KeyID(); id != newID || kr2.NeedsRewrap(w2) {
		t.Fatalf("rewrapped under %s, want %s", id, newID)
	}
	dk2, err := kr2.Unwrap("rec-1", w2)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := Open(dk2, "rec-1", "name", ct); err != nil || string(pt) != "Өлзийбаяр" {
		t.Fatalf("field after rewrap: %q, %v", pt, err)
	}
	// Rewrapping a key that is already current verifies it and keeps it.
	w3, err := kr2.Rewrap("rec-1", w2)
	if err != nil || !bytes.Equal(w3, w2) {
		t.Fatalf("Rewrap of current key = %v, changed: %v", err, !bytes.Equal(w3, w2))
	}
	if _, err := kr2.Rewrap("rec-2", w2); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Rewrap of current key for wrong record: %v, want ErrDecrypt", err)
	}

	// Step 3: drop the old key once everything was rewrapped.
	kr3, err := kr2.Without(oldID)
	if err != nil {
		t.Fatal(err)
	}
	if got := kr3.KeyIDs(); !slices.Equal(got, []string{newID}) {
		t.Fatalf("KeyIDs after Without = %v", got)
	}
	if len(kr2.KeyIDs()) != 2 {
		t.Fatal("Without changed the original keyring")
	}
	if _, err := kr3.Unwrap("rec-1", w2); err != nil {
		t.Fatalf("rewrapped key unreadable after dropping the old key: %v", err)
	}
	if _, err := kr3.Unwrap("rec-1", w1); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("old wrap after dropping its key: %v, want ErrUnknownKey", err)
	}
	if !bytes.Equal(kr3.BlindIndex(KindName, "Өлзийбаяр"), idx) {
		t.Fatal("blind index changed after dropping the old key")
	}

	// Round trip through the file format keeps all of it.
	kr4, err := ParseKeyring(kr3.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr4.Unwrap("rec-1", w2); err != nil {
		t.Fatal(err)
	}
	if kr4.ActiveKeyID() != newID || !bytes.Equal(kr4.BlindIndex(KindName, "Өлзийбаяр"), idx) {
		t.Fatal("parsed keyring differs")
	}
}

func TestWithoutErrors(t *testing.T) {
	kr := newTestKeyring(t)
	if _, err := kr.Without(kr.ActiveKeyID()); err == nil {
		t.Error("removing the active key succeeded")
	}
	if _, err := kr.Without("0123456789abcdef"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("removing an unknown key: %v, want ErrUnknownKey", err)
	}
	if _, err := kr.Without("not-an-id"); err == nil {
		t.Error("removing a malformed key id succeeded")
	}
}

func TestMarshalFormat(t *testing.T) {
	kr := withNewKey(t, newTestKeyring(t))
	text := string(kr.Marshal())
	var index, master []string
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "haven-index-key v1 "):
			index = append(index, line)
		case strings.HasPrefix(line, "haven-master-key v1 "):
			master = append(master, line)
		default:
			t.Fatalf("unexpected line %q", line)
		}
	}
	if len(index) != 1 || len(master) != 2 {
		t.Fatalf("%d index lines, %d master lines", len(index), len(master))
	}
	f := strings.Fields(master[1])
	if f[2] != kr.ActiveKeyID() {
		t.Fatal("last master line is not the active key")
	}
	if key, err := base64.StdEncoding.DecodeString(f[3]); err != nil || !bytes.Equal(key, kr.active().key[:]) {
		t.Fatal("master key not stored as base64")
	}
}

// validKeyringText builds keyring text from a fresh keyring, for tests that
// edit it.
func validKeyringText(t *testing.T) (kr *Keyring, index, master string) {
	kr = newTestKeyring(t)
	index = "haven-index-key v1 " + base64.StdEncoding.EncodeToString(kr.state().indexSecret[:])
	master = "haven-master-key v1 " + kr.ActiveKeyID() + " " + base64.StdEncoding.EncodeToString(kr.active().key[:])
	return kr, index, master
}

func TestParseKeyringAccepts(t *testing.T) {
	kr, index, master := validKeyringText(t)
	second := "haven-master-key v1 00112233445566ff " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	tests := map[string]struct {
		text   string
		active string
	}{
		"minimal":            {index + "\n" + master, kr.ActiveKeyID()},
		"trailing newline":   {index + "\n" + master + "\n", kr.ActiveKeyID()},
		"CRLF and comments":  {"# comment\r\n\r\n" + index + "\r\n  # indented comment\r\n" + master + "\r\n", kr.ActiveKeyID()},
		"index line last":    {master + "\n" + index, kr.ActiveKeyID()},
		"last master active": {index + "\n" + master + "\n" + second, "00112233445566ff"},
		"env semicolons":     {index + ";" + master + ";" + second, "00112233445566ff"},
		"env with spaces":    {" " + index + " ; " + master + " ; ", kr.ActiveKeyID()},
		"extra blanks":       {index + "\n" + strings.ReplaceAll(master, " ", " \t "), kr.ActiveKeyID()},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseKeyring([]byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			if got.ActiveKeyID() != tc.active {
				t.Fatalf("active key %s, want %s", got.ActiveKeyID(), tc.active)
			}
			if !bytes.Equal(got.BlindIndex(KindDocument, "X1"), kr.BlindIndex(KindDocument, "X1")) {
				t.Fatal("index key differs")
			}
		})
	}
}

func TestParseKeyringRejects(t *testing.T) {
	kr, index, master := validKeyringText(t)
	id := kr.ActiveKeyID()
	secretB64 := base64.StdEncoding.EncodeToString(kr.active().key[:])
	indexB64 := base64.StdEncoding.EncodeToString(kr.state().indexSecret[:])
	zero := base64.StdEncoding.EncodeToString(make([]byte, 32))
	tests := map[string]string{
		"empty":                 "",
		"comments only":         "# nothing\n",
		"no index line":         master,
		"no master line":        index,
		"two index lines":       index + "\n" + index + "\n" + master,
		"duplicate key id":      index + "\n" + master + "\n" + master,
		"index version":         strings.Replace(index, " v1 ", " v2 ", 1) + "\n" + master,
		"master version":        index + "\n" + strings.Replace(master, " v1 ", " v2 ", 1),
		"uppercase key id":      index + "\n" + strings.Replace(master, id, strings.ToUpper(id), 1),
		"short key id":          index + "\n" + strings.Replace(master, id, id[:15], 1),
		"non-hex key id":        index + "\n" + strings.Replace(master, id, "zz"+id[2:], 1),
		"short master key":      index + "\n" + "haven-master-key v1 " + id + " " + base64.StdEncoding.EncodeToString(make([]byte, 16)),
		"long master key":       index + "\n" + "haven-master-key v1 " + id + " " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 33)),
		"unpadded base64":       index + "\n" + strings.TrimRight(master, "="),
		"not base64":            index + "\n" + "haven-master-key v1 " + id + " " + strings.Repeat("!", 44),
		"zero master key":       index + "\n" + "haven-master-key v1 " + id + " " + zero,
		"zero index secret":     "haven-index-key v1 " + zero + "\n" + master,
		"missing field":         index + "\n" + "haven-master-key v1 " + secretB64,
		"extra field":           index + "\n" + master + " extra",
		"index extra field":     index + " extra\n" + master,
		"unknown line":          index + "\n" + master + "\nhaven-other-key v1 " + secretB64,
		"key without tag":       index + "\n" + secretB64,
		"url base64 alphabet":   index + "\n" + "haven-master-key v1 " + id + " " + base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xFB}, 32)),
		"too large":             index + "\n" + master + "\n" + strings.Repeat("#", maxKeyringSize),
		"semicolons and lines ": index + ";" + master + "\n",
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseKeyring([]byte(text))
			if !errors.Is(err, ErrInvalidKeyring) {
				t.Fatalf("err = %v, want ErrInvalidKeyring", err)
			}
			msg := err.Error()
			for _, secret := range []string{secretB64, indexB64, secretB64[:16], indexB64[:16]} {
				if strings.Contains(msg, secret) {
					t.Fatalf("error %q contains key material", msg)
				}
			}
		})
	}
}

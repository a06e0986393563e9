package seal

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func fileMode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// onlyFile fails unless dir holds exactly the file name (no temporary files
// left behind).
func onlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v, want only %s", names, name)
	}
}

// newKeyFile creates master.key in a fresh directory and returns the
// directory, the file's path and the keyring it holds.
func newKeyFile(t *testing.T) (dir, path string, kr *Keyring) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "master.key")
	kr, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return dir, path, kr
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	dir, path, kr := newKeyFile(t)
	if m := fileMode(t, path); m != 0o600 {
		t.Fatalf("created with mode %04o, want 0600", m)
	}
	onlyFile(t, dir, "master.key")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, kr.Marshal()) {
		t.Fatal("file content differs from Marshal")
	}
	// A second call loads the same keyring.
	kr2, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if kr2.ActiveKeyID() != kr.ActiveKeyID() || !bytes.Equal(kr2.BlindIndex(KindName, "Maria"), kr.BlindIndex(KindName, "Maria")) {
		t.Fatal("reloaded keyring differs")
	}
	_, w := newTestDataKey(t, kr, "rec-1")
	if _, err := kr2.Unwrap("rec-1", w); err != nil {
		t.Fatal(err)
	}
	kr3, err := LoadKeyFile(path)
	if err != nil || kr3.ActiveKeyID() != kr.ActiveKeyID() {
		t.Fatalf("LoadKeyFile: %v", err)
	}
}

func TestLoadOrCreateKeyFileConcurrent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "master.key")
	const n = 8
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			kr, err := LoadOrCreateKeyFile(path)
			errs[i] = err
			if err == nil {
				ids[i] = kr.ActiveKeyID()
			}
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("concurrent creators got different keyrings: %v", ids)
		}
	}
	onlyFile(t, dir, "master.key")
}

func TestLoadKeyFileRefusesWidePermissions(t *testing.T) {
	_, path, kr := newKeyFile(t)
	secret := string(kr.Marshal())
	for _, mode := range []fs.FileMode{0o644, 0o640, 0o604, 0o660, 0o700, 0o777, 0o601} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadKeyFile(path)
		if !errors.Is(err, ErrKeyFilePermissions) {
			t.Fatalf("mode %04o: %v, want ErrKeyFilePermissions", mode, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, path) || !strings.Contains(msg, "0600") {
			t.Errorf("error %q does not name the file and the required mode", msg)
		}
		for _, line := range strings.Split(secret, "\n") {
			if f := strings.Fields(line); len(f) > 2 && !strings.HasPrefix(line, "#") && strings.Contains(msg, f[len(f)-1]) {
				t.Fatalf("error contains key material: %q", msg)
			}
		}
		if _, err := LoadOrCreateKeyFile(path); !errors.Is(err, ErrKeyFilePermissions) {
			t.Fatalf("LoadOrCreateKeyFile with mode %04o: %v", mode, err)
		}
	}
	// Narrower than 0600 is fine.
	for _, mode := range []fs.FileMode{0o600, 0o400} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadKeyFile(path); err != nil {
			t.Fatalf("mode %04o: %v", mode, err)
		}
	}
}

func TestLoadKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadKeyFile(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyFile(sub); err == nil {
		t.Error("loading a directory succeeded")
	}
	garbage := filepath.Join(dir, "garbage")
	if err := os.WriteFile(garbage, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyFile(garbage); !errors.Is(err, ErrInvalidKeyring) {
		t.Errorf("garbage file: %v, want ErrInvalidKeyring", err)
	}
	if _, err := LoadOrCreateKeyFile(garbage); !errors.Is(err, ErrInvalidKeyring) {
		t.Errorf("LoadOrCreateKeyFile on garbage: %v, want ErrInvalidKeyring", err)
	}
	if _, err := LoadOrCreateKeyFile(filepath.Join(dir, "no-such-dir", "master.key")); err == nil {
		t.Error("creating in a missing directory succeeded")
	}
}

func TestWriteKeyFileRotation(t *testing.T) {
	dir, path, kr1 := newKeyFile(t)
	_, w := newTestDataKey(t, kr1, "rec-1")

	kr2 := withNewKey(t, kr1)
	if err := WriteKeyFile(path, kr2); err != nil {
		t.Fatal(err)
	}
	if m := fileMode(t, path); m != 0o600 {
		t.Fatalf("written with mode %04o", m)
	}
	onlyFile(t, dir, "master.key")
	loaded, err := LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.ActiveKeyID() != kr2.ActiveKeyID() || len(loaded.KeyIDs()) != 2 {
		t.Fatalf("loaded %v", loaded.KeyIDs())
	}
	w2, err := loaded.Rewrap("rec-1", w)
	if err != nil {
		t.Fatal(err)
	}

	kr3, err := loaded.Without(kr1.ActiveKeyID())
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteKeyFile(path, kr3); err != nil {
		t.Fatal(err)
	}
	loaded, err = LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if ids := loaded.KeyIDs(); len(ids) != 1 || ids[0] != kr2.ActiveKeyID() {
		t.Fatalf("loaded %v", ids)
	}
	if _, err := loaded.Unwrap("rec-1", w2); err != nil {
		t.Fatal(err)
	}
	onlyFile(t, dir, "master.key")

	// Writing to a new path works too.
	other := filepath.Join(dir, "copy.key")
	if err := WriteKeyFile(other, kr3); err != nil {
		t.Fatal(err)
	}
	if m := fileMode(t, other); m != 0o600 {
		t.Fatalf("written with mode %04o", m)
	}
}

func TestWriteKeyFileRefusesToLoseKeys(t *testing.T) {
	dir, path, kr1 := newKeyFile(t)
	kr2 := withNewKey(t, kr1)
	if err := WriteKeyFile(path, kr2); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, kr := range map[string]*Keyring{
		"unrelated keyring":        newTestKeyring(t),
		"keyring without new key":  kr1,
		"same id set, other index": mustParse(t, swapIndex(t, kr2)),
	} {
		if err := WriteKeyFile(path, kr); err == nil {
			t.Errorf("%s: WriteKeyFile succeeded", name)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("refused write changed the file")
	}
	onlyFile(t, dir, "master.key")

	// A file that cannot be loaded is not replaced either.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteKeyFile(path, kr2); !errors.Is(err, ErrKeyFilePermissions) {
		t.Fatalf("replacing a 0644 file: %v, want ErrKeyFilePermissions", err)
	}
}

func mustParse(t *testing.T, text string) *Keyring {
	t.Helper()
	kr, err := ParseKeyring([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// swapIndex returns kr's text with a fresh index secret.
func swapIndex(t *testing.T, kr *Keyring) string {
	t.Helper()
	_, freshIndex, _ := validKeyringText(t)
	var out []string
	for _, line := range strings.Split(string(kr.Marshal()), "\n") {
		if strings.HasPrefix(line, "haven-index-key ") {
			line = freshIndex
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

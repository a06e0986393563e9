package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestLoadOrCreateSigningKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.key")
	priv, id, err := LoadOrCreateSigningKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(priv) != ed25519.PrivateKeySize || id != KeyIDFor(priv.Public().(ed25519.PublicKey)) {
		t.Fatalf("key %d bytes, id %q", len(priv), id)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := pem.Decode(data); b == nil || b.Type != "PRIVATE KEY" {
		t.Errorf("key file is not a PEM PRIVATE KEY:\n%s", data)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1", len(entries))
	}

	again, id2, err := LoadOrCreateSigningKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !priv.Equal(again) || id2 != id {
		t.Fatal("reloading returned a different key")
	}

	// Checkpoints signed with the key verify with its public key.
	c := Sign(priv, id, buildLog(1)[0], 1)
	if err := c.Verify(again.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
}

func TestLoadOrCreateSigningKeyConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.key")
	const n = 8
	keys := make([]ed25519.PrivateKey, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], _, errs[i] = LoadOrCreateSigningKey(path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !keys[i].Equal(keys[0]) {
			t.Fatal("concurrent creators ended up with different keys")
		}
	}
}

func TestLoadOrCreateSigningKeyRefuses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.key")
	if _, _, err := LoadOrCreateSigningKey(path); err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(path)

	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o700} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadOrCreateSigningKey(path)
		if !errors.Is(err, ErrKeyFilePermissions) {
			t.Errorf("mode %04o: err = %v, want ErrKeyFilePermissions", mode, err)
		}
		// The file must not have been replaced.
		if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
			t.Fatalf("mode %04o: key file was replaced", mode)
		}
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateSigningKey(path); err != nil {
		t.Errorf("mode 0400 refused: %v", err)
	}

	bad := map[string]string{
		"garbage":    "not a key",
		"wrong pem":  "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"two blocks": strings.Repeat(string(orig), 2),
		"large":      strings.Repeat("x", 8<<10),
	}
	for name, content := range bad {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadOrCreateSigningKey(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if now, _ := os.ReadFile(p); string(now) != content {
			t.Errorf("%s: file was replaced", name)
		}
	}

	if _, _, err := LoadOrCreateSigningKey(dir); err == nil {
		t.Error("directory accepted as key file")
	}
	if _, _, err := LoadOrCreateSigningKey(filepath.Join(dir, "missing", "audit.key")); err == nil {
		t.Error("key created in a missing directory")
	}
}

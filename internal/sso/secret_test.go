package sso

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/haven-nrm/haven/internal/store"
)

// The client secret comes from an environment variable or an owner-only
// file in <data>/sso/, never from anywhere else.
func TestSecretSources(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sso"), 0o700); err != nil {
		t.Fatal(err)
	}
	s := New(Options{DataDir: dir, Getenv: func(k string) string { return map[string]string{"HAVEN_SSO_A": "from-env"}[k] }})
	if got, err := s.secret(store.SSOProvider{SecretEnv: "HAVEN_SSO_A"}); err != nil || got != "from-env" {
		t.Fatalf("env: %q %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sso", "ok"), []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := s.secret(store.SSOProvider{SecretFile: "ok"}); err != nil || got != "from-file" {
		t.Fatalf("file: %q %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sso", "wide"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.secret(store.SSOProvider{SecretFile: "wide"}); err == nil {
		t.Fatal("a secret file others may read was used")
	}
	// A stored path (never accepted by Check) still reads only inside sso/.
	if err := os.WriteFile(filepath.Join(dir, "master.key"), []byte("k"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.secret(store.SSOProvider{SecretFile: "../master.key"}); err == nil {
		t.Fatal("a path outside sso/ was read")
	}
	if got, err := s.secret(store.SSOProvider{}); err != nil || got != "" {
		t.Fatalf("public client: %q %v", got, err)
	}
}

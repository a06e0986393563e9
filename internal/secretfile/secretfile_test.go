package secretfile

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestCreateReadReplace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	created, err := Create(path, []byte("one"))
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if created, err := Create(path, []byte("two")); err != nil || created {
		t.Fatalf("second create replaced the file: %v %v", created, err)
	}
	if b, err := Read(path, 10); err != nil || string(b) != "one" {
		t.Fatalf("read: %q %v", b, err)
	}
	if err := Replace(path, []byte("three")); err != nil {
		t.Fatal(err)
	}
	if b, _ := Read(path, 10); string(b) != "three" {
		t.Fatalf("after replace: %q", b)
	}
	if _, err := Read(path, 3); err == nil {
		t.Fatal("an oversized file was read")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
}

func TestReadRefuses(t *testing.T) {
	dir := t.TempDir()
	wide := filepath.Join(dir, "wide")
	os.WriteFile(wide, []byte("x"), 0o644)
	if _, err := Read(wide, 10); !errors.Is(err, ErrPermissions) {
		t.Fatalf("wide mode: %v", err)
	}
	if _, err := Read(dir, 10); err == nil {
		t.Fatal("a folder was read as a secret file")
	}
	if _, err := Read(filepath.Join(dir, "missing"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
}

// Processes starting at once end up with one file.
func TestConcurrentCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	var wg sync.WaitGroup
	wins := make(chan string, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if created, err := Create(path, []byte{byte('a' + i)}); err == nil && created {
				wins <- "won"
			}
		}(i)
	}
	wg.Wait()
	close(wins)
	if n := len(wins); n != 1 {
		t.Fatalf("%d creators won, want 1", n)
	}
}

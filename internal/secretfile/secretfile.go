// Package secretfile reads and writes the small files that hold Haven's
// secrets (the master keyring, the audit signing key). Reading refuses
// anything but a regular file readable by its owner only; writing is
// atomic and durable — a temporary file in the same folder, fsync, then a
// hard link (which never replaces a file another process created at the
// same moment) or a rename (to replace on purpose), then fsync of the
// folder.
package secretfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Mode is the widest permission set accepted for a secret file.
const Mode fs.FileMode = 0o600

// ErrPermissions is returned (wrapped) for a file readable or writable by
// group or others.
var ErrPermissions = errors.New("secret file permissions too wide")

// Read returns the content of the secret file at path, at most max bytes.
// The caller should clear the returned slice once parsed.
func Read(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	// Windows has no Unix permission bits; Go reports 0666 or 0444 there.
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&^Mode != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, want 0600 (run: chmod 600 %s)", ErrPermissions, path, perm, path)
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	// One buffer of the right size: no stray copies of the secret.
	data := make([]byte, fi.Size()+1)
	n, err := io.ReadFull(f, data)
	switch {
	case err == nil:
		clear(data)
		return nil, fmt.Errorf("%s grew while being read", path)
	case err != io.ErrUnexpectedEOF && err != io.EOF:
		clear(data)
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return data[:n], nil
}

// Create writes data to a new file at path with mode 0600. It reports
// created == false, with a nil error, when path already exists (another
// process won the race; the caller loads that file instead).
func Create(path string, data []byte) (created bool, err error) {
	return write(path, data, false)
}

// Replace atomically replaces the file at path with data, mode 0600.
func Replace(path string, data []byte) error {
	_, err := write(path, data, true)
	return err
}

func write(path string, data []byte, replace bool) (created bool, err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".haven-secret-*.tmp")
	if err != nil {
		return false, fmt.Errorf("creating a temporary file beside %s: %w", path, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		os.Remove(tmpName) // after a link or rename, this only removes the temporary name
	}()
	if err := tmp.Chmod(Mode); err != nil {
		return false, fmt.Errorf("setting the mode of %s: %w", tmpName, err)
	}
	if _, err := io.Copy(tmp, bytes.NewReader(data)); err != nil {
		return false, fmt.Errorf("writing %s: %w", tmpName, err)
	}
	if err := tmp.Sync(); err != nil {
		return false, fmt.Errorf("syncing %s: %w", tmpName, err)
	}
	err = tmp.Close()
	tmp = nil
	if err != nil {
		return false, fmt.Errorf("closing %s: %w", tmpName, err)
	}
	if replace {
		if err := os.Rename(tmpName, path); err != nil {
			return false, fmt.Errorf("moving %s into place: %w", path, err)
		}
	} else if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("linking %s into place: %w", path, err)
	}
	return true, SyncDir(dir)
}

// SyncDir makes a folder's entries durable after a file was linked or
// renamed into it.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing folder %s: %w", dir, err)
	}
	return nil
}

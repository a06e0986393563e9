package seal

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io/fs"

	"github.com/haven-nrm/haven/internal/secretfile"
)

// ErrKeyFilePermissions is returned (wrapped) when a key file is readable
// or writable by group or others.
var ErrKeyFilePermissions = secretfile.ErrPermissions

// LoadKeyFile reads and parses an existing key file. It refuses a file whose
// permissions are wider than 0600, or that is not a regular file.
func LoadKeyFile(path string) (*Keyring, error) {
	data, err := secretfile.Read(path, maxKeyringSize)
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	defer clear(data)
	kr, err := ParseKeyring(data)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	kr.path = path
	return kr, nil
}

// Refresh re-reads the key file the keyring was loaded from and, when it
// holds the same index secret and every key the keyring already has, takes
// its keys (and its active key) in place. A server calls it periodically,
// and Unwrap calls it when it meets a key id it does not know, so a
// rotation by `haven keys rotate` needs no restart. A keyring not loaded
// from a file does nothing.
func (kr *Keyring) Refresh() (changed bool, err error) {
	if kr.path == "" {
		return false, nil
	}
	fresh, err := LoadKeyFile(kr.path)
	if err != nil {
		return false, err
	}
	cur, next := kr.state(), fresh.state()
	if subtle.ConstantTimeCompare(cur.indexSecret[:], next.indexSecret[:]) != 1 {
		return false, fmt.Errorf("%w: the key file's index secret changed; refusing to reload", ErrInvalidKeyring)
	}
	if len(next.keys) == len(cur.keys) && next.keys[len(next.keys)-1].id == cur.keys[len(cur.keys)-1].id {
		same := true
		for i := range next.keys {
			same = same && next.keys[i].id == cur.keys[i].id
		}
		if same {
			return false, nil
		}
	}
	return kr.st.CompareAndSwap(cur, next), nil
}

// LoadOrCreateKeyFile loads the key file at path, or, if it does not exist,
// creates it with a new keyring (one master key and an index secret). The
// file is created atomically with mode 0600: the keyring is written to a
// temporary file in the same directory, synced, and then linked into place,
// which fails rather than replaces a file that another process created in
// the meantime (that file is then loaded instead). The directory is synced
// afterwards. The directory must exist.
func LoadOrCreateKeyFile(path string) (*Keyring, error) {
	kr, err := LoadKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return kr, err
	}
	kr, err = NewKeyring()
	if err != nil {
		return nil, err
	}
	created, err := writeKeyFile(path, kr, false)
	if err != nil {
		return nil, err
	}
	if !created {
		return LoadKeyFile(path)
	}
	return kr, nil
}

// WriteKeyFile atomically writes kr to path with mode 0600 (temporary file
// in the same directory, fsync, rename, fsync of the directory), replacing
// any existing file.
//
// To guard against replacing a keyring by an unrelated one, which would
// make every record unreadable, an existing file at path must parse, and kr
// must contain its active master key and have the same index secret. The
// rotation steps ([Keyring.WithNewActiveKey], then [Keyring.Without] once
// all data keys were rewrapped) always satisfy this.
func WriteKeyFile(path string, kr *Keyring) error {
	old, err := LoadKeyFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("seal: refusing to replace key file that cannot be loaded: %w", err)
	default:
		if subtle.ConstantTimeCompare(old.state().indexSecret[:], kr.state().indexSecret[:]) != 1 {
			return fmt.Errorf("seal: refusing to replace key file %s: the new keyring has a different index secret", path)
		}
		oldActive := old.active()
		mk, ok := kr.lookup(oldActive.id)
		if !ok || subtle.ConstantTimeCompare(mk.key[:], oldActive.key[:]) != 1 {
			return fmt.Errorf("seal: refusing to replace key file %s: the new keyring lacks its active master key %s", path, oldActive.id)
		}
	}
	_, err = writeKeyFile(path, kr, true)
	return err
}

// writeKeyFile writes kr to path: replacing it if replace is set, else
// only if it does not exist yet (reported as created == false, nil error).
func writeKeyFile(path string, kr *Keyring, replace bool) (created bool, err error) {
	data := kr.Marshal()
	defer clear(data)
	if replace {
		err = secretfile.Replace(path, data)
		created = err == nil
	} else {
		created, err = secretfile.Create(path, data)
	}
	if err != nil {
		return false, fmt.Errorf("seal: key file: %w", err)
	}
	return created, nil
}

package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"

	"github.com/haven-nrm/haven/internal/secretfile"
)

// maxKeyFileSize bounds how much of a key file is read.
const maxKeyFileSize = 4 << 10

const pemTypePrivateKey = "PRIVATE KEY"

// ErrKeyFilePermissions is returned (wrapped) when a signing key file is
// readable or writable by group or others.
var ErrKeyFilePermissions = secretfile.ErrPermissions

// LoadOrCreateSigningKey loads the Ed25519 checkpoint signing key from the
// file at path, creating the file with a new random key if it does not
// exist. It returns the key and its key id ([KeyIDFor] of the public key).
//
// The file holds the key as a PEM "PRIVATE KEY" block (PKCS #8), the format
// standard tools read. It must be a regular file with mode 0600 or
// narrower; a file readable or writable by group or others is refused
// with [ErrKeyFilePermissions] rather than used.
//
// A new file is created atomically with mode 0600: the key is written to a
// temporary file in the same directory, synced, and then linked into
// place, which fails rather than replaces a file that another process
// created in the meantime (that file is then loaded instead, so two
// processes starting at once end up with the same key). The directory is
// synced afterwards. The directory must exist.
//
// Keep the key away from the database and its backups: whoever holds it
// can sign checkpoints for a rewritten log.
func LoadOrCreateSigningKey(path string) (ed25519.PrivateKey, string, error) {
	priv, err := loadSigningKey(path)
	if err == nil {
		return priv, KeyIDFor(priv.Public().(ed25519.PublicKey)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", err
	}
	_, priv, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, "", fmt.Errorf("audit: generating signing key: %w", err)
	}
	created, err := createSigningKeyFile(path, priv)
	if err != nil {
		return nil, "", err
	}
	if !created {
		if priv, err = loadSigningKey(path); err != nil {
			return nil, "", err
		}
	}
	return priv, KeyIDFor(priv.Public().(ed25519.PublicKey)), nil
}

func loadSigningKey(path string) (ed25519.PrivateKey, error) {
	data, err := secretfile.Read(path, maxKeyFileSize)
	if err != nil {
		return nil, fmt.Errorf("audit: signing key file: %w", err)
	}
	defer clear(data)
	block, rest := pem.Decode(data)
	if block == nil || block.Type != pemTypePrivateKey {
		return nil, fmt.Errorf("audit: signing key file %s: no PEM %q block", path, pemTypePrivateKey)
	}
	defer clear(block.Bytes)
	if b, _ := pem.Decode(rest); b != nil {
		return nil, fmt.Errorf("audit: signing key file %s: more than one PEM block", path)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit: signing key file %s: %w", path, err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("audit: signing key file %s: not an Ed25519 key (%T)", path, key)
	}
	return priv, nil
}

// createSigningKeyFile writes priv to a new file at path. It reports
// created == false, with a nil error, if path already exists.
func createSigningKeyFile(path string, priv ed25519.PrivateKey) (created bool, err error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return false, fmt.Errorf("audit: encoding signing key: %w", err)
	}
	defer clear(der)
	data := pem.EncodeToMemory(&pem.Block{Type: pemTypePrivateKey, Bytes: der})
	defer clear(data)
	created, err = secretfile.Create(path, data)
	if err != nil {
		return false, fmt.Errorf("audit: signing key file: %w", err)
	}
	return created, nil
}

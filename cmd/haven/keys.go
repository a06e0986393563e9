package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
)

// keys are the instance's secrets: the field-encryption keyring and the
// audit checkpoint key.
type keys struct {
	ring   *seal.Keyring
	signer *store.AuditSigner
}

// loadKeys reads the instance keys, creating them (0600) on first run when
// create is set. Keys given through HAVEN_MASTER_KEY are never written.
func loadKeys(c *config.Config, create bool) (*keys, error) {
	var k keys
	var err error
	switch {
	case c.MasterKeyFromEnv() != "":
		k.ring, err = seal.ParseKeyring([]byte(c.MasterKeyFromEnv()))
		if err != nil {
			return nil, errs.E(errs.Invalid, "HAVEN_MASTER_KEY: %v", err)
		}
	case create:
		if err := os.MkdirAll(filepath.Dir(c.MasterKeyPath()), 0o700); err != nil {
			return nil, err
		}
		k.ring, err = seal.LoadOrCreateKeyFile(c.MasterKeyPath())
	default:
		k.ring, err = seal.LoadKeyFile(c.MasterKeyPath())
	}
	if err != nil {
		return nil, errs.E(errs.Invalid, "master key: %v", err)
	}
	if create {
		if err := os.MkdirAll(filepath.Dir(c.AuditKeyPath()), 0o700); err != nil {
			return nil, err
		}
		priv, id, err := audit.LoadOrCreateSigningKey(c.AuditKeyPath())
		if err != nil {
			return nil, errs.E(errs.Invalid, "audit signing key: %v", err)
		}
		k.signer = &store.AuditSigner{Key: priv, KeyID: id}
	} else if k.signer, err = loadAuditKey(c); err != nil {
		return nil, err
	}
	return &k, nil
}

// loadAuditKey reads the instance's existing audit signing key; it never
// creates one.
func loadAuditKey(c *config.Config) (*store.AuditSigner, error) {
	if _, err := os.Stat(c.AuditKeyPath()); errors.Is(err, os.ErrNotExist) {
		return nil, errs.E(errs.NotFound, "audit signing key %s does not exist", c.AuditKeyPath())
	}
	priv, id, err := audit.LoadOrCreateSigningKey(c.AuditKeyPath())
	if err != nil {
		return nil, errs.E(errs.Invalid, "audit signing key: %v", err)
	}
	return &store.AuditSigner{Key: priv, KeyID: id}, nil
}

// checkRecordedAuditKey refuses a key other than the one the database
// recorded when the instance was set up (a database without one passes).
func checkRecordedAuditKey(ctx context.Context, db *store.DB, s *store.AuditSigner) error {
	rec, ok, err := db.Setting(ctx, "audit.public_key")
	if err != nil || !ok {
		return err
	}
	if rec != hex.EncodeToString(s.Key.Public().(ed25519.PublicKey)) {
		return errs.E(errs.Invalid, "the audit signing key %s is not the key recorded for this database", s.KeyID)
	}
	return nil
}

// openInstance opens and migrates the database and loads the keys, the
// common start of every command that works on an instance's data.
func openInstance(ctx context.Context, c *config.Config) (*store.DB, *keys, error) {
	db, k, err := openAndLoadKeys(ctx, c, true, true)
	if err != nil {
		return nil, nil, err
	}
	if err := recordAuditKey(ctx, db, k.signer); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, k, nil
}

// recordAuditKey stores the public checkpoint key the first time, and
// refuses a different key later: checkpoints signed by a key the instance
// never had would be worthless.
func recordAuditKey(ctx context.Context, db *store.DB, s *store.AuditSigner) error {
	pub := fmt.Sprintf("%x", s.Key.Public().(ed25519.PublicKey))
	var cur string
	err := db.WriteBookkeeping(ctx, store.AuditCheckpoint, func(tx *store.Tx) error {
		var err error
		cur, err = tx.SetSettingIfAbsent(ctx, "audit.public_key", pub)
		return err
	})
	if err != nil {
		return err
	}
	if cur != pub {
		return errs.E(errs.Invalid, "the audit signing key %s is not the key this database's checkpoints were signed with", s.KeyID)
	}
	return nil
}

// openWithKeys opens the database (migrating it when migrate is set) and
// loads the existing instance keys, for commands that work on an instance
// that has been set up.
func openWithKeys(ctx context.Context, c *config.Config, migrate bool) (*store.DB, *keys, error) {
	return openAndLoadKeys(ctx, c, migrate, false)
}

// openAndLoadKeys opens the database (migrating it when migrate is set)
// and loads the instance keys (creating them when create is set), and
// signs the audit chain's checkpoints with the keys' signer.
func openAndLoadKeys(ctx context.Context, c *config.Config, migrate, create bool) (*store.DB, *keys, error) {
	db, err := openDB(ctx, c, migrate)
	if err != nil {
		return nil, nil, err
	}
	k, err := loadKeys(c, create)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	db.SetAuditSigner(k.signer)
	return db, k, nil
}

// loadFederation reads (creating on first use) the instance's TRM
// identity when a country is configured; nil otherwise.
func loadFederation(c *config.Config) (*federation.Identity, error) {
	if !c.TRM() {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(c.FederationKeyPath()), 0o700); err != nil {
		return nil, err
	}
	id, err := federation.LoadOrCreate(c.FederationKeyPath(), time.Now())
	if err != nil {
		return nil, errs.E(errs.Invalid, "federation key: %v", err)
	}
	return id, nil
}

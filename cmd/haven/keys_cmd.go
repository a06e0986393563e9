package main

import (
	"context"
	"fmt"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
)

// runKeys rotates and retires master keys.
//
// rotate: adds a new active master key to the key file, then rewraps every
// stored data key under it. Running servers pick the new key up from the
// file (they re-read it periodically and whenever they meet an unknown key
// id), so nothing needs to stop. Field ciphertexts do not change.
//
// retire --key ID: removes an old master key from the file once no stored
// data key is wrapped under it any more.
func runKeys(ctx context.Context, e env, args []string) error {
	sub, args, fs, c, err := subcommand(e, "keys", []string{"rotate", "retire", "list"}, args)
	if err != nil {
		return err
	}
	keyID := fs.String("key", "", "master key id to retire")
	if err := parseCommand(fs, c, args); err != nil {
		return err
	}
	if c.MasterKeyFromEnv() != "" {
		return errs.E(errs.Invalid, "the keyring comes from HAVEN_MASTER_KEY: rotate it where it is kept, using a key file (--master-key-file) for the rotation")
	}
	kr, err := seal.LoadKeyFile(c.MasterKeyPath())
	if err != nil {
		return errs.E(errs.Invalid, "master key: %v", err)
	}
	db, _, err := openWithKeys(ctx, c, true)
	if err != nil {
		return err
	}
	defer db.Close()
	usedBy := func(id string) (int, error) {
		return db.CountWrappedWith(ctx, func(wk []byte) bool {
			kid, err := seal.WrappedKey(wk).KeyID()
			return err == nil && kid == id
		})
	}
	switch sub {
	case "list":
		for _, id := range kr.KeyIDs() {
			n, err := usedBy(id)
			if err != nil {
				return err
			}
			active := ""
			if id == kr.ActiveKeyID() {
				active = " (active)"
			}
			fmt.Fprintf(e.stdout, "%s%s: %d data keys\n", id, active, n)
		}
		return nil
	case "retire":
		if *keyID == "" || *keyID == kr.ActiveKeyID() {
			return errs.E(errs.Invalid, "retire needs --key with an id that is not the active key (see haven keys list)")
		}
		n, err := usedBy(*keyID)
		if err != nil {
			return err
		}
		if n > 0 {
			return errs.E(errs.Conflict, "%d data keys are still wrapped under %s: run haven keys rotate first", n, *keyID)
		}
		next, err := kr.Without(*keyID)
		if err != nil {
			return errs.Wrap(errs.Invalid, err)
		}
		if err := seal.WriteKeyFile(c.MasterKeyPath(), next); err != nil {
			return err
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, audit.Event{Action: "keys.retire", ObjectType: "master_key", ObjectID: *keyID, Reason: "cli"})
		}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "master key %s retired\n", *keyID)
		return nil
	}
	// rotate
	next, err := kr.WithNewActiveKey()
	if err != nil {
		return err
	}
	if err := seal.WriteKeyFile(c.MasterKeyPath(), next); err != nil {
		return err
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Action: "keys.rotate", ObjectType: "master_key", ObjectID: next.ActiveKeyID(), Reason: "cli"})
	}); err != nil {
		return err
	}
	counts, err := db.RewrapAll(ctx, 500, func(id string, wk []byte) ([]byte, error) {
		if !next.NeedsRewrap(seal.WrappedKey(wk)) {
			return nil, nil
		}
		nk, err := next.Rewrap(id, seal.WrappedKey(wk))
		return nk, err
	})
	if err != nil {
		return fmt.Errorf("rewrapping stopped (run rotate again to finish; nothing is lost): %w", err)
	}
	fmt.Fprintf(e.stdout, "new active master key %s; rewrapped %d person, %d break-glass and %d second-factor keys\n",
		next.ActiveKeyID(), counts["persons"], counts["break_glass_grants"], counts["user_mfa"])
	fmt.Fprintln(e.stdout, "once every server has been running for a minute, retire the old key with: haven keys retire --key ID")
	return nil
}

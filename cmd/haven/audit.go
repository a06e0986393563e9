package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
)

// runAudit verifies the audit chain or signs its head.
func runAudit(ctx context.Context, e env, args []string) error {
	sub, args, fs, c, err := subcommand(e, "audit", []string{"verify", "checkpoint"}, args)
	if err != nil {
		return err
	}
	since := fs.Bool("since-checkpoint", false, "verify only the events after the newest signed checkpoint (a quick check; run it without the flag for the whole chain)")
	if err := parseCommand(fs, c, args); err != nil {
		return err
	}
	db, k, err := openWithKeys(ctx, c, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "checkpoint" {
		signed, err := db.CheckpointHead(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "checkpoint signed: %v\n", signed)
		return nil
	}
	// Verify against the key recorded in the database when the instance
	// was set up as well as the key file, so a swapped key file is noticed.
	keys := []ed25519.PublicKey{k.signer.Key.Public().(ed25519.PublicKey)}
	if rec, ok, err := db.Setting(ctx, "audit.public_key"); err == nil && ok {
		if b, err := hex.DecodeString(rec); err == nil && len(b) == ed25519.PublicKeySize && !ed25519.PublicKey(b).Equal(keys[0]) {
			return errs.E(errs.Invalid, "the audit key file does not match the key recorded for this database")
		}
	}
	verify := db.VerifyAudit
	if *since {
		verify = db.VerifyAuditSince
	}
	sum, err := verify(ctx, keys...)
	var ce *audit.ChainError
	if errors.As(err, &ce) {
		fmt.Fprintf(e.stdout, "audit chain BROKEN at event %d (id %s): %s — %s\n", ce.Seq, ce.EventID, ce.Kind, ce.Detail)
		return errs.E(errs.Invalid, "audit chain verification failed at event %d (%s)", ce.Seq, ce.Kind)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "audit chain OK: %d events, %d checkpoints verified, last event %d, last signed checkpoint at event %d\n",
		sum.Events, sum.Checkpoints, sum.LastSeq, sum.LastCheckpointSeq)
	return nil
}

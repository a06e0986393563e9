package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/backup"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// runBackup writes a consistent copy of the database to a file while Haven
// keeps serving; see internal/backup for the format.
func runBackup(ctx context.Context, e env, args []string) error {
	fs, c, err := configFlags("backup", e)
	if err != nil {
		return err
	}
	out := fs.String("out", "", "new file to write the backup to (0600; never replaces a file); - writes to standard output")
	if err := parseCommandWithFile(fs, c, args, "out"); err != nil {
		return err
	}
	signer, err := loadAuditKey(c)
	if err != nil {
		return fmt.Errorf("a backup is signed with the instance's audit signing key: %w", err)
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkRecordedAuditKey(ctx, db, signer); err != nil {
		return err
	}
	db.SetAuditSigner(signer)
	opts := backup.Options{HavenVersion: version}
	var sum backup.Summary
	msg := e.stdout
	if *out == "-" {
		// The backup itself is on standard output.
		msg = e.stderr
		sum, err = backup.Write(ctx, db, e.stdout, opts)
	} else {
		sum, err = backup.WriteFile(ctx, db, *out, opts)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(msg, "backup of %s written to %s: schema version %d, %d rows in %d tables, sha256 %s, signed with audit key %s\n",
		db, *out, sum.Header.SchemaVersion, sum.Trailer.Total, len(sum.Header.Tables), sum.Trailer.SHA256, signer.KeyID)
	fmt.Fprintln(msg, "the master key and the audit signing key are not in the backup: keep copies of them, apart from it")
	return nil
}

// openExisting opens the configured database without creating or migrating
// anything: a mistyped path must not yield a backup of a new, empty
// database.
func openExisting(ctx context.Context, c *config.Config) (*store.DB, error) {
	o := store.FromConfig(*c)
	o.MustExist = true
	return store.Open(ctx, o)
}

// runRestore reads a backup into a new, empty database.
func runRestore(ctx context.Context, e env, args []string) error {
	fs, c, err := configFlags("restore", e)
	if err != nil {
		return err
	}
	in := fs.String("in", "", "backup file to restore; - reads standard input")
	check := fs.Bool("check", false, "only check the backup file (format, checksum, row counts, signature) and touch no database")
	pubHex := fs.String("public-key", "", "with --check: the instance's audit public key (hex) to check the signature with, instead of the audit key file")
	allowUnsigned := fs.Bool("allow-unsigned", false, "accept a backup of format version 1, written before backups were signed (nothing then shows whether it was edited)")
	if err := parseCommandWithFile(fs, c, args, "in"); err != nil {
		return err
	}
	// The key that checks the signature is the instance's own — its key
	// file, or for --check the public key given — never one the backup
	// names.
	ck := backup.Check{AllowUnsigned: *allowUnsigned}
	switch {
	case *pubHex != "" && !*check:
		fmt.Fprintln(e.stderr, "haven restore: --public-key goes with --check; a restore checks with the audit key file it needs anyway")
		return errUsage
	case *pubHex != "":
		b, err := hex.DecodeString(*pubHex)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return errs.E(errs.Invalid, "--public-key must be an Ed25519 public key in hex (64 digits)")
		}
		ck.Key = b
	default:
		signer, err := loadAuditKey(c)
		if err != nil {
			return fmt.Errorf("the backup's signature is checked with the instance's audit signing key, so put it in place first: %w", err)
		}
		ck.Key = signer.Key.Public().(ed25519.PublicKey)
	}
	verified := func(sum backup.Summary) string {
		if sum.Unsigned {
			return "intact but UNSIGNED"
		}
		return "intact and its signature verifies"
	}
	warnUnsigned := func(sum backup.Summary) {
		if sum.Unsigned {
			fmt.Fprintln(e.stderr, "WARNING: this backup is UNSIGNED (format version 1): nothing shows whether it was edited since it was written. Restore it only if you know where it has been, and make a new, signed backup at once.")
		}
	}
	var r io.Reader = e.stdin
	if *in != "-" {
		f, err := openBackupFile(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		// A file is checked whole before any database is opened, so a
		// damaged one is reported without touching anything. (Restore
		// checks again as it reads, which is all a stream gets.)
		sum, err := backup.Verify(f, ck)
		if err != nil {
			return inFile(*in, err)
		}
		warnUnsigned(sum)
		if *check {
			fmt.Fprintf(e.stdout, "%s is %s: a backup of a %s database at schema version %d made at %s, %d rows in %d tables, sha256 %s\n",
				*in, verified(sum), sum.Header.Engine, sum.Header.SchemaVersion, sum.Header.CreatedAt.Format(time.RFC3339), sum.Trailer.Total,
				len(sum.Header.Tables), sum.Trailer.SHA256)
			return nil
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return errs.E(errs.Unavailable, "cannot read %s again: %v", *in, err)
		}
		r = f
	} else if *check {
		sum, err := backup.Verify(r, ck)
		if err != nil {
			return inFile(*in, err)
		}
		warnUnsigned(sum)
		fmt.Fprintf(e.stdout, "the backup on standard input is %s: %d rows in %d tables, sha256 %s\n",
			verified(sum), sum.Trailer.Total, len(sum.Header.Tables), sum.Trailer.SHA256)
		return nil
	}
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := backup.Restore(ctx, db, r, ck)
	if err != nil {
		return inFile(*in, err)
	}
	if *in == "-" {
		warnUnsigned(sum)
	}
	fmt.Fprintf(e.stdout, "restored %d rows in %d tables into %s at schema version %d (a backup of a %s database made at %s)\n",
		sum.Trailer.Total, len(sum.Header.Tables), db, sum.Header.SchemaVersion, sum.Header.Engine, sum.Header.CreatedAt.Format(time.RFC3339))
	if latest := store.LatestVersion(); sum.Header.SchemaVersion < latest {
		fmt.Fprintf(e.stdout, "haven serve (or haven migrate) will bring it to schema version %d\n", latest)
	}
	// Without the instance's own keys the restored data is unreadable
	// (master key) and serve refuses to start (audit key); say so before
	// someone starts it and a new, wrong master key is created.
	var missing []string
	if c.MasterKeyFromEnv() == "" {
		if _, err := os.Stat(c.MasterKeyPath()); err != nil {
			missing = append(missing, c.MasterKeyPath())
		}
	}
	if _, err := os.Stat(c.AuditKeyPath()); err != nil {
		missing = append(missing, c.AuditKeyPath())
	}
	if len(missing) > 0 {
		fmt.Fprintf(e.stdout, "before starting haven, put this instance's key files, which the backup does not hold, in place: %s\n", strings.Join(missing, " and "))
	}
	return nil
}

func openBackupFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errs.E(errs.NotFound, "the backup file %s does not exist", path)
	}
	if err != nil {
		return nil, errs.E(errs.Unavailable, "cannot open the backup file %s: %v", path, err)
	}
	return f, nil
}

// inFile names the backup file in an error about it.
func inFile(path string, err error) error {
	if path == "-" {
		path = "standard input"
	}
	return errs.E(errs.KindOf(err), "%s: %s", path, userMessage(err))
}

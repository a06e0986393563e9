package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/secretfile"
)

// demoCredentialsFile, in the data folder, holds the demo accounts and their
// passwords (mode 0600).
const demoCredentialsFile = "demo-credentials.txt"

// runDemo starts Haven on a fresh database filled with synthetic data and
// prints the demo accounts.
func runDemo(ctx context.Context, e env, args []string) error {
	fs, c, err := configFlags("demo", e)
	if err != nil {
		return err
	}
	cases := fs.Int("cases", 500, "number of synthetic cases to generate")
	seed := fs.Uint64("seed", 1, "seed number: the same seed gives the same data")
	noServe := fs.Bool("no-serve", false, "generate the data and exit instead of serving")
	peers := fs.Bool("peers", false, "start two linked instances, Nepal and Thailand, on --listen's port and the next (docs/TRM.md)")
	dataSet := false
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "data" {
			dataSet = true
		}
	})
	if e.getenv("HAVEN_DATA_DIR") != "" {
		dataSet = true
	}
	if *cases < 0 || *cases > 10_000_000 {
		return errs.E(errs.Invalid, "--cases must be between 0 and 10000000")
	}
	// A fresh embedded database each time: a new temporary folder unless
	// one is named, which must then hold no database yet.
	if !c.IsPostgres() {
		if !dataSet {
			dir, err := os.MkdirTemp("", "haven-demo-")
			if err != nil {
				return err
			}
			c.DataDir = dir
		} else if _, err := os.Stat(c.SQLitePath()); err == nil {
			return errs.E(errs.Invalid, "%s already holds a database; the demo needs a fresh one: choose another --data folder", c.SQLitePath())
		}
	}
	if *peers {
		return runDemoPeers(ctx, e, c, c.DataDir, *seed, *cases, *noServe)
	}
	c.Demo = true
	c.MFAOptional = true // second factors not enforced in the demo; every page says so
	if err := c.Validate(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	if v, err := db.SchemaVersion(ctx); err != nil || v != 0 {
		db.Close()
		if err != nil {
			return err
		}
		return errs.E(errs.Invalid, "the database %s is not empty; the demo needs a fresh one", db.String())
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return err
	}
	k, err := loadKeys(c, true)
	if err != nil {
		db.Close()
		return err
	}
	db.SetAuditSigner(k.signer)
	if err := recordAuditKey(ctx, db, k.signer); err != nil {
		db.Close()
		return err
	}
	fmt.Fprintf(e.stdout, "Generating synthetic demo data (seed %d, %d cases) in %s …\n", *seed, *cases, db.String())
	res, err := demo.Generate(ctx, db, demo.Options{Seed: *seed, Cases: *cases, Progress: func(done, total int) {
		if total >= 100_000 && done%100_000 == 0 {
			fmt.Fprintf(e.stdout, "  %d / %d cases\n", done, total)
		}
	}})
	db.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Created %d jurisdictions, %d agencies, %d cases. All of it is synthetic.\n\n", res.Jurisdictions, res.Agencies, res.Cases)
	// The passwords are random for this installation: shown now, and kept
	// in an owner-only file of the data folder.
	table := credentialTable(res.Credentials)
	e.stdout.Write(table)
	credPath, _ := filepath.Abs(filepath.Join(c.DataDir, demoCredentialsFile))
	if err := secretfile.Replace(credPath, table); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nThese passwords are random for this installation; they are also in %s (readable by you only).\n", credPath)
	if !c.IsPostgres() {
		abs, _ := filepath.Abs(c.DataDir)
		fmt.Fprintf(e.stdout, "\nData folder: %s\n", abs)
	}
	if *noServe {
		return nil
	}
	fmt.Fprintf(e.stdout, "\nOpen http://%s/ and sign in with one of the accounts above. Stop with Ctrl+C.\n", c.Listen)
	return serve(ctx, e, c)
}

// credentialTable is the demo accounts' table: shown once and kept in an
// owner-only file of the data folder.
func credentialTable(creds []demo.Credential) []byte {
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tUSERNAME\tPASSWORD")
	for _, cr := range creds {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", cr.Role, cr.Username, cr.Password)
	}
	tw.Flush()
	return table.Bytes()
}

package store_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// A transaction that changes data commits only with an audit event: without
// one it is rolled back and the caller gets ErrUnaudited. Reads alone need
// none, and the named bookkeeping writes are the only way around the rule.
func TestWriteWithoutAuditFails(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setting := func() string {
			var v string
			err := db.R().QueryRowContext(ctx, `SELECT value FROM instance_settings WHERE key = 'write_test'`).Scan(&v)
			if err != nil {
				return ""
			}
			return v
		}
		headSeq := func() int64 {
			var n int64
			if err := db.R().QueryRowContext(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := headSeq()

		// A change with no event: rolled back, ErrUnaudited.
		err := db.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, "write_test", "unaudited") })
		if !errors.Is(err, store.ErrUnaudited) || !errs.Is(err, errs.Internal) {
			t.Fatalf("change without audit: %v; want ErrUnaudited (Internal)", err)
		}
		if v := setting(); v != "" {
			t.Fatalf("the unaudited change was committed: %q", v)
		}
		// The same through a raw statement, and through a statement with
		// RETURNING.
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO instance_settings (key, value) VALUES ('write_test', 'raw')`)
			return err
		})
		if !errors.Is(err, store.ErrUnaudited) || setting() != "" {
			t.Fatalf("raw insert without audit: %v, setting %q", err, setting())
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			var k string
			return tx.QueryRowContext(ctx, `INSERT INTO instance_settings (key, value) VALUES ('write_test', 'ret') RETURNING key`).Scan(&k)
		})
		if !errors.Is(err, store.ErrUnaudited) || setting() != "" {
			t.Fatalf("insert returning without audit: %v, setting %q", err, setting())
		}

		// Reads alone commit without an event.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			var n int
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM instance_settings`).Scan(&n)
		}); err != nil {
			t.Fatalf("read-only transaction: %v", err)
		}

		// A change with its event commits both.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.SetSetting(ctx, "write_test", "audited"); err != nil {
				return err
			}
			return tx.Audit(ctx, audit.Event{Action: "test.write", ObjectType: "setting", ObjectID: "write_test"})
		}); err != nil {
			t.Fatal(err)
		}
		if v, n := setting(), headSeq(); v != "audited" || n != before+1 {
			t.Fatalf("audited change: setting %q, audit head %d (was %d)", v, n, before)
		}

		// A named bookkeeping write needs no event; an unnamed one is refused.
		if err := db.WriteBookkeeping(ctx, store.SessionActivity, func(tx *store.Tx) error {
			return tx.SetSetting(ctx, "write_test", "bookkeeping")
		}); err != nil || setting() != "bookkeeping" {
			t.Fatalf("bookkeeping write: %v, setting %q", err, setting())
		}
		if err := db.WriteBookkeeping(ctx, nil, func(tx *store.Tx) error { return nil }); err == nil {
			t.Fatal("a bookkeeping write without a kind was accepted")
		}
		if n := headSeq(); n != before+1 {
			t.Fatalf("audit head moved to %d by writes without events", n)
		}
	})
}

// Every kind of bookkeeping write is named where it is used, and the kind
// for test fixtures is named by tests only.
func TestBookkeepingKindsInUse(t *testing.T) {
	root := filepath.Join("..", "..")
	var offenders []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte("store.TestFixture")) {
			offenders = append(offenders, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(offenders) > 0 {
		t.Fatalf("store.TestFixture named outside tests: %v", offenders)
	}
}

package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// kindOf is what the web layer sees: the store's classification, read by
// errs.KindOf.
func kindOf(err error) errs.Kind { return errs.KindOf(store.Classify(err)) }

// fakeServer accepts connections on loopback and treats each with do.
func fakeServer(t *testing.T, do func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go do(c)
		}
	}()
	return ln.Addr().String()
}

// pingVia opens pgx against addr and returns what the ping answers.
func pingVia(t *testing.T, addr string) error {
	t.Helper()
	db, err := sql.Open("pgx", "postgres://haven@"+addr+"/haven?sslmode=disable&connect_timeout=3")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = db.PingContext(ctx)
	if err == nil {
		t.Fatal("ping succeeded against a broken server")
	}
	return err
}

// TestLostPostgresConnectionIsUnavailable feeds the classifier the errors
// pgx really returns when the server goes away (end of stream, reset,
// refused, terminated by an administrator, inside a transaction) and the
// SQLSTATEs of a server shutting down: every one is Unavailable, so the web
// layer answers 503 with Retry-After, never 500.
func TestLostPostgresConnectionIsUnavailable(t *testing.T) {
	t.Run("driver values", func(t *testing.T) {
		closed := fakeServer(t, func(c net.Conn) { c.Close() })
		reset := fakeServer(t, func(c net.Conn) {
			_ = c.(*net.TCPConn).SetLinger(0)
			buf := make([]byte, 8)
			_, _ = c.Read(buf)
			c.Close()
		})
		midway := fakeServer(t, func(c net.Conn) {
			// Half an authentication request, then nothing more.
			buf := make([]byte, 512)
			_, _ = c.Read(buf)
			_, _ = c.Write([]byte{'R', 0, 0, 0})
			c.Close()
		})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		refused := ln.Addr().String()
		ln.Close()
		for name, addr := range map[string]string{"closed at once": closed, "reset": reset, "cut mid-message": midway, "refused": refused} {
			err := pingVia(t, addr)
			t.Logf("%s: %v", name, err)
			if k := kindOf(err); k != errs.Unavailable {
				t.Errorf("%s: %v is %s, want unavailable", name, err, k)
			}
			if errs.KindOf(err) != errs.Unavailable {
				t.Errorf("%s: errs.KindOf alone says %s for %v", name, errs.KindOf(err), err)
			}
		}
		for _, err := range []error{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), fmt.Errorf("x: %w", syscall.ECONNRESET), fmt.Errorf("x: %w", syscall.EPIPE),
			&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, pgconn.ErrConnClosed, sql.ErrConnDone} {
			if k := kindOf(err); k != errs.Unavailable {
				t.Errorf("%v is %s, want unavailable", err, k)
			}
		}
		for code, want := range map[string]errs.Kind{"57P01": errs.Unavailable, "57P02": errs.Unavailable, "57P03": errs.Unavailable,
			"08000": errs.Unavailable, "08003": errs.Unavailable, "08006": errs.Unavailable, "08P01": errs.Unavailable,
			"53100": errs.Full, "53200": errs.Unavailable, "53300": errs.Unavailable, "58030": errs.Unavailable,
			"40001": errs.Unavailable, "40P01": errs.Unavailable, "25006": errs.Unavailable,
			"23505": errs.Conflict, "23503": errs.Invalid, "22021": errs.Invalid, "42P01": errs.Internal} {
			err := fmt.Errorf("query: %w", &pgconn.PgError{Severity: "FATAL", Code: code, Message: "m"})
			if k := kindOf(err); k != want {
				t.Errorf("SQLSTATE %s is %s, want %s", code, k, want)
			}
		}
	})

	t.Run("terminated by the server", func(t *testing.T) {
		dsn := testenv.PostgresDSN(t)
		testenv.Ran(t, "postgres")
		ctx := context.Background()
		db := testenv.OpenMigrated(t, store.Options{DSN: dsn})
		admin, err := sql.Open("pgx", os.Getenv(testenv.EnvPostgres))
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		name := strings.TrimPrefix(mustURL(t, dsn).Path, "/")
		terminate := func() {
			t.Helper()
			if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, name); err != nil {
				t.Fatal(err)
			}
		}
		// A raw connection sees 57P01 or the end of the stream.
		raw, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		conn, err := raw.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, `SELECT 1`); err != nil {
			t.Fatal(err)
		}
		terminate()
		_, err = conn.ExecContext(ctx, `SELECT 1`)
		conn.Close()
		if err == nil {
			t.Fatal("a terminated connection still answers")
		}
		t.Logf("terminated connection: %v", err)
		if k := kindOf(err); k != errs.Unavailable {
			t.Errorf("terminated connection: %v is %s", err, k)
		}
		// A write whose transaction loses its connection is Unavailable.
		for i := 0; i < 3; i++ {
			err = db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil {
					return err
				}
				terminate()
				time.Sleep(50 * time.Millisecond)
				_, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1`)
				return err
			})
			t.Logf("write that lost its connection: %v", err)
			if k := errs.KindOf(err); k != errs.Unavailable {
				t.Errorf("write that lost its connection: %v is %s", err, k)
			}
		}
		// The pool recovers by itself.
		if err := db.Ping(ctx); err != nil {
			t.Fatalf("after the terminations: %v", err)
		}
	})
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestFullDiskIsFullOnARealFilesystem puts a SQLite database on a small
// tmpfs, fills the filesystem and writes: the write fails as Full (never
// Internal), WritesFailing says so, and once space is freed writes succeed
// again. It needs root to mount the filesystem and skips elsewhere.
func TestFullDiskIsFullOnARealFilesystem(t *testing.T) {
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small filesystem needs root")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	ctx := context.Background()
	db := testenv.OpenMigrated(t, store.Options{Path: filepath.Join(dir, "haven.db"), Synchronous: "FULL", FullMemory: time.Minute})
	if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE filler_probe (b BLOB)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Fill what is left of the filesystem.
	filler := filepath.Join(dir, "filler")
	fh, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := fh.Write(chunk); err != nil {
			break
		}
	}
	fh.Close()
	blob := make([]byte, 512<<10)
	write := func() error {
		return db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO filler_probe (b) VALUES ($1)`, blob)
			return err
		})
	}
	err = write()
	t.Logf("write on a full filesystem: %v", err)
	if k := errs.KindOf(err); k != errs.Full {
		t.Fatalf("write on a full filesystem: %v is %s, want storage_full", err, k)
	}
	if !db.WritesFailing() {
		t.Error("WritesFailing does not report the failed write")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := write(); err != nil {
		t.Fatalf("write after space was freed: %v", err)
	}
}

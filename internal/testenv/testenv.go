// Package testenv gives tests the real engines they run on: an embedded
// SQLite database always, and a PostgreSQL database and a headless Chromium
// when the environment names them. CI names both and sets
// HAVEN_TEST_REQUIRE, which turns a missing engine into a failure instead of
// a skip; each optional suite that runs leaves a marker in
// HAVEN_TEST_REPORT_DIR so CI can print what actually ran.
package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/haven-nrm/haven/internal/store"
)

// Environment variables.
const (
	EnvPostgres  = "HAVEN_TEST_POSTGRES"   // admin URL of a PostgreSQL server for tests
	EnvBrowser   = "HAVEN_TEST_CHROMIUM"   // path of a Chromium binary
	EnvRequire   = "HAVEN_TEST_REQUIRE"    // comma list of suites that must run: postgres, browser
	EnvReportDir = "HAVEN_TEST_REPORT_DIR" // folder for markers of suites that ran
)

// Required reports whether the named suite must run.
func Required(suite string) bool {
	return slices.Contains(strings.Split(os.Getenv(EnvRequire), ","), suite)
}

// Ran records that an optional suite ran in this test.
func Ran(t testing.TB, suite string) {
	dir := os.Getenv(EnvReportDir)
	if dir == "" {
		return
	}
	name := suite + "__" + strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
		t.Logf("cannot write suite marker: %v", err)
	}
}

// SkipOrFail skips a test whose engine is missing, or fails it when the
// suite is required.
func SkipOrFail(t testing.TB, suite, why string) {
	t.Helper()
	if Required(suite) {
		t.Fatalf("%s suite is required (%s) but %s", suite, EnvRequire, why)
	}
	t.Skipf("%s suite skipped: %s", suite, why)
}

// Engine is one database engine to run a test on.
type Engine struct {
	Name string
	// Open returns options for a fresh, empty database on this engine,
	// removed when the test ends.
	Fresh func(t testing.TB) store.Options
}

// Engines returns SQLite and, when configured, PostgreSQL.
func Engines(t testing.TB) []Engine {
	es := []Engine{{Name: "sqlite", Fresh: FreshSQLite}}
	if os.Getenv(EnvPostgres) != "" {
		es = append(es, Engine{Name: "postgres", Fresh: FreshPostgres})
	} else if Required("postgres") {
		t.Fatalf("postgres suite is required but %s is not set", EnvPostgres)
	}
	return es
}

// OnEachEngine runs fn as a subtest per engine, recording that the
// PostgreSQL suite ran when it does.
func OnEachEngine(t *testing.T, fn func(t *testing.T, e Engine)) {
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			if e.Name == "postgres" {
				Ran(t, "postgres")
			}
			fn(t, e)
		})
	}
}

// ForEachEngine runs fn as a subtest per engine on a fresh migrated
// database.
func ForEachEngine(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	OnEachEngine(t, func(t *testing.T, e Engine) { fn(t, OpenMigrated(t, e.Fresh(t))) })
}

// FreshSQLite returns options for a new database file in a temporary folder.
func FreshSQLite(t testing.TB) store.Options {
	return store.Options{Path: filepath.Join(t.TempDir(), "haven.db"), Synchronous: "FULL"}
}

// FreshPostgres creates an empty database on the test server and drops it
// when the test ends.
func FreshPostgres(t testing.TB) store.Options {
	t.Helper()
	dsn := PostgresDSN(t)
	return store.Options{DSN: dsn}
}

// PostgresDSN creates a new empty database and returns its URL.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		SkipOrFail(t, "postgres", EnvPostgres+" is not set")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "haven_t_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open admin database: %v", err)
	}
	defer adb.Close()
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		adb, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer adb.Close()
		_, _ = adb.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String()
}

// PostgresDataDir is the data directory of the PostgreSQL test server
// (which runs on this machine), after a checkpoint has written every page
// to it: where a test looks for what the server keeps on disk.
func PostgresDataDir(t testing.TB) string {
	t.Helper()
	adb, err := sql.Open("pgx", os.Getenv(EnvPostgres))
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	ctx := context.Background()
	var dir string
	if err := adb.QueryRowContext(ctx, "SHOW data_directory").Scan(&dir); err != nil {
		t.Fatalf("data_directory: %v", err)
	}
	if _, err := adb.ExecContext(ctx, "CHECKPOINT"); err != nil {
		t.Logf("checkpoint: %v", err)
	}
	return dir
}

// OpenMigrated opens a database and applies all migrations.
func OpenMigrated(t testing.TB, o store.Options) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, o)
	if err != nil {
		t.Fatalf("open %v: %v", o.Path, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// AuditActionsAfter returns the actions of the audit events whose sequence
// number is after after, oldest first, and the newest sequence number: what
// a use case wrote to the audit trail.
func AuditActionsAfter(t testing.TB, db *store.DB, after int64) ([]string, int64) {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), store.AuditFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	last := after
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Seq > after {
			out = append(out, evs[i].Action)
		}
		last = max(last, evs[i].Seq)
	}
	return out, last
}

// SyncBuffer is a bytes.Buffer a server's logger may write to while the
// test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// EachRow runs query on db and calls fn with the column names and the
// values of every row, whatever the table's shape.
func EachRow(t testing.TB, db *store.DB, fn func(cols []string, vals []any), query string, args ...any) {
	t.Helper()
	rows, err := db.R().QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fn(cols, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// Text is a scanned value as text when it is text or bytes, else "".
func Text(v any) string {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case string:
		return v
	}
	return ""
}

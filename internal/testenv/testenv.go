// Package testenv gives tests the real engines they run on: an embedded
// SQLite database always, and a PostgreSQL database and a headless Chromium
// when the environment names them. CI names both and sets
// HAVEN_TEST_REQUIRE, which turns a missing engine into a failure instead of
// a skip; each optional suite that runs leaves a marker in
// HAVEN_TEST_REPORT_DIR so CI can print what actually ran.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// ForEachEngine runs fn as a subtest per engine on a fresh migrated
// database.
func ForEachEngine(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := OpenMigrated(t, e.Fresh(t))
			if e.Name == "postgres" {
				Ran(t, "postgres")
			}
			fn(t, db)
		})
	}
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

package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
)

// Migrations are forward-only SQL files named NNNN_name.sql. One file serves
// both engines: the type word BYTES becomes BLOB on SQLite and BYTEA on
// PostgreSQL. A file NNNN_name.postgres.sql or NNNN_name.sqlite.sql, when
// present, replaces the shared file for that engine.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one schema step: its SQL, then, for a step that rewrites
// data in a way SQL says differently on each engine (JSON documents), a Go
// function registered in goSteps. Both run in the migration's one
// transaction.
type Migration struct {
	Version int
	Name    string
	SQL     map[Dialect]string
	Go      func(ctx context.Context, tx *sql.Tx, d Dialect) error
}

// goSteps are the Go parts of migrations, by version. Each keeps its own
// copy of the names and shapes it reads, never the current types, so that
// it means the same however the code changes later.
var goSteps = map[int]func(ctx context.Context, tx *sql.Tx, d Dialect) error{
	13: migrateDocumentNames,
	14: backfillStatisticsColumns,
	56: backfillMeasureColumns,
}

// Migrations returns the embedded migrations in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	byVersion := map[int]*Migration{}
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(name, ".sql")
		only := Dialect("")
		for _, d := range []Dialect{SQLite, Postgres} {
			if strings.HasSuffix(base, "."+string(d)) {
				only = d
				base = strings.TrimSuffix(base, "."+string(d))
			}
		}
		num, label, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s is not named NNNN_name.sql", name)
		}
		body, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		m := byVersion[v]
		if m == nil {
			m = &Migration{Version: v, Name: label, SQL: map[Dialect]string{}}
			byVersion[v] = m
		} else if m.Name != label {
			return nil, fmt.Errorf("migration %d has two names: %s and %s", v, m.Name, label)
		}
		for _, d := range []Dialect{SQLite, Postgres} {
			if only != "" && only != d {
				continue
			}
			if _, set := m.SQL[d]; set && only == "" {
				continue // an engine-specific file already took this engine
			}
			m.SQL[d] = translate(string(body), d)
		}
	}
	out := make([]Migration, 0, len(byVersion))
	for v, m := range byVersion {
		m.Go = goSteps[v]
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

func translate(sqlText string, d Dialect) string {
	if d == Postgres {
		return strings.ReplaceAll(sqlText, "BYTES", "BYTEA")
	}
	return strings.ReplaceAll(sqlText, "BYTES", "BLOB")
}

// LatestVersion is the newest schema version this binary knows.
func LatestVersion() int {
	ms, err := Migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// migrationLockID is the PostgreSQL advisory lock that serialises replicas
// migrating the same database at once.
const migrationLockID = 7_151_824_001

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// SchemaVersion returns the highest applied migration, 0 for an empty
// database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	return schemaVersion(ctx, db.Dialect, db.w)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func schemaVersion(ctx context.Context, d Dialect, q queryer) (int, error) {
	// Ask the catalogue first so that reading the version never creates
	// anything.
	catalogue := `SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'`
	if d == Postgres {
		catalogue = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`
	}
	var exists int
	if err := q.QueryRowContext(ctx, catalogue).Scan(&exists); err != nil {
		return 0, classify(err)
	}
	if exists == 0 {
		return 0, nil
	}
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, classify(err)
	}
	return int(v.Int64), nil
}

// ErrSchemaTooNew is returned when the database was migrated by a newer
// Haven than this one.
type ErrSchemaTooNew struct{ Database, Binary int }

func (e *ErrSchemaTooNew) Error() string {
	return fmt.Sprintf("the database schema is at version %d but this haven knows only up to %d: run a newer haven; nothing was changed", e.Database, e.Binary)
}

// Migrate applies every pending migration, each in its own transaction, and
// returns the versions it applied. Several processes may call it at once: on
// PostgreSQL an advisory lock serialises them, on SQLite the single writer
// does; each migration checks inside its transaction that it is still
// pending.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	return db.migrateTo(ctx, 0)
}

// migrateTo applies the pending migrations up to version upTo (0: all); tests
// use it to build a database at an earlier schema.
func (db *DB) migrateTo(ctx context.Context, upTo int) ([]int, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	latest := ms[len(ms)-1].Version
	// Refuse a newer database before touching anything.
	cur, err := db.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if cur > latest {
		return nil, errs.Wrap(errs.Invalid, &ErrSchemaTooNew{Database: cur, Binary: latest})
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, classify(err)
	}
	defer conn.Close()
	if db.Dialect == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockID); err != nil {
			return nil, classify(err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockID)
	}
	var applied []int
	for i, m := range ms {
		if upTo > 0 && m.Version > upTo {
			break
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, classify(err)
		}
		if i == 0 {
			if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
				tx.Rollback()
				return applied, classify(err)
			}
		}
		v, err := schemaVersion(ctx, db.Dialect, tx)
		if err != nil {
			tx.Rollback()
			return applied, err
		}
		if v > latest {
			tx.Rollback()
			return applied, errs.Wrap(errs.Invalid, &ErrSchemaTooNew{Database: v, Binary: latest})
		}
		// Each migration is applied unless its own row exists, so a
		// migration numbered below one already applied (merged from a
		// parallel branch) still runs.
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&done); err != nil {
			tx.Rollback()
			return applied, classify(err)
		}
		if done > 0 {
			if err := tx.Commit(); err != nil {
				return applied, classify(err)
			}
			continue
		}
		if hasStatements(m.SQL[db.Dialect]) {
			if _, err := tx.ExecContext(ctx, m.SQL[db.Dialect]); err != nil {
				tx.Rollback()
				return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, classify(err))
			}
		}
		if m.Go != nil {
			if err := m.Go(ctx, tx, db.Dialect); err != nil {
				tx.Rollback()
				return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, classify(err))
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.Version, m.Name, time.Now().UnixMilli()); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, classify(err))
		}
		if err := tx.Commit(); err != nil {
			return applied, classify(err)
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}

// hasStatements reports whether SQL text holds more than comments: a
// migration done wholly in Go has a file of comments only.
func hasStatements(q string) bool {
	for _, line := range strings.Split(q, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "--") {
			return true
		}
	}
	return false
}

// AppliedMigrations lists the rows of schema_migrations, for tests and the
// migrate command.
func (db *DB) AppliedMigrations(ctx context.Context) ([]int, error) {
	return collect(ctx, db.w, `SELECT version FROM schema_migrations ORDER BY version`, nil, scanColumn[int])
}

package backup

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// ErrNotEmpty is wrapped by the error of a restore into a database that
// already holds tables.
var ErrNotEmpty = errors.New("the target database is not empty")

// ErrSchemaTooNew is wrapped when a backup needs migrations this binary
// does not have.
var ErrSchemaTooNew = errors.New("the backup is newer than this haven")

// migrationLockID is the PostgreSQL advisory lock under which
// (*store.DB).Migrate runs; holding it keeps a starting `haven serve` from
// migrating the database while a restore builds its schema.
const migrationLockID = 7_151_824_001

// createMigrationsTable must stay the table (*store.DB).Migrate creates;
// TestRestoredSchemaMatchesMigrated compares the two.
const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// Verify reads a whole backup and checks its format, every value, the row
// counts, the checksum and the signature with c's key, without touching any
// database.
func Verify(r io.Reader, c Check) (Summary, error) {
	rd, err := newReader(r, c)
	if err != nil {
		return Summary{}, err
	}
	tr, err := rd.run(callbacks{})
	if err != nil {
		return Summary{}, err
	}
	return Summary{Header: rd.header, Trailer: tr, Unsigned: rd.header.Version == unsignedVersion}, nil
}

// Restore reads a backup into db, which must be empty: it applies the
// backup's migrations and inserts every row in one transaction, and
// commits only when the whole file has been read and checked, its
// signature verified with c's key, and the audit key the restored rows
// record (if any) found to be that key. On any error the database is left
// as it was.
func Restore(ctx context.Context, db *store.DB, r io.Reader, c Check) (Summary, error) {
	rd, err := newReader(r, c)
	if err != nil {
		return Summary{}, err
	}
	h := rd.header
	migrations, err := migrationsFor(h)
	if err != nil {
		return Summary{}, err
	}
	var tr Trailer
	err = db.WriteBookkeeping(ctx, store.Seed, func(tx *store.Tx) error {
		if err := prepareTarget(ctx, db, tx, migrations); err != nil {
			return err
		}
		if err := matchSchema(ctx, tx, h.Tables); err != nil {
			return err
		}
		// Rows the migrations seeded (such as the audit chain's head)
		// give way to the backup's, children first.
		for i := len(h.Tables) - 1; i >= 0; i-- {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+quote(h.Tables[i].Name)); err != nil {
				return restoreError("clear the seeded rows of %s: %v", h.Tables[i].Name, err)
			}
		}
		// failed is the first refusal of the database. The rest of the
		// file is still read and checked, so that a damaged file is
		// reported as damaged rather than by what its damage caused (a
		// flipped byte can make a row that breaks a foreign key).
		var failed error
		var ins *inserter
		tr, err = rd.run(callbacks{
			table: func(t Table) error {
				if failed == nil {
					ins, failed = newInserter(ctx, tx, t)
				}
				return nil
			},
			row: func(t Table, values []any) error {
				if failed == nil {
					failed = ins.add(values)
				}
				return nil
			},
			tableEnd: func(t Table, rows int64) error {
				if failed != nil {
					return nil
				}
				if failed = ins.finish(); failed != nil {
					return nil
				}
				var n int64
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quote(t.Name)).Scan(&n); err != nil {
					failed = restoreError("count the rows of %s: %v", t.Name, err)
				} else if n != rows {
					failed = restoreError("table %s holds %d rows after the restore, the backup %d", t.Name, n, rows)
				}
				return nil
			},
		})
		if err != nil {
			return err
		}
		if failed != nil {
			return failed
		}
		if err := checkRecordedKey(ctx, tx, c.Key); err != nil {
			return err
		}
		return checkMigrationRows(ctx, tx, migrations)
	})
	if err != nil {
		return Summary{}, err
	}
	return Summary{Header: h, Trailer: tr, Unsigned: h.Version == unsignedVersion}, nil
}

// migrationsFor returns this binary's migrations that the backup lists,
// refusing a backup that lists one this binary does not have.
func migrationsFor(h Header) ([]store.Migration, error) {
	all, err := store.Migrations()
	if err != nil {
		return nil, err
	}
	byVersion := map[int]store.Migration{}
	latest := 0
	for _, m := range all {
		byVersion[m.Version] = m
		latest = max(latest, m.Version)
	}
	if h.SchemaVersion > latest {
		return nil, errs.Wrap(errs.Invalid, fmt.Errorf("%w: the backup is at schema version %d but this haven knows only up to %d: restore it with a newer haven; nothing was changed",
			ErrSchemaTooNew, h.SchemaVersion, latest))
	}
	var out []store.Migration
	prev := 0
	for _, bm := range h.Migrations {
		m, ok := byVersion[bm.Version]
		if bm.Version <= prev {
			return nil, damaged("the header lists migration %d out of order", bm.Version)
		}
		prev = bm.Version
		if !ok {
			return nil, errs.Wrap(errs.Invalid, fmt.Errorf("%w: the backup has migration %d (%s), which this haven does not have: restore it with the haven that made it or a newer one; nothing was changed",
				ErrSchemaTooNew, bm.Version, bm.Name))
		}
		if m.Name != bm.Name {
			return nil, errs.E(errs.Invalid, "the backup's migration %d is %q but this haven's is %q: the backup comes from a different line of Haven; nothing was changed",
				bm.Version, bm.Name, m.Name)
		}
		out = append(out, m)
	}
	return out, nil
}

// prepareTarget checks that the target is empty and builds the backup's
// schema in the restoring transaction.
func prepareTarget(ctx context.Context, db *store.DB, tx *store.Tx, migrations []store.Migration) error {
	if tx.Dialect == store.Postgres {
		// Released when the transaction ends.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockID); err != nil {
			return restoreError("lock the database against migration: %v", err)
		}
	}
	objects := `SELECT count(*) FROM sqlite_master`
	if tx.Dialect == store.Postgres {
		objects = `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`
	}
	var n int
	if err := tx.QueryRowContext(ctx, objects).Scan(&n); err != nil {
		return restoreError("inspect the target database: %v", err)
	}
	if n > 0 {
		// Read inside the transaction: on SQLite it holds the only
		// writer connection, which db.SchemaVersion would wait for.
		v := 0
		if ms, err := appliedMigrations(ctx, tx, tablesNamed(ctx, tx)); err == nil && len(ms) > 0 {
			v = ms[len(ms)-1].Version
		}
		return errs.Wrap(errs.Invalid, fmt.Errorf("%w: %s already holds tables (schema version %d); restore only into a new, empty database; nothing was changed",
			ErrNotEmpty, db, v))
	}
	if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
		return restoreError("create %s: %v", migrationsTable, err)
	}
	for _, m := range migrations {
		if _, err := tx.ExecContext(ctx, m.SQL[tx.Dialect]); err != nil {
			return restoreError("apply migration %04d_%s: %v", m.Version, m.Name, err)
		}
	}
	// The backup's rows go in parents first, but a self-reference or a
	// cycle still needs the checks at commit: SQLite defers every
	// foreign key on request, PostgreSQL only those declared deferrable.
	deferFKs := `PRAGMA defer_foreign_keys = ON`
	if tx.Dialect == store.Postgres {
		deferFKs = `SET CONSTRAINTS ALL DEFERRED`
	}
	if _, err := tx.ExecContext(ctx, deferFKs); err != nil {
		return restoreError("defer foreign key checks: %v", err)
	}
	return nil
}

// matchSchema checks that the schema the migrations built is the schema
// the backup was taken from, table by table and column by column, and that
// the backup's table order satisfies the foreign keys that cannot wait.
func matchSchema(ctx context.Context, tx *store.Tx, tables []Table) error {
	have, fks, err := catalogue(ctx, tx, tx.Dialect)
	if err != nil {
		return restoreError("read the catalogue: %v", err)
	}
	byName := map[string]Table{}
	for _, t := range have {
		byName[t.Name] = t.Table
	}
	for _, t := range tables {
		got, ok := byName[t.Name]
		if !ok {
			return mismatch("the backup has table %s, which the migrations did not create", t.Name)
		}
		delete(byName, t.Name)
		cols := map[string]Kind{}
		for _, c := range got.Columns {
			cols[c.Name] = c.Type
		}
		for _, c := range t.Columns {
			k, ok := cols[c.Name]
			if !ok {
				return mismatch("the backup has column %s.%s, which the migrations did not create", t.Name, c.Name)
			}
			if k != c.Type {
				return mismatch("column %s.%s is %s in the backup but %s here", t.Name, c.Name, c.Type, k)
			}
			delete(cols, c.Name)
		}
		if extra := slices.Sorted(maps.Keys(cols)); len(extra) > 0 {
			return mismatch("the migrations created column %s.%s, which the backup lacks", t.Name, extra[0])
		}
	}
	if extra := slices.Sorted(maps.Keys(byName)); len(extra) > 0 {
		return mismatch("the migrations created table %s, which the backup lacks", extra[0])
	}
	if err := checkOrder(tables, fks); err != nil {
		return mismatch("%v", err)
	}
	return nil
}

// tablesNamed lists the target's tables for appliedMigrations, or nothing
// when the catalogue cannot be read (a table of a type the format does not
// know, for instance).
func tablesNamed(ctx context.Context, tx *store.Tx) []tableInfo {
	ts, _, err := catalogue(ctx, tx, tx.Dialect)
	if err != nil {
		return nil
	}
	return ts
}

func mismatch(format string, args ...any) error {
	return errs.E(errs.Invalid, "the backup does not match the schema of its own migrations (%s); nothing was changed", fmt.Sprintf(format, args...))
}

// checkMigrationRows checks that the restored schema_migrations records
// exactly the migrations that were applied.
func checkMigrationRows(ctx context.Context, tx *store.Tx, applied []store.Migration) error {
	got, err := appliedMigrations(ctx, tx, []tableInfo{{Table: Table{Name: migrationsTable}}})
	if err != nil {
		return restoreError("read %s: %v", migrationsTable, err)
	}
	if len(got) != len(applied) {
		return damaged("%s holds %d migrations, the header lists %d", migrationsTable, len(got), len(applied))
	}
	for i, m := range applied {
		if got[i].Version != m.Version || got[i].Name != m.Name {
			return damaged("%s holds migration %d %q where the header lists %d %q", migrationsTable, got[i].Version, got[i].Name, m.Version, m.Name)
		}
	}
	return nil
}

func restoreError(format string, args ...any) error {
	return errs.E(errs.Internal, "restore: "+format+"; nothing was changed", args...)
}

// inserter writes the rows of one table: on SQLite one prepared statement
// per row (the driver binds $N parameters by name, so statements with
// thousands of them get slow); on PostgreSQL multi-row statements, which
// save round trips.
type inserter struct {
	ctx     context.Context
	tx      *store.Tx
	table   Table
	stmt    *sql.Stmt
	pending []any
	perStmt int
}

func newInserter(ctx context.Context, tx *store.Tx, t Table) (*inserter, error) {
	ins := &inserter{ctx: ctx, tx: tx, table: t, perStmt: 1}
	if tx.Dialect == store.Postgres {
		// PostgreSQL allows at most 65535 parameters per statement.
		ins.perStmt = max(1, min(500, 65535/len(t.Columns)))
		return ins, nil
	}
	stmt, err := tx.PrepareContext(ctx, insertSQL(t, 1))
	if err != nil {
		return nil, restoreError("prepare the insert into %s: %v", t.Name, err)
	}
	ins.stmt = stmt
	return ins, nil
}

func (ins *inserter) add(values []any) error {
	if ins.stmt != nil {
		if _, err := ins.stmt.ExecContext(ins.ctx, values...); err != nil {
			return ins.fail(err)
		}
		return nil
	}
	ins.pending = append(ins.pending, values...)
	if len(ins.pending) >= ins.perStmt*len(ins.table.Columns) {
		return ins.flush()
	}
	return nil
}

func (ins *inserter) flush() error {
	if len(ins.pending) == 0 {
		return nil
	}
	n := len(ins.pending) / len(ins.table.Columns)
	if _, err := ins.tx.ExecContext(ins.ctx, insertSQL(ins.table, n), ins.pending...); err != nil {
		return ins.fail(err)
	}
	ins.pending = ins.pending[:0]
	return nil
}

func (ins *inserter) finish() error {
	err := ins.flush()
	if ins.stmt != nil {
		if cerr := ins.stmt.Close(); err == nil && cerr != nil {
			err = ins.fail(cerr)
		}
	}
	return err
}

func (ins *inserter) fail(err error) error {
	// Constraint errors name the constraint, never the values.
	return restoreError("insert into %s: %v", ins.table.Name, err)
}

// insertSQL is an INSERT of n rows into t.
func insertSQL(t Table, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(quote(t.Name))
	b.WriteString(" (")
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(c.Name))
	}
	b.WriteString(") VALUES ")
	p := 1
	for r := 0; r < n; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i := range t.Columns {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(p))
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// checkRecordedKey refuses a restore whose rows record an audit public key
// other than key: the database would then belong to another instance, or
// its checkpoints could not be checked with the key in place.
func checkRecordedKey(ctx context.Context, tx *store.Tx, key ed25519.PublicKey) error {
	var rec string
	err := tx.QueryRowContext(ctx, `SELECT value FROM instance_settings WHERE key = 'audit.public_key'`).Scan(&rec)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return restoreError("read the recorded audit key: %v", err)
	}
	if len(key) != ed25519.PublicKeySize || rec != hex.EncodeToString(key) {
		return errs.Wrap(errs.Invalid, fmt.Errorf("%w: the backup's database records another audit key than the one in place", ErrSignature))
	}
	return nil
}

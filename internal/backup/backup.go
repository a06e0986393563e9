// Package backup makes consistent online copies of a Haven database and
// restores them into an empty database on either engine.
//
// A backup is read inside one snapshot transaction (on SQLite a read
// transaction, which WAL keeps consistent while the server goes on
// writing; on PostgreSQL REPEATABLE READ READ ONLY), so it holds the
// database as of one instant: every change together with its audit event,
// or neither.
//
// # Format
//
// A backup file is gzip-compressed UTF-8 text, one JSON value per line:
//
//   - a header object: format "haven-backup", format version, the schema
//     version and the applied migrations, the source engine, the Haven
//     version, the creation time, and every table with its columns and
//     their engine-neutral types (integer, real, text, bytes, boolean), in
//     foreign-key order;
//   - for each table in that order, an object {"table": name} followed by
//     one JSON array per row, its values in column order: null, integers as
//     JSON integers (read back as exact 64-bit integers, never through
//     float64), text as strings, bytes as standard base64 strings, booleans
//     as true or false;
//   - a trailer object {"trailer": {"rows": {table: count}, "total": n,
//     "sha256": hex, "signature": base64, "key_id": id}}, where sha256 covers
//     every uncompressed byte before the trailer line and signature is the
//     Ed25519 signature of "haven-backup trailer v2", a NUL byte, that
//     digest (32 bytes), a NUL byte and total in decimal, made with the
//     instance's audit signing key (format version 2).
//
// # Signature
//
// The checksum alone shows damage, not editing: whoever changes a row can
// recompute it. The signature can be made only with the audit signing key,
// which is not in the backup, and is checked with a public key the reader
// supplies — the instance's key file, or the key recorded in its database —
// never one the file names. A restore also refuses a backup whose database
// records another audit key. Files of format version 1, written before
// backups were signed, are refused unless the caller allows unsigned files
// (haven restore --allow-unsigned), since an editor could otherwise drop the
// signature and write version 1.
//
// schema_migrations is copied like any other table, so a restored database
// keeps its migration history; a restore applies exactly the migrations the
// header lists (refusing any this binary lacks) and then checks that the
// copied rows record the same ones.
//
// A restore checks the header, the order of the tables, every value, the
// counts, the checksum and the signature, and gzip checks its own CRC, so a truncated or
// altered file is refused; the restore runs in one transaction and nothing
// is kept unless everything checked out.
//
// The database holds identifying fields only as ciphertext, so they stay
// encrypted in the backup. The master key that unwraps them and the audit
// signing key are files outside the database and are not in the backup:
// they must be backed up separately and kept apart from it. The rest of the
// backup (coded case data, account names, password hashes, the audit log)
// is in clear and must be protected like the database itself.
package backup

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// migrationsTable is the table that records applied migrations
// (internal/store/migrate.go).
const migrationsTable = "schema_migrations"

// Options tune a backup.
type Options struct {
	// HavenVersion is recorded in the header to tell which program wrote
	// the file.
	HavenVersion string
}

// Summary describes a backup written, checked or restored.
type Summary struct {
	Header  Header
	Trailer Trailer
	// Unsigned is set when an unsigned file (format version 1) was read
	// because Check.AllowUnsigned allowed it.
	Unsigned bool
}

// Write writes a backup of db to w, signed with the audit signing key the
// database was given (store.DB.SetAuditSigner); without one it refuses. It
// only reads, through the read pool, so it runs beside a serving Haven.
func Write(ctx context.Context, db *store.DB, w io.Writer, o Options) (Summary, error) {
	signer := db.AuditSignerOf()
	if signer == nil {
		return Summary{}, errs.E(errs.Invalid, "a backup is signed with the instance's audit signing key, and none was given")
	}
	tx, err := beginSnapshot(ctx, db)
	if err != nil {
		return Summary{}, err
	}
	// The transaction only read; ending it releases the snapshot.
	defer tx.Rollback()

	tables, fks, err := catalogue(ctx, tx, db.Dialect)
	if err != nil {
		return Summary{}, dbError("read the catalogue of", db, err)
	}
	migrations, err := appliedMigrations(ctx, tx, tables)
	if err != nil {
		return Summary{}, dbError("read the migrations of", db, err)
	}
	if len(migrations) == 0 {
		return Summary{}, errs.E(errs.Invalid, "the database %s has no Haven schema (no migrations applied): there is nothing to back up", db)
	}
	tables = dependencyOrder(tables, fks)
	h := Header{
		Format:        FormatName,
		Version:       FormatVersion,
		SchemaVersion: migrations[len(migrations)-1].Version,
		Migrations:    migrations,
		Engine:        string(db.Dialect),
		HavenVersion:  o.HavenVersion,
		CreatedAt:     time.Now().UTC().Truncate(time.Millisecond),
	}
	for _, t := range tables {
		h.Tables = append(h.Tables, t.Table)
	}

	zw, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return Summary{}, err
	}
	sum := sha256.New()
	enc := json.NewEncoder(io.MultiWriter(zw, sum))
	enc.SetEscapeHTML(false)
	if err := enc.Encode(h); err != nil {
		return Summary{}, writeError(err)
	}
	tr := Trailer{Rows: map[string]int64{}}
	for _, t := range tables {
		if err := enc.Encode(sectionLine{Table: t.Name}); err != nil {
			return Summary{}, writeError(err)
		}
		n, err := writeRows(ctx, tx, t, enc)
		if err != nil {
			return Summary{}, err
		}
		tr.Rows[t.Name] = n
		tr.Total += n
	}
	digest := sum.Sum(nil)
	tr.SHA256 = hex.EncodeToString(digest)
	tr.sign(digest, signer.Key, signer.KeyID)
	tenc := json.NewEncoder(zw)
	if err := tenc.Encode(trailerLine{Trailer: &tr}); err != nil {
		return Summary{}, writeError(err)
	}
	if err := zw.Close(); err != nil {
		return Summary{}, writeError(err)
	}
	return Summary{Header: h, Trailer: tr}, nil
}

// beginSnapshot starts the read transaction that every read of a backup
// runs in.
func beginSnapshot(ctx context.Context, db *store.DB) (*sql.Tx, error) {
	// The read pool is a *sql.DB behind the store.Reader interface.
	b, ok := db.R().(interface {
		BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
	})
	if !ok {
		return nil, errs.E(errs.Internal, "the read pool of %s cannot begin transactions", db)
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == store.Postgres {
		// One snapshot for every statement of the transaction.
		opts.Isolation = sql.LevelRepeatableRead
	}
	// On SQLite the read transaction's snapshot is fixed by its first
	// read and kept, in WAL mode, while the writer commits beside it.
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, dbError("begin a snapshot of", db, err)
	}
	return tx, nil
}

// appliedMigrations reads schema_migrations, or nothing when it does not
// exist.
func appliedMigrations(ctx context.Context, q querier, tables []tableInfo) ([]Migration, error) {
	found := false
	for _, t := range tables {
		found = found || t.Name == migrationsTable
	}
	if !found {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT version, name FROM `+migrationsTable+` ORDER BY version`)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for rows.Next() {
		var m Migration
		if err := rows.Scan(&m.Version, &m.Name); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, m)
	}
	return out, closeRows(rows)
}

// writeRows writes every row of t and returns how many there were.
func writeRows(ctx context.Context, tx *sql.Tx, t tableInfo, enc *json.Encoder) (int64, error) {
	// Each bytes column also selects "IS NULL": SQLite's driver returns an
	// empty blob as a nil slice, which would otherwise read as NULL.
	cols := make([]string, 0, len(t.Columns))
	var nullChecks []int
	for i, c := range t.Columns {
		cols = append(cols, quote(c.Name))
		if c.Type == Bytes {
			nullChecks = append(nullChecks, i)
		}
	}
	for _, i := range nullChecks {
		cols = append(cols, quote(t.Columns[i].Name)+" IS NULL")
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + quote(t.Name)
	order := t.pk
	if len(order) == 0 {
		for _, c := range t.Columns {
			order = append(order, c.Name)
		}
	}
	for i, c := range order {
		if i == 0 {
			q += " ORDER BY "
		} else {
			q += ", "
		}
		q += quote(c)
	}
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return 0, errs.E(errs.KindOf(err), "read table %s: %v", t.Name, err)
	}
	defer rows.Close()
	raw := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range raw {
		dest[i] = &raw[i]
	}
	out := make([]any, len(t.Columns))
	var n int64
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, errs.E(errs.Internal, "read table %s: %v", t.Name, err)
		}
		for j, i := range nullChecks {
			isNull, err := truth(raw[len(t.Columns)+j])
			if err != nil {
				return n, errs.E(errs.Internal, "read table %s: %v", t.Name, err)
			}
			if !isNull && raw[i] == nil {
				raw[i] = []byte{}
			}
		}
		for i, c := range t.Columns {
			v, err := encodeValue(c.Type, raw[i])
			if err != nil {
				// The value itself is never quoted: it may be
				// personal data.
				return n, errs.E(errs.Invalid, "table %s, column %s, row %d: %v", t.Name, c.Name, n+1, err)
			}
			out[i] = v
		}
		if err := enc.Encode(out); err != nil {
			return n, writeError(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, errs.E(errs.Unavailable, "read table %s: %v", t.Name, err)
	}
	return n, nil
}

// truth reads a boolean expression as either engine returns it.
func truth(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case int64:
		return x != 0, nil
	}
	return false, fmt.Errorf("unexpected %T for a boolean expression", v)
}

// WriteFile writes a backup of db to a new file at path, mode 0600. The
// content goes to a temporary file next to it, which is synced and then
// linked into place, so path is either absent or a complete backup, and an
// existing file is never replaced.
func WriteFile(ctx context.Context, db *store.DB, path string, o Options) (Summary, error) {
	if _, err := os.Lstat(path); err == nil {
		return Summary{}, errs.E(errs.Invalid, "%s already exists; a backup never replaces a file: choose a new name", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Summary{}, errs.E(errs.Unavailable, "cannot check %s: %v", path, err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return Summary{}, errs.E(errs.Unavailable, "cannot create a file in %s: %v", dir, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		os.Remove(tmpName) // after the link, this removes only the temporary name
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return Summary{}, errs.E(errs.Unavailable, "cannot restrict %s to its owner: %v", tmpName, err)
	}
	bw := bufio.NewWriterSize(tmp, 1<<20)
	s, err := Write(ctx, db, bw, o)
	if err != nil {
		return Summary{}, err
	}
	if err := bw.Flush(); err != nil {
		return Summary{}, writeError(err)
	}
	if err := tmp.Sync(); err != nil {
		return Summary{}, writeError(err)
	}
	err = tmp.Close()
	tmp = nil
	if err != nil {
		return Summary{}, writeError(err)
	}
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Summary{}, errs.E(errs.Conflict, "%s was created by someone else while the backup was written; the backup was not kept", path)
		}
		return Summary{}, errs.E(errs.Unavailable, "cannot put the backup in place at %s: %v", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return Summary{}, errs.E(errs.Unavailable, "cannot sync the folder %s: %v", dir, err)
		}
	}
	return s, nil
}

func writeError(err error) error {
	return errs.E(errs.Unavailable, "cannot write the backup: %v", err)
}

// dbError classifies a database error met while working on db. db's
// description never holds a password.
func dbError(doing string, db *store.DB, err error) error {
	k := errs.KindOf(err)
	if k == errs.Internal && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		k = errs.Unavailable
	}
	return errs.E(k, "cannot %s %s: %v", doing, db, err)
}

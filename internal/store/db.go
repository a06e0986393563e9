// Package store is Haven's database layer: one code path over two real
// engines, embedded SQLite (the default) and PostgreSQL. SQL is written once
// with $N placeholders, which both drivers bind by number. Instants are stored
// as integer Unix milliseconds in UTC, because the drivers disagree on
// time.Time.
//
// Writes go through (*DB).Write, which runs a function in one transaction;
// callers put the change and its audit event in the same function so neither
// exists without the other.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"               // registers the "sqlite" driver

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/errs"
)

// Dialect names the database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Options says which database to open and how.
type Options struct {
	// DSN is a postgres:// URL; empty for SQLite.
	DSN string
	// Path is the SQLite file; used when DSN is empty.
	Path string
	// Synchronous is the SQLite synchronous mode (FULL by default).
	Synchronous string
	// MustExist refuses to create a new SQLite file (for commands that read
	// an existing database, such as audit verify).
	MustExist bool
	// FullMemory is how long WritesFailing reports a write that failed for
	// want of space; zero means 30 seconds.
	FullMemory time.Duration
}

// FromConfig derives Options from the run-time configuration.
func FromConfig(c config.Config) Options {
	if c.IsPostgres() {
		return Options{DSN: c.Database}
	}
	return Options{Path: c.SQLitePath(), Synchronous: c.SQLiteSynchronous}
}

// DB is an open database. For SQLite it keeps one writer connection (SQLite
// allows one writer; several writer connections only add SQLITE_BUSY and long
// tails) and a pool of read-only connections that WAL lets run beside it.
type DB struct {
	Dialect Dialect
	w       *sql.DB
	r       *readPool
	// ws keeps the audit trail's statements prepared on SQLite's one
	// writer connection: every view writes them.
	ws            *readPool
	auditPrepared atomic.Bool
	desc          string
	signer        *AuditSigner
	views         viewBatcher
	// fullAt is when a write last failed because the storage was full
	// (Unix milliseconds; 0: never); fullMemory how long that counts.
	fullAt     atomic.Int64
	fullMemory time.Duration
	// cases counts the committed transactions of this process that wrote
	// cases (CasesGeneration).
	cases atomic.Int64
}

// CasesGeneration changes whenever a transaction of this process that
// wrote cases commits, so a count of cases kept in memory can tell it is
// out of date. Writes of another process sharing the database do not
// change it: such a count must not be kept long.
func (db *DB) CasesGeneration() int64 { return db.cases.Load() }

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// Open opens and pings the database. It does not migrate.
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.DSN != "" {
		return openPostgres(ctx, o)
	}
	return openSQLite(ctx, o)
}

func openPostgres(ctx context.Context, o Options) (*DB, error) {
	desc := config.RedactDSN(o.DSN)
	if _, err := url.Parse(o.DSN); err != nil {
		return nil, errs.E(errs.Invalid, "the database URL cannot be parsed")
	}
	db, err := sql.Open("pgx", o.DSN)
	if err != nil {
		return nil, errs.E(errs.Invalid, "the database URL is not valid: %v", sanitize(err, o.DSN))
	}
	db.SetMaxOpenConns(24)
	db.SetMaxIdleConns(24)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, errs.E(errs.Unavailable, "cannot reach the PostgreSQL database %s: %v", desc, sanitize(err, o.DSN))
	}
	out := &DB{Dialect: Postgres, w: db, r: newReadPool(db, false), ws: newReadPool(db, false), desc: desc, fullMemory: o.FullMemory}
	out.startViews()
	return out, nil
}

// sanitize removes the DSN (which may hold a password) from a driver error.
func sanitize(err error, dsn string) string {
	s := err.Error()
	if dsn != "" {
		s = strings.ReplaceAll(s, dsn, "[database url]")
	}
	if u, perr := url.Parse(dsn); perr == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			s = strings.ReplaceAll(s, p, "[redacted]")
		}
	}
	return s
}

func openSQLite(ctx context.Context, o Options) (*DB, error) {
	if o.Path == "" {
		return nil, errs.E(errs.Invalid, "no SQLite database path given")
	}
	if strings.ContainsAny(o.Path, "?#") {
		return nil, errs.E(errs.Invalid, "the SQLite database path must not contain ? or #")
	}
	// Check the file before the driver touches it, so that a wrong or
	// damaged file is reported and left exactly as it was.
	if err := checkSQLiteFile(o.Path, o.MustExist); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o700); err != nil {
		return nil, errs.E(errs.Unavailable, "cannot create the folder for %s: %v", o.Path, err)
	}
	// Create the file owner-only before SQLite does; SQLite gives its WAL
	// and shared-memory files the same permissions.
	if f, err := os.OpenFile(o.Path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	}
	sync := o.Synchronous
	if sync == "" {
		sync = "FULL"
	}
	// busy_timeout comes first so the following pragmas wait rather than fail.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(" + sync + ")"
	w, err := sql.Open("sqlite", o.Path+"?"+common+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, errs.E(errs.Internal, "open SQLite: %v", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, sqliteOpenError(o.Path, err)
	}
	// Make sure the file is a readable database before going further.
	var n int
	if err := w.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		w.Close()
		return nil, sqliteOpenError(o.Path, err)
	}
	r, err := sql.Open("sqlite", o.Path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, errs.E(errs.Internal, "open SQLite: %v", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	r.SetConnMaxIdleTime(0)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, sqliteOpenError(o.Path, err)
	}
	out := &DB{Dialect: SQLite, w: w, r: newReadPool(r, true), ws: newReadPool(w, true), desc: o.Path, fullMemory: o.FullMemory}
	out.startViews()
	return out, nil
}

func checkSQLiteFile(path string, mustExist bool) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		if mustExist {
			return errs.E(errs.NotFound, "the database file %s does not exist", path)
		}
		return nil
	}
	if err != nil {
		return errs.E(errs.Unavailable, "cannot read the database file %s: %v", path, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, head)
	if n == 0 && (err == io.EOF) {
		// An empty file is what SQLite itself creates; accept it.
		return nil
	}
	if err != nil || !bytes.Equal(head, sqliteHeader) {
		return errs.E(errs.Invalid, "%s is not a SQLite database or is damaged; it was left unchanged", path)
	}
	return nil
}

func sqliteOpenError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "not a database") || strings.Contains(msg, "malformed") || strings.Contains(msg, "corrupt") {
		return errs.E(errs.Invalid, "%s is not a SQLite database or is damaged; it was left unchanged", path)
	}
	return errs.E(errs.Unavailable, "cannot open the database %s: %v", path, err)
}

// Close closes the database; for SQLite the last close checkpoints the WAL.
func (db *DB) Close() error {
	db.views.stop()
	var err error
	if db.r.DB != db.w {
		err = db.r.Close()
	}
	// Closing ws closes its statements and the writer pool.
	return errors.Join(err, db.ws.Close())
}

// String describes the database without credentials.
func (db *DB) String() string { return string(db.Dialect) + " " + db.desc }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return errs.Wrap(errs.Unavailable, err)
	}
	return nil
}

// Reader is what read queries need; *sql.DB, *sql.Tx and *Tx satisfy it.
type Reader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// R returns the read pool. Reads that must see a write of the same request
// run inside that write's transaction instead.
func (db *DB) R() Reader { return db.r }

// Tx is a write transaction. Store functions take it so that a change and
// its audit event commit together or not at all: a transaction that ran a
// statement which may change data commits only with at least one audit
// event (see ErrUnaudited); writes that are not use cases go through
// WriteBookkeeping instead.
type Tx struct {
	sqlTx   *sql.Tx
	Dialect Dialect
	db      *DB
	// Now is the transaction's clock reading, shared by all rows it writes.
	Now time.Time
	// pending are the audit events to chain and write before commit.
	pending []audit.Event
	// changed is set by the first statement that may change data.
	changed bool
	// casesChanged is set by the writers of the cases table.
	casesChanged bool
	// bookkeeping, when set, names why the transaction may change data
	// without an audit event.
	bookkeeping *Bookkeeping
}

// ErrUnaudited is the error of a transaction that changed data without an
// audit event: it was rolled back. It is a programming error (Internal),
// never the user's.
var ErrUnaudited = errors.New("a transaction changed data without an audit event; it was rolled back")

// ExecContext runs a statement in the transaction. Any statement other than
// a SELECT counts as a change, which needs an audit event before commit.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !tx.changed && firstWord(query) != "SELECT" {
		tx.changed = true
	}
	tx.noteCases(query)
	return tx.sqlTx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction; an INSERT, UPDATE or DELETE
// with RETURNING (alone or in a WITH) counts as a change.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	tx.noteQuery(query)
	return tx.sqlTx.QueryContext(ctx, query, args...)
}

// QueryRowContext is QueryContext for one row.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	tx.noteQuery(query)
	return tx.sqlTx.QueryRowContext(ctx, query, args...)
}

// PrepareContext prepares a statement for repeated use in the transaction;
// a prepared statement counts as a change unless it is a SELECT.
func (tx *Tx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if firstWord(query) != "SELECT" {
		tx.changed = true
	}
	tx.noteCases(query)
	return tx.sqlTx.PrepareContext(ctx, query)
}

// writesCases matches a statement that inserts, updates or deletes cases.
var writesCases = regexp.MustCompile(`(?i)\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+cases\b`)

// noteCases marks the transaction as one that writes cases
// (DB.CasesGeneration).
func (tx *Tx) noteCases(query string) {
	if !tx.casesChanged && writesCases.MatchString(query) {
		tx.casesChanged = true
	}
}

func (tx *Tx) noteQuery(query string) {
	tx.noteCases(query)
	if tx.changed {
		return
	}
	switch firstWord(query) {
	case "SELECT":
	case "WITH":
		u := strings.ToUpper(query)
		tx.changed = strings.Contains(u, "INSERT ") || strings.Contains(u, "UPDATE ") || strings.Contains(u, "DELETE ")
	default:
		tx.changed = true
	}
}

// firstWord is a statement's first keyword in upper case.
func firstWord(q string) string {
	q = strings.TrimLeft(q, " \t\r\n(")
	end := strings.IndexAny(q, " \t\r\n(")
	if end < 0 {
		end = len(q)
	}
	return strings.ToUpper(q[:end])
}

// Bookkeeping names a kind of write that is not a use case and so records
// no audit event of its own. The kinds are fixed here, each with the reason
// it needs no event; nothing outside the package can make another.
type Bookkeeping struct{ name string }

func (b *Bookkeeping) String() string { return b.name }

var (
	// SessionActivity: the last-seen time of a session or API token
	// (throttled to once a minute) and the removal of expired or
	// unusable sessions. Sign-in, sign-out and revocation are audited
	// use cases; these rows only follow from them.
	SessionActivity = &Bookkeeping{"session activity"}
	// Outbox: the delivery state of a queued e-mail and the deadline
	// alerts the sweeper queues, and a failed attempt to deliver a TRM
	// envelope to a peer (its retry time). The e-mail or envelope was
	// queued by an audited change; trying to send it changes no record
	// (a delivery and a refusal by the peer are audited).
	Outbox = &Bookkeeping{"outbox"}
	// AuditCheckpoint: a signed checkpoint of the audit chain, and the
	// public key checkpoints are signed with, are part of the audit trail
	// itself.
	AuditCheckpoint = &Bookkeeping{"audit checkpoint"}
	// KeyRewrap: rewrapping data keys under a new master key changes no
	// plaintext; the rotation command audits the rotation as a whole.
	KeyRewrap = &Bookkeeping{"key rewrap"}
	// Seed: the bulk rows of synthetic demo data (the generation itself
	// is audited) and a restored backup, which brings its own audit
	// chain.
	Seed = &Bookkeeping{"seed"}
	// Benchmark: the synthetic rows haven bench writes to measure the
	// store's path against the raw engine's; the database is one the
	// benchmark created and holds nothing else.
	Benchmark = &Bookkeeping{"benchmark"}
	// TestFixture: rows a test sets up before exercising the code under
	// test. Only _test.go files may name it (TestBookkeepingKindsInUse
	// checks).
	TestFixture = &Bookkeeping{"test fixture"}
	// Upkeep: start-up maintenance that rewrites stored values into a
	// newer form without changing what they mean (for example sealing
	// legacy provision text).
	Upkeep = &Bookkeeping{"upkeep"}
)

// Write runs fn in one write transaction and commits it when fn returns nil.
// Commit is durable when Write returns (synchronous=FULL on SQLite,
// synchronous_commit on PostgreSQL). If fn changed data but recorded no
// audit event (Tx.Audit), nothing is committed and the error wraps
// ErrUnaudited.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	return db.noteWrite(db.write(ctx, nil, fn))
}

// WriteBookkeeping is Write for the writes named by a Bookkeeping kind,
// which may change data without an audit event. Use cases never use it.
func (db *DB) WriteBookkeeping(ctx context.Context, why *Bookkeeping, fn func(*Tx) error) error {
	if why == nil {
		return errs.E(errs.Internal, "a bookkeeping write must name its kind")
	}
	return db.noteWrite(db.write(ctx, why, fn))
}

func (db *DB) write(ctx context.Context, why *Bookkeeping, fn func(*Tx) error) error {
	db.prepareAudit(ctx)
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	tx := &Tx{sqlTx: sqlTx, Dialect: db.Dialect, db: db, Now: time.Now().UTC(), bookkeeping: why}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return classifyFault(err)
	}
	if tx.changed && len(tx.pending) == 0 && why == nil {
		_ = sqlTx.Rollback()
		return errs.Wrap(errs.Internal, ErrUnaudited)
	}
	if err := tx.flushAudit(ctx); err != nil {
		_ = sqlTx.Rollback()
		return classifyFault(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return classify(err)
	}
	if tx.casesChanged {
		db.cases.Add(1)
	}
	return nil
}

// fullMemory is how long a write that failed for want of space keeps the
// database reported as not writable (WritesFailing): long enough for a load
// balancer to see it, short enough that a freed disk is soon used again.
const fullMemory = 30 * time.Second

// noteWrite remembers when a write failed because the storage is full.
func (db *DB) noteWrite(err error) error {
	if errs.Is(err, errs.Full) {
		db.fullAt.Store(time.Now().UnixMilli())
	}
	return err
}

// WritesFailing reports whether a write failed for want of space in the last
// fullMemory (or the window set by Options.FullMemory). A small write may
// still succeed on a full disk, so only time clears it; a further failure
// renews it.
func (db *DB) WritesFailing() bool {
	at := db.fullAt.Load()
	window := db.fullMemory
	if window <= 0 {
		window = fullMemory
	}
	return at != 0 && time.Since(time.UnixMilli(at)) < window
}

// classify turns driver errors into the taxonomy: constraint violations are
// the request's doing (Conflict, Invalid); a lost connection, a server that
// shuts down, a busy or damaged file are Unavailable; a full disk is Full.
// An error it does not recognise stays Internal, named as the database's.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) && e.Kind != errs.Internal {
		return err
	}
	if k, ok := driverKind(err); ok {
		return errs.Wrap(k, err)
	}
	if e != nil {
		return err
	}
	return fmt.Errorf("database: %w", err)
}

// classifyFault classifies what driverKind recognises in an error that may
// come from anywhere (a write's own function) and leaves any other error as
// it is.
func classifyFault(err error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Kind != errs.Internal {
		return err
	}
	if k, ok := driverKind(err); ok {
		return errs.Wrap(k, err)
	}
	return err
}

// SQLite's primary and extended result codes (sqlite3.h).
const (
	sqliteBusy          = 5
	sqliteLocked        = 6
	sqliteNoMem         = 7
	sqliteIOErr         = 10
	sqliteCorrupt       = 11
	sqliteFull          = 13
	sqliteCantOpen      = 14
	sqliteConstraint    = 19
	sqliteIOErrWrite    = sqliteIOErr | 3<<8
	sqliteIOErrFsync    = sqliteIOErr | 4<<8
	sqliteIOErrDirFsync = sqliteIOErr | 5<<8
	sqliteIOErrTruncate = sqliteIOErr | 6<<8
	sqliteConstraintFK  = sqliteConstraint | 3<<8
	sqliteConstraintPK  = sqliteConstraint | 6<<8
	sqliteConstraintUq  = sqliteConstraint | 8<<8
)

// driverKind reads the engines' own error values: PostgreSQL's SQLSTATE,
// SQLite's result code, and the faults errs.Fault knows.
func driverKind(err error) (errs.Kind, bool) {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return errs.Conflict, true
		case "23503", "22021", "22P05":
			// A missing referenced row, NUL or invalid UTF-8 in text: bad
			// input, never a server fault.
			return errs.Invalid, true
		}
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		switch code := lite.Code(); {
		case code == sqliteConstraintUq || code == sqliteConstraintPK:
			return errs.Conflict, true
		case code == sqliteConstraintFK:
			return errs.Invalid, true
		case code&0xff == sqliteFull, code == sqliteIOErrWrite, code == sqliteIOErrFsync,
			code == sqliteIOErrDirFsync, code == sqliteIOErrTruncate:
			// No room for the page, the journal or the WAL.
			return errs.Full, true
		case code&0xff == sqliteBusy, code&0xff == sqliteLocked, code&0xff == sqliteIOErr,
			code&0xff == sqliteNoMem, code&0xff == sqliteCantOpen, code&0xff == sqliteCorrupt:
			return errs.Unavailable, true
		}
	}
	if errors.Is(err, pgconn.ErrConnClosed) {
		return errs.Unavailable, true
	}
	if k, ok := errs.Fault(err); ok {
		return k, true
	}
	// Older paths report constraints only in the text.
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint"):
		return errs.Conflict, true
	case strings.Contains(msg, "FOREIGN KEY constraint"):
		return errs.Invalid, true
	}
	return errs.Internal, false
}

// notFound maps sql.ErrNoRows to errs.NotFound.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "%s not found", what)
	}
	return classify(err)
}

// Millis converts an instant to the stored form.
func Millis(t time.Time) int64 { return t.UTC().UnixMilli() }

// FromMillis converts the stored form back.
func FromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// RawWriter exposes the writer pool for the benchmark's raw-engine baseline,
// so both sides of a comparison use identical connection settings.
func (db *DB) RawWriter() *sql.DB { return db.w }

func isNotFound(err error) bool {
	var e *errs.Error
	return errors.As(err, &e) && e.Kind == errs.NotFound
}

package backup_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/backup"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// cheap password hashing keeps the demo accounts fast to create.
var cheap = auth.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func newSigner(t *testing.T) *store.AuditSigner {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &store.AuditSigner{Key: priv, KeyID: audit.KeyIDFor(pub)}
}

func pubOf(s *store.AuditSigner) ed25519.PublicKey { return s.Key.Public().(ed25519.PublicKey) }

// checkOf checks backups with the audit key of db, the source instance.
func checkOf(db *store.DB) backup.Check { return backup.Check{Key: pubOf(db.AuditSignerOf())} }

// source opens a fresh migrated database on e, signing audit checkpoints
// with signer.
func source(t *testing.T, e testenv.Engine, signer *store.AuditSigner) *store.DB {
	t.Helper()
	if e.Name == "postgres" {
		testenv.Ran(t, "postgres")
	}
	db := testenv.OpenMigrated(t, e.Fresh(t))
	db.SetAuditSigner(signer)
	return db
}

// target opens a fresh, empty, unmigrated database on e.
func target(t *testing.T, e testenv.Engine) *store.DB {
	t.Helper()
	if e.Name == "postgres" {
		testenv.Ran(t, "postgres")
	}
	db, err := store.Open(context.Background(), e.Fresh(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fill gives db demo data, a run of audit events past the in-transaction
// checkpoint interval, a session, a person whose sealed fields include
// NULL and an empty value, and a signed head.
func fill(t *testing.T, db *store.DB, cases, events int) {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Generate(ctx, db, demo.Options{Seed: 11, Cases: cases, PasswordParams: &cheap}); err != nil {
		t.Fatal(err)
	}
	for done := 0; done < events; {
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := 0; i < 25 && done < events; i++ {
				done++
				if err := tx.Audit(ctx, audit.Event{Action: "test.event", ObjectType: "test", ObjectID: strconv.Itoa(done),
					Details: map[string]string{"n": strconv.Itoa(done)}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	users, err := db.Users(ctx)
	if err != nil || len(users) == 0 {
		t.Fatalf("users: %v", err)
	}
	err = db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
		now := store.Millis(tx.Now)
		if err := tx.InsertSession(ctx, store.Session{TokenHash: store.HashToken("a session token"), UserID: users[0].ID,
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now + 3_600_000}); err != nil {
			return err
		}
		if !hasTable(t, tx, tx.Dialect, "persons") {
			return nil
		}
		// Raw SQL: what matters here is the kinds of value, NULL and
		// an empty byte string in nullable binary columns.
		pid := store.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO persons (id, wrapped_key, given_name, family_name, gender, age_band,
			citizenship, languages, child, created_at, updated_at) VALUES ($1, $2, $3, NULL, 'Feminine', '18-20', 'NP', 'ne,en', 0, $4, $4)`,
			pid, []byte{1, 2, 3, 0, 255}, []byte{}, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO person_tokens (person_id, kind, token) VALUES ($1, 'name', $2)`, pid, []byte{9, 9, 9})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CheckpointHead(ctx); err != nil {
		t.Fatal(err)
	}
}

func hasTable(t *testing.T, q store.Reader, d store.Dialect, name string) bool {
	t.Helper()
	query := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
	if d == store.Postgres {
		query = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`
	}
	var n int
	if err := q.QueryRowContext(context.Background(), query, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// tables lists the ordinary tables, read from the catalogue independently
// of the package under test.
func tables(t *testing.T, db *store.DB) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'`
	if db.Dialect == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	var out []string
	testenv.EachRow(t, db, func(_ []string, vals []any) { out = append(out, testenv.Text(vals[0])) }, q)
	slices.Sort(out)
	return out
}

// dump renders every row of every table as text that is the same for the
// same data on either engine, rows sorted, so two databases can be compared
// whole.
func dump(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for _, table := range tables(t, db) {
		rows, err := db.R().QueryContext(ctx, `SELECT * FROM "`+table+`" WHERE 1 = 0`)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		rows.Close()
		if err != nil {
			t.Fatal(err)
		}
		var sel []string
		for _, c := range cols {
			sel = append(sel, `"`+c+`"`, `"`+c+`" IS NULL`)
		}
		lines := []string{}
		testenv.EachRow(t, db, func(_ []string, vals []any) {
			var parts []string
			for i := 0; i < len(vals); i += 2 {
				if isNull := vals[i+1]; isNull == true || isNull == int64(1) {
					parts = append(parts, cols[i/2]+"=NULL")
					continue
				}
				var s string
				switch v := vals[i].(type) {
				case int64:
					s = "int:" + strconv.FormatInt(v, 10)
				case string:
					s = "text:" + strconv.Quote(v)
				case []byte:
					s = "bytes:" + hex.EncodeToString(v)
				case nil: // SQLite returns an empty blob as nil
					s = "bytes:"
				default:
					s = fmt.Sprintf("%T:%v", v, v)
				}
				parts = append(parts, cols[i/2]+"="+s)
			}
			slices.Sort(parts) // column order may differ between engines
			lines = append(lines, strings.Join(parts, " "))
		}, `SELECT `+strings.Join(sel, ", ")+` FROM "`+table+`"`)
		slices.Sort(lines)
		out[table] = lines
	}
	return out
}

func sameDump(t *testing.T, want, got map[string][]string) {
	t.Helper()
	for table, rows := range want {
		g, ok := got[table]
		if !ok {
			t.Errorf("table %s missing", table)
			continue
		}
		if len(g) != len(rows) {
			t.Errorf("table %s: %d rows, want %d", table, len(g), len(rows))
			continue
		}
		for i := range rows {
			if rows[i] != g[i] {
				t.Errorf("table %s differs:\n got %s\nwant %s", table, g[i], rows[i])
				break
			}
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			t.Errorf("extra table %s", table)
		}
	}
}

// schema describes the tables, columns and indexes of db.
func schema(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	add := func(q string, args ...any) {
		testenv.EachRow(t, db, func(_ []string, vals []any) { out = append(out, fmt.Sprint(vals...)) }, q, args...)
	}
	for _, table := range tables(t, db) {
		if db.Dialect == store.Postgres {
			add(`SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
				WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
			add(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 ORDER BY indexname`, table)
		} else {
			add(`SELECT $1, name, type, "notnull", dflt_value, pk FROM pragma_table_info($1) ORDER BY cid`, table)
			add(`SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 ORDER BY name`, table)
		}
	}
	return out
}

func isEmpty(t *testing.T, db *store.DB) bool {
	t.Helper()
	return len(tables(t, db)) == 0
}

func backupOf(t *testing.T, db *store.DB) ([]byte, backup.Summary) {
	t.Helper()
	var buf bytes.Buffer
	sum, err := backup.Write(context.Background(), db, &buf, backup.Options{HavenVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), sum
}

// A backup restored into a fresh database on either engine holds every row
// of every table, the schema the migrations make, and an audit chain that
// still verifies.
func TestRoundTripEveryEngine(t *testing.T) {
	ctx := context.Background()
	for _, src := range testenv.Engines(t) {
		t.Run("from_"+src.Name, func(t *testing.T) {
			signer := newSigner(t)
			db := source(t, src, signer)
			fill(t, db, 150, 300)
			file, sum := backupOf(t, db)
			want := dump(t, db)
			v, _ := db.SchemaVersion(ctx)
			if sum.Header.SchemaVersion != v || sum.Header.Engine != src.Name {
				t.Fatalf("header: schema version %d engine %s; want %d %s", sum.Header.SchemaVersion, sum.Header.Engine, v, src.Name)
			}
			for table, rows := range want {
				if sum.Trailer.Rows[table] != int64(len(rows)) {
					t.Errorf("trailer: %d rows of %s, the database holds %d", sum.Trailer.Rows[table], table, len(rows))
				}
			}
			if len(want["audit_events"]) < 300 || len(want["audit_checkpoints"]) < 2 {
				t.Fatalf("fill made %d events and %d checkpoints", len(want["audit_events"]), len(want["audit_checkpoints"]))
			}
			for _, dst := range testenv.Engines(t) {
				t.Run("to_"+dst.Name, func(t *testing.T) {
					tdb := target(t, dst)
					got, err := backup.Restore(ctx, tdb, bytes.NewReader(file), checkOf(db))
					if err != nil {
						t.Fatal(err)
					}
					if got.Trailer.Total != sum.Trailer.Total {
						t.Errorf("restored %d rows, backed up %d", got.Trailer.Total, sum.Trailer.Total)
					}
					sameDump(t, want, dump(t, tdb))
					if tv, _ := tdb.SchemaVersion(ctx); tv != v {
						t.Errorf("restored schema version %d, want %d", tv, v)
					}
					if s, err := tdb.VerifyAudit(ctx, pubOf(signer)); err != nil || s.Events != int64(len(want["audit_events"])) || s.Checkpoints < 2 {
						t.Errorf("audit chain after restore: %+v, %v", s, err)
					}
					fresh := testenv.OpenMigrated(t, dst.Fresh(t))
					if a, b := schema(t, tdb), schema(t, fresh); !slices.Equal(a, b) {
						t.Errorf("restored schema differs from a migrated one:\n%s\n---\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
					}
					// The restored copy is a working database: it
					// takes new audited writes and migrates.
					if err := tdb.Write(ctx, func(tx *store.Tx) error {
						return tx.Audit(ctx, audit.Event{Action: "test.after_restore"})
					}); err != nil {
						t.Fatal(err)
					}
					if _, err := tdb.Migrate(ctx); err != nil {
						t.Fatal(err)
					}
				})
			}
		})
	}
}

// Two backups of an unchanged database differ only in their creation
// time: rows are read in primary key order and tables in a fixed order.
func TestBackupIsDeterministic(t *testing.T) {
	e := testenv.Engines(t)[0]
	db := source(t, e, newSigner(t))
	fill(t, db, 20, 10)
	a, b := content(t, mustBackup(t, db)), content(t, mustBackup(t, db))
	if len(a) != len(b) {
		t.Fatalf("%d and %d lines", len(a), len(b))
	}
	strip := func(line []byte) map[string]any {
		var h map[string]any
		if err := json.Unmarshal(line, &h); err != nil {
			t.Fatal(err)
		}
		delete(h, "created_at")
		return h
	}
	if !reflect.DeepEqual(strip(a[0]), strip(b[0])) {
		t.Errorf("headers differ:\n%s\n%s", a[0], b[0])
	}
	// The trailer's checksum covers the header, so it differs too.
	for i := 1; i < len(a)-1; i++ {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("line %d differs", i+1)
		}
	}
}

func mustBackup(t *testing.T, db *store.DB) []byte {
	b, _ := backupOf(t, db)
	return b
}

// sampleBackup fills a source database on the first engine with the given
// numbers of demo cases and audit events, and returns it with a backup of
// it and that backup's lines.
func sampleBackup(t *testing.T, cases, events int) (db *store.DB, file []byte, lines [][]byte) {
	t.Helper()
	db = source(t, testenv.Engines(t)[0], newSigner(t))
	fill(t, db, cases, events)
	file = mustBackup(t, db)
	return db, file, content(t, file)
}

// content is a backup's uncompressed lines.
func content(t *testing.T, file []byte) [][]byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(raw, []byte("\n")), []byte("\n"))
	return lines
}

// pack compresses lines; with reseal set it rewrites the trailer's checksum
// to match, so that only the change itself is left to be caught.
func pack(t *testing.T, lines [][]byte, reseal bool) []byte {
	t.Helper()
	if reseal {
		last := len(lines) - 1
		var tr struct {
			Trailer backup.Trailer `json:"trailer"`
		}
		if err := json.Unmarshal(lines[last], &tr); err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		for _, l := range lines[:last] {
			h.Write(l)
			h.Write([]byte("\n"))
		}
		tr.Trailer.SHA256 = hex.EncodeToString(h.Sum(nil))
		b, _ := json.Marshal(tr)
		lines = append(slices.Clone(lines[:last]), b)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for _, l := range lines {
		zw.Write(l)
		zw.Write([]byte("\n"))
	}
	zw.Close()
	return buf.Bytes()
}

// A truncated, corrupted or altered file is refused, by Verify and by
// Restore, and the target database is left empty and usable.
func TestDamagedFilesAreRefused(t *testing.T) {
	ctx := context.Background()
	engines := testenv.Engines(t)
	db, good, lines := sampleBackup(t, 30, 20)
	firstRow := slices.IndexFunc(lines, func(l []byte) bool { return len(l) > 0 && l[0] == '[' })
	flip := func(i int) []byte {
		b := slices.Clone(good)
		b[i] ^= 0x10
		return b
	}
	edited := slices.Clone(lines)
	edited[firstRow] = bytes.Replace(slices.Clone(lines[firstRow]), []byte(`"`), []byte(`"x`), 1)
	counted := slices.Clone(lines)
	var tr map[string]map[string]any
	json.Unmarshal(counted[len(counted)-1], &tr)
	tr["trailer"]["total"] = 1
	counted[len(counted)-1], _ = json.Marshal(tr)
	// An agency row pointing at a jurisdiction that does not exist, with
	// the checksum left stale: what a flipped byte can do inside the data.
	// The database would refuse the row; the file must be refused as
	// damaged all the same.
	rowOf := func(table string) int {
		at := slices.IndexFunc(lines, func(l []byte) bool { return bytes.Equal(l, []byte(`{"table":"`+table+`"}`)) })
		if at < 0 || at+1 >= len(lines) || lines[at+1][0] != '[' {
			t.Fatalf("no rows of %s in the backup", table)
		}
		return at + 1
	}
	dangling := slices.Clone(lines)
	ag := rowOf("agencies")
	for i := rowOf("jurisdictions"); lines[i][0] == '['; i++ {
		var jurisdiction []any
		if err := json.Unmarshal(lines[i], &jurisdiction); err != nil {
			t.Fatal(err)
		}
		dangling[ag] = bytes.ReplaceAll(dangling[ag], []byte(`"`+jurisdiction[0].(string)+`"`), []byte(`"00000000000000000000000000000000"`))
	}
	if bytes.Equal(dangling[ag], lines[ag]) {
		t.Fatal("the agency row names no jurisdiction of the backup")
	}
	var appended bytes.Buffer
	appended.Write(good)
	zw := gzip.NewWriter(&appended)
	zw.Write([]byte("[1]\n"))
	zw.Close()

	bad := map[string][]byte{
		"empty":                      {},
		"not gzip":                   []byte("haven backup\n"),
		"cut to 20 bytes":            good[:20],
		"cut in half":                good[:len(good)/2],
		"cut by one byte":            good[:len(good)-1],
		"byte flipped in the data":   flip(len(good) / 2),
		"byte flipped early":         flip(12),
		"byte flipped in the CRC":    flip(len(good) - 6),
		"row edited, checksum stale": pack(t, edited, false),
		"row pointing nowhere":       pack(t, dangling, false),
		"row removed":                pack(t, slices.Delete(slices.Clone(lines), firstRow, firstRow+1), false),
		"row removed, resealed":      pack(t, slices.Delete(slices.Clone(lines), firstRow, firstRow+1), true),
		"trailer removed":            pack(t, lines[:len(lines)-1], false),
		"count altered":              pack(t, counted, false),
		"gzip member appended":       appended.Bytes(),
		"table section removed":      pack(t, slices.Delete(slices.Clone(lines), 1, 2), true),
	}
	targets := map[string]*store.DB{}
	for _, e := range engines {
		targets[e.Name] = target(t, e)
	}
	for name, file := range bad {
		if _, err := backup.Verify(bytes.NewReader(file), checkOf(db)); !errors.Is(err, backup.ErrDamaged) {
			t.Errorf("%s: verify said %v", name, err)
		}
		for en, tdb := range targets {
			_, err := backup.Restore(ctx, tdb, bytes.NewReader(file), checkOf(db))
			if !errors.Is(err, backup.ErrDamaged) {
				t.Errorf("%s into %s: restore said %v", name, en, err)
			}
			if !isEmpty(t, tdb) {
				t.Fatalf("%s into %s: the target is not empty after a refused restore: %v", name, en, tables(t, tdb))
			}
		}
	}
	// The same targets still take the intact file.
	for en, tdb := range targets {
		if _, err := backup.Restore(ctx, tdb, bytes.NewReader(good), checkOf(db)); err != nil {
			t.Fatalf("intact file into %s after the refusals: %v", en, err)
		}
	}
}

// A restore into a database that holds anything, or of a backup this
// binary cannot build the schema of, changes nothing.
func TestRestoreRefusals(t *testing.T) {
	ctx := context.Background()
	engines := testenv.Engines(t)
	db, good, lines := sampleBackup(t, 10, 5)
	withHeader := func(edit func(h map[string]any)) []byte {
		var h map[string]any
		if err := json.Unmarshal(lines[0], &h); err != nil {
			t.Fatal(err)
		}
		edit(h)
		l := slices.Clone(lines)
		l[0], _ = json.Marshal(h)
		return pack(t, l, true)
	}
	latest := store.LatestVersion()
	newer := withHeader(func(h map[string]any) {
		h["schema_version"] = latest + 1
		h["migrations"] = append(h["migrations"].([]any), map[string]any{"version": latest + 1, "name": "from_the_future"})
	})
	renamed := withHeader(func(h map[string]any) {
		h["migrations"].([]any)[0].(map[string]any)["name"] = "something_else"
	})
	futureFormat := withHeader(func(h map[string]any) { h["version"] = backup.FormatVersion + 1 })

	for _, e := range engines {
		t.Run(e.Name, func(t *testing.T) {
			// A migrated database, even without rows of its own.
			migrated := testenv.OpenMigrated(t, e.Fresh(t))
			before := dump(t, migrated)
			_, err := backup.Restore(ctx, migrated, bytes.NewReader(good), checkOf(db))
			if !errors.Is(err, backup.ErrNotEmpty) || !strings.Contains(err.Error(), "nothing was changed") {
				t.Errorf("into a migrated database: %v", err)
			}
			sameDump(t, before, dump(t, migrated))

			// A database with one unrelated table and no migrations.
			other := target(t, e)
			if err := other.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `CREATE TABLE notes (body TEXT); INSERT INTO notes (body) VALUES ('kept')`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := backup.Restore(ctx, other, bytes.NewReader(good), checkOf(db)); !errors.Is(err, backup.ErrNotEmpty) {
				t.Errorf("into a database with another table: %v", err)
			}
			if got := tables(t, other); !slices.Equal(got, []string{"notes"}) {
				t.Errorf("tables after the refusal: %v", got)
			}

			empty := target(t, e)
			for name, file := range map[string][]byte{"newer schema": newer, "other migration": renamed, "newer format": futureFormat} {
				_, err := backup.Restore(ctx, empty, bytes.NewReader(file), checkOf(db))
				if err == nil || !strings.Contains(err.Error(), "nothing was changed") {
					t.Errorf("%s: %v", name, err)
				}
				if name == "newer schema" && !errors.Is(err, backup.ErrSchemaTooNew) {
					t.Errorf("%s: %v", name, err)
				}
				if !isEmpty(t, empty) {
					t.Fatalf("%s: the target is not empty", name)
				}
			}
		})
	}
}

// Backups taken while writers commit changes with their audit events hold
// each change exactly when they hold its event, and the restored audit
// chain verifies.
func TestBackupDuringWrites(t *testing.T) {
	ctx := context.Background()
	sqlite := testenv.Engines(t)[0]
	for _, e := range testenv.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			signer := newSigner(t)
			db := source(t, e, signer)
			fill(t, db, 50, 10)
			var commits atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var werr atomic.Value
			for w := 0; w < 2; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						key := fmt.Sprintf("test.w%d.%d", w, i)
						err := db.Write(ctx, func(tx *store.Tx) error {
							if err := tx.SetSetting(ctx, key, "1"); err != nil {
								return err
							}
							return tx.Audit(ctx, audit.Event{Action: "test.write", ObjectType: "setting", ObjectID: key})
						})
						if err != nil {
							werr.Store(err)
							return
						}
						commits.Add(1)
						if i%20 == 0 {
							if _, err := db.CheckpointHead(ctx); err != nil {
								werr.Store(err)
								return
							}
						}
					}
				}()
			}
			overlapped := 0
			for round := 0; round < 20 && overlapped < 3; round++ {
				before := commits.Load()
				file, sum := backupOf(t, db)
				if commits.Load() > before {
					overlapped++
				}
				tdb := target(t, sqlite)
				if _, err := backup.Restore(ctx, tdb, bytes.NewReader(file), checkOf(db)); err != nil {
					t.Fatal(err)
				}
				var settings, events, head, maxSeq int64
				q := tdb.R()
				q.QueryRowContext(ctx, `SELECT count(*) FROM instance_settings WHERE key LIKE 'test.w%'`).Scan(&settings)
				q.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = 'test.write'`).Scan(&events)
				q.QueryRowContext(ctx, `SELECT seq FROM audit_head`).Scan(&head)
				q.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM audit_events`).Scan(&maxSeq)
				if settings != events || head != maxSeq || head != sum.Trailer.Rows["audit_events"] {
					t.Fatalf("inconsistent snapshot: %d settings, %d events, head %d, last event %d, %d event rows in the trailer",
						settings, events, head, maxSeq, sum.Trailer.Rows["audit_events"])
				}
				for table, n := range sum.Trailer.Rows {
					var got int64
					q.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&got)
					if got != n {
						t.Errorf("table %s: %d rows restored, trailer %d", table, got, n)
					}
				}
				if s, err := tdb.VerifyAudit(ctx, pubOf(signer)); err != nil || s.Events != head {
					t.Fatalf("audit chain of the copy: %+v, %v", s, err)
				}
			}
			close(stop)
			wg.Wait()
			if err, _ := werr.Load().(error); err != nil {
				t.Fatal(err)
			}
			if overlapped == 0 {
				t.Fatalf("no backup ran while writes committed (%d commits)", commits.Load())
			}
			t.Logf("%d commits; %d backups overlapped writes", commits.Load(), overlapped)
		})
	}
}

// WriteFile makes an owner-only file, never replaces one, and leaves no
// temporary file behind.
func TestWriteFile(t *testing.T) {
	ctx := context.Background()
	e := testenv.Engines(t)[0]
	db := source(t, e, newSigner(t))
	fill(t, db, 5, 1)
	dir := t.TempDir()
	path := filepath.Join(dir, "haven.backup")
	sum, err := backup.WriteFile(ctx, db, path, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	f, _ := os.Open(path)
	v, err := backup.Verify(bufio.NewReader(f), checkOf(db))
	f.Close()
	if err != nil || v.Trailer.SHA256 != sum.Trailer.SHA256 {
		t.Fatalf("verify the file: %v", err)
	}
	before, _ := os.ReadFile(path)
	if _, err := backup.WriteFile(ctx, db, path, backup.Options{}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second backup to the same name: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("an existing file was changed")
	}
	// A database with no schema has nothing to back up.
	if _, err := backup.WriteFile(ctx, target(t, e), filepath.Join(dir, "empty.backup"), backup.Options{}); err == nil {
		t.Fatal("backup of an empty database succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files left in the folder: %v", entries)
	}
	// Cancelled half way: no file.
	cctx, cancel := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	if _, err := backup.WriteFile(cctx, db, filepath.Join(dir, "cancelled.backup"), backup.Options{}); err == nil {
		t.Fatal("a cancelled backup succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("files left after a cancelled backup: %v", entries)
	}
}

// TestBackupCannotBeEditedUndetected: a row changed and the SHA-256
// recomputed is refused by the signature; a backup checked with another
// instance's key is refused; the genuine file restores; an unsigned file
// (format 1, as an editor would write to drop the signature) is refused
// unless unsigned files are allowed; a backup whose database records
// another audit key is refused. Every refusal leaves the target empty, on
// both engines.
func TestBackupCannotBeEditedUndetected(t *testing.T) {
	ctx := context.Background()
	engines := testenv.Engines(t)
	db, good, lines := sampleBackup(t, 30, 20)
	// A case's trafficking status changed: valid data, only the
	// signature can tell.
	from, to := []byte(`"PossibleVictimOfTrafficking"`), []byte(`"ConfirmedVictimOfTrafficking"`)
	firstRow := slices.IndexFunc(lines, func(l []byte) bool { return len(l) > 0 && l[0] == '[' && bytes.Contains(l, from) })
	if firstRow < 0 {
		t.Fatal("no case row to edit")
	}
	edited := slices.Clone(lines)
	edited[firstRow] = bytes.Replace(slices.Clone(lines[firstRow]), from, to, 1)
	resealed := pack(t, edited, true)
	// The same file written as format 1: no signature, version 1.
	v1 := slices.Clone(lines)
	v1[0] = bytes.Replace(slices.Clone(lines[0]), []byte(`"version":2`), []byte(`"version":1`), 1)
	var tr map[string]map[string]any
	if err := json.Unmarshal(v1[len(v1)-1], &tr); err != nil {
		t.Fatal(err)
	}
	delete(tr["trailer"], "signature")
	delete(tr["trailer"], "key_id")
	v1[len(v1)-1], _ = json.Marshal(tr)
	unsigned := pack(t, v1, true)
	editedV1 := slices.Clone(v1)
	editedV1[firstRow] = edited[firstRow]
	unsignedEdited := pack(t, editedV1, true)
	// A signature stripped from a version 2 file.
	var tr2 map[string]map[string]any
	_ = json.Unmarshal(lines[len(lines)-1], &tr2)
	delete(tr2["trailer"], "signature")
	stripped := slices.Clone(lines)
	stripped[len(stripped)-1], _ = json.Marshal(tr2)

	right, wrong := checkOf(db), backup.Check{Key: pubOf(newSigner(t))}
	refused := []struct {
		name  string
		file  []byte
		check backup.Check
		want  error
	}{
		{"row edited, SHA-256 recomputed", resealed, right, backup.ErrSignature},
		{"genuine file, another instance's key", good, wrong, backup.ErrSignature},
		{"signature removed", pack(t, stripped, false), right, backup.ErrSignature},
		{"rewritten as unsigned format 1", unsigned, right, backup.ErrUnsigned},
		{"no key to check with", good, backup.Check{}, nil},
	}
	for _, e := range engines {
		for _, c := range refused {
			_, verr := backup.Verify(bytes.NewReader(c.file), c.check)
			tdb := target(t, e)
			_, rerr := backup.Restore(ctx, tdb, bytes.NewReader(c.file), c.check)
			for what, err := range map[string]error{"verify": verr, "restore": rerr} {
				if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
					t.Errorf("%s, %s into %s: %v", c.name, what, e.Name, err)
				}
			}
			if !isEmpty(t, tdb) {
				t.Fatalf("%s into %s: the target is not empty after a refused restore", c.name, e.Name)
			}
		}
		if _, err := backup.Restore(ctx, target(t, e), bytes.NewReader(good), right); err != nil {
			t.Errorf("genuine file into %s: %v", e.Name, err)
		}
		// Unsigned files only when allowed, and then said to be unsigned.
		sum, err := backup.Restore(ctx, target(t, e), bytes.NewReader(unsigned), backup.Check{Key: right.Key, AllowUnsigned: true})
		if err != nil || !sum.Unsigned {
			t.Errorf("unsigned file allowed into %s: %+v %v", e.Name, sum.Unsigned, err)
		}
		// What an unsigned file cannot give: an edited one checks out.
		if _, err := backup.Verify(bytes.NewReader(unsignedEdited), backup.Check{AllowUnsigned: true}); err != nil {
			t.Errorf("an edited unsigned file: %v", err)
		}
	}
	// The key recorded in the backed-up database must be the key in place.
	other := newSigner(t)
	if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
		_, err := tx.SetSettingIfAbsent(ctx, "audit.public_key", hex.EncodeToString(pubOf(other)))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	recorded := mustBackup(t, db)
	if _, err := backup.Verify(bytes.NewReader(recorded), right); err != nil {
		t.Fatalf("verify of a file signed by its own key: %v", err)
	}
	for _, e := range engines {
		tdb := target(t, e)
		if _, err := backup.Restore(ctx, tdb, bytes.NewReader(recorded), right); !errors.Is(err, backup.ErrSignature) {
			t.Errorf("a database recording another audit key into %s: %v", e.Name, err)
		}
		if !isEmpty(t, tdb) {
			t.Fatalf("into %s: not empty after a refused restore", e.Name)
		}
	}
}

package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

func TestMigrationsParse(t *testing.T) {
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if i > 0 && m.Version <= ms[i-1].Version {
			t.Fatalf("migration versions not increasing at %d", m.Version)
		}
		for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
			if m.SQL[d] == "" {
				t.Errorf("migration %d has no SQL for %s", m.Version, d)
			}
		}
		if bytes.Contains([]byte(m.SQL[store.Postgres]), []byte("BLOB")) {
			t.Errorf("migration %d: BLOB in PostgreSQL SQL", m.Version)
		}
	}
}

func TestMigrateTwiceIsIdempotent(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		v, err := db.SchemaVersion(ctx)
		if err != nil || v != store.LatestVersion() {
			t.Fatalf("after migrate: version %d, %v; want %d", v, err, store.LatestVersion())
		}
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v, %v; want nothing", applied, err)
		}
	})
}

// Two replicas starting at once must apply each migration exactly once.
func TestConcurrentMigrate(t *testing.T) {
	testenv.OnEachEngine(t, func(t *testing.T, e testenv.Engine) {
		o := e.Fresh(t)
		ctx := context.Background()
		const n = 4
		dbs := make([]*store.DB, n)
		for i := range dbs {
			db, err := store.Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			dbs[i] = db
		}
		var wg sync.WaitGroup
		results := make([][]int, n)
		errors := make([]error, n)
		for i := range dbs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				results[i], errors[i] = dbs[i].Migrate(ctx)
			}(i)
		}
		wg.Wait()
		count := map[int]int{}
		for i := range dbs {
			if errors[i] != nil {
				t.Fatalf("replica %d: %v", i, errors[i])
			}
			for _, v := range results[i] {
				count[v]++
			}
		}
		ms, _ := store.Migrations()
		for _, m := range ms {
			if count[m.Version] != 1 {
				t.Errorf("migration %d applied %d times, want once", m.Version, count[m.Version])
			}
		}
		rows, err := dbs[0].AppliedMigrations(ctx)
		if err != nil || len(rows) != len(ms) {
			t.Fatalf("schema_migrations rows %v, %v", rows, err)
		}
	})
}

func TestSchemaTooNewIsRefused(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		future := store.LatestVersion() + 1
		if _, err := db.RawWriter().ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future', 0)`, future); err != nil {
			t.Fatal(err)
		}
		_, err := db.Migrate(ctx)
		var tooNew *store.ErrSchemaTooNew
		if !errors.As(err, &tooNew) || tooNew.Database != future {
			t.Fatalf("migrate on a newer database: %v, want ErrSchemaTooNew", err)
		}
		rows, _ := db.AppliedMigrations(ctx)
		ms, _ := store.Migrations()
		if len(rows) != len(ms)+1 {
			t.Fatalf("migration rows changed: %v", rows)
		}
	})
}

func TestCorruptSQLiteFileIsLeftUnchanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "haven.db")
	garbage := bytes.Repeat([]byte("not a database "), 300)
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := store.Open(context.Background(), store.Options{Path: path})
	if !errs.Is(err, errs.Invalid) {
		t.Fatalf("open corrupt file: %v, want an Invalid error", err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, garbage) {
		t.Fatal("the corrupt file was modified")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files created beside the corrupt database: %v", entries)
	}
	// A damaged file that keeps a valid header is also refused unchanged.
	damaged := append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xAB}, 8192)...)
	if err := os.WriteFile(path, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(context.Background(), store.Options{Path: path}); err == nil {
		t.Fatal("damaged file with a valid header was opened")
	}
	got, _ = os.ReadFile(path)
	if !bytes.Equal(got, damaged) {
		t.Fatal("the damaged file was modified")
	}
}

func seedDirectory(t *testing.T, db *store.DB) (jid, aid string) {
	t.Helper()
	ctx := context.Background()
	jid, aid = store.NewID(), store.NewID()
	err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
		if err := tx.InsertJurisdiction(ctx, store.Jurisdiction{ID: jid, Code: "T-" + jid[:6], Country: "NP", Name: "Test", Timezone: "UTC", CreatedAt: 1}); err != nil {
			return err
		}
		return tx.InsertAgency(ctx, store.Agency{ID: aid, JurisdictionID: jid, Kind: "ngo", Name: "Test NGO", CreatedAt: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	return jid, aid
}

func TestCasesRoundTrip(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		jid, aid := seedDirectory(t, db)
		var cs []store.Case
		for i := 0; i < 1203; i++ {
			id := store.NewID()
			cs = append(cs, store.Case{ID: id, Reference: "R-" + id[:12], JurisdictionID: jid, AgencyID: aid, Status: "Active",
				TraffickingStatus: "PossibleVictimOfTrafficking", Gender: "Feminine", AgeBand: "9-17", Citizenship: "NP",
				Exploitation: "ForcedLabour", Urgent: i == 7, Version: 1, CreatedAt: int64(1000 + i), UpdatedAt: int64(1000 + i)})
		}
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.BulkInsertCases(ctx, cs) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.Case(ctx, cs[42].ID)
		if err != nil || got != cs[42] {
			t.Fatalf("case round trip: %+v, %v; want %+v", got, err, cs[42])
		}
		list, err := db.Cases(ctx, store.CaseFilter{AgencyID: aid, Limit: 3})
		if err != nil || len(list) != 3 {
			t.Fatalf("list: %v, %v", list, err)
		}
		if !list[0].Urgent || list[1].CreatedAt != 1000+1202 {
			t.Fatalf("order: urgent first then newest; got %+v", list[:2])
		}
		c, _ := db.Counts(ctx)
		if c.Cases != 1203 {
			t.Fatalf("count %d", c.Cases)
		}
		if _, err := db.Case(ctx, store.NewID()); !errs.Is(err, errs.NotFound) {
			t.Fatalf("missing case: %v, want NotFound", err)
		}
		// A failed transaction leaves nothing behind.
		id := store.NewID()
		err = db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
			c := cs[0]
			c.ID, c.Reference = id, "R-new"
			if err := tx.InsertCase(ctx, c); err != nil {
				return err
			}
			return tx.InsertCase(ctx, cs[1]) // duplicate: fails
		})
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate insert: %v, want Conflict", err)
		}
		if _, err := db.Case(ctx, id); !errs.Is(err, errs.NotFound) {
			t.Fatal("half of a failed transaction was written")
		}
	})
}

func TestSessionsEndWhenUserDisabled(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, aid := seedDirectory(t, db)
		u := store.User{ID: store.NewID(), Username: "alice", DisplayName: "A", PasswordHash: "x", Role: "case_worker", AgencyID: aid}
		now := time.Now()
		err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
			for _, tok := range []string{"t1", "t2"} {
				if err := tx.InsertSession(ctx, store.Session{TokenHash: store.HashToken(tok), UserID: u.ID,
					CreatedAt: store.Millis(now), LastSeenAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(time.Hour))}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if s, err := db.SessionByToken(ctx, "t1"); err != nil || s.UserID != u.ID {
			t.Fatalf("session lookup: %v", err)
		}
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.InsertUser(ctx, u) }); !errs.Is(err, errs.Conflict) && !errs.Is(err, errs.Invalid) {
			t.Fatalf("duplicate username: %v", err)
		}
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, u.ID, true) }); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{"t1", "t2"} {
			if _, err := db.SessionByToken(ctx, tok); !errs.Is(err, errs.Unauthenticated) {
				t.Fatalf("session %s survived disabling: %v", tok, err)
			}
		}
	})
}

package store_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

func appendEvents(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, audit.Event{Actor: "u1", Action: "case.view", ObjectType: "case", ObjectID: strconv.Itoa(i), Agency: "a1"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func signer(t *testing.T) (*store.AuditSigner, ed25519.PublicKey) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &store.AuditSigner{Key: priv, KeyID: audit.KeyIDFor(pub)}, pub
}

// newSigner gives db a fresh audit signing key and returns its public key.
func newSigner(t *testing.T, db *store.DB) ed25519.PublicKey {
	t.Helper()
	s, pub := signer(t)
	db.SetAuditSigner(s)
	return pub
}

// signedLog gives db a fresh audit signing key and n audit events, and
// returns the key's public half.
func signedLog(t *testing.T, db *store.DB, n int) ed25519.PublicKey {
	t.Helper()
	pub := newSigner(t, db)
	appendEvents(t, db, n)
	return pub
}

// Tampering with stored events in any of four ways is detected, and the
// first bad event is named, on both engines.
func TestAuditTamperingIsDetected(t *testing.T) {
	const n = 600
	// Seq is part of each event's hash, so moving a row (to make room
	// for a forged one, or to swap two) also shows as a modified event.
	tampers := []struct {
		name  string
		kinds []string
		seq   int64
		sql   []string
	}{
		{"modified", []string{audit.KindModified}, 100, []string{`UPDATE audit_events SET action = 'case.edit' WHERE seq = 100`}},
		{"deleted", []string{audit.KindDeleted}, 100, []string{`DELETE FROM audit_events WHERE seq = 100`}},
		{"inserted", []string{audit.KindInserted, audit.KindModified}, 100, []string{
			// A forged row: a copy of 100 with another object, put at
			// 100 after moving the genuine rows up by one.
			`UPDATE audit_events SET seq = seq + 1000000 WHERE seq >= 100`,
			`UPDATE audit_events SET seq = seq - 1000000 + 1 WHERE seq >= 1000000`,
			`INSERT INTO audit_events (seq, id, at, actor, action, object_type, object_id, agency, reason, flags, details, prev_hash, hash)
			 SELECT 100, 'forged', at, actor, action, object_type, 'forged-object', agency, reason, flags, details, prev_hash, hash FROM audit_events WHERE seq = 101`,
		}},
		{"reordered", []string{audit.KindReordered, audit.KindModified}, 100, []string{
			`UPDATE audit_events SET seq = -1 WHERE seq = 100`,
			`UPDATE audit_events SET seq = 100 WHERE seq = 101`,
			`UPDATE audit_events SET seq = 101 WHERE seq = -1`,
		}},
		{"tail deleted", []string{audit.KindDeleted}, 513, []string{`DELETE FROM audit_events WHERE seq > 512`}},
		// The record's agency is repeated in a column for the agency's
		// administrators: moving an event to another agency's view (or
		// out of its own) shows as a modified event.
		{"record agency changed", []string{audit.KindModified}, 100, []string{`UPDATE audit_events SET record_agency = 'elsewhere' WHERE seq = 100`}},
	}
	for _, e := range testenv.Engines(t) {
		for _, tc := range tampers {
			t.Run(e.Name+"/"+tc.name, func(t *testing.T) {
				if e.Name == "postgres" {
					testenv.Ran(t, "postgres")
				}
				db := testenv.OpenMigrated(t, e.Fresh(t))
				pub := signedLog(t, db, n)
				if _, err := db.CheckpointHead(context.Background()); err != nil {
					t.Fatal(err)
				}
				sum, err := db.VerifyAudit(context.Background(), pub)
				if err != nil || sum.Events != n || sum.Checkpoints != 3 {
					t.Fatalf("intact chain: %+v, %v", sum, err)
				}
				for _, q := range tc.sql {
					if _, err := db.RawWriter().Exec(q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				_, err = db.VerifyAudit(context.Background(), pub)
				var ce *audit.ChainError
				if !errors.As(err, &ce) {
					t.Fatalf("tampering (%s) not detected: %v", tc.name, err)
				}
				if !slices.Contains(tc.kinds, ce.Kind) {
					t.Errorf("kind %q, want one of %q (%s)", ce.Kind, tc.kinds, ce.Detail)
				}
				if ce.Seq != tc.seq && ce.Seq != tc.seq-1 && ce.Seq != tc.seq+1 {
					t.Errorf("named event %d, want about %d", ce.Seq, tc.seq)
				}
			})
		}
	}
}

// Concurrent appenders never fork the chain.
func TestAuditConcurrentAppends(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		pub := newSigner(t, db)
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				appendEvents(t, db, 40)
			}()
		}
		wg.Wait()
		sum, err := db.VerifyAudit(context.Background(), pub)
		if err != nil || sum.Events != 320 || sum.LastSeq != 320 {
			t.Fatalf("after concurrent appends: %+v, %v", sum, err)
		}
	})
}

// A forger who inserts an event and recomputes every later hash (no key is
// needed for that) is caught by the signed checkpoints.
func TestAuditRewriteCaughtByCheckpoint(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pub := signedLog(t, db, 300)
		var events []audit.Event
		if err := db.EachAuditEvent(ctx, func(e audit.Event) error { events = append(events, e); return nil }); err != nil {
			t.Fatal(err)
		}
		// Rebuild the chain with a forged event at 100.
		forged := events[99]
		forged.ObjectID, forged.ID = "forged", "forged-event"
		rebuilt := append(append(append([]audit.Event{}, events[:99]...), forged), events[99:]...)
		var prev *audit.Event
		for i := range rebuilt {
			rebuilt[i] = audit.Chain(prev, rebuilt[i])
			prev = &rebuilt[i]
		}
		if _, err := db.RawWriter().Exec(`DELETE FROM audit_events`); err != nil {
			t.Fatal(err)
		}
		for _, e := range rebuilt {
			if _, err := db.RawWriter().Exec(`INSERT INTO audit_events (seq, id, at, actor, action, object_type, object_id, agency, reason, flags, details, prev_hash, hash)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'{}',$11,$12)`, e.Seq, e.ID, e.At, e.Actor, e.Action, e.ObjectType, e.ObjectID, e.Agency, e.Reason, int64(e.Flags), e.PrevHash, e.Hash); err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.VerifyAudit(ctx, pub)
		var ce *audit.ChainError
		if !errors.As(err, &ce) || ce.Seq > 256 || ce.Kind == audit.KindModified {
			t.Fatalf("rewritten chain: %v, want a chain error at or before the checkpoint at 256", err)
		}
	})
}

// Views made at the same moment share a transaction, yet every caller
// returns only once its own event is committed: 64 concurrent views give 64
// events on an unbroken chain, and a view whose event is invalid is refused
// without failing the others.
func TestRecordViewsBatched(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pub := newSigner(t, db)
		var wg sync.WaitGroup
		errs := make(chan error, 65)
		for i := 0; i < 64; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.RecordViews(ctx, audit.Event{Actor: "u1", Action: "case.view", ObjectType: "case", ObjectID: "c1"})
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := db.RecordViews(ctx, audit.Event{Actor: "u1", Action: "case view with spaces", ObjectType: "case", ObjectID: "c1"}); err == nil {
				errs <- fmt.Errorf("an invalid event was accepted")
			}
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		sum, err := db.VerifyAudit(ctx, pub)
		if err != nil || sum.Events != 64 {
			t.Fatalf("after 64 batched views: %+v, %v", sum, err)
		}
	})
}

// TestCloseCommitsQueuedViews: Close lets the view batcher commit what is
// queued and stops it; a view after Close is refused, never lost or hung.
func TestCloseCommitsQueuedViews(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "haven.db")
	db, err := store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var waits []func() error
	for i := 0; i < 20; i++ {
		w, err := db.BeginViews(ctx, audit.Event{Actor: "u1", Action: "case.view", ObjectType: "case", ObjectID: "c1"})
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, w)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, w := range waits {
		if err := w(); err != nil {
			t.Fatalf("a view queued before Close: %v", err)
		}
	}
	if err := db.RecordViews(ctx, audit.Event{Actor: "u1", Action: "case.view", ObjectType: "case", ObjectID: "c1"}); err == nil {
		t.Fatal("a view after Close was accepted")
	}
	db, err = store.Open(ctx, store.Options{Path: path, MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sum, err := db.VerifyAudit(ctx, nil)
	if err != nil || sum.Events != 20 {
		t.Fatalf("after Close: %+v, %v", sum, err)
	}
}

// TestAuditBatchesAcrossCheckpoints: transactions of several events (one
// statement on PostgreSQL) chain and sign exactly as single events do,
// also when a checkpoint falls inside a transaction.
func TestAuditBatchesAcrossCheckpoints(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pub := newSigner(t, db)
		const per, batches = 7, 40 // 280 events: the checkpoint at 256 is the 4th event of a batch
		for b := 0; b < batches; b++ {
			err := db.Write(ctx, func(tx *store.Tx) error {
				for i := 0; i < per; i++ {
					if err := tx.Audit(ctx, audit.Event{Actor: "u1", Action: "case.view", ObjectType: "case",
						ObjectID: strconv.Itoa(b*per + i), Details: map[string]string{"n": strconv.Itoa(i)}}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		sum, err := db.VerifyAudit(ctx, pub)
		if err != nil || sum.Events != per*batches || sum.Checkpoints != 1 {
			t.Fatalf("after %d batches of %d: %+v, %v", batches, per, sum, err)
		}
	})
}

// Migration 0010 fills the record_agency column of events written before
// it from their hashed detail (break-glass grants named the record's
// agency there), so the chain still verifies and the agency's
// administrators find them; events written since fill it themselves.
func TestAuditRecordAgencyBackfill(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pub := newSigner(t, db)
		jid, aid := store.NewID(), store.NewID()
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.InsertJurisdiction(ctx, store.Jurisdiction{ID: jid, Code: "T1", Country: "NP", Name: "Test", Timezone: "UTC", CreatedAt: 1}); err != nil {
				return err
			}
			if err := tx.InsertAgency(ctx, store.Agency{ID: aid, JurisdictionID: jid, Kind: "ngo", Name: "Test agency", CreatedAt: 1}); err != nil {
				return err
			}
			return tx.Audit(ctx, audit.Event{Actor: "u1", Action: "case.break_glass", ObjectType: "case", ObjectID: "c1", Agency: "a2",
				Flags: audit.FlagBreakGlass, Reason: "g1", Details: map[string]string{"grant": "g1", audit.RecordAgencyDetail: aid}})
		})
		if err != nil {
			t.Fatal(err)
		}
		appendEvents(t, db, 3)
		if evs, err := db.AuditEvents(ctx, store.AuditFilter{Agency: aid}); err != nil || len(evs) != 1 || evs[0].Action != "case.break_glass" {
			t.Fatalf("the record's agency's events: %v %v", evs, err)
		}
		// As before the migration: the column empty.
		if _, err := db.RawWriter().Exec(`UPDATE audit_events SET record_agency = ''`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.VerifyAudit(ctx, pub); err == nil {
			t.Fatal("an emptied record_agency column verifies")
		}
		ms, _ := store.Migrations()
		var m store.Migration
		for _, x := range ms {
			if x.Version == 10 {
				m = x
			}
		}
		up := m.SQL[db.Dialect]
		i := strings.Index(up, "UPDATE audit_events")
		j := strings.Index(up[i:], ";")
		if i < 0 || j < 0 {
			t.Fatal("migration 0010 has no backfill")
		}
		if _, err := db.RawWriter().Exec(up[i : i+j]); err != nil {
			t.Fatal(err)
		}
		if _, err := db.VerifyAudit(ctx, pub); err != nil {
			t.Fatalf("after the backfill: %v", err)
		}
		if evs, err := db.AuditEvents(ctx, store.AuditFilter{Agency: aid}); err != nil || len(evs) != 1 {
			t.Fatalf("after the backfill, the record's agency's events: %v %v", evs, err)
		}
	})
}

// TestVerifyAuditSinceCheckpoint: the quick check verifies only what came
// after the newest signed checkpoint: a change after it is caught, a change
// before it is the full check's to catch, and a checkpoint signed by a key
// not given is refused.
func TestVerifyAuditSinceCheckpoint(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pub := signedLog(t, db, 300)
		sum, err := db.VerifyAuditSince(ctx, pub)
		if err != nil || sum.LastSeq != 300 || sum.Events >= 300 || sum.Events == 0 {
			t.Fatalf("quick check of an intact log: %+v, %v", sum, err)
		}
		_, other := signer(t)
		if _, err := db.VerifyAuditSince(ctx, other); err == nil {
			t.Fatal("a checkpoint signed by another key was accepted")
		}
		tamper := func(seq int) {
			if _, err := db.RawWriter().Exec(`UPDATE audit_events SET object_id = 'changed' WHERE seq = $1`, seq); err != nil {
				t.Fatal(err)
			}
		}
		tamper(100)
		if _, err := db.VerifyAuditSince(ctx, pub); err != nil {
			t.Fatalf("the quick check looked before the checkpoint: %v", err)
		}
		if _, err := db.VerifyAudit(ctx, pub); err == nil {
			t.Fatal("the full check missed a change before the checkpoint")
		}
		tamper(290)
		var ce *audit.ChainError
		if _, err := db.VerifyAuditSince(ctx, pub); !errors.As(err, &ce) || ce.Seq < 257 {
			t.Fatalf("a change after the checkpoint: %v, want a chain error after it", err)
		}
	})
}

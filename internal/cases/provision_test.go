package cases_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/backup"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/prosecution"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// onEngines runs fn on a fresh world (newWorld) per engine, telling it
// where that engine keeps its files: the SQLite folder, or the PostgreSQL
// server's data directory.
func onEngines(t *testing.T, fn func(t *testing.T, w *world, files string)) {
	for _, e := range testenv.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			o := e.Fresh(t)
			db := testenv.OpenMigrated(t, o)
			files := filepath.Dir(o.Path)
			if e.Name == "postgres" {
				testenv.Ran(t, "postgres")
				files = testenv.PostgresDataDir(t)
			}
			fn(t, newWorld(t, db, false), files)
		})
	}
}

func checkpoint(t *testing.T, db *store.DB) {
	t.Helper()
	q := `PRAGMA wal_checkpoint(PASSIVE)`
	if db.Dialect == store.Postgres {
		q = `CHECKPOINT`
	}
	if _, err := db.RawWriter().Exec(q); err != nil {
		t.Logf("checkpoint: %v", err)
	}
}

// scan reports the files under dir that hold canary in any spelling.
func scan(t *testing.T, dir, canary string) []string {
	t.Helper()
	var found []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, v := range []string{canary, strings.ToLower(canary), strings.ToUpper(canary)} {
			if bytes.Contains(b, []byte(v)) {
				found = append(found, p)
			}
		}
		return nil
	})
	return found
}

// chargeReady brings the world's case to an investigation with a suspect,
// opened by the police agency the case was referred to.
func chargeReady(w *world) (*cases.Dossier, prosecution.Investigation) {
	d := w.dossier()
	pol := w.agency["police"].ID
	d = w.do(ca, cases.Typed((*cases.Service).RecordConsent).Run, in{"support_version": sv(d), "purpose": "share_with_agency", "recipient": pol, "action": "given", "language": "ne"})
	d = w.do(ca, cases.Typed((*cases.Service).HandOver).Run, in{"support_version": sv(d), "kind": "referral", "to_agency": pol})
	h := d.Handovers[0]
	d = w.do(police, cases.Typed((*cases.Service).RespondHandover).Run, in{"handover": h.ID, "handover_version": fmt.Sprint(h.Version), "response": "accept"})
	d = w.do(police, cases.Typed((*cases.Service).OpenInvestigation).Run, in{})
	inv := d.Investigations[0]
	d = w.do(police, cases.Typed((*cases.Service).AddSuspect).Run, in{"investigation": inv.ID, "investigation_version": "1", "chain_role": "recruiter", "nature": "individual", "gender": "Masculine"})
	invs, _ := cases.Investigations(d)
	return d, invs[0]
}

// TestProvisionNoteNeverInClear: a charge is recorded by provision code with
// a note; the note is sealed (a canary typed into it is in no file of the
// database — SQLite's file and WAL, PostgreSQL's data directory — nor in a
// backup), the charge counts as the provision's offence, and a reader
// allowed to see identifying data opens the note. Both engines.
func TestProvisionNoteNeverInClear(t *testing.T) {
	const canary = "Qzxprovisioncanary Vowlnote 4471"
	onEngines(t, func(t *testing.T, w *world, files string) {
		ctx := t.Context()
		d, inv := chargeReady(w)
		provs := prosecution.Provisions(d.Jurisdiction.Country)
		var subst prosecution.Provision
		for _, p := range provs {
			if p.Offence.Substitute() {
				subst = p
				break
			}
		}
		w.refuse(police, cases.Typed((*cases.Service).AddCharge).Run, in{"investigation": inv.ID, "investigation_version": "2", "suspect": inv.Suspects[0].ID,
			"provision": "no_such_provision", "note": canary}, "prosecution.error.unknown_provision")
		d = w.do(police, cases.Typed((*cases.Service).AddCharge).Run, in{"investigation": inv.ID, "investigation_version": "2", "suspect": inv.Suspects[0].ID,
			"provision": subst.Code, "note": canary})
		invs, _ := cases.Investigations(d)
		ch := invs[0].Charges[0]
		if ch.Provision != subst.Code || ch.Offence != subst.Offence {
			t.Fatalf("charge %+v, want provision %s counting as %s", ch, subst.Code, subst.Offence)
		}
		if ids := prosecution.Misclassified(invs[0], true); len(ids) != 1 {
			t.Errorf("a substitute provision on a trafficking case: warning %v", ids)
		}
		texts, err := w.svc.NoteText(d, ch.ID)
		if err != nil || len(texts) != 1 || texts[0] != canary {
			t.Fatalf("the charge's note opens to %q (%v)", texts, err)
		}
		if strings.Contains(d.Investigations[0].Record, canary) {
			t.Fatal("the note is in the investigation record")
		}
		// A backup, signed, and every file of the engine.
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		w.db.SetAuditSigner(&store.AuditSigner{Key: priv, KeyID: audit.KeyIDFor(priv.Public().(ed25519.PublicKey))})
		bdir := t.TempDir()
		if _, err := backup.WriteFile(ctx, w.db, filepath.Join(bdir, "haven.backup"), backup.Options{}); err != nil {
			t.Fatal(err)
		}
		checkpoint(t, w.db)
		if found := append(scan(t, files, canary), scan(t, bdir, canary)...); len(found) > 0 {
			t.Fatalf("the provision note is in clear in %v", found)
		}
		// The scanner finds what it looks for.
		if err := os.WriteFile(filepath.Join(bdir, "probe"), []byte("x"+strings.ToUpper(canary)), 0o600); err != nil {
			t.Fatal(err)
		}
		if len(scan(t, bdir, canary)) != 1 {
			t.Fatal("the scanner misses plaintext")
		}
	})
}

// TestClearProvisionTextIsSealedAtStart: a charge recorded before
// provisions were coded kept the provision as typed, in clear, in the
// investigation record; SealClearChargeText moves it into a sealed note of
// that charge (in one transaction, audited), leaves nothing of it in the
// record or, on SQLite, in the database file and WAL, and finds nothing
// to do the second time. Both engines.
func TestClearProvisionTextIsSealedAtStart(t *testing.T) {
	const canary = "Qzxlegacystatute art. 124"
	onEngines(t, func(t *testing.T, w *world, files string) {
		ctx := t.Context()
		d, inv := chargeReady(w)
		d = w.do(police, cases.Typed((*cases.Service).AddCharge).Run, in{"investigation": inv.ID, "investigation_version": "2", "suspect": inv.Suspects[0].ID, "offence": "pimping"})
		row := d.Investigations[0]
		// Write the charge as the older version did: the statute in clear.
		legacy := strings.Replace(row.Record, `"offence":"pimping"`, `"offence":"pimping","statute":"`+canary+`"`, 1)
		if legacy == row.Record {
			t.Fatalf("the record has no charge to age: %s", row.Record)
		}
		row.Record = legacy
		if err := w.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.SaveInvestigation(ctx, row) }); err != nil {
			t.Fatal(err)
		}
		n, err := w.svc.SealClearChargeText(ctx)
		if err != nil || n != 1 {
			t.Fatalf("sealed %d investigations (%v), want 1", n, err)
		}
		d = w.dossier()
		if strings.Contains(d.Investigations[0].Record, "statute") || strings.Contains(d.Investigations[0].Record, "Qzxlegacy") {
			t.Fatalf("the record still holds the text: %s", d.Investigations[0].Record)
		}
		invs, err := cases.Investigations(d)
		if err != nil || len(invs[0].Charges) != 1 || invs[0].Charges[0].Offence != "pimping" {
			t.Fatalf("the charge after the migration: %+v %v", invs, err)
		}
		texts, err := w.svc.NoteText(d, invs[0].Charges[0].ID)
		if err != nil || len(texts) != 1 || texts[0] != canary {
			t.Fatalf("the charge's note: %q %v", texts, err)
		}
		var events int
		if err := w.db.R().QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = 'case.charge_text_sealed'`).Scan(&events); err != nil || events != 1 {
			t.Fatalf("%d audit events (%v)", events, err)
		}
		if n, err := w.svc.SealClearChargeText(ctx); err != nil || n != 0 {
			t.Fatalf("second run sealed %d (%v)", n, err)
		}
		if w.db.Dialect == store.SQLite {
			if found := scan(t, files, "Qzxlegacystatute"); len(found) > 0 {
				t.Fatalf("the old text lingers in %v", found)
			}
		}
	})
}

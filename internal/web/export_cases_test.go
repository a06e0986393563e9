package web_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/store"
)

// TestExportCases: the authority's case list exports to CSV and XLSX only
// after a recent re-authentication; the files hold coded values of the
// jurisdiction's cases, a cell a spreadsheet would run is neutralised, and
// each export is audited. Roles without the right get 403.
func TestExportCases(t *testing.T) {
	// Second factors are covered by the account tests; here the
	// re-authentication before an export is.
	eachAccountEngine(t, mfaOptional, func(t *testing.T, f *acctFixture) {
		ctx := t.Context()
		// A reference a spreadsheet would run as a formula.
		var id string
		ca := f.user(t, access.CompetentAuthority)
		if err := f.db.R().QueryRowContext(ctx, `SELECT id FROM cases WHERE jurisdiction_id = $1 LIMIT 1`, ca.JurisdictionID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if err := f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE cases SET reference = '=HYPERLINK("http://evil")' WHERE id = $1`, id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		cr := f.creds[access.CompetentAuthority]
		c := f.client(t)
		f.signIn(t, c, cr.Username, cr.Password)
		f.clock.Advance(6 * time.Minute)
		resp, _ := f.get(t, c, "/cases/export?format=csv")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/reauth") {
			t.Fatalf("a stale sign-in exports: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := f.post(t, c, "/reauth", url.Values{"password": {cr.Password}, "return": {"/cases/export"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reauth: %d", resp.StatusCode)
		}
		resp, body := f.get(t, c, "/cases/export?format=csv")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("csv: %d", resp.StatusCode)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var inScope int
		if err := f.db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE jurisdiction_id = $1`, ca.JurisdictionID).Scan(&inScope); err != nil {
			t.Fatal(err)
		}
		if len(rows) != inScope+1 {
			t.Fatalf("csv rows %d, want the header and %d cases of the jurisdiction", len(rows), inScope)
		}
		found := false
		for _, r := range rows[1:] {
			if strings.Contains(r[0], "HYPERLINK") {
				found = true
				if !strings.HasPrefix(r[0], "'") {
					t.Fatalf("formula not neutralised: %q", r[0])
				}
			}
		}
		if !found {
			t.Fatal("the planted reference is missing from the export")
		}
		resp, body = f.get(t, c, "/cases/export?format=xlsx")
		zr, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
		if resp.StatusCode != 200 || err != nil {
			t.Fatalf("xlsx: %d %v", resp.StatusCode, err)
		}
		for _, zf := range zr.File {
			if zf.Name == "xl/worksheets/sheet1.xml" {
				rc, _ := zf.Open()
				var b bytes.Buffer
				_, _ = b.ReadFrom(rc)
				rc.Close()
				if strings.Contains(b.String(), "<f>") || !strings.Contains(b.String(), "inlineStr") {
					t.Fatal("the sheet holds formulas or typed cells")
				}
			}
		}
		var audited int
		if err := f.db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'case.export'`).Scan(&audited); err != nil || audited != 2 {
			t.Fatalf("audited exports: %d (%v), want 2", audited, err)
		}
		// Roles without the right.
		for _, role := range []access.Role{access.CaseWorker, access.Analyst, access.FirstResponder} {
			c := f.client(t)
			f.signIn(t, c, f.creds[role].Username, f.creds[role].Password)
			if resp, _ := f.get(t, c, "/cases/export?format=csv"); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("%s exports: %d", role, resp.StatusCode)
			}
		}
	})
}

package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/store"
)

// TestTimesShownInJurisdictionZone: instants are stored in UTC and shown
// in the zone of the reader's jurisdiction. A case made at 23:30 UTC is
// shown on the next day in Kathmandu (UTC+05:45) and at 15:30 the same day
// in Los Angeles (UTC−08:00), on the case page and in the export: the two
// zones either side of UTC midnight (issue 12, "Times"); a decision letter
// written at that instant is dated with the local day.
func TestTimesShownInJurisdictionZone(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		ca := f.user(t, access.CompetentAuthority)
		var caseID, ref string
		if err := f.db.R().QueryRowContext(ctx, `SELECT id, reference FROM cases WHERE jurisdiction_id = $1 ORDER BY id LIMIT 1`, ca.JurisdictionID).Scan(&caseID, &ref); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 5, 23, 30, 0, 0, time.UTC)
		if err := f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE cases SET created_at = $1 WHERE id = $2`, at.UnixMilli(), caseID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		j, err := f.db.Jurisdiction(ctx, ca.JurisdictionID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := i18n.New()
		if err != nil {
			t.Fatal(err)
		}
		// A case whose decision letter can be written, in English.
		letterCase := ""
		cc := f.login(t, access.CompetentAuthority)
		rows, err := f.db.R().QueryContext(ctx, `SELECT id FROM cases WHERE jurisdiction_id = $1 ORDER BY id`, ca.JurisdictionID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			if resp, _ := get(t, cc, f.srv.URL+"/cases/"+id+"/letter", "Accept-Language", "en"); resp.StatusCode == 200 {
				letterCase = id
				break
			}
		}
		if letterCase == "" {
			t.Fatal("no case of the demo has a decision letter")
		}
		if err := f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE cases SET letter_language = 'en' WHERE id = $1`, letterCase)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		en := b.Match("en")
		letterDate := func(zone string) string {
			loc, _ := time.LoadLocation(zone)
			return en.T("letter.date") + ": " + en.In(loc).Date(at)
		}
		for _, tc := range []struct{ zone, want, day string }{
			{"Asia/Kathmandu", "05:15", "2026-03-06"},
			{"America/Los_Angeles", "15:30", "2026-03-05"},
		} {
			if j.Timezone != tc.zone {
				adm, err := admin.New(f.db, time.Now, nil)
				if err != nil {
					t.Fatal(err)
				}
				in, err := adm.EditJurisdiction(ctx, admin.Shell, j.Code)
				if err != nil {
					t.Fatal(err)
				}
				in.TimeZone = tc.zone
				if _, err := adm.UpdateJurisdiction(ctx, admin.Shell, j.Code, in); err != nil {
					t.Fatal(err)
				}
			}
			// A fresh server: jurisdictions are cached for a minute.
			srv, err := serverFor(f.db, f.keys, f.web.Deps)
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv.Handler())
			f2 := *f
			f2.srv = ts
			c := f2.login(t, access.CompetentAuthority)
			loc, _ := time.LoadLocation(tc.zone)
			want := b.Match("en").In(loc).DateTime(at)
			if !strings.Contains(want, tc.want) {
				t.Fatalf("%s: expected local time %s in %q", tc.zone, tc.want, want)
			}
			resp, body := get(t, c, ts.URL+"/cases/"+caseID, "Accept-Language", "en")
			if resp.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("%s: case page (%d) does not show the creation time as %q", tc.zone, resp.StatusCode, want)
			}
			if utc := b.Match("en").DateTime(at); strings.Contains(body, utc) {
				t.Errorf("%s: case page shows the UTC time %q", tc.zone, utc)
			}
			_, csv := get(t, c, ts.URL+"/cases/export?format=csv", "Accept-Language", "en")
			line := ""
			for _, l := range strings.Split(csv, "\n") {
				if strings.HasPrefix(l, ref+",") {
					line = l
				}
			}
			if !strings.HasSuffix(strings.TrimSpace(line), ","+tc.day) {
				t.Errorf("%s: export row %q, want the local day %s", tc.zone, line, tc.day)
			}
			ts.Close()

			// The decision letter, written at that instant, is dated with
			// the local day (issue 12: letters in local time).
			d := f.web.Deps
			d.Now = func() time.Time { return at }
			lsrv, err := serverFor(f.db, f.keys, d)
			if err != nil {
				t.Fatal(err)
			}
			lts := httptest.NewServer(lsrv.Handler())
			f3 := *f
			f3.srv = lts
			other := "America/Los_Angeles"
			if tc.zone == other {
				other = "Asia/Kathmandu"
			}
			resp, letter := get(t, f3.login(t, access.CompetentAuthority), lts.URL+"/cases/"+letterCase+"/letter", "Accept-Language", "en")
			if resp.StatusCode != 200 || !strings.Contains(letter, letterDate(tc.zone)) || strings.Contains(letter, letterDate(other)) {
				t.Errorf("%s: letter (%d) not dated %q (or dated %q)", tc.zone, resp.StatusCode, letterDate(tc.zone), letterDate(other))
			}
			lts.Close()
		}
	})
}

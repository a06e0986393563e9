package web_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/stats"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// TestStatisticsPageAndAPI: the statistics page and the API answer the
// same disclosure-controlled table to the roles that may see statistics;
// no published cell is below k, withheld cells are marked and never zero;
// the page draws an SVG chart with the table beside it; bad requests are
// refused with a translated message; other roles are refused.
func TestStatisticsPageAndAPI(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, role := range []access.Role{access.Analyst, access.CompetentAuthority, access.AgencyAdmin} {
			c := f.login(t, role)
			resp, body := get(t, c, f.srv.URL+"/api/v1/statistics/table?by=gender,age_band")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: API %d: %s", role, resp.StatusCode, body)
			}
			var tab stats.Table
			if err := json.Unmarshal([]byte(body), &tab); err != nil {
				t.Fatal(err)
			}
			withheld := 0
			check := func(c stats.Cell) {
				v, ok := c.Value()
				if !ok {
					withheld++
					if c.Suppressed != "primary" && c.Suppressed != "secondary" {
						t.Fatalf("%s: a cell with no count is not marked: %+v", role, c)
					}
					return
				}
				if v > 0 && v < int64(tab.K) {
					t.Fatalf("%s: published %d below k = %d", role, v, tab.K)
				}
			}
			for _, r := range tab.Rows {
				for _, c := range r.Cells {
					check(c)
				}
				check(r.Total)
			}
			for _, c := range tab.ColumnTotals {
				check(c)
			}
			check(tab.Total)
			if role == access.Analyst && withheld == 0 {
				t.Fatal("120 demo cases by gender and age give no withheld cell: the test checks nothing")
			}
			if role == access.Analyst && !strings.Contains(strings.Join(strings.Fields(body), ""), `"count":null,"suppressed":"primary"`) {
				t.Fatalf("a withheld cell is not written as a null count: %s", body)
			}

			resp, page := get(t, c, f.srv.URL+"/statistics?by=gender&by=age_band")
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<svg") || !strings.Contains(page, `<table class="stats">`) {
				t.Fatalf("%s: page %d without chart or table", role, resp.StatusCode)
			}
			if missingKey.MatchString(page) {
				t.Fatalf("%s: missing translation: %s", role, missingKey.FindString(page))
			}
			for _, p := range []string{"/statistics", "/statistics?by=exploitation&period=2025", "/statistics?by=quarter&by=", "/statistics?by=jurisdiction&by=decision",
				"/statistics?by=citizenship&where=gender%3DFeminine", "/statistics?by="} {
				if resp, page := get(t, c, f.srv.URL+p); resp.StatusCode != http.StatusOK || missingKey.MatchString(page) {
					t.Fatalf("%s %s: %d %s", role, p, resp.StatusCode, missingKey.FindString(page))
				}
			}
			resp, page = get(t, c, f.srv.URL+"/statistics?by=name")
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Choose dimensions from the list") {
				t.Fatalf("%s: an unknown dimension answered %d", role, resp.StatusCode)
			}
			resp, _ = get(t, c, f.srv.URL+"/api/v1/statistics/table?period=someday")
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("%s: a bad period answered %d", role, resp.StatusCode)
			}
		}
		c := f.login(t, access.CaseWorker)
		if resp, _ := get(t, c, f.srv.URL+"/api/v1/statistics/table?by=gender"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a case worker's statistics request answered %d", resp.StatusCode)
		}
	})
}

// TestPublicReleases: a release drafted by the analyst and approved by the
// competent authority is public — its page (charts and tables), its JSON
// (the exact signed bytes: their SHA-256 is the published digest) and its
// CSV — to anyone, signed in or not; a draft is not found.
func TestPublicReleases(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		_, key, _ := ed25519.GenerateKey(nil)
		db.SetAuditSigner(&store.AuditSigner{Key: key, KeyID: "test"})
		who := func(role access.Role) access.Principal {
			u, err := db.UserByUsername(ctx, f.creds[role].Username)
			if err != nil {
				t.Fatal(err)
			}
			return access.Principal{UserID: u.ID, Role: role, AgencyID: u.AgencyID, JurisdictionID: u.JurisdictionID}
		}
		svc := f.web.Services.Stats
		id, err := svc.Draft(ctx, who(access.Analyst), stats.ReleaseInput{Title: "Referrals by sex and age", Tables: "gender;age_band,exploitation"})
		if err != nil {
			t.Fatal(err)
		}
		anon := f.client(t)
		if resp, _ := get(t, anon, f.srv.URL+"/releases/"+id); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("a draft answered %d", resp.StatusCode)
		}
		pub, err := svc.Approve(ctx, who(access.CompetentAuthority), id)
		if err != nil {
			t.Fatal(err)
		}
		resp, body := get(t, anon, f.srv.URL+"/releases")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Referrals by sex and age") {
			t.Fatalf("release list %d", resp.StatusCode)
		}
		resp, body = get(t, anon, f.srv.URL+"/releases/"+id)
		if resp.StatusCode != http.StatusOK || strings.Count(body, "<svg") != 2 || !strings.Contains(body, pub.Digest) || missingKey.MatchString(body) {
			t.Fatalf("release page %d %s", resp.StatusCode, missingKey.FindString(body))
		}
		resp, body = get(t, anon, f.srv.URL+"/releases/"+id+"/data.json")
		sum := sha256.Sum256([]byte(body))
		if resp.StatusCode != http.StatusOK || hex.EncodeToString(sum[:]) != pub.Digest {
			t.Fatalf("the JSON served is not the signed content (%d)", resp.StatusCode)
		}
		resp, body = get(t, anon, f.srv.URL+"/releases/"+id+"/data.csv")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "table,dimensions,row,column,count,withheld") {
			t.Fatalf("CSV %d", resp.StatusCode)
		}
	})
}

// TestIndicatorsPage: the indicators page shows every registered
// indicator, translated, to the roles that see statistics.
func TestIndicatorsPage(t *testing.T) {
	db := testenv.OpenMigrated(t, testenv.FreshSQLite(t))
	f := newFixture(t, db)
	for _, role := range []access.Role{access.Analyst, access.CompetentAuthority} {
		c := f.login(t, role)
		resp, body := get(t, c, f.srv.URL+"/statistics/indicators?period=2025")
		if resp.StatusCode != http.StatusOK || missingKey.MatchString(body) || strings.Count(body, `<th scope="row">`) != len(stats.Indicators) {
			t.Fatalf("%s: %d %s", role, resp.StatusCode, missingKey.FindString(body))
		}
	}
}

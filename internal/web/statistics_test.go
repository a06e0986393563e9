package web_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/stats"
	"github.com/haven-nrm/haven/internal/store"
)

// signAudit has the fixture's database sign its audit log with a new key,
// as publishing a release needs.
func (f *fixture) signAudit() {
	_, key, _ := ed25519.GenerateKey(nil)
	f.db.SetAuditSigner(&store.AuditSigner{Key: key, KeyID: "test"})
}

// TestStatisticsPageAndAPI: the statistics page and the API answer the
// same disclosure-controlled table to the roles that may see statistics;
// no published cell is below k, withheld cells are marked and never zero;
// the page draws an SVG chart with the table beside it; bad requests are
// refused with a translated message; other roles are refused.
func TestStatisticsPageAndAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
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
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		f.signAudit()
		svc := f.web.Services.Stats
		id, err := svc.Draft(ctx, f.principal(t, access.Analyst), stats.ReleaseInput{Title: "Referrals by sex and age", Tables: "gender;age_band,exploitation"})
		if err != nil {
			t.Fatal(err)
		}
		anon := f.client(t)
		if resp, _ := get(t, anon, f.srv.URL+"/releases/"+id); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("a draft answered %d", resp.StatusCode)
		}
		pub, err := svc.Approve(ctx, f.principal(t, access.CompetentAuthority), id)
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
	f := sqliteFixture(t)
	for _, role := range []access.Role{access.Analyst, access.CompetentAuthority} {
		c := f.login(t, role)
		resp, body := get(t, c, f.srv.URL+"/statistics/indicators?period=2025")
		if resp.StatusCode != http.StatusOK || missingKey.MatchString(body) || strings.Count(body, `<th scope="row">`) != len(stats.Indicators) {
			t.Fatalf("%s: %d %s", role, resp.StatusCode, missingKey.FindString(body))
		}
	}
}

// TestReleaseDeskTwoPersons: through the release desk's pages the analyst
// drafts a release (tables from the dimension lists, a period, the
// method); the drafter's own approval is refused with a translated message
// and publishes nothing; the competent authority, a second person,
// approves it and lands on its public page; a differentially private
// release shows its ε in the ledger; a bad draft is refused and nothing is
// stored; roles that neither draft nor approve are refused the desk.
func TestReleaseDeskTwoPersons(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		f.signAudit()
		analyst, authority := f.login(t, access.Analyst), f.login(t, access.CompetentAuthority)
		drafts := func() []store.Release {
			rs, err := f.db.Releases(ctx, "draft")
			if err != nil {
				t.Fatal(err)
			}
			return rs
		}
		resp, page := get(t, analyst, f.srv.URL+"/statistics/releases")
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `action="/statistics/releases"`) || missingKey.MatchString(page) {
			t.Fatalf("desk %d %s", resp.StatusCode, missingKey.FindString(page))
		}
		// A bad draft: a dimension that does not exist.
		resp, page = f.post(t, analyst, "/statistics/releases", url.Values{"title": {"Bad"}, "table1": {"gender", "shoe_size"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "error-summary") || len(drafts()) != 0 {
			t.Fatalf("a bad draft answered %d with %d drafts stored", resp.StatusCode, len(drafts()))
		}
		resp, _ = f.post(t, analyst, "/statistics/releases", url.Values{"title": {"Referrals by sex and age"}, "table1": {"gender", "", ""},
			"table2": {"age_band", "exploitation", ""}, "method": {"suppression"}})
		if resp.StatusCode != http.StatusSeeOther || len(drafts()) != 1 {
			t.Fatalf("draft answered %d", resp.StatusCode)
		}
		d := drafts()[0]
		if d.Tables != "gender;age_band,exploitation" || d.Method != "suppression" {
			t.Fatalf("draft stored as %+v", d)
		}
		_, page = get(t, analyst, f.srv.URL+"/statistics/releases", "Accept-Language", "th")
		if strings.Contains(page, `action="/statistics/releases/`+d.ID+`/approve"`) || missingKey.MatchString(page) {
			t.Fatal("the drafter is offered to approve their own draft")
		}
		resp, page = f.post(t, analyst, "/statistics/releases/"+d.ID+"/approve", nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "A release is approved by someone other than the person who drafted it.") {
			t.Fatalf("the drafter's own approval answered %d", resp.StatusCode)
		}
		if r, _ := f.db.Release(ctx, d.ID); r.State != "draft" {
			t.Fatalf("the drafter's approval changed the release to %s", r.State)
		}
		_, page = get(t, authority, f.srv.URL+"/statistics/releases")
		if !strings.Contains(page, `action="/statistics/releases/`+d.ID+`/approve"`) {
			t.Fatal("the competent authority is not offered the draft to approve")
		}
		resp, _ = f.post(t, authority, "/statistics/releases/"+d.ID+"/approve", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/releases/"+d.ID {
			t.Fatalf("approval answered %d to %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if err := f.web.Services.Stats.Verify(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		resp, page = get(t, f.client(t), f.srv.URL+"/releases/"+d.ID)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Referrals by sex and age") {
			t.Fatalf("public page %d", resp.StatusCode)
		}
		// Approving again is refused: a release never changes.
		if resp, _ = f.post(t, authority, "/statistics/releases/"+d.ID+"/approve", nil); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a second approval answered %d", resp.StatusCode)
		}
		// A differentially private release spends ε, which the ledger shows.
		year := strconv.Itoa(time.Now().UTC().Year())
		resp, _ = f.post(t, analyst, "/statistics/releases", url.Values{"title": {"Noisy"}, "table1": {"gender"}, "method": {"dp"}, "epsilon": {"0.25"}, "period": {year}})
		if resp.StatusCode != http.StatusSeeOther || len(drafts()) != 1 {
			t.Fatalf("dp draft answered %d", resp.StatusCode)
		}
		if resp, _ = f.post(t, authority, "/statistics/releases/"+drafts()[0].ID+"/approve", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("dp approval answered %d", resp.StatusCode)
		}
		_, page = get(t, analyst, f.srv.URL+"/statistics/releases")
		if !strings.Contains(page, ">"+year+"</td>") || !strings.Contains(page, ">0.25</td>") || !strings.Contains(page, ">0.75</td>") {
			t.Fatal("the ledger does not show the ε spent and left")
		}
		for _, role := range []access.Role{access.AgencyAdmin, access.CaseWorker} {
			if resp, _ := get(t, f.login(t, role), f.srv.URL+"/statistics/releases"); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("%s: desk answered %d", role, resp.StatusCode)
			}
		}
	})
}

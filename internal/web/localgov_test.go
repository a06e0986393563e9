package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
	"github.com/haven-nrm/haven/internal/threep"
)

// lgFixture is a demo fixture whose data folder holds an audit signing
// key, so that CityShare profiles can be exported signed.
func lgFixture(t *testing.T, db *store.DB) *fixture {
	dir := t.TempDir()
	if _, _, err := audit.LoadOrCreateSigningKey(filepath.Join(dir, "audit-signing.key")); err != nil {
		t.Fatal(err)
	}
	return buildFixture(t, db, fixtureOptions{seed: 7, cases: 40, adjust: func(c *config.Config) {
		c.Demo, c.MFAOptional, c.DataDir = true, true, dir
	}})
}

func lgPost(t *testing.T, c *http.Client, u string, v url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// indicatorValue finds LG-06 on the dashboard and on the statistics'
// indicators page alike.
var indicatorValue = regexp.MustCompile(`(?s)id="ind-LG-06".*?class="[a-z ]*ind-value">([^<]*)<`)

// TestLocalGovernmentOfficerYear: in English and then in Nepali, the city
// officer records a campaign and a training, completes the 3P
// self-assessment, compares the city with two others, adopts a peer's
// practice into the action plan, records progress on it and sees the
// plan indicator (LG-06, activities completed) move on the dashboard and
// on the statistics' indicators page.
// Other roles are kept out; a refused form says why and writes nothing.
func TestLocalGovernmentOfficerYear(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := lgFixture(t, db)
		ctx := context.Background()
		officer := f.login(t, access.LocalGovOfficer)
		base := f.srv.URL
		for _, lang := range []struct{ tag, title, adopted string }{{"en", "Local government", "Adopted from"}, {"ne", "स्थानीय सरकार", "यहाँबाट अपनाइएको"}} {
			if resp, _ := lgPost(t, officer, base+"/language", url.Values{"lang": {lang.tag}, "return": {"/localgov"}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: language %d", lang.tag, resp.StatusCode)
			}
			resp, page := get(t, officer, base+"/localgov")
			if resp.StatusCode != 200 || !strings.Contains(page, lang.title) {
				t.Fatalf("%s: dashboard %d", lang.tag, resp.StatusCode)
			}
			before := indicatorValue.FindStringSubmatch(page)
			if before == nil {
				t.Fatalf("%s: no LG-06 on the dashboard", lang.tag)
			}
			resp, page = get(t, officer, base+"/statistics/indicators")
			statsBefore := indicatorValue.FindStringSubmatch(page)
			if resp.StatusCode != 200 || statsBefore == nil {
				t.Fatalf("%s: no LG-06 on the statistics page (%d)", lang.tag, resp.StatusCode)
			}
			for _, v := range []url.Values{
				{"kind": {"campaign"}, "title": {"Safe migration week " + lang.tag}, "category": {"migrant_workers"}, "started_on": {"2026-03-01"},
					"reach": {"4000"}, "languages": {"ne en"}, "channels": {"radio"}},
				{"kind": {"training"}, "title": {"Identification for police " + lang.tag}, "category": {"police"}, "started_on": {"2026-04-01"},
					"reach": {"30"}, "pre_score": {"40"}, "post_score": {"75"}, "staff_names": {"Hari Sealedname"}, "topics": {"identification"}},
			} {
				if resp, body := lgPost(t, officer, base+"/localgov/records", v); resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("%s: record %s: %d %s", lang.tag, v.Get("kind"), resp.StatusCode, body)
				}
			}
			_, page = get(t, officer, base+"/localgov")
			if !strings.Contains(page, "Safe migration week "+lang.tag) || !strings.Contains(page, "Hari Sealedname") {
				t.Fatalf("%s: the records are not on the dashboard", lang.tag)
			}
			// A refused record: why, and nothing written.
			n := 0
			_ = db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM localgov_records`).Scan(&n)
			if resp, body := lgPost(t, officer, base+"/localgov/records", url.Values{"kind": {"training"}, "title": {"x"}, "category": {"astronauts"},
				"started_on": {"2026-04-01"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `role="alert"`) {
				t.Fatalf("%s: a refused record: %d", lang.tag, resp.StatusCode)
			}
			m := 0
			_ = db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM localgov_records`).Scan(&m)
			if m != n {
				t.Fatalf("%s: a refused record was written", lang.tag)
			}
			// The 3P self-assessment.
			v := url.Values{"year": {"2026"}}
			for _, q := range threep.Questions {
				v.Set("q."+q.Code, "yes")
			}
			v.Set("q.prosecution.institutions", "no")
			if resp, body := lgPost(t, officer, base+"/localgov/assessment", v); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: assessment %d %s", lang.tag, resp.StatusCode, body)
			}
			_, page = get(t, officer, base+"/localgov/assessment")
			if !strings.Contains(page, `class="threep-total">13<`) || !strings.Contains(page, `id="rec-prosecution.institutions"`) {
				t.Fatalf("%s: the assessment's result or its unmet recommendation is missing", lang.tag)
			}
			// Compare with two other cities of the demo.
			if resp, _ := lgPost(t, officer, base+"/cityshare/publish", nil); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: publish %d", lang.tag, resp.StatusCode)
			}
			var ub, kan string
			_ = db.R().QueryRowContext(ctx, `SELECT id FROM cityshare_profiles WHERE city='Ulaanbaatar'`).Scan(&ub)
			_ = db.R().QueryRowContext(ctx, `SELECT id FROM cityshare_profiles WHERE city='Kanchanaburi'`).Scan(&kan)
			resp, page = get(t, officer, base+"/cityshare/compare?p="+ub+"&p="+kan)
			if resp.StatusCode != 200 || !strings.Contains(page, "<svg") || !strings.Contains(page, "Ulaanbaatar") || !strings.Contains(page, "Kanchanaburi") {
				t.Fatalf("%s: comparison %d", lang.tag, resp.StatusCode)
			}
			practice := regexp.MustCompile(`id="practice-([0-9a-f]{32})"`).FindStringSubmatch(page)
			if practice == nil {
				t.Fatalf("%s: no peer practice to adopt", lang.tag)
			}
			resp, _ = lgPost(t, officer, base+"/cityshare/adopt", url.Values{"profile": {ub}, "practice": {practice[1]}, "objective": {"Learn from peers"},
				"owner": {"Social welfare"}, "deadline": {"2026-12-31"}, "indicator": {"LG-01"}, "baseline": {"0"}, "target": {"5"}})
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/localgov/plan#item-") {
				t.Fatalf("%s: adopt %d %q", lang.tag, resp.StatusCode, loc)
			}
			item := strings.TrimPrefix(loc, "/localgov/plan#item-")
			_, page = get(t, officer, base+"/localgov/plan")
			if !strings.Contains(page, lang.adopted) || !strings.Contains(page, `class="origin">Ulaanbaatar<`) {
				t.Fatalf("%s: the adopted activity does not say where it came from", lang.tag)
			}
			// Progress reaching the target: the activity is done and the
			// indicator moves.
			if resp, body := lgPost(t, officer, base+"/localgov/plan/items/"+item+"/progress", url.Values{"version": {"1"}, "value": {"5"},
				"evidence": {"Five ward meetings held"}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: progress %d %s", lang.tag, resp.StatusCode, body)
			}
			_, page = get(t, officer, base+"/localgov")
			after := indicatorValue.FindStringSubmatch(page)
			if after == nil || after[1] == before[1] {
				t.Fatalf("%s: LG-06 did not move: %v → %v", lang.tag, before, after)
			}
			_, page = get(t, officer, base+"/statistics/indicators")
			if after := indicatorValue.FindStringSubmatch(page); after == nil || after[1] == statsBefore[1] {
				t.Fatalf("%s: LG-06 did not move on the statistics page: %v → %v", lang.tag, statsBefore, after)
			}
		}
		// The signed profile document carries no name.
		var own string
		_ = db.R().QueryRowContext(ctx, `SELECT id FROM cityshare_profiles WHERE city='Pokhara' ORDER BY published_at DESC`).Scan(&own)
		resp, doc := get(t, officer, base+"/cityshare/profiles/"+own+"/document")
		if resp.StatusCode != 200 || !strings.Contains(doc, `"signature"`) || strings.Contains(doc, "Sealedname") {
			t.Fatalf("document: %d", resp.StatusCode)
		}
		// The API reads the same dashboard.
		resp, body := get(t, officer, base+"/api/v1/localgov")
		var m map[string]any
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &m) != nil || m["indicators"] == nil {
			t.Fatalf("api: %d %s", resp.StatusCode, body)
		}
		// Deny by default: a case worker reaches no local-government page,
		// the officer no case.
		cw := f.login(t, access.CaseWorker)
		for _, p := range []string{"/localgov", "/localgov/plan", "/cityshare"} {
			if resp, _ := get(t, cw, base+p); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("case worker %s: %d", p, resp.StatusCode)
			}
		}
		for _, p := range []string{"/cases", "/referrals", "/queue"} {
			if resp, _ := get(t, officer, base+p); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("officer %s: %d", p, resp.StatusCode)
			}
		}
		// An analyst reads the dashboard without the names.
		_, page := get(t, f.login(t, access.Analyst), base+"/localgov")
		if strings.Contains(page, "Sealedname") || !strings.Contains(page, "ind-LG-01") {
			t.Fatal("the analyst's dashboard shows a name or no indicators")
		}
	})
}

// TestLocalGovernmentPartner: the officer invites a shelter's staff
// member to one named activity from the plan page; the partner's page
// lists that activity and no other, the partner records progress and
// evidence on it, and everything else of the local government stays
// closed to the partner: another activity (404, nothing written), the
// officer's progress route, the dashboard, the plan, the records, the
// assessment, CityShare and the API. A refused invitation says why and
// writes nothing.
func TestLocalGovernmentPartner(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := lgFixture(t, db)
		ctx := context.Background()
		base := f.srv.URL
		officer := f.login(t, access.LocalGovOfficer)
		partner := f.login(t, access.ShelterStaff)
		ou := f.user(t, access.LocalGovOfficer)
		var named, other, otherTitle string
		rows := func(q string) int {
			var n int
			if err := db.R().QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// The demo already invited the shelter's staff to one activity;
		// the test invites it to another and keeps a third out of reach.
		free := `SELECT id, title FROM localgov_plan_items i WHERE agency_id=$1 AND status='open' AND id<>$2
			AND NOT EXISTS (SELECT 1 FROM localgov_partners p WHERE p.item_id = i.id) ORDER BY deadline DESC, id LIMIT 1`
		var ignored string
		if err := db.R().QueryRowContext(ctx, free, ou.AgencyID, "").Scan(&named, &ignored); err != nil {
			t.Fatal(err)
		}
		if err := db.R().QueryRowContext(ctx, free, ou.AgencyID, named).Scan(&other, &otherTitle); err != nil {
			t.Fatal(err)
		}
		initial := rows(`SELECT COUNT(*) FROM localgov_partners`)
		// Refused: no such user; nothing written.
		resp, body := lgPost(t, officer, base+"/localgov/plan/items/"+named+"/partners", url.Values{"username": {"no.such.user"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `role="alert"`) || rows(`SELECT COUNT(*) FROM localgov_partners`) != initial {
			t.Fatalf("an unknown partner: %d", resp.StatusCode)
		}
		resp, _ = lgPost(t, officer, base+"/localgov/plan/items/"+named+"/partners", url.Values{"username": {f.creds[access.ShelterStaff].Username}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/localgov/plan#item-"+named {
			t.Fatalf("invite: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, page := get(t, officer, base+"/localgov/plan"); !strings.Contains(page, `class="hint partners"`) {
			t.Fatal("the plan does not say a partner was invited")
		}
		// The partner sees the named activity and nothing else of the plan.
		resp, page := get(t, partner, base+"/localgov/contributions")
		if resp.StatusCode != 200 || !strings.Contains(page, `id="item-`+named+`"`) || strings.Contains(page, other) || strings.Contains(page, otherTitle) {
			t.Fatalf("the partner's page: %d", resp.StatusCode)
		}
		version := regexp.MustCompile(`(?s)id="form-contribute-` + named + `".*?name="version" value="(\d+)"`).FindStringSubmatch(page)
		if version == nil {
			t.Fatal("no contribution form")
		}
		before := rows(`SELECT COUNT(*) FROM localgov_progress`)
		resp, _ = lgPost(t, partner, base+"/localgov/contributions/"+named, url.Values{"version": {version[1]}, "value": {"2"}, "evidence": {"Two shelter beds opened"}})
		if resp.StatusCode != http.StatusSeeOther || rows(`SELECT COUNT(*) FROM localgov_progress`) != before+1 {
			t.Fatalf("contribute: %d", resp.StatusCode)
		}
		if _, page := get(t, partner, base+"/localgov/contributions"); !strings.Contains(page, "Two shelter beds opened") {
			t.Fatal("the partner's evidence is not shown")
		}
		// Nothing else.
		if resp, _ := lgPost(t, partner, base+"/localgov/contributions/"+other, url.Values{"version": {"1"}, "value": {"9"}, "evidence": {"x"}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another activity: %d", resp.StatusCode)
		}
		if resp, _ := lgPost(t, partner, base+"/localgov/plan/items/"+named+"/progress", url.Values{"version": {"9"}, "value": {"9"}, "evidence": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("the officer's progress route: %d", resp.StatusCode)
		}
		if resp, _ := lgPost(t, partner, base+"/localgov/plan/items/"+named+"/partners", url.Values{"username": {"demo.case_worker"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a partner invites: %d", resp.StatusCode)
		}
		for _, p := range []string{"/localgov", "/localgov/plan", "/localgov/assessment", "/cityshare", "/api/v1/localgov"} {
			if resp, _ := get(t, partner, base+p); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("partner %s: %d", p, resp.StatusCode)
			}
		}
		if rows(`SELECT COUNT(*) FROM localgov_progress`) != before+1 {
			t.Fatal("a refused request wrote progress")
		}
		// Someone not invited sees no activity.
		if _, page := get(t, f.login(t, access.CaseWorker), base+"/localgov/contributions"); strings.Contains(page, `id="item-`) {
			t.Fatal("a user who was not invited sees an activity")
		}
	})
}

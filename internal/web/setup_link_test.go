package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/services"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
	"github.com/haven-nrm/haven/internal/web"
)

// emptyInstance serves an empty, migrated database, as `haven serve` does
// before `haven init`.
func emptyInstance(t *testing.T, db *store.DB) (*httptest.Server, *services.Set) {
	t.Helper()
	return serveServices(t, services.Options{DB: db})
}

// serveServices serves the services built from o, with the default
// configuration and a new keyring, until the test ends.
func serveServices(t *testing.T, o services.Options) (*httptest.Server, *services.Set) {
	t.Helper()
	var err error
	if o.Keys, err = seal.NewKeyring(); err != nil {
		t.Fatal(err)
	}
	o.Config = config.Defaults()
	svc, err := services.New(o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Deps{Config: o.Config, Services: svc, I18n: b, Version: "test", RateLimit: web.RateLimit{PerSecond: 1e6, Burst: 1e6}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, svc
}

// TestSetupLinkChoosesPasswordThenSecondFactor: the link `haven init`
// prints opens a page that asks the first administrator to choose a
// password (the policy applies, a refusal spends nothing) and leads to
// the second-factor set-up; the link then works no more (issue 12).
func TestSetupLinkChoosesPasswordThenSecondFactor(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ts, svc := emptyInstance(t, db)
		_, link, err := svc.Admin.Init(context.Background(), admin.InitInput{Country: "TH", TimeZone: "Asia/Bangkok", Username: "root", DisplayName: "Root"},
			notify.NewMailer(notify.Config{}), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, body := get(t, c, ts.URL+link.Path())
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="new"`) || !strings.Contains(body, `name="confirm"`) || strings.Contains(body, `name="password"`) {
			t.Fatalf("setup link page: %d\n%s", resp.StatusCode, body)
		}
		post := func(v url.Values) *http.Response {
			t.Helper()
			resp, err := c.PostForm(ts.URL+link.Path(), v)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		if r := post(url.Values{"new": {"short"}, "confirm": {"short"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("short password: %d, want 400", r.StatusCode)
		}
		pw := auth.NewToken()[:20]
		if r := post(url.Values{"new": {pw}, "confirm": {pw}}); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/mfa/enrol" {
			t.Fatalf("good password: %d %s, want the second-factor set-up", r.StatusCode, r.Header.Get("Location"))
		}
		if resp, _ := get(t, c, ts.URL+"/mfa/enrol"); resp.StatusCode != http.StatusOK {
			t.Errorf("set-up page after the link: %d", resp.StatusCode)
		}
		if resp, _ := get(t, c, ts.URL+link.Path()); resp.StatusCode != http.StatusNotFound {
			t.Errorf("spent link: %d, want 404", resp.StatusCode)
		}
	})
}

// TestAdminPages drives the administration pages: the system
// administrator adds and changes a jurisdiction and an agency; an agency
// administrator invites a user of their own agency (the one-time link is
// shown once) and cannot touch another agency's account, which answers as
// if it did not exist (issue 12).
func TestAdminPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		sys := f.login(t, access.SystemAdmin)
		// The first-run guide: the demo has no holidays loaded yet.
		if resp, body := get(t, sys, f.srv.URL+"/admin"); resp.StatusCode != 200 || !strings.Contains(body, `id="setup-guide"`) {
			t.Errorf("system administrator's admin page: %d, no set-up guide", resp.StatusCode)
		}
		if resp, body := get(t, sys, f.srv.URL+"/admin/jurisdictions"); resp.StatusCode != 200 || !strings.Contains(body, `action="/admin/jurisdictions"`) {
			t.Fatalf("jurisdictions page: %d", resp.StatusCode)
		}
		if resp, _ := f.post(t, sys, "/admin/jurisdictions", url.Values{"code": {"NP-T1"}, "country": {"NP"}, "name": {"Test Province"}, "time_zone": {"Mars/Base"}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("bad zone: %d, want 422", resp.StatusCode)
		}
		if resp, _ := f.post(t, sys, "/admin/jurisdictions", url.Values{"code": {"NP-T1"}, "country": {"NP"}, "name": {"Test Province"}, "time_zone": {"Asia/Kathmandu"},
			"rg_working_days": {"7"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add jurisdiction: %d", resp.StatusCode)
		}
		resp, body := get(t, sys, f.srv.URL+"/admin/jurisdictions/NP-T1")
		if resp.StatusCode != 200 || !strings.Contains(body, `name="version" value="1"`) || !strings.Contains(body, `value="7"`) {
			t.Fatalf("edit page: %d", resp.StatusCode)
		}
		if resp, _ := f.post(t, sys, "/admin/jurisdictions/NP-T1", url.Values{"version": {"1"}, "name": {"Test Province"}, "time_zone": {"Asia/Kathmandu"}, "negative_rg_review": {"no"}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("update: %d", resp.StatusCode)
		}
		if resp, _ := f.post(t, sys, "/admin/jurisdictions/NP-T1", url.Values{"version": {"1"}, "time_zone": {"Asia/Kathmandu"}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("stale update: %d, want 422", resp.StatusCode)
		}
		if resp, _ := f.post(t, sys, "/admin/agencies", url.Values{"jurisdiction": {"NP-T1"}, "kind": {"police"}, "name": {"Test Police"}, "name_ne": {"परीक्षण प्रहरी"},
			"designations": {"police"}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("add agency: %d", resp.StatusCode)
		}
		if _, body := get(t, sys, f.srv.URL+"/admin/agencies"); !strings.Contains(body, "परीक्षण प्रहरी") {
			t.Error("the agency's Nepali name is not listed")
		}

		aa := f.login(t, access.AgencyAdmin)
		if _, body := get(t, aa, f.srv.URL+"/admin"); strings.Contains(body, `id="setup-guide"`) {
			t.Error("an agency administrator sees the set-up guide")
		}
		// Agency administrators do not keep jurisdictions or agencies.
		if resp, _ := f.post(t, aa, "/admin/jurisdictions", url.Values{"code": {"NP-T2"}, "country": {"NP"}, "time_zone": {"Asia/Kathmandu"}}); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden {
			t.Errorf("agency admin adds a jurisdiction: %d", resp.StatusCode)
		}
		resp, body = f.post(t, aa, "/admin/users", url.Values{"username": {"new.worker"}, "display_name": {"New Worker"}, "role": {"case_worker"}})
		if resp.StatusCode != 200 || !strings.Contains(body, `id="issued-link"`) || !strings.Contains(body, "/enrol/") {
			t.Fatalf("invite: %d", resp.StatusCode)
		}
		police := f.user(t, access.PoliceInvestigator)
		for _, action := range []string{"disable", "reset-mfa"} {
			if resp, _ := f.post(t, aa, "/admin/users/"+police.ID+"/"+action, url.Values{}); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s another agency's user: %d, want 404", action, resp.StatusCode)
			}
		}
		if resp, _ := f.post(t, aa, "/admin/users/"+police.ID+"/role", url.Values{"role": {"analyst"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("role of another agency's user: %d, want 404", resp.StatusCode)
		}
		if u, _ := f.db.UserByID(ctx, police.ID); u.Disabled || u.Role != police.Role {
			t.Errorf("another agency's user changed: %+v", u)
		}
		invited, err := f.db.UserByUsername(ctx, "new.worker")
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := f.post(t, aa, "/admin/users/"+invited.ID+"/disable", url.Values{}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("disable own agency's user: %d", resp.StatusCode)
		}
		if u, _ := f.db.UserByID(ctx, invited.ID); !u.Disabled {
			t.Error("own agency's user not disabled")
		}
	})
}

// TestAdminAPI: the administration's JSON API answers through the same
// service and access decisions as the pages (issue 12).
func TestAdminAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		token := func(role access.Role) string {
			u := f.user(t, role)
			tok, err := f.web.IssueTokenForTest(ctx, f.db, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		call := func(tok, method, path, body string) (int, string) {
			t.Helper()
			resp, b := send(t, http.DefaultClient, method, f.srv.URL+path, body, bearer(tok, body)...)
			return resp.StatusCode, b
		}
		sys, aa := token(access.SystemAdmin), token(access.AgencyAdmin)
		if st, body := call(sys, "POST", "/api/v1/jurisdictions", `{"code":"KR-T1","country":"KR","name":"Test","time_zone":"Asia/Seoul","rg_working_days":"4"}`); st != http.StatusCreated || !strings.Contains(body, `"rg_working_days": 4`) {
			t.Fatalf("create: %d %s", st, body)
		}
		if st, _ := call(sys, "POST", "/api/v1/jurisdictions", `{"code":"KR-T2","country":"KR","time_zone":"Asia/Seoul","admin":true}`); st != http.StatusBadRequest {
			t.Errorf("unknown member: %d, want 400", st)
		}
		if st, body := call(sys, "POST", "/api/v1/jurisdictions/KR-T1", `{"negative_rg_review":"no"}`); st != http.StatusOK || !strings.Contains(body, `"negative_rg_review": false`) || !strings.Contains(body, `"rg_working_days": 4`) {
			t.Errorf("update: %d %s", st, body)
		}
		if st, body := call(sys, "GET", "/api/v1/jurisdictions", ""); st != 200 || !strings.Contains(body, `"KR-T1"`) {
			t.Errorf("list: %d", st)
		}
		if st, body := call(sys, "POST", "/api/v1/agencies", `{"jurisdiction":"KR-T1","kind":"police","name":"Test Police","names":{"ko":"시험 경찰"},"designations":["police"]}`); st != http.StatusCreated || !strings.Contains(body, "시험 경찰") {
			t.Errorf("agency: %d %s", st, body)
		}
		if st, _ := call(aa, "POST", "/api/v1/jurisdictions", `{"code":"KR-T3","country":"KR","time_zone":"Asia/Seoul"}`); st != http.StatusForbidden && st != http.StatusNotFound {
			t.Errorf("agency admin creates a jurisdiction: %d", st)
		}
		if st, body := call(aa, "POST", "/api/v1/users", `{"username":"api.invitee","display_name":"API Invitee","role":"case_worker"}`); st != http.StatusCreated || !strings.Contains(body, "/enrol/") {
			t.Errorf("invite: %d %s", st, body)
		}
	})
}

package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/services"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
	"github.com/haven-nrm/haven/internal/web"
)

var cheap = auth.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

type fixture struct {
	srv   *httptest.Server
	db    *store.DB
	keys  *seal.Keyring
	creds map[access.Role]demo.Credential
	web   *web.Server
}

// serverFor builds the services over db and keys with d's configuration,
// clock and logger, as haven serve does, then the server.
func serverFor(db *store.DB, keys *seal.Keyring, d web.Deps) (*web.Server, error) {
	var fed *federation.Identity
	if d.Config.TRM() {
		var err error
		if fed, err = federation.NewIdentity(time.Now()); err != nil {
			return nil, err
		}
	}
	svc, err := services.New(services.Options{Config: d.Config, DB: db, Keys: keys, Now: d.Now, Logger: d.Logger, Federation: fed})
	if err != nil {
		return nil, err
	}
	d.Services = svc
	return web.New(d)
}

// eachEngine runs fn on every database engine, each time against a new
// demo fixture.
func eachEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) { fn(t, newFixture(t, db)) })
}

// sqliteFixture is a demo fixture on a new SQLite database, for a test
// that needs one engine only.
func sqliteFixture(t *testing.T) *fixture {
	return newFixture(t, testenv.OpenMigrated(t, testenv.FreshSQLite(t)))
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	return buildFixture(t, db, fixtureOptions{seed: 7, cases: 120, adjust: func(c *config.Config) {
		c.Demo = true
		c.MFAOptional = true // as haven demo sets it
		c.Country = "NP"     // the TRM's routes answer for real
	}})
}

// fixtureOptions vary the server a fixture builds.
type fixtureOptions struct {
	seed   uint64
	cases  int
	adjust func(*config.Config)
	now    func() time.Time
	keys   *seal.Keyring
}

// buildFixture fills db with demo data and serves it with a real keyring.
func buildFixture(t *testing.T, db *store.DB, o fixtureOptions) *fixture {
	t.Helper()
	res, err := demo.Generate(context.Background(), db, demo.Options{Seed: o.seed, Cases: o.cases, PasswordParams: &cheap})
	if err != nil {
		t.Fatal(err)
	}
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	if o.adjust != nil {
		o.adjust(&cfg)
	}
	if o.keys == nil {
		if o.keys, err = seal.NewKeyring(); err != nil {
			t.Fatal(err)
		}
	}
	s, err := serverFor(db, o.keys, web.Deps{Config: cfg, I18n: b.EnablePseudo(), Version: "test", Now: o.now,
		RateLimit: web.RateLimit{PerSecond: 1e6, Burst: 1e6}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	f := &fixture{srv: ts, db: db, keys: o.keys, creds: map[access.Role]demo.Credential{}, web: s}
	for _, c := range res.Credentials {
		f.creds[c.Role] = c
	}
	return f
}

// client returns an HTTP client that keeps cookies and does not follow
// redirects, so tests see them.
func (f *fixture) client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// user is the stored account of the demo user of role.
func (f *fixture) user(t *testing.T, role access.Role) store.User {
	t.Helper()
	u, err := f.db.UserByUsername(t.Context(), f.creds[role].Username)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// post sends form to path on the fixture's server as a form would.
func (f *fixture) post(t *testing.T, c *http.Client, path string, form url.Values, hdr ...string) (*http.Response, string) {
	t.Helper()
	return send(t, c, "POST", f.srv.URL+path, form.Encode(), append(formHeader, hdr...)...)
}

// get fetches path from the fixture's server.
func (f *fixture) get(t *testing.T, c *http.Client, path string, hdr ...string) (*http.Response, string) {
	t.Helper()
	return get(t, c, f.srv.URL+path, hdr...)
}

// refer has the demo first responder refer a person through the API and
// returns the new case's id.
func (f *fixture) refer(t *testing.T, referral string) (caseID string) {
	t.Helper()
	st, out := postJSON(t, f.login(t, access.FirstResponder), f.srv.URL+"/api/v1/referrals", referral)
	if st != http.StatusCreated {
		t.Fatalf("referral: %d %v", st, out)
	}
	return out["case_id"].(string)
}

// principal is the demo user of role as the services see it.
func (f *fixture) principal(t *testing.T, role access.Role) access.Principal {
	t.Helper()
	u := f.user(t, role)
	return access.Principal{UserID: u.ID, Role: role, AgencyID: u.AgencyID, JurisdictionID: u.JurisdictionID}
}

func (f *fixture) login(t *testing.T, role access.Role) *http.Client {
	t.Helper()
	c := f.client(t)
	cr := f.creds[role]
	resp, err := c.PostForm(f.srv.URL+"/login", url.Values{"username": {cr.Username}, "password": {cr.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d", role, resp.StatusCode)
	}
	return c
}

func get(t *testing.T, c *http.Client, u string, hdr ...string) (*http.Response, string) {
	t.Helper()
	return send(t, c, "GET", u, "", hdr...)
}

// send makes one request with body (none when empty) and header
// name/value pairs hdr, and returns the response with its body read.
func send(t *testing.T, c *http.Client, method, u, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// bearer is the header pairs of an API call with token, and a JSON body
// when there is one.
func bearer(token, body string) []string {
	h := []string{"Authorization", "Bearer " + token}
	if body != "" {
		h = append(h, "Content-Type", "application/json")
	}
	return h
}

// formHeader is the header pair of a form post.
var formHeader = []string{"Content-Type", "application/x-www-form-urlencoded"}

var missingKey = regexp.MustCompile(`⟦[^⟧]*⟧`)

func TestPagesForEveryRoleAndLanguage(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		pages := []string{"/", "/referrals", "/cases", "/screening", "/services", "/statistics", "/admin", "/admin/jurisdictions", "/admin/agencies", "/admin/users"}
		for _, role := range access.Roles {
			c := f.login(t, role)
			for _, lang := range []string{"en", "ko", "th", "mn", "ne", "ar-XB"} {
				for _, p := range pages {
					resp, body := get(t, c, f.srv.URL+p, "Accept-Language", lang)
					if resp.StatusCode != 200 && resp.StatusCode != 403 {
						t.Errorf("%s %s %s: status %d", role, lang, p, resp.StatusCode)
					}
					if m := missingKey.FindString(body); m != "" {
						t.Errorf("%s %s %s: untranslated key %s", role, lang, p, m)
					}
					if !strings.Contains(body, `lang="`+lang+`"`) {
						t.Errorf("%s %s %s: page not in the asked language", role, lang, p)
					}
					if lang == "ar-XB" && !strings.Contains(body, `dir="rtl"`) {
						t.Errorf("%s: pseudo-RTL page lacks dir=rtl", p)
					}
					if !strings.Contains(body, "demo-banner") {
						t.Errorf("%s: no demo banner", p)
					}
					if resp.Header.Get("Cache-Control") != "no-store" {
						t.Errorf("%s: Cache-Control %q", p, resp.Header.Get("Cache-Control"))
					}
				}
			}
		}
	})
}

func TestAccessFollowsPolicy(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		// Anonymous visitors are sent to sign in.
		resp, _ := get(t, f.client(t), f.srv.URL+"/cases")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("anonymous /cases: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		for _, rt := range f.web.Routes() {
			if !access.Known(rt.Action) {
				t.Errorf("route %s has no policy", rt.Pattern)
			}
		}
		an := f.login(t, access.Analyst)
		if resp, _ := get(t, an, f.srv.URL+"/cases"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("analyst /cases: %d, want 403 (aggregates only)", resp.StatusCode)
		}
		cw := f.login(t, access.CaseWorker)
		_, body := get(t, cw, f.srv.URL+"/cases")
		ids := regexp.MustCompile(`/cases/([0-9a-f]{32})`).FindAllStringSubmatch(body, -1)
		if len(ids) == 0 {
			t.Fatal("case worker sees no cases")
		}
		if resp, _ := get(t, cw, f.srv.URL+"/cases/"+ids[0][1]); resp.StatusCode != 200 {
			t.Fatalf("own case: %d", resp.StatusCode)
		}
		// A case of another agency is indistinguishable from a missing one.
		all, _ := f.db.Cases(context.Background(), store.CaseFilter{Limit: 500})
		u := f.user(t, access.CaseWorker)
		for _, c := range all {
			if c.AgencyID != u.AgencyID {
				if resp, _ := get(t, cw, f.srv.URL+"/cases/"+c.ID); resp.StatusCode != 404 {
					t.Fatalf("other agency's case: %d, want 404", resp.StatusCode)
				}
				break
			}
		}
	})
}

func TestLoginDoesNotRevealAccounts(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		post := func(user, pw string) (int, string) {
			resp, err := f.client(t).PostForm(f.srv.URL+"/login", url.Values{"username": {user}, "password": {pw}})
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, regexp.MustCompile(`(?s)<main.*</main>`).FindString(string(b))
		}
		s1, b1 := post("demo.case_worker", "wrong password")
		s2, b2 := post("nobody.at.all", "wrong password")
		if s1 != 401 || s2 != 401 {
			t.Fatalf("statuses %d %d, want 401", s1, s2)
		}
		b2 = strings.Replace(b2, "nobody.at.all", "demo.case_worker", 1)
		if b1 != b2 {
			t.Fatalf("unknown user and wrong password answer differently:\n%s\n---\n%s", b1, b2)
		}
	})
}

func TestSessionLifecycle(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		c := f.login(t, access.CaseWorker)
		u, _ := url.Parse(f.srv.URL)
		first := c.Jar.Cookies(u)[0].Value
		// Signing in again gives a new session id.
		cr := f.creds[access.CaseWorker]
		resp, _ := c.PostForm(f.srv.URL+"/login", url.Values{"username": {cr.Username}, "password": {cr.Password}})
		resp.Body.Close()
		second := c.Jar.Cookies(u)[0].Value
		if first == second {
			t.Fatal("session id not rotated at sign-in")
		}
		if _, err := f.db.SessionByToken(context.Background(), first); err == nil {
			t.Fatal("old session still valid after a new sign-in")
		}
		resp, _ = c.PostForm(f.srv.URL+"/logout", nil)
		resp.Body.Close()
		if resp, _ := get(t, c, f.srv.URL+"/"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("after sign-out: %d, want redirect to sign in", resp.StatusCode)
		}
		if _, err := f.db.SessionByToken(context.Background(), second); err == nil {
			t.Fatal("session survives sign-out")
		}
	})
}

func TestLanguageSwitchIsRemembered(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		c := f.login(t, access.FirstResponder)
		resp, err := c.PostForm(f.srv.URL+"/language", url.Values{"lang": {"ne"}, "return": {"/cases"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cases" {
			t.Fatalf("switch: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		u := f.user(t, access.FirstResponder)
		if u.Language != "ne" {
			t.Fatalf("user language %q, want ne", u.Language)
		}
		// A fresh sign-in from another browser gets the user's language.
		c2 := f.login(t, access.FirstResponder)
		_, body := get(t, c2, f.srv.URL+"/", "Accept-Language", "ko")
		if !strings.Contains(body, `lang="ne"`) {
			t.Fatal("the user's language does not win over the browser's")
		}
		// Unsupported languages and foreign return addresses are refused.
		resp, _ = c.PostForm(f.srv.URL+"/language", url.Values{"lang": {"xx"}})
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("unsupported language: %d", resp.StatusCode)
		}
		resp, _ = c.PostForm(f.srv.URL+"/language", url.Values{"lang": {"en"}, "return": {"//evil.example/"}})
		resp.Body.Close()
		if resp.Header.Get("Location") != "/" {
			t.Fatalf("open redirect: %s", resp.Header.Get("Location"))
		}
	})
}

func TestHardening(t *testing.T) {
	f := sqliteFixture(t)
	c := f.client(t)
	resp, body := get(t, c, f.srv.URL+"/login")
	h := resp.Header
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
		if h.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, h.Get(k), v)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "style=") {
		t.Error("inline script or style in a page")
	}
	// Cross-origin form posts are refused.
	req, _ := http.NewRequest("POST", f.srv.URL+"/login", strings.NewReader("username=a&password=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d, want 403", resp.StatusCode)
	}
	// Oversized bodies are refused.
	big := strings.NewReader("username=" + strings.Repeat("a", 2<<20))
	resp, err = c.Post(f.srv.URL+"/login", "application/x-www-form-urlencoded", big)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge && resp.StatusCode != http.StatusBadRequest {
		t.Errorf("oversized body: %d", resp.StatusCode)
	}
	// Unknown pages get the generic page, not a stack or a path echo.
	resp, body = get(t, c, f.srv.URL+"/no/such/<script>page")
	if resp.StatusCode != 404 || strings.Contains(body, "<script>page") {
		t.Errorf("404 page: %d", resp.StatusCode)
	}
	// Floods are slowed down.
	limited := web.RateLimit{PerSecond: 1, Burst: 3}
	ls, _ := serverFor(f.db, f.keys, web.Deps{Config: config.Defaults(), I18n: f.web.I18n, RateLimit: limited})
	lts := httptest.NewServer(ls.Handler())
	defer lts.Close()
	codes := map[int]int{}
	for i := 0; i < 6; i++ {
		resp, _ := get(t, c, lts.URL+"/login")
		codes[resp.StatusCode]++
	}
	if codes[429] == 0 || codes[200] == 0 {
		t.Errorf("rate limit: statuses %v, want some 200 then 429", codes)
	}
	// Health and readiness.
	if resp, _ := get(t, c, f.srv.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz %d", resp.StatusCode)
	}
	if resp, body := get(t, c, f.srv.URL+"/readyz"); resp.StatusCode != 200 || !strings.Contains(body, "ready") {
		t.Errorf("readyz %d %s", resp.StatusCode, body)
	}
	// Metrics: route patterns, never paths or users.
	_, metrics := get(t, c, f.srv.URL+"/metrics")
	if !strings.Contains(metrics, `haven_http_requests_total{method="GET",route="GET /login",status="200"}`) {
		t.Errorf("metrics lack the login route:\n%.2000s", metrics)
	}
	if strings.Contains(metrics, "/no/such") || strings.Contains(metrics, "demo.") {
		t.Error("metrics carry a path or a username")
	}
}

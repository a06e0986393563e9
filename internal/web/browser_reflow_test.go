package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/web"
)

// languages are the five locales every page is checked in.
var languages = []string{"en", "ko", "th", "mn", "ne"}

// notPages are GET routes of the route table that are not pages a person
// reads: probes, metrics, files and downloads, and the two second-factor
// steps reached only half-way through a sign-in (their forms are the
// narrow .stack pattern the login page shares).
var notPages = map[string]string{
	"GET /healthz":      "probe",
	"GET /readyz":       "probe",
	"GET /metrics":      "metrics",
	"GET /static/":      "files",
	"GET /cases/export": "download",
	"GET /mfa/verify":   "mid sign-in",
	"GET /mfa/enrol":    "mid sign-in",
	// A release's data are files; a release's page is checked at 360 px
	// by TestBrowserStatisticsAt360 (this fixture publishes none).
	"GET /releases/{id}":           "checked with a release by TestBrowserStatisticsAt360",
	"GET /releases/{id}/data.json": "download",
	"GET /releases/{id}/data.csv":  "download",
	"GET /.well-known/haven-trm":   "federation document (JSON)",
	"GET /sso/{id}/start":          "redirect to an identity provider",
	"GET /sso/callback":            "redirect from an identity provider",
}

// reflowRoles are tried in this order; a route is checked as the first
// role allowed on it.
var reflowRoles = []access.Role{access.CompetentAuthority, access.CaseWorker, access.FirstResponder,
	access.SystemAdmin, access.AgencyAdmin, access.PoliceInvestigator, access.Prosecutor,
	access.ShelterStaff, access.ServiceProvider, access.Analyst}

// TestBrowserNoSidewaysScrollAt360 loads every GET page of the route table
// on a 360 px wide phone in each of the five languages, as the first role
// allowed on it, and asserts that the page is no wider than the viewport
// (WCAG 1.4.10 Reflow). It logs the height of the pages the redesign
// measures.
func TestBrowserNoSidewaysScrollAt360(t *testing.T) {
	ctx := browser(t)
	f := sqliteFixture(t)
	viewport(t, ctx, 360, 740)
	measure := func(name string) {
		t.Helper()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](`(() => {
			const vw = window.innerWidth;
			const sw = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
			const wide = [];
			if (sw > vw) {
				for (const e of document.querySelectorAll('body *')) {
					const r = e.getBoundingClientRect();
					if (r.right > vw + 0.5 || r.left < -0.5) {
						wide.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/\s+/g, '.') : '') + ' ' + Math.round(r.width));
						if (wide.length > 6) break;
					}
				}
			}
			return [vw, sw, document.documentElement.scrollHeight, wide.join(', ')];
		})()`))
		if err != nil {
			t.Fatalf("%s: measure: %v", name, err)
		}
		vw, sw := raw[0].(float64), raw[1].(float64)
		if sw > vw {
			t.Errorf("%s: %v px wide at a %v px viewport; overflowing: %v", name, sw, vw, raw[3])
		}
		if measured.MatchString(name) {
			t.Logf("%s: height %v px", name, raw[2])
			screenshots(t, ctx, name)
		}
	}
	n := eachPage(t, ctx, f, func(string) []string { return languages }, func(lang, pattern, path string) {
		measure(lang + " " + path)
	})
	t.Logf("%d pages checked in %d languages", n, len(languages))
}

// eachPage visits every GET page of the route table (notPages apart), as
// the first role allowed on it (reflowRoles), in the languages langs
// names for it, and calls check on each once it is loaded: the pages for
// anyone first, then each role's. It fails on a page it could not reach
// and returns how many routes it visited.
func eachPage(t *testing.T, ctx context.Context, f *fixture, langs func(pattern string) []string, check func(lang, pattern, path string)) int {
	t.Helper()
	var pages []web.Route
	for _, rt := range f.web.Routes() {
		if rt.API || !strings.HasPrefix(rt.Pattern, "GET ") {
			continue
		}
		if _, skip := notPages[rt.Pattern]; skip {
			continue
		}
		pages = append(pages, rt)
	}
	checked := map[string]bool{}
	visit := func(lang, pattern, path string) {
		t.Helper()
		if !slices.Contains(langs(pattern), lang) {
			return
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+path)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		if err != nil || got != lang {
			t.Fatalf("%s in %s: page language %q (%v)", path, lang, got, err)
		}
		check(lang, pattern, path)
		checked[pattern] = true
	}
	// A referral, so that the referral page has one to show.
	f.refer(t, `{"sector":"labour_inspection","age":33,
		"languages":["ne"],"exploitation":"labour","acts":["recruitment"],"means":["deception"],"purposes":["forced_labour"],
		"consent":"given","consent_language":"ne","identity":{"given_name":"Wide","family_name":"Enough"}}`)
	// Pages for anyone: sign-in and an enrolment link.
	cw := f.user(t, access.CaseWorker)
	tok, err := f.web.IssueEnrolLinkForTest(context.Background(), f.db, cw.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/login")); err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		switchLanguage(t, ctx, lang)
		visit(lang, "GET /login", "/login")
		visit(lang, "GET /enrol/{token}", "/enrol/"+tok)
		visit(lang, "GET /releases", "/releases")
	}
	agencies, err := f.db.Agencies(context.Background())
	if err != nil || len(agencies) == 0 {
		t.Fatalf("agencies: %v", err)
	}
	jurisdictions, err := f.db.Jurisdictions(context.Background())
	if err != nil || len(jurisdictions) == 0 {
		t.Fatalf("jurisdictions: %v", err)
	}

	for _, role := range reflowRoles {
		var mine []web.Route
		for _, rt := range pages {
			ru, _ := access.Describe(rt.Action)
			if checked[rt.Pattern] || ru.Anonymous || (ru.Roles != nil && !slices.Contains(ru.Roles, role)) {
				continue
			}
			mine = append(mine, rt)
		}
		if len(mine) == 0 {
			continue
		}
		signIn(t, ctx, f, role)
		caseID := firstLink(t, ctx, f, "/cases", `^/cases/([^/]+)$`)
		referralID := firstLink(t, ctx, f, "/referrals", `^/referrals/([^/]+)$`)
		for _, lang := range languages {
			switchLanguage(t, ctx, lang)
			for _, rt := range mine {
				path := strings.TrimPrefix(rt.Pattern, "GET ")
				if strings.Contains(path, "{id}") {
					id := caseID
					if strings.HasPrefix(path, "/referrals/") {
						id = referralID
					}
					if strings.HasPrefix(path, "/admin/agencies/") {
						id = agencies[0].ID
					}
					if id == "" {
						continue
					}
					path = strings.ReplaceAll(path, "{id}", id)
				}
				// A jurisdiction's settings and calendar (with the
				// demo's holidays).
				path = strings.ReplaceAll(path, "{code}", jurisdictions[0].Code)
				visit(lang, rt.Pattern, strings.TrimSuffix(path, "{$}"))
			}
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/"), chromedp.Evaluate[chromedp.Void](`document.querySelector('form.session').submit()`), chromedp.WaitVisible(chromedp.ID("username"))); err != nil {
			t.Fatal(err)
		}
	}
	for _, rt := range pages {
		if !checked[rt.Pattern] {
			t.Errorf("page %s was not checked", rt.Pattern)
		}
	}
	return len(checked)
}

// screenshots keeps a page as a phone (360 px) and a desk (1280 px) show
// it, in the artifacts folder CI keeps (screens/).
func screenshots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := filepath.Join(artifacts(t), "screens")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := strings.NewReplacer(" /", "-", "/", "_").Replace(name)
	if len(file) > 60 {
		file = file[:60]
	}
	for _, w := range []int64{360, 1280} {
		viewport(t, ctx, w, 740)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
		if err != nil {
			t.Fatalf("%s: screenshot: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.jpg", file, w)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	viewport(t, ctx, 360, 740)
}

// measured are the pages whose height the redesign reports.
var measured = regexp.MustCompile(` /(referrals/new|queue|cases|cases/[^/]+)$`)

// firstLink opens list and returns the id in its first link matching re,
// or "" when the list has none.
func firstLink(t *testing.T, ctx context.Context, f *fixture, list, re string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+list)); err != nil {
		t.Fatal(err)
	}
	hrefs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('main a[href]')).map(a => a.getAttribute('href'))`))
	if err != nil {
		t.Fatal(err)
	}
	rx := regexp.MustCompile(re)
	for _, h := range hrefs {
		if m := rx.FindStringSubmatch(h); m != nil && m[1] != "new" && m[1] != "export" && m[1] != "prompt-sheet" {
			return m[1]
		}
	}
	return ""
}

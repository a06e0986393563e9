package web_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/testenv"
)

//go:embed testdata/axe/axe.min.js
var axeSource string

// browser starts headless Chromium, or skips (fails in CI) when none is
// configured.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv(testenv.EnvBrowser)
	if path == "" {
		testenv.SkipOrFail(t, "browser", testenv.EnvBrowser+" is not set")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	testenv.Ran(t, "browser")
	return ctx
}

// artifacts is where screenshots go: HAVEN_TEST_ARTIFACTS in CI, else a
// temporary folder.
func artifacts(t *testing.T) string {
	if d := os.Getenv("HAVEN_TEST_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// viewport sets the browser's window to w by h CSS pixels.
func viewport(t *testing.T, ctx context.Context, w, h int64) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h)); err != nil {
		t.Fatal(err)
	}
}

// checkPage runs axe-core on the current page and fails on serious or
// critical violations of WCAG 2.1 A/AA; it saves a screenshot either way.
func checkPage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, v := range runAxe(t, tctx, name, `['wcag2a','wcag2aa','wcag21a','wcag21aa','best-practice']`) {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s: axe %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
	png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("%s: screenshot: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// runAxe runs axe-core with the rules of tags (a JavaScript array of axe
// tags) on the page loaded in ctx and returns its violations.
func runAxe(t *testing.T, ctx context.Context, name, tags string) []axeViolation {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		t.Fatalf("%s: inject axe: %v", name, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](
		`axe.run(document, {runOnly: {type: 'tag', values: `+tags+`}, resultTypes: ['violations']}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", name, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatalf("%s: axe result: %v", name, err)
	}
	return vs
}

func signIn(t *testing.T, ctx context.Context, f *fixture, role access.Role) {
	t.Helper()
	cr := f.creds[role]
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.SendKeys(chromedp.ID("username"), cr.Username),
		chromedp.SendKeys(chromedp.ID("password"), cr.Password),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`form.session`)),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", role, err)
	}
}

// switchLanguage uses the page's own switcher, as a person would, and waits
// until the new page has replaced the old one.
func switchLanguage(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true; document.querySelectorAll('details.menu').forEach(d => d.open = true)`),
		chromedp.SetValue(chromedp.ID("lang-select"), lang),
		chromedp.Click(chromedp.CSS(`form.lang button`)),
	)
	if err != nil {
		t.Fatalf("switch to %s: %v", lang, err)
	}
	waitNewPage(t, ctx, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
}

// waitNewPage waits until the page marked with havenOldPage has been
// replaced by a loaded page on which cond holds.
func waitNewPage(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.havenOldPage === undefined && document.readyState === 'complete' && (`+cond+`)`))
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("page did not change to one where %s", cond)
}

func TestBrowserAccessibilityInEveryLanguage(t *testing.T) {
	ctx := browser(t)
	f := sqliteFixture(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/login")); err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, "login-en")
	// The page an enrolment link opens.
	cw := f.user(t, access.CaseWorker)
	tok, err := f.web.IssueEnrolLinkForTest(context.Background(), f.db, cw.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/enrol/"+tok)); err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, "enrol-link-en")

	walks := []struct {
		role  access.Role
		pages []string
	}{
		{access.CompetentAuthority, []string{"/", "/referrals", "/cases", "/screening", "/services", "/statistics", "/account", "/trm"}},
		{access.SystemAdmin, []string{"/admin", "/admin/jurisdictions", "/admin/agencies", "/admin/users", "/admin/audit", "/admin/peers"}},
	}
	for _, w := range walks {
		signIn(t, ctx, f, w.role)
		for _, lang := range []string{"en", "ko", "th", "mn", "ne"} {
			switchLanguage(t, ctx, lang)
			for _, p := range w.pages {
				if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+p)); err != nil {
					t.Fatal(err)
				}
				got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
				if err != nil || got != lang {
					t.Fatalf("%s in %s: page language %q (%v)", p, lang, got, err)
				}
				name := fmt.Sprintf("%s-%s-%s", w.role, lang, strings.Trim(strings.ReplaceAll(p, "/", "_"), "_"))
				if p == "/" {
					name += "home"
				}
				checkPage(t, ctx, name)
			}
		}
		// Open one case from the list (the competent authority's queue).
		if w.role == access.CompetentAuthority {
			if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/cases"), chromedp.Click(chromedp.CSS(`tbody a`)), chromedp.WaitVisible(chromedp.CSS(`dl.facts`))); err != nil {
				t.Fatal(err)
			}
			checkPage(t, ctx, "case-ne")
			// The case's cross-border page: consent, SOP checklists.
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("trm-link")), chromedp.WaitVisible(chromedp.ID("trm-sops"))); err != nil {
				t.Fatal(err)
			}
			checkPage(t, ctx, "case-trm-ne")
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.session button`)), chromedp.WaitVisible(chromedp.ID("username"))); err != nil {
			t.Fatal(err)
		}
	}

	// Right-to-left layout: the pseudo-RTL locale flips the page.
	signIn(t, ctx, f, access.CompetentAuthority)
	switchLanguage(t, ctx, "ar-XB")
	dir, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).direction`))
	if err != nil || dir != "rtl" {
		t.Fatalf("pseudo-RTL direction %q, %v", dir, err)
	}
	// The brand sits on the right in RTL: its left edge is past the middle.
	x, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('.brand').getBoundingClientRect().left`))
	if err != nil || x < 640 {
		t.Fatalf("RTL layout not mirrored: brand at x=%v (%v)", x, err)
	}
	checkPage(t, ctx, "rtl-home")
}

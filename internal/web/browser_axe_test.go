package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/haven-nrm/haven/internal/access"
)

// wcag22 are the axe-core tags of WCAG 2.2 level AA and everything it
// includes (2.0 and 2.1, A and AA).
const wcag22 = `['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22a','wcag22aa']`

// axeClean runs axe-core on the page loaded in ctx against WCAG 2.2 AA
// and fails on any violation, whatever its impact.
func axeClean(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for _, v := range runAxe(t, tctx, name, wcag22) {
		t.Errorf("%s: axe %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
	}
}

// TestBrowserAxeEveryPage runs axe-core at WCAG 2.2 AA on every page the
// reflow test visits (its list and roles) on a 360 px phone, then on a
// legal decision's form, its refused form and its check-your-answers step,
// all in the five languages. No violation of any impact passes. The case page
// and the check step are kept as screenshots at 360 and 1280 px.
func TestBrowserAxeEveryPage(t *testing.T) {
	ctx := browser(t)
	f := sqliteFixture(t)
	viewport(t, ctx, 360, 740)
	n := eachPage(t, ctx, f, func(string) []string { return languages }, func(lang, pattern, path string) {
		axeClean(t, ctx, lang+" "+path)
	})
	t.Logf("axe WCAG 2.2 AA: %d pages in all five languages", n)

	// The check step of a reasonable-grounds decision, on the case the
	// walk referred (the newest, awaiting its decision).
	var caseID string
	if err := f.db.R().QueryRowContext(context.Background(), `SELECT id FROM cases ORDER BY created_at DESC, id LIMIT 1`).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, f, access.CompetentAuthority)
	for _, lang := range languages {
		switchLanguage(t, ctx, lang)
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/cases/"+caseID), chromedp.WaitVisible(chromedp.ID("next-action"))); err != nil {
			t.Fatal(err)
		}
		screenshots(t, ctx, "case-"+lang)
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.ID("next-go"))); err != nil {
			t.Fatal(err)
		}
		waitNewPage(t, ctx, `document.getElementById('form-rg') !== null`)
		axeClean(t, ctx, lang+" rg form")
		// Nothing chosen: the refused form, its summary taking the focus.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.ID("continue-rg"))); err != nil {
			t.Fatal(err)
		}
		waitNewPage(t, ctx, `document.getElementById('error-summary') !== null`)
		// autofocus is applied at a rendering update after the load, so
		// the focus is awaited (a second at most), not read at once.
		var focus string
		for end := time.Now().Add(time.Second); focus != "error-summary" && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			focus, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
		}
		title, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title`))
		if focus != "error-summary" || len(title) < 3 {
			t.Errorf("%s: refused form: focus on %q, title %q", lang, focus, title)
		}
		axeClean(t, ctx, lang+" rg form refused")
		screenshots(t, ctx, "check-rg-refused-"+lang)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("rg-outcome-0")), chromedp.SendKeys(chromedp.ID("rg-reason"), "Credible account."),
			chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.ID("continue-rg"))); err != nil {
			t.Fatal(err)
		}
		waitNewPage(t, ctx, `document.getElementById('confirm-rg') !== null`)
		axeClean(t, ctx, lang+" rg check")
		screenshots(t, ctx, "check-rg-"+lang)
	}
}

package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/testenv"
)

// TestBrowserQueueFiltersAt360 works the authority's queue on a 360 px
// phone in each of the five languages, as a decision-maker would: the
// filters are folded behind one button; opened, they narrow the queue to
// 25 a page, which pages forwards and back; a stage filter keeps only what
// waits for that decision; a reference typed in the search finds its case.
// Every link carries codes only, no page scrolls sideways, axe finds
// nothing serious, and the queue is kept as screenshots at 360 and 1280
// px (screens/ in HAVEN_TEST_ARTIFACTS).
func TestBrowserQueueFiltersAt360(t *testing.T) {
	ctx := browser(t)
	db := testenv.OpenMigrated(t, testenv.FreshSQLite(t))
	f := buildFixture(t, db, fixtureOptions{seed: 7, cases: 700, adjust: func(c *config.Config) {
		c.Demo = true
		c.MFAOptional = true
	}})
	viewport(t, ctx, 360, 740)
	signIn(t, ctx, f, access.CompetentAuthority)
	codes := regexp.MustCompile(`^[A-Za-z0-9._-]*$`)
	known := map[string]bool{"stage": true, "urgent": true, "child": true, "overdue": true, "agency": true, "ref": true, "size": true, "after": true, "before": true}
	eval := func(js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	// at checks the page now shown: its link holds codes only, it does
	// not scroll sideways, and axe is content.
	at := func(name string) {
		t.Helper()
		u, err := url.Parse(eval(`location.href`).(string))
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range u.Query() {
			if !known[k] {
				t.Errorf("%s: the link carries %q", name, k)
			}
			for _, v := range vs {
				if !codes.MatchString(v) {
					t.Errorf("%s: the link carries %s=%q, not a code", name, k, v)
				}
			}
		}
		if w := eval(`Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth`).(float64); w > 0 {
			t.Errorf("%s: %v px wider than the phone", name, w)
		}
		checkPage(t, ctx, "queue-"+name)
	}
	rows := func() []string {
		t.Helper()
		v := eval(`Array.from(document.querySelectorAll('#queue tbody tr td:first-child a')).map(a => a.textContent)`).([]any)
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = x.(string)
		}
		return out
	}
	click := func(sel, cond string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.CSS(sel))); err != nil {
			t.Fatalf("click %s: %v", sel, err)
		}
		waitNewPage(t, ctx, cond)
	}
	for _, lang := range languages {
		switchLanguage(t, ctx, lang)
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/queue")); err != nil {
			t.Fatal(err)
		}
		// On a phone the filters fold away behind one button.
		if eval(`document.getElementById('f-stage').checkVisibility()`).(bool) {
			t.Errorf("%s: the filters are open on a phone before anyone asks", lang)
		}
		total := eval(`document.getElementById('queue-showing').textContent`).(string)
		at(lang + "-all")
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`details.filter-panel > summary`))); err != nil {
			t.Fatal(err)
		}
		if !eval(`document.getElementById('f-stage').checkVisibility()`).(bool) {
			t.Fatalf("%s: the filters do not open", lang)
		}
		at(lang + "-filters-open")
		// 25 a page: forwards, and back to the same first page.
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#f-size`), "25")); err != nil {
			t.Fatal(err)
		}
		click(`#f-apply`, `document.getElementById('queue') !== null`)
		first := rows()
		if len(first) != 25 || eval(`document.getElementById('page-next') !== null && document.getElementById('page-prev') === null`) != true {
			t.Fatalf("%s: a page of 25 shows %d rows (of %s) and no next page only", lang, len(first), total)
		}
		at(lang + "-page1")
		click(`#page-next`, `document.getElementById('page-prev') !== null`)
		second := rows()
		if len(second) == 0 || second[0] == first[0] || !strings.Contains(eval(`location.search`).(string), "size=25") {
			t.Fatalf("%s: the next page %v after %v", lang, second, first)
		}
		at(lang + "-page2")
		click(`#page-prev`, `document.getElementById('page-prev') === null`)
		if back := rows(); len(back) != 25 || back[0] != first[0] || back[24] != first[24] {
			t.Fatalf("%s: back to the first page: %v, want %v", lang, back, first)
		}
		// A stage: every row waits for a conclusive decision.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`details.filter-panel > summary`)), chromedp.SetValue(chromedp.CSS(`#f-stage`), "cg")); err != nil {
			t.Fatal(err)
		}
		click(`#f-apply`, `document.getElementById('queue') !== null`)
		if n := eval(`document.querySelectorAll('#queue tbody tr').length - document.querySelectorAll('#queue tbody .due-waiting_cg').length`).(float64); n != 0 || len(rows()) == 0 {
			t.Errorf("%s: %v rows of the conclusive stage wait for something else", lang, n)
		}
		// The filters applied are named on the folded button.
		if !eval(`/\d|[०-९]/.test(document.querySelector('details.filter-panel > summary').textContent)`).(bool) {
			t.Errorf("%s: the folded filters do not say how many are applied", lang)
		}
		at(lang + "-stage")
		screenshots(t, ctx, lang+" /queue-filtered")
		// A reference, typed in lower case, finds its case.
		ref := first[3]
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/queue"), chromedp.SendKeys(chromedp.CSS(`#f-ref`), strings.ToLower(ref))); err != nil {
			t.Fatal(err)
		}
		click(`.search-input button`, `document.getElementById('queue') !== null`)
		if got := rows(); len(got) != 1 || got[0] != ref {
			t.Errorf("%s: a search for %s finds %v", lang, ref, got)
		}
		at(lang + "-search")
		// Nothing matches: said so.
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/queue?ref=ZZ-0")); err != nil {
			t.Fatal(err)
		}
		if eval(`document.getElementById('queue-none') !== null && document.getElementById('f-clear') !== null`) != true {
			t.Errorf("%s: a search that finds nothing does not say so or offer to clear it", lang)
		}
	}
}

package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/stats"
)

// TestBrowserStatisticsAt360 walks the statistics page of each role that
// sees statistics on a 360 px wide screen in every language: the page must
// not scroll sideways (a wide table scrolls inside its own region), the
// chart must be drawn, and axe must find no serious or critical violation.
// The process measures page (flows, decisions, timing, services,
// prosecution) is walked by every role.
func TestBrowserStatisticsAt360(t *testing.T) {
	ctx := browser(t)
	f := sqliteFixture(t)
	viewport(t, ctx, 360, 740)
	// A published release, for the public page.
	ctx2 := context.Background()
	f.signAudit()
	id, err := f.web.Services.Stats.Draft(ctx2, f.principal(t, access.Analyst), stats.ReleaseInput{Title: "Referrals", Tables: "gender;age_band,exploitation"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.web.Services.Stats.Approve(ctx2, f.principal(t, access.CompetentAuthority), id); err != nil {
		t.Fatal(err)
	}
	pages := []string{"/statistics?by=gender&by=age_band", "/statistics?by=citizenship", "/statistics?by=year&by=exploitation", "/releases/" + id, "/statistics/indicators",
		"/statistics/measures?by=year"}
	const measures = 5 // the process measures page, which every role sees
	for _, role := range []access.Role{access.Analyst, access.CompetentAuthority, access.AgencyAdmin} {
		signIn(t, ctx, f, role)
		for _, lang := range []string{"en", "ko", "th", "mn", "ne"} {
			switchLanguage(t, ctx, lang)
			for i, p := range pages {
				if role != access.Analyst && i > 0 && i != measures {
					continue
				}
				if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+p)); err != nil {
					t.Fatal(err)
				}
				wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
				if err != nil || wide {
					t.Errorf("%s %s in %s scrolls sideways at 360 px (%v)", role, p, lang, err)
				}
				bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('figure.chart svg rect').length`))
				if err != nil || (bars == 0 && !strings.HasSuffix(p, "/indicators")) {
					t.Errorf("%s %s in %s: no chart (%v)", role, p, lang, err)
				}
				if i == measures {
					// Every section draws its chart: flows, two decision
					// tables, two timings, services, three prosecution tables.
					charts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('section.measure figure.chart svg').length`))
					if err != nil || charts < 9 {
						t.Errorf("%s %s in %s: %d charts of the process measures (%v)", role, p, lang, charts, err)
					}
				}
				checkPage(t, ctx, fmt.Sprintf("stats-360-%s-%s-%d", role, lang, i))
			}
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('form.session').submit()`), chromedp.WaitVisible(chromedp.ID("username"))); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBrowserReleaseDesk: on a 360 px screen, in English and Thai, the
// analyst drafts a release on the release desk, a second person (the
// competent authority) approves it there, and the release is on its public
// page for anyone signed out; no page scrolls sideways and axe finds no
// serious or critical violation on any of them.
func TestBrowserReleaseDesk(t *testing.T) {
	ctx := browser(t)
	f := sqliteFixture(t)
	f.signAudit()
	viewport(t, ctx, 360, 740)
	narrow := func(name string) {
		t.Helper()
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
		if err != nil || wide {
			t.Errorf("%s scrolls sideways at 360 px (%v)", name, err)
		}
		checkPage(t, ctx, name)
	}
	signOut := func() {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('form.session').submit()`), chromedp.WaitVisible(chromedp.ID("username"))); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []string{"en", "th"} {
		title := "Referrals by sex and age " + lang
		signIn(t, ctx, f, access.Analyst)
		switchLanguage(t, ctx, lang)
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/statistics/releases"), chromedp.WaitVisible(chromedp.ID("rel-title"))); err != nil {
			t.Fatal(err)
		}
		narrow("release-desk-analyst-" + lang)
		err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("rel-title"), title),
			chromedp.SetValue(chromedp.ID("rel-t2-3"), "exploitation"),
			chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`),
			chromedp.Click(chromedp.CSS(`form[action="/statistics/releases"] button[type=submit]`)))
		if err != nil {
			t.Fatalf("%s: draft: %v", lang, err)
		}
		waitNewPage(t, ctx, fmt.Sprintf(`document.body.textContent.includes(%q)`, title))
		narrow("release-desk-drafted-" + lang)
		signOut()
		signIn(t, ctx, f, access.CompetentAuthority)
		switchLanguage(t, ctx, lang)
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/statistics/releases"), chromedp.WaitVisible(chromedp.ID("drafts"))); err != nil {
			t.Fatal(err)
		}
		narrow("release-desk-approver-" + lang)
		err = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`window.havenOldPage = true; [...document.querySelectorAll('#drafts + table tr')]`+
			`.find(r => r.textContent.includes(%q)).querySelector('form button').click()`, title)))
		if err != nil {
			t.Fatalf("%s: approve: %v", lang, err)
		}
		waitNewPage(t, ctx, fmt.Sprintf(`location.pathname.startsWith('/releases/') && document.querySelector('h1').textContent === %q`, title))
		narrow("release-published-" + lang)
		path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
		if err != nil {
			t.Fatal(err)
		}
		signOut()
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("figure.chart"))); err != nil {
			t.Fatal(err)
		}
		h1, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('h1').textContent`))
		if err != nil || h1 != title {
			t.Fatalf("%s: the public page shows %q (%v)", lang, h1, err)
		}
		narrow("release-public-" + lang)
	}
}

package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/testenv"
	"github.com/haven-nrm/haven/internal/threep"
)

// A city officer's year, in English and in Nepali, as a person would do
// it in the browser: records a campaign and a training, completes the 3P
// self-assessment, compares the city with two others, adopts a peer's
// practice into the action plan, records progress on it, and sees the
// plan indicator (LG-06, registered with the statistics) move on the
// statistics' indicators page, reached from the dashboard's link. Every
// page passes axe-core and none scrolls sideways at 360 px.
func TestBrowserLocalGovernmentInTwoLanguages(t *testing.T) {
	ctx := browser(t)
	db := testenv.OpenMigrated(t, testenv.FreshSQLite(t))
	f := lgFixture(t, db)
	signIn(t, ctx, f, access.LocalGovOfficer)
	var ub, kan string
	_ = db.R().QueryRowContext(context.Background(), `SELECT id FROM cityshare_profiles WHERE city='Ulaanbaatar'`).Scan(&ub)
	_ = db.R().QueryRowContext(context.Background(), `SELECT id FROM cityshare_profiles WHERE city='Kanchanaburi'`).Scan(&kan)
	q := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	submit := func(lang, what, form, cond string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`),
			chromedp.Click(q(form+` button[type=submit]`))); err != nil {
			t.Fatalf("%s: %s: %v", lang, what, err)
		}
		waitNewPage(t, ctx, cond)
	}
	narrow := func(lang, name string) {
		t.Helper()
		viewport(t, ctx, 360, 780)
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || w > 360 {
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)`+
				`.map(e => e.tagName + '#' + e.id + '.' + e.className).slice(-6).join(' ')`))
			t.Errorf("%s: %s scrolls sideways at 360 px (%d px wide, %v): %s", lang, name, w, err, wide)
		}
		viewport(t, ctx, 1280, 900)
	}
	indicator := func() string {
		v, err := chromedp.Run(ctx, chromedp.Text(q(`#ind-LG-06 .ind-value`)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, lang := range []string{"en", "ne"} {
		switchLanguage(t, ctx, lang)
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/statistics/indicators"), chromedp.WaitVisible(q(`#ind-LG-06`))); err != nil {
			t.Fatal(err)
		}
		before := indicator()
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/localgov"), chromedp.WaitVisible(q(`#indicator-table`))); err != nil {
			t.Fatal(err)
		}
		checkPage(t, ctx, "localgov-"+lang)
		narrow(lang, "/localgov")
		// A campaign and a training.
		err := chromedp.Do(ctx,
			chromedp.Click(q(`#add-campaign summary`)),
			chromedp.SendKeys(q(`#campaign-title`), "Safe migration fair "+lang),
			chromedp.SendKeys(q(`#campaign-reach`), "2500"),
			chromedp.Click(q(`#ch-radio`)))
		if err != nil {
			t.Fatalf("%s: campaign: %v", lang, err)
		}
		submit(lang, "campaign", "#form-campaign", `document.body.textContent.includes('Safe migration fair `+lang+`')`)
		err = chromedp.Do(ctx,
			chromedp.Click(q(`#add-training summary`)),
			chromedp.SendKeys(q(`#training-title`), "Victim identification "+lang),
			chromedp.SetValue(q(`#training-category`), "labour_inspection"),
			chromedp.SendKeys(q(`#training-reach`), "22"),
			chromedp.SendKeys(q(`#training-pre`), "41"),
			chromedp.SendKeys(q(`#training-post`), "77"),
			chromedp.SendKeys(q(`#training-staff`), "Maya Browsername"))
		if err != nil {
			t.Fatalf("%s: training: %v", lang, err)
		}
		submit(lang, "training", "#form-training", `document.body.textContent.includes('Victim identification `+lang+`')`)
		// The 3P self-assessment: everything in place but specialised units.
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/localgov/assessment"), chromedp.WaitVisible(q(`#form-threep`))); err != nil {
			t.Fatal(err)
		}
		checkPage(t, ctx, "threep-"+lang)
		narrow(lang, "/localgov/assessment")
		for _, qu := range threep.Questions {
			a := "yes"
			if qu.Code == "prosecution.institutions" {
				a = "no"
			}
			if err := chromedp.Do(ctx, chromedp.Click(q(fmt.Sprintf(`[id="a-%s-%s"]`, qu.Code, a)))); err != nil {
				t.Fatalf("%s: answer %s: %v", lang, qu.Code, err)
			}
		}
		submit(lang, "assessment", "#form-threep", `document.querySelector('.threep-total') !== null`)
		total, err := chromedp.Run(ctx, chromedp.Text(q(`.threep-total`)))
		if err != nil || strings.TrimSpace(total) != "13" {
			t.Fatalf("%s: 3P total %q (%v), want 13", lang, total, err)
		}
		// Compare with two other cities.
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/cityshare"), chromedp.WaitVisible(q(`#form-compare`))); err != nil {
			t.Fatal(err)
		}
		checkPage(t, ctx, "cityshare-"+lang)
		narrow(lang, "/cityshare")
		if err := chromedp.Do(ctx, chromedp.Click(q(`#cmp-`+ub)), chromedp.Click(q(`#cmp-`+kan))); err != nil {
			t.Fatal(err)
		}
		submit(lang, "compare", "#form-compare", `document.querySelector('figure.chart svg') !== null`)
		checkPage(t, ctx, "compare-"+lang)
		narrow(lang, "/cityshare/compare")
		// Adopt Ulaanbaatar's first practice.
		peer := `section[aria-labelledby="peer-` + ub + `"] article.practice:first-of-type`
		err = chromedp.Do(ctx,
			chromedp.Click(q(peer+` details.adopt summary`)),
			chromedp.SendKeys(q(peer+` input[name=objective]`), "Learn from Ulaanbaatar"),
			chromedp.SendKeys(q(peer+` input[name=owner]`), "Social welfare"),
			chromedp.SetValue(q(peer+` input[name=deadline]`), "2026-12-31"),
			chromedp.SendKeys(q(peer+` input[name=target]`), "3"))
		if err != nil {
			t.Fatalf("%s: adopt form: %v", lang, err)
		}
		submit(lang, "adopt", peer+` form`, `location.pathname === '/localgov/plan'`)
		checkPage(t, ctx, "plan-"+lang)
		narrow(lang, "/localgov/plan")
		item, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash.slice(1)`))
		if err != nil || !strings.HasPrefix(item, "item-") {
			t.Fatalf("%s: adopted activity %q (%v)", lang, item, err)
		}
		origin, err := chromedp.Run(ctx, chromedp.Text(q(`#`+item+` .origin`)))
		if err != nil || origin != "Ulaanbaatar" {
			t.Fatalf("%s: the adopted activity's origin %q (%v)", lang, origin, err)
		}
		// Progress reaching the target.
		err = chromedp.Do(ctx,
			chromedp.Click(q(`#`+item+` details summary`)),
			chromedp.SendKeys(q(`#`+item+` input[name=value]`), "3"),
			chromedp.SendKeys(q(`#`+item+` textarea[name=evidence]`), "Three exchange visits held"))
		if err != nil {
			t.Fatalf("%s: progress: %v", lang, err)
		}
		submit(lang, "progress", `#`+item+` form`, `location.pathname === '/localgov/plan'`)
		// The indicator moved on the statistics page, reached from the
		// dashboard.
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/localgov"), chromedp.WaitVisible(q(`#statistics-indicators`))); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(q(`#statistics-indicators`))); err != nil {
			t.Fatal(err)
		}
		waitNewPage(t, ctx, `location.pathname === '/statistics/indicators'`)
		if after := indicator(); after == before {
			t.Fatalf("%s: LG-06 did not move on the statistics page (%s)", lang, before)
		}
		checkPage(t, ctx, "indicators-"+lang)
		narrow(lang, "/statistics/indicators")
	}
}

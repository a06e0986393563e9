package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/haven-nrm/haven/internal/access"
)

// A first responder refers a person end to end in each of the five
// languages, using the form as a person would: the live screening updates
// as facts are ticked, the referral lands with the competent authority, and
// every page passes axe-core.
func TestBrowserReferralInEveryLanguage(t *testing.T) {
	ctx := browser(t)
	f := sqliteFixture(t)
	signIn(t, ctx, f, access.FirstResponder)
	for i, lang := range []string{"en", "ko", "th", "mn", "ne"} {
		switchLanguage(t, ctx, lang)
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/referrals/new"), chromedp.WaitVisible(chromedp.ID("intake-form"))); err != nil {
			t.Fatal(err)
		}
		checkPage(t, ctx, "intake-form-"+lang)
		err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("f-age"), "24"),
			chromedp.Click(chromedp.CSS(`#d-chain > summary`)),
			chromedp.Click(chromedp.ID("act-recruitment")),
			chromedp.Click(chromedp.ID("means-deception")),
			chromedp.Click(chromedp.ID("purpose-forced_labour")),
		)
		if err != nil {
			t.Fatalf("%s: fill facts: %v", lang, err)
		}
		// The live panel answers without a page load.
		waitFor(t, ctx, `document.querySelector('#screening-panel .classification-presumed_trafficking') !== null`)
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.ID("need-bed_tonight")),
			chromedp.Click(chromedp.ID("consent-given")),
			chromedp.SetValue(chromedp.ID("f-consent_language"), "ne"),
			chromedp.WaitVisible(chromedp.ID("f-given_name")),
			chromedp.SendKeys(chromedp.ID("f-given_name"), fmt.Sprintf("Person%d", i)),
			chromedp.SendKeys(chromedp.ID("f-family_name"), "Synthetic"),
			chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`),
			chromedp.Click(chromedp.CSS(`button[value=refer]`)),
		)
		if err != nil {
			t.Fatalf("%s: refer: %v", lang, err)
		}
		waitNewPage(t, ctx, `document.getElementById('referral-status') !== null`)
		kind, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("referral-kind")))
		if err != nil || kind == "" {
			t.Fatalf("%s: referral page: %q %v", lang, kind, err)
		}
		checkPage(t, ctx, "referral-"+lang)
	}
	c, err := f.db.Counts(context.Background())
	if err != nil || c.Cases != 120+5 {
		t.Fatalf("cases after five referrals: %d (%v), want %d", c.Cases, err, 125)
	}
	// The printable interview guide.
	if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/referrals/prompt-sheet")); err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, "prompt-sheet-ne")
}

func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", cond)
}

package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/store"
)

// The TRM pages reflow at 360 px in the longest-running languages: nothing
// scrolls sideways.
func TestBrowserTRMPagesAt360(t *testing.T) {
	ctx := browser(t)
	f := sqliteFixture(t)
	u := f.user(t, access.CompetentAuthority)
	cs, err := f.db.Cases(context.Background(), store.CaseFilter{JurisdictionID: u.JurisdictionID, Limit: 1})
	if err != nil || len(cs) == 0 {
		t.Fatalf("no case: %v", err)
	}
	viewport(t, ctx, 360, 800)
	for _, w := range []struct {
		role  access.Role
		pages []string
	}{
		{access.CompetentAuthority, []string{"/trm", "/cases/" + cs[0].ID + "/trm"}},
		{access.SystemAdmin, []string{"/admin/peers"}},
	} {
		signIn(t, ctx, f, w.role)
		for _, lang := range []string{"mn", "th", "ne"} {
			switchLanguage(t, ctx, lang)
			for _, p := range w.pages {
				if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+p)); err != nil {
					t.Fatal(err)
				}
				wide, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
				if err != nil || wide > 0 {
					t.Errorf("%s in %s scrolls sideways by %v px (%v)", p, lang, wide, err)
				}
			}
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('form.session').submit()`), chromedp.WaitVisible(chromedp.ID("username"))); err != nil {
			t.Fatal(err)
		}
	}
}

package web_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/testenv"
)

// keyboard drives a page with the keyboard alone, as a person who cannot
// use a pointer would, and counts what they touch.
type keyboard struct {
	t       *testing.T
	ctx     context.Context
	touched int
}

// tabTo presses Tab until the element matching sel has the focus.
func (k *keyboard) tabTo(sel string) {
	k.t.Helper()
	for range 250 {
		ok, err := chromedp.Run(k.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.activeElement !== null && document.activeElement.matches(%q)`, sel)))
		if err != nil {
			k.t.Fatal(err)
		}
		if ok {
			return
		}
		if err := chromedp.Do(k.ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			k.t.Fatal(err)
		}
	}
	k.t.Fatalf("Tab never reached %s", sel)
}

// press tabs to sel and presses keys there: one input touched.
func (k *keyboard) press(sel, keys string) {
	k.t.Helper()
	k.tabTo(sel)
	if err := chromedp.Do(k.ctx, chromedp.KeyEvent(keys)); err != nil {
		k.t.Fatal(err)
	}
	k.touched++
}

// choose tabs to a select and moves its choice down to value with the
// arrow keys: one input touched.
func (k *keyboard) choose(sel, value string) {
	k.t.Helper()
	k.tabTo(sel)
	steps, err := chromedp.Run(k.ctx, chromedp.Evaluate[int](fmt.Sprintf(`(() => { const s = document.querySelector(%q);
		const want = Array.from(s.options).findIndex(o => o.value === %q); return want - s.selectedIndex; })()`, sel, value)))
	if err != nil || steps < 0 {
		k.t.Fatalf("choose %s in %s: %d %v", value, sel, steps, err)
	}
	for range steps {
		if err := chromedp.Do(k.ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
			k.t.Fatal(err)
		}
	}
	got, _ := chromedp.Run(k.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value`, sel)))
	if got != value {
		k.t.Fatalf("%s: chose %q, want %q", sel, got, value)
	}
	k.touched++
}

// TestBrowserMinimalReferralOnAPhone makes the minimal consented referral
// on a 360×740 phone in each of the five languages with the keyboard
// alone, from the home page to the confirmation: at most 3 page loads and
// at most 15 inputs touched (issue 13). The immediate needs, age, the
// person's language and consent come first; the name is asked only once
// consent is given; the screening summary is in sight on the phone; the
// confirmation names the reference and what happens next.
func TestBrowserMinimalReferralOnAPhone(t *testing.T) {
	ctx := browser(t)
	db := testenv.OpenMigrated(t, testenv.FreshSQLite(t))
	f := newFixture(t, db)
	var loads atomic.Int64
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*page.EventFrameNavigated); ok && e.Frame.ParentID == "" {
			loads.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, f, access.FirstResponder)
	before, err := db.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i, lang := range languages {
		switchLanguage(t, ctx, lang)
		k := &keyboard{t: t, ctx: ctx}
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, `document.readyState === 'complete'`)
		loads.Store(1) // the home page
		// Home: the start of a referral, reached by keyboard.
		k.tabTo(`#refer-start`)
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		waitNewPage(t, ctx, `document.getElementById('intake-form') !== null`)
		// The first screen asks what cannot wait before anything else, and
		// the name only once consent is given.
		order, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`['f-needs', 'f-age', 'f-languages', 'f-consent', 'd-chain'].map(id => document.getElementById(id).getBoundingClientRect().top + scrollY)`))
		if err != nil {
			t.Fatal(err)
		}
		for j := 1; j < len(order); j++ {
			if order[j] <= order[j-1] {
				t.Errorf("%s: form order %v: what cannot wait must come first", lang, order)
			}
		}
		if vis, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('f-given_name').checkVisibility()`)); vis {
			t.Errorf("%s: the name is asked before consent", lang)
		}
		inputs, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('#intake-form input:not([type=hidden]), #intake-form select, #intake-form textarea')).filter(e => e.checkVisibility()).length`))
		height, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
		t.Logf("%s: the form's first screen shows %d inputs; page height %d px", lang, inputs, height)

		k.press(`#need-bed_tonight`, " ")
		k.press(`#f-age`, "24")
		k.choose(`#f-languages`, "ne")
		k.press(`#consent-given`, " ")
		waitFor(t, ctx, `document.getElementById('f-given_name').checkVisibility()`)
		k.press(`#f-given_name`, fmt.Sprintf("Phone%d", i))
		k.press(`#f-family_name`, "Synthetic")
		// The screening summary answers live and is in sight on the phone.
		waitFor(t, ctx, `document.querySelector('#screening-live .classification') !== null && document.querySelector('#screening-live').textContent.trim() !== ''`)
		inSight, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const r = document.getElementById('screening-live').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`))
		if !inSight {
			t.Errorf("%s: the screening summary is not in sight on the phone", lang)
		}
		changed, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('#intake-form input, #intake-form select, #intake-form textarea')).filter(e =>
			e.type === 'checkbox' || e.type === 'radio' ? e.checked !== e.defaultChecked :
			e.tagName === 'SELECT' ? e.selectedIndex !== Math.max(0, Array.from(e.options).findIndex(o => o.defaultSelected)) : e.value !== e.defaultValue).length`))
		checkPage(t, ctx, "phone-referral-form-"+lang)
		k.tabTo(`button[value=refer]`)
		k.touched++
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		waitNewPage(t, ctx, `document.getElementById('referral-sent') !== null`)
		time.Sleep(100 * time.Millisecond)
		ref, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#referral-sent .reference`)))
		if err != nil || ref == "" {
			t.Fatalf("%s: confirmation without a reference: %q %v", lang, ref, err)
		}
		if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('ol.next-steps li').length`)); n < 2 {
			t.Errorf("%s: the confirmation says %d things about what happens next", lang, n)
		}
		checkPage(t, ctx, "phone-referral-sent-"+lang)
		t.Logf("%s: referral %s in %d page loads, %d inputs touched (%d changed from their defaults)", lang, ref, loads.Load(), k.touched, changed)
		if loads.Load() > 3 {
			t.Errorf("%s: %d page loads, want at most 3", lang, loads.Load())
		}
		if k.touched > 15 || changed > k.touched {
			t.Errorf("%s: %d inputs touched (%d changed), want at most 15", lang, k.touched, changed)
		}
	}
	after, err := db.Counts(context.Background())
	if err != nil || after.Cases != before.Cases+int64(len(languages)) {
		t.Fatalf("cases after %d referrals: %d, want %d (%v)", len(languages), after.Cases, before.Cases+int64(len(languages)), err)
	}
}

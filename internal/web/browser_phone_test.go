package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/store"
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

// TestBrowserDraftSurvivesSessionEnd lets the session end (idle) in the
// middle of a referral: the form saved itself as a draft while
// it was filled; the referral sent after the session ended is refused and
// nothing is stored; after signing in again "Refer a person" brings the
// form back filled, and it is sent with nothing lost. The draft is gone
// once the referral is sent, and its form was never stored in clear.
func TestBrowserDraftSurvivesSessionEnd(t *testing.T) {
	ctx := browser(t)
	db := testenv.OpenMigrated(t, testenv.FreshSQLite(t))
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	f := buildFixture(t, db, fixtureOptions{seed: 7, cases: 20, now: clock, adjust: func(c *config.Config) {
		c.Demo = true
		c.MFAOptional = true
	}})
	fr, err := db.UserByUsername(context.Background(), f.creds[access.FirstResponder].Username)
	if err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, f, access.FirstResponder)
	switchLanguage(t, ctx, "mn")
	if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/"), chromedp.Click(chromedp.ID("refer-start")), chromedp.WaitVisible(chromedp.ID("intake-form"))); err != nil {
		t.Fatal(err)
	}
	// The warning before the session ends is on the page, hidden, and
	// knows how long the session lasts.
	idle, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const b = document.getElementById('session-warning'); return b && b.hidden ? b.dataset.idle : ''; })()`))
	if err != nil || idle != "1800" {
		t.Fatalf("session warning: %q %v", idle, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("need-danger")),
		chromedp.SendKeys(chromedp.ID("f-age"), "31"),
		chromedp.SetValue(chromedp.ID("f-languages"), "mn"),
		chromedp.Click(chromedp.ID("consent-given")),
		chromedp.WaitVisible(chromedp.ID("f-given_name")),
		chromedp.SendKeys(chromedp.ID("f-given_name"), "Draft"),
		chromedp.SendKeys(chromedp.ID("f-family_name"), "Kept"),
		chromedp.Click(chromedp.CSS(`#d-chain > summary`)),
		chromedp.Click(chromedp.ID("purpose-forced_labour")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The draft saves itself a moment after the last change.
	waitFor(t, ctx, `document.getElementById('intake-form').hasAttribute('data-draft-saved')`)
	time.Sleep(2 * time.Second) // the last change's save
	d, err := db.LiveReferralDraft(context.Background(), fr.ID, store.Millis(clock()))
	if err != nil {
		t.Fatalf("no draft was saved: %v", err)
	}
	if strings.Contains(string(d.Form), "Kept") {
		t.Fatal("the draft's form is stored in clear")
	}
	before, _ := db.Counts(context.Background())
	// Half an hour without a request: the session ends; sending now is
	// refused and stores nothing.
	offset.Store(int64(31 * time.Minute))
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.CSS(`button[value=refer]`))); err != nil {
		t.Fatal(err)
	}
	waitNewPage(t, ctx, `document.getElementById('intake-form') === null`)
	if c, _ := db.Counts(context.Background()); c.Cases != before.Cases {
		t.Fatalf("a referral was stored without a session")
	}
	// Sign in again: the sign-in itself lands on the form, filled, with
	// no click on "Refer a person"; it is sent.
	signIn(t, ctx, f, access.FirstResponder)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("draft-restored"))); err != nil {
		t.Fatal(err)
	}
	if path, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); path != "/referrals/new" {
		t.Fatalf("signing in again landed on %s, want the referral form", path)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](`[document.getElementById('f-age').value, document.getElementById('f-given_name').value,
		document.getElementById('f-family_name').value, document.getElementById('need-danger').checked, document.getElementById('consent-given').checked,
		document.getElementById('purpose-forced_labour').checked, document.getElementById('f-languages').value]`))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[31 Draft Kept true true true mn]" {
		t.Fatalf("the form came back as %v", got)
	}
	checkPage(t, ctx, "phone-draft-restored-mn")
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.CSS(`button[value=refer]`))); err != nil {
		t.Fatal(err)
	}
	waitNewPage(t, ctx, `document.getElementById('referral-sent') !== null`)
	after, _ := db.Counts(context.Background())
	if after.Cases != before.Cases+1 {
		t.Fatalf("cases %d after sending, want %d", after.Cases, before.Cases+1)
	}
	if _, err := db.LiveReferralDraft(context.Background(), fr.ID, store.Millis(clock())); err == nil {
		t.Fatal("the draft outlived its referral")
	}
}

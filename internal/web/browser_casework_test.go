package web_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/handover"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
)

// TestBrowserCaseworkEndToEnd walks one adult (in Korean) and one child (in
// Nepali) through the referral mechanism in a real browser, on each
// engine, as the people who do it would: a first responder refers; the
// competent authority decides on reasonable grounds, records consent to
// share, offers two services (the person declines one and accepts the
// other) and transfers the case to an NGO; the NGO's case worker accepts
// it, holds a multidisciplinary case conference and refers the case to the
// police; the police open an investigation with a suspect and a charge; the
// authority takes the conclusive decision and opens the letter in the
// person's language. Every page passes axe-core.
func TestBrowserCaseworkEndToEnd(t *testing.T) {
	ctx := browser(t)
	eachEngine(t, func(t *testing.T, f *fixture) {
		agencies := map[string]string{}
		as, err := f.db.Agencies(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		fr := f.user(t, access.FirstResponder)
		for _, a := range as {
			if a.JurisdictionID == fr.JurisdictionID {
				agencies[a.Kind] = a.ID
			}
		}
		for _, walk := range []struct {
			lang  string
			child bool
		}{{"ko", false}, {"ne", true}} {
			t.Run(fmt.Sprintf("%s child=%v", walk.lang, walk.child), func(t *testing.T) {
				w := &caseWalk{t: t, ctx: ctx, f: f, db: f.db, lang: walk.lang, agencies: agencies}
				w.run(walk.child)
			})
		}
	})
}

type caseWalk struct {
	t        *testing.T
	ctx      context.Context
	f        *fixture
	db       *store.DB
	lang     string
	caseID   string
	agencies map[string]string
}

func (w *caseWalk) as(role access.Role) {
	w.t.Helper()
	_ = chromedp.Do(w.ctx, chromedp.Navigate(w.f.srv.URL+"/"))
	if ok, _ := chromedp.Run(w.ctx, chromedp.Evaluate[bool](`document.querySelector('form.session') !== null`)); ok {
		if err := chromedp.Do(w.ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.CSS(`form.session button`))); err != nil {
			w.t.Fatal(err)
		}
		waitNewPage(w.t, w.ctx, `document.getElementById('username') !== null`)
	}
	signIn(w.t, w.ctx, w.f, role)
	switchLanguage(w.t, w.ctx, w.lang)
}

// dossier reads the case as stored, to check what the pages did.
func (w *caseWalk) dossier() *cases.Dossier {
	w.t.Helper()
	c, err := w.db.Case(context.Background(), w.caseID)
	if err != nil {
		w.t.Fatal(err)
	}
	kr, _ := seal.NewKeyring()
	svc, err := cases.New(w.db, kr, time.Now)
	if err != nil {
		w.t.Fatal(err)
	}
	d, err := svc.Load(context.Background(), w.db.R(), c)
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

// form opens a command's form page, fills it and sends it; the case page
// must come back without a refusal.
func (w *caseWalk) form(cmd string, fill ...chromedp.Action[chromedp.Void]) {
	w.t.Helper()
	if err := chromedp.Do(w.ctx, chromedp.Navigate(w.f.srv.URL+"/cases/"+w.caseID), unfold, chromedp.WaitVisible(chromedp.ID("open-"+cmd))); err != nil {
		w.t.Fatalf("%s: case page has no link to the %s form: %v", w.lang, cmd, err)
	}
	if err := chromedp.Do(w.ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.ID("open-"+cmd))); err != nil {
		w.t.Fatal(err)
	}
	waitNewPage(w.t, w.ctx, fmt.Sprintf(`document.getElementById('form-%s') !== null`, cmd))
	if err := chromedp.Do(w.ctx, fill...); err != nil {
		w.t.Fatalf("%s: fill %s: %v", w.lang, cmd, err)
	}
	if cmd == "rg" || cmd == "cg" {
		// A legal decision is checked before it is recorded: the
		// answers and the decision's legal effect, then the confirm.
		if err := chromedp.Do(w.ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.ID("continue-"+cmd))); err != nil {
			w.t.Fatal(err)
		}
		waitNewPage(w.t, w.ctx, fmt.Sprintf(`document.getElementById('confirm-%s') !== null || document.getElementById('error-summary') !== null`, cmd))
		checkPage(w.t, w.ctx, "check-"+cmd+"-"+w.lang)
		w.submit("#confirm-" + cmd)
		return
	}
	w.submit(fmt.Sprintf(`#form-%s button[type=submit]`, cmd))
}

// unfold opens every folding section of the case page, as a user would
// to reach a form in one that starts closed.
var unfold = chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details.case-fold').forEach(d => d.open = true)`)

// submit clicks a button and waits for the case page.
func (w *caseWalk) submit(sel string) {
	w.t.Helper()
	if err := chromedp.Do(w.ctx, unfold, chromedp.ScrollIntoView(chromedp.CSS(sel))); err != nil {
		w.t.Fatalf("%s: %s: %v", w.lang, sel, err)
	}
	cover, _ := chromedp.Run(w.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const b = document.querySelector(%s); const r = b.getBoundingClientRect(); const e = document.elementFromPoint(r.x + r.width/2, r.y + r.height/2); return e === b || b.contains(e) ? '' : (e ? e.outerHTML.slice(0, 200) : 'nothing'); })()`, strconv.Quote(sel))))
	if cover != "" {
		w.t.Logf("%s: %s is covered by %s", w.lang, sel, cover)
	}
	if err := chromedp.Do(w.ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.CSS(sel))); err != nil {
		w.t.Fatalf("%s: click %s: %v", w.lang, sel, err)
	}
	waitNewPage(w.t, w.ctx, `document.getElementById('decisions') !== null || document.getElementById('case-error') !== null`)
	if msg, _ := chromedp.Run(w.ctx, chromedp.Evaluate[string](`(document.getElementById('case-error') || {}).textContent || ''`)); msg != "" {
		w.t.Fatalf("%s: %s refused: %s", w.lang, sel, msg)
	}
}

func (w *caseWalk) open() {
	w.t.Helper()
	if err := chromedp.Do(w.ctx, chromedp.Navigate(w.f.srv.URL+"/cases/"+w.caseID), chromedp.WaitVisible(chromedp.ID("decisions"))); err != nil {
		w.t.Fatal(err)
	}
}

func (w *caseWalk) run(child bool) {
	t, ctx := w.t, w.ctx
	name := "Adult"
	if child {
		name = "Child"
	}
	// 1. The first responder refers the person.
	w.as(access.FirstResponder)
	age := "31"
	if child {
		age = "15"
	}
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(w.f.srv.URL + "/referrals/new"), chromedp.WaitVisible(chromedp.ID("intake-form")),
		chromedp.SendKeys(chromedp.ID("f-age"), age),
		chromedp.Click(chromedp.CSS(`#d-chain > summary`)),
		chromedp.Click(chromedp.ID("act-recruitment")), chromedp.Click(chromedp.ID("means-deception")), chromedp.Click(chromedp.ID("purpose-forced_labour")),
		chromedp.SetValue(chromedp.ID("f-languages"), "ne"),
	}
	if !child {
		steps = append(steps, chromedp.Click(chromedp.ID("consent-given")), chromedp.SetValue(chromedp.ID("f-consent_language"), "ne"))
	}
	steps = append(steps, chromedp.SendKeys(chromedp.ID("f-given_name"), name+w.lang), chromedp.SendKeys(chromedp.ID("f-family_name"), "Walkthrough"),
		chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.CSS(`button[value=refer]`)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("refer: %v", err)
	}
	waitNewPage(t, ctx, `document.getElementById('referral-status') !== null`)
	if err := w.db.R().QueryRowContext(context.Background(), `SELECT case_id FROM referrals WHERE case_id IS NOT NULL ORDER BY created_at DESC LIMIT 1`).Scan(&w.caseID); err != nil {
		t.Fatal(err)
	}

	// 2. The competent authority: reasonable grounds, consent, services,
	// transfer.
	w.as(access.CompetentAuthority)
	if err := chromedp.Do(ctx, chromedp.Navigate(w.f.srv.URL+"/queue"), chromedp.WaitVisible(chromedp.ID("queue"))); err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, "queue-"+w.lang)
	w.open()
	checkPage(t, ctx, "case-referred-"+w.lang)
	w.form("rg", chromedp.Click(chromedp.CSS(`#form-rg input[value=positive]`)), chromedp.SendKeys(chromedp.ID("rg-reason"), "Credible account; indicators present."))
	if d := w.dossier(); d.Record.State != casework.StateRGPositive || !d.Record.Period.Open() {
		t.Fatalf("after RG: %s", d.Record.State)
	}
	for _, kind := range []string{"shelter_short_term", "health", "ngo", "police"} {
		fill := []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.ID("consent-purpose"), "share_with_agency"),
			chromedp.SetValue(chromedp.ID("consent-recipient"), w.agencies[kind]), chromedp.Click(chromedp.CSS(`#form-consent input[value=given]`))}
		if child {
			fill = append(fill, chromedp.Click(chromedp.CSS(`#form-consent input[name=by_guardian]`)))
		}
		w.form("consent", fill...)
	}
	w.form("consent", chromedp.SetValue(chromedp.ID("consent-purpose"), "take_part_in_proceedings"), chromedp.Click(chromedp.CSS(`#form-consent input[value=given]`)))
	if child {
		// The child's guardian is recorded; the appointment task closes.
		w.form("guardian", chromedp.SendKeys(chromedp.ID("guardian-name"), "Guardian Walkthrough"),
			chromedp.SetValue(chromedp.ID("guardian-agency"), w.agencies["local_government"]),
			chromedp.SetValue(chromedp.ID("appointed-on"), time.Now().AddDate(0, 0, -1).Format(time.DateOnly)))
		checkPage(t, ctx, "case-guardian-"+w.lang)
		if d := w.dossier(); len(d.Guardians) != 1 || slices.ContainsFunc(d.Tasks, func(t store.Task) bool { return t.Kind == cases.TaskGuardian && t.DoneAt == 0 }) {
			t.Fatalf("guardian: %+v, tasks %+v", d.Guardians, d.Tasks)
		}
	}
	w.form("item", chromedp.SetValue(chromedp.ID("item"), "rights_and_obligations"))
	// The assessed needs bring the directory's matching services onto the
	// offer form.
	w.form("assessment", chromedp.SetValue(chromedp.ID("rating-individual"), "medium"),
		chromedp.Click(chromedp.CSS(`#form-assessment input[name=needs][value=short_term_shelter]`)))
	w.form("offer", chromedp.WaitVisible(chromedp.ID("suggestions")),
		chromedp.SetValue(chromedp.ID("offer-service"), "short_term_shelter"), chromedp.SetValue(chromedp.ID("offer-agency"), w.agencies["shelter_short_term"]))
	w.form("offer", chromedp.SetValue(chromedp.ID("offer-service"), "medical"), chromedp.SetValue(chromedp.ID("offer-agency"), w.agencies["health"]))
	w.open()
	// The person declines the shelter and accepts the medical care.
	w.submit(`#service-referrals tbody tr:nth-child(1) button[data-action=decline]`)
	w.submit(`#service-referrals tbody tr:nth-child(2) button[data-action=accept]`)
	d := w.dossier()
	if d.Plan.Referrals[0].State != support.StateDeclined || d.Plan.Referrals[1].State != support.StateAccepted {
		t.Fatalf("services: %s, %s", d.Plan.Referrals[0].State, d.Plan.Referrals[1].State)
	}
	checkPage(t, ctx, "case-services-"+w.lang)
	w.form("handover", chromedp.Click(chromedp.CSS(`#form-handover input[value=transfer]`)), chromedp.SetValue(chromedp.ID("to-agency"), w.agencies["ngo"]))

	// 3. The NGO's case worker accepts the transfer, holds a case
	// conference and refers the case to the police.
	w.as(access.CaseWorker)
	if err := chromedp.Do(ctx, chromedp.Navigate(w.f.srv.URL+"/work"), chromedp.WaitVisible(chromedp.ID("offered"))); err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, "work-"+w.lang)
	w.open()
	checkPage(t, ctx, "case-offered-"+w.lang)
	w.submit(`button[id^=accept-]`)
	if d := w.dossier(); d.Case.AgencyID != w.agencies["ngo"] {
		t.Fatalf("the transfer did not move the case to the NGO")
	}
	today := time.Now().Format(time.DateOnly)
	w.form("conference", chromedp.SetValue(chromedp.ID("held-on"), today),
		chromedp.Click(chromedp.CSS(`#form-conference input[value=social_work]`)), chromedp.Click(chromedp.CSS(`#form-conference input[value=police]`)),
		chromedp.Click(chromedp.CSS(`#form-conference input[value=health]`)),
		chromedp.SendKeys(chromedp.ID("decisions"), "Safety plan agreed; medical follow-up weekly."),
		chromedp.SetValue(chromedp.ID("action-due"), time.Now().AddDate(0, 0, 7).Format(time.DateOnly)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('action-owner').selectedIndex = 1`),
		chromedp.SendKeys(chromedp.ID("action-text"), "Arrange the medical follow-up."))
	w.form("handover", chromedp.Click(chromedp.CSS(`#form-handover input[value=referral]`)), chromedp.SetValue(chromedp.ID("to-agency"), w.agencies["police"]))
	checkPage(t, ctx, "case-worker-"+w.lang)

	// 4. The police accept the referral and open an investigation.
	w.as(access.PoliceInvestigator)
	w.open()
	w.submit(`button[id^=accept-]`)
	w.submit(`#form-investigation button[type=submit]`)
	// The investigation's forms sit in <details>: open them as a person
	// would, by their summaries.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#prosecution details summary`))); err != nil {
		t.Fatal(err)
	}
	w.submit(`#prosecution form[action$="/suspect"] button[type=submit]`)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#prosecution details').forEach(d => d.open = true)`),
		chromedp.SetValue(chromedp.CSS(`#prosecution form[action$="/charge"] select[name=offence]`), "trafficking")); err != nil {
		t.Fatal(err)
	}
	w.submit(`#prosecution form[action$="/charge"] button[type=submit]`)
	checkPage(t, ctx, "case-police-"+w.lang)
	invs, err := cases.Investigations(w.dossier())
	if err != nil || len(invs) != 1 || len(invs[0].Suspects) != 1 || len(invs[0].Charges) != 1 {
		t.Fatalf("investigation: %+v %v", invs, err)
	}

	// 5. The authority takes the conclusive decision; the letter is in
	// the person's language.
	w.as(access.CompetentAuthority)
	w.form("cg", chromedp.Click(chromedp.CSS(`#form-cg input[value=victim_of_trafficking]`)))
	d = w.dossier()
	if d.Case.TraffickingStatus != casework.StatusActual || d.Record.State != casework.StateCGPositive {
		t.Fatalf("after CG: %s %s", d.Record.State, d.Case.TraffickingStatus)
	}
	// A child's case also holds the task of appointing a guardian.
	tasks := slices.DeleteFunc(slices.Clone(d.Tasks), func(t store.Task) bool { return t.Kind == cases.TaskGuardian })
	if len(d.Conferences) != 1 || len(tasks) != 1 || len(d.Handovers) != 2 || d.Handovers[0].State != handover.StateAccepted {
		t.Fatalf("conferences %d, tasks %d, handovers %+v", len(d.Conferences), len(d.Tasks), d.Handovers)
	}
	checkPage(t, ctx, "case-decided-"+w.lang)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.ID("letter-link"))); err != nil {
		t.Fatal(err)
	}
	waitNewPage(t, ctx, `document.getElementById('letter') !== null`)
	lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('letter').lang`))
	if lang != "ne" {
		t.Fatalf("the letter is in %q, want the person's language ne", lang)
	}
	checkPage(t, ctx, "letter-"+w.lang)
}

package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
)

// TestDecisionCheckStep holds the check-your-answers step before a legal
// decision (issue 13): every refused field comes back at once in a
// summary at the top, "Error:" in the title, each message beside its
// field and the values kept; a valid answer shows what will be recorded
// and its legal effect and writes nothing; the confirm sends the same
// fields to the command's own route, which records the decision. The case
// page names the next action with its countdown.
func TestDecisionCheckStep(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		caseID := f.refer(t, adultReferral)
		base := f.srv.URL + "/cases/" + caseID
		ca := f.login(t, access.CompetentAuthority)
		post := func(path string, v url.Values) (int, string) {
			t.Helper()
			resp, err := ca.PostForm(base+path, v)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		version := func() int64 {
			c, err := f.db.Case(ctx, caseID)
			if err != nil {
				t.Fatal(err)
			}
			return c.Version
		}

		_, page := get(t, ca, base)
		for _, want := range []string{`id="next-action"`, "Make the reasonable grounds decision", `id="next-countdown"`, `class="button primary" href="/cases/` + caseID + `/rg" id="next-go"`} {
			if !strings.Contains(page, want) {
				t.Errorf("case page lacks %q", want)
			}
		}
		main := page[strings.Index(page, "<main"):]
		if n := strings.Count(main, `class="button primary"`) + strings.Count(main, `class="primary"`); n != 1 {
			t.Errorf("case page has %d primary buttons, want one", n)
		}

		before := version()
		long := strings.Repeat("x", 5000)
		status, page := post("/rg/check", url.Values{"version": {"1"}, "reason": {long}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("check with no outcome: %d", status)
		}
		for _, want := range []string{"<title>Error: ", `id="error-summary"`, `autofocus`, `href="#rg-outcome-0"`, `href="#rg-reason"`,
			`id="e-rg-outcome"`, `id="e-rg-reason"`, `aria-invalid="true"`, long} {
			if !strings.Contains(page, want) {
				t.Errorf("refused check lacks %q", want)
			}
		}
		status, page = post("/rg/check", url.Values{"version": {"1"}, "outcome": {"positive"}, "reason": {"Credible account & indicators."}})
		if status != http.StatusOK {
			t.Fatalf("check: %d", status)
		}
		for _, want := range []string{`id="check-answers"`, `id="check-warning"`, "recovery and reflection period starts",
			`action="/cases/` + caseID + `/rg"`, `name="outcome" value="positive"`, `value="Credible account &amp; indicators."`, `id="confirm-rg"`,
			`formaction="/cases/` + caseID + `/rg/check" name="step" value="change"`} {
			if !strings.Contains(page, want) {
				t.Errorf("check page lacks %q", want)
			}
		}
		if strings.Contains(page, "<title>Error") {
			t.Error("a valid check is titled as an error")
		}
		if version() != before {
			t.Fatal("the check step wrote the case")
		}
		// Change: the form again, filled, without errors.
		status, page = post("/rg/check", url.Values{"version": {"1"}, "outcome": {"positive"}, "reason": {"Credible account."}, "step": {"change"}})
		if status != http.StatusOK || !strings.Contains(page, `value="positive" checked`) || !strings.Contains(page, "Credible account.</textarea>") || strings.Contains(page, "error-summary") {
			t.Errorf("change: %d, form not filled", status)
		}
		// Confirm: the same fields to the command's route.
		resp, err := ca.PostForm(base+"/rg", url.Values{"version": {"1"}, "outcome": {"positive"}, "reason": {"Credible account."}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=decisions") || version() == before {
			t.Fatalf("confirm: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		// The same answers again are stale: refused with the values kept.
		status, page = post("/rg/check", url.Values{"version": {"1"}, "outcome": {"positive"}, "reason": {"Again."}})
		if status != http.StatusConflict || !strings.Contains(page, "Again.</textarea>") || !strings.Contains(page, "<title>Error: ") {
			t.Errorf("stale check: %d", status)
		}
		// Now the conclusive decision waits, counted down to the end of
		// the recovery period.
		_, page = get(t, ca, base)
		if !strings.Contains(page, "Make the conclusive grounds decision") || !strings.Contains(page, `id="next-countdown"`) {
			t.Error("after RG the case page does not name the conclusive decision with its countdown")
		}
	})
}

package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/alerts"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/notify/smtptest"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// glassScene is a break-glass story on demo data: a case worker of
// another agency (the outsider) and a case of the demo case worker's
// agency, whose administrator is the demo agency administrator. The case
// has a decision, so it has a letter.
type glassScene struct {
	f        *fixture
	clock    *testClock
	target   store.Case
	owner    string // the case's agency
	outsider store.User
	password string
}

func newGlassScene(t *testing.T, db *store.DB) *glassScene {
	t.Helper()
	ctx := context.Background()
	clock := &testClock{t: time.Now().UTC().Truncate(time.Second)}
	f := buildFixture(t, db, fixtureOptions{seed: 7, cases: 120, now: clock.Now, adjust: func(c *config.Config) {
		c.Demo, c.MFAOptional = true, true
	}})
	g := &glassScene{f: f, clock: clock}
	worker := f.user(t, access.CaseWorker)
	g.owner = worker.AgencyID
	// The case: of the worker's agency, with a decision letter.
	in := f.login(t, access.CaseWorker)
	cases, _ := db.Cases(ctx, store.CaseFilter{AgencyID: g.owner, Limit: 500})
	for _, c := range cases {
		if resp, _ := get(t, in, f.srv.URL+"/cases/"+c.ID+"/letter"); resp.StatusCode == http.StatusOK {
			g.target = c
			break
		}
	}
	if g.target.ID == "" {
		t.Fatal("no case of the worker's agency has a decision letter")
	}
	// The outsider: a case worker of another agency.
	agencies, _ := db.Agencies(ctx)
	other := ""
	for _, a := range agencies {
		if a.ID != g.owner && a.Kind == "ngo" {
			other = a.ID
			break
		}
	}
	if other == "" {
		t.Fatal("no other agency")
	}
	g.password = "Outsider breaking the glass 42"
	hash, err := auth.HashPassword(g.password, cheap)
	if err != nil {
		t.Fatal(err)
	}
	now := store.Millis(time.Now())
	g.outsider = store.User{ID: store.NewID(), Username: "outsider.worker", DisplayName: "Outsider Displayname", PasswordHash: hash,
		Role: string(access.CaseWorker), AgencyID: other, Email: "outsider@example.org", CreatedAt: now, UpdatedAt: now}
	if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.InsertUser(ctx, g.outsider) }); err != nil {
		t.Fatal(err)
	}
	return g
}

// eachGlassScene runs fn on every database engine, each time in a new
// glass scene.
func eachGlassScene(t *testing.T, fn func(t *testing.T, g *glassScene)) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) { fn(t, newGlassScene(t, db)) })
}

func (g *glassScene) signIn(t *testing.T) *http.Client {
	t.Helper()
	c := g.f.client(t)
	resp, err := c.PostForm(g.f.srv.URL+"/login", url.Values{"username": {g.outsider.Username}, "password": {g.password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("outsider sign-in: %d", resp.StatusCode)
	}
	return c
}

func (g *glassScene) path() string { return "/cases/" + g.target.ID }

// breakGlass asks for a grant and returns the answer's status and target.
func (g *glassScene) breakGlass(t *testing.T, c *http.Client) (int, string) {
	t.Helper()
	resp, err := c.PostForm(g.f.srv.URL+g.path()+"/break-glass", url.Values{"reason": {"danger_to_life"},
		"justification": {"Justificationcanary at risk tonight"}, "return": {g.path() + "/break-glass"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// dataState is every table's row count (except those of sessions, sign-in
// throttling and the audit trail) and the target case's own row and
// support record, to tell that nothing was written.
func dataState(t *testing.T, db *store.DB, caseID string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, tb := range []string{"cases", "persons", "person_tokens", "referrals", "notifications", "break_glass_grants", "case_support",
		"service_referrals", "support_goals", "case_notes", "handovers", "conferences", "tasks", "investigations", "email_outbox"} {
		var n int
		if err := db.R().QueryRowContext(ctx, `SELECT count(*) FROM `+tb).Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%d ", tb, n)
	}
	c, err := db.Case(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "case: agency=%s jurisdiction=%s version=%d status=%s decision=%s ", c.AgencyID, c.JurisdictionID, c.Version, c.Status, c.Decision)
	var sv int64
	_ = db.R().QueryRowContext(ctx, `SELECT version FROM case_support WHERE case_id = $1`, caseID).Scan(&sv)
	fmt.Fprintf(&b, "support=%d", sv)
	return b.String()
}

// TestBreakGlassIsReadOnlyAndShort is issue 10 point 6 end to end: an
// outsider must prove their identity again before breaking the glass; the
// grant lasts the configured time (4 hours by default) and then ends; and
// under it the outsider can read the case but cannot change it: the attack
// of the review (transfer the case to one's own agency, accept it, keep
// it) and every other command of the case, on the form and in the API, are
// refused as if the case were absent, and nothing is written.
func TestBreakGlassIsReadOnlyAndShort(t *testing.T) {
	eachGlassScene(t, func(t *testing.T, g *glassScene) {
		ctx := t.Context()
		base := g.f.srv.URL
		out := g.signIn(t)
		g.clock.Advance(10 * time.Minute)
		// Out of scope: a 404 that offers emergency access.
		if resp, page := get(t, out, base+g.path()); resp.StatusCode != 404 || !strings.Contains(page, g.path()+"/break-glass") {
			t.Fatalf("out of scope: %d, want 404 with an emergency-access link", resp.StatusCode)
		}
		// Re-authentication first: the form and the grant both send the
		// user to prove their identity again, and no grant is written.
		resp, _ := get(t, out, base+g.path()+"/break-glass")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/reauth") {
			t.Fatalf("break-glass form with a stale sign-in: %d %s, want a redirect to /reauth", resp.StatusCode, resp.Header.Get("Location"))
		}
		if st, loc := g.breakGlass(t, out); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/reauth") {
			t.Fatalf("break-glass with a stale sign-in: %d %s, want a redirect to /reauth", st, loc)
		}
		var grants int
		_ = g.f.db.R().QueryRowContext(ctx, `SELECT count(*) FROM break_glass_grants`).Scan(&grants)
		if grants != 0 {
			t.Fatalf("a grant was written without re-authentication")
		}
		r2, err := out.PostForm(base+"/reauth", url.Values{"password": {g.password}, "return": {g.path() + "/break-glass"}})
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if r2.StatusCode != http.StatusSeeOther || r2.Header.Get("Location") != g.path()+"/break-glass" {
			t.Fatalf("re-authentication: %d %s", r2.StatusCode, r2.Header.Get("Location"))
		}
		if resp, page := get(t, out, base+g.path()+"/break-glass"); resp.StatusCode != 200 || !strings.Contains(page, `id="bg-read-only"`) {
			t.Fatalf("break-glass form after re-authentication: %d", resp.StatusCode)
		}
		if st, loc := g.breakGlass(t, out); st != http.StatusSeeOther || loc != g.path() {
			t.Fatalf("break-glass: %d %s", st, loc)
		}
		// Short: the configured default, four hours.
		var created, expires int64
		if err := g.f.db.R().QueryRowContext(ctx, `SELECT created_at, expires_at FROM break_glass_grants WHERE user_id = $1`, g.outsider.ID).
			Scan(&created, &expires); err != nil {
			t.Fatal(err)
		}
		if time.Duration(expires-created)*time.Millisecond != config.DefaultBreakGlassFor {
			t.Fatalf("grant lasts %v, want %v", time.Duration(expires-created)*time.Millisecond, config.DefaultBreakGlassFor)
		}
		if resp, _ := get(t, out, base+g.path()); resp.StatusCode != 200 {
			t.Fatalf("reading under the grant: %d", resp.StatusCode)
		}
		// Read-only: the attack, then every command of the case.
		before := dataState(t, g.f.db, g.target.ID)
		var supportVersion int64
		_ = g.f.db.R().QueryRowContext(ctx, `SELECT version FROM case_support WHERE case_id = $1`, g.target.ID).Scan(&supportVersion)
		fields := url.Values{"version": {fmt.Sprint(g.target.Version)}, "support_version": {fmt.Sprint(supportVersion)},
			"kind": {"transfer"}, "to_agency": {g.outsider.AgencyID}, "override_reason": {"danger_to_life"},
			"override_justification": {"taking it"}, "response": {"accept"}, "purpose": {"share_data"}, "action": {"give"},
			"recipient": {g.outsider.AgencyID}, "language": {"en"}, "date": {"2026-01-05"}, "closure_reason": {"other"},
			"note": {"closing"}, "owner": {g.outsider.ID}, "due": {"2026-02-01"}, "text": {"a task"}, "opened_on": {"2026-01-05"},
			"outcome": {"positive"}, "reason": {"because"}, "item": {"information_rights"}}
		attack := []string{"handover", "handover-response", "consent", "close"}
		for _, name := range append(attack, caseCommandNames(g)...) {
			// 404 where the role may do it in its own agency (as if
			// absent), 403 where the role may not do it at all.
			if resp, _ := send(t, out, "POST", base+g.path()+"/"+name, fields.Encode(), formHeader...); resp.StatusCode != 404 && resp.StatusCode != 403 {
				t.Errorf("form %s under a grant: %d, want 404", name, resp.StatusCode)
			}
			body := fmt.Sprintf(`{"version":%d,"support_version":%d,"kind":"transfer","to_agency":%q,"override_reason":"danger_to_life","override_justification":"taking it"}`,
				g.target.Version, supportVersion, g.outsider.AgencyID)
			if resp, _ := send(t, out, "POST", base+"/api/v1"+g.path()+"/"+name, body, "Content-Type", "application/json"); resp.StatusCode != 404 && resp.StatusCode != 403 {
				t.Errorf("API %s under a grant: %d, want 404", name, resp.StatusCode)
			}
		}
		for _, name := range []string{"handover", "consent", "close", "task", "rg"} {
			if resp, _ := get(t, out, base+g.path()+"/"+name); resp.StatusCode != 404 && resp.StatusCode != 403 {
				t.Errorf("form page %s under a grant: %d, want 404", name, resp.StatusCode)
			}
		}
		if after := dataState(t, g.f.db, g.target.ID); after != before {
			t.Fatalf("commands under a grant wrote:\nbefore %s\nafter  %s", before, after)
		}
		// Short: when the grant ends, the case is out of reach again (the
		// session has ended by then too: a new one).
		g.clock.Advance(config.DefaultBreakGlassFor - 15*time.Minute)
		if resp, _ := get(t, g.signIn(t), base+g.path()); resp.StatusCode != 200 {
			t.Fatalf("before the grant ended: %d, want 200", resp.StatusCode)
		}
		g.clock.Advance(15*time.Minute + time.Second)
		if resp, _ := get(t, g.signIn(t), base+g.path()); resp.StatusCode != 404 {
			t.Fatalf("after the grant ended: %d, want 404", resp.StatusCode)
		}
	})
}

// caseCommandNames are the names of every case command, read from the
// route table.
func caseCommandNames(g *glassScene) []string {
	var out []string
	for _, rt := range g.f.web.Routes() {
		if name, ok := strings.CutPrefix(rt.Pattern, "POST /cases/{id}/"); ok && name != "break-glass" {
			out = append(out, name)
		}
	}
	return out
}

// TestEveryRequestUnderAGrantIsFlagged is issue 10 point 7: every audit
// event written for a request that a break-glass grant let through (the
// case page, the API read, the letter) carries the break-glass flag and the
// grant's id, and names the record's agency; that agency's administrators
// see these events of another agency's user in their audit log, and are
// told of the grant in the application and by e-mail, by codes and ids.
func TestEveryRequestUnderAGrantIsFlagged(t *testing.T) {
	eachGlassScene(t, func(t *testing.T, g *glassScene) {
		ctx := t.Context()
		base := g.f.srv.URL
		out := g.signIn(t)
		var head int64
		_ = g.f.db.R().QueryRowContext(ctx, `SELECT seq FROM audit_head`).Scan(&head)
		if st, loc := g.breakGlass(t, out); st != http.StatusSeeOther || loc != g.path() {
			t.Fatalf("break-glass: %d %s", st, loc)
		}
		var grant string
		if err := g.f.db.R().QueryRowContext(ctx, `SELECT id FROM break_glass_grants WHERE user_id = $1`, g.outsider.ID).Scan(&grant); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{g.path(), "/api/v1" + g.path(), g.path() + "/letter"} {
			if resp, _ := get(t, out, base+p); resp.StatusCode != 200 {
				t.Fatalf("%s under the grant: %d", p, resp.StatusCode)
			}
		}
		// Offered the case as well (a transfer awaits the outsider's
		// answer): the summary no longer rests on the grant, the identity
		// on the page still does, and the views are still flagged.
		err := g.f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
			return tx.InsertHandover(ctx, store.Handover{ID: store.NewID(), CaseID: g.target.ID, Kind: "transfer", FromAgencyID: g.owner,
				ToAgencyID: g.outsider.AgencyID, State: "pending", Basis: "consent", CreatedBy: g.outsider.ID, CreatedAt: store.Millis(time.Now())})
		})
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := get(t, out, base+g.path()); resp.StatusCode != 200 {
			t.Fatalf("offered and under the grant: %d", resp.StatusCode)
		}
		// Every event the outsider caused since, flagged with the grant.
		evs, err := g.f.db.AuditEvents(ctx, store.AuditFilter{Actor: g.outsider.ID, Limit: 500})
		views := 0
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, e := range evs {
			if e.Seq <= head {
				continue
			}
			key := e.Action
			if e.Details["via"] != "" {
				key += "/" + e.Details["via"]
			}
			seen[key]++
			if key == "case.view" {
				views++
			}
			if e.Flags&audit.FlagBreakGlass == 0 || e.Reason != grant {
				t.Errorf("event %s (%v) under the grant is not flagged with it: flags %d reason %q", e.Action, e.Details, e.Flags, e.Reason)
			}
			if e.Details[audit.RecordAgencyDetail] != g.owner {
				t.Errorf("event %s does not name the record's agency: %v", e.Action, e.Details)
			}
		}
		if views < 2 {
			t.Errorf("%d page views under the grant, want 2", views)
		}
		for _, want := range []string{"case.break_glass", "case.view", "case.view/api", "case.letter"} {
			if seen[want] == 0 {
				t.Errorf("no %s event under the grant (saw %v)", want, seen)
			}
		}
		// The owning agency's administrator sees them, though the actor
		// is of another agency, and was told.
		admin := g.f.login(t, access.AgencyAdmin)
		_, page := get(t, admin, base+"/admin/audit?breakglass=1")
		for _, want := range []string{g.outsider.Username, "case.letter", "case.break_glass"} {
			if !strings.Contains(page, want) {
				t.Errorf("the owning agency's audit log lacks %q", want)
			}
		}
		if _, home := get(t, admin, base+"/"); !strings.Contains(home, g.path()) {
			t.Error("the owning agency's administrator has no in-app notice of the grant")
		}
		adminUser := g.f.user(t, access.AgencyAdmin)
		var mails int
		_ = g.f.db.R().QueryRowContext(ctx, `SELECT count(*) FROM email_outbox WHERE kind = 'break_glass' AND case_id = $1 AND user_id = $2`,
			g.target.ID, adminUser.ID).Scan(&mails)
		if mails != 1 {
			t.Fatalf("e-mails to the owning agency's administrator: %d, want 1", mails)
		}
		srv := smtptest.Start(t, smtptest.Options{})
		b, _ := i18n.New()
		sender := &alerts.Sender{DB: g.f.db, I18n: b, Mailer: notify.NewMailer(notify.Config{Addr: srv.Addr(), From: "haven@example.org",
			BaseURL: "https://haven.example.org", Timeout: 5 * time.Second})}
		n, err := sender.Send(ctx, 500)
		if err != nil || n == 0 {
			t.Fatalf("sending alerts: %d %v", n, err)
		}
		found := false
		for _, m := range srv.Wait(n, 5*time.Second) {
			raw := string(m.Data)
			if !strings.Contains(raw, "X-Haven-Alert: break_glass") {
				continue
			}
			found = true
			for _, secret := range []string{g.outsider.DisplayName, g.outsider.Username, "Justificationcanary", "Demo "} {
				if strings.Contains(raw, secret) {
					t.Fatalf("the break-glass e-mail names %q:\n%s", secret, raw)
				}
			}
			if !strings.Contains(raw, g.target.Reference) {
				t.Fatalf("the break-glass e-mail lacks the case reference:\n%s", raw)
			}
		}
		if !found {
			t.Fatal("no break-glass e-mail reached the SMTP server")
		}
	})
}

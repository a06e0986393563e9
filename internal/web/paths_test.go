package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// The broken paths of issue 10 (points 15–20): casework that must complete
// through the pages and the API alike.

// pathWorld is a fixture with a fresh referred adult and the agencies of
// the demo's first jurisdiction.
type pathWorld struct {
	t      *testing.T
	f      *fixture
	db     *store.DB
	caseID string
	agency map[string]store.Agency // by kind, first jurisdiction
}

func newPathWorld(t *testing.T, db *store.DB, referral string) *pathWorld {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t, db)
	w := &pathWorld{t: t, f: f, db: db, agency: map[string]store.Agency{}}
	fr := f.user(t, access.FirstResponder)
	as, err := db.Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.JurisdictionID == fr.JurisdictionID {
			w.agency[a.Kind] = a
		}
	}
	if referral != "" {
		w.refer(referral)
	}
	return w
}

// refer refers a person; the case is the world's from then on.
func (w *pathWorld) refer(referral string) {
	w.t.Helper()
	w.caseID = w.f.refer(w.t, referral)
}

// form posts a form and answers the status and the page.
func (w *pathWorld) form(c *http.Client, path string, v url.Values) (int, string) {
	w.t.Helper()
	req, _ := http.NewRequest("POST", w.f.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// api posts a JSON command to the case.
func (w *pathWorld) api(c *http.Client, cmd, body string) (int, map[string]any) {
	w.t.Helper()
	return postJSON(w.t, c, w.f.srv.URL+"/api/v1/cases/"+w.caseID+"/"+cmd, body)
}

func (w *pathWorld) dossierCase() store.Case {
	w.t.Helper()
	c, err := w.db.Case(context.Background(), w.caseID)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func (w *pathWorld) supportVersion() int64 {
	w.t.Helper()
	d, err := store.Support(context.Background(), w.db.R(), w.caseID)
	if err != nil {
		w.t.Fatal(err)
	}
	return d.Version
}

// user adds a user of role to agency and signs them in.
func (w *pathWorld) user(name string, role access.Role, agencyID string) (*http.Client, store.User) {
	w.t.Helper()
	ctx := context.Background()
	pw := "Broken paths account " + name
	hash, err := auth.HashPassword(pw, cheap)
	if err != nil {
		w.t.Fatal(err)
	}
	now := store.Millis(time.Now())
	u := store.User{ID: store.NewID(), Username: name, DisplayName: name, PasswordHash: hash, Role: string(role), AgencyID: agencyID,
		Email: name + "@example.org", CreatedAt: now, UpdatedAt: now}
	if err := w.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.InsertUser(ctx, u) }); err != nil {
		w.t.Fatal(err)
	}
	c := w.f.client(w.t)
	resp, err := c.PostForm(w.f.srv.URL+"/login", url.Values{"username": {name}, "password": {pw}})
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		w.t.Fatalf("sign in %s: %d", name, resp.StatusCode)
	}
	u, _ = w.db.UserByID(ctx, u.ID)
	return c, u
}

// events lists the audit events of an action on the case.
func (w *pathWorld) events(action string) []audit.Event {
	w.t.Helper()
	var out []audit.Event
	if err := w.db.EachAuditEvent(context.Background(), func(e audit.Event) error {
		if e.Action == action && e.ObjectID == w.caseID {
			out = append(out, e)
		}
		return nil
	}); err != nil {
		w.t.Fatal(err)
	}
	return out
}

// Point 15: a handover with a consent override and "any service" works,
// from the form and from the API; the override is recorded and audited,
// its justification sealed.
func TestHandoverWithConsentOverrideForAnyService(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newPathWorld(t, db, adultReferral)
		ca := w.f.login(t, access.CompetentAuthority)
		// The form: a referral to the police, any service, no consent, an override.
		st, page := w.form(ca, "/cases/"+w.caseID+"/handover", url.Values{"support_version": {fmt.Sprint(w.supportVersion())}, "kind": {"referral"},
			"to_agency": {w.agency["police"].ID}, "service": {""}, "override_reason": {"danger_to_life"},
			"override_justification": {"Threats made against the person this week."}})
		if st != http.StatusSeeOther {
			t.Fatalf("form: %d, want 303 to the case\n%.300s", st, page)
		}
		// The API: a transfer to the NGO, any service, override.
		st, out := w.api(ca, "handover", fmt.Sprintf(`{"support_version":%d,"kind":"transfer","to_agency":%q,"service":"",
			"override_reason":"child_protection","override_justification":"Guardian unreachable; protection needed now."}`, w.supportVersion(), w.agency["ngo"].ID))
		if st != http.StatusOK {
			t.Fatalf("API: %d %v", st, out)
		}
		hs, err := store.Handovers(context.Background(), db.R(), w.caseID)
		if err != nil || len(hs) != 2 || hs[0].Basis != "override" || hs[1].Basis != "override" || hs[0].Service != "" {
			t.Fatalf("two handovers on an override, any service: %+v %v", hs, err)
		}
		ovs := w.events("consent.override")
		if len(ovs) != 2 {
			t.Fatalf("two audited overrides, got %d", len(ovs))
		}
		for _, e := range ovs {
			if _, ok := e.Details["service"]; ok || e.Details["note"] == "" {
				t.Fatalf("an override for any service names no service and the sealed justification: %v", e.Details)
			}
		}
	})
}

// Point 16: the agency that accepts a referral gets exactly the access the
// sharing grants: police who accept a referral made with consent for one
// service open an investigation, from the API and the form; once the
// consent is withdrawn the case is closed to them again.
func TestAcceptedReferralGivesTheAccessItGrants(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newPathWorld(t, db, adultReferral)
		ca, pol := w.f.login(t, access.CompetentAuthority), w.agency["police"].ID
		if st, out := w.api(ca, "consent", fmt.Sprintf(`{"support_version":%d,"purpose":"share_with_agency","recipient":%q,"service":"legal_aid",
			"action":"given","language":"ne"}`, w.supportVersion(), pol)); st != 200 {
			t.Fatalf("consent: %d %v", st, out)
		}
		if st, out := w.api(ca, "handover", fmt.Sprintf(`{"support_version":%d,"kind":"referral","to_agency":%q,"service":"legal_aid"}`,
			w.supportVersion(), pol)); st != 200 {
			t.Fatalf("referral: %d %v", st, out)
		}
		hs, _ := store.Handovers(context.Background(), db.R(), w.caseID)
		police := w.f.login(t, access.PoliceInvestigator)
		if st, out := w.api(police, "handover-response", fmt.Sprintf(`{"handover":%q,"handover_version":%d,"response":"accept"}`, hs[0].ID, hs[0].Version)); st != 200 {
			t.Fatalf("accept: %d %v", st, out)
		}
		if st, out := w.api(police, "investigation", `{}`); st != 200 {
			t.Fatalf("investigation by API after acceptance: %d %v", st, out)
		}
		if st, _ := w.form(police, "/cases/"+w.caseID+"/investigation", url.Values{}); st != http.StatusSeeOther {
			t.Fatalf("investigation by form after acceptance: %d", st)
		}
		if resp, _ := get(t, police, w.f.srv.URL+"/cases/"+w.caseID); resp.StatusCode != 200 {
			t.Fatalf("case page after acceptance: %d", resp.StatusCode)
		}
		// Exactly: the consent for that service withdrawn, access ends.
		if st, out := w.api(ca, "consent", fmt.Sprintf(`{"support_version":%d,"purpose":"share_with_agency","recipient":%q,"service":"legal_aid",
			"action":"withdrawn","language":"ne"}`, w.supportVersion(), pol)); st != 200 {
			t.Fatalf("withdraw: %d %v", st, out)
		}
		if st, _ := w.api(police, "investigation", `{}`); st != http.StatusNotFound {
			t.Fatalf("investigation after withdrawal: %d, want 404", st)
		}
	})
}

// Point 17: a transfer accepted by another jurisdiction's competent
// authority moves the case's jurisdiction: it leaves the sender's queue
// and appears in the receiver's, and the move is audited.
func TestTransferToAnotherJurisdictionMovesTheCase(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newPathWorld(t, db, adultReferral)
		from := w.dossierCase().JurisdictionID
		as, _ := db.Agencies(ctx)
		var other store.Agency
		for _, a := range as {
			if a.Kind == "competent_authority" && a.JurisdictionID != from {
				other = a
				break
			}
		}
		receiver, _ := w.user("other.authority", access.CompetentAuthority, other.ID)
		sender := w.f.login(t, access.CompetentAuthority)
		inQueue := func(c *http.Client) bool {
			st, q := getJSON(t, c, w.f.srv.URL+"/api/v1/queue")
			return st == 200 && strings.Contains(fmt.Sprint(q["items"]), w.caseID)
		}
		if !inQueue(sender) || inQueue(receiver) {
			t.Fatal("before the transfer the case is in the sender's queue only")
		}
		if st, out := w.api(sender, "consent", fmt.Sprintf(`{"support_version":%d,"purpose":"share_with_agency","recipient":%q,"action":"given","language":"ne"}`,
			w.supportVersion(), other.ID)); st != 200 {
			t.Fatalf("consent: %d %v", st, out)
		}
		if st, out := w.api(sender, "handover", fmt.Sprintf(`{"support_version":%d,"kind":"transfer","to_agency":%q}`, w.supportVersion(), other.ID)); st != 200 {
			t.Fatalf("transfer: %d %v", st, out)
		}
		hs, _ := store.Handovers(ctx, db.R(), w.caseID)
		if st, out := w.api(receiver, "handover-response", fmt.Sprintf(`{"handover":%q,"handover_version":%d,"response":"accept"}`, hs[0].ID, hs[0].Version)); st != 200 {
			t.Fatalf("accept: %d %v", st, out)
		}
		c := w.dossierCase()
		if c.AgencyID != other.ID || c.JurisdictionID != other.JurisdictionID {
			t.Fatalf("the case stays in jurisdiction %s, want %s", c.JurisdictionID, other.JurisdictionID)
		}
		if resp, _ := get(t, receiver, w.f.srv.URL+"/cases/"+w.caseID); resp.StatusCode != 200 {
			t.Fatalf("receiver's case page: %d", resp.StatusCode)
		}
		if resp, _ := get(t, sender, w.f.srv.URL+"/cases/"+w.caseID); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("sender's case page: %d, want 404", resp.StatusCode)
		}
		if inQueue(sender) || !inQueue(receiver) {
			t.Fatal("after the transfer the case is in the receiver's queue only")
		}
		ev := w.events("case.handover_accept")
		if len(ev) != 1 || ev[0].Details["jurisdiction_from"] != from || ev[0].Details["jurisdiction_to"] != other.JurisdictionID {
			t.Fatalf("the move is audited: %+v", ev)
		}
	})
}

// getJSON reads a JSON answer.
func getJSON(t *testing.T, c *http.Client, u string) (int, map[string]any) {
	t.Helper()
	resp, body := get(t, c, u)
	var m map[string]any
	_ = json.Unmarshal([]byte(body), &m)
	return resp.StatusCode, m
}

// Point 20: the reasons given for a decision are shown, on the case page
// and in the case API, to those access.ViewReasons allows: the competent
// authority and the case workers of an agency working on the case; not to
// the police working on it too.
func TestDecisionReasonsShownToThoseAllowed(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newPathWorld(t, db, adultReferral)
		ca := w.f.login(t, access.CompetentAuthority)
		const reason = "Credible account of deceptive recruitment"
		if st, out := w.api(ca, "rg", `{"version":1,"outcome":"positive","reason":"`+reason+`"}`); st != 200 {
			t.Fatalf("rg: %d %v", st, out)
		}
		// The NGO and the police work on the case with the person's consent.
		for _, kind := range []string{"ngo", "police"} {
			a := w.agency[kind].ID
			if st, out := w.api(ca, "consent", fmt.Sprintf(`{"support_version":%d,"purpose":"share_with_agency","recipient":%q,"action":"given","language":"ne"}`,
				w.supportVersion(), a)); st != 200 {
				t.Fatalf("consent: %d %v", st, out)
			}
			if st, out := w.api(ca, "handover", fmt.Sprintf(`{"support_version":%d,"kind":"referral","to_agency":%q}`, w.supportVersion(), a)); st != 200 {
				t.Fatalf("referral: %d %v", st, out)
			}
		}
		hs, _ := store.Handovers(ctx, db.R(), w.caseID)
		worker, police := w.f.login(t, access.CaseWorker), w.f.login(t, access.PoliceInvestigator)
		for i, c := range []*http.Client{worker, police} {
			if st, out := w.api(c, "handover-response", fmt.Sprintf(`{"handover":%q,"handover_version":%d,"response":"accept"}`, hs[i].ID, hs[i].Version)); st != 200 {
				t.Fatalf("accept: %d %v", st, out)
			}
		}
		for _, who := range []struct {
			name string
			c    *http.Client
			sees bool
		}{{"competent authority", ca, true}, {"case worker", worker, true}, {"police", police, false}} {
			resp, page := get(t, who.c, w.f.srv.URL+"/cases/"+w.caseID)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: case page %d", who.name, resp.StatusCode)
			}
			if strings.Contains(page, reason) != who.sees || strings.Contains(page, `id="decision-reasons"`) != who.sees {
				t.Errorf("%s: the page shows the reasons: %v, want %v", who.name, strings.Contains(page, reason), who.sees)
			}
			st, body := getJSON(t, who.c, w.f.srv.URL+"/api/v1/cases/"+w.caseID)
			if st != 200 {
				t.Fatalf("%s: API %d", who.name, st)
			}
			got := strings.Contains(fmt.Sprint(body["decision_reasons"]), reason)
			if got != who.sees || strings.Contains(fmt.Sprint(body["notes"]), reason) {
				t.Errorf("%s: the API shows the reasons: %v (notes %v), want %v", who.name, got, body["notes"], who.sees)
			}
		}
	})
}

// Point 19: a negative reasonable-grounds decision awaits a second
// person's review, as a negative conclusive one does: the queue shows it as
// review pending, the decider cannot review it, another decider upholds it
// and only then is the person not a victim.
func TestNegativeRGDecisionGetsSecondPersonReview(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newPathWorld(t, db, adultReferral)
		ca := w.f.login(t, access.CompetentAuthority)
		second, _ := w.user("second.decider", access.CompetentAuthority, w.agency["competent_authority"].ID)
		if st, out := w.api(ca, "rg", `{"version":1,"outcome":"negative","reason":"No indicator of exploitation."}`); st != 200 {
			t.Fatalf("rg: %d %v", st, out)
		}
		c := w.dossierCase()
		if c.TraffickingStatus != "PossibleVictimOfTrafficking" || c.QueueKey == "" {
			t.Fatalf("a negative RG awaiting review leaves a possible victim in the queue: %s %q", c.TraffickingStatus, c.QueueKey)
		}
		st, q := getJSON(t, ca, w.f.srv.URL+"/api/v1/queue")
		if st != 200 || !strings.Contains(fmt.Sprint(q["items"]), "rg_negative_pending_review") {
			t.Fatalf("the API queue shows the review pending: %d %v", st, q["items"])
		}
		_, page := get(t, ca, w.f.srv.URL+"/queue")
		if !strings.Contains(page, "second-person review pending") {
			t.Fatal("the queue page does not say the review is pending")
		}
		_, casePage := get(t, ca, w.f.srv.URL+"/cases/"+w.caseID)
		if !strings.Contains(casePage, `id="open-review"`) || strings.Contains(casePage, `id="letter-link"`) {
			t.Fatal("the case page offers the review and no letter while the review is pending")
		}
		if st, _ := w.api(ca, "review", fmt.Sprintf(`{"version":%d,"outcome":"upheld"}`, c.Version)); st != http.StatusForbidden {
			t.Fatalf("the decider reviewing their own decision: %d, want 403", st)
		}
		if st, out := w.api(second, "review", fmt.Sprintf(`{"version":%d,"outcome":"upheld"}`, c.Version)); st != 200 {
			t.Fatalf("review: %d %v", st, out)
		}
		c = w.dossierCase()
		if c.TraffickingStatus != "NotAVictimOfTrafficking" || c.QueueKey != "" {
			t.Fatalf("upheld: not a victim, out of the queue; got %s %q", c.TraffickingStatus, c.QueueKey)
		}
		if len(w.events("case.reasonable_grounds_negative_proposed")) != 1 || len(w.events("case.negative_reasonable_grounds_reviewed")) != 1 {
			t.Fatal("the proposal and the review are audited")
		}
	})
}

// childReferral is a referred child: no consent needed, the
// child-protection office is notified and a guardian requested.
const childReferral = `{"sector":"labour_inspection","age":15,"gender":"Feminine","citizenship":"NP","languages":["ne"],
	"exploitation":"labour","acts":["recruitment"],"purposes":["forced_labour"],
	"identity":{"given_name":"Maya","family_name":"Childtest"}}`

// Point 18: the child path completes. The child-protection office's notice
// links to the child's case, which its staff can open; it is e-mailed too;
// a task asks for the guardian by a deadline, and recording the
// appointment (name and contact sealed) closes it.
func TestChildPathCompletes(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newPathWorld(t, db, "")
		office := w.agency["local_government"]
		cp, cpUser := w.user("child.protection", access.CaseWorker, office.ID)
		w.refer(childReferral)
		// The notices and the e-mail point at the case.
		notes, err := db.Notifications(ctx, office.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, n := range notes {
			if n.ObjectType == "case" && n.ObjectID == w.caseID {
				kinds[n.Kind] = true
			}
		}
		if !kinds["child_referral"] || !kinds["guardian_requested"] {
			t.Fatalf("the office's notices point at the child's case: %+v", notes)
		}
		_, home := get(t, cp, w.f.srv.URL+"/")
		if !strings.Contains(home, `href="/cases/`+w.caseID+`"`) {
			t.Fatal("the office's home page does not link the child's case")
		}
		if resp, _ := get(t, cp, w.f.srv.URL+"/cases/"+w.caseID); resp.StatusCode != 200 {
			t.Fatalf("the office opens the linked case: %d", resp.StatusCode)
		}
		var mails int
		if err := db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM email_outbox WHERE case_id = $1 AND kind = 'guardian_requested'`,
			w.caseID).Scan(&mails); err != nil || mails == 0 {
			t.Fatalf("the guardian request is e-mailed: %d %v", mails, err)
		}
		// The deadline task stands, owned in the office.
		tasks, err := store.OpenTasks(ctx, db.R(), cpUser.ID, 10)
		if err != nil || len(tasks) != 1 || tasks[0].Kind != "guardian_appointment" || tasks[0].CaseID != w.caseID {
			t.Fatalf("the office has the appointment task: %+v %v", tasks, err)
		}
		_, page := get(t, cp, w.f.srv.URL+"/cases/"+w.caseID)
		if !strings.Contains(page, `id="guardian-status"`) || !strings.Contains(page, `id="open-guardian"`) || !strings.Contains(page, `id="guardian-due"`) {
			t.Fatal("the case page shows the pending guardian with its deadline and the form's link")
		}
		if resp, _ := get(t, cp, w.f.srv.URL+"/cases/"+w.caseID+"/guardian"); resp.StatusCode != 200 {
			t.Fatalf("the guardian form: %d", resp.StatusCode)
		}
		// A day in the future is refused, nothing written.
		tomorrow := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
		if st, _ := w.form(cp, "/cases/"+w.caseID+"/guardian", url.Values{"guardian_name": {"Guardian Canaryname"}, "guardian_agency": {office.ID},
			"appointed_on": {tomorrow}}); st != http.StatusUnprocessableEntity {
			t.Fatalf("a future day: %d, want 422", st)
		}
		yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
		if st, page := w.form(cp, "/cases/"+w.caseID+"/guardian", url.Values{"guardian_name": {"Guardian Canaryname"}, "guardian_agency": {office.ID},
			"appointed_on": {yesterday}, "guardian_contact": {"+977 61 555 0101"}}); st != http.StatusSeeOther {
			t.Fatalf("record the guardian: %d\n%.400s", st, page)
		}
		if tasks, _ := store.OpenTasks(ctx, db.R(), cpUser.ID, 10); len(tasks) != 0 {
			t.Fatalf("the appointment closes the task: %+v", tasks)
		}
		st, body := getJSON(t, cp, w.f.srv.URL+"/api/v1/cases/"+w.caseID)
		if st != 200 || !strings.Contains(fmt.Sprint(body["guardian"]), "appointed") {
			t.Fatalf("the API shows the guardian appointed: %d %v", st, body["guardian"])
		}
		_, page = get(t, cp, w.f.srv.URL+"/cases/"+w.caseID)
		if !strings.Contains(page, "Guardian Canaryname") || !strings.Contains(page, "977 61 555 0101") {
			t.Fatal("the office sees the guardian it recorded")
		}
		if len(w.events("case.guardian_appointed")) != 1 {
			t.Fatal("the appointment is audited")
		}
		var clear int
		if err := db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM case_guardians WHERE agency_id = $1`, office.ID).Scan(&clear); err != nil || clear != 1 {
			t.Fatalf("one appointment row: %d %v", clear, err)
		}
		// The API records one too; an adult gets no guardian.
		ca := w.f.login(t, access.CompetentAuthority)
		if st, out := w.api(ca, "guardian", fmt.Sprintf(`{"guardian_name":"Second Guardian","guardian_agency":%q,"appointed_on":%q}`,
			office.ID, yesterday)); st != 200 {
			t.Fatalf("API: %d %v", st, out)
		}
		st, out := postJSON(t, w.f.login(t, access.FirstResponder), w.f.srv.URL+"/api/v1/referrals", adultReferral)
		if st != http.StatusCreated {
			t.Fatalf("adult referral: %d", st)
		}
		adult := out["case_id"].(string)
		if st, _ := postJSON(t, ca, w.f.srv.URL+"/api/v1/cases/"+adult+"/guardian", fmt.Sprintf(`{"guardian_name":"X","guardian_agency":%q,"appointed_on":%q}`,
			office.ID, yesterday)); st != http.StatusBadRequest && st != http.StatusUnprocessableEntity {
			t.Fatalf("a guardian for an adult: %d, want a refusal", st)
		}
		if resp, _ := get(t, cp, w.f.srv.URL+"/cases/"+adult); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("the office opens an adult's case: %d, want 404", resp.StatusCode)
		}
	})
}

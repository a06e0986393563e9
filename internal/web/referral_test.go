package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/store"
)

func postJSON(t *testing.T, c *http.Client, u, body string, hdr ...string) (int, map[string]any) {
	t.Helper()
	resp, b := send(t, c, "POST", u, body, append([]string{"Content-Type", "application/json"}, hdr...)...)
	var m map[string]any
	_ = json.Unmarshal([]byte(b), &m)
	return resp.StatusCode, m
}

const adultReferral = `{"sector":"labour_inspection","age":24,"gender":"Feminine","citizenship":"NP","languages":["ne"],
	"exploitation":"labour","acts":["recruitment"],"means":["deception"],"purposes":["forced_labour"],
	"indicators":["deceptive_recruitment.deceived_nature_of_job"],"needs":["bed_tonight"],"consent":"given","consent_language":"ne",
	"identity":{"given_name":"Sita","family_name":"Gurungtest","document_number":"PA 123-456","birth_date":"2002-05-01"}}`

// A referral lands with the competent authority, who sees the identity and
// possible duplicates; the referring agency sees the status only.
func TestReferralFlow(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		fr := f.login(t, access.FirstResponder)
		st, body := postJSON(t, fr, f.srv.URL+"/api/v1/referrals", adultReferral, "Idempotency-Key", "k1")
		if st != 201 || body["kind"] != "referral" || body["urgent"] != true || body["classification"] != "presumed_trafficking" {
			t.Fatalf("create: %d %v", st, body)
		}
		refID, caseID := body["id"].(string), body["case_id"].(string)
		// A retry with the same key returns the same referral.
		st, again := postJSON(t, fr, f.srv.URL+"/api/v1/referrals", adultReferral, "Idempotency-Key", "k1")
		if st != 200 || again["id"] != refID || again["replayed"] != true {
			t.Fatalf("replay: %d %v", st, again)
		}
		// A second person with the same document number is flagged as a
		// possible duplicate.
		second := strings.Replace(strings.Replace(adultReferral, "Sita", "S.", 1), "PA 123-456", "pa123456", 1)
		st, body2 := postJSON(t, fr, f.srv.URL+"/api/v1/referrals", second)
		if st != 201 {
			t.Fatalf("second: %d %v", st, body2)
		}
		// The referring agency sees the status, not the screening.
		_, page := get(t, fr, f.srv.URL+"/referrals/"+refID)
		if !strings.Contains(page, `id="referral-status"`) || strings.Contains(page, "Sita") || strings.Contains(page, "/cases/") {
			t.Fatal("the referring agency sees more than the status")
		}
		// The first responder cannot open the case.
		if resp, _ := get(t, fr, f.srv.URL+"/cases/"+caseID); resp.StatusCode != 403 {
			t.Fatalf("first responder on the case: %d, want 403", resp.StatusCode)
		}
		// The competent authority: queue (urgent first), case with identity,
		// duplicates.
		ca := f.login(t, access.CompetentAuthority)
		_, queue := get(t, ca, f.srv.URL+"/referrals")
		if !strings.Contains(queue, refID) {
			t.Fatal("referral missing from the authority's queue")
		}
		_, home := get(t, ca, f.srv.URL+"/")
		if !strings.Contains(home, "/referrals/"+refID) {
			t.Fatal("the urgent referral is not among the authority's notices")
		}
		_, casePage := get(t, ca, f.srv.URL+"/cases/"+caseID)
		if !strings.Contains(casePage, "Sita") || !strings.Contains(casePage, "PA 123-456") {
			t.Fatal("the authority does not see the identity")
		}
		if !regexp.MustCompile(`/cases/` + body2["case_id"].(string)).MatchString(casePage) {
			t.Fatal("possible duplicate not shown to the authority")
		}
		// Viewing identifying data was audited, with ids only.
		evs, _ := f.db.AuditEvents(context.Background(), store.AuditFilter{Action: "person.view"})
		if len(evs) == 0 || evs[0].ObjectType != "person" {
			t.Fatalf("identity view not audited: %v", evs)
		}
		// Nothing identifying is stored in clear.
		var n int
		_ = f.db.R().QueryRowContext(context.Background(), `SELECT count(*) FROM referrals WHERE facts LIKE '%Sita%' OR facts LIKE '%PA 123%'`).Scan(&n)
		if n != 0 {
			t.Fatal("identifying data in the referral's facts")
		}
	})
}

func TestAnonymousNotificationAndChild(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		fr := f.login(t, access.FirstResponder)
		counts := func() (persons, cases int) {
			_ = f.db.R().QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM persons), (SELECT count(*) FROM cases)`).Scan(&persons, &cases)
			return
		}
		p0, c0 := counts()
		st, body := postJSON(t, fr, f.srv.URL+"/api/v1/referrals", `{"sector":"health","age":30,"acts":["recruitment"],"means":["fraud"],"purposes":["forced_labour"],"consent":"declined"}`)
		if st != 201 || body["kind"] != "anonymous_notification" || body["case_id"] != nil {
			t.Fatalf("anonymous notification: %d %v", st, body)
		}
		if p, c := counts(); p != p0 || c != c0 {
			t.Fatal("an anonymous notification created a person or a case")
		}
		// Identifying data without consent is refused, nothing stored.
		st, body = postJSON(t, fr, f.srv.URL+"/api/v1/referrals", `{"sector":"health","age":30,"consent":"declined","identity":{"given_name":"X"}}`)
		if st != 422 {
			t.Fatalf("identity without consent: %d %v", st, body)
		}
		// A child needs no consent; child protection is notified about the
		// child's case, which it may open.
		st, body = postJSON(t, fr, f.srv.URL+"/api/v1/referrals", `{"sector":"education","age":15,"acts":["recruitment"],"purposes":["sexual_exploitation"],"identity":{"given_name":"Child"}}`)
		if st != 201 || body["child"] != true || body["case_id"] == nil {
			t.Fatalf("child referral: %d %v", st, body)
		}
		var notes int
		_ = f.db.R().QueryRowContext(context.Background(), `SELECT count(*) FROM notifications WHERE kind IN ('child_referral','guardian_requested')
			AND object_type = 'case' AND object_id = $1`, body["case_id"]).Scan(&notes)
		if notes != 2 {
			t.Fatalf("child-protection notifications: %d, want 2", notes)
		}
	})
}

func TestReferralFormWorksWithoutJavaScript(t *testing.T) {
	f := sqliteFixture(t)
	fr := f.login(t, access.FirstResponder)
	form := url.Values{"sector": {"labour_inspection"}, "age": {"16"}, "acts": {"recruitment"}, "purposes": {"forced_labour"},
		"exploitation": {"labour"}, "given_name": {"Mina"}, "needs": {"medical"}, "idempotency_key": {"form-1"}}
	// "Check screening" shows the result and stores nothing.
	form.Set("action", "screen")
	resp, page := f.post(t, fr, "/referrals/new", form)
	if resp.StatusCode != 200 || !strings.Contains(page, "classification-presumed_trafficking") {
		t.Fatalf("screen: %d", resp.StatusCode)
	}
	if n, _ := f.db.Counts(context.Background()); n.Cases != 120 {
		t.Fatalf("screening stored something: %d cases", n.Cases)
	}
	// An oversized narrative is refused on its field, nothing stored.
	form.Set("action", "refer")
	form.Set("narrative", strings.Repeat("n", 8001))
	resp, page = f.post(t, fr, "/referrals/new", form)
	if resp.StatusCode != 422 || !strings.Contains(page, `id="e-narrative"`) {
		t.Fatalf("oversized narrative: %d", resp.StatusCode)
	}
	if n, _ := f.db.Counts(context.Background()); n.Cases != 120 {
		t.Fatal("a refused referral stored a case")
	}
	form.Del("narrative")
	resp, _ = f.post(t, fr, "/referrals/new", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/referrals/") {
		t.Fatalf("refer: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Break-glass: out of scope is a 404 that offers emergency access; with a
// reason the record opens, flagged in the audit log, and the record's
// agency is notified.
func TestBreakGlass(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		cw := f.login(t, access.CaseWorker)
		u := f.user(t, access.CaseWorker)
		all, _ := f.db.Cases(ctx, store.CaseFilter{Limit: 500})
		var other store.Case
		for _, c := range all {
			if c.AgencyID != u.AgencyID {
				other = c
				break
			}
		}
		resp, page := get(t, cw, f.srv.URL+"/cases/"+other.ID)
		if resp.StatusCode != 404 || !strings.Contains(page, "/cases/"+other.ID+"/break-glass") {
			t.Fatalf("out of scope: %d, want 404 with an emergency-access link", resp.StatusCode)
		}
		// No reason, no access.
		r2, _ := cw.PostForm(f.srv.URL+"/cases/"+other.ID+"/break-glass", url.Values{"reason": {"danger_to_life"}})
		r2.Body.Close()
		if r2.StatusCode != 422 {
			t.Fatalf("break-glass without justification: %d", r2.StatusCode)
		}
		r3, _ := cw.PostForm(f.srv.URL+"/cases/"+other.ID+"/break-glass", url.Values{"reason": {"danger_to_life"}, "justification": {"Child at risk tonight"}})
		r3.Body.Close()
		if r3.StatusCode != http.StatusSeeOther {
			t.Fatalf("break-glass: %d", r3.StatusCode)
		}
		resp, page = get(t, cw, f.srv.URL+"/cases/"+other.ID)
		if resp.StatusCode != 200 || !strings.Contains(page, "error-summary") {
			t.Fatalf("after break-glass: %d", resp.StatusCode)
		}
		evs, _ := f.db.AuditEvents(ctx, store.AuditFilter{BreakGlassOnly: true})
		if len(evs) < 2 || evs[0].Flags != audit.FlagBreakGlass {
			t.Fatalf("break-glass not flagged in the audit log: %v", evs)
		}
		notes, _ := f.db.Notifications(ctx, other.AgencyID)
		found := false
		for _, n := range notes {
			found = found || (n.Kind == "break_glass" && n.ObjectID == other.ID)
		}
		if !found {
			t.Fatal("the record's agency was not notified")
		}
		// The justification is sealed.
		var n int
		_ = f.db.R().QueryRowContext(ctx, `SELECT count(*) FROM break_glass_grants WHERE reason = 'danger_to_life'`).Scan(&n)
		if n != 1 {
			t.Fatalf("grants: %d", n)
		}
	})
}

// TestConcurrentIdempotencyKeyAnswersConflictThenReplay holds docs/API.md to
// what a client meets when a request arrives while another with the same
// Idempotency-Key is still being written: it waits for that write, then
// answers either the stored referral (200, replayed; SQLite, whose writes
// queue) or 409 conflict (PostgreSQL, where the unique key refuses the second
// insert once the first commits), and a 409 retried with the same key answers
// the stored referral. One referral exists in the end.
func TestConcurrentIdempotencyKeyAnswersConflictThenReplay(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		fr := f.login(t, access.FirstResponder)
		st, body := postJSON(t, fr, f.srv.URL+"/api/v1/referrals", adultReferral, "Idempotency-Key", "first")
		if st != 201 {
			t.Fatalf("first: %d %v", st, body)
		}
		first, err := f.db.ReferralByID(ctx, body["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		// The "first" request of the race: its referral is written and not
		// yet committed while the second request arrives.
		held := first
		held.ID, held.Reference, held.CaseID, held.IdempotencyKey = store.NewID(), "R-HELD", "", "race"
		type answer struct {
			status int
			body   map[string]any
		}
		second := make(chan answer, 1)
		err = f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
			if err := tx.InsertReferral(ctx, held); err != nil {
				return err
			}
			go func() {
				st, body := postJSON(t, fr, f.srv.URL+"/api/v1/referrals", adultReferral, "Idempotency-Key", "race")
				second <- answer{st, body}
			}()
			time.Sleep(700 * time.Millisecond) // the second request reaches the database and waits
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		a := <-second
		switch {
		case a.status == http.StatusOK && a.body["id"] == held.ID && a.body["replayed"] == true:
		case a.status == http.StatusConflict && f.db.Dialect == store.Postgres:
			if code := a.body["error"].(map[string]any)["code"]; code != "conflict" {
				t.Fatalf("409 with code %v", code)
			}
			// The first has committed by now: a retry with the same key
			// answers its referral.
			st, again := postJSON(t, fr, f.srv.URL+"/api/v1/referrals", adultReferral, "Idempotency-Key", "race")
			if st != http.StatusOK || again["id"] != held.ID || again["replayed"] != true {
				t.Fatalf("retry after 409: %d %v", st, again)
			}
		default:
			t.Fatalf("second request: %d %v", a.status, a.body)
		}
		t.Logf("%s: the second request answered %d", f.db.Dialect, a.status)
		var count int
		if err := f.db.R().QueryRowContext(ctx, `SELECT count(*) FROM referrals WHERE idempotency_key = 'race'`).Scan(&count); err != nil || count != 1 {
			t.Fatalf("%d referrals with the key (%v)", count, err)
		}
	})
}

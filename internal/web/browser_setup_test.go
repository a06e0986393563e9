package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/calendar"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// TestBrowserSetUpFromEmptyInstance is issue 12's "done when": starting
// from an empty, migrated database and going only through `haven init`,
// the web pages and the documented commands (each called through the
// service method its command calls), a ministry sets up Mongolia — its
// settings, its holidays from an .ics file, a competent authority, a
// child-protection office and a police unit — invites users of four roles
// (agency administrator, first responder, competent authority, case
// worker), each of whom opens their one-time link, chooses a password and
// enrols a second factor; a first responder's referral then lands in the
// competent authority's queue with a reasonable-grounds deadline that
// skips the imported holiday.
func TestBrowserSetUpFromEmptyInstance(t *testing.T) {
	ctx := browser(t)
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ts, svc := emptyInstance(t, db)
		s := &setupWalk{t: t, ctx: ctx, base: ts.URL, db: db}
		bg := context.Background()
		mailer := notify.NewMailer(notify.Config{})

		// `haven init --country MN --time-zone Asia/Ulaanbaatar …`
		_, link, err := svc.Admin.Init(bg, admin.InitInput{Country: "MN", TimeZone: "Asia/Ulaanbaatar", Username: "root", DisplayName: "First Administrator"},
			mailer, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		s.enrol(link.Path(), "root")

		// The country's settings on its page.
		s.page("/admin/jurisdictions/MN", "form-jurisdiction-edit")
		// The languages are chosen from a list named in the reader's language.
		s.do(chromedp.Evaluate[chromedp.Void](`for (const o of document.getElementById('j-languages').options) o.selected = ['mn', 'en'].includes(o.value)`),
			chromedp.SetValue(chromedp.ID("j-rg"), "5"))
		s.submit(`#form-jurisdiction-edit button[type=submit]`, `location.pathname === '/admin/jurisdictions'`)

		// The ministry's .ics file, uploaded on the country's calendar
		// page (reached from its settings page): a holiday on the first
		// working day after today, inside the reasonable-grounds window
		// of a referral made now.
		base, ok := mustCountries(t).Lookup("MN")
		if !ok {
			t.Fatal("no MN profile")
		}
		loc := base.Calendar.Location()
		holiday := casework.AddWorkingDays(time.Now(), 1, base.Calendar).In(loc)
		ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test Ministry//Holidays//EN\r\nBEGIN:VEVENT\r\nUID:h1@test\r\n" +
			"DTSTART;VALUE=DATE:" + holiday.Format("20060102") + "\r\nSUMMARY:Test Day of Rest\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		file := filepath.Join(t.TempDir(), "holidays.ics")
		if err := os.WriteFile(file, []byte(ics), 0o600); err != nil {
			t.Fatal(err)
		}
		s.page("/admin/jurisdictions/MN", "calendar-link")
		s.submit(`#calendar-link`, `document.getElementById('form-ics') !== null`)
		s.do(chromedp.SetUploadFiles(chromedp.ID("ics-file"), []string{file}))
		s.submit(`#form-ics button[type=submit]`, `document.getElementById('calendar-made') !== null`)
		if txt := s.text("#calendar-holidays"); !strings.Contains(txt, "Test Day of Rest") || !strings.Contains(txt, holiday.Format(time.DateOnly)) {
			t.Fatalf("calendar page after the upload: %s", txt)
		}
		checkPage(t, ctx, "setup-calendar")

		// The three agencies, each with its designation, on the agencies page.
		for _, a := range []struct{ name, kind, designation string }{
			{"National Competent Authority", "competent_authority", "competent_authority"},
			{"Child Protection Office", "local_government", "child_protection"},
			{"Police Unit", "police", "police"},
		} {
			s.page("/admin/agencies", "form-agency")
			s.do(chromedp.SetValue(chromedp.ID("a-kind"), a.kind), chromedp.SendKeys(chromedp.ID("a-name"), a.name),
				chromedp.Click(chromedp.CSS(fmt.Sprintf(`#form-agency input[name=designations][value=%s]`, a.designation))))
			s.submit(`#form-agency button[type=submit]`, `location.pathname === '/admin/agencies'`)
		}
		if body := s.text("main"); !strings.Contains(body, "Police Unit") || !strings.Contains(body, "Child Protection Office") {
			t.Fatalf("agencies page after adding: %s", body)
		}
		agencies, err := db.AllAgencySettings(bg)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]string{}
		for _, a := range agencies {
			byName[a.Name] = a.ID
		}
		// The set-up guide stays until the first invitations.
		s.page("/admin", "")
		if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('setup-guide') !== null`)); !ok {
			t.Error("no set-up guide before the first invitation")
		}

		// The system administrator invites the police unit's administrator.
		policeAdmin := s.invite("police.admin", "Police Administrator", "agency_admin", byName["Police Unit"])
		s.signOut()
		s.enrol(policeAdmin, "police.admin")
		// Who invites a first responder of their own agency.
		responder := s.invite("responder", "First Responder", "first_responder", "")
		s.signOut()

		// `haven user invite` for the authority's officer and the
		// child-protection office's case worker.
		var links = map[string]string{}
		for _, u := range []struct{ username, role, agency string }{
			{"ca.officer", "competent_authority", "National Competent Authority"},
			{"cpo.worker", "case_worker", "Child Protection Office"},
		} {
			_, l, err := svc.Admin.Invite(bg, admin.Shell, admin.InviteInput{Username: u.username, DisplayName: u.username, Role: u.role, AgencyID: byName[u.agency]},
				mailer, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			links[u.username] = l.Path()
		}
		s.enrol(links["cpo.worker"], "cpo.worker")
		s.signOut()

		// The first responder refers a person.
		s.enrol(responder, "responder")
		s.page("/referrals/new", "intake-form")
		s.do(chromedp.SendKeys(chromedp.ID("f-age"), "31"),
			chromedp.Click(chromedp.CSS(`#d-chain > summary`)),
			chromedp.Click(chromedp.ID("act-recruitment")),
			chromedp.Click(chromedp.ID("means-deception")),
			chromedp.Click(chromedp.ID("purpose-forced_labour")),
			chromedp.Click(chromedp.ID("need-bed_tonight")),
			chromedp.Click(chromedp.ID("consent-given")),
			chromedp.SetValue(chromedp.ID("f-consent_language"), "mn"),
			chromedp.WaitVisible(chromedp.ID("f-given_name")),
			chromedp.SendKeys(chromedp.ID("f-given_name"), "Synthetic"),
			chromedp.SendKeys(chromedp.ID("f-family_name"), "Person"))
		s.submit(`button[value=refer]`, `document.getElementById('referral-status') !== null`)
		s.signOut()

		// The competent authority's officer finds it in the queue.
		s.enrol(links["ca.officer"], "ca.officer")
		var caseID, ref string
		var created int64
		if err := db.R().QueryRowContext(bg, `SELECT id, reference, created_at FROM cases`).Scan(&caseID, &ref, &created); err != nil {
			t.Fatal(err)
		}
		v, ok, err := store.LatestCalendar(bg, db.R(), mustJurisdictionID(t, db, "MN"))
		if err != nil || !ok {
			t.Fatalf("calendar version: %v %v", ok, err)
		}
		cal, err := calendar.Apply(base.Calendar, "Asia/Ulaanbaatar", calendar.Holidays{Years: v.Years,
			Holidays: []casework.Holiday{{Date: holiday.Format(time.DateOnly), Name: "Test Day of Rest"}}})
		if err != nil {
			t.Fatal(err)
		}
		at := store.FromMillis(created)
		want, without := casework.AddWorkingDays(at, 5, cal), casework.AddWorkingDays(at, 5, base.Calendar)
		if !want.After(without) {
			t.Fatalf("the holiday %s does not move the deadline (%s, %s)", holiday.Format(time.DateOnly), want, without)
		}
		b, err := i18n.New()
		if err != nil {
			t.Fatal(err)
		}
		L := b.Match("en").In(loc)
		s.page("/queue", "queue")
		row := s.text(`#queue tbody tr`)
		if !strings.Contains(row, ref) || !strings.Contains(row, L.DateTime(want)) || strings.Contains(row, L.DateTime(without)) {
			t.Fatalf("queue row %q: want the reference %s and the deadline %s (not %s)", row, ref, L.DateTime(want), L.DateTime(without))
		}
		checkPage(t, ctx, "setup-queue")
		// The case page says which calendar the running deadline counts with.
		s.page("/cases/"+caseID, "deadline-calendar")
		if got := s.text("#deadline-calendar"); !strings.Contains(got, fmt.Sprintf("Calendar version %d of MN", v.Version)) {
			t.Errorf("case page: the deadline's calendar is %q", got)
		}
		if got := s.text("#rg-deadline"); !strings.Contains(got, L.DateTime(want)) {
			t.Errorf("case page: deadline %q, want %s", got, L.DateTime(want))
		}

		// Every one of them enrolled a second factor.
		for _, name := range []string{"root", "police.admin", "responder", "ca.officer", "cpo.worker"} {
			u, err := db.UserByUsername(bg, name)
			if err != nil {
				t.Fatal(err)
			}
			if m, err := db.MFA(bg, u.ID); err != nil || !m.Confirmed || u.PasswordHash == "" {
				t.Errorf("%s: second factor %v (%v), password set %v", name, m.Confirmed, err, u.PasswordHash != "")
			}
		}
	})
}

// setupWalk drives the browser through the set-up.
type setupWalk struct {
	t    *testing.T
	ctx  context.Context
	base string
	db   *store.DB
}

func (s *setupWalk) do(as ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, as...); err != nil {
		s.t.Fatal(err)
	}
}

// page opens path and waits for the element with id (when given).
func (s *setupWalk) page(path, id string) {
	s.t.Helper()
	as := []chromedp.Action[chromedp.Void]{chromedp.Navigate(s.base + path)}
	if id != "" {
		as = append(as, chromedp.WaitVisible(chromedp.ID(id)))
	}
	if err := chromedp.Do(s.ctx, as...); err != nil {
		s.t.Fatalf("open %s: %v", path, err)
	}
}

// submit clicks sel and waits for the next page, where cond holds; a
// refusal shown on the page fails the test.
func (s *setupWalk) submit(sel, cond string) {
	s.t.Helper()
	s.do(chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.CSS(sel)))
	waitNewPage(s.t, s.ctx, `(`+cond+`) || document.querySelector('.error-summary, p.error:not([hidden])') !== null`)
	if msg, _ := chromedp.Run(s.ctx, chromedp.Evaluate[string](`(document.querySelector('.error-summary, p.error:not([hidden])') || {}).textContent || ''`)); msg != "" {
		s.t.Fatalf("%s refused: %s", sel, msg)
	}
}

func (s *setupWalk) text(sel string) string {
	s.t.Helper()
	txt, err := chromedp.Run(s.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		s.t.Fatalf("read %s: %v", sel, err)
	}
	return txt
}

// enrol opens a one-time link, chooses a password, sets up an
// authenticator with a code computed from the secret the page shows, and
// leaves the person signed in.
func (s *setupWalk) enrol(link, who string) {
	s.t.Helper()
	pw := auth.NewToken()[:20]
	s.page(link, "new")
	s.do(chromedp.SendKeys(chromedp.ID("new"), pw), chromedp.SendKeys(chromedp.ID("confirm"), pw))
	s.submit(`main form button[type=submit]`, `location.pathname === '/mfa/enrol'`)
	s.submit(`main form[action="/mfa/enrol"] button[type=submit]`, `document.querySelector('code.secret') !== null`)
	secret := s.text(`code.secret`)
	code, err := totp.GenerateCode(strings.ReplaceAll(secret, " ", ""), time.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	s.do(chromedp.SendKeys(chromedp.ID("code"), code))
	s.submit(`main form[action="/mfa/enrol/confirm"] button[type=submit]`, `document.querySelector('ol.codes') !== null`)
	s.t.Logf("%s enrolled", who)
}

// invite fills the invitation form (agency "" keeps the form's choice)
// and returns the path of the link the page shows once.
func (s *setupWalk) invite(username, name, role, agencyID string) string {
	s.t.Helper()
	s.page("/admin/users", "form-invite")
	s.do(chromedp.SendKeys(chromedp.ID("u-username"), username), chromedp.SendKeys(chromedp.ID("u-name"), name),
		chromedp.SetValue(chromedp.ID("u-role"), role))
	if agencyID != "" {
		s.do(chromedp.SetValue(chromedp.ID("u-agency"), agencyID))
	}
	s.submit(`#form-invite button[type=submit]`, `document.getElementById('issued-link') !== null`)
	link := s.text(`#issued-link`)
	i := strings.Index(link, "/enrol/")
	if i < 0 {
		s.t.Fatalf("issued link %q", link)
	}
	return strings.TrimSpace(link[i:])
}

func (s *setupWalk) signOut() {
	s.t.Helper()
	s.page("/", "")
	s.do(chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`), chromedp.Click(chromedp.CSS(`form.session button`)))
	waitNewPage(s.t, s.ctx, `document.getElementById('username') !== null`)
}

func mustCountries(t *testing.T) *casework.Countries {
	t.Helper()
	cs, err := casework.DefaultCountries()
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func mustJurisdictionID(t *testing.T, db *store.DB, code string) string {
	t.Helper()
	j, err := db.JurisdictionByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return j.ID
}

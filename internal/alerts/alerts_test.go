package alerts_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/alerts"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/notify/smtptest"
	"github.com/haven-nrm/haven/internal/referral"
	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

var cheap = auth.Params{Memory: 8 * 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// TestAlertsReachALocalSMTPServer refers a person, then sends the queued
// alerts to an SMTP server started by the test: the competent authority's
// users get one message each, in their own language, with the referral's
// coded reference and a link, and nothing that names the person.
func TestAlertsReachALocalSMTPServer(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Generate(ctx, db, demo.Options{Seed: 5, PasswordParams: &cheap}); err != nil {
			t.Fatal(err)
		}
		ca, err := db.UserByUsername(ctx, "demo.competent_authority")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.SetUserLanguage(ctx, ca.ID, "ko") }); err != nil {
			t.Fatal(err)
		}
		fr, err := db.UserByUsername(ctx, "demo.first_responder")
		if err != nil {
			t.Fatal(err)
		}
		keys, _ := seal.NewKeyring()
		eng, _ := screening.DefaultEngine()
		age := 27
		identity := intake.Identity{GivenName: "Oyunaa", FamilyName: "Canaryname", Phone: "+976 9911 2233", Address: "Khoroo 7"}
		out, err := (&referral.Service{DB: db, Keys: keys, Engine: eng, Now: time.Now}).Submit(ctx,
			referral.By{UserID: fr.ID, AgencyID: fr.AgencyID, JurisdictionID: fr.JurisdictionID},
			intake.Referral{Sector: "labour_inspection", Age: &age, Gender: "Feminine", Citizenship: "MN", Languages: []string{"mn"}, Exploitation: "labour",
				Acts: []string{"recruitment"}, Means: []string{"deception"}, Purposes: []string{"forced_labour"}, Consent: "given",
				ConsentLanguage: "mn", Identity: identity}, "")
		if err != nil {
			t.Fatal(err)
		}
		srv := smtptest.Start(t, smtptest.Options{})
		b, err := i18n.New()
		if err != nil {
			t.Fatal(err)
		}
		sender := &alerts.Sender{DB: db, I18n: b, Mailer: notify.NewMailer(notify.Config{Addr: srv.Addr(), From: "haven@example.org",
			BaseURL: "https://haven.example.org", Timeout: 5 * time.Second})}
		n, err := sender.Send(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		var users int
		if err := db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE agency_id = $1 AND disabled = 0 AND email <> ''`,
			ca.AgencyID).Scan(&users); err != nil {
			t.Fatal(err)
		}
		if n != users || n < 2 {
			t.Fatalf("sent %d alerts, want one per user of the authority (%d)", n, users)
		}
		msgs := srv.Wait(n, 5*time.Second)
		if len(msgs) != n {
			t.Fatalf("server got %d messages, want %d", len(msgs), n)
		}
		sawKorean := false
		for _, m := range msgs {
			raw := string(m.Data)
			for _, secret := range []string{"Oyunaa", "Canaryname", "9911", "Khoroo"} {
				if strings.Contains(strings.ToLower(raw), strings.ToLower(secret)) {
					t.Fatalf("an alert holds identifying data %q:\n%s", secret, raw)
				}
			}
			pm, err := mail.ReadMessage(strings.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			subject, _ := new(mimeDecoder).decode(pm.Header.Get("Subject"))
			if strings.Contains(subject, "새 의뢰") || strings.Contains(subject, "의뢰") {
				sawKorean = true
			}
			if !strings.Contains(raw, "/referrals/"+out.Referral.ID) || pm.Header.Get("X-Haven-Case") != out.Referral.Reference {
				t.Fatalf("an alert must link the referral and name its reference:\n%s", raw)
			}
		}
		if !sawKorean {
			t.Fatal("the authority user who chose Korean got no Korean subject")
		}
		// Nothing is sent twice.
		if n, err := sender.Send(ctx, 100); err != nil || n != 0 {
			t.Fatalf("second run sent %d (%v)", n, err)
		}
	})
}

// TestDeadlineAlertOnce raises the alert of a reasonable-grounds decision
// due within a working day once, however often the job runs.
func TestDeadlineAlertOnce(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Generate(ctx, db, demo.Options{Seed: 6, Cases: 0, PasswordParams: &cheap}); err != nil {
			t.Fatal(err)
		}
		fr, _ := db.UserByUsername(ctx, "demo.first_responder")
		keys, _ := seal.NewKeyring()
		eng, _ := screening.DefaultEngine()
		age := 30
		out, err := (&referral.Service{DB: db, Keys: keys, Engine: eng, Now: time.Now}).Submit(ctx,
			referral.By{UserID: fr.ID, AgencyID: fr.AgencyID, JurisdictionID: fr.JurisdictionID},
			intake.Referral{Sector: "labour_inspection", Age: &age, Exploitation: "labour", Acts: []string{"recruitment"}, Means: []string{"deception"},
				Purposes: []string{"forced_labour"}, Consent: "given", ConsentLanguage: "en", Identity: intake.Identity{GivenName: "A", FamilyName: "B"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		c, _ := db.Case(ctx, out.Referral.CaseID)
		countries, _ := casework.DefaultCountries()
		// Five working days ahead nothing is due; just before the deadline
		// the alert comes, once.
		if n, err := alerts.DeadlineAlerts(ctx, db, countries, time.Now()); err != nil || n != 0 {
			t.Fatalf("at referral: %d alerts (%v)", n, err)
		}
		var deadline time.Time
		{
			var d struct {
				RGDeadline time.Time `json:"rg_deadline"`
			}
			_ = jsonUnmarshal(c.Decision, &d)
			deadline = d.RGDeadline
		}
		near := deadline.Add(-2 * time.Hour)
		for range 3 {
			n, err := alerts.DeadlineAlerts(ctx, db, countries, near)
			if err != nil {
				t.Fatal(err)
			}
			if n > 1 {
				t.Fatalf("%d alerts for one case", n)
			}
		}
		var notes int
		if err := db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE kind = 'rg_deadline_near' AND object_id = $1`, c.ID).Scan(&notes); err != nil || notes != 1 {
			t.Fatalf("deadline notices: %d (%v), want 1", notes, err)
		}
	})
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/notify"
)

// runInit sets up an empty instance: the country, the agency of its
// administration and the first system administrator, who has no password.
// It prints a one-time setup link (or e-mails it when SMTP is set): the
// person opening it chooses a password and sets up a second factor. No
// default password exists at any moment, and init refuses an instance
// that has any account.
func runInit(ctx context.Context, e env, args []string) error {
	fs, c, err := configFlags("init", e)
	if err != nil {
		return err
	}
	var in admin.InitInput
	var asJSON bool
	life := 24 * time.Hour
	fs.StringVar(&in.TimeZone, "time-zone", "", "the country's IANA time zone (Asia/Kathmandu …)")
	fs.StringVar(&in.Name, "country-name", "", "the country's name as Haven shows it (default: the code)")
	fs.StringVar(&in.Username, "username", "", "the first system administrator's login name")
	fs.StringVar(&in.DisplayName, "name", "", "the first system administrator's name")
	fs.StringVar(&in.Email, "email", "", "e-mail address for the setup link (optional; used when SMTP is set)")
	fs.DurationVar(&life, "link-valid", life, "how long the setup link works")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	if err := parseSetupCommand(fs, c, args); err != nil {
		return err
	}
	in.Country = c.Country
	if in.Country == "" || in.TimeZone == "" || in.Username == "" || in.DisplayName == "" {
		return errs.E(errs.Invalid, "init needs --country, --time-zone, --username and --name")
	}
	db, k, svc, err := openAdmin(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	mailer := cliMailer(c)
	u, link, err := svc.Init(ctx, in, mailer, life)
	if err != nil {
		return err
	}
	acc := accounts.NewService(db, k.ring, time.Now, nil, nil)
	return reportLink(ctx, e, c, acc, mailer, u, link, asJSON,
		fmt.Sprintf("Haven is set up for %s: system administrator %s created, without a password", in.Country, u.Username))
}

// reportLink answers a command that issued a one-time link for u: with
// asJSON, linkJSON (the link e-mailed when it can be); else done, then the
// link e-mailed or shown (deliverEnrolLink).
func reportLink(ctx context.Context, e env, c *config.Config, svc *accounts.Service, m *notify.Mailer, u accounts.User, l accounts.Link, asJSON bool, done string) error {
	if asJSON {
		shown, err := sendLink(ctx, e, c, svc, m, u, l)
		if err != nil {
			return err
		}
		return json.NewEncoder(e.stdout).Encode(linkJSON{UserID: u.ID, Username: u.Username, AgencyID: u.AgencyID, Role: u.Role,
			Link: shown, ExpiresAt: l.ExpiresAt.Format(time.RFC3339)})
	}
	fmt.Fprintln(e.stdout, done)
	return deliverEnrolLink(ctx, e, c, svc, m, u, l)
}

// linkJSON is the --json answer of a command that issues a one-time link:
// link is empty when it was e-mailed.
type linkJSON struct {
	UserID    string `json:"user_id"`
	Username  string `json:"username"`
	AgencyID  string `json:"agency_id"`
	Role      string `json:"role"`
	Link      string `json:"link,omitempty"`
	ExpiresAt string `json:"expires_at"`
}

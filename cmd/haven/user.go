package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/notify"
)

// runUser manages accounts from the server's command line, for the first
// administrator and for emergencies.
func runUser(ctx context.Context, e env, args []string) error {
	sub, args, fs, c, err := subcommand(e, "user", []string{"invite", "add", "disable", "enable", "reset-mfa", "list"}, args)
	if err != nil {
		return err
	}
	var username, name, role, agency, email string
	var pwStdin, asJSON bool
	linkLife := accounts.DefaultLinkLife
	switch sub {
	case "invite", "add":
		fs.StringVar(&username, "username", "", "login name")
		fs.StringVar(&name, "name", "", "display name")
		fs.StringVar(&role, "role", "", "role: "+roleList())
		fs.StringVar(&agency, "agency", "", "agency id")
		if sub == "invite" {
			// An invitation: the account has no password until its person
			// chooses one through the one-time link.
			fs.StringVar(&email, "email", "", "e-mail address for the invitation link (optional)")
			fs.DurationVar(&linkLife, "link-valid", linkLife, "how long the invitation link works")
			fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
		} else {
			fs.StringVar(&email, "email", "", "e-mail address for alerts and the enrolment link (optional)")
			fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from the first line of standard input instead of generating one")
			fs.DurationVar(&linkLife, "link-valid", linkLife, "how long the enrolment link works")
		}
	case "reset-mfa":
		fs.StringVar(&username, "username", "", "login name")
		fs.DurationVar(&linkLife, "link-valid", linkLife, "how long the enrolment link works")
	case "disable", "enable":
		fs.StringVar(&username, "username", "", "login name")
	case "list":
	}
	db, k, err := parseAndOpen(ctx, fs, c, args)
	if err != nil {
		return err
	}
	defer db.Close()
	// The same account use cases as the web pages, with the same audit
	// events; no role's second-factor rule applies to the command line.
	svc := accounts.NewService(db, k.ring, time.Now, nil, nil)
	switch sub {
	case "invite":
		adm, err := admin.New(db, time.Now, nil)
		if err != nil {
			return err
		}
		if agency == "" {
			return errs.E(errs.Invalid, "invite needs --agency")
		}
		mailer := cliMailer(c)
		u, link, err := adm.Invite(ctx, admin.Shell, admin.InviteInput{Username: username, DisplayName: name, Role: role, AgencyID: agency, Email: email},
			mailer, linkLife)
		if err != nil {
			return err
		}
		return reportLink(ctx, e, c, svc, mailer, u, link, asJSON, fmt.Sprintf("user %s invited, without a password", username))
	case "list":
		us, mfa, err := svc.AllUsers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tAGENCY\tSTATUS\tMFA")
		for _, u := range us {
			st := "active"
			if u.Disabled {
				st = "disabled"
			}
			m := "-"
			if mfa[u.ID] {
				m = "totp"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.Role, u.AgencyID, st, m)
		}
		return tw.Flush()
	case "reset-mfa":
		// For a user who lost their authenticator and recovery codes:
		// both are removed, every session and API token ends, and a new
		// enrolment link sets up the new authenticator.
		if username == "" {
			return errs.E(errs.Invalid, "reset-mfa needs --username")
		}
		mailer := cliMailer(c)
		u, link, err := svc.ResetSecondFactor(ctx, username, mailer, linkLife, "cli")
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "second factor of user %s removed; every session and API token ended\n", username)
		return deliverEnrolLink(ctx, e, c, svc, mailer, u, link)
	case "disable", "enable":
		// The same use case as the users page, acted by the shell.
		u, err := db.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		adm, err := admin.New(db, time.Now, nil)
		if err != nil {
			return err
		}
		if err := adm.SetDisabled(ctx, admin.Shell, u.ID, sub == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s %sd\n", username, sub)
		return nil
	}
	// add
	if username == "" || name == "" || !access.Role(role).Valid() || agency == "" {
		return errs.E(errs.Invalid, "add needs --username, --name, --agency and --role (one of %s)", roleList())
	}
	if err := svc.CheckAgency(ctx, agency); err != nil {
		return err
	}
	password, generated := "", false
	if pwStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return errs.E(errs.Invalid, "no password on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
		if err := auth.CheckPassword(password, username, name); err != nil {
			return errs.Wrap(errs.Invalid, err)
		}
	} else {
		// 20 characters of base64url: 120 random bits. The policy is
		// checked all the same, as for any password that is set.
		for password, generated = auth.NewToken()[:20], true; auth.CheckPassword(password, username, name) != nil; {
			password = auth.NewToken()[:20]
		}
	}
	if email != "" && !plausibleEmail(email) {
		return errs.E(errs.Invalid, "--email must be a single plain address")
	}
	mailer := cliMailer(c)
	u, link, err := svc.CreateUser(ctx, accounts.NewAccount{Username: username, DisplayName: name, Password: password, Role: role, AgencyID: agency, Email: email},
		mailer, linkLife, "cli")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s added\n", username)
	if generated {
		fmt.Fprintf(e.stdout, "password (shown once): %s\n", password)
	}
	return deliverEnrolLink(ctx, e, c, svc, mailer, u, link)
}

// cliMailer is the SMTP relay of the instance's settings; disabled when
// none is set.
func cliMailer(c *config.Config) *notify.Mailer {
	return notify.NewMailer(notify.Config{Addr: c.SMTPAddr, From: c.SMTPFrom, Username: c.SMTPUsername, Password: c.SMTPPassword(),
		StartTLS: c.SMTPStartTLS, BaseURL: c.BaseURL, Timeout: 30 * time.Second})
}

// deliverEnrolLink sends an issued link by e-mail, or shows it once. When
// the e-mail cannot be sent the link is shown instead, and the audit log
// says so.
func deliverEnrolLink(ctx context.Context, e env, c *config.Config, svc *accounts.Service, m *notify.Mailer, u accounts.User, l accounts.Link) error {
	until := l.ExpiresAt.Format("2006-01-02 15:04 MST")
	if l.Delivery == accounts.DeliveryEmail {
		b, err := i18n.New()
		if err != nil {
			return err
		}
		err = accounts.SendEnrolLink(ctx, m, b.WithDefault(c.DefaultLanguage), u, l, time.Now())
		if err == nil {
			fmt.Fprintf(e.stdout, "enrolment link e-mailed to the account's address; it works once, until %s\n", until)
			return nil
		}
		// The relay's reply may repeat the address: say only that it failed.
		fmt.Fprintln(e.stderr, "the enrolment link could not be e-mailed; it is shown here instead")
		if err := svc.LinkShown(ctx, u); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "enrolment link (shown once; give it to the user yourself; it works once, until %s):\n%s\n", until, l.URL(baseURL(c)))
	if u.PasswordHash == "" {
		fmt.Fprintln(e.stdout, "The person opens it, chooses a password and sets up an authenticator app; until then the account cannot sign in.")
		return nil
	}
	fmt.Fprintln(e.stdout, "The user opens it, enters the password and sets up an authenticator app; signing in with the password alone does not.")
	return nil
}

// baseURL is Haven's public address, or the listening one when none is
// set.
func baseURL(c *config.Config) string {
	if c.BaseURL != "" {
		return c.BaseURL
	}
	return "http://" + c.Listen
}

// sendLink delivers an issued link for a command's JSON output: it
// e-mails it when it can and returns the link only when it must be shown.
func sendLink(ctx context.Context, e env, c *config.Config, svc *accounts.Service, m *notify.Mailer, u accounts.User, l accounts.Link) (string, error) {
	if l.Delivery == accounts.DeliveryEmail {
		b, err := i18n.New()
		if err != nil {
			return "", err
		}
		if accounts.SendEnrolLink(ctx, m, b.WithDefault(c.DefaultLanguage), u, l, time.Now()) == nil {
			return "", nil
		}
		fmt.Fprintln(e.stderr, "the link could not be e-mailed; it is shown instead")
		if err := svc.LinkShown(ctx, u); err != nil {
			return "", err
		}
	}
	return l.URL(baseURL(c)), nil
}

// plausibleEmail accepts one bare ASCII address; notify checks it fully
// before anything is sent.
func plausibleEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.Count(s, "@") == 1 && len(s) <= 254 && !strings.ContainsAny(s, " <>,;\"\r\n\t")
}

func roleList() string {
	names := make([]string, len(access.Roles))
	for i, r := range access.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// Package accounts carries out every account use case that the command
// line and the web share (Service: signing in, second factors, sessions,
// re-authentication, passwords, API tokens, the language preference, the
// administration lists, the audit log page and the readiness check), and
// the one-time enrolment links: issuing them, sending them out of band,
// and redeeming them.
//
// A second factor is set up only through an enrolment link: a random
// 256-bit token, stored as its SHA-256 only, that expires, works once and is
// replaced by the next one issued. `haven user add` and `haven user
// reset-mfa` issue it; it reaches the person by e-mail when SMTP is set up,
// otherwise the administrator is shown it once and hands it over. The
// person opening the link must also know the account's password: neither
// the link alone (a copied e-mail) nor the password alone (a guessed or
// stolen one) sets up a second factor.
package accounts

import (
	"context"
	"strconv"
	"time"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/store"
)

// DefaultLinkLife is how long an enrolment link works unless the
// administrator says otherwise.
const DefaultLinkLife = 72 * time.Hour

// MaxLinkLife bounds what an administrator may choose.
const MaxLinkLife = 30 * 24 * time.Hour

// EnrolPath is the path of a link inside Haven; the token follows it.
const EnrolPath = "/enrol/"

// How a link reaches its person.
const (
	DeliveryEmail = "email" // e-mailed to the account's address
	DeliveryShown = "shown" // shown once to the administrator, who hands it over
)

// Link is an issued enrolment link. Token exists only in memory: the
// database keeps its hash.
type Link struct {
	Token     string
	ExpiresAt time.Time
	Delivery  string
}

// Path is the link's path inside Haven.
func (l Link) Path() string { return EnrolPath + l.Token }

// URL is the link for base, Haven's public address (or any address the
// administrator will hand over).
func (l Link) URL(base string) string {
	for len(base) > 0 && base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return base + l.Path()
}

// Delivery says how a link for u is delivered: by e-mail when a mailer is
// set up and u has an address, else shown.
func Delivery(m *notify.Mailer, u store.User) string {
	if m.Enabled() && u.Email != "" {
		return DeliveryEmail
	}
	return DeliveryShown
}

// IssueEnrolLink makes a new enrolment link for u in tx, valid for life from now,
// ends u's earlier unused links and records the issue in the audit log of
// the same transaction (reason names the surface, such as "cli"; delivery
// is DeliveryEmail or DeliveryShown). The token never reaches the log.
func IssueEnrolLink(ctx context.Context, tx *store.Tx, u store.User, now time.Time, life time.Duration, delivery, reason string) (Link, error) {
	if life <= 0 || life > MaxLinkLife {
		return Link{}, errs.E(errs.Invalid, "an enrolment link lasts between a minute and %d days", int(MaxLinkLife.Hours()/24))
	}
	if u.Disabled {
		return Link{}, errs.E(errs.Invalid, "the account is disabled")
	}
	l := Link{Token: auth.NewToken(), ExpiresAt: now.Add(life).UTC(), Delivery: delivery}
	if err := tx.InsertEnrolLink(ctx, u.ID, store.HashToken(l.Token), store.Millis(l.ExpiresAt)); err != nil {
		return Link{}, err
	}
	return l, tx.Audit(ctx, audit.Event{Action: "user.enrol_link", ObjectType: "user", ObjectID: u.ID, Agency: u.AgencyID, Reason: reason,
		Details: map[string]string{"delivery": delivery, "hours": strconv.Itoa(int(life.Hours()))}})
}

// SendEnrolLink e-mails link to u in u's language: a coded message with
// the link and nothing about anyone.
func SendEnrolLink(ctx context.Context, m *notify.Mailer, b *i18n.Bundle, u store.User, l Link, now time.Time) error {
	L := b.Match(u.Language)
	hours := int(l.ExpiresAt.Sub(now).Round(time.Hour).Hours())
	return m.Send(ctx, notify.Message{To: u.Email, Kind: "enrol_link", Path: l.Path(), Subject: "Haven: " + L.T("email.enrol.subject"),
		Body: L.T("email.enrol.body", "Hours", L.Number(int64(hours))) + "\n\n" + L.T("email.enrol.footer")})
}

// LinkUser returns the account whose live enrolment link token is:
// errs.NotFound for a malformed, unknown, used or expired token and for a
// disabled account alike, so the answer tells nothing more.
func LinkUser(ctx context.Context, db *store.DB, token string, now time.Time) (store.User, error) {
	if !wellFormed(token) {
		return store.User{}, errs.E(errs.NotFound, "enrolment link not found")
	}
	l, err := db.LiveEnrolLink(ctx, store.HashToken(token), store.Millis(now))
	if err != nil {
		return store.User{}, err
	}
	u, err := db.UserByID(ctx, l.UserID)
	if err == nil && u.Disabled {
		err = errs.E(errs.NotFound, "enrolment link not found")
	}
	return u, err
}

// RedeemEnrolLink spends u's link token in tx, once, after the person
// proved the account's password, and prepares the set-up: an earlier
// pending secret and every other session waiting to set one up are
// dropped (store.StartEnrolment). errs.NotFound when the link was spent or
// expired by now. The caller opens the set-up session in the same tx.
func RedeemEnrolLink(ctx context.Context, tx *store.Tx, u store.User, token string, now time.Time) error {
	if err := tx.UseEnrolLink(ctx, store.HashToken(token), u.ID, store.Millis(now)); err != nil {
		return err
	}
	if err := tx.StartEnrolment(ctx, u.ID); err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Event{Actor: u.ID, Action: "user.enrol_link_used", ObjectType: "user", ObjectID: u.ID, Agency: u.AgencyID})
}

// wellFormed reports whether token looks like one auth.NewToken makes: 43
// characters of unpadded base64url.
func wellFormed(token string) bool {
	if len(token) != 43 {
		return false
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Package alerts sends the e-mail alerts that casework queues, and raises
// the alerts that time itself causes (a reasonable-grounds decision coming
// due). An e-mail carries a coded subject in the user's language, a coded
// case reference and a link: never a name, a place or anything else about
// the person (package notify enforces the shape; the test proves the rest
// with planted names).
package alerts

import (
	"context"
	"errors"
	"time"

	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/store"
)

// MaxAttempts is how often one alert is tried before it is given up.
const MaxAttempts = 5

// Sender sends queued alerts.
type Sender struct {
	DB     *store.DB
	Mailer *notify.Mailer
	I18n   *i18n.Bundle
}

// referralKinds link to a referral; every other kind links to a case.
var referralKinds = map[string]bool{"referral_received": true, "urgent_referral_received": true}

// Send sends up to limit pending alerts and records each attempt. It
// returns how many were sent.
func (s *Sender) Send(ctx context.Context, limit int) (int, error) {
	if !s.Mailer.Enabled() {
		return 0, nil
	}
	pending, err := s.DB.PendingEmails(ctx, MaxAttempts, limit)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, e := range pending {
		msg, err := s.compose(ctx, e)
		code := ""
		if err == nil {
			err = s.Mailer.Send(ctx, msg)
			if err != nil {
				code = "send_failed"
			}
		} else {
			code = "compose_failed"
		}
		if code == "" {
			sent++
		}
		if err := s.DB.WriteBookkeeping(ctx, store.Outbox, func(tx *store.Tx) error { return tx.MarkEmail(ctx, e.ID, code) }); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// compose writes one alert in the recipient's language.
func (s *Sender) compose(ctx context.Context, e store.Email) (notify.Message, error) {
	u, err := s.DB.UserByID(ctx, e.UserID)
	if err != nil {
		return notify.Message{}, err
	}
	if u.Email == "" || u.Disabled {
		return notify.Message{}, errors.New("no address")
	}
	L := s.I18n.Match(u.Language)
	m := notify.Message{To: u.Email, Kind: e.Kind, Subject: "Haven: " + L.T("notice."+e.Kind),
		Body: L.T("email.greeting") + "\n\n" + L.T("notice."+e.Kind) + "\n\n" + L.T("email.footer")}
	if referralKinds[e.Kind] {
		m.Path = "/referrals/" + e.CaseID
		if r, err := s.DB.ReferralByID(ctx, e.CaseID); err == nil {
			m.CaseRef = r.Reference
		}
	} else {
		m.Path = "/cases/" + e.CaseID
		if c, err := s.DB.Case(ctx, e.CaseID); err == nil {
			m.CaseRef = c.Reference
		}
	}
	return m, nil
}

// DeadlineAlerts tells the competent authorities of reasonable-grounds
// decisions due within a working day, once per case and deadline.
func DeadlineAlerts(ctx context.Context, db *store.DB, countries *casework.Countries, now time.Time) (int, error) {
	js, err := db.Jurisdictions(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, j := range js {
		authority, err := db.AgencyOfKind(ctx, j.ID, "competent_authority")
		if err != nil {
			continue // a jurisdiction without an authority has no queue
		}
		// The queue puts pending RG decisions by deadline after the urgent
		// ones: the first pages hold every one due soon.
		cs, err := db.Queue(ctx, j.ID, "", 200)
		if err != nil {
			return n, err
		}
		// "Within a working day" counts with the jurisdiction's own
		// calendar and time zone, as its queue does.
		cfg, err := cases.LocalRules(ctx, db.R(), countries, j.ID, "")
		if err != nil {
			return n, err
		}
		soon := casework.AddWorkingDays(now, 1, cfg.Calendar)
		for _, c := range cs {
			// The queue key says what is pending and by when.
			stage, due, _, ok := casework.ParseKey(c.QueueKey)
			if !ok || stage != casework.QueueAwaitingRG || now.After(due) || soon.Before(due) {
				continue
			}
			// One alert per deadline: the key names the case and the
			// deadline, so a reconsidered case is alerted again.
			key := c.ID + ":" + due.UTC().Format("20060102T150405")
			err := db.WriteBookkeeping(ctx, store.Outbox, func(tx *store.Tx) error {
				fresh, err := tx.MarkOnce(ctx, "rg_deadline_near", key)
				if err != nil || !fresh {
					return err
				}
				if err := tx.InsertNotification(ctx, store.Notification{ID: store.NewID(), AgencyID: authority.ID, Kind: "rg_deadline_near",
					ObjectType: "case", ObjectID: c.ID, CreatedAt: store.Millis(now)}); err != nil {
					return err
				}
				n++
				return tx.QueueAgencyEmails(ctx, authority.ID, "rg_deadline_near", c.ID)
			})
			if err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

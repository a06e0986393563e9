package admin

import (
	"context"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/store"
)

// WithMail sets how the pages' invitations and second-factor resets reach
// their person: e-mailed by m (when set up and the account has an
// address) in the person's language from b, else shown once to the
// administrator.
func (s *Service) WithMail(m *notify.Mailer, b *i18n.Bundle) *Service {
	s.mailer, s.bundle = m, b
	return s
}

// Issued is an account and its one-time link. Link.Delivery says whether
// it was e-mailed or must be shown, once, to the administrator.
type Issued struct {
	User store.User
	Link accounts.Link
}

// deliver e-mails an issued link when it is to be e-mailed; when that
// fails, the link is shown instead and the audit log says so.
func (s *Service) deliver(ctx context.Context, u store.User, l accounts.Link) (Issued, error) {
	if l.Delivery != accounts.DeliveryEmail {
		return Issued{u, l}, nil
	}
	if s.bundle != nil && accounts.SendEnrolLink(ctx, s.mailer, s.bundle, u, l, s.now()) == nil {
		return Issued{u, l}, nil
	}
	l.Delivery = accounts.DeliveryShown
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Action: "user.enrol_link_shown", ObjectType: "user", ObjectID: u.ID, Agency: u.AgencyID, Reason: "email_failed"})
	})
	return Issued{u, l}, err
}

// InviteAndDeliver is Invite for the pages: the link lasts
// accounts.DefaultLinkLife and is e-mailed when it can be.
func (s *Service) InviteAndDeliver(ctx context.Context, by By, in InviteInput) (Issued, error) {
	u, l, err := s.Invite(ctx, by, in, s.mailer, accounts.DefaultLinkLife)
	if err != nil {
		return Issued{}, err
	}
	return s.deliver(ctx, u, l)
}

// ResetAndDeliver is ResetSecondFactor for the pages.
func (s *Service) ResetAndDeliver(ctx context.Context, by By, id string) (Issued, error) {
	u, l, err := s.ResetSecondFactor(ctx, by, id, s.mailer, accounts.DefaultLinkLife)
	if err != nil {
		return Issued{}, err
	}
	return s.deliver(ctx, u, l)
}

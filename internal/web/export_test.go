package web

import (
	"context"
	"time"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/store"
)

// CaseCommandFields lists the fields of a case command, for the tests of
// package web_test.
func CaseCommandFields(name string) ([]string, bool) {
	for _, c := range caseCommands {
		if c.Name == name {
			return c.Spec.Fields, true
		}
	}
	return nil, false
}

// IssueTokenForTest stores an API token for a user and returns its secret.
func (s *Server) IssueTokenForTest(ctx context.Context, db *store.DB, userID string) (string, error) {
	secret := accounts.APITokenPrefix + auth.NewToken()
	now := s.Now()
	t := store.APIToken{ID: store.NewID(), UserID: userID, Name: "test", CreatedAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(24 * time.Hour))}
	err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.InsertAPIToken(ctx, t, store.HashToken(secret)) })
	return secret, err
}

// GroupBy4 writes a secret as the enrolment page shows it, in groups of
// four.
var GroupBy4 = groupBy4

// HasFormPage reports whether a case command has a form page.
func HasFormPage(name string) bool { return formPages[name] }

// IssueEnrolLinkForTest issues an enrolment link for a user, as `haven user
// add` does, and returns its token.
func (s *Server) IssueEnrolLinkForTest(ctx context.Context, db *store.DB, userID string, life time.Duration) (string, error) {
	u, err := db.UserByID(ctx, userID)
	if err != nil {
		return "", err
	}
	var l accounts.Link
	err = db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
		var err error
		l, err = accounts.IssueEnrolLink(ctx, tx, u, s.Now(), life, accounts.DeliveryShown, "test")
		return err
	})
	return l.Token, err
}

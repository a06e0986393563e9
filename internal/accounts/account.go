package accounts

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// Summary is what one's own account page shows.
type Summary struct {
	MFA          bool
	RecoveryLeft int
	Sessions     int
}

// Summary reads the second factor, the recovery codes left and the live
// sessions of userID.
func (s *Service) Summary(ctx context.Context, userID string) (Summary, error) {
	var d Summary
	var err error
	if d.MFA, err = s.db.HasMFA(ctx, userID); err != nil {
		return d, err
	}
	if d.MFA {
		if d.RecoveryLeft, err = s.db.RecoveryCodesLeft(ctx, userID); err != nil {
			return d, err
		}
	}
	d.Sessions, err = s.db.UserSessionCount(ctx, userID, s.now())
	return d, err
}

// PasswordChange is the password form.
type PasswordChange struct {
	Current, New, Confirm string
}

// ChangePassword sets a new password for u, signed in with session sess
// (c), after checking the current one (whose failures count like failed
// sign-ins) and the password policy. The other sessions of u end and every
// API token is revoked; this session gets a new id, which it returns. A
// refusal is an *errs.Error whose Field and Key name what the form shows:
// errs.Unauthenticated for a wrong current password, errs.Invalid for the
// rest.
func (s *Service) ChangePassword(ctx context.Context, c Client, u User, sess Session, in PasswordChange) (string, error) {
	now := s.now()
	refused, err := s.throttled(ctx, c, u.Username, now)
	if err != nil {
		return "", err
	}
	if refused || len(in.Current) > 1000 || auth.VerifyPassword(in.Current, u.PasswordHash) != nil {
		if err := s.db.Write(ctx, func(tx *store.Tx) error {
			if !refused {
				if err := s.countFailure(ctx, tx, c, u.Username, now); err != nil {
					return err
				}
			}
			return tx.Audit(ctx, userEvent(u, "user.password_failed", nil))
		}); err != nil {
			return "", err
		}
		return "", &errs.Error{Kind: errs.Unauthenticated, Field: "current", Key: "account.password.wrong_current", Err: errors.New("wrong current password")}
	}
	if in.New != in.Confirm {
		return "", errs.Field("confirm", "account.password.mismatch", errors.New("passwords differ"))
	}
	if err := auth.CheckPassword(in.New, u.Username, u.DisplayName); err != nil {
		var pe *auth.PasswordError
		if errors.As(err, &pe) {
			return "", errs.Field("new", "auth.password."+string(pe.Problem), err)
		}
		return "", err
	}
	if in.New == in.Current {
		return "", errs.Field("new", "account.password.same", errors.New("password unchanged"))
	}
	hash, err := auth.HashPassword(in.New, auth.DefaultParams)
	if err != nil {
		return "", err
	}
	var token string
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetUserPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		if err := tx.EndUserAccess(ctx, u.ID); err != nil {
			return err
		}
		var err error
		if token, err = s.rotateSession(ctx, tx, c, newSession{UserID: u.ID, MFA: sess.MFA, AuthAt: store.Millis(now),
			CreatedAt: sess.CreatedAt, ExpiresAt: sess.ExpiresAt}, now); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(u, "user.password", nil))
	})
	return token, err
}

// API tokens live at most MaxTokenDays days; the form offers
// DefaultTokenDays.
const (
	MaxTokenDays     = 90
	DefaultTokenDays = 30
	maxTokenName     = 80
	// APITokenPrefix marks Haven tokens, so secret scanners can find
	// them in code and logs.
	APITokenPrefix = "hvn_"
)

// NewToken is the API token form: a name and a lifetime in days.
type NewToken struct {
	Name string
	Days int
}

// CreateAPIToken makes a personal API token for userID and returns its
// secret, to be shown once; only its SHA-256 is kept. A refusal is
// errs.Invalid with Field "name" or "days" and the message's Key.
func (s *Service) CreateAPIToken(ctx context.Context, p access.Principal, userID string, in NewToken) (string, error) {
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxTokenName || strings.ContainsFunc(name, isControl):
		return "", errs.Field("name", "account.tokens.bad_name", errors.New("bad token name"))
	case in.Days < 1 || in.Days > MaxTokenDays:
		return "", errs.Field("days", "account.tokens.bad_days", errors.New("bad token lifetime"))
	}
	now := s.now()
	secret := APITokenPrefix + auth.NewToken()
	t := store.APIToken{ID: store.NewID(), UserID: userID, Name: name, CreatedAt: store.Millis(now),
		ExpiresAt: store.Millis(now.Add(time.Duration(in.Days) * 24 * time.Hour))}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertAPIToken(ctx, t, store.HashToken(secret)); err != nil {
			return err
		}
		return tx.Audit(ctx, principalEvent(p, "token.create", "api_token", t.ID, map[string]string{"days": strconv.Itoa(in.Days)}))
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// APITokens lists the tokens of userID, newest first.
func (s *Service) APITokens(ctx context.Context, userID string) ([]APIToken, error) {
	return s.db.APITokens(ctx, userID)
}

// RevokeAPIToken ends the API token id at once, when p may manage its
// owner's tokens: a token of someone else answers errs.NotFound, as if it
// did not exist. Revoking a token already revoked changes nothing and is
// not an error.
func (s *Service) RevokeAPIToken(ctx context.Context, p access.Principal, id string) error {
	t, err := s.db.APITokenByID(ctx, id)
	if err != nil {
		return err
	}
	if !access.Decide(access.ManageAPITokens, p, access.Resource{OwnerUserID: t.UserID}).Allow {
		return errs.E(errs.NotFound, "token not found")
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeAPIToken(ctx, t.UserID, t.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, principalEvent(p, "token.revoke", "api_token", t.ID, nil))
	})
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	return err
}

// SetLanguage records the language userID chose (lang is one the
// catalogue supports; the caller checks it).
func (s *Service) SetLanguage(ctx context.Context, p access.Principal, userID, lang string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetUserLanguage(ctx, userID, lang); err != nil {
			return err
		}
		return tx.Audit(ctx, principalEvent(p, "user.language", "user", userID, map[string]string{"lang": lang}))
	})
}

// AuditQuery is the audit log page's filter as typed: ids or codes, dates
// as YYYY-MM-DD, and the cursor (the sequence number to list before).
type AuditQuery struct {
	Actor, Action, Object string
	BreakGlassOnly        bool
	From, To, Before      string
}

// AuditLog is a page of the audit log, newest first.
type AuditLog struct {
	Events []audit.Event
	Filter AuditFilter
	// Users names the accounts by id.
	Users map[string]string
}

// AuditLog lists at most a hundred audit events matching q for p and
// records the view (audit.view) in the same transaction. Agency
// administrators see their own staff's events and every event on their
// agency's records, whoever made it (break-glass access by another agency
// among them). A bad filter is errs.Invalid with its Field.
func (s *Service) AuditLog(ctx context.Context, p access.Principal, q AuditQuery) (AuditLog, error) {
	f := AuditFilter{Actor: q.Actor, Action: q.Action, ObjectID: q.Object, BreakGlassOnly: q.BreakGlassOnly, Limit: 100}
	for _, v := range []string{f.Actor, f.Action, f.ObjectID} {
		if v != "" && !audit.IsToken(v) {
			return AuditLog{}, errs.Field("filter", "error.bad_request", errs.E(errs.Invalid, "filter values are ids or codes"))
		}
	}
	if v := q.From; v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return AuditLog{}, errs.Field("from", "error.bad_request", err)
		}
		f.FromMillis = store.Millis(t)
	}
	if v := q.To; v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return AuditLog{}, errs.Field("to", "error.bad_request", err)
		}
		f.ToMillis = store.Millis(t.Add(24 * time.Hour))
	}
	if v := q.Before; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return AuditLog{}, errs.Field("before", "error.bad_request", errs.E(errs.Invalid, "bad cursor"))
		}
		f.BeforeSeq = n
	}
	if p.Role == access.AgencyAdmin {
		f.Agency = p.AgencyID
	}
	out := AuditLog{Filter: f, Users: map[string]string{}}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if out.Events, err = s.db.AuditEvents(ctx, f); err != nil {
			return err
		}
		return tx.Audit(ctx, principalEvent(p, "audit.view", "", "", nil))
	})
	if err != nil {
		return AuditLog{}, err
	}
	if us, err := s.db.Users(ctx); err == nil {
		for _, u := range us {
			out.Users[u.ID] = u.Username
		}
	}
	return out, nil
}

// Readiness is whether the database is ready for this binary: "ready",
// "database_unreachable", "schema_not_current" (not at the schema version
// this binary expects) or "storage_full" (a write was refused for want of
// space in the last half minute).
func (s *Service) Readiness(ctx context.Context) string {
	if err := s.db.Ping(ctx); err != nil {
		return "database_unreachable"
	} else if v, err := s.db.SchemaVersion(ctx); err != nil || v != store.LatestVersion() {
		return "schema_not_current"
	} else if s.db.WritesFailing() {
		return "storage_full"
	}
	return "ready"
}

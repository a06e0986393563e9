package sso

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/secretfile"
	"github.com/haven-nrm/haven/internal/store"
)

// FlowLife bounds the time between leaving for the provider and coming
// back: a state and its nonce expire after it.
const FlowLife = 10 * time.Minute

// CallbackPath is where providers send the browser back; the provider's
// client registration names BaseURL + CallbackPath as its redirect URI.
const CallbackPath = "/sso/callback"

// ProviderRow is a provider as the lists show it.
type ProviderRow = store.SSOProvider

// Options build the service.
type Options struct {
	DB       *store.DB
	Keys     *seal.Keyring
	Accounts *accounts.Service
	Now      func() time.Time
	Log      *slog.Logger
	// DataDir holds the sso/ folder of secret files.
	DataDir string
	// HTTPClient makes the calls to providers (discovery, keys, token);
	// nil means a client with a 15-second timeout.
	HTTPClient *http.Client
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
}

// Service carries out single sign-on: leaving for a provider, coming back
// from it, the login page's list, the end-session link and the
// administration of providers.
type Service struct {
	o     Options
	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	version int64
	at      time.Time
	p       *oidc.Provider
}

// New builds the service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	return &Service{o: o, cache: map[string]cached{}}
}

// LoginLink is a provider the login page offers.
type LoginLink struct{ ID, Name string }

// LoginLinks lists the enabled providers.
func (s *Service) LoginLinks(ctx context.Context) ([]LoginLink, error) {
	ps, err := s.o.DB.SSOProviders(ctx)
	if err != nil {
		return nil, err
	}
	var out []LoginLink
	for _, p := range ps {
		if p.Enabled {
			out = append(out, LoginLink{ID: p.ID, Name: p.Name})
		}
	}
	return out, nil
}

func (s *Service) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, s.o.HTTPClient)
}

// discover returns the provider's discovery document, cached for ten
// minutes and per settings version. go-oidc refuses a document whose
// issuer differs from the configured one.
func (s *Service) discover(ctx context.Context, p store.SSOProvider) (*oidc.Provider, error) {
	s.mu.Lock()
	c, ok := s.cache[p.ID]
	s.mu.Unlock()
	if ok && c.version == p.Version && s.o.Now().Sub(c.at) < 10*time.Minute {
		return c.p, nil
	}
	op, err := oidc.NewProvider(s.ctx(ctx), p.Issuer)
	if err != nil {
		return nil, errs.E(errs.Unavailable, "identity provider unreachable: %v", err)
	}
	s.mu.Lock()
	s.cache[p.ID] = cached{version: p.Version, at: s.o.Now(), p: op}
	s.mu.Unlock()
	return op, nil
}

// secret reads the client secret from where the settings say; an empty
// secret is a public client (PKCE only).
func (s *Service) secret(p store.SSOProvider) (string, error) {
	switch {
	case p.SecretEnv != "":
		return s.o.Getenv(p.SecretEnv), nil
	case p.SecretFile != "":
		// Owner-only, like every key file (secretfile.Read refuses a
		// file others may read).
		b, err := secretfile.Read(filepath.Join(s.o.DataDir, "sso", filepath.Base(p.SecretFile)), 4096)
		if err != nil {
			s.o.Log.Error("client secret file unusable", "provider", p.ID, "error", err.Error())
			return "", errs.E(errs.Unavailable, "client secret file unreadable")
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

func (s *Service) oauth(ctx context.Context, p store.SSOProvider, redirect string) (*oidc.Provider, *oauth2.Config, error) {
	op, err := s.discover(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	sec, err := s.secret(p)
	if err != nil {
		return nil, nil, err
	}
	return op, &oauth2.Config{ClientID: p.ClientID, ClientSecret: sec, Endpoint: op.Endpoint(), RedirectURL: redirect,
		Scopes: strings.Fields(p.Scopes)}, nil
}

func (s *Service) enabled(ctx context.Context, id string) (store.SSOProvider, error) {
	// No provider has such an id, and PostgreSQL refuses NUL and invalid
	// UTF-8 in a query parameter.
	if len(id) > 64 || !utf8.ValidString(id) || strings.IndexByte(id, 0) >= 0 {
		return store.SSOProvider{}, errs.E(errs.NotFound, "identity provider not found")
	}
	p, err := s.o.DB.SSOProvider(ctx, id)
	if err == nil && !p.Enabled {
		err = errs.E(errs.NotFound, "identity provider disabled")
	}
	return p, err
}

func (s *Service) hash(kind, v string) []byte { return s.o.Keys.BlindIndex("sso-"+kind, v) }

// Begin starts a sign-in through provider id: it stores a new flow (a
// random state, nonce and PKCE verifier, bound to a new browser cookie)
// and returns the provider's authorization URL and the cookie's value.
// redirect is BaseURL + CallbackPath.
func (s *Service) Begin(ctx context.Context, id, redirect string) (authURL, browser string, err error) {
	p, err := s.enabled(ctx, id)
	if err != nil {
		return "", "", err
	}
	_, cfg, err := s.oauth(ctx, p, redirect)
	if err != nil {
		return "", "", err
	}
	state, nonce, verifier := auth.NewToken(), auth.NewToken(), oauth2.GenerateVerifier()
	browser = auth.NewToken()
	now := s.o.Now()
	err = s.o.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertSSOFlow(ctx, s.hash("state", state), store.SSOFlow{ProviderID: p.ID, BrowserHash: s.hash("browser", browser),
			Nonce: nonce, Verifier: verifier, CreatedAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(FlowLife))}); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "sso.start", ObjectType: "sso_provider", ObjectID: p.ID, Agency: p.AgencyID})
	})
	if err != nil {
		return "", "", err
	}
	return cfg.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), browser, nil
}

// Callback is what the provider sent back, and the browser cookie.
type Callback struct {
	State, Code, Error string
	Browser            string
}

// Result is how a sign-in through a provider ended.
type Result struct {
	// Refused is a reason code when no session started (see refusals).
	Refused string
	accounts.ExternalOutcome
}

// Finish completes a sign-in: it spends the state (once, whatever
// follows), checks that the same browser began it and that it has not
// expired, exchanges the code with the PKCE verifier, verifies the ID
// token (signature by the provider's keys, issuer, audience, expiry —
// go-oidc), checks the nonce, applies the mapping (Decide) and starts the
// session (accounts.SignInExternal). Every refusal is recorded as
// session.refused with its reason; the person sees a reason code only.
func (s *Service) Finish(ctx context.Context, c accounts.Client, in Callback, redirect string) (Result, error) {
	if len(in.State) > 200 || len(in.Code) > 4096 || len(in.Browser) > 200 || len(in.Error) > 200 {
		return Result{Refused: "malformed"}, nil
	}
	now := s.o.Now()
	var flow store.SSOFlow
	reason := ""
	err := s.o.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		flow, err = tx.TakeSSOFlow(ctx, s.hash("state", in.State))
		switch {
		case errs.Is(err, errs.NotFound):
			reason = "state"
		case err != nil:
			return err
		case store.Millis(now) >= flow.ExpiresAt:
			reason = "state_expired"
		case subtle.ConstantTimeCompare(flow.BrowserHash, s.hash("browser", in.Browser)) != 1:
			reason = "browser"
		case in.Error != "":
			reason = "provider_error"
		case in.Code == "":
			reason = "malformed"
		}
		if reason == "" {
			return tx.Audit(ctx, audit.Event{Action: "sso.callback", ObjectType: "sso_provider", ObjectID: flow.ProviderID})
		}
		return tx.Audit(ctx, audit.Event{Action: "session.refused", Reason: reason, ObjectType: "sso_provider", ObjectID: flow.ProviderID})
	})
	if err != nil || reason != "" {
		return Result{Refused: reason}, err
	}
	p, err := s.enabled(ctx, flow.ProviderID)
	if errs.Is(err, errs.NotFound) {
		return s.refuse(ctx, flow.ProviderID, "provider_disabled")
	}
	if err != nil {
		return Result{}, err
	}
	op, cfg, err := s.oauth(ctx, p, redirect)
	if err != nil {
		return Result{}, err
	}
	tok, err := cfg.Exchange(s.ctx(ctx), in.Code, oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		s.o.Log.Warn("sso code exchange refused", "provider", p.ID, "error", err.Error())
		return s.refuse(ctx, p.ID, "exchange")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return s.refuse(ctx, p.ID, "no_id_token")
	}
	idt, err := op.VerifierContext(s.ctx(ctx), &oidc.Config{ClientID: p.ClientID, Now: s.o.Now}).Verify(s.ctx(ctx), raw)
	if err != nil {
		return s.refuse(ctx, p.ID, tokenReason(err))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 {
		return s.refuse(ctx, p.ID, "nonce")
	}
	cl, err := claimsOf(idt)
	if err != nil || cl.Subject == "" {
		return s.refuse(ctx, p.ID, "claims")
	}
	rules, err := DecodeRules(p.Mapping)
	if err != nil {
		return Result{}, err
	}
	subj := s.hash("subject", p.ID+"\n"+cl.Subject)
	var linked Linked
	if uid, err := s.o.DB.SSOIdentityUser(ctx, p.ID, subj); err == nil {
		u, err := s.o.DB.UserByID(ctx, uid)
		if err != nil {
			return Result{}, err
		}
		linked = Linked{Found: true, Disabled: u.Disabled}
	} else if !errs.Is(err, errs.NotFound) {
		return Result{}, err
	}
	o := Decide(Provider{Rules: rules, MFAValues: strings.Fields(p.MFAValues), Provision: p.Provision}, cl, linked)
	if o.Refused != "" {
		return s.refuse(ctx, p.ID, o.Refused)
	}
	out, err := s.o.Accounts.SignInExternal(ctx, c, accounts.External{ProviderID: p.ID, SubjectHash: subj, Provision: o.Provision,
		Username: o.Username, Name: o.Name, AgencyID: o.AgencyID, Role: o.Role, MFA: o.MFA})
	if err != nil {
		return Result{}, err
	}
	return Result{Refused: out.Refused, ExternalOutcome: out}, nil
}

// refuse records a refused sign-in and answers its reason.
func (s *Service) refuse(ctx context.Context, providerID, reason string) (Result, error) {
	err := s.o.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Action: "session.refused", Reason: reason, ObjectType: "sso_provider", ObjectID: providerID})
	})
	return Result{Refused: reason}, err
}

// tokenReason names why go-oidc refused an ID token.
func tokenReason(err error) string {
	var exp *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &exp):
		return "token_expired"
	case strings.Contains(msg, "issued by a different provider"):
		return "token_issuer"
	case strings.Contains(msg, "expected audience"):
		return "token_audience"
	case strings.Contains(msg, "signature"):
		return "token_signature"
	}
	return "token_invalid"
}

func claimsOf(t *oidc.IDToken) (Claims, error) {
	var std struct {
		Email             string   `json:"email"`
		EmailVerified     any      `json:"email_verified"`
		PreferredUsername string   `json:"preferred_username"`
		Name              string   `json:"name"`
		AMR               []string `json:"amr"`
		ACR               string   `json:"acr"`
	}
	if err := t.Claims(&std); err != nil {
		return Claims{}, err
	}
	raw := map[string]any{}
	if err := t.Claims(&raw); err != nil {
		return Claims{}, err
	}
	// Some providers send email_verified as the string "true".
	ev := std.EmailVerified == true || std.EmailVerified == "true"
	return Claims{Subject: t.Subject, Email: std.Email, EmailVerified: ev, PreferredUsername: std.PreferredUsername,
		Name: std.Name, AMR: std.AMR, ACR: std.ACR, Raw: raw}, nil
}

// EndSessionURL is the provider's end-session endpoint for an account
// that signed in through a provider ("" when it did not, or the provider
// has none), with the client id and where to come back to.
func (s *Service) EndSessionURL(ctx context.Context, userID, back string) string {
	pid, err := s.o.DB.SSOProviderOfUser(ctx, userID)
	if err != nil || pid == "" {
		return ""
	}
	p, err := s.enabled(ctx, pid)
	if err != nil {
		return ""
	}
	op, err := s.discover(ctx, p)
	if err != nil {
		return ""
	}
	var d struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if op.Claims(&d) != nil || d.EndSession == "" {
		return ""
	}
	u, err := url.Parse(d.EndSession)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	q := u.Query()
	q.Set("client_id", p.ClientID)
	if back != "" {
		q.Set("post_logout_redirect_uri", back)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Admin is what the administration page shows.
type Admin struct {
	Providers []store.SSOProvider
	Agencies  []store.Agency
	Juris     []store.Jurisdiction
}

// AdminView lists the providers, agencies and jurisdictions for p.
func (s *Service) AdminView(ctx context.Context, p access.Principal) (Admin, error) {
	if !access.Allowed(access.ManageSSO, p, access.Resource{}) {
		return Admin{}, errs.E(errs.Forbidden, "identity providers")
	}
	var a Admin
	var err error
	if a.Providers, err = s.o.DB.SSOProviders(ctx); err != nil {
		return a, err
	}
	if a.Agencies, err = s.o.DB.Agencies(ctx); err != nil {
		return a, err
	}
	a.Juris, err = s.o.DB.Jurisdictions(ctx)
	return a, err
}

// ProviderInput is the administration form.
type ProviderInput struct {
	ID             string `field:"id"`
	Version        string `field:"version"`
	Name           string `field:"name"`
	JurisdictionID string `field:"jurisdiction"`
	AgencyID       string `field:"agency"`
	Issuer         string `field:"issuer"`
	ClientID       string `field:"client_id"`
	SecretEnv      string `field:"secret_env"`
	SecretFile     string `field:"secret_file"`
	Scopes         string `field:"scopes"`
	MFAValues      string `field:"mfa_values"`
	Mapping        string `field:"mapping"`
	Provision      string `field:"provision"`
	Enabled        string `field:"enabled"`
}

// Save creates a provider (ID empty) or changes one at its version, with
// sso.provider.create or sso.provider.update in the same transaction.
// The events name the provider and what changed in codes (audit details
// are identifiers and codes only); no secret is ever stored or recorded,
// only where it is read from.
func (s *Service) Save(ctx context.Context, p access.Principal, in ProviderInput) (string, error) {
	if !access.Allowed(access.ManageSSO, p, access.Resource{}) {
		return "", errs.E(errs.Forbidden, "identity providers")
	}
	rules, err := ParseRules(in.Mapping)
	if err != nil {
		return "", err
	}
	set := Settings{Name: strings.TrimSpace(in.Name), JurisdictionID: in.JurisdictionID, AgencyID: in.AgencyID,
		Issuer: strings.TrimSpace(in.Issuer), ClientID: strings.TrimSpace(in.ClientID), SecretEnv: strings.TrimSpace(in.SecretEnv),
		SecretFile: strings.TrimSpace(in.SecretFile), Scopes: strings.Fields(in.Scopes), MFAValues: strings.Fields(in.MFAValues),
		Rules: rules, Provision: in.Provision != "", Enabled: in.Enabled != ""}
	if !word.MatchString(set.JurisdictionID) || (set.AgencyID != "" && !word.MatchString(set.AgencyID)) {
		return "", errs.Field("jurisdiction", "sso.error.jurisdiction", nil)
	}
	if _, err := s.o.DB.Jurisdiction(ctx, set.JurisdictionID); err != nil {
		return "", errs.Field("jurisdiction", "sso.error.jurisdiction", nil)
	}
	agencies, err := s.o.DB.Agencies(ctx)
	if err != nil {
		return "", err
	}
	juris := map[string]string{}
	for _, a := range agencies {
		juris[a.ID] = a.JurisdictionID
	}
	if set.AgencyID != "" && juris[set.AgencyID] != set.JurisdictionID {
		return "", errs.Field("agency", "sso.error.agency", nil)
	}
	if err := Check(set, func(id string) bool { return juris[id] == set.JurisdictionID }); err != nil {
		return "", err
	}
	row := store.SSOProvider{ID: in.ID, Name: set.Name, JurisdictionID: set.JurisdictionID, AgencyID: set.AgencyID, Issuer: set.Issuer,
		ClientID: set.ClientID, SecretEnv: set.SecretEnv, SecretFile: set.SecretFile, Scopes: strings.Join(set.Scopes, " "),
		Mapping: EncodeRules(rules), MFAValues: strings.Join(set.MFAValues, " "), Provision: set.Provision, Enabled: set.Enabled}
	action := "sso.provider.update"
	if row.ID == "" {
		row.ID, action = store.NewID(), "sso.provider.create"
	} else {
		if !word.MatchString(row.ID) {
			return "", errs.E(errs.NotFound, "identity provider not found")
		}
		if _, err := s.o.DB.SSOProvider(ctx, row.ID); err != nil {
			return "", err
		}
		if row.Version, err = parseVersion(in.Version); err != nil {
			return "", err
		}
	}
	err = s.o.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		if action == "sso.provider.create" {
			err = tx.InsertSSOProvider(ctx, row)
		} else {
			err = tx.UpdateSSOProvider(ctx, row)
		}
		if err != nil {
			return err
		}
		d := map[string]string{"enabled": boolWord(row.Enabled), "provision": boolWord(row.Provision),
			"rules": itoa(len(rules)), "provider_mfa": boolWord(row.MFAValues != "")}
		return tx.Audit(ctx, audit.Event{Actor: p.UserID, Action: action, ObjectType: "sso_provider", ObjectID: row.ID, Agency: p.AgencyID, Details: d})
	})
	return row.ID, err
}

func parseVersion(s string) (int64, error) {
	var v int64
	if s == "" || len(s) > 18 {
		return 0, errs.Field("version", "sso.error.version", nil)
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, errs.Field("version", "sso.error.version", nil)
		}
		v = v*10 + int64(r-'0')
	}
	return v, nil
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

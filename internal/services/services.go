// Package services builds the use-case services that Haven's surfaces call
// — cases, accounts, the service directory and referrals — from the
// database, the keys and the configuration. It is the one place that hands
// storage and keys to them, so the web layer receives services and never
// the database or the keyring (a test in package web holds it to that).
package services

import (
	"crypto/ed25519"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/localgov"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/referral"
	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/servicedir"
	"github.com/haven-nrm/haven/internal/sso"
	"github.com/haven-nrm/haven/internal/stats"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/trmsvc"
)

// Options are what the services are built from.
type Options struct {
	Config config.Config
	DB     *store.DB
	// Keys seal and open identifying fields.
	Keys *seal.Keyring
	// Screening is the screening engine; nil means the embedded default.
	Screening *screening.Engine
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Federation is the instance's TRM identity; nil leaves the TRM
	// service out (no country configured).
	Federation *federation.Identity
	// HTTPClient makes the calls to identity providers; nil means a
	// client with a timeout.
	HTTPClient *http.Client
}

// Set is every service a surface may call.
type Set struct {
	Cases     *cases.Service
	Accounts  *accounts.Service
	Directory *servicedir.Service
	Referrals *referral.Service
	// Stats answers statistics from the coded columns, through the
	// disclosure policy.
	Stats *stats.Service
	// LocalGov is a local government's own work: prevention,
	// partnerships, action plan, 3P self-assessment, CityShare.
	LocalGov *localgov.Service
	// SSO signs people in through their institution's identity provider.
	SSO *sso.Service
	// Admin keeps jurisdictions, agencies and administrators' accounts.
	Admin *admin.Service
	// Screening is the engine the referral form and the screening tool
	// use.
	Screening *screening.Engine
	// TRM exchanges cases with peer instances; nil when the instance has
	// no country (config.Country) or no federation identity.
	TRM *trmsvc.Service
}

// New builds the services.
func New(o Options) (*Set, error) {
	if o.DB == nil {
		return nil, errors.New("services: no database")
	}
	if o.Keys == nil {
		return nil, errors.New("services: no keyring for identifying data")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Screening == nil {
		eng, err := screening.DefaultEngine()
		if err != nil {
			return nil, err
		}
		o.Screening = eng
	}
	mfa, err := accounts.MFARule(o.Config)
	if err != nil {
		return nil, err
	}
	cs, err := cases.New(o.DB, o.Keys, o.Now)
	if err != nil {
		return nil, err
	}
	dir := servicedir.New(o.DB, o.Keys)
	cs.Directory = dir
	rs := &referral.Service{DB: o.DB, Keys: o.Keys, Engine: o.Screening, Now: o.Now, Countries: cs.Countries}
	var tr *trmsvc.Service
	if o.Federation != nil && o.Config.TRM() {
		name := o.Config.TRMName
		if name == "" {
			name = "Haven " + o.Config.Country
		}
		tr = &trmsvc.Service{DB: o.DB, Keys: o.Keys, ID: o.Federation, KeyPath: o.Config.FederationKeyPath(), Referral: rs, Cases: cs, Now: o.Now,
			Self: trmsvc.Self{Country: o.Config.Country, Name: name, Contact: o.Config.TRMContact, BaseURL: o.Config.BaseURL}}
	}
	acc := accounts.NewService(o.DB, o.Keys, o.Now, o.Logger, mfa)
	adm, err := admin.New(o.DB, o.Now, cs.Countries)
	if err != nil {
		return nil, err
	}
	bundle, err := i18n.New()
	if err != nil {
		return nil, err
	}
	if bundle.Supported(o.Config.DefaultLanguage) {
		bundle = bundle.WithDefault(o.Config.DefaultLanguage)
	}
	c := o.Config
	adm.WithMail(notify.NewMailer(notify.Config{Addr: c.SMTPAddr, From: c.SMTPFrom, Username: c.SMTPUsername, Password: c.SMTPPassword(),
		StartTLS: c.SMTPStartTLS, BaseURL: c.BaseURL, Timeout: 30 * time.Second}), bundle)
	st := stats.New(o.DB, o.Keys, o.Now)
	lg := localgov.New(localgov.Options{DB: o.DB, Keys: o.Keys, Now: o.Now, MinCount: o.Config.LocalGovMinCount, Threshold: st.Threshold,
		Instance: instanceName(o.Config), Signer: cityShareSigner(o.Config, o.Federation)})
	// The local governments' indicators (registered by package localgov)
	// are counted from their records.
	st.AddSource(localgov.Source, lg)
	return &Set{
		Admin:    adm,
		TRM:      tr,
		Cases:    cs,
		Accounts: acc,
		SSO: sso.New(sso.Options{DB: o.DB, Keys: o.Keys, Accounts: acc, Now: o.Now, Log: o.Logger, DataDir: o.Config.DataDir,
			HTTPClient: o.HTTPClient}),
		Directory: dir,
		Referrals: rs,
		Stats:     st,
		Screening: o.Screening,
		LocalGov:  lg,
	}, nil
}

// instanceName names this instance in published CityShare profiles: the
// host of its public address, else "haven".
func instanceName(c config.Config) string {
	if u, err := url.Parse(c.BaseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "haven"
}

// cityShareSigner signs exported CityShare profiles with the active key
// of the instance's federation identity (the transnational mechanism's),
// so that a peer verifies them with the key it pinned for this instance.
// An instance without one (no country) signs with its audit signing key:
// the key the server made at start, never one made here; without it there
// is no signature (503).
func cityShareSigner(c config.Config, id *federation.Identity) localgov.Signer {
	if id != nil {
		return func() (ed25519.PrivateKey, string, string, error) {
			k := id.Active()
			return k.Sign, k.ID, id.Instance, nil
		}
	}
	return func() (ed25519.PrivateKey, string, string, error) {
		path := c.AuditKeyPath()
		if _, err := os.Stat(path); err != nil {
			return nil, "", "", errors.New("no audit signing key")
		}
		k, id, err := audit.LoadOrCreateSigningKey(path)
		return k, id, "", err
	}
}

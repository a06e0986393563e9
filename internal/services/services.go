// Package services builds the use-case services that Haven's surfaces call
// — cases, accounts, the service directory and referrals — from the
// database, the keys and the configuration. It is the one place that hands
// storage and keys to them, so the web layer receives services and never
// the database or the keyring (a test in package web holds it to that).
package services

import (
	"errors"
	"log/slog"
	"time"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/referral"
	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/servicedir"
	"github.com/haven-nrm/haven/internal/store"
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
}

// Set is every service a surface may call.
type Set struct {
	Cases     *cases.Service
	Accounts  *accounts.Service
	Directory *servicedir.Service
	Referrals *referral.Service
	// Admin keeps jurisdictions, agencies and administrators' accounts.
	Admin *admin.Service
	// Screening is the engine the referral form and the screening tool
	// use.
	Screening *screening.Engine
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
	return &Set{
		Admin:     adm,
		Cases:     cs,
		Accounts:  accounts.NewService(o.DB, o.Keys, o.Now, o.Logger, mfa),
		Directory: servicedir.New(o.DB, o.Keys),
		Referrals: &referral.Service{DB: o.DB, Keys: o.Keys, Engine: o.Screening, Now: o.Now, Countries: cs.Countries},
		Screening: o.Screening,
	}, nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/alerts"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/services"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/web"
)

// configFlags registers the common settings on a new flag set.
func configFlags(name string, e env) (*flag.FlagSet, *config.Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	c := config.Defaults()
	if err := config.Register(fs, &c, e.getenv); err != nil {
		return nil, nil, errs.Wrap(errs.Invalid, err)
	}
	return fs, &c, nil
}

func newLogger(e env, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: l}))
}

// openDB opens the configured database and brings its schema up to date.
func openDB(ctx context.Context, c *config.Config, migrate bool) (*store.DB, error) {
	if !c.IsPostgres() {
		if err := c.EnsureDataDir(); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, store.FromConfig(*c))
	if err != nil {
		return nil, err
	}
	if migrate {
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

func runServe(ctx context.Context, e env, args []string) error {
	fs, c, err := configFlags("serve", e)
	if err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return serve(ctx, e, c)
}

// serve binds the port first, so a port in use is reported before anything
// is created on disk, then opens and migrates the database and serves until
// ctx ends.
func serve(ctx context.Context, e env, c *config.Config) error {
	if err := c.Validate(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	log := newLogger(e, c.LogLevel)
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return errs.E(errs.Unavailable, "cannot listen on %s: %v", c.Listen, err)
	}
	defer ln.Close()
	db, k, err := openInstance(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := sealClearText(ctx, db, k, log); err != nil {
		return err
	}
	if counts, err := db.Counts(ctx); err != nil {
		return err
	} else if counts.Users == 0 {
		// An empty instance has no way in, and never a default password:
		// the operator runs haven init, which prints a one-time setup link.
		fmt.Fprintln(e.stderr, "haven serve: this instance is empty: no account can sign in yet. Run 'haven init --country CC --time-zone ZONE --username NAME --name \"FULL NAME\"' (with the same database settings) to create the first system administrator and print a one-time setup link.")
		log.Warn("instance empty: no accounts; run haven init")
	}
	bundle, err := i18n.New()
	if err != nil {
		return err
	}
	if !bundle.Supported(c.DefaultLanguage) {
		return errs.E(errs.Invalid, "default language %q is not one of the supported languages", c.DefaultLanguage)
	}
	bundle = bundle.WithDefault(c.DefaultLanguage)
	fed, err := loadFederation(c)
	if err != nil {
		return err
	}
	svc, err := services.New(services.Options{Config: *c, DB: db, Keys: k.ring, Logger: log, Federation: fed})
	if err != nil {
		return err
	}
	srv, err := web.New(web.Deps{Config: *c, Services: svc, I18n: bundle, Logger: log, Version: version})
	if err != nil {
		return err
	}
	httpSrv := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	backgroundJobs(ctx, db, svc.Accounts, k.ring, log)
	alertJobs(ctx, c, db, bundle, log)
	if svc.TRM != nil {
		// The TRM outbox: durable rows, so deliveries resume after a
		// restart; every replica may run it (a peer takes an envelope once).
		go svc.TRM.Run(ctx, 15*time.Second, func(err error) { log.Warn("TRM delivery failed", "error", err.Error()) })
		log.Info("transnational referral mechanism enabled", "country", c.Country, "fingerprint", svc.TRM.Fingerprint())
	}
	overdueActivityJob(ctx, svc, log)
	log.Info("haven started", "version", version, "listen", ln.Addr().String(), "database", db.String(), "demo", c.Demo)
	fmt.Fprintf(e.stdout, "Haven is listening on http://%s/\n", ln.Addr().String())
	err = srv.Serve(ctx, httpSrv, func() error { return httpSrv.Serve(ln) })
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("haven stopped")
	return err
}

// sealClearText seals free text that records written by older versions
// kept in clear (a charge's provision as typed). SQL migrations cannot
// seal, so this data migration runs here, once the master key is loaded;
// it finds nothing to do on every later start.
func sealClearText(ctx context.Context, db *store.DB, k *keys, log *slog.Logger) error {
	svc, err := cases.New(db, k.ring, time.Now)
	if err != nil {
		return err
	}
	n, err := svc.SealClearChargeText(ctx)
	if err != nil {
		return fmt.Errorf("sealing the provision text of older charges: %w", err)
	}
	if n > 0 {
		log.Info("sealed the provision text of older charges", "investigations", n)
	}
	return nil
}

// every runs job every d until ctx ends. Background jobs run on every
// replica, so each must be idempotent.
func every(ctx context.Context, d time.Duration, job func(now time.Time)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			job(now)
		}
	}
}

// backgroundJobs starts the periodic work of a server: removing expired
// sessions, signing the head of the audit chain every minute (so deleting
// the newest events is detected between in-transaction checkpoints), and
// re-reading the master key file (so keys added by a rotation elsewhere are
// used without a restart).
func backgroundJobs(ctx context.Context, db *store.DB, sessions *accounts.Service, kr *seal.Keyring, log *slog.Logger) {
	go every(ctx, 5*time.Minute, func(now time.Time) {
		if n, err := sessions.SweepSessions(ctx, now); err != nil && ctx.Err() == nil {
			log.Warn("session sweep failed", "error", err.Error())
		} else if n > 0 {
			log.Info("expired sessions removed", "count", n)
		}
	})
	go every(ctx, time.Minute, func(time.Time) {
		if _, err := db.CheckpointHead(ctx); err != nil && ctx.Err() == nil {
			log.Warn("audit checkpoint failed", "error", err.Error())
		}
	})
	go every(ctx, 30*time.Second, func(time.Time) {
		if changed, err := kr.Refresh(); err != nil {
			log.Warn("master key refresh failed", "error", err.Error())
		} else if changed {
			log.Info("master keys reloaded", "active_key", kr.ActiveKeyID())
		}
	})
}

// overdueActivityJob raises a task for every local action-plan activity
// past its deadline, once per activity and deadline.
func overdueActivityJob(ctx context.Context, svc *services.Set, log *slog.Logger) {
	go every(ctx, 10*time.Minute, func(now time.Time) {
		if n, err := svc.LocalGov.RaiseOverdue(ctx, now); err != nil && ctx.Err() == nil {
			log.Warn("overdue activity tasks failed", "error", err.Error())
		} else if n > 0 {
			log.Info("overdue activity tasks raised", "count", n)
		}
	})
}

// alertJobs sends queued e-mail alerts when an SMTP server is configured,
// and raises the alerts of reasonable-grounds decisions coming due.
func alertJobs(ctx context.Context, c *config.Config, db *store.DB, bundle *i18n.Bundle, log *slog.Logger) {
	countries, err := casework.DefaultCountries()
	if err != nil {
		log.Error("decision rules failed to load", "error", err.Error())
		return
	}
	go every(ctx, 10*time.Minute, func(now time.Time) {
		if n, err := alerts.DeadlineAlerts(ctx, db, countries, now); err != nil && ctx.Err() == nil {
			log.Warn("deadline alerts failed", "error", err.Error())
		} else if n > 0 {
			log.Info("deadline alerts raised", "count", n)
		}
	})
	sender := &alerts.Sender{DB: db, I18n: bundle, Mailer: notify.NewMailer(notify.Config{Addr: c.SMTPAddr, From: c.SMTPFrom,
		Username: c.SMTPUsername, Password: c.SMTPPassword(), StartTLS: c.SMTPStartTLS, BaseURL: c.BaseURL, Timeout: 30 * time.Second})}
	if c.SMTPAddr == "" {
		return
	}
	go every(ctx, 30*time.Second, func(time.Time) {
		// Failures are logged by count only: a server's reply may repeat
		// an address.
		if n, err := sender.Send(ctx, 100); err != nil && ctx.Err() == nil {
			log.Warn("alert sending failed", "error", err.Error())
		} else if n > 0 {
			log.Info("alerts sent", "count", n)
		}
	})
}

func runMigrate(ctx context.Context, e env, args []string) error {
	fs, c, err := configFlags("migrate", e)
	if err != nil {
		return err
	}
	if err := parseCommand(fs, c, args); err != nil {
		return err
	}
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "database %s is up to date at schema version %d\n", db.String(), v)
	} else {
		fmt.Fprintf(e.stdout, "database %s migrated to schema version %d (applied %v)\n", db.String(), v, applied)
	}
	return nil
}

// Package web is Haven's HTTP surface: one route table, middleware as
// func(http.Handler) http.Handler, one file per action, and server-rendered
// pages that work without JavaScript. Handlers are thin: they parse, ask
// access.Decide through the route table, call the store, and render.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
)

// Deps are what the server needs; all are built by the caller.
type Deps struct {
	Config config.Config
	DB     *store.DB
	I18n   *i18n.Bundle
	Logger *slog.Logger
	// Now is the clock; tests move it.
	Now func() time.Time
	// Version is shown in the footer and /healthz.
	Version string
	// Keys seal and open identifying fields.
	Keys *seal.Keyring
	// RateLimit bounds requests per client address (per second, burst);
	// zero means 20 per second with bursts of 60.
	RateLimit RateLimit
}

// RateLimit is a token bucket per client address.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// Server holds the parsed templates and dependencies.
type Server struct {
	Deps
	pages   map[string]*template.Template
	metrics *metrics
	limiter *ipLimiter
	routes  []Route
}

// Route is one entry of the route table. Every route names the access action
// that guards it; Decide runs before the handler.
type Route struct {
	Pattern string
	Action  access.Action
	// Scoped marks routes whose handler must check a resource itself with
	// Decide after loading it (the route-level check only passes the role).
	Scoped  bool
	Handler handlerFunc
	// API routes answer errors in JSON.
	API bool
}

// handlerFunc returns an error instead of writing one; the adapter logs it
// and renders a translated page or JSON body.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// New parses the templates and builds the route table.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.RateLimit.PerSecond <= 0 || d.RateLimit.Burst <= 0 {
		d.RateLimit = RateLimit{PerSecond: 20, Burst: 60}
	}
	s := &Server{Deps: d, metrics: newMetrics(), limiter: newIPLimiter(d.RateLimit.PerSecond, d.RateLimit.Burst)}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.routes = s.routeTable()
	return s, nil
}

// Routes returns the route table, for tests that walk every route.
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) routeTable() []Route {
	return []Route{
		{Pattern: "GET /healthz", Action: access.ViewHealth, Handler: s.healthz},
		{Pattern: "GET /readyz", Action: access.ViewHealth, Handler: s.readyz},
		{Pattern: "GET /metrics", Action: access.ReadMetrics, Handler: s.metricsHandler},
		{Pattern: "GET /static/", Action: access.ViewStatic, Handler: s.static},
		{Pattern: "GET /login", Action: access.ViewLogin, Handler: s.loginForm},
		{Pattern: "POST /login", Action: access.SignIn, Handler: s.loginSubmit},
		{Pattern: "POST /logout", Action: access.SignOut, Handler: s.logout},
		{Pattern: "POST /language", Action: access.ChangeLanguage, Handler: s.languageChange},
		{Pattern: "GET /{$}", Action: access.ViewHome, Handler: s.home},
		{Pattern: "GET /referrals", Action: access.ListReferrals, Handler: s.comingSoon("nav.referrals", "referrals")},
		{Pattern: "GET /cases", Action: access.ListCases, Handler: s.caseList},
		{Pattern: "GET /cases/{id}", Action: access.ViewCaseSummary, Scoped: true, Handler: s.caseView},
		{Pattern: "GET /screening", Action: access.UseScreening, Handler: s.comingSoon("nav.screening", "screening")},
		{Pattern: "GET /services", Action: access.ViewServices, Handler: s.comingSoon("nav.services", "services")},
		{Pattern: "GET /statistics", Action: access.ViewStatistics, Handler: s.comingSoon("nav.statistics", "statistics")},
		{Pattern: "GET /admin", Action: access.ViewAdminHome, Handler: s.adminHome},
		{Pattern: "GET /admin/jurisdictions", Action: access.ViewDirectory, Handler: s.adminJurisdictions},
		{Pattern: "GET /admin/agencies", Action: access.ViewDirectory, Handler: s.adminAgencies},
		{Pattern: "GET /admin/users", Action: access.ManageUsers, Handler: s.adminUsers},
		{Pattern: "GET /admin/audit", Action: access.ViewAuditLog, Handler: s.adminAudit},
		{Pattern: "GET /api/v1/", Action: access.ViewAPIInfo, Handler: s.apiRoot, API: true},
	}
}

// Handler returns the complete HTTP handler with middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Pattern, s.guard(rt))
	}
	mux.Handle("/", s.adapt(false, func(w http.ResponseWriter, r *http.Request) error {
		return errNotFound
	}))
	var h http.Handler = mux
	h = s.withSession(h)
	h = csrfProtection(h, s.adapt(false, func(w http.ResponseWriter, r *http.Request) error { return errCSRF }))
	h = s.withLimits(h)
	h = securityHeaders(h, s.Config.SecureCookies())
	h = s.withObservability(h)
	return h
}

// Serve runs the server on an already bound listener until ctx ends, then
// shuts down gracefully: in-flight requests get the configured time to
// finish.
func (s *Server) Serve(ctx context.Context, srv *http.Server, serve func() error) error {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.Config.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-errc
	return err
}

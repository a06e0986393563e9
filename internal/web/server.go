// Package web is Haven's HTTP surface: one route table, middleware as
// func(http.Handler) http.Handler, one file per action, and server-rendered
// pages that work without JavaScript. Handlers are thin: they parse, ask
// access.Decide through the route table, call the store, and render.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/services"
)

// Deps are what the server needs; all are built by the caller.
type Deps struct {
	Config config.Config
	// Services carry out every use case; the server reaches storage only
	// through them.
	Services *services.Set
	I18n     *i18n.Bundle
	Logger   *slog.Logger
	// Now is the clock; tests move it.
	Now func() time.Time
	// Version is shown in the footer and /healthz.
	Version string
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
	metrics *metrics
	limiter *ipLimiter
	proxies []netip.Prefix
	routes  []Route
	cases   *cases.Service
	// accounts carries out sign-in, sessions, second factors, tokens
	// and the other account use cases.
	accounts *accounts.Service
	// mfaRequired says which roles must sign in with a second factor.
	mfaRequired func(access.Role) bool
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
	if d.Services == nil {
		return nil, errors.New("web: no services")
	}
	mfa, err := accounts.MFARule(d.Config)
	if err != nil {
		return nil, err
	}
	if d.RateLimit.PerSecond <= 0 || d.RateLimit.Burst <= 0 {
		d.RateLimit = RateLimit{PerSecond: 20, Burst: 60}
	}
	proxies, err := parseProxies(d.Config.TrustedProxies)
	if err != nil {
		return nil, err
	}
	s := &Server{Deps: d, mfaRequired: mfa, cases: d.Services.Cases, accounts: d.Services.Accounts, metrics: newMetrics(), limiter: newIPLimiter(d.RateLimit.PerSecond, d.RateLimit.Burst), proxies: proxies}
	// The default language's pages are parsed now, so that a template
	// error stops the start; other languages follow on first use.
	if _, err := pagesIn(d.I18n.Match()); err != nil {
		return nil, err
	}
	s.routes = s.routeTable()
	return s, nil
}

// Routes returns the route table, for tests that walk every route.
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) routeTable() []Route {
	routes := []Route{
		{Pattern: "GET /healthz", Action: access.ViewHealth, Handler: s.healthz},
		{Pattern: "GET /readyz", Action: access.ViewHealth, Handler: s.readyz},
		{Pattern: "GET /metrics", Action: access.ReadMetrics, Handler: s.metricsHandler},
		{Pattern: "GET /static/", Action: access.ViewStatic, Handler: s.static},
		{Pattern: "GET /login", Action: access.ViewLogin, Handler: s.loginForm},
		{Pattern: "POST /login", Action: access.SignIn, Handler: s.loginSubmit},
		{Pattern: "POST /logout", Action: access.SignOut, Handler: s.logout},
		{Pattern: "GET /mfa/verify", Action: access.SecondFactor, Handler: s.mfaVerifyForm},
		{Pattern: "POST /mfa/verify", Action: access.SecondFactor, Handler: s.mfaVerifySubmit},
		{Pattern: "GET /mfa/enrol", Action: access.SecondFactor, Handler: s.mfaEnrolForm},
		{Pattern: "POST /mfa/enrol", Action: access.SecondFactor, Handler: s.mfaEnrolStart},
		{Pattern: "POST /mfa/enrol/confirm", Action: access.SecondFactor, Handler: s.mfaEnrolConfirm},
		{Pattern: "POST /mfa/cancel", Action: access.SecondFactor, Handler: s.logout},
		{Pattern: "GET /enrol/{token}", Action: access.SecondFactor, Handler: s.enrolLinkForm},
		{Pattern: "POST /enrol/{token}", Action: access.SecondFactor, Handler: s.enrolLinkSubmit},
		{Pattern: "GET /reauth", Action: access.Reauthenticate, Handler: s.reauthForm},
		{Pattern: "POST /reauth", Action: access.Reauthenticate, Handler: s.reauthSubmit},
		{Pattern: "GET /account", Action: access.ViewProfile, Handler: s.accountView},
		{Pattern: "GET /account/password", Action: access.ChangePassword, Handler: s.passwordForm},
		{Pattern: "POST /account/password", Action: access.ChangePassword, Handler: s.passwordChange},
		{Pattern: "POST /account/recovery-codes", Action: access.ManageMFA, Handler: s.recoveryCodesRenew},
		{Pattern: "POST /account/sessions/end", Action: access.EndAllSessions, Handler: s.endAllSessions},
		{Pattern: "GET /account/tokens", Action: access.ManageAPITokens, Handler: s.tokenList},
		{Pattern: "POST /account/tokens", Action: access.ManageAPITokens, Handler: s.tokenCreate},
		{Pattern: "POST /account/tokens/{id}/revoke", Action: access.ManageAPITokens, Scoped: true, Handler: s.tokenRevoke},
		{Pattern: "POST /language", Action: access.ChangeLanguage, Handler: s.languageChange},
		{Pattern: "GET /{$}", Action: access.ViewHome, Handler: s.home},
		{Pattern: "GET /referrals", Action: access.ListReferrals, Handler: s.referralIndex},
		{Pattern: "GET /referrals/new", Action: access.CreateReferral, Handler: s.referralNew},
		{Pattern: "POST /referrals/new", Action: access.CreateReferral, Handler: s.referralSubmit},
		{Pattern: "GET /referrals/prompt-sheet", Action: access.CreateReferral, Handler: s.promptSheet},
		{Pattern: "GET /referrals/{id}", Action: access.ListReferrals, Scoped: true, Handler: s.referralShow},
		{Pattern: "GET /cases", Action: access.ListCases, Handler: s.caseList},
		{Pattern: "GET /cases/{id}", Action: access.ViewCaseSummary, Scoped: true, Handler: s.caseShow},
		{Pattern: "GET /cases/{id}/letter", Action: access.ViewLetter, Scoped: true, Handler: s.letter},
		{Pattern: "GET /cases/export", Action: access.ExportCases, Handler: s.exportCases},
		{Pattern: "GET /queue", Action: access.ViewQueue, Handler: s.queue},
		{Pattern: "GET /work", Action: access.ViewMyWork, Handler: s.myWork},
		{Pattern: "GET /cases/{id}/break-glass", Action: access.BreakGlass, Handler: s.breakGlassNew},
		{Pattern: "POST /cases/{id}/break-glass", Action: access.BreakGlass, Handler: s.breakGlassCreate},
		{Pattern: "GET /screening", Action: access.UseScreening, Handler: s.screeningTool},
		{Pattern: "POST /screening", Action: access.UseScreening, Handler: s.screeningTool},
		{Pattern: "GET /services", Action: access.ViewServices, Handler: s.servicesIndex},
		{Pattern: "POST /services/organizations", Action: access.ManageDirectory, Handler: s.organizationCreate},
		{Pattern: "POST /services/locations", Action: access.ManageDirectory, Handler: s.locationCreate},
		{Pattern: "POST /services/services", Action: access.ManageDirectory, Handler: s.serviceCreate},
		{Pattern: "GET /statistics", Action: access.ViewStatistics, Handler: s.comingSoon("nav.statistics", "statistics")},
		{Pattern: "GET /admin", Action: access.ViewAdminHome, Handler: s.adminHome},
		{Pattern: "GET /admin/jurisdictions", Action: access.ViewDirectory, Handler: s.adminJurisdictions},
		{Pattern: "GET /admin/agencies", Action: access.ViewDirectory, Handler: s.adminAgencies},
		{Pattern: "GET /admin/users", Action: access.ManageUsers, Handler: s.adminUsers},
		{Pattern: "POST /admin/jurisdictions", Action: access.ManageJurisdictions, Handler: s.jurisdictionCreate},
		{Pattern: "GET /admin/jurisdictions/{code}", Action: access.ManageJurisdictions, Handler: s.jurisdictionEdit},
		{Pattern: "POST /admin/jurisdictions/{code}", Action: access.ManageJurisdictions, Handler: s.jurisdictionUpdate},
		{Pattern: "POST /admin/agencies", Action: access.ManageAgencies, Handler: s.agencyCreate},
		{Pattern: "GET /admin/agencies/{id}", Action: access.ManageAgencies, Handler: s.agencyEdit},
		{Pattern: "POST /admin/agencies/{id}", Action: access.ManageAgencies, Handler: s.agencyUpdate},
		// The admin service decides which accounts a reader may change
		// (access.AdministerUser in the account's agency, or
		// access.AdministerAdmin); the route admits the administrators.
		{Pattern: "POST /admin/users", Action: access.ManageUsers, Handler: s.userInvite},
		{Pattern: "POST /admin/users/{id}/role", Action: access.ManageUsers, Scoped: true, Handler: s.userRole},
		{Pattern: "POST /admin/users/{id}/disable", Action: access.ManageUsers, Scoped: true, Handler: s.userDisable},
		{Pattern: "POST /admin/users/{id}/enable", Action: access.ManageUsers, Scoped: true, Handler: s.userEnable},
		{Pattern: "POST /admin/users/{id}/reset-mfa", Action: access.ManageUsers, Scoped: true, Handler: s.userResetMFA},
		{Pattern: "GET /admin/audit", Action: access.ViewAuditLog, Handler: s.adminAudit},
		{Pattern: "GET /api/v1/", Action: access.ViewAPIInfo, Handler: s.apiRoot, API: true},
		{Pattern: "GET /api/v1/me", Action: access.ViewSessionInfo, Handler: s.apiMe, API: true},
		{Pattern: "POST /api/v1/screenings", Action: access.APIScreening, Handler: s.apiScreening, API: true},
		{Pattern: "POST /api/v1/referrals", Action: access.CreateReferral, Handler: s.apiReferralCreate, API: true},
		{Pattern: "GET /api/v1/openapi.json", Action: access.ViewAPIInfo, Handler: s.openAPI, API: true},
		{Pattern: "GET /api/v1/queue", Action: access.ViewQueue, Handler: s.apiQueue, API: true},
		{Pattern: "GET /api/v1/cases/{id}", Action: access.ViewCaseSummary, Scoped: true, Handler: s.apiCase, API: true},
		{Pattern: "GET /api/v1/work", Action: access.ViewMyWork, Handler: s.apiWork, API: true},
		{Pattern: "GET /api/v1/jurisdictions", Action: access.ViewDirectory, Handler: s.apiJurisdictions, API: true},
		{Pattern: "POST /api/v1/jurisdictions", Action: access.ManageJurisdictions, Handler: s.apiJurisdictionCreate, API: true},
		{Pattern: "POST /api/v1/jurisdictions/{code}", Action: access.ManageJurisdictions, Handler: s.apiJurisdictionUpdate, API: true},
		{Pattern: "GET /api/v1/agencies", Action: access.ViewDirectory, Handler: s.apiAgencies, API: true},
		{Pattern: "POST /api/v1/agencies", Action: access.ManageAgencies, Handler: s.apiAgencyCreate, API: true},
		{Pattern: "POST /api/v1/agencies/{id}", Action: access.ManageAgencies, Handler: s.apiAgencyUpdate, API: true},
		{Pattern: "POST /api/v1/users", Action: access.ManageUsers, Handler: s.apiUserInvite, API: true},
	}
	return append(routes, s.caseRoutes()...)
}

// Handler returns the complete HTTP handler with middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Pattern, s.guard(rt))
	}
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.renderError(w, r, errNotFound) }))
	var h http.Handler = mux
	h = s.withSession(h)
	h = csrfProtection(h, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.renderError(w, r, errCSRF) }))
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

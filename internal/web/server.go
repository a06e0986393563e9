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
	"github.com/haven-nrm/haven/internal/federation"
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
		{Pattern: "GET /statistics", Action: access.ViewStatistics, Handler: s.statistics},
		{Pattern: "GET /statistics/indicators", Action: access.ViewStatistics, Handler: s.statisticsIndicators},
		// The release desk: drafting is the analyst's, approving a second
		// person's (the desk is shown to those who may approve).
		{Pattern: "GET /statistics/releases", Action: access.ApproveRelease, Handler: s.releaseDesk},
		{Pattern: "POST /statistics/releases", Action: access.DraftRelease, Handler: s.releaseDraft},
		{Pattern: "POST /statistics/releases/{id}/approve", Action: access.ApproveRelease, Handler: s.releaseApprove},
		{Pattern: "GET /statistics/measures", Action: access.ViewStatistics, Handler: s.statisticsMeasures},
		{Pattern: "GET /releases", Action: access.ViewReleases, Handler: s.releasesIndex},
		{Pattern: "GET /releases/{id}", Action: access.ViewReleases, Handler: s.releaseShow},
		{Pattern: "GET /releases/{id}/data.json", Action: access.ViewReleases, Handler: s.releaseJSON},
		{Pattern: "GET /releases/{id}/data.csv", Action: access.ViewReleases, Handler: s.releaseCSV},
		{Pattern: "GET /admin", Action: access.ViewAdminHome, Handler: s.adminHome},
		{Pattern: "GET /admin/jurisdictions", Action: access.ViewDirectory, Handler: s.adminJurisdictions},
		{Pattern: "GET /admin/agencies", Action: access.ViewDirectory, Handler: s.adminAgencies},
		{Pattern: "GET /admin/users", Action: access.ManageUsers, Handler: s.adminUsers},
		{Pattern: "POST /admin/jurisdictions", Action: access.ManageJurisdictions, Handler: s.jurisdictionCreate},
		{Pattern: "GET /admin/jurisdictions/{code}", Action: access.ManageJurisdictions, Handler: s.jurisdictionEdit},
		{Pattern: "POST /admin/jurisdictions/{code}", Action: access.ManageJurisdictions, Handler: s.jurisdictionUpdate},
		{Pattern: "GET /admin/jurisdictions/{code}/calendar", Action: access.ManageJurisdictions, Handler: s.adminCalendar},
		{Pattern: "POST /admin/jurisdictions/{code}/calendar/holidays", Action: access.ManageJurisdictions, Handler: s.holidayAdd},
		{Pattern: "POST /admin/jurisdictions/{code}/calendar/remove", Action: access.ManageJurisdictions, Handler: s.holidayRemove},
		{Pattern: "POST /admin/jurisdictions/{code}/calendar/import", Action: access.ManageJurisdictions, Handler: s.calendarImport},
		{Pattern: "POST /admin/jurisdictions/{code}/calendar/sample", Action: access.ManageJurisdictions, Handler: s.calendarSample},
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
		{Pattern: "GET /admin/sso", Action: access.ManageSSO, Handler: s.adminSSO},
		{Pattern: "POST /admin/sso", Action: access.ManageSSO, Handler: s.adminSSOSave},
		{Pattern: "POST /login/passkey/begin", Action: access.SignIn, Handler: s.loginPasskeyBegin},
		{Pattern: "POST /login/passkey", Action: access.SignIn, Handler: s.loginPasskey},
		{Pattern: "POST /mfa/passkey/begin", Action: access.SecondFactor, Handler: s.mfaPasskeyBegin},
		{Pattern: "POST /mfa/passkey", Action: access.SecondFactor, Handler: s.mfaPasskey},
		{Pattern: "POST /passkey/register/begin", Action: access.SecondFactor, Handler: s.passkeyRegisterBegin},
		{Pattern: "POST /passkey/register", Action: access.SecondFactor, Handler: s.passkeyRegister},
		{Pattern: "GET /account/passkeys", Action: access.ManagePasskeys, Handler: s.passkeysView},
		{Pattern: "POST /account/passkeys/{id}/name", Action: access.ManagePasskeys, Scoped: true, Handler: s.passkeyRename},
		{Pattern: "POST /account/passkeys/{id}/remove", Action: access.ManagePasskeys, Scoped: true, Handler: s.passkeyRemove},
		{Pattern: "GET /sso/{id}/start", Action: access.SignInSSO, Handler: s.ssoStart},
		{Pattern: "GET /sso/callback", Action: access.SignInSSO, Handler: s.ssoCallback},
		{Pattern: "GET /api/v1/", Action: access.ViewAPIInfo, Handler: s.apiRoot, API: true},
		{Pattern: "GET /api/v1/me", Action: access.ViewSessionInfo, Handler: s.apiMe, API: true},
		{Pattern: "POST /api/v1/screenings", Action: access.APIScreening, Handler: s.apiScreening, API: true},
		{Pattern: "POST /api/v1/referrals", Action: access.CreateReferral, Handler: s.apiReferralCreate, API: true},
		{Pattern: "GET /api/v1/openapi.json", Action: access.ViewAPIInfo, Handler: s.openAPI, API: true},
		{Pattern: "GET /api/v1/queue", Action: access.ViewQueue, Handler: s.apiQueue, API: true},
		{Pattern: "GET /api/v1/cases/{id}", Action: access.ViewCaseSummary, Scoped: true, Handler: s.apiCase, API: true},
		{Pattern: "GET /api/v1/work", Action: access.ViewMyWork, Handler: s.apiWork, API: true},
		{Pattern: "GET /api/v1/statistics/table", Action: access.ViewStatistics, Handler: s.apiStatisticsTable, API: true},
		{Pattern: "GET /api/v1/statistics/measures", Action: access.ViewStatistics, Handler: s.apiStatisticsMeasures, API: true},
		{Pattern: "GET " + federation.WellKnownPath, Action: access.Public, Handler: s.wellKnown},
		{Pattern: "POST " + federation.InboxPath, Action: access.ReceiveEnvelope, Handler: s.federationInbox, API: true},
		{Pattern: "GET /trm", Action: access.ViewTRMInbox, Handler: s.trmOverview},
		{Pattern: "GET /trm/{id}", Action: access.DecideTransfer, Handler: s.trmTransfer},
		{Pattern: "POST /trm/{id}/decide", Action: access.DecideTransfer, Handler: s.trmDecide},
		{Pattern: "GET /cases/{id}/trm", Action: access.RecordTRM, Scoped: true, Handler: s.caseTRM},
		{Pattern: "POST /cases/{id}/trm/consent", Action: access.RecordTRM, Scoped: true, Handler: s.caseTRMConsent},
		{Pattern: "POST /cases/{id}/trm/step", Action: access.RecordTRM, Scoped: true, Handler: s.caseTRMStep},
		{Pattern: "POST /cases/{id}/trm/send", Action: access.SendCase, Scoped: true, Handler: s.caseTRMSend},
		{Pattern: "POST /cases/{id}/trm/psi", Action: access.RunPSI, Scoped: true, Handler: s.caseTRMPSI},
		{Pattern: "GET /admin/peers", Action: access.ManagePeers, Handler: s.adminPeers},
		{Pattern: "POST /admin/peers/{id}/status", Action: access.ManagePeers, Handler: s.adminPeerStatus},
		{Pattern: "GET /localgov", Action: access.ViewLocalGov, Handler: s.localgovShow("localgov", "localgov.title")},
		{Pattern: "POST /localgov/profile", Action: access.ManageLocalGov, Handler: s.localgovProfileSave},
		{Pattern: "POST /localgov/records", Action: access.ManageLocalGov, Handler: s.localgovRecordAdd},
		{Pattern: "GET /localgov/plan", Action: access.ViewLocalGov, Handler: s.localgovShow("localgov_plan", "localgov.plan.title")},
		{Pattern: "POST /localgov/plan/items", Action: access.ManageLocalGov, Handler: s.localgovItemAdd},
		{Pattern: "POST /localgov/plan/items/{id}/progress", Action: access.UpdatePlanItem, Scoped: true, Handler: s.localgovProgress},
		{Pattern: "POST /localgov/plan/reviews", Action: access.ManageLocalGov, Handler: s.localgovReviewAdd},
		{Pattern: "POST /localgov/plan/items/{id}/partners", Action: access.InvitePartner, Scoped: true, Handler: s.localgovPartnerInvite},
		{Pattern: "GET /localgov/contributions", Action: access.ViewContributions, Handler: s.localgovContributions},
		{Pattern: "POST /localgov/contributions/{id}", Action: access.ContributeToActivity, Scoped: true, Handler: s.localgovContribute},
		{Pattern: "GET /localgov/assessment", Action: access.ViewLocalGov, Handler: s.localgovShow("threep", "threep.title")},
		{Pattern: "POST /localgov/assessment", Action: access.ManageLocalGov, Handler: s.threepAssess},
		{Pattern: "GET /cityshare", Action: access.ViewCityShare, Handler: s.cityshareIndex},
		{Pattern: "POST /cityshare/publish", Action: access.ManageCityShare, Handler: s.citysharePublish},
		{Pattern: "POST /cityshare/import", Action: access.ManageCityShare, Handler: s.cityshareImport},
		{Pattern: "GET /cityshare/compare", Action: access.ViewCityShare, Handler: s.cityshareCompare},
		{Pattern: "GET /cityshare/profiles/{id}/document", Action: access.ViewCityShare, Handler: s.cityshareDocument},
		{Pattern: "POST /cityshare/profiles/{id}/comments", Action: access.ManageCityShare, Handler: s.cityshareComment},
		{Pattern: "POST /cityshare/adopt", Action: access.ManageCityShare, Handler: s.cityshareAdopt},
		{Pattern: "GET /api/v1/localgov", Action: access.ViewLocalGov, Handler: s.apiLocalGov, API: true},
		{Pattern: "POST /api/v1/localgov/records", Action: access.ManageLocalGov, Handler: s.apiLocalGovRecord, API: true},
		{Pattern: "POST /api/v1/localgov/plan/items/{id}/progress", Action: access.UpdatePlanItem, Scoped: true, Handler: s.apiLocalGovProgress, API: true},
		{Pattern: "GET /api/v1/jurisdictions", Action: access.ViewDirectory, Handler: s.apiJurisdictions, API: true},
		{Pattern: "POST /api/v1/jurisdictions", Action: access.ManageJurisdictions, Handler: s.apiJurisdictionCreate, API: true},
		{Pattern: "POST /api/v1/jurisdictions/{code}", Action: access.ManageJurisdictions, Handler: s.apiJurisdictionUpdate, API: true},
		{Pattern: "GET /api/v1/agencies", Action: access.ViewDirectory, Handler: s.apiAgencies, API: true},
		{Pattern: "POST /api/v1/agencies", Action: access.ManageAgencies, Handler: s.apiAgencyCreate, API: true},
		{Pattern: "POST /api/v1/agencies/{id}", Action: access.ManageAgencies, Handler: s.apiAgencyUpdate, API: true},
		{Pattern: "GET /api/v1/users", Action: access.ManageUsers, Handler: s.apiUsers, API: true},
		{Pattern: "POST /api/v1/users", Action: access.ManageUsers, Handler: s.apiUserInvite, API: true},
		{Pattern: "POST /api/v1/users/{id}/role", Action: access.ManageUsers, Scoped: true, Handler: s.apiUserRole, API: true},
		{Pattern: "POST /api/v1/users/{id}/disable", Action: access.ManageUsers, Scoped: true, Handler: s.apiUserDisable, API: true},
		{Pattern: "POST /api/v1/users/{id}/enable", Action: access.ManageUsers, Scoped: true, Handler: s.apiUserEnable, API: true},
		{Pattern: "POST /api/v1/users/{id}/reset-mfa", Action: access.ManageUsers, Scoped: true, Handler: s.apiUserResetMFA, API: true},
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
	h = compress(h)
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

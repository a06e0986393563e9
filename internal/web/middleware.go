package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyPrincipal
	keyUser
	keySession
	keyPending
)

// requestInfo is filled as the request passes through the layers, so the
// outermost layer can log what the inner ones learnt.
type requestInfo struct {
	id     string
	route  string
	user   *accounts.User
	status int
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withObservability gives each request an id, logs one JSON line when it
// ends and counts it in the metrics. Only the route pattern is logged, never
// the path, query or body, which could carry personal data.
func (s *Server) withObservability(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: newRequestID()}
		ctx := context.WithValue(r.Context(), keyRequestID, info)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		sw.Header().Set("X-Request-Id", info.id)
		defer func() {
			if rec := recover(); rec != nil {
				s.Logger.Error("panic", "request_id", info.id, "panic", slog.AnyValue(rec).String())
				if sw.status == 0 {
					s.renderError(sw, r, errInternal)
				}
			}
			route := info.route
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			s.metrics.observe(route, r.Method, sw.status, d)
			attrs := []any{"request_id", info.id, "method", r.Method, "route", route, "status", sw.status,
				"duration_ms", float64(d.Microseconds()) / 1000, "bytes", sw.bytes}
			if info.user != nil {
				attrs = append(attrs, "user_id", info.user.ID)
			}
			s.Logger.Info("request", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}

func requestInfoFrom(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(keyRequestID).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

// contentSecurityPolicy allows only Haven's own scripts, styles and images:
// no inline script or style, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(next http.Handler, tls bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if tls {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			// Pages may hold personal data: never store them in a cache.
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// maxBodyBytes bounds every request body; forms and JSON in Haven are small.
const maxBodyBytes = 1 << 20

// withLimits bounds request bodies and applies a per-address rate limit. The
// limiter is per process: it protects each replica from floods; limits that
// guard accounts (failed sign-ins) are kept in the database.
func (s *Server) withLimits(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBodyBytes {
			s.renderError(w, r, errTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		if !strings.HasPrefix(r.URL.Path, "/static/") && r.URL.Path != "/healthz" && r.URL.Path != "/readyz" &&
			!s.limiter.allow(s.clientIP(r)) {
			w.Header().Set("Retry-After", "5")
			s.renderError(w, r, errTooMany)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// peerIP is the address of the direct peer.
func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientIP is the client's address: the peer, or, when the peer is a
// trusted proxy, the right-most address in X-Forwarded-For that is not a
// trusted proxy (the left part of the header is whatever the client sent).
func (s *Server) clientIP(r *http.Request) string {
	peer := peerIP(r)
	if !s.trusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(h); err != nil {
			break
		}
		if !s.trusted(h) {
			return h
		}
	}
	return peer
}

func (s *Server) trusted(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseProxies reads the trusted-proxy setting.
func parseProxies(setting string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(setting, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an address or prefix", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not an address or prefix", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

type ipLimiter struct {
	mu    sync.Mutex
	rate  rate.Limit
	burst int
	m     map[string]*limiterEntry
	sweep time.Time
}

type limiterEntry struct {
	l    *rate.Limiter
	seen time.Time
}

func newIPLimiter(perSecond float64, burst int) *ipLimiter {
	return &ipLimiter{rate: rate.Limit(perSecond), burst: burst, m: map[string]*limiterEntry{}}
}

func (l *ipLimiter) allow(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.sweep) > time.Minute {
		for k, e := range l.m {
			if now.Sub(e.seen) > 5*time.Minute {
				delete(l.m, k)
			}
		}
		l.sweep = now
	}
	e := l.m[ip]
	if e == nil {
		e = &limiterEntry{l: rate.NewLimiter(l.rate, l.burst)}
		l.m[ip] = e
	}
	e.seen = now
	return e.l.Allow()
}

// csrfProtection refuses cross-origin state-changing requests using the
// browser's Sec-Fetch-Site and Origin headers (net/http's
// CrossOriginProtection); session cookies are also SameSite=Lax.
func csrfProtection(next http.Handler, deny http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(deny)
	return p.Handler(next)
}

const sessionCookie = "haven_session"

// withSession loads who is acting. On /api/ paths an Authorization: Bearer
// token is taken first; otherwise the session cookie. A session that has
// only passed the password step (waiting for the second factor, or for a
// required second factor to be set up) carries no principal: it reaches
// the pages of that step and little else.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			if tok, ok := bearerToken(r); ok {
				s.withAPIToken(next, w, r, tok)
				return
			}
		}
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" || len(c.Value) > 100 {
			next.ServeHTTP(w, r)
			return
		}
		res, err := s.accounts.Resume(r.Context(), c.Value)
		if err != nil && !errs.Is(err, errs.Unauthenticated) && !errs.Is(err, errs.NotFound) {
			// The database failed: say so rather than sign the user out.
			s.renderError(w, r, err)
			return
		}
		if err != nil {
			s.clearSessionCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		u, sess, stage := res.User, res.Session, res.Stage
		requestInfoFrom(r.Context()).user = &u
		ctx := context.WithValue(r.Context(), keySession, &sess)
		if stage != "" {
			ctx = context.WithValue(ctx, keyPending, &pendingSignIn{User: u, Session: sess, Stage: stage})
			r = r.WithContext(ctx)
			if !pendingMayVisit(r.URL.Path) {
				if r.Method == http.MethodGet || r.Method == http.MethodHead {
					http.Redirect(w, r, stagePath(stage), http.StatusSeeOther)
					return
				}
				s.renderError(w, r, errUnauthenticated)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		ctx = context.WithValue(ctx, keyPrincipal, principalOf(u))
		ctx = context.WithValue(ctx, keyUser, &u)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func principalOf(u accounts.User) access.Principal {
	return access.Principal{UserID: u.ID, Role: access.Role(u.Role), AgencyID: u.AgencyID, JurisdictionID: u.JurisdictionID}
}

// Stages of a session that has passed the password step only.
const (
	stageMFA   = accounts.StageMFA   // the second factor is awaited
	stageEnrol = accounts.StageEnrol // opened by an enrolment link: a second factor is set up
)

// pendingSignIn is a session between the password step and the second
// factor.
type pendingSignIn struct {
	User    accounts.User
	Session accounts.Session
	Stage   string
}

func stagePath(stage string) string {
	if stage == stageEnrol {
		return "/mfa/enrol"
	}
	return "/mfa/verify"
}

// pendingMayVisit lists what a half-signed-in session may reach: the
// second step, signing out or in again, the language switch, and what
// anyone may see.
func pendingMayVisit(path string) bool {
	switch path {
	case "/mfa/verify", "/mfa/enrol", "/mfa/enrol/confirm", "/mfa/cancel", "/logout", "/login", "/language", "/healthz", "/readyz", "/metrics",
		"/mfa/passkey/begin", "/mfa/passkey", "/passkey/register/begin", "/passkey/register":
		return true
	}
	return strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, "/enrol/")
}

// pending returns the half-signed-in session of the request, or nil.
func pending(r *http.Request) *pendingSignIn {
	p, _ := r.Context().Value(keyPending).(*pendingSignIn)
	return p
}

// currentSession returns the request's cookie session (complete or not),
// or nil for API tokens and anonymous visitors.
func currentSession(r *http.Request) *accounts.Session {
	s, _ := r.Context().Value(keySession).(*accounts.Session)
	return s
}

// bearerToken returns the token of an Authorization: Bearer header.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return "", false
	}
	return strings.TrimSpace(h[7:]), true
}

// withAPIToken authenticates an API request by its bearer token: the
// token acts with its owner's principal. A token that is unknown, revoked,
// expired or whose owner is disabled is refused outright (401), never
// treated as anonymous.
func (s *Server) withAPIToken(next http.Handler, w http.ResponseWriter, r *http.Request, token string) {
	u, err := s.accounts.TokenUser(r.Context(), token)
	if err != nil {
		if k := errs.KindOf(err); k != errs.Unauthenticated && k != errs.NotFound {
			s.renderErrorAPI(w, r, true, err)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		s.renderErrorAPI(w, r, true, errUnauthenticated)
		return
	}
	requestInfoFrom(r.Context()).user = &u
	ctx := context.WithValue(r.Context(), keyPrincipal, principalOf(u))
	ctx = context.WithValue(ctx, keyUser, &u)
	next.ServeHTTP(w, r.WithContext(ctx))
}

// setSessionCookie sets the session cookie without Max-Age or Expires: it
// ends when the browser does. The idle and absolute limits are the
// server's (withSession), whatever the browser keeps.
func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.Config.SecureCookies(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.Config.SecureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// principal returns who is acting; the zero value is anonymous.
func principal(r *http.Request) access.Principal {
	p, _ := r.Context().Value(keyPrincipal).(access.Principal)
	return p
}

// currentUser returns the signed-in user or nil.
func currentUser(r *http.Request) *accounts.User {
	u, _ := r.Context().Value(keyUser).(*accounts.User)
	return u
}

// guard asks access.Decide before the handler runs. An anonymous visitor
// refused a page is sent to sign in; everyone else refused gets 403.
func (s *Server) guard(rt Route) http.Handler {
	h := s.adapt(rt.API, rt.Handler)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requestInfoFrom(r.Context()).route = rt.Pattern
		p := principal(r)
		d := access.Decide(rt.Action, p, access.Resource{})
		// Scoped routes pass the role check here and the scope check in
		// the handler, once the resource is loaded.
		if !d.Allow && !(rt.Scoped && d.Reason == "scope") {
			if p.Anonymous() && !rt.API && r.Method == http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			if p.Anonymous() {
				s.renderErrorAPI(w, r, rt.API, errUnauthenticated)
				return
			}
			s.renderErrorAPI(w, r, rt.API, errForbidden)
			return
		}
		// Every audit event the handler writes is marked from this
		// scope once the handler has decided access to a record: the
		// record's agency, and the break-glass flag when a grant opened
		// it.
		h.ServeHTTP(w, r.WithContext(audit.WithScope(r.Context())))
	})
}

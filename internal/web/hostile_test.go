package web_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"html/template"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/localgov"
	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
	"github.com/haven-nrm/haven/internal/threep"
	"github.com/haven-nrm/haven/internal/vocab"
	"github.com/haven-nrm/haven/internal/web"
)

// TestHostileInputs sends a corpus of hostile inputs (script and template
// injection, SQL fragments, path traversal, NUL and control characters,
// invalid UTF-8, very long values, oversized and malformed bodies, JSON
// tricks, wrong methods and content types, cross-origin posts) to every
// route of the route table, with a role the route allows, into every field
// its handler reads. Every answer must be a refusal with a clear error or a
// neutralised acceptance:
//
//   - never a 5xx, a Go error, a stack trace, SQL engine text, a file path
//     or file contents;
//   - never the payload as markup (html/template escapes it), never an
//     evaluated template, never a redirect off the site;
//   - refusals of pages carry role="alert"; JSON errors have the shape
//     {"error":{"code","message","request_id"}};
//   - a refused request writes nothing but the records of the refusal
//     itself (see refusalTables); the rows of every other table, counted and
//     compared by content, stay as they were;
//   - identifying text that is accepted is stored sealed and shown escaped.
//
// The route table in hostileExercises must name every route: a new route
// without hostile-input coverage fails the test, and so does a form field a
// page renders that the corpus does not reach.
func TestHostileInputs(t *testing.T) {
	corpus := loadHostileCorpus(t)
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newHostile(t, db, corpus)
		start := time.Now()
		e.run()
		t.Logf("%s: %d hostile requests (%d refused, %d accepted) on %d routes in %s",
			db.Dialect, e.requests, e.refused, e.requests-e.refused, len(e.cover), time.Since(start).Round(time.Millisecond))
		e.report()
	})
}

// Categories of hostile values put into fields, path parameters, query
// filters and headers.
var valueCats = []string{"xss", "template", "sql", "traversal", "control", "utf8", "long"}

// Categories of whole requests, sent to every route with an unsafe method.
const (
	catOversized   = "oversized"
	catContentType = "content-type"
	catEncoding    = "body-encoding"
	catMethod      = "method"
	catCrossOrigin = "cross-origin"
	catHeader      = "header"
)

var bodyCats = []string{catOversized, catContentType, catEncoding, catMethod, catCrossOrigin}

// Categories of malformed JSON, sent to every JSON endpoint.
var jsonCats = []string{"json-deep", "json-duplicate-keys", "json-number-as-string", "json-huge-number",
	"json-wrong-type", "json-trailing", "json-unknown-field", "json-over-limit"}

// refusalTables may change when a request is refused, because the refusal
// itself is recorded there (read from the handlers):
//
//   - audit_events and audit_head: failed and throttled sign-ins, wrong
//     current passwords, failed re-authentication and second-factor
//     attempts are audit events (login.go, account_password.go,
//     account_reauth.go, mfa_verify.go), appended under the head row;
//   - audit_checkpoints: every CheckpointEvery-th event is signed in the
//     transaction that appends it, a refusal's event included;
//   - auth_throttle: those same failures are counted per account name and
//     client address, and stale counters are dropped (mfa.go countFailure).
//
// Nothing else may change. sessions and api_tokens are compared without
// last_seen_at and last_used_at, which every authenticated request may
// touch (TouchSession, TouchAPIToken); a refusal must not add, end or
// otherwise alter a session or a token.
var refusalTables = map[string]bool{"audit_events": true, "audit_head": true, "audit_checkpoints": true, "auth_throttle": true}

var volatileColumns = map[string]bool{"sessions.last_seen_at": true, "api_tokens.last_used_at": true}

// appendOnly tables are only ever inserted into by the web layer (a
// referral's case, person, tokens, referral and notifications; break-glass
// grants): no route updates or deletes their rows. Their row counts tell
// whether a refusal wrote to them; hashing their growing contents after
// every request would take most of the run. A route that starts to update
// one of them must take it off this list. Every other table is compared
// row by row as well.
var appendOnly = map[string]bool{"referrals": true, "persons": true, "person_tokens": true, "notifications": true,
	"break_glass_grants": true}

// Tables larger than this are compared by row count only.
const maxDigestRows = 5000

// leaks must never appear in an answer: Go errors and stack traces, SQL
// engine and driver messages, decoder messages, untranslated keys, file
// paths and file contents, and the result of an evaluated template
// (1337*1337*1337 = 2389979753).
var leaks = []string{
	"goroutine ", "panic(", "panic: ", "runtime error", ".go:",
	"SQLSTATE", "sqlite", "SQLite", "SQLITE", "pq: ", "no such table", "no such column", "syntax error at", `near "`,
	"constraint failed", "violates ", "database: ", "sql: ",
	"invalid character '", "cannot unmarshal", "json: ", "unexpected end of JSON", "exceeded max depth", "strconv.",
	"parsing time", "invalid URL escape", "invalid semicolon", "multipart: ", "http: ", "unexpected EOF",
	"screening: ", "invalid referral: ", "intake.error.", "⟦",
	"/work/", "/home/", "/usr/", "/root/", "/tmp/", "root:x:0:0", "[fonts]", "{{define", "module github.com", "-----BEGIN",
	"hvEVAL", "2389979753",
}

// secrets are random text a page shows on purpose (QR codes, new tokens,
// recovery codes and TOTP secrets); they are left out of the leak scan,
// where they could match by chance.
var secrets = regexp.MustCompile(`data:image/png;base64,[A-Za-z0-9+/=]+|hvn_[A-Za-z0-9_-]+|<code[^>]*>[^<]*</code>`)

// injected is markup that only unescaped injection produces.
var injected = []string{"<script>alert(1)</script>", "onerror=alert(1)>", "<svg onload=alert(1)>", "<svg/onload=alert(1)>", "<img src=x"}

var scriptURL = regexp.MustCompile(`(?i)\b(href|src|action|formaction)\s*=\s*["']?\s*javascript:`)

// loadHostileCorpus reads testdata/hostile/values.txt and adds the long
// values.
func loadHostileCorpus(t *testing.T) map[string][]string {
	f, err := os.Open("testdata/hostile/values.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := map[string][]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cat, lit, ok := strings.Cut(line, "\t")
		v, err := strconv.Unquote(strings.TrimSpace(lit))
		if !ok || err != nil || !slices.Contains(valueCats, cat) {
			t.Fatalf("values.txt:%d: want a category, a tab and a Go string literal: %q", n, line)
		}
		c[cat] = append(c[cat], v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	c["long"] = append(c["long"],
		strings.Repeat("A", 100<<10),
		strings.Repeat("<script>alert(1)</script>", 4200),
		strings.Repeat("é", 60<<10),
		strings.Repeat("../", 35000))
	for _, cat := range valueCats {
		if len(c[cat]) == 0 {
			t.Fatalf("hostile corpus has no %s values", cat)
		}
		for _, v := range c[cat] {
			for _, l := range leaks {
				if strings.Contains(v, l) {
					t.Fatalf("hostile value %q contains %q, which the test looks for as a leak", v, l)
				}
			}
		}
	}
	return c
}

// hostile is one engine's run: the servers, the agents, the coverage and
// what the database looked like after the last request.
type hostile struct {
	t      *testing.T
	f      *fixture
	db     *store.DB
	corpus map[string][]string
	routes map[string]web.Route
	srv    *web.Server
	h      http.Handler // second factors optional: every role signs in with a password
	strict http.Handler // second factors enforced (the default)
	offset atomic.Int64 // clock offset of both servers, in nanoseconds
	logs   *testenv.SyncBuffer

	tables []string
	last   *dbSnapshot
	seq    int

	requests, refused int
	cover             map[string]map[string]int
	reported          map[string]int
	canaries          int
	agents            map[access.Role]*agent
	passwords         map[string]string
	bearer            string
	otherCase         string // a case outside the case worker's agency
	caToken           string // an API token of the competent authority
	lgToken           string // an API token of the local government officer
	orgID             string // a directory organisation of the agency administrator's agency
	mfaDone           bool
}

func newHostile(t *testing.T, db *store.DB, corpus map[string][]string) *hostile {
	f := newFixture(t, db)
	e := &hostile{t: t, f: f, db: db, corpus: corpus, routes: map[string]web.Route{}, logs: &testenv.SyncBuffer{},
		cover: map[string]map[string]int{}, reported: map[string]int{}, agents: map[access.Role]*agent{}, passwords: map[string]string{}}
	d := f.web.Deps
	d.Now = func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) }
	d.Logger = slog.New(slog.NewJSONHandler(e.logs, nil))
	d.RateLimit = web.RateLimit{PerSecond: 1e6, Burst: 1e6}
	d.Config.MFAOptional = true
	// Every request comes from an address of its own in 198.18.0.0/15;
	// trusting that range makes the servers read the hostile
	// X-Forwarded-For headers too.
	d.Config.TrustedProxies = "198.18.0.0/15"
	srv, err := serverFor(e.f.db, e.f.keys, d)
	if err != nil {
		t.Fatal(err)
	}
	e.srv, e.h = srv, srv.Handler()
	d.Config.MFAOptional, d.Config.MFARoles = false, ""
	strict, err := serverFor(e.f.db, e.f.keys, d)
	if err != nil {
		t.Fatal(err)
	}
	e.strict = strict.Handler()
	for _, rt := range srv.Routes() {
		e.routes[rt.Pattern] = rt
	}
	e.tables = e.tableNames()
	return e
}

// run sends the corpus to every route and checks coverage.
func (e *hostile) run() {
	t := e.t
	e.prepare()
	exercises := e.exercises()
	for _, rt := range e.f.web.Routes() {
		name, ok := hostileExercises[rt.Pattern]
		if !ok {
			t.Errorf("route %s has no hostile-input coverage: add it to hostileExercises", rt.Pattern)
			continue
		}
		fn, ok := exercises[name]
		if !ok {
			t.Fatalf("hostileExercises names %q, which does not exist", name)
		}
		fn(rt)
	}
	for pattern := range hostileExercises {
		if _, ok := e.routes[pattern]; !ok {
			t.Errorf("hostileExercises names %s, which is not in the route table", pattern)
		}
	}
	e.checkCoverage()
	e.checkMetrics()
	e.scanForCanaries()
}

// hostileExercises maps every route of the route table to the exercise that
// sends it hostile input.
var hostileExercises = map[string]string{
	"GET /healthz":                           "plain",
	"GET /readyz":                            "plain",
	"GET /metrics":                           "plain",
	"GET /static/":                           "static",
	"GET /login":                             "plain",
	"POST /login":                            "login",
	"POST /logout":                           "logout",
	"GET /mfa/verify":                        "plain",
	"POST /mfa/verify":                       "mfa",
	"GET /mfa/enrol":                         "plain",
	"POST /mfa/enrol":                        "mfa",
	"POST /mfa/enrol/confirm":                "mfa",
	"POST /mfa/cancel":                       "mfa",
	"GET /enrol/{token}":                     "enrol-link",
	"POST /enrol/{token}":                    "enrol-link",
	"GET /reauth":                            "reauth-form",
	"POST /reauth":                           "reauth",
	"GET /account":                           "account",
	"GET /account/password":                  "plain",
	"POST /account/password":                 "password",
	"POST /account/recovery-codes":           "mfa",
	"POST /account/sessions/end":             "sessions-end",
	"GET /account/tokens":                    "plain",
	"POST /account/tokens":                   "tokens",
	"POST /account/tokens/{id}/revoke":       "token-revoke",
	"POST /language":                         "language",
	"GET /{$}":                               "plain",
	"GET /referrals":                         "plain",
	"GET /referrals/new":                     "plain",
	"POST /referrals/new":                    "referral-form",
	"GET /referrals/prompt-sheet":            "plain",
	"GET /referrals/{id}":                    "ids",
	"GET /cases":                             "list-query",
	"GET /cases/{id}":                        "ids",
	"GET /cases/{id}/break-glass":            "ids",
	"POST /cases/{id}/break-glass":           "break-glass",
	"GET /screening":                         "plain",
	"POST /screening":                        "screening-form",
	"GET /services":                          "plain",
	"GET /statistics":                        "stats-query",
	"GET /api/v1/statistics/table":           "stats-query",
	"GET /releases":                          "plain",
	"GET /statistics/measures":               "stats-query",
	"GET /api/v1/statistics/measures":        "stats-query",
	"GET /statistics/indicators":             "stats-query",
	"GET /releases/{id}":                     "ids",
	"GET /releases/{id}/data.json":           "ids",
	"GET /releases/{id}/data.csv":            "ids",
	"GET /statistics/releases":               "plain",
	"POST /statistics/releases":              "release-form",
	"POST /statistics/releases/{id}/approve": "release-approve",
	"GET /admin":                             "plain",
	"GET /admin/jurisdictions":               "plain",
	"GET /admin/agencies":                    "plain",
	"GET /admin/users":                       "plain",
	"GET /admin/audit":                       "audit",
	"GET /api/v1/":                           "api-root",
	"GET /api/v1/me":                         "plain",
	"POST /api/v1/screenings":                "api-screenings",
	"POST /api/v1/referrals":                 "api-referrals",
	"GET /queue":                             "list-query",
	"GET /work":                              "plain",
	"GET /cases/export":                      "plain",
	"GET /cases/{id}/letter":                 "ids",
	"GET /api/v1/openapi.json":               "plain",
	"GET /api/v1/queue":                      "list-query",
	"GET /api/v1/cases/{id}":                 "ids",
	"GET /api/v1/work":                       "plain",
	"POST /services/organizations":           "directory-form",
	"POST /services/locations":               "directory-form",
	"POST /services/services":                "directory-form",
	"GET /.well-known/haven-trm":             "plain",
	"POST /federation/v1/inbox":              "federation-inbox",
	"GET /trm":                               "plain",
	"GET /trm/{id}":                          "ids",
	"POST /trm/{id}/decide":                  "trm-form",
	"GET /cases/{id}/trm":                    "ids",
	"POST /cases/{id}/trm/consent":           "trm-form",
	"POST /cases/{id}/trm/step":              "trm-form",
	"POST /cases/{id}/trm/send":              "trm-form",
	"POST /cases/{id}/trm/psi":               "trm-form",
	"GET /admin/peers":                       "plain",
	"POST /admin/peers/{id}/status":          "trm-form",
	// A local government's pages (issue 16).
	"GET /localgov":                                      "plain",
	"GET /localgov/plan":                                 "plain",
	"GET /localgov/assessment":                           "plain",
	"GET /cityshare":                                     "plain",
	"GET /cityshare/compare":                             "plain",
	"GET /api/v1/localgov":                               "plain",
	"GET /cityshare/profiles/{id}/document":              "ids",
	"POST /cityshare/profiles/{id}/comments":             "localgov-id",
	"POST /localgov/plan/items/{id}/progress":            "localgov-id",
	"POST /api/v1/localgov/plan/items/{id}/progress":     "api-localgov",
	"POST /localgov/profile":                             "localgov-form",
	"POST /localgov/records":                             "localgov-form",
	"POST /localgov/plan/items":                          "localgov-form",
	"POST /localgov/plan/reviews":                        "localgov-form",
	"POST /localgov/assessment":                          "localgov-form",
	"POST /cityshare/publish":                            "localgov-form",
	"POST /cityshare/import":                             "localgov-form",
	"POST /cityshare/adopt":                              "localgov-form",
	"POST /api/v1/localgov/records":                      "api-localgov",
	"POST /admin/jurisdictions":                          "admin-form",
	"GET /admin/jurisdictions/{code}":                    "admin-form",
	"POST /admin/jurisdictions/{code}":                   "admin-form",
	"GET /admin/jurisdictions/{code}/calendar":           "admin-form",
	"POST /admin/jurisdictions/{code}/calendar/holidays": "admin-form",
	"POST /admin/jurisdictions/{code}/calendar/remove":   "admin-form",
	"POST /admin/jurisdictions/{code}/calendar/import":   "admin-form",
	"POST /admin/jurisdictions/{code}/calendar/sample":   "admin-form",
	"POST /admin/agencies":                               "admin-form",
	"GET /admin/agencies/{id}":                           "admin-form",
	"POST /admin/agencies/{id}":                          "admin-form",
	"POST /admin/users":                                  "admin-form",
	"POST /admin/users/{id}/role":                        "admin-form",
	"POST /admin/users/{id}/disable":                     "admin-form",
	"POST /admin/users/{id}/enable":                      "admin-form",
	"POST /admin/users/{id}/reset-mfa":                   "admin-form",
	"GET /api/v1/jurisdictions":                          "plain",
	"GET /api/v1/agencies":                               "plain",
	"POST /api/v1/jurisdictions":                         "api-admin",
	"POST /api/v1/jurisdictions/{code}":                  "api-admin",
	"POST /api/v1/agencies":                              "api-admin",
	"POST /api/v1/agencies/{id}":                         "api-admin",
	"POST /api/v1/users":                                 "api-admin",
	"GET /api/v1/users":                                  "plain",
	"POST /api/v1/users/{id}/role":                       "api-admin",
	"POST /api/v1/users/{id}/disable":                    "api-admin",
	"POST /api/v1/users/{id}/enable":                     "api-admin",
	"POST /api/v1/users/{id}/reset-mfa":                  "api-admin",
	"POST /localgov/plan/items/{id}/partners":            "localgov-id",
	"GET /localgov/contributions":                        "plain",
	"POST /localgov/contributions/{id}":                  "localgov-id",
}

func init() {
	// Every case command has a form route and an API route.
	for _, name := range []string{"rg", "consultation", "cg", "review", "reconsider", "extend", "item", "consent", "assessment", "goal",
		"goal-status", "offer", "service", "handover", "handover-response", "conference", "guardian", "task", "task-done", "investigation",
		"suspect", "charge", "proceeding", "sentence", "compensation", "participation", "non-punishment", "investigation-refer", "investigation-close", "close", "reopen"} {
		hostileExercises["POST /cases/{id}/"+name] = "case-command"
		if web.HasFormPage(name) {
			hostileExercises["GET /cases/{id}/"+name] = "ids"
		}
		hostileExercises["POST /api/v1/cases/{id}/"+name] = "api-case-command"
	}
	// A legal decision's check-your-answers step reads the same fields and
	// writes nothing.
	for _, name := range []string{"rg", "cg"} {
		hostileExercises["POST /cases/{id}/"+name+"/check"] = "case-check"
	}
}

func (e *hostile) exercises() map[string]func(web.Route) {
	return map[string]func(web.Route){
		"plain":            e.plainGET,
		"static":           e.static,
		"login":            e.login,
		"logout":           e.logout,
		"mfa":              e.mfa,
		"enrol-link":       e.enrolLink,
		"reauth-form":      e.reauthForm,
		"reauth":           e.reauth,
		"account":          e.account,
		"password":         e.password,
		"sessions-end":     e.sessionsEnd,
		"tokens":           e.tokens,
		"token-revoke":     e.tokenRevoke,
		"language":         e.language,
		"referral-form":    e.referralForm,
		"ids":              e.ids,
		"break-glass":      e.breakGlass,
		"screening-form":   e.screeningForm,
		"audit":            e.audit,
		"api-root":         e.apiRoot,
		"api-screenings":   e.apiScreenings,
		"api-referrals":    e.apiReferrals,
		"case-command":     e.caseCommand,
		"case-check":       e.caseCheck,
		"api-case-command": e.apiCaseCommand,
		"directory-form":   e.directoryForm,
		"stats-query":      e.statsQuery,
		"list-query":       e.listQuery,
		"federation-inbox": e.federationInbox,
		"trm-form":         e.trmForm,
		"localgov-form":    e.localgovForm,
		"release-form":     e.releaseForm,
		"release-approve":  e.releaseApprove,
		"api-localgov":     e.apiLocalGov,
		"localgov-id":      e.localgovID,
		"sso-callback":     e.ssoCallback,
		"sso-admin":        e.ssoAdmin,
		"passkey-begin":    e.passkeyBegin,
		"passkey-finish":   e.passkeyFinish,
		"passkey-manage":   e.passkeyManage,
		"admin-form":       e.adminForm,
		"api-admin":        e.apiAdmin,
	}
}

// ---- requests ----

const hostileOrigin = "http://haven.test"

var hostileBase, _ = url.Parse(hostileOrigin + "/")

// agent is a browser or API client: cookies, maybe a bearer token.
type agent struct {
	h      http.Handler
	jar    *cookiejar.Jar
	bearer string
	addr   string // remote address; empty: a new one per request
}

func (e *hostile) agent(h http.Handler) *agent {
	jar, _ := cookiejar.New(nil)
	return &agent{h: h, jar: jar}
}

// hreq is one hostile request.
type hreq struct {
	route, cat, field string
	method, target    string
	body              []byte
	chunked           bool
	ctype             string
	hdr               http.Header
	payload           string
	// writes: an accepted answer may have changed data.
	writes bool
	// refuse: the answer must be a 4xx.
	refuse bool
}

type hresp struct {
	status int
	hdr    http.Header
	body   string
}

func (r hresp) location() string { return r.hdr.Get("Location") }

// serve runs one request through the handler in process, with a remote
// address of its own so that per-address limits and counters of one
// request do not spill into the next.
func (e *hostile) serve(a *agent, q hreq) hresp {
	var body io.Reader
	if q.body != nil {
		if q.chunked {
			body = io.MultiReader(bytes.NewReader(q.body)) // unknown length
		} else {
			body = bytes.NewReader(q.body)
		}
	}
	req := httptest.NewRequest(q.method, hostileOrigin+q.target, body)
	e.seq++
	req.RemoteAddr = a.addr
	if req.RemoteAddr == "" {
		req.RemoteAddr = fmt.Sprintf("198.18.%d.%d:40000", e.seq/250%250, e.seq%250+1)
	}
	for k, vs := range q.hdr {
		req.Header[k] = vs
	}
	if q.ctype != "" {
		req.Header.Set("Content-Type", q.ctype)
	}
	for _, c := range a.jar.Cookies(hostileBase) {
		req.AddCookie(c)
	}
	if a.bearer != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	res := rec.Result()
	a.jar.SetCookies(hostileBase, res.Cookies())
	b, _ := io.ReadAll(res.Body)
	return hresp{status: res.StatusCode, hdr: res.Header, body: string(b)}
}

// setup sends a request that prepares the scene; it is not checked.
func (e *hostile) setup(a *agent, method, target string, form url.Values) hresp {
	e.last = nil
	q := hreq{method: method, target: target}
	if form != nil {
		q.body, q.ctype = []byte(form.Encode()), "application/x-www-form-urlencoded"
	}
	return e.serve(a, q)
}

// do sends a hostile request and checks the answer and the database.
func (e *hostile) do(a *agent, q hreq) hresp {
	e.t.Helper()
	before := e.last
	if before == nil {
		before = e.snapshot()
	}
	r := e.serve(a, q)
	after := e.snapshot()
	e.last = after
	e.requests++
	if r.status >= 400 {
		e.refused++
	}
	if e.cover[q.route] == nil {
		e.cover[q.route] = map[string]int{}
	}
	e.cover[q.route][q.cat]++
	e.check(q, r, before, after)
	return r
}

// form is a form post of values.
func form(route, cat, field, target string, v url.Values, payload string) hreq {
	return hreq{route: route, cat: cat, field: field, method: "POST", target: target, body: []byte(v.Encode()),
		ctype: "application/x-www-form-urlencoded", payload: payload}
}

// ---- checks ----

func (e *hostile) fail(key, format string, args ...any) {
	e.t.Helper()
	e.reported[key]++
	if e.reported[key] <= 2 {
		e.t.Errorf(format, args...)
	}
}

func (q hreq) String() string {
	s := q.route + " [" + q.cat
	if q.field != "" {
		s += " → " + q.field
	}
	target := q.target
	if len(target) > 80 {
		target = target[:80] + "…"
	}
	return s + "] " + q.method + " " + strconv.Quote(target)
}

func (e *hostile) check(q hreq, r hresp, before, after *dbSnapshot) {
	e.t.Helper()
	key := q.route + "|" + q.cat + "|"
	if r.status >= 500 {
		e.fail(key+"5xx", "%s: status %d%s", q, r.status, e.logsFor(r.hdr.Get("X-Request-Id")))
	}
	if q.refuse && (r.status < 400 || r.status >= 500) {
		e.fail(key+"refuse", "%s: status %d, want a refusal (4xx)", q, r.status)
	}
	scan := r.body
	if strings.Contains(scan, "data:image/") || strings.Contains(scan, "hvn_") || strings.Contains(scan, "<code") {
		scan = secrets.ReplaceAllString(scan, "")
	}
	for _, m := range leaks {
		if strings.Contains(scan, m) {
			e.fail(key+"leak", "%s: the answer (status %d) shows %q:\n%s", q, r.status, m, excerpt(scan, m))
		}
	}
	for _, m := range injected {
		if strings.Contains(r.body, m) {
			e.fail(key+"markup", "%s: unescaped markup %q in the answer:\n%s", q, m, excerpt(r.body, m))
		}
	}
	if strings.Contains(r.body, "javascript:") || strings.Contains(r.body, "JAVASCRIPT:") {
		if m := scriptURL.FindString(r.body); m != "" {
			e.fail(key+"markup", "%s: script URL %q in the answer:\n%s", q, m, excerpt(r.body, m))
		}
	}
	ct := r.hdr.Get("Content-Type")
	isJSON := strings.HasPrefix(ct, "application/json")
	// In HTML every markup character must be escaped; JSON needs only < and
	// > escaped to be harmless should a browser ever render it.
	special := `<>"'`
	if isJSON {
		special = `<>`
	}
	for _, p := range []string{q.payload, strings.TrimSpace(q.payload)} {
		if len(p) >= 4 && strings.ContainsAny(p, special) && strings.Contains(r.body, p) {
			e.fail(key+"echo", "%s: the payload comes back unescaped:\n%s", q, excerpt(r.body, p))
		}
	}
	if rt, ok := e.routes[q.route]; ok && rt.API && r.status >= 400 && !isJSON && q.cat != catMethod && q.cat != catCrossOrigin {
		e.fail(key+"api-html", "%s: API refusal %d with Content-Type %q", q, r.status, ct)
	}
	if r.status >= 400 && r.status < 500 {
		switch {
		case isJSON:
			e.checkJSONError(q, r)
		case strings.HasPrefix(ct, "text/html"):
			if !strings.Contains(r.body, `role="alert"`) {
				e.fail(key+"unclear", "%s: refusal %d without an error message (role=\"alert\")", q, r.status)
			}
		default:
			e.fail(key+"ctype", "%s: refusal %d with Content-Type %q", q, r.status, ct)
		}
	}
	if r.status >= 300 && r.status < 400 && !localLocation(r.location()) {
		e.fail(key+"redirect", "%s: redirect off the site: Location %q", q, r.location())
	}
	for k, vs := range r.hdr {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				e.fail(key+"header", "%s: header %s carries a control character: %q", q, k, v)
			}
			if k != "Location" && len(q.payload) >= 6 && strings.Contains(v, q.payload) {
				e.fail(key+"header", "%s: header %s echoes the payload: %q", q, k, v)
			}
		}
	}
	if r.status >= 400 || !q.writes {
		e.compare(q, r, before, after)
	}
}

// localLocation reports whether a redirect stays on the site once a browser
// has read it: browsers strip leading and trailing controls and spaces,
// drop tabs and newlines anywhere, and read a backslash as a slash.
func localLocation(loc string) bool {
	l := strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	l = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, l)
	return strings.HasPrefix(l, "/") && !strings.HasPrefix(l, "//")
}

func (e *hostile) checkJSONError(q hreq, r hresp) {
	e.t.Helper()
	key := q.route + "|" + q.cat + "|json-shape"
	var body map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		e.fail(key, "%s: JSON refusal %d is not a JSON object: %.200q", q, r.status, r.body)
		return
	}
	var er struct {
		Code      *string `json:"code"`
		Message   *string `json:"message"`
		RequestID *string `json:"request_id"`
	}
	_, only := body["error"]
	if !only || len(body) != 1 || json.Unmarshal(body["error"], &er) != nil || er.Code == nil || er.Message == nil || er.RequestID == nil ||
		*er.Code == "" || *er.Message == "" || *er.RequestID != r.hdr.Get("X-Request-Id") {
		e.fail(key, "%s: JSON refusal %d lacks the shape {\"error\":{\"code\",\"message\",\"request_id\"}}: %.300s", q, r.status, r.body)
	}
}

func (e *hostile) logsFor(requestID string) string {
	if requestID == "" {
		return ""
	}
	var out []string
	for _, l := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(l, requestID) && strings.Contains(l, `"level":"ERROR"`) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "\nserver log:\n" + strings.Join(out, "\n")
}

func excerpt(body, m string) string {
	i := strings.Index(body, m)
	if i < 0 {
		return ""
	}
	lo, hi := max(0, i-120), min(len(body), i+len(m)+120)
	return "…" + body[lo:hi] + "…"
}

// ---- the database before and after ----

type dbSnapshot struct {
	count  map[string]int64
	digest map[string]uint64
}

func (e *hostile) tableNames() []string {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if e.db.Dialect == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := e.db.R().QueryContext(context.Background(), q)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		names = append(names, n)
	}
	if len(names) < 10 || !slices.Contains(names, "audit_events") || !slices.Contains(names, "persons") {
		e.t.Fatalf("unexpected table list %v", names)
	}
	return names
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (e *hostile) snapshot() *dbSnapshot {
	ctx := context.Background()
	s := &dbSnapshot{count: map[string]int64{}, digest: map[string]uint64{}}
	parts := make([]string, len(e.tables))
	for i, tb := range e.tables {
		parts[i] = fmt.Sprintf(`SELECT '%s', count(*) FROM %s`, tb, quoteIdent(tb))
	}
	rows, err := e.db.R().QueryContext(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		e.t.Fatalf("counting rows (was a table dropped?): %v", err)
	}
	for rows.Next() {
		var tb string
		var n int64
		if err := rows.Scan(&tb, &n); err != nil {
			e.t.Fatal(err)
		}
		s.count[tb] = n
	}
	rows.Close()
	for _, tb := range e.tables {
		if !refusalTables[tb] && !appendOnly[tb] && s.count[tb] <= maxDigestRows {
			s.digest[tb] = e.digest(tb)
		}
	}
	return s
}

var digestSeed = maphash.MakeSeed()

// digest hashes a table's rows, whatever their order (the sum of the rows'
// hashes), leaving out the columns every request may touch.
func (e *hostile) digest(tb string) uint64 {
	rows, err := e.db.R().QueryContext(context.Background(), `SELECT * FROM `+quoteIdent(tb))
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	skip := make([]bool, len(cols))
	for i, c := range cols {
		skip[i] = volatileColumns[tb+"."+c]
	}
	var sum uint64
	var b []byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			e.t.Fatal(err)
		}
		b = b[:0]
		for i, v := range vals {
			if skip[i] {
				continue
			}
			switch v := v.(type) {
			case nil:
				b = append(b, 0)
			case []byte:
				b = append(append(b, 1), v...)
			case string:
				b = append(append(b, 2), v...)
			case int64:
				b = strconv.AppendInt(append(b, 3), v, 10)
			default:
				b = fmt.Appendf(append(b, 4), "%v", v)
			}
			b = append(b, 0x1f)
		}
		sum += maphash.Bytes(digestSeed, b)
	}
	return sum
}

// compare fails when a refused (or non-writing) request changed a table
// other than those that record refusals.
func (e *hostile) compare(q hreq, r hresp, before, after *dbSnapshot) {
	e.t.Helper()
	for _, tb := range e.tables {
		if refusalTables[tb] {
			continue
		}
		what := "refused"
		if r.status < 400 {
			what = "non-writing"
		}
		switch {
		case before.count[tb] != after.count[tb]:
			e.fail(q.route+"|"+q.cat+"|written|"+tb, "%s: %s request (status %d) changed table %s from %d to %d rows",
				q, what, r.status, tb, before.count[tb], after.count[tb])
		case before.digest[tb] != after.digest[tb]:
			e.fail(q.route+"|"+q.cat+"|written|"+tb, "%s: %s request (status %d) changed rows of table %s", q, what, r.status, tb)
		}
	}
}

// ---- scene ----

// prepare makes the first responder's API token, checks that the valid
// referral form is accepted, and picks a case outside the case worker's
// agency.
func (e *hostile) prepare() {
	t := e.t
	ctx := context.Background()
	fr := e.as(access.FirstResponder)
	r := e.setup(fr, "POST", "/account/tokens", url.Values{"name": {"hostile corpus"}, "days": {"30"}})
	m := regexp.MustCompile(`<code class="token">(hvn_[^<]+)</code>`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no API token created: %d", r.status)
	}
	e.bearer = m[1]
	r = e.setup(fr, "POST", "/referrals/new", referralFormBase())
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/referrals/") {
		t.Fatalf("the valid referral form was not accepted: %d %s", r.status, excerpt(r.body, `role="alert"`))
	}
	cw, err := e.db.UserByUsername(ctx, e.f.creds[access.CaseWorker].Username)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.R().QueryRowContext(ctx, `SELECT id FROM cases WHERE agency_id <> $1 ORDER BY id LIMIT 1`, cw.AgencyID).Scan(&e.otherCase); err != nil {
		t.Fatalf("no case outside the case worker's agency: %v", err)
	}
}

// as returns a signed-in agent of a demo role on the main server.
func (e *hostile) as(role access.Role) *agent {
	if a := e.agents[role]; a != nil {
		return a
	}
	cr := e.f.creds[role]
	a := e.signIn(e.h, cr.Username, cr.Password, "/")
	e.agents[role] = a
	return a
}

func (e *hostile) signIn(h http.Handler, username, password, want string) *agent {
	e.t.Helper()
	a := e.agent(h)
	r := e.setup(a, "POST", "/login", url.Values{"username": {username}, "password": {password}})
	if r.status != http.StatusSeeOther || r.location() != want {
		e.t.Fatalf("sign in as %s: %d %s, want a redirect to %s", username, r.status, r.location(), want)
	}
	return a
}

// user makes an account of its own for an exercise that changes or locks
// it, in the agency of the demo user of the same role.
func (e *hostile) user(name string, role access.Role) string {
	e.t.Helper()
	ctx := context.Background()
	demoUser, err := e.db.UserByUsername(ctx, e.f.creds[role].Username)
	if err != nil {
		e.t.Fatal(err)
	}
	pw := "Hostile corpus account " + name
	hash, err := auth.HashPassword(pw, cheap)
	if err != nil {
		e.t.Fatal(err)
	}
	now := store.Millis(time.Now())
	u := store.User{ID: store.NewID(), Username: name, DisplayName: name, PasswordHash: hash, Role: string(role),
		AgencyID: demoUser.AgencyID, CreatedAt: now, UpdatedAt: now}
	if err := e.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.InsertUser(ctx, u) }); err != nil {
		e.t.Fatal(err)
	}
	e.last = nil
	e.passwords[name] = pw
	return name
}

// resetThrottle forgets failed attempts, so that the next hostile value
// reaches the check it targets instead of the lock.
func (e *hostile) resetThrottle() {
	ctx := context.Background()
	if err := e.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM auth_throttle`)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	e.last = nil
}

// roleFor picks a role the route's action allows; ok is false when
// anonymous visitors are allowed.
func (e *hostile) roleFor(rt web.Route) (access.Role, bool) {
	if access.Decide(rt.Action, access.Principal{}, access.Resource{}).Allow {
		return "", false
	}
	for _, r := range access.Roles {
		d := access.Decide(rt.Action, access.Principal{UserID: "probe", Role: r, AgencyID: "probe", JurisdictionID: "probe"}, access.Resource{})
		if d.Allow || (rt.Scoped && d.Reason == "scope") {
			return r, true
		}
	}
	e.t.Fatalf("no role may use %s", rt.Pattern)
	return "", false
}

func (e *hostile) agentFor(rt web.Route) *agent {
	if role, ok := e.roleFor(rt); ok {
		return e.as(role)
	}
	return e.agent(e.h)
}

// readerFor is the agent that reads rt: on an API route, with the API
// token.
func (e *hostile) readerFor(rt web.Route) *agent {
	a := e.agentFor(rt)
	if rt.API {
		a = &agent{h: e.h, jar: a.jar, bearer: e.bearer}
	}
	return a
}

// scriptInHeaders sends a script element in the headers every page reads,
// to target as a.
func (e *hostile) scriptInHeaders(a *agent, rt web.Route, target string) {
	const script = "<script>alert(1)</script>"
	e.do(a, hreq{route: rt.Pattern, cat: catHeader, method: "GET", target: target, hdr: hostileHeaders(script), payload: script})
}

// pick returns the i-th value of a category, cycling.
func (e *hostile) pick(cat string, i int) string {
	vs := e.corpus[cat]
	return vs[i%len(vs)]
}

// canary marks a value put into identifying data, so that the final scan
// can tell whether it was stored anywhere in clear.
func (e *hostile) canary(v string) string {
	e.canaries++
	return v + fmt.Sprintf(" hvcanary%05d", e.canaries)
}

// unique returns a family name of its own for each referral, so that the
// possible duplicates the authority is shown stay few.
func (e *hostile) unique() string {
	n := e.seq
	b := []byte("Hostile")
	for range 6 {
		b = append(b, byte('a'+n%26))
		n /= 26
	}
	return string(b)
}

func pathOf(pattern string) string {
	_, p, _ := strings.Cut(pattern, " ")
	return strings.TrimSuffix(p, "{$}")
}

// ---- generic exercises ----

// fieldOpts says how to send values into the fields of one form.
type fieldOpts struct {
	route, target string
	agent         func() *agent
	base          url.Values
	fields        []string
	all           map[string]bool // fields that get the whole corpus, not one value per category
	rotate        bool            // one value per field, the category turning from field to field
	writes        bool
	refuse        bool
	identity      map[string]bool // fields of identifying data: marked with a canary
	before        func(field string)
	accepted      func(q hreq, r hresp)
	hdr           http.Header
}

// fields sends hostile values into each field of a form: one value per
// category (cycling through the category's values from field to field), or
// every value for the fields in all.
func (e *hostile) fields(o fieldOpts) {
	for i, field := range o.fields {
		cats := valueCats
		if o.rotate {
			cats = []string{valueCats[i%len(valueCats)]}
		}
		for _, cat := range cats {
			vs := []string{e.pick(cat, i)}
			if o.all[field] {
				vs = e.corpus[cat]
			}
			for _, v := range vs {
				if o.identity[field] {
					v = e.canary(v)
				}
				f := cloneValues(o.base)
				if f.Has("family_name") {
					f.Set("family_name", e.unique())
				}
				f.Set(field, v)
				q := form(o.route, cat, field, o.target, f, v)
				q.writes, q.refuse, q.hdr = o.writes, o.refuse, o.hdr
				if o.before != nil {
					o.before(field)
				}
				r := e.do(o.agent(), q)
				if o.accepted != nil && r.status < 400 {
					o.accepted(q, r)
				}
			}
		}
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// bodies sends whole-request attacks to a route with an unsafe method:
// oversized bodies (declared and chunked), wrong content types, broken
// encodings, other methods and a cross-origin post.
func (e *hostile) bodies(o fieldOpts) {
	method := "POST"
	send := func(cat string, q hreq) hresp {
		q.route, q.cat, q.target, q.writes, q.hdr = o.route, cat, o.target, o.writes, o.hdr.Clone()
		if q.method == "" {
			q.method = method
		}
		if o.before != nil {
			o.before("")
		}
		return e.do(o.agent(), q)
	}
	enc := []byte(o.base.Encode())
	big := append(append(slices.Clone(enc), "&narrative="...), bytes.Repeat([]byte("A"), 2<<20)...)
	send(catOversized, hreq{body: big, ctype: "application/x-www-form-urlencoded", refuse: true})
	send(catOversized, hreq{body: big, ctype: "application/x-www-form-urlencoded", chunked: true})
	many := bytes.Repeat([]byte("a=1&"), (1<<20)/4+10)
	send(catOversized, hreq{body: many, ctype: "application/x-www-form-urlencoded", chunked: true})

	send(catContentType, hreq{body: enc, ctype: "text/plain"})
	send(catContentType, hreq{body: enc})
	send(catContentType, hreq{body: []byte(`{"username":"a"}`), ctype: "application/json"})
	send(catContentType, hreq{body: []byte("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n<script>alert(1)</script>\r\n--x--\r\n"),
		ctype: "multipart/form-data; boundary=x", payload: "<script>alert(1)</script>"})
	send(catContentType, hreq{body: enc, ctype: "multipart/form-data; boundary=\"\x00<script>\""})
	send(catContentType, hreq{body: enc, ctype: "application/x-www-form-urlencoded; charset=utf-16"})

	send(catEncoding, hreq{body: append(slices.Clone(enc), "&given_name=%zz%"...), ctype: "application/x-www-form-urlencoded"})
	send(catEncoding, hreq{body: append(slices.Clone(enc), "&narrative=\xff\xfe\xc0\xaf"...), ctype: "application/x-www-form-urlencoded"})
	send(catEncoding, hreq{body: append(slices.Clone(enc), ";a=1;b=2"...), ctype: "application/x-www-form-urlencoded"})
	send(catEncoding, hreq{body: append(slices.Clone(enc), "&a=\x00\x00"...), ctype: "application/x-www-form-urlencoded"})
	send(catEncoding, hreq{body: []byte{0xff, 0xfe, 0x00, 0x3c}, ctype: "application/x-www-form-urlencoded"})

	for _, m := range []string{"PUT", "PATCH", "DELETE"} {
		send(catMethod, hreq{method: m, body: enc, ctype: "application/x-www-form-urlencoded", refuse: true})
	}
	hdr := http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
	q := hreq{body: enc, ctype: "application/x-www-form-urlencoded", refuse: true}
	if o.hdr == nil {
		o.hdr = hdr
	} else {
		o.hdr = o.hdr.Clone()
		for k, v := range hdr {
			o.hdr[k] = v
		}
	}
	r := send(catCrossOrigin, q)
	if r.status != http.StatusForbidden {
		e.fail(o.route+"|csrf", "%s: cross-origin post answered %d, want 403", o.route, r.status)
	}
}

// hostileHeaders puts a value into the headers every page reads: the
// language choices, the language cookie, the fragment switch, the
// idempotency key and the forwarding headers of a proxy.
func hostileHeaders(v string) http.Header {
	return http.Header{"Accept-Language": {v}, "X-Haven-Fragment": {v}, "Idempotency-Key": {v}, "Cookie": {"haven_lang=" + v},
		"X-Forwarded-For": {v + ", 198.18.0.1"}, "Forwarded": {"for=" + v}}
}

// sessionCookie is a hostile session cookie; it goes to a throwaway agent,
// whose real cookie the server rightly clears.
func sessionCookie(v string) http.Header {
	return http.Header{"Cookie": {"haven_session=" + v}}
}

// plainGET sends every category to a page that reads no parameter: in the
// query, in an unknown parameter's name, and in the headers every page
// reads.
func (e *hostile) plainGET(rt web.Route) {
	a := e.agentFor(rt)
	path := pathOf(rt.Pattern)
	if rt.Pattern == "GET /metrics" {
		a = e.agent(e.h)
		a.addr = "127.0.0.1:40000"
	}
	if rt.API {
		a = &agent{h: e.h, jar: a.jar, bearer: e.bearer}
	}
	for i, cat := range valueCats {
		v := e.pick(cat, i)
		q := url.Values{"q": {v}, v: {"1"}}
		e.do(a, hreq{route: rt.Pattern, cat: cat, method: "GET", target: path + "?" + q.Encode(), payload: v})
		e.do(a, hreq{route: rt.Pattern, cat: catHeader, field: cat, method: "GET", target: path, hdr: hostileHeaders(v), payload: v})
		e.do(e.agent(e.h), hreq{route: rt.Pattern, cat: catHeader, field: "session cookie", method: "GET", target: path, hdr: sessionCookie(v), payload: v})
	}
	if rt.API {
		for _, cat := range valueCats {
			v := e.pick(cat, 1)
			e.do(&agent{h: e.h, jar: e.agent(e.h).jar}, hreq{route: rt.Pattern, cat: catHeader, field: "Authorization", method: "GET",
				target: path, hdr: http.Header{"Authorization": {"Bearer " + v}}, payload: v, refuse: true})
		}
	}
}

// static asks for files outside the asset folder in every spelling.
func (e *hostile) static(rt web.Route) {
	a := e.agent(e.h)
	targets := map[string][]string{
		"traversal": {"/static/../templates/layout.html", "/static/..%2ftemplates%2flayout.html", "/static/%2e%2e/%2e%2e/go.mod",
			"/static/..%5c..%5cgo.mod", "/static/....//....//go.mod", "/static//etc/passwd", "/static/%2fetc%2fpasswd"},
		"control":  {"/static/haven.css%00.html", "/static/%0d%0aSet-Cookie:%20hv=1"},
		"utf8":     {"/static/%ff%fe", "/static/%c0%ae%c0%ae/go.mod"},
		"xss":      {"/static/%3Cscript%3Ealert(1)%3C%2Fscript%3E"},
		"template": {"/static/%7B%7B.%7D%7D"},
		"sql":      {"/static/'%20OR%20'1'='1"},
		"long":     {"/static/" + strings.Repeat("a/", 20000)},
	}
	for _, cat := range valueCats {
		for _, tg := range targets[cat] {
			r := e.do(a, hreq{route: rt.Pattern, cat: cat, method: "GET", target: tg})
			if r.status == http.StatusOK {
				e.fail(rt.Pattern+"|"+tg, "%s: %s answered 200", rt.Pattern, tg)
			}
		}
	}
	for i, cat := range valueCats {
		v := e.pick(cat, i)
		e.do(a, hreq{route: rt.Pattern, cat: catHeader, field: cat, method: "GET", target: "/static/haven.css", hdr: hostileHeaders(v), payload: v})
	}
}

// ids puts hostile values into the {id} of a route, as whole path segments
// and as 32-character strings that pass a length check.
func (e *hostile) ids(rt web.Route) {
	a := e.agentFor(rt)
	e.idValues(rt, a, nil)
}

func (e *hostile) idValues(rt web.Route, a *agent, body url.Values) {
	e.pathValues(rt, a, body, "{id}")
}

// pathValues sends hostile values in the path parameter param.
func (e *hostile) pathValues(rt web.Route, a *agent, body url.Values, param string) {
	method, pattern, _ := strings.Cut(rt.Pattern, " ")
	target := func(id string) string { return strings.Replace(pattern, param, url.PathEscape(id), 1) }
	send := func(cat, id string) {
		q := hreq{route: rt.Pattern, cat: cat, field: param, method: method, target: target(id), payload: id, refuse: true}
		if body != nil {
			q.body, q.ctype = []byte(body.Encode()), "application/x-www-form-urlencoded"
		}
		e.do(a, q)
	}
	for i, cat := range valueCats {
		send(cat, e.pick(cat, i))
		for _, v := range e.corpus[cat] {
			send(cat, pad32(v))
		}
	}
	// Raw dot segments, which the router cleans.
	e.do(a, hreq{route: rt.Pattern, cat: "traversal", field: param, method: method,
		target: strings.Replace(pattern, param, "../../../etc/passwd", 1)})
}

// pad32 cuts or pads a value to the length of an id.
func pad32(v string) string {
	if len(v) >= 32 {
		return v[:32]
	}
	return v + strings.Repeat("-", 32-len(v))
}

// ---- route exercises ----

func (e *hostile) login(rt web.Route) {
	victim := e.user("hostile.login", access.FirstResponder)
	o := fieldOpts{route: rt.Pattern, target: "/login", agent: func() *agent { return e.agent(e.h) },
		base: url.Values{"username": {victim}, "password": {"not the password"}}, fields: []string{"username", "password"}, refuse: true,
		before: func(string) { e.resetThrottle() }}
	e.fields(o)
	e.bodies(o)
	// Once the account is locked, hostile values take the throttled path.
	// Every request comes from an address of its own, so it takes the
	// account's counter of unknown devices to lock it.
	for range auth.UnknownDeviceThrottle.Threshold + 1 {
		e.setup(e.agent(e.h), "POST", "/login", url.Values{"username": {victim}, "password": {"wrong"}})
	}
	o.before = nil
	o.fields, o.all = []string{"password"}, nil
	e.fields(o)
	e.checkFormFields(rt, e.agent(e.h), "/login", "/login", o.fields, "username")
}

func (e *hostile) logout(rt web.Route) {
	fresh := func() *agent {
		cr := e.f.creds[access.Analyst]
		return e.signIn(e.h, cr.Username, cr.Password, "/")
	}
	o := fieldOpts{route: rt.Pattern, target: "/logout", agent: fresh, base: url.Values{}, fields: []string{"return"}, writes: true}
	e.fields(o)
	e.bodies(o)
	// Hostile session cookies only: nobody is signed in.
	for i, cat := range valueCats {
		v := e.pick(cat, i)
		e.do(e.agent(e.h), hreq{route: rt.Pattern, cat: catHeader, field: cat, method: "POST", target: "/logout", hdr: sessionCookie(v), payload: v})
	}
}

// mfa covers setting up a second factor from an enrolment link, confirming
// it, renewing recovery codes, the second step of sign-in and cancelling
// it, with second factors optional and enforced.
func (e *hostile) mfa(web.Route) {
	if e.mfaDone {
		return
	}
	e.mfaDone = true
	name := e.user("hostile.mfa", access.CaseWorker)
	a := e.linkSession(e.h, name)
	full := func() *agent { return a }

	start := fieldOpts{route: "POST /mfa/enrol", target: "/mfa/enrol", agent: full, base: url.Values{"return": {"/mfa/enrol"}},
		fields: []string{"return"}, writes: true}
	e.checkFormFields(e.routes["POST /mfa/enrol"], a, "/mfa/enrol", "/mfa/enrol", start.fields)
	e.fields(start)
	e.bodies(start)

	confirm := fieldOpts{route: "POST /mfa/enrol/confirm", target: "/mfa/enrol/confirm", agent: full,
		base: url.Values{"return": {"/mfa/enrol"}, "code": {"000000"}}, fields: []string{"code", "return"}, all: map[string]bool{"code": true}}
	e.fields(confirm)
	e.bodies(confirm)
	e.checkFormFields(e.routes["POST /mfa/enrol/confirm"], a, "/mfa/enrol", "/mfa/enrol/confirm", confirm.fields)
	secret := e.enrolSecret(a)
	r := e.setup(a, "POST", "/mfa/enrol/confirm", url.Values{"code": {totpCode(e.t, secret, time.Now())}})
	if r.status != http.StatusOK {
		e.t.Fatalf("confirming the second factor: %d", r.status)
	}

	codes := fieldOpts{route: "POST /account/recovery-codes", target: "/account/recovery-codes", agent: full,
		base: url.Values{"return": {"/account"}}, fields: []string{"return"}, writes: true}
	e.fields(codes)
	e.bodies(codes)
	e.withOldProof(func() { e.fields(codes) })
	e.checkFormFields(e.routes["POST /account/recovery-codes"], a, "/account", "/account/recovery-codes", codes.fields)

	// The second step of sign-in.
	p := e.signIn(e.h, name, e.passwords[name], "/mfa/verify")
	verify := fieldOpts{route: "POST /mfa/verify", target: "/mfa/verify", agent: func() *agent { return p },
		base: url.Values{"code": {"000000"}}, fields: []string{"code"}, all: map[string]bool{"code": true}, refuse: true,
		before: func(string) { e.resetThrottle() }}
	e.fields(verify)
	e.bodies(verify)
	e.checkFormFields(e.routes["POST /mfa/verify"], p, "/mfa/verify", "/mfa/verify", verify.fields)

	// Cancelling the second step ends the half-signed-in session.
	pending := func() *agent { return e.signIn(e.h, name, e.passwords[name], "/mfa/verify") }
	cancel := fieldOpts{route: "POST /mfa/cancel", target: "/mfa/cancel", agent: pending, base: url.Values{}, fields: []string{"return"}, writes: true}
	e.fields(cancel)
	e.bodies(cancel)

	// A user of a role that must have a second factor sets it up before
	// anything else (second factors enforced).
	must := e.user("hostile.enrol", access.CaseWorker)
	s := e.linkSession(e.strict, must)
	if r := e.setup(s, "POST", "/mfa/enrol", url.Values{}); r.status != http.StatusSeeOther {
		e.t.Fatalf("starting a required second factor: %d", r.status)
	}
	confirm.agent, confirm.all = func() *agent { return s }, nil
	e.fields(confirm)
	// A half-signed-in session reaches nothing else.
	for i, cat := range valueCats {
		v := e.pick(cat, i)
		q := form("POST /referrals/new", cat, "given_name", "/referrals/new", url.Values{"given_name": {v}, "action": {"refer"}}, v)
		q.refuse = true
		e.do(s, q)
	}
}

// issueLink issues an enrolment link for the account name and returns its
// token.
func (e *hostile) issueLink(name string) string {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.db.UserByUsername(ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	tok, err := e.srv.IssueEnrolLinkForTest(ctx, e.f.db, u.ID, 72*time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	e.last = nil
	return tok
}

// linkSession opens an enrolment link of the account name with its
// password: an agent whose session can only set up a second factor.
func (e *hostile) linkSession(h http.Handler, name string) *agent {
	e.t.Helper()
	tok := e.issueLink(name)
	a := e.agent(h)
	if r := e.setup(a, "POST", "/enrol/"+tok, url.Values{"password": {e.passwords[name]}}); r.status != http.StatusSeeOther || r.location() != "/mfa/enrol" {
		e.t.Fatalf("opening the enrolment link of %s: %d %s", name, r.status, r.location())
	}
	return a
}

// enrolLink covers the page and the form of an enrolment link: hostile
// tokens in the path (each a link that does not work) and, on a live link,
// hostile passwords and bodies (each refused, the link left unspent).
func (e *hostile) enrolLink(rt web.Route) {
	method, pattern, _ := strings.Cut(rt.Pattern, " ")
	target := func(tok string) string { return strings.Replace(pattern, "{token}", url.PathEscape(tok), 1) }
	pad43 := func(v string) string {
		if len(v) >= 43 {
			return v[:43]
		}
		return v + strings.Repeat("A", 43-len(v))
	}
	for i, cat := range valueCats {
		for _, tok := range []string{e.pick(cat, i), pad43(e.pick(cat, i))} {
			q := hreq{route: rt.Pattern, cat: cat, field: "{token}", method: method, target: target(tok), payload: tok, refuse: true}
			if method == "POST" {
				q.body, q.ctype = []byte(url.Values{"password": {"Hostile corpus password"}}.Encode()), "application/x-www-form-urlencoded"
			}
			e.do(e.agent(e.h), q)
		}
	}
	if method != "POST" {
		return
	}
	name := e.user("hostile.link", access.CaseWorker)
	link := "/enrol/" + e.issueLink(name)
	o := fieldOpts{route: rt.Pattern, target: link, agent: func() *agent { return e.agent(e.h) },
		base: url.Values{"password": {"not the password"}}, fields: []string{"password"}, refuse: true,
		before: func(string) { e.resetThrottle() }}
	e.fields(o)
	e.bodies(o)
	e.checkFormFields(rt, e.agent(e.h), link, link, o.fields)
}

// withOldProof runs fn with the servers' clocks six minutes ahead, so the
// sessions' proof of identity is too old for sensitive actions and their
// "return" field is used.
func (e *hostile) withOldProof(fn func()) {
	e.offset.Store(int64(6 * time.Minute))
	defer e.offset.Store(0)
	e.last = nil
	fn()
	e.last = nil
}

func (e *hostile) enrolSecret(a *agent) string {
	r := e.setup(a, "GET", "/mfa/enrol", nil)
	m := regexp.MustCompile(`<code class="secret">([A-Z2-7 ]+)</code>`).FindStringSubmatch(r.body)
	if m == nil {
		e.t.Fatalf("no TOTP secret on the set-up page: %d", r.status)
	}
	return strings.ReplaceAll(m[1], " ", "")
}

func totpCode(t *testing.T, secret string, at time.Time) string {
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func (e *hostile) reauthForm(rt web.Route) {
	a := e.agentFor(rt)
	for i, cat := range valueCats {
		for _, v := range e.corpus[cat] {
			e.do(a, hreq{route: rt.Pattern, cat: cat, field: "return", method: "GET", target: "/reauth?return=" + url.QueryEscape(v), payload: v})
		}
		v := e.pick(cat, i)
		e.do(a, hreq{route: rt.Pattern, cat: catHeader, field: cat, method: "GET", target: "/reauth", hdr: hostileHeaders(v), payload: v})
	}
}

func (e *hostile) reauth(rt web.Route) {
	name := e.user("hostile.reauth", access.FirstResponder)
	a := e.signIn(e.h, name, e.passwords[name], "/")
	o := fieldOpts{route: rt.Pattern, target: "/reauth", agent: func() *agent { return a },
		base: url.Values{"password": {e.passwords[name]}, "return": {"/account"}}, fields: []string{"return", "code"},
		all: map[string]bool{"return": true}, writes: true}
	// With the right password, "return" and "code" reach the redirect.
	e.fields(o)
	e.bodies(o)
	o.fields, o.all, o.writes, o.refuse = []string{"password"}, nil, false, true
	o.before = func(string) { e.resetThrottle() }
	e.fields(o)
	e.checkFormFields(rt, a, "/reauth", "/reauth", []string{"return", "code", "password"})
}

func (e *hostile) account(rt web.Route) {
	a := e.agentFor(rt)
	for i, cat := range valueCats {
		v := e.pick(cat, i)
		e.do(a, hreq{route: rt.Pattern, cat: cat, field: "done", method: "GET", target: "/account?done=" + url.QueryEscape(v), payload: v})
		e.do(a, hreq{route: rt.Pattern, cat: catHeader, field: cat, method: "GET", target: "/account", hdr: hostileHeaders(v), payload: v})
	}
}

func (e *hostile) password(rt web.Route) {
	name := e.user("hostile.password", access.FirstResponder)
	a := e.signIn(e.h, name, e.passwords[name], "/")
	ctx := context.Background()
	o := fieldOpts{route: rt.Pattern, target: "/account/password", agent: func() *agent { return a }, writes: true,
		fields: []string{"new", "confirm"}}
	// A new password made of hostile text is either refused by the policy
	// or stored as an argon2id hash.
	for i, field := range o.fields {
		for _, cat := range valueCats {
			v := e.pick(cat, i)
			f := url.Values{"current": {e.passwords[name]}, "new": {v}, "confirm": {v}}
			if field == "confirm" {
				f.Set("new", e.passwords[name]+" and more")
			}
			q := form(rt.Pattern, cat, field, "/account/password", f, v)
			q.writes = true
			r := e.do(a, q)
			if r.status == http.StatusSeeOther {
				e.passwords[name] = v
				u, err := e.db.UserByUsername(ctx, name)
				if err != nil || !strings.HasPrefix(u.PasswordHash, "$argon2id$") || strings.Contains(u.PasswordHash, v) {
					e.fail(rt.Pattern+"|hash", "%s: accepted password not stored as an argon2id hash", q)
				}
				// Store it again with cheap parameters, so that the
				// next checks of the current password stay fast.
				hash, err := auth.HashPassword(v, cheap)
				if err != nil {
					e.t.Fatal(err)
				}
				if err := e.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.SetUserPassword(ctx, u.ID, hash) }); err != nil {
					e.t.Fatal(err)
				}
				e.last = nil
			}
		}
	}
	base := url.Values{"current": {e.passwords[name]}, "new": {"a perfectly fine new password 1"}, "confirm": {"a perfectly fine new password 1"}}
	o = fieldOpts{route: rt.Pattern, target: "/account/password", agent: func() *agent { return a }, base: base,
		fields: []string{"current"}, refuse: true, before: func(string) { e.resetThrottle() }}
	e.fields(o)
	o.base = url.Values{"current": {"wrong"}, "new": {"x"}, "confirm": {"y"}}
	e.bodies(o)
	e.checkFormFields(rt, a, "/account/password", "/account/password", []string{"current", "new", "confirm"})
}

func (e *hostile) sessionsEnd(rt web.Route) {
	name := e.user("hostile.sessions", access.FirstResponder)
	fresh := func() *agent { return e.signIn(e.h, name, e.passwords[name], "/") }
	o := fieldOpts{route: rt.Pattern, target: "/account/sessions/end", agent: fresh, base: url.Values{}, fields: []string{"return"}, writes: true}
	e.fields(o)
	e.bodies(o)
	e.checkFormFields(rt, fresh(), "/account", "/account/sessions/end", o.fields)
}

func (e *hostile) tokens(rt web.Route) {
	a := e.agentFor(rt)
	o := fieldOpts{route: rt.Pattern, target: "/account/tokens", agent: func() *agent { return a },
		base: url.Values{"name": {"hostile"}, "days": {"30"}, "return": {"/account/tokens"}}, fields: []string{"name", "days", "return"},
		all: map[string]bool{"name": true}, writes: true}
	e.fields(o)
	e.bodies(o)
	e.withOldProof(func() {
		o.fields, o.all = []string{"return"}, map[string]bool{"return": true}
		e.fields(o)
	})
	e.checkFormFields(rt, a, "/account/tokens", "/account/tokens", []string{"name", "days", "return"})
}

func (e *hostile) tokenRevoke(rt web.Route) {
	a := e.agentFor(rt)
	e.idValues(rt, a, url.Values{})
	// Someone else's token answers 404 and stays live.
	other := e.as(access.CaseWorker)
	r := e.setup(other, "POST", "/account/tokens", url.Values{"name": {"not yours"}, "days": {"30"}})
	m := regexp.MustCompile(`/account/tokens/([0-9a-f]{32})/revoke`).FindStringSubmatch(r.body)
	if m == nil {
		e.t.Fatalf("no token of the case worker: %d", r.status)
	}
	q := hreq{route: rt.Pattern, cat: "sql", field: "{id}", method: "POST", target: "/account/tokens/" + m[1] + "/revoke", refuse: true}
	if r := e.do(a, q); r.status != http.StatusNotFound {
		e.fail(rt.Pattern+"|other", "%s: another user's token answered %d, want 404", q, r.status)
	}
	o := fieldOpts{route: rt.Pattern, target: "/account/tokens/" + strings.Repeat("0", 32) + "/revoke", agent: func() *agent { return a }, base: url.Values{}}
	e.bodies(o)
}

func (e *hostile) language(rt web.Route) {
	for n, a := range []*agent{e.agent(e.h), e.as(access.Analyst)} {
		o := fieldOpts{route: rt.Pattern, target: "/language", agent: func() *agent { return a },
			base: url.Values{"lang": {"en"}, "return": {"/"}}, fields: []string{"lang", "return"}, writes: true}
		if n == 0 {
			o.all = map[string]bool{"return": true}
		}
		e.fields(o)
		e.bodies(o)
	}
	e.checkFormFields(rt, e.agent(e.h), "/login", "/language", []string{"lang", "return"})
}

// referralFields are the fields parseReferralForm reads.
func referralFields() []string {
	fs := []string{"sector", "age", "may_be_child", "gender", "citizenship", "languages", "exploitation", "acts", "means", "purposes",
		"unknown", "indicators", "irregular_border_crossing", "paid_facilitator", "consented_to_movement", "methods_of_control",
		"exploitation_types", "industry", "recruiter_relation", "needs", "consent", "consent_language", "given_name", "family_name",
		"birth_date", "document_number", "phone", "address", "narrative", "idempotency_key", "action", "one_list"}
	for _, t := range vocab.EventTypes.Codes {
		fs = append(fs, "event_"+t+"_country", "event_"+t+"_date")
	}
	return fs
}

var identityFields = map[string]bool{"given_name": true, "family_name": true, "birth_date": true, "document_number": true,
	"phone": true, "address": true, "narrative": true}

func referralFormBase() url.Values {
	return url.Values{"sector": {"labour_inspection"}, "age": {"24"}, "gender": {"Feminine"}, "citizenship": {"NP"}, "languages": {"ne"},
		"exploitation": {"labour"}, "acts": {"recruitment"}, "means": {"deception"}, "purposes": {"forced_labour"},
		"indicators": {"deceptive_recruitment.deceived_nature_of_job"}, "needs": {"bed_tonight"}, "consent": {"given"},
		"consent_language": {"ne"}, "given_name": {"Sita"}, "family_name": {"Hostiletest"}, "action": {"refer"}}
}

func (e *hostile) referralForm(rt web.Route) {
	a := e.agentFor(rt)
	o := fieldOpts{route: rt.Pattern, target: "/referrals/new", agent: func() *agent { return a }, base: referralFormBase(),
		fields: referralFields(), all: map[string]bool{"narrative": true}, writes: true, identity: identityFields,
		accepted: e.referralAccepted}
	e.fields(o)
	e.bodies(o)
	// Screening stores nothing, whatever the values; so does the live
	// panel the script asks for.
	o.base = cloneValues(o.base)
	o.base.Set("action", "screen")
	o.writes, o.accepted, o.all = false, nil, nil
	o.fields = []string{"narrative", "acts", "age"}
	e.fields(o)
	o.hdr, o.rotate = http.Header{"X-Haven-Fragment": {"screening"}}, true
	o.fields = []string{"indicators", "event_Recruitment_date", "given_name", "means", "sector", "consent", "needs"}
	e.fields(o)
	// A list field with 60,000 values: more than the form parser takes.
	f := referralFormBase()
	f["languages"] = slices.Repeat([]string{"ne"}, 60000)
	q := form(rt.Pattern, "long", "languages", "/referrals/new", f, "")
	q.refuse = true
	e.do(a, q)
	e.checkFormFields(rt, a, "/referrals/new", "/referrals/new", referralFields())
}

// referralAccepted checks an accepted referral: identifying text is sealed
// in the database and shown escaped to the authority that receives it.
func (e *hostile) referralAccepted(q hreq, r hresp) {
	if !identityFields[q.field] || r.status != http.StatusSeeOther {
		return
	}
	var caseID sql.NullString
	// The referral's page, with the confirmation its referrer sees first.
	id, _, _ := strings.Cut(strings.TrimPrefix(r.location(), "/referrals/"), "?")
	if err := e.db.R().QueryRowContext(context.Background(), `SELECT case_id FROM referrals WHERE id = $1`, id).Scan(&caseID); err != nil || !caseID.Valid {
		e.fail(q.route+"|accepted", "%s: accepted referral %s has no case: %v", q, id, err)
		return
	}
	e.checkSealed(q, caseID.String, strings.TrimSpace(q.payload))
}

// checkSealed checks that the identifying text plain, accepted into a
// case's person, is sealed in the database and shown escaped.
func (e *hostile) checkSealed(q hreq, caseID, plain string) {
	n := 0
	testenv.EachRow(e.t, e.db, func(cols []string, vals []any) {
		n++
		for i, v := range vals {
			if strings.Contains(testenv.Text(v), plain) {
				e.fail(q.route+"|plaintext", "%s: persons.%s holds the identifying text in clear", q, cols[i])
			}
		}
	}, `SELECT p.* FROM persons p JOIN cases c ON c.person_id = p.id WHERE c.id = $1`, caseID)
	if n != 1 {
		e.fail(q.route+"|person", "%s: accepted referral's case has %d persons", q, n)
		return
	}
	// The receiving authority sees the text, escaped.
	ca := e.as(access.CompetentAuthority)
	view := hreq{route: "GET /cases/{id}", cat: q.cat, field: "display of " + q.field, method: "GET", target: "/cases/" + caseID, payload: q.payload}
	r := e.do(ca, view)
	if r.status != http.StatusOK {
		e.fail(q.route+"|display", "%s: the authority's view of the case answered %d", view, r.status)
		return
	}
	if q.field != "birth_date" && !strings.Contains(r.body, htmlText(plain)) {
		e.fail(q.route+"|display", "%s: the case page does not show the escaped text %.80q", view, htmlText(plain))
	}
}

// htmlText is how html/template writes s in a text node.
func htmlText(s string) string {
	var b strings.Builder
	_ = template.Must(template.New("").Parse(`{{.}}`)).Execute(&b, s)
	return b.String()
}

func (e *hostile) screeningForm(rt web.Route) {
	a := e.agentFor(rt)
	base := referralFormBase()
	base.Del("action")
	// The same parser as the referral form's, which gets every category
	// in every field: here each field gets one category, turning.
	o := fieldOpts{route: rt.Pattern, target: "/screening", agent: func() *agent { return a }, base: base, fields: referralFields(), rotate: true}
	e.fields(o)
	e.bodies(o)
	o.hdr = http.Header{"X-Haven-Fragment": {"screening"}}
	o.fields = []string{"acts", "indicators", "age", "narrative", "exploitation", "unknown", "event_Transit_date"}
	e.fields(o)
	e.checkFormFields(rt, a, "/screening", "/screening", referralFields())
}

func (e *hostile) breakGlass(rt web.Route) {
	a := e.agentFor(rt)
	ctx := context.Background()
	target := "/cases/" + e.otherCase + "/break-glass"
	o := fieldOpts{route: rt.Pattern, target: target, agent: func() *agent { return a },
		base:   url.Values{"reason": {"danger_to_life"}, "justification": {"The person is in danger."}, "return": {target}},
		fields: []string{"reason", "justification", "return"},
		all:    map[string]bool{"justification": true}, identity: map[string]bool{"justification": true}, writes: true,
		accepted: func(q hreq, r hresp) {
			if q.field != "justification" || r.status != http.StatusSeeOther {
				return
			}
			rows, err := e.db.R().QueryContext(ctx, `SELECT justification FROM break_glass_grants WHERE case_id = $1`, e.otherCase)
			if err != nil {
				e.t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var b []byte
				_ = rows.Scan(&b)
				if bytes.Contains(b, []byte(strings.TrimSpace(q.payload))) {
					e.fail(q.route+"|plaintext", "%s: the justification is stored in clear", q)
				}
			}
		}}
	e.fields(o)
	e.bodies(o)
	e.idValues(rt, a, o.base)
	e.checkFormFields(rt, a, target, target, o.fields)
}

func (e *hostile) audit(rt web.Route) {
	filters := []string{"actor", "action", "object", "breakglass", "from", "to", "before"}
	for n, a := range []*agent{e.agentFor(rt), e.as(access.SystemAdmin)} {
		for i, field := range filters {
			for _, cat := range valueCats {
				vs := []string{e.pick(cat, i)}
				if field == "actor" && n == 0 {
					vs = e.corpus[cat]
				}
				if n > 0 && field != filters[i%len(filters)] {
					continue
				}
				for _, v := range vs {
					e.do(a, hreq{route: rt.Pattern, cat: cat, field: field, method: "GET", target: "/admin/audit?" + url.Values{field: {v}}.Encode(), payload: v})
				}
			}
		}
		for _, n := range []string{"99999999999999999999999", "-1", "1e9", "0x10", " 1"} {
			e.do(a, hreq{route: rt.Pattern, cat: "long", field: "before", method: "GET", target: "/admin/audit?before=" + url.QueryEscape(n)})
		}
	}
	e.scriptInHeaders(e.agentFor(rt), rt, "/admin/audit")
}

// listQuery sends every category in each filter, search, page size and
// cursor of the queue and the case list, on the pages and the API.
func (e *hostile) listQuery(rt web.Route) {
	a := e.readerFor(rt)
	path := pathOf(rt.Pattern)
	for i, field := range []string{"stage", "urgent", "child", "overdue", "agency", "ref", "size", "after", "before", "status", "trafficking"} {
		for j, cat := range valueCats {
			v := e.pick(cat, i+j)
			e.do(a, hreq{route: rt.Pattern, cat: cat, field: field, method: "GET", target: path + "?" + url.Values{field: {v}}.Encode(), payload: v})
		}
	}
	e.scriptInHeaders(a, rt, path)
}

// statsQuery sends every category in each of a statistics table's
// parameters, on the page and the API.
func (e *hostile) statsQuery(rt web.Route) {
	a := e.readerFor(rt)
	path := pathOf(rt.Pattern)
	for i, field := range []string{"by", "where", "period"} {
		for j, cat := range valueCats {
			v := e.pick(cat, i+j)
			for _, q := range []url.Values{{field: {v}}, {field: {"gender=" + v}}, {"by": {"gender", v}}} {
				e.do(a, hreq{route: rt.Pattern, cat: cat, field: field, method: "GET", target: path + "?" + q.Encode(), payload: v})
			}
		}
	}
	e.scriptInHeaders(a, rt, path)
}

func (e *hostile) apiRoot(rt web.Route) {
	a := e.agent(e.h)
	for i, cat := range valueCats {
		v := e.pick(cat, i)
		e.do(a, hreq{route: rt.Pattern, cat: cat, field: "path", method: "GET", target: "/api/v1/" + url.PathEscape(v), payload: v})
		e.do(a, hreq{route: rt.Pattern, cat: catHeader, field: cat, method: "GET", target: "/api/v1/", hdr: hostileHeaders(v), payload: v})
	}
}

// ---- JSON ----

// jsonPlaceholder marks the leaf a hostile value replaces.
const jsonPlaceholder = "\x01hostile-leaf\x01"

// jsonLit writes s as a JSON string, leaving invalid UTF-8 bytes as they
// are (encoding/json would replace them).
func jsonLit(s string) []byte {
	b := []byte{'"'}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[i])
		case r == '"':
			b = append(b, `\"`...)
		case r == '\\':
			b = append(b, `\\`...)
		case r < 0x20:
			b = fmt.Appendf(b, `\u%04x`, r)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// leaves lists the paths of every value of a decoded JSON document; a list
// contributes its first element.
func leaves(v any, prefix []any, out *[][]any) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			leaves(v[k], append(slices.Clone(prefix), k), out)
		}
	case []any:
		if len(v) > 0 {
			leaves(v[0], append(slices.Clone(prefix), 0), out)
		}
	default:
		*out = append(*out, prefix)
	}
}

func pathName(p []any) string {
	s := make([]string, len(p))
	for i, x := range p {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ".")
}

// withLeaf returns the document with the value at path replaced by lit.
func withLeaf(doc string, path []any, lit []byte) []byte {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		panic(err)
	}
	var set func(x any, p []any) any
	set = func(x any, p []any) any {
		if len(p) == 0 {
			return jsonPlaceholder
		}
		switch k := p[0].(type) {
		case string:
			m := x.(map[string]any)
			m[k] = set(m[k], p[1:])
		case int:
			l := x.([]any)
			l[k] = set(l[k], p[1:])
		}
		return x
	}
	b, _ := json.Marshal(set(v, path))
	ph, _ := json.Marshal(jsonPlaceholder)
	return bytes.Replace(b, ph, lit, 1)
}

// jsonFieldNames lists the JSON names of a struct type's fields, nested
// with dots; lists are looked into.
func jsonFieldNames(t reflect.Type, prefix string, out map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		out[prefix] = true
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		p := name
		if prefix != "" {
			p = prefix + "." + name
		}
		jsonFieldNames(f.Type, p, out)
	}
}

// jsonOpts says how to attack one JSON endpoint.
type jsonOpts struct {
	route, target string
	agent         *agent
	base          string // a valid body holding every field
	of            reflect.Type
	writes        bool
	all           map[string]bool
	identity      map[string]bool
	accepted      func(q hreq, r hresp)
	// strictType: the endpoint refuses bodies not labelled
	// application/json.
	strictType bool
	// mayRefuse: the base body may be refused as the record stands (a
	// change the record's state does not allow).
	mayRefuse bool
}

func (e *hostile) jsonFields(o jsonOpts) {
	t := e.t
	var doc any
	if err := json.Unmarshal([]byte(o.base), &doc); err != nil {
		t.Fatalf("%s: base body: %v", o.route, err)
	}
	var paths [][]any
	leaves(doc, nil, &paths)
	// The base body must hold every field of the type the handler decodes.
	want := map[string]bool{}
	jsonFieldNames(o.of, "", want)
	have := map[string]bool{}
	for _, p := range paths {
		var parts []string
		for _, x := range p {
			if s, ok := x.(string); ok {
				parts = append(parts, s)
			}
		}
		have[strings.Join(parts, ".")] = true
	}
	for f := range want {
		if !have[f] {
			t.Errorf("%s: JSON field %q has no hostile-input coverage: add it to the base body", o.route, f)
		}
	}
	send := func(q hreq) hresp {
		q.route, q.method, q.target, q.writes = o.route, "POST", o.target, o.writes
		q.body = bytes.ReplaceAll(q.body, []byte(`"Hostiletest"`), []byte(`"`+e.unique()+`"`))
		q.body = bytes.ReplaceAll(q.body, []byte(`"PA 123-456"`), []byte(`"PA `+e.unique()[7:]+`"`))
		if q.ctype == "" {
			q.ctype = "application/json"
		}
		return e.do(o.agent, q)
	}
	r := send(hreq{cat: "xss", field: "(valid body)", body: []byte(o.base)})
	if r.status >= 300 && !o.mayRefuse {
		t.Fatalf("%s: the valid body was refused: %d %s", o.route, r.status, r.body)
	}
	for i, p := range paths {
		name := pathName(p)
		for _, cat := range valueCats {
			vs := []string{e.pick(cat, i)}
			if o.all[name] {
				vs = e.corpus[cat]
			}
			for _, v := range vs {
				if o.identity[name] {
					v = e.canary(v)
				}
				q := hreq{cat: cat, field: name, body: withLeaf(o.base, p, jsonLit(v)), payload: v}
				r := send(q)
				if o.accepted != nil && r.status < 300 {
					q.route = o.route
					o.accepted(q, r)
				}
			}
		}
	}
	// Malformed and tricky JSON.
	first := paths[0]
	firstName := strings.SplitN(o.base, `"`, 3)[1]
	for _, c := range []struct {
		cat  string
		body []byte
	}{
		{"json-deep", []byte(`{"` + firstName + `":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`)},
		{"json-deep", []byte(strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000))},
		{"json-duplicate-keys", []byte(strings.Replace(o.base, "{", `{"`+firstName+`":["<script>alert(1)</script>"],`, 1))},
		{"json-duplicate-keys", append([]byte(o.base[:len(o.base)-1]), `,"`+firstName+`":["<script>alert(1)</script>"]}`...)},
		{"json-duplicate-keys", []byte(strings.Replace(o.base, "{", `{"`+strings.ToUpper(firstName)+`":["\u0000"],`, 1))},
		{"json-number-as-string", []byte(strings.Replace(o.base, `"age":24`, `"age":"24"`, 1))},
		{"json-number-as-string", []byte(strings.Replace(o.base, `"may_be_child":false`, `"may_be_child":"false"`, 1))},
		{"json-huge-number", []byte(strings.Replace(o.base, `"age":24`, `"age":1e400`, 1))},
		{"json-huge-number", []byte(strings.Replace(o.base, `"age":24`, `"age":99999999999999999999999999`, 1))},
		{"json-huge-number", []byte(strings.Replace(o.base, `"age":24`, `"age":-9223372036854775809`, 1))},
		{"json-huge-number", []byte(strings.Replace(o.base, `"age":24`, `"age":2147483648`, 1))},
		{"json-huge-number", []byte(strings.Replace(o.base, `"age":24`, `"age":24.5`, 1))},
		{"json-huge-number", []byte(strings.Replace(o.base, `"age":24`, `"age":-1`, 1))},
		{"json-wrong-type", []byte(`[]`)},
		{"json-wrong-type", []byte(`null`)},
		{"json-wrong-type", []byte(`"<script>alert(1)</script>"`)},
		{"json-wrong-type", []byte(strings.Replace(o.base, `"acts":["recruitment"]`, `"acts":"recruitment"`, 1))},
		{"json-wrong-type", []byte(strings.Replace(o.base, `"acts":["recruitment"]`, `"acts":[1,{"a":[]},null]`, 1))},
		{"json-wrong-type", []byte(strings.Replace(o.base, `"smuggling":{`, `"smuggling":[{`, 1))},
		{"json-wrong-type", []byte(`{"` + firstName + `":"\ud800\udfff\ud800"}`)},
		{"json-trailing", append([]byte(o.base), o.base...)},
		{"json-trailing", append([]byte(o.base), " <script>alert(1)</script>"...)},
		{"json-trailing", append([]byte(o.base), "]"...)},
		{"json-trailing", []byte(o.base[:len(o.base)/2])},
		{"json-unknown-field", []byte(strings.Replace(o.base, "{", `{"__proto__":{"admin":true},`, 1))},
		{"json-unknown-field", []byte(strings.Replace(o.base, "{", `{"<script>alert(1)</script>":1,`, 1))},
		{"json-unknown-field", []byte(strings.Replace(o.base, "{", `{"role":"system_admin",`, 1))},
		{"json-over-limit", append([]byte(o.base[:len(o.base)-1]), `,"padding":"`+strings.Repeat("A", 300<<10)+`"}`...)},
		{"json-over-limit", append([]byte(o.base), bytes.Repeat([]byte(" "), 300<<10)...)},
		{"json-over-limit", withLeaf(o.base, first, jsonLit(strings.Repeat("A", 300<<10)))},
		{"json-over-limit", withLeaf(o.base, first, jsonLit(strings.Repeat("A", 2<<20)))},
	} {
		send(hreq{cat: c.cat, body: c.body, payload: "<script>alert(1)</script>"})
	}
	// Whole-request attacks.
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "\x00"} {
		send(hreq{cat: catContentType, body: []byte(o.base), ctype: ct, refuse: o.strictType})
	}
	send(hreq{cat: catContentType, body: []byte(o.base), ctype: "application/json; charset=utf-16"})
	send(hreq{cat: catOversized, body: bytes.Repeat([]byte("A"), 2<<20), refuse: true})
	send(hreq{cat: catOversized, body: bytes.Repeat([]byte("A"), 2<<20), chunked: true, refuse: true})
	send(hreq{cat: catEncoding, body: []byte{0xff, 0xfe, '{', 0, '}'}, refuse: true})
	send(hreq{cat: catEncoding, body: append([]byte{0xef, 0xbb, 0xbf}, o.base...)})
	send(hreq{cat: catEncoding, body: nil, refuse: true})
	for _, m := range []string{"PUT", "PATCH", "DELETE"} {
		e.do(o.agent, hreq{route: o.route, cat: catMethod, method: m, target: o.target, body: []byte(o.base), ctype: "application/json", refuse: true})
	}
	r = e.do(&agent{h: e.h, jar: e.as(access.FirstResponder).jar}, hreq{route: o.route, cat: catCrossOrigin, method: "POST", target: o.target,
		body: []byte(o.base), ctype: "application/json", refuse: true,
		hdr: http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}})
	if r.status != http.StatusForbidden {
		e.fail(o.route+"|csrf", "%s: cross-origin post answered %d, want 403", o.route, r.status)
	}
	for i, cat := range valueCats {
		v := e.pick(cat, i)
		e.do(&agent{h: e.h, jar: e.agent(e.h).jar}, hreq{route: o.route, cat: catHeader, field: "Authorization", method: "POST", target: o.target,
			body: []byte(o.base), ctype: "application/json", hdr: http.Header{"Authorization": {"Bearer " + v}}, payload: v, refuse: true})
	}
}

func referralJSONBase() string {
	m := map[string]any{"sector": "labour_inspection", "age": 24, "may_be_child": false, "gender": "Feminine", "citizenship": "NP",
		"languages": []string{"ne"}, "exploitation": "labour", "acts": []string{"recruitment"}, "means": []string{"deception"},
		"purposes": []string{"forced_labour"}, "unknown": []string{"act"}, "indicators": []string{"deceptive_recruitment.deceived_nature_of_job"},
		"smuggling":          map[string]bool{"irregular_border_crossing": false, "paid_facilitator": false, "consented_to_movement": false},
		"methods_of_control": []string{vocab.MethodsOfControl.Codes[0]}, "exploitation_types": []string{vocab.ExploitationTypes.Codes[0]},
		"industry": vocab.Industries.Codes[0], "recruiter_relation": vocab.RecruiterRelations.Codes[0],
		"events": []map[string]string{{"type": vocab.EventTypes.Codes[0], "country": "NP", "date": "2024-01"}},
		"needs":  []string{"bed_tonight"}, "consent": "given", "consent_language": "ne",
		"identity": map[string]string{"given_name": "Sita", "family_name": "Hostiletest", "birth_date": "", "document_number": "PA 123-456",
			"phone": "+977 1 5550100", "address": "Ward 4, Kathmandu", "narrative": "Recruited for a job that did not exist."}}
	return sortedJSON(m)
}

func screeningJSONBase() string {
	return sortedJSON(map[string]any{"age": 24, "may_be_child": false, "exploitation": "labour", "acts": []string{"recruitment"},
		"means": []string{"deception"}, "purposes": []string{"forced_labour"}, "unknown": []string{"act"},
		"indicators": []string{"deceptive_recruitment.deceived_nature_of_job"},
		"smuggling":  map[string]bool{"irregular_border_crossing": false, "paid_facilitator": false, "consented_to_movement": false}})
}

// sortedJSON marshals with sorted keys ("acts" first), so the malformed
// bodies can name a field that exists.
func sortedJSON(m map[string]any) string {
	b, _ := json.Marshal(m)
	return string(b)
}

func (e *hostile) apiReferrals(rt web.Route) {
	a := &agent{h: e.h, jar: e.agent(e.h).jar, bearer: e.bearer}
	e.jsonFields(jsonOpts{route: rt.Pattern, target: "/api/v1/referrals", agent: a, base: referralJSONBase(), of: reflect.TypeOf(intake.Referral{}),
		writes: true, strictType: true, all: map[string]bool{"identity.narrative": true},
		identity: map[string]bool{"identity.given_name": true, "identity.family_name": true, "identity.birth_date": true,
			"identity.document_number": true, "identity.phone": true, "identity.address": true, "identity.narrative": true},
		accepted: func(q hreq, r hresp) {
			if !strings.HasPrefix(q.field, "identity.") || r.status != http.StatusCreated {
				return
			}
			var out struct {
				CaseID string `json:"case_id"`
			}
			if err := json.Unmarshal([]byte(r.body), &out); err != nil || out.CaseID == "" {
				e.fail(q.route+"|accepted", "%s: accepted referral without a case: %s", q, r.body)
				return
			}
			// encoding/json replaces invalid UTF-8 by U+FFFD: that is
			// the text stored.
			var stored string
			if err := json.Unmarshal(jsonLit(q.payload), &stored); err != nil {
				e.t.Fatal(err)
			}
			q.field = strings.TrimPrefix(q.field, "identity.")
			e.checkSealed(q, out.CaseID, stored)
		}})
	for i, cat := range valueCats {
		v := e.pick(cat, i)
		e.do(a, hreq{route: rt.Pattern, cat: catHeader, field: "Idempotency-Key", method: "POST", target: "/api/v1/referrals",
			body: []byte(referralJSONBase()), ctype: "application/json", hdr: http.Header{"Idempotency-Key": {v}}, payload: v, refuse: true})
	}
	// The same key twice: the second answer replays the first referral.
	k := http.Header{"Idempotency-Key": {"hostile-replay"}}
	e.do(a, hreq{route: rt.Pattern, cat: catHeader, field: "Idempotency-Key", method: "POST", target: "/api/v1/referrals",
		body: []byte(referralJSONBase()), ctype: "application/json", hdr: k, writes: true})
	r := e.do(a, hreq{route: rt.Pattern, cat: catHeader, field: "Idempotency-Key (replay)", method: "POST", target: "/api/v1/referrals",
		body: []byte(referralJSONBase()), ctype: "application/json", hdr: k})
	if r.status != http.StatusOK {
		e.fail(rt.Pattern+"|replay", "%s: a replayed key answered %d, want 200", rt.Pattern, r.status)
	}
}

func (e *hostile) apiScreenings(rt web.Route) {
	a := &agent{h: e.h, jar: e.agent(e.h).jar, bearer: e.bearer}
	e.jsonFields(jsonOpts{route: rt.Pattern, target: "/api/v1/screenings", agent: a, base: screeningJSONBase(), of: reflect.TypeOf(screening.Case{})})
	for i, p := range []string{"jurisdiction", "profile"} {
		for _, cat := range valueCats {
			v := e.pick(cat, i)
			e.do(a, hreq{route: rt.Pattern, cat: cat, field: p, method: "POST", target: "/api/v1/screenings?" + url.Values{p: {v}}.Encode(),
				body: []byte(screeningJSONBase()), ctype: "application/json", payload: v})
		}
	}
}

// federationInbox sends hostile envelopes to the peer inbox: no session,
// the envelope's signature is what would let one in, and none of these
// carries a peer's. Every one is refused and only the refusal is audited.
func (e *hostile) federationInbox(rt web.Route) {
	stranger, err := federation.NewIdentity(time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	other, _ := federation.NewIdentity(time.Now())
	k := other.Active()
	env, err := stranger.Seal("", federation.KindPackage, federation.Recipient{Instance: other.Instance, KeyID: k.ID, KEMKey: k.KEMPublic()},
		[]byte(`{"ref":"x"}`), time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	base, _ := json.Marshal(env)
	e.jsonFields(jsonOpts{route: rt.Pattern, target: federation.InboxPath, agent: e.agent(e.h), base: string(base),
		of: reflect.TypeOf(federation.Envelope{}), strictType: true, mayRefuse: true})
}

// trmForm sends hostile values to the TRM's forms: a case's consent,
// steps, sending and cross-border match, the decision on a received
// package and a peer's status.
func (e *hostile) trmForm(rt web.Route) {
	caseID, _ := e.caseForHostile()
	a := e.as(access.CompetentAuthority)
	unknown := strings.Repeat("ab", 16)
	page := "/cases/" + caseID + "/trm"
	var target string
	var fields []string
	base := url.Values{}
	switch rt.Pattern {
	case "POST /cases/{id}/trm/consent":
		target, fields = page+"/consent", []string{"purpose", "country", "action", "by_guardian"}
		base = url.Values{"purpose": {"referral_assistance"}, "country": {"NP"}, "action": {"given"}}
	case "POST /cases/{id}/trm/step":
		target, fields = page+"/step", []string{"sop", "step"}
		base = url.Values{"sop": {"identification"}, "step": {"preliminary_identification"}}
	case "POST /cases/{id}/trm/send":
		target, fields = page+"/send", []string{"peer", "purpose", "override_reason"}
		base = url.Values{"peer": {unknown}, "purpose": {"referral_assistance"}}
	case "POST /cases/{id}/trm/psi":
		target, fields = page+"/psi", []string{"peer", "basis"}
		base = url.Values{"peer": {unknown}, "basis": {"retrafficking_check"}}
	case "POST /trm/{id}/decide":
		target, fields = "/trm/"+unknown+"/decide", []string{"decision", "reason"}
		base = url.Values{"decision": {"decline"}, "reason": {"duplicate"}}
		page = ""
	case "POST /admin/peers/{id}/status":
		a = e.as(access.SystemAdmin)
		target, fields = "/admin/peers/"+unknown+"/status", []string{"status"}
		base = url.Values{"status": {"suspended"}}
		page = ""
	default:
		e.t.Fatalf("no TRM form for %s", rt.Pattern)
	}
	if page != "" {
		e.checkFormFieldsIfShown(rt, a, page, target, fields)
	}
	o := fieldOpts{route: rt.Pattern, target: target, agent: func() *agent { return a }, base: base, fields: fields, writes: true}
	e.fields(o)
	e.bodies(o)
	e.idValues(rt, a, base)
}

// ---- coverage ----

// checkFormFields fails when a form on a page has a field the exercise
// does not send hostile values to.
func (e *hostile) checkFormFields(rt web.Route, a *agent, page, action string, covered []string, more ...string) {
	r := e.setup(a, "GET", page, nil)
	forms := regexp.MustCompile(`(?s)<form[^>]*\baction="([^"]*)"[^>]*>(.*?)</form>`).FindAllStringSubmatch(r.body, -1)
	found := false
	for _, f := range forms {
		if f[1] != action {
			continue
		}
		found = true
		for _, n := range regexp.MustCompile(`<(?:input|select|textarea|button)\b[^>]*\bname="([^"]*)"`).FindAllStringSubmatch(f[2], -1) {
			if !slices.Contains(covered, n[1]) && !slices.Contains(more, n[1]) {
				e.t.Errorf("%s: the form on %s has a field %q without hostile-input coverage", rt.Pattern, page, n[1])
			}
		}
	}
	if !found {
		e.t.Errorf("%s: no form posting to %s on %s (status %d)", rt.Pattern, action, page, r.status)
	}
}

// checkCoverage fails when a route missed a category it must get.
func (e *hostile) checkCoverage() {
	for _, rt := range e.f.web.Routes() {
		method, _, _ := strings.Cut(rt.Pattern, " ")
		need := slices.Clone(valueCats)
		if method != "GET" {
			need = append(need, bodyCats...)
		}
		if rt.API && method != "GET" {
			need = append(need, jsonCats...)
		}
		for _, cat := range need {
			if e.cover[rt.Pattern][cat] == 0 {
				e.t.Errorf("route %s has no hostile-input coverage for %s", rt.Pattern, cat)
			}
		}
	}
}

// checkMetrics confirms, from the server's own metrics, that the requests
// reached every route's handler rather than some other route.
func (e *hostile) checkMetrics() {
	a := e.agent(e.h)
	a.addr = "127.0.0.1:40000"
	r := e.setup(a, "GET", "/metrics", nil)
	seen := map[string]bool{}
	re := regexp.MustCompile(`haven_http_requests_total\{method="[^"]*",route="([^"]*)",status="[^"]*"\} (\d+)`)
	for _, m := range re.FindAllStringSubmatch(r.body, -1) {
		if m[2] != "0" {
			seen[m[1]] = true
		}
	}
	for _, rt := range e.f.web.Routes() {
		if !seen[rt.Pattern] {
			e.t.Errorf("route %s was never reached by a hostile request", rt.Pattern)
		}
	}
}

// scanForCanaries fails when identifying text accepted during the run is
// stored in clear anywhere, or written to the log.
func (e *hostile) scanForCanaries() {
	for _, tb := range e.tables {
		testenv.EachRow(e.t, e.db, func(cols []string, vals []any) {
			for i, v := range vals {
				if strings.Contains(testenv.Text(v), "hvcanary") {
					e.fail("canary|"+tb+"."+cols[i], "identifying text stored in clear in %s.%s", tb, cols[i])
				}
			}
		}, `SELECT * FROM `+quoteIdent(tb))
	}
	if strings.Contains(e.logs.String(), "hvcanary") {
		e.t.Error("identifying text written to the server log")
	}
}

// report logs the coverage table: routes × categories, with request counts.
func (e *hostile) report() {
	cats := append(append(append([]string{}, valueCats...), bodyCats...), catHeader)
	cats = append(cats, jsonCats...)
	var b strings.Builder
	fmt.Fprintf(&b, "hostile-input coverage (requests per route and category):\n%-34s", "route")
	for _, c := range cats {
		fmt.Fprintf(&b, " %s", c)
	}
	b.WriteString("\n")
	for _, rt := range e.f.web.Routes() {
		fmt.Fprintf(&b, "%-34s", rt.Pattern)
		for _, c := range cats {
			n := e.cover[rt.Pattern][c]
			cell := "-"
			if n > 0 {
				cell = strconv.Itoa(n)
			}
			fmt.Fprintf(&b, " %*s", len(c), cell)
		}
		b.WriteString("\n")
	}
	e.t.Log(b.String())
	for k, n := range e.reported {
		if n > 2 {
			e.t.Logf("%s: %d more failures of the same kind", k, n-2)
		}
	}
}

// ---- casework ----

// caseForHostile is a case of the competent authority's jurisdiction.
func (e *hostile) caseForHostile() (id string, version int64) {
	ctx := context.Background()
	ca, err := e.db.UserByUsername(ctx, e.f.creds[access.CompetentAuthority].Username)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.R().QueryRowContext(ctx, `SELECT c.id, c.version FROM cases c JOIN agencies a ON a.id = c.agency_id
		WHERE a.jurisdiction_id = $1 AND c.status = 'Active' ORDER BY c.id LIMIT 1`, ca.JurisdictionID).Scan(&id, &version); err != nil {
		e.t.Fatal(err)
	}
	return id, version
}

// commandBase is a plausible body for a case command: the versions as they
// stand, and a code-like value for every other field.
func (e *hostile) commandBase(name, caseID string, version int64) url.Values {
	fields, ok := web.CaseCommandFields(name)
	if !ok {
		e.t.Fatalf("no case command %s", name)
	}
	base := url.Values{}
	for _, f := range fields {
		switch f {
		case "version":
			base.Set(f, strconv.FormatInt(version, 10))
		case "support_version", "handover_version", "task_version", "investigation_version":
			base.Set(f, "0")
		case "language":
			base.Set(f, "ne")
		case "date", "new_end", "target_date", "held_on", "due", "action_due", "opened_on", "appointed_on":
			base.Set(f, "2026-01-15")
		default:
			base.Set(f, "x")
		}
	}
	return base
}

// caseCommand sends hostile values into every field of a case form, and
// checks that the forms the case page shows name no field the corpus
// misses.
func (e *hostile) caseCommand(rt web.Route) {
	name := rt.Pattern[strings.LastIndex(rt.Pattern, "/")+1:]
	caseID, version := e.caseForHostile()
	a := e.as(access.CompetentAuthority)
	target := "/cases/" + caseID + "/" + name
	base := e.commandBase(name, caseID, version)
	fields, _ := web.CaseCommandFields(name)
	page := "/cases/" + caseID
	if web.HasFormPage(name) {
		page = target
	}
	e.checkFormFieldsIfShown(rt, a, page, target, fields)
	o := fieldOpts{route: rt.Pattern, target: target, agent: func() *agent { return a }, base: base, fields: fields, writes: true, rotate: len(fields) > 6}
	e.fields(o)
	e.bodies(o)
	e.idValues(rt, a, base)
}

// caseCheck sends hostile values to a legal decision's check step: the
// page shows them back (escaped) and nothing is written.
func (e *hostile) caseCheck(rt web.Route) {
	name := strings.TrimSuffix(rt.Pattern[len("POST /cases/{id}/"):], "/check")
	caseID, version := e.caseForHostile()
	a := e.as(access.CompetentAuthority)
	target := "/cases/" + caseID + "/" + name + "/check"
	fields, _ := web.CaseCommandFields(name)
	e.checkFormFieldsIfShown(rt, a, "/cases/"+caseID+"/"+name, target, fields)
	o := fieldOpts{route: rt.Pattern, target: target, agent: func() *agent { return a }, base: e.commandBase(name, caseID, version), fields: fields}
	e.fields(o)
	e.bodies(o)
	e.idValues(rt, a, o.base)
}

// apiCaseCommand sends hostile JSON to a case command.
func (e *hostile) apiCaseCommand(rt web.Route) {
	name := rt.Pattern[strings.LastIndex(rt.Pattern, "/")+1:]
	caseID, version := e.caseForHostile()
	fields, _ := web.CaseCommandFields(name)
	base := map[string]any{}
	var sf []reflect.StructField
	for f, vs := range e.commandBase(name, caseID, version) {
		base[f] = vs[0]
		sf = append(sf, reflect.StructField{Name: "F" + strconv.Itoa(len(sf)), Type: reflect.TypeOf(""), Tag: reflect.StructTag(`json:"` + f + `"`)})
	}
	if len(fields) == 0 {
		base["note"] = "x" // an unknown field, refused: the body is not empty
	}
	e.jsonFields(jsonOpts{route: rt.Pattern, target: "/api/v1/cases/" + caseID + "/" + name, agent: e.bearerAgent(), base: sortedJSON(base),
		of: reflect.StructOf(sf), writes: true, strictType: true, mayRefuse: true})
	e.idValues(rt, e.bearerAgent(), nil)
}

// bearerAgent is an API client with the competent authority's token.
func (e *hostile) bearerAgent() *agent {
	a := e.agent(e.h)
	a.bearer = e.authorityToken()
	return a
}

// authorityToken creates, once, an API token of the competent authority.
func (e *hostile) authorityToken() string {
	if e.caToken != "" {
		return e.caToken
	}
	ctx := context.Background()
	u, err := e.db.UserByUsername(ctx, e.f.creds[access.CompetentAuthority].Username)
	if err != nil {
		e.t.Fatal(err)
	}
	tok, err := e.f.web.IssueTokenForTest(ctx, e.f.db, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	e.caToken = tok
	e.last = nil
	return tok
}

// directoryForm sends hostile values into the service directory's forms.
func (e *hostile) directoryForm(rt web.Route) {
	a := e.as(access.AgencyAdmin)
	target := pathOf(rt.Pattern)
	var fields []string
	base := url.Values{}
	switch target {
	case "/services/organizations":
		fields = []string{"name", "description"}
		base.Set("name", "Hostile organisation")
	case "/services/locations":
		fields = []string{"organization", "name", "confidential", "area", "address_1", "city", "region", "postal_code", "country"}
		base = url.Values{"organization": {e.hostileOrganization()}, "name": {"Safe house"}, "confidential": {"true"}, "area": {"Ward 9"},
			"address_1": {"1 Hidden Lane"}, "city": {"Pokhara"}, "country": {"NP"}}
	case "/services/services":
		fields = []string{"organization", "type", "name", "description", "status", "languages", "capacity_total", "capacity_available", "unit", "location",
			"for_whom", "min_age", "max_age", "eligibility_description"}
		base = url.Values{"organization": {e.hostileOrganization()}, "type": {"medical"}, "name": {"Clinic"}, "status": {"active"},
			"languages": {"ne"}, "capacity_total": {"4"}, "capacity_available": {"2"}, "unit": {"places"}}
	}
	e.checkFormFieldsIfShown(rt, a, "/services", target, fields)
	o := fieldOpts{route: rt.Pattern, target: target, agent: func() *agent { return a }, base: base, fields: fields, writes: true,
		identity: map[string]bool{"address_1": target == "/services/locations"}}
	e.fields(o)
	e.bodies(o)
}

// hostileOrganization is an organisation of the agency administrator's
// agency, made once.
func (e *hostile) hostileOrganization() string {
	if e.orgID != "" {
		return e.orgID
	}
	ctx := context.Background()
	u, err := e.db.UserByUsername(ctx, e.f.creds[access.AgencyAdmin].Username)
	if err != nil {
		e.t.Fatal(err)
	}
	e.orgID = store.NewID()
	if err := e.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
		return tx.InsertHSDSOrganization(ctx, store.HSDSOrganization{ID: e.orgID, AgencyID: u.AgencyID, Name: "Hostile test organisation", CreatedAt: 1})
	}); err != nil {
		e.t.Fatal(err)
	}
	e.last = nil
	return e.orgID
}

// checkFormFieldsIfShown is checkFormFields for forms a page shows only in
// some states of the record.
func (e *hostile) checkFormFieldsIfShown(rt web.Route, a *agent, page, action string, covered []string) {
	r := e.setup(a, "GET", page, nil)
	if !strings.Contains(r.body, `action="`+action+`"`) {
		return
	}
	e.checkFormFields(rt, a, page, action, covered)
}

// localgovForm sends hostile values into a local government's forms, as
// its officer; the names of trained staff and of the focal point are
// identifying data (canaries: never stored in clear).
func (e *hostile) localgovForm(rt web.Route) {
	a := e.as(access.LocalGovOfficer)
	target := pathOf(rt.Pattern)
	page := "/localgov"
	var fields []string
	base := url.Values{}
	identity := map[string]bool{}
	refuse := false
	switch target {
	case "/localgov/profile":
		fields = []string{"version", "city", "jurisdiction", "population", "vulnerabilities", "flows", "focal_point", "focal_office", "committee"}
		base = url.Values{"version": {"1"}, "city": {"Hostile city"}, "population": {"1000"}, "vulnerabilities": {"poverty"}, "flows": {"rural_urban"}}
		identity["focal_point"] = true
	case "/localgov/records":
		fields = []string{"kind", "title", "category", "started_on", "ended_on", "reach", "cost", "languages", "channels", "places", "topics",
			"pre_score", "post_score", "staff_names", "findings", "parties", "scopes", "renew_on", "status"}
		base = url.Values{"kind": {"training"}, "title": {"Hostile training"}, "category": {"police"}, "started_on": {"2026-01-02"}, "reach": {"3"}}
		identity["staff_names"] = true
	case "/localgov/plan/items":
		page = "/localgov/plan"
		fields = []string{"pillar", "objective", "title", "owner", "budget", "deadline", "indicator", "baseline", "target", "recommendation"}
		base = url.Values{"pillar": {"prevention"}, "objective": {"Hostile objective"}, "title": {"Hostile activity"}, "owner": {"Ward"},
			"deadline": {"2027-01-01"}, "indicator": {"LG-02"}, "target": {"4"}}
	case "/localgov/plan/reviews":
		page = "/localgov/plan"
		fields = []string{"reviewed_on", "summary"}
		base = url.Values{"reviewed_on": {"2026-02-02"}, "summary": {"Hostile review"}}
	case "/localgov/assessment":
		page = "/localgov/assessment"
		fields = []string{"year"}
		base = url.Values{"year": {"2026"}}
		for _, q := range threep.Questions {
			fields = append(fields, "q."+q.Code)
			base.Set("q."+q.Code, "yes")
		}
		for _, p := range threep.Pillars {
			fields = append(fields, "evidence."+string(p))
		}
	case "/cityshare/publish":
		// The form has no field: hostile values in one it does not
		// have are ignored.
		page = "/cityshare"
		fields = []string{"note"}
	case "/cityshare/import":
		page = "/cityshare"
		fields = []string{"document"}
		base = url.Values{"document": {`{"format":"haven.cityshare.signed/1"}`}}
		refuse = true
	case "/cityshare/adopt":
		page = "/cityshare"
		fields = []string{"profile", "practice", "title", "objective", "owner", "deadline", "indicator", "baseline", "target"}
		base = url.Values{"profile": {"library"}, "practice": {"jeju-city-to-city"}, "objective": {"Hostile objective"}, "owner": {"Ward"},
			"deadline": {"2027-01-01"}, "indicator": {"LG-07"}, "target": {"12"}}
	}
	if target != "/cityshare/publish" {
		e.checkFormFieldsIfShown(rt, a, page, target, fields)
	}
	o := fieldOpts{route: rt.Pattern, target: target, agent: func() *agent { return a }, base: base, fields: fields, writes: !refuse,
		refuse: refuse, identity: identity}
	e.fields(o)
	e.bodies(o)
}

// apiLocalGov sends hostile JSON to the local government's records API
// with its officer's token.
func (e *hostile) apiLocalGov(rt web.Route) {
	if e.lgToken == "" {
		ctx := context.Background()
		u, err := e.db.UserByUsername(ctx, e.f.creds[access.LocalGovOfficer].Username)
		if err != nil {
			e.t.Fatal(err)
		}
		if e.lgToken, err = e.f.web.IssueTokenForTest(ctx, e.f.db, u.ID); err != nil {
			e.t.Fatal(err)
		}
		e.last = nil
	}
	a := e.agent(e.h)
	a.bearer = e.lgToken
	if strings.HasSuffix(rt.Pattern, "/progress") {
		item, version := e.hostilePlanItem()
		base := `{"version":"` + version + `","value":"1","evidence":"Hostile evidence","recorded_on":"2026-02-02"}`
		e.jsonFields(jsonOpts{route: rt.Pattern, target: "/api/v1/localgov/plan/items/" + item + "/progress", agent: a, base: base,
			of: reflect.TypeOf(localgov.ProgressInput{}), writes: true, strictType: true, mayRefuse: true})
		e.idValues(rt, a, nil)
		return
	}
	base := `{"kind":"training","title":"Hostile API training","category":"police","started_on":"2026-01-02","ended_on":"","reach":"3","cost":"",` +
		`"languages":["en"],"channels":["radio"],"places":"","topics":["referral"],"pre_score":"","post_score":"","staff_names":"","findings":"","parties":"",` +
		`"scopes":["referral"],"renew_on":"","status":""}`
	e.jsonFields(jsonOpts{route: rt.Pattern, target: "/api/v1/localgov/records", agent: a, base: base, of: reflect.TypeOf(localgov.RecordInput{}),
		writes: true, strictType: true, identity: map[string]bool{"staff_names": true}})
}

// hostilePlanItem is an open activity of the officer's local government
// (the demo's) and its version.
func (e *hostile) hostilePlanItem() (id, version string) {
	u, err := e.db.UserByUsername(context.Background(), e.f.creds[access.LocalGovOfficer].Username)
	if err != nil {
		e.t.Fatal(err)
	}
	var v int64
	if err := e.db.R().QueryRowContext(context.Background(), `SELECT id, version FROM localgov_plan_items WHERE agency_id=$1 AND status='open'
		ORDER BY deadline DESC, id LIMIT 1`, u.AgencyID).Scan(&id, &v); err != nil {
		e.t.Fatal(err)
	}
	return id, strconv.FormatInt(v, 10)
}

// localgovID sends hostile ids and fields to the forms on one record: an
// activity's progress, an invitation of a partner to it, a partner's
// contribution to it (as the shelter's staff, invited for the exercise),
// a comment on a peer's practice.
func (e *hostile) localgovID(rt web.Route) {
	a := e.as(access.LocalGovOfficer)
	var target string
	var fields []string
	var base url.Values
	switch {
	case strings.HasSuffix(rt.Pattern, "/partners"):
		item, _ := e.hostilePlanItem()
		target = "/localgov/plan/items/" + item + "/partners"
		fields = []string{"username"}
		base = url.Values{"username": {e.f.creds[access.CaseWorker].Username}}
	case strings.HasPrefix(rt.Pattern, "POST /localgov/contributions/"):
		item, version := e.hostilePlanItem()
		if r := e.setup(a, "POST", "/localgov/plan/items/"+item+"/partners", url.Values{"username": {e.f.creds[access.ShelterStaff].Username}}); r.status != http.StatusSeeOther {
			e.t.Fatalf("inviting the shelter's staff: %d", r.status)
		}
		a = e.as(access.ShelterStaff)
		target = "/localgov/contributions/" + item
		fields = []string{"version", "value", "evidence", "recorded_on"}
		base = url.Values{"version": {version}, "value": {"1"}, "evidence": {"Hostile evidence"}, "recorded_on": {"2026-02-02"}}
	case strings.HasSuffix(rt.Pattern, "/progress"):
		item, version := e.hostilePlanItem()
		target = "/localgov/plan/items/" + item + "/progress"
		fields = []string{"version", "value", "evidence", "recorded_on"}
		base = url.Values{"version": {version}, "value": {"1"}, "evidence": {"Hostile evidence"}, "recorded_on": {"2026-02-02"}}
	default:
		var profile, doc string
		if err := e.db.R().QueryRowContext(context.Background(), `SELECT id, document FROM cityshare_profiles WHERE city='Ulaanbaatar'`).Scan(&profile, &doc); err != nil {
			e.t.Fatal(err)
		}
		var d localgov.ProfileDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil || len(d.Practices) == 0 {
			e.t.Fatalf("the demo's Ulaanbaatar profile has no practice: %v", err)
		}
		target = "/cityshare/profiles/" + profile + "/comments"
		fields = []string{"practice", "body"}
		base = url.Values{"practice": {d.Practices[0].ID}, "body": {"Hostile peer review"}}
	}
	o := fieldOpts{route: rt.Pattern, target: target, agent: func() *agent { return a }, base: base, fields: fields, writes: true}
	e.fields(o)
	e.bodies(o)
	e.idValues(rt, a, base)
}

// adminForm sends hostile values into the administration forms: the
// system administrator's jurisdictions and agencies, the agency
// administrator's invitations and account changes (on an account of its
// own agency made for the exercise).
func (e *hostile) adminForm(rt web.Route) {
	method, pattern, _ := strings.Cut(rt.Pattern, " ")
	sys, agencyAdmin := e.as(access.SystemAdmin), e.as(access.AgencyAdmin)
	formFields := func(a *agent, page, action string) []string {
		r := e.setup(a, "GET", page, nil)
		var out []string
		for _, f := range regexp.MustCompile(`(?s)<form[^>]*\baction="([^"]*)"[^>]*>(.*?)</form>`).FindAllStringSubmatch(r.body, -1) {
			if f[1] != action {
				continue
			}
			for _, n := range regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*\bname="([^"]*)"`).FindAllStringSubmatch(f[2], -1) {
				if !slices.Contains(out, n[1]) {
					out = append(out, n[1])
				}
			}
		}
		return out
	}
	jurisdictionFields := []string{"name", "parent", "time_zone", "calendar", "legal_profile", "languages", "rg_working_days",
		"recovery_min_days", "negative_rg_review"}
	post := func(a *agent, target string, base url.Values, fields []string) {
		o := fieldOpts{route: rt.Pattern, target: target, agent: func() *agent { return a }, base: base, fields: fields, writes: true}
		e.fields(o)
		e.bodies(o)
	}
	switch pattern {
	case "/admin/jurisdictions":
		fields := append([]string{"code", "country"}, jurisdictionFields...)
		e.checkFormFields(rt, sys, pattern, pattern, fields)
		post(sys, pattern, url.Values{"code": {"NP-HX"}, "country": {"NP"}, "time_zone": {"Asia/Kathmandu"}}, fields)
	case "/admin/jurisdictions/{code}":
		if method == "GET" {
			e.pathValues(rt, sys, nil, "{code}")
			return
		}
		target := "/admin/jurisdictions/" + e.hostileJurisdiction()
		fields := append([]string{"version"}, jurisdictionFields...)
		e.checkFormFields(rt, sys, target, target, fields)
		post(sys, target, url.Values{"time_zone": {"Asia/Kathmandu"}}, fields)
		e.pathValues(rt, sys, url.Values{"time_zone": {"Asia/Kathmandu"}}, "{code}")
	case "/admin/jurisdictions/{code}/calendar":
		e.pathValues(rt, sys, nil, "{code}")
	case "/admin/jurisdictions/{code}/calendar/holidays", "/admin/jurisdictions/{code}/calendar/remove",
		"/admin/jurisdictions/{code}/calendar/import", "/admin/jurisdictions/{code}/calendar/sample":
		// The calendar page's forms: a holiday added or removed (the
		// version the page showed), an iCalendar file, the sample.
		code := e.hostileJurisdiction()
		page, target := "/admin/jurisdictions/"+code+"/calendar", strings.Replace(pattern, "{code}", code, 1)
		fields, base := map[string][]string{
			"holidays": {"version", "date", "name"}, "remove": {"version", "date"}, "import": {"file"}, "sample": nil,
		}[pattern[strings.LastIndex(pattern, "/")+1:]], url.Values{"version": {"0"}, "date": {"2031-01-02"}, "name": {"Hostile day"}}
		if strings.HasSuffix(pattern, "/remove") {
			// The remove forms appear once the calendar has a holiday.
			e.setup(sys, "POST", page+"/holidays", url.Values{"version": {"0"}, "date": {"2031-01-01"}, "name": {"Hostile day"}})
		}
		e.checkFormFields(rt, sys, page, target, fields)
		post(sys, target, base, fields)
		e.pathValues(rt, sys, base, "{code}")
	case "/admin/agencies":
		fields := formFields(sys, pattern, pattern)
		if !slices.Contains(fields, "name_ne") || !slices.Contains(fields, "designations") {
			e.t.Fatalf("agency form fields %v", fields)
		}
		post(sys, pattern, url.Values{"jurisdiction": {e.hostileJurisdiction()}, "kind": {"ngo"}, "name": {"Hostile agency"}}, fields)
	case "/admin/agencies/{id}":
		if method == "GET" {
			e.idValues(rt, sys, nil)
			return
		}
		target := "/admin/agencies/" + e.hostileAgency()
		fields := formFields(sys, target, target)
		if !slices.Contains(fields, "active") || !slices.Contains(fields, "version") {
			e.t.Fatalf("agency edit form fields %v", fields)
		}
		post(sys, target, url.Values{}, fields)
		e.idValues(rt, sys, url.Values{})
	case "/admin/users":
		fields := []string{"username", "display_name", "role", "agency_id", "email"}
		e.checkFormFields(rt, agencyAdmin, pattern, pattern, fields)
		post(agencyAdmin, pattern, url.Values{"username": {"hostile.invitee"}, "display_name": {"Invitee"}, "role": {"first_responder"}}, fields)
	default: // an account's role, disabling, enabling, second-factor reset
		id := e.hostileAccount()
		target := strings.Replace(pattern, "{id}", id, 1)
		var fields []string
		base := url.Values{}
		if strings.HasSuffix(pattern, "/role") {
			fields, base = []string{"role"}, url.Values{"role": {"first_responder"}}
		}
		post(agencyAdmin, target, base, fields)
		e.idValues(rt, agencyAdmin, base)
	}
}

// hostileJurisdiction is the code of a demo jurisdiction.
func (e *hostile) hostileJurisdiction() string { return e.firstJurisdiction().Code }

// firstJurisdiction is the demo's first jurisdiction.
func (e *hostile) firstJurisdiction() store.Jurisdiction {
	js, err := e.db.Jurisdictions(context.Background())
	if err != nil || len(js) == 0 {
		e.t.Fatal("no jurisdiction", err)
	}
	return js[0]
}

// hostileAgency is an agency made for the exercise, once.
func (e *hostile) hostileAgency() string {
	ctx := context.Background()
	if a, err := e.db.AgencyOfKind(ctx, e.hostileJurisdictionID(), "education"); err == nil {
		return a.ID
	}
	a := store.AgencySettings{Agency: store.Agency{ID: store.NewID(), JurisdictionID: e.hostileJurisdictionID(), Kind: "education", Name: "Hostile test agency", CreatedAt: 1},
		Names: "{}", Active: true}
	if err := e.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.InsertAgencySettings(ctx, a) }); err != nil {
		e.t.Fatal(err)
	}
	e.last = nil
	return a.ID
}

func (e *hostile) hostileJurisdictionID() string { return e.firstJurisdiction().ID }

// hostileAccount is an account of the agency administrator's agency made
// for the exercise (the case worker's agency is the administrator's).
func (e *hostile) hostileAccount() string {
	ctx := context.Background()
	u, err := e.db.UserByUsername(ctx, "hostile.account")
	if err != nil {
		e.user("hostile.account", access.CaseWorker)
		if u, err = e.db.UserByUsername(ctx, "hostile.account"); err != nil {
			e.t.Fatal(err)
		}
	}
	return u.ID
}

// apiAdmin sends hostile JSON to the administration's API, as the system
// administrator (jurisdictions, agencies) and the agency administrator
// (invitations), each with an API token of their own.
func (e *hostile) apiAdmin(rt web.Route) {
	_, pattern, _ := strings.Cut(rt.Pattern, " ")
	tokenAgent := func(role access.Role) *agent {
		ctx := context.Background()
		u, err := e.db.UserByUsername(ctx, e.f.creds[role].Username)
		if err != nil {
			e.t.Fatal(err)
		}
		tok, err := e.f.web.IssueTokenForTest(ctx, e.f.db, u.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		e.last = nil
		a := e.agent(e.h)
		a.bearer = tok
		return a
	}
	strs := func(base map[string]any) reflect.Type {
		var sf []reflect.StructField
		for _, f := range slices.Sorted(maps.Keys(base)) {
			sf = append(sf, reflect.StructField{Name: "F" + strconv.Itoa(len(sf)), Type: reflect.TypeOf(""), Tag: reflect.StructTag(`json:"` + f + `"`)})
		}
		return reflect.StructOf(sf)
	}
	send := func(a *agent, target string, base map[string]any, mayRefuse bool) {
		e.jsonFields(jsonOpts{route: rt.Pattern, target: target, agent: a, base: sortedJSON(base), of: strs(base), writes: true,
			strictType: true, mayRefuse: mayRefuse})
	}
	jurisdiction := map[string]any{"code": "NP-HY", "country": "NP", "name": "Hostile province", "parent": "", "time_zone": "Asia/Kathmandu",
		"calendar": "", "legal_profile": "", "languages": "ne", "rg_working_days": "", "recovery_min_days": "", "negative_rg_review": "", "version": ""}
	switch pattern {
	case "/api/v1/jurisdictions":
		send(tokenAgent(access.SystemAdmin), pattern, jurisdiction, true)
	case "/api/v1/jurisdictions/{code}":
		a := tokenAgent(access.SystemAdmin)
		delete(jurisdiction, "code")
		delete(jurisdiction, "country")
		send(a, "/api/v1/jurisdictions/"+e.hostileJurisdiction(), jurisdiction, true)
		e.pathValues(rt, a, nil, "{code}")
	case "/api/v1/agencies":
		send(tokenAgent(access.SystemAdmin), pattern, map[string]any{"jurisdiction": e.hostileJurisdiction(), "kind": "ngo", "name": "Hostile API agency",
			"contact": "", "active": "", "version": ""}, true)
	case "/api/v1/agencies/{id}":
		a := tokenAgent(access.SystemAdmin)
		send(a, "/api/v1/agencies/"+e.hostileAgency(), map[string]any{"jurisdiction": "", "kind": "", "name": "Renamed", "contact": "", "active": "", "version": ""}, true)
		e.idValues(rt, a, nil)
	case "/api/v1/users":
		send(tokenAgent(access.AgencyAdmin), pattern, map[string]any{"username": "hostile.api.invitee", "display_name": "Invitee", "role": "first_responder",
			"agency_id": "", "email": ""}, true)
	case "/api/v1/users/{id}/role":
		a := tokenAgent(access.AgencyAdmin)
		send(a, strings.Replace(pattern, "{id}", e.hostileAccount(), 1), map[string]any{"role": "first_responder"}, true)
		e.idValues(rt, a, nil)
	default: // disabling, enabling, a second-factor reset: no members,
		// so every member sent is refused; the corpus checks that the
		// refusals answer cleanly and write nothing.
		a := tokenAgent(access.AgencyAdmin)
		send(a, strings.Replace(pattern, "{id}", e.hostileAccount(), 1), map[string]any{"confirm": ""}, true)
		e.idValues(rt, a, nil)
	}
}

// releaseForm sends hostile values into the release desk's drafting form
// as the analyst: every field the form has, and the tables list the form
// builds from its dimension lists.
func (e *hostile) releaseForm(rt web.Route) {
	a := e.as(access.Analyst)
	fields := []string{"title", "table1", "table2", "table3", "table4", "period", "jurisdiction", "method", "epsilon", "tables"}
	e.checkFormFields(rt, a, "/statistics/releases", "/statistics/releases", fields)
	base := url.Values{"title": {"Hostile release"}, "table1": {"gender"}, "method": {"suppression"}}
	o := fieldOpts{route: rt.Pattern, target: "/statistics/releases", agent: func() *agent { return a }, base: base, fields: fields, writes: true}
	e.fields(o)
	e.bodies(o)
}

// releaseApprove sends hostile release ids to the approval as the
// competent authority.
func (e *hostile) releaseApprove(rt web.Route) {
	a := e.as(access.CompetentAuthority)
	e.idValues(rt, a, url.Values{})
	o := fieldOpts{route: rt.Pattern, target: "/statistics/releases/" + strings.Repeat("0", 32) + "/approve", agent: func() *agent { return a }, base: url.Values{}}
	e.bodies(o)
}

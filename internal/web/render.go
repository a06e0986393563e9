package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/localgov"
	"github.com/haven-nrm/haven/internal/vocab"
)

//go:embed templates static
var assets embed.FS

// Errors the handlers return; the adapter maps them to pages.
var (
	errNotFound        = errs.E(errs.NotFound, "no such page")
	errForbidden       = errs.E(errs.Forbidden, "access denied")
	errUnauthenticated = errs.E(errs.Unauthenticated, "sign-in required")
	errCSRF            = &errs.Error{Kind: errs.Forbidden, Key: "error.csrf", Err: errors.New("cross-origin request refused")}
	errTooLarge        = &errs.Error{Kind: errs.Invalid, Key: "error.too_large", Err: errors.New("request body too large")}
	errTooMany         = errs.E(errs.TooMany, "rate limit")
	errInternal        = errs.E(errs.Internal, "internal error")
)

// statusOf is the one table from error kinds to HTTP statuses and message
// keys.
var statusOf = map[errs.Kind]struct {
	code int
	key  string
}{
	errs.Internal:        {http.StatusInternalServerError, "error.internal"},
	errs.Invalid:         {http.StatusBadRequest, "error.bad_request"},
	errs.NotFound:        {http.StatusNotFound, "error.not_found"},
	errs.Conflict:        {http.StatusConflict, "error.bad_request"},
	errs.Forbidden:       {http.StatusForbidden, "error.forbidden"},
	errs.Unauthenticated: {http.StatusUnauthorized, "error.forbidden"},
	errs.TooMany:         {http.StatusTooManyRequests, "error.too_many_requests"},
	errs.Unavailable:     {http.StatusServiceUnavailable, "error.unavailable"},
	errs.Full:            {http.StatusInsufficientStorage, "error.storage_full"},
}

// page is what every template receives.
type page struct {
	L      *i18n.Localizer
	User   *accounts.User
	Demo   bool
	MFAOff bool // second factors are not enforced (the demo)
	Nav    []navItem
	Active string
	Title  string // translation key
	// TitleDetail follows the title (a case's or referral's reference),
	// so that every page's title is its own; TitleError starts it with
	// "Error:" when the page shows a form's errors.
	TitleDetail string
	TitleError  bool
	// IdleSeconds is how long a session lasts unused: the page warns
	// before it ends.
	IdleSeconds int
	Path        string // current path, for the language switcher's return
	RequestID   string
	Version     string
	Data        any
	// LangOptions and NavItems are the language switcher's options and
	// the navigation's items, written in Go: every page has them.
	LangOptions, NavItems template.HTML
}

type navItem struct {
	Key, Href, ID string
}

// navigation lists the capabilities; each appears only to roles the access
// policy lets in.
var navigation = []struct {
	navItem
	action access.Action
}{
	{navItem{"nav.home", "/", "home"}, access.ViewHome},
	{navItem{"nav.referrals", "/referrals", "referrals"}, access.ListReferrals},
	{navItem{"nav.queue", "/queue", "queue"}, access.ViewQueue},
	{navItem{"nav.work", "/work", "work"}, access.ViewMyWork},
	{navItem{"nav.cases", "/cases", "cases"}, access.ListCases},
	{navItem{"nav.screening", "/screening", "screening"}, access.UseScreening},
	{navItem{"nav.services", "/services", "services"}, access.ViewServices},
	{navItem{"nav.statistics", "/statistics", "statistics"}, access.ViewStatistics},
	{navItem{"release.title", "/releases", "releases"}, access.ViewReleases},
	{navItem{"trm.nav", "/trm", "trm"}, access.ViewTRMInbox},
	{navItem{"localgov.nav", "/localgov", "localgov"}, access.ViewLocalGov},
	{navItem{"cityshare.nav", "/cityshare", "cityshare"}, access.ViewCityShare},
	{navItem{"nav.administration", "/admin", "admin"}, access.ViewAdminHome},
}

// constMessage is a message asked for by a constant key with no
// arguments, e.g. {{.L.T "case.title"}}: the same text on every page in
// one language.
var constMessage = regexp.MustCompile(`\{\{(?:\$|\$\.|\.)L\.T "([a-z0-9_.\-]+)"\}\}`)

// pageSets holds the parsed pages per language. Templates are embedded and
// messages do not change while Haven runs, so a language's set is parsed
// once per process, when first used.
var pageSets sync.Map // language tag → func() (map[string]*template.Template, error)

// pagesIn returns the pages with the constant messages of L's language
// written into the template text. A page asks for around a hundred
// constant messages; as text they cost nothing at render time, where each
// action is a reflective call. Every message is still in the catalogue,
// and the template source still names its key.
func pagesIn(L *i18n.Localizer) (map[string]*template.Template, error) {
	f, _ := pageSets.LoadOrStore(L.Tag(), sync.OnceValues(func() (map[string]*template.Template, error) {
		return parseTemplates(L)
	}))
	return f.(func() (map[string]*template.Template, error))()
}

func parseTemplates(L *i18n.Localizer) (map[string]*template.Template, error) {
	names, err := fs.Glob(assets, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	shared, err := fs.Glob(assets, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	shared = append([]string{"templates/layout.html"}, shared...)
	out := map[string]*template.Template{}
	for _, n := range names {
		t := template.New(path.Base(n)).Funcs(templateFuncs)
		for _, file := range slices.Concat(shared, []string{n}) {
			src, err := fs.ReadFile(assets, file)
			if err != nil {
				return nil, err
			}
			// As in ParseFS: the page's own file is the root template;
			// New with the root's name would replace it with an empty one.
			tmpl := t
			if file != n {
				tmpl = t.New(path.Base(file))
			}
			if _, err := tmpl.Parse(withMessages(string(src), L)); err != nil {
				return nil, fmt.Errorf("template %s: %w", file, err)
			}
		}
		out[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return out, nil
}

// withMessages writes constant messages into a template's text, escaped
// for HTML: they sit in text or in quoted attributes, never in a script,
// style or URL (TestConstantMessagesInTextOnly). A message that looks like
// template syntax stays an action.
func withMessages(src string, L *i18n.Localizer) string {
	return constMessage.ReplaceAllStringFunc(src, func(m string) string {
		msg := L.T(constMessage.FindStringSubmatch(m)[1])
		if strings.Contains(msg, "{{") || strings.Contains(msg, "}}") {
			return m
		}
		return template.HTMLEscapeString(msg)
	})
}

// adoptForm is the data of the "cs-adopt" partial.
type adoptForm struct {
	L                            *i18n.Localizer
	Profile, Practice, Title, ID string
	Indicators                   []localgov.Indicator
}

// progressForm is the data of the "lg-progress-fields" partial: the
// fields of a progress record on the activity Item, their element ids
// starting with Prefix.
type progressForm struct {
	L                   *i18n.Localizer
	Prefix, Item, Today string
}

var templateFuncs = template.FuncMap{
	"millis": fromMillis,
	// int64ms is an instant in the stored form, to compare with one.
	"int64ms": toMillis,
	// underscore makes a code with spaces a key part.
	"underscore": func(s string) string { return strings.ReplaceAll(s, " ", "_") },
	// split splits a stored comma-separated list of codes.
	"split": func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, ",")
	},
	"int":   func(n int64) int { return int(n) },
	"int64": func(n int) int64 { return int64(n) },
	"sub1":  func(n int) int { return n - 1 },
	// langsIn lists the languages a multiple choice offers, with those of
	// the current list (codes separated by commas or spaces) it lacks.
	"langsIn": func(current string) []string {
		out := slices.Clone(vocab.Languages)
		for _, c := range strings.FieldsFunc(current, func(r rune) bool { return r == ',' || r == ' ' }) {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
		return out
	},
	// inList reports whether code is in a list of codes separated by
	// commas or spaces.
	"inList": func(list, code string) bool {
		return slices.Contains(strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }), code)
	},
	// langSelect is the data of a language list (template language_select).
	"langSelect": func(L *i18n.Localizer, id, name, current string) map[string]any {
		return map[string]any{"L": L, "ID": id, "Name": name, "Current": current}
	},
	// langs lists the languages a form offers, shown by their names in the
	// reader's language, with the current value kept when it is not one of
	// them.
	"langs": func(current string) []string {
		if current == "" || slices.Contains(vocab.Languages, current) {
			return vocab.Languages
		}
		return append([]string{current}, vocab.Languages...)
	},
	// code is the catalogue key of a code's label in a code list.
	"code": func(list, code string) string { return "code." + list + "." + code },
	// sel reports whether a checkbox is ticked.
	"sel": func(m map[string]bool, list, code string) bool { return m[list+":"+code] },
	// adoptOf is the data of the form that adopts a peer's practice or a
	// library entry into the action plan.
	"adoptOf": func(L *i18n.Localizer, profile, practice, title, id string) adoptForm {
		if id == "" {
			id = practice
		}
		return adoptForm{L: L, Profile: profile, Practice: practice, Title: title, ID: profile + "-" + id, Indicators: localgov.Indicators}
	},
	"progressOf": func(L *i18n.Localizer, prefix, item, today string) progressForm {
		return progressForm{L: L, Prefix: prefix, Item: item, Today: today}
	},
	"deref64": func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	},
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
}

// localizer picks the language: the signed-in user's choice, then the
// language cookie, then the browser's Accept-Language, then the default.
func (s *Server) localizer(r *http.Request) *i18n.Localizer {
	var prefs []string
	if u := currentUser(r); u != nil && u.Language != "" {
		prefs = append(prefs, u.Language)
	}
	if c, err := r.Cookie(langCookie); err == nil {
		prefs = append(prefs, c.Value)
	}
	prefs = append(prefs, r.Header.Get("Accept-Language"))
	L := s.I18n.Match(prefs...)
	if u := currentUser(r); u != nil && u.JurisdictionID != "" {
		// Times are stored in UTC and shown in the zone of the reader's
		// jurisdiction: every page formats them through L.
		L = L.In(s.zoneOf(r.Context(), u.JurisdictionID))
	}
	return L
}

// zones caches the time zone of each jurisdiction's IANA name.
var zones sync.Map // string → *time.Location

// zoneOf is the time zone of a jurisdiction (UTC when it cannot be read:
// a page still shows, with times marked by their zone).
func (s *Server) zoneOf(ctx context.Context, jurisdictionID string) *time.Location {
	j, err := s.cases.Jurisdiction(ctx, jurisdictionID)
	if err != nil || j.Timezone == "" {
		return time.UTC
	}
	if loc, ok := zones.Load(j.Timezone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(j.Timezone)
	if err != nil {
		return time.UTC
	}
	zones.Store(j.Timezone, loc)
	return loc
}

func (s *Server) newPage(r *http.Request, title, active string, data any) *page {
	p := principal(r)
	var nav []navItem
	if !p.Anonymous() {
		for _, n := range navigation {
			if n.ID == "trm" && s.Services.TRM == nil {
				continue // no country: no cross-border exchange
			}
			if access.Allowed(n.action, p, access.Resource{}) {
				nav = append(nav, n.navItem)
			}
		}
	}
	L := s.localizer(r)
	return &page{
		LangOptions: langOptions(L, s.I18n.Languages()), NavItems: navItems(L, nav, active),
		L: L, User: currentUser(r), Demo: s.Config.Demo, MFAOff: s.Config.MFAOptional,
		Nav: nav, Active: active, Title: title, Path: r.URL.Path, RequestID: requestInfoFrom(r.Context()).id,
		Version: s.Version, Data: data, IdleSeconds: int(accounts.SessionIdle / time.Second),
	}
}

// langOptions writes the language switcher's options, the reader's
// language selected.
func langOptions(L *i18n.Localizer, langs []i18n.Language) template.HTML {
	var f frag
	for _, l := range langs {
		f.m(`<option value="`).text(l.Tag).m(`" lang="`).text(l.Tag).m(`"`)
		if l.Tag == L.Tag() {
			f.m(" selected")
		}
		f.m(">").text(l.Name).m("</option>\n")
	}
	return f.html()
}

// navItems writes the navigation's items, the active one marked.
func navItems(L *i18n.Localizer, nav []navItem, active string) template.HTML {
	var f frag
	for _, n := range nav {
		f.m(`<li><a href="`).text(n.Href).m(`"`)
		if n.ID == active {
			f.m(` aria-current="page"`)
		}
		f.m(">").text(L.T(n.Key)).m("</a></li>\n")
	}
	return f.html()
}

// render executes a page into a buffer first, so a template error never
// sends half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, p *page) error {
	return s.renderAfter(w, status, name, p, nil)
}

// renderAfter is render for a page whose views are being audited: the
// page is prepared while they commit and sent only when ready (their
// commit) returns nil.
func (s *Server) renderAfter(w http.ResponseWriter, status int, name string, p *page, ready func() error) error {
	pages, err := pagesIn(p.L)
	if err != nil {
		return err
	}
	t, ok := pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	err = t.ExecuteTemplate(buf, "layout", p)
	if ready != nil {
		// Whatever happened to the page, the views must have committed
		// before anything is sent, and their failure wins.
		if rerr := ready(); rerr != nil {
			return rerr
		}
	}
	if err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	// A failed write means the client has gone: the answer was already
	// started and nothing more can be told, so it is not an error page.
	_, _ = w.Write(buf.Bytes())
	return nil
}

// pageBuffers keeps the buffers pages are rendered into: a page is tens
// of kilobytes, and growing a fresh buffer to that size for every request
// was a measurable part of a busy page's CPU (the statistics page at 32
// clients, haven bench --stats).
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 { // an unusually large page: let it go
		return
	}
	b.Reset()
	pageBuffers.Put(b)
}

// renderFragment executes one named template (no layout), for the live
// parts of pages that scripts refresh.
func (s *Server) renderFragment(w http.ResponseWriter, name string, p *page) error {
	pages, err := pagesIn(p.L)
	if err != nil {
		return err
	}
	t := pages["referral_new"]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(buf.Bytes())
	return err
}

// adapt turns a handlerFunc into an http.Handler that renders its error.
func (s *Server) adapt(api bool, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderErrorAPI(w, r, api, err)
		}
	})
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	// The peer inbox is a machine's endpoint too: its refusals are JSON.
	s.renderErrorAPI(w, r, strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/federation/"), err)
}

// renderErrorAPI logs the cause (internal errors only; the text may name
// internals but never personal data, which store errors do not carry) and
// shows a translated message that leaks nothing.
func (s *Server) renderErrorAPI(w http.ResponseWriter, r *http.Request, api bool, err error) {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		err = errTooLarge
	}
	kind := errs.KindOf(err)
	st := statusOf[kind]
	key := st.key
	var e *errs.Error
	if errors.As(err, &e) && e.Key != "" {
		key = e.Key
	}
	ri := requestInfoFrom(r.Context())
	if n := errs.RetryAfter(kind); n > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(n))
	}
	if kind == errs.Internal || kind == errs.Unavailable || kind == errs.Full {
		s.Logger.Error("request failed", "request_id", ri.id, "route", ri.route, "kind", kind.String(), "error", err.Error())
	}
	L := s.localizer(r)
	msg := L.T(key, "Ref", ri.id)
	if api {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(st.code)
		body := map[string]any{"error": map[string]any{"code": kind.String(), "message": msg, "request_id": ri.id}}
		if e != nil && e.Field != "" {
			body["error"].(map[string]any)["field"] = e.Field
		}
		_ = json.NewEncoder(w).Encode(body)
		return
	}
	data := map[string]any{"Message": msg, "Status": st.code}
	if errors.Is(err, errCaseNotAvailable) && access.Allowed(access.BreakGlass, principal(r), access.Resource{}) {
		data["BreakGlassURL"] = "/cases/" + r.PathValue("id") + "/break-glass"
	}
	p := s.newPage(r, "error.title", "", data)
	if rerr := s.render(w, st.code, "error", p); rerr != nil {
		s.Logger.Error("error page failed", "request_id", ri.id, "error", rerr.Error())
		http.Error(w, http.StatusText(st.code), st.code)
	}
}

// Instants are stored as Unix milliseconds; templates turn them into times
// and back with these.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func toMillis(t time.Time) int64 { return t.UTC().UnixMilli() }

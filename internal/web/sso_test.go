package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/services"
	"github.com/haven-nrm/haven/internal/sso"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// The tests of this file sign in through a real OpenID provider: the op
// package of github.com/zitadel/oidc, with the example storage its module
// ships, served on loopback. Only the provider's login screen is the
// test's own (it signs in the user the test names); discovery, the
// authorization endpoint, PKCE, the token endpoint, signing and the keys
// are the library's.

// idpUser is a person at the identity provider.
type idpUser struct {
	storage.User
	Groups []string
	AMR    []string
}

type idpUsers map[string]*idpUser

func (u idpUsers) GetUserByID(id string) *storage.User {
	if x, ok := u[id]; ok {
		return &x.User
	}
	return nil
}

func (u idpUsers) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return &x.User
		}
	}
	return nil
}

func (u idpUsers) ExampleClientID() string { return "service" }

// idpStorage is the example storage with what Haven's mapping reads added
// to the ID token: the user's groups and the authentication methods
// (amr). life, when set, is the lifetime of the ID tokens it issues (a
// negative one issues expired tokens).
type idpStorage struct {
	*storage.Storage
	users idpUsers
	life  atomic.Int64
}

type idpClient struct {
	op.Client
	life time.Duration
}

func (c idpClient) IDTokenLifetime() time.Duration {
	if c.life != 0 {
		return c.life
	}
	return c.Client.IDTokenLifetime()
}

// The claims of the profile and e-mail scopes go into the ID token, as
// Keycloak and Entra ID put them there.
func (c idpClient) IDTokenUserinfoClaimsAssertion() bool { return true }

func (s *idpStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return idpClient{Client: c, life: time.Duration(s.life.Load())}, nil
}

func (s *idpStorage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	if u, ok := s.users[req.GetSubject()]; ok && u.Groups != nil {
		ui.AppendClaims("groups", u.Groups)
	}
	return nil
}

type amrRequest struct {
	op.AuthRequest
	amr []string
}

func (r amrRequest) GetAMR() []string { return r.amr }

func (s *idpStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.Storage.AuthRequestByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if u, ok := s.users[r.GetSubject()]; ok && u.AMR != nil {
		return amrRequest{AuthRequest: r, amr: u.AMR}, nil
	}
	return r, nil
}

// idp is a running provider. It takes its issuer from the host it is
// reached at, so one provider, with one signing key, is both issuer
// (127.0.0.1) and altIssuer (localhost).
type idp struct {
	issuer, altIssuer string
	st                *idpStorage
	// who is the username its login screen signs in.
	mu  sync.Mutex
	who string
}

func (p *idp) signInAs(name string) { p.mu.Lock(); p.who = name; p.mu.Unlock() }

// startIDP serves a provider on loopback with web clients registered for
// Haven's callback.
func startIDP(t *testing.T, users idpUsers, callback string, clientIDs ...string) *idp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	clients := map[string]*storage.Client{}
	for _, id := range clientIDs {
		clients[id] = storage.WebClient(id, "secret-"+id, callback)
	}
	st := &idpStorage{Storage: storage.NewStorageWithClients(users, clients), users: users}
	cfg := &op.Config{CryptoKey: [32]byte{1, 7}, CodeMethodS256: true, AuthMethodPost: true,
		SupportedUILocales: []language.Tag{language.English}, DefaultLogoutRedirectURI: "/signed-out"}
	provider, err := op.NewProvider(cfg, st, op.IssuerFromHost(""), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{issuer: issuer, altIssuer: strings.Replace(issuer, "127.0.0.1", "localhost", 1), st: st}
	mux := http.NewServeMux()
	callbackOf := op.AuthCallbackURL(provider)
	mux.Handle("/login/username", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		who := p.who
		p.mu.Unlock()
		id := r.FormValue("authRequestID")
		if err := st.CheckUsernamePassword(who, "pw-"+who, id); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, callbackOf(r.Context(), id), http.StatusFound)
	}))
	mux.Handle("/", provider)
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return p
}

func person(id, username string, groups, amr []string) *idpUser {
	return &idpUser{User: storage.User{ID: id, Username: username, Password: "pw-" + username, FirstName: "Test", LastName: strings.ToUpper(id),
		Email: username + "@ministry.example", EmailVerified: true, PreferredLanguage: language.English}, Groups: groups, AMR: amr}
}

// tokenHook rewrites the id_token of token responses on their way to
// Haven, as someone between Haven and the provider might; capture keeps
// the last one seen.
type tokenHook struct {
	mu      sync.Mutex
	rewrite func(string) string
	last    string
}

func (h *tokenHook) set(f func(string) string) { h.mu.Lock(); h.rewrite = f; h.mu.Unlock() }
func (h *tokenHook) lastToken() string         { h.mu.Lock(); defer h.mu.Unlock(); return h.last }

func (h *tokenHook) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/oauth/token") || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	h.mu.Lock()
	if s, ok := m["id_token"].(string); ok {
		h.last = s
		if h.rewrite != nil {
			m["id_token"] = h.rewrite(s)
		}
	}
	h.mu.Unlock()
	b, _ = json.Marshal(m)
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// ssoFixture is Haven with demo data and the second factor required of
// every role but the analyst (the default), calling providers through hook.
type ssoFixture struct {
	srv   *httptest.Server
	db    *store.DB
	svc   *services.Set
	hook  *tokenHook
	admin access.Principal
	// agency and juris are the demo's NGO agency and its jurisdiction.
	agency, juris string
}

func newSSOFixture(t *testing.T, db *store.DB) *ssoFixture {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Generate(ctx, db, demo.Options{Seed: 3, Cases: 2, PasswordParams: &cheap}); err != nil {
		t.Fatal(err)
	}
	hook := &tokenHook{}
	ts, svc := serveServices(t, services.Options{DB: db, HTTPClient: &http.Client{Transport: hook, Timeout: 10 * time.Second}})
	f := &ssoFixture{srv: ts, db: db, svc: svc, hook: hook}
	users, err := db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Role == string(access.SystemAdmin) {
			f.admin = access.Principal{UserID: u.ID, Role: access.SystemAdmin, AgencyID: u.AgencyID, JurisdictionID: u.JurisdictionID}
		}
	}
	ags, err := db.Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ags {
		if a.Kind == "ngo" || f.agency == "" {
			f.agency, f.juris = a.ID, a.JurisdictionID
		}
	}
	return f
}

// addProvider registers a provider with Haven through the administration
// service, as the /admin/sso form does.
func (f *ssoFixture) addProvider(t *testing.T, name, issuer, clientID string, provision bool, mfa string) string {
	t.Helper()
	t.Setenv("HAVEN_SSO_"+strings.ToUpper(clientID), "secret-"+clientID)
	in := sso.ProviderInput{Name: name, JurisdictionID: f.juris, Issuer: issuer, ClientID: clientID,
		SecretEnv: "HAVEN_SSO_" + strings.ToUpper(clientID), Scopes: "openid profile email", MFAValues: mfa,
		Mapping: "groups haven-caseworkers " + f.agency + " case_worker\nemail_domain police.example " + f.agency + " police_investigator\n",
		Enabled: "1"}
	if provision {
		in.Provision = "1"
	}
	id, err := f.svc.SSO.Save(context.Background(), f.admin, in)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func ssoBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// toCallback begins a sign-in through provider id and follows the
// provider's redirects to the URL of Haven's callback, which it returns
// unrequested.
func (f *ssoFixture) toCallback(t *testing.T, c *http.Client, id string) string {
	t.Helper()
	next := f.srv.URL + "/sso/" + id + "/start"
	for range 10 {
		resp, err := c.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("GET %s: status %d, want a redirect", next, resp.StatusCode)
		}
		loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		next = loc.String()
		if strings.HasPrefix(next, f.srv.URL+sso.CallbackPath) {
			return next
		}
	}
	t.Fatal("no callback after ten redirects")
	return ""
}

func (f *ssoFixture) callback(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	return get(t, c, u)
}

// lastRefusal is the reason of the newest session.refused event.
func (f *ssoFixture) lastRefusal(t *testing.T) string {
	t.Helper()
	evs, err := f.db.AuditEvents(context.Background(), store.AuditFilter{Action: "session.refused", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		return ""
	}
	return evs[0].Reason
}

func (f *ssoFixture) userCount(t *testing.T) int {
	us, err := f.db.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(us)
}

func (f *ssoFixture) refused(t *testing.T, c *http.Client, cb string, status int, reason string) {
	t.Helper()
	resp, body := f.callback(t, c, cb)
	if resp.StatusCode != status {
		t.Fatalf("callback: status %d, want %d: %.300s", resp.StatusCode, status, body)
	}
	if got := f.lastRefusal(t); got != reason {
		t.Fatalf("refusal recorded as %q, want %q", got, reason)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "haven_session" && ck.Value != "" {
			t.Fatal("a refused sign-in set a session cookie")
		}
	}
}

// signedIn checks that the callback started a complete session.
func (f *ssoFixture) signedIn(t *testing.T, c *http.Client, cb string) {
	t.Helper()
	resp, body := f.callback(t, c, cb)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("callback: status %d to %q, want 303 to /: %.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	resp, body = get(t, c, f.srv.URL+"/api/v1/me")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("after sign-in /api/v1/me: %d %.200s", resp.StatusCode, body)
	}
}

func TestSSOSignInThroughRealProvider(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newSSOFixture(t, db)
		people := idpUsers{
			"u-alice": person("u-alice", "alice", []string{"staff", "haven-caseworkers"}, []string{"pwd", "mfa"}),
			"u-bob":   person("u-bob", "bob", []string{"staff"}, []string{"pwd", "mfa"}),
			"u-carol": person("u-carol", "carol", []string{"haven-caseworkers"}, []string{"pwd"}),
		}
		cb := f.srv.URL + sso.CallbackPath
		idp := startIDP(t, people, cb, "haven", "other")
		pid := f.addProvider(t, "Ministry", idp.issuer, "haven", true, "mfa")
		otherClient := f.addProvider(t, "Ministry (other client)", idp.issuer, "other", true, "mfa")
		otherIssuer := f.addProvider(t, "Elsewhere", idp.altIssuer, "haven", true, "mfa")

		t.Run("login page offers the provider", func(t *testing.T) {
			_, body := get(t, ssoBrowser(), f.srv.URL+"/login")
			if !strings.Contains(body, "/sso/"+pid+"/start") {
				t.Fatal("login page does not offer the provider")
			}
		})

		before := f.userCount(t)
		t.Run("provisioning by claim mapping", func(t *testing.T) {
			idp.signInAs("alice")
			c := ssoBrowser()
			f.signedIn(t, c, f.toCallback(t, c, pid))
			if f.userCount(t) != before+1 {
				t.Fatalf("users %d, want %d", f.userCount(t), before+1)
			}
			u, err := db.UserByUsername(context.Background(), "alice")
			if err != nil {
				t.Fatal(err)
			}
			if u.Role != string(access.CaseWorker) || u.AgencyID != f.agency {
				t.Fatalf("provisioned as %s of %s, want case_worker of %s", u.Role, u.AgencyID, f.agency)
			}
			evs, _ := db.AuditEvents(context.Background(), store.AuditFilter{Action: "user.provision", ObjectID: u.ID})
			if len(evs) != 1 {
				t.Fatalf("user.provision events: %d", len(evs))
			}
			// A second sign-in comes into the same account.
			c2 := ssoBrowser()
			f.signedIn(t, c2, f.toCallback(t, c2, pid))
			if f.userCount(t) != before+1 {
				t.Fatal("a second sign-in created another account")
			}
		})

		t.Run("sign-out ends the session and offers the provider's", func(t *testing.T) {
			idp.signInAs("alice")
			c := ssoBrowser()
			f.signedIn(t, c, f.toCallback(t, c, pid))
			req, _ := http.NewRequest("POST", f.srv.URL+"/logout", nil)
			req.Header.Set("Origin", f.srv.URL)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), idp.issuer+"/end_session?") {
				t.Fatalf("logout: %d, end-session link missing: %.500s", resp.StatusCode, b)
			}
			if resp, _ := get(t, c, f.srv.URL+"/api/v1/me"); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("after sign-out /api/v1/me: %d", resp.StatusCode)
			}
		})

		t.Run("unmapped user refused", func(t *testing.T) {
			idp.signInAs("bob")
			c := ssoBrowser()
			n := f.userCount(t)
			f.refused(t, c, f.toCallback(t, c, pid), http.StatusForbidden, "unmapped")
			if f.userCount(t) != n {
				t.Fatal("an unmapped user got an account")
			}
		})

		t.Run("provider's proof of a second factor not accepted", func(t *testing.T) {
			// carol proved a password only: Haven asks for its own
			// factor, and she has none, so only an enrolment link lets her in.
			idp.signInAs("carol")
			c := ssoBrowser()
			f.refused(t, c, f.toCallback(t, c, pid), http.StatusForbidden, "no_second_factor")
		})

		t.Run("disabled user stays out", func(t *testing.T) {
			alice, err := f.db.UserByUsername(context.Background(), "alice")
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Admin.SetDisabled(context.Background(), admin.Shell, alice.ID, true); err != nil {
				t.Fatal(err)
			}
			defer f.svc.Admin.SetDisabled(context.Background(), admin.Shell, alice.ID, false)
			idp.signInAs("alice")
			c := ssoBrowser()
			f.refused(t, c, f.toCallback(t, c, pid), http.StatusForbidden, "disabled")
		})

		t.Run("tampered ID token", func(t *testing.T) {
			idp.signInAs("bob")
			f.hook.set(func(tok string) string {
				// bob writes himself into the mapped group; the
				// signature no longer matches.
				parts := strings.Split(tok, ".")
				b, _ := base64.RawURLEncoding.DecodeString(parts[1])
				var m map[string]any
				json.Unmarshal(b, &m)
				m["groups"] = []string{"haven-caseworkers"}
				b, _ = json.Marshal(m)
				parts[1] = base64.RawURLEncoding.EncodeToString(b)
				return strings.Join(parts, ".")
			})
			defer f.hook.set(nil)
			c := ssoBrowser()
			f.refused(t, c, f.toCallback(t, c, pid), http.StatusUnauthorized, "token_signature")
		})

		t.Run("expired ID token", func(t *testing.T) {
			idp.st.life.Store(int64(-time.Hour))
			defer idp.st.life.Store(0)
			idp.signInAs("alice")
			c := ssoBrowser()
			f.refused(t, c, f.toCallback(t, c, pid), http.StatusUnauthorized, "token_expired")
		})

		// capture runs a sign-in through provider id and returns the ID
		// token the provider issued.
		capture := func(t *testing.T, id string) string {
			c := ssoBrowser()
			cb := f.toCallback(t, c, id)
			get(t, c, cb)
			return f.hook.lastToken()
		}

		// A token captured from a sign-in through provider from is
		// answered in a new sign-in through pid, which refuses it.
		for _, c := range []struct{ name, from, code string }{
			{"wrong audience", otherClient, "token_audience"}, // issued to the client "other"
			// Signed with the provider's own key, but naming another
			// issuer.
			{"wrong issuer", otherIssuer, "token_issuer"},
			// A valid token of an earlier sign-in, sent again in a new
			// one: its nonce is the earlier flow's.
			{"replayed nonce", pid, "nonce"},
		} {
			t.Run(c.name, func(t *testing.T) {
				idp.signInAs("alice")
				tok := capture(t, c.from)
				f.hook.set(func(string) string { return tok })
				defer f.hook.set(nil)
				b := ssoBrowser()
				f.refused(t, b, f.toCallback(t, b, pid), http.StatusUnauthorized, c.code)
			})
		}

		t.Run("replayed state", func(t *testing.T) {
			idp.signInAs("alice")
			c := ssoBrowser()
			cb := f.toCallback(t, c, pid)
			f.signedIn(t, c, cb)
			// The same callback again, from the same browser and from
			// another: the state was spent by its first use.
			f.refused(t, c, cb, http.StatusUnauthorized, "state")
			f.refused(t, ssoBrowser(), cb, http.StatusUnauthorized, "state")
		})

		t.Run("callback in another browser", func(t *testing.T) {
			// Login CSRF: an attacker's callback link opened by a victim.
			idp.signInAs("alice")
			attacker := ssoBrowser()
			cb := f.toCallback(t, attacker, pid)
			f.refused(t, ssoBrowser(), cb, http.StatusUnauthorized, "browser")
		})

		t.Run("expired state", func(t *testing.T) {
			// The flow is made to have expired by rewriting its expiry.
			idp.signInAs("alice")
			c := ssoBrowser()
			cb := f.toCallback(t, c, pid)
			if err := db.WriteBookkeeping(context.Background(), store.TestFixture, func(tx *store.Tx) error {
				_, err := tx.ExecContext(context.Background(), `UPDATE sso_flows SET expires_at = 1`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			f.refused(t, c, cb, http.StatusUnauthorized, "state_expired")
		})
	})
}

// The administration page: only the system administrator edits the
// providers; each change is audited; a bad setting is refused with nothing
// written.
func TestSSOAdministration(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		ags, err := f.db.Agencies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"name": {"Police IdP"}, "jurisdiction": {ags[0].JurisdictionID}, "issuer": {"https://idp.police.example/realms/haven"},
			"client_id": {"haven"}, "secret_env": {"HAVEN_SSO_POLICE"}, "scopes": {"openid profile email"}, "mfa_values": {"mfa"},
			"mapping": {"groups investigators " + ags[0].ID + " police_investigator"}, "provision": {"1"}, "enabled": {"1"}}
		post := func(c *http.Client, v url.Values) *http.Response {
			resp, _ := send(t, c, "POST", f.srv.URL+"/admin/sso", v.Encode(), append(formHeader, "Origin", f.srv.URL)...)
			return resp
		}
		if resp := post(f.login(t, access.AgencyAdmin), form); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("agency admin: %d, want 403", resp.StatusCode)
		}
		admin := f.login(t, access.SystemAdmin)
		bad := cloneForm(form)
		bad.Set("secret_file", "../master.key")
		if resp := post(admin, bad); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("secret from a path: %d, want 400", resp.StatusCode)
		}
		// The demo data holds one example provider, disabled.
		if ps, _ := f.db.SSOProviders(ctx); len(ps) != 1 {
			t.Fatal("a refused provider was stored")
		}
		if resp := post(admin, form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		all, err := f.db.SSOProviders(ctx)
		var ps []store.SSOProvider
		for _, p := range all {
			if p.Name == "Police IdP" {
				ps = append(ps, p)
			}
		}
		if err != nil || len(ps) != 1 || ps[0].ClientID != "haven" || !ps[0].Provision {
			t.Fatalf("providers: %+v %v", ps, err)
		}
		resp, body := get(t, admin, f.srv.URL+"/admin/sso")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "investigators") {
			t.Fatalf("admin page: %d", resp.StatusCode)
		}
		// A change at a stale version is a conflict.
		upd := cloneForm(form)
		upd.Set("id", ps[0].ID)
		upd.Set("version", "1")
		upd.Del("enabled")
		if resp := post(admin, upd); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d", resp.StatusCode)
		}
		if resp := post(admin, upd); resp.StatusCode != http.StatusConflict {
			t.Fatalf("stale update: %d, want 409", resp.StatusCode)
		}
		for _, a := range []string{"sso.provider.create", "sso.provider.update"} {
			evs, _ := f.db.AuditEvents(ctx, store.AuditFilter{Action: a, ObjectID: ps[0].ID})
			if len(evs) != 1 {
				t.Fatalf("%s events: %d", a, len(evs))
			}
		}
		// A disabled provider is not offered.
		if _, body := get(t, f.client(t), f.srv.URL+"/login"); strings.Contains(body, "/sso/"+ps[0].ID) {
			t.Fatal("the login page offers a disabled provider")
		}
	})
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

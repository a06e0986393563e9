package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
	"github.com/haven-nrm/haven/internal/web"
)

// testClock is the server's clock in these tests; they move it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type acctFixture struct {
	*fixture
	clock *testClock
	keys  *seal.Keyring
}

// newAccountFixture is a server on demo data with a movable clock and a
// real keyring. Second factors are enforced as in production unless
// adjust changes the configuration.
func newAccountFixture(t *testing.T, db *store.DB, adjust func(*config.Config)) *acctFixture {
	t.Helper()
	kr, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	// Mid-step, so a code is never generated on a step boundary.
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 10, 0, time.UTC)}
	f := buildFixture(t, db, fixtureOptions{seed: 11, cases: 10, adjust: adjust, now: clock.Now, keys: kr})
	return &acctFixture{fixture: f, clock: clock, keys: kr}
}

// mfaOptional lets every role sign in with a password alone, for tests
// of something other than second factors.
func mfaOptional(c *config.Config) { c.MFAOptional = true }

// eachAccountEngine runs fn on every database engine, each time against a
// new account fixture made with adjust.
func eachAccountEngine(t *testing.T, adjust func(*config.Config), fn func(t *testing.T, f *acctFixture)) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) { fn(t, newAccountFixture(t, db, adjust)) })
}

// signIn posts the password step and returns where it leads.
func (f *acctFixture) signIn(t *testing.T, c *http.Client, username, password string) (int, string) {
	t.Helper()
	resp, _ := f.post(t, c, "/login", url.Values{"username": {username}, "password": {password}})
	return resp.StatusCode, resp.Header.Get("Location")
}

// signedInTwice signs the demo user of role in on two new browsers.
func (f *acctFixture) signedInTwice(t *testing.T, role access.Role) (a, b *http.Client) {
	t.Helper()
	cr := f.creds[role]
	a, b = f.client(t), f.client(t)
	for _, c := range []*http.Client{a, b} {
		if st, loc := f.signIn(t, c, cr.Username, cr.Password); st != http.StatusSeeOther || loc != "/" {
			t.Fatalf("%s: sign-in %d %s", role, st, loc)
		}
	}
	return a, b
}

func (f *acctFixture) sessionID(c *http.Client) string {
	u, _ := url.Parse(f.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "haven_session" {
			return ck.Value
		}
	}
	return ""
}

// addAnalysts stores n analysts of the demo analyst's agency with password
// hash, named prefix followed by a, b, c…, and returns their names.
func (f *acctFixture) addAnalysts(t *testing.T, prefix string, n int, hash string) []string {
	t.Helper()
	ctx := t.Context()
	agency := f.user(t, access.Analyst).AgencyID
	var names []string
	for i := 0; i < n; i++ {
		u := store.User{ID: store.NewID(), Username: prefix + string(rune('a'+i)), DisplayName: prefix, PasswordHash: hash, Role: "analyst", AgencyID: agency}
		if err := f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.InsertUser(ctx, u) }); err != nil {
			t.Fatal(err)
		}
		names = append(names, u.Username)
	}
	return names
}

// audited reports whether an event with action about objectID exists.
func audited(t *testing.T, db *store.DB, action, objectID string) bool {
	t.Helper()
	found := false
	if err := db.EachAuditEvent(context.Background(), func(e audit.Event) error {
		if e.Action == action && (objectID == "" || e.ObjectID == objectID) {
			found = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return found
}

var (
	secretRe   = regexp.MustCompile(`<code class="secret">([A-Z2-7 ]+)</code>`)
	recoveryRe = regexp.MustCompile(`<li><code>([0-9a-z]{4}(?:-[0-9a-z]{4}){5})</code></li>`)
	tokenRe    = regexp.MustCompile(`hvn_[A-Za-z0-9_-]{43}`)
)

func (f *acctFixture) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrolLink issues an enrolment link for the demo user of role, as `haven
// user add` does, and returns its path.
func (f *acctFixture) enrolLink(t *testing.T, role access.Role) string {
	t.Helper()
	tok, err := f.web.IssueEnrolLinkForTest(context.Background(), f.db, f.user(t, role).ID, 72*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return "/enrol/" + tok
}

// openLink opens an enrolment link with the user's password and returns
// where it leads.
func (f *acctFixture) openLink(t *testing.T, c *http.Client, link, password string) (int, string) {
	t.Helper()
	if resp, body := f.get(t, c, link); resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Fatalf("enrolment link page: %d", resp.StatusCode)
	}
	resp, _ := f.post(t, c, link, url.Values{"password": {password}})
	return resp.StatusCode, resp.Header.Get("Location")
}

// enrol sets up an authenticator for the demo user of role through an
// enrolment link and the pages, and returns the signed-in client, the
// secret and the recovery codes.
func (f *acctFixture) enrol(t *testing.T, role access.Role) (*http.Client, string, []string) {
	t.Helper()
	c := f.client(t)
	cr := f.creds[role]
	if st, loc := f.openLink(t, c, f.enrolLink(t, role), cr.Password); st != http.StatusSeeOther || loc != "/mfa/enrol" {
		t.Fatalf("enrolment link of a %s: %d %s, want set-up", role, st, loc)
	}
	if resp, body := f.get(t, c, "/mfa/enrol"); resp.StatusCode != 200 || strings.Contains(body, "data:image/png") {
		t.Fatalf("set-up page before start: %d", resp.StatusCode)
	}
	if resp, _ := f.post(t, c, "/mfa/enrol", url.Values{"return": {"/mfa/enrol"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start set-up: %d", resp.StatusCode)
	}
	resp, body := f.get(t, c, "/mfa/enrol")
	m := secretRe.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(body, `src="data:image/png;base64,`) {
		t.Fatalf("set-up page: %d, secret or QR code missing", resp.StatusCode)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	// A wrong code is refused and nothing changes.
	if resp, _ := f.post(t, c, "/mfa/enrol/confirm", url.Values{"code": {"000000"}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("wrong first code: %d, want 400", resp.StatusCode)
	}
	pendingID := f.sessionID(c)
	resp, body = f.post(t, c, "/mfa/enrol/confirm", url.Values{"code": {f.code(t, secret)}})
	codes := recoveryRe.FindAllStringSubmatch(body, -1)
	if resp.StatusCode != 200 || len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("confirm: %d with %d recovery codes", resp.StatusCode, len(codes))
	}
	if f.sessionID(c) == pendingID || f.sessionID(c) == "" {
		t.Fatal("session id not rotated when the second factor was set up")
	}
	var out []string
	for _, c := range codes {
		out = append(out, c[1])
	}
	return c, secret, out
}

func TestMFAEnrolmentAndSignIn(t *testing.T) {
	eachAccountEngine(t, nil, func(t *testing.T, f *acctFixture) {
		ctx := t.Context()
		c, secret, codes := f.enrol(t, access.CaseWorker)
		if resp, _ := f.get(t, c, "/cases"); resp.StatusCode != 200 {
			t.Fatalf("after set-up: /cases %d", resp.StatusCode)
		}
		u := f.user(t, access.CaseWorker)
		// The secret is stored sealed under the user's data key.
		m, err := f.db.MFA(ctx, u.ID)
		if err != nil || !m.Confirmed || strings.Contains(string(m.Secret), secret) {
			t.Fatalf("stored authenticator: %v (sealed: %v)", err, !strings.Contains(string(m.Secret), secret))
		}
		dk, err := f.keys.Unwrap(u.ID, seal.WrappedKey(m.WrappedKey))
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := seal.Open(dk, u.ID, "totp_secret", m.Secret); err != nil || string(pt) != secret {
			t.Fatalf("sealed secret does not open to the shown one: %v", err)
		}
		if !audited(t, f.db, "mfa.enrol", u.ID) {
			t.Fatal("set-up not audited")
		}

		// Signing in now takes two steps.
		cr := f.creds[access.CaseWorker]
		c2 := f.client(t)
		if st, loc := f.signIn(t, c2, cr.Username, cr.Password); st != http.StatusSeeOther || loc != "/mfa/verify" {
			t.Fatalf("password step: %d %s, want /mfa/verify", st, loc)
		}
		// The half-signed-in session can do nothing but the second step.
		for _, p := range []string{"/", "/cases", "/account", "/account/tokens"} {
			if resp, _ := f.get(t, c2, p); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/mfa/verify" {
				t.Fatalf("pending session GET %s: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		if resp, _ := f.post(t, c2, "/account/sessions/end", nil); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("pending session POST: %d, want 401", resp.StatusCode)
		}
		if resp, _ := f.get(t, c2, "/api/v1/me"); resp.StatusCode == 200 {
			t.Fatal("pending session reaches the API")
		}
		// The code used at set-up is of this time step: a replay.
		if resp, _ := f.post(t, c2, "/mfa/verify", url.Values{"code": {f.code(t, secret)}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("replayed code: %d, want 401", resp.StatusCode)
		}
		f.clock.Advance(30 * time.Second)
		pendingID := f.sessionID(c2)
		code := f.code(t, secret)
		resp, _ := f.post(t, c2, "/mfa/verify", url.Values{"code": {code}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("second step: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if id := f.sessionID(c2); id == pendingID || id == "" {
			t.Fatal("session id not rotated at the second step")
		}
		if _, err := f.db.SessionByToken(ctx, pendingID); err == nil {
			t.Fatal("the half-signed-in session survives the second step")
		}
		if resp, _ := f.get(t, c2, "/cases"); resp.StatusCode != 200 {
			t.Fatalf("after the second step: %d", resp.StatusCode)
		}
		// The same code, in the same step, from another browser: refused.
		c3 := f.client(t)
		f.signIn(t, c3, cr.Username, cr.Password)
		if resp, _ := f.post(t, c3, "/mfa/verify", url.Values{"code": {code}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("code replayed from another browser: %d, want 401", resp.StatusCode)
		}
		// A recovery code works once, typed in any case and grouping.
		rc := strings.ToUpper(strings.ReplaceAll(codes[0], "-", " "))
		resp, _ = f.post(t, c3, "/mfa/verify", url.Values{"code": {rc}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
			t.Fatalf("recovery code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, body := f.get(t, c3, "/account"); !strings.Contains(body, "9 recovery codes left") {
			t.Fatal("account page does not count the recovery codes left")
		}
		c4 := f.client(t)
		f.signIn(t, c4, cr.Username, cr.Password)
		if resp, _ := f.post(t, c4, "/mfa/verify", url.Values{"code": {codes[0]}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("spent recovery code: %d, want 401", resp.StatusCode)
		}
		if resp, _ := f.post(t, c4, "/mfa/verify", url.Values{"code": {codes[1]}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("second recovery code: %d", resp.StatusCode)
		}
		if !audited(t, f.db, "session.mfa", u.ID) || !audited(t, f.db, "session.mfa_failed", u.ID) {
			t.Fatal("second steps not audited")
		}
		// Cancelling the second step ends the half-signed-in session.
		c5 := f.client(t)
		f.signIn(t, c5, cr.Username, cr.Password)
		id := f.sessionID(c5)
		if resp, _ := f.post(t, c5, "/mfa/cancel", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d", resp.StatusCode)
		}
		if _, err := f.db.SessionByToken(ctx, id); err == nil {
			t.Fatal("cancelled session survives")
		}
		// An administrator's reset sends the user back to set-up.
		if err := f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.ResetMFA(ctx, u.ID) }); err != nil {
			t.Fatal(err)
		}
		if resp, _ := f.get(t, c2, "/cases"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("after reset: %d %s, want to sign in again", resp.StatusCode, resp.Header.Get("Location"))
		}
		if st, loc := f.signIn(t, f.client(t), cr.Username, cr.Password); st != http.StatusForbidden || loc != "" {
			t.Fatalf("after reset the password step: %d %s, want 403 asking for the enrolment link", st, loc)
		}
	})
}

func TestMFARequiredByRole(t *testing.T) {
	eachAccountEngine(t, nil, func(t *testing.T, f *acctFixture) {
		// A case worker without a second factor gets no session: only the
		// enrolment link sets one up.
		cw := f.client(t)
		cr := f.creds[access.CaseWorker]
		if st, loc := f.signIn(t, cw, cr.Username, cr.Password); st != http.StatusForbidden || loc != "" {
			t.Fatalf("case worker: %d %s, want 403", st, loc)
		}
		for _, p := range []string{"/", "/cases", "/account", "/mfa/enrol"} {
			resp, _ := f.get(t, cw, p)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
				t.Fatalf("case worker GET %s: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		// In the middle of a set-up from a link, the language can change.
		if st, loc := f.openLink(t, cw, f.enrolLink(t, access.CaseWorker), cr.Password); st != http.StatusSeeOther || loc != "/mfa/enrol" {
			t.Fatalf("enrolment link: %d %s", st, loc)
		}
		if resp, _ := f.get(t, cw, "/mfa/verify"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/mfa/enrol" {
			t.Fatalf("verify without a second factor: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := f.post(t, cw, "/language", url.Values{"lang": {"th"}, "return": {"/mfa/enrol"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("language switch during set-up: %d", resp.StatusCode)
		}
		// An analyst sees aggregates only and needs no second factor.
		an := f.client(t)
		ar := f.creds[access.Analyst]
		if _, loc := f.signIn(t, an, ar.Username, ar.Password); loc != "/" {
			t.Fatalf("analyst: %s, want /", loc)
		}
		if resp, body := f.get(t, an, "/account"); resp.StatusCode != 200 || strings.Contains(body, "demo-banner") {
			t.Fatalf("analyst account page: %d", resp.StatusCode)
		}

		// HAVEN_MFA_ROLES narrows the requirement; HAVEN_MFA_REQUIRED=false
		// lifts it and every page says so.
		for _, c := range []struct {
			adjust func(*config.Config)
			role   access.Role
			want   string
			note   bool
		}{
			{func(c *config.Config) { c.MFARoles = "system_admin" }, access.CaseWorker, "/", false},
			{func(c *config.Config) { c.MFARoles = "system_admin" }, access.SystemAdmin, "", false},
			{mfaOptional, access.SystemAdmin, "/", true},
		} {
			g := newAccountFixture(t, testenv.OpenMigrated(t, testenv.FreshSQLite(t)), c.adjust)
			cl := g.client(t)
			if _, loc := g.signIn(t, cl, g.creds[c.role].Username, g.creds[c.role].Password); loc != c.want {
				t.Fatalf("%s: %s, want %s", c.role, loc, c.want)
			}
			if c.want != "/" {
				continue
			}
			_, body := g.get(t, cl, "/")
			if note := strings.Contains(body, "Two-step verification is not enforced"); note != c.note {
				t.Fatalf("%s: note shown %v, want %v", c.role, note, c.note)
			}
		}
		bad := config.Defaults()
		bad.MFARoles = "case_worker,nobody"
		if _, err := serverFor(f.db, f.keys, web.Deps{Config: bad, I18n: f.web.I18n}); err == nil {
			t.Fatal("an unknown role in HAVEN_MFA_ROLES is accepted")
		}
	})
}

func TestLoginThrottling(t *testing.T) {
	eachAccountEngine(t, mfaOptional, func(t *testing.T, f *acctFixture) {
		cr := f.creds[access.FirstResponder]
		c := f.client(t)
		main := regexp.MustCompile(`(?s)<main.*</main>`)
		_, wrongBody := f.post(t, c, "/login", url.Values{"username": {cr.Username}, "password": {"wrong password 1"}})
		for i := 2; i <= 5; i++ {
			f.signIn(t, c, cr.Username, "wrong password 1")
		}
		// The sixth attempt is refused unchecked, even with the right
		// password, and looks exactly like a wrong password.
		resp, body := f.post(t, c, "/login", url.Values{"username": {cr.Username}, "password": {cr.Password}})
		if resp.StatusCode != http.StatusUnauthorized || main.FindString(body) != main.FindString(wrongBody) {
			t.Fatalf("locked account: %d, or a different page", resp.StatusCode)
		}
		if !audited(t, f.db, "session.refused", "") {
			t.Fatal("refused attempt not audited")
		}
		// Other accounts are not affected.
		if st, _ := f.signIn(t, f.client(t), f.creds[access.Analyst].Username, f.creds[access.Analyst].Password); st != http.StatusSeeOther {
			t.Fatalf("another account: %d", st)
		}
		// The first lock lasts 30 seconds.
		f.clock.Advance(29 * time.Second)
		if st, _ := f.signIn(t, c, cr.Username, cr.Password); st != http.StatusUnauthorized {
			t.Fatalf("after 29 s: %d, want still locked", st)
		}
		f.clock.Advance(time.Second)
		if st, loc := f.signIn(t, c, cr.Username, cr.Password); st != http.StatusSeeOther || loc != "/" {
			t.Fatalf("after 30 s: %d %s", st, loc)
		}
		// Success forgets the failures: four more are free again.
		for i := 0; i < 4; i++ {
			if st, _ := f.signIn(t, c, cr.Username, "wrong password 2"); st != http.StatusUnauthorized {
				t.Fatal("wrong password accepted")
			}
		}
		if st, _ := f.signIn(t, c, cr.Username, cr.Password); st != http.StatusSeeOther {
			t.Fatalf("failures not forgotten after success: %d", st)
		}
		// Names that do not exist are counted the same way, so the lock
		// reveals nothing.
		for i := 0; i < 5; i++ {
			f.signIn(t, c, "nobody.here", "guess")
		}
		resp, body = f.post(t, c, "/login", url.Values{"username": {"nobody.here"}, "password": {"guess"}})
		if resp.StatusCode != http.StatusUnauthorized || main.FindString(body) != strings.Replace(main.FindString(wrongBody), cr.Username, "nobody.here", 1) {
			t.Fatal("a locked unknown name answers differently")
		}
	})
}

func TestLoginThrottlingCap(t *testing.T) {
	eachAccountEngine(t, mfaOptional, func(t *testing.T, f *acctFixture) {
		cr := f.creds[access.FirstResponder]
		c := f.client(t)
		// Fail at every opening: 5 free failures, then locks of 30 s,
		// 1, 2, 4, 8 and 15 minutes, then 15 minutes each.
		wantLocks := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 15 * time.Minute, 15 * time.Minute}
		for i := 0; i < 4; i++ {
			f.signIn(t, c, cr.Username, "wrong password")
		}
		for _, lock := range wantLocks {
			f.signIn(t, c, cr.Username, "wrong password") // fails and locks
			f.clock.Advance(lock - time.Second)
			if st, _ := f.signIn(t, c, cr.Username, cr.Password); st != http.StatusUnauthorized {
				t.Fatalf("lock shorter than %v", lock)
			}
			f.clock.Advance(time.Second)
		}
		// The lock is over: the right password gets in.
		if st, _ := f.signIn(t, c, cr.Username, cr.Password); st != http.StatusSeeOther {
			t.Fatalf("still locked after the capped delay: %d", st)
		}
	})
}

func TestAddressThrottling(t *testing.T) {
	eachAccountEngine(t, mfaOptional, func(t *testing.T, f *acctFixture) {
		// Eleven accounts, so fifty failures fit under the per-account
		// threshold of each.
		hash, _ := auth.HashPassword("right password 123", cheap)
		names := f.addAnalysts(t, "bulk", 11, hash)
		c := f.client(t)
		for i := 0; i < 50; i++ {
			if st, _ := f.signIn(t, c, names[i%10], "wrong password"); st != http.StatusUnauthorized {
				t.Fatal("wrong password accepted")
			}
		}
		// The address is locked now, for every account.
		if st, _ := f.signIn(t, c, names[10], "right password 123"); st != http.StatusUnauthorized {
			t.Fatalf("address not locked after 50 failures: %d", st)
		}
		f.clock.Advance(30 * time.Second)
		if st, _ := f.signIn(t, c, names[10], "right password 123"); st != http.StatusSeeOther {
			t.Fatalf("address lock longer than 30 s: %d", st)
		}
	})
}

// TestLoginTimingDoesNotRevealAccounts compares the median time of a wrong
// password for an existing account (hashed with the production parameters)
// and of an unknown name. They must be of the same order; the bound is loose
// (a factor of 3) because the machine is shared.
func TestLoginTimingDoesNotRevealAccounts(t *testing.T) {
	eachAccountEngine(t, mfaOptional, func(t *testing.T, f *acctFixture) {
		hash, err := auth.HashPassword("the real password 42", auth.DefaultParams)
		if err != nil {
			t.Fatal(err)
		}
		known := f.addAnalysts(t, "timed", 5, hash)
		c := f.client(t)
		f.signIn(t, c, "warm-up", "x") // builds the equaliser's hash once
		measure := func(name string) time.Duration {
			start := time.Now()
			if st, _ := f.signIn(t, c, name, "not the password"); st != http.StatusUnauthorized {
				t.Fatalf("%s: %d", name, st)
			}
			return time.Since(start)
		}
		// Five samples a side, interleaved so that load on the machine
		// falls on both alike; each password check costs the production
		// parameters, so this is kept short.
		var existing, unknown []time.Duration
		for i, name := range known {
			existing = append(existing, measure(name))
			unknown = append(unknown, measure("ghost"+string(rune('a'+i))))
		}
		median := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
		me, mu := median(existing), median(unknown)
		t.Logf("median wrong password %v, unknown name %v", me, mu)
		if me > 3*mu || mu > 3*me {
			t.Fatalf("timing reveals accounts: wrong password %v, unknown name %v", me, mu)
		}
	})
}

func TestAPITokenLifecycle(t *testing.T) {
	eachAccountEngine(t, nil, func(t *testing.T, f *acctFixture) {
		ctx := t.Context()
		ar := f.creds[access.Analyst]
		c := f.client(t)
		f.signIn(t, c, ar.Username, ar.Password)
		if resp, _ := f.get(t, c, "/account/tokens"); resp.StatusCode != 200 {
			t.Fatalf("tokens page: %d", resp.StatusCode)
		}
		// Expiry is bounded.
		if resp, _ := f.post(t, c, "/account/tokens", url.Values{"name": {"export"}, "days": {"91"}, "return": {"/account/tokens"}}); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("91 days: %d, want 400", resp.StatusCode)
		}
		resp, body := f.post(t, c, "/account/tokens", url.Values{"name": {"nightly export"}, "days": {"30"}, "return": {"/account/tokens"}})
		token := tokenRe.FindString(body)
		if resp.StatusCode != 200 || token == "" {
			t.Fatalf("create: %d, token shown: %v", resp.StatusCode, token != "")
		}
		// Shown once: the list does not show it again.
		if _, body := f.get(t, c, "/account/tokens"); strings.Contains(body, token) || !strings.Contains(body, "nightly export") {
			t.Fatal("token shown again, or not listed")
		}
		u := f.user(t, access.Analyst)
		ts, _ := f.db.APITokens(ctx, u.ID)
		if len(ts) != 1 || !audited(t, f.db, "token.create", ts[0].ID) {
			t.Fatalf("tokens %v, or creation not audited", ts)
		}
		bearer := func(path, tok string) (*http.Response, string) {
			return f.get(t, f.client(t), path, "Authorization", "Bearer "+tok)
		}
		// The token acts with its owner's rights on the API.
		resp, body = bearer("/api/v1/me", token)
		var me map[string]string
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &me) != nil || me["id"] != u.ID || me["role"] != "analyst" {
			t.Fatalf("API with token: %d %s", resp.StatusCode, body)
		}
		if resp, _ := bearer("/api/v1/", token); resp.StatusCode != 200 {
			t.Fatalf("API root with token: %d", resp.StatusCode)
		}
		// Only on the API: elsewhere the header is ignored.
		if resp, _ := bearer("/statistics", token); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("token on a page: %d %s, want to sign in", resp.StatusCode, resp.Header.Get("Location"))
		}
		// Use is recorded, at most once a minute.
		got, _ := f.db.APITokenByID(ctx, ts[0].ID)
		if got.LastUsedAt != store.Millis(f.clock.Now()) {
			t.Fatalf("last use %d, want %d", got.LastUsedAt, store.Millis(f.clock.Now()))
		}
		// Unknown and malformed tokens are refused, not anonymous.
		for _, bad := range []string{"hvn_" + strings.Repeat("A", 43), "x", strings.Repeat("y", 500)} {
			if resp, _ := bearer("/api/v1/", bad); resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("bad token: %d", resp.StatusCode)
			}
		}
		// Someone else cannot revoke it: for them it does not exist.
		hash, _ := auth.HashPassword("other analyst password", cheap)
		ou := store.User{ID: store.NewID(), Username: "other.analyst", DisplayName: "O", PasswordHash: hash, Role: "analyst", AgencyID: u.AgencyID}
		if err := f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.InsertUser(ctx, ou) }); err != nil {
			t.Fatal(err)
		}
		other := f.client(t)
		if _, loc := f.signIn(t, other, ou.Username, "other analyst password"); loc != "/" {
			t.Fatalf("other analyst: %s", loc)
		}
		if resp, _ := f.post(t, other, "/account/tokens/"+ts[0].ID+"/revoke", nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("revoke by another user: %d, want 404", resp.StatusCode)
		}
		if resp, _ := bearer("/api/v1/me", token); resp.StatusCode != 200 {
			t.Fatal("another user revoked the token")
		}
		// Revoked: 401 at once.
		if resp, _ := f.post(t, c, "/account/tokens/"+ts[0].ID+"/revoke", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		if resp, _ := bearer("/api/v1/me", token); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("revoked token: %d, want 401", resp.StatusCode)
		}
		if !audited(t, f.db, "token.revoke", ts[0].ID) {
			t.Fatal("revocation not audited")
		}
		// Expired: 401.
		_, body = f.post(t, c, "/account/tokens", url.Values{"name": {"short"}, "days": {"1"}, "return": {"/account/tokens"}})
		short := tokenRe.FindString(body)
		if resp, _ := bearer("/api/v1/me", short); resp.StatusCode != 200 {
			t.Fatalf("fresh token: %d", resp.StatusCode)
		}
		f.clock.Advance(24*time.Hour + time.Second)
		if resp, _ := bearer("/api/v1/me", short); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("expired token: %d, want 401", resp.StatusCode)
		}
		// A disabled owner's tokens stop working.
		c = f.client(t)
		f.signIn(t, c, ar.Username, ar.Password)
		_, body = f.post(t, c, "/account/tokens", url.Values{"name": {"third"}, "days": {"5"}, "return": {"/account/tokens"}})
		third := tokenRe.FindString(body)
		if err := f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, u.ID, true) }); err != nil {
			t.Fatal(err)
		}
		if resp, _ := bearer("/api/v1/me", third); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("token of a disabled account: %d, want 401", resp.StatusCode)
		}
	})
}

func TestReauthBeforeTokenCreation(t *testing.T) {
	eachAccountEngine(t, nil, func(t *testing.T, f *acctFixture) {
		ar := f.creds[access.Analyst]
		c := f.client(t)
		f.signIn(t, c, ar.Username, ar.Password)
		f.clock.Advance(6 * time.Minute)
		form := url.Values{"name": {"later"}, "days": {"7"}, "return": {"/account/tokens"}}
		resp, body := f.post(t, c, "/account/tokens", form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/reauth?return=%2Faccount%2Ftokens" || tokenRe.MatchString(body) {
			t.Fatalf("stale sign-in: %d %s, want the re-authentication page", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, body := f.get(t, c, "/reauth?return=%2Faccount%2Ftokens"); resp.StatusCode != 200 || strings.Contains(body, `name="code"`) {
			t.Fatalf("reauth page: %d", resp.StatusCode)
		}
		if resp, _ := f.post(t, c, "/reauth", url.Values{"password": {"wrong password"}, "return": {"/account/tokens"}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", resp.StatusCode)
		}
		before := f.sessionID(c)
		resp, _ = f.post(t, c, "/reauth", url.Values{"password": {ar.Password}, "return": {"/account/tokens"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/tokens" {
			t.Fatalf("reauth: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if f.sessionID(c) == before {
			t.Fatal("session id not rotated at re-authentication")
		}
		if resp, body := f.post(t, c, "/account/tokens", form); resp.StatusCode != 200 || !tokenRe.MatchString(body) {
			t.Fatalf("after reauth: %d", resp.StatusCode)
		}
		// The return address stays on this site.
		f.clock.Advance(6 * time.Minute)
		if resp, _ := f.post(t, c, "/reauth", url.Values{"password": {ar.Password}, "return": {"//evil.example/"}}); resp.Header.Get("Location") != "/" {
			t.Fatalf("open redirect: %s", resp.Header.Get("Location"))
		}

		// With a second factor, re-authentication asks for a code too.
		mc, secret, _ := f.enrol(t, access.CaseWorker)
		f.clock.Advance(6 * time.Minute)
		if resp, _ := f.post(t, mc, "/account/tokens", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("stale MFA session: %d", resp.StatusCode)
		}
		if _, body := f.get(t, mc, "/reauth?return=%2Faccount%2Ftokens"); !strings.Contains(body, `name="code"`) {
			t.Fatal("reauth page lacks the code field")
		}
		cr := f.creds[access.CaseWorker]
		if resp, _ := f.post(t, mc, "/reauth", url.Values{"password": {cr.Password}, "code": {"123456"}, "return": {"/account/tokens"}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("password without a valid code: %d", resp.StatusCode)
		}
		if resp, _ := f.post(t, mc, "/reauth", url.Values{"password": {cr.Password}, "code": {f.code(t, secret)}, "return": {"/account/tokens"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("password and code: %d", resp.StatusCode)
		}
		if resp, _ := f.post(t, mc, "/account/tokens", form); resp.StatusCode != 200 {
			t.Fatalf("after reauth with a code: %d", resp.StatusCode)
		}
	})
}

func TestLogOutEverywhere(t *testing.T) {
	eachAccountEngine(t, mfaOptional, func(t *testing.T, f *acctFixture) {
		a, b := f.signedInTwice(t, access.ShelterStaff)
		if _, body := f.get(t, a, "/account"); !strings.Contains(body, "signed in on 2 browsers") {
			t.Fatal("account page does not count the sessions")
		}
		resp, _ := f.post(t, a, "/account/sessions/end", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("end all: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		for _, c := range []*http.Client{a, b} {
			if resp, _ := f.get(t, c, "/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
				t.Fatalf("a session survived: %d", resp.StatusCode)
			}
		}
		u := f.user(t, access.ShelterStaff)
		if n, _ := f.db.UserSessionCount(context.Background(), u.ID, f.clock.Now()); n != 0 {
			t.Fatalf("%d sessions left", n)
		}
		if !audited(t, f.db, "session.end_all", u.ID) {
			t.Fatal("not audited")
		}
	})
}

func TestChangePassword(t *testing.T) {
	eachAccountEngine(t, mfaOptional, func(t *testing.T, f *acctFixture) {
		cr := f.creds[access.Prosecutor]
		a, b := f.signedInTwice(t, access.Prosecutor)
		if resp, _ := f.get(t, a, "/account/password"); resp.StatusCode != 200 {
			t.Fatalf("form: %d", resp.StatusCode)
		}
		next := "copper kettle on the 9 hills"
		for _, c := range []struct {
			form   url.Values
			status int
			text   string
		}{
			{url.Values{"current": {"wrong"}, "new": {next}, "confirm": {next}}, 401, "current password was not accepted"},
			{url.Values{"current": {cr.Password}, "new": {"password1234"}, "confirm": {"password1234"}}, 400, "too common"},
			{url.Values{"current": {cr.Password}, "new": {"short1"}, "confirm": {"short1"}}, 400, "at least 12 characters"},
			{url.Values{"current": {cr.Password}, "new": {next}, "confirm": {next + "x"}}, 400, "not the same"},
		} {
			resp, body := f.post(t, a, "/account/password", c.form)
			if resp.StatusCode != c.status || !strings.Contains(body, c.text) {
				t.Fatalf("%v: %d, want %d with %q", c.form, resp.StatusCode, c.status, c.text)
			}
		}
		before := f.sessionID(a)
		resp, _ := f.post(t, a, "/account/password", url.Values{"current": {cr.Password}, "new": {next}, "confirm": {next}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account?done=password" {
			t.Fatalf("change: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if f.sessionID(a) == before {
			t.Fatal("session id not rotated")
		}
		if _, body := f.get(t, a, "/account?done=password"); !strings.Contains(body, "Your password was changed") {
			t.Fatal("no confirmation")
		}
		if resp, _ := f.get(t, b, "/"); resp.StatusCode != http.StatusSeeOther {
			t.Fatal("the other session survived the password change")
		}
		if st, _ := f.signIn(t, f.client(t), cr.Username, cr.Password); st != http.StatusUnauthorized {
			t.Fatal("old password still works")
		}
		if st, _ := f.signIn(t, f.client(t), cr.Username, next); st != http.StatusSeeOther {
			t.Fatal("new password does not work")
		}
		if !audited(t, f.db, "user.password", f.user(t, access.Prosecutor).ID) {
			t.Fatal("not audited")
		}
	})
}

// TestAccountPagesInEveryLanguage renders the new pages in every language
// and checks for missing keys and inline code.
func TestAccountPagesInEveryLanguage(t *testing.T) {
	db := testenv.OpenMigrated(t, testenv.FreshSQLite(t))
	f := newAccountFixture(t, db, nil)
	c := f.client(t)
	cr := f.creds[access.CaseWorker]
	f.signIn(t, c, cr.Username, cr.Password)
	langs := []string{"en", "ko", "th", "mn", "ne", "ar-XB"}
	check := func(path string) {
		t.Helper()
		for _, lang := range langs {
			resp, body := f.get(t, c, path, "Accept-Language", lang)
			if resp.StatusCode != 200 {
				t.Errorf("%s %s: %d", lang, path, resp.StatusCode)
			}
			if m := missingKey.FindString(body); m != "" {
				t.Errorf("%s %s: untranslated key %s", lang, path, m)
			}
			if inlineScript(body) || strings.Contains(body, "style=") {
				t.Errorf("%s %s: inline script or style", lang, path)
			}
		}
	}
	// Pages with passkeys load /static/passkey.js: a script file, which
	// the CSP allows, not inline code.
	for _, path := range []string{"/login"} {
		if _, body := f.get(t, f.client(t), path); !strings.Contains(body, `<script src="/static/passkey.js"></script>`) || inlineScript(body) {
			t.Errorf("%s: passkey script missing, or inline script", path)
		}
	}
	link := f.enrolLink(t, access.CaseWorker)
	check(link)
	f.signIn(t, c, cr.Username, cr.Password) // refused: asks for the link
	f.openLink(t, c, link, cr.Password)
	check("/mfa/enrol")
	f.post(t, c, "/mfa/enrol", nil)
	check("/mfa/enrol")
	c, _, _ = f.enrol(t, access.Prosecutor)
	for _, p := range []string{"/account", "/account/password", "/account/tokens", "/reauth?return=%2Faccount"} {
		check(p)
	}
	v := f.client(t)
	pr := f.creds[access.Prosecutor]
	f.signIn(t, v, pr.Username, pr.Password)
	c = v
	check("/mfa/verify")
}

// scriptTag matches a script element's start tag and what follows it up to
// the end tag.
var scriptTag = regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`)

// inlineScript reports whether a page holds a script other than an empty
// element loading a file of Haven's own assets.
func inlineScript(body string) bool {
	n := strings.Count(body, "<script")
	for _, m := range scriptTag.FindAllStringSubmatch(body, -1) {
		if strings.HasPrefix(m[1], ` src="/static/`) && strings.TrimSpace(m[2]) == "" {
			n--
		}
	}
	return n > 0
}

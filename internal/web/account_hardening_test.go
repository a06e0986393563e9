package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
	"github.com/haven-nrm/haven/internal/web"
)

// TestRecoveryRevokesEverything: a password change, signing out
// everywhere, an MFA reset and disabling an account each end every session
// and revoke every API token of the user; enabling the account again
// revives nothing.
func TestRecoveryRevokesEverything(t *testing.T) {
	eachAccountEngine(t, mfaOptional, func(t *testing.T, f *acctFixture) {
		ctx := t.Context()
		bearer := func(tok string) int {
			resp, _ := f.get(t, f.client(t), "/api/v1/me", "Authorization", "Bearer "+tok)
			return resp.StatusCode
		}
		for _, c := range []struct {
			name string
			role access.Role
			act  func(t *testing.T, u store.User, browser *http.Client)
		}{
			{"password change", access.Prosecutor, func(t *testing.T, u store.User, b *http.Client) {
				next := "copper kettle on the 9 hills"
				pw := f.creds[access.Prosecutor].Password
				if resp, _ := f.post(t, b, "/account/password", url.Values{"current": {pw}, "new": {next}, "confirm": {next}}); resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("password change: %d", resp.StatusCode)
				}
			}},
			{"sign out everywhere", access.ShelterStaff, func(t *testing.T, u store.User, b *http.Client) {
				if resp, _ := f.post(t, b, "/account/sessions/end", nil); resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("sign out everywhere: %d", resp.StatusCode)
				}
			}},
			{"MFA reset", access.CaseWorker, func(t *testing.T, u store.User, _ *http.Client) {
				if err := f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.ResetMFA(ctx, u.ID) }); err != nil {
					t.Fatal(err)
				}
			}},
			{"disabling", access.FirstResponder, func(t *testing.T, u store.User, _ *http.Client) {
				if err := f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, u.ID, true) }); err != nil {
					t.Fatal(err)
				}
				if err := f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, u.ID, false) }); err != nil {
					t.Fatal(err)
				}
			}},
		} {
			u := f.user(t, c.role)
			a, b := f.signedInTwice(t, c.role)
			var tokens []string
			for i := 0; i < 2; i++ {
				tok, err := f.web.IssueTokenForTest(ctx, f.db, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				if st := bearer(tok); st != http.StatusOK {
					t.Fatalf("%s: fresh token %d", c.name, st)
				}
				tokens = append(tokens, tok)
			}
			c.act(t, u, b)
			if resp, _ := f.get(t, a, "/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
				t.Fatalf("%s: another session survived: %d", c.name, resp.StatusCode)
			}
			for _, tok := range tokens {
				if st := bearer(tok); st != http.StatusUnauthorized {
					t.Fatalf("%s: an API token survived: %d, want 401", c.name, st)
				}
			}
			ts, err := f.db.APITokens(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range ts {
				if tk.RevokedAt == 0 {
					t.Fatalf("%s: token %s not marked revoked", c.name, tk.ID)
				}
			}
		}
	})
}

// TestSessionCookieEndsWithBrowser: the session cookie has neither Max-Age
// nor Expires, so the browser drops it when it closes; the server still
// ends an idle session.
func TestSessionCookieEndsWithBrowser(t *testing.T) {
	db := testenv.OpenMigrated(t, testenv.FreshSQLite(t))
	f := newAccountFixture(t, db, mfaOptional)
	cr := f.creds[access.Analyst]
	c := f.client(t)
	resp, _ := f.post(t, c, "/login", url.Values{"username": {cr.Username}, "password": {cr.Password}})
	var set string
	for _, h := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "haven_session=") {
			set = h
		}
	}
	if resp.StatusCode != http.StatusSeeOther || set == "" {
		t.Fatalf("sign-in: %d, session cookie %q", resp.StatusCode, set)
	}
	low := strings.ToLower(set)
	if strings.Contains(low, "max-age") || strings.Contains(low, "expires") {
		t.Fatalf("session cookie outlives the browser: %s", set)
	}
	if !strings.Contains(low, "httponly") || !strings.Contains(low, "samesite=lax") {
		t.Fatalf("session cookie attributes: %s", set)
	}
	if resp, _ := f.get(t, c, "/account"); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed in: %d", resp.StatusCode)
	}
	f.clock.Advance(31 * time.Minute)
	if resp, _ := f.get(t, c, "/account"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("idle session still served: %d", resp.StatusCode)
	}
}

// TestPasswordAloneNeverEnrolsSecondFactor: someone holding only the
// password of an account without a second factor gets no session and no
// set-up; only a one-time enrolment link (stored hashed, single use,
// expiring, replaced by the next one) together with the password opens the
// set-up, and a pending secret is never shown to another sign-in.
func TestPasswordAloneNeverEnrolsSecondFactor(t *testing.T) {
	eachAccountEngine(t, nil, func(t *testing.T, f *acctFixture) {
		ctx := t.Context()
		cr := f.creds[access.CaseWorker]
		u := f.user(t, access.CaseWorker)
		sessions := func() int {
			var n int
			if err := f.db.R().QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		hasPending := func() bool {
			_, err := f.db.MFA(ctx, u.ID)
			return err == nil
		}

		// The password alone: no session, no set-up, a pointer to the link.
		attacker := f.client(t)
		resp, body := f.post(t, attacker, "/login", url.Values{"username": {cr.Username}, "password": {cr.Password}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "enrolment link") {
			t.Fatalf("password of an account without a second factor: %d, want 403 naming the enrolment link", resp.StatusCode)
		}
		for _, h := range resp.Header.Values("Set-Cookie") {
			if strings.HasPrefix(h, "haven_session=") && !strings.Contains(h, "Max-Age=0") {
				t.Fatalf("a session cookie was set: %s", h)
			}
		}
		if n := sessions(); n != 0 {
			t.Fatalf("%d sessions opened by a password alone", n)
		}
		if resp, _ := f.get(t, attacker, "/mfa/enrol"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("set-up page without a link: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		f.post(t, attacker, "/mfa/enrol", url.Values{})
		if hasPending() {
			t.Fatal("a secret was made without a link")
		}
		if !audited(t, f.db, "session.refused", u.ID) {
			t.Fatal("the refused sign-in is not audited")
		}

		// A link that does not exist, or is malformed, opens nothing.
		for _, bad := range []string{"/enrol/" + strings.Repeat("A", 43), "/enrol/short", "/enrol/" + strings.Repeat("A", 42) + "%21"} {
			if resp, body := f.get(t, f.client(t), bad); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `role="alert"`) {
				t.Fatalf("GET %s: %d, want 404", bad, resp.StatusCode)
			}
		}

		// The link is stored hashed.
		link := f.enrolLink(t, access.CaseWorker)
		token := strings.TrimPrefix(link, "/enrol/")
		var n int
		if err := f.db.R().QueryRowContext(ctx, `SELECT count(*) FROM enrol_links WHERE token_hash = $1 AND user_id = $2`, store.HashToken(token), u.ID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("link by its hash: %d %v", n, err)
		}
		if err := f.db.R().QueryRowContext(ctx, `SELECT count(*) FROM enrol_links WHERE token_hash = $1`, []byte(token)).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the token itself is stored: %d %v", n, err)
		}
		if !audited(t, f.db, "user.enrol_link", u.ID) {
			t.Fatal("issuing the link is not audited")
		}

		// The link without the password opens nothing, and is not spent.
		first := f.client(t)
		if st, _ := f.openLink(t, first, link, "not the password"); st != http.StatusUnauthorized {
			t.Fatalf("link with a wrong password: %d, want 401", st)
		}
		if n := sessions(); n != 0 {
			t.Fatalf("%d sessions opened by a link alone", n)
		}
		// With the password it opens the set-up, once.
		if st, loc := f.openLink(t, first, link, cr.Password); st != http.StatusSeeOther || loc != "/mfa/enrol" {
			t.Fatalf("link with the password: %d %s", st, loc)
		}
		if !audited(t, f.db, "user.enrol_link_used", u.ID) {
			t.Fatal("using the link is not audited")
		}
		if resp, _ := f.get(t, f.client(t), link); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("a used link still opens: %d", resp.StatusCode)
		}
		if resp, _ := f.post(t, f.client(t), link, url.Values{"password": {cr.Password}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("a used link is accepted again: %d", resp.StatusCode)
		}
		f.post(t, first, "/mfa/enrol", url.Values{})
		_, body = f.get(t, first, "/mfa/enrol")
		m := secretRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no secret on the set-up page")
		}
		firstSecret := strings.ReplaceAll(m[1], " ", "")

		// The password still gets no session while the set-up is pending.
		if st, _ := f.signIn(t, f.client(t), cr.Username, cr.Password); st != http.StatusForbidden {
			t.Fatalf("password during a pending set-up: %d, want 403", st)
		}
		// A new link replaces the pending set-up: its secret is never shown
		// again, and the earlier set-up session ends.
		second := f.client(t)
		if st, loc := f.openLink(t, second, f.enrolLink(t, access.CaseWorker), cr.Password); st != http.StatusSeeOther || loc != "/mfa/enrol" {
			t.Fatalf("second link: %d %s", st, loc)
		}
		if _, body := f.get(t, second, "/mfa/enrol"); strings.Contains(body, "data:image/png") || strings.Contains(body, web.GroupBy4(firstSecret)) {
			t.Fatal("the pending secret of another sign-in is shown")
		}
		if resp, _ := f.get(t, first, "/mfa/enrol"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("the earlier set-up session survives: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		f.post(t, second, "/mfa/enrol", url.Values{})
		if resp, _ := f.post(t, second, "/mfa/enrol/confirm", url.Values{"code": {f.code(t, firstSecret)}}); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("a code of the replaced secret: %d, want 400", resp.StatusCode)
		}
		_, body = f.get(t, second, "/mfa/enrol")
		secret := strings.ReplaceAll(secretRe.FindStringSubmatch(body)[1], " ", "")
		if resp, _ := f.post(t, second, "/mfa/enrol/confirm", url.Values{"code": {f.code(t, secret)}}); resp.StatusCode != http.StatusOK {
			t.Fatalf("confirm: %d", resp.StatusCode)
		}
		if resp, _ := f.get(t, second, "/cases"); resp.StatusCode != http.StatusOK {
			t.Fatalf("signed in after set-up: %d", resp.StatusCode)
		}

		// A link expires; a disabled account's link is dead.
		fr := f.creds[access.FirstResponder]
		tok, err := f.web.IssueEnrolLinkForTest(ctx, f.db, f.user(t, access.FirstResponder).ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour + time.Second)
		if resp, _ := f.post(t, f.client(t), "/enrol/"+tok, url.Values{"password": {fr.Password}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("expired link: %d, want 404", resp.StatusCode)
		}
		ps := f.user(t, access.ShelterStaff)
		tok, err = f.web.IssueEnrolLinkForTest(ctx, f.db, ps.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, ps.ID, true) }); err != nil {
			t.Fatal(err)
		}
		if err := f.db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, ps.ID, false) }); err != nil {
			t.Fatal(err)
		}
		if resp, _ := f.get(t, f.client(t), "/enrol/"+tok); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("link of a disabled account: %d, want 404", resp.StatusCode)
		}

		// A signed-in user without a second factor (a role that need not
		// have one) cannot set one up with the session alone either.
		an := f.client(t)
		ar := f.creds[access.Analyst]
		if _, loc := f.signIn(t, an, ar.Username, ar.Password); loc != "/" {
			t.Fatalf("analyst: %s", loc)
		}
		if resp, _ := f.post(t, an, "/mfa/enrol", url.Values{"return": {"/mfa/enrol"}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
			t.Fatalf("set-up from a full session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, err := f.db.MFA(ctx, f.user(t, access.Analyst).ID); err == nil {
			t.Fatal("a full session made a secret without a link")
		}
		if _, body := f.get(t, an, "/account"); !strings.Contains(body, "ask your administrator for an enrolment link") {
			t.Fatal("the account page does not say how to set up a second factor")
		}
	})
}

// TestGuessingCannotLockUserOut: an attacker who floods an account with
// wrong passwords, from one address or from many, is throttled, but the
// browser where the real user signed in before (device cookie) still gets
// in, even from the attacker's address.
func TestGuessingCannotLockUserOut(t *testing.T) {
	eachAccountEngine(t, func(c *config.Config) { c.MFAOptional = true; c.TrustedProxies = "127.0.0.1,::1" }, func(t *testing.T, f *acctFixture) {
		cr := f.creds[access.CompetentAuthority]
		login := func(c *http.Client, addr, password string) int {
			resp, _ := f.post(t, c, "/login", url.Values{"username": {cr.Username}, "password": {password}}, "X-Forwarded-For", addr)
			return resp.StatusCode
		}
		const home, attackerAddr = "203.0.113.5", "198.51.100.7"
		// The real user signs in once: the browser becomes a known device.
		user := f.client(t)
		if st := login(user, home, cr.Password); st != http.StatusSeeOther {
			t.Fatalf("first sign-in: %d", st)
		}
		u, _ := url.Parse(f.srv.URL)
		device := ""
		for _, ck := range user.Jar.Cookies(u) {
			if ck.Name == "haven_device" {
				device = ck.Value
			}
		}
		if device == "" {
			t.Fatal("no device cookie after a complete sign-in")
		}
		f.post(t, user, "/logout", nil)

		// The attacker floods wrong passwords from one address, then from
		// many.
		attacker := f.client(t)
		for i := 0; i < 30; i++ {
			if st := login(attacker, attackerAddr, "wrong password "+strconv.Itoa(i)); st != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: %d", i, st)
			}
		}
		if st := login(attacker, attackerAddr, cr.Password); st != http.StatusUnauthorized {
			t.Fatalf("an unknown device from the attacker's address: %d, want throttled (401)", st)
		}
		for i := 0; i < 30; i++ {
			login(f.client(t), "192.0.2."+strconv.Itoa(i+1), "spread guess "+strconv.Itoa(i))
		}
		if st := login(f.client(t), "192.0.2.200", cr.Password); st != http.StatusUnauthorized {
			t.Fatalf("an unknown device after guesses from many addresses: %d, want throttled (401)", st)
		}
		// A forged device cookie counts as an unknown device.
		forged := f.client(t)
		forged.Jar.SetCookies(u, []*http.Cookie{{Name: "haven_device", Value: device[:33] + strings.Repeat("0", 32)}})
		if st := login(forged, attackerAddr, cr.Password); st != http.StatusUnauthorized {
			t.Fatalf("a forged device cookie: %d, want throttled (401)", st)
		}
		// The real user's browser still signs in, from home and from the
		// attacker's own address.
		for _, addr := range []string{home, attackerAddr} {
			if st := login(user, addr, cr.Password); st != http.StatusSeeOther {
				t.Fatalf("the known device from %s: %d, want signed in", addr, st)
			}
			f.post(t, user, "/logout", nil)
		}
		// The known device has a counter of its own: wrong passwords on
		// it are throttled too.
		for i := 0; i < 5; i++ {
			login(user, home, "own typo "+strconv.Itoa(i))
		}
		if st := login(user, home, cr.Password); st != http.StatusUnauthorized {
			t.Fatalf("a known device after five failures: %d, want throttled (401)", st)
		}
		f.clock.Advance(30 * time.Second)
		if st := login(user, home, cr.Password); st != http.StatusSeeOther {
			t.Fatalf("the known device after its lock: %d", st)
		}
	})
}

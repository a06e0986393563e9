package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// TestRecoveryRevokesEverything: a password change, signing out
// everywhere, an MFA reset and disabling an account each end every session
// and revoke every API token of the user; enabling the account again
// revives nothing.
func TestRecoveryRevokesEverything(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAccountFixture(t, db, func(c *config.Config) { c.MFAOptional = true })
		ctx := context.Background()
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
				if err := db.Write(ctx, func(tx *store.Tx) error { return tx.ResetMFA(ctx, u.ID) }); err != nil {
					t.Fatal(err)
				}
			}},
			{"disabling", access.FirstResponder, func(t *testing.T, u store.User, _ *http.Client) {
				if err := db.Write(ctx, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, u.ID, true) }); err != nil {
					t.Fatal(err)
				}
				if err := db.Write(ctx, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, u.ID, false) }); err != nil {
					t.Fatal(err)
				}
			}},
		} {
			u := f.user(t, c.role)
			cr := f.creds[c.role]
			a, b := f.client(t), f.client(t)
			for _, cl := range []*http.Client{a, b} {
				if st, loc := f.signIn(t, cl, cr.Username, cr.Password); st != http.StatusSeeOther || loc != "/" {
					t.Fatalf("%s: sign-in %d %s", c.name, st, loc)
				}
			}
			var tokens []string
			for i := 0; i < 2; i++ {
				tok, err := f.web.IssueTokenForTest(ctx, u.ID)
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
			ts, err := db.APITokens(ctx, u.ID)
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
	f := newAccountFixture(t, db, func(c *config.Config) { c.MFAOptional = true })
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

package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// Passkeys in Chromium with the DevTools virtual authenticator
// (WebAuthn.enable, WebAuthn.addVirtualAuthenticator): the browser's own
// WebAuthn implementation creates and uses the credential; Haven's pages
// and passkey.js drive it as they would a security key.

func cdpCall[P, R any](c cdp.Command[P, R], p P) chromedp.Action[R] {
	return func(ctx context.Context, t *chromedp.Target) (R, error) { return cdp.Call(ctx, t, c, p) }
}

// addAuthenticator enables WebAuthn and adds a CTAP2 platform
// authenticator that holds discoverable credentials and verifies its user.
// cmtg adds support for the CMTG key extension, which Chromium needs to
// accept a credential added through the protocol.
func addAuthenticator(t *testing.T, ctx context.Context, cmtg bool) webauthn.AuthenticatorID {
	t.Helper()
	if _, err := chromedp.Run(ctx, cdpCall(webauthn.Enable, webauthn.EnableParams{})); err != nil {
		t.Fatalf("WebAuthn.enable: %v", err)
	}
	res, err := chromedp.Run(ctx, cdpCall(webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true, HasCmtgKey: cmtg}}))
	if err != nil {
		t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}
	return res.AuthenticatorID
}

// passkeyScene is Haven on http://localhost (WebAuthn refuses an IP
// address as the relying party) with a case worker who has only an
// enrolment link.
type passkeyScene struct {
	f        *fixture
	base     string
	user     accounts.User
	password string
	link     string
}

func newPasskeyScene(t *testing.T) (*passkeyScene, context.Context) {
	ctx := browser(t)
	db := testenv.OpenMigrated(t, testenv.FreshSQLite(t))
	f := newFixture(t, db)
	acc := f.web.Services.Accounts
	ags, err := db.Agencies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pw := "correct horse passkey staple 42"
	u, link, err := acc.CreateUser(context.Background(), accounts.NewAccount{Username: "passkey.worker", DisplayName: "Passkey Worker",
		Password: pw, Role: string(access.CaseWorker), AgencyID: ags[0].ID}, nil, time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}
	return &passkeyScene{f: f, base: strings.Replace(f.srv.URL, "127.0.0.1", "localhost", 1), user: u, password: pw, link: link.Path()}, ctx
}

// enrol opens the enrolment link, proves the password and sets up a
// passkey as the first second factor: the recovery codes follow.
func (s *passkeyScene) enrol(t *testing.T, ctx context.Context) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.base+s.link),
		chromedp.SendKeys(chromedp.ID("password"), s.password),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("passkey-register")),
		chromedp.SendKeys(chromedp.ID("passkey-name"), "Virtual key"),
		chromedp.Click(chromedp.ID("passkey-register")),
		chromedp.WaitVisible(chromedp.CSS(`ol.codes`)),
	)
	if err != nil {
		t.Fatalf("enrol a passkey: %v", err)
	}
	ks, err := s.f.web.Services.Accounts.Passkeys(context.Background(), s.user.ID)
	if err != nil || len(ks) != 1 || ks[0].Name != "Virtual key" || !ks[0].UserVerified {
		t.Fatalf("passkeys after enrolment: %+v %v", ks, err)
	}
}

func (s *passkeyScene) signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/"), chromedp.Click(chromedp.CSS(`form.session button`)),
		chromedp.WaitVisible(chromedp.ID("passkey-login"))); err != nil {
		t.Fatalf("sign out: %v", err)
	}
}

// passkeySignIn signs in from the login page with the passkey alone and
// reports whether a session started.
func (s *passkeyScene) passkeySignIn(t *testing.T, ctx context.Context) bool {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/login"), chromedp.WaitVisible(chromedp.ID("passkey-login")),
		chromedp.Evaluate[chromedp.Void](`window.havenOldPage = true`),
		chromedp.Click(chromedp.ID("passkey-login"))); err != nil {
		t.Fatalf("passkey sign-in: %v", err)
	}
	waitNewPage(t, ctx, `document.querySelector('form.session') !== null || document.querySelector('[role=alert]:not([hidden])') !== null`)
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('form.session') !== null`))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func (s *passkeyScene) events(t *testing.T, action string) []string {
	t.Helper()
	evs, err := s.f.db.AuditEvents(context.Background(), store.AuditFilter{Action: action, ObjectID: s.user.ID})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Details["method"]+e.Reason)
	}
	return out
}

func TestBrowserPasskeyRegisterAndSignIn(t *testing.T) {
	s, ctx := newPasskeyScene(t)
	addAuthenticator(t, ctx, false)
	s.enrol(t, ctx)
	if got := s.events(t, "mfa.enrol"); len(got) != 1 || got[0] != "passkey" {
		t.Fatalf("mfa.enrol events: %v", got)
	}
	s.signOut(t, ctx)
	if !s.passkeySignIn(t, ctx) {
		t.Fatal("the passkey did not sign in")
	}
	if got := s.events(t, "session.start"); len(got) == 0 || got[0] != "passkey" {
		t.Fatalf("session.start events: %v", got)
	}
	checkPage(t, ctx, "passkey-signed-in")
	// As the second factor after the password.
	s.signOut(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/login"),
		chromedp.SendKeys(chromedp.ID("username"), s.user.Username),
		chromedp.SendKeys(chromedp.ID("password"), s.password),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("passkey-mfa")),
		chromedp.Click(chromedp.ID("passkey-mfa")),
		chromedp.WaitVisible(chromedp.CSS(`form.session`))); err != nil {
		t.Fatalf("password and passkey: %v", err)
	}
	if got := s.events(t, "session.mfa"); len(got) != 1 || got[0] != "passkey" {
		t.Fatalf("session.mfa events: %v", got)
	}
	// The account page lists the passkey.
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/account/passkeys"), chromedp.WaitVisible(chromedp.CSS(`form[action$="/remove"]`))); err != nil {
		t.Fatalf("passkeys page: %v", err)
	}
	checkPage(t, ctx, "account-passkeys")
}

func TestBrowserClonedPasskeyRefused(t *testing.T) {
	s, ctx := newPasskeyScene(t)
	orig := addAuthenticator(t, ctx, false)
	s.enrol(t, ctx)
	s.signOut(t, ctx)
	if !s.passkeySignIn(t, ctx) {
		t.Fatal("the genuine passkey did not sign in")
	}
	// Copy the credential, private key and all, into a second
	// authenticator whose counter starts again from zero, and take the
	// original away: the copy answers the next sign-in.
	creds, err := chromedp.Run(ctx, cdpCall(webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: orig}))
	if err != nil || len(creds.Credentials) != 1 {
		t.Fatalf("WebAuthn.getCredentials: %v %v", creds, err)
	}
	c := creds.Credentials[0]
	if c.SignCount < 1 {
		t.Fatalf("the genuine authenticator's counter is %v", c.SignCount)
	}
	if _, err := chromedp.Run(ctx, cdpCall(webauthn.RemoveVirtualAuthenticator, webauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: orig})); err != nil {
		t.Fatal(err)
	}
	clone := addAuthenticator(t, ctx, true)
	c.SignCount = 0
	c.CmtgKeys, c.ActiveCmtgKeyIndex, c.GenerateCmtgKeyOnNextOperation = nil, nil, false
	if _, err := chromedp.Run(ctx, cdpCall(webauthn.AddCredential, webauthn.AddCredentialParams{AuthenticatorID: clone, Credential: c})); err != nil {
		t.Fatalf("WebAuthn.addCredential: %v", err)
	}
	s.signOut(t, ctx)
	if s.passkeySignIn(t, ctx) {
		t.Fatal("a cloned authenticator signed in")
	}
	if got := s.events(t, "passkey.clone_refused"); len(got) != 1 || got[0] != "passkey_clone" {
		t.Fatalf("passkey.clone_refused events: %v", got)
	}
}

package accounts_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/notify"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// clock is a test clock the service reads; tests move it.
type clock struct{ ms atomic.Int64 }

func (c *clock) now() time.Time       { return time.UnixMilli(c.ms.Load()).UTC() }
func (c *clock) move(d time.Duration) { c.ms.Add(d.Milliseconds()) }
func newClock(t time.Time) *clock     { c := &clock{}; c.ms.Store(t.UnixMilli()); return c }
func everyRole(access.Role) bool      { return true }
func noMail() *notify.Mailer          { return notify.NewMailer(notify.Config{}) }
func principalOf(u accounts.User) access.Principal {
	return access.Principal{UserID: u.ID, Role: access.Role(u.Role), AgencyID: u.AgencyID, JurisdictionID: u.JurisdictionID}
}

// newService is the account service over db with a fresh keyring; mfa
// says which roles must use a second factor.
func newService(t *testing.T, db *store.DB, now func() time.Time, mfa func(access.Role) bool) *accounts.Service {
	t.Helper()
	keys, err := seal.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	return accounts.NewService(db, keys, now, nil, mfa)
}

// newPassword is a random password the policy accepts for u.
func newPassword(u accounts.User) string {
	for {
		if p := auth.NewToken()[:20]; auth.CheckPassword(p, u.Username, u.DisplayName) == nil {
			return p
		}
	}
}

func seedAgency(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	jid, aid := store.NewID(), store.NewID()
	err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
		if err := tx.InsertJurisdiction(ctx, store.Jurisdiction{ID: jid, Code: "A-" + jid[:6], Country: "NP", Name: "Test", Timezone: "UTC", CreatedAt: 1}); err != nil {
			return err
		}
		return tx.InsertAgency(ctx, store.Agency{ID: aid, JurisdictionID: jid, Kind: "ngo", Name: "Test NGO", CreatedAt: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	return aid
}

// createUser creates the account a, with a fresh password, in a new
// agency, as the command line does; it returns the user and the password.
func createUser(t *testing.T, db *store.DB, svc *accounts.Service, a accounts.NewAccount) (accounts.User, string) {
	t.Helper()
	a.Password, a.AgencyID = auth.NewToken()[:20], seedAgency(t, db)
	u, _, err := svc.CreateUser(t.Context(), a, noMail(), accounts.DefaultLinkLife, "cli")
	if err != nil {
		t.Fatal(err)
	}
	return u, a.Password
}

// TestEveryWriteIsAudited runs each account use case that changes
// something, or must leave a trace, through the service and checks that
// the audit log gained exactly the use case's events: the change and its
// events are written by the one DB.Write of the method, so none of them
// commits without the others.
func TestEveryWriteIsAudited(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Now())
		svc := newService(t, db, clk.now, everyRole)
		aid := seedAgency(t, db)
		password := auth.NewToken()[:20]
		c := accounts.Client{Address: "192.0.2.7"}
		_, seq := testenv.AuditActionsAfter(t, db, 0)
		step := func(name string, want []string, fn func() error) {
			t.Helper()
			if err := fn(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var got []string
			got, seq = testenv.AuditActionsAfter(t, db, seq)
			if !slices.Equal(got, want) {
				t.Fatalf("%s wrote events %v, want %v", name, got, want)
			}
		}

		var u accounts.User
		var link accounts.Link
		step("create user", []string{"user.create", "user.enrol_link"}, func() (err error) {
			u, link, err = svc.CreateUser(ctx, accounts.NewAccount{Username: "audited.user", DisplayName: "Audited", Password: password,
				Role: string(access.CaseWorker), AgencyID: aid}, noMail(), accounts.DefaultLinkLife, "cli")
			return err
		})
		step("sign in, wrong password", []string{"session.failed"}, func() error {
			res, err := svc.SignIn(ctx, c, u.Username, "wrong password")
			if err == nil && res.Outcome != accounts.SignInFailed {
				t.Fatalf("outcome %v", res.Outcome)
			}
			return err
		})
		step("sign in without a second factor", []string{"session.refused"}, func() error {
			res, err := svc.SignIn(ctx, c, u.Username, password)
			if err == nil && res.Outcome != accounts.SignInNeedsLink {
				t.Fatalf("outcome %v", res.Outcome)
			}
			return err
		})
		step("unknown enrolment link", []string{"user.enrol_link_refused"}, func() error {
			if _, err := svc.OpenEnrolLink(ctx, c, auth.NewToken(), password, nil); !errs.Is(err, errs.NotFound) {
				t.Fatalf("unknown link: %v", err)
			}
			return nil
		})
		step("enrolment link, wrong password", []string{"user.enrol_link_failed"}, func() error {
			tok, err := svc.OpenEnrolLink(ctx, c, link.Token, "wrong password", nil)
			if err == nil && tok != "" {
				t.Fatal("wrong password opened the link")
			}
			return err
		})
		var enrolSession string
		step("enrolment link", []string{"user.enrol_link_used"}, func() (err error) {
			enrolSession, err = svc.OpenEnrolLink(ctx, c, link.Token, password, nil)
			return err
		})
		step("start enrolment", []string{"mfa.enrol_start"}, func() error { return svc.StartEnrolment(ctx, u) })
		var codes []string
		step("confirm enrolment", []string{"mfa.enrol"}, func() error {
			e, err := svc.Enrolment(ctx, u)
			if err != nil {
				return err
			}
			code, err := totp.GenerateCode(e.Secret, clk.now())
			if err != nil {
				return err
			}
			res, err := svc.ConfirmEnrolment(ctx, accounts.Client{Address: c.Address, Session: enrolSession}, u, code)
			codes = res.Codes
			return err
		})
		var pendingToken string
		step("sign in", []string{"session.start"}, func() error {
			res, err := svc.SignIn(ctx, c, u.Username, password)
			if err == nil && (res.Outcome != accounts.SignInStarted || res.Stage != accounts.StageMFA) {
				t.Fatalf("result %+v", res)
			}
			pendingToken = res.Token
			return err
		})
		step("second factor, wrong code", []string{"session.mfa_failed"}, func() error {
			res, err := svc.VerifySecondFactor(ctx, c, u, "000000")
			if err == nil && res.Method != "" {
				t.Fatal("wrong code accepted")
			}
			return err
		})
		var session string
		step("second factor", []string{"session.mfa"}, func() error {
			res, err := svc.VerifySecondFactor(ctx, accounts.Client{Address: c.Address, Session: pendingToken}, u, codes[0])
			if err == nil && res.Method != "recovery" {
				t.Fatalf("method %q", res.Method)
			}
			session = res.Token
			return err
		})
		resume := func() accounts.Resumed {
			t.Helper()
			r, err := svc.Resume(ctx, session)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		step("session lookup", nil, func() error { resume(); return nil })
		step("re-authenticate", []string{"session.reauth"}, func() (err error) {
			r := resume()
			session, _, err = svc.Reauthenticate(ctx, accounts.Client{Address: c.Address, Session: session}, r.User, r.Session, password, codes[1])
			if err == nil && session == "" {
				t.Fatal("re-authentication refused")
			}
			return err
		})
		step("re-authenticate, wrong password", []string{"session.reauth_failed"}, func() error {
			r := resume()
			tok, _, err := svc.Reauthenticate(ctx, c, r.User, r.Session, "wrong password", codes[2])
			if err == nil && tok != "" {
				t.Fatal("wrong password accepted")
			}
			return err
		})
		p := principalOf(u)
		step("renew recovery codes", []string{"mfa.recovery_codes"}, func() (err error) {
			codes, err = svc.RenewRecoveryCodes(ctx, p, u.ID)
			return err
		})
		step("change password, wrong current", []string{"user.password_failed"}, func() error {
			r := resume()
			_, err := svc.ChangePassword(ctx, c, r.User, r.Session, accounts.PasswordChange{Current: "wrong", New: "x", Confirm: "x"})
			if !errs.Is(err, errs.Unauthenticated) {
				t.Fatalf("wrong current password: %v", err)
			}
			return nil
		})
		step("change password", []string{"user.password"}, func() (err error) {
			r := resume()
			next := newPassword(u)
			session, err = svc.ChangePassword(ctx, accounts.Client{Address: c.Address, Session: session}, r.User, r.Session,
				accounts.PasswordChange{Current: password, New: next, Confirm: next})
			password = next
			return err
		})
		var secret string
		step("create API token", []string{"token.create"}, func() (err error) {
			secret, err = svc.CreateAPIToken(ctx, p, u.ID, accounts.NewToken{Name: "job", Days: 7})
			return err
		})
		step("token lookup", nil, func() error { _, err := svc.TokenUser(ctx, secret); return err })
		step("revoke API token", []string{"token.revoke"}, func() error {
			ts, err := svc.APITokens(ctx, u.ID)
			if err != nil || len(ts) != 1 {
				t.Fatalf("tokens %v, %v", ts, err)
			}
			return svc.RevokeAPIToken(ctx, p, ts[0].ID)
		})
		// The event is written in the change's transaction: when the
		// change fails (the token is revoked already), the event is rolled
		// back with it.
		step("revoke a revoked token", nil, func() error {
			ts, err := svc.APITokens(ctx, u.ID)
			if err != nil {
				return err
			}
			return svc.RevokeAPIToken(ctx, p, ts[0].ID)
		})
		step("language", []string{"user.language"}, func() error { return svc.SetLanguage(ctx, p, u.ID, "ne") })
		step("audit log", []string{"audit.view"}, func() error { _, err := svc.AuditLog(ctx, p, accounts.AuditQuery{}); return err })
		step("sign out", []string{"session.end"}, func() error { return svc.SignOut(ctx, session, &u, "") })
		step("end all sessions", []string{"session.end_all"}, func() error { return svc.EndAllSessions(ctx, p, u.ID) })
		step("reset second factor", []string{"user.mfa_reset", "user.enrol_link"}, func() error {
			_, _, err := svc.ResetSecondFactor(ctx, u.Username, noMail(), accounts.DefaultLinkLife, "cli")
			return err
		})
		step("link shown", []string{"user.enrol_link_shown"}, func() error { return svc.LinkShown(ctx, u) })
	})
}

// TestTouchAtMostOnceAMinute: a session's activity and an API token's use
// are recorded at most once a minute, to spare the writer.
func TestTouchAtMostOnceAMinute(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Now())
		svc := newService(t, db, clk.now, func(access.Role) bool { return false })
		u, password := createUser(t, db, svc, accounts.NewAccount{Username: "touch.user", DisplayName: "T", Role: string(access.Analyst)})
		res, err := svc.SignIn(ctx, accounts.Client{Address: "192.0.2.8"}, u.Username, password)
		if err != nil || res.Outcome != accounts.SignInStarted || res.Stage != "" {
			t.Fatalf("sign-in %+v, %v", res, err)
		}
		secret, err := svc.CreateAPIToken(ctx, principalOf(u), u.ID, accounts.NewToken{Name: "job", Days: 7})
		if err != nil {
			t.Fatal(err)
		}
		lastSeen := func() int64 {
			r, err := svc.Resume(ctx, res.Token)
			if err != nil {
				t.Fatal(err)
			}
			return r.Session.LastSeenAt
		}
		lastUsed := func() int64 {
			if _, err := svc.TokenUser(ctx, secret); err != nil {
				t.Fatal(err)
			}
			ts, err := svc.APITokens(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ts[0].LastUsedAt
		}
		start := store.Millis(clk.now())
		if got := lastSeen(); got != start {
			t.Fatalf("last seen %d, want %d", got, start)
		}
		used := lastUsed()
		if used != start {
			t.Fatalf("first use not recorded: %d, want %d", used, start)
		}
		clk.move(30 * time.Second)
		if lastSeen(); lastSeen() != start {
			t.Fatal("activity recorded within a minute")
		}
		if lastUsed() != start {
			t.Fatal("use recorded within a minute")
		}
		clk.move(31 * time.Second)
		lastSeen()
		if got, want := lastSeen(), store.Millis(clk.now()); got != want {
			t.Fatalf("activity after a minute: %d, want %d", got, want)
		}
		lastUsed()
		if got, want := lastUsed(), store.Millis(clk.now()); got != want {
			t.Fatalf("use after a minute: %d, want %d", got, want)
		}
	})
}

// TestWeakHashIsReplacedAtSignIn: a password hash made with weaker
// parameters than auth.DefaultParams (an older installation's, or one
// imported) is replaced by a hash with today's parameters at the next
// successful sign-in, in the sign-in's transaction and audited; a failed
// sign-in leaves it as it was.
func TestWeakHashIsReplacedAtSignIn(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db, time.Now, func(access.Role) bool { return false })
		u, password := createUser(t, db, svc, accounts.NewAccount{Username: "weak.hash", DisplayName: "Weak", Role: string(access.CaseWorker)})
		weak := auth.DefaultParams
		weak.Memory, weak.Time = 8*1024, 1
		old, err := auth.HashPassword(password, weak)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.SetUserPassword(ctx, u.ID, old) }); err != nil {
			t.Fatal(err)
		}
		hash := func() string {
			su, err := db.UserByUsername(ctx, u.Username)
			if err != nil {
				t.Fatal(err)
			}
			return su.PasswordHash
		}
		_, seq := testenv.AuditActionsAfter(t, db, 0)
		if res, err := svc.SignIn(ctx, accounts.Client{Address: "192.0.2.9"}, u.Username, "not the password"); err == nil && res.Outcome == accounts.SignInStarted {
			t.Fatal("wrong password accepted")
		}
		if hash() != old {
			t.Fatal("a failed sign-in changed the hash")
		}
		_, seq = testenv.AuditActionsAfter(t, db, seq)
		res, err := svc.SignIn(ctx, accounts.Client{Address: "192.0.2.9"}, u.Username, password)
		if err != nil || res.Outcome != accounts.SignInStarted {
			t.Fatalf("sign-in: %v %v", res.Outcome, err)
		}
		now := hash()
		if now == old || auth.NeedsRehash(now, auth.DefaultParams) || auth.VerifyPassword(password, now) != nil {
			t.Fatalf("hash not replaced by one with today's parameters")
		}
		got, _ := testenv.AuditActionsAfter(t, db, seq)
		if !slices.Contains(got, "user.password_rehashed") {
			t.Fatalf("events %v lack user.password_rehashed", got)
		}
	})
}

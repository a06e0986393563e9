package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// seedAccount creates a jurisdiction, an agency and one user.
func seedAccount(t *testing.T, db *store.DB) store.User {
	t.Helper()
	ctx := context.Background()
	_, aid := seedDirectory(t, db)
	u := store.User{ID: store.NewID(), Username: "acct-" + aid[:8], DisplayName: "A", PasswordHash: "x", Role: "case_worker", AgencyID: aid}
	if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.InsertUser(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSessionStageRoundTrip(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := seedAccount(t, db)
		now := time.Now()
		in := store.Session{TokenHash: store.HashToken("s1"), UserID: u.ID, CreatedAt: store.Millis(now), LastSeenAt: store.Millis(now),
			ExpiresAt: store.Millis(now.Add(time.Hour)), AuthAt: store.Millis(now) - 5, Stage: "mfa", MFA: true}
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.InsertSession(ctx, in) }); err != nil {
			t.Fatal(err)
		}
		out, err := db.SessionByToken(ctx, "s1")
		if err != nil || out.AuthAt != in.AuthAt || out.Stage != "mfa" || !out.MFA {
			t.Fatalf("session read back as %+v, %v", out, err)
		}
		// Only complete sessions count as signed in.
		if n, err := db.UserSessionCount(ctx, u.ID, now); err != nil || n != 0 {
			t.Fatalf("count %d, %v", n, err)
		}
		in2 := in
		in2.TokenHash, in2.Stage = store.HashToken("s2"), ""
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.InsertSession(ctx, in2) }); err != nil {
			t.Fatal(err)
		}
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.DeleteUserSessionsExcept(ctx, u.ID, in2.TokenHash) }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionByToken(ctx, "s1"); err == nil {
			t.Fatal("other session survived")
		}
		if n, err := db.UserSessionCount(ctx, u.ID, now); err != nil || n != 1 {
			t.Fatalf("count %d, %v", n, err)
		}
	})
}

func TestMFAStore(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := seedAccount(t, db)
		write := func(fn func(tx *store.Tx) error) error { return db.WriteBookkeeping(ctx, store.TestFixture, fn) }
		if _, err := db.MFA(ctx, u.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("no authenticator yet: %v", err)
		}
		pending := store.MFA{UserID: u.ID, WrappedKey: []byte("wrapped-1"), Secret: []byte("sealed-1")}
		if err := write(func(tx *store.Tx) error { return tx.PutPendingMFA(ctx, pending) }); err != nil {
			t.Fatal(err)
		}
		// Starting again replaces the pending one.
		pending.Secret = []byte("sealed-2")
		if err := write(func(tx *store.Tx) error { return tx.PutPendingMFA(ctx, pending) }); err != nil {
			t.Fatal(err)
		}
		m, err := db.MFA(ctx, u.ID)
		if err != nil || m.Confirmed || !bytes.Equal(m.Secret, []byte("sealed-2")) {
			t.Fatalf("pending authenticator %+v, %v", m, err)
		}
		if has, _ := db.HasMFA(ctx, u.ID); has {
			t.Fatal("unconfirmed authenticator counts")
		}
		if err := write(func(tx *store.Tx) error { return tx.ConfirmMFA(ctx, u.ID, 100) }); err != nil {
			t.Fatal(err)
		}
		if has, _ := db.HasMFA(ctx, u.ID); !has {
			t.Fatal("confirmed authenticator not seen")
		}
		if users, err := db.MFAUsers(ctx); err != nil || !users[u.ID] {
			t.Fatalf("MFAUsers %v, %v", users, err)
		}
		// A confirmed authenticator is not replaced by a new set-up.
		if err := write(func(tx *store.Tx) error { return tx.PutPendingMFA(ctx, pending) }); !errs.Is(err, errs.Conflict) {
			t.Fatalf("replacing a confirmed authenticator: %v, want Conflict", err)
		}
		// Each time step is used once; earlier steps never again.
		for _, c := range []struct {
			step int64
			ok   bool
		}{{100, false}, {101, true}, {101, false}, {99, false}, {103, true}} {
			var ok bool
			if err := write(func(tx *store.Tx) (err error) { ok, err = tx.UseTOTPStep(ctx, u.ID, c.step); return }); err != nil {
				t.Fatal(err)
			}
			if ok != c.ok {
				t.Fatalf("step %d: accepted %v, want %v", c.step, ok, c.ok)
			}
		}
		// Recovery codes are single use.
		hashes := [][]byte{store.HashToken("r1"), store.HashToken("r2")}
		if err := write(func(tx *store.Tx) error { return tx.ReplaceRecoveryCodes(ctx, u.ID, hashes) }); err != nil {
			t.Fatal(err)
		}
		use := func(h []byte) bool {
			var ok bool
			if err := write(func(tx *store.Tx) (err error) { ok, err = tx.UseRecoveryCode(ctx, u.ID, h); return }); err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !use(hashes[0]) || use(hashes[0]) || use(store.HashToken("r3")) {
			t.Fatal("recovery code not single-use")
		}
		if n, _ := db.RecoveryCodesLeft(ctx, u.ID); n != 1 {
			t.Fatalf("%d codes left, want 1", n)
		}
		// Reset removes everything and ends the sessions.
		now := time.Now()
		if err := write(func(tx *store.Tx) error {
			return tx.InsertSession(ctx, store.Session{TokenHash: store.HashToken("live"), UserID: u.ID, CreatedAt: store.Millis(now),
				LastSeenAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(time.Hour))})
		}); err != nil {
			t.Fatal(err)
		}
		if err := write(func(tx *store.Tx) error { return tx.ResetMFA(ctx, u.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MFA(ctx, u.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("authenticator survived reset: %v", err)
		}
		if n, _ := db.RecoveryCodesLeft(ctx, u.ID); n != 0 {
			t.Fatal("recovery codes survived reset")
		}
		if _, err := db.SessionByToken(ctx, "live"); err == nil {
			t.Fatal("session survived reset")
		}
	})
}

func TestThrottleStore(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		key := store.HashToken("account:someone")
		if r, err := db.Throttle(ctx, key); err != nil || r != (store.ThrottleRow{}) {
			t.Fatalf("unknown key: %+v, %v", r, err)
		}
		for i := 1; i <= 3; i++ {
			err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
				r, err := tx.LockThrottle(ctx, key)
				if err != nil {
					return err
				}
				r.Failures++
				r.LastFailure, r.LockedUntil = int64(1000*i), int64(2000*i)
				return tx.PutThrottle(ctx, key, r)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if r, err := db.Throttle(ctx, key); err != nil || r.Failures != 3 || r.LockedUntil != 6000 {
			t.Fatalf("after three failures: %+v, %v", r, err)
		}
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.DeleteStaleThrottles(ctx, 5000) }); err != nil {
			t.Fatal(err)
		}
		if r, _ := db.Throttle(ctx, key); r.Failures != 3 {
			t.Fatal("a key locked until after the cut-off was swept")
		}
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.ClearThrottle(ctx, key) }); err != nil {
			t.Fatal(err)
		}
		if r, _ := db.Throttle(ctx, key); r.Failures != 0 {
			t.Fatal("cleared key still counts")
		}
	})
}

func TestAPITokenStore(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := seedAccount(t, db)
		now := time.Now()
		tok := store.APIToken{ID: store.NewID(), UserID: u.ID, Name: "export job", CreatedAt: store.Millis(now), ExpiresAt: store.Millis(now.Add(time.Hour))}
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.InsertAPIToken(ctx, tok, store.HashToken("secret")) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.APITokenByHash(ctx, store.HashToken("secret"))
		if err != nil || got.ID != tok.ID || !got.Live(now) || got.Live(now.Add(2*time.Hour)) {
			t.Fatalf("token %+v, %v", got, err)
		}
		if _, err := db.APITokenByHash(ctx, store.HashToken("other")); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("unknown token: %v", err)
		}
		if err := db.WriteBookkeeping(ctx, store.SessionActivity, func(tx *store.Tx) error { return tx.TouchAPIToken(ctx, got.ID, store.Millis(now)) }); err != nil {
			t.Fatal(err)
		}
		got, _ = db.APITokenByID(ctx, tok.ID)
		if got.LastUsedAt != store.Millis(now) {
			t.Fatal("use not recorded")
		}
		// That a use is recorded at most once a minute is the account
		// service's rule: accounts.TestTouchAtMostOnceAMinute.
		// Only the owner revokes, once.
		other := seedAccount(t, db)
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.RevokeAPIToken(ctx, other.ID, tok.ID) }); !errs.Is(err, errs.NotFound) {
			t.Fatalf("revoke by another user: %v", err)
		}
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.RevokeAPIToken(ctx, u.ID, tok.ID) }); err != nil {
			t.Fatal(err)
		}
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.RevokeAPIToken(ctx, u.ID, tok.ID) }); !errs.Is(err, errs.NotFound) {
			t.Fatalf("second revoke: %v", err)
		}
		if got, _ := db.APITokenByHash(ctx, store.HashToken("secret")); got.Live(now) {
			t.Fatal("revoked token still live")
		}
		if ts, err := db.APITokens(ctx, u.ID); err != nil || len(ts) != 1 {
			t.Fatalf("list %v, %v", ts, err)
		}
		// A password change is stored.
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error { return tx.SetUserPassword(ctx, u.ID, "new-hash") }); err != nil {
			t.Fatal(err)
		}
		if uu, _ := db.UserByID(ctx, u.ID); uu.PasswordHash != "new-hash" {
			t.Fatal("password not changed")
		}
	})
}

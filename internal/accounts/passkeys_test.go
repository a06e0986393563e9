package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/accounts"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// Passkeys a user already has (the ceremonies are tested in Chromium, see
// internal/web/browser_passkey_test.go): a passkey counts as a second
// factor, recovery codes still work beside it, naming and removing are
// audited, the last factor of a role that needs one stays, and a reset
// removes passkeys too.
func TestPasskeysAsSecondFactor(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db, newClock(time.Now()).now, everyRole)
		u, password := createUser(t, db, svc, accounts.NewAccount{Username: "pk.user", DisplayName: "P", Role: string(access.CaseWorker)})
		codes := []string{auth.NewRecoveryCodes()[0]}
		n, _ := auth.NormaliseRecoveryCode(codes[0])
		// As a registration leaves them: the passkey and its recovery codes.
		if err := db.WriteBookkeeping(ctx, store.TestFixture, func(tx *store.Tx) error {
			for _, id := range []string{"pk1", "pk2"} {
				if err := tx.InsertPasskey(ctx, store.Passkey{ID: id, UserID: u.ID, CredentialID: []byte(id), Name: id, Credential: "{}", UserVerified: true}); err != nil {
					return err
				}
			}
			return tx.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{auth.HashRecoveryCode(u.ID, n)})
		}); err != nil {
			t.Fatal(err)
		}
		if has, err := svc.HasSecondFactor(ctx, u.ID); err != nil || !has {
			t.Fatalf("a passkey is not a second factor: %v %v", has, err)
		}
		// The password step now waits for the second factor, and a
		// recovery code passes it although the user has no TOTP app.
		res, err := svc.SignIn(ctx, accounts.Client{Address: "192.0.2.9"}, "pk.user", password)
		if err != nil || res.Stage != accounts.StageMFA {
			t.Fatalf("sign-in: %+v %v", res, err)
		}
		sf, err := svc.VerifySecondFactor(ctx, accounts.Client{Address: "192.0.2.9", Session: res.Token}, u, codes[0])
		if err != nil || sf.Method != "recovery" {
			t.Fatalf("recovery code beside passkeys: %+v %v", sf, err)
		}
		p := principalOf(u)
		if err := svc.RenamePasskey(ctx, p, "pk1", "Blue key"); err != nil {
			t.Fatal(err)
		}
		if err := svc.RenamePasskey(ctx, p, "pk1", "bad\x00name"); !errs.Is(err, errs.Invalid) {
			t.Fatalf("control character in a name: %v", err)
		}
		other := p
		other.UserID = "someone-else"
		if err := svc.RemovePasskey(ctx, other, "pk1"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("removing another's passkey: %v", err)
		}
		if err := svc.RemovePasskey(ctx, p, "pk2"); err != nil {
			t.Fatal(err)
		}
		if err := svc.RemovePasskey(ctx, p, "pk1"); err != accounts.ErrLastFactor {
			t.Fatalf("removing the last factor: %v", err)
		}
		ks, _ := svc.Passkeys(ctx, u.ID)
		if len(ks) != 1 || ks[0].Name != "Blue key" {
			t.Fatalf("passkeys: %+v", ks)
		}
		for _, a := range []string{"passkey.rename", "passkey.remove"} {
			if evs, _ := db.AuditEvents(ctx, store.AuditFilter{Action: a, ObjectID: u.ID}); len(evs) != 1 {
				t.Fatalf("%s events: %d", a, len(evs))
			}
		}
		if _, _, err := svc.ResetSecondFactor(ctx, "pk.user", noMail(), time.Hour, "lost"); err != nil {
			t.Fatal(err)
		}
		if ks, _ := svc.Passkeys(ctx, u.ID); len(ks) != 0 {
			t.Fatal("a second-factor reset left passkeys")
		}
	})
}

// The roles whose passkeys must verify the user are those that may see
// who a person is; the system administrator never signs in without a
// password.
func TestPasskeyRules(t *testing.T) {
	for _, r := range access.Roles {
		wantUV := r == access.CaseWorker || r == access.CompetentAuthority || r == access.PoliceInvestigator || r == access.Prosecutor ||
			r == access.ShelterStaff || r == access.ServiceProvider
		if got := accounts.UserVerificationRequired(r); got != wantUV {
			t.Errorf("UserVerificationRequired(%s) = %v", r, got)
		}
		if got := accounts.PasswordlessAllowed(r); got != (r != access.SystemAdmin) {
			t.Errorf("PasswordlessAllowed(%s) = %v", r, got)
		}
	}
}

package trmsvc

import (
	"encoding/json"
	"testing"

	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/trm"
)

// TestRotatedKey: the Nepali instance rotates its TRM key pair. An envelope
// the Thai instance sealed to the old key still opens; what Nepal signs with
// the new key is refused in Thailand until Thailand's administrator compares
// the new fingerprint and adds Nepal again, the old fingerprint no longer
// matching; then it is accepted. Nepal's document is endorsed by the retired
// key, and the rotation is audited in a chain that verifies.
func TestRotatedKey(t *testing.T) {
	onPeeredPairs(t, func(t *testing.T, th, np *instance) {
		ctx := t.Context()
		old, oldFP := np.svc.ID.Active(), np.svc.Fingerprint()
		toOld := pkgEnvelope(t, th.svc.ID, np, np.now())

		fp, err := np.svc.RotateKey(ctx, np.as("demo.system_admin").UserID)
		if err != nil || fp == oldFP || fp != np.svc.Fingerprint() || np.svc.ID.Active().ID == old.ID {
			t.Fatalf("rotation: %q (was %q), %v", fp, oldFP, err)
		}
		if id, err := federation.Load(np.svc.KeyPath); err != nil || len(id.Keys) != 2 || id.Active().ID != np.svc.ID.Active().ID {
			t.Fatalf("the identity file after rotation: %v", err)
		}
		if _, err := np.svc.Receive(ctx, toOld); err != nil {
			t.Fatalf("an envelope sealed to the retired key: %v", err)
		}

		fromNew := func() []byte {
			pt, _ := json.Marshal(packagePayload{Ref: federation.NewID(), Country: "NP", Package: trm.Package{Purpose: trm.PurposeAssistance,
				Fields: map[string]trm.Value{"prs_GivenName": {Text: "Mina"}, "prs_Nationality": {Code: "TH"}}}})
			k := th.svc.ID.Active()
			e, err := np.svc.ID.Seal("", federation.KindPackage, federation.Recipient{Instance: th.svc.ID.Instance, KeyID: k.ID, KEMKey: k.KEMPublic()}, pt, th.now())
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(e)
			return b
		}
		if _, err := th.svc.Receive(ctx, fromNew()); err == nil {
			t.Fatal("Thailand accepted a key nobody compared")
		}

		doc, body, err := th.svc.FetchDocument(ctx, np.svc.Self.BaseURL)
		if err != nil || !doc.Endorsed(old.SignPublic()) || federation.Fingerprint(body.Instance, body.SignKey, body.KEMKey) != fp {
			t.Fatalf("Nepal's document after rotation: endorsed %v, %v", err == nil && doc.Endorsed(old.SignPublic()), err)
		}
		admin := th.as("demo.system_admin").UserID
		if _, err := th.svc.AddPeer(ctx, admin, doc, oldFP, trm.DefaultAgreement()); err == nil {
			t.Fatal("the old fingerprint matched the new keys")
		}
		if _, err := th.svc.AddPeer(ctx, admin, doc, fp, trm.DefaultAgreement()); err != nil {
			t.Fatal(err)
		}
		if _, err := th.svc.Receive(ctx, fromNew()); err != nil {
			t.Fatalf("after the new fingerprint was compared: %v", err)
		}

		ev := np.events("federation.key.rotate")
		if len(ev) != 1 || ev[0]["retired"] != old.ID || ev[0]["object"] != np.svc.ID.Active().ID {
			t.Fatalf("rotation audit: %v", ev)
		}
		np.verifyAudit()
	})
}

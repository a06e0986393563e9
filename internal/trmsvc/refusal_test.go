package trmsvc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/trm"
)

// pkgEnvelope is a well-formed package envelope from th to np.
func pkgEnvelope(t *testing.T, from *federation.Identity, to *instance, at time.Time) []byte {
	t.Helper()
	pt, _ := json.Marshal(packagePayload{Ref: federation.NewID(), Country: "TH", Package: trm.Package{Purpose: trm.PurposeAssistance,
		Fields: map[string]trm.Value{"prs_GivenName": {Text: "Mina"}, "prs_Nationality": {Code: "NP"}}}})
	k := to.svc.ID.Active()
	e, err := from.Seal("", federation.KindPackage, federation.Recipient{Instance: to.svc.ID.Instance, KeyID: k.ID, KEMKey: k.KEMPublic()}, pt, at)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(e)
	return b
}

func incoming(t *testing.T, in *instance) int {
	ts, err := store.Transfers(context.Background(), in.db.R(), In, 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(ts)
}

// Replays, tampering, a wrong key, an unknown, suspended or removed peer
// and a stale envelope are refused, nothing of them is kept, and each is
// audited with its reason at the receiver; a refusal by the peer is
// audited at the sender too.
func TestRefusedEnvelopesAreAudited(t *testing.T) {
	onPeeredPairs(t, func(t *testing.T, th, np *instance) {
		ctx := context.Background()
		stranger, _ := federation.NewIdentity(th.now())

		good := pkgEnvelope(t, th.svc.ID, np, np.now())
		if _, err := np.svc.Receive(ctx, good); err != nil {
			t.Fatal(err)
		}
		// The same envelope again: not processed twice, answered with
		// a signed receipt saying so, audited as a replay.
		rc, err := np.svc.Receive(ctx, good)
		if err != nil {
			t.Fatal(err)
		}
		var re federation.Envelope
		_ = json.Unmarshal(rc, &re)
		pt, err := th.svc.ID.OpenSealed(&re)
		var r Receipt
		if err != nil || json.Unmarshal(pt, &r) != nil || r.Result != "duplicate" {
			t.Fatalf("receipt of a replay: %+v %v", r, err)
		}

		tampered := func() []byte {
			var x federation.Envelope
			_ = json.Unmarshal(pkgEnvelope(t, th.svc.ID, np, np.now()), &x)
			x.Sealed[10] ^= 0xff
			b, _ := json.Marshal(x)
			return b
		}()
		wrongKey := func() []byte {
			other, _ := federation.NewIdentity(th.now())
			pt := []byte(`{}`)
			k := other.Active()
			x, _ := th.svc.ID.Seal("", federation.KindPackage, federation.Recipient{Instance: np.svc.ID.Instance, KeyID: np.svc.ID.Active().ID, KEMKey: k.KEMPublic()}, pt, np.now())
			b, _ := json.Marshal(x)
			return b
		}()
		for _, c := range []struct {
			name, reason string
			body         func() []byte
		}{
			{"tampered", "bad_signature", func() []byte { return tampered }},
			{"wrong key", "decrypt_failed", func() []byte { return wrongKey }},
			{"unknown peer", "unknown_peer", func() []byte { return pkgEnvelope(t, stranger, np, np.now()) }},
			{"stale", "stale", func() []byte { return pkgEnvelope(t, th.svc.ID, np, np.now().Add(-time.Hour)) }},
			{"not JSON", "malformed", func() []byte { return []byte("{") }},
			{"suspended peer", "suspended_peer", func() []byte {
				if err := np.svc.SetPeerStatus(ctx, "admin", th.svc.ID.Instance, PeerSuspended); err != nil {
					t.Fatal(err)
				}
				return pkgEnvelope(t, th.svc.ID, np, np.now())
			}},
			{"removed peer", "unknown_peer", func() []byte {
				if err := np.svc.SetPeerStatus(ctx, "admin", th.svc.ID.Instance, PeerRemoved); err != nil {
					t.Fatal(err)
				}
				return pkgEnvelope(t, th.svc.ID, np, np.now())
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := len(np.events("federation.refused"))
				_, err := np.svc.Receive(ctx, c.body())
				var ref *Refused
				if !errors.As(err, &ref) || ref.Reason != c.reason {
					t.Fatalf("got %v, want refusal %s", err, c.reason)
				}
				ev := np.events("federation.refused")
				if len(ev) != before+1 || ev[0]["reason"] != c.reason {
					t.Fatalf("refusal not audited with its reason: %v", ev)
				}
			})
		}
		if got := np.events("federation.refused"); got[len(got)-1]["reason"] != "replay" {
			t.Fatalf("the replay was not audited: %v", got)
		}
		if n := incoming(t, np); n != 1 {
			t.Fatalf("%d packages kept, want the one good one", n)
		}

		// The sender sees the peer's refusal (it removed us) and audits it.
		if err := th.svc.RecordConsent(ctx, th.as("demo.competent_authority"), th.identify(30, "Mina", "Rai", "1996-01-01", "PB7654321"),
			ConsentInput{Purpose: "x", Country: "NP", Given: true}); trm.CodeOf(err) != trm.CodeUnknownPurpose {
			t.Fatalf("consent for an unknown purpose: %v", err)
		}
		caseID := th.identify(30, "Mina", "Rai", "1996-01-01", "PB7654321")
		if err := th.svc.RecordConsent(ctx, th.as("demo.competent_authority"), caseID,
			ConsentInput{Purpose: string(trm.PurposeAssistance), Country: "NP", Given: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := th.svc.Send(ctx, th.as("demo.competent_authority"), caseID, SendInput{Peer: np.svc.ID.Instance, Purpose: string(trm.PurposeAssistance)}); err != nil {
			t.Fatal(err)
		}
		if n := th.deliver(); n != 0 {
			t.Fatal("delivered to a peer that removed us")
		}
		if ev := th.events("federation.delivery_refused"); len(ev) != 1 || ev[0]["reason"] != "http_403" {
			t.Fatalf("sender did not audit the refusal: %v", ev)
		}
		// A peer we suspended gets nothing at all.
		if err := th.svc.SetPeerStatus(ctx, "admin", np.svc.ID.Instance, PeerSuspended); err != nil {
			t.Fatal(err)
		}
		if _, err := th.svc.Send(ctx, th.as("demo.competent_authority"), caseID, SendInput{Peer: np.svc.ID.Instance, Purpose: string(trm.PurposeAssistance)}); err == nil {
			t.Fatal("a package was queued for a suspended peer")
		}
		th.advance(time.Hour)
		sent := np.received.Load()
		th.deliver()
		if np.received.Load() != sent {
			t.Fatal("an envelope went to a suspended peer")
		}
		th.verifyAudit()
		np.verifyAudit()
	})
}

// dropOnce loses the first response of the inbox after the peer has
// processed the envelope: the sender must retry, the peer must not
// process it twice.
type dropOnce struct {
	dropped bool
	rt      http.RoundTripper
}

func (d *dropOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.rt.RoundTrip(r)
	if err == nil && !d.dropped && r.Method == http.MethodPost {
		d.dropped = true
		resp.Body.Close()
		return nil, errors.New("connection reset")
	}
	return resp, err
}

// The outbox delivers after the peer was down and after the sender
// restarted, and the peer takes a retried envelope once.
func TestDeliversAfterThePeerWasDown(t *testing.T) {
	onPeeredPairs(t, func(t *testing.T, th, np *instance) {
		ctx := context.Background()
		ca := th.as("demo.competent_authority")
		caseID := th.identify(30, "Mina", "Rai", "1996-01-01", "PB7654321")
		if err := th.svc.RecordConsent(ctx, ca, caseID, ConsentInput{Purpose: string(trm.PurposeAssistance), Country: "NP", Given: true}); err != nil {
			t.Fatal(err)
		}
		np.down()
		ref, err := th.svc.Send(ctx, ca, caseID, SendInput{Peer: np.svc.ID.Instance, Purpose: string(trm.PurposeAssistance)})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if n := th.deliver(); n != 0 {
				t.Fatal("delivered to a peer that is down")
			}
			th.advance(Backoff(i + 1))
		}
		rows, _ := store.OutboxOf(ctx, th.db.R(), ref)
		if rows[0].State != "pending" || rows[0].Attempts != 3 || rows[0].LastError != "unreachable" {
			t.Fatalf("after three failed attempts: %+v", rows[0])
		}
		// The sender restarts (a new service over the same database and
		// keys); the peer comes back; the first answer is lost.
		restarted := *th.svc
		restarted.Client = &http.Client{Transport: &dropOnce{rt: http.DefaultTransport}, Timeout: 10 * time.Second}
		th.svc = &restarted
		np.serve()
		if n := th.deliver(); n != 0 {
			t.Fatal("counted a delivery whose receipt was lost")
		}
		if incoming(t, np) != 1 {
			t.Fatal("the peer did not process the envelope whose answer was lost")
		}
		np.clock.Store(th.clock.Load())
		th.advance(Backoff(4))
		np.advance(Backoff(4))
		if n := th.deliver(); n != 1 {
			rows, _ := store.OutboxOf(ctx, th.db.R(), ref)
			t.Fatalf("not delivered after the peer came back: %+v", rows[0].LastError)
		}
		if incoming(t, np) != 1 {
			t.Fatal("the retried envelope was processed twice")
		}
		if th.transfer(ref).Status != string(trm.StatusReceived) {
			t.Fatal("the sender did not record the receipt")
		}
		th.verifyAudit()
		np.verifyAudit()
	})
}

package federation

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)

func mustIdentity(t *testing.T) *Identity {
	t.Helper()
	id, err := NewIdentity(t0)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func recipientOf(id *Identity) Recipient {
	k := id.Active()
	return Recipient{Instance: id.Instance, KeyID: k.ID, KEMKey: k.KEMPublic()}
}

func peerKeysOf(id *Identity) PeerKeys {
	p := PeerKeys{Instance: id.Instance, SignKeys: map[string]ed25519.PublicKey{}}
	for _, k := range id.Keys {
		p.SignKeys[k.ID] = k.SignPublic()
	}
	return p
}

func lookupOf(peers ...PeerKeys) func(string) (PeerKeys, error) {
	return func(inst string) (PeerKeys, error) {
		for _, p := range peers {
			if p.Instance == inst {
				return p, nil
			}
		}
		return PeerKeys{}, ErrUnknownPeer
	}
}

func TestKeyFileRoundTripAndRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "federation.key")
	a, err := LoadOrCreate(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := LoadOrCreate(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	if a.Instance != b.Instance || a.Active().ID != b.Active().ID || a.Fingerprint() != b.Fingerprint() {
		t.Fatal("reloading the key file gave another identity")
	}
	r, err := Rotate(path, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r.Instance != a.Instance || len(r.Keys) != 2 || r.Active().ID == a.Active().ID {
		t.Fatal("rotation must keep the instance and add an active key")
	}
	if _, ok := r.Key(a.Active().ID); !ok {
		t.Fatal("rotation dropped the retired key, so envelopes sealed to it could not open")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Fatal("a key file readable by others was used")
	}
}

func TestFingerprintIsWordsAndDigitsAndDiffers(t *testing.T) {
	a, b := mustIdentity(t), mustIdentity(t)
	fa := a.Fingerprint()
	parts := strings.Split(fa, " ")
	if len(parts) != 7 || len(strings.Split(parts[0], "-")) != 4 {
		t.Fatalf("fingerprint %q: want four words and six groups of digits", fa)
	}
	for _, g := range parts[1:] {
		if len(g) != 5 || strings.Trim(g, "0123456789") != "" {
			t.Fatalf("group %q is not five digits", g)
		}
	}
	// The peer computes it from the published document: the same text.
	doc, _ := a.Publish("NP", "Haven Nepal", "trm@example.np", "https://np.example", t0)
	body, err := doc.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if Fingerprint(body.Instance, body.SignKey, body.KEMKey) != fa {
		t.Fatal("the fingerprint from the document differs from the instance's own")
	}
	if b.Fingerprint() == fa {
		t.Fatal("two identities gave one fingerprint")
	}
}

func TestWellKnownDocument(t *testing.T) {
	a := mustIdentity(t)
	doc, err := a.Publish("TH", "Haven Thailand", "trm@example.th", "https://th.example", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := doc.Verify(); err != nil {
		t.Fatal(err)
	}
	tampered := *doc
	tampered.Body = []byte(strings.Replace(string(doc.Body), `"TH"`, `"NP"`, 1))
	if _, err := tampered.Verify(); !errors.Is(err, ErrDocument) {
		t.Fatalf("a changed country verified: %v", err)
	}
	// After a rotation the retired key endorses the new document.
	old := a.Active().SignPublic()
	nk, _ := NewKeyPair(t0)
	a.Keys = append(a.Keys, nk)
	doc2, _ := a.Publish("TH", "Haven Thailand", "trm@example.th", "https://th.example", t0)
	if _, err := doc2.Verify(); err != nil || !doc2.Endorsed(old) {
		t.Fatalf("rotated document: verify %v, endorsed %v", err, doc2.Endorsed(old))
	}
	if doc2.Endorsed(mustIdentity(t).Active().SignPublic()) {
		t.Fatal("endorsed by a key that never signed it")
	}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	np, th := mustIdentity(t), mustIdentity(t)
	e, err := th.Seal("", KindPackage, recipientOf(np), []byte(`{"purpose":"return"}`), t0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := np.Check(e, lookupOf(peerKeysOf(th)), t0.Add(time.Minute))
	if err != nil || p.Instance != th.Instance {
		t.Fatalf("check: %v", err)
	}
	pt, err := np.OpenSealed(e)
	if err != nil || string(pt) != `{"purpose":"return"}` {
		t.Fatalf("open: %q %v", pt, err)
	}
	if strings.Contains(string(e.Sealed), "purpose") {
		t.Fatal("plaintext visible in the sealed part")
	}
}

// Every refusal the receiver must make, each with its own reason.
func TestEnvelopeRefusals(t *testing.T) {
	np, th, other := mustIdentity(t), mustIdentity(t), mustIdentity(t)
	known := lookupOf(peerKeysOf(th))
	fresh := func() *Envelope {
		e, err := th.Seal("", KindPackage, recipientOf(np), []byte("payload"), t0)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	for _, c := range []struct {
		name   string
		mutate func(e *Envelope) *Envelope
		lookup func(string) (PeerKeys, error)
		now    time.Time
		want   error
	}{
		{"tampered ciphertext", func(e *Envelope) *Envelope { e.Sealed[len(e.Sealed)-1] ^= 1; return e }, known, t0, ErrSignature},
		{"tampered kind", func(e *Envelope) *Envelope { e.Kind = KindStatus; return e }, known, t0, ErrSignature},
		{"tampered time", func(e *Envelope) *Envelope { e.At = "2026-12-07T03:01:00.000Z"; return e }, known, t0, ErrSignature},
		{"signed by a stranger's key", func(e *Envelope) *Envelope {
			s, _ := other.Seal(e.ID, KindPackage, recipientOf(np), []byte("payload"), t0)
			s.From, s.FromKey = th.Instance, th.Active().ID
			return s
		}, known, t0, ErrSignature},
		{"unknown peer", func(e *Envelope) *Envelope { return e }, lookupOf(), t0, ErrUnknownPeer},
		{"suspended peer", func(e *Envelope) *Envelope { return e }, func(string) (PeerKeys, error) {
			p := peerKeysOf(th)
			p.Suspended = true
			return p, nil
		}, t0, ErrSuspended},
		{"addressed elsewhere", func(e *Envelope) *Envelope { e.To = other.Instance; return e }, known, t0, ErrNotForUs},
		{"too old", func(e *Envelope) *Envelope { return e }, known, t0.Add(Window + time.Second), ErrStale},
		{"from the future", func(e *Envelope) *Envelope { return e }, known, t0.Add(-Window - time.Second), ErrStale},
		{"malformed id", func(e *Envelope) *Envelope { e.ID = "x"; return e }, known, t0, ErrMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := np.Check(c.mutate(fresh()), c.lookup, c.now)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if Reason(err) == "error" {
				t.Fatalf("refusal %v has no audit reason", err)
			}
		})
	}
}

// Sealed to another instance's key, signed correctly and re-addressed: the
// signature checks out (the sender made it) but it does not open here.
func TestEnvelopeWrongKey(t *testing.T) {
	np, th, other := mustIdentity(t), mustIdentity(t), mustIdentity(t)
	to := recipientOf(other)
	to.Instance = np.Instance
	e, _ := th.Seal("", KindPackage, to, []byte("payload"), t0)
	if _, err := np.Check(e, lookupOf(peerKeysOf(th)), t0); err != nil {
		t.Fatal(err)
	}
	if _, err := np.OpenSealed(e); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("unknown key id: %v", err)
	}
	to.KeyID = np.Active().ID
	e, _ = th.Seal("", KindPackage, to, []byte("payload"), t0)
	if _, err := np.OpenSealed(e); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("our key id, someone else's key: %v", err)
	}
}

// An envelope sealed to a retired key still opens after a rotation.
func TestEnvelopeAfterRotation(t *testing.T) {
	np, th := mustIdentity(t), mustIdentity(t)
	e, _ := th.Seal("", KindStatus, recipientOf(np), []byte("x"), t0)
	nk, _ := NewKeyPair(t0)
	np.Keys = append(np.Keys, nk)
	if _, err := np.OpenSealed(e); err != nil {
		t.Fatal(err)
	}
}

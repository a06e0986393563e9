// Package trmsvc is the Transnational Referral Mechanism's service: it
// joins the instance's federation identity (package federation), the TRM
// rules (package trm) and the store. It administers peers, builds and
// sends case packages through a durable outbox, receives envelopes into an
// idempotent inbox, answers with signed receipts, and carries decisions,
// status events, deletion requests and erasure receipts between the two
// sides of a linked case. Every change is written with its audit event;
// every refused envelope is audited with its reason.
package trmsvc

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/referral"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/trm"
)

// Self is what the instance says of itself in its well-known document.
type Self struct {
	Country, Name, Contact, BaseURL string
}

// Service is the TRM service of one instance.
type Service struct {
	DB   *store.DB
	Keys *seal.Keyring
	ID   *federation.Identity
	// KeyPath is the identity's file; RotateKey writes to it.
	KeyPath  string
	Self     Self
	Referral *referral.Service
	// Cases opens a case for an action (cases.Service.Open).
	Cases opener
	// Client carries envelopes to peers; nil means a client with a
	// 30-second timeout.
	Client *http.Client
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) client() *http.Client {
	if s.Client == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return s.Client
}

// Peer statuses.
const (
	PeerActive    = "active"
	PeerSuspended = "suspended"
	PeerRemoved   = "removed"
)

// Document is the instance's signed well-known document.
func (s *Service) Document() (*federation.Document, error) {
	return s.ID.Publish(s.Self.Country, s.Self.Name, s.Self.Contact, s.Self.BaseURL, s.now())
}

// Fingerprint is the instance's own fingerprint, to read to a peer's
// administrator.
func (s *Service) Fingerprint() string { return s.ID.Fingerprint() }

// RotateKey gives the instance a new TRM key pair (a suspected compromise,
// or a planned change): the identity file gains the pair, the retired ones
// stay so envelopes already sealed to them still open, and the well-known
// document is signed by the new key and endorsed by the old. A peer trusts
// the new key only when its administrator compares the new fingerprint and
// adds this instance again — a change of trust is a person's act — so the
// new fingerprint is returned to be read out. Audited.
func (s *Service) RotateKey(ctx context.Context, actor string) (string, error) {
	if s.KeyPath == "" {
		return "", errs.E(errs.Invalid, "federation: no identity file to rotate")
	}
	old := s.ID.Active().ID
	id, err := federation.Rotate(s.KeyPath, s.now())
	if err != nil {
		return "", err
	}
	s.ID = id
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Actor: actor, Action: "federation.key.rotate", ObjectType: "federation_key", ObjectID: id.Active().ID,
			Details: map[string]string{"retired": old}})
	})
	return id.Fingerprint(), err
}

// FetchDocument reads a peer's well-known document from its base URL and
// verifies its self-signature. Whether the keys are the peer's is for the
// administrator to confirm by the fingerprint.
func (s *Service) FetchDocument(ctx context.Context, baseURL string) (*federation.Document, *federation.Body, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+federation.WellKnownPath, nil)
	if err != nil {
		return nil, nil, errs.Field("base_url", "peer.error.base_url", err)
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return nil, nil, errs.Wrap(errs.Unavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, errs.E(errs.Unavailable, "peer document: HTTP %d", resp.StatusCode)
	}
	var d federation.Document
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 64<<10)).Decode(&d); err != nil {
		return nil, nil, errs.Field("base_url", "peer.error.document", err)
	}
	b, err := d.Verify()
	if err != nil {
		return nil, nil, errs.Field("base_url", "peer.error.document", err)
	}
	return &d, b, nil
}

// AddPeer trusts the instance that published doc, once the fingerprint the
// administrator typed (as the peer's administrator read it out) matches
// the document's. A known peer whose new document is endorsed by the key
// trusted so far is updated without a new comparison only when the
// fingerprint is given too: every change of trust is a person's act.
func (s *Service) AddPeer(ctx context.Context, actor string, doc *federation.Document, fingerprint string, a trm.Agreement) (store.Peer, error) {
	b, err := doc.Verify()
	if err != nil {
		return store.Peer{}, errs.Field("base_url", "peer.error.document", err)
	}
	if b.Instance == s.ID.Instance {
		return store.Peer{}, errs.Field("base_url", "peer.error.self", nil)
	}
	if federation.Fingerprint(b.Instance, b.SignKey, b.KEMKey) != normalFingerprint(fingerprint) {
		return store.Peer{}, errs.Field("fingerprint", "peer.error.fingerprint", nil)
	}
	ag, err := json.Marshal(a)
	if err != nil {
		return store.Peer{}, err
	}
	retired := map[string]string{}
	if old, err := store.PeerByID(ctx, s.DB.R(), b.Instance); err == nil {
		_ = json.Unmarshal([]byte(old.RetiredKeys), &retired)
		if old.KeyID != b.KeyID {
			retired[old.KeyID] = hex.EncodeToString(old.SignKey)
		}
	} else if !errs.Is(err, errs.NotFound) {
		return store.Peer{}, err
	}
	rk, _ := json.Marshal(retired)
	now := store.Millis(s.now())
	p := store.Peer{ID: b.Instance, BaseURL: b.BaseURL, Country: b.Country, Name: b.Name, Contact: b.Contact, KeyID: b.KeyID,
		SignKey: b.SignKey, KEMKey: b.KEMKey, RetiredKeys: string(rk), Status: PeerActive, Agreement: string(ag), AddedBy: actor,
		AddedAt: now, UpdatedAt: now}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertPeer(ctx, p); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Actor: actor, Action: "federation.peer.add", ObjectType: "peer", ObjectID: p.ID,
			Details: map[string]string{"country": codeOr(p.Country), "key_id": p.KeyID}})
	})
	return p, err
}

// SetPeerStatus suspends, resumes (active) or removes a peer. A suspended
// or removed peer's envelopes are refused, and nothing is sent to it.
func (s *Service) SetPeerStatus(ctx context.Context, actor, id, status string) error {
	if status != PeerActive && status != PeerSuspended && status != PeerRemoved {
		return errs.Field("status", "peer.error.status", nil)
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetPeerStatus(ctx, id, status); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Actor: actor, Action: "federation.peer." + status, ObjectType: "peer", ObjectID: id})
	})
}

// PeerView is a peer as the administration shows it.
type PeerView struct {
	store.Peer
	Fingerprint string
	Agreement   trm.Agreement
}

// Peers lists the peers with their fingerprints.
func (s *Service) Peers(ctx context.Context) ([]PeerView, error) {
	ps, err := store.Peers(ctx, s.DB.R())
	if err != nil {
		return nil, err
	}
	out := make([]PeerView, 0, len(ps))
	for _, p := range ps {
		v := PeerView{Peer: p, Fingerprint: federation.Fingerprint(p.ID, p.SignKey, p.KEMKey)}
		_ = json.Unmarshal([]byte(p.Agreement), &v.Agreement)
		out = append(out, v)
	}
	return out, nil
}

// normalFingerprint accepts a fingerprint typed with any spacing or case.
func normalFingerprint(s string) string {
	var words, digits []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			words = append(words, c+'a'-'A')
		case c >= 'a' && c <= 'z', c == '-':
			words = append(words, c)
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		}
	}
	if len(digits) != 30 {
		return ""
	}
	out := string(words)
	for i := 0; i < 30; i += 5 {
		out += " " + string(digits[i:i+5])
	}
	return out
}

func codeOr(s string) string {
	if audit.IsToken(s) {
		return s
	}
	return "unknown"
}

// peerKeys is the receiver's view of a sender for federation.Check.
func peerKeys(p store.Peer) federation.PeerKeys {
	k := federation.PeerKeys{Instance: p.ID, Suspended: p.Status != PeerActive, SignKeys: map[string]ed25519.PublicKey{}}
	k.SignKeys[p.KeyID] = p.SignKey
	var retired map[string]string
	_ = json.Unmarshal([]byte(p.RetiredKeys), &retired)
	for id, h := range retired {
		if b, err := hex.DecodeString(h); err == nil && len(b) == 32 {
			k.SignKeys[id] = b
		}
	}
	return k
}

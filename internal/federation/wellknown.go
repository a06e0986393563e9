package federation

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// WellKnownPath is where an instance publishes its Document.
const WellKnownPath = "/.well-known/haven-trm"

// InboxPath is where an instance receives envelopes (POST).
const InboxPath = "/federation/v1/inbox"

// wellKnownDomain prefixes the signed bytes of a document's body.
const wellKnownDomain = "haven-trm/well-known/v1\x00"

// Body is what an instance says of itself.
type Body struct {
	Protocol string `json:"protocol"` // "haven-trm/1"
	Instance string `json:"instance"`
	// Country is the ISO 3166-1 alpha-2 code of the state that runs it.
	Country string `json:"country"`
	// Name and Contact name the operating authority and how to reach its
	// TRM focal point (an office, never a person's private address).
	Name    string    `json:"name"`
	Contact string    `json:"contact"`
	BaseURL string    `json:"base_url"`
	Issued  time.Time `json:"issued"`
	KeyID   string    `json:"key_id"`
	// SignKey (Ed25519) and KEMKey (X25519, RFC 9180 serialisation),
	// base64 in JSON.
	SignKey []byte `json:"sign_key"`
	KEMKey  []byte `json:"kem_key"`
}

// Document is the published, signed Body: Sig by the body's own signing
// key, and one endorsement by each retired key of the instance, so a peer
// that trusted an older key can follow a rotation without a new
// out-of-band check.
type Document struct {
	// Body is kept as the exact bytes that were signed.
	Body         json.RawMessage `json:"body"`
	Sig          []byte          `json:"sig"`
	Endorsements []Endorsement   `json:"endorsements,omitempty"`
}

// Endorsement is a retired key's signature over the same body bytes.
type Endorsement struct {
	KeyID   string `json:"key_id"`
	SignKey []byte `json:"sign_key"`
	Sig     []byte `json:"sig"`
}

// Publish makes the identity's signed document.
func (id *Identity) Publish(country, name, contact, baseURL string, now time.Time) (*Document, error) {
	k := id.Active()
	b := Body{Protocol: "haven-trm/1", Instance: id.Instance, Country: country, Name: name, Contact: contact,
		BaseURL: baseURL, Issued: now.UTC().Truncate(time.Second), KeyID: k.ID, SignKey: k.SignPublic(), KEMKey: k.KEMPublic()}
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	msg := append([]byte(wellKnownDomain), raw...)
	d := &Document{Body: raw, Sig: ed25519.Sign(k.Sign, msg)}
	for _, old := range id.Keys[:len(id.Keys)-1] {
		d.Endorsements = append(d.Endorsements, Endorsement{KeyID: old.ID, SignKey: old.SignPublic(), Sig: ed25519.Sign(old.Sign, msg)})
	}
	return d, nil
}

// ErrDocument is returned (wrapped) for a document that does not verify.
var ErrDocument = errors.New("federation: the well-known document does not verify")

// Verify checks the document's own signature and its key id and returns
// its body. It says nothing of whether the keys are the peer's: that is
// the fingerprint comparison, or an endorsement by a key already trusted
// (Endorsed).
func (d *Document) Verify() (*Body, error) {
	var b Body
	dec := json.NewDecoder(bytes.NewReader(d.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDocument, err)
	}
	if b.Protocol != "haven-trm/1" || len(b.SignKey) != ed25519.PublicKeySize || len(b.KEMKey) != 32 || len(b.Instance) != 32 {
		return nil, fmt.Errorf("%w: protocol or key sizes", ErrDocument)
	}
	if _, err := suiteKEM.NewPublicKey(b.KEMKey); err != nil {
		return nil, fmt.Errorf("%w: encryption key", ErrDocument)
	}
	if KeyIDFor(b.SignKey, b.KEMKey) != b.KeyID {
		return nil, fmt.Errorf("%w: key id", ErrDocument)
	}
	if !ed25519.Verify(b.SignKey, append([]byte(wellKnownDomain), d.Body...), d.Sig) {
		return nil, fmt.Errorf("%w: signature", ErrDocument)
	}
	return &b, nil
}

// Endorsed reports whether a retired key with the given public signing
// key endorsed the document.
func (d *Document) Endorsed(trusted ed25519.PublicKey) bool {
	msg := append([]byte(wellKnownDomain), d.Body...)
	for _, e := range d.Endorsements {
		if bytes.Equal(e.SignKey, trusted) && ed25519.Verify(trusted, msg, e.Sig) {
			return true
		}
	}
	return false
}

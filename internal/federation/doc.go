// Package federation is how sovereign Haven instances recognise and talk to
// each other for the Transnational Referral Mechanism: the instance's
// federation identity (an Ed25519 signing key and an HPKE X25519
// encryption key, separate from the audit key and rotatable), the signed
// well-known document that publishes them, fingerprints people compare out
// of band, and the envelope every message between instances travels in —
// sealed to the recipient with HPKE (RFC 9180), signed by the sender, with
// an id and a time so a replay is refused.
//
// The package holds no database: the peers, the outbox and the inbox are
// the store's, and the trm service joins them. docs/TRM.md describes the
// wire format for other implementations.
package federation

package trmsvc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
)

// Receipt is the payload of a receipt envelope: which envelope was
// received, the SHA-256 of its signed bytes as received, and whether it was
// new or a repeat of one already processed.
type Receipt struct {
	Of     string `json:"of"`
	Kind   string `json:"kind"`
	Digest string `json:"digest"`
	Result string `json:"result"` // accepted, duplicate
	At     string `json:"at"`
}

// MaxEnvelope bounds an envelope's JSON.
const MaxEnvelope = 1 << 20

// Refused is an envelope the inbox refused, with the audited reason.
type Refused struct{ Reason string }

func (r *Refused) Error() string { return "federation: envelope refused: " + r.Reason }

// Unwrap classifies a refusal: a malformed envelope is invalid, everything
// else forbidden.
func (r *Refused) Unwrap() error {
	k := errs.Forbidden
	if r.Reason == "malformed" {
		k = errs.Invalid
	}
	return &errs.Error{Kind: k, Key: "federation.error.refused", Err: errors.New(r.Reason)}
}

// enqueue queues payload for peer in tx, sealed at rest under the keyring
// until it is delivered.
func (s *Service) enqueue(ctx context.Context, tx *store.Tx, peerID, kind, transferID string, payload any) error {
	pt, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	id := federation.NewID()
	dk, wk, err := s.Keys.NewDataKey(id)
	if err != nil {
		return err
	}
	defer dk.Destroy()
	ct, err := seal.Seal(dk, id, "payload", pt)
	clear(pt)
	if err != nil {
		return err
	}
	return tx.InsertOutbox(ctx, store.OutboxRow{ID: id, PeerID: peerID, Kind: kind, TransferID: transferID, WrappedKey: wk,
		Payload: ct, NextAt: store.Millis(s.now()), CreatedAt: store.Millis(s.now())})
}

// Backoff is the wait before the attempt after n failed ones: 10 s
// doubling to at most an hour.
func Backoff(n int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Deliver tries every due envelope once and reports how many were
// delivered. A row stays pending until the peer's signed receipt for its
// id arrives; a peer that is down, refuses or answers with anything else
// is tried again later.
func (s *Service) Deliver(ctx context.Context) (int, error) {
	rows, err := store.PendingOutbox(ctx, s.DB.R(), 200)
	if err != nil {
		return 0, err
	}
	n := 0
	// A peer's envelopes go in the order they were queued: once one of
	// them is not due or fails, the rest of that peer's wait.
	blocked := map[string]bool{}
	now := store.Millis(s.now())
	for _, o := range rows {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		if blocked[o.PeerID] || o.NextAt > now {
			blocked[o.PeerID] = true
			continue
		}
		rc, code := s.attempt(ctx, o)
		if code == "" {
			err := s.DB.Write(ctx, func(tx *store.Tx) error {
				if err := tx.MarkDelivered(ctx, o.ID, rc); err != nil {
					return err
				}
				if o.Kind == federation.KindPackage {
					if err := s.markReceived(ctx, tx, o.TransferID); err != nil {
						return err
					}
				}
				return tx.Audit(ctx, audit.Event{Action: "federation.delivered", ObjectType: "envelope", ObjectID: o.ID,
					Details: map[string]string{"peer": o.PeerID, "kind": o.Kind, "transfer": o.TransferID}})
			})
			if err != nil {
				return n, err
			}
			n++
			continue
		}
		blocked[o.PeerID] = true
		next := store.Millis(s.now().Add(Backoff(o.Attempts + 1)))
		retry := func(tx *store.Tx) error { return tx.MarkRetry(ctx, o.ID, code, next) }
		if refusedCode(code) && code != o.LastError {
			// The peer refused it, or its answer did not verify: audited
			// once per new reason, so a long outage does not flood the log.
			err = s.DB.Write(ctx, func(tx *store.Tx) error {
				if err := retry(tx); err != nil {
					return err
				}
				return tx.Audit(ctx, audit.Event{Action: "federation.delivery_refused", ObjectType: "envelope", ObjectID: o.ID,
					Details: map[string]string{"peer": o.PeerID, "kind": o.Kind, "reason": code}})
			})
		} else {
			err = s.DB.WriteBookkeeping(ctx, store.Outbox, retry)
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// refusedCode: a failure that is the peer's (or its answer's) doing rather
// than the network's.
func refusedCode(code string) bool {
	return code == "bad_receipt" || code == "peer_suspended" || code == "peer_removed" || code == "unknown_peer" ||
		(len(code) == 8 && code[:6] == "http_4")
}

// attempt sends one envelope and returns the receipt's bytes, or a code
// saying why not.
func (s *Service) attempt(ctx context.Context, o store.OutboxRow) ([]byte, string) {
	p, err := store.PeerByID(ctx, s.DB.R(), o.PeerID)
	if err != nil {
		return nil, "unknown_peer"
	}
	if p.Status != PeerActive {
		return nil, "peer_" + p.Status
	}
	dk, err := s.Keys.Unwrap(o.ID, o.WrappedKey)
	if err != nil {
		return nil, "unwrap"
	}
	pt, err := seal.Open(dk, o.ID, "payload", o.Payload)
	dk.Destroy()
	if err != nil {
		return nil, "unseal"
	}
	env, err := s.ID.Seal(o.ID, o.Kind, federation.Recipient{Instance: p.ID, KeyID: p.KeyID, KEMKey: p.KEMKey}, pt, s.now())
	clear(pt)
	if err != nil {
		return nil, "seal"
	}
	body, _ := json.Marshal(env)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.BaseURL+federation.InboxPath, bytes.NewReader(body))
	if err != nil {
		return nil, "request"
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client().Do(req)
	if err != nil {
		return nil, "unreachable"
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, MaxEnvelope))
	if err != nil {
		return nil, "read"
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Sprintf("http_%d", resp.StatusCode)
	}
	var re federation.Envelope
	if err := json.Unmarshal(rb, &re); err != nil || re.Kind != federation.KindReceipt {
		return nil, "bad_receipt"
	}
	if _, err := s.ID.Check(&re, func(string) (federation.PeerKeys, error) { return peerKeys(p), nil }, s.now()); err != nil || re.From != p.ID {
		return nil, "bad_receipt"
	}
	rpt, err := s.ID.OpenSealed(&re)
	if err != nil {
		return nil, "bad_receipt"
	}
	var r Receipt
	if err := json.Unmarshal(rpt, &r); err != nil || r.Of != o.ID || r.Kind != o.Kind {
		return nil, "bad_receipt"
	}
	return rb, ""
}

// Run delivers due envelopes every interval until ctx ends: the outbox's
// rows are durable, so a restart resumes where it stopped.
func (s *Service) Run(ctx context.Context, interval time.Duration, logf func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Deliver(ctx); err != nil && ctx.Err() == nil && logf != nil {
			logf(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Receive handles an envelope posted to the inbox and returns the signed
// receipt to answer with. A refused envelope is audited with its reason
// and answered with a Refused error; an envelope already received is not
// processed again and is answered with a fresh receipt saying so.
func (s *Service) Receive(ctx context.Context, body []byte) ([]byte, error) {
	now := s.now()
	var e federation.Envelope
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if len(body) > MaxEnvelope || dec.Decode(&e) != nil {
		return nil, s.refuse(ctx, &e, federation.ErrMalformed)
	}
	var peer store.Peer
	lookup := func(id string) (federation.PeerKeys, error) {
		p, err := store.PeerByID(ctx, s.DB.R(), id)
		if errs.Is(err, errs.NotFound) || (err == nil && p.Status == PeerRemoved) {
			return federation.PeerKeys{}, federation.ErrUnknownPeer
		}
		if err != nil {
			return federation.PeerKeys{}, err
		}
		peer = p
		return peerKeys(p), nil
	}
	if _, err := s.ID.Check(&e, lookup, now); err != nil {
		if federation.Reason(err) == "error" {
			return nil, err
		}
		return nil, s.refuse(ctx, &e, err)
	}
	if _, seen, err := store.InboxReceipt(ctx, s.DB.R(), peer.ID, e.ID); err != nil {
		return nil, err
	} else if seen {
		_ = s.refuse(ctx, &e, federation.ErrReplay)
		return s.receipt(peer, &e, "duplicate", now)
	}
	pt, err := s.ID.OpenSealed(&e)
	if err != nil {
		return nil, s.refuse(ctx, &e, err)
	}
	defer clear(pt)
	if e.Kind == federation.KindPSI {
		return s.receivePSI(ctx, peer, &e, pt)
	}
	rc, err := s.receipt(peer, &e, "accepted", now)
	if err != nil {
		return nil, err
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, seen, err := store.InboxReceipt(ctx, tx, peer.ID, e.ID); err != nil || seen {
			if err == nil {
				err = errs.Wrap(errs.Conflict, federation.ErrReplay)
			}
			return err
		}
		if err := tx.InsertInbox(ctx, peer.ID, e.ID, e.Kind, rc); err != nil {
			return err
		}
		if err := tx.Audit(ctx, audit.Event{Action: "federation.received", ObjectType: "envelope", ObjectID: e.ID,
			Details: map[string]string{"peer": peer.ID, "kind": e.Kind}}); err != nil {
			return err
		}
		return s.dispatch(ctx, tx, peer, &e, pt)
	})
	if errs.Is(err, errs.Conflict) {
		return s.receipt(peer, &e, "duplicate", now)
	}
	if err != nil {
		if errs.Is(err, errs.Invalid) {
			return nil, s.refuse(ctx, &e, federation.ErrMalformed)
		}
		return nil, err
	}
	return rc, nil
}

func (s *Service) receipt(p store.Peer, e *federation.Envelope, result string, now time.Time) ([]byte, error) {
	sum := sha256.Sum256(e.SignedBytes())
	pt, _ := json.Marshal(Receipt{Of: e.ID, Kind: e.Kind, Digest: hex.EncodeToString(sum[:]), Result: result,
		At: now.Format(time.RFC3339Nano)})
	re, err := s.ID.Seal("", federation.KindReceipt, federation.Recipient{Instance: p.ID, KeyID: p.KeyID, KEMKey: p.KEMKey}, pt, now)
	if err != nil {
		return nil, err
	}
	return json.Marshal(re)
}

// refuse audits a refused envelope (ids and codes only) and returns the
// Refused error to answer with.
func (s *Service) refuse(ctx context.Context, e *federation.Envelope, why error) error {
	reason := federation.Reason(why)
	d := map[string]string{"reason": reason}
	if audit.IsToken(e.From) && len(e.From) <= 64 {
		d["peer"] = e.From
	}
	if audit.IsToken(e.Kind) && len(e.Kind) <= 16 {
		d["kind"] = e.Kind
	}
	obj := ""
	if audit.IsToken(e.ID) && len(e.ID) <= 64 {
		obj = e.ID
	}
	if err := s.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Action: "federation.refused", ObjectType: "envelope", ObjectID: obj, Details: d})
	}); err != nil {
		return err
	}
	return &Refused{Reason: reason}
}

// receivePSI answers a private set intersection question with an answer
// envelope instead of a receipt; the question is audited with its legal
// basis (the answerer never learns the result).
func (s *Service) receivePSI(ctx context.Context, peer store.Peer, e *federation.Envelope, pt []byte) ([]byte, error) {
	ans, basis, err := s.answerPSI(ctx, pt)
	if errs.Is(err, errs.Invalid) {
		return nil, s.refuse(ctx, e, federation.ErrMalformed)
	}
	if err != nil {
		return nil, err
	}
	apt, _ := json.Marshal(ans)
	re, err := s.ID.Seal("", federation.KindPSI, federation.Recipient{Instance: peer.ID, KeyID: peer.KeyID, KEMKey: peer.KEMKey}, apt, s.now())
	if err != nil {
		return nil, err
	}
	out, _ := json.Marshal(re)
	sum := sha256.Sum256(e.SignedBytes())
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertInbox(ctx, peer.ID, e.ID, e.Kind, sum[:]); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "trm.psi.answered", ObjectType: "envelope", ObjectID: e.ID,
			Details: map[string]string{"peer": peer.ID, "basis": basis}})
	})
	if err != nil {
		if errs.Is(err, errs.Conflict) {
			return nil, s.refuse(ctx, e, federation.ErrReplay)
		}
		return nil, err
	}
	return out, nil
}

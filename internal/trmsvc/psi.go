package trmsvc

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/people"
	"github.com/haven-nrm/haven/internal/psi"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/trm"
)

// MaxPSISet bounds how many persons an answer covers.
const MaxPSISet = 100000

type psiQuestion struct {
	Basis   string   `json:"basis"`
	Blinded [][]byte `json:"blinded"`
}

// PSIInput asks a peer about the person of a case.
type PSIInput struct {
	Peer  string `field:"peer"`
	Basis string `field:"basis"`
}

// AskPSI asks a peer whether the case's person was identified there, by
// private set intersection on the person's normalised identity tokens:
// only the match bit is learnt and kept, in the audit event; nothing
// identifying crosses the border.
func (s *Service) AskPSI(ctx context.Context, p access.Principal, caseID string, in PSIInput) (bool, error) {
	c, err := s.open(ctx, p, caseID, access.RunPSI)
	if err != nil {
		return false, err
	}
	if !slices.Contains(trm.PSIBases, in.Basis) {
		return false, errs.Field("basis", "trm.error.psi_basis", nil)
	}
	peer, err := store.PeerByID(ctx, s.DB.R(), in.Peer)
	if err != nil || peer.Status != PeerActive {
		return false, errs.Field("peer", "trm.error.peer", err)
	}
	if c.PersonID == "" {
		return false, errs.Field("peer", "trm.error.psi_no_identity", nil)
	}
	id, err := people.Read(ctx, s.DB, s.Keys, c.PersonID)
	if err != nil {
		return false, err
	}
	tokens := psi.Tokens(id.GivenName, id.FamilyName, id.BirthDate, id.DocumentNumber)
	if len(tokens) == 0 {
		return false, errs.Field("peer", "trm.error.psi_no_identity", nil)
	}
	q, blinded, err := psi.Ask(tokens)
	if err != nil {
		return false, err
	}
	pt, _ := json.Marshal(psiQuestion{Basis: in.Basis, Blinded: blinded})
	env, err := s.ID.Seal("", federation.KindPSI, federation.Recipient{Instance: peer.ID, KeyID: peer.KeyID, KEMKey: peer.KEMKey}, pt, s.now())
	if err != nil {
		return false, err
	}
	body, _ := json.Marshal(env)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, peer.BaseURL+federation.InboxPath, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client().Do(req)
	if err != nil {
		return false, errs.Wrap(errs.Unavailable, err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, MaxEnvelope))
	if err != nil || resp.StatusCode != http.StatusOK {
		return false, errs.E(errs.Unavailable, "peer did not answer the question")
	}
	var re federation.Envelope
	if err := json.Unmarshal(rb, &re); err != nil || re.Kind != federation.KindPSI || re.From != peer.ID {
		return false, errs.E(errs.Unavailable, "peer's answer malformed")
	}
	if _, err := s.ID.Check(&re, func(string) (federation.PeerKeys, error) { return peerKeys(peer), nil }, s.now()); err != nil {
		return false, errs.E(errs.Unavailable, "peer's answer: %v", err)
	}
	apt, err := s.ID.OpenSealed(&re)
	if err != nil {
		return false, errs.E(errs.Unavailable, "peer's answer: %v", err)
	}
	var ans psi.Answer
	if err := json.Unmarshal(apt, &ans); err != nil {
		return false, errs.E(errs.Unavailable, "peer's answer malformed")
	}
	match, err := q.Match(ans, len(blinded))
	if err != nil {
		return false, errs.E(errs.Unavailable, "peer's answer: %v", err)
	}
	result := "no_match"
	if match {
		result = "match"
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Actor: p.UserID, Action: "trm.psi.asked", ObjectType: "case", ObjectID: c.ID,
			Details: map[string]string{"peer": peer.ID, "basis": in.Basis, "result": result}})
	})
	return match, err
}

// answerPSI computes the answer to a peer's question from the tokens of
// every person this instance holds.
func (s *Service) answerPSI(ctx context.Context, pt []byte) (psi.Answer, string, error) {
	var q psiQuestion
	dec := json.NewDecoder(bytes.NewReader(pt))
	dec.DisallowUnknownFields()
	if dec.Decode(&q) != nil || !slices.Contains(trm.PSIBases, q.Basis) {
		return psi.Answer{}, "", errs.E(errs.Invalid, "psi question")
	}
	ids, err := store.PersonIDs(ctx, s.DB.R(), MaxPSISet)
	if err != nil {
		return psi.Answer{}, "", err
	}
	var set []string
	for _, id := range ids {
		ident, err := people.Read(ctx, s.DB, s.Keys, id)
		if err != nil {
			return psi.Answer{}, "", err
		}
		set = append(set, psi.Tokens(ident.GivenName, ident.FamilyName, ident.BirthDate, ident.DocumentNumber)...)
	}
	ans, err := psi.Respond(q.Blinded, set)
	if err != nil {
		return psi.Answer{}, "", errs.E(errs.Invalid, "psi question: %v", err)
	}
	return ans, q.Basis, nil
}

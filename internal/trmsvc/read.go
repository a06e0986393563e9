package trmsvc

import (
	"context"
	"slices"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/trm"
)

// StepView is one SOP step as the case's TRM page shows it.
type StepView struct {
	trm.Step
	Done *store.SOPStep
	// Ours: this country records the step (its side, or both).
	Ours bool
}

// SOPView is one SOP's checklist on a case.
type SOPView struct {
	SOP   trm.SOP
	Steps []StepView
}

// CaseView is what the case's TRM page shows: consents, the SOP
// checklists with the steps recorded here, the case's transfers with their
// status events, and the peers a package may go to.
type CaseView struct {
	CaseID   string
	Child    bool
	Side     trm.Side
	Consents []store.TRMConsent
	SOPs     []SOPView
	Sent     []TransferView
	Peers    []PeerView
	Purposes []trm.Purpose
	Override []string
	Bases    []string
	Country  string
}

// Case reads the TRM page of a case, opened for recording TRM steps.
func (s *Service) Case(ctx context.Context, p access.Principal, caseID string) (*CaseView, error) {
	c, err := s.open(ctx, p, caseID, access.RecordTRM)
	if err != nil {
		return nil, err
	}
	v := &CaseView{CaseID: c.ID, Child: c.Child, Side: trm.Destination, Override: trm.OverrideReasons, Bases: trm.PSIBases, Country: s.Self.Country}
	for _, r := range trm.Rules {
		v.Purposes = append(v.Purposes, r.Purpose)
	}
	if v.Consents, err = store.TRMConsents(ctx, s.DB.R(), c.ID); err != nil {
		return nil, err
	}
	ts, err := store.TransfersOfCase(ctx, s.DB.R(), c.ID)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.Direction == In {
			v.Side = trm.Origin
		}
		tv := TransferView{Transfer: t}
		tv.Peer, _ = store.PeerByID(ctx, s.DB.R(), t.PeerID)
		if tv.Events, err = store.StatusEvents(ctx, s.DB.R(), t.ID); err != nil {
			return nil, err
		}
		v.Sent = append(v.Sent, tv)
	}
	steps, err := store.SOPSteps(ctx, s.DB.R(), c.ID)
	if err != nil {
		return nil, err
	}
	for _, sop := range trm.SOPs() {
		sv := SOPView{SOP: sop}
		for _, st := range trm.Checklists {
			if st.SOP != sop || (st.ChildOnly && !c.Child) {
				continue
			}
			x := StepView{Step: st, Ours: st.Side == trm.Both || st.Side == v.Side}
			if i := slices.IndexFunc(steps, func(d store.SOPStep) bool { return d.SOP == string(sop) && d.Step == st.Code }); i >= 0 {
				x.Done = &steps[i]
			}
			sv.Steps = append(sv.Steps, x)
		}
		v.SOPs = append(v.SOPs, sv)
	}
	peers, err := s.Peers(ctx)
	if err != nil {
		return nil, err
	}
	for _, pv := range peers {
		if pv.Status == PeerActive {
			v.Peers = append(v.Peers, pv)
		}
	}
	return v, nil
}

// Overview is the TRM page of the competent authority: packages received
// and sent, and this instance's fingerprint.
type Overview struct {
	Fingerprint string
	Country     string
	Received    []TransferView
	Sent        []TransferView
}

// Overview reads the TRM page.
func (s *Service) Overview(ctx context.Context, p access.Principal) (*Overview, error) {
	in, err := s.Inbox(ctx, p)
	if err != nil {
		return nil, err
	}
	out, err := s.list(ctx, Out)
	if err != nil {
		return nil, err
	}
	return &Overview{Fingerprint: s.Fingerprint(), Country: s.Self.Country, Received: in, Sent: out}, nil
}

// PeerAdmin is the peer administration page.
type PeerAdmin struct {
	Instance, Fingerprint, Country string
	Peers                          []PeerView
}

// PeerAdmin reads the peer administration page.
func (s *Service) PeerAdmin(ctx context.Context, p access.Principal) (*PeerAdmin, error) {
	if err := deny(access.ManagePeers, p); err != nil {
		return nil, err
	}
	ps, err := s.Peers(ctx)
	if err != nil {
		return nil, err
	}
	return &PeerAdmin{Instance: s.ID.Instance, Fingerprint: s.Fingerprint(), Country: s.Self.Country, Peers: ps}, nil
}

// SetPeerStatusAs is SetPeerStatus for a signed-in system administrator.
func (s *Service) SetPeerStatusAs(ctx context.Context, p access.Principal, id, status string) error {
	if err := deny(access.ManagePeers, p); err != nil {
		return err
	}
	return s.SetPeerStatus(ctx, p.UserID, id, status)
}

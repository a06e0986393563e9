package trmsvc

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/federation"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/people"
	"github.com/haven-nrm/haven/internal/referral"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/trm"
	"github.com/haven-nrm/haven/internal/vocab"
)

// Directions of a transfer.
const (
	Out = "out"
	In  = "in"
)

// Transfer statuses besides trm's status events: a package queued to send.
const StatusQueued = "queued"

// Payloads of the envelope kinds after a package. Ref is always the
// sending side's transfer id.
type (
	packagePayload struct {
		Ref     string      `json:"ref"`
		Country string      `json:"country"`
		Package trm.Package `json:"package"`
	}
	decisionPayload struct {
		Ref      string `json:"ref"`
		Accepted bool   `json:"accepted"`
		Reason   string `json:"reason,omitempty"`
	}
	statusPayload struct {
		Ref     string `json:"ref"`
		Status  string `json:"status"`
		Country string `json:"country"`
		At      string `json:"at"`
	}
	refPayload struct {
		Ref string `json:"ref"`
	}
)

// opener opens a case for an action; cases.Service does.
type opener interface {
	Open(ctx context.Context, p access.Principal, id string, action access.Action, read bool) (cases.Opened, error)
}

// CaseOpener is how the service opens a case for an action: the case
// service's Open, so TRM actions are decided like every case action.
func (s *Service) open(ctx context.Context, p access.Principal, caseID string, a access.Action) (store.Case, error) {
	if s.Cases == nil {
		return store.Case{}, errs.E(errs.Internal, "trm: no case service")
	}
	o, err := s.Cases.Open(ctx, p, caseID, a, false)
	return o.Case, err
}

func deny(a access.Action, p access.Principal) error {
	if !access.Allowed(a, p, access.Resource{}) {
		return errs.E(errs.Forbidden, "%s", a)
	}
	return nil
}

// ConsentInput is a consent statement about a transfer.
type ConsentInput struct {
	Purpose    string `field:"purpose"`
	Country    string `field:"country"`
	Given      bool
	ByGuardian bool
	// BestInterests records a child's best-interests determination
	// favouring transfers instead of a consent.
	BestInterests bool
}

// RecordConsent records the person's (or guardian's) consent to sending
// the case to a country for a purpose, or its withdrawal. A withdrawal
// also sends a signed deletion request for every transfer it covers.
func (s *Service) RecordConsent(ctx context.Context, p access.Principal, caseID string, in ConsentInput) error {
	c, err := s.open(ctx, p, caseID, access.RecordTRM)
	if err != nil {
		return err
	}
	purpose := trm.Purpose(in.Purpose)
	if in.BestInterests {
		purpose = "best_interests"
	} else if _, err := trm.RuleFor(purpose); err != nil {
		return err
	}
	if !in.BestInterests && !vocab.ValidCountry(in.Country) {
		return errs.Field("country", "trm.error.country", nil)
	}
	row := store.TRMConsent{ID: store.NewID(), CaseID: c.ID, Purpose: string(purpose), Country: in.Country, Given: in.Given || in.BestInterests,
		ByGuardian: in.ByGuardian, At: store.Millis(s.now()), RecordedBy: p.UserID}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertTRMConsent(ctx, row); err != nil {
			return err
		}
		action := "trm.consent.given"
		switch {
		case in.BestInterests:
			action = "trm.best_interests"
		case !in.Given:
			action = "trm.consent.withdrawn"
		}
		if err := tx.Audit(ctx, audit.Event{Actor: p.UserID, Action: action, ObjectType: "case", ObjectID: c.ID,
			Details: map[string]string{"purpose": string(purpose), "country": codeOr(in.Country)}}); err != nil {
			return err
		}
		if in.Given || in.BestInterests {
			return nil
		}
		return s.withdraw(ctx, tx, p, c.ID, purpose, in.Country)
	})
}

// withdraw sends a deletion request for each live outgoing transfer of the
// case for purpose to a peer in country.
func (s *Service) withdraw(ctx context.Context, tx *store.Tx, p access.Principal, caseID string, purpose trm.Purpose, country string) error {
	ts, err := store.TransfersOfCase(ctx, tx, caseID)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.Direction != Out || t.Purpose != string(purpose) || t.Status == string(trm.StatusWithdrawn) || t.Status == string(trm.StatusErased) {
			continue
		}
		peer, err := store.PeerByID(ctx, tx, t.PeerID)
		if err != nil || peer.Country != country {
			continue
		}
		if err := s.move(ctx, tx, t, trm.StatusWithdrawn, s.Self.Country); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, t.PeerID, federation.KindDeletion, t.ID, refPayload{Ref: t.ID}); err != nil {
			return err
		}
		if err := tx.Audit(ctx, audit.Event{Actor: p.UserID, Action: "trm.deletion.requested", ObjectType: "trm_transfer", ObjectID: t.ID,
			Details: map[string]string{"peer": t.PeerID}}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) event(ctx context.Context, tx *store.Tx, transferID string, st trm.Status, country string) error {
	return tx.InsertStatusEvent(ctx, store.StatusEvent{ID: federation.NewID(), TransferID: transferID, Status: string(st),
		Country: country, At: store.Millis(s.now())})
}

// move writes transfer t at status st, with the status event as country
// records it.
func (s *Service) move(ctx context.Context, tx *store.Tx, t store.Transfer, st trm.Status, country string) error {
	t.Status = string(st)
	if err := tx.UpdateTransfer(ctx, t); err != nil {
		return err
	}
	return s.event(ctx, tx, t.ID, st, country)
}

// SendInput is a request to send a case to a peer.
type SendInput struct {
	Peer    string `field:"peer"`
	Purpose string `field:"purpose"`
	// OverrideReason, when set, sends without the consent the gate needs,
	// for one of trm.OverrideReasons; it is audited.
	OverrideReason string `field:"override_reason"`
}

// Send builds the case's package for the purpose — the purpose's minimum
// fields that the peering agreement allows, nothing else — checks the
// consent (or the child's guardian and best interests), and queues it
// for the peer. It returns the transfer's id.
func (s *Service) Send(ctx context.Context, p access.Principal, caseID string, in SendInput) (string, error) {
	c, err := s.open(ctx, p, caseID, access.SendCase)
	if err != nil {
		return "", err
	}
	peer, err := store.PeerByID(ctx, s.DB.R(), in.Peer)
	if err != nil {
		return "", errs.Field("peer", "trm.error.peer", err)
	}
	if peer.Status != PeerActive {
		return "", errs.Field("peer", "trm.error.peer_suspended", nil)
	}
	var ag trm.Agreement
	if err := json.Unmarshal([]byte(peer.Agreement), &ag); err != nil {
		return "", err
	}
	purpose := trm.Purpose(in.Purpose)
	cs, err := store.TRMConsents(ctx, s.DB.R(), c.ID)
	if err != nil {
		return "", err
	}
	var consents []trm.Consent
	subject := trm.Subject{Child: c.Child}
	for _, x := range cs {
		if x.Purpose == "best_interests" {
			subject.BestInterests = true
			continue
		}
		consents = append(consents, trm.Consent{Purpose: trm.Purpose(x.Purpose), Country: x.Country, Given: x.Given,
			ByGuardian: x.ByGuardian, At: store.FromMillis(x.At)})
	}
	var override *trm.Override
	if in.OverrideReason != "" {
		override = &trm.Override{Reason: in.OverrideReason}
	}
	if err := trm.Gate(purpose, peer.Country, subject, consents, override, s.now()); err != nil {
		return "", err
	}
	facts, err := s.facts(ctx, c)
	if err != nil {
		return "", err
	}
	pkg, err := trm.Build(purpose, ag, c.Child, facts)
	clearFacts(facts)
	if err != nil {
		return "", err
	}
	t := store.Transfer{ID: federation.NewID(), Direction: Out, PeerID: peer.ID, CaseID: c.ID, Purpose: string(purpose),
		Child: c.Child, Status: StatusQueued, CreatedBy: p.UserID, CreatedAt: store.Millis(s.now()), UpdatedAt: store.Millis(s.now())}
	t.RemoteID = t.ID
	fields := make([]string, 0, len(pkg.Fields))
	for name := range pkg.Fields {
		fields = append(fields, name)
	}
	slices.Sort(fields)
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertTransfer(ctx, t); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, peer.ID, federation.KindPackage, t.ID,
			packagePayload{Ref: t.ID, Country: s.Self.Country, Package: pkg}); err != nil {
			return err
		}
		d := map[string]string{"peer": peer.ID, "purpose": string(purpose), "fields": strings.Join(fields, ":")}
		if len(d["fields"]) > audit.MaxTokenLen {
			// Too long for one detail: the count, the purpose names the list.
			d["fields"] = itoa(len(fields))
		}
		if override != nil {
			d["override"] = override.Reason
		}
		return tx.Audit(ctx, audit.Event{Actor: p.UserID, Action: "trm.package.queued", ObjectType: "trm_transfer", ObjectID: t.ID, Details: d})
	})
	return t.ID, err
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// facts are every HTCDS value the case holds that a package might carry;
// trm.Build keeps the purpose's.
func (s *Service) facts(ctx context.Context, c store.Case) (map[string]trm.Value, error) {
	f := map[string]trm.Value{
		"cas_IdentificationDate": {Code: store.FromMillis(c.CreatedAt).Format("2006-01-02")},
		"cas_Status":             {Code: strings.ToLower(c.Status)},
		"vic_TraffickingStatus":  {Code: strings.ToLower(c.TraffickingStatus)},
		"prs_Gender":             {Code: strings.ToLower(c.Gender)},
		"prs_Nationality":        {Code: c.Citizenship},
		"cas_IdentifiedCountry":  {Code: s.Self.Country},
	}
	if c.Exploitation != "" {
		f["vic_TypeOfExploitation"] = trm.Value{Codes: []string{strings.ToLower(c.Exploitation)}}
	}
	if c.PersonID != "" {
		sp, err := s.DB.Person(ctx, c.PersonID)
		if err != nil {
			return nil, err
		}
		id, err := people.Open(s.Keys, sp)
		if err != nil {
			return nil, err
		}
		f["prs_GivenName"] = trm.Value{Text: id.GivenName}
		f["prs_FamilyName"] = trm.Value{Text: id.FamilyName}
		f["prs_DateOfBirth"] = trm.Value{Code: id.BirthDate}
		f["prs_TravelDocumentNumber"] = trm.Value{Text: id.DocumentNumber}
		if id.DocumentNumber != "" {
			f["prs_TravelDocumentType"] = trm.Value{Code: "passport"}
			f["prs_TravelDocumentCountry"] = trm.Value{Code: c.Citizenship}
		}
		if len(sp.Languages) > 0 {
			f["prs_PreferredLanguage"] = trm.Value{Code: sp.Languages[0]}
		}
	}
	// Drop values that are not well-formed codes (an unknown gender, a
	// missing country) rather than refuse the package for them.
	for name, v := range f {
		if fd, ok := trm.FieldByName(name); ok && fd.Kind != trm.KindText {
			if !wellFormed(fd, v) {
				delete(f, name)
			}
		}
	}
	return f, nil
}

func wellFormed(f trm.Field, v trm.Value) bool {
	pkg := trm.Package{Purpose: trm.PurposeReturn, Fields: map[string]trm.Value{f.Name: v}}
	err := trm.Check(pkg)
	return err == nil || trm.CodeOf(err) == trm.CodeUnknownField
}

func clearFacts(f map[string]trm.Value) {
	for k := range f {
		delete(f, k)
	}
}

// TransferView is a transfer as pages show it; the received package's
// fields are opened only for the deciding authority.
type TransferView struct {
	store.Transfer
	Peer    store.Peer
	Events  []store.StatusEvent
	Package *trm.Package
}

// Inbox lists the packages received from peers, newest first.
func (s *Service) Inbox(ctx context.Context, p access.Principal) ([]TransferView, error) {
	if err := deny(access.ViewTRMInbox, p); err != nil {
		return nil, err
	}
	return s.list(ctx, In)
}

func (s *Service) list(ctx context.Context, dir string) ([]TransferView, error) {
	ts, err := store.Transfers(ctx, s.DB.R(), dir, 200)
	if err != nil {
		return nil, err
	}
	out := make([]TransferView, 0, len(ts))
	for _, t := range ts {
		v := TransferView{Transfer: t}
		v.Peer, _ = store.PeerByID(ctx, s.DB.R(), t.PeerID)
		if v.Events, err = store.StatusEvents(ctx, s.DB.R(), t.ID); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// OpenTransfer reads one transfer with its received package opened, for
// the authority deciding on it; the read is audited.
func (s *Service) OpenTransfer(ctx context.Context, p access.Principal, id string) (TransferView, error) {
	if err := deny(access.DecideTransfer, p); err != nil {
		return TransferView{}, err
	}
	t, err := store.TransferByID(ctx, s.DB.R(), id)
	if err != nil {
		return TransferView{}, err
	}
	v := TransferView{Transfer: t}
	v.Peer, _ = store.PeerByID(ctx, s.DB.R(), t.PeerID)
	if v.Events, err = store.StatusEvents(ctx, s.DB.R(), t.ID); err != nil {
		return TransferView{}, err
	}
	if t.Direction == In && t.Package != nil {
		pkg, err := s.openPackage(t)
		if err != nil {
			return TransferView{}, err
		}
		v.Package = &pkg
		if err := s.DB.Write(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, audit.Event{Actor: p.UserID, Action: "trm.package.view", ObjectType: "trm_transfer", ObjectID: t.ID})
		}); err != nil {
			return TransferView{}, err
		}
	}
	return v, nil
}

func (s *Service) openPackage(t store.Transfer) (trm.Package, error) {
	var pkg trm.Package
	pt, err := s.Keys.OpenWrapped(t.ID, t.WrappedKey, "package", t.Package)
	if err != nil {
		return pkg, err
	}
	defer clear(pt)
	err = json.Unmarshal(pt, &pkg)
	return pkg, err
}

// DecideInput is the receiving authority's answer to a package.
type DecideInput struct {
	Accept bool
	Reason string `field:"reason"`
}

// Decide accepts a received package — a case opens here, linked to the
// sender's, from the package's fields — or declines it with a coded
// reason; either answer goes back to the sender.
func (s *Service) Decide(ctx context.Context, p access.Principal, transferID string, in DecideInput) (caseID string, err error) {
	if err := deny(access.DecideTransfer, p); err != nil {
		return "", err
	}
	t, err := store.TransferByID(ctx, s.DB.R(), transferID)
	if err != nil {
		return "", err
	}
	if t.Direction != In {
		return "", errs.E(errs.NotFound, "no received transfer %s", transferID)
	}
	if err := trm.Next(trm.Status(t.Status), statusOf(in.Accept)); err != nil {
		return "", err
	}
	if !in.Accept && !slices.Contains(trm.DeclineReasons, in.Reason) {
		return "", errs.Field("reason", "trm.error.decline_reason_required", nil)
	}
	if in.Accept {
		pkg, err := s.openPackage(t)
		if err != nil {
			return "", err
		}
		out, err := s.Referral.Submit(ctx, referral.By{UserID: p.UserID, AgencyID: p.AgencyID, JurisdictionID: p.JurisdictionID},
			referralOf(pkg, s.Referral.DefaultSector(ctx, p.AgencyID)), "trm-"+t.ID)
		if err != nil {
			return "", err
		}
		caseID = out.Referral.CaseID
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		st := statusOf(in.Accept)
		t.Reason, t.CaseID = in.Reason, caseID
		if err := s.move(ctx, tx, t, st, s.Self.Country); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, t.PeerID, federation.KindDecision, t.ID,
			decisionPayload{Ref: t.RemoteID, Accepted: in.Accept, Reason: in.Reason}); err != nil {
			return err
		}
		d := map[string]string{"peer": t.PeerID, "status": string(st)}
		if caseID != "" {
			d["case"] = caseID
		}
		if in.Reason != "" {
			d["reason"] = in.Reason
		}
		return tx.Audit(ctx, audit.Event{Actor: p.UserID, Action: "trm.package.decided", ObjectType: "trm_transfer", ObjectID: t.ID, Details: d})
	})
	return caseID, err
}

func statusOf(accept bool) trm.Status {
	if accept {
		return trm.StatusAccepted
	}
	return trm.StatusDeclined
}

// referralOf turns a package into the referral that opens the linked case:
// coded values the receiver's code lists know, the identity, and consent
// (a package of personal data left only with it, or with the recorded
// best-interests basis for a child).
func referralOf(pkg trm.Package, sector string) intake.Referral {
	r := intake.Referral{Sector: sector, Consent: "given", ConsentLanguage: "en"}
	code := func(n string) string { return pkg.Fields[n].Code }
	text := func(n string) string { return pkg.Fields[n].Text }
	if g := code("prs_Gender"); g != "" {
		for _, c := range vocab.Genders.Codes {
			if strings.EqualFold(c, g) {
				r.Gender = c
			}
		}
	}
	if vocab.ValidCountry(code("prs_Nationality")) {
		r.Citizenship = code("prs_Nationality")
	}
	if l := code("prs_PreferredLanguage"); vocab.ValidLanguage(l) {
		r.Languages = []string{l}
		r.ConsentLanguage = l
	}
	for _, c := range pkg.Fields["vic_TypeOfExploitation"].Codes {
		for _, k := range vocab.ExploitationTypes.Codes {
			if strings.EqualFold(k, c) {
				r.ExploitationTypes = append(r.ExploitationTypes, k)
			}
		}
	}
	for _, n := range pkg.Fields["vic_Needs"].Codes {
		if vocab.Needs.Has(n) {
			r.Needs = append(r.Needs, n)
		}
	}
	r.MayBeChild = pkg.Child
	r.Identity = intake.Identity{GivenName: text("prs_GivenName"), FamilyName: text("prs_FamilyName"), BirthDate: code("prs_DateOfBirth"),
		DocumentNumber: text("prs_TravelDocumentNumber")}
	return r
}

// StepInput records an SOP step on a case.
type StepInput struct {
	SOP  string `field:"sop"`
	Step string `field:"step"`
}

// RecordStep records an SOP checklist step on a case by this country: the
// case's side is origin when it was opened from a received package, else
// destination. A step that moves a linked case sends its coded status to
// the other side (never a note).
func (s *Service) RecordStep(ctx context.Context, p access.Principal, caseID string, in StepInput) error {
	c, err := s.open(ctx, p, caseID, access.RecordTRM)
	if err != nil {
		return err
	}
	ts, err := store.TransfersOfCase(ctx, s.DB.R(), c.ID)
	if err != nil {
		return err
	}
	side := trm.Destination
	for _, t := range ts {
		if t.Direction == In {
			side = trm.Origin
		}
	}
	steps, err := store.SOPSteps(ctx, s.DB.R(), c.ID)
	if err != nil {
		return err
	}
	var done []trm.Done
	for _, x := range steps {
		done = append(done, trm.Done{SOP: trm.SOP(x.SOP), Code: x.Step})
	}
	if err := trm.CanRecord(trm.SOP(in.SOP), in.Step, side, c.Child, done); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertSOPStep(ctx, store.SOPStep{ID: store.NewID(), CaseID: c.ID, SOP: in.SOP, Step: in.Step, Country: s.Self.Country,
			RecordedBy: p.UserID, At: store.Millis(s.now())}); err != nil {
			return err
		}
		if err := tx.Audit(ctx, audit.Event{Actor: p.UserID, Action: "trm.step", ObjectType: "case", ObjectID: c.ID,
			Details: map[string]string{"sop": in.SOP, "step": in.Step, "country": codeOr(s.Self.Country)}}); err != nil {
			return err
		}
		st, ok := trm.StatusForStep(trm.SOP(in.SOP), in.Step)
		if !ok {
			return nil
		}
		for _, t := range ts {
			if t.Direction != In || trm.Next(trm.Status(t.Status), st) != nil {
				continue
			}
			if err := s.report(ctx, tx, t, st); err != nil {
				return err
			}
		}
		return nil
	})
}

// report moves a received transfer to st and sends the status back.
func (s *Service) report(ctx context.Context, tx *store.Tx, t store.Transfer, st trm.Status) error {
	if err := s.move(ctx, tx, t, st, s.Self.Country); err != nil {
		return err
	}
	return s.enqueue(ctx, tx, t.PeerID, federation.KindStatus, t.ID, statusPayload{Ref: t.RemoteID, Status: string(st),
		Country: s.Self.Country, At: s.now().Format(time.RFC3339)})
}

// dispatch applies a checked, opened envelope inside the inbox's
// transaction. A payload that breaks the rules is refused as invalid and
// nothing of it is kept.
func (s *Service) dispatch(ctx context.Context, tx *store.Tx, peer store.Peer, e *federation.Envelope, pt []byte) error {
	bad := func(what string) error { return errs.E(errs.Invalid, "trm: %s", what) }
	strict := func(v any) error {
		dec := json.NewDecoder(strings.NewReader(string(pt)))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
	switch e.Kind {
	case federation.KindPackage:
		var pp packagePayload
		if strict(&pp) != nil || trm.Check(pp.Package) != nil || len(pp.Ref) != 32 {
			return bad("package")
		}
		var ag trm.Agreement
		_ = json.Unmarshal([]byte(peer.Agreement), &ag)
		if !slices.Contains(ag.Purposes, pp.Package.Purpose) {
			return bad("purpose outside the agreement")
		}
		id := federation.NewID()
		raw, _ := json.Marshal(pp.Package)
		dk, wk, err := s.Keys.NewDataKey(id)
		if err != nil {
			return err
		}
		ct, err := seal.Seal(dk, id, "package", raw)
		dk.Destroy()
		clear(raw)
		if err != nil {
			return err
		}
		now := store.Millis(s.now())
		t := store.Transfer{ID: id, Direction: In, PeerID: peer.ID, RemoteID: pp.Ref, Purpose: string(pp.Package.Purpose),
			Child: pp.Package.Child, Status: string(trm.StatusReceived), WrappedKey: wk, Package: ct, CreatedBy: audit.SystemActor,
			CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertTransfer(ctx, t); err != nil {
			return err
		}
		if err := s.event(ctx, tx, id, trm.StatusReceived, peer.Country); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "trm.package.received", ObjectType: "trm_transfer", ObjectID: id,
			Details: map[string]string{"peer": peer.ID, "purpose": string(pp.Package.Purpose)}})
	case federation.KindDecision:
		var d decisionPayload
		if strict(&d) != nil {
			return bad("decision")
		}
		return s.applyStatus(ctx, tx, peer, d.Ref, statusOf(d.Accepted), d.Reason)
	case federation.KindStatus:
		var sp statusPayload
		if strict(&sp) != nil {
			return bad("status")
		}
		return s.applyStatus(ctx, tx, peer, sp.Ref, trm.Status(sp.Status), "")
	case federation.KindDeletion:
		var r refPayload
		if strict(&r) != nil {
			return bad("deletion")
		}
		t, ok, err := store.TransferByRemote(ctx, tx, peer.ID, In, r.Ref)
		if err != nil {
			return err
		}
		if !ok {
			return bad("deletion of an unknown transfer")
		}
		// Erase what the package brought: the sealed package, and the
		// identity of a case opened from it. Coded case data stays for
		// statistics, as with any erasure.
		if t.CaseID != "" {
			c, err := s.DB.Case(ctx, t.CaseID)
			if err != nil {
				return err
			}
			if c.PersonID != "" {
				if err := tx.ErasePerson(ctx, c.PersonID); err != nil && !errs.Is(err, errs.NotFound) {
					return err
				}
			}
		}
		t.WrappedKey, t.Package = nil, nil
		if err := s.move(ctx, tx, t, trm.StatusErased, s.Self.Country); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, peer.ID, federation.KindErasure, t.ID, refPayload{Ref: t.RemoteID}); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "trm.erased", ObjectType: "trm_transfer", ObjectID: t.ID,
			Details: map[string]string{"peer": peer.ID}})
	case federation.KindErasure:
		var r refPayload
		if strict(&r) != nil {
			return bad("erasure")
		}
		return s.applyStatus(ctx, tx, peer, r.Ref, trm.StatusErased, "")
	}
	return bad("kind")
}

// applyStatus records, on an outgoing transfer, a status the peer sent.
func (s *Service) applyStatus(ctx context.Context, tx *store.Tx, peer store.Peer, ref string, st trm.Status, reason string) error {
	t, err := store.TransferByID(ctx, tx, ref)
	if errs.Is(err, errs.NotFound) || (err == nil && (t.Direction != Out || t.PeerID != peer.ID)) {
		return errs.E(errs.Invalid, "trm: status of an unknown transfer")
	}
	if err != nil {
		return err
	}
	cur := trm.Status(t.Status)
	if t.Status == StatusQueued {
		cur = trm.StatusReceived
	}
	// A withdrawn transfer still learns of its erasure; otherwise
	// statuses follow trm's order.
	if err := trm.Next(cur, st); err != nil {
		return errs.E(errs.Invalid, "trm: %v", err)
	}
	if reason != "" && !slices.Contains(trm.DeclineReasons, reason) {
		return errs.E(errs.Invalid, "trm: decline reason")
	}
	t.Reason = reason
	if err := s.move(ctx, tx, t, st, peer.Country); err != nil {
		return err
	}
	d := map[string]string{"peer": peer.ID, "status": string(st)}
	if reason != "" {
		d["reason"] = reason
	}
	return tx.Audit(ctx, audit.Event{Action: "trm.status.received", ObjectType: "trm_transfer", ObjectID: t.ID, Details: d})
}

// MarkReceived records, when a package's receipt arrives, that the peer
// holds it. Deliver calls it for package envelopes.
func (s *Service) markReceived(ctx context.Context, tx *store.Tx, transferID string) error {
	t, err := store.TransferByID(ctx, tx, transferID)
	if err != nil || t.Status != StatusQueued {
		return err
	}
	return s.move(ctx, tx, t, trm.StatusReceived, s.peerCountry(ctx, t.PeerID))
}

func (s *Service) peerCountry(ctx context.Context, id string) string {
	p, err := store.PeerByID(ctx, s.DB.R(), id)
	if err != nil {
		return ""
	}
	return p.Country
}

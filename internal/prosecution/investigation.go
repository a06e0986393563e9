package prosecution

import (
	"slices"
	"time"

	"github.com/haven-nrm/haven/internal/ident"
)

// Investigation is a police investigation of a trafficking case and the
// proceedings that follow from it. Values are never changed in place: every
// operation returns a new Investigation one version later.
type Investigation struct {
	ID     string `json:"id"`
	CaseID string `json:"case_id"`
	// Agency is the id of the police agency that investigates.
	Agency   string              `json:"agency"`
	OpenedAt time.Time           `json:"opened_at"`
	OpenedBy string              `json:"opened_by"` // user id
	Status   InvestigationStatus `json:"status"`
	// Suspects and Charges are in the order added.
	Suspects []Suspect `json:"suspects"`
	Charges  []Charge  `json:"charges"`
	// Proceedings are the stages of every charge, in the order recorded.
	Proceedings []Proceeding `json:"proceedings"`
	// Sentences are in the order recorded; for a charge, the latest one
	// counts.
	Sentences []Sentence `json:"sentences"`
	// Compensation holds one entry per order, brought up to date as it is
	// paid.
	Compensation []Compensation `json:"compensation"`
	// Participation is every statement of the person's willingness to take
	// part in the proceedings, oldest first; the latest one stands.
	Participation []Participation `json:"participation"`
	// NonPunishment is every non-punishment flag, oldest first; the latest
	// one stands.
	NonPunishment []NonPunishmentFlag `json:"non_punishment"`
	// ReferredAt is when the file went to the prosecution service.
	ReferredAt time.Time `json:"referred_at"`
	ClosedAt   time.Time `json:"closed_at"`
	ClosedBy   string    `json:"closed_by"`
	UpdatedAt  time.Time `json:"updated_at"`
	UpdatedBy  string    `json:"updated_by"`
	// Version starts at 1 and grows by one with every change.
	Version int64 `json:"version"`
}

// Suspect is a person or company suspected in the investigation. A suspect
// is never named here: names identify, and the caller seals them elsewhere
// and keeps only an opaque reference.
type Suspect struct {
	ID        string    `json:"id"`
	ChainRole ChainRole `json:"chain_role"`
	// Gender is an HTCDS 2.0 gender (prs_Gender) for an individual, and
	// empty for a legal person.
	Gender string `json:"gender"`
	// Citizenship is an ISO 3166-1 alpha-2 code, or "" when unknown; for a
	// legal person, the country where it is registered.
	Citizenship string `json:"citizenship"`
	// Organised: the suspect acted within an organised criminal group
	// (UNTOC art. 2(a)).
	Organised bool   `json:"organised"`
	Nature    Nature `json:"nature"`
	// SealedRef is an opaque reference to the sealed identity, or "".
	SealedRef string    `json:"sealed_ref,omitempty"`
	AddedBy   string    `json:"added_by"`
	AddedAt   time.Time `json:"added_at"`
}

// Charge is an offence a suspect is investigated for and may be charged
// with.
type Charge struct {
	ID        string `json:"id"`
	SuspectID string `json:"suspect_id"`
	// Provision is the code of the legal provision in the country's list
	// (Provisions, ChargeUnder), or "". What the officer writes about the
	// charge is free text and is kept sealed outside the record.
	Provision string          `json:"provision,omitempty"`
	Offence   OffenceCategory `json:"offence"`
	AddedBy   string          `json:"added_by"`
	AddedAt   time.Time       `json:"added_at"`
}

func (s Suspect) entryID() string { return s.ID }

func (c Charge) entryID() string { return c.ID }

// Suspect returns the suspect with id.
func (inv Investigation) Suspect(id string) (Suspect, bool) { return byID(inv.Suspects, id) }

// Charge returns the charge with id.
func (inv Investigation) Charge(id string) (Charge, bool) { return byID(inv.Charges, id) }

// identified is an entry of an investigation known by its id: a suspect, a
// charge, a proceeding or a sentence.
type identified interface{ entryID() string }

// byID returns the entry of es with id.
func byID[E identified](es []E, id string) (E, bool) {
	i := slices.IndexFunc(es, func(e E) bool { return e.entryID() == id })
	if i < 0 {
		var none E
		return none, false
	}
	return es[i], true
}

// checkNew refuses a new entry whose id is malformed or already recorded.
func checkNew[E identified](e E, recorded []E) error {
	if !ident.Valid(e.entryID()) {
		return refuse(CodeInvalidInput, "id", "")
	}
	if _, dup := byID(recorded, e.entryID()); dup {
		return refuse(CodeDuplicateID, "id", "")
	}
	return nil
}

// latest returns the last of es: of a series where the latest stands.
func latest[E any](es []E) (E, bool) {
	if len(es) == 0 {
		var none E
		return none, false
	}
	return es[len(es)-1], true
}

// clone copies the investigation deeply enough that changing the copy never
// changes inv.
func (inv Investigation) clone() Investigation {
	out := inv
	out.Suspects = slices.Clone(inv.Suspects)
	out.Charges = slices.Clone(inv.Charges)
	out.Proceedings = slices.Clone(inv.Proceedings)
	out.Sentences = slices.Clone(inv.Sentences)
	out.Compensation = slices.Clone(inv.Compensation)
	out.NonPunishment = slices.Clone(inv.NonPunishment)
	out.Participation = slices.Clone(inv.Participation)
	for i := range out.Participation {
		out.Participation[i].ProtectionMeasures = slices.Clone(out.Participation[i].ProtectionMeasures)
	}
	return out
}

// Open opens an investigation of case caseID by the police agency agency,
// opened at openedAt and recorded by the user by. now is the clock's time.
// The investigation starts open, at version 1.
func Open(id, caseID, agency string, openedAt time.Time, by string, now time.Time) (Investigation, error) {
	switch {
	case !ident.Valid(id):
		return Investigation{}, refuse(CodeInvalidInput, "id", "")
	case !ident.Valid(caseID):
		return Investigation{}, refuse(CodeInvalidInput, "case_id", "")
	case !ident.Valid(agency):
		return Investigation{}, refuse(CodeAgencyRequired, "agency", "")
	}
	if err := checkActor(by); err != nil {
		return Investigation{}, err
	}
	if now.IsZero() {
		return Investigation{}, refuse(CodeInvalidInput, "now", "")
	}
	if err := checkWhen("opened_at", openedAt, time.Time{}, now); err != nil {
		return Investigation{}, err
	}
	return Investigation{ID: id, CaseID: caseID, Agency: agency, OpenedAt: openedAt, OpenedBy: by, Status: StatusOpen,
		UpdatedAt: now, UpdatedBy: by, Version: 1}, nil
}

// begin checks what every change needs — the version the caller read, an
// investigation not closed, a user, a time — and returns the copy to
// change, one version later.
func begin(inv Investigation, expectedVersion int64, by string, now time.Time) (Investigation, error) {
	if expectedVersion != inv.Version {
		return Investigation{}, refuse(CodeStaleVersion, "version", "")
	}
	if inv.Status.Closed() {
		return Investigation{}, refuse(CodeInvestigationClosed, "status", string(inv.Status))
	}
	return next(inv, by, now)
}

// next is begin without the closed check.
func next(inv Investigation, by string, now time.Time) (Investigation, error) {
	if err := checkActor(by); err != nil {
		return Investigation{}, err
	}
	if now.IsZero() {
		return Investigation{}, refuse(CodeInvalidInput, "now", "")
	}
	out := inv.clone()
	out.Version = inv.Version + 1
	out.UpdatedAt, out.UpdatedBy = now, by
	return out, nil
}

// AddSuspect adds suspect s. AddedBy and AddedAt are set to by and now. An
// individual has an HTCDS gender; a legal person has none.
func AddSuspect(inv Investigation, expectedVersion int64, s Suspect, by string, now time.Time) (Investigation, error) {
	out, err := begin(inv, expectedVersion, by, now)
	if err != nil {
		return Investigation{}, err
	}
	if err := checkNew(s, inv.Suspects); err != nil {
		return Investigation{}, err
	}
	if !s.ChainRole.Valid() {
		return Investigation{}, refuse(CodeUnknownChainRole, "chain_role", "")
	}
	if !s.Nature.Valid() {
		return Investigation{}, refuse(CodeUnknownNature, "nature", "")
	}
	switch {
	case s.Nature == NatureLegalPerson && s.Gender != "":
		return Investigation{}, refuse(CodeGenderNotApplicable, "gender", string(s.Nature))
	case s.Nature == NatureIndividual && !slices.Contains(Genders(), s.Gender):
		return Investigation{}, refuse(CodeUnknownGender, "gender", "")
	}
	if s.Citizenship != "" && !ValidCountry(s.Citizenship) {
		return Investigation{}, refuse(CodeInvalidCountry, "citizenship", "")
	}
	if s.SealedRef != "" && !ident.Valid(s.SealedRef) {
		return Investigation{}, refuse(CodeInvalidInput, "sealed_ref", "")
	}
	s.AddedBy, s.AddedAt = by, now
	out.Suspects = append(out.Suspects, s)
	return out, nil
}

// AddCharge adds charge c against one of the investigation's suspects. It
// starts at the investigation stage. AddedBy and AddedAt are set to by and
// now.
func AddCharge(inv Investigation, expectedVersion int64, c Charge, by string, now time.Time) (Investigation, error) {
	out, err := begin(inv, expectedVersion, by, now)
	if err != nil {
		return Investigation{}, err
	}
	if err := checkNew(c, inv.Charges); err != nil {
		return Investigation{}, err
	}
	if _, ok := inv.Suspect(c.SuspectID); !ok {
		return Investigation{}, refuse(CodeUnknownSuspect, "suspect_id", "")
	}
	if !c.Offence.Valid() {
		return Investigation{}, refuse(CodeUnknownOffence, "offence", "")
	}
	if c.Provision != "" && !ident.Valid(c.Provision) {
		return Investigation{}, refuse(CodeInvalidInput, "provision", "")
	}
	c.AddedBy, c.AddedAt = by, now
	out.Charges = append(out.Charges, c)
	return out, nil
}

// ReferToProsecution records that the file went to the prosecution
// service at now. Only an open investigation is referred; bringing a
// charge (RecordProceeding, stage charged) refers it too.
func ReferToProsecution(inv Investigation, expectedVersion int64, by string, now time.Time) (Investigation, error) {
	out, err := begin(inv, expectedVersion, by, now)
	if err != nil {
		return Investigation{}, err
	}
	if inv.Status != StatusOpen {
		return Investigation{}, refuse(CodeOutOfOrder, "status", string(inv.Status))
	}
	if now.Before(inv.OpenedAt) {
		return Investigation{}, refuse(CodeOutOfOrder, "now", "")
	}
	out.Status, out.ReferredAt = StatusReferredToProsecution, now
	return out, nil
}

// Close closes the investigation at now with status closed_no_action or
// closed_prosecuted. Nothing may still be before a court (proceedings_pending:
// a charge charged, at trial, or under appeal). closed_prosecuted needs a
// charge brought; closed_no_action needs none brought. A closed
// investigation changes no more, except that compensation orders are
// brought up to date as they are paid.
func Close(inv Investigation, expectedVersion int64, status InvestigationStatus, by string, now time.Time) (Investigation, error) {
	out, err := begin(inv, expectedVersion, by, now)
	if err != nil {
		return Investigation{}, err
	}
	switch {
	case !status.Valid():
		return Investigation{}, refuse(CodeUnknownStatus, "status", "")
	case !status.Closed():
		return Investigation{}, refuse(CodeNotAClosingStatus, "status", string(status))
	}
	if now.Before(inv.OpenedAt) {
		return Investigation{}, refuse(CodeOutOfOrder, "now", "")
	}
	brought := false
	for _, c := range inv.Charges {
		st := inv.ChargeStatus(c.ID)
		if st.Pending() {
			return Investigation{}, refuse(CodeProceedingsPending, "status", string(st.Stage))
		}
		brought = brought || st.Brought()
	}
	switch {
	case status == StatusClosedProsecuted && !brought:
		return Investigation{}, refuse(CodeNoProsecution, "status", string(status))
	case status == StatusClosedNoAction && brought:
		return Investigation{}, refuse(CodeProsecutionBrought, "status", string(status))
	}
	out.Status, out.ClosedAt, out.ClosedBy = status, now, by
	return out, nil
}

package prosecution

import (
	"slices"
	"time"

	"github.com/haven-nrm/haven/internal/ident"
)

// Proceeding is one step of the proceedings on a charge.
type Proceeding struct {
	ID       string `json:"id"`
	ChargeID string `json:"charge_id"`
	Stage    Stage  `json:"stage"`
	// Outcome is the outcome of a verdict (required), or of a decided
	// appeal; empty for charged, trial and a lodged appeal.
	Outcome Outcome   `json:"outcome,omitempty"`
	At      time.Time `json:"at"` // when it happened
	By      string    `json:"by"` // the user who recorded it
}

func (p Proceeding) entryID() string { return p.ID }

// ChargeStatus is where a charge stands, as its proceedings say.
type ChargeStatus struct {
	Stage Stage `json:"stage"`
	// Outcome is the outcome of the latest verdict or decided appeal; ""
	// before a verdict and after an appeal court orders a retrial.
	Outcome Outcome `json:"outcome,omitempty"`
	// AppealPending: an appeal is lodged and not decided.
	AppealPending bool `json:"appeal_pending"`
	// At is the date of the latest proceeding (zero at the investigation
	// stage); DecidedAt the date of the one that gave Outcome.
	At        time.Time `json:"at"`
	DecidedAt time.Time `json:"decided_at"`
}

// Brought reports whether the charge was brought before a court.
func (s ChargeStatus) Brought() bool { return s.Stage != StageInvestigation }

// Pending reports whether the charge is before a court: charged, at trial,
// or under an appeal not yet decided.
func (s ChargeStatus) Pending() bool {
	return s.Stage == StageCharged || s.Stage == StageTrial || s.AppealPending
}

// Convicted reports whether the charge's outcome is a conviction.
func (s ChargeStatus) Convicted() bool { return s.Outcome == OutcomeConvicted }

// convicted returns the status of the charge with id, which must be known
// (unknown_charge) and end in a conviction (notConvicted): a sentence or a
// compensation order follows a conviction only.
func (inv Investigation) convicted(id string, notConvicted Code) (ChargeStatus, error) {
	if _, ok := inv.Charge(id); !ok {
		return ChargeStatus{}, refuse(CodeUnknownCharge, "charge_id", "")
	}
	st := inv.ChargeStatus(id)
	if !st.Convicted() {
		return ChargeStatus{}, refuse(notConvicted, "charge_id", string(st.Outcome))
	}
	return st, nil
}

// ChargeStatus walks the proceedings of the charge with id. A charge with
// none, or an unknown charge, is at the investigation stage.
func (inv Investigation) ChargeStatus(id string) ChargeStatus {
	st := ChargeStatus{Stage: StageInvestigation}
	for _, p := range inv.Proceedings {
		if p.ChargeID == id {
			st, _ = advance(st, p)
		}
	}
	return st
}

// advance applies p to st; it reports false when p does not follow from
// st (see Stage for the order).
func advance(st ChargeStatus, p Proceeding) (ChargeStatus, bool) {
	switch p.Stage {
	case StageCharged:
		if st.Stage != StageInvestigation {
			return st, false
		}
	case StageTrial:
		if st.Stage != StageCharged && !st.AppealPending {
			return st, false
		}
		st.Outcome, st.AppealPending = "", false
	case StageVerdict:
		if st.Stage != StageCharged && st.Stage != StageTrial {
			return st, false
		}
		st.Outcome, st.DecidedAt = p.Outcome, p.At
	case StageAppeal:
		switch {
		case p.Outcome == "" && (st.Stage == StageVerdict || (st.Stage == StageAppeal && !st.AppealPending)):
			st.AppealPending = true
		case p.Outcome != "" && st.AppealPending:
			st.AppealPending, st.Outcome, st.DecidedAt = false, p.Outcome, p.At
		default:
			return st, false
		}
	default:
		return st, false
	}
	st.Stage, st.At = p.Stage, p.At
	return st, true
}

// RecordProceeding records step p of the proceedings on one of the
// investigation's charges, recorded by by; p.By is set to by. p.At may not
// lie after now, before the investigation opened, or before the charge's
// latest step. The first charge brought refers an open investigation to
// the prosecution service.
func RecordProceeding(inv Investigation, expectedVersion int64, p Proceeding, by string, now time.Time) (Investigation, error) {
	out, err := begin(inv, expectedVersion, by, now)
	if err != nil {
		return Investigation{}, err
	}
	if err := checkNew(p, inv.Proceedings); err != nil {
		return Investigation{}, err
	}
	if _, ok := inv.Charge(p.ChargeID); !ok {
		return Investigation{}, refuse(CodeUnknownCharge, "charge_id", "")
	}
	if !p.Stage.Valid() {
		return Investigation{}, refuse(CodeUnknownStage, "stage", "")
	}
	switch {
	case p.Outcome != "" && !p.Outcome.Valid():
		return Investigation{}, refuse(CodeUnknownOutcome, "outcome", "")
	case p.Stage == StageVerdict && p.Outcome == "":
		return Investigation{}, refuse(CodeOutcomeRequired, "outcome", string(p.Stage))
	case (p.Stage == StageCharged || p.Stage == StageTrial || p.Stage == StageInvestigation) && p.Outcome != "":
		return Investigation{}, refuse(CodeOutcomeNotAllowed, "outcome", string(p.Stage))
	}
	st := inv.ChargeStatus(p.ChargeID)
	if _, ok := advance(st, p); !ok {
		if p.Stage == StageVerdict && st.Stage == StageInvestigation {
			return Investigation{}, refuse(CodeVerdictWithoutCharge, "stage", string(p.Stage))
		}
		return Investigation{}, refuse(CodeOutOfOrder, "stage", string(p.Stage))
	}
	if err := checkWhen("at", p.At, later(inv.OpenedAt, st.At), now); err != nil {
		return Investigation{}, err
	}
	p.By = by
	out.Proceedings = append(out.Proceedings, p)
	if p.Stage == StageCharged && inv.Status == StatusOpen {
		out.Status, out.ReferredAt = StatusReferredToProsecution, p.At
	}
	return out, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Money is an amount in the minor units of an ISO 4217 currency (cents,
// paisa, möngö …). The zero Money is no amount.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// checkMoney refuses a negative amount, an amount without a valid currency,
// and, when required, no amount.
func checkMoney(field string, m Money, required bool) error {
	switch {
	case m.Amount < 0 || (required && m.Amount == 0):
		return refuse(CodeInvalidAmount, field, "")
	case m.Currency == "" && m.Amount != 0, m.Currency != "" && !ValidCurrency(m.Currency):
		return refuse(CodeInvalidCurrency, field, "")
	}
	return nil
}

// Sentence is the sentence on a convicted charge.
type Sentence struct {
	ID       string `json:"id"`
	ChargeID string `json:"charge_id"`
	// CustodialMonths is the term of imprisonment, 0 to MaxCustodialMonths;
	// Life a life sentence (CustodialMonths 0).
	CustodialMonths int  `json:"custodial_months"`
	Life            bool `json:"life"`
	// Suspended: the custodial term is suspended.
	Suspended bool      `json:"suspended"`
	Fine      Money     `json:"fine"`
	At        time.Time `json:"at"` // when it was passed
	By        string    `json:"by"` // the user who recorded it
}

func (s Sentence) entryID() string { return s.ID }

// checkSentence refuses a sentence that imposes nothing or is malformed.
func checkSentence(s Sentence) error {
	if err := checkMoney("fine", s.Fine, false); err != nil {
		return err
	}
	switch {
	case s.CustodialMonths < 0 || s.CustodialMonths > MaxCustodialMonths:
		return refuse(CodeInvalidSentence, "custodial_months", "")
	case s.Life && (s.CustodialMonths > 0 || s.Suspended):
		return refuse(CodeInvalidSentence, "life", "")
	case s.Suspended && s.CustodialMonths == 0:
		return refuse(CodeInvalidSentence, "suspended", "")
	case s.CustodialMonths == 0 && !s.Life && s.Fine.Amount == 0:
		return refuse(CodeInvalidSentence, "custodial_months", "")
	}
	return nil
}

// RecordSentence records sentence s on a charge whose outcome is a
// conviction (sentence_without_conviction otherwise: a sentence only on
// conviction), dated not before the conviction. s.By is set to by. A later
// sentence on the same charge (after an appeal) supersedes the earlier one.
func RecordSentence(inv Investigation, expectedVersion int64, s Sentence, by string, now time.Time) (Investigation, error) {
	out, err := begin(inv, expectedVersion, by, now)
	if err != nil {
		return Investigation{}, err
	}
	if err := checkNew(s, inv.Sentences); err != nil {
		return Investigation{}, err
	}
	st, err := inv.convicted(s.ChargeID, CodeSentenceWithoutConviction)
	if err != nil {
		return Investigation{}, err
	}
	if err := checkSentence(s); err != nil {
		return Investigation{}, err
	}
	if err := checkWhen("at", s.At, later(inv.OpenedAt, st.DecidedAt), now); err != nil {
		return Investigation{}, err
	}
	s.By = by
	out.Sentences = append(out.Sentences, s)
	return out, nil
}

// SentenceOf returns the latest sentence recorded on the charge with id.
func (inv Investigation) SentenceOf(id string) (Sentence, bool) {
	for _, s := range slices.Backward(inv.Sentences) {
		if s.ChargeID == id {
			return s, true
		}
	}
	return Sentence{}, false
}

// Compensation is compensation a criminal court ordered a convicted
// offender to pay the victim (CoE Convention art. 15(3); Directive
// 2011/36/EU art. 17; Palermo Protocol art. 6(6)). Compensation from a
// state scheme is not ordered on a charge and is not recorded here.
type Compensation struct {
	ID       string `json:"id"`
	ChargeID string `json:"charge_id"`
	Ordered  Money  `json:"ordered"`
	// Paid is what was paid so far, in minor units of Ordered.Currency;
	// never more than ordered.
	Paid  int64             `json:"paid"`
	State CompensationState `json:"state"`
	At    time.Time         `json:"at"` // of the order, then of the latest update
	By    string            `json:"by"` // the user who recorded the latest update
}

// stateFits reports whether the state agrees with the amounts: nothing paid
// for ordered and unpaid, part for partially_paid, all for paid.
func (c Compensation) stateFits() bool {
	switch c.State {
	case CompensationOrdered, CompensationUnpaid:
		return c.Paid == 0
	case CompensationPartiallyPaid:
		return c.Paid > 0 && c.Paid < c.Ordered.Amount
	case CompensationPaid:
		return c.Paid == c.Ordered.Amount
	}
	return false
}

// RecordCompensation records a compensation order, or brings one up to
// date. A new order (an id not yet recorded) needs a charge whose outcome
// is a conviction and is dated not before it. An update keeps the order's
// charge and amount (order_changed otherwise) and is dated not before the
// previous update. Paid never exceeds the order (compensation_exceeds_order)
// and the state must agree with the amounts. c.By is set to by. Unlike
// other changes, compensation may be brought up to date after the
// investigation is closed: payment often comes later.
func RecordCompensation(inv Investigation, expectedVersion int64, c Compensation, by string, now time.Time) (Investigation, error) {
	if expectedVersion != inv.Version {
		return Investigation{}, refuse(CodeStaleVersion, "version", "")
	}
	out, err := next(inv, by, now)
	if err != nil {
		return Investigation{}, err
	}
	if !ident.Valid(c.ID) {
		return Investigation{}, refuse(CodeInvalidInput, "id", "")
	}
	i := slices.IndexFunc(inv.Compensation, func(q Compensation) bool { return q.ID == c.ID })
	var floor time.Time
	if i >= 0 {
		old := inv.Compensation[i]
		if old.ChargeID != c.ChargeID || old.Ordered != c.Ordered {
			return Investigation{}, refuse(CodeOrderChanged, "ordered", "")
		}
		floor = old.At
	} else {
		st, err := inv.convicted(c.ChargeID, CodeCompensationWithoutConviction)
		if err != nil {
			return Investigation{}, err
		}
		floor = later(inv.OpenedAt, st.DecidedAt)
	}
	if err := checkMoney("ordered", c.Ordered, true); err != nil {
		return Investigation{}, err
	}
	switch {
	case c.Paid < 0:
		return Investigation{}, refuse(CodeInvalidAmount, "paid", "")
	case c.Paid > c.Ordered.Amount:
		return Investigation{}, refuse(CodeCompensationExceedsOrder, "paid", "")
	case !c.State.Valid():
		return Investigation{}, refuse(CodeUnknownCompensationState, "state", "")
	case !c.stateFits():
		return Investigation{}, refuse(CodeCompensationStateMismatch, "state", string(c.State))
	}
	if err := checkWhen("at", c.At, floor, now); err != nil {
		return Investigation{}, err
	}
	c.By = by
	if i >= 0 {
		out.Compensation[i] = c
	} else {
		out.Compensation = append(out.Compensation, c)
	}
	return out, nil
}

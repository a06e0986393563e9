package support

import (
	"slices"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
)

// Item is an early step of identification or an item of information that a
// presumed victim must receive.
type Item string

// The five early steps of identification, per person (OSCE 2011, in the
// seed): initial referral; access to basic needs and information (health
// care, a bed, counselling, immediate protection of the person and family,
// emergency needs); early risk assessment; language and interpretation;
// recovery and reflection period.
const (
	StepInitialReferral        Item = "initial_referral"
	StepBasicNeedsAndInfo      Item = "basic_needs_and_information"
	StepEarlyRiskAssessment    Item = "early_risk_assessment"
	StepLanguageInterpretation Item = "language_and_interpretation"
	StepRecoveryReflection     Item = "recovery_and_reflection_period"
)

// The six items of information every presumed victim must receive (OSCE
// 2011, in the seed): rights and obligations; the function of the recovery
// and reflection period; available services (accommodation, counselling);
// investigative and prosecutorial steps; current security concerns and the
// witness-protection system; the next steps of referral.
const (
	InfoRightsAndObligations   Item = "rights_and_obligations"
	InfoRecoveryPeriodFunction Item = "recovery_period_function"
	InfoAvailableServices      Item = "available_services"
	InfoInvestigativeSteps     Item = "investigative_and_prosecutorial_steps"
	InfoSecurityAndWitness     Item = "security_and_witness_protection"
	InfoNextStepsOfReferral    Item = "next_steps_of_referral"
)

// EarlySteps returns the five early steps in their order.
func EarlySteps() []Item {
	return []Item{StepInitialReferral, StepBasicNeedsAndInfo, StepEarlyRiskAssessment, StepLanguageInterpretation,
		StepRecoveryReflection}
}

// InformationItems returns the six information items in their order.
func InformationItems() []Item {
	return []Item{InfoRightsAndObligations, InfoRecoveryPeriodFunction, InfoAvailableServices, InfoInvestigativeSteps,
		InfoSecurityAndWitness, InfoNextStepsOfReferral}
}

// Items returns every item: the early steps, then the information items.
func Items() []Item { return append(EarlySteps(), InformationItems()...) }

// Valid reports whether i is one of the eleven items.
func (i Item) Valid() bool { return slices.Contains(Items(), i) }

// IsStep reports whether i is an early step (not an information item).
func (i Item) IsStep() bool { return slices.Contains(EarlySteps(), i) }

// Entry records that an item was done: when, by whom (a user id) and in
// which language (ISO 639) the person was spoken to.
type Entry struct {
	Item     Item      `json:"item"`
	By       string    `json:"by"`
	Language string    `json:"language"`
	At       time.Time `json:"at"`
}

// Checklist holds the early steps and information items recorded for one
// person. An item may be recorded more than once (information given again,
// in another language or after a change); every entry is kept.
type Checklist struct {
	clock   Clock
	entries []Entry
}

// NewChecklist returns a checklist that reads the time from clock, holding
// the entries given (as loaded from storage, oldest first). It refuses a nil
// clock and any entry that Record would refuse.
func NewChecklist(clock Clock, entries ...Entry) (*Checklist, error) {
	if clock == nil {
		return nil, errs.Refuse(CodeInvalidInput, "clock", "")
	}
	c := &Checklist{clock: clock}
	for _, e := range entries {
		if err := c.Record(e.Item, e.By, e.Language, e.At); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Record records that item was done at at by the user by, in the language
// lang. It refuses an unknown item, a missing or malformed user, an empty or
// invalid language, a missing time and a time after the clock's.
func (c *Checklist) Record(item Item, by, lang string, at time.Time) error {
	if !item.Valid() {
		return errs.Refuse(CodeUnknownItem, "item", string(item))
	}
	if err := checkActor(by); err != nil {
		return err
	}
	if err := checkLanguage("language", lang); err != nil {
		return err
	}
	if err := checkWhen(at, c.clock()); err != nil {
		return err
	}
	c.entries = append(c.entries, Entry{Item: item, By: by, Language: lang, At: at})
	return nil
}

// Latest returns the most recent entry for item (by date; of two on the same
// date, the one recorded last).
func (c *Checklist) Latest(item Item) (Entry, bool) {
	var best Entry
	found := false
	for _, e := range c.entries {
		if e.Item == item && (!found || !e.At.Before(best.At)) {
			best, found = e, true
		}
	}
	return best, found
}

// Entries returns a copy of every entry, in the order recorded.
func (c *Checklist) Entries() []Entry { return slices.Clone(c.entries) }

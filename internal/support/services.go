package support

import (
	"slices"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/ident"
)

// ServiceType is a kind of service a person can be referred to, coded in the
// style of Open Referral HSDS taxonomy terms.
type ServiceType string

// Service types.
const (
	ServiceShortTermShelter   ServiceType = "short_term_shelter"
	ServiceLongTermShelter    ServiceType = "long_term_shelter"
	ServiceMedical            ServiceType = "medical"
	ServicePsychosocial       ServiceType = "psychosocial"
	ServiceLegalAid           ServiceType = "legal_aid"
	ServiceInterpretation     ServiceType = "interpretation"
	ServiceEducation          ServiceType = "education"
	ServiceVocationalTraining ServiceType = "vocational_training"
	ServiceEmployment         ServiceType = "employment"
	ServiceImmigrationStatus  ServiceType = "immigration_status"
	ServiceVoluntaryReturn    ServiceType = "voluntary_return"
	ServiceReintegration      ServiceType = "reintegration"
)

// PlanType is an HTCDS 2.0 support plan type (spl_Type).
type PlanType string

// HTCDS 2.0 support plan types.
const (
	PlanEducation                        PlanType = "Education"
	PlanFinancial                        PlanType = "Financial"
	PlanHealth                           PlanType = "Health"
	PlanLabourExploitationRehabilitation PlanType = "LabourExploitationRehabilitation"
	PlanLegal                            PlanType = "Legal"
	PlanLivelihood                       PlanType = "Livelihood"
	PlanRightsBasedTraining              PlanType = "RightsBasedTraining"
	PlanSexualExploitationRehabilitation PlanType = "SexualExploitationRehabilitation"
	PlanSocialCare                       PlanType = "SocialCare"
)

// PlanTypes returns the nine HTCDS support plan types in the standard's
// order.
func PlanTypes() []PlanType {
	return []PlanType{PlanEducation, PlanFinancial, PlanHealth, PlanLabourExploitationRehabilitation, PlanLegal,
		PlanLivelihood, PlanRightsBasedTraining, PlanSexualExploitationRehabilitation, PlanSocialCare}
}

// Valid reports whether p is an HTCDS support plan type.
func (p PlanType) Valid() bool { return slices.Contains(PlanTypes(), p) }

// planTypeOf maps each service type onto the HTCDS support plan type it
// belongs to. Shelter, interpretation, return and reintegration are social
// care; medical and psychosocial care are health; legal aid and immigration
// status are legal; vocational training and employment are livelihood.
// Financial, RightsBasedTraining and the two rehabilitation types have no
// service type of their own: a plan may still be of those types.
var planTypeOf = map[ServiceType]PlanType{
	ServiceShortTermShelter:   PlanSocialCare,
	ServiceLongTermShelter:    PlanSocialCare,
	ServiceMedical:            PlanHealth,
	ServicePsychosocial:       PlanHealth,
	ServiceLegalAid:           PlanLegal,
	ServiceInterpretation:     PlanSocialCare,
	ServiceEducation:          PlanEducation,
	ServiceVocationalTraining: PlanLivelihood,
	ServiceEmployment:         PlanLivelihood,
	ServiceImmigrationStatus:  PlanLegal,
	ServiceVoluntaryReturn:    PlanSocialCare,
	ServiceReintegration:      PlanSocialCare,
}

// ServiceTypes returns every service type, in a fixed order.
func ServiceTypes() []ServiceType {
	return []ServiceType{ServiceShortTermShelter, ServiceLongTermShelter, ServiceMedical, ServicePsychosocial,
		ServiceLegalAid, ServiceInterpretation, ServiceEducation, ServiceVocationalTraining, ServiceEmployment,
		ServiceImmigrationStatus, ServiceVoluntaryReturn, ServiceReintegration}
}

// Valid reports whether s is a service type.
func (s ServiceType) Valid() bool { _, ok := planTypeOf[s]; return ok }

// PlanType is the HTCDS support plan type of the service, or "" for an
// unknown service.
func (s ServiceType) PlanType() PlanType { return planTypeOf[s] }

// State is where a service referral stands.
type State string

// The states of a service referral:
//
//	offered ──accept──▶ accepted ──deliver──▶ delivered ──end──▶ ended
//	   │                   └──────────────end──────────────────▶ ended
//	   └──decline──▶ declined
//
//	offered, accepted, delivered ──withdraw (the person)──▶ withdrawn
//
// declined, ended and withdrawn are final. A final referral is history: it
// never stands in the way of another offer (the same service included) or of
// closing the case.
const (
	StateOffered   State = "offered"
	StateAccepted  State = "accepted"
	StateDeclined  State = "declined"
	StateDelivered State = "delivered"
	StateEnded     State = "ended"
	StateWithdrawn State = "withdrawn"
)

// States returns every state.
func States() []State {
	return []State{StateOffered, StateAccepted, StateDeclined, StateDelivered, StateEnded, StateWithdrawn}
}

// Open reports whether a referral in state s is still running: offered,
// accepted or delivered.
func (s State) Open() bool { return s == StateOffered || s == StateAccepted || s == StateDelivered }

// Action is a change to a service referral.
type Action string

// Actions. Accept, decline and withdraw are the person's decisions (recorded
// by a user on the person's word); deliver and end are the provider's.
const (
	ActionAccept   Action = "accept"
	ActionDecline  Action = "decline"
	ActionDeliver  Action = "deliver"
	ActionEnd      Action = "end"
	ActionWithdraw Action = "withdraw"
)

// Actions returns every action that changes an offered referral.
func Actions() []Action {
	return []Action{ActionAccept, ActionDecline, ActionDeliver, ActionEnd, ActionWithdraw}
}

// transitions: for each action, the state it leads to from each state it
// applies to.
var transitions = map[Action]map[State]State{
	ActionAccept:   {StateOffered: StateAccepted},
	ActionDecline:  {StateOffered: StateDeclined},
	ActionDeliver:  {StateAccepted: StateDelivered},
	ActionEnd:      {StateAccepted: StateEnded, StateDelivered: StateEnded},
	ActionWithdraw: {StateOffered: StateWithdrawn, StateAccepted: StateWithdrawn, StateDelivered: StateWithdrawn},
}

// PersonsDecision reports whether the action is the person's own decision.
func (a Action) PersonsDecision() bool {
	return a == ActionAccept || a == ActionDecline || a == ActionWithdraw
}

// ServiceEvent is one change of a service referral.
type ServiceEvent struct {
	Action Action    `json:"action"` // "offer" for the first event
	From   State     `json:"from"`   // "" for the offer
	To     State     `json:"to"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// ActionOffer names the first event of a referral.
const ActionOffer Action = "offer"

// Referral is a service offered to the person by a provider agency.
type Referral struct {
	ID      string         `json:"id"`
	Service ServiceType    `json:"service"`
	Agency  string         `json:"agency"` // the provider agency's id
	State   State          `json:"state"`
	History []ServiceEvent `json:"history"` // oldest first; the offer is first
}

// UpdatedAt is the time of the referral's latest event.
func (r Referral) UpdatedAt() time.Time {
	if len(r.History) == 0 {
		return time.Time{}
	}
	return r.History[len(r.History)-1].At
}

// Plan is the person's support: every service referral, open or final, in
// the order offered.
type Plan struct {
	Referrals []Referral `json:"referrals"`
}

// Find returns the referral with id.
func (p Plan) Find(id string) (Referral, bool) {
	i := slices.IndexFunc(p.Referrals, func(r Referral) bool { return r.ID == id })
	if i < 0 {
		return Referral{}, false
	}
	return p.Referrals[i], true
}

// clone copies the plan deeply enough that changing the copy's referrals
// and histories never changes p.
func (p Plan) clone() Plan {
	if p.Referrals == nil {
		return Plan{}
	}
	out := Plan{Referrals: make([]Referral, len(p.Referrals))}
	for i, r := range p.Referrals {
		r.History = slices.Clone(r.History)
		out.Referrals[i] = r
	}
	return out
}

// OfferRequest is an offer of a service to the person. It holds no flag about
// the person's part in proceedings, or any other condition: support is
// given without conditions.
type OfferRequest struct {
	ID      string      // the new referral's id
	Service ServiceType // the service offered
	Agency  string      // the provider agency's id
	By      string      // the user who makes the offer
	At      time.Time   // when the offer was made
}

// CanOffer decides whether service may be offered from agency. It is
// allowed for any valid service and agency unless the same service from the
// same agency is already open (offered, accepted or being delivered). It
// looks at nothing else: declined, withdrawn and ended referrals, the
// person's part in proceedings and the state of other services never count.
func CanOffer(p Plan, service ServiceType, agency string) Decision {
	if !service.Valid() {
		return deny(CodeUnknownService)
	}
	if !ident.Valid(agency) {
		return deny(CodeAgencyRequired)
	}
	for _, r := range p.Referrals {
		if r.State.Open() && r.Service == service && r.Agency == agency {
			return deny(CodeAlreadyOpen, r.ID)
		}
	}
	return allow()
}

// Offer adds an offered referral to the plan. now is the clock's time.
func Offer(p Plan, o OfferRequest, now time.Time) (Plan, error) {
	if !ident.Valid(o.ID) {
		return Plan{}, errs.Refuse(CodeInvalidInput, "id", "")
	}
	if _, dup := p.Find(o.ID); dup {
		return Plan{}, errs.Refuse(CodeDuplicateID, "id", "")
	}
	if d := CanOffer(p, o.Service, o.Agency); !d.Allowed {
		field := map[Code]string{CodeUnknownService: "service", CodeAgencyRequired: "agency", CodeAlreadyOpen: "service"}[d.Code]
		return Plan{}, errs.Refuse(d.Code, field, string(o.Service))
	}
	if err := checkActor(o.By); err != nil {
		return Plan{}, err
	}
	if err := checkWhen(o.At, now); err != nil {
		return Plan{}, err
	}
	out := p.clone()
	out.Referrals = append(out.Referrals, Referral{ID: o.ID, Service: o.Service, Agency: o.Agency, State: StateOffered,
		History: []ServiceEvent{{Action: ActionOffer, To: StateOffered, By: o.By, At: o.At}}})
	return out, nil
}

// CanAct decides whether action a applies to the referral with id. It
// depends on that referral's state only: the state of every other referral
// never counts.
func CanAct(p Plan, id string, a Action) Decision {
	r, ok := p.Find(id)
	if !ok {
		return deny(CodeNotFound)
	}
	return canApply(r, a)
}

func canApply(r Referral, a Action) Decision {
	to, known := transitions[a]
	if !known {
		return deny(CodeUnknownAction)
	}
	if _, ok := to[r.State]; !ok {
		return deny(CodeNotAllowedInState, r.ID)
	}
	return allow()
}

// Act applies action a, taken at at and recorded by the user by, to the
// referral with id. now is the clock's time. at may not be before the
// referral's latest event.
func Act(p Plan, id string, a Action, by string, at, now time.Time) (Plan, error) {
	i := slices.IndexFunc(p.Referrals, func(r Referral) bool { return r.ID == id })
	if i < 0 {
		return Plan{}, errs.Refuse(CodeNotFound, "id", "")
	}
	r := p.Referrals[i]
	if d := canApply(r, a); !d.Allowed {
		return Plan{}, errs.Refuse(d.Code, "action", string(a))
	}
	if err := checkActor(by); err != nil {
		return Plan{}, err
	}
	if err := checkWhen(at, now); err != nil {
		return Plan{}, err
	}
	if at.Before(r.UpdatedAt()) {
		return Plan{}, errs.Refuse(CodeOutOfOrder, "at", "")
	}
	out := p.clone()
	to := transitions[a][r.State]
	nr := &out.Referrals[i]
	nr.History = append(nr.History, ServiceEvent{Action: a, From: r.State, To: to, By: by, At: at})
	nr.State = to
	return out, nil
}

// CanCloseCase decides whether the person's support allows the case to
// close: not while an offer awaits the person's answer (offer_pending) or a
// service the person accepted has not ended (service_in_progress, which
// wins when both apply); the ids of every such referral come with the
// decision. Declined, withdrawn and ended
// referrals never count. Whatever the plan holds, closing can always be
// reached: the provider can end every accepted or delivered service, and the
// person can answer or withdraw from every offer.
func CanCloseCase(p Plan) Decision {
	var pending, running []string
	for _, r := range p.Referrals {
		switch r.State {
		case StateOffered:
			pending = append(pending, r.ID)
		case StateAccepted, StateDelivered:
			running = append(running, r.ID)
		}
	}
	switch {
	case len(running) > 0:
		return deny(CodeServiceInProgress, append(running, pending...)...)
	case len(pending) > 0:
		return deny(CodeOfferPending, pending...)
	}
	return allow()
}

// Open returns the referrals still running (offered, accepted or
// delivered).
func (p Plan) Open() []Referral {
	var out []Referral
	for _, r := range p.Referrals {
		if r.State.Open() {
			out = append(out, r)
		}
	}
	return out
}

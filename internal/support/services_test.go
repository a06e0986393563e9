package support

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestServicePlanTypes(t *testing.T) {
	cases := []struct {
		service ServiceType
		want    PlanType
		rule    string
	}{
		{ServiceShortTermShelter, PlanSocialCare, "HTCDS 2.0 spl_Type: shelter is social care (seed: Thailand's short-term shelters)"},
		{ServiceLongTermShelter, PlanSocialCare, "HTCDS 2.0 spl_Type: shelter is social care (seed: Thailand's long-term shelters)"},
		{ServiceMedical, PlanHealth, "HTCDS 2.0 spl_Type: medical care is health"},
		{ServicePsychosocial, PlanHealth, "HTCDS 2.0 spl_Type: psychosocial care is health"},
		{ServiceLegalAid, PlanLegal, "HTCDS 2.0 spl_Type: legal aid is legal"},
		{ServiceInterpretation, PlanSocialCare, "HTCDS 2.0 spl_Type: interpretation is social care"},
		{ServiceEducation, PlanEducation, "HTCDS 2.0 spl_Type: education is education"},
		{ServiceVocationalTraining, PlanLivelihood, "HTCDS 2.0 spl_Type: vocational training is livelihood"},
		{ServiceEmployment, PlanLivelihood, "HTCDS 2.0 spl_Type: employment is livelihood"},
		{ServiceImmigrationStatus, PlanLegal, "HTCDS 2.0 spl_Type: immigration status is legal"},
		{ServiceVoluntaryReturn, PlanSocialCare, "HTCDS 2.0 spl_Type: voluntary return is social care"},
		{ServiceReintegration, PlanSocialCare, "HTCDS 2.0 spl_Type: reintegration is social care"},
		{"astrology", "", "services: an unknown service has no plan type"},
	}
	for _, c := range cases {
		if got := c.service.PlanType(); got != c.want {
			t.Errorf("%s: %s → %q, want %q", c.rule, c.service, got, c.want)
		}
		if c.want != "" && (!c.service.Valid() || !c.want.Valid()) {
			t.Errorf("%s: %s and %s must be valid", c.rule, c.service, c.want)
		}
	}
	if len(cases)-1 != len(ServiceTypes()) {
		t.Errorf("services: every service type is in the table")
	}
	got := make([]string, 0, 9)
	for _, p := range PlanTypes() {
		got = append(got, string(p))
	}
	want := "Education Financial Health LabourExploitationRehabilitation Legal Livelihood RightsBasedTraining SexualExploitationRehabilitation SocialCare"
	if strings.Join(got, " ") != want {
		t.Errorf("HTCDS 2.0 spl_Type: the nine plan types, got %v", got)
	}
}

// stateOf is an independent statement of the life cycle: the state each
// action leads to from each state; a missing entry is refused.
var stateOf = map[State]map[Action]State{
	StateOffered:   {ActionAccept: StateAccepted, ActionDecline: StateDeclined, ActionWithdraw: StateWithdrawn},
	StateAccepted:  {ActionDeliver: StateDelivered, ActionEnd: StateEnded, ActionWithdraw: StateWithdrawn},
	StateDelivered: {ActionEnd: StateEnded, ActionWithdraw: StateWithdrawn},
	StateDeclined:  {},
	StateEnded:     {},
	StateWithdrawn: {},
}

// reach returns a plan with one referral "r" in state s.
func reach(t testing.TB, s State) Plan {
	p := mustOffer(t, Plan{}, "r", ServiceMedical, agencyC, at(0))
	path := map[State][]Action{
		StateOffered: nil, StateAccepted: {ActionAccept}, StateDeclined: {ActionDecline},
		StateDelivered: {ActionAccept, ActionDeliver}, StateEnded: {ActionAccept, ActionEnd},
		StateWithdrawn: {ActionWithdraw},
	}[s]
	for i, a := range path {
		p = mustAct(t, p, "r", a, at(i+1))
	}
	return p
}

func TestLifeCycle(t *testing.T) {
	rules := map[Action]string{
		ActionAccept:   "services: an offer is accepted or declined by the person",
		ActionDecline:  "services: an offer is accepted or declined by the person",
		ActionDeliver:  "services: an accepted service is delivered",
		ActionEnd:      "services: an accepted or delivered service ends",
		ActionWithdraw: "services: the person may withdraw from any running service",
	}
	for _, s := range States() {
		for _, a := range Actions() {
			t.Run(fmt.Sprintf("%s/%s", s, a), func(t *testing.T) {
				p := reach(t, s)
				want, ok := stateOf[s][a]
				if d := CanAct(p, "r", a); d.Allowed != ok {
					t.Errorf("%s: CanAct %+v", rules[a], d)
				}
				got, err := Act(p, "r", a, worker, at(10), at(10))
				if !ok {
					wantCode(t, "services: final states never change; other moves are refused", err, CodeNotAllowedInState)
					return
				}
				if err != nil {
					t.Fatalf("%s: %v", rules[a], err)
				}
				r, _ := got.Find("r")
				if r.State != want {
					t.Errorf("%s: %s --%s--> %s, want %s", rules[a], s, a, r.State, want)
				}
				last := r.History[len(r.History)-1]
				if last != (ServiceEvent{Action: a, From: s, To: want, By: worker, At: at(10)}) {
					t.Errorf("%s: history ends %+v", rules[a], last)
				}
			})
		}
	}
	if !ActionAccept.PersonsDecision() || !ActionDecline.PersonsDecision() || !ActionWithdraw.PersonsDecision() ||
		ActionDeliver.PersonsDecision() || ActionEnd.PersonsDecision() {
		t.Errorf("services: accept, decline and withdraw are the person's decisions; deliver and end the provider's")
	}
}

func TestOfferAndActRefusals(t *testing.T) {
	base := mustOffer(t, Plan{}, "r1", ServiceLegalAid, agencyB, at(2))
	req := func(mod func(*OfferRequest)) OfferRequest {
		o := OfferRequest{ID: "r2", Service: ServiceMedical, Agency: agencyC, By: worker, At: at(3)}
		mod(&o)
		return o
	}
	offers := []itemCase[OfferRequest]{
		{"valid", "services: any valid service may be offered", req(func(*OfferRequest) {}), ""},
		{"same service, other agency", "services: the same service may run from two agencies",
			req(func(o *OfferRequest) { o.Service, o.Agency = ServiceLegalAid, agencyC }), ""},
		{"duplicate open", "services: the same service from the same agency is not offered twice while open",
			req(func(o *OfferRequest) { o.Service, o.Agency = ServiceLegalAid, agencyB }), CodeAlreadyOpen},
		{"unknown service", "services: codes come from the service list", req(func(o *OfferRequest) { o.Service = "spa" }), CodeUnknownService},
		{"no agency", "services: a referral names the provider agency", req(func(o *OfferRequest) { o.Agency = "" }), CodeAgencyRequired},
		{"no id", "services: a referral has an id", req(func(o *OfferRequest) { o.ID = "" }), CodeInvalidInput},
		{"duplicate id", "services: referral ids are unique in a plan", req(func(o *OfferRequest) { o.ID = "r1" }), CodeDuplicateID},
		{"no user", "services: every change names its user", req(func(o *OfferRequest) { o.By = "" }), CodeActorRequired},
		{"future", "services: no change dated in the future", req(func(o *OfferRequest) { o.At = at(6) }), CodeFutureDate},
		{"no time", "services: every change has a time", req(func(o *OfferRequest) { o.At = time.Time{} }), CodeInvalidInput},
	}
	for _, c := range offers {
		t.Run("offer/"+c.name, func(t *testing.T) {
			p, err := Offer(base, c.item, at(5))
			wantCode(t, c.rule, err, c.want)
			if err == nil && len(p.Referrals) != 2 {
				t.Errorf("%s: %d referrals", c.rule, len(p.Referrals))
			}
			if len(base.Referrals) != 1 {
				t.Errorf("services: Offer never changes its argument")
			}
		})
	}
	acts := []struct {
		name, rule string
		id         string
		a          Action
		by         string
		when       time.Time
		want       Code
	}{
		{"valid", "services: the person accepts an offer", "r1", ActionAccept, worker, at(4), ""},
		{"unknown referral", "services: only referrals of the plan change", "r9", ActionAccept, worker, at(4), CodeNotFound},
		{"unknown action", "services: only the five actions exist", "r1", "promote", worker, at(4), CodeUnknownAction},
		{"no user", "services: every change names its user", "r1", ActionAccept, "", at(4), CodeActorRequired},
		{"future", "services: no change dated in the future", "r1", ActionAccept, worker, at(6), CodeFutureDate},
		{"before the offer", "services: a change cannot predate the referral's last event", "r1", ActionAccept, worker, at(1), CodeOutOfOrder},
		{"same instant", "services: a change at the same instant as the last event is in order", "r1", ActionDecline, worker, at(2), ""},
	}
	for _, c := range acts {
		t.Run("act/"+c.name, func(t *testing.T) {
			before := base.clone()
			_, err := Act(base, c.id, c.a, c.by, c.when, at(5))
			wantCode(t, c.rule, err, c.want)
			if !reflect.DeepEqual(before, base) {
				t.Errorf("services: Act never changes its argument")
			}
		})
	}
}

func TestCanCloseCase(t *testing.T) {
	cases := []struct {
		name, rule string
		build      func(t *testing.T) Plan
		want       Code
		ids        []string
	}{
		{"no services", "services: a case with no service may close",
			func(t *testing.T) Plan { return Plan{} }, CodeAllowed, nil},
		{"all declined", "seed: support without conditions — declined services never hold the case open",
			func(t *testing.T) Plan {
				p := Plan{}
				for i, s := range ServiceTypes() {
					id := fmt.Sprint("d", i)
					p = mustAct(t, mustOffer(t, p, id, s, agencyB, at(0)), id, ActionDecline, at(1))
				}
				return p
			}, CodeAllowed, nil},
		{"withdrawn and ended", "services: withdrawn and ended services never hold the case open",
			func(t *testing.T) Plan {
				p := mustAct(t, mustOffer(t, Plan{}, "w", ServiceMedical, agencyB, at(0)), "w", ActionWithdraw, at(1))
				p = mustAct(t, mustOffer(t, p, "e", ServiceLegalAid, agencyB, at(0)), "e", ActionAccept, at(1))
				return mustAct(t, p, "e", ActionEnd, at(2))
			}, CodeAllowed, nil},
		{"offer pending", "services: an offer awaiting the person's answer is answered before closing",
			func(t *testing.T) Plan { return mustOffer(t, Plan{}, "o", ServiceMedical, agencyB, at(0)) }, CodeOfferPending, []string{"o"}},
		{"service running", "services: an accepted service is ended before closing",
			func(t *testing.T) Plan {
				p := mustAct(t, mustOffer(t, Plan{}, "a", ServiceMedical, agencyB, at(0)), "a", ActionAccept, at(1))
				p = mustOffer(t, p, "o", ServiceEducation, agencyB, at(1))
				return mustAct(t, mustOffer(t, p, "d", ServiceVoluntaryReturn, agencyB, at(0)), "d", ActionDecline, at(1))
			}, CodeServiceInProgress, []string{"a", "o"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := CanCloseCase(c.build(t))
			if d.Code != c.want || d.Allowed != (c.want == CodeAllowed) || !slices.Equal(d.Referrals, c.ids) {
				t.Errorf("%s: %+v", c.rule, d)
			}
		})
	}
}

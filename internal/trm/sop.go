package trm

import (
	"slices"

	"github.com/haven-nrm/haven/internal/errs"
)

// SOP is one of the five TRM-EU standard operating procedures.
type SOP string

// The five SOPs (TRM-EU 2009, part II).
const (
	SOPIdentification  SOP = "identification"
	SOPFirstAssistance SOP = "first_assistance"
	SOPLongTerm        SOP = "long_term_assistance"
	SOPReturn          SOP = "return_inclusion"
	SOPProceedings     SOP = "proceedings"
)

// SOPs lists the five in order.
func SOPs() []SOP {
	return []SOP{SOPIdentification, SOPFirstAssistance, SOPLongTerm, SOPReturn, SOPProceedings}
}

// Side is the country a step falls to.
type Side string

// Sides of a step.
const (
	Destination Side = "destination" // where the person was identified
	Origin      Side = "origin"      // where the person comes from
	Both        Side = "both"
)

// Step is one item of an SOP's checklist.
type Step struct {
	SOP  SOP
	Code string
	Side Side
	// After lists the steps that must be recorded first.
	After []string
	// ChildOnly steps apply to a child only; for a child they are required
	// before the steps that name them.
	ChildOnly bool
}

// Checklists are the five SOPs' steps with the responsible side (TRM-EU
// SOP 1 identification, SOP 2 first assistance and protection, SOP 3
// long-term assistance and social inclusion, SOP 4 return and social
// inclusion, SOP 5 criminal and civil proceedings). No assistance step
// depends on a return step: return is never a condition of support
// (TRM-EU principle; CoE Convention art. 12(6)).
var Checklists = []Step{
	{SOPIdentification, "preliminary_identification", Destination, nil, false},
	{SOPIdentification, "recovery_period_granted", Destination, []string{"preliminary_identification"}, false},
	{SOPIdentification, "nationality_established", Both, []string{"preliminary_identification"}, false},
	{SOPIdentification, "formal_identification", Destination, []string{"preliminary_identification"}, false},

	{SOPFirstAssistance, "safe_accommodation", Destination, nil, false},
	{SOPFirstAssistance, "medical_assistance", Destination, nil, false},
	{SOPFirstAssistance, "interpretation", Destination, nil, false},
	{SOPFirstAssistance, "legal_counselling", Destination, nil, false},
	{SOPFirstAssistance, "guardian_appointed", Destination, nil, true},

	{SOPLongTerm, "residence_permit", Destination, nil, false},
	{SOPLongTerm, "education_training", Destination, nil, false},
	{SOPLongTerm, "employment_support", Destination, nil, false},

	{SOPReturn, "informed_voluntary_decision", Destination, nil, false},
	{SOPReturn, "family_assessment", Origin, nil, true},
	{SOPReturn, "best_interests_determination", Both, []string{"family_assessment"}, true},
	{SOPReturn, "risk_assessment", Both, []string{"informed_voluntary_decision"}, false},
	{SOPReturn, "travel_documents", Origin, []string{"risk_assessment"}, false},
	{SOPReturn, "escort_arranged", Destination, []string{"travel_documents"}, false},
	{SOPReturn, "reception_at_origin", Origin, []string{"escort_arranged"}, false},
	{SOPReturn, "reintegration_plan", Origin, []string{"reception_at_origin"}, false},
	{SOPReturn, "followup_3m", Origin, []string{"reintegration_plan"}, false},
	{SOPReturn, "followup_6m", Origin, []string{"followup_3m"}, false},
	{SOPReturn, "followup_12m", Origin, []string{"followup_6m"}, false},

	{SOPProceedings, "victim_informed_of_rights", Destination, nil, false},
	{SOPProceedings, "mutual_legal_assistance", Both, nil, false},
	{SOPProceedings, "testimony_arranged", Both, []string{"victim_informed_of_rights"}, false},
	{SOPProceedings, "compensation_claim", Both, []string{"victim_informed_of_rights"}, false},
}

// StepFor returns the step of an SOP with the code.
func StepFor(s SOP, code string) (Step, bool) {
	i := slices.IndexFunc(Checklists, func(st Step) bool { return st.SOP == s && st.Code == code })
	if i < 0 {
		return Step{}, false
	}
	return Checklists[i], true
}

// Done is a recorded step: which, and by which side.
type Done struct {
	SOP  SOP
	Code string
	Side Side
}

// CanRecord decides whether a step may be recorded by the country on side
// (the recording instance's role in the case), given the steps done so
// far on that side and whether the person is a child. Prerequisites that
// fall to the other country are its instance's to hold to. For a child, the risk assessment
// also waits for the best-interests determination (SOP 4).
func CanRecord(s SOP, code string, side Side, child bool, done []Done) error {
	st, ok := StepFor(s, code)
	if !ok || (st.ChildOnly && !child) {
		return errs.Refuse(CodeUnknownStep, "step", code)
	}
	if st.Side != Both && st.Side != side {
		return errs.Refuse(CodeWrongCountry, "step", code)
	}
	has := func(c string) bool {
		return slices.ContainsFunc(done, func(d Done) bool { return d.SOP == s && d.Code == c })
	}
	if has(code) {
		return errs.Refuse(CodeStepDone, "step", code)
	}
	need := slices.Clone(st.After)
	if child && code == "risk_assessment" {
		need = append(need, "best_interests_determination")
	}
	for _, a := range need {
		pre, _ := StepFor(s, a)
		// The other country's steps are recorded in its own instance; each
		// side holds to the order of its own steps and the shared ones.
		if (pre.ChildOnly && !child) || (pre.Side != Both && pre.Side != side) {
			continue
		}
		if !has(a) {
			return errs.Refuse(CodeStepPrerequisite, "step", a)
		}
	}
	return nil
}

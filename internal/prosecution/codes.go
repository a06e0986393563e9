package prosecution

import (
	"slices"

	"github.com/haven-nrm/haven/internal/vocab"
)

// InvestigationStatus is where an investigation stands.
type InvestigationStatus string

// Investigation statuses:
//
//	open ──ReferToProsecution, or a charge brought──▶ referred_to_prosecution
//	open, referred_to_prosecution ──Close──▶ closed_no_action | closed_prosecuted
//
// The closed statuses are final.
const (
	StatusOpen                  InvestigationStatus = "open"
	StatusReferredToProsecution InvestigationStatus = "referred_to_prosecution"
	StatusClosedNoAction        InvestigationStatus = "closed_no_action"
	StatusClosedProsecuted      InvestigationStatus = "closed_prosecuted"
)

// InvestigationStatuses returns every status.
func InvestigationStatuses() []InvestigationStatus {
	return []InvestigationStatus{StatusOpen, StatusReferredToProsecution, StatusClosedNoAction, StatusClosedProsecuted}
}

// Valid reports whether s is an investigation status.
func (s InvestigationStatus) Valid() bool { return slices.Contains(InvestigationStatuses(), s) }

// Closed reports whether s is one of the final statuses.
func (s InvestigationStatus) Closed() bool {
	return s == StatusClosedNoAction || s == StatusClosedProsecuted
}

// ChainRole is a suspect's role in the trafficking chain: the acts of the
// Palermo Protocol art. 3(a) (recruitment, transportation, harbouring) and
// the exploitation, plus those who make the chain work.
type ChainRole string

// Chain roles.
const (
	RoleRecruiter   ChainRole = "recruiter"
	RoleTransporter ChainRole = "transporter"
	RoleHarbourer   ChainRole = "harbourer"
	RoleExploiter   ChainRole = "exploiter"
	RoleFacilitator ChainRole = "facilitator"
	RoleFinancier   ChainRole = "financier"
	RoleController  ChainRole = "controller"
	RoleOther       ChainRole = "other"
)

// ChainRoles returns every chain role, in the order of the chain.
func ChainRoles() []ChainRole {
	return []ChainRole{RoleRecruiter, RoleTransporter, RoleHarbourer, RoleExploiter, RoleFacilitator, RoleFinancier,
		RoleController, RoleOther}
}

// Valid reports whether r is a chain role.
func (r ChainRole) Valid() bool { return slices.Contains(ChainRoles(), r) }

// htcdsRole maps chain roles onto HTCDS 2.0 per_RoleInProcess values.
var htcdsRole = map[ChainRole]string{
	RoleRecruiter:   "RecruiterOrIntermediary",
	RoleTransporter: "Transporter",
	RoleHarbourer:   "HarbouredIndividual",
	RoleExploiter:   "Exploiter",
	RoleFacilitator: "Other",
	RoleFinancier:   "Other",
	RoleController:  "ControlledIndividual",
	RoleOther:       "Other",
}

// HTCDS returns the HTCDS 2.0 perpetrator role (per_RoleInProcess) of the
// chain role, for export, or "" for an unknown role. Facilitators and
// financiers have no value of their own in HTCDS and export as Other.
func (r ChainRole) HTCDS() string { return htcdsRole[r] }

// Genders returns the HTCDS 2.0 gender values (prs_Gender): package vocab's
// list.
func Genders() []string { return slices.Clone(vocab.Genders.Codes) }

// Nature says whether a suspect is a person or a company.
type Nature string

// Natures of a suspect.
const (
	NatureIndividual  Nature = "individual"
	NatureLegalPerson Nature = "legal_person"
)

// Natures returns both natures. Legal persons can be liable for trafficking
// (CoE Convention art. 22; Directive 2011/36/EU art. 5).
func Natures() []Nature { return []Nature{NatureIndividual, NatureLegalPerson} }

// Valid reports whether n is a nature.
func (n Nature) Valid() bool { return n == NatureIndividual || n == NatureLegalPerson }

// OffenceCategory classifies a charge: trafficking in persons, or one of
// the substitute offences that courts use in its place.
type OffenceCategory string

// Offence categories.
const (
	OffenceTrafficking         OffenceCategory = "trafficking"
	OffencePimping             OffenceCategory = "pimping"
	OffenceProcuring           OffenceCategory = "procuring"
	OffenceSmugglingOfMigrants OffenceCategory = "smuggling_of_migrants"
	OffenceMoneyLaundering     OffenceCategory = "money_laundering"
	OffenceForcedLabour        OffenceCategory = "forced_labour"
	OffenceLabourLawViolation  OffenceCategory = "labour_law_violation"
	OffenceDocumentFraud       OffenceCategory = "document_fraud"
	OffenceKidnapping          OffenceCategory = "kidnapping"
	OffenceOther               OffenceCategory = "other"
)

// OffenceCategories returns every offence category, trafficking first.
func OffenceCategories() []OffenceCategory {
	return []OffenceCategory{OffenceTrafficking, OffencePimping, OffenceProcuring, OffenceSmugglingOfMigrants,
		OffenceMoneyLaundering, OffenceForcedLabour, OffenceLabourLawViolation, OffenceDocumentFraud, OffenceKidnapping,
		OffenceOther}
}

// Valid reports whether o is an offence category.
func (o OffenceCategory) Valid() bool { return slices.Contains(OffenceCategories(), o) }

// Substitute reports whether o is an offence other than trafficking: one
// that, charged alone, keeps a trafficking case out of the trafficking
// statistics (see Misclassified).
func (o OffenceCategory) Substitute() bool { return o != OffenceTrafficking && o.Valid() }

// Stage is a step of the proceedings on one charge.
type Stage string

// Stages of the proceedings on a charge:
//
//	investigation ──▶ charged ──▶ trial ──▶ verdict ──▶ appeal (lodged) ──▶ appeal (decided)
//	                     │                     ▲              │                    │
//	                     └─────────────────────┘              ▼                    ▼
//	                  plea, or dismissal before trial   trial (retrial)    appeal (lodged): a further appeal
//
// A charge is at the investigation stage when added; that stage is never
// recorded. A verdict, with its outcome, follows the charge or the trial.
// An appeal is lodged (no outcome) after a verdict or a decided appeal; it
// is decided by an appeal entry carrying the outcome of the charge after
// the appeal, or the appeal court sends the charge back to a new trial.
const (
	StageInvestigation Stage = "investigation"
	StageCharged       Stage = "charged"
	StageTrial         Stage = "trial"
	StageVerdict       Stage = "verdict"
	StageAppeal        Stage = "appeal"
)

// Stages returns every stage, in order.
func Stages() []Stage {
	return []Stage{StageInvestigation, StageCharged, StageTrial, StageVerdict, StageAppeal}
}

// Valid reports whether s is a stage.
func (s Stage) Valid() bool { return slices.Contains(Stages(), s) }

// Outcome is the outcome of a charge: of a verdict, or of a decided
// appeal.
type Outcome string

// Verdict outcomes.
const (
	OutcomeConvicted Outcome = "convicted"
	OutcomeAcquitted Outcome = "acquitted"
	OutcomeDismissed Outcome = "dismissed"
	OutcomeWithdrawn Outcome = "withdrawn"
)

// VerdictOutcomes returns every outcome.
func VerdictOutcomes() []Outcome {
	return []Outcome{OutcomeConvicted, OutcomeAcquitted, OutcomeDismissed, OutcomeWithdrawn}
}

// Valid reports whether o is an outcome.
func (o Outcome) Valid() bool { return slices.Contains(VerdictOutcomes(), o) }

// CompensationState is where a compensation order stands.
type CompensationState string

// Compensation states. ordered and unpaid both mean nothing was paid yet:
// unpaid says the payment is overdue or could not be enforced.
const (
	CompensationOrdered       CompensationState = "ordered"
	CompensationPartiallyPaid CompensationState = "partially_paid"
	CompensationPaid          CompensationState = "paid"
	CompensationUnpaid        CompensationState = "unpaid"
)

// CompensationStates returns every compensation state.
func CompensationStates() []CompensationState {
	return []CompensationState{CompensationOrdered, CompensationPartiallyPaid, CompensationPaid, CompensationUnpaid}
}

// Valid reports whether s is a compensation state.
func (s CompensationState) Valid() bool { return slices.Contains(CompensationStates(), s) }

// Willingness is the person's stated willingness to take part in the
// proceedings (as a witness or otherwise).
type Willingness string

// Willingness values.
const (
	WillingYes       Willingness = "yes"
	WillingNo        Willingness = "no"
	WillingUndecided Willingness = "undecided"
)

// Willingnesses returns every willingness value.
func Willingnesses() []Willingness { return []Willingness{WillingYes, WillingNo, WillingUndecided} }

// Valid reports whether w is a willingness value.
func (w Willingness) Valid() bool { return slices.Contains(Willingnesses(), w) }

// ProtectionMeasure is a measure that protects the person while taking part
// in proceedings (CoE Convention art. 28 and 30; Directive 2011/36/EU art.
// 12(4) and 15).
type ProtectionMeasure string

// Protection measures.
const (
	MeasureAnonymity                  ProtectionMeasure = "anonymity"
	MeasureScreenInCourt              ProtectionMeasure = "screen_in_court"
	MeasureVideoLink                  ProtectionMeasure = "video_link"
	MeasureWitnessProtectionProgramme ProtectionMeasure = "witness_protection_programme"
	MeasureSupportPerson              ProtectionMeasure = "support_person"
	MeasureClosedHearing              ProtectionMeasure = "closed_hearing"
	MeasureNoContactOrder             ProtectionMeasure = "no_contact_order"
)

// ProtectionMeasures returns every protection measure.
func ProtectionMeasures() []ProtectionMeasure {
	return []ProtectionMeasure{MeasureAnonymity, MeasureScreenInCourt, MeasureVideoLink, MeasureWitnessProtectionProgramme,
		MeasureSupportPerson, MeasureClosedHearing, MeasureNoContactOrder}
}

// Valid reports whether m is a protection measure.
func (m ProtectionMeasure) Valid() bool { return slices.Contains(ProtectionMeasures(), m) }

// NonPunishmentOffence is the kind of offence a victim is suspected of.
type NonPunishmentOffence string

// Offences a trafficked person is typically compelled to commit (seed:
// false documents, work in the sex industry, leaving the country
// illegally; OSCE 2013).
const (
	NPImmigration                  NonPunishmentOffence = "immigration"
	NPDocumentFraud                NonPunishmentOffence = "document_fraud"
	NPProstitutionRelated          NonPunishmentOffence = "prostitution_related"
	NPDrugCultivationOrTrafficking NonPunishmentOffence = "drug_cultivation_or_trafficking"
	NPTheftOrBegging               NonPunishmentOffence = "theft_or_begging"
	NPLabourLaw                    NonPunishmentOffence = "labour_law"
	NPOther                        NonPunishmentOffence = "other"
)

// NonPunishmentOffences returns every offence kind.
func NonPunishmentOffences() []NonPunishmentOffence {
	return []NonPunishmentOffence{NPImmigration, NPDocumentFraud, NPProstitutionRelated, NPDrugCultivationOrTrafficking,
		NPTheftOrBegging, NPLabourLaw, NPOther}
}

// Valid reports whether o is a non-punishment offence kind.
func (o NonPunishmentOffence) Valid() bool { return slices.Contains(NonPunishmentOffences(), o) }

// Codes returns every code list of the package, errors included. Their
// translation keys are "prosecution.<list>.<code>" (for the error list, the
// key Unwrap gives).
func Codes() []vocab.List {
	lists := []vocab.List{
		{Name: "investigation_status", Codes: strs(InvestigationStatuses())},
		{Name: "chain_role", Codes: strs(ChainRoles())},
		{Name: "gender", Codes: Genders()},
		{Name: "nature", Codes: strs(Natures())},
		{Name: "offence", Codes: strs(OffenceCategories())},
		{Name: "stage", Codes: strs(Stages())},
		{Name: "outcome", Codes: strs(VerdictOutcomes())},
		{Name: "compensation_state", Codes: strs(CompensationStates())},
		{Name: "willingness", Codes: strs(Willingnesses())},
		{Name: "protection_measure", Codes: strs(ProtectionMeasures())},
		{Name: "non_punishment_offence", Codes: strs(NonPunishmentOffences())},
		{Name: "guidance", Codes: strs(GuidanceCodes())},
		{Name: "error", Codes: strs(ErrorCodes())},
	}
	for i := range lists {
		lists[i].Namespace = "prosecution"
	}
	return lists
}

func strs[S ~string](xs []S) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// Package vocab holds Haven's code lists: HTCDS 2.0 values, ISIC Rev.4
// sections, the sectors first responders come from, and the immediate needs
// flagged at intake. Codes are stored; labels come from the translation
// catalogue under "code.<list>.<code>", so every list is translated.
package vocab

import (
	"slices"

	"golang.org/x/text/language"
)

// List is a named code list: every code list of Haven and of HTCDS is one,
// whichever package it belongs to.
type List struct {
	Name  string
	Codes []string
	// Namespace is the first part of the list's translation keys: "code"
	// when empty; a rule package's own lists use its name ("prosecution").
	Namespace string
}

// Has reports whether code belongs to the list.
func (l List) Has(code string) bool { return slices.Contains(l.Codes, code) }

// Key is the translation key of a code's label:
// "<namespace>.<list>.<code>", "code.<list>.<code>" by default.
func (l List) Key(code string) string {
	ns := l.Namespace
	if ns == "" {
		ns = "code"
	}
	return ns + "." + l.Name + "." + code
}

// The code lists.
var (
	// Sectors of the people who meet presumed victims (the seed's list),
	// plus self-referral.
	Sectors = List{Name: "sector", Codes: []string{"government_official", "labour_inspection", "private_sector", "law_enforcement",
		"health", "transport", "education", "ngo", "self_referral"}}
	// Genders (HTCDS prs_Gender).
	Genders = List{Name: "gender", Codes: []string{"Feminine", "Masculine", "TransgenderFeminine", "TransgenderMasculine", "NonConforming", "NonSpecifiedUnknown"}}
	// MethodsOfControl (HTCDS vic_MethodsOfControl).
	MethodsOfControl = List{Name: "control", Codes: []string{"PhysicalThreats", "ThreatsLawEnforcement", "ThreatensChildrenFamily", "DebtBondage",
		"FalsePromises", "PhysicalAbuse", "SexualAbuse", "TakesEarnings", "RestrictsFinancialAccess", "RestrictsMedicalCare",
		"WithholdsNecessities", "PsychologicalAbuse", "PsychoactiveSubstance", "ExcessiveWorkingHours", "WithholdsDocuments", "Other"}}
	// ExploitationTypes (HTCDS vic_TypeOfExploitation).
	ExploitationTypes = List{Name: "exploitation", Codes: []string{"ForcedLabour", "SexualExploitation", "ChildLabour", "ForcedMarriage", "Servitude",
		"ForcedMilitaryByNonStateActors", "OrganRemoval", "ForcedBegging", "ForcedAdoption", "Surrogacy", "Other"}}
	// Industries (HTCDS vic_ForcedLabourIndustry: ISIC Rev.4 sections).
	Industries = List{Name: "industry", Codes: []string{"A_AgricultureForestryAndFishing", "B_MiningAndQuarrying", "C_Manufacturing",
		"D_ElectricityGasSteamAndAirConditioningSupply", "E_WaterSupplySewerageWasteManagement", "F_Construction",
		"G_WholesaleAndRetailTradeRepairOfMotorVehicles", "H_TransportationAndStorage", "I_AccommodationAndFoodServiceActivities",
		"J_InformationAndCommunication", "K_FinancialAndInsuranceActivities", "L_RealEstateActivities",
		"M_ProfessionalScientificAndTechnicalActivities", "N_AdministrativeAndSupportServiceActivities",
		"O_PublicAdministrationAndDefence", "P_Education", "Q_HumanHealthAndSocialWorkActivities", "R_ArtsEntertainmentAndRecreation",
		"S_OtherServiceActivities", "T_ActivitiesOfHouseholdsAsEmployers", "U_ActivitiesOfExtraterritorialOrganizations"}}
	// RecruiterRelations (HTCDS vic_RelationshipToTrafficker).
	RecruiterRelations = List{Name: "relation", Codes: []string{"Familial", "Acquainted", "Unaquainted"}}
	// EventTypes (HTCDS hte_Type): the stages of the trafficking chain.
	EventTypes = List{Name: "event", Codes: []string{"Recruitment", "Transit", "Exploitation"}}
	// Needs flagged at intake that make a referral urgent.
	Needs = List{Name: "need", Codes: []string{"medical", "bed_tonight", "danger", "interpreter"}}
	// CaseStatuses (HTCDS cas_Status).
	CaseStatuses = List{Name: "case_status", Codes: []string{"Active", "FollowUp", "Closed", "ClosedReferred"}}
	// TraffickingStatuses (HTCDS vic_TraffickingStatus).
	TraffickingStatuses = List{Name: "trafficking_status", Codes: []string{"PossibleVictimOfTrafficking", "ActualVictimOfTrafficking", "NotAVictimOfTrafficking"}}
)

// Lists are every list, for catalogue completeness tests.
var Lists = []List{Sectors, Genders, MethodsOfControl, ExploitationTypes, Industries, RecruiterRelations, EventTypes, Needs,
	CaseStatuses, TraffickingStatuses}

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 country code.
func ValidCountry(code string) bool {
	if len(code) != 2 || code != upper(code) {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry() && r.String() == code
}

// ValidLanguage reports whether code is an ISO 639-1 (two-letter) or
// ISO 639-2/3 (three-letter) language code.
func ValidLanguage(code string) bool {
	if len(code) < 2 || len(code) > 3 || code != lower(code) {
		return false
	}
	b, err := language.ParseBase(code)
	return err == nil && (b.String() == code || b.ISO3() == code)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// Countries offered first in forms: the seed's countries of origin and
// destination. Any valid ISO 3166-1 code is accepted.
var Countries = []string{"NP", "MN", "TH", "KR", "IN", "BD", "MM", "LA", "KH", "VN", "PH", "CN", "UZ", "MY", "JP", "AE", "SA", "QA", "RU"}

// Languages offered first in forms (ISO 639-1).
var Languages = []string{"ne", "mn", "th", "ko", "en", "hi", "bn", "my", "lo", "km", "vi", "tl", "zh", "uz", "ru"}

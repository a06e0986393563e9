package intake

import "slices"

// formsOfExploitation maps each purpose of the one list of forms of
// exploitation the referral form asks (the Protocol's art. 3(a) purposes
// and the forms national law may add) to the HTCDS exploitation type the
// case record counts (vic_TypeOfExploitation), so that the person
// answering is asked once. Forms HTCDS has no type for count as "Other".
var formsOfExploitation = map[string]string{
	"sexual_exploitation":          "SexualExploitation",
	"forced_labour":                "ForcedLabour",
	"slavery":                      "Servitude",
	"practices_similar_to_slavery": "Servitude",
	"servitude":                    "Servitude",
	"organ_removal":                "OrganRemoval",
	"forced_marriage":              "ForcedMarriage",
	"forced_begging":               "ForcedBegging",
	"forced_criminality":           "Other",
	"armed_conflict":               "ForcedMilitaryByNonStateActors",
	"ritual_servitude":             "Servitude",
	"surrogacy":                    "Surrogacy",
	"forced_pregnancy":             "Other",
}

// FromFormsOfExploitation completes a referral given as one list of forms
// (Purposes) the way the form used to ask three times: the kind of
// exploitation whose indicator profile applies ("sexual" when sexual
// exploitation is among them, else "labour" when any form is known) and
// the HTCDS types. What the referral already says is kept; codes not in
// the list are left for Check to refuse.
func FromFormsOfExploitation(r Referral) Referral {
	if r.Exploitation == "" && len(r.Purposes) > 0 {
		r.Exploitation = "labour"
		if slices.Contains(r.Purposes, "sexual_exploitation") {
			r.Exploitation = "sexual"
		}
	}
	if len(r.ExploitationTypes) == 0 {
		for _, p := range r.Purposes {
			if t, ok := formsOfExploitation[p]; ok && !slices.Contains(r.ExploitationTypes, t) {
				r.ExploitationTypes = append(r.ExploitationTypes, t)
			}
		}
	}
	return r
}

package screening

import (
	"slices"
	"sort"
)

// Element names of the Protocol test, as used in Case.Unknown and in results.
const (
	ElementAct     = "act"
	ElementMeans   = "means"
	ElementPurpose = "purpose"
)

// Element states.
const (
	Present = "present"
	Absent  = "absent"
	Unknown = "unknown"
)

// Protocol and national verdicts.
const (
	VerdictMeets        = "meets"
	VerdictNotMet       = "not_met"
	VerdictInsufficient = "insufficient"
)

// Indicator verdicts.
const (
	VerdictVictim       = "victim"
	VerdictNotIndicated = "not_indicated"
	VerdictNoProfile    = "no_profile"
)

// Smuggling verdicts (VerdictNotIndicated is shared).
const VerdictSmugglingIndicated = "smuggling_indicated"

// Classifications, in order of precedence (see classify).
const (
	ClassSmugglingWithTrafficking = "smuggling_with_trafficking_indicators"
	ClassPresumedTrafficking      = "presumed_trafficking"
	ClassPossibleSmuggling        = "possible_smuggling"
	ClassNotIndicated             = "not_indicated"
)

// Exploitation kinds and populations used to choose an indicator profile.
const (
	ExploitationLabour = "labour"
	ExploitationSexual = "sexual"
	PopulationAdult    = "adult"
	PopulationChild    = "child"
)

// Indicator grades and threshold keys.
const (
	GradeStrong       = "strong"
	GradeMedium       = "medium"
	GradeWeak         = "weak"
	KeyMediumOrWeak   = "medium_or_weak"
	ProtocolAdultAge  = 18 // art. 3(d): a child is any person under eighteen
	maxAge            = 130
	maxCodeLen        = 200
	defaultTypesGroup = "recruitment"
)

// Acts under Protocol art. 3(a).
var actCodes = []string{"recruitment", "transportation", "transfer", "harbouring", "receipt"}

// Means under Protocol art. 3(a).
var meansCodes = []string{
	"threat_of_force", "use_of_force", "other_coercion", "abduction", "fraud", "deception",
	"abuse_of_power", "abuse_of_vulnerability", "payments_to_person_in_control",
}

// The Protocol's minimum list of purposes of exploitation, art. 3(a).
var protocolPurposeCodes = []string{
	"sexual_exploitation", "forced_labour", "slavery", "practices_similar_to_slavery",
	"servitude", "organ_removal",
}

// Forms of exploitation that national law may add to the Protocol's minimum.
var nationalFormCodes = []string{
	"forced_marriage", "forced_begging", "forced_criminality", "armed_conflict",
	"ritual_servitude", "surrogacy", "forced_pregnancy",
}

var elementNames = []string{ElementAct, ElementMeans, ElementPurpose}

// Code lists are returned as copies so callers (such as a web form building
// its choices) cannot change what the engine accepts.

// ActCodes returns the accepted act codes.
func ActCodes() []string { return slices.Clone(actCodes) }

// MeansCodes returns the accepted means codes.
func MeansCodes() []string { return slices.Clone(meansCodes) }

// ProtocolPurposeCodes returns the purpose codes of the Protocol's minimum list.
func ProtocolPurposeCodes() []string { return slices.Clone(protocolPurposeCodes) }

// NationalFormCodes returns the purpose codes that count only where a
// jurisdiction covers them.
func NationalFormCodes() []string { return slices.Clone(nationalFormCodes) }

func isProtocolPurpose(code string) bool { return slices.Contains(protocolPurposeCodes, code) }
func isNationalForm(code string) bool    { return slices.Contains(nationalFormCodes, code) }

// sortedSet returns the distinct values of in, sorted, never nil, so that
// duplicates in the input cannot be counted twice and output is stable.
func sortedSet(in []string) []string {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// filter returns the elements of in for which keep is true, never nil.
func filter(in []string, keep func(string) bool) []string {
	out := []string{}
	for _, s := range in {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

package localgov

import "slices"

// The code lists of a local government's records. Their labels are in the
// catalogue under "localgov.code.<list>.<code>".

// Record kinds: the four prevention records of the seed's recommendations
// (campaigns, trainings of local actors, community programmes, needs
// assessments and impact evaluations) and partnership agreements.
const (
	KindCampaign    = "campaign"
	KindTraining    = "training"
	KindProgramme   = "programme"
	KindAssessment  = "assessment"
	KindPartnership = "partnership"
)

// Kinds lists the record kinds in the order the pages show them.
var Kinds = []string{KindCampaign, KindTraining, KindProgramme, KindAssessment, KindPartnership}

// Lists are the code lists, by name. A record's category comes from the
// list of its kind (Categories).
var Lists = map[string][]string{
	// The people a campaign is for.
	"audience": {"general_public", "youth", "migrant_workers", "parents", "employers"},
	// The sectors of trainees the issue names (seed, Prevention 5).
	"sector": {"police", "labour_inspection", "health", "education", "transport", "private_sector"},
	// Community programmes in vulnerable communities (seed, Prevention 4;
	// Pokhara's birth registration campaigns).
	"programme":  {"education", "employment", "birth_registration", "vocational"},
	"assessment": {"needs_assessment", "impact_evaluation"},
	"partner":    {"ngo", "business", "city", "international_org"},
	"channel":    {"radio", "social_media", "posters", "community_meetings"},
	"topic":      {"identification", "referral", "victim_rights", "labour_rights"},
	"scope":      {"referral", "shelter", "training", "data_sharing"},
	"status":     {"draft", "active", "expired"},
	// Vulnerability factors and migration flows the seed's case studies
	// describe.
	"vulnerability": {"poverty", "child_labour", "statelessness", "border_area", "school_dropout", "gender_violence"},
	"flow":          {"rural_urban", "outbound_labour", "inbound_labour", "cross_border"},
	// The pillars of an action plan: the three Ps and partnership.
	"pillar": {"prevention", "protection", "prosecution", "partnership"},
}

// Categories names the list a record's category comes from, by kind.
var Categories = map[string]string{KindCampaign: "audience", KindTraining: "sector", KindProgramme: "programme",
	KindAssessment: "assessment", KindPartnership: "partner"}

// InList reports whether code is in the named list.
func InList(list, code string) bool { return slices.Contains(Lists[list], code) }

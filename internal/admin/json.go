package admin

import (
	"encoding/json"
	"strings"
)

// JurisdictionJSON is a jurisdiction as the API and `haven jurisdiction
// --json` write it: snake_case members, instants in RFC 3339.
type JurisdictionJSON struct {
	ID               string `json:"id"`
	Code             string `json:"code"`
	Country          string `json:"country"`
	Name             string `json:"name"`
	Parent           string `json:"parent_id,omitempty"`
	TimeZone         string `json:"time_zone"`
	Calendar         string `json:"calendar,omitempty"`
	LegalProfile     string `json:"legal_profile,omitempty"`
	Languages        string `json:"languages,omitempty"`
	RGWorkingDays    int    `json:"rg_working_days,omitempty"`
	RecoveryMinDays  int    `json:"recovery_min_days,omitempty"`
	NegativeRGReview *bool  `json:"negative_rg_review,omitempty"`
	Version          int64  `json:"version"`
}

// ToJSON is j as JurisdictionJSON.
func ToJSON(j Jurisdiction) JurisdictionJSON {
	out := JurisdictionJSON{ID: j.ID, Code: j.Code, Country: j.Country, Name: j.Name, Parent: j.ParentID, TimeZone: j.Timezone,
		Calendar: j.Calendar, LegalProfile: j.LegalProfile, Languages: j.Languages, RGWorkingDays: j.RGWorkingDays,
		RecoveryMinDays: j.RecoveryMinDays, Version: j.Version}
	if j.NegativeRGReview >= 0 {
		b := j.NegativeRGReview == 1
		out.NegativeRGReview = &b
	}
	return out
}

// AgencyJSON is an agency as the API and `haven agency --json` write it.
type AgencyJSON struct {
	ID             string            `json:"id"`
	JurisdictionID string            `json:"jurisdiction_id"`
	Kind           string            `json:"kind"`
	Name           string            `json:"name"`
	Names          map[string]string `json:"names"`
	Designations   []string          `json:"designations"`
	Contact        string            `json:"contact,omitempty"`
	Active         bool              `json:"active"`
	Version        int64             `json:"version"`
}

// AgencyToJSON is a as AgencyJSON.
func AgencyToJSON(a Agency) AgencyJSON {
	out := AgencyJSON{ID: a.ID, JurisdictionID: a.JurisdictionID, Kind: a.Kind, Name: a.Name, Names: map[string]string{},
		Designations: []string{}, Contact: a.Contact, Active: a.Active, Version: a.Version}
	_ = json.Unmarshal([]byte(a.Names), &out.Names)
	if a.Designations != "" {
		out.Designations = strings.Split(a.Designations, ",")
	}
	return out
}

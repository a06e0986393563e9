package admin

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/store"
)

// Directory is what the administration pages list: the jurisdictions
// with their parents' codes and agency counts, and the agencies with
// their jurisdictions' codes, and what the reader may change.
type Directory struct {
	Jurisdictions []JurisdictionRow
	Agencies      []AgencyRow
	// Profiles are the legal profiles a jurisdiction may follow.
	Profiles []string
	// Kinds and Designations are the agency sectors and designations.
	Kinds, Designations []string
	// ManageJurisdictions and ManageAgencies: the reader may add and
	// change them.
	ManageJurisdictions, ManageAgencies bool
}

// JurisdictionRow is a jurisdiction in the list.
type JurisdictionRow struct {
	Jurisdiction
	ParentCode string
	Agencies   int
}

// AgencyRow is an agency in the list.
type AgencyRow struct {
	Agency
	JurisdictionCode string
	// NameList is the other languages' names, in tag order.
	NameList []LangName
	// DesignationList is Designations split.
	DesignationList []string
	// NameMap is the names by language tag.
	NameMap map[string]string
}

// Designated reports whether the agency has designation d.
func (r AgencyRow) Designated(d string) bool { return slices.Contains(r.DesignationList, d) }

// LangName is a name in one language.
type LangName struct{ Tag, Name string }

// Directory lists the jurisdictions and agencies for by.
func (s *Service) Directory(ctx context.Context, by By) (Directory, error) {
	if !by.allowed(access.ViewDirectory, access.Resource{}) {
		return Directory{}, errForbidden
	}
	js, as, err := s.jurisdictionsAndAgencies(ctx)
	if err != nil {
		return Directory{}, err
	}
	d := Directory{Profiles: s.countries.Codes(), Kinds: AgencyKinds, Designations: Designations,
		ManageJurisdictions: by.allowed(access.ManageJurisdictions, access.Resource{}),
		ManageAgencies:      by.allowed(access.ManageAgencies, access.Resource{})}
	code := map[string]string{}
	for _, j := range js {
		code[j.ID] = j.Code
	}
	count := map[string]int{}
	for _, a := range as {
		count[a.JurisdictionID]++
		d.Agencies = append(d.Agencies, agencyRow(a, code[a.JurisdictionID]))
	}
	for _, j := range js {
		d.Jurisdictions = append(d.Jurisdictions, JurisdictionRow{Jurisdiction: j, ParentCode: code[j.ParentID], Agencies: count[j.ID]})
	}
	return d, nil
}

func agencyRow(a store.AgencySettings, jcode string) AgencyRow {
	r := AgencyRow{Agency: a, JurisdictionCode: jcode}
	names := map[string]string{}
	_ = json.Unmarshal([]byte(a.Names), &names)
	r.NameMap = names
	for tag, n := range names {
		r.NameList = append(r.NameList, LangName{tag, n})
	}
	slices.SortFunc(r.NameList, func(a, b LangName) int { return strings.Compare(a.Tag, b.Tag) })
	if a.Designations != "" {
		r.DesignationList = strings.Split(a.Designations, ",")
	}
	return r
}

// EditAgency returns agency id with its jurisdiction's code, for its edit
// form.
func (s *Service) EditAgency(ctx context.Context, by By, id string) (AgencyRow, error) {
	if !by.allowed(access.ManageAgencies, access.Resource{}) {
		return AgencyRow{}, errForbidden
	}
	a, err := s.db.AgencySettingsByID(ctx, strings.TrimSpace(id))
	if err != nil {
		return AgencyRow{}, err
	}
	j, err := s.db.Jurisdiction(ctx, a.JurisdictionID)
	if err != nil {
		return AgencyRow{}, err
	}
	return agencyRow(a, j.Code), nil
}

// Profiles are the codes of the legal profiles Haven embeds.
func Profiles() []string {
	cs, err := casework.DefaultCountries()
	if err != nil {
		return nil
	}
	return cs.Codes()
}

package web

import (
	"net/http"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/store"
)

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, http.StatusOK, "admin", s.newPage(r, "admin.title", "admin", nil))
}

type jurisdictionRow struct {
	store.Jurisdiction
	Agencies int
}

func (s *Server) adminJurisdictions(w http.ResponseWriter, r *http.Request) error {
	js, err := s.DB.Jurisdictions(r.Context())
	if err != nil {
		return err
	}
	as, err := s.DB.Agencies(r.Context())
	if err != nil {
		return err
	}
	count := map[string]int{}
	for _, a := range as {
		count[a.JurisdictionID]++
	}
	rows := make([]jurisdictionRow, len(js))
	for i, j := range js {
		rows[i] = jurisdictionRow{j, count[j.ID]}
	}
	return s.render(w, http.StatusOK, "jurisdictions", s.newPage(r, "admin.jurisdictions", "admin", rows))
}

type agencyRow struct {
	store.Agency
	Jurisdiction string
}

func (s *Server) adminAgencies(w http.ResponseWriter, r *http.Request) error {
	js, err := s.DB.Jurisdictions(r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, j := range js {
		names[j.ID] = j.Name
	}
	as, err := s.DB.Agencies(r.Context())
	if err != nil {
		return err
	}
	rows := make([]agencyRow, len(as))
	for i, a := range as {
		rows[i] = agencyRow{a, names[a.JurisdictionID]}
	}
	return s.render(w, http.StatusOK, "agencies", s.newPage(r, "admin.agencies", "admin", rows))
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.DB.Users(r.Context())
	if err != nil {
		return err
	}
	p := principal(r)
	// Agency administrators see their own agency's accounts only.
	if p.Role == access.AgencyAdmin {
		own := us[:0]
		for _, u := range us {
			if u.AgencyID == p.AgencyID {
				own = append(own, u)
			}
		}
		us = own
	}
	return s.render(w, http.StatusOK, "users", s.newPage(r, "admin.users", "admin", us))
}

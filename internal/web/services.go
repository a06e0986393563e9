package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/directory"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/nrm"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
)

// sealedPlace is what a location keeps sealed: its name and address.
type sealedPlace struct {
	Name    string            `json:"name"`
	Address directory.Address `json:"address"`
}

type serviceRow struct {
	Service      directory.Service
	Organization directory.Organization
	Locations    []directory.LocationView
	StatusKey    string
}

type servicesPage struct {
	Services      []serviceRow
	Organizations []directory.Organization // the viewer's agency's, for the forms
	Locations     []directory.LocationView // the viewer's agency's
	CanManage     bool
	Types         []string
	Statuses      []string
	Units         []string
	Error         string
}

// loadDirectory reads the directory as the principal may see it: a safe
// house's name and address only for the agency that runs it and for case
// workers of an agency with a person placed there; everyone else sees its
// area.
func (s *Server) loadDirectory(r *http.Request) (servicesPage, error) {
	ctx := r.Context()
	p := principal(r)
	page := servicesPage{Types: nrm.ServiceCodes(), CanManage: access.Allowed(access.ManageDirectory, p, access.Resource{})}
	for _, st := range directory.Statuses() {
		page.Statuses = append(page.Statuses, string(st))
	}
	for _, u := range directory.CapacityUnits() {
		page.Units = append(page.Units, string(u))
	}
	orgs, err := s.DB.HSDSOrganizations(ctx)
	if err != nil {
		return page, err
	}
	byOrg := map[string]directory.Organization{}
	for _, o := range orgs {
		do := directory.Organization{ID: o.ID, AgencyID: o.AgencyID, Name: o.Name, Description: o.Description}
		byOrg[o.ID] = do
		if o.AgencyID == p.AgencyID {
			page.Organizations = append(page.Organizations, do)
		}
	}
	placed, err := s.DB.PlacedAt(ctx, p.AgencyID)
	if err != nil {
		return page, err
	}
	locs, err := s.DB.HSDSLocations(ctx)
	if err != nil {
		return page, err
	}
	views := map[string]directory.LocationView{}
	for _, l := range locs {
		org := byOrg[l.OrganizationID]
		loc := directory.Location{ID: l.ID, OrganizationID: l.OrganizationID, Confidential: l.Confidential, Area: l.Area, Name: l.Name}
		v := directory.Viewer{AgencyID: p.AgencyID, Role: string(p.Role), AssignedToCaseAtLocation: placed[l.ID]}
		if directory.AddressVisible(loc, org, v) {
			// Open the seal only for a viewer who may see what is in it.
			sp, err := s.openPlace(l)
			if err != nil {
				return page, err
			}
			loc.Name, loc.Address = sp.Name, sp.Address
		}
		view := directory.Present(loc, org, v)
		views[l.ID] = view
		if org.AgencyID == p.AgencyID {
			page.Locations = append(page.Locations, view)
		}
	}
	svcs, err := s.DB.HSDSServices(ctx)
	if err != nil {
		return page, err
	}
	for _, sv := range svcs {
		var ds directory.Service
		if err := json.Unmarshal([]byte(sv.Record), &ds); err != nil {
			return page, err
		}
		row := serviceRow{Service: ds, Organization: byOrg[sv.OrganizationID], StatusKey: strings.ReplaceAll(string(ds.Status), " ", "_")}
		for _, l := range sv.LocationIDs {
			row.Locations = append(row.Locations, views[l])
		}
		page.Services = append(page.Services, row)
	}
	return page, nil
}

func (s *Server) openPlace(l store.HSDSLocation) (sealedPlace, error) {
	var sp sealedPlace
	dk, err := s.Keys.Unwrap(l.ID, seal.WrappedKey(l.WrappedKey))
	if err != nil {
		return sp, err
	}
	defer dk.Destroy()
	pt, err := seal.Open(dk, l.ID, "place", l.Address)
	if err != nil {
		return sp, err
	}
	return sp, json.Unmarshal(pt, &sp)
}

// servicesIndex shows the service directory.
func (s *Server) servicesIndex(w http.ResponseWriter, r *http.Request) error {
	page, err := s.loadDirectory(r)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "services", s.newPage(r, "nav.services", "services", page))
}

// directoryRefusal shows the directory again with the reason a record was
// refused.
func (s *Server) directoryRefusal(w http.ResponseWriter, r *http.Request, cause error) error {
	page, err := s.loadDirectory(r)
	if err != nil {
		return err
	}
	page.Error = s.refusalMessage(r, cause)
	return s.render(w, http.StatusUnprocessableEntity, "services", s.newPage(r, "nav.services", "services", page))
}

// directoryWrite checks a form, writes the record with its audit event and
// returns to the directory.
func (s *Server) directoryWrite(w http.ResponseWriter, r *http.Request, build func() (func(tx *store.Tx) error, error)) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	write, err := build()
	if err != nil {
		if errs.KindOf(err) == errs.Invalid {
			return s.directoryRefusal(w, r, err)
		}
		return err
	}
	if err := s.DB.Write(r.Context(), write); err != nil {
		return err
	}
	http.Redirect(w, r, "/services", http.StatusSeeOther)
	return nil
}

// ownOrganization returns an organisation of the principal's agency.
func (s *Server) ownOrganization(r *http.Request, id string) (store.HSDSOrganization, error) {
	orgs, err := s.DB.HSDSOrganizations(r.Context())
	if err != nil {
		return store.HSDSOrganization{}, err
	}
	i := slices.IndexFunc(orgs, func(o store.HSDSOrganization) bool { return o.ID == id && o.AgencyID == principal(r).AgencyID })
	if i < 0 {
		return store.HSDSOrganization{}, errs.Field("organization", "directory.error.organization", nil)
	}
	return orgs[i], nil
}

// organizationCreate adds an organisation run by the user's agency.
func (s *Server) organizationCreate(w http.ResponseWriter, r *http.Request) error {
	return s.directoryWrite(w, r, func() (func(tx *store.Tx) error, error) {
		o := directory.Organization{ID: store.NewID(), AgencyID: principal(r).AgencyID, Name: strings.TrimSpace(r.PostForm.Get("name")),
			Description: strings.TrimSpace(r.PostForm.Get("description"))}
		if err := directory.CheckOrganization(o); err != nil {
			return nil, err
		}
		return func(tx *store.Tx) error {
			if err := tx.InsertHSDSOrganization(r.Context(), store.HSDSOrganization{ID: o.ID, AgencyID: o.AgencyID, Name: o.Name,
				Description: o.Description, CreatedAt: store.Millis(tx.Now)}); err != nil {
				return err
			}
			return tx.Audit(r.Context(), s.event(r, "directory.organization_create", "hsds_organization", o.ID, nil))
		}, nil
	})
}

// locationCreate adds a location; its name and address are sealed, and a
// confidential one shows others only its area.
func (s *Server) locationCreate(w http.ResponseWriter, r *http.Request) error {
	return s.directoryWrite(w, r, func() (func(tx *store.Tx) error, error) {
		f := r.PostForm
		org, err := s.ownOrganization(r, f.Get("organization"))
		if err != nil {
			return nil, err
		}
		l := directory.Location{ID: store.NewID(), OrganizationID: org.ID, Name: strings.TrimSpace(f.Get("name")),
			Confidential: f.Get("confidential") == "true", Area: strings.TrimSpace(f.Get("area")),
			Address: directory.Address{Line1: strings.TrimSpace(f.Get("address_1")), City: strings.TrimSpace(f.Get("city")),
				Region: strings.TrimSpace(f.Get("region")), PostalCode: strings.TrimSpace(f.Get("postal_code")), Country: strings.TrimSpace(f.Get("country"))}}
		if err := directory.CheckLocation(l); err != nil {
			return nil, err
		}
		dk, wk, err := s.Keys.NewDataKey(l.ID)
		if err != nil {
			return nil, err
		}
		defer dk.Destroy()
		pt, _ := json.Marshal(sealedPlace{Name: l.Name, Address: l.Address})
		ct, err := seal.Seal(dk, l.ID, "place", pt)
		if err != nil {
			return nil, err
		}
		clearName := l.Name
		if l.Confidential {
			clearName = ""
		}
		return func(tx *store.Tx) error {
			if err := tx.InsertHSDSLocation(r.Context(), store.HSDSLocation{ID: l.ID, OrganizationID: org.ID, Name: clearName,
				Confidential: l.Confidential, Area: l.Area, WrappedKey: wk, Address: ct, CreatedAt: store.Millis(tx.Now)}); err != nil {
				return err
			}
			return tx.Audit(r.Context(), s.event(r, "directory.location_create", "hsds_location", l.ID,
				map[string]string{"confidential": strconv.FormatBool(l.Confidential)}))
		}, nil
	})
}

// serviceCreate adds a service of one of the agency's organisations,
// delivered at one of its locations.
func (s *Server) serviceCreate(w http.ResponseWriter, r *http.Request) error {
	return s.directoryWrite(w, r, func() (func(tx *store.Tx) error, error) {
		f := r.PostForm
		org, err := s.ownOrganization(r, f.Get("organization"))
		if err != nil {
			return nil, err
		}
		total, err1 := strconv.Atoi(strings.TrimSpace(orZero(f.Get("capacity_total"))))
		avail, err2 := strconv.Atoi(strings.TrimSpace(orZero(f.Get("capacity_available"))))
		if err1 != nil || err2 != nil {
			return nil, errs.Field("capacity", "directory.error.capacity", nil)
		}
		var langs []string
		for _, l := range strings.FieldsFunc(f.Get("languages"), func(r rune) bool { return r == ',' || r == ' ' }) {
			langs = append(langs, l)
		}
		elig := directory.Eligibility{Description: strings.TrimSpace(f.Get("eligibility_description"))}
		for field, dst := range map[string]**int{"min_age": &elig.MinAge, "max_age": &elig.MaxAge} {
			if v := strings.TrimSpace(f.Get(field)); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, errs.Field(field, "directory.error.invalid_age", nil)
				}
				*dst = &n
			}
		}
		switch f.Get("for_whom") {
		case "children":
			elig.ChildrenOnly = true
		case "adults":
			elig.AdultsOnly = true
		case "", "everyone":
		default:
			return nil, errs.Field("for_whom", "directory.error.eligibility_conflict", nil)
		}
		ds := directory.Service{ID: store.NewID(), OrganizationID: org.ID, Type: support.ServiceType(f.Get("type")), Eligibility: elig,
			Name: strings.TrimSpace(f.Get("name")), Description: strings.TrimSpace(f.Get("description")), Status: directory.Status(f.Get("status")),
			Languages: langs, Capacity: directory.Capacity{Total: total, Available: avail, Unit: directory.Unit(f.Get("unit"))}}
		if err := directory.CheckService(ds); err != nil {
			return nil, err
		}
		var at []string
		if loc := f.Get("location"); loc != "" {
			locs, err := s.DB.HSDSLocations(r.Context())
			if err != nil {
				return nil, err
			}
			if !slices.ContainsFunc(locs, func(l store.HSDSLocation) bool { return l.ID == loc && l.OrganizationID == org.ID }) {
				return nil, errs.Field("location", "directory.error.location", nil)
			}
			at = []string{loc}
		}
		rec, _ := json.Marshal(ds)
		return func(tx *store.Tx) error {
			if err := tx.InsertHSDSService(r.Context(), store.HSDSService{ID: ds.ID, OrganizationID: org.ID, Record: string(rec),
				Type: string(ds.Type), Status: string(ds.Status), UpdatedAt: store.Millis(tx.Now), LocationIDs: at}); err != nil {
				return err
			}
			return tx.Audit(r.Context(), s.event(r, "directory.service_create", "hsds_service", ds.ID, map[string]string{"type": string(ds.Type)}))
		}, nil
	})
}

func orZero(s string) string {
	if strings.TrimSpace(s) == "" {
		return "0"
	}
	return s
}

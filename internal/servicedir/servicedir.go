// Package servicedir carries out the use cases of the service directory:
// listing the directory as a principal may see it, and adding
// organisations, locations and services. It is the only way from the web to
// the directory's tables: it checks each record with the pure rules of
// package directory, seals what is identifying (a location's name and
// address, under a data key of its own), and writes the record with its
// audit event in one transaction.
//
// The rules stay in package directory, which imports neither the store nor
// the seal, so that they remain plain functions over plain structs that
// table and fuzz tests can drive; this package is their service.
package servicedir

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/directory"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
)

// Service is the directory service.
type Service struct {
	db   *store.DB
	keys *seal.Keyring
}

// New returns the directory service over db, sealing with keys.
func New(db *store.DB, keys *seal.Keyring) *Service { return &Service{db: db, keys: keys} }

// sealedPlace is what a location keeps sealed: its name and address.
type sealedPlace struct {
	Name    string            `json:"name"`
	Address directory.Address `json:"address"`
}

// Row is one service of the directory with its organisation and the
// locations it is delivered at, as the viewer may see them.
type Row struct {
	Service      directory.Service
	Organization directory.Organization
	Locations    []directory.LocationView
}

// Listing is the directory as one principal may see it.
type Listing struct {
	Services      []Row
	Organizations []directory.Organization // the viewer's agency's, for the forms
	Locations     []directory.LocationView // the viewer's agency's
	// CanManage says whether the viewer may add records.
	CanManage bool
}

// List reads the directory as p may see it: a safe house's name and address
// only for the agency that runs it and for case workers of an agency with a
// person placed there (directory.AddressVisible); everyone else sees its
// area. A sealed place is opened only for a viewer who may see it.
func (s *Service) List(ctx context.Context, p access.Principal) (Listing, error) {
	if d := access.Decide(access.ViewServices, p, access.Resource{}); !d.Allow {
		return Listing{}, errs.E(errs.Forbidden, "directory: %s", d.Reason)
	}
	out := Listing{CanManage: access.Decide(access.ManageDirectory, p, access.Resource{}).Allow}
	orgs, err := s.db.HSDSOrganizations(ctx)
	if err != nil {
		return Listing{}, err
	}
	byOrg := map[string]directory.Organization{}
	for _, o := range orgs {
		do := directory.Organization{ID: o.ID, AgencyID: o.AgencyID, Name: o.Name, Description: o.Description}
		byOrg[o.ID] = do
		if o.AgencyID == p.AgencyID {
			out.Organizations = append(out.Organizations, do)
		}
	}
	placed, err := s.db.PlacedAt(ctx, p.AgencyID)
	if err != nil {
		return Listing{}, err
	}
	locs, err := s.db.HSDSLocations(ctx)
	if err != nil {
		return Listing{}, err
	}
	views := map[string]directory.LocationView{}
	for _, l := range locs {
		org := byOrg[l.OrganizationID]
		loc := directory.Location{ID: l.ID, OrganizationID: l.OrganizationID, Confidential: l.Confidential, Area: l.Area, Name: l.Name}
		v := directory.Viewer{AgencyID: p.AgencyID, Role: string(p.Role), AssignedToCaseAtLocation: placed[l.ID]}
		if directory.AddressVisible(loc, org, v) {
			sp, err := s.openPlace(l)
			if err != nil {
				return Listing{}, err
			}
			loc.Name, loc.Address = sp.Name, sp.Address
		}
		view := directory.Present(loc, org, v)
		views[l.ID] = view
		if org.AgencyID == p.AgencyID {
			out.Locations = append(out.Locations, view)
		}
	}
	svcs, err := s.db.HSDSServices(ctx)
	if err != nil {
		return Listing{}, err
	}
	for _, sv := range svcs {
		var ds directory.Service
		if err := json.Unmarshal([]byte(sv.Record), &ds); err != nil {
			return Listing{}, err
		}
		row := Row{Service: ds, Organization: byOrg[sv.OrganizationID]}
		for _, l := range sv.LocationIDs {
			row.Locations = append(row.Locations, views[l])
		}
		out.Services = append(out.Services, row)
	}
	return out, nil
}

func (s *Service) openPlace(l store.HSDSLocation) (sealedPlace, error) {
	var sp sealedPlace
	pt, err := s.keys.OpenWrapped(l.ID, seal.WrappedKey(l.WrappedKey), "place", l.Address)
	if err != nil {
		return sp, err
	}
	return sp, json.Unmarshal(pt, &sp)
}

// manage decides whether p may add directory records.
func manage(p access.Principal) error {
	if d := access.Decide(access.ManageDirectory, p, access.Resource{}); !d.Allow {
		return errs.E(errs.Forbidden, "directory: %s", d.Reason)
	}
	return nil
}

// event is an audit event by p on a directory record.
func event(p access.Principal, action, objectType, objectID string, details map[string]string) audit.Event {
	return audit.Event{Actor: p.UserID, Action: action, ObjectType: objectType, ObjectID: objectID, Agency: p.AgencyID, Details: details}
}

// ownOrganization returns an organisation of p's agency, or an invalid
// input error on the field "organization".
func (s *Service) ownOrganization(ctx context.Context, p access.Principal, id string) (store.HSDSOrganization, error) {
	orgs, err := s.db.HSDSOrganizations(ctx)
	if err != nil {
		return store.HSDSOrganization{}, err
	}
	i := slices.IndexFunc(orgs, func(o store.HSDSOrganization) bool { return o.ID == id && o.AgencyID == p.AgencyID })
	if i < 0 {
		return store.HSDSOrganization{}, errs.Field("organization", "directory.error.organization", nil)
	}
	return orgs[i], nil
}

// NewOrganization is an organisation to add.
type NewOrganization struct {
	Name, Description string
}

// CreateOrganization adds an organisation run by p's agency and returns
// its id. A refused record is an invalid input error naming its field.
func (s *Service) CreateOrganization(ctx context.Context, p access.Principal, in NewOrganization) (string, error) {
	if err := manage(p); err != nil {
		return "", err
	}
	o := directory.Organization{ID: store.NewID(), AgencyID: p.AgencyID, Name: strings.TrimSpace(in.Name),
		Description: strings.TrimSpace(in.Description)}
	if err := directory.CheckOrganization(o); err != nil {
		return "", err
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertHSDSOrganization(ctx, store.HSDSOrganization{ID: o.ID, AgencyID: o.AgencyID, Name: o.Name,
			Description: o.Description, CreatedAt: store.Millis(tx.Now)}); err != nil {
			return err
		}
		return tx.Audit(ctx, event(p, "directory.organization_create", "hsds_organization", o.ID, nil))
	})
	return o.ID, err
}

// NewLocation is a location to add to one of the agency's organisations.
type NewLocation struct {
	Organization string
	Name         string
	Confidential bool
	Area         string
	Address      directory.Address
}

// CreateLocation adds a location and returns its id. Its name and address
// are sealed under a data key of its own; a confidential location keeps no
// name in clear and shows others only its area.
func (s *Service) CreateLocation(ctx context.Context, p access.Principal, in NewLocation) (string, error) {
	if err := manage(p); err != nil {
		return "", err
	}
	org, err := s.ownOrganization(ctx, p, in.Organization)
	if err != nil {
		return "", err
	}
	a := in.Address
	l := directory.Location{ID: store.NewID(), OrganizationID: org.ID, Name: strings.TrimSpace(in.Name),
		Confidential: in.Confidential, Area: strings.TrimSpace(in.Area),
		Address: directory.Address{Line1: strings.TrimSpace(a.Line1), City: strings.TrimSpace(a.City),
			Region: strings.TrimSpace(a.Region), PostalCode: strings.TrimSpace(a.PostalCode), Country: strings.TrimSpace(a.Country)}}
	if err := directory.CheckLocation(l); err != nil {
		return "", err
	}
	dk, wk, err := s.keys.NewDataKey(l.ID)
	if err != nil {
		return "", err
	}
	defer dk.Destroy()
	pt, _ := json.Marshal(sealedPlace{Name: l.Name, Address: l.Address})
	ct, err := seal.Seal(dk, l.ID, "place", pt)
	if err != nil {
		return "", err
	}
	clearName := l.Name
	if l.Confidential {
		clearName = ""
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertHSDSLocation(ctx, store.HSDSLocation{ID: l.ID, OrganizationID: org.ID, Name: clearName,
			Confidential: l.Confidential, Area: l.Area, WrappedKey: wk, Address: ct, CreatedAt: store.Millis(tx.Now)}); err != nil {
			return err
		}
		return tx.Audit(ctx, event(p, "directory.location_create", "hsds_location", l.ID,
			map[string]string{"confidential": strconv.FormatBool(l.Confidential)}))
	})
	return l.ID, err
}

// NewService is a service to add to one of the agency's organisations,
// delivered at one of its locations when Location is set.
type NewService struct {
	Organization string
	Location     string
	Type         support.ServiceType
	Name         string
	Description  string
	Status       directory.Status
	Languages    []string
	Eligibility  directory.Eligibility
	Capacity     directory.Capacity
}

// CreatedService is a service added to the directory, with the warnings
// about where it is delivered (directory.CheckServiceAtLocation): the
// record is kept, but a person should look at it.
type CreatedService struct {
	ID       string
	Warnings []directory.Code
}

// CreateService adds a service and returns its id. When in.Location is set
// the service is delivered there (an HSDS service_at_location), checked
// with directory.CheckServiceAtLocation.
func (s *Service) CreateService(ctx context.Context, p access.Principal, in NewService) (CreatedService, error) {
	var none CreatedService
	if err := manage(p); err != nil {
		return none, err
	}
	org, err := s.ownOrganization(ctx, p, in.Organization)
	if err != nil {
		return none, err
	}
	elig := in.Eligibility
	elig.Description = strings.TrimSpace(elig.Description)
	ds := directory.Service{ID: store.NewID(), OrganizationID: org.ID, Type: in.Type, Eligibility: elig,
		Name: strings.TrimSpace(in.Name), Description: strings.TrimSpace(in.Description), Status: in.Status,
		Languages: in.Languages, Capacity: in.Capacity}
	if err := directory.CheckService(ds); err != nil {
		return none, err
	}
	created := CreatedService{ID: ds.ID}
	var at []string
	if in.Location != "" {
		locs, err := s.db.HSDSLocations(ctx)
		if err != nil {
			return none, err
		}
		i := slices.IndexFunc(locs, func(l store.HSDSLocation) bool { return l.ID == in.Location && l.OrganizationID == org.ID })
		if i < 0 {
			return none, errs.Field("location", "directory.error.location", nil)
		}
		loc := directory.Location{ID: locs[i].ID, OrganizationID: locs[i].OrganizationID, Confidential: locs[i].Confidential}
		warnings, err := directory.CheckServiceAtLocation(directory.ServiceAtLocation{ID: ds.ID + "@" + loc.ID, ServiceID: ds.ID, LocationID: loc.ID}, ds, loc)
		if err != nil {
			return none, err
		}
		created.Warnings = warnings
		at = []string{in.Location}
	}
	rec, err := json.Marshal(ds)
	if err != nil {
		return none, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertHSDSService(ctx, store.HSDSService{ID: ds.ID, OrganizationID: org.ID, Record: string(rec),
			Type: string(ds.Type), Status: string(ds.Status), UpdatedAt: store.Millis(tx.Now), LocationIDs: at}); err != nil {
			return err
		}
		return tx.Audit(ctx, event(p, "directory.service_create", "hsds_service", ds.ID, map[string]string{"type": string(ds.Type)}))
	})
	if err != nil {
		return none, err
	}
	return created, nil
}

// Suggestion is a service of the directory matched against a person's
// need, with the organisation that provides it.
type Suggestion struct {
	directory.Candidate
	Organization directory.Organization
}

// Suggest returns the directory's services of type need that person is
// eligible for, best first (directory.Match: free capacity, then a common
// language), each with its organisation. It is what an offer of a service
// asks the directory: which services could take this person.
func (s *Service) Suggest(ctx context.Context, p access.Principal, need support.ServiceType, person directory.PersonFacts) ([]Suggestion, error) {
	list, err := s.List(ctx, p)
	if err != nil {
		return nil, err
	}
	services := make([]directory.Service, 0, len(list.Services))
	org := make(map[string]directory.Organization, len(list.Services))
	for _, row := range list.Services {
		services = append(services, row.Service)
		org[row.Service.ID] = row.Organization
	}
	matched := directory.Match(services, need, person)
	out := make([]Suggestion, len(matched))
	for i, c := range matched {
		out[i] = Suggestion{Candidate: c, Organization: org[c.Service.ID]}
	}
	return out, nil
}

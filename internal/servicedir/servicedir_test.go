package servicedir_test

import (
	"context"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/auth"
	"github.com/haven-nrm/haven/internal/demo"
	"github.com/haven-nrm/haven/internal/directory"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/servicedir"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
	"github.com/haven-nrm/haven/internal/testenv"
)

var cheap = auth.Params{Memory: 8 * 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func events(t *testing.T, db *store.DB, objectID string) []string {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), store.AuditFilter{ObjectID: objectID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Action)
	}
	return out
}

// TestDirectoryService adds an organisation, a safe house and a shelter
// through the service and reads the directory back as the running agency
// and as another one: each write carries its audit event, a refused record
// writes nothing, the safe house's name and address are shown only to its
// agency (OSCE NRM handbook: shelter addresses are confidential), and the
// shelter is suggested for a person who fits it.
func TestDirectoryService(t *testing.T) {
	testenv.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Generate(ctx, db, demo.Options{Seed: 5, PasswordParams: &cheap}); err != nil {
			t.Fatal(err)
		}
		keys, err := seal.NewKeyring()
		if err != nil {
			t.Fatal(err)
		}
		agencies, err := db.Agencies(ctx)
		if err != nil || len(agencies) < 2 {
			t.Fatalf("agencies: %v %d", err, len(agencies))
		}
		svc := servicedir.New(db, keys)
		staff := access.Principal{UserID: "u-staff", Role: access.ShelterStaff, AgencyID: agencies[0].ID, JurisdictionID: agencies[0].JurisdictionID}
		other := access.Principal{UserID: "u-other", Role: access.CaseWorker, AgencyID: agencies[1].ID, JurisdictionID: agencies[1].JurisdictionID}

		if _, err := svc.CreateOrganization(ctx, other, servicedir.NewOrganization{Name: "Not allowed"}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a case worker adds an organisation: %v, want forbidden", err)
		}
		if _, err := svc.CreateOrganization(ctx, staff, servicedir.NewOrganization{Name: "  "}); directory.CodeOf(err) != directory.CodeRequired {
			t.Fatalf("blank organisation name: %v, want %s", err, directory.CodeRequired)
		}
		orgID, err := svc.CreateOrganization(ctx, staff, servicedir.NewOrganization{Name: " Safe Homes ", Description: "Shelters"})
		if err != nil {
			t.Fatal(err)
		}
		if got := events(t, db, orgID); len(got) != 1 || got[0] != "directory.organization_create" {
			t.Errorf("organisation events %v", got)
		}
		if _, err := svc.CreateLocation(ctx, other, servicedir.NewLocation{Organization: orgID, Name: "X", Area: "North"}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("another agency's location: %v, want forbidden", err)
		}
		if _, err := svc.CreateLocation(ctx, staff, servicedir.NewLocation{Organization: orgID, Name: "Rose House", Confidential: true}); directory.CodeOf(err) != directory.CodeAreaRequired {
			t.Errorf("confidential location without area: %v, want %s", err, directory.CodeAreaRequired)
		}
		locID, err := svc.CreateLocation(ctx, staff, servicedir.NewLocation{Organization: orgID, Name: "Rose House", Confidential: true,
			Area: "North district", Address: directory.Address{Line1: "12 Hidden Lane", City: "Ulaanbaatar", Country: "MN"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := events(t, db, locID); len(got) != 1 || got[0] != "directory.location_create" {
			t.Errorf("location events %v", got)
		}
		locs, err := db.HSDSLocations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range locs {
			if l.ID == locID && (l.Name != "" || len(l.Address) == 0) {
				t.Errorf("a confidential location keeps its name in clear (%q) or its address unsealed", l.Name)
			}
		}
		in := servicedir.NewService{Organization: orgID, Location: locID, Type: support.ServiceShortTermShelter, Name: "Rose shelter",
			Status: directory.StatusActive, Languages: []string{"mn"},
			Capacity: directory.Capacity{Total: 4, Available: 1, Unit: directory.UnitBeds}}
		if _, err := svc.CreateService(ctx, staff, servicedir.NewService{Organization: orgID, Location: "nowhere", Type: in.Type,
			Name: "X", Status: directory.StatusActive}); errs.KindOf(err) != errs.Invalid {
			t.Errorf("service at an unknown location: %v, want invalid", err)
		}
		created, err := svc.CreateService(ctx, staff, in)
		if err != nil {
			t.Fatal(err)
		}
		svID := created.ID
		if len(created.Warnings) != 0 {
			t.Errorf("a shelter at a safe house: warnings %v, want none", created.Warnings)
		}
		if got := events(t, db, svID); len(got) != 1 || got[0] != "directory.service_create" {
			t.Errorf("service events %v", got)
		}

		find := func(l servicedir.Listing) (servicedir.Row, bool) {
			for _, r := range l.Services {
				if r.Service.ID == svID {
					return r, true
				}
			}
			return servicedir.Row{}, false
		}
		own, err := svc.List(ctx, staff)
		if err != nil {
			t.Fatal(err)
		}
		row, ok := find(own)
		if !ok || !own.CanManage || len(row.Locations) != 1 || !row.Locations[0].AddressShown ||
			row.Locations[0].Name != "Rose House" || row.Locations[0].Address.Line1 != "12 Hidden Lane" {
			t.Errorf("the running agency's view: %+v (can manage %v)", row, own.CanManage)
		}
		theirs, err := svc.List(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		row, ok = find(theirs)
		if !ok || theirs.CanManage || len(row.Locations) != 1 || row.Locations[0].AddressShown || row.Locations[0].Name != "" ||
			row.Locations[0].Address != (directory.Address{}) || row.Locations[0].Area != "North district" {
			t.Errorf("another agency's view of a safe house: %+v", row)
		}
		if _, err := svc.List(ctx, access.Principal{}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("anonymous listing: %v, want forbidden", err)
		}

		got, err := svc.Suggest(ctx, other, support.ServiceShortTermShelter, directory.PersonFacts{Languages: []string{"mn"}})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range got {
			if c.Service.ID == svID {
				found = c.Eligible && c.Has(directory.ReasonCapacityAvailable) && c.Has(directory.ReasonLanguageMatch)
			}
		}
		if !found {
			t.Errorf("the shelter is not suggested with free capacity and a common language: %+v", got)
		}
	})
}

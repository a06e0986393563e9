package store

import "context"

// The service directory (Open Referral HSDS 3.0): organisations run by
// agencies, their services (the record as JSON, package directory), their
// locations (a confidential location's address sealed under a key of its
// own), and which service is delivered where.

// HSDSOrganization is an organisation in the directory.
type HSDSOrganization struct {
	ID, AgencyID, Name, Description string
	CreatedAt                       int64
}

// HSDSService is a service as stored: the JSON record with its type and
// status in clear for lists.
type HSDSService struct {
	ID, OrganizationID, Record, Type, Status string
	Version, UpdatedAt                       int64
	// LocationIDs lists where it is delivered (filled by the lists).
	LocationIDs []string
}

// HSDSLocation is a location as stored; Address is the sealed JSON of the
// address.
type HSDSLocation struct {
	ID, OrganizationID, Name string
	Confidential             bool
	Area                     string
	WrappedKey, Address      []byte
	CreatedAt                int64
}

// InsertHSDSOrganization stores an organisation.
func (tx *Tx) InsertHSDSOrganization(ctx context.Context, o HSDSOrganization) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO hsds_organizations (id, agency_id, name, description, created_at) VALUES ($1,$2,$3,$4,$5)`,
		o.ID, o.AgencyID, o.Name, o.Description, o.CreatedAt)
	return classify(err)
}

// InsertHSDSService stores a service and where it is delivered.
func (tx *Tx) InsertHSDSService(ctx context.Context, s HSDSService) error {
	var err error
	if s.Record, err = stampDoc(s.Record); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO hsds_services (id, organization_id, record, type, status, version, updated_at)
		VALUES ($1,$2,$3,$4,$5,1,$6)`, s.ID, s.OrganizationID, s.Record, s.Type, s.Status, s.UpdatedAt); err != nil {
		return classify(err)
	}
	for _, l := range s.LocationIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO hsds_service_at_location (id, service_id, location_id) VALUES ($1,$2,$3)`,
			NewID(), s.ID, l); err != nil {
			return classify(err)
		}
	}
	return nil
}

// InsertHSDSLocation stores a location.
func (tx *Tx) InsertHSDSLocation(ctx context.Context, l HSDSLocation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO hsds_locations (id, organization_id, name, confidential, area, wrapped_key, address, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, l.ID, l.OrganizationID, l.Name, b2i(l.Confidential), l.Area, l.WrappedKey, l.Address, l.CreatedAt)
	return classify(err)
}

// HSDSOrganizations lists every organisation by name.
func (db *DB) HSDSOrganizations(ctx context.Context) ([]HSDSOrganization, error) {
	return collect(ctx, db.r, `SELECT id, agency_id, name, description, created_at FROM hsds_organizations ORDER BY name, id`, nil,
		func(s scanner) (HSDSOrganization, error) {
			var o HSDSOrganization
			err := s.Scan(&o.ID, &o.AgencyID, &o.Name, &o.Description, &o.CreatedAt)
			return o, err
		})
}

// HSDSServices lists every service with its locations.
func (db *DB) HSDSServices(ctx context.Context) ([]HSDSService, error) {
	svcs, err := collect(ctx, db.r, `SELECT id, organization_id, record, type, status, version, updated_at FROM hsds_services ORDER BY type, id`, nil,
		func(s scanner) (HSDSService, error) {
			var x HSDSService
			err := s.Scan(&x.ID, &x.OrganizationID, &x.Record, &x.Type, &x.Status, &x.Version, &x.UpdatedAt)
			return x, err
		})
	if err != nil {
		return nil, err
	}
	type link struct{ s, l string }
	links, err := collect(ctx, db.r, `SELECT service_id, location_id FROM hsds_service_at_location`, nil, func(s scanner) (link, error) {
		var x link
		err := s.Scan(&x.s, &x.l)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	at := map[string][]string{}
	for _, l := range links {
		at[l.s] = append(at[l.s], l.l)
	}
	for i := range svcs {
		svcs[i].LocationIDs = at[svcs[i].ID]
	}
	return svcs, nil
}

// HSDSLocations lists every location.
func (db *DB) HSDSLocations(ctx context.Context) ([]HSDSLocation, error) {
	return collect(ctx, db.r, `SELECT id, organization_id, name, confidential, area, wrapped_key, address, created_at FROM hsds_locations
		ORDER BY area, id`, nil, func(s scanner) (HSDSLocation, error) {
		var l HSDSLocation
		var conf int
		err := s.Scan(&l.ID, &l.OrganizationID, &l.Name, &conf, &l.Area, &l.WrappedKey, &l.Address, &l.CreatedAt)
		l.Confidential = conf != 0
		return l, err
	})
}

// PlacedAt lists the locations where an agency's cases have a person
// placed: a service referral at the location that the person accepted
// and that has not ended.
func (db *DB) PlacedAt(ctx context.Context, agencyID string) (map[string]bool, error) {
	ids, err := collect(ctx, db.r, `SELECT DISTINCT sr.location_id FROM service_referrals sr JOIN cases c ON c.id = sr.case_id
		WHERE c.agency_id = $1 AND sr.location_id <> '' AND sr.state IN ('accepted', 'delivered')`, []any{agencyID},
		func(s scanner) (string, error) {
			var id string
			err := s.Scan(&id)
			return id, err
		})
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// LocationOfAgency reports whether a location belongs to an organisation
// run by the agency.
func (db *DB) LocationOfAgency(ctx context.Context, locationID, agencyID string) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM hsds_locations l JOIN hsds_organizations o ON o.id = l.organization_id
		WHERE l.id = $1 AND o.agency_id = $2`, locationID, agencyID).Scan(&n)
	return n > 0, classify(err)
}

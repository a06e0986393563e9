package directory

import "github.com/haven-nrm/haven/internal/ident"

// RoleCaseWorker is the role of a case worker (access.CaseWorker): only a
// case worker can be the one assigned to a person placed at a location.
const RoleCaseWorker = "case_worker"

// Viewer is who looks at a location. The zero Viewer is anonymous.
type Viewer struct {
	// AgencyID is the viewer's Haven agency.
	AgencyID string
	// AssignedToCaseAtLocation: the viewer is the case worker assigned to a
	// case whose person is placed at this location. The caller works it out
	// from the case store, for this location and this viewer.
	AssignedToCaseAtLocation bool
	// Role is the viewer's role (package access), "" when no one is signed
	// in.
	Role string
}

// SignedIn reports whether someone is signed in: the viewer has a role.
func (v Viewer) SignedIn() bool { return ident.Valid(v.Role) }

// LocationView is a location as one viewer may see it. When AddressShown is
// false it carries no name and no address: only the ids, the Area and the
// fact that the location is confidential.
type LocationView struct {
	ID             string  `json:"id"`
	OrganizationID string  `json:"organization_id"`
	Confidential   bool    `json:"confidential"`
	AddressShown   bool    `json:"address_shown"`
	Name           string  `json:"name,omitempty"`   // "" unless AddressShown
	Address        Address `json:"address,omitzero"` // zero unless AddressShown
	Area           string  `json:"area"`
}

// AddressVisible reports whether v may see the name and address of loc,
// which belongs to org:
//
//   - no one who is not signed in sees any address;
//   - the address of a location that is not confidential is shown to every
//     signed-in viewer;
//   - the address of a confidential location (a safe house) is shown only to
//     a viewer of the agency that runs it (org.AgencyID, where org is the
//     location's organization) and to the case worker assigned to a person
//     placed there (OSCE NRM handbook: shelter addresses are confidential;
//     CoE Convention art. 11, protection of private life, and art.
//     12(1)(a), secure accommodation).
//
// It fails closed: an org that is not the location's own, or an empty
// agency on either side, never makes the viewer the running agency, and
// the assignment counts only for a viewer in the case worker role.
func AddressVisible(loc Location, org Organization, v Viewer) bool {
	if !v.SignedIn() {
		return false
	}
	if !loc.Confidential {
		return true
	}
	if ident.Valid(org.ID) && org.ID == loc.OrganizationID && ident.Valid(org.AgencyID) && org.AgencyID == v.AgencyID {
		return true
	}
	return v.AssignedToCaseAtLocation && v.Role == RoleCaseWorker
}

// Present returns loc as v may see it (see AddressVisible). When the
// address is hidden, the view's Name and Address are empty and only the
// Area stands for where the location is.
func Present(loc Location, org Organization, v Viewer) LocationView {
	view := LocationView{ID: loc.ID, OrganizationID: loc.OrganizationID, Confidential: loc.Confidential, Area: loc.Area}
	if AddressVisible(loc, org, v) {
		view.AddressShown = true
		view.Name = loc.Name
		view.Address = loc.Address
	}
	return view
}

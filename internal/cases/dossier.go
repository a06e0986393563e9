package cases

import (
	"context"
	"sync"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/handover"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
)

// Dossier is everything recorded on one case after intake, coded; free
// text stays sealed in Notes until a reader allowed to see it opens it.
type Dossier struct {
	Case         store.Case
	Jurisdiction store.Jurisdiction
	Record       casework.Record
	Country      casework.Country
	// Calendar is the calendar of public holidays the record's deadlines
	// count with (zero: the legal profile's own).
	Calendar       CalendarUsed
	Support        store.SupportDoc
	Checklist      []support.Entry
	Ledger         support.Ledger
	Overrides      []Override
	Assessments    []support.Assessment
	Referrals      []store.ServiceReferral
	Plan           support.Plan
	Goals          []store.Goal
	Handovers      []store.Handover
	Conferences    []store.Conference
	Tasks          []store.Task
	Investigations []store.Investigation
	// Guardians are a child's guardian appointments (read for a child
	// only).
	Guardians []store.Guardian
	Notes     []store.Note
}

// Load reads a case's dossier through r: the read pool for a page, the
// transaction for a change.
func (s *Service) Load(ctx context.Context, r store.Reader, c store.Case) (*Dossier, error) {
	return s.load(ctx, r, c, nil)
}

// caseFile is what deciding an agency's part in a case and loading its
// dossier both read: which casework tables hold rows of the case, its
// support document, its handovers and its service referrals. Read once,
// it serves both.
type caseFile struct {
	parts     store.CaseParts
	support   store.SupportDoc
	handovers []store.Handover
	referrals []store.ServiceReferral
}

// readFile reads a case's file: one query for the parts and the support
// document, then the handovers and service referrals when there are any.
func readFile(ctx context.Context, r store.Reader, caseID string) (*caseFile, error) {
	parts, doc, err := store.Parts(ctx, r, caseID)
	if err != nil {
		return nil, err
	}
	f := &caseFile{parts: parts, support: doc}
	if parts.Handovers {
		if f.handovers, err = store.Handovers(ctx, r, caseID); err != nil {
			return nil, err
		}
	}
	if parts.Referrals {
		if f.referrals, err = store.ServiceReferrals(ctx, r, caseID); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// load reads a case's dossier, taking what f already holds (f may be
// nil).
func (s *Service) load(ctx context.Context, r store.Reader, c store.Case, f *caseFile) (*Dossier, error) {
	d := &Dossier{Case: c}
	var err error
	if d.Jurisdiction, err = s.Jurisdiction(ctx, c.JurisdictionID); err != nil {
		return nil, err
	}
	if d.Record, d.Country, err = s.Record(c, d.Jurisdiction.Country); err != nil {
		return nil, err
	}
	// Later deadlines (a reconsideration, a recovery period) count with
	// the jurisdiction's settings and the calendar version the record's
	// deadline started with, not the profile compiled in.
	if d.Country, d.Calendar, err = s.rules(ctx, c.JurisdictionID, d.Country, d.Record.CalendarVersion, false); err != nil {
		return nil, err
	}
	// Only the tables that hold rows of the case are read; the others
	// leave their part empty, as reading them would.
	if f == nil {
		if f, err = readFile(ctx, r, c.ID); err != nil {
			return nil, err
		}
	}
	parts := f.parts
	d.Support, d.Referrals, d.Handovers = f.support, f.referrals, f.handovers
	if d.Checklist, d.Ledger, d.Overrides, d.Assessments, err = decodeSupport(d.Support); err != nil {
		return nil, err
	}
	if d.Plan, err = planOf(d.Referrals); err != nil {
		return nil, err
	}
	reads := []struct {
		has  bool
		read func() error
	}{
		{parts.Goals, func() (err error) { d.Goals, err = store.Goals(ctx, r, c.ID); return }},
		{parts.Conferences, func() (err error) { d.Conferences, err = store.Conferences(ctx, r, c.ID); return }},
		{parts.Tasks, func() (err error) { d.Tasks, err = store.CaseTasks(ctx, r, c.ID); return }},
		{parts.Investigations, func() (err error) { d.Investigations, err = store.Investigations(ctx, r, c.ID); return }},
		{parts.Notes, func() (err error) { d.Notes, err = store.Notes(ctx, r, c.ID); return }},
		{c.Child, func() (err error) { d.Guardians, err = store.Guardians(ctx, r, c.ID); return }},
	}
	for _, rd := range reads {
		if rd.has {
			if err := rd.read(); err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

// relationOf says how an agency stands to a case, for access.Decide,
// from the case's file: an agency that works on it (an accepted referral,
// or a service it provides that the person accepted) with the person's
// consent to share or an override, or one offered a transfer or a
// referral that has not answered.
func relationOf(f *caseFile, c store.Case, agencyID string) (participant, offered bool, err error) {
	if agencyID == "" || agencyID == c.AgencyID {
		return false, false, nil
	}
	// What the agency works on, each under the service it was asked for
	// ("" for any): the sharing that let it in was decided for exactly
	// that, so its access is weighed on exactly that.
	var services []support.ServiceType
	for _, h := range f.handovers {
		if h.ToAgencyID != agencyID {
			continue
		}
		if h.State == handover.StatePending {
			offered = true
		}
		if handover.Working(handover.Handover{Kind: h.Kind, State: h.State}) {
			services = append(services, support.ServiceType(h.Service))
		}
	}
	for _, x := range f.referrals {
		if x.AgencyID == agencyID && (x.State == string(support.StateAccepted) || x.State == string(support.StateDelivered)) {
			services = append(services, support.ServiceType(x.Service))
		}
	}
	if len(services) == 0 {
		return false, offered, nil
	}
	_, ledger, overrides, _, err := decodeSupport(f.support)
	if err != nil {
		return false, false, err
	}
	for _, svc := range services {
		if shareAllowed(ledger, overrides, c.AgencyID, agencyID, svc) {
			return true, offered, nil
		}
	}
	return false, offered, nil
}

// shareAllowed reports whether data may go from the owner to agency for
// service: the person's consent as it stands, or a recorded override.
func shareAllowed(l support.Ledger, overrides []Override, owner, agency string, service support.ServiceType) bool {
	if support.CheckShare(l, owner, agency, service, nil).Allowed {
		return true
	}
	for _, o := range overrides {
		if o.Agency == agency && (o.Service == "" || o.Service == service) {
			return true
		}
	}
	return false
}

// resource is the access resource of case c for principal p: the
// agency's part in the case (participant, offered, the child-protection
// office of a child's case) and whether a break-glass grant is live. It
// returns the case's file when it read one, for the dossier to reuse.
func resource(ctx context.Context, r store.Reader, c store.Case, p access.Principal, breakGlass bool) (access.Resource, *caseFile, error) {
	res := access.Resource{AgencyID: c.AgencyID, JurisdictionID: c.JurisdictionID, BreakGlass: breakGlass}
	var f *caseFile
	if p.AgencyID != "" && p.AgencyID != c.AgencyID {
		var err error
		if f, err = readFile(ctx, r, c.ID); err != nil {
			return res, nil, err
		}
		if res.Participant, res.Offered, err = relationOf(f, c, p.AgencyID); err != nil {
			return res, nil, err
		}
	}
	cp, err := childProtectionOffice(ctx, r, c, p.AgencyID)
	if err != nil {
		return res, nil, err
	}
	res.ChildProtection = cp
	return res, f, nil
}

// planOf rebuilds the person's support plan from the stored referrals.
func planOf(refs []store.ServiceReferral) (support.Plan, error) {
	var p support.Plan
	for _, x := range refs {
		ref := support.Referral{ID: x.ID, Service: support.ServiceType(x.Service), Agency: x.AgencyID, State: support.State(x.State)}
		if err := unmarshal(x.History, &ref.History); err != nil {
			return p, err
		}
		p.Referrals = append(p.Referrals, ref)
	}
	return p, nil
}

// NoteText returns the sealed notes about one object, opened, oldest
// first. Call it only for readers allowed to see identifying data.
func (s *Service) NoteText(d *Dossier, objectID string) ([]string, error) {
	var out []string
	for _, n := range d.Notes {
		if n.ObjectID != objectID {
			continue
		}
		t, err := s.OpenNote(n)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// jurisdictionCache keeps jurisdictions for a minute: every case page needs
// its jurisdiction's country, and jurisdictions hardly ever change.
type jurisdictionCache struct {
	mu sync.Mutex
	m  map[string]cachedJurisdiction
}

type cachedJurisdiction struct {
	j  store.Jurisdiction
	at time.Time
}

// Jurisdiction reads a jurisdiction through the cache.
func (s *Service) Jurisdiction(ctx context.Context, id string) (store.Jurisdiction, error) {
	now := time.Now()
	s.jcache.mu.Lock()
	if c, ok := s.jcache.m[id]; ok && now.Sub(c.at) < time.Minute {
		s.jcache.mu.Unlock()
		return c.j, nil
	}
	s.jcache.mu.Unlock()
	j, err := s.DB.Jurisdiction(ctx, id)
	if err != nil {
		return j, err
	}
	s.jcache.mu.Lock()
	if s.jcache.m == nil {
		s.jcache.m = map[string]cachedJurisdiction{}
	}
	s.jcache.m[id] = cachedJurisdiction{j: j, at: now}
	s.jcache.mu.Unlock()
	return j, nil
}

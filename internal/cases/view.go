package cases

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/directory"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/people"
	"github.com/haven-nrm/haven/internal/servicedir"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
)

// ErrCaseNotAvailable is a case the principal may not open: a 404, as if
// it did not exist, that offers emergency access to roles that may ask
// for it.
var ErrCaseNotAvailable = &errs.Error{Kind: errs.NotFound, Key: "error.not_found", Err: errors.New("case not available")}

// Opened is a case opened for an action by a principal: the case, the
// resource access was decided on and the decision.
type Opened struct {
	Case     store.Case
	Resource access.Resource
	Decision access.Decision
	// file is what deciding the agency's part read, for the dossier to
	// reuse; nil when the decision needed none.
	file *caseFile
}

// Open loads case id and decides action on it for p: its agency's scope,
// a live break-glass grant, or the agency's part in the case (working on
// it, offered it, the child-protection office of a child's case). Out of
// scope answers ErrCaseNotAvailable, as if absent. read says the request
// only reads: a grant never opens anything else. From here every audit
// event of ctx's request names the case's agency, and is flagged when a
// grant opened it.
func (s *Service) Open(ctx context.Context, p access.Principal, id string, action access.Action, read bool) (Opened, error) {
	c, err := s.DB.Case(ctx, id)
	if err != nil {
		return Opened{}, err
	}
	grant, err := s.DB.LiveBreakGlass(ctx, p.UserID, c.ID, store.Millis(s.Now()))
	if err != nil {
		return Opened{}, err
	}
	o := Opened{Case: c, Resource: access.Resource{AgencyID: c.AgencyID, JurisdictionID: c.JurisdictionID, BreakGlass: grant != ""}}
	o.Decision = access.Decide(action, p, o.Resource)
	if !o.Decision.Allow || o.Decision.Reason == "break_glass" {
		// The agency's part in the case may open it without breaking the
		// glass.
		if o.Resource, o.file, err = resource(ctx, s.DB.R(), c, p, grant != ""); err != nil {
			return Opened{}, err
		}
		o.Decision = access.Decide(action, p, o.Resource)
	}
	if !o.Decision.Allow {
		return Opened{}, ErrCaseNotAvailable
	}
	if o.Decision.Reason == "break_glass" && !read {
		// access.Decide never lets a grant change a case; should that
		// ever fail, the change still does not pass.
		return Opened{}, ErrCaseNotAvailable
	}
	// A read by someone holding a grant on a record outside their own
	// scope is a read under the grant, even when their agency's part in
	// the case opened this action: what else the page shows (the
	// identity beside an offered summary) may rest on the grant. A change
	// never rests on one.
	if !read || access.Allowed(action, p, access.Resource{AgencyID: c.AgencyID, JurisdictionID: c.JurisdictionID}) {
		grant = ""
	}
	if !audit.SetRecord(ctx, c.AgencyID, grant) && grant != "" {
		return Opened{}, errs.E(errs.Internal, "no audit scope for a break-glass request")
	}
	return o, nil
}

// Dossier loads an opened case's dossier from the read pool, reusing what
// deciding access read.
func (s *Service) Dossier(ctx context.Context, o Opened) (*Dossier, error) {
	return s.load(ctx, s.DB.R(), o.Case, o.file)
}

// Run carries out one command on case id for p: it opens the case for
// action as a change (a break-glass grant never passes), then has decode
// read the command's fields (so a case p may not change answers as absent
// whatever was posted), loads the dossier reusing what deciding access
// read, and applies cmd. It returns the case as it stands after the
// change.
func (s *Service) Run(ctx context.Context, p access.Principal, id string, action access.Action, cmd Command, decode func() (Input, error)) (store.Case, error) {
	o, err := s.Open(ctx, p, id, action, false)
	if err != nil {
		return store.Case{}, err
	}
	in, err := decode()
	if err != nil {
		return store.Case{}, err
	}
	d, err := s.Dossier(ctx, o)
	if err != nil {
		return store.Case{}, err
	}
	if err := cmd(s, ctx, p, d, in); err != nil {
		return store.Case{}, err
	}
	return s.DB.Case(ctx, o.Case.ID)
}

// Command is one change to a case: it checks in, applies the pure rule to
// the dossier as the user saw it, and writes the change with its audit
// events in one transaction.
type Command func(*Service, context.Context, access.Principal, *Dossier, Input) error

// Route is where a case is shown: the case page (""), the API ("api") or
// the decision letter ("letter").
type Route string

// The routes a case is shown by.
const (
	RoutePage   Route = ""
	RouteAPI    Route = "api"
	RouteLetter Route = "letter"
)

// Via says how a case is being viewed.
type Via struct {
	Route Route
	// Form is the command whose form page shows the case ("" for none);
	// Action is that command's action, which the viewer must be allowed.
	Form   string
	Action access.Action
	// Check is a legal decision's posted form to check before it is
	// confirmed (Form "rg" or "cg" only): the view then carries
	// View.Check, and nothing is written but the view's events.
	Check Input
	// LetterLanguage picks the language a letter is written in from the
	// case's letter language (the letter route only).
	LetterLanguage func(string) string
}

// View is one case as one principal may see it: the same value for the
// case page, the API and the decision letter.
type View struct {
	Case     store.Case
	Resource access.Resource
	// BreakGlass: only a break-glass grant opens the case's summary.
	BreakGlass bool
	D          *Dossier

	// Identity is the person's identifying data, opened, for a reader
	// allowed it; Erased says it was erased.
	Identity *intake.Identity
	Erased   bool
	// Dupes are the person's possible duplicates (ShowDupes: the reader
	// may see them).
	Dupes     Duplicates
	ShowDupes bool
	// Notes are the free-text notes (decision reasons apart), opened, in
	// order, for a reader allowed identifying data; Reasons are the
	// reasons given for decisions, for a reader allowed them.
	Notes   []OpenNote
	Reasons []Reason

	// Check is the legal decision the user is about to confirm, worked
	// out (Via.Check); nil otherwise.
	Check *DecisionCheck

	// Next is the decision the case waits for and how near its deadline
	// is (casework.NextActionOf at the time of the view), for the summary
	// card at the top of the case page and the API alike.
	Next casework.NextAction

	// CanIdentity, CanReasons, CanLetter: what the reader may see.
	CanIdentity, CanReasons, CanLetter bool

	// Names are the names of agencies and users; Agencies and Users the
	// choices a form offers (form pages only); Places the locations an
	// offer may be delivered at (the offer form only).
	Names    *Names
	Agencies []store.Agency
	Users    []store.User
	Places   []Place
	// Suggestions are, for each need the latest assessment found, the
	// directory's services that could meet it, best first (the offer form
	// only).
	Suggestions []NeedSuggestions

	// LetterLanguage is the language the letter is written in (the letter
	// route only).
	LetterLanguage string

	// Viewed waits for the view's audit events to commit: the view is
	// shown only once it returns nil.
	Viewed func() error
}

// OpenNote is a free-text note, opened.
type OpenNote struct {
	Kind, ObjectID, Text, By string
	At                       time.Time
}

// Can reports whether the viewer may carry out action on the case.
func (v *View) Can(action access.Action, p access.Principal) bool {
	return access.Allowed(action, p, v.Resource)
}

// View opens case id for p through via: it decides access, loads what p
// may see in one pass, opens the sealed fields p may see, and queues the
// view's audit events. The events are the same for every route, the
// route apart (the "via" and "form" details): "case.view" on the case,
// and "person.view" when the person's identity or free text was opened;
// the letter adds "case.letter" with its language. Every event of the
// request names the case's agency and, when a break-glass grant opened
// the case, is flagged with it. The caller shows the view only after
// v.Viewed returns nil.
func (s *Service) View(ctx context.Context, p access.Principal, id string, via Via) (*View, error) {
	action := access.ViewCaseSummary
	if via.Route == RouteLetter {
		action = access.ViewLetter
	}
	o, err := s.Open(ctx, p, id, action, true)
	if err != nil {
		return nil, err
	}
	c, res := o.Case, o.Resource
	if via.Action != "" && via.Action != action && !access.Allowed(via.Action, p, res) {
		return nil, ErrCaseNotAvailable
	}
	v := &View{Case: c, Resource: res, BreakGlass: o.Decision.Reason == "break_glass",
		CanIdentity: access.Allowed(access.ViewCaseIdentity, p, res), CanReasons: access.Allowed(access.ViewReasons, p, res),
		CanLetter: access.Allowed(access.ViewLetter, p, res)}
	if v.D, err = s.Dossier(ctx, o); err != nil {
		return nil, err
	}
	if via.Check != nil && CheckedForms[via.Form] {
		v.Check = checkDecision(p, v.D, via.Form, via.Check, s.Now())
	}
	if c.ClosedAt == 0 {
		v.Next = casework.NextActionOf(v.D.Record, s.Now(), v.D.Country.Calendar)
	}
	if via.Route == RouteLetter {
		if !LetterReady(v.D.Record) {
			return nil, errs.E(errs.NotFound, "no letter yet")
		}
		v.LetterLanguage = c.LetterLanguage
		if via.LetterLanguage != nil {
			v.LetterLanguage = via.LetterLanguage(c.LetterLanguage)
		}
	}
	var person store.SealedPerson
	if c.PersonID != "" && v.CanIdentity {
		if person, err = s.DB.Person(ctx, c.PersonID); err != nil {
			return nil, err
		}
		if person.Erased {
			v.Erased = true
		} else {
			id, err := people.Open(s.Keys, person)
			if err != nil {
				return nil, err
			}
			v.Identity = &id
		}
	}
	if c.PersonID != "" && !person.Erased && access.Allowed(access.ViewDuplicates, p, res) && !v.BreakGlass {
		if v.Dupes, err = s.Duplicates(ctx, p, c.PersonID); err != nil {
			return nil, err
		}
		v.ShowDupes = true
	}
	// The views commit while the rest is prepared.
	if v.Viewed, err = s.DB.BeginViews(ctx, viewEvents(p, c, via, v)...); err != nil {
		return nil, err
	}
	if v.CanIdentity {
		for _, n := range v.D.Notes {
			if n.Kind == NoteDecisionReason {
				continue // opened below, for readers allowed them
			}
			t, err := s.OpenNote(n)
			if err != nil {
				return nil, err
			}
			v.Notes = append(v.Notes, OpenNote{Kind: n.Kind, ObjectID: n.ObjectID, Text: t, By: n.CreatedBy, At: store.FromMillis(n.CreatedAt)})
		}
	}
	if v.CanReasons {
		if v.Reasons, err = s.Reasons(v.D); err != nil {
			return nil, err
		}
	}
	if v.Names, err = s.Names(ctx); err != nil {
		return nil, err
	}
	if via.Form != "" {
		v.Agencies, v.Users = v.Names.forms(c.JurisdictionID)
	}
	if via.Form == "offer" {
		if v.Places, err = s.Places(ctx); err != nil {
			return nil, err
		}
		if v.Suggestions, err = s.suggest(ctx, p, v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// NeedSuggestions are the directory's services that could meet one need.
type NeedSuggestions struct {
	Need     support.ServiceType
	Services []servicedir.Suggestion
}

// suggestionsPerNeed bounds the services shown for each need: the form
// names the best few, the directory page lists them all.
const suggestionsPerNeed = 3

// suggest matches the needs of the case's latest assessment against the
// directory as p sees it. What matching reads of the person is coded or
// already open to the reader: the gender, the letter language, and the age
// only when the reader sees the birth date (otherwise it is unknown, which
// never excludes a service).
func (s *Service) suggest(ctx context.Context, p access.Principal, v *View) ([]NeedSuggestions, error) {
	if s.Directory == nil || len(v.D.Assessments) == 0 {
		return nil, nil
	}
	facts := directory.PersonFacts{Gender: v.Case.Gender}
	if v.Case.LetterLanguage != "" {
		facts.Languages = []string{v.Case.LetterLanguage}
	}
	if v.Identity != nil {
		if born, err := time.Parse(time.DateOnly, v.Identity.BirthDate); err == nil {
			age := ageOn(born, s.Now())
			facts.Age = &age
		}
	}
	var out []NeedSuggestions
	for _, need := range v.D.Assessments[len(v.D.Assessments)-1].Needs {
		found, err := s.Directory.Suggest(ctx, p, need, facts)
		if err != nil {
			return nil, err
		}
		out = append(out, NeedSuggestions{Need: need, Services: found[:min(len(found), suggestionsPerNeed)]})
	}
	return out, nil
}

// ageOn is the age in whole years on day now of a person born on born.
func ageOn(born, now time.Time) int {
	age := now.Year() - born.Year()
	if now.Month() < born.Month() || (now.Month() == born.Month() && now.Day() < born.Day()) {
		age--
	}
	return age
}

// viewEvents are the audit events of one view of a case.
func viewEvents(p access.Principal, c store.Case, via Via, v *View) []audit.Event {
	ev := func(action, objectType, objectID string, details map[string]string) audit.Event {
		return audit.Event{Actor: p.UserID, Agency: p.AgencyID, Action: action, ObjectType: objectType, ObjectID: objectID, Details: details}
	}
	var details map[string]string
	if via.Route != RoutePage || via.Form != "" {
		details = map[string]string{}
		if via.Route != RoutePage {
			details["via"] = string(via.Route)
		}
		if via.Form != "" {
			details["form"] = via.Form
		}
	}
	out := []audit.Event{ev("case.view", "case", c.ID, details)}
	if v.Identity != nil || (v.CanIdentity && len(v.D.Notes) > 0) {
		if c.PersonID == "" {
			out = append(out, ev("person.view", "case", c.ID, map[string]string{"notes": "opened"}))
		} else {
			out = append(out, ev("person.view", "person", c.PersonID, map[string]string{"case": c.ID}))
		}
	}
	if via.Route == RouteLetter {
		out = append(out, ev("case.letter", "case", c.ID, map[string]string{"language": v.LetterLanguage}))
	}
	return out
}

// LetterReady reports whether a decision has taken effect that a letter
// can tell the person about: a negative reasonable-grounds decision still
// awaiting its review has not.
func LetterReady(rec casework.Record) bool {
	rg := rec.ReasonableGrounds.Outcome != "" && rec.State != casework.StateRGNegativePendingReview
	return rg || rec.Conclusive.Outcome != ""
}

// Names are the names of agencies and users, for pages that show who did
// what; read through a cache of a few seconds.
type Names struct {
	Agencies []store.Agency
	Users    []store.User
	Agency   map[string]string // agency id → name
	User     map[string]string // user id → display name
}

// identityRoles are the roles that may own a case's task.
var identityRoles = []string{string(access.CaseWorker), string(access.CompetentAuthority), string(access.PoliceInvestigator),
	string(access.Prosecutor), string(access.ShelterStaff), string(access.ServiceProvider)}

// forms are the choices a command's form offers: the agencies of the
// case's jurisdiction first, then the others (transfers may cross
// jurisdictions), and the people of the jurisdiction who may own a task.
func (n *Names) forms(jurisdictionID string) (agencies []store.Agency, users []store.User) {
	for _, a := range n.Agencies {
		if a.JurisdictionID == jurisdictionID {
			agencies = append(agencies, a)
		}
	}
	for _, a := range n.Agencies {
		if a.JurisdictionID != jurisdictionID {
			agencies = append(agencies, a)
		}
	}
	for _, u := range n.Users {
		if !u.Disabled && u.JurisdictionID == jurisdictionID && slices.Contains(identityRoles, u.Role) {
			users = append(users, u)
		}
	}
	return agencies, users
}

// nameCache keeps the names of agencies and users for a few seconds:
// every case page shows them, and they change rarely.
type nameCache struct {
	mu      sync.Mutex
	at      time.Time
	current *Names
}

const namesTTL = 10 * time.Second

// Names reads the names of agencies and users through the cache.
func (s *Service) Names(ctx context.Context) (*Names, error) {
	now := s.Now()
	n := &s.names
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.current != nil && now.Sub(n.at) < namesTTL && !now.Before(n.at) {
		return n.current, nil
	}
	agencies, err := s.DB.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	users, err := s.DB.Users(ctx)
	if err != nil {
		return nil, err
	}
	t := &Names{Agencies: agencies, Users: users, Agency: map[string]string{}, User: map[string]string{"synthetic": "—"}}
	for _, a := range agencies {
		t.Agency[a.ID] = a.Name
	}
	for _, u := range users {
		t.User[u.ID] = u.DisplayName
	}
	n.current, n.at = t, now
	return t, nil
}

// Place is a directory location a service may be delivered at, as the
// offer form names it.
type Place struct{ ID, Label string }

// Places lists the directory's locations by organisation and, for a safe
// house, its area only: the offer form never shows an address.
func (s *Service) Places(ctx context.Context) ([]Place, error) {
	orgs, err := s.DB.HSDSOrganizations(ctx)
	if err != nil {
		return nil, err
	}
	orgName := map[string]string{}
	for _, o := range orgs {
		orgName[o.ID] = o.Name
	}
	locs, err := s.DB.HSDSLocations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Place, 0, len(locs))
	for _, l := range locs {
		where := l.Area
		if !l.Confidential && l.Name != "" {
			where = l.Name
		}
		out = append(out, Place{ID: l.ID, Label: orgName[l.OrganizationID] + " · " + where})
	}
	return out, nil
}

// InvestigationRecords are the dossier's investigation records as stored
// (JSON), for the API.
func InvestigationRecords(d *Dossier) []json.RawMessage {
	out := make([]json.RawMessage, 0, len(d.Investigations))
	for _, x := range d.Investigations {
		out = append(out, json.RawMessage(x.Record))
	}
	return out
}

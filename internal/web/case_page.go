package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/handover"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/nrm"
	"github.com/haven-nrm/haven/internal/people"
	"github.com/haven-nrm/haven/internal/prosecution"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/support"
)

// caseView is what the case page shows.
type caseView struct {
	Case       store.Case
	Identity   *intake.Identity
	Erased     bool
	Dupes      nrm.Duplicates
	ShowDupes  bool
	BreakGlass bool

	D *nrm.Dossier
	// Can says which forms the viewer may use, by command name, plus
	// "notes" (free text may be read) and "letter".
	Can map[string]bool
	// Error is the translated refusal of the last change, shown at its
	// Section.
	Error, ErrorSection string
	// Command is the form a form page shows, Section where it returns.
	Command, Section string

	Decision  decisionView
	Steps     []stepRow
	StepsBody template.HTML // the steps as table rows
	Notes     map[string][]string
	// Reasons are the reasons given for the decisions, for a reader
	// access.ViewReasons allows (Can["reasons"]).
	Reasons []nrm.Reason
	// Guardian is where a child's guardian stands.
	Guardian   nrm.GuardianView
	AgencyName map[string]string
	UserName   map[string]string
	Agencies   []store.Agency
	Users      []store.User
	MyAgency   string
	Now        time.Time
	Lists      caseLists
	// Investigations are the case's investigation records, with the
	// warnings and guidance the prosecution rules give.
	Investigations []investigationView
	// ProceedingsConsent: the person's consent to take part in
	// proceedings stands.
	ProceedingsConsent bool
	// Places are the directory's locations a service may be delivered at,
	// for the offer form: a safe house by its organisation and area only.
	Places []placeOption
	// Provisions are the legal provisions of the case's country a charge
	// is brought under; ProvisionCitation finds one's citation by code.
	Provisions        []prosecution.Provision
	ProvisionCitation map[string]string
}

type placeOption struct{ ID, Label string }

type investigationView struct {
	Inv           prosecution.Investigation
	Version       int64
	Misclassified []string
	Guidance      prosecution.Guidance
	Participation *prosecution.Participation
	NonPunishment *prosecution.NonPunishmentFlag
}

type decisionView struct {
	State, Status     string
	AwaitingRG        bool
	AwaitingCG        bool
	PendingReview     bool
	NegativeInEffect  bool
	RGDeadline        time.Time
	Overdue           bool
	PeriodOpen        bool
	PeriodEnd         time.Time
	UntilConclusive   bool
	RemovalBarred     bool
	Outcomes, Parties []string
	Consulted         []string
	Missing           []string
	Country           string
	CountryVerified   bool
	// LetterReady: a decision has taken effect that a letter tells.
	LetterReady bool
}

type stepRow struct {
	Item  string
	Step  bool
	Done  bool
	Entry support.Entry
}

// caseLists are the code lists of the forms.
type caseLists struct {
	Prosecution                                                                  map[string][]string
	Items, Purposes, Services, Levels, Ratings, PlanTypes, GoalStatuses, Actions []string
	Factors                                                                      map[string][]string
	HandoverKinds, RejectReasons, Sectors, TaskKinds, ClosureReasons             []string
	OverrideReasons                                                              []string
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func newCaseLists() caseLists {
	l := caseLists{Items: strs(support.Items()), Purposes: strs(support.Purposes()), Services: nrm.ServiceCodes(),
		Levels: strs(support.Levels()), Ratings: strs(support.Ratings()), PlanTypes: strs(support.PlanTypes()),
		GoalStatuses: nrm.GoalStatuses(), Actions: strs(support.Actions()), Factors: map[string][]string{},
		HandoverKinds: handover.Kinds(), RejectReasons: handover.RejectReasons(), Sectors: nrm.Sectors(), TaskKinds: nrm.TaskKinds(),
		ClosureReasons: handover.ClosureReasons(), OverrideReasons: support.OverrideReasons()}
	l.Prosecution = map[string][]string{}
	for _, cl := range prosecution.Codes() {
		l.Prosecution[cl.Name] = cl.Codes
	}
	for _, f := range support.Factors() {
		l.Factors[string(f.Level)] = append(l.Factors[string(f.Level)], string(f.Code))
	}
	return l
}

var caseFormLists = newCaseLists()

// caseShow shows one case.
func (s *Server) caseShow(w http.ResponseWriter, r *http.Request) error {
	return s.showCase(w, r, "", nil)
}

// formPages are the commands whose form has a page of its own; the
// others are buttons on the case page.
var formPages = map[string]bool{"rg": true, "consultation": true, "cg": true, "review": true, "reconsider": true, "extend": true,
	"item": true, "consent": true, "assessment": true, "goal": true, "offer": true, "handover": true, "conference": true, "task": true, "close": true, "guardian": true}

// caseForm shows the form of one command on a page of its own.
func (s *Server) caseForm(cmd caseCommand) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.renderCase(w, r, cmd.Action, "case_form", cmd.Name, cmd.Section, nil)
	}
}

// showCase renders the case page, with a refused change's reason when
// there is one.
func (s *Server) showCase(w http.ResponseWriter, r *http.Request, section string, refusal error) error {
	return s.renderCase(w, r, access.ViewCaseSummary, "case", "", section, refusal)
}

// renderCase renders the case page or a command's form page: coded facts
// to everyone in scope, identifying data and free text to the roles that
// may see them, the forms the viewer may use. Every view is audited before
// it is shown.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, action access.Action, tmpl, command, section string, refusal error) error {
	c, res, d, err := s.caseAccess(r, access.ViewCaseSummary)
	if err != nil {
		return err
	}
	if action != access.ViewCaseSummary && !access.Allowed(action, principal(r), res) {
		return errCaseNotAvailable
	}
	ctx := r.Context()
	p := principal(r)
	view := caseView{Case: c, BreakGlass: d.Reason == "break_glass", Can: map[string]bool{}, MyAgency: p.AgencyID, Now: s.Now(), Lists: caseFormLists,
		Command: command, Section: section}
	var person store.SealedPerson
	identity := access.Allowed(access.ViewCaseIdentity, p, res)
	if c.PersonID != "" && identity {
		if person, err = s.DB.Person(ctx, c.PersonID); err != nil {
			return err
		}
		if person.Erased {
			view.Erased = true
		} else {
			id, err := people.Open(s.Keys, person)
			if err != nil {
				return err
			}
			view.Identity = &id
		}
	}
	if c.PersonID != "" && !person.Erased && access.Allowed(access.ViewDuplicates, p, res) && !view.BreakGlass {
		if view.Dupes, err = s.nrm.Duplicates(ctx, p, c.PersonID); err != nil {
			return err
		}
		view.ShowDupes = true
	}
	if view.D, err = s.nrm.Load(ctx, s.DB.R(), c); err != nil {
		return err
	}
	var details map[string]string
	if command != "" {
		details = map[string]string{"form": command}
	}
	views := []audit.Event{s.event(r, "case.view", "case", c.ID, details)}
	if view.Identity != nil || (identity && len(view.D.Notes) > 0) {
		ev := s.event(r, "person.view", "person", c.PersonID, map[string]string{"case": c.ID})
		if c.PersonID == "" {
			ev.ObjectType, ev.ObjectID, ev.Details = "case", c.ID, map[string]string{"notes": "opened"}
		}
		views = append(views, ev)
	}
	// The views commit while the page is prepared; it is sent only once
	// they are durable.
	viewed, err := s.DB.BeginViews(ctx, views...)
	if err != nil {
		return err
	}
	for _, cmd := range caseCommands {
		view.Can[cmd.Name] = access.Allowed(cmd.Action, p, res)
	}
	view.Can["notes"] = identity
	view.Can["reasons"] = access.Allowed(access.ViewReasons, p, res)
	view.Can["letter"] = access.Allowed(access.ViewLetter, p, res)
	view.Decision = decisionOf(view.D, view.Now)
	view.Guardian = nrm.Guardian(view.D, view.Now)
	invs, err := nrm.Investigations(view.D)
	if err != nil {
		return err
	}
	trafficking := c.TraffickingStatus != casework.StatusNot
	for i, inv := range invs {
		iv := investigationView{Inv: inv, Version: view.D.Investigations[i].Version, Misclassified: prosecution.Misclassified(inv, trafficking)}
		if pa, ok := inv.CurrentParticipation(); ok {
			iv.Participation = &pa
		}
		if np, ok := inv.CurrentNonPunishment(); ok {
			iv.NonPunishment = &np
			iv.Guidance = prosecution.NonPunishmentGuidance(np, c.Child)
		}
		view.Investigations = append(view.Investigations, iv)
	}
	view.Provisions = prosecution.Provisions(view.D.Jurisdiction.Country)
	view.ProvisionCitation = make(map[string]string, len(view.Provisions))
	for _, pv := range view.Provisions {
		view.ProvisionCitation[pv.Code] = pv.Citation
	}
	view.ProceedingsConsent = support.Allows(view.D.Ledger, support.PurposeProceedings, "", "", view.Now)
	view.Steps = stepsOf(view.D)
	if identity {
		view.Notes = map[string][]string{}
		for _, n := range view.D.Notes {
			if n.Kind == nrm.NoteDecisionReason {
				continue // opened below, for readers allowed them
			}
			t, err := s.nrm.OpenNote(n)
			if err != nil {
				return err
			}
			view.Notes[n.ObjectID] = append(view.Notes[n.ObjectID], t)
		}
	}
	if view.Can["reasons"] {
		if view.Reasons, err = s.nrm.Reasons(view.D); err != nil {
			return err
		}
	}
	names, err := s.names.get(ctx, s.DB, s.Now())
	if err != nil {
		return err
	}
	view.AgencyName, view.UserName = names.agency, names.user
	view.StepsBody = stepsBody(s.localizer(r), view.Steps, view.UserName)
	if command != "" {
		// Forms offer the agencies of the case's jurisdiction first, then
		// the others (transfers may cross jurisdictions), and the people
		// of the jurisdiction who may own a task.
		for _, a := range names.agencies {
			if a.JurisdictionID == c.JurisdictionID {
				view.Agencies = append(view.Agencies, a)
			}
		}
		for _, a := range names.agencies {
			if a.JurisdictionID != c.JurisdictionID {
				view.Agencies = append(view.Agencies, a)
			}
		}
		for _, u := range names.users {
			if !u.Disabled && u.JurisdictionID == c.JurisdictionID && slices.Contains(identityRoleNames, u.Role) {
				view.Users = append(view.Users, u)
			}
		}
	}
	if command == "offer" {
		if view.Places, err = s.placeOptions(ctx); err != nil {
			return err
		}
	}
	status := http.StatusOK
	if refusal != nil {
		view.ErrorSection = section
		view.Error = s.refusalMessage(r, refusal)
		status = http.StatusUnprocessableEntity
		switch errs.KindOf(refusal) {
		case errs.Conflict:
			status = http.StatusConflict
		case errs.Forbidden:
			status = http.StatusForbidden
		}
	}
	return s.renderAfter(w, status, tmpl, s.newPage(r, "case.title", "cases", view), viewed)
}

var identityRoleNames = []string{string(access.CaseWorker), string(access.CompetentAuthority), string(access.PoliceInvestigator),
	string(access.Prosecutor), string(access.ShelterStaff), string(access.ServiceProvider)}

// refusalMessage says in words why a change was refused; a missing
// consultation names the parties still to consult.
func (s *Server) refusalMessage(r *http.Request, err error) string {
	L := s.localizer(r)
	key := "error.bad_request"
	var e *errs.Error
	if errors.As(err, &e) && e.Key != "" {
		key = e.Key
	}
	msg := L.T(key)
	var ce *casework.Error
	if errors.As(err, &ce) && len(ce.Missing) > 0 {
		names := make([]string, len(ce.Missing))
		for i, m := range ce.Missing {
			names[i] = L.T("code.party." + m)
		}
		msg += " " + strings.Join(names, ", ")
	}
	return msg
}

func decisionOf(d *nrm.Dossier, now time.Time) decisionView {
	rec := d.Record
	v := decisionView{State: string(rec.State), Status: rec.TraffickingStatus, AwaitingRG: rec.AwaitingReasonableGrounds(),
		AwaitingCG:       rec.AwaitingConclusive() && rec.State != casework.StateCGNegativePendingReview,
		PendingReview:    pendingReview(rec),
		NegativeInEffect: rec.State == casework.StateRGNegative || rec.State == casework.StateCGNegative,
		RGDeadline:       rec.RGDeadline, Overdue: casework.Overdue(rec, now), PeriodOpen: rec.Period.Open(),
		RemovalBarred: casework.RemovalBarred(rec, now), Outcomes: nrm.OutcomeCodes(d.Country),
		Parties: d.Country.RequiredConsultations(rec.Child), Consulted: rec.Consulted(), Country: d.Country.Code,
		CountryVerified: d.Country.Provenance.Verified, LetterReady: letterReady(rec)}
	v.PeriodEnd, v.UntilConclusive = casework.PeriodEnd(rec)
	for _, p := range v.Parties {
		if !slices.Contains(v.Consulted, p) {
			v.Missing = append(v.Missing, p)
		}
	}
	return v
}

func pendingReview(rec casework.Record) bool {
	_, pending := rec.PendingReview()
	return pending
}

func stepsOf(d *nrm.Dossier) []stepRow {
	cl, err := support.NewChecklist(func() time.Time { return time.Now().Add(24 * time.Hour) }, d.Checklist...)
	var rows []stepRow
	for _, it := range support.Items() {
		row := stepRow{Item: string(it), Step: it.IsStep()}
		if err == nil {
			row.Entry, row.Done = cl.Latest(it)
		}
		rows = append(rows, row)
	}
	return rows
}

// stepsBody writes the early steps and information items as table rows:
// eleven rows on every case page, cheaper written here than by the
// template.
func stepsBody(L *i18n.Localizer, rows []stepRow, userName map[string]string) template.HTML {
	step, info, notYet := L.T("steps.step"), L.T("steps.information"), L.T("steps.not_yet")
	var f frag
	for _, r := range rows {
		f.m("<tr><td>")
		if r.Step {
			f.text(step)
		} else {
			f.text(info)
		}
		f.m(": ").text(L.T("code.item." + r.Item)).m(`</td>
      <td id="step-`).text(r.Item).m(`">`)
		if r.Done {
			f.text(L.Date(r.Entry.At)).m(" · ").text(userName[r.Entry.By]).m(" · ").text(L.LanguageName(r.Entry.Language))
		} else {
			f.text(notYet)
		}
		f.m("</td></tr>")
	}
	return f.html()
}

// directoryNames caches the names of agencies and users for a few seconds:
// every case page shows them, and they change rarely.
type directoryNames struct {
	mu      sync.Mutex
	at      time.Time
	current *nameTables
}

type nameTables struct {
	agencies []store.Agency
	users    []store.User
	agency   map[string]string
	user     map[string]string
}

const namesTTL = 10 * time.Second

func (n *directoryNames) get(ctx context.Context, db *store.DB, now time.Time) (*nameTables, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.current != nil && now.Sub(n.at) < namesTTL && !now.Before(n.at) {
		return n.current, nil
	}
	agencies, err := db.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	users, err := db.Users(ctx)
	if err != nil {
		return nil, err
	}
	t := &nameTables{agencies: agencies, users: users, agency: map[string]string{}, user: map[string]string{"synthetic": "—"}}
	for _, a := range agencies {
		t.agency[a.ID] = a.Name
	}
	for _, u := range users {
		t.user[u.ID] = u.DisplayName
	}
	n.current, n.at = t, now
	return t, nil
}

// placeOptions lists the directory's locations by organisation and, for a
// safe house, its area only: the offer form never shows an address.
func (s *Server) placeOptions(ctx context.Context) ([]placeOption, error) {
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
	out := make([]placeOption, 0, len(locs))
	for _, l := range locs {
		where := l.Area
		if !l.Confidential && l.Name != "" {
			where = l.Name
		}
		out = append(out, placeOption{ID: l.ID, Label: orgName[l.OrganizationID] + " · " + where})
	}
	return out, nil
}

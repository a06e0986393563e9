package web

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/handover"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/prosecution"
	"github.com/haven-nrm/haven/internal/support"
)

// caseView is what the case page shows: the case's read model
// (cases.View) and what the page derives from it.
type caseView struct {
	*cases.View

	// Done is the section of the change just made, for the confirmation
	// shown after it ("" when none).
	Done string

	// Can says which forms the viewer may use, by command name, plus
	// "notes" (free text may be read), "reasons" and "letter".
	Can map[string]bool
	// Error is the translated refusal of the last change, shown at its
	// Section.
	Error, ErrorSection string
	// Command is the form a form page shows, Section where it returns.
	Command, Section string

	// NextCommand is the command the summary card's one primary button
	// opens: the next action's form, when the viewer may use it.
	NextCommand string
	// FieldErrors are a checked decision's refused fields, all at once,
	// by field (translation keys).
	FieldErrors map[string]string
	// Changing: the user asked to change a checked decision's answers.
	Changing bool
	// Open says which folding sections start open: the one just changed
	// or refused, and those holding something that waits for the viewer.
	Open map[string]bool

	Decision  decisionView
	Steps     []stepRow
	StepsBody template.HTML // the steps as table rows
	// Guardian is where a child's guardian stands.
	Guardian cases.GuardianView
	// Notes are the opened notes by the object they are about.
	Notes      map[string][]string
	AgencyName map[string]string
	UserName   map[string]string
	MyAgency   string
	Now        time.Time
	Lists      caseLists
	// Investigations are the case's investigation records, with the
	// warnings and guidance the prosecution rules give.
	Investigations []investigationView
	// ProceedingsConsent: the person's consent to take part in
	// proceedings stands.
	ProceedingsConsent bool
	// Provisions are the legal provisions of the case's country a charge
	// is brought under; ProvisionCitation finds one's citation by code.
	Provisions        []prosecution.Provision
	ProvisionCitation map[string]string
	// ServiceActions are, by service referral, the actions its state
	// allows (support.CanAct): only those get a button.
	ServiceActions map[string][]string
}

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
	// RGOutcomes are the outcomes a reasonable-grounds decision may have.
	RGOutcomes      []string
	Consulted       []string
	Missing         []string
	Country         string
	CountryVerified bool
	// Calendar is the calendar version of public holidays the running
	// deadlines count with (zero: the legal profile's).
	Calendar cases.CalendarUsed
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
	Prosecution                                                         map[string][]string
	Items, Purposes, Services, Levels, Ratings, PlanTypes, GoalStatuses []string
	Factors                                                             map[string][]string
	HandoverKinds, RejectReasons, Sectors, TaskKinds, ClosureReasons    []string
	OverrideReasons                                                     []string
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func newCaseLists() caseLists {
	l := caseLists{Items: strs(support.Items()), Purposes: strs(support.Purposes()), Services: cases.ServiceCodes(),
		Levels: strs(support.Levels()), Ratings: strs(support.Ratings()), PlanTypes: strs(support.PlanTypes()),
		GoalStatuses: cases.GoalStatuses(), Factors: map[string][]string{},
		HandoverKinds: handover.Kinds(), RejectReasons: handover.RejectReasons(), Sectors: cases.Sectors(), TaskKinds: cases.TaskKinds(),
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
		return s.renderCase(w, r, cmd.Action, "case_form", cmd.Name, cmd.Section, nil, nil)
	}
}

// caseCheck is the check-your-answers step of a legal decision (GOV.UK
// pattern): the posted form is worked out by the case's read model
// without writing anything; every refused field comes back at once beside
// its field with the values kept, or the page shows what will be recorded
// and the decision's legal effect, with a button that sends the same
// fields to the command's own route. "Change" (step=change) shows the
// form again, filled.
func (s *Server) caseCheck(cmd caseCommand) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return errs.Wrap(errs.Invalid, err)
		}
		return s.renderCase(w, r, cmd.Action, "case_form", cmd.Name, cmd.Section, nil, formInput(r.PostForm))
	}
}

// showCase renders the case page, with a refused change's reason when
// there is one.
func (s *Server) showCase(w http.ResponseWriter, r *http.Request, section string, refusal error) error {
	return s.renderCase(w, r, access.ViewCaseSummary, "case", "", section, refusal, nil)
}

// renderCase renders the case page or a command's form page: coded facts
// to everyone in scope, identifying data and free text to the roles that
// may see them, the forms the viewer may use. Every view is audited before
// it is shown.
//
// check, on a legal decision's form page, is the posted form to check
// before it is confirmed (cases.Via.Check): the page then shows what will
// be recorded, or the form again with every refusal beside its field.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, action access.Action, tmpl, command, section string, refusal error, check cases.Input) error {
	id := r.PathValue("id")
	if !isID(id) {
		return errNotFound
	}
	p := principal(r)
	via := cases.Via{Form: command, Check: check}
	if action != access.ViewCaseSummary {
		via.Action = action
	}
	v, err := s.cases.View(r.Context(), p, id, via)
	if err != nil {
		return err
	}
	c := v.Case
	view := caseView{View: v, Can: map[string]bool{}, MyAgency: p.AgencyID, Now: s.Now(), Lists: caseFormLists,
		Command: command, Section: section}
	for _, cmd := range caseCommands {
		view.Can[cmd.Name] = v.Can(cmd.Action, p)
	}
	view.Can["notes"] = v.CanIdentity
	view.Can["reasons"] = v.CanReasons
	view.Can["letter"] = v.CanLetter
	view.Can["trm"] = s.Services.TRM != nil && v.Can(access.RecordTRM, p)
	view.Decision = decisionOf(v.D, view.Now)
	view.Guardian = cases.Guardian(v.D, view.Now)
	invs, err := cases.Investigations(v.D)
	if err != nil {
		return err
	}
	trafficking := c.TraffickingStatus != casework.StatusNot
	for i, inv := range invs {
		iv := investigationView{Inv: inv, Version: v.D.Investigations[i].Version, Misclassified: prosecution.Misclassified(inv, trafficking)}
		if pa, ok := inv.CurrentParticipation(); ok {
			iv.Participation = &pa
		}
		if np, ok := inv.CurrentNonPunishment(); ok {
			iv.NonPunishment = &np
			iv.Guidance = prosecution.NonPunishmentGuidance(np, c.Child)
		}
		view.Investigations = append(view.Investigations, iv)
	}
	view.ServiceActions = make(map[string][]string, len(v.D.Plan.Referrals))
	for _, ref := range v.D.Plan.Referrals {
		for _, a := range support.Actions() {
			if support.CanAct(v.D.Plan, ref.ID, a).Allowed {
				view.ServiceActions[ref.ID] = append(view.ServiceActions[ref.ID], string(a))
			}
		}
	}
	view.Provisions = prosecution.Provisions(v.D.Jurisdiction.Country)
	view.ProvisionCitation = make(map[string]string, len(view.Provisions))
	for _, pv := range view.Provisions {
		view.ProvisionCitation[pv.Code] = pv.Citation
	}
	view.ProceedingsConsent = support.Allows(v.D.Ledger, support.PurposeProceedings, "", "", view.Now)
	view.Steps = stepsOf(v.D)
	if v.CanIdentity {
		view.Notes = map[string][]string{}
		for _, n := range v.Notes {
			view.Notes[n.ObjectID] = append(view.Notes[n.ObjectID], n.Text)
		}
	}
	view.AgencyName, view.UserName = v.Names.Agency, v.Names.User
	view.StepsBody = stepsBody(s.localizer(r), view.Steps, view.UserName)
	view.NextCommand = nextCommand(v.Next.Kind, view.Can, c.ClosedAt != 0)
	view.Open = openSections(&view)
	view.Changing = check != nil && r.PostForm.Get("step") == "change"
	if v.Check != nil && !view.Changing && len(v.Check.Errors) > 0 {
		view.FieldErrors = v.Check.Errors
	}
	status := http.StatusOK
	if v.Check != nil && !v.Check.OK() && !view.Changing && refusal == nil {
		status = http.StatusUnprocessableEntity
		if v.Check.Refusal != nil {
			view.Error = s.refusalMessage(r, v.Check.Refusal)
			if errs.KindOf(v.Check.Refusal) == errs.Conflict {
				status = http.StatusConflict
			}
		}
	}
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
	if refusal == nil && command == "" {
		if done := r.URL.Query().Get("done"); done != "" {
			for _, cmd := range caseCommands {
				if cmd.Section == done {
					view.Done = done
				}
			}
		}
	}
	pg := s.newPage(r, "case.title", "cases", view)
	pg.TitleDetail, pg.TitleError = c.Reference, refusal != nil || status != http.StatusOK
	if command != "" {
		pg.TitleDetail = c.Reference + " – " + command
	}
	return s.renderAfter(w, status, tmpl, pg, v.Viewed)
}

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

func decisionOf(d *cases.Dossier, now time.Time) decisionView {
	rec := d.Record
	v := decisionView{State: string(rec.State), Status: rec.TraffickingStatus, AwaitingRG: rec.AwaitingReasonableGrounds(),
		AwaitingCG:       rec.AwaitingConclusive() && rec.State != casework.StateCGNegativePendingReview,
		PendingReview:    pendingReview(rec),
		NegativeInEffect: rec.State == casework.StateRGNegative || rec.State == casework.StateCGNegative,
		RGDeadline:       rec.RGDeadline, Overdue: casework.Overdue(rec, now), PeriodOpen: rec.Period.Open(),
		RemovalBarred: casework.RemovalBarred(rec, now), Outcomes: cases.OutcomeCodes(d.Country),
		RGOutcomes: []string{casework.RGPositive, casework.RGNegative},
		Parties:    d.Country.RequiredConsultations(rec.Child), Consulted: rec.Consulted(), Country: d.Country.Code,
		CountryVerified: d.Country.Provenance.Verified, LetterReady: cases.LetterReady(rec), Calendar: d.Calendar}
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

func stepsOf(d *cases.Dossier) []stepRow {
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

// nextCommand is the form the summary card's button opens for the next
// action, "" when the viewer may not use it or the case is closed.
func nextCommand(kind string, can map[string]bool, closed bool) string {
	cmd := map[string]string{casework.NextDecideRG: "rg", casework.NextDecideCG: "cg", casework.NextReview: "review"}[kind]
	if cmd == "" || closed || !can[cmd] {
		return ""
	}
	return cmd
}

// openSections says which sections of the case page start open: the
// decisions always; the section a change was just made or refused in;
// and those where something waits for the viewer — a child without a
// guardian, early steps still to do, a service the viewer may act on, a
// handover addressed to the viewer's agency, a task not done.
func openSections(v *caseView) map[string]bool {
	open := map[string]bool{"decisions": true}
	if v.Done != "" {
		open[v.Done] = true
	}
	if v.ErrorSection != "" {
		open[v.ErrorSection] = true
	}
	if v.Case.Child && v.Guardian.Status != casework.GuardianAppointed {
		open["guardian"] = true
	}
	if v.Can["item"] && slices.ContainsFunc(v.Steps, func(r stepRow) bool { return !r.Done }) {
		open["steps"] = true
	}
	if v.Can["service"] && len(v.ServiceActions) > 0 {
		open["services"] = true
	}
	for _, h := range v.D.Handovers {
		if h.State == "pending" && h.ToAgencyID == v.MyAgency {
			open["handovers"] = true
		}
	}
	for _, t := range v.D.Tasks {
		if t.DoneAt == 0 {
			open["tasks"] = true
		}
	}
	return open
}

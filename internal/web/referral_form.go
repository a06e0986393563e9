package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/intake"
	"github.com/haven-nrm/haven/internal/referral"
	"github.com/haven-nrm/haven/internal/screening"
	"github.com/haven-nrm/haven/internal/vocab"
)

// referralForm is what the intake form template needs.
type referralForm struct {
	R         intake.Referral
	Idem      string
	Errors    map[string]string // field → message key
	Plan      *intake.Plan
	Profile   *screening.Profile
	Selected  map[string]bool // checked codes, "list:code"
	Lists     formLists
	Submitted bool
	// ScreeningOnly hides the identity and consent parts (the screening
	// tool page).
	ScreeningOnly bool
	// Restored is when the draft the form was filled from was saved;
	// DraftSaved says the author just saved one.
	Restored   *time.Time
	DraftSaved bool
}

type formLists struct {
	Sectors, Genders, Controls, ExploitationTypes, Industries, Relations, Needs []string
	Acts, Means, Purposes, NationalForms, Countries, Languages                  []string
	EventTypes                                                                  []string
}

func lists() formLists {
	return formLists{Sectors: vocab.Sectors.Codes, Genders: vocab.Genders.Codes, Controls: vocab.MethodsOfControl.Codes,
		ExploitationTypes: vocab.ExploitationTypes.Codes, Industries: vocab.Industries.Codes, Relations: vocab.RecruiterRelations.Codes,
		Needs: vocab.Needs.Codes, Acts: screening.ActCodes(), Means: screening.MeansCodes(), Purposes: screening.ProtocolPurposeCodes(),
		NationalForms: screening.NationalFormCodes(), Countries: vocab.Countries, Languages: vocab.Languages, EventTypes: vocab.EventTypes.Codes}
}

// parseReferralForm reads the intake form. Unknown codes are kept as given
// so the checks can name them.
func parseReferralForm(f url.Values) (intake.Referral, string, error) {
	var r intake.Referral
	r.Sector = f.Get("sector")
	if a := strings.TrimSpace(f.Get("age")); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil {
			return r, "", errs.Field("age", "intake.error.age_range", err)
		}
		r.Age = &n
	}
	r.MayBeChild = f.Get("may_be_child") == "1"
	r.Gender = f.Get("gender")
	r.Citizenship = f.Get("citizenship")
	r.Languages = nonEmpty(f["languages"])
	r.Exploitation = f.Get("exploitation")
	r.Acts, r.Means, r.Purposes = nonEmpty(f["acts"]), nonEmpty(f["means"]), nonEmpty(f["purposes"])
	r.Unknown, r.Indicators = nonEmpty(f["unknown"]), nonEmpty(f["indicators"])
	r.Smuggling = screening.SmugglingFacts{IrregularBorderCrossing: f.Get("irregular_border_crossing") == "1",
		PaidFacilitator: f.Get("paid_facilitator") == "1", ConsentedToMovement: f.Get("consented_to_movement") == "1"}
	r.MethodsOfControl, r.ExploitationTypes = nonEmpty(f["methods_of_control"]), nonEmpty(f["exploitation_types"])
	r.Industry, r.RecruiterRelation = f.Get("industry"), f.Get("recruiter_relation")
	for _, t := range vocab.EventTypes.Codes {
		c, d := f.Get("event_"+t+"_country"), f.Get("event_"+t+"_date")
		if c != "" || d != "" {
			r.Events = append(r.Events, intake.Event{Type: t, Country: c, Date: d})
		}
	}
	r.Needs = nonEmpty(f["needs"])
	r.Consent, r.ConsentLanguage = f.Get("consent"), f.Get("consent_language")
	r.Identity = intake.Identity{GivenName: strings.TrimSpace(f.Get("given_name")), FamilyName: strings.TrimSpace(f.Get("family_name")),
		BirthDate: f.Get("birth_date"), DocumentNumber: strings.TrimSpace(f.Get("document_number")), Phone: strings.TrimSpace(f.Get("phone")),
		Address: strings.TrimSpace(f.Get("address")), Narrative: strings.TrimSpace(f.Get("narrative"))}
	if f.Get("one_list") == "1" {
		// The form asks the forms of exploitation once; the kind and the
		// HTCDS types follow from them.
		r = intake.FromFormsOfExploitation(r)
	}
	return r, f.Get("idempotency_key"), nil
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func selected(r intake.Referral) map[string]bool {
	m := map[string]bool{}
	add := func(list string, codes []string) {
		for _, c := range codes {
			m[list+":"+c] = true
		}
	}
	add("acts", r.Acts)
	add("means", r.Means)
	add("purposes", r.Purposes)
	add("unknown", r.Unknown)
	add("indicators", r.Indicators)
	add("languages", r.Languages)
	add("controls", r.MethodsOfControl)
	add("exploitation_types", r.ExploitationTypes)
	add("needs", r.Needs)
	return m
}

// formProfile is the indicator list to show: the one the engine would use
// for this person.
func (s *Server) formProfile(r intake.Referral) *screening.Profile {
	pop := "adult"
	if (r.Age != nil && *r.Age < 18) || (r.Age == nil && r.MayBeChild) {
		pop = "child"
	}
	exp := r.Exploitation
	if exp == "" {
		exp = "labour"
	}
	p, _ := s.Services.Screening.ProfileFor(pop, exp)
	return p
}

func fieldErrors(err error) map[string]string {
	out := map[string]string{}
	var ie intake.Errors
	if errors.As(err, &ie) {
		for _, f := range ie {
			name := f.Field
			if i := strings.IndexByte(name, '.'); i > 0 && name[:i] == "events" {
				name = "events"
			}
			if _, seen := out[name]; !seen {
				out[name] = f.Key
			}
		}
		return out
	}
	var e *errs.Error
	if errors.As(err, &e) && e.Field != "" {
		out[e.Field] = e.Key
	}
	return out
}

func (s *Server) by(r *http.Request) referral.By {
	p := principal(r)
	return referral.By{UserID: p.UserID, AgencyID: p.AgencyID, JurisdictionID: p.JurisdictionID}
}

// referralNew shows the intake form: filled from its author's draft when
// there is one (a session that ended mid-interview loses nothing), else
// empty.
func (s *Server) referralNew(w http.ResponseWriter, r *http.Request) error {
	d, err := s.referrals().OpenDraft(r.Context(), s.by(r))
	switch {
	case err == nil:
		ref, idem, perr := parseReferralForm(d.Form)
		form := &referralForm{R: ref, Idem: idem, Selected: selected(ref), Lists: lists(), Profile: s.formProfile(ref), Restored: &d.SavedAt}
		if perr != nil {
			form.Errors = fieldErrors(perr)
		}
		if form.Idem == "" {
			form.Idem = newRequestID() + newRequestID()
		}
		return s.render(w, http.StatusOK, "referral_new", s.formPage(r, form))
	case !errs.Is(err, errs.NotFound):
		return err
	}
	ref := intake.Referral{Sector: s.defaultSector(r), ConsentLanguage: s.localizer(r).Tag()}
	form := &referralForm{R: ref, Idem: newRequestID() + newRequestID(), Selected: selected(ref), Lists: lists(), Profile: s.formProfile(ref)}
	return s.render(w, http.StatusOK, "referral_new", s.newPage(r, "intake.title", "referrals", form))
}

// defaultSector guesses the sector from the user's agency kind.
func (s *Server) defaultSector(r *http.Request) string {
	u := currentUser(r)
	if u == nil {
		return ""
	}
	return s.referrals().DefaultSector(r.Context(), u.AgencyID)
}

// referralSubmit handles the form: "screen" re-renders it with the screening
// result and stores nothing; "refer" stores the referral.
func (s *Server) referralSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	switch r.PostForm.Get("action") {
	case "draft":
		return s.saveDraft(w, r)
	case "discard":
		if err := s.referrals().DiscardDraft(r.Context(), s.by(r)); err != nil {
			return err
		}
		http.Redirect(w, r, "/referrals/new", http.StatusSeeOther)
		return nil
	}
	ref, idem, perr := parseReferralForm(r.PostForm)
	form := &referralForm{R: ref, Idem: idem, Selected: selected(ref), Lists: lists(), Profile: s.formProfile(ref), Errors: map[string]string{}}
	if perr != nil {
		form.Errors = fieldErrors(perr)
		return s.render(w, http.StatusUnprocessableEntity, "referral_new", s.formPage(r, form))
	}
	svc := s.referrals()
	if r.PostForm.Get("action") != "refer" {
		plan, err := svc.Screen(r.Context(), s.by(r), ref)
		if err != nil && !errs.Is(err, errs.Invalid) && !isIntakeErrors(err) {
			return err
		}
		if err == nil {
			form.Plan = &plan
		} else {
			form.Errors = fieldErrors(err)
		}
		if r.Header.Get("X-Haven-Fragment") == "screening" {
			return s.renderFragment(w, "screening_panel", s.newPage(r, "intake.title", "referrals", form))
		}
		return s.render(w, http.StatusOK, "referral_new", s.formPage(r, form))
	}
	out, err := svc.Submit(r.Context(), s.by(r), ref, idem)
	if err != nil {
		if errs.Is(err, errs.Invalid) || isIntakeErrors(err) {
			form.Errors = fieldErrors(err)
			return s.render(w, http.StatusUnprocessableEntity, "referral_new", s.formPage(r, form))
		}
		return err
	}
	http.Redirect(w, r, "/referrals/"+out.Referral.ID+"?sent=1", http.StatusSeeOther)
	return nil
}

// saveDraft keeps the form as it stands (the page's script saves it as
// the interview goes, the "Save draft" button without a script) and
// answers the script with 204, a person with the form again.
func (s *Server) saveDraft(w http.ResponseWriter, r *http.Request) error {
	values := map[string][]string{}
	for k, v := range r.PostForm {
		if k != "action" {
			values[k] = v
		}
	}
	if err := s.referrals().SaveDraft(r.Context(), s.by(r), values); err != nil {
		return err
	}
	if r.Header.Get("X-Haven-Fragment") == "draft" {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	ref, idem, perr := parseReferralForm(r.PostForm)
	form := &referralForm{R: ref, Idem: idem, Selected: selected(ref), Lists: lists(), Profile: s.formProfile(ref), DraftSaved: true}
	if perr != nil {
		form.Errors = fieldErrors(perr)
	}
	return s.render(w, http.StatusOK, "referral_new", s.formPage(r, form))
}

// formPage is the referral form's page; its title starts "Error:" when
// the form has errors.
func (s *Server) formPage(r *http.Request, form *referralForm) *page {
	pg := s.newPage(r, "intake.title", "referrals", form)
	pg.TitleError = len(form.Errors) > 0
	return pg
}

func isIntakeErrors(err error) bool {
	var ie intake.Errors
	return errors.As(err, &ie)
}

func (s *Server) referrals() *referral.Service {
	return s.Services.Referrals
}

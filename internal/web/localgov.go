package web

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/localgov"
	"github.com/haven-nrm/haven/internal/threep"
)

// A local government's pages: its dashboard (profile, indicators,
// referral network, prevention and partnership records), its action plan,
// its 3P self-assessment, and CityShare. Each handler decodes its form or
// JSON into the service's input struct, calls one localgov method and
// renders.

func (s *Server) localgov() *localgov.Service { return s.Services.LocalGov }

// formInto fills the string and []string fields of the struct in points
// to, named by their `field` tags, from the posted form.
func formInto(r *http.Request, in any) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	v := reflect.ValueOf(in).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Tag.Get("field")
		if name == "" {
			continue
		}
		switch f := v.Field(i); f.Kind() {
		case reflect.String:
			f.SetString(r.PostForm.Get(name))
		case reflect.Slice:
			f.Set(reflect.ValueOf(r.PostForm[name]))
		}
	}
	return nil
}

// localgovPage is what the dashboard, plan and assessment pages show.
type localgovPage struct {
	D          localgov.Dashboard
	Lists      map[string][]string
	Kinds      []string
	Categories map[string]string
	Indicators []localgov.Indicator
	Questions  map[string][]threep.Question
	Pillars    []string
	Answers    []threep.Answer
	// Unmet are the latest assessment's unmet recommendations, each with
	// the plan's activities that would meet it.
	Unmet []unmetRec
	// Chosen are the latest assessment's answers, to fill the form.
	Chosen     map[string]string
	Year       int
	Today      string
	Statistics bool
	Error      string
	ErrorField string
}

type unmetRec struct {
	threep.Question
	Items []localgov.Item
}

// localgovData reads the dashboard and the page's lists.
func (s *Server) localgovData(r *http.Request) (localgovPage, error) {
	p := principal(r)
	d, err := s.localgov().Dashboard(r.Context(), p)
	if err != nil {
		return localgovPage{}, err
	}
	now := s.now()
	page := localgovPage{D: d, Lists: localgov.Lists, Kinds: localgov.Kinds, Categories: localgov.Categories, Indicators: localgov.Indicators,
		Questions: map[string][]threep.Question{}, Answers: threep.Answers, Year: now.Year(), Today: now.UTC().Format(time.DateOnly),
		Statistics: access.Allowed(access.ViewStatistics, p, access.Resource{}), Chosen: map[string]string{}}
	for _, pl := range threep.Pillars {
		page.Pillars = append(page.Pillars, string(pl))
	}
	for _, q := range threep.Questions {
		page.Questions[string(q.Pillar)] = append(page.Questions[string(q.Pillar)], q)
	}
	if a, ok := d.Latest(); ok {
		for k, v := range a.Answers {
			page.Chosen[k] = string(v)
		}
		for _, q := range threep.Unmet(a.Answers) {
			u := unmetRec{Question: q}
			for _, it := range d.Items {
				if it.Recommendation == q.Code {
					u.Items = append(u.Items, it)
				}
			}
			page.Unmet = append(page.Unmet, u)
		}
	}
	return page, nil
}

// now is the server's clock.
func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// localgovShow renders one of the local government's pages.
func (s *Server) localgovShow(tmpl, title string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		page, err := s.localgovData(r)
		if err != nil {
			return err
		}
		return s.render(w, http.StatusOK, tmpl, s.newPage(r, title, "localgov", page))
	}
}

// localgovDone returns to a page after a write, or shows it again with
// the reason the input was refused.
func (s *Server) localgovDone(w http.ResponseWriter, r *http.Request, err error, tmpl, title, back string) error {
	if err == nil {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	if errs.KindOf(err) != errs.Invalid {
		return err
	}
	page, perr := s.localgovData(r)
	if perr != nil {
		return perr
	}
	page.Error = s.refusalMessage(r, err)
	var e *errs.Error
	if errors.As(err, &e) && e.Field != "" {
		// The field's label, when the form has one.
		if key := "localgov.field." + e.Field; !strings.HasPrefix(s.localizer(r).T(key), "⟦") {
			page.ErrorField = e.Field
		}
	}
	return s.render(w, http.StatusUnprocessableEntity, tmpl, s.newPage(r, title, "localgov", page))
}

func (s *Server) localgovProfileSave(w http.ResponseWriter, r *http.Request) error {
	var in localgov.ProfileInput
	if err := formInto(r, &in); err != nil {
		return err
	}
	err := s.localgov().SaveProfile(r.Context(), principal(r), in)
	return s.localgovDone(w, r, err, "localgov", "localgov.title", "/localgov")
}

func (s *Server) localgovRecordAdd(w http.ResponseWriter, r *http.Request) error {
	var in localgov.RecordInput
	if err := formInto(r, &in); err != nil {
		return err
	}
	_, err := s.localgov().AddRecord(r.Context(), principal(r), in)
	return s.localgovDone(w, r, err, "localgov", "localgov.title", "/localgov#records")
}

func (s *Server) localgovItemAdd(w http.ResponseWriter, r *http.Request) error {
	var in localgov.ItemInput
	if err := formInto(r, &in); err != nil {
		return err
	}
	_, err := s.localgov().AddItem(r.Context(), principal(r), in)
	return s.localgovDone(w, r, err, "localgov_plan", "localgov.plan.title", "/localgov/plan")
}

func (s *Server) localgovProgress(w http.ResponseWriter, r *http.Request) error {
	var in localgov.ProgressInput
	if err := formInto(r, &in); err != nil {
		return err
	}
	err := s.localgov().RecordProgress(r.Context(), principal(r), r.PathValue("id"), in)
	return s.localgovDone(w, r, err, "localgov_plan", "localgov.plan.title", "/localgov/plan")
}

// localgovPartnerInvite invites a user to contribute to one activity.
func (s *Server) localgovPartnerInvite(w http.ResponseWriter, r *http.Request) error {
	var in localgov.PartnerInput
	if err := formInto(r, &in); err != nil {
		return err
	}
	err := s.localgov().InvitePartner(r.Context(), principal(r), r.PathValue("id"), in)
	return s.localgovDone(w, r, err, "localgov_plan", "localgov.plan.title", "/localgov/plan#item-"+url.PathEscape(r.PathValue("id")))
}

// contributionsPage is what a partner sees: the activities it was
// invited to, and nothing else of the plan.
type contributionsPage struct {
	Items []localgov.Contribution
	Today string
	Error string
	// ErrorField is never set: the partner's form names its fields in
	// its labels.
	ErrorField string
}

// localgovContributions lists the activities the user was invited to.
func (s *Server) localgovContributions(w http.ResponseWriter, r *http.Request) error {
	return s.renderContributions(w, r, http.StatusOK, "")
}

func (s *Server) renderContributions(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	items, err := s.localgov().Contributions(r.Context(), principal(r))
	if err != nil {
		return err
	}
	page := contributionsPage{Items: items, Today: s.now().UTC().Format(time.DateOnly), Error: msg}
	return s.render(w, status, "localgov_partner", s.newPage(r, "lg.partner.title", "", page))
}

// localgovContribute records a partner's progress on an activity it was
// invited to.
func (s *Server) localgovContribute(w http.ResponseWriter, r *http.Request) error {
	var in localgov.ProgressInput
	if err := formInto(r, &in); err != nil {
		return err
	}
	err := s.localgov().Contribute(r.Context(), principal(r), r.PathValue("id"), in)
	if err == nil {
		http.Redirect(w, r, "/localgov/contributions#item-"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
		return nil
	}
	if errs.KindOf(err) != errs.Invalid {
		return err
	}
	return s.renderContributions(w, r, http.StatusUnprocessableEntity, s.refusalMessage(r, err))
}

func (s *Server) localgovReviewAdd(w http.ResponseWriter, r *http.Request) error {
	var in localgov.ReviewInput
	if err := formInto(r, &in); err != nil {
		return err
	}
	err := s.localgov().AddReview(r.Context(), principal(r), in)
	return s.localgovDone(w, r, err, "localgov_plan", "localgov.plan.title", "/localgov/plan#reviews")
}

// assessmentInput reads the questionnaire: one radio group per question,
// evidence per pillar.
func assessmentInput(r *http.Request) (localgov.AssessmentInput, error) {
	if err := r.ParseForm(); err != nil {
		return localgov.AssessmentInput{}, errs.Wrap(errs.Invalid, err)
	}
	in := localgov.AssessmentInput{Year: r.PostForm.Get("year"), Answers: map[string]string{}, Evidence: map[string]string{}}
	for k, v := range r.PostForm {
		if q, ok := strings.CutPrefix(k, "q."); ok && len(v) > 0 {
			in.Answers[q] = v[0]
		}
		if p, ok := strings.CutPrefix(k, "evidence."); ok && len(v) > 0 {
			in.Evidence[p] = v[0]
		}
	}
	return in, nil
}

func (s *Server) threepAssess(w http.ResponseWriter, r *http.Request) error {
	in, err := assessmentInput(r)
	if err == nil {
		_, err = s.localgov().Assess(r.Context(), principal(r), in)
	}
	return s.localgovDone(w, r, err, "threep", "threep.title", "/localgov/assessment#result")
}

// apiLocalGov answers the dashboard as JSON: the same read, the same
// audit events, as the page.
func (s *Server) apiLocalGov(w http.ResponseWriter, r *http.Request) error {
	d, err := s.localgov().Dashboard(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiDashboard(d))
}

func (s *Server) apiLocalGovRecord(w http.ResponseWriter, r *http.Request) error {
	var in localgov.RecordInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	id, err := s.localgov().AddRecord(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"id": id})
}

func (s *Server) apiLocalGovProgress(w http.ResponseWriter, r *http.Request) error {
	var in localgov.ProgressInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.localgov().RecordProgress(r.Context(), principal(r), r.PathValue("id"), in); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id")})
}

// apiDashboard is the dashboard's JSON shape: snake_case, codes, counts.
func apiDashboard(d localgov.Dashboard) map[string]any {
	type ind struct {
		Code        string  `json:"code"`
		Numerator   string  `json:"numerator"`
		Denominator string  `json:"denominator,omitempty"`
		Source      string  `json:"source"`
		Period      string  `json:"period"`
		Target      float64 `json:"target"`
		Value       float64 `json:"value"`
		Known       bool    `json:"known"`
	}
	type rec struct {
		ID        string `json:"id"`
		Kind      string `json:"kind"`
		Category  string `json:"category"`
		Title     string `json:"title"`
		StartedOn string `json:"started_on"`
		EndedOn   string `json:"ended_on,omitempty"`
		Reach     int64  `json:"reach"`
		Cost      int64  `json:"cost"`
		Status    string `json:"status,omitempty"`
	}
	type item struct {
		ID          string `json:"id"`
		Pillar      string `json:"pillar"`
		Objective   string `json:"objective"`
		Title       string `json:"title"`
		Owner       string `json:"owner"`
		Budget      int64  `json:"budget"`
		Deadline    string `json:"deadline"`
		Indicator   string `json:"indicator"`
		Baseline    int64  `json:"baseline"`
		Target      int64  `json:"target"`
		Current     int64  `json:"current"`
		Status      string `json:"status"`
		Version     int64  `json:"version"`
		OriginCity  string `json:"origin_city,omitempty"`
		Recommended string `json:"recommendation,omitempty"`
	}
	type flow struct {
		From       string `json:"from"`
		To         string `json:"to"`
		Count      int64  `json:"count"`
		Suppressed bool   `json:"suppressed"`
		// Withheld says why: "primary" (fewer than min_count) or
		// "secondary" (so that a primary count cannot be worked out).
		Withheld string `json:"withheld,omitempty"`
	}
	out := map[string]any{"city": d.Profile.City, "population": d.Profile.Population}
	var inds []ind
	for _, v := range d.Indicators {
		inds = append(inds, ind{v.Code, v.Numerator, v.Denominator, v.Source, v.Period, v.Target, v.Value, v.Known})
	}
	recs := []rec{}
	for _, x := range d.Records {
		recs = append(recs, rec{x.ID, x.Kind, x.Category, x.Title, x.StartedOn, x.EndedOn, x.Reach, x.Cost, x.Status})
	}
	items := []item{}
	for _, it := range d.Items {
		items = append(items, item{it.ID, it.Pillar, it.Objective, it.Title, it.Owner, it.Budget, it.Deadline, it.Indicator, it.Baseline, it.Target,
			it.Current, it.Status, it.Version, it.OriginCity, it.Recommendation})
	}
	flows := []flow{}
	for _, f := range d.Network {
		flows = append(flows, flow{f.From, f.To, f.Count, f.Suppressed != "", f.Suppressed})
	}
	out["indicators"], out["records"], out["plan"], out["referral_network"], out["min_count"] = inds, recs, items, flows, d.MinCount
	if a, ok := d.Latest(); ok {
		out["threep"] = map[string]int{"year": a.Year, "prevention": a.Prevention, "protection": a.Protection, "prosecution": a.Prosecution, "total": a.Total}
	}
	return out
}

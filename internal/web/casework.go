package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/nrm"
)

// caseCommand is one change to a case, offered as a form on the case page
// (POST /cases/{id}/<name>) and in the API (POST /api/v1/cases/{id}/<name>).
type caseCommand struct {
	Name   string
	Action access.Action
	// Spec is the service method that carries the command out and the
	// fields it reads (from its input struct), which the API checks and
	// documents.
	Spec nrm.Spec
	// Section is the part of the case page the form sits in.
	Section string
}

// caseCommands lists every change to a case.
var caseCommands = []caseCommand{
	{"rg", access.DecideCase, nrm.Typed((*nrm.Service).DecideRG), "decisions"},
	{"consultation", access.DecideCase, nrm.Typed((*nrm.Service).Consult), "decisions"},
	{"cg", access.DecideCase, nrm.Typed((*nrm.Service).DecideCG), "decisions"},
	{"review", access.ReviewNegative, nrm.Typed((*nrm.Service).Review), "decisions"},
	{"reconsider", access.DecideCase, nrm.Typed((*nrm.Service).Reconsider), "decisions"},
	{"extend", access.DecideCase, nrm.Typed((*nrm.Service).Extend), "decisions"},
	{"item", access.RecordSupport, nrm.Untyped((*nrm.Service).RecordItem,
		"support_version", "item", "language", "date"), "steps"},
	{"consent", access.RecordSupport, nrm.Untyped((*nrm.Service).RecordConsent,
		"support_version", "purpose", "action", "recipient", "service", "by_guardian", "language", "date"), "consent"},
	{"assessment", access.RecordSupport, nrm.Untyped((*nrm.Service).Assess,
		"support_version", "individual_rating", "individual_factors", "household_rating", "household_factors", "community_rating", "community_factors", "needs"), "assessment"},
	{"goal", access.RecordSupport, nrm.Untyped((*nrm.Service).AddGoal,
		"support_version", "plan_type", "objective", "target_date"), "plan"},
	{"goal-status", access.RecordSupport, nrm.Untyped((*nrm.Service).UpdateGoal,
		"support_version", "goal", "status"), "plan"},
	{"offer", access.OfferService, nrm.Untyped((*nrm.Service).Offer,
		"support_version", "service", "agency", "location", "override_reason", "override_justification"), "services"},
	{"service", access.ActOnService, nrm.Untyped((*nrm.Service).ActOnService,
		"support_version", "referral", "action"), "services"},
	{"handover", access.HandOver, nrm.Untyped((*nrm.Service).HandOver,
		"support_version", "kind", "to_agency", "service", "override_reason", "override_justification"), "handovers"},
	{"handover-response", access.RespondHandover, nrm.Untyped((*nrm.Service).RespondHandover,
		"handover", "handover_version", "response", "reject_reason"), "handovers"},
	{"conference", access.HoldConference, nrm.Untyped((*nrm.Service).Conference,
		"held_on", "sectors", "agencies", "decisions", "action_owner", "action_due", "action_kind", "action_text"), "conferences"},
	{"guardian", access.AppointGuardian, nrm.Untyped((*nrm.Service).AppointGuardian,
		"guardian_name", "guardian_agency", "appointed_on", "guardian_contact"), "guardian"},
	{"task", access.ManageTasks, nrm.Untyped((*nrm.Service).AddTask,
		"owner", "due", "kind", "text"), "tasks"},
	{"task-done", access.ManageTasks, nrm.Untyped((*nrm.Service).CompleteTask,
		"task", "task_version"), "tasks"},
	{"investigation", access.RecordProsecution, nrm.Untyped((*nrm.Service).OpenInvestigation,
		"opened_on"), "prosecution"},
	{"suspect", access.RecordProsecution, nrm.Untyped((*nrm.Service).AddSuspect,
		"investigation", "investigation_version", "chain_role", "nature", "gender", "citizenship", "organised"), "prosecution"},
	{"charge", access.RecordProsecution, nrm.Untyped((*nrm.Service).AddCharge,
		"investigation", "investigation_version", "suspect", "provision", "offence", "note"), "prosecution"},
	{"proceeding", access.RecordProsecution, nrm.Untyped((*nrm.Service).RecordProceeding,
		"investigation", "investigation_version", "charge", "stage", "outcome", "date"), "prosecution"},
	{"sentence", access.RecordProsecution, nrm.Untyped((*nrm.Service).RecordSentence,
		"investigation", "investigation_version", "charge", "custodial_months", "life", "suspended", "fine_amount", "currency", "date"), "prosecution"},
	{"compensation", access.RecordProsecution, nrm.Untyped((*nrm.Service).RecordCompensation,
		"investigation", "investigation_version", "compensation", "charge", "ordered_amount", "paid_amount", "currency", "compensation_state", "date"), "prosecution"},
	{"participation", access.RecordProsecution, nrm.Untyped((*nrm.Service).RecordParticipation,
		"investigation", "investigation_version", "willing", "language", "measures", "date"), "prosecution"},
	{"non-punishment", access.RecordProsecution, nrm.Untyped((*nrm.Service).RaiseNonPunishment,
		"investigation", "investigation_version", "raised", "offence_category", "linked"), "prosecution"},
	{"investigation-close", access.RecordProsecution, nrm.Untyped((*nrm.Service).CloseInvestigation,
		"investigation", "investigation_version", "investigation_status"), "prosecution"},
	{"close", access.CloseCase, nrm.Typed((*nrm.Service).Close), "closure"},
	{"reopen", access.CloseCase, nrm.Typed((*nrm.Service).Reopen), "closure"},
}

// caseRoutes are the routes of the case commands.
func (s *Server) caseRoutes() []Route {
	var out []Route
	for _, c := range caseCommands {
		if formPages[c.Name] {
			out = append(out, Route{Pattern: "GET /cases/{id}/" + c.Name, Action: c.Action, Scoped: true, Handler: s.caseForm(c)})
		}
		out = append(out,
			Route{Pattern: "POST /cases/{id}/" + c.Name, Action: c.Action, Scoped: true, Handler: s.runCaseCommand(c, false)},
			Route{Pattern: "POST /api/v1/cases/{id}/" + c.Name, Action: c.Action, Scoped: true, Handler: s.runCaseCommand(c, true), API: true})
	}
	return out
}

// formInput reads a posted form.
type formInput url.Values

func (f formInput) Get(k string) string    { return url.Values(f).Get(k) }
func (f formInput) List(k string) []string { return f[k] }

// jsonInput reads a flat JSON object: strings, numbers, booleans and
// arrays of strings.
type jsonInput map[string]any

func (j jsonInput) Get(k string) string {
	switch v := j[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func (j jsonInput) List(k string) []string {
	switch v := j[k].(type) {
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return []string{"\x00"} // not a list of codes: refused as such
			}
			out = append(out, s)
		}
		return out
	case string:
		return []string{v}
	}
	return nil
}

func decodeCommand(r *http.Request) (jsonInput, error) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return nil, errs.Field("content_type", "error.bad_request", errors.New("Content-Type must be application/json"))
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	var in map[string]any
	if err := dec.Decode(&in); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, errTooLarge
		}
		return nil, errs.Field("body", "error.bad_request", err)
	}
	if dec.More() {
		return nil, errs.Field("body", "error.bad_request", errors.New("trailing data after the JSON object"))
	}
	return in, nil
}

// runCaseCommand applies one command to a case: the form answers with the
// case page (the change, or the refusal in words), the API with JSON.
func (s *Server) runCaseCommand(cmd caseCommand, api bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if !isID(id) {
			return errNotFound
		}
		opened, err := s.nrm.Open(r.Context(), principal(r), id, cmd.Action, false)
		if err != nil {
			return err
		}
		var in nrm.Input
		if api {
			j, err := decodeCommand(r)
			if err != nil {
				return err
			}
			for k := range j {
				if !slices.Contains(cmd.Spec.Fields, k) {
					return errs.Field(k, "error.bad_request", errors.New("unknown field"))
				}
			}
			in = j
		} else {
			if err := r.ParseForm(); err != nil {
				return errs.Wrap(errs.Invalid, err)
			}
			in = formInput(r.PostForm)
		}
		after, err := s.nrm.Apply(r.Context(), principal(r), opened, cmd.Spec.Run, in)
		if err != nil {
			kind := errs.KindOf(err)
			if api || (kind != errs.Invalid && kind != errs.Conflict && kind != errs.Forbidden) {
				return err
			}
			// A refused change shows its form again with the reason, in
			// words; a button's refusal shows the case.
			if formPages[cmd.Name] {
				return s.renderCase(w, r, cmd.Action, "case_form", cmd.Name, cmd.Section, err)
			}
			return s.showCase(w, r, cmd.Section, err)
		}
		if api {
			return writeJSON(w, http.StatusOK, map[string]any{"case_id": after.ID, "version": after.Version, "status": after.Status,
				"trafficking_status": after.TraffickingStatus})
		}
		http.Redirect(w, r, "/cases/"+id+"#"+cmd.Section, http.StatusSeeOther)
		return nil
	}
}

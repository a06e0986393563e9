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
	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/errs"
)

// caseCommand is one change to a case, offered as a form on the case page
// (POST /cases/{id}/<name>) and in the API (POST /api/v1/cases/{id}/<name>).
type caseCommand struct {
	Name   string
	Action access.Action
	// Spec is the service method that carries the command out and the
	// fields it reads (from its input struct), which the API checks and
	// documents.
	Spec cases.Spec
	// Section is the part of the case page the form sits in.
	Section string
}

// caseCommands lists every change to a case.
var caseCommands = []caseCommand{
	{"rg", access.DecideCase, cases.Typed((*cases.Service).DecideRG), "decisions"},
	{"consultation", access.DecideCase, cases.Typed((*cases.Service).Consult), "decisions"},
	{"cg", access.DecideCase, cases.Typed((*cases.Service).DecideCG), "decisions"},
	{"review", access.ReviewNegative, cases.Typed((*cases.Service).Review), "decisions"},
	{"reconsider", access.DecideCase, cases.Typed((*cases.Service).Reconsider), "decisions"},
	{"extend", access.DecideCase, cases.Typed((*cases.Service).Extend), "decisions"},
	{"item", access.RecordSupport, cases.Typed((*cases.Service).RecordItem), "steps"},
	{"consent", access.RecordSupport, cases.Typed((*cases.Service).RecordConsent), "consent"},
	{"assessment", access.RecordSupport, cases.Typed((*cases.Service).Assess), "assessment"},
	{"goal", access.RecordSupport, cases.Typed((*cases.Service).AddGoal), "plan"},
	{"goal-status", access.RecordSupport, cases.Typed((*cases.Service).UpdateGoal), "plan"},
	{"offer", access.OfferService, cases.Typed((*cases.Service).Offer), "services"},
	{"service", access.ActOnService, cases.Typed((*cases.Service).ActOnService), "services"},
	{"handover", access.HandOver, cases.Typed((*cases.Service).HandOver), "handovers"},
	{"handover-response", access.RespondHandover, cases.Typed((*cases.Service).RespondHandover), "handovers"},
	{"conference", access.HoldConference, cases.Typed((*cases.Service).Conference), "conferences"},
	{"guardian", access.AppointGuardian, cases.Typed((*cases.Service).AppointGuardian), "guardian"},
	{"task", access.ManageTasks, cases.Typed((*cases.Service).AddTask), "tasks"},
	{"task-done", access.ManageTasks, cases.Typed((*cases.Service).CompleteTask), "tasks"},
	{"investigation", access.RecordProsecution, cases.Typed((*cases.Service).OpenInvestigation), "prosecution"},
	{"suspect", access.RecordProsecution, cases.Typed((*cases.Service).AddSuspect), "prosecution"},
	{"charge", access.RecordProsecution, cases.Typed((*cases.Service).AddCharge), "prosecution"},
	{"proceeding", access.RecordProsecution, cases.Typed((*cases.Service).RecordProceeding), "prosecution"},
	{"sentence", access.RecordProsecution, cases.Typed((*cases.Service).RecordSentence), "prosecution"},
	{"compensation", access.RecordProsecution, cases.Typed((*cases.Service).RecordCompensation), "prosecution"},
	{"participation", access.RecordProsecution, cases.Typed((*cases.Service).RecordParticipation), "prosecution"},
	{"non-punishment", access.RecordProsecution, cases.Typed((*cases.Service).RaiseNonPunishment), "prosecution"},
	{"investigation-refer", access.RecordProsecution, cases.Typed((*cases.Service).ReferInvestigation), "prosecution"},
	{"investigation-close", access.RecordProsecution, cases.Typed((*cases.Service).CloseInvestigation), "prosecution"},
	{"close", access.CloseCase, cases.Typed((*cases.Service).Close), "closure"},
	{"reopen", access.CloseCase, cases.Typed((*cases.Service).Reopen), "closure"},
}

// caseRoutes are the routes of the case commands.
func (s *Server) caseRoutes() []Route {
	var out []Route
	for _, c := range caseCommands {
		if formPages[c.Name] {
			out = append(out, Route{Pattern: "GET /cases/{id}/" + c.Name, Action: c.Action, Scoped: true, Handler: s.caseForm(c)})
		}
		if cases.CheckedForms[c.Name] {
			out = append(out, Route{Pattern: "POST /cases/{id}/" + c.Name + "/check", Action: c.Action, Scoped: true, Handler: s.caseCheck(c)})
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

// commandInput reads a command's posted form, or its JSON object with
// only the command's fields.
func (s *Server) commandInput(r *http.Request, cmd caseCommand, api bool) (cases.Input, error) {
	if !api {
		if err := r.ParseForm(); err != nil {
			return nil, errs.Wrap(errs.Invalid, err)
		}
		return formInput(r.PostForm), nil
	}
	j, err := decodeCommand(r)
	if err != nil {
		return nil, err
	}
	for k := range j {
		if !slices.Contains(cmd.Spec.Fields, k) {
			return nil, errs.Field(k, "error.bad_request", errors.New("unknown field"))
		}
	}
	return j, nil
}

// runCaseCommand applies one command to a case: the form answers with the
// case page (the change, or the refusal in words), the API with JSON.
func (s *Server) runCaseCommand(cmd caseCommand, api bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if !isID(id) {
			return errNotFound
		}
		// Input that cannot be read is refused as such, never shown
		// on the case page.
		var unreadable error
		decode := func() (cases.Input, error) {
			in, err := s.commandInput(r, cmd, api)
			unreadable = err
			return in, err
		}
		after, err := s.cases.Run(r.Context(), principal(r), id, cmd.Action, cmd.Spec.Run, decode)
		if err != nil {
			kind := errs.KindOf(err)
			if api || unreadable != nil || (kind != errs.Invalid && kind != errs.Conflict && kind != errs.Forbidden) {
				return err
			}
			// A refused change shows its form again with the reason, in
			// words; a button's refusal shows the case.
			if formPages[cmd.Name] {
				var again cases.Input
				if cases.CheckedForms[cmd.Name] {
					again = formInput(r.PostForm) // the values are kept
				}
				return s.renderCase(w, r, cmd.Action, "case_form", cmd.Name, cmd.Section, err, again)
			}
			return s.showCase(w, r, cmd.Section, err)
		}
		if api {
			return writeJSON(w, http.StatusOK, map[string]any{"case_id": after.ID, "version": after.Version, "status": after.Status,
				"trafficking_status": after.TraffickingStatus})
		}
		http.Redirect(w, r, "/cases/"+id+"?done="+cmd.Section+"#"+cmd.Section, http.StatusSeeOther)
		return nil
	}
}

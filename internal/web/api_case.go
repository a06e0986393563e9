package web

import (
	"encoding/json"
	"net/http"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/nrm"
	"github.com/haven-nrm/haven/internal/store"
)

// apiQueue answers the competent authority's queue: one page in queue
// order, with a cursor for the next.
func (s *Server) apiQueue(w http.ResponseWriter, r *http.Request) error {
	q, err := s.loadQueue(r)
	if err != nil {
		return err
	}
	if err := s.DB.RecordViews(r.Context(), s.event(r, "case.queue_view", "jurisdiction", principal(r).JurisdictionID, nil)); err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(q.Rows))
	for _, row := range q.Rows {
		it := map[string]any{"id": row.Case.ID, "reference": row.Case.Reference, "state": row.State, "urgent": row.Case.Urgent,
			"child": row.Case.Child, "overdue": row.Overdue, "created_at": store.FromMillis(row.Case.CreatedAt)}
		if !row.Deadline.IsZero() {
			it["rg_deadline"] = row.Deadline
		}
		items = append(items, it)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items, "next": q.Next})
}

// apiCase answers one case's dossier in codes; free text only to readers
// who may see identifying data. The view is audited.
func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) error {
	c, res, _, err := s.caseAccess(r, access.ViewCaseSummary)
	if err != nil {
		return err
	}
	d, err := s.nrm.Load(r.Context(), s.DB.R(), c)
	if err != nil {
		return err
	}
	body := map[string]any{
		"id": c.ID, "reference": c.Reference, "version": c.Version, "status": c.Status, "trafficking_status": c.TraffickingStatus,
		"agency_id": c.AgencyID, "jurisdiction_id": c.JurisdictionID, "gender": c.Gender, "age_band": c.AgeBand,
		"citizenship": c.Citizenship, "exploitation": c.Exploitation, "urgent": c.Urgent, "child": c.Child,
		"closure_reason": c.ClosureReason, "decision": json.RawMessage(nonEmptyJSON(c.Decision)),
		"support": map[string]any{"version": d.Support.Version, "checklist": d.Checklist, "consent": d.Ledger.Events,
			"overrides": d.Overrides, "assessments": d.Assessments},
		"service_referrals": d.Plan.Referrals, "goals": d.Goals, "handovers": d.Handovers, "conferences": d.Conferences, "tasks": d.Tasks,
		"investigations": investigationsJSON(d.Investigations), "guardian": nrm.Guardian(d, s.Now()),
	}
	identity := access.Allowed(access.ViewCaseIdentity, principal(r), res)
	if identity {
		notes := []map[string]any{}
		for _, n := range d.Notes {
			if n.Kind == nrm.NoteDecisionReason {
				continue // in decision_reasons, for readers allowed them
			}
			t, err := s.nrm.OpenNote(n)
			if err != nil {
				return err
			}
			notes = append(notes, map[string]any{"kind": n.Kind, "object_id": n.ObjectID, "text": t, "by": n.CreatedBy,
				"at": store.FromMillis(n.CreatedAt)})
		}
		body["notes"] = notes
	}
	reasons := access.Allowed(access.ViewReasons, principal(r), res)
	if reasons {
		if body["decision_reasons"], err = s.nrm.Reasons(d); err != nil {
			return err
		}
	}
	details := map[string]string{"via": "api"}
	if identity && len(d.Notes) > 0 {
		details["notes"] = "opened"
	}
	if err := s.DB.RecordViews(r.Context(), s.event(r, "case.view", "case", c.ID, details)); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, body)
}

func nonEmptyJSON(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

func investigationsJSON(xs []store.Investigation) []json.RawMessage {
	out := make([]json.RawMessage, 0, len(xs))
	for _, x := range xs {
		out = append(out, json.RawMessage(x.Record))
	}
	return out
}

// apiWork answers the signed-in user's open tasks and what has been
// offered to their agency.
func (s *Server) apiWork(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	tasks, err := store.OpenTasks(r.Context(), s.DB.R(), p.UserID, 200)
	if err != nil {
		return err
	}
	offered, err := store.HandoversTo(r.Context(), s.DB.R(), p.AgencyID, "pending", 100)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tasks": tasks, "offered": offered})
}

package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/haven-nrm/haven/internal/cases"
)

// apiQueue answers the competent authority's queue as the page filters
// it (the same query parameters, queueParams): one page in queue order,
// where it sits (from, to, total), the cursors of the pages before and
// after, and the filtered queue's counts.
func (s *Server) apiQueue(w http.ResponseWriter, r *http.Request) error {
	q, viewed, err := s.loadQueue(r)
	if err != nil {
		return err
	}
	if err := viewed(); err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(q.Rows))
	for _, row := range q.Rows {
		it := map[string]any{"id": row.Case.ID, "reference": row.Case.Reference, "state": row.State, "urgent": row.Case.Urgent,
			"child": row.Case.Child, "overdue": row.Overdue, "created_at": row.QueueItem.Created}
		if !row.Deadline.IsZero() {
			it["rg_deadline"] = row.Deadline
		}
		items = append(items, it)
	}
	counts := map[string]int{}
	for _, c := range q.Counts {
		counts[c.Kind] = c.N
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items, "next": q.Next, "prev": q.Page.Prev,
		"from": q.Page.From, "to": q.Page.To, "total": q.Page.Total, "size": q.Page.Size, "counts": counts})
}

// apiCase answers one case's dossier in codes; the identity and free
// text only to readers who may see identifying data. It renders the same
// read model as the case page, with the same audit events.
func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !isID(id) {
		return errNotFound
	}
	v, err := s.cases.View(r.Context(), principal(r), id, cases.Via{Route: cases.RouteAPI})
	if err != nil {
		return err
	}
	c, d := v.Case, v.D
	body := map[string]any{
		"id": c.ID, "reference": c.Reference, "version": c.Version, "status": c.Status, "trafficking_status": c.TraffickingStatus,
		"agency_id": c.AgencyID, "jurisdiction_id": c.JurisdictionID, "gender": c.Gender, "age_band": c.AgeBand,
		"citizenship": c.Citizenship, "exploitation": c.Exploitation, "urgent": c.Urgent, "child": c.Child,
		"closure_reason": c.ClosureReason, "decision": json.RawMessage(nonEmptyJSON(c.Decision)),
		"support": map[string]any{"version": d.Support.Version, "checklist": d.Checklist, "consent": d.Ledger.Events,
			"overrides": d.Overrides, "assessments": d.Assessments},
		"service_referrals": d.Plan.Referrals, "goals": d.Goals, "handovers": d.Handovers, "conferences": d.Conferences, "tasks": d.Tasks,
		"investigations": cases.InvestigationRecords(d), "guardian": cases.Guardian(d, s.Now()),
	}
	if v.Next.Kind != "" {
		next := map[string]any{"kind": v.Next.Kind, "overdue": v.Next.Overdue}
		if !v.Next.Due.IsZero() {
			next["due"], next["days"], next["unit"] = v.Next.Due.UTC().Format(time.RFC3339), v.Next.Days, v.Next.Unit
		}
		body["next_action"] = next
	}
	if v.CanIdentity {
		notes := []map[string]any{}
		for _, n := range v.Notes {
			notes = append(notes, map[string]any{"kind": n.Kind, "object_id": n.ObjectID, "text": n.Text, "by": n.By, "at": n.At})
		}
		body["notes"] = notes
		if v.Identity != nil {
			body["identity"] = v.Identity
		}
		if v.Erased {
			body["erased"] = true
		}
	}
	if v.CanReasons {
		body["decision_reasons"] = v.Reasons
	}
	if err := v.Viewed(); err != nil {
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

// apiWork answers the signed-in user's open tasks and what has been
// offered to their agency.
func (s *Server) apiWork(w http.ResponseWriter, r *http.Request) error {
	tasks, offered, err := s.cases.Tasks(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tasks": tasks, "offered": offered})
}

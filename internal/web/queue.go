package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/store"
)

// queueRow is one case in the competent authority's queue. The page
// shows fifty: their words are written here, in the reader's language, so
// that the template only places them.
type queueRow struct {
	Case     store.Case
	State    string
	Deadline time.Time
	Overdue  bool
	DueSoon  bool
	// Label, Due and Created are the state, the deadline ("" when none)
	// and the referral day as the reader reads them.
	Label, Due, Created string
}

type queuePage struct {
	Rows []queueRow
	Body template.HTML // the rows as table rows, for the page
	Next string
	Now  time.Time
}

// queueBody writes the queue's rows. Fifty rows of a dozen cells each cost
// the template more than everything else on the page, so they are written
// here, every value escaped.
func queueBody(L *i18n.Localizer, rows []queueRow) template.HTML {
	urgent, child, overdue, soon := L.T("case.urgent"), L.T("queue.child"), L.T("decision.overdue"), L.T("queue.due_soon")
	var f frag
	for _, r := range rows {
		f.m("<tr><td><a href=\"/cases/").text(r.Case.ID).m("\">").text(r.Case.Reference).m("</a>")
		if r.Case.Urgent {
			f.m(` <strong class="urgent">`).text(urgent).m("</strong>")
		}
		if r.Case.Child {
			f.m(` <span class="tag">`).text(child).m("</span>")
		}
		f.m("</td><td>").text(r.Label).m("</td><td>")
		switch {
		case r.Due == "":
			f.m("—")
		case r.Overdue:
			f.text(r.Due).m(` <strong class="urgent">`).text(overdue).m("</strong>")
		case r.DueSoon:
			f.text(r.Due).m(" <strong>").text(soon).m("</strong>")
		default:
			f.text(r.Due)
		}
		f.m("</td><td>").text(r.Created).m("</td></tr>\n")
	}
	return f.html()
}

// queueStates names what a queue stage waits for, with the state codes
// the case page uses; a review stage with a deadline is the review of a
// negative reasonable-grounds decision (queueRGReview).
var queueStates = map[int]string{casework.QueueAwaitingRG: string(casework.StateReferred),
	casework.QueueAwaitingReview: string(casework.StateCGNegativePendingReview), casework.QueueAwaitingCG: string(casework.StateRGPositive)}

const queueRGReview = string(casework.StateRGNegativePendingReview)

// loadQueue reads a page of the authority's queue from after a cursor.
func (s *Server) loadQueue(r *http.Request) (queuePage, error) {
	p := principal(r)
	after := r.URL.Query().Get("after")
	if len(after) > 200 || !isQueueCursor(after) {
		after = ""
	}
	cs, err := s.DB.Queue(r.Context(), p.JurisdictionID, after, 50)
	if err != nil {
		return queuePage{}, err
	}
	now := s.Now()
	out := queuePage{Now: now}
	j, err := s.nrm.Jurisdiction(r.Context(), p.JurisdictionID)
	if err != nil {
		return out, err
	}
	// The queue key says what is pending and by when; the next working
	// day is counted once for the page.
	soon := casework.AddWorkingDays(now, 1, s.nrm.Country(j.Country).Calendar)
	L := s.localizer(r)
	labels := map[string]string{}
	for _, st := range queueStates {
		labels[st] = L.T("code.cw_state." + st)
	}
	labels[queueRGReview] = L.T("code.cw_state." + queueRGReview)
	for _, c := range cs {
		stage, due, _, ok := casework.ParseKey(c.QueueKey)
		if !ok {
			continue
		}
		row := queueRow{Case: c, State: queueStates[stage], Created: L.Date(store.FromMillis(c.CreatedAt))}
		if stage == casework.QueueAwaitingReview && !due.IsZero() {
			row.State = queueRGReview
		}
		row.Label = labels[row.State]
		if stage == casework.QueueAwaitingRG {
			row.Deadline, row.Overdue = due, now.After(due)
			row.DueSoon = !row.Overdue && soon.After(due)
			row.Due = L.DateTime(due)
		}
		out.Rows = append(out.Rows, row)
	}
	if len(cs) == 50 {
		out.Next = cs[len(cs)-1].QueueKey
	}
	return out, nil
}

// isQueueCursor accepts a queue key: digits, dots and an id.
func isQueueCursor(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r == '.') {
			return false
		}
	}
	return true
}

// queue shows the competent authority's decisions to take: urgent cases
// first, then reasonable-grounds decisions by deadline (overdue ones
// marked), then reviews and conclusive decisions.
func (s *Server) queue(w http.ResponseWriter, r *http.Request) error {
	q, err := s.loadQueue(r)
	if err != nil {
		return err
	}
	viewed, err := s.DB.BeginViews(r.Context(), s.event(r, "case.queue_view", "jurisdiction", principal(r).JurisdictionID, nil))
	if err != nil {
		return err
	}
	q.Body = queueBody(s.localizer(r), q.Rows)
	return s.renderAfter(w, http.StatusOK, "queue", s.newPage(r, "queue.title", "queue", q), viewed)
}

// workPage is one user's work: tasks, handovers offered to the agency,
// services the agency provides, and alerts.
type workPage struct {
	Tasks         []store.Task
	Offered       []store.Handover
	Notifications []store.Notification
	Cases         map[string]string // case id → reference
	AgencyName    map[string]string
	Now           time.Time
}

// myWork shows the signed-in user's open tasks (overdue first), what has
// been offered to their agency, and their agency's unread alerts.
func (s *Server) myWork(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	var out workPage
	var err error
	out.Now = s.Now()
	if out.Tasks, err = store.OpenTasks(ctx, s.DB.R(), p.UserID, 200); err != nil {
		return err
	}
	if out.Offered, err = store.HandoversTo(ctx, s.DB.R(), p.AgencyID, "pending", 100); err != nil {
		return err
	}
	if access.Allowed(access.ViewNotifications, p, access.Resource{AgencyID: p.AgencyID, JurisdictionID: p.JurisdictionID}) {
		if out.Notifications, err = s.DB.Notifications(ctx, p.AgencyID); err != nil {
			return err
		}
	}
	out.Cases = map[string]string{}
	for _, h := range out.Offered {
		if c, err := s.DB.Case(ctx, h.CaseID); err == nil {
			out.Cases[h.CaseID] = c.Reference
		}
	}
	for _, n := range out.Notifications {
		if n.ObjectType == "case" {
			if c, err := s.DB.Case(ctx, n.ObjectID); err == nil {
				out.Cases[n.ObjectID] = c.Reference
			}
		}
	}
	agencies, err := s.DB.Agencies(ctx)
	if err != nil {
		return err
	}
	out.AgencyName = map[string]string{}
	for _, a := range agencies {
		out.AgencyName[a.ID] = a.Name
	}
	return s.render(w, http.StatusOK, "work", s.newPage(r, "work.title", "work", out))
}

package cases

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/export"
	"github.com/haven-nrm/haven/internal/store"
)

// The read models of the lists of cases: the case list, the export, the
// home page's counts, the authority's queue and a user's work.

// CaseList is the coded case list of p's scope: the newest fifty cases.
func (s *Service) CaseList(ctx context.Context, p access.Principal) ([]store.Case, error) {
	agencyID, jurisdictionID := access.CaseListScope(p)
	return s.DB.Cases(ctx, store.CaseFilter{AgencyID: agencyID, JurisdictionID: jurisdictionID, Limit: 50})
}

// ExportRow is one case of an export: coded values only.
type ExportRow struct {
	Case store.Case
	// State is the decision record's state.
	State   string
	Created time.Time
}

// ExportCases reads the coded case list of p's scope (at most
// export.MaxRows cases), has encode write it in format, and audits the
// export with its format and row count: nothing is audited when encode
// fails, and the caller sends the file only once this returns nil.
func (s *Service) ExportCases(ctx context.Context, p access.Principal, format string, encode func([]ExportRow) error) error {
	agencyID, jurisdictionID := access.CaseListScope(p)
	var rows []ExportRow
	err := s.DB.EachCase(ctx, store.CaseFilter{AgencyID: agencyID, JurisdictionID: jurisdictionID}, export.MaxRows, func(c store.Case) error {
		state := string(casework.StateReferred)
		var rec casework.Record
		if c.Decision != "" && json.Unmarshal([]byte(c.Decision), &rec) == nil {
			state = string(rec.State)
		}
		rows = append(rows, ExportRow{Case: c, State: state, Created: store.FromMillis(c.CreatedAt)})
		return nil
	})
	if err != nil {
		return err
	}
	if err := encode(rows); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Actor: p.UserID, Agency: p.AgencyID, Action: "case.export", ObjectType: "case_list", ObjectID: "scope",
			Details: map[string]string{"format": format, "rows": strconv.Itoa(len(rows))}})
	})
}

// Home is what the home page shows: the counts of records, and the
// agency's unread notices for a principal allowed them.
type Home struct {
	store.Counts
	// Notices are the agency's unread notifications: new and urgent
	// referrals, children referred, guardians requested, emergency access
	// to the agency's records.
	Notices []store.Notification
}

// Home reads the home page of p.
func (s *Service) Home(ctx context.Context, p access.Principal) (Home, error) {
	c, err := s.DB.Counts(ctx)
	if err != nil {
		return Home{}, err
	}
	h := Home{Counts: c}
	if access.Allowed(access.ViewNotifications, p, access.Resource{AgencyID: p.AgencyID, JurisdictionID: p.JurisdictionID}) {
		if h.Notices, err = s.DB.Notifications(ctx, p.AgencyID); err != nil {
			return Home{}, err
		}
	}
	return h, nil
}

// QueueItem is one case in the competent authority's queue.
type QueueItem struct {
	Case store.Case
	// Stage is what the case waits for (casework.Queue*); Due the
	// deadline of a reasonable-grounds decision or of the review of a
	// negative one (zero when none).
	Stage   int
	Due     time.Time
	Created time.Time
	// Tag says what is due and when, in the jurisdiction's days.
	Tag casework.Tag
}

// Queue is one page of the authority's queue.
type Queue struct {
	Items []QueueItem
	// Counts are the page's rows by tag kind, and "urgent".
	Counts map[string]int
	// Next is the cursor of the next page ("" on the last).
	Next string
	// Soon is the end of the next working day in the jurisdiction's
	// calendar: a deadline before it is due soon.
	Soon time.Time
	// Viewed waits for the view's audit event to commit.
	Viewed func() error
}

// QueuePage is the number of cases a page of the queue shows.
const QueuePage = 50

// Queue reads a page of p's jurisdiction's queue from after a cursor (a
// queue key; anything else starts from the beginning) and queues the
// view's audit event.
func (s *Service) Queue(ctx context.Context, p access.Principal, after string) (*Queue, error) {
	if len(after) > 200 || !isQueueCursor(after) {
		after = ""
	}
	cs, err := s.DB.Queue(ctx, p.JurisdictionID, after, QueuePage)
	if err != nil {
		return nil, err
	}
	j, err := s.Jurisdiction(ctx, p.JurisdictionID)
	if err != nil {
		return nil, err
	}
	// The queue key says what is pending and by when; the next working
	// day is counted once for the page.
	// "Soon" is counted with the jurisdiction's newest calendar, the one
	// new deadlines count with.
	cfg, _, err := s.rules(ctx, j.ID, s.Country(j.Country), "", true)
	if err != nil {
		return nil, err
	}
	now, cal := s.Now(), cfg.Calendar
	q := &Queue{Soon: casework.AddWorkingDays(now, 1, cal), Counts: map[string]int{}}
	for _, c := range cs {
		stage, due, _, ok := casework.ParseKey(c.QueueKey)
		if !ok {
			continue
		}
		it := QueueItem{Case: c, Stage: stage, Due: due, Created: store.FromMillis(c.CreatedAt), Tag: casework.QueueTag(c.QueueKey, now, cal.Location())}
		q.Items = append(q.Items, it)
		q.Counts[it.Tag.Kind]++
		if c.Urgent {
			q.Counts["urgent"]++
		}
	}
	if len(cs) == QueuePage {
		q.Next = cs[len(cs)-1].QueueKey
	}
	if q.Viewed, err = s.DB.BeginViews(ctx, audit.Event{Actor: p.UserID, Agency: p.AgencyID, Action: "case.queue_view",
		ObjectType: "jurisdiction", ObjectID: p.JurisdictionID}); err != nil {
		return nil, err
	}
	return q, nil
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

// Work is one user's work: open tasks, handovers offered to the agency,
// and the agency's unread alerts.
type Work struct {
	Tasks         []store.Task
	Offered       []store.Handover
	Notifications []store.Notification
	Cases         map[string]string // case id → reference
	AgencyName    map[string]string
}

// Work reads p's work: open tasks (overdue first), what has been offered
// to p's agency, and, for a principal allowed them, the agency's unread
// alerts, with the references of the cases they name.
func (s *Service) Work(ctx context.Context, p access.Principal) (*Work, error) {
	out := &Work{}
	var err error
	if out.Tasks, err = store.OpenTasks(ctx, s.DB.R(), p.UserID, 200); err != nil {
		return nil, err
	}
	if out.Offered, err = store.HandoversTo(ctx, s.DB.R(), p.AgencyID, "pending", 100); err != nil {
		return nil, err
	}
	if access.Allowed(access.ViewNotifications, p, access.Resource{AgencyID: p.AgencyID, JurisdictionID: p.JurisdictionID}) {
		if out.Notifications, err = s.DB.Notifications(ctx, p.AgencyID); err != nil {
			return nil, err
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
		return nil, err
	}
	out.AgencyName = map[string]string{}
	for _, a := range agencies {
		out.AgencyName[a.ID] = a.Name
	}
	return out, nil
}

// Tasks reads p's open tasks and what has been offered to p's agency, for
// the API.
func (s *Service) Tasks(ctx context.Context, p access.Principal) (tasks []store.Task, offered []store.Handover, err error) {
	if tasks, err = store.OpenTasks(ctx, s.DB.R(), p.UserID, 200); err != nil {
		return nil, nil, err
	}
	if offered, err = store.HandoversTo(ctx, s.DB.R(), p.AgencyID, "pending", 100); err != nil {
		return nil, nil, err
	}
	return tasks, offered, nil
}

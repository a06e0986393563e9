package cases

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/export"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/vocab"
)

// The read models of the lists of cases: the case list, the export, the
// home page's counts, the authority's queue and a user's work.

// CaseListQuery is what a reader asks of the case list: filters (codes
// only), the start of a reference, a page size and a cursor.
type CaseListQuery struct {
	// Status and Trafficking are codes of vocab.CaseStatuses and
	// vocab.TraffickingStatuses, or "".
	Status, Trafficking string
	Urgent, Child       bool
	Reference           string
	NotReference        bool // as in QueueQuery
	After, Before       string
	Size                int
}

// CaseList is one page of the coded case list of a scope.
type CaseList struct {
	Cases []store.Case
	Page
	Query CaseListQuery
}

// CaseList reads a page of the coded case list of p's scope, urgent and
// newest first, as q filters it, with the filtered list's length. The
// database filters, pages (by keyset) and counts.
func (s *Service) CaseList(ctx context.Context, p access.Principal, q CaseListQuery) (*CaseList, error) {
	if !vocab.CaseStatuses.Has(q.Status) {
		q.Status = ""
	}
	if !vocab.TraffickingStatuses.Has(q.Trafficking) {
		q.Trafficking = ""
	}
	q.Reference, q.NotReference = normalRef(q.Reference)
	q.Size = pageSize(q.Size)
	after, okAfter := store.ParseCaseCursor(q.After)
	before, okBefore := store.ParseCaseCursor(q.Before)
	if !okAfter {
		q.After = ""
	}
	if !okBefore {
		q.Before = ""
	}
	agencyID, jurisdictionID := access.CaseListScope(p)
	f := store.CaseListFilter{AgencyID: agencyID, JurisdictionID: jurisdictionID, Status: q.Status, TraffickingStatus: q.Trafficking,
		Urgent: q.Urgent, Child: q.Child, Reference: q.Reference}
	if q.NotReference {
		f.Reference = noReference
	}
	var a, b *store.CaseCursor
	switch {
	case okBefore:
		b = &before
	case okAfter:
		a = &after
	}
	cs, err := s.DB.CaseListRows(ctx, f, a, b, q.Size+1)
	if err != nil {
		return nil, err
	}
	if len(cs) > q.Size {
		if b != nil {
			cs = cs[1:]
		} else {
			cs = cs[:q.Size]
		}
	}
	var at *store.CaseCursor
	if len(cs) > 0 {
		k := cs[0].Cursor()
		at = &k
	}
	total, ahead, err := s.DB.CaseListTally(ctx, f, at)
	if err != nil {
		return nil, err
	}
	out := &CaseList{Cases: cs, Query: q, Page: Page{Total: total, Size: q.Size}}
	if len(cs) > 0 {
		out.From, out.To = ahead+1, ahead+len(cs)
		if out.From > 1 {
			out.Prev = cs[0].Cursor().String()
		}
		if out.To < total {
			out.Next = cs[len(cs)-1].Cursor().String()
		}
	}
	return out, nil
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

// Home is what the home page shows: the counts of records, the tiles of
// the reader's role, the referrals the reader made lately, and the
// agency's unread notices for a principal allowed them.
type Home struct {
	store.Counts
	// Tiles are the reader's work at a glance, each a count and a link,
	// in the order shown.
	Tiles []Tile
	// Recent are the referrals the reader made, newest first (for a
	// reader who may refer).
	Recent []store.Referral
	// Notices are the agency's unread notifications: new and urgent
	// referrals, children referred, guardians requested, emergency access
	// to the agency's records.
	Notices []store.Notification
}

// Tile is one tile of a home page: what it counts (Kind, the end of its
// translation key), how many (N) and where they are listed. A tile that
// only leads somewhere has N < 0.
type Tile struct {
	Kind string
	N    int
	Href string
}

// Tile kinds, by the work they count.
const (
	TileOverdue   = "overdue"    // reasonable-grounds decisions past their deadline
	TileDueWeek   = "due_week"   // reasonable-grounds decisions due within seven days
	TileReview    = "review"     // negative decisions awaiting a second person's review
	TileWaitingCG = "waiting_cg" // conclusive decisions pending
	TileTasks     = "tasks"      // the reader's open tasks
	TileOffers    = "offers"     // handovers offered to the reader's agency awaiting an answer
	TileReferrals = "referrals"  // the referrals list
	TileCases     = "cases"      // the case list
	TileStats     = "statistics" // the statistics
	TileUsers     = "users"      // the accounts an administrator keeps
)

// recentReferrals is how many of a reader's referrals the home page lists.
const recentReferrals = 5

// Home reads the home page of p. Which tiles p sees is decided by
// access.Decide on each tile's action, in p's own agency and
// jurisdiction; their counts are aggregates done by the database.
func (s *Service) Home(ctx context.Context, p access.Principal) (Home, error) {
	c, err := s.DB.Counts(ctx)
	if err != nil {
		return Home{}, err
	}
	h := Home{Counts: c}
	own := access.Resource{AgencyID: p.AgencyID, JurisdictionID: p.JurisdictionID}
	if access.Decide(access.ViewQueue, p, own).Allow {
		j, err := s.Jurisdiction(ctx, p.JurisdictionID)
		if err != nil {
			return Home{}, err
		}
		now, loc := s.Now(), s.Country(j.Country).Calendar.Location()
		bands := casework.TagBands(now, loc)
		kinds := []string{TileOverdue, TileDueWeek, TileReview, TileWaitingCG}
		band := map[string]string{TileOverdue: casework.TagOverdue, TileDueWeek: casework.DueWeek, TileReview: casework.TagReview, TileWaitingCG: casework.TagWaitingCG}
		kr := make([]store.KeyRange, len(kinds))
		for i, k := range kinds {
			kr[i] = store.KeyRange(bands[band[k]])
		}
		t, err := s.tally(ctx, "home|"+p.JurisdictionID, func(ctx context.Context) (store.QueueTally, error) {
			return s.DB.QueueTally(ctx, store.QueueFilter{JurisdictionID: p.JurisdictionID}, "", kr)
		})
		if err != nil {
			return Home{}, err
		}
		href := map[string]string{TileOverdue: "/queue?overdue=1", TileDueWeek: "/queue?stage=" + casework.StageRG,
			TileReview: "/queue?stage=" + casework.StageReview, TileWaitingCG: "/queue?stage=" + casework.StageCG}
		for i, k := range kinds {
			h.Tiles = append(h.Tiles, Tile{Kind: k, N: t.Bands[i], Href: href[k]})
		}
	}
	if access.Decide(access.ViewMyWork, p, own).Allow {
		n, err := s.DB.CountOpenTasks(ctx, p.UserID)
		if err != nil {
			return Home{}, err
		}
		h.Tiles = append(h.Tiles, Tile{Kind: TileTasks, N: n, Href: "/work"})
		if access.Decide(access.RespondHandover, p, own).Allow {
			if n, err = s.DB.CountHandoversTo(ctx, p.AgencyID, "pending"); err != nil {
				return Home{}, err
			}
			h.Tiles = append(h.Tiles, Tile{Kind: TileOffers, N: n, Href: "/work"})
		}
	}
	if access.Decide(access.CreateReferral, p, own).Allow {
		if h.Recent, err = s.DB.ReferralsBy(ctx, p.UserID, recentReferrals); err != nil {
			return Home{}, err
		}
	}
	for _, l := range []struct {
		a          access.Action
		kind, href string
	}{{access.ListReferrals, TileReferrals, "/referrals"}, {access.ListCases, TileCases, "/cases"},
		{access.ViewStatistics, TileStats, "/statistics"}, {access.ManageUsers, TileUsers, "/admin/users"}} {
		if access.Decide(l.a, p, own).Allow {
			h.Tiles = append(h.Tiles, Tile{Kind: l.kind, N: -1, Href: l.href})
		}
	}
	if access.Allowed(access.ViewNotifications, p, own) {
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

// QueueQuery is what a reader asks of the queue: filters (codes and ids
// only, never identifying data: they travel in links), a reference to
// search for, a page size and a cursor.
type QueueQuery struct {
	// Stage is a casework stage code (casework.StageCodes) or "".
	Stage                  string
	Urgent, Child, Overdue bool
	// Agency is the id of the agency holding the case, or "".
	Agency string
	// Reference is the start of a case reference (any case).
	Reference string
	// NotReference is set when what was searched for is not a
	// reference: it is dropped, and nothing matches.
	NotReference bool
	// After and Before are cursors: the page starts after one or ends
	// before the other.
	After, Before string
	// Size is the page size, one of PageSizes (anything else: the first).
	Size int
}

// PageSizes are the page sizes a list offers; the first is the default.
var PageSizes = []int{50, 25, 100}

// Page says where a page of a list sits: rows From to To (counted from 1)
// of Total, and the cursors of the pages before and after it ("" at
// either end).
type Page struct {
	From, To, Total int
	Prev, Next      string
	Size            int
}

// Queue is one page of the authority's queue as filtered.
type Queue struct {
	Items []QueueItem
	// Counts are the filtered queue's rows by tag kind, and "urgent".
	Counts map[string]int
	Page
	// Query is the query as understood: what it did not know is dropped.
	Query QueueQuery
	// Agencies are those of the jurisdiction, for the agency filter.
	Agencies []store.Agency
	// Soon is the end of the next working day in the jurisdiction's
	// calendar: a deadline before it is due soon.
	Soon time.Time
	// Viewed waits for the view's audit event to commit.
	Viewed func() error
}

// QueuePage is the number of cases a page of the queue shows unless the
// reader asks for another size.
const QueuePage = 50

// pageSize returns n if it is one of PageSizes, else the default.
func pageSize(n int) int {
	if slices.Contains(PageSizes, n) {
		return n
	}
	return PageSizes[0]
}

// normalReference upper-cases the start of a reference and drops the
// spaces around it. A reference is at most 40 letters, digits and hyphens:
// anything else (a name typed in the wrong box, say) is not one, and ok is
// false, so that it is neither searched for nor written into a link.
func normalReference(s string) (ref string, ok bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) > 40 {
		return "", false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return "", false
		}
	}
	return s, true
}

// normalRef is normalReference, answering whether the text was not a
// reference.
func normalRef(s string) (string, bool) {
	ref, ok := normalReference(s)
	return ref, !ok
}

// noReference is a reference prefix no reference has (references start
// with a letter): the search for something that is not a reference finds
// nothing.
const noReference = "~"

// clean drops from q what the queue does not know, so the page, its links
// and the audit event carry only codes and ids.
func (q QueueQuery) clean(agencies []store.Agency) QueueQuery {
	if !slices.Contains(casework.StageCodes, q.Stage) {
		q.Stage = ""
	}
	if !slices.ContainsFunc(agencies, func(a store.Agency) bool { return a.ID == q.Agency }) {
		q.Agency = ""
	}
	q.Reference, q.NotReference = normalRef(q.Reference)
	if len(q.After) > 200 || !isQueueCursor(q.After) {
		q.After = ""
	}
	if len(q.Before) > 200 || !isQueueCursor(q.Before) {
		q.Before = ""
	}
	q.Size = pageSize(q.Size)
	return q
}

// queueCountKinds are the tag kinds the queue counts.
var queueCountKinds = []string{casework.TagOverdue, casework.TagDueToday, casework.TagDueIn, casework.TagReview, casework.TagWaitingCG}

// Queue reads a page of p's jurisdiction's queue as q filters it, counts
// the filtered queue by what is due, and queues the view's audit event
// (with the filters' codes). The database filters, pages and counts: a
// page reads at most q.Size rows of an index, however long the queue.
func (s *Service) Queue(ctx context.Context, p access.Principal, q QueueQuery) (*Queue, error) {
	j, err := s.Jurisdiction(ctx, p.JurisdictionID)
	if err != nil {
		return nil, err
	}
	agencies, err := s.jurisdictionAgencies(ctx, p.JurisdictionID)
	if err != nil {
		return nil, err
	}
	q = q.clean(agencies)
	// "Soon" and the tag bands are counted with the jurisdiction's newest
	// calendar, the one new deadlines count with.
	cfg, _, err := s.rules(ctx, j.ID, s.Country(j.Country), "", true)
	if err != nil {
		return nil, err
	}
	now, cal := s.Now(), cfg.Calendar
	f := store.QueueFilter{JurisdictionID: p.JurisdictionID, Child: q.Child, AgencyID: q.Agency, Reference: q.Reference}
	if q.NotReference {
		f.Reference = noReference
	}
	for _, r := range (casework.QueueSelection{Stage: q.Stage, Urgent: q.Urgent, Overdue: q.Overdue}).Ranges(now) {
		f.Ranges = append(f.Ranges, store.KeyRange(r))
	}
	cs, err := s.DB.QueueRows(ctx, f, q.After, q.Before, q.Size+1)
	if err != nil {
		return nil, err
	}
	// One row more than the page says whether the list goes on in the
	// direction read.
	more := len(cs) > q.Size
	if more {
		if q.Before != "" {
			cs = cs[1:]
		} else {
			cs = cs[:q.Size]
		}
	}
	bands := casework.TagBands(now, cal.Location())
	kr := make([]store.KeyRange, len(queueCountKinds))
	for i, k := range queueCountKinds {
		kr[i] = store.KeyRange(bands[k])
	}
	t, err := s.tally(ctx, queueFilterKey(p.JurisdictionID, q), func(ctx context.Context) (store.QueueTally, error) {
		return s.DB.QueueTally(ctx, f, "", kr)
	})
	if err != nil {
		return nil, err
	}
	// A page read from a cursor starts after the rows before its first;
	// without one it starts at the first row.
	if len(cs) > 0 && (q.After != "" || q.Before != "") {
		if t.Before, err = s.DB.QueueBefore(ctx, f, cs[0].QueueKey); err != nil {
			return nil, err
		}
	}
	out := &Queue{Soon: casework.AddWorkingDays(now, 1, cal), Counts: map[string]int{"urgent": t.Urgent}, Query: q, Agencies: agencies}
	for i, k := range queueCountKinds {
		out.Counts[k] = t.Bands[i]
	}
	out.Page = Page{Total: t.Total, Size: q.Size}
	if len(cs) > 0 {
		out.From, out.To = t.Before+1, t.Before+len(cs)
		if out.From > 1 {
			out.Prev = cs[0].QueueKey
		}
		if out.To < t.Total {
			out.Next = cs[len(cs)-1].QueueKey
		}
	}
	for _, c := range cs {
		stage, due, _, ok := casework.ParseKey(c.QueueKey)
		if !ok {
			continue
		}
		out.Items = append(out.Items, QueueItem{Case: c, Stage: stage, Due: due, Created: store.FromMillis(c.CreatedAt),
			Tag: casework.QueueTag(c.QueueKey, now, cal.Location())})
	}
	if out.Viewed, err = s.DB.BeginViews(ctx, audit.Event{Actor: p.UserID, Agency: p.AgencyID, Action: "case.queue_view",
		ObjectType: "jurisdiction", ObjectID: p.JurisdictionID, Details: q.auditDetails()}); err != nil {
		return nil, err
	}
	return out, nil
}

// auditDetails are the filters of a view of the queue, as codes: whether
// a reference was searched for, not the reference.
func (q QueueQuery) auditDetails() map[string]string {
	d := map[string]string{}
	set := func(k string, on bool, v string) {
		if on {
			d[k] = v
		}
	}
	set("stage", q.Stage != "", q.Stage)
	set("urgent", q.Urgent, "1")
	set("child", q.Child, "1")
	set("overdue", q.Overdue, "1")
	set("agency", q.Agency != "", q.Agency)
	set("reference_search", q.Reference != "" || q.NotReference, "1")
	if len(d) == 0 {
		return nil
	}
	return d
}

// jurisdictionAgencies are the agencies of a jurisdiction, by name.
func (s *Service) jurisdictionAgencies(ctx context.Context, jurisdictionID string) ([]store.Agency, error) {
	all, err := s.DB.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.Agency
	for _, a := range all {
		if a.JurisdictionID == jurisdictionID {
			out = append(out, a)
		}
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

package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/casework"
	"github.com/haven-nrm/haven/internal/i18n"
)

// queueRow is one case in the competent authority's queue. The page
// shows fifty: their words are written here, in the reader's language, so
// that the template only places them.
type queueRow struct {
	cases.QueueItem
	State    string
	Deadline time.Time
	Overdue  bool
	DueSoon  bool
	// Label, Due, Created and TagText are the state, the deadline (""
	// when none), the referral day and what is due as the reader reads
	// them.
	Label, Due, Created, TagText string
}

type queuePage struct {
	Rows   []queueRow
	Counts []queueCount
	Body   template.HTML // the rows as table rows, for the page
	Next   string
	Now    time.Time
	// Query is the filters as understood, Page where the rows sit, and
	// the links to the pages before and after ("" at either end).
	Query            cases.QueueQuery
	Page             cases.Page
	PrevURL, NextURL string
	Selects          []filterSelect
	Flags            []filterFlag
	Sizes            []int
	Filtered         int // how many filters are set
	// Showing says which rows of how many the page shows.
	Showing string
}

// showing words "rows From–To of Total" in the reader's digits.
func showing(L *i18n.Localizer, p cases.Page) string {
	return L.T("queue.showing", "From", L.Number(int64(p.From)), "To", L.Number(int64(p.To)), "Total", L.Number(int64(p.Total)))
}

// filterOption is a choice of a filter's select.
type filterOption struct {
	Value, Label string
	Selected     bool
}

// filterSelect is one select of a list's filters: Name is its query
// parameter (and f-<name> its element's id), Options the choices after
// "any".
type filterSelect struct {
	Name, Label string
	Options     []filterOption
}

// filterFlag is one of a list's "only" checkboxes.
type filterFlag struct {
	Name, Label string
	Checked     bool
}

// queueParams are the query parameters of the queue's page and API.
var queueParams = []string{"stage", "urgent", "child", "overdue", "agency", "ref", "size", "after", "before"}

// queueQuery decodes the queue's filters from a link (queueParams): codes
// and ids only (the service drops what it does not know).
func queueQuery(v url.Values) cases.QueueQuery {
	size, _ := strconv.Atoi(v.Get("size"))
	return cases.QueueQuery{Stage: v.Get("stage"), Urgent: v.Get("urgent") == "1", Child: v.Get("child") == "1",
		Overdue: v.Get("overdue") == "1", Agency: v.Get("agency"), Reference: v.Get("ref"),
		After: v.Get("after"), Before: v.Get("before"), Size: size}
}

// values writes a queue query back as a link's values, without its
// cursor; the default page size is left out.
func queueValues(q cases.QueueQuery) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	flag := func(k string, on bool) {
		if on {
			v.Set(k, "1")
		}
	}
	set("stage", q.Stage)
	flag("urgent", q.Urgent)
	flag("child", q.Child)
	flag("overdue", q.Overdue)
	set("agency", q.Agency)
	set("ref", q.Reference)
	if q.Size != cases.PageSizes[0] {
		v.Set("size", strconv.Itoa(q.Size))
	}
	return v
}

// pageURL is path with v and one cursor.
func pageURL(path string, v url.Values, cursor, value string) string {
	if value == "" {
		return ""
	}
	w := url.Values{}
	for k, x := range v {
		w[k] = x
	}
	w.Set(cursor, value)
	return path + "?" + w.Encode()
}

// queueBody writes the queue's rows. Fifty rows of a dozen cells each cost
// the template more than everything else on the page, so they are written
// here, every value escaped.
func queueBody(L *i18n.Localizer, rows []queueRow) template.HTML {
	urgent, child := L.T("case.urgent"), L.T("queue.child")
	ref, state, next, created := L.T("case.reference"), L.T("decision.state"), L.T("queue.next_due"), L.T("case.created")
	var f frag
	for _, r := range rows {
		f.m("<tr><td data-label=\"").text(ref).m("\"><a href=\"/cases/").text(r.Case.ID).m("\">").text(r.Case.Reference).m("</a>")
		if r.Case.Urgent {
			f.m(` <strong class="urgent">`).text(urgent).m("</strong>")
		}
		if r.Case.Child {
			f.m(` <span class="tag">`).text(child).m("</span>")
		}
		f.m("</td><td data-label=\"").text(state).m("\">").text(r.Label).m("</td><td data-label=\"").text(next).m("\">")
		if r.TagText == "" {
			f.m("—")
		} else {
			f.m(`<strong class="due due-`).text(r.Tag.Kind).m(`">`).text(r.TagText).m("</strong>")
		}
		if r.Due != "" {
			f.m(" <span class=\"when\">").text(r.Due).m("</span>")
		}
		f.m("</td><td data-label=\"").text(created).m("\">").text(r.Created).m("</td></tr>\n")
	}
	return f.html()
}

// tagText words a queue row's tag.
func tagText(L *i18n.Localizer, t casework.Tag) string {
	switch t.Kind {
	case casework.TagOverdue:
		if t.Days == 0 {
			return L.T("queue.tag.overdue_today")
		}
		return L.N("queue.tag.overdue", t.Days)
	case casework.TagDueToday:
		return L.T("queue.tag.due_today")
	case casework.TagDueIn:
		return L.N("queue.tag.due_in", t.Days)
	case casework.TagReview:
		return L.T("queue.tag.review")
	case casework.TagWaitingCG:
		return L.N("queue.tag.waiting_cg", t.Days)
	}
	return ""
}

// queueCount is one of the counts above the queue.
type queueCount struct {
	Key  string
	Kind string
	N    int
	Href string // the queue narrowed to what is counted ("" when it is already)
}

// queueCountKinds are the counts shown, in order.
var queueCountKinds = []string{"urgent", casework.TagOverdue, casework.TagDueToday, casework.TagDueIn, casework.TagReview, casework.TagWaitingCG}

// queueStates names what a queue stage waits for, with the state codes
// the case page uses; a review stage with a deadline is the review of a
// negative reasonable-grounds decision (queueRGReview).
var queueStates = map[int]string{casework.QueueAwaitingRG: string(casework.StateReferred),
	casework.QueueAwaitingReview: string(casework.StateCGNegativePendingReview), casework.QueueAwaitingCG: string(casework.StateRGPositive)}

const queueRGReview = string(casework.StateRGNegativePendingReview)

// loadQueue reads a page of the authority's queue from after a cursor
// (its view queued for audit) and words its rows.
func (s *Server) loadQueue(r *http.Request) (queuePage, func() error, error) {
	q, err := s.cases.Queue(r.Context(), principal(r), queueQuery(r.URL.Query()))
	if err != nil {
		return queuePage{}, nil, err
	}
	now := s.Now()
	L := s.localizer(r)
	v := queueValues(q.Query)
	out := queuePage{Now: now, Next: q.Next, Query: q.Query, Page: q.Page, Sizes: cases.PageSizes,
		PrevURL: pageURL("/queue", v, "before", q.Prev), NextURL: pageURL("/queue", v, "after", q.Next), Showing: showing(L, q.Page)}
	stages := filterSelect{Name: "stage", Label: L.T("queue.filter.stage")}
	for _, st := range casework.StageCodes {
		stages.Options = append(stages.Options, filterOption{Value: st, Label: L.T("queue.stage." + st), Selected: st == q.Query.Stage})
	}
	agencies := filterSelect{Name: "agency", Label: L.T("queue.filter.agency")}
	for _, a := range q.Agencies {
		agencies.Options = append(agencies.Options, filterOption{Value: a.ID, Label: a.Name, Selected: a.ID == q.Query.Agency})
	}
	out.Selects = []filterSelect{stages, agencies}
	out.Flags = []filterFlag{{"urgent", L.T("queue.filter.urgent"), q.Query.Urgent}, {"child", L.T("queue.filter.child"), q.Query.Child},
		{"overdue", L.T("queue.filter.overdue"), q.Query.Overdue}}
	for _, on := range []bool{q.Query.Stage != "", q.Query.Urgent, q.Query.Child, q.Query.Overdue, q.Query.Agency != "", q.Query.Reference != "", q.Query.NotReference} {
		if on {
			out.Filtered++
		}
	}
	labels := map[string]string{}
	for _, st := range queueStates {
		labels[st] = L.T("code.cw_state." + st)
	}
	labels[queueRGReview] = L.T("code.cw_state." + queueRGReview)
	for _, it := range q.Items {
		row := queueRow{QueueItem: it, State: queueStates[it.Stage], Created: L.Date(it.Created)}
		if it.Stage == casework.QueueAwaitingReview && !it.Due.IsZero() {
			row.State = queueRGReview
		}
		row.Label = labels[row.State]
		row.TagText = tagText(L, it.Tag)
		if it.Stage == casework.QueueAwaitingRG || (it.Stage == casework.QueueAwaitingReview && !it.Due.IsZero()) {
			row.Deadline, row.Overdue = it.Due, now.After(it.Due)
			row.DueSoon = !row.Overdue && q.Soon.After(it.Due)
			row.Due = L.DateTime(it.Due)
		}
		out.Rows = append(out.Rows, row)
	}
	for _, k := range queueCountKinds {
		c := queueCount{Key: "queue.count." + k, Kind: k, N: q.Counts[k]}
		// Each count links to the queue narrowed to what it counts.
		nq := q.Query
		switch k {
		case "urgent":
			nq.Urgent = true
		case casework.TagOverdue:
			// Only a reasonable-grounds decision can be overdue.
			nq.Overdue = true
			if nq.Stage != "" {
				nq.Stage = casework.StageRG
			}
		case casework.TagDueToday, casework.TagDueIn:
			nq.Stage = casework.StageRG
		case casework.TagReview:
			nq.Stage = casework.StageReview
		case casework.TagWaitingCG:
			nq.Stage = casework.StageCG
		}
		if nq != q.Query {
			c.Href = "/queue?" + queueValues(nq).Encode()
		}
		out.Counts = append(out.Counts, c)
	}
	return out, q.Viewed, nil
}

// queue shows the competent authority's decisions to take: urgent cases
// first, then reasonable-grounds decisions by deadline (overdue ones
// marked), then reviews and conclusive decisions.
func (s *Server) queue(w http.ResponseWriter, r *http.Request) error {
	q, viewed, err := s.loadQueue(r)
	if err != nil {
		return err
	}
	q.Body = queueBody(s.localizer(r), q.Rows)
	return s.renderAfter(w, http.StatusOK, "queue", s.newPage(r, "queue.title", "queue", q), viewed)
}

// myWork shows the signed-in user's open tasks (overdue first), what has
// been offered to their agency, and their agency's unread alerts.
func (s *Server) myWork(w http.ResponseWriter, r *http.Request) error {
	work, err := s.cases.Work(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "work", s.newPage(r, "work.title", "work", workPage{Work: work, Now: s.Now()}))
}

// workPage is one user's work (cases.Work) as the page shows it.
type workPage struct {
	*cases.Work
	Now time.Time
}

package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/haven-nrm/haven/internal/cases"
	"github.com/haven-nrm/haven/internal/vocab"
)

// casesPage is a page of the coded case list with its filters.
type casesPage struct {
	*cases.CaseList
	PrevURL, NextURL string
	Selects          []filterSelect
	Flags            []filterFlag
	Sizes            []int
	Filtered         int
	Showing          string
}

// caseListQuery decodes the case list's filters from a link: codes only.
func caseListQuery(v url.Values) cases.CaseListQuery {
	size, _ := strconv.Atoi(v.Get("size"))
	return cases.CaseListQuery{Status: v.Get("status"), Trafficking: v.Get("trafficking"), Urgent: v.Get("urgent") == "1",
		Child: v.Get("child") == "1", Reference: v.Get("ref"), After: v.Get("after"), Before: v.Get("before"), Size: size}
}

// caseListValues writes a case-list query back as a link's values,
// without its cursor.
func caseListValues(q cases.CaseListQuery) url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"status": q.Status, "trafficking": q.Trafficking, "ref": q.Reference} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if q.Urgent {
		v.Set("urgent", "1")
	}
	if q.Child {
		v.Set("child", "1")
	}
	if q.Size != cases.PageSizes[0] {
		v.Set("size", strconv.Itoa(q.Size))
	}
	return v
}

// caseList shows a page of the coded case list of the principal's scope,
// filtered.
func (s *Server) caseList(w http.ResponseWriter, r *http.Request) error {
	cl, err := s.cases.CaseList(r.Context(), principal(r), caseListQuery(r.URL.Query()))
	if err != nil {
		return err
	}
	L := s.localizer(r)
	v := caseListValues(cl.Query)
	p := casesPage{CaseList: cl, Sizes: cases.PageSizes,
		PrevURL: pageURL("/cases", v, "before", cl.Prev), NextURL: pageURL("/cases", v, "after", cl.Next), Showing: showing(L, cl.Page)}
	statuses := filterSelect{Name: "status", Label: L.T("case.status")}
	for _, c := range vocab.CaseStatuses.Codes {
		statuses.Options = append(statuses.Options, filterOption{Value: c, Label: L.T("code.case_status." + c), Selected: c == cl.Query.Status})
	}
	trafficking := filterSelect{Name: "trafficking", Label: L.T("case.trafficking_status")}
	for _, c := range vocab.TraffickingStatuses.Codes {
		trafficking.Options = append(trafficking.Options, filterOption{Value: c, Label: L.T("code.trafficking_status." + c), Selected: c == cl.Query.Trafficking})
	}
	p.Selects = []filterSelect{statuses, trafficking}
	p.Flags = []filterFlag{{"urgent", L.T("queue.filter.urgent"), cl.Query.Urgent}, {"child", L.T("queue.filter.child"), cl.Query.Child}}
	for _, on := range []bool{cl.Query.Status != "", cl.Query.Trafficking != "", cl.Query.Urgent, cl.Query.Child, cl.Query.Reference != "", cl.Query.NotReference} {
		if on {
			p.Filtered++
		}
	}
	return s.render(w, http.StatusOK, "cases", s.newPage(r, "nav.cases", "cases", p))
}

package web

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"github.com/haven-nrm/haven/internal/cases"
)

// TestQueueParamsInOpenAPI holds the API document's query parameters of
// the queue to those the queue reads, and a query written back into a link
// to the same query.
func TestQueueParamsInOpenAPI(t *testing.T) {
	raw, err := assets.ReadFile("static/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, In string }
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range doc.Paths["/api/v1/queue"]["get"].Parameters {
		if p.In == "query" {
			got = append(got, p.Name)
		}
	}
	want := slices.Clone(queueParams)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("OpenAPI parameters of GET /api/v1/queue %v, the queue reads %v", got, want)
	}
	q := cases.QueueQuery{Stage: "review", Urgent: true, Child: true, Overdue: true, Agency: "0123456789abcdef0123456789abcdef", Reference: "NP-00", Size: 25}
	back := queueQuery(queueValues(q))
	if back != q {
		t.Errorf("a query through a link: %+v, want %+v", back, q)
	}
	for k := range queueValues(q) {
		if !slices.Contains(queueParams, k) {
			t.Errorf("a link carries %q, which the queue does not read", k)
		}
	}
	if v := queueValues(cases.QueueQuery{Size: cases.PageSizes[0]}); len(v) != 0 {
		t.Errorf("the unfiltered queue's link carries %v", url.Values(v))
	}
}

package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
)

// TestQueueAPIAndPagesFilter pages the API's queue by its cursors, finds a
// case by the start of its reference in lower case, and checks that a name
// typed in the reference search is refused and written into no link of the
// queue or the case list.
func TestQueueAPIAndPagesFilter(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ca := f.login(t, access.CompetentAuthority)
		st, first := getJSON(t, ca, f.srv.URL+"/api/v1/queue?size=25")
		items, _ := first["items"].([]any)
		total, _ := first["total"].(float64)
		if st != http.StatusOK || len(items) == 0 || first["from"] != float64(1) || first["to"] != float64(len(items)) || total < float64(len(items)) {
			t.Fatalf("API queue: %d %v", st, first)
		}
		if total > 25 {
			st, second := getJSON(t, ca, f.srv.URL+"/api/v1/queue?size=25&after="+url.QueryEscape(first["next"].(string)))
			if st != http.StatusOK || second["from"] != float64(26) || second["prev"] == "" {
				t.Fatalf("API queue, second page: %d %v", st, second)
			}
		}
		ref := items[0].(map[string]any)["reference"].(string)
		st, found := getJSON(t, ca, f.srv.URL+"/api/v1/queue?ref="+url.QueryEscape(strings.ToLower(ref)))
		if got, _ := found["items"].([]any); st != http.StatusOK || len(got) != 1 || got[0].(map[string]any)["reference"] != ref {
			t.Fatalf("API queue, searched for %s: %d %v", ref, st, found)
		}
		for _, path := range []string{"/queue", "/cases"} {
			resp, page := get(t, ca, f.srv.URL+path+"?child=1&ref="+url.QueryEscape("Maya Gurung"))
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="f-ref-error"`) {
				t.Fatalf("%s: a name in the reference search: %d, no message", path, resp.StatusCode)
			}
			if strings.Contains(page, "Maya") || strings.Contains(page, "Gurung") {
				t.Errorf("%s: the name typed in the search is written back into the page", path)
			}
		}
	})
}

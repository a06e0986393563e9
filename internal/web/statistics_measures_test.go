package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/stats"
)

// TestStatisticsMeasuresPageAndAPI: on both engines, the process measures
// (flows, decisions, timing, services, prosecution) that the API gives the
// roles who see statistics publish no count below k and mark every withheld
// one; the page draws a chart and a table for every section, with no
// missing translation; other roles and bad groupings are refused.
func TestStatisticsMeasuresPageAndAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		for _, role := range []access.Role{access.Analyst, access.CompetentAuthority, access.AgencyAdmin} {
			c := f.login(t, role)
			for _, q := range []string{"", "?by=year", "?by=jurisdiction&period=2025", "?by=quarter"} {
				resp, body := get(t, c, f.srv.URL+"/api/v1/statistics/measures"+q)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s %s: API %d: %s", role, q, resp.StatusCode, body)
				}
				var m stats.Measures
				if err := json.Unmarshal([]byte(body), &m); err != nil {
					t.Fatal(err)
				}
				tables := []stats.Table{m.Flows, m.Decisions, m.Conclusive, m.Services, m.Investigations, m.Charges, m.Compensation}
				for _, tm := range m.Timing {
					tables = append(tables, tm.Table)
					for _, g := range tm.Groups {
						if v, ok := g.Decided.Value(); g.Median != nil && (!ok || v < int64(m.K)) {
							t.Fatalf("%s %s: a median over %d decisions", role, q, v)
						}
					}
				}
				for i, tab := range tables {
					cells := append([]stats.Cell{tab.Total}, tab.ColumnTotals...)
					for _, r := range tab.Rows {
						cells = append(append(cells, r.Total), r.Cells...)
					}
					for _, c := range cells {
						v, ok := c.Value()
						if !ok && c.Suppressed != "primary" && c.Suppressed != "secondary" {
							t.Fatalf("%s %s table %d: an unmarked cell without a count", role, q, i)
						}
						if ok && v > 0 && v < int64(tab.K) {
							t.Fatalf("%s %s table %d: published %d below k = %d", role, q, i, v, tab.K)
						}
					}
				}
			}
			resp, page := get(t, c, f.srv.URL+"/statistics/measures?by=year")
			if resp.StatusCode != http.StatusOK || strings.Count(page, "<svg") < 9 || strings.Count(page, `<table class="stats">`) < 10 {
				t.Fatalf("%s: page %d with %d charts and %d tables", role, resp.StatusCode, strings.Count(page, "<svg"), strings.Count(page, `<table class="stats">`))
			}
			if missingKey.MatchString(page) {
				t.Fatalf("%s: missing translation: %s", role, missingKey.FindString(page))
			}
			if resp, _ := get(t, c, f.srv.URL+"/statistics/measures?by=gender"); resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("%s: an unknown grouping answers %d", role, resp.StatusCode)
			}
		}
		c := f.login(t, access.CaseWorker)
		if resp, _ := get(t, c, f.srv.URL+"/api/v1/statistics/measures"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a case worker gets the measures: %d", resp.StatusCode)
		}
	})
}

package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
)

// TestCaseAPI decides through the JSON API with a token: the queue lists
// the case, a reasonable-grounds decision moves it on, the same version
// again is a conflict that writes nothing, an unknown field is refused, and
// the dossier shows the decision's reason only to a reader allowed to see
// identifying data.
func TestCaseAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		caseID := f.refer(t, `{"sector":"labour_inspection","age":33,"gender":"Masculine","citizenship":"NP",
			"languages":["ne"],"exploitation":"labour","acts":["recruitment"],"means":["deception"],"purposes":["forced_labour"],
			"consent":"given","consent_language":"ne","identity":{"given_name":"Api","family_name":"Casetest"}}`)
		ca := f.user(t, access.CompetentAuthority)
		token, err := f.web.IssueTokenForTest(ctx, f.db, ca.ID)
		if err != nil {
			t.Fatal(err)
		}
		call := func(method, path, body string) (int, map[string]any) {
			t.Helper()
			resp, b := send(t, http.DefaultClient, method, f.srv.URL+path, body, bearer(token, body)...)
			var m map[string]any
			_ = json.Unmarshal([]byte(b), &m)
			return resp.StatusCode, m
		}
		status, q := call("GET", "/api/v1/queue", "")
		if status != 200 || !strings.Contains(fmt.Sprint(q["items"]), caseID) {
			t.Fatalf("queue: %d, the new case missing", status)
		}
		status, m := call("POST", "/api/v1/cases/"+caseID+"/rg", `{"version":1,"outcome":"positive","reason":"Credible; indicators present."}`)
		if status != 200 || m["version"].(float64) != 2 {
			t.Fatalf("rg: %d %v", status, m)
		}
		if status, m = call("POST", "/api/v1/cases/"+caseID+"/rg", `{"version":1,"outcome":"negative"}`); status != http.StatusConflict {
			t.Fatalf("stale version: %d %v, want 409", status, m)
		}
		if status, _ = call("POST", "/api/v1/cases/"+caseID+"/extend", `{"version":2,"new_end":"2020-01-01","role":"system_admin"}`); status != http.StatusBadRequest {
			t.Fatalf("unknown field: %d, want 400", status)
		}
		status, m = call("POST", "/api/v1/cases/"+caseID+"/extend", `{"version":2,"new_end":"2020-01-01"}`)
		if status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(m["error"]), "never shortened") {
			t.Fatalf("shortened period: %d %v", status, m)
		}
		status, d := call("GET", "/api/v1/cases/"+caseID, "")
		if status != 200 || d["version"].(float64) != 2 || !strings.Contains(fmt.Sprint(d["decision_reasons"]), "Credible") {
			t.Fatalf("dossier: %d version %v reasons %v", status, d["version"], d["decision_reasons"])
		}
		if !strings.Contains(fmt.Sprint(d["decision"]), "rg_positive") {
			t.Fatalf("the decision record does not show the positive RG: %v", d["decision"])
		}
	})
}

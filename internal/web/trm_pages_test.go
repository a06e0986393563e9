package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/store"
)

// The TRM pages answer their roles: the competent authority's overview and
// a case's cross-border page (consent recorded through its form, the SOP
// step through its button), and the system administrator's peers.
func TestTRMPages(t *testing.T) {
	f := sqliteFixture(t)
	ca := f.login(t, access.CompetentAuthority)
	get := func(c *http.Client, path string) (int, string) {
		t.Helper()
		resp, err := c.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(ca, "/trm"); code != 200 || !strings.Contains(body, `id="trm-fingerprint"`) {
		t.Fatalf("/trm: %d", code)
	}
	u := f.user(t, access.CompetentAuthority)
	cs, err := f.db.Cases(context.Background(), store.CaseFilter{JurisdictionID: u.JurisdictionID, Limit: 1})
	if err != nil || len(cs) == 0 {
		t.Fatalf("no case: %v", err)
	}
	var caseID string
	for _, c := range cs {
		caseID = c.ID
	}
	code, body := get(ca, "/cases/"+caseID)
	if code != 200 || !strings.Contains(body, `id="trm-link"`) {
		t.Fatalf("case page without the cross-border link: %d", code)
	}
	if code, body = get(ca, "/cases/"+caseID+"/trm"); code != 200 || !strings.Contains(body, `id="trm-sops"`) {
		t.Fatalf("case TRM page: %d", code)
	}
	post := func(c *http.Client, path string, v url.Values) string {
		t.Helper()
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		defer func() { c.CheckRedirect = nil }()
		resp, _ := send(t, c, "POST", f.srv.URL+path, v.Encode(), formHeader...)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
	if loc := post(ca, "/cases/"+caseID+"/trm/consent", url.Values{"purpose": {"return_reintegration"}, "country": {"TH"}, "action": {"given"}}); strings.Contains(loc, "error") {
		t.Fatalf("consent refused: %s", loc)
	}
	if loc := post(ca, "/cases/"+caseID+"/trm/consent", url.Values{"purpose": {"return_reintegration"}, "country": {"Thailand"}, "action": {"given"}}); !strings.Contains(loc, "error=country") {
		t.Fatalf("a country name instead of a code: %s", loc)
	}
	if loc := post(ca, "/cases/"+caseID+"/trm/step", url.Values{"sop": {"return_inclusion"}, "step": {"risk_assessment"}}); !strings.Contains(loc, "error=step_prerequisite") {
		t.Fatalf("risk assessment before the decision: %s", loc)
	}
	if _, body = get(ca, "/cases/"+caseID+"/trm?error=step_prerequisite"); !strings.Contains(body, `id="trm-error"`) {
		t.Fatal("the refusal is not shown")
	}
	if _, body = get(ca, "/cases/"+caseID+"/trm?error=%3Cscript%3E"); strings.Contains(body, `id="trm-error"`) {
		t.Fatal("an unknown error code is shown")
	}
	admin := f.login(t, access.SystemAdmin)
	if code, body := get(admin, "/admin/peers"); code != 200 || !strings.Contains(body, `id="peer-own-fingerprint"`) {
		t.Fatalf("/admin/peers: %d", code)
	}
	if code, _ := get(ca, "/admin/peers"); code == 200 {
		t.Fatal("the competent authority administers peers")
	}
}

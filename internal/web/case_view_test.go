package web_test

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/store"
)

// TestPageAndAPIViewsEmitSameAuditEvents opens one case's page, its API
// dossier and its decision letter as the same principal, and checks that
// the three write the same audit events, the route apart (the "via"
// detail, and the letter's own "case.letter" event saying in which
// language it was written): by the owning agency's case worker, and by a
// case worker of another agency under a break-glass grant, where every
// event is flagged with the grant.
func TestPageAndAPIViewsEmitSameAuditEvents(t *testing.T) {
	eachGlassScene(t, func(t *testing.T, g *glassScene) {
		ctx := t.Context()
		var err error
		base := g.f.srv.URL
		// A case with a person and a decision whose reason is sealed free
		// text, so that a view opens identifying data.
		caseID := g.f.refer(t, `{"sector":"labour_inspection","age":33,"gender":"Masculine",
			"citizenship":"NP","languages":["ne"],"exploitation":"labour","acts":["recruitment"],"means":["deception"],
			"purposes":["forced_labour"],"consent":"given","consent_language":"ne","identity":{"given_name":"Viewed","family_name":"Once"}}`)
		ca := g.f.login(t, access.CompetentAuthority)
		if status, out := postJSON(t, ca, base+"/api/v1/cases/"+caseID+"/rg",
			`{"version":1,"outcome":"positive","reason":"Credible account."}`); status != http.StatusOK {
			t.Fatalf("rg: %d %v", status, out)
		}
		if g.target, err = g.f.db.Case(ctx, caseID); err != nil {
			t.Fatal(err)
		}
		viewer := g.f.user(t, access.CompetentAuthority)
		// eventsOf fetches one route as actor and returns its events, each
		// as a comparable line without the route.
		eventsOf := func(c *http.Client, actor, route string) (lines []string, letters int) {
			t.Helper()
			var head int64
			if err := g.f.db.R().QueryRowContext(ctx, `SELECT seq FROM audit_head`).Scan(&head); err != nil {
				t.Fatal(err)
			}
			if resp, _ := get(t, c, base+route); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", route, resp.StatusCode)
			}
			evs, err := g.f.db.AuditEvents(ctx, store.AuditFilter{Actor: actor, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.Seq <= head {
					continue
				}
				if e.Action == "case.letter" {
					letters++
					continue
				}
				d := maps.Clone(e.Details)
				delete(d, "via")
				keys := slices.Sorted(maps.Keys(d))
				line := fmt.Sprintf("%s %s/%s flags=%d reason=%s", e.Action, e.ObjectType, e.ObjectID, e.Flags, e.Reason)
				for _, k := range keys {
					line += " " + k + "=" + d[k]
				}
				lines = append(lines, line)
			}
			slices.Sort(lines)
			return lines, letters
		}
		check := func(who string, c *http.Client, actor string, grant string) {
			t.Helper()
			page, _ := eventsOf(c, actor, g.path())
			api, _ := eventsOf(c, actor, "/api/v1"+g.path())
			letter, letters := eventsOf(c, actor, g.path()+"/letter")
			if !slices.Equal(page, api) || !slices.Equal(page, letter) {
				t.Fatalf("%s: the page, the API and the letter write different views:\npage   %v\napi    %v\nletter %v", who, page, api, letter)
			}
			if letters != 1 {
				t.Errorf("%s: the letter wrote %d case.letter events, want 1", who, letters)
			}
			var kinds []string
			for _, l := range page {
				kinds = append(kinds, strings.Fields(l)[0])
			}
			if !slices.Contains(kinds, "case.view") {
				t.Errorf("%s: no case.view event: %v", who, page)
			}
			if g.target.PersonID != "" && !slices.Contains(kinds, "person.view") {
				t.Errorf("%s: the identity was shown without a person.view event: %v", who, page)
			}
			if grant != "" {
				for _, l := range page {
					if !strings.Contains(l, fmt.Sprintf("flags=%d ", audit.FlagBreakGlass)) || !strings.Contains(l, "reason="+grant) {
						t.Errorf("%s: event not flagged with the grant: %s", who, l)
					}
				}
			}
		}
		check("the owning agency", ca, viewer.ID, "")

		outsider := g.signIn(t)
		if st, loc := g.breakGlass(t, outsider); st != http.StatusSeeOther || loc != g.path() {
			t.Fatalf("break-glass: %d %s", st, loc)
		}
		var grant string
		if err := g.f.db.R().QueryRowContext(ctx, `SELECT id FROM break_glass_grants WHERE user_id = $1`, g.outsider.ID).Scan(&grant); err != nil {
			t.Fatal(err)
		}
		check("under a break-glass grant", outsider, g.outsider.ID, grant)
	})
}

package web_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/access"
)

// The access matrix in docs/SECURITY.md is the documented policy: one row
// per route, one column per role, each cell one of
//
//	✓   allowed on any record
//	A   allowed in scope: the user's agency (the competent authority: its
//	    jurisdiction); outside it only with a break-glass grant, and only for
//	    roles that may see identifying data (reads only)
//	S   allowed in scope only, never under a break-glass grant (a change,
//	    or a read a grant does not open)
//	O   allowed on the user's own records only
//	C   allowed only on an action-plan activity the user was invited to
//	    contribute to (a local government's partner), whatever its agency
//	—   denied
//
// The test parses the table and checks access.Decide against it for every
// route × role (and anonymous) × resource in scope, out of scope, and out
// of scope under break-glass. A route missing from the table, or missing a
// policy, fails.
const matrixDoc = "../../docs/SECURITY.md"

var matrixRow = regexp.MustCompile("^\\| `([A-Z]+ [^`]+)` \\| `([a-z_.]+)` \\|(.*)\\|$")

func matrixColumns() []string {
	cols := []string{"anonymous"}
	for _, r := range access.Roles {
		cols = append(cols, string(r))
	}
	return cols
}

func cellFor(a access.Action, col string) string {
	ru, ok := access.Describe(a)
	if !ok {
		return "?"
	}
	if col == "anonymous" {
		if ru.Anonymous {
			return "✓"
		}
		return "—"
	}
	if !ru.Anonymous && ru.Roles != nil && !slices.Contains(ru.Roles, access.Role(col)) {
		return "—"
	}
	switch ru.Scope {
	case "agency":
		if ru.BreakGlass {
			return "A"
		}
		return "S"
	case "own":
		return "O"
	case "contributor":
		return "C"
	}
	return "✓"
}

func TestRouteRoleMatrix(t *testing.T) {
	f := sqliteFixture(t)
	routes := f.web.Routes()
	if os.Getenv("HAVEN_WRITE_MATRIX") != "" {
		fmt.Println("| route | action | " + strings.Join(matrixColumns(), " | ") + " |")
		fmt.Println("|---|---|" + strings.Repeat("---|", len(matrixColumns())))
		for _, rt := range routes {
			cells := make([]string, 0, len(matrixColumns()))
			for _, c := range matrixColumns() {
				cells = append(cells, cellFor(rt.Action, c))
			}
			fmt.Printf("| `%s` | `%s` | %s |\n", rt.Pattern, rt.Action, strings.Join(cells, " | "))
		}
	}
	doc, err := os.ReadFile(matrixDoc)
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string][]string{}
	actions := map[string]string{}
	for _, line := range strings.Split(string(doc), "\n") {
		m := matrixRow.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		var cells []string
		for _, c := range strings.Split(m[3], "|") {
			cells = append(cells, strings.TrimSpace(c))
		}
		documented[m[1]] = cells
		actions[m[1]] = m[2]
	}
	cols := matrixColumns()
	in := access.Resource{AgencyID: "agency-1", JurisdictionID: "jur-1", OwnerUserID: "user-1"}
	out := access.Resource{AgencyID: "agency-2", JurisdictionID: "jur-2", OwnerUserID: "user-2"}
	glass := out
	glass.BreakGlass = true
	checked := 0
	for _, rt := range routes {
		if !access.Known(rt.Action) {
			t.Errorf("route %s has no access policy", rt.Pattern)
			continue
		}
		cells, ok := documented[rt.Pattern]
		if !ok {
			t.Errorf("route %s is not in the access matrix of docs/SECURITY.md", rt.Pattern)
			continue
		}
		if actions[rt.Pattern] != string(rt.Action) {
			t.Errorf("route %s: documented action %s, route table says %s", rt.Pattern, actions[rt.Pattern], rt.Action)
		}
		if len(cells) != len(cols) {
			t.Errorf("route %s: %d cells, want %d", rt.Pattern, len(cells), len(cols))
			continue
		}
		for i, col := range cols {
			p := access.Principal{}
			if col != "anonymous" {
				p = access.Principal{UserID: "user-1", Role: access.Role(col), AgencyID: "agency-1", JurisdictionID: "jur-1"}
			}
			identityRole := slices.Contains([]access.Role{access.CaseWorker, access.CompetentAuthority, access.PoliceInvestigator,
				access.Prosecutor, access.ShelterStaff, access.ServiceProvider}, p.Role)
			var wantIn, wantOut, wantGlass bool
			switch cells[i] {
			case "✓":
				wantIn, wantOut, wantGlass = true, true, true
			case "A":
				wantIn, wantGlass = true, identityRole
			case "S":
				wantIn = true
			case "O":
				wantIn = true
			case "C":
				// None of the three resources is an activity the user
				// was invited to; one that is opens in and out of scope.
				for _, r := range []access.Resource{in, out} {
					r.Contributor = true
					checked++
					if !access.Decide(rt.Action, p, r).Allow {
						t.Errorf("%s as %s: an invited contributor is refused", rt.Pattern, col)
					}
				}
			case "—":
			default:
				t.Errorf("route %s, %s: unknown cell %q", rt.Pattern, col, cells[i])
				continue
			}
			for _, c := range []struct {
				name string
				res  access.Resource
				want bool
			}{{"in scope", in, wantIn}, {"out of scope", out, wantOut}, {"out of scope with break-glass", glass, wantGlass}} {
				checked++
				if got := access.Decide(rt.Action, p, c.res); got.Allow != c.want {
					t.Errorf("%s as %s, %s: Decide says %v (%s), the matrix says %s", rt.Pattern, col, c.name, got.Allow, got.Reason, cells[i])
				}
			}
		}
	}
	// Whatever the table says: no route that changes anything, and no
	// action a grant does not read, is ever allowed by a grant.
	for _, rt := range routes {
		method, _, _ := strings.Cut(rt.Pattern, " ")
		ru, _ := access.Describe(rt.Action)
		write := method != "GET" || !ru.BreakGlass
		for _, role := range access.Roles {
			p := access.Principal{UserID: "user-1", Role: role, AgencyID: "agency-1", JurisdictionID: "jur-1"}
			if d := access.Decide(rt.Action, p, glass); write && d.Reason == "break_glass" {
				t.Errorf("%s as %s: a break-glass grant allows it, but it is not a read of a case", rt.Pattern, role)
			}
		}
	}
	t.Logf("access matrix: %d routes × %d principals × 3 resources = %d decisions checked", len(routes), len(cols), checked)
	if checked == 0 {
		t.Fatal("no decisions checked")
	}
}

// Package disclosure holds the rules that keep a published number from
// pointing at a person: primary and complementary suppression of small
// cells, consistent cell-key perturbation, the geometric (discrete Laplace)
// mechanism of differential privacy with its ε ledger, and k-anonymous
// generalisation of a record export. It is pure: tables and records in,
// protected tables and records out; no I/O.
package disclosure

import "github.com/haven-nrm/haven/internal/errs"

// Code is a refusal of a disclosure rule.
type Code string

// Domain names the rule package in error texts and translation keys
// ("stats.error.<code>").
func (Code) Domain() string { return "stats" }

// Kind classifies every disclosure refusal as invalid input.
func (Code) Kind() errs.Kind { return errs.Invalid }

// Error is the refusal type of the package.
type Error = errs.Refusal[Code]

// The refusal codes.
const (
	CodeBudget    Code = "budget_exceeded" // a release would spend more ε than the budget left
	CodeEpsilon   Code = "epsilon"         // ε is not a positive number within bounds
	CodeThreshold Code = "threshold"       // k is below the smallest threshold allowed
	CodeShape     Code = "shape"           // a table's counts do not match its shape
)

// DefaultK is the default threshold: CTDC publishes no combination of
// quasi-identifiers held by fewer than 11 people, and Haven takes the same
// number for table cells.
const DefaultK = 11

// MinK is the smallest threshold a policy may set: below 3 a cell and its
// complement are one or two people.
const MinK = 3

// Status says how a cell is published.
type Status uint8

// The statuses of a cell.
const (
	Shown     Status = iota // published
	Primary                 // suppressed: fewer than k people
	Secondary               // suppressed so that a primary cell cannot be recovered from totals
)

func (s Status) String() string {
	switch s {
	case Primary:
		return "primary"
	case Secondary:
		return "secondary"
	}
	return "shown"
}

// Suppressed reports whether the cell is withheld.
func (s Status) Suppressed() bool { return s != Shown }

// Grid is a two-way table of counts in row-major order. A one-way table
// is a Grid of one row; a table of three or more dimensions is a Grid whose
// rows are the combinations of all dimensions but the last. Its totals are
// the row totals, the column totals and the grand total, and nothing else
// is published with it: the protection holds for exactly that set of
// linear relations.
type Grid struct {
	Rows, Cols int
	Counts     []int64
}

// Protected is a Grid extended by its totals, with the status of each
// entry. Entry (i, j) with i == Rows is a column total, j == Cols a row
// total, and (Rows, Cols) the grand total.
type Protected struct {
	Rows, Cols int
	Values     []int64  // (Rows+1) × (Cols+1), row-major
	Status     []Status // same layout
}

// At returns the value and status of entry (i, j) of the extended table.
func (p Protected) At(i, j int) (int64, Status) {
	n := i*(p.Cols+1) + j
	return p.Values[n], p.Status[n]
}

// extend computes the totals of g.
func extend(g Grid) Protected {
	w := g.Cols + 1
	p := Protected{Rows: g.Rows, Cols: g.Cols, Values: make([]int64, (g.Rows+1)*w), Status: make([]Status, (g.Rows+1)*w)}
	for i := 0; i < g.Rows; i++ {
		for j := 0; j < g.Cols; j++ {
			v := g.Counts[i*g.Cols+j]
			p.Values[i*w+j] = v
			p.Values[i*w+g.Cols] += v
			p.Values[g.Rows*w+j] += v
			p.Values[g.Rows*w+g.Cols] += v
		}
	}
	return p
}

// Suppress applies primary suppression to every entry (cells and totals)
// holding between 1 and k-1 people, then complementary suppression until no
// suppressed entry can be computed from the published ones through the
// table's row, column and grand totals.
//
// The published relations of the extended table are: every row, including
// the row of column totals, sums to its total, and likewise every column.
// Seen as a bipartite graph whose vertices are the lines of the extended
// table and whose edges are the suppressed entries, the values the
// suppressed entries can take (setting aside that counts are not negative)
// differ from the true ones by a combination of cycles; an entry is
// determined exactly when its edge lies on no cycle (a bridge). So the
// complementary step suppresses, for each bridge, the cheapest rectangle
// that closes a cycle through it, until no bridge is left. Zeros are
// published: that nobody is in a cell identifies no one.
func Suppress(g Grid, k int) (Protected, error) {
	if g.Rows < 1 || g.Cols < 1 || len(g.Counts) != g.Rows*g.Cols {
		return Protected{}, &Error{Code: CodeShape}
	}
	if k < MinK {
		return Protected{}, &Error{Code: CodeThreshold, Field: "k"}
	}
	for _, v := range g.Counts {
		if v < 0 {
			return Protected{}, &Error{Code: CodeShape}
		}
	}
	p := extend(g)
	for n, v := range p.Values {
		if v > 0 && v < int64(k) {
			p.Status[n] = Primary
		}
	}
	p.complete()
	return p, nil
}

// complete adds complementary suppressions until no suppressed entry is a
// bridge.
func (p *Protected) complete() {
	R, C := p.Rows+1, p.Cols+1
	for {
		bi, bj, ok := p.bridge()
		if !ok {
			return
		}
		// The cheapest rectangle (bi,bj) (bi,c) (r,c) (r,bj): its new
		// entries' total, then how many are new; the grand total costs
		// the most because it is the number most worth publishing.
		best, bestCost, bestNew := [2]int{-1, -1}, int64(-1), 0
		for r := 0; r < R; r++ {
			if r == bi {
				continue
			}
			for c := 0; c < C; c++ {
				if c == bj {
					continue
				}
				var cost int64
				added := 0
				for _, e := range [][2]int{{bi, c}, {r, c}, {r, bj}} {
					n := e[0]*C + e[1]
					if !p.Status[n].Suppressed() {
						cost += p.Values[n] + 1
						added++
					}
				}
				if bestCost < 0 || cost < bestCost || (cost == bestCost && added < bestNew) {
					best, bestCost, bestNew = [2]int{r, c}, cost, added
				}
			}
		}
		for _, e := range [][2]int{{bi, best[1]}, {best[0], best[1]}, {best[0], bj}} {
			n := e[0]*C + e[1]
			if !p.Status[n].Suppressed() {
				p.Status[n] = Secondary
			}
		}
	}
}

// bridge finds a suppressed entry that lies on no cycle of the line graph.
func (p *Protected) bridge() (int, int, bool) {
	R, C := p.Rows+1, p.Cols+1
	// Vertices: rows 0..R-1, columns R..R+C-1.
	adj := make([][]int, R+C) // edge ids
	type edge struct{ a, b, i, j int }
	var edges []edge
	for i := 0; i < R; i++ {
		for j := 0; j < C; j++ {
			if p.Status[i*C+j].Suppressed() {
				id := len(edges)
				edges = append(edges, edge{i, R + j, i, j})
				adj[i] = append(adj[i], id)
				adj[R+j] = append(adj[R+j], id)
			}
		}
	}
	if len(edges) == 0 {
		return 0, 0, false
	}
	// Tarjan's bridge finding by depth-first search.
	disc := make([]int, R+C)
	low := make([]int, R+C)
	for i := range disc {
		disc[i] = -1
	}
	t := 0
	var found = -1
	var dfs func(v, via int)
	dfs = func(v, via int) {
		disc[v], low[v] = t, t
		t++
		for _, id := range adj[v] {
			if id == via || found >= 0 {
				continue
			}
			e := edges[id]
			u := e.a
			if u == v {
				u = e.b
			}
			if disc[u] < 0 {
				dfs(u, id)
				low[v] = min(low[v], low[u])
				if low[u] > disc[v] && found < 0 {
					found = id
				}
			} else {
				low[v] = min(low[v], disc[u])
			}
		}
	}
	for v := 0; v < R+C && found < 0; v++ {
		if disc[v] < 0 && len(adj[v]) > 0 {
			dfs(v, -1)
		}
	}
	if found < 0 {
		return 0, 0, false
	}
	return edges[found].i, edges[found].j, true
}

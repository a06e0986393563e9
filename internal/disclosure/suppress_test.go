package disclosure

import (
	"math"
	"math/rand/v2"
	"testing"
)

// rank is the rank of the rows of m by Gaussian elimination (the matrices
// here are small and hold -1, 0, 1).
func rank(m [][]float64) int {
	a := make([][]float64, len(m))
	for i := range m {
		a[i] = append([]float64(nil), m[i]...)
	}
	if len(a) == 0 {
		return 0
	}
	r := 0
	for c := 0; c < len(a[0]) && r < len(a); c++ {
		p := -1
		for i := r; i < len(a); i++ {
			if math.Abs(a[i][c]) > 1e-9 && (p < 0 || math.Abs(a[i][c]) > math.Abs(a[p][c])) {
				p = i
			}
		}
		if p < 0 {
			continue
		}
		a[r], a[p] = a[p], a[r]
		for i := 0; i < len(a); i++ {
			if i != r && math.Abs(a[i][c]) > 1e-12 {
				f := a[i][c] / a[r][c]
				for j := c; j < len(a[i]); j++ {
					a[i][j] -= f * a[r][j]
				}
			}
		}
		r++
	}
	return r
}

// recoverable lists the suppressed entries an attacker who knows every
// published entry and the additivity of the table can compute exactly:
// those whose unit vector lies in the row space of the published linear
// relations restricted to the suppressed entries. It is an oracle
// independent of the graph argument Suppress relies on.
func recoverable(p Protected) [][2]int {
	R, C := p.Rows+1, p.Cols+1
	col := map[int]int{}
	var unknown [][2]int
	for i := 0; i < R; i++ {
		for j := 0; j < C; j++ {
			if p.Status[i*C+j].Suppressed() {
				col[i*C+j] = len(unknown)
				unknown = append(unknown, [2]int{i, j})
			}
		}
	}
	var eqs [][]float64
	line := func(entries [][2]int, total [2]int) {
		row := make([]float64, len(unknown))
		for _, e := range entries {
			if u, ok := col[e[0]*C+e[1]]; ok {
				row[u] += 1
			}
		}
		if u, ok := col[total[0]*C+total[1]]; ok {
			row[u] -= 1
		}
		eqs = append(eqs, row)
	}
	for i := 0; i < R; i++ {
		var es [][2]int
		for j := 0; j < C-1; j++ {
			es = append(es, [2]int{i, j})
		}
		line(es, [2]int{i, C - 1})
	}
	for j := 0; j < C; j++ {
		var es [][2]int
		for i := 0; i < R-1; i++ {
			es = append(es, [2]int{i, j})
		}
		line(es, [2]int{R - 1, j})
	}
	base := rank(eqs)
	var out [][2]int
	for u := range unknown {
		e := make([]float64, len(unknown))
		e[u] = 1
		if rank(append(eqs, e)) == base {
			out = append(out, unknown[u])
		}
	}
	return out
}

// randomGrid draws a table of the shapes statistics ask for: one to seven
// rows and columns, many small counts, some zeros, some large ones.
func randomGrid(r *rand.Rand) Grid {
	g := Grid{Rows: 1 + r.IntN(7), Cols: 1 + r.IntN(7)}
	for range g.Rows * g.Cols {
		var v int64
		switch r.IntN(4) {
		case 0:
			v = 0
		case 1:
			v = int64(1 + r.IntN(10))
		case 2:
			v = int64(r.IntN(40))
		default:
			v = int64(r.IntN(500))
		}
		g.Counts = append(g.Counts, v)
	}
	return g
}

// TestSuppressionProperties checks, over random tables, the two rules of
// the issue: no published entry (cell or total) holds between 1 and k-1
// people, and no suppressed entry can be recovered from the published
// entries and the table's row, column and grand totals.
func TestSuppressionProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 2026))
	for n := 0; n < 3000; n++ {
		g := randomGrid(r)
		k := []int{3, 5, 11}[n%3]
		p, err := Suppress(g, k)
		if err != nil {
			t.Fatal(err)
		}
		for e, v := range p.Values {
			if v > 0 && v < int64(k) && !p.Status[e].Suppressed() {
				t.Fatalf("table %d (%v): entry %d = %d < k=%d published", n, g, e, v, k)
			}
			if p.Status[e] == Primary && (v == 0 || v >= int64(k)) {
				t.Fatalf("table %d: entry %d = %d marked primary", n, e, v)
			}
		}
		if got := recoverable(p); len(got) > 0 {
			t.Fatalf("table %d (%dx%d %v, k=%d): suppressed entries %v recoverable; status %v", n, g.Rows, g.Cols, g.Counts, k, got, p.Status)
		}
	}
}

// TestSuppressionOracleCatchesSingleSuppression checks the oracle itself:
// a row with one suppressed cell is recoverable from the row total.
func TestSuppressionOracleCatchesSingleSuppression(t *testing.T) {
	p := extend(Grid{Rows: 2, Cols: 2, Counts: []int64{3, 40, 50, 60}})
	p.Status[0] = Primary
	if got := recoverable(p); len(got) != 1 || got[0] != [2]int{0, 0} {
		t.Fatalf("recoverable = %v, want the one suppressed cell", got)
	}
	// A rectangle of four suppressed cells is not recoverable.
	p.Status[1], p.Status[3], p.Status[4] = Secondary, Secondary, Secondary
	if got := recoverable(p); len(got) != 0 {
		t.Fatalf("recoverable = %v, want none", got)
	}
}

// TestSuppressExamples pins the behaviour on tables a reader can check by
// hand (UK NRM quarterly tables publish counts under 5 as "*" with the same
// complementary rule).
func TestSuppressExamples(t *testing.T) {
	cases := []struct {
		name string
		g    Grid
		k    int
		want []Status // of the extended table
	}{
		{"nothing small", Grid{1, 2, []int64{20, 30}}, 11,
			[]Status{Shown, Shown, Shown, Shown, Shown, Shown}},
		{"one small cell in a line takes the next smallest with it", Grid{1, 3, []int64{4, 30, 20}}, 11,
			[]Status{Primary, Shown, Secondary, Shown, Primary, Shown, Secondary, Shown}},
		{"zeros are published", Grid{1, 2, []int64{0, 30}}, 11,
			[]Status{Shown, Shown, Shown, Shown, Shown, Shown}},
	}
	for _, c := range cases {
		p, err := Suppress(c.g, c.k)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Status) != len(c.want) {
			t.Fatalf("%s: %d entries", c.name, len(p.Status))
		}
		for i := range c.want {
			if p.Status[i] != c.want[i] {
				t.Errorf("%s: status %v, want %v", c.name, p.Status, c.want)
				break
			}
		}
	}
}

func TestSuppressRefusesBadInput(t *testing.T) {
	if _, err := Suppress(Grid{2, 2, []int64{1, 2, 3}}, 11); err == nil {
		t.Error("shape mismatch accepted")
	}
	if _, err := Suppress(Grid{1, 1, []int64{5}}, 2); err == nil {
		t.Error("k = 2 accepted")
	}
	if _, err := Suppress(Grid{1, 1, []int64{-1}}, 11); err == nil {
		t.Error("negative count accepted")
	}
}

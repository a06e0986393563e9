package disclosure

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/haven-nrm/haven/internal/errs"
)

// cellKeyOf sums record keys as the store does (modulo 2^64).
func cellKeyOf(keys []uint64) uint64 {
	var s uint64
	for _, k := range keys {
		s += k
	}
	return s
}

// TestCellKeyConsistent: the same people give the same number, whatever the
// order or the question that gathered them (the ABS's consistency rule).
func TestCellKeyConsistent(t *testing.T) {
	ck := CellKey{Secret: []byte("instance secret")}
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([]uint64, 37)
	for i := range keys {
		keys[i] = r.Uint64() >> 1
	}
	a := ck.Perturb(37, cellKeyOf(keys))
	r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	if b := ck.Perturb(37, cellKeyOf(keys)); a != b {
		t.Fatalf("same records gave %d then %d", a, b)
	}
	if d := a - 37; d < -2 || d > 2 {
		t.Fatalf("perturbation %d beyond ±2", d)
	}
	if ck.Perturb(0, 0) != 0 {
		t.Fatal("an empty cell was perturbed")
	}
	other := CellKey{Secret: []byte("another instance")}
	same := 0
	for n := int64(20); n < 220; n++ {
		if other.Perturb(n, uint64(n)*7919) == ck.Perturb(n, uint64(n)*7919) {
			same++
		}
	}
	if same > 120 {
		t.Fatalf("noise does not depend on the secret: %d of 200 equal", same)
	}
}

// TestCellKeyDifferencing: two questions whose cells differ by a few cases
// (a published cell of n people, and the same cell with one or two more
// people — say a small suppressed group the attacker wants to count) must
// not reveal how many cases the difference holds. Without perturbation the
// published difference is the count itself; with it, the differences for
// one and for two cases overlap so much that the best possible guess (Bayes'
// rule over the observed distributions) is right at most 3 times in 4.
func TestCellKeyDifferencing(t *testing.T) {
	ck := CellKey{Secret: []byte("instance secret")}
	r := rand.New(rand.NewPCG(3, 4))
	const trials = 40000
	hist := [3]map[int64]int{nil, {}, {}}
	for range trials {
		n := int64(20 + r.IntN(200))
		keys := make([]uint64, n)
		for i := range keys {
			keys[i] = r.Uint64() >> 1
		}
		base := cellKeyOf(keys)
		d := 1 + r.IntN(2)
		extra := base
		for range d {
			extra += r.Uint64() >> 1
		}
		first := ck.Perturb(n, base)
		second := ck.Perturb(n+int64(d), extra)
		hist[d][second-first]++
	}
	best := 0
	for v := int64(-10); v <= 10; v++ {
		best += max(hist[1][v], hist[2][v])
	}
	if acc := float64(best) / trials; acc > 0.75 {
		t.Fatalf("the best differencing guess is right %.2f of the time", acc)
	}
	if len(hist[1]) < 5 {
		t.Fatalf("a one-case difference is published as only %d values: %v", len(hist[1]), hist[1])
	}
}

// TestCellKeyApplyKeepsPublishedAtLeastK: a perturbed published cell is
// never shown below k.
func TestCellKeyApplyKeepsPublishedAtLeastK(t *testing.T) {
	ck := CellKey{Secret: []byte("s")}
	r := rand.New(rand.NewPCG(5, 6))
	for range 500 {
		g := randomGrid(r)
		p, _ := Suppress(g, 11)
		keys := make([]uint64, len(g.Counts))
		for i := range keys {
			keys[i] = r.Uint64()
		}
		ck.Apply(&p, keys, 11)
		for n, v := range p.Values {
			if !p.Status[n].Suppressed() && v > 0 && v < 11 {
				t.Fatalf("published %d below k", v)
			}
		}
	}
}

type seeded struct{ r *rand.Rand }

func (s seeded) Float64() float64 { return s.r.Float64() }

// TestNoisyConsistent: the geometric mechanism's output is non-negative
// integers whose totals add up, and its noise has the variance of the
// discrete Laplace distribution, 2α/(1-α)².
func TestNoisyConsistent(t *testing.T) {
	src := seeded{rand.New(rand.NewPCG(7, 8))}
	g := Grid{Rows: 3, Cols: 4, Counts: []int64{0, 1, 2, 50, 100, 3, 0, 7, 900, 11, 12, 13}}
	var sum, sq float64
	const eps, runs = 0.5, 4000
	for range runs {
		p, err := Noisy(g, eps, src)
		if err != nil {
			t.Fatal(err)
		}
		R, C := p.Rows, p.Cols
		for i := 0; i <= R; i++ {
			var s int64
			for j := 0; j < C; j++ {
				v, _ := p.At(i, j)
				if v < 0 {
					t.Fatalf("negative count %d", v)
				}
				s += v
			}
			if tot, _ := p.At(i, C); tot != s {
				t.Fatalf("row %d sums to %d, total %d", i, s, tot)
			}
		}
		for j := 0; j <= C; j++ {
			var s int64
			for i := 0; i < R; i++ {
				v, _ := p.At(i, j)
				s += v
			}
			if tot, _ := p.At(R, j); tot != s {
				t.Fatalf("column %d sums to %d, total %d", j, s, tot)
			}
		}
		v, _ := p.At(2, 0) // 900: never clamped
		d := float64(v - 900)
		sum += d
		sq += d * d
	}
	alpha := math.Exp(-eps)
	want := 2 * alpha / ((1 - alpha) * (1 - alpha))
	mean := sum / runs
	variance := sq/runs - mean*mean
	if math.Abs(mean) > 0.3 || math.Abs(variance-want)/want > 0.15 {
		t.Fatalf("noise mean %.2f variance %.2f, want 0 and %.2f", mean, variance, want)
	}
}

// TestLedgerRefusesOverBudget: sequential composition — the ε of releases
// on the same jurisdiction and year add up, and a release that would pass
// the budget is refused.
func TestLedgerRefusesOverBudget(t *testing.T) {
	ledger := []Spend{{"j1", 2026, 0.5}, {"j1", 2026, 0.3}, {"j1", 2025, 1}, {"j2", 2026, 1}}
	if err := Admit(ledger, Spend{"j1", 2026, 0.2}, 1); err != nil {
		t.Fatalf("spend up to the budget refused: %v", err)
	}
	err := Admit(ledger, Spend{"j1", 2026, 0.3}, 1)
	if errs.CodeOf[Code](err) != CodeBudget {
		t.Fatalf("over-budget spend: %v", err)
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Key != "stats.error.budget_exceeded" {
		t.Fatalf("refusal key: %v", err)
	}
	if err := Admit(nil, Spend{"j1", 2026, 0}, 1); errs.CodeOf[Code](err) != CodeEpsilon {
		t.Fatalf("ε = 0: %v", err)
	}
	if err := Admit(nil, Spend{"j1", 2026, math.NaN()}, 1); errs.CodeOf[Code](err) != CodeEpsilon {
		t.Fatalf("ε = NaN: %v", err)
	}
}

// ageHierarchy: five-year bands, then children and adults, then withheld.
var ageHierarchy = Hierarchy{Name: "age_band", Levels: []func(string) string{AsRecorded,
	func(v string) string {
		if n, _ := strconv.Atoi(v); n < 18 {
			return "child"
		}
		return "adult"
	}, Withhold}}

// TestKAnonymity: after generalisation every combination of the
// quasi-identifiers occurs at least k times (CTDC's rule, k = 11), over
// random record sets, and what was done is reported.
func TestKAnonymity(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	hs := []Hierarchy{
		{Name: "sex", Levels: []func(string) string{AsRecorded, Withhold}},
		ageHierarchy,
		{Name: "citizenship", Levels: []func(string) string{AsRecorded, func(v string) string { return v[:1] }, Withhold}},
		{Name: "year", Levels: []func(string) string{AsRecorded, Withhold}},
	}
	countries := []string{"NP", "NG", "KH", "KR", "TH", "MN", "VN", "PH"}
	for trial := 0; trial < 60; trial++ {
		n := 20 + r.IntN(800)
		var recs [][]string
		for range n {
			recs = append(recs, []string{
				[]string{"m", "f", "x"}[r.IntN(3)],
				strconv.Itoa(r.IntN(60)),
				countries[r.IntN(len(countries))],
				strconv.Itoa(2020 + r.IntN(6)),
				"payload",
			})
		}
		for _, k := range []int{3, 11} {
			out, g := KAnonymise(recs, hs, k, 0.05)
			classes := map[string]int{}
			for _, rec := range out {
				classes[rec[0]+"|"+rec[1]+"|"+rec[2]+"|"+rec[3]]++
				if rec[4] != "payload" {
					t.Fatal("a column outside the quasi-identifiers changed")
				}
			}
			for c, m := range classes {
				if m < k {
					t.Fatalf("trial %d: class %q has %d < %d records", trial, c, m, k)
				}
			}
			if g.Records+g.Withheld != n || g.Records != len(out) {
				t.Fatalf("report %+v for %d records", g, n)
			}
			if g.Withheld > int(0.05*float64(n)) && g.Levels["sex"] < 1 {
				t.Fatalf("withheld %d of %d before generalising everything: %+v", g.Withheld, n, g)
			}
		}
	}
	// The greedy climb used for large lattices also reaches the bound.
	for trial := 0; trial < 20; trial++ {
		var classes []Class
		total := 0
		for range 40 {
			c := Class{Values: []string{[]string{"m", "f"}[r.IntN(2)], strconv.Itoa(r.IntN(60)), countries[r.IntN(len(countries))], "2025"}, Count: 1 + r.IntN(15)}
			total += c.Count
			classes = append(classes, c)
		}
		lv, sizes := planGreedy(classes, hs, 11, 0.05)
		if s := smallRecords(sizes, 11); s > int(0.05*float64(total)) && lv[0] < 1 {
			t.Fatalf("greedy plan %v leaves %d of %d records below k", lv, s, total)
		}
	}
	// A data set already k-anonymous is left as it is.
	var recs [][]string
	for range 30 {
		recs = append(recs, []string{"f", "25", "NP", "2025", "payload"})
	}
	_, g := KAnonymise(recs, hs, 11, 0)
	for q, l := range g.Levels {
		if l != 0 {
			t.Fatalf("%s generalised to %d on a k-anonymous set", q, l)
		}
	}
}

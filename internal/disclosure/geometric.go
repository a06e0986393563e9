package disclosure

import (
	"math"
)

// Source is a source of uniform random numbers in [0,1). Releases use a
// cryptographic source; tests pass a seeded one.
type Source interface{ Float64() float64 }

// MaxEpsilon bounds the ε of one release: above it the noise protects
// nothing worth the name.
const MaxEpsilon = 10.0

// CheckEpsilon refuses an ε that is not a positive number of at most
// MaxEpsilon.
func CheckEpsilon(eps float64) error {
	if !(eps > 0) || eps > MaxEpsilon || math.IsInf(eps, 0) {
		return &Error{Code: CodeEpsilon, Field: "epsilon"}
	}
	return nil
}

// geometric draws from the two-sided geometric (discrete Laplace)
// distribution P(x) ∝ α^|x| with α = exp(-ε): the difference of two
// geometric variables. A count changes by at most one when one person is
// added or removed (sensitivity 1), so each cell drawn this way is
// ε-differentially private (Ghosh, Roughgarden and Sundararajan 2009).
func geometric(eps float64, src Source) int64 {
	alpha := math.Exp(-eps)
	g := func() int64 {
		// Inverse transform of Geometric(1-α) on {0,1,…}.
		u := src.Float64()
		if u <= 0 {
			u = math.SmallestNonzeroFloat64
		}
		return int64(math.Floor(math.Log(u) / math.Log(alpha)))
	}
	return g() - g()
}

// Noisy releases the cells of a table under the geometric mechanism with
// budget eps and then post-processes them, which spends no further budget:
// counts are clamped to zero and rounded to integers already, and every
// total is the sum of the published cells, so the table adds up. A person
// is in exactly one cell of the table, so the whole table is
// ε-differentially private. Totals computed this way carry the sum of the
// cells' noise; small cells clamped at zero bias totals upward (see
// docs/STATISTICS.md).
func Noisy(g Grid, eps float64, src Source) (Protected, error) {
	if g.Rows < 1 || g.Cols < 1 || len(g.Counts) != g.Rows*g.Cols {
		return Protected{}, &Error{Code: CodeShape}
	}
	if err := CheckEpsilon(eps); err != nil {
		return Protected{}, err
	}
	out := Grid{Rows: g.Rows, Cols: g.Cols, Counts: make([]int64, len(g.Counts))}
	for i, v := range g.Counts {
		n := v + geometric(eps, src)
		if n < 0 {
			n = 0
		}
		out.Counts[i] = n
	}
	return extend(out), nil
}

// Spend is one release's use of the privacy budget of a jurisdiction and
// year.
type Spend struct {
	Jurisdiction string
	Year         int
	Epsilon      float64
}

// Admit is the ε ledger rule: a release that spends eps on a jurisdiction
// and year is admitted only when the spends already recorded for them plus
// eps stay within budget (sequential composition: the ε of releases over the
// same people add up).
func Admit(ledger []Spend, next Spend, budget float64) error {
	if err := CheckEpsilon(next.Epsilon); err != nil {
		return err
	}
	spent := 0.0
	for _, s := range ledger {
		if s.Jurisdiction == next.Jurisdiction && s.Year == next.Year {
			spent += s.Epsilon
		}
	}
	// A small tolerance so that ten releases of 0.1 fit a budget of 1.
	if spent+next.Epsilon > budget+1e-9 {
		return &Error{Code: CodeBudget, Field: "epsilon"}
	}
	return nil
}

package disclosure

import (
	"slices"
	"strings"
)

// Hierarchy generalises one quasi-identifier: Levels[0] is the value as
// recorded, each next level coarser, the last normally "*" (withheld).
type Hierarchy struct {
	Name   string
	Levels []func(string) string
	// Weight is how much a reader loses when this column is generalised
	// all the way (default 1): Plan prefers to coarsen light columns.
	Weight float64
}

// Star is the fully generalised value.
const Star = "*"

// Withhold is the last level of every hierarchy: the value is withheld.
func Withhold(string) string { return Star }

// AsRecorded is the first level of every hierarchy.
func AsRecorded(v string) string { return v }

// Class is one combination of quasi-identifier values and how many
// records hold it.
type Class struct {
	Values []string
	Count  int
}

// Plan chooses how far to generalise each quasi-identifier so that every
// combination that remains occurs at least k times — CTDC's rule for its
// public data set (k = 11). It works on the classes (distinct combinations
// and their counts), not the records, so its cost does not grow with the
// number of records. Generalisation is full-domain (a whole column goes up
// one level at a time, so a value means the same in every row). Plan
// tries every combination of levels (the lattice is small: a few hundred
// points for CTDC's six columns) and keeps the one that loses least —
// the sum over columns of Weight × level / top level — among those that
// leave at most maxWithheld of the records (a fraction) in classes below
// k; those records are withheld rather than coarsening everyone. Ties go to
// fewer withheld records. A lattice too large to walk falls back to a
// greedy climb. It returns the level of each column and the sizes of the
// generalised classes, by Key.
func Plan(classes []Class, hs []Hierarchy, k int, maxWithheld float64) ([]int, map[string]int) {
	points := 1
	for _, h := range hs {
		points *= len(h.Levels)
	}
	if points <= 4096 {
		return planExhaustive(classes, hs, k, maxWithheld)
	}
	return planGreedy(classes, hs, k, maxWithheld)
}

func classSizes(classes []Class, hs []Hierarchy, lv []int) map[string]int {
	n := map[string]int{}
	for _, c := range classes {
		n[Key(hs, lv, c.Values)] += c.Count
	}
	return n
}

func planExhaustive(classes []Class, hs []Hierarchy, k int, maxWithheld float64) ([]int, map[string]int) {
	if len(hs) > 8 {
		return planGreedy(classes, hs, k, maxWithheld)
	}
	total := 0
	for _, c := range classes {
		total += c.Count
	}
	limit := int(maxWithheld * float64(total))
	// ids[q][l][c] numbers class c's value of column q at level l, so a
	// lattice point's classes are counted with fixed-size keys.
	ids := make([][][]int32, len(hs))
	for q, h := range hs {
		ids[q] = make([][]int32, len(h.Levels))
		for l, f := range h.Levels {
			seen := map[string]int32{}
			ids[q][l] = make([]int32, len(classes))
			for c, cl := range classes {
				v := f(cl.Values[q])
				id, ok := seen[v]
				if !ok {
					id = int32(len(seen))
					seen[v] = id
				}
				ids[q][l][c] = id
			}
		}
	}
	loss := func(lv []int) float64 {
		l := 0.0
		for q, h := range hs {
			w := h.Weight
			if w == 0 {
				w = 1
			}
			l += w * float64(lv[q]) / float64(len(h.Levels)-1)
		}
		return l
	}
	// Every point of the lattice, least loss first: the first point that
	// fits (and, among equal losses, the one withholding fewest) wins.
	var points [][]int
	lv := make([]int, len(hs))
	for {
		points = append(points, slices.Clone(lv))
		q := 0
		for q < len(hs) {
			lv[q]++
			if lv[q] < len(hs[q].Levels) {
				break
			}
			lv[q] = 0
			q++
		}
		if q == len(hs) {
			break
		}
	}
	slices.SortStableFunc(points, func(a, b []int) int {
		la, lb := loss(a), loss(b)
		switch {
		case la < lb:
			return -1
		case la > lb:
			return 1
		}
		return 0
	})
	var best []int
	bestLoss, bestSmall := 0.0, 0
	n := make(map[[8]int32]int, len(classes))
	for _, pt := range points {
		l := loss(pt)
		if best != nil && l > bestLoss {
			break
		}
		clear(n)
		for c, cl := range classes {
			var key [8]int32
			for q := range hs {
				key[q] = ids[q][pt[q]][c]
			}
			n[key] += cl.Count
		}
		s := 0
		for _, m := range n {
			if m < k {
				s += m
			}
		}
		if s <= limit && (best == nil || s < bestSmall) {
			best, bestLoss, bestSmall = pt, l, s
		}
	}
	if best == nil { // nothing fits: withhold every column
		best = make([]int, len(hs))
		for q, h := range hs {
			best[q] = len(h.Levels) - 1
		}
	}
	return best, classSizes(classes, hs, best)
}

func planGreedy(classes []Class, hs []Hierarchy, k int, maxWithheld float64) ([]int, map[string]int) {
	levels := make([]int, len(hs))
	total := 0
	for _, c := range classes {
		total += c.Count
	}
	sizes := func(lv []int) map[string]int {
		n := map[string]int{}
		for _, c := range classes {
			n[Key(hs, lv, c.Values)] += c.Count
		}
		return n
	}
	small := func(n map[string]int) int {
		s := 0
		for _, c := range n {
			if c < k {
				s += c
			}
		}
		return s
	}
	cur := sizes(levels)
	limit := int(maxWithheld * float64(total))
	for small(cur) > limit {
		best, bestSmall := -1, -1
		var bestSizes map[string]int
		for q, h := range hs {
			if levels[q]+1 >= len(h.Levels) {
				continue
			}
			levels[q]++
			n := sizes(levels)
			levels[q]--
			if s := small(n); best < 0 || s < bestSmall {
				best, bestSmall, bestSizes = q, s, n
			}
		}
		if best < 0 {
			break // every column withheld; what is left is withheld
		}
		levels[best]++
		cur = bestSizes
	}
	return levels, cur
}

// Generalise returns the quasi-identifier values of a record at the given
// levels.
func Generalise(hs []Hierarchy, levels []int, values []string) []string {
	out := make([]string, len(hs))
	for q, h := range hs {
		out[q] = h.Levels[levels[q]](values[q])
	}
	return out
}

// Key is the class key of a record's quasi-identifiers at the given
// levels.
func Key(hs []Hierarchy, levels []int, values []string) string {
	var b strings.Builder
	for q, h := range hs {
		if q > 0 {
			b.WriteByte(0)
		}
		b.WriteString(h.Levels[levels[q]](values[q]))
	}
	return b.String()
}

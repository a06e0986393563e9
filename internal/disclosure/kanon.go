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
}

// Generalisation is what KAnonymise did: the level each quasi-identifier
// was generalised to and how many records were withheld.
type Generalisation struct {
	K        int
	Levels   map[string]int // quasi-identifier → level reached (0 = as recorded)
	Withheld int            // records dropped because their class stayed below k
	Records  int            // records in the output
}

// Star is the fully generalised value.
const Star = "*"

// Withhold is the last level of every hierarchy: the value is withheld.
func Withhold(string) string { return Star }

// AsRecorded is the first level of every hierarchy.
func AsRecorded(v string) string { return v }

// KAnonymise generalises the quasi-identifier columns of records (one
// slice per record, columns in the order of hs) until every combination
// that remains occurs at least k times, the CTDC's rule for its public
// data set (k = 11). It generalises one whole column at a time by one
// level (full-domain generalisation, so a value means the same in every
// row), choosing at each step the column whose next level leaves the fewest
// records in classes below k. Once at most maxWithheld of the records (a
// fraction) are in classes below k, those records are withheld rather
// than coarsening everyone. records is left unchanged; the returned slice
// holds the generalised records kept.
func KAnonymise(records [][]string, hs []Hierarchy, k int, maxWithheld float64) ([][]string, Generalisation) {
	levels := make([]int, len(hs))
	orig := make([][]string, len(records))
	for i, r := range records {
		orig[i] = slices.Clone(r)
	}
	apply := func(lv []int) [][]string {
		out := make([][]string, len(orig))
		for i, r := range orig {
			g := make([]string, len(r))
			copy(g, r)
			for q, h := range hs {
				g[q] = h.Levels[lv[q]](r[q])
			}
			out[i] = g
		}
		return out
	}
	small := func(rs [][]string) int {
		n := map[string]int{}
		for _, r := range rs {
			n[strings.Join(r[:len(hs)], "\x00")]++
		}
		s := 0
		for _, c := range n {
			if c < k {
				s += c
			}
		}
		return s
	}
	cur := apply(levels)
	limit := int(maxWithheld * float64(len(records)))
	for small(cur) > limit {
		best, bestSmall := -1, -1
		for q, h := range hs {
			if levels[q]+1 >= len(h.Levels) {
				continue
			}
			levels[q]++
			s := small(apply(levels))
			levels[q]--
			if best < 0 || s < bestSmall {
				best, bestSmall = q, s
			}
		}
		if best < 0 {
			break // every column withheld; the rest are withheld below
		}
		levels[best]++
		cur = apply(levels)
	}
	n := map[string]int{}
	for _, r := range cur {
		n[strings.Join(r[:len(hs)], "\x00")]++
	}
	kept := cur[:0]
	g := Generalisation{K: k, Levels: map[string]int{}}
	for _, r := range cur {
		if n[strings.Join(r[:len(hs)], "\x00")] < k {
			g.Withheld++
			continue
		}
		kept = append(kept, r)
	}
	for q, h := range hs {
		g.Levels[h.Name] = levels[q]
	}
	g.Records = len(kept)
	return kept, g
}

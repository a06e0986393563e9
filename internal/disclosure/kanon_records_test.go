package disclosure

import (
	"slices"
	"strings"
)

// The record-level form of the generalisation, an oracle for the property
// tests: the CTDC export runs Plan over counted classes instead.

// Generalisation is what KAnonymise did: the level each quasi-identifier
// was generalised to and how many records were withheld.
type Generalisation struct {
	K        int
	Levels   map[string]int // quasi-identifier → level reached (0 = as recorded)
	Withheld int            // records dropped because their class stayed below k
	Records  int            // records in the output
}

// KAnonymise generalises the quasi-identifier columns of records (one
// slice per record, the quasi-identifiers first, in the order of hs) by
// Plan and withholds the records left in classes below k. records is left
// unchanged; the returned slice holds the generalised records kept.
func KAnonymise(records [][]string, hs []Hierarchy, k int, maxWithheld float64) ([][]string, Generalisation) {
	var classes []Class
	index := map[string]int{}
	for _, r := range records {
		key := strings.Join(r[:len(hs)], "\x00")
		if i, ok := index[key]; ok {
			classes[i].Count++
			continue
		}
		index[key] = len(classes)
		classes = append(classes, Class{Values: r[:len(hs)], Count: 1})
	}
	levels, sizes := Plan(classes, hs, k, maxWithheld)
	g := Generalisation{K: k, Levels: map[string]int{}}
	var kept [][]string
	for _, r := range records {
		if sizes[Key(hs, levels, r)] < k {
			g.Withheld++
			continue
		}
		out := slices.Clone(r)
		copy(out, Generalise(hs, levels, r))
		kept = append(kept, out)
	}
	for q, h := range hs {
		g.Levels[h.Name] = levels[q]
	}
	g.Records = len(kept)
	return kept, g
}

func smallRecords(n map[string]int, k int) int {
	s := 0
	for _, c := range n {
		if c < k {
			s += c
		}
	}
	return s
}

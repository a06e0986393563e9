package threep

import (
	"testing"

	"github.com/haven-nrm/haven/internal/errs"
)

// all answers every question with a.
func all(a Answer) map[string]Answer {
	m := map[string]Answer{}
	for _, q := range Questions {
		m[q.Code] = a
	}
	return m
}

// with is all(base) with some answers changed.
func with(base Answer, changes map[string]Answer) map[string]Answer {
	m := all(base)
	for k, v := range changes {
		m[k] = v
	}
	return m
}

// TestScore checks the scoring against the 3P index's scale (Cho, Dreher
// and Neumayer 2014: each P from 1, no compliance, to 5, full compliance;
// the total from 3 to 15) applied to the seed's recommendations.
func TestScore(t *testing.T) {
	cases := []struct {
		name    string
		answers map[string]Answer
		want    [3]int // prevention, protection, prosecution
		total   int
	}{
		{"everything in place: full compliance, 5 per P, total 15 (index maximum)", all(Yes), [3]int{5, 5, 5}, 15},
		{"nothing in place: 1 per P, total 3 (index minimum)", all(No), [3]int{1, 1, 1}, 3},
		{"everything begun: half the points, 3 per P", all(Partly), [3]int{3, 3, 3}, 9},
		// Prosecution: institutions (weight 2) missing = 4 of 12 points
		// lost, 67 %: below the 70 % band, so 3.
		{"no specialised police or judicial units (seed, Prosecution 1)", with(Yes, map[string]Answer{"prosecution.institutions": No}), [3]int{5, 5, 3}, 13},
		// Prevention: training (weight 2) missing = 4 of 18 lost, 78 %: 4.
		{"no training of police and labour inspectors (seed, Prevention 5)", with(Yes, map[string]Answer{"prevention.training": No}), [3]int{4, 5, 5}, 14},
		// Protection: one single-weight item partly = 1 of 20 lost, 95 %: 5.
		{"interpretation only partly available (seed, Protection 3c)", with(Yes, map[string]Answer{"protection.interpretation": Partly}), [3]int{5, 5, 5}, 15},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Score(c.answers)
			if err != nil {
				t.Fatal(err)
			}
			got := [3]int{r.Scores[Prevention], r.Scores[Protection], r.Scores[Prosecution]}
			if got != c.want || r.Total != c.total {
				t.Fatalf("scores %v total %d, want %v total %d (points %v of %v)", got, r.Total, c.want, c.total, r.Points, r.Possible)
			}
			if r.Total < 3 || r.Total > 15 {
				t.Fatalf("total %d outside the index's 3–15", r.Total)
			}
		})
	}
}

// TestScoreRefuses: every question must be answered with a known answer,
// and nothing else may be sent.
func TestScoreRefuses(t *testing.T) {
	missing := all(Yes)
	delete(missing, "protection.identification")
	cases := []struct {
		name    string
		answers map[string]Answer
		code    Code
	}{
		{"a question left out", missing, CodeMissingAnswer},
		{"an answer that is not yes, partly or no", with(Yes, map[string]Answer{"prevention.mdt": "maybe"}), CodeUnknownAnswer},
		{"a question the questionnaire does not ask", with(Yes, map[string]Answer{"prevention.walls": Yes}), CodeUnknownQuestion},
	}
	for _, c := range cases {
		if _, err := Score(c.answers); CodeOf(err) != c.code {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
		}
	}
}

// TestUnmet lists exactly the recommendations not answered yes, in the
// seed's order, so that the page can link each to the plan.
func TestUnmet(t *testing.T) {
	got := Unmet(with(Yes, map[string]Answer{"prosecution.institutions": No, "prevention.assessment": Partly}))
	if len(got) != 2 || got[0].Code != "prevention.assessment" || got[1].Code != "prosecution.institutions" {
		t.Fatalf("unmet = %v", got)
	}
	if len(Unmet(all(Yes))) != 0 {
		t.Fatal("a city meeting everything still has unmet recommendations")
	}
}

// TestQuestionnaireCoversTheSeed: every recommendation of the seed's
// chapter 5.3 is asked once, under one of the three Ps, with a weight.
func TestQuestionnaireCoversTheSeed(t *testing.T) {
	seen := map[string]bool{}
	per := map[Pillar]int{}
	for _, q := range Questions {
		if seen[q.Code] {
			t.Errorf("%s asked twice", q.Code)
		}
		seen[q.Code] = true
		if q.Weight < 1 || q.Source == "" {
			t.Errorf("%s: weight %d, source %q", q.Code, q.Weight, q.Source)
		}
		per[q.Pillar]++
	}
	// Seed 5.3: six for prevention, seven for protection (the third with
	// three parts, asked as support, residence and interpretation), two for
	// prosecution, five areas of cooperation.
	if len(Questions) != 22 {
		t.Errorf("%d questions, want the seed's 22", len(Questions))
	}
	for _, p := range Pillars {
		if per[p] == 0 {
			t.Errorf("pillar %s has no question", p)
		}
	}
}

func FuzzScore(f *testing.F) {
	f.Add("prevention.mdt", "yes", "protection.support", "no")
	f.Fuzz(func(t *testing.T, q1, a1, q2, a2 string) {
		m := all(Partly)
		m[q1], m[q2] = Answer(a1), Answer(a2)
		r, err := Score(m)
		if err == nil && (r.Total < 3 || r.Total > 15) {
			t.Fatalf("total %d", r.Total)
		}
	})
}

// CodeOf returns the code of a threep error in err's chain, or "".
func CodeOf(err error) Code { return errs.CodeOf[Code](err) }

// Package threep scores a local government's 3P self-assessment: a
// questionnaire per pillar (prevention, protection, prosecution) whose
// questions are the seed's "Recommendations for Local Governments" (UNITAR,
// Human Trafficking and Local Governments, ch. 5.3) and whose scoring
// follows the 3P Anti-Trafficking Policy Index (Cho, Dreher and Neumayer,
// 2014): each pillar scored 1 (no compliance) to 5 (full compliance), the
// total 3 to 15.
//
// The rules are data: each answer's points (Points), each question's
// weight (Questions) and the bands that turn a pillar's share of its
// possible points into its 1–5 score (Bands). Score is a pure function of
// the answers; Unmet lists the recommendations the city does not yet meet,
// for the action plan to take up.
package threep

import (
	"slices"

	"github.com/haven-nrm/haven/internal/errs"
)

// Pillar is one of the three Ps.
type Pillar string

// The pillars of the 3P paradigm, in the index's order.
const (
	Prevention  Pillar = "prevention"
	Protection  Pillar = "protection"
	Prosecution Pillar = "prosecution"
)

// Pillars lists the pillars in order.
var Pillars = []Pillar{Prevention, Protection, Prosecution}

// Answer is how far a recommendation is met.
type Answer string

// The answers.
const (
	Yes    Answer = "yes"    // in place and working
	Partly Answer = "partly" // begun, or in place for some of the city
	No     Answer = "no"     // not in place
)

// Answers lists the answers in the order a form offers them.
var Answers = []Answer{Yes, Partly, No}

// Points is what each answer contributes, before the question's weight.
var Points = map[Answer]int{Yes: 2, Partly: 1, No: 0}

// Question is one item of the questionnaire: a recommendation of the seed,
// asked as "is this in place?". Code is the recommendation's code and the
// key of its text, "threep.rec.<code>".
type Question struct {
	Code   string
	Pillar Pillar
	Weight int
	// Source cites where the recommendation comes from.
	Source string
}

const (
	seedPrevention  = "UNITAR, Human Trafficking and Local Governments, 5.3, Recommendations: Prevention"
	seedProtection  = "UNITAR, Human Trafficking and Local Governments, 5.3, Recommendations: Protection"
	seedProsecution = "UNITAR, Human Trafficking and Local Governments, 5.3, Recommendations: Prosecution"
	seedCooperation = "UNITAR, Human Trafficking and Local Governments, 5.3, cooperation and coordination"
)

// Questions is the questionnaire. Awareness campaigns, which the seed
// lists under protection, count towards prevention as they do in the 3P
// index; the seed's areas of cooperation are asked under the pillar they
// serve. Identification, training of local actors and specialised units
// weigh double: the seed's case studies name them as the gaps that let
// victims go unidentified and traffickers unpunished.
var Questions = []Question{
	{"prevention.coherence", Prevention, 1, seedPrevention},
	{"prevention.definition", Prevention, 1, seedPrevention},
	{"prevention.assessment", Prevention, 1, seedPrevention},
	{"prevention.education_employment", Prevention, 1, seedPrevention},
	{"prevention.training", Prevention, 2, seedPrevention},
	{"prevention.mdt", Prevention, 1, seedPrevention},
	{"protection.awareness", Prevention, 1, seedProtection},
	{"cooperation.private_sector", Prevention, 1, seedCooperation},
	{"protection.victim_centred", Protection, 1, seedProtection},
	{"protection.identification", Protection, 2, seedProtection},
	{"protection.support", Protection, 1, seedProtection},
	{"protection.residence", Protection, 1, seedProtection},
	{"protection.interpretation", Protection, 1, seedProtection},
	{"protection.justice_return", Protection, 1, seedProtection},
	{"protection.work_permits", Protection, 1, seedProtection},
	{"protection.cultural_training", Protection, 1, seedProtection},
	{"cooperation.ngos", Protection, 1, seedCooperation},
	{"prosecution.institutions", Prosecution, 2, seedProsecution},
	{"prosecution.dignity", Prosecution, 1, seedProsecution},
	{"cooperation.national", Prosecution, 1, seedCooperation},
	{"cooperation.governments", Prosecution, 1, seedCooperation},
	{"cooperation.international", Prosecution, 1, seedCooperation},
}

// Band turns a pillar's share of its possible points into its score: the
// first band whose MinPercent the share reaches.
type Band struct {
	MinPercent int
	Score      int
}

// Bands follow the index's five levels from full compliance (5) down to
// none (1); a pillar with nothing in place still scores 1, as in the
// index, so totals run from 3 to 15.
var Bands = []Band{{90, 5}, {70, 4}, {45, 3}, {20, 2}, {0, 1}}

// Result is a scored self-assessment.
type Result struct {
	Scores map[Pillar]int
	Total  int
	// Points and Possible per pillar, for the page to show how the score
	// came about.
	Points, Possible map[Pillar]int
}

// Code is why an assessment was refused.
type Code string

// The refusal codes.
const (
	CodeUnknownQuestion Code = "unknown_question"
	CodeUnknownAnswer   Code = "unknown_answer"
	CodeMissingAnswer   Code = "missing_answer"
	CodeYear            Code = "year"
)

// Domain names the package in errors and translation keys.
func (Code) Domain() string { return "threep" }

// Kind: every refusal is invalid input.
func (Code) Kind() errs.Kind { return errs.Invalid }

// Error is a refused assessment.
type Error = errs.Refusal[Code]

// QuestionOf returns the question of a code.
func QuestionOf(code string) (Question, bool) {
	i := slices.IndexFunc(Questions, func(q Question) bool { return q.Code == code })
	if i < 0 {
		return Question{}, false
	}
	return Questions[i], true
}

// Score checks the answers (every question answered, with a known answer,
// and nothing else) and scores them.
func Score(answers map[string]Answer) (Result, error) {
	for code := range answers {
		if _, ok := QuestionOf(code); !ok {
			return Result{}, &Error{Code: CodeUnknownQuestion, Field: "answers", Value: code}
		}
	}
	r := Result{Scores: map[Pillar]int{}, Points: map[Pillar]int{}, Possible: map[Pillar]int{}}
	for _, q := range Questions {
		a, ok := answers[q.Code]
		if !ok || a == "" {
			return Result{}, &Error{Code: CodeMissingAnswer, Field: q.Code}
		}
		pts, ok := Points[a]
		if !ok {
			return Result{}, &Error{Code: CodeUnknownAnswer, Field: q.Code}
		}
		r.Points[q.Pillar] += pts * q.Weight
		r.Possible[q.Pillar] += Points[Yes] * q.Weight
	}
	for _, p := range Pillars {
		r.Scores[p] = band(r.Points[p], r.Possible[p])
		r.Total += r.Scores[p]
	}
	return r, nil
}

// band is the score of points out of possible.
func band(points, possible int) int {
	for _, b := range Bands {
		if possible > 0 && points*100 >= b.MinPercent*possible {
			return b.Score
		}
	}
	return Bands[len(Bands)-1].Score
}

// Unmet lists the questions not answered Yes, in questionnaire order: the
// recommendations the city does not yet meet.
func Unmet(answers map[string]Answer) []Question {
	var out []Question
	for _, q := range Questions {
		if answers[q.Code] != Yes {
			out = append(out, q)
		}
	}
	return out
}

// CheckYear refuses a year outside 2000–2100.
func CheckYear(y int) error {
	if y < 2000 || y > 2100 {
		return &Error{Code: CodeYear, Field: "year"}
	}
	return nil
}

package casework

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Users in the tests: ids only.
const (
	decider  = "user-decider"
	reviewer = "user-reviewer"
	clerk    = "user-clerk"
)

func countries(t testing.TB) *Countries {
	t.Helper()
	s, err := DefaultCountries()
	if err != nil {
		t.Fatalf("DefaultCountries: %v", err)
	}
	return s
}

func country(t testing.TB, code string) Country {
	t.Helper()
	s := countries(t)
	if code == DefaultCode {
		return s.Default()
	}
	c, ok := s.Lookup(code)
	if !ok {
		t.Fatalf("no country %s", code)
	}
	return c
}

// fixtureJSON is a valid configuration whose fields the tests vary: a
// test country in London time with the 2026 Easter bank holidays, a
// 45-day period that does not run until the conclusive decision, and an
// extra consultation.
const fixtureJSON = `{
  "code": "XA",
  "name": "Test fixture",
  "calendar": {
    "time_zone": "Europe/London",
    "weekend": ["saturday", "sunday"],
    "years": [2026],
    "holidays": [{"date": "2026-04-03", "name": "Good Friday"}, {"date": "2026-04-06", "name": "Easter Monday"},
      {"date": "2026-12-25", "name": "Christmas Day"}, {"date": "2026-12-26", "name": "Boxing Day"}],
    "verified": true,
    "note": ""
  },
  "reasonable_grounds": {"target_working_days": 5},
  "recovery_period": {"minimum_days": 45, "until_conclusive": false},
  "conclusive_outcomes": [{"code": "victim", "positive": true}, {"code": "not_victim", "positive": false}],
  "negative_conclusive_consultations": {"always": ["first_responder", "police"], "child": ["local_authority", "guardian"]},
  "provenance": {"source": "test fixture", "verified": true}
}`

func fixture(t testing.TB, edit ...func(string) string) Country {
	t.Helper()
	s := fixtureJSON
	for _, e := range edit {
		s = e(s)
	}
	c, err := ParseCountry([]byte(s))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return c
}

func replace(from, to string) func(string) string {
	return func(s string) string {
		if !strings.Contains(s, from) {
			panic("fixture edit: " + from + " not found")
		}
		return strings.Replace(s, from, to, 1)
	}
}

// at is a wall-clock time in a zone.
func at(t testing.TB, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// endOfDay is the expected deadline: the last millisecond of a date in a
// zone.
func endOfDay(t testing.TB, zone, date string) time.Time {
	t.Helper()
	return at(t, zone, date+" 23:59").Add(59*time.Second + 999*time.Millisecond)
}

// walk drives a record through the workflow, one day per step, failing
// the test on any refusal.
type walk struct {
	t   testing.TB
	cfg Country
	rec Record
	now time.Time
	all []Event
}

var referral = time.Date(2026, 3, 6, 19, 30, 0, 0, time.UTC) // a Friday evening

func newWalk(t testing.TB, cfg Country, child bool) *walk {
	t.Helper()
	r, ev, err := NewRecord("case-1", referral, child, cfg)
	if err != nil {
		t.Fatalf("NewRecord: %v", err)
	}
	return &walk{t: t, cfg: cfg, rec: r, now: referral, all: ev}
}

func (w *walk) apply(r Record, ev []Event, err error) *walk {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("walk from %s: %v", w.rec.State, err)
	}
	w.rec, w.all = r, append(w.all, ev...)
	return w
}

func (w *walk) tick() time.Time { w.now = w.now.Add(24 * time.Hour); return w.now }

func (w *walk) rg(outcome string) *walk {
	w.t.Helper()
	return w.apply(DecideReasonableGrounds(w.rec, Decision{w.rec.Version, decider, outcome}, w.tick(), w.cfg))
}

func (w *walk) cg(outcome string) *walk {
	w.t.Helper()
	return w.apply(DecideConclusive(w.rec, Decision{w.rec.Version, decider, outcome}, w.tick(), w.cfg))
}

func (w *walk) consult(parties ...string) *walk {
	w.t.Helper()
	for _, p := range parties {
		w.apply(RecordConsultation(w.rec, Consultation{w.rec.Version, clerk, p}, w.tick(), w.cfg))
	}
	return w
}

func (w *walk) consultAll() *walk {
	w.t.Helper()
	return w.consult(w.cfg.RequiredConsultations(w.rec.Child)...)
}

func (w *walk) review(outcome string) *walk {
	w.t.Helper()
	return w.apply(ReviewNegative(w.rec, Review{w.rec.Version, reviewer, outcome}, w.tick(), w.cfg))
}

// upheld has a second person uphold a negative RG decision, where the
// country's settings make one wait for review.
func (w *walk) upheld() *walk {
	w.t.Helper()
	if w.rec.State == StateRGNegativePendingReview {
		return w.review(ReviewUpheld)
	}
	return w
}

func (w *walk) reconsider() *walk {
	w.t.Helper()
	return w.apply(RequestReconsideration(w.rec, Reconsideration{w.rec.Version, clerk}, w.tick(), w.cfg))
}

// reach builds a record in the named situation on the default
// configuration.
func reach(t testing.TB, cfg Country, child bool, situation string) *walk {
	t.Helper()
	w := newWalk(t, cfg, child)
	neg := negativeOutcome(cfg)
	pos := positiveOutcome(cfg)
	switch situation {
	case "referred":
	case "rg_positive":
		w.rg(RGPositive)
	case "rg_negative_pending_review":
		w.rg(RGNegative)
	case "rg_negative":
		w.rg(RGNegative).upheld()
	case "cg_positive":
		w.rg(RGPositive).cg(pos)
	case "cg_negative_pending_review":
		w.rg(RGPositive).consultAll().cg(neg)
	case "cg_negative":
		w.rg(RGPositive).consultAll().cg(neg).review(ReviewUpheld)
	case "reconsideration_rg":
		w.rg(RGNegative).upheld().reconsider()
	case "reconsideration_cg":
		w.rg(RGPositive).consultAll().cg(neg).review(ReviewUpheld).reconsider()
	default:
		t.Fatalf("unknown situation %s", situation)
	}
	return w
}

func negativeOutcome(cfg Country) string {
	for _, o := range cfg.ConclusiveOutcomes {
		if !o.Positive {
			return o.Code
		}
	}
	return ""
}

func positiveOutcome(cfg Country) string {
	for _, o := range cfg.ConclusiveOutcomes {
		if o.Positive {
			return o.Code
		}
	}
	return ""
}

// wantCode fails unless err is a casework *Error with the code.
func wantCode(t testing.TB, rule string, err error, code Code) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: want error %s, got %v", rule, code, err)
	}
	if e.Code != code {
		t.Fatalf("%s: error %s, want %s (%v)", rule, e.Code, code, err)
	}
	return e
}

func eventCodes(ev []Event) []string {
	out := make([]string, len(ev))
	for i, e := range ev {
		out[i] = e.Code
	}
	return out
}

package casework

import (
	"strings"
	"testing"
)

// Point 19 of issue 10: a negative reasonable-grounds decision gets the
// same second-person review as a negative conclusive one, switchable in a
// jurisdiction's decision settings (its country configuration), on by
// default.
//
// Sources: UK Modern Slavery Statutory Guidance for England and Wales (as
// commonly summarised; check the version in force): negative
// reasonable-grounds and conclusive-grounds decisions are reviewed by a
// second decision maker before they are issued; Haven's domain reference
// §3: negative CG decisions are reviewed by a multi-agency panel.
func TestNegativeRGDecisionGetsSecondPersonReview(t *testing.T) {
	on := country(t, DefaultCode)
	off := on
	off.NegativeRGReview = false
	rules := []struct {
		rule  string
		stage Stage
		cfg   Country
		want  bool
	}{
		{"UK MSSG: a negative RG is reviewed by a second decision maker (default on)", StageReasonableGrounds, on, true},
		{"DOMAIN §3: a negative CG is reviewed by a multi-agency panel", StageConclusiveGrounds, on, true},
		{"a jurisdiction's settings may turn the RG review off", StageReasonableGrounds, off, false},
		{"the setting never removes the CG review", StageConclusiveGrounds, off, true},
		{"no other stage is reviewed", Stage("bogus"), on, false},
	}
	for _, r := range rules {
		if got := NegativeNeedsReview(r.stage, r.cfg); got != r.want {
			t.Errorf("%s: NegativeNeedsReview(%s) = %v", r.rule, r.stage, got)
		}
	}

	walks := []struct {
		rule       string
		cfg        Country
		situation  string
		steps      func(w *walk)
		want       State
		wantStatus string
	}{
		{"UK MSSG: a negative RG awaits the second decision maker; the person stays a possible victim", on, "referred",
			func(w *walk) { w.rg(RGNegative) }, StateRGNegativePendingReview, StatusPossible},
		{"UK MSSG: upheld by a second person, the negative RG takes effect", on, "referred",
			func(w *walk) { w.rg(RGNegative).review(ReviewUpheld) }, StateRGNegative, StatusNot},
		{"UK MSSG: returned by the second person, the RG decision is taken again", on, "referred",
			func(w *walk) { w.rg(RGNegative).review(ReviewReturned) }, StateReferred, StatusPossible},
		{"returned in a reconsideration round, the reconsideration stays open", on, "reconsideration_rg",
			func(w *walk) { w.rg(RGNegative).review(ReviewReturned) }, StateReconsiderationRequested, StatusPossible},
		{"switched off, a negative RG takes effect at once", off, "referred",
			func(w *walk) { w.rg(RGNegative) }, StateRGNegative, StatusNot},
	}
	for _, tt := range walks {
		w := reach(t, tt.cfg, false, tt.situation)
		tt.steps(w)
		if w.rec.State != tt.want || w.rec.TraffickingStatus != tt.wantStatus {
			t.Errorf("%s: %s %s, want %s %s", tt.rule, w.rec.State, w.rec.TraffickingStatus, tt.want, tt.wantStatus)
		}
	}

	// The decider cannot review their own negative RG; the queue shows it
	// as a review.
	w := reach(t, on, false, "referred").rg(RGNegative)
	_, _, err := ReviewNegative(w.rec, Review{w.rec.Version, decider, ReviewUpheld}, w.tick(), on)
	wantCode(t, "UK MSSG: a second decision maker, not the first", err, CodeSamePersonReview)
	p := QueueKey(w.rec, false, w.tick())
	if stage, due, _, ok := ParseKey(p.Key()); !ok || stage != QueueAwaitingReview || due.IsZero() {
		t.Errorf("the queue shows a negative RG as awaiting review (with its RG deadline): stage %d due %s", stage, due)
	}
	if Overdue(w.rec, w.rec.RGDeadline.AddDate(0, 1, 0)) {
		t.Error("an RG decision taken, even awaiting review, is not overdue")
	}

	// The setting in a configuration file: absent means on, stated means
	// what it says, a section without its value is refused.
	data, err := embeddedCountries.ReadFile("countries/default.json")
	if err != nil {
		t.Fatal(err)
	}
	base := strings.Replace(string(data), `"second_person_review": {"negative_reasonable_grounds": true},`, "", 1)
	for _, c := range []struct {
		name, section string
		want, fails   bool
	}{
		{"absent: on", "", true, false},
		{"stated on", `"second_person_review": {"negative_reasonable_grounds": true},`, true, false},
		{"stated off", `"second_person_review": {"negative_reasonable_grounds": false},`, false, false},
		{"section without its value", `"second_person_review": {},`, false, true},
	} {
		file := strings.Replace(base, `"provenance":`, c.section+`"provenance":`, 1)
		cfg, err := ParseCountry([]byte(file))
		if c.fails {
			if err == nil {
				t.Errorf("%s: accepted", c.name)
			}
			continue
		}
		if err != nil || cfg.NegativeRGReview != c.want {
			t.Errorf("%s: NegativeRGReview %v, %v", c.name, cfg.NegativeRGReview, err)
		}
	}
}

package casework

import (
	"testing"
	"time"
)

// The queue's filters and counts are ranges of queue keys; they must say
// of every key what ParseKey and QueueTag say of it (the tag follows
// Directive 2011/36/EU art. 11(2)'s reasonable-grounds deadline as the
// jurisdiction sets it).
func TestQueueSelectionRangesAgreeWithKeys(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Kathmandu")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 9, 30, 0, 0, loc)
	var keys []string
	for _, urgent := range []bool{true, false} {
		for _, due := range []time.Duration{-72 * time.Hour, -time.Minute, time.Minute, 10 * time.Hour, 30 * time.Hour, 6 * 24 * time.Hour, 8 * 24 * time.Hour} {
			keys = append(keys, Priority{Urgent: urgent, Stage: QueueAwaitingRG, Due: now.Add(due), Since: now.Add(-100 * time.Hour), CaseID: "ab12"}.Key())
		}
		keys = append(keys,
			Priority{Urgent: urgent, Stage: QueueAwaitingReview, Due: now.Add(-time.Hour), CaseID: "cd34"}.Key(),
			Priority{Urgent: urgent, Stage: QueueAwaitingReview, CaseID: "cd35"}.Key(),
			Priority{Urgent: urgent, Stage: QueueAwaitingCG, Since: now.AddDate(-2, 0, 0), CaseID: "ef56"}.Key(),
			Priority{Urgent: urgent, Stage: QueueDecided, CaseID: "ff00"}.Key())
	}
	in := func(rs []KeyRange, k string) bool {
		if rs == nil {
			return true
		}
		for _, r := range rs {
			if r.In(k) {
				return true
			}
		}
		return false
	}
	cases := []struct {
		name string
		sel  QueueSelection
		want func(stage int, due time.Time, urgent bool) bool
	}{
		{"everything", QueueSelection{}, func(int, time.Time, bool) bool { return true }},
		{"urgent", QueueSelection{Urgent: true}, func(_ int, _ time.Time, u bool) bool { return u }},
		{"RG due", QueueSelection{Stage: StageRG}, func(s int, _ time.Time, _ bool) bool { return s == QueueAwaitingRG }},
		{"review", QueueSelection{Stage: StageReview}, func(s int, _ time.Time, _ bool) bool { return s == QueueAwaitingReview }},
		{"CG due, urgent", QueueSelection{Stage: StageCG, Urgent: true}, func(s int, _ time.Time, u bool) bool { return s == QueueAwaitingCG && u }},
		{"overdue", QueueSelection{Overdue: true}, func(s int, d time.Time, _ bool) bool { return s == QueueAwaitingRG && now.After(d) }},
		{"overdue RG, urgent", QueueSelection{Overdue: true, Stage: StageRG, Urgent: true}, func(s int, d time.Time, u bool) bool { return s == QueueAwaitingRG && now.After(d) && u }},
		{"overdue review: none", QueueSelection{Overdue: true, Stage: StageReview}, func(int, time.Time, bool) bool { return false }},
		{"unknown stage: none", QueueSelection{Stage: "decided"}, func(int, time.Time, bool) bool { return false }},
	}
	for _, c := range cases {
		rs := c.sel.Ranges(now)
		for _, k := range keys {
			stage, due, urgent, ok := ParseKey(k)
			if !ok {
				t.Fatalf("key %q does not parse", k)
			}
			if got, want := in(rs, k), c.want(stage, due, urgent); got != want {
				t.Errorf("%s: key %s selected %v, want %v", c.name, k, got, want)
			}
		}
	}
	bands := TagBands(now, loc)
	for _, k := range keys {
		tag := QueueTag(k, now, loc)
		for kind, r := range bands {
			if kind == DueWeek {
				_, due, _, _ := ParseKey(k)
				stage, _, _, _ := ParseKey(k)
				want := stage == QueueAwaitingRG && !now.After(due) && due.Before(now.AddDate(0, 0, 7))
				if got := r.In(k[2:]); got != want {
					t.Errorf("key %s in the week's band: %v, want %v", k, got, want)
				}
				continue
			}
			if got, want := r.In(k[2:]), tag.Kind == kind; got != want {
				t.Errorf("key %s (tag %q) in band %s: %v, want %v", k, tag.Kind, kind, got, want)
			}
		}
	}
}

// In reports whether key lies in r: the oracle the store's range scans are
// checked against.
func (r KeyRange) In(key string) bool { return key >= r.From && key < r.To }

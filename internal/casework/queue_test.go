package casework

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestOverdue(t *testing.T) {
	cfg := country(t, DefaultCode)
	deadline := endOfDay(t, utc, "2026-03-13") // 5 working days after a Friday-evening referral
	recon := reach(t, cfg, false, "reconsideration_rg")
	tests := []struct {
		rule, situation string
		rec             Record
		now             time.Time
		want            bool
	}{
		{"UK NRM: RG target 5 working days — not overdue within them", "referred", Record{}, deadline.Add(-time.Hour), false},
		{"UK NRM: RG target 5 working days — the whole last day counts", "referred", Record{}, deadline, false},
		{"UK NRM: RG target 5 working days — overdue once it has passed", "referred", Record{}, deadline.Add(time.Millisecond), true},
		{"an RG decision taken ends the RG clock", "rg_positive", Record{}, deadline.AddDate(0, 1, 0), false},
		{"an RG decision taken ends the RG clock, whatever its outcome", "rg_negative", Record{}, deadline.AddDate(0, 1, 0), false},
		{"later stages are not RG-overdue", "cg_negative_pending_review", Record{}, deadline.AddDate(0, 1, 0), false},
		{"UK NRM: a reconsidered RG has a new target from the request", "", recon.rec, recon.rec.RGDeadline.Add(-time.Hour), false},
		{"UK NRM: a reconsidered RG is overdue past its new target", "", recon.rec, recon.rec.RGDeadline.Add(time.Hour), true},
	}
	for _, tt := range tests {
		rec := tt.rec
		if tt.situation != "" {
			rec = reach(t, cfg, false, tt.situation).rec
		}
		if got := Overdue(rec, tt.now); got != tt.want {
			t.Errorf("%s: Overdue = %v in %s at %s (deadline %s)", tt.rule, got, rec.State, tt.now, rec.RGDeadline)
		}
	}
	if r := reach(t, cfg, false, "referred").rec; !r.RGDeadline.Equal(deadline) {
		t.Errorf("UK NRM: RG target 5 working days — a record opened on a Friday evening is due the next Friday: %s", r.RGDeadline)
	}
}

func TestQueueOrder(t *testing.T) {
	cfg := country(t, DefaultCode)
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	open := func(id string, referred time.Time) Record {
		r, _, err := NewRecord(id, referred, false, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	step := func(r Record, ev []Event, err error) Record {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	rgPos := func(r Record) Record {
		return step(DecideReasonableGrounds(r, Decision{r.Version, decider, RGPositive}, r.UpdatedAt.Add(time.Hour), cfg))
	}
	pending := func(r Record) Record {
		r = rgPos(r)
		for _, p := range cfg.RequiredConsultations(false) {
			r = step(RecordConsultation(r, Consultation{r.Version, clerk, p}, r.UpdatedAt.Add(time.Hour), cfg))
		}
		return step(DecideConclusive(r, Decision{r.Version, decider, "insufficient_evidence"}, r.UpdatedAt.Add(time.Hour), cfg))
	}
	type item struct {
		rec    Record
		urgent bool
	}
	items := map[string]item{
		"urgent-rg":          {open("urgent-rg", day(19)), true},
		"urgent-cg":          {rgPos(open("urgent-cg", day(2))), true},
		"overdue-rg":         {open("overdue-rg", day(2)), false},
		"due-soon-rg":        {open("due-soon-rg", day(16)), false},
		"due-later-rg":       {open("due-later-rg", day(18)), false},
		"same-due-older":     {open("same-due-older", time.Date(2026, 3, 18, 8, 0, 0, 0, time.UTC)), false},
		"awaiting-review":    {pending(open("awaiting-review", day(3))), false},
		"awaiting-cg-old":    {rgPos(open("awaiting-cg-old", day(1))), false},
		"awaiting-cg-new":    {rgPos(open("awaiting-cg-new", day(5))), false},
		"awaiting-rg-review": {step(DecideReasonableGrounds(open("awaiting-rg-review", day(1)), Decision{1, decider, RGNegative}, day(2), cfg)), false},
		"decided": {step(ReviewNegative(step(DecideReasonableGrounds(open("decided", day(1)), Decision{1, decider, RGNegative}, day(2), cfg)),
			Review{2, reviewer, ReviewUpheld}, day(3), cfg)), false},
		"overdue-rg-later": {open("overdue-rg-later", day(4)), false},
	}
	want := []string{
		"urgent-rg",        // urgent first
		"urgent-cg",        // urgent, later stage
		"overdue-rg",       // earliest RG deadline (overdue)
		"overdue-rg-later", // next RG deadline (overdue)
		"due-soon-rg",
		"same-due-older", // same deadline as due-later-rg, referred earlier
		"due-later-rg",
		"awaiting-review",    // a second person is needed: a negative CG
		"awaiting-rg-review", // and a negative RG (UK Modern Slavery Statutory Guidance: second decision maker)
		"awaiting-cg-old",    // then conclusive decisions, oldest referral first
		"awaiting-cg-new",
		"decided",
	}
	var keys []Priority
	for _, it := range items {
		keys = append(keys, QueueKey(it.rec, it.urgent, now))
	}
	byCompare := slices.Clone(keys)
	slices.SortFunc(byCompare, ComparePriority)
	byKey := slices.Clone(keys)
	slices.SortFunc(byKey, func(a, b Priority) int { return strings.Compare(a.Key(), b.Key()) })
	ids := func(ps []Priority) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.CaseID)
		}
		return out
	}
	rule := "authority's queue: urgent first, then earliest RG deadline"
	if got := ids(byCompare); !slices.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", rule, got, want)
	}
	if got := ids(byKey); !slices.Equal(got, want) {
		t.Errorf("%s: Key sorts as Compare:\n got %v\nwant %v", rule, got, want)
	}
	for _, p := range keys {
		wantOverdue := strings.HasPrefix(p.CaseID, "overdue")
		if p.Overdue != wantOverdue {
			t.Errorf("UK NRM: RG target 5 working days — %s overdue = %v", p.CaseID, p.Overdue)
		}
	}
}

// The queue's order written as a comparison: the oracle Key is checked
// against.

// compare orders two priorities: negative when p comes first.
func (p Priority) compare(q Priority) int {
	if p.Urgent != q.Urgent {
		if p.Urgent {
			return -1
		}
		return 1
	}
	return cmp.Or(cmp.Compare(p.Stage, q.Stage), p.Due.Compare(q.Due), p.Since.Compare(q.Since),
		strings.Compare(p.CaseID, q.CaseID))
}

// ComparePriority is compare as a function, for slices.SortFunc.
func ComparePriority(p, q Priority) int { return p.compare(q) }

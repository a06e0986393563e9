package casework

import (
	"testing"
	"time"
)

// The queue's tags (issue 13): an RG decision's deadline read in the
// jurisdiction's calendar days, reviews, and how long a conclusive
// decision has been waited for.
func TestQueueTag(t *testing.T) {
	kathmandu := time.FixedZone("NPT", 5*3600+45*60)
	now := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC) // 09:45 in Kathmandu
	key := func(stage int, due, since time.Time) string {
		p := Priority{Stage: stage, Due: due, Since: since, CaseID: "c1"}
		return p.Key()
	}
	referred := now.AddDate(0, 0, -40)
	for _, c := range []struct {
		name string
		key  string
		want Tag
	}{
		{"deadline passed two days ago", key(QueueAwaitingRG, now.AddDate(0, 0, -2), referred), Tag{TagOverdue, 2}},
		{"deadline passed an hour ago is overdue today", key(QueueAwaitingRG, now.Add(-time.Hour), referred), Tag{TagOverdue, 0}},
		{"deadline later today in Kathmandu", key(QueueAwaitingRG, now.Add(10*time.Hour), referred), Tag{TagDueToday, 0}},
		{"deadline past midnight in Kathmandu is tomorrow", key(QueueAwaitingRG, now.Add(15*time.Hour), referred), Tag{TagDueIn, 1}},
		{"deadline in five days", key(QueueAwaitingRG, now.AddDate(0, 0, 5), referred), Tag{TagDueIn, 5}},
		{"a negative decision awaits review", key(QueueAwaitingReview, now.AddDate(0, 0, 3), referred), Tag{Kind: TagReview}},
		{"conclusive decision waited for since the referral", key(QueueAwaitingCG, time.Time{}, referred), Tag{TagWaitingCG, 40}},
		{"decided: no tag", key(QueueDecided, time.Time{}, referred), Tag{}},
		{"not a key", "nonsense", Tag{}},
	} {
		if got := QueueTag(c.key, now, kathmandu); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

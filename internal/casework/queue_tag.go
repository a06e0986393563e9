package casework

import (
	"strconv"
	"strings"
	"time"
)

// Tags say, for a row of the authority's queue, what is due and when.
const (
	TagOverdue   = "overdue"    // the reasonable-grounds deadline has passed (Days: by how many days)
	TagDueToday  = "due_today"  // the reasonable-grounds deadline is today
	TagDueIn     = "due_in"     // the reasonable-grounds deadline is Days days away
	TagReview    = "review"     // a negative decision awaits a second person's review
	TagWaitingCG = "waiting_cg" // a conclusive decision is pending; the person was referred Days days ago
)

// Tag is what a queue row says is due: its kind (Tag*) and a number of
// days, counted in calendar days where the jurisdiction keeps time.
type Tag struct {
	Kind string
	Days int
}

// QueueTag reads a case's queue key (QueueKey(...).Key()) at now, with
// days counted in loc: an RG decision due is overdue, due today or due in
// N days (its deadline: Directive 2011/36/EU art. 11(2) and the
// jurisdiction's rule); a negative decision awaits review; a conclusive
// decision has been waited for N days since the referral. A decided case
// or a key that does not parse has no tag ("").
func QueueTag(key string, now time.Time, loc *time.Location) Tag {
	stage, due, _, ok := ParseKey(key)
	if !ok {
		return Tag{}
	}
	days := func(from, to time.Time) int {
		fy, fm, fd := from.In(loc).Date()
		ty, tm, td := to.In(loc).Date()
		return int(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC).Sub(time.Date(fy, fm, fd, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	}
	switch stage {
	case QueueAwaitingRG:
		switch d := days(now, due); {
		case now.After(due):
			return Tag{TagOverdue, max(days(due, now), 0)}
		case d == 0:
			return Tag{TagDueToday, 0}
		default:
			return Tag{TagDueIn, d}
		}
	case QueueAwaitingReview:
		return Tag{Kind: TagReview}
	case QueueAwaitingCG:
		since, ok := keySince(key)
		if !ok {
			return Tag{Kind: TagWaitingCG}
		}
		return Tag{TagWaitingCG, max(days(since, now), 0)}
	}
	return Tag{}
}

// keySince reads the waiting-since instant of a queue key.
func keySince(key string) (time.Time, bool) {
	parts := strings.SplitN(key, ".", 5)
	if len(parts) != 5 || len(parts[3]) != 15 {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil || ms == 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

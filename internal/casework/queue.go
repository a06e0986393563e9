package casework

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Queue stages, in the order the authority's queue takes them.
const (
	QueueAwaitingRG     = 0 // a reasonable-grounds decision is due
	QueueAwaitingReview = 1 // a negative decision (RG or CG) awaits a second person
	QueueAwaitingCG     = 2 // a conclusive decision is due
	QueueDecided        = 3 // nothing pending
)

// Priority is a case's place in the competent authority's queue. Urgent
// cases come first; then cases awaiting a reasonable-grounds decision,
// earliest deadline first (so overdue ones lead); then negative decisions
// awaiting review (conclusive ones, then reasonable-grounds ones by their
// deadline), then cases awaiting a conclusive decision,
// then the rest, each oldest referral first; the case id breaks ties.
type Priority struct {
	Urgent  bool
	Stage   int
	Overdue bool
	// Due is the reasonable-grounds deadline when an RG decision is
	// pending, or awaits review (a negative one): a review stage with a
	// Due is an RG review, one without a CG review.
	Due time.Time
	// Since is when the RG clock started (awaiting RG) or the referral.
	Since  time.Time
	CaseID string
}

// QueueKey places a record in the queue at now. urgent is the case's
// urgency (immediate needs at referral).
func QueueKey(rec Record, urgent bool, now time.Time) Priority {
	p := Priority{Urgent: urgent, CaseID: rec.CaseID, Since: rec.ReferredAt}
	switch {
	case rec.AwaitingReasonableGrounds():
		p.Stage, p.Due, p.Since, p.Overdue = QueueAwaitingRG, rec.RGDeadline, rec.RGClockStart, Overdue(rec, now)
	case rec.State == StateRGNegativePendingReview:
		p.Stage, p.Due, p.Since = QueueAwaitingReview, rec.RGDeadline, rec.RGClockStart
	case rec.State == StateCGNegativePendingReview:
		p.Stage = QueueAwaitingReview
	case rec.AwaitingConclusive():
		p.Stage = QueueAwaitingCG
	default:
		p.Stage = QueueDecided
	}
	return p
}

// Key is a string that sorts, byte by byte, in the queue's order, for an
// index or a page cursor: urgent first, then by stage, due date, waiting
// since, and case id (the tests hold the same order written as a
// comparison, and check Key against it). Times are UTC milliseconds (the store's
// precision); times before 1970 sort as 1970.
func (p Priority) Key() string {
	u := 1
	if p.Urgent {
		u = 0
	}
	ms := func(t time.Time) int64 {
		if t.IsZero() || t.Before(time.Unix(0, 0)) {
			return 0
		}
		return t.UnixMilli()
	}
	return fmt.Sprintf("%d.%d.%015d.%015d.%s", u, p.Stage, ms(p.Due), ms(p.Since), p.CaseID)
}

// Overdue reports whether a reasonable-grounds decision is pending past
// its deadline at now.
func Overdue(rec Record, now time.Time) bool {
	return rec.AwaitingReasonableGrounds() && now.After(rec.RGDeadline)
}

// ParseKey reads back the stage, the reasonable-grounds deadline (zero when
// none is pending) and urgency from a key made by Priority.Key, so that a
// queue can be shown without decoding each record.
func ParseKey(key string) (stage int, due time.Time, urgent bool, ok bool) {
	parts := strings.SplitN(key, ".", 5)
	if len(parts) != 5 || len(parts[1]) != 1 || len(parts[2]) != 15 {
		return 0, time.Time{}, false, false
	}
	stage = int(parts[1][0] - '0')
	if stage < QueueAwaitingRG || stage > QueueDecided {
		return 0, time.Time{}, false, false
	}
	ms, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return 0, time.Time{}, false, false
	}
	if ms > 0 {
		due = time.UnixMilli(ms).UTC()
	}
	return stage, due, parts[0] == "0", true
}

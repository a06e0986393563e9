package casework

import (
	"fmt"
	"time"
)

// Queue filters are ranges of queue keys (Priority.Key): the key sorts by
// urgency, stage and deadline, so "overdue", "awaiting review" or "urgent"
// are each one or two ranges an index answers, and the counts above the
// queue are ranges of the key without its urgency.

// Stage codes a reader filters the queue by (in links and the API).
const (
	StageRG     = "rg"     // a reasonable-grounds decision is due (QueueAwaitingRG)
	StageReview = "review" // a negative decision awaits review (QueueAwaitingReview)
	StageCG     = "cg"     // a conclusive decision is due (QueueAwaitingCG)
)

// StageCodes are the stage codes, in queue order.
var StageCodes = []string{StageRG, StageReview, StageCG}

var stageOfCode = map[string]int{StageRG: QueueAwaitingRG, StageReview: QueueAwaitingReview, StageCG: QueueAwaitingCG}

// KeyRange is a half-open range [From, To) of keys; From == To is empty.
type KeyRange struct{ From, To string }

// QueueSelection is the part of the queue a reader asks for: a stage code
// ("" for every stage), urgent cases only, overdue reasonable-grounds
// decisions only.
type QueueSelection struct {
	Stage   string
	Urgent  bool
	Overdue bool
}

// keyMillis writes an instant as Key does.
func keyMillis(t time.Time) string {
	ms := t.UnixMilli()
	if t.IsZero() || ms < 0 {
		ms = 0
	}
	return fmt.Sprintf("%015d", ms)
}

// Ranges returns the ranges of queue keys that hold sel's cases at now
// (any of them; none means the whole queue). An unknown stage, or overdue
// with a stage other than reasonable grounds, selects nothing: one empty
// range.
func (sel QueueSelection) Ranges(now time.Time) []KeyRange {
	var body KeyRange // the range of the key after its urgency
	switch st, ok := stageOfCode[sel.Stage]; {
	case sel.Stage != "" && !ok, sel.Overdue && sel.Stage != "" && st != QueueAwaitingRG:
		return []KeyRange{{}}
	case sel.Overdue:
		// An RG decision is overdue when its deadline has passed
		// (Overdue): the key's deadline sorts before now's.
		body = KeyRange{fmt.Sprintf("%d.", QueueAwaitingRG), fmt.Sprintf("%d.%s", QueueAwaitingRG, keyMillis(now))}
	case ok:
		body = KeyRange{fmt.Sprintf("%d.", st), fmt.Sprintf("%d.", st+1)}
	case !sel.Urgent:
		return nil
	}
	if body == (KeyRange{}) { // urgent cases at any stage
		return []KeyRange{{"0.", "1."}}
	}
	out := []KeyRange{{"0." + body.From, "0." + body.To}}
	if !sel.Urgent {
		out = append(out, KeyRange{"1." + body.From, "1." + body.To})
	}
	return out
}

// TagBands are the ranges of queue keys without their urgency that hold
// each tag kind at now (QueueTag, with days in loc), plus DueWeek: the
// reasonable-grounds decisions due from now to seven days on.
func TagBands(now time.Time, loc *time.Location) map[string]KeyRange {
	y, m, d := now.In(loc).Date()
	tomorrow := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	rg := func(t time.Time) string { return fmt.Sprintf("%d.%s", QueueAwaitingRG, keyMillis(t)) }
	return map[string]KeyRange{
		TagOverdue:   {fmt.Sprintf("%d.", QueueAwaitingRG), rg(now)},
		TagDueToday:  {rg(now), rg(tomorrow)},
		TagDueIn:     {rg(tomorrow), fmt.Sprintf("%d.", QueueAwaitingReview)},
		TagReview:    {fmt.Sprintf("%d.", QueueAwaitingReview), fmt.Sprintf("%d.", QueueAwaitingCG)},
		TagWaitingCG: {fmt.Sprintf("%d.", QueueAwaitingCG), fmt.Sprintf("%d.", QueueDecided)},
		DueWeek:      {rg(now), rg(now.AddDate(0, 0, 7))},
	}
}

// DueWeek names the band of reasonable-grounds decisions due within seven
// days (TagBands).
const DueWeek = "due_week"

package casework

import "time"

// Next actions: what the competent authority must do next on a case, for
// the summary card at the top of the case page.
const (
	NextDecideRG = "decide_rg" // a reasonable-grounds decision is due by its deadline
	NextReview   = "review"    // a negative decision awaits a second person's review
	NextDecideCG = "decide_cg" // a conclusive decision is pending
	NextNone     = ""          // no decision is pending
)

// Countdown units: how a NextAction's Days are counted.
const (
	UnitWorkingDays = "working_days" // working days of the jurisdiction's calendar
	UnitDays        = "days"         // calendar days where the jurisdiction keeps time
)

// NextAction is the next decision a case waits for and how near its
// deadline is. Due is zero when the action has no deadline. When Overdue,
// Days is how many calendar days ago the deadline passed; otherwise it is
// how many Units remain until the day of the deadline (0: due today).
type NextAction struct {
	Kind    string
	Due     time.Time
	Overdue bool
	Days    int
	Unit    string
}

// NextActionOf reads a decision record at now in the calendar cal:
//
//   - awaiting a reasonable-grounds decision: due by the RG deadline,
//     counted down in working days because the target is set in working days
//     (Directive 2011/36/EU art. 11(2): assistance once there are reasonable
//     grounds; the jurisdiction's target, UK: 5 working days); once passed,
//     overdue by calendar days;
//   - a negative decision pending review: review, no deadline of its own;
//   - awaiting a conclusive decision: due by the end of the recovery and
//     reflection period (CoE Convention art. 13(1): at least 30 days, in
//     calendar days), so that the person learns the outcome while the period
//     still protects them; no deadline when no period is open;
//   - anything else: nothing pending.
func NextActionOf(rec Record, now time.Time, cal Calendar) NextAction {
	loc := cal.Location()
	days := func(from, to time.Time) int {
		fy, fm, fd := from.In(loc).Date()
		ty, tm, td := to.In(loc).Date()
		return int(time.Date(ty, tm, td, 12, 0, 0, 0, time.UTC).Sub(time.Date(fy, fm, fd, 12, 0, 0, 0, time.UTC)).Hours() / 24)
	}
	countdown := func(n NextAction, unit string) NextAction {
		if n.Due.IsZero() {
			return n
		}
		if now.After(n.Due) {
			n.Overdue, n.Days, n.Unit = true, max(days(n.Due, now), 0), UnitDays
			return n
		}
		n.Unit = unit
		if unit == UnitWorkingDays {
			n.Days = max(WorkingDaysBetween(now, n.Due, cal), 0)
		} else {
			n.Days = max(days(now, n.Due), 0)
		}
		return n
	}
	switch {
	case rec.AwaitingReasonableGrounds():
		return countdown(NextAction{Kind: NextDecideRG, Due: rec.RGDeadline}, UnitWorkingDays)
	case rec.State == StateRGNegativePendingReview || rec.State == StateCGNegativePendingReview:
		return NextAction{Kind: NextReview}
	case rec.AwaitingConclusive():
		n := NextAction{Kind: NextDecideCG}
		if rec.Period.Open() {
			n.Due = rec.Period.End
		}
		return countdown(n, UnitDays)
	}
	return NextAction{Kind: NextNone}
}

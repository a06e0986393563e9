package casework

import "time"

// ExtendPeriod moves the end of the recovery and reflection period later.
// It never moves it earlier: a new end that is not later than the current
// one is refused with period_shortened.
func ExtendPeriod(rec Record, x Extension, now time.Time) (Record, []Event, error) {
	if err := check(rec, nil, x.ExpectedVersion, x.By, now); err != nil {
		return Record{}, nil, err
	}
	if !rec.Period.Open() {
		return Record{}, nil, refuse(CodeNoPeriod, rec, "")
	}
	if !x.NewEnd.After(rec.Period.End) {
		return Record{}, nil, refuse(CodePeriodShortened, rec, "a new end must be later than the current one")
	}
	c := begin(rec, x.By, now)
	c.to.Period.End = x.NewEnd
	c.emit(Event{Code: EventPeriodExtended, From: rec.State, To: c.to.State, Outcome: "extension", PeriodEnd: x.NewEnd})
	return c.done()
}

// PeriodEnd reports the effective end of the recovery and reflection
// period. untilConclusive is true while the period's terms run it until the
// conclusive decision and none is in effect: it then ends at end or when
// that decision takes effect, whichever is later. Once a conclusive
// decision takes effect under such terms, end is already at least the end
// of that day. A record without a period gives the zero time and false.
func PeriodEnd(rec Record) (end time.Time, untilConclusive bool) {
	if !rec.Period.Open() {
		return time.Time{}, false
	}
	return rec.Period.End, rec.Period.UntilConclusive && rec.AwaitingConclusive()
}

// RemovalBarred reports whether the person may not be removed from the
// country at now: during the recovery and reflection period (Council of
// Europe Convention art. 13(1)), and from a positive reasonable-grounds
// decision until a conclusive decision takes effect, the identification
// process being incomplete (art. 10(2)).
func RemovalBarred(rec Record, now time.Time) bool {
	if !rec.Period.Open() {
		return false
	}
	if rec.AwaitingConclusive() {
		return true
	}
	end, open := PeriodEnd(rec)
	return open || !now.After(end)
}

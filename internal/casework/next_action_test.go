package casework

import (
	"testing"
	"time"
)

// The case page's summary card (issue 13): the next decision a case waits
// for and its countdown, read in the fixture's London calendar with the
// 2026 Easter bank holidays.
func TestNextActionOf(t *testing.T) {
	cal := fixture(t).Calendar
	london := cal.Location()
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, london)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	endOf := func(day string) time.Time { return cal.EndOfDay(at(day + " 12:00")) }
	awaitingRG := func(deadline string) Record {
		return Record{State: StateReferred, RGDeadline: endOf(deadline)}
	}
	awaitingCG := func(periodEnd string) Record {
		r := Record{State: StateRGPositive}
		if periodEnd != "" {
			r.Period = Period{Start: at("2026-01-05 10:00"), End: endOf(periodEnd), MinimumDays: 45}
		}
		return r
	}
	for _, c := range []struct {
		name, rule string
		rec        Record
		now        string
		want       NextAction
	}{
		{"RG due in three working days", "RG target is set in working days (UK NRM: 5), so its countdown is too",
			awaitingRG("2026-03-13"), "2026-03-10 09:00", NextAction{NextDecideRG, endOf("2026-03-13"), false, 3, UnitWorkingDays}},
		{"RG countdown skips the weekend", "weekend days are not working days",
			awaitingRG("2026-03-16"), "2026-03-13 09:00", NextAction{NextDecideRG, endOf("2026-03-16"), false, 1, UnitWorkingDays}},
		{"RG countdown skips Easter", "test fixture: Good Friday and Easter Monday are holidays",
			awaitingRG("2026-04-07"), "2026-04-02 09:00", NextAction{NextDecideRG, endOf("2026-04-07"), false, 1, UnitWorkingDays}},
		{"RG due today", "the deadline is the end of its day: later the same day is due today",
			awaitingRG("2026-03-13"), "2026-03-13 17:59", NextAction{NextDecideRG, endOf("2026-03-13"), false, 0, UnitWorkingDays}},
		{"RG overdue by two days", "past the deadline, overdue counts calendar days",
			awaitingRG("2026-03-13"), "2026-03-15 08:00", NextAction{NextDecideRG, endOf("2026-03-13"), true, 2, UnitDays}},
		{"RG reconsideration is due like a first decision", "a reconsidered RG decision waits for a new RG decision",
			Record{State: StateReconsiderationRequested, Reconsideration: ReconsiderationEntry{Stage: StageReasonableGrounds}, RGDeadline: endOf("2026-03-13")},
			"2026-03-12 09:00", NextAction{NextDecideRG, endOf("2026-03-13"), false, 1, UnitWorkingDays}},
		{"negative RG awaits review", "a negative decision takes effect only once a second person upholds it",
			Record{State: StateRGNegativePendingReview, RGDeadline: endOf("2026-03-13")}, "2026-03-20 09:00", NextAction{Kind: NextReview}},
		{"negative CG awaits review", "a negative conclusive decision is always reviewed",
			Record{State: StateCGNegativePendingReview}, "2026-03-20 09:00", NextAction{Kind: NextReview}},
		{"CG due by the period's end", "CoE Convention art. 13(1): the recovery period, counted in calendar days",
			awaitingCG("2026-02-19"), "2026-02-09 09:00", NextAction{NextDecideCG, endOf("2026-02-19"), false, 10, UnitDays}},
		{"CG overdue after the period", "once the period has ended the decision is late",
			awaitingCG("2026-02-19"), "2026-02-23 09:00", NextAction{NextDecideCG, endOf("2026-02-19"), true, 4, UnitDays}},
		{"CG without a period has no deadline", "no period open: nothing to count down to",
			awaitingCG(""), "2026-02-23 09:00", NextAction{Kind: NextDecideCG}},
		{"decided: nothing pending", "a positive conclusive decision completes identification",
			Record{State: StateCGPositive}, "2026-02-23 09:00", NextAction{Kind: NextNone}},
		{"negative in effect: nothing pending", "a negative RG in effect waits for no decision",
			Record{State: StateRGNegative}, "2026-02-23 09:00", NextAction{Kind: NextNone}},
	} {
		if got := NextActionOf(c.rec, at(c.now), cal); got != c.want {
			t.Errorf("%s (%s): %+v, want %+v", c.name, c.rule, got, c.want)
		}
	}
}

package casework

import (
	"testing"
	"time"
)

func TestRecoveryPeriodOpens(t *testing.T) {
	tests := []struct {
		rule, zone, decided, wantEnd string
		cfg                          Country
		untilConclusive              bool
	}{
		{"CoE Convention art. 13: recovery period at least 30 days, from the positive RG decision",
			utc, "2026-03-09 10:00", "2026-04-08", country(t, DefaultCode), true},
		{"CoE Convention art. 13: at least 30 full days even for a decision just before midnight",
			utc, "2026-03-09 23:59", "2026-04-08", country(t, DefaultCode), true},
		{"the period ends at the end of a day in the country's zone",
			seoul, "2026-03-09 08:00", "2026-04-08", country(t, "KR"), true},
		{"the minimum is per country configuration (fixture: 45 days, not until the conclusive decision)",
			london, "2026-03-09 10:00", "2026-04-23", fixture(t), false},
		{"CoE Convention art. 13: at least the minimum in hours too, across the change to summer time (a day more here)",
			london, "2026-03-06 23:12", "2026-04-21", fixture(t), false},
	}
	for _, tt := range tests {
		now := at(t, tt.zone, tt.decided)
		r, _, err := NewRecord("case-1", now.Add(-time.Hour), false, tt.cfg)
		if err != nil {
			t.Fatal(err)
		}
		r, ev, err := DecideReasonableGrounds(r, Decision{r.Version, decider, RGPositive}, now, tt.cfg)
		if err != nil {
			t.Fatal(err)
		}
		p := r.Period
		if !p.Start.Equal(now) || !p.End.Equal(endOfDay(t, tt.zone, tt.wantEnd)) || p.UntilConclusive != tt.untilConclusive || p.MinimumDays != tt.cfg.RecoveryMinimumDays {
			t.Errorf("%s: period %+v, want end of %s", tt.rule, p, tt.wantEnd)
		}
		if p.End.Sub(p.Start) < time.Duration(tt.cfg.RecoveryMinimumDays)*24*time.Hour {
			t.Errorf("%s: only %s", tt.rule, p.End.Sub(p.Start))
		}
		if ev[1].Code != EventPeriodOpened || !ev[1].PeriodEnd.Equal(p.End) {
			t.Errorf("the period's opening is an event: %v", eventCodes(ev))
		}
	}
	w := reach(t, country(t, DefaultCode), false, "rg_negative")
	if w.rec.Period.Open() {
		t.Error("CoE Convention art. 13: only a positive RG opens the period")
	}
}

func TestExtendPeriod(t *testing.T) {
	w := reach(t, country(t, DefaultCode), false, "rg_positive")
	end := w.rec.Period.End
	tests := []struct {
		rule   string
		newEnd time.Time
		code   Code
	}{
		{"never shortened: an earlier end is refused", end.Add(-24 * time.Hour), CodePeriodShortened},
		{"never shortened: an end before the start is refused", w.rec.Period.Start.Add(-time.Hour), CodePeriodShortened},
		{"never shortened: the same end is no extension", end, CodePeriodShortened},
		{"never shortened: a zero time is refused", time.Time{}, CodePeriodShortened},
		{"the period may be extended", end.AddDate(0, 0, 30), ""},
		{"the period may be extended by a millisecond", end.Add(time.Millisecond), ""},
	}
	for _, tt := range tests {
		got, ev, err := ExtendPeriod(w.rec, Extension{w.rec.Version, decider, tt.newEnd}, w.now.Add(time.Hour))
		if tt.code != "" {
			wantCode(t, tt.rule, err, tt.code)
			continue
		}
		if err != nil || !got.Period.End.Equal(tt.newEnd) || !got.Period.Start.Equal(w.rec.Period.Start) {
			t.Errorf("%s: %v %+v", tt.rule, err, got.Period)
		}
		if len(ev) != 1 || ev[0].Code != EventPeriodExtended || !ev[0].PeriodEnd.Equal(tt.newEnd) {
			t.Errorf("%s: events %v", tt.rule, eventCodes(ev))
		}
	}
	_, _, err := ExtendPeriod(reach(t, country(t, DefaultCode), false, "referred").rec, Extension{1, decider, end}, w.now)
	wantCode(t, "no period before a positive RG", err, CodeNoPeriod)
}

func TestPeriodEnd(t *testing.T) {
	def := country(t, DefaultCode)
	fx := fixture(t)
	late := 90 // days to wait before the conclusive decision, past the minimum
	tests := []struct {
		name, rule string
		cfg        Country
		path       func(w *walk)
		wantOpen   bool
		// wantEnd: "min" for the end set when the period opened, "cg" for
		// the end of the day the conclusive decision took effect.
		wantEnd string
	}{
		{"awaiting CG", "UK NRM: support continues until the conclusive decision if later (DOMAIN §3)",
			def, func(w *walk) { w.rg(RGPositive) }, true, "min"},
		{"late positive CG", "UK NRM: the period lasts at least until the conclusive decision",
			def, func(w *walk) { w.rg(RGPositive); w.now = w.now.AddDate(0, 0, late); w.cg("victim_of_trafficking") }, false, "cg"},
		{"early positive CG", "CoE Convention art. 13: an early conclusive decision does not cut the 30 days",
			def, func(w *walk) { w.rg(RGPositive).cg("victim_of_trafficking") }, false, "min"},
		{"pending review", "UK NRM: negative CG reviewed by a second person — until then no conclusive decision is in effect",
			def, func(w *walk) {
				w.rg(RGPositive).consultAll()
				w.now = w.now.AddDate(0, 0, late)
				w.cg("insufficient_evidence")
			}, true, "min"},
		{"late negative CG upheld", "UK NRM: the period lasts until the negative CG takes effect on review",
			def, func(w *walk) {
				w.rg(RGPositive).consultAll().cg("insufficient_evidence")
				w.now = w.now.AddDate(0, 0, late)
				w.review(ReviewUpheld)
			}, false, "cg"},
		{"reconsidered CG", "UK NRM: reconsideration reopens the conclusive stage, and with it the period's run to the decision",
			def, func(w *walk) {
				w.rg(RGPositive).consultAll().cg("insufficient_evidence")
				w.now = w.now.AddDate(0, 0, late)
				w.review(ReviewUpheld).reconsider()
			}, true, "cg"},
		{"fixed period", "a country whose period does not run until the conclusive decision (fixture)",
			fx, func(w *walk) { w.rg(RGPositive); w.now = w.now.AddDate(0, 0, late); w.cg("victim") }, false, "min"},
		{"fixed period awaiting CG", "a country whose period does not run until the conclusive decision (fixture)",
			fx, func(w *walk) { w.rg(RGPositive) }, false, "min"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWalk(t, tt.cfg, false)
			tt.path(w)
			end, open := PeriodEnd(w.rec)
			want := w.rec.Period.Start
			want = tt.cfg.Calendar.endOf(tt.cfg.Calendar.dayOf(want) + int64(tt.cfg.RecoveryMinimumDays))
			if tt.wantEnd == "cg" {
				want = tt.cfg.Calendar.EndOfDay(w.rec.Conclusive.EffectiveAt)
				if w.rec.State == StateReconsiderationRequested {
					want = tt.cfg.Calendar.EndOfDay(w.rec.Reconsideration.Of.EffectiveAt)
				}
			}
			if open != tt.wantOpen || !end.Equal(want) {
				t.Errorf("%s: PeriodEnd = %s, %v; want %s, %v", tt.rule, end, open, want, tt.wantOpen)
			}
		})
	}
	if end, open := PeriodEnd(reach(t, def, false, "referred").rec); !end.IsZero() || open {
		t.Error("no period before a positive RG")
	}
}

func TestPeriodTermsAreKept(t *testing.T) {
	cfg := country(t, DefaultCode)
	w := reach(t, cfg, false, "rg_positive")
	opened := w.rec.Period
	// The country later shortens its rules; the running period keeps the
	// terms it was opened on.
	changed := cfg
	changed.RecoveryUntilConclusive = false
	changed.RecoveryMinimumDays = MinRecoveryDays
	w.cfg = changed
	w.now = w.now.AddDate(0, 0, 90)
	w.cg("victim_of_trafficking")
	if !w.rec.Period.UntilConclusive || !w.rec.Period.End.After(opened.End) {
		t.Errorf("never shortened: a configuration change does not cut a running period: %+v", w.rec.Period)
	}
}

func TestRemovalBarred(t *testing.T) {
	def := country(t, DefaultCode)
	fx := fixture(t)
	after := 120 // days after the situation is reached
	tests := []struct {
		name, rule string
		cfg        Country
		situation  string
		days       int // days after the last change
		want       bool
	}{
		{"referred", "CoE Convention art. 13: the period and its bar start with a positive RG", def, "referred", 0, false},
		{"rg_negative", "CoE Convention art. 13: a negative RG opens no period", def, "rg_negative", 0, false},
		{"within the period", "CoE Convention art. 13(1): no removal during the recovery period", def, "rg_positive", 1, true},
		{"awaiting CG after the minimum", "CoE Convention art. 10(2): no removal until the identification process is complete", fx, "rg_positive", after, true},
		{"pending review after the minimum", "CoE Convention art. 10(2): a negative CG awaiting review has not completed identification", fx, "cg_negative_pending_review", after, true},
		{"reconsidered CG after the minimum", "CoE Convention art. 10(2): a reconsidered CG reopens identification", fx, "reconsideration_cg", after, true},
		{"positive CG within the minimum", "CoE Convention art. 13(1): an early decision does not cut the period", fx, "cg_positive", 1, true},
		{"positive CG after the period", "CoE Convention art. 13: the bar of the period ends with it", fx, "cg_positive", after, false},
		{"negative CG within the minimum", "CoE Convention art. 13(1): the period runs its minimum whatever the decision", def, "cg_negative", 1, true},
		{"negative CG after the period", "CoE Convention art. 13: the bar ends with the period once identification is complete", def, "cg_negative", after, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := reach(t, tt.cfg, false, tt.situation)
			now := w.now.AddDate(0, 0, tt.days)
			if got := RemovalBarred(w.rec, now); got != tt.want {
				end, open := PeriodEnd(w.rec)
				t.Errorf("%s: RemovalBarred = %v at %s (period end %s, until CG %v)", tt.rule, got, now, end, open)
			}
		})
	}
	// A negative CG upheld long after the minimum: the bar lasts to the
	// end of that day in the country's zone, and not beyond.
	kr := country(t, "KR")
	w := newWalk(t, kr, false).rg(RGPositive).consultAll().cg("insufficient_evidence")
	w.now = at(t, seoul, "2026-08-31 10:00") // the review comes a day later
	w.review(ReviewUpheld)
	rule := "UK NRM: the period lasts until the conclusive decision if later — to the end of that day"
	if !RemovalBarred(w.rec, at(t, seoul, "2026-09-01 23:30")) || RemovalBarred(w.rec, at(t, seoul, "2026-09-02 00:00")) {
		t.Errorf("%s: period end %s", rule, w.rec.Period.End)
	}
}

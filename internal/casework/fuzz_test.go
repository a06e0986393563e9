package casework

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// allowed is an independent statement of the workflow's transitions: for
// each operation, the states it may start from and the states it may
// lead to.
var allowed = map[string]map[State][]State{
	"rg": {
		StateReferred:                 {StateRGPositive, StateRGNegative, StateRGNegativePendingReview},
		StateReconsiderationRequested: {StateRGPositive, StateRGNegative, StateRGNegativePendingReview},
	},
	"cg": {
		StateRGPositive:               {StateCGPositive, StateCGNegativePendingReview},
		StateReconsiderationRequested: {StateCGPositive, StateCGNegativePendingReview},
	},
	"consult": {
		StateRGPositive:               {StateRGPositive},
		StateCGNegativePendingReview:  {StateCGNegativePendingReview},
		StateReconsiderationRequested: {StateReconsiderationRequested},
	},
	"review": {
		StateCGNegativePendingReview: {StateCGNegative, StateRGPositive},
		StateRGNegativePendingReview: {StateRGNegative, StateReferred, StateReconsiderationRequested},
	},
	"reconsider": {
		StateRGNegative: {StateReconsiderationRequested},
		StateCGNegative: {StateReconsiderationRequested},
	},
}

var wantStatus = map[State]string{
	StateReferred: StatusPossible, StateRGPositive: StatusPossible, StateRGNegative: StatusNot, StateRGNegativePendingReview: StatusPossible,
	StateCGPositive: StatusActual, StateCGNegativePendingReview: StatusPossible, StateCGNegative: StatusNot,
	StateReconsiderationRequested: StatusPossible,
}

// FuzzWorkflow applies random sequences of operations, with stale
// versions, missing users, unknown codes and same-person reviews mixed in,
// and checks the invariants after each one: the status always follows the
// state; only the transitions above happen; the version grows by one per
// change and a refused change leaves everything as it was; the period,
// once opened, keeps its start and its end never moves earlier; a negative
// conclusive decision takes effect only with every consultation recorded
// and a second person's review; removal is barred while identification is
// incomplete.
func FuzzWorkflow(f *testing.F) {
	f.Add(false, false, []byte{0, 0, 10, 2, 0, 1, 2, 4, 1, 2, 8, 1, 1, 8, 50, 3, 1, 2, 4, 2, 1, 1, 0, 3})
	f.Add(true, false, []byte{0, 0, 1, 2, 0, 1, 2, 4, 1, 2, 8, 1, 2, 12, 1, 1, 8, 2, 3, 0, 2, 3, 5, 2, 4, 2, 2, 1, 0, 200})
	f.Add(false, true, []byte{0, 4, 3, 4, 2, 2, 0, 0, 1, 5, 9, 255, 1, 0, 200, 6, 0, 0, 5, 1, 3})
	f.Add(false, false, []byte{0, 194, 1, 0, 2, 1, 5, 3, 3, 4, 0, 1, 0, 0, 1, 6, 7, 7, 4, 7, 0, 1, 192, 0})
	f.Add(true, true, []byte{0, 0, 0, 2, 0, 0, 2, 4, 0, 2, 8, 0, 2, 12, 0, 1, 4, 0, 3, 2, 0, 3, 1, 0, 4, 1, 0, 1, 0, 0})
	def := country(f, DefaultCode)
	fx := fixture(f)
	users := []string{decider, reviewer, clerk, decider, reviewer, clerk, "user-other", ""}
	start := time.Date(2026, 3, 6, 19, 30, 0, 0, time.UTC)

	f.Fuzz(func(t *testing.T, child, fixed bool, ops []byte) {
		cfg := def
		if fixed {
			cfg = fx
		}
		rec, _, err := NewRecord("case-f", start, child, cfg)
		if err != nil {
			t.Fatal(err)
		}
		now := start
		for i := 0; i+2 < len(ops) && i < 3*100; i += 3 {
			op, a, b := ops[i]%7, ops[i+1], ops[i+2]
			now = now.Add(time.Duration(b) * 37 * time.Minute)
			version := rec.Version
			if a&0xc0 == 0xc0 {
				version += int64(a&3) - 1 // -1, 0 (right after all), +1, +2
			}
			by := users[int(a>>2)%len(users)]
			sel := int(a>>5) + int(b)
			prev := rec
			snapshot := rec
			snapshot.Consultations = slices.Clone(rec.Consultations)

			var (
				name string
				got  Record
				ev   []Event
			)
			switch op {
			case 0:
				name = "rg"
				outcome := []string{RGPositive, RGNegative, "maybe"}[sel%3]
				got, ev, err = DecideReasonableGrounds(rec, Decision{version, by, outcome}, now, cfg)
				mustSucceed(t, err, version == rec.Version && by != "" && outcome != "maybe" && rec.AwaitingReasonableGrounds())
			case 1:
				name = "cg"
				codes := []string{"bogus"}
				for _, o := range cfg.ConclusiveOutcomes {
					codes = append(codes, o.Code)
				}
				got, ev, err = DecideConclusive(rec, Decision{version, by, codes[sel%len(codes)]}, now, cfg)
			case 2:
				name = "consult"
				parties := append(cfg.RequiredConsultations(true), "bogus")
				party := parties[sel%len(parties)]
				got, ev, err = RecordConsultation(rec, Consultation{version, by, party}, now, cfg)
				mustSucceed(t, err, version == rec.Version && by != "" && party != "bogus" && rec.AwaitingConclusive())
			case 3:
				name = "review"
				outcome := []string{ReviewUpheld, ReviewReturned, ReviewUpheld, "bogus"}[sel%4]
				got, ev, err = ReviewNegative(rec, Review{version, by, outcome}, now, cfg)
				proposer, pending := rec.PendingReview()
				mustSucceed(t, err, version == rec.Version && by != "" && by != proposer && outcome == ReviewReturned && pending)
			case 4:
				name = "reconsider"
				got, ev, err = RequestReconsideration(rec, Reconsideration{version, by}, now, cfg)
				mustSucceed(t, err, version == rec.Version && by != "" && (rec.State == StateRGNegative || rec.State == StateCGNegative))
			case 5:
				name = "extend"
				newEnd := rec.Period.End.Add(time.Duration(int(b)-64) * time.Hour)
				got, ev, err = ExtendPeriod(rec, Extension{version, by, newEnd}, now)
				if err == nil && !newEnd.After(prev.Period.End) {
					t.Fatalf("never shortened: an extension to %s accepted over %s", newEnd, prev.Period.End)
				}
			case 6:
				// No change: the read-only functions agree with the record.
				checkViews(t, rec, now)
				continue
			}

			if !reflect.DeepEqual(prev, snapshot) {
				t.Fatalf("%s changed the record it was given", name)
			}
			if err != nil {
				code := CodeOf(err)
				if !slices.Contains(Codes, code) {
					t.Fatalf("%s: error without a known code: %v", name, err)
				}
				if !reflect.DeepEqual(got, Record{}) || ev != nil {
					t.Fatalf("%s: a refused change returned a record or events", name)
				}
				if (code == CodeStaleVersion) != (version != prev.Version) {
					t.Fatalf("%s: version %d on a record at %d gave %v", name, version, prev.Version, err)
				}
				if code == CodeActorRequired && by != "" {
					t.Fatalf("%s: actor_required with a user", name)
				}
				continue
			}
			rec = got
			checkChange(t, name, prev, rec, ev, by, now, cfg)
		}
	})
}

func mustSucceed(t *testing.T, err error, expected bool) {
	t.Helper()
	if expected && err != nil {
		t.Fatalf("a change that the rules allow was refused: %v", err)
	}
}

func checkChange(t *testing.T, name string, prev, rec Record, ev []Event, by string, now time.Time, cfg Country) {
	t.Helper()
	if rec.Version != prev.Version+1 {
		t.Fatalf("%s: version %d after %d", name, rec.Version, prev.Version)
	}
	if rec.TraffickingStatus != wantStatus[rec.State] {
		t.Fatalf("%s: status %s in state %s", name, rec.TraffickingStatus, rec.State)
	}
	if name == "extend" {
		if rec.State != prev.State {
			t.Fatalf("extend changed the state")
		}
	} else if !slices.Contains(allowed[name][prev.State], rec.State) {
		t.Fatalf("%s: transition %s → %s is not in the workflow", name, prev.State, rec.State)
	}
	if rec.State == StateReconsiderationRequested && prev.State != StateReconsiderationRequested {
		want := map[State]Stage{StateRGNegative: StageReasonableGrounds, StateCGNegative: StageConclusiveGrounds}[prev.State]
		if rec.Reconsideration.Stage != want {
			t.Fatalf("reconsideration of %s reopened %s", prev.State, rec.Reconsideration.Stage)
		}
	}
	// The period: opened by a positive RG only; once open, its start is
	// kept and its end never moves earlier.
	if prev.Period.Open() {
		if !rec.Period.Start.Equal(prev.Period.Start) || rec.Period.End.Before(prev.Period.End) {
			t.Fatalf("%s: period %+v after %+v", name, rec.Period, prev.Period)
		}
	} else if rec.Period.Open() != (rec.State == StateRGPositive && name == "rg") {
		t.Fatalf("%s: period opened=%v in %s", name, rec.Period.Open(), rec.State)
	}
	if rec.Period.Open() && rec.Period.End.Sub(rec.Period.Start) < time.Duration(rec.Period.MinimumDays)*24*time.Hour {
		t.Fatalf("CoE Convention art. 13: period %+v shorter than its minimum", rec.Period)
	}
	if (rec.State == StateCGPositive || rec.State == StateCGNegative) && rec.Period.UntilConclusive &&
		rec.Period.End.Before(rec.Conclusive.EffectiveAt) {
		t.Fatalf("the period ended %s before the conclusive decision took effect %s", rec.Period.End, rec.Conclusive.EffectiveAt)
	}
	// A negative conclusive decision: consultations first, then a second
	// person.
	switch rec.State {
	case StateCGNegativePendingReview, StateCGNegative:
		if m := missingConsultations(rec, cfg); len(m) > 0 {
			t.Fatalf("%s without consulting %v", rec.State, m)
		}
		if rec.Conclusive.Positive || rec.Conclusive.By == "" {
			t.Fatalf("%s with decision %+v", rec.State, rec.Conclusive)
		}
	}
	if rec.State == StateCGNegative && (rec.Review.Outcome != ReviewUpheld || rec.Review.By == rec.Conclusive.By || rec.Conclusive.EffectiveAt.IsZero()) {
		t.Fatalf("a negative CG in effect without a second person's review: %+v %+v", rec.Conclusive, rec.Review)
	}
	if rec.State == StateCGNegativePendingReview && !rec.Conclusive.EffectiveAt.IsZero() {
		t.Fatal("a negative CG took effect before its review")
	}
	// Events: codes and ids of this change.
	if len(ev) == 0 || ev[0].From != prev.State || ev[0].To != rec.State {
		t.Fatalf("%s: events %v", name, eventCodes(ev))
	}
	statusEvent := false
	for _, e := range ev {
		if e.CaseID != rec.CaseID || e.Version != rec.Version || !e.At.Equal(now) || e.By != by || e.Status != rec.TraffickingStatus {
			t.Fatalf("%s: event %+v does not describe the change", name, e)
		}
		statusEvent = statusEvent || e.Code == EventStatusChanged
	}
	if statusEvent != (rec.TraffickingStatus != prev.TraffickingStatus) {
		t.Fatalf("%s: status %s → %s with events %v", name, prev.TraffickingStatus, rec.TraffickingStatus, eventCodes(ev))
	}
	checkViews(t, rec, now)
}

// checkViews checks the read-only functions against the record.
func checkViews(t *testing.T, rec Record, now time.Time) {
	t.Helper()
	if rec.AwaitingConclusive() && !RemovalBarred(rec, now) {
		t.Fatalf("CoE Convention art. 10(2): removal allowed in %s", rec.State)
	}
	end, open := PeriodEnd(rec)
	if rec.Period.Open() && !end.Equal(rec.Period.End) || open && !rec.Period.UntilConclusive {
		t.Fatalf("PeriodEnd %s %v for %+v", end, open, rec.Period)
	}
	if rec.Period.Open() && !rec.AwaitingConclusive() && !open && !now.After(end) && !RemovalBarred(rec, now) {
		t.Fatal("CoE Convention art. 13: removal allowed during the period")
	}
	p := QueueKey(rec, false, now)
	if p.Overdue != Overdue(rec, now) || p.Overdue && !rec.AwaitingReasonableGrounds() {
		t.Fatalf("queue key %+v disagrees with Overdue in %s", p, rec.State)
	}
}

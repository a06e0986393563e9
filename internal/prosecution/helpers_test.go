package prosecution

import (
	"testing"
	"time"
)

// t0 is a fixed instant; tests count from it.
var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// at returns t0 plus n hours.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

// now is the clock's time in the tests: after every event they date.
var now = at(100)

const (
	officer    = "user-police-officer"
	prosecutor = "user-prosecutor"
	police     = "agency-police-atu"
)

// wantCode fails unless err carries code (or is nil when code is "").
func wantCode(t *testing.T, rule string, err error, code Code) {
	t.Helper()
	if got := CodeOf(err); got != code || (code == "" && err != nil) || (code != "" && err == nil) {
		t.Errorf("%s: got error %v (code %q), want code %q", rule, err, got, code)
	}
}

// itemCase is a case of a table test that adds an item of type T to an
// investigation: the rule it checks, the item, and the refusal code the
// rule wants ("" when the item is accepted).
type itemCase[T any] struct {
	name, rule string
	item       T
	want       Code
}

// runItemCases runs add on each case's item as a subtest and checks its
// refusal code; accepted checks the investigation an accepted item gave.
func runItemCases[T any](t *testing.T, cases []itemCase[T], add func(T) (Investigation, error), accepted func(t *testing.T, c itemCase[T], out Investigation)) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := add(c.item)
			wantCode(t, c.rule, err, c.want)
			if err == nil {
				accepted(t, c, out)
			}
		})
	}
}

// builtCase is an itemCase tried on the investigation build makes.
type builtCase[T any] struct {
	name, rule string
	build      func(t testing.TB) Investigation
	item       T
	want       Code
}

// runBuiltCases runs add on each case's item and the investigation its
// build makes, as a subtest, and checks the refusal code; accepted checks
// what an accepted item gave (out) against what it was given (inv).
func runBuiltCases[T any](t *testing.T, cases []builtCase[T], add func(inv Investigation, x T) (Investigation, error), accepted func(t *testing.T, c builtCase[T], inv, out Investigation)) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv := c.build(t)
			out, err := add(inv, c.item)
			wantCode(t, c.rule, err, c.want)
			if err == nil {
				accepted(t, c, inv, out)
			}
		})
	}
}

// must returns a function that returns an operation's investigation, or
// fails on its error: must(t)(AddSuspect(...)).
func must(t testing.TB) func(Investigation, error) Investigation {
	t.Helper()
	return func(inv Investigation, err error) Investigation {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected refusal: %v", err)
		}
		return inv
	}
}

// opened is a new investigation, opened at at(0).
func opened(t testing.TB) Investigation {
	t.Helper()
	inv, err := Open("inv-1", "case-1", police, at(0), officer, now)
	return must(t)(inv, err)
}

// suspect is a valid individual suspect.
func suspect(id string) Suspect {
	return Suspect{ID: id, ChainRole: RoleRecruiter, Gender: "Masculine", Citizenship: "NP", Nature: NatureIndividual, SealedRef: "seal-" + id}
}

func withSuspect(t testing.TB, inv Investigation, id string) Investigation {
	t.Helper()
	out, err := AddSuspect(inv, inv.Version, suspect(id), officer, now)
	return must(t)(out, err)
}

func withCharge(t testing.TB, inv Investigation, id, suspectID string, o OffenceCategory) Investigation {
	t.Helper()
	out, err := AddCharge(inv, inv.Version, Charge{ID: id, SuspectID: suspectID, Offence: o, Provision: "cc_s123"}, officer, now)
	return must(t)(out, err)
}

func withStep(t testing.TB, inv Investigation, id, charge string, s Stage, o Outcome, when time.Time) Investigation {
	t.Helper()
	out, err := RecordProceeding(inv, inv.Version, Proceeding{ID: id, ChargeID: charge, Stage: s, Outcome: o, At: when}, prosecutor, now)
	return must(t)(out, err)
}

// base has suspect s1 and charge c1 (trafficking), at the investigation
// stage.
func base(t testing.TB) Investigation {
	t.Helper()
	return withCharge(t, withSuspect(t, opened(t), "s1"), "c1", "s1", OffenceTrafficking)
}

// charged is base with c1 brought at at(2).
func charged(t testing.TB) Investigation {
	t.Helper()
	return withStep(t, base(t), "p1", "c1", StageCharged, "", at(2))
}

// convicted is charged with a trial at at(3) and a conviction at at(4).
func convicted(t testing.TB) Investigation {
	t.Helper()
	inv := withStep(t, charged(t), "p2", "c1", StageTrial, "", at(3))
	return withStep(t, inv, "p3", "c1", StageVerdict, OutcomeConvicted, at(4))
}

// ordered is convicted with compensation k1 of 100000 NPR ordered at at(5).
func ordered(t testing.TB) Investigation {
	t.Helper()
	inv := convicted(t)
	out, err := RecordCompensation(inv, inv.Version, Compensation{ID: "k1", ChargeID: "c1", Ordered: Money{100000, "NPR"},
		State: CompensationOrdered, At: at(5)}, prosecutor, now)
	return must(t)(out, err)
}

package prosecution

import (
	"fmt"
	"slices"
	"testing"
)

func TestMisclassified(t *testing.T) {
	build := func(t *testing.T, offences ...OffenceCategory) Investigation {
		inv := withSuspect(t, withSuspect(t, opened(t), "s1"), "s2")
		for i, o := range offences {
			inv = withCharge(t, inv, fmt.Sprint("c", i+1), []string{"s1", "s2"}[i%2], o)
		}
		return inv
	}
	cases := []struct {
		name, rule string
		offences   []OffenceCategory
		screening  bool
		want       []string
	}{
		{"pimping only", "seed ch. 4.2: traffickers convicted for pimping instead of trafficking",
			[]OffenceCategory{OffencePimping}, true, []string{"c1"}},
		{"smuggling only", "seed ch. 4.2: convicted for smuggling instead of trafficking (Smuggling Protocol art. 3(a) is a crime against the State)",
			[]OffenceCategory{OffenceSmugglingOfMigrants}, true, []string{"c1"}},
		{"money laundering only", "seed ch. 4.2: convicted for money laundering instead of trafficking",
			[]OffenceCategory{OffenceMoneyLaundering}, true, []string{"c1"}},
		{"pimping, smuggling and laundering", "statistics: every substitute charge is flagged, in the order added",
			[]OffenceCategory{OffencePimping, OffenceSmugglingOfMigrants, OffenceMoneyLaundering}, true, []string{"c1", "c2", "c3"}},
		{"brothel article", "seed ch. 4.2: Mongolia prosecutes sex trafficking under the brothel article (procuring)",
			[]OffenceCategory{OffenceProcuring, OffenceOther}, true, []string{"c1", "c2"}},
		{"with a trafficking charge", "Palermo Protocol art. 5: a trafficking charge — substitute charges beside it are ordinary",
			[]OffenceCategory{OffencePimping, OffenceTrafficking, OffenceMoneyLaundering}, true, nil},
		{"trafficking first", "statistics: a trafficking charge anywhere clears the warning",
			[]OffenceCategory{OffenceTrafficking, OffenceSmugglingOfMigrants}, true, nil},
		{"screening says no", "statistics: a smuggling case that screening did not find to be trafficking is smuggling",
			[]OffenceCategory{OffenceSmugglingOfMigrants, OffenceMoneyLaundering}, false, nil},
		{"no charges", "statistics: nothing charged, nothing misclassified", nil, true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Misclassified(build(t, c.offences...), c.screening); !slices.Equal(got, c.want) {
				t.Errorf("%s: Misclassified = %v, want %v", c.rule, got, c.want)
			}
		})
	}
	// Every substitute offence, alone, is flagged; trafficking never.
	for _, o := range OffenceCategories() {
		got := Misclassified(build(t, o), true)
		if want := o != OffenceTrafficking; (got != nil) != want || o.Substitute() != want {
			t.Errorf("seed ch. 4.2: a case charged only with %s: flagged %v, want %v", o, got, want)
		}
	}
	// The outcome of the trafficking charge does not matter: it exists.
	inv := build(t, OffenceTrafficking, OffencePimping)
	inv = withStep(t, inv, "p1", "c1", StageCharged, "", at(1))
	inv = withStep(t, inv, "p2", "c1", StageVerdict, OutcomeAcquitted, at(2))
	if got := Misclassified(inv, true); got != nil {
		t.Errorf("statistics: an acquittal on a trafficking charge still counts as a trafficking prosecution: %v", got)
	}
}

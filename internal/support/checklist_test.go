package support

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestChecklistItems(t *testing.T) {
	cases := []struct {
		name, rule string
		got        []Item
		want       []string
	}{
		{"early steps", "OSCE 2011 (seed): five early steps of identification, in order",
			EarlySteps(), []string{"initial_referral", "basic_needs_and_information", "early_risk_assessment",
				"language_and_interpretation", "recovery_and_reflection_period"}},
		{"information items", "OSCE 2011 (seed): six information items every presumed victim must receive",
			InformationItems(), []string{"rights_and_obligations", "recovery_period_function", "available_services",
				"investigative_and_prosecutorial_steps", "security_and_witness_protection", "next_steps_of_referral"}},
		{"all items", "OSCE 2011 (seed): a checklist holds the five steps and the six items, steps first",
			Items(), []string{"initial_referral", "basic_needs_and_information", "early_risk_assessment",
				"language_and_interpretation", "recovery_and_reflection_period", "rights_and_obligations",
				"recovery_period_function", "available_services", "investigative_and_prosecutorial_steps",
				"security_and_witness_protection", "next_steps_of_referral"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := make([]string, len(c.got))
			for i, it := range c.got {
				got[i] = string(it)
				if !it.Valid() {
					t.Errorf("%s: %s is not valid", c.rule, it)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s:\n got %v\nwant %v", c.rule, got, c.want)
			}
		})
	}
	for _, s := range EarlySteps() {
		if !s.IsStep() {
			t.Errorf("OSCE 2011: %s is an early step", s)
		}
	}
	for _, i := range InformationItems() {
		if i.IsStep() {
			t.Errorf("OSCE 2011: %s is an information item, not a step", i)
		}
	}
}

func TestChecklistRecord(t *testing.T) {
	now := at(10)
	cases := []struct {
		name, rule string
		item       Item
		by, lang   string
		when       time.Time
		want       Code
	}{
		{"step recorded", "OSCE 2011: each early step is recorded with date, user and language",
			StepInitialReferral, worker, "ne", at(9), ""},
		{"information recorded", "OSCE 2011: each information item is recorded with date, user and language",
			InfoRightsAndObligations, worker, "th", at(9), ""},
		{"three-letter language", "ISO 639-2/3: a three-letter code names a language too",
			InfoAvailableServices, worker, "khk", at(9), ""},
		{"recorded at the clock's time", "checklist: a date equal to the clock's time is not in the future",
			StepEarlyRiskAssessment, worker, "mn", now, ""},
		{"unknown item", "OSCE 2011: only the five steps and six items exist",
			"tea_and_biscuits", worker, "en", at(9), CodeUnknownItem},
		{"empty item", "OSCE 2011: only the five steps and six items exist",
			"", worker, "en", at(9), CodeUnknownItem},
		{"future date", "checklist: a step cannot be recorded as done in the future",
			StepInitialReferral, worker, "en", now.Add(time.Second), CodeFutureDate},
		{"no date", "checklist: every entry has a date",
			StepInitialReferral, worker, "en", time.Time{}, CodeInvalidInput},
		{"empty language", "OSCE 2011: information is given in a language the person understands — the language is required",
			InfoNextStepsOfReferral, worker, "", at(9), CodeLanguageRequired},
		{"not a language code", "ISO 639: the language is a code",
			InfoNextStepsOfReferral, worker, "Nepali", at(9), CodeInvalidLanguage},
		{"withdrawn ISO 639-1 code", "ISO 639-1: withdrawn codes (iw) are not accepted",
			InfoNextStepsOfReferral, worker, "iw", at(9), CodeInvalidLanguage},
		{"undetermined language", "ISO 639-2: und names no language",
			InfoNextStepsOfReferral, worker, "und", at(9), CodeInvalidLanguage},
		{"upper-case code", "ISO 639: codes are lower case",
			InfoNextStepsOfReferral, worker, "NE", at(9), CodeInvalidLanguage},
		{"no user", "checklist: every entry names the user who recorded it",
			StepInitialReferral, "", "en", at(9), CodeActorRequired},
		{"user with spaces", "checklist: a user id is an id, not free text",
			StepInitialReferral, "Jane Doe", "en", at(9), CodeInvalidInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := NewChecklist(fixed(now))
			if err != nil {
				t.Fatal(err)
			}
			err = cl.Record(c.item, c.by, c.lang, c.when)
			wantCode(t, c.rule, err, c.want)
			if n := len(cl.Entries()); (c.want == "") != (n == 1) {
				t.Errorf("%s: %d entries after %v", c.rule, n, err)
			}
		})
	}
}

func TestChecklistMissing(t *testing.T) {
	all := Items()
	cases := []struct {
		name, rule string
		done       []Item
		want       []Item
	}{
		{"nothing done", "OSCE 2011: every step and item is missing at first", nil, all},
		{"steps done", "OSCE 2011: the six information items are still owed after the five steps",
			EarlySteps(), InformationItems()},
		{"information given", "OSCE 2011: the five steps are still owed after the six items",
			InformationItems(), EarlySteps()},
		{"everything", "OSCE 2011: nothing is missing once all eleven are recorded", all, nil},
		{"recorded twice", "checklist: recording an item again (e.g. in another language) keeps it done",
			append(all, InfoRightsAndObligations), nil},
		{"one item left", "OSCE 2011: the security and witness-protection information is owed until given",
			slices.DeleteFunc(slices.Clone(all), func(i Item) bool { return i == InfoSecurityAndWitness }),
			[]Item{InfoSecurityAndWitness}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := NewChecklist(fixed(at(100)))
			if err != nil {
				t.Fatal(err)
			}
			for i, it := range c.done {
				if err := cl.Record(it, worker, "ne", at(i)); err != nil {
					t.Fatal(err)
				}
			}
			if got := cl.Missing(); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s:\n got %v\nwant %v", c.rule, got, c.want)
			}
		})
	}
}

func TestChecklistLatestAndLoad(t *testing.T) {
	rule := "checklist: the latest entry of an item is the one shown; loading refuses what Record refuses"
	cl, err := NewChecklist(fixed(at(10)),
		Entry{InfoRightsAndObligations, worker, "en", at(1)},
		Entry{InfoRightsAndObligations, provider, "ne", at(5)},
		Entry{InfoRightsAndObligations, worker, "th", at(3)})
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := cl.Latest(InfoRightsAndObligations); !ok || e.Language != "ne" || e.By != provider {
		t.Errorf("%s: latest %+v %v", rule, e, ok)
	}
	if _, ok := cl.Latest(StepInitialReferral); ok {
		t.Errorf("%s: an item never recorded has no latest entry", rule)
	}
	entries := cl.Entries()
	entries[0].By = "someone-else"
	if cl.Entries()[0].By != worker {
		t.Errorf("%s: Entries returns a copy", rule)
	}
	if _, err := NewChecklist(nil); CodeOf(err) != CodeInvalidInput {
		t.Errorf("%s: a checklist needs a clock, got %v", rule, err)
	}
	_, err = NewChecklist(fixed(at(10)), Entry{InfoRightsAndObligations, worker, "", at(1)})
	wantCode(t, rule, err, CodeLanguageRequired)
}

// Missing lists the items not recorded yet, early steps first, each in its
// order. An empty result means every step was taken and the person received
// every item of information.
func (c *Checklist) Missing() []Item {
	var out []Item
	for _, i := range Items() {
		if _, ok := c.Latest(i); !ok {
			out = append(out, i)
		}
	}
	return out
}

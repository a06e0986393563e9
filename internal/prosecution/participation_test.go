package prosecution

import (
	"slices"
	"testing"
	"time"
)

func TestCanRecordParticipation(t *testing.T) {
	cases := []struct {
		w       Willingness
		consent bool
		want    Code
		rule    string
	}{
		{WillingYes, true, CodeAllowed, "CoE Convention art. 28; Directive 2011/36/EU art. 12: a person who consents may take part"},
		{WillingYes, false, CodeParticipationWithoutConsent, "seed (OSCE 2011): informed consent; taking part is the person's choice, recorded only with consent"},
		{WillingNo, false, CodeAllowed, "CoE Convention art. 12(6): a refusal is always recorded, and respected"},
		{WillingNo, true, CodeAllowed, "participation: a person who consented may still say no"},
		{WillingUndecided, false, CodeAllowed, "CoE Convention art. 13: the recovery and reflection period is for deciding"},
		{WillingUndecided, true, CodeAllowed, "participation: undecided needs no consent"},
		{"maybe", true, CodeUnknownWillingness, "participation: values come from the list"},
		{"", false, CodeUnknownWillingness, "participation: a value is required"},
	}
	for _, c := range cases {
		d := CanRecordParticipation(c.w, c.consent)
		if d.Code != c.want || d.Allowed != (c.want == CodeAllowed) {
			t.Errorf("%s: CanRecordParticipation(%q, %v) = %+v, want %s", c.rule, c.w, c.consent, d, c.want)
		}
	}
}

func TestRecordParticipation(t *testing.T) {
	inv := opened(t)
	inv = must(t)(RecordParticipation(inv, inv.Version, Participation{Willing: WillingUndecided, At: at(2), Language: "mn"}, false, officer, now))
	p := func(f func(*Participation)) Participation {
		x := Participation{Willing: WillingYes, At: at(3), Language: "mn",
			ProtectionMeasures: []ProtectionMeasure{MeasureVideoLink, MeasureSupportPerson}}
		f(&x)
		return x
	}
	ok := func(*Participation) {}
	cases := []struct {
		name, rule string
		p          Participation
		consent    bool
		want       Code
	}{
		{"yes with consent", "Directive 2011/36/EU art. 12(4): video link and a support person", p(ok), true, ""},
		{"yes without consent", "participation needs consent: yes is refused without it", p(ok), false, CodeParticipationWithoutConsent},
		{"no without consent, measures kept", "CoE Convention art. 28: protection whether or not the person testifies",
			p(func(x *Participation) { x.Willing = WillingNo }), false, ""},
		{"every measure", "CoE Convention art. 30; Directive 2011/36/EU art. 12(4), 15: the measures of the list",
			p(func(x *Participation) { x.ProtectionMeasures = ProtectionMeasures() }), true, ""},
		{"no measures", "participation: measures are optional", p(func(x *Participation) { x.ProtectionMeasures = nil }), true, ""},
		{"unknown measure", "participation: measures come from the list", p(func(x *Participation) { x.ProtectionMeasures = []ProtectionMeasure{"disguise"} }), true, CodeUnknownProtectionMeasure},
		{"measure twice", "participation: each measure once", p(func(x *Participation) {
			x.ProtectionMeasures = []ProtectionMeasure{MeasureAnonymity, MeasureVideoLink, MeasureAnonymity}
		}), true, CodeDuplicateMeasure},
		{"no language", "seed (OSCE 2011) step 4: language and interpretation — the language is recorded", p(func(x *Participation) { x.Language = "" }), true, CodeLanguageRequired},
		{"not a language", "ISO 639: und names no language", p(func(x *Participation) { x.Language = "und" }), true, CodeInvalidLanguage},
		{"three-letter language", "ISO 639-3: e.g. Tamang", p(func(x *Participation) { x.Language = "taj" }), true, ""},
		{"unknown willingness", "participation: values come from the list", p(func(x *Participation) { x.Willing = "perhaps" }), true, CodeUnknownWillingness},
		{"before the last statement", "dates: not before the latest statement", p(func(x *Participation) { x.At = at(1) }), true, CodeOutOfOrder},
		{"same instant", "dates: at the instant of the latest statement is in order", p(func(x *Participation) { x.At = at(2) }), true, ""},
		{"future", "dates: no statement in the future", p(func(x *Participation) { x.At = now.Add(time.Minute) }), true, CodeFutureDate},
		{"no date", "dates: a statement has a date", p(func(x *Participation) { x.At = time.Time{} }), true, CodeInvalidInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := RecordParticipation(inv, inv.Version, c.p, c.consent, officer, now)
			wantCode(t, c.rule, err, c.want)
			if err != nil {
				return
			}
			got, _ := out.CurrentParticipation()
			if got.Willing != c.p.Willing || got.RecordedBy != officer || !slices.Equal(got.ProtectionMeasures, c.p.ProtectionMeasures) ||
				len(out.Participation) != 2 {
				t.Errorf("%s: %+v", c.rule, got)
			}
		})
	}
	if _, ok := opened(t).CurrentParticipation(); ok {
		t.Errorf("participation: none recorded yet")
	}
}

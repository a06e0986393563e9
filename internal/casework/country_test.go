package casework

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultConfiguration(t *testing.T) {
	d := country(t, DefaultCode)
	tests := []struct {
		rule string
		ok   bool
	}{
		{"UK NRM: RG target 5 working days (DOMAIN §3)", d.RGTargetWorkingDays == 5},
		{"CoE Convention art. 13: recovery period at least 30 days", d.RecoveryMinimumDays == 30},
		{"UK NRM: support continues until the conclusive decision if later (DOMAIN §3)", d.RecoveryUntilConclusive},
		{"UK NRM (England and Wales): CG outcomes victim of trafficking; victim of slavery, servitude or forced labour; insufficient evidence (DOMAIN §3)",
			slices.Equal(d.ConclusiveOutcomes, []Outcome{{"victim_of_trafficking", true}, {"victim_of_slavery_servitude_forced_labour", true}, {"insufficient_evidence", false}})},
		{"UK NRM: before a negative CG consult first responder, support provider, police (DOMAIN §3)",
			slices.Equal(d.RequiredConsultations(false), []string{"first_responder", "support_provider", "police"})},
		{"UK NRM: for a child also the local authority (DOMAIN §3)",
			slices.Equal(d.RequiredConsultations(true), []string{"first_responder", "support_provider", "police", "local_authority"})},
		{"the default belongs to no country: no holidays, UTC, Saturday and Sunday off",
			len(d.Calendar.Holidays()) == 0 && d.Calendar.Zone() == "UTC" && slices.Equal(d.Calendar.Weekend(), []time.Weekday{time.Sunday, time.Saturday})},
		{"unverified data says so", !d.Provenance.Verified && !d.Calendar.Verified() && d.Calendar.Note() != ""},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("%s: not so in the default configuration", tt.rule)
		}
	}
}

func TestSampleCountries(t *testing.T) {
	s := countries(t)
	if got := strings.Join(s.Codes(), ","); got != "KR,MN,NP,TH,default" {
		t.Fatalf("codes %s", got)
	}
	tests := []struct {
		code, zone, rule string
		weekend          []time.Weekday
		holiday          string // one listed holiday
		notHoliday       string // a lunar or Bikram Sambat holiday that must not be invented
	}{
		{"NP", "Asia/Kathmandu", "Nepal sample: Saturday is the weekly holiday; Bikram Sambat and lunar dates are not invented",
			[]time.Weekday{time.Saturday}, "2026-12-25", "Dashain"},
		{"MN", "Asia/Ulaanbaatar", "Mongolia sample: Naadam 11–15 July; Tsagaan Sar (lunar) is not invented",
			[]time.Weekday{time.Sunday, time.Saturday}, "2026-07-13", "Tsagaan Sar"},
		{"TH", "Asia/Bangkok", "Thailand sample: Songkran 13–15 April; Makha Bucha (lunar) is not invented",
			[]time.Weekday{time.Sunday, time.Saturday}, "2027-04-14", "Makha Bucha"},
		{"KR", "Asia/Seoul", "Korea sample: Hangeul Day 9 October; Chuseok (lunar) is not invented",
			[]time.Weekday{time.Sunday, time.Saturday}, "2026-10-09", "Chuseok"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			c := country(t, tt.code)
			cal := c.Calendar
			if cal.Zone() != tt.zone || !slices.Equal(cal.Weekend(), tt.weekend) {
				t.Errorf("%s: zone %s weekend %v", tt.rule, cal.Zone(), cal.Weekend())
			}
			if !slices.Equal(cal.Years(), []int{2026, 2027}) {
				t.Errorf("sample calendars cover 2026–2027: %v", cal.Years())
			}
			var dates, names []string
			for _, h := range cal.Holidays() {
				dates, names = append(dates, h.Date), append(names, h.Name)
			}
			if !slices.Contains(dates, tt.holiday) || slices.Contains(names, tt.notHoliday) {
				t.Errorf("%s: holidays %v %v", tt.rule, dates, names)
			}
			if cal.Verified() || !strings.Contains(cal.Note(), "must load its official calendar") {
				t.Errorf("sample holidays must be unverified and say the authority must load its official calendar: %q", cal.Note())
			}
			if c.Provenance.Verified || !strings.Contains(c.Provenance.Note, "not a statement of the law") {
				t.Errorf("sample rules must be unverified and illustrative: %q", c.Provenance.Note)
			}
		})
	}
}

func TestParseCountryErrors(t *testing.T) {
	fixture(t) // the unedited fixture is valid
	tests := []struct {
		rule, from, to, wantErr string
	}{
		{"strict parsing: unknown fields are refused", `"name": "Test fixture",`, `"name": "Test fixture", "extra": 1,`, "unknown field"},
		{"strict parsing: unknown fields inside a section are refused", `"minimum_days": 45,`, `"minimum_days": 45, "maximum_days": 90,`, "unknown field"},
		{"strict parsing: nothing after the object", `"verified": true}
}`, `"verified": true}
} {}`, "after the JSON object"},
		{"country code: ISO 3166 or default", `"code": "XA"`, `"code": "xa"`, "code"},
		{"a name is required", `"name": "Test fixture"`, `"name": " "`, "name"},
		{"calendar: the time zone must exist", `"Europe/London"`, `"Europe/Atlantis"`, "time_zone"},
		{"calendar: weekend days are English day names", `["saturday", "sunday"]`, `["samedi"]`, "weekend"},
		{"calendar: a weekend day is listed once", `["saturday", "sunday"]`, `["saturday", "saturday"]`, "twice"},
		{"calendar: a week needs a working day", `["saturday", "sunday"]`,
			`["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]`, "working day"},
		{"calendar: holiday dates are YYYY-MM-DD", `"2026-04-03"`, `"2026-4-3"`, "YYYY-MM-DD"},
		{"calendar: holiday dates exist", `"2026-04-03"`, `"2026-02-30"`, "YYYY-MM-DD"},
		{"calendar: holidays fall in the years covered", `"2026-12-26"`, `"2027-01-01"`, "outside the years"},
		{"calendar: a holiday is listed once", `"2026-12-26"`, `"2026-12-25"`, "twice"},
		{"calendar: a holiday has a name", `"name": "Boxing Day"`, `"name": ""`, "name"},
		{"calendar: years increase", `"years": [2026]`, `"years": [2026, 2026]`, "increasing"},
		{"calendar: verified must be stated", `"verified": true,
    "note": ""`, `"note": ""`, "calendar.verified is missing"},
		{"calendar: unverified holidays carry a note", `"verified": true,
    "note": ""`, `"verified": false,
    "note": ""`, "calendar.note"},
		{"UK NRM: RG target in working days, at least 1", `"target_working_days": 5`, `"target_working_days": 0`, "target_working_days"},
		{"CoE Convention art. 13: recovery period at least 30 days", `"minimum_days": 45`, `"minimum_days": 29`, "art. 13"},
		{"until_conclusive must be stated, not default to false", `, "until_conclusive": false`, ``, "until_conclusive is missing"},
		{"sections are required", `"reasonable_grounds": {"target_working_days": 5},`, ``, "reasonable_grounds is missing"},
		{"outcomes: a positive and a negative one", `{"code": "not_victim", "positive": false}`, `{"code": "not_victim", "positive": true}`, "one negative"},
		{"outcomes: positive must be stated", `"code": "victim", "positive": true`, `"code": "victim"`, "positive true or false"},
		{"outcomes: a code is listed once", `"code": "not_victim"`, `"code": "victim"`, "twice"},
		{"outcomes: lower-case codes", `"code": "victim"`, `"code": "Victim"`, "lower-case"},
		{"consultations: a party is listed once across lists", `"guardian"`, `"police"`, "twice"},
		{"consultations: lower-case codes", `"guardian"`, `"Guardian"`, "lower-case"},
		{"provenance: a source is required", `"source": "test fixture"`, `"source": ""`, "provenance.source"},
		{"provenance: verified must be stated", `"source": "test fixture", "verified": true`, `"source": "test fixture"`, "provenance.verified"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if !strings.Contains(fixtureJSON, tt.from) {
				t.Fatalf("fixture lacks %q", tt.from)
			}
			_, err := ParseCountry([]byte(strings.Replace(fixtureJSON, tt.from, tt.to, 1)))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("%s: got %v, want an error containing %q", tt.rule, err, tt.wantErr)
			}
		})
	}
	if _, err := ParseCountry(make([]byte, MaxCountryBytes+1)); err == nil {
		t.Error("a configuration larger than the limit is refused")
	}
}

func TestCountriesSet(t *testing.T) {
	s := countries(t)
	if _, ok := s.Lookup("ZZ"); ok {
		t.Error("an unknown code is not found (the caller chooses the default explicitly)")
	}
	np, _ := s.Lookup("NP")
	np.ConclusiveOutcomes[0].Code = "changed"
	np.Consultations.Always[0] = "changed"
	again, _ := s.Lookup("NP")
	if again.ConclusiveOutcomes[0].Code == "changed" || again.Consultations.Always[0] == "changed" {
		t.Error("a looked-up configuration is a copy: changing it changes nothing held")
	}
	if _, err := NewCountries(fixture(t)); err == nil {
		t.Error("a set needs a default")
	}
	if _, err := NewCountries(s.Default(), fixture(t), fixture(t)); err == nil {
		t.Error("a code is given once")
	}
}

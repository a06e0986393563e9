package casework

import (
	"math/rand/v2"
	"testing"
	"time"
)

const (
	utc         = "UTC"
	seoul       = "Asia/Seoul"
	kathmandu   = "Asia/Kathmandu"
	bangkok     = "Asia/Bangkok"
	ulaanbaatar = "Asia/Ulaanbaatar"
	london      = "Europe/London"
)

func TestAddWorkingDays(t *testing.T) {
	tests := []struct {
		name, rule, country, zone, start string
		n                                int
		wantDate                         string // the deadline falls at the end of this day in zone
	}{
		{"Friday evening", "UK NRM: RG target 5 working days; the referral day does not count, so a Friday-evening referral starts on Monday",
			DefaultCode, utc, "2026-03-06 19:30", 5, "2026-03-13"},
		{"Monday morning", "UK NRM: RG target 5 working days; the referral day does not count even when it is a working day",
			DefaultCode, utc, "2026-03-09 09:00", 5, "2026-03-16"},
		{"Saturday referral", "weekend days are not working days", DefaultCode, utc, "2026-03-07 10:00", 5, "2026-03-13"},
		{"one working day", "the first working day after a Friday is Monday", DefaultCode, utc, "2026-03-06 19:30", 1, "2026-03-09"},
		{"zero", "n = 0 is the end of the start's own day", DefaultCode, utc, "2026-03-07 10:00", 0, "2026-03-07"},
		{"backwards", "a negative n counts back over working days", DefaultCode, utc, "2026-03-09 09:00", -1, "2026-03-06"},
		{"local day, not UTC day", "deadlines count in the country's zone: Thursday 20:00 UTC is Friday 05:00 in Seoul",
			"KR", seoul, "2026-03-06 05:00", 5, "2026-03-13"},
		{"Saturday-only weekend", "Nepal sample: Saturday is the weekly holiday, Sunday is worked",
			"NP", kathmandu, "2026-03-06 19:30", 5, "2026-03-12"},
		{"Songkran run", "Thailand sample: Songkran 13–15 April is a run of three holidays after a weekend",
			"TH", bangkok, "2026-04-10 18:30", 5, "2026-04-22"},
		{"Chakri and Songkran", "Thailand sample: holidays on 6 April and 13–15 April both fall inside one count",
			"TH", bangkok, "2026-04-03 18:30", 5, "2026-04-16"},
		{"Songkran backwards", "counting back skips the same holidays",
			"TH", bangkok, "2026-04-16 09:00", -5, "2026-04-03"},
		{"Naadam run", "Mongolia sample: Naadam 11–15 July runs from a weekend into three weekdays",
			"MN", ulaanbaatar, "2026-07-10 18:00", 5, "2026-07-22"},
		{"Thai year end", "Thailand sample: New Year's Eve and New Year's Day, across the change of year",
			"TH", bangkok, "2026-12-30 16:00", 5, "2027-01-08"},
		{"Korean year end", "Korea sample: Christmas and New Year's Day, across the change of year",
			"KR", seoul, "2026-12-24 16:00", 5, "2027-01-04"},
		{"Nepali Christmas", "Nepal sample: Christmas Day then the Saturday rest day",
			"NP", kathmandu, "2026-12-24 16:00", 5, "2026-12-31"},
		{"Easter and summer time", "test fixture: Good Friday and Easter Monday, with the clocks going forward in between",
			"XA", london, "2026-03-27 17:00", 5, "2026-04-07"},
		{"holiday on a weekend", "test fixture: Boxing Day on a Saturday is not counted twice (no substitute day unless configured)",
			"XA", london, "2026-12-23 12:00", 5, "2026-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fixture(t)
			if tt.country != "XA" {
				cfg = country(t, tt.country)
			}
			start := at(t, tt.zone, tt.start)
			got := AddWorkingDays(start, tt.n, cfg.Calendar)
			if want := endOfDay(t, tt.zone, tt.wantDate); !got.Equal(want) {
				t.Errorf("%s: %s + %d working days = %s, want %s", tt.rule, tt.start, tt.n, got.In(cfg.Calendar.Location()), want)
			}
			if got.Location() != cfg.Calendar.Location() {
				t.Errorf("the deadline is given in the country's zone, got %s", got.Location())
			}
			if back := WorkingDaysBetween(start, got, cfg.Calendar); back != tt.n {
				t.Errorf("WorkingDaysBetween inverts AddWorkingDays: %d, want %d", back, tt.n)
			}
		})
	}
}

func TestDeadlineAcrossSummerTime(t *testing.T) {
	cfg := fixture(t)
	got := cfg.RGDeadline(at(t, london, "2026-03-27 17:00"))
	if want := time.Date(2026, 4, 7, 22, 59, 59, 999e6, time.UTC); !got.Equal(want) {
		t.Errorf("end of a summer-time day in London is 22:59:59.999 UTC: got %s", got.UTC())
	}
	if !time.UnixMilli(got.UnixMilli()).Equal(got) {
		t.Error("a deadline survives storage at millisecond precision")
	}
}

func TestIsWorkingDay(t *testing.T) {
	tests := []struct {
		rule, country, zone, when string
		want                      bool
	}{
		{"weekend days are not working days", DefaultCode, utc, "2026-03-07 12:00", false},
		{"a weekday without a holiday is a working day", DefaultCode, utc, "2026-03-09 12:00", true},
		{"Thailand sample: Songkran is a holiday", "TH", bangkok, "2026-04-14 12:00", false},
		{"Thailand sample: the day after Songkran is worked", "TH", bangkok, "2026-04-16 12:00", true},
		{"Nepal sample: Saturday is the weekly holiday", "NP", kathmandu, "2026-03-07 12:00", false},
		{"Nepal sample: Sunday is a working day", "NP", kathmandu, "2026-03-08 12:00", true},
		{"Korea sample: Friday 05:00 in Seoul is a working day (Thursday in UTC)", "KR", seoul, "2026-03-06 05:00", true},
		{"Korea sample: Saturday 01:00 in Seoul is not (still Friday in UTC)", "KR", seoul, "2026-03-07 01:00", false},
		{"Korea sample: Hangeul Day", "KR", seoul, "2027-10-09 12:00", false},
		{"Mongolia sample: Naadam", "MN", ulaanbaatar, "2027-07-15 12:00", false},
	}
	for _, tt := range tests {
		cal := country(t, tt.country).Calendar
		if got := IsWorkingDay(at(t, tt.zone, tt.when), cal); got != tt.want {
			t.Errorf("%s: %s → %v, want %v", tt.rule, tt.when, got, tt.want)
		}
	}
	if !IsWorkingDay(time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC), Calendar{}) {
		t.Error("the zero Calendar counts every day as a working day")
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	tests := []struct {
		rule, country, zone, from, to string
		want                          int
	}{
		{"same day: none", DefaultCode, utc, "2026-03-09 09:00", "2026-03-09 18:00", 0},
		{"Monday to Sunday: Tuesday to Friday", DefaultCode, utc, "2026-03-09 09:00", "2026-03-15 09:00", 4},
		{"backwards is negative", DefaultCode, utc, "2026-03-13 09:00", "2026-03-06 09:00", -5},
		{"a year of weekdays", DefaultCode, utc, "2026-01-01 00:00", "2027-01-01 00:00", 261},
		{"Thailand sample: a year less its weekday holidays", "TH", bangkok, "2026-01-01 00:00", "2027-01-01 00:00", 253},
		{"Songkran week", "TH", bangkok, "2026-04-12 09:00", "2026-04-19 09:00", 2},
	}
	for _, tt := range tests {
		cal := country(t, tt.country).Calendar
		if got := WorkingDaysBetween(at(t, tt.zone, tt.from), at(t, tt.zone, tt.to), cal); got != tt.want {
			t.Errorf("%s: %s → %s = %d, want %d", tt.rule, tt.from, tt.to, got, tt.want)
		}
	}
}

// TestWorkingDaysAgainstCounting checks the arithmetic against a plain
// day-by-day count, in every embedded calendar and the fixture.
func TestWorkingDaysAgainstCounting(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cals := []Calendar{fixture(t).Calendar}
	for _, code := range countries(t).Codes() {
		cals = append(cals, country(t, code).Calendar)
	}
	base := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, cal := range cals {
		for range 300 {
			from := base.Add(time.Duration(rng.Int64N(int64(800 * 24 * time.Hour))))
			to := from.Add(time.Duration(rng.Int64N(int64(120*24*time.Hour))) - 60*24*time.Hour)
			want := 0
			a, b := cal.dayOf(from), cal.dayOf(to)
			for d := a + 1; d <= b; d++ {
				if cal.working(d) {
					want++
				}
			}
			for d := b; d < a; d++ {
				if cal.working(d) {
					want--
				}
			}
			if got := WorkingDaysBetween(from, to, cal); got != want {
				t.Fatalf("%s: %s → %s: %d, counted %d", cal.Zone(), from, to, got, want)
			}
			n := rng.IntN(41) - 10
			end := AddWorkingDays(from, n, cal)
			if WorkingDaysBetween(from, end, cal) != n || (n != 0 && !IsWorkingDay(end, cal)) || !end.Equal(cal.EndOfDay(end)) {
				t.Fatalf("%s: %s + %d = %s is not the end of the nth working day", cal.Zone(), from, n, end)
			}
		}
	}
}

func TestCalendarCovers(t *testing.T) {
	th := country(t, "TH").Calendar
	if !th.Covers(at(t, bangkok, "2027-12-31 23:00")) || th.Covers(at(t, bangkok, "2028-01-01 00:30")) {
		t.Error("sample calendars hold holidays for 2026–2027 only, in local time")
	}
	if country(t, DefaultCode).Calendar.Covers(referral) {
		t.Error("the default covers no year: it has no holidays")
	}
}

package calendar

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/casework"
)

// A file as governments publish them: folded lines, CRLF, escaped text,
// a multi-day event with an exclusive DTEND (RFC 5545 §3.6.1), an alarm
// nested in an event.
const sampleICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Gov//Holidays//EN\r\n" +
	"BEGIN:VEVENT\r\nUID:1@gov\r\nDTSTART;VALUE=DATE:20261020\r\nDTEND;VALUE=DATE:20261023\r\nSUMMARY:Dashain\\, Vijaya \r\n Dashami\r\n" +
	"BEGIN:VALARM\r\nACTION:DISPLAY\r\nDTSTART:20261019T090000Z\r\nEND:VALARM\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:2@gov\r\nDTSTART:20261108\r\nSUMMARY:Tihar\\; Laxmi Puja\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:3@gov\r\nDTSTART;VALUE=DATE:20261225\r\nDURATION:P1D\r\nSUMMARY:Christmas Day\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func TestParseICS(t *testing.T) {
	hs, err := ParseICS(strings.NewReader(sampleICS))
	if err != nil {
		t.Fatal(err)
	}
	want := []casework.Holiday{{Date: "2026-10-20", Name: "Dashain, Vijaya Dashami"}, {Date: "2026-10-21", Name: "Dashain, Vijaya Dashami"},
		{Date: "2026-10-22", Name: "Dashain, Vijaya Dashami"}, {Date: "2026-11-08", Name: "Tihar; Laxmi Puja"}, {Date: "2026-12-25", Name: "Christmas Day"}}
	if len(hs) != len(want) {
		t.Fatalf("got %v, want %v", hs, want)
	}
	for i := range want {
		if hs[i] != want[i] {
			t.Errorf("holiday %d = %v, want %v", i, hs[i], want[i])
		}
	}
}

// TestParseICSRefuses: a file Haven cannot read exactly is refused whole.
func TestParseICSRefuses(t *testing.T) {
	ev := func(body string) string {
		return "BEGIN:VCALENDAR\nBEGIN:VEVENT\n" + body + "END:VEVENT\nEND:VCALENDAR\n"
	}
	for name, in := range map[string]string{
		"not ics":        "hello",
		"timed event":    ev("DTSTART:20261020T100000Z\nSUMMARY:Meeting\n"),
		"timed end":      ev("DTSTART;VALUE=DATE:20261020\nDTEND:20261021T000000Z\nSUMMARY:X\n"),
		"recurring":      ev("DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=YEARLY\nSUMMARY:New Year\n"),
		"no summary":     ev("DTSTART;VALUE=DATE:20260101\n"),
		"bad date":       ev("DTSTART;VALUE=DATE:20261332\nSUMMARY:X\n"),
		"end before":     ev("DTSTART;VALUE=DATE:20261020\nDTEND;VALUE=DATE:20261020\nSUMMARY:X\n"),
		"too long":       ev("DTSTART;VALUE=DATE:20260101\nDTEND;VALUE=DATE:20260301\nSUMMARY:X\n"),
		"unclosed":       "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nSUMMARY:X\n",
		"control chars":  ev("DTSTART;VALUE=DATE:20260101\nSUMMARY:A\x01B\n"),
		"hours duration": ev("DTSTART;VALUE=DATE:20260101\nDURATION:PT24H\nSUMMARY:X\n"),
		"invalid utf8":   ev("DTSTART;VALUE=DATE:20260101\nSUMMARY:\xff\n"),
	} {
		if _, err := ParseICS(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzParseICS(f *testing.F) {
	f.Add(sampleICS)
	f.Fuzz(func(t *testing.T, s string) {
		hs, err := ParseICS(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, h := range hs {
			if _, err := time.Parse(time.DateOnly, h.Date); err != nil || h.Name == "" {
				t.Fatalf("bad holiday %v", h)
			}
		}
	})
}

// TestSamplesAreUnverifiedAndBuild: the shipped samples cover 2026 and
// 2027 for NP, KR, TH and MN, say they are unverified, and make a valid
// calendar with each country's zone and weekend; Nepal's has Dashain and
// Tihar, Korea's Seollal and Chuseok (issue 12).
func TestSamplesAreUnverifiedAndBuild(t *testing.T) {
	cs, err := casework.DefaultCountries()
	if err != nil {
		t.Fatal(err)
	}
	mustHave := map[string][]string{"NP": {"Dashain", "Tihar"}, "KR": {"Seollal", "Chuseok"}, "TH": {"Songkran"}, "MN": {"Tsagaan Sar", "Naadam"}}
	for _, cc := range []string{"NP", "KR", "TH", "MN"} {
		h, ok := Sample(cc)
		if !ok {
			t.Fatalf("no sample for %s", cc)
		}
		if h.Verified || !strings.Contains(h.Note, "unverified") || !strings.Contains(h.Note, "official gazette") {
			t.Errorf("%s: sample not marked unverified: %+v", cc, h.Note)
		}
		if got := YearsOf(h.Holidays); len(got) != 2 || got[0] != 2026 || got[1] != 2027 {
			t.Errorf("%s: years %v", cc, got)
		}
		c, _ := cs.Lookup(cc)
		cal, err := Apply(c.Calendar, "", h)
		if err != nil {
			t.Fatalf("%s: %v", cc, err)
		}
		if cal.Verified() {
			t.Errorf("%s: calendar verified", cc)
		}
		for _, name := range mustHave[cc] {
			found := false
			for _, x := range cal.Holidays() {
				found = found || strings.Contains(x.Name, name)
			}
			if !found {
				t.Errorf("%s: no %s", cc, name)
			}
		}
	}
}

// TestImportedHolidayMovesDeadline: the reasonable-grounds deadline counts
// working days (casework.AddWorkingDays) and skips a holiday imported from
// a file; merging a year replaces that year only.
func TestImportedHolidayMovesDeadline(t *testing.T) {
	cs, _ := casework.DefaultCountries()
	np, _ := cs.Lookup("NP")
	base, _ := Sample("NP")
	imported, err := ParseICS(strings.NewReader(ev1("20270104", "Extra holiday")))
	if err != nil {
		t.Fatal(err)
	}
	merged := Merge(Holidays{Years: base.Years, Holidays: base.Holidays}, imported, YearsOf(imported))
	for _, h := range merged.Holidays {
		if strings.HasPrefix(h.Date, "2027-") && h.Date != "2027-01-04" {
			t.Fatalf("2027 holidays kept after a 2027 import: %v", h)
		}
	}
	if len(merged.Holidays) <= len(imported) {
		t.Fatal("2026 holidays lost")
	}
	cal, err := Apply(np.Calendar, "Asia/Kathmandu", merged)
	if err != nil {
		t.Fatal(err)
	}
	// Friday 1 January 2027, 10:00 in Kathmandu; Saturday is Nepal's rest
	// day. Without the holiday the 5th working day is Thursday 7 January;
	// with Monday 4 January a holiday it is Friday 8 January, and the
	// deadline ends that day at midnight in Kathmandu.
	loc, _ := time.LoadLocation("Asia/Kathmandu")
	start := time.Date(2027, 1, 1, 10, 0, 0, 0, loc)
	got := casework.AddWorkingDays(start, 5, cal)
	want := time.Date(2027, 1, 9, 0, 0, 0, 0, loc).Add(-time.Millisecond)
	if !got.Equal(want) {
		t.Errorf("deadline %v, want %v", got.In(loc), want)
	}
}

func ev1(date, name string) string {
	return "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:" + date + "\nSUMMARY:" + name + "\nEND:VEVENT\nEND:VCALENDAR\n"
}

// TestAddAndRemove: an edit by hand makes the next version from the
// current one — a holiday added (a date already listed renamed, its year
// covered from then on), a holiday removed (the years stay), a refusal
// leaving nothing changed; every edit is unverified until checked
// against the official gazette (issue 12, "Calendars as data").
func TestAddAndRemove(t *testing.T) {
	cur := Holidays{Years: []int{2026}, Verified: true, Source: "Gazette",
		Holidays: []casework.Holiday{{Date: "2026-01-01", Name: "New Year"}, {Date: "2026-10-20", Name: "Dashain"}}}
	for _, tc := range []struct {
		name      string
		h         casework.Holiday
		want      []string
		wantYears []int
		err       error
	}{
		{"new day", casework.Holiday{Date: " 2026-03-08 ", Name: " Women's Day "}, []string{"2026-01-01", "2026-03-08", "2026-10-20"}, []int{2026}, nil},
		{"rename", casework.Holiday{Date: "2026-10-20", Name: "Vijaya Dashami"}, []string{"2026-01-01", "2026-10-20"}, []int{2026}, nil},
		{"new year covered", casework.Holiday{Date: "2027-01-01", Name: "New Year"}, []string{"2026-01-01", "2026-10-20", "2027-01-01"}, []int{2026, 2027}, nil},
		{"not a date", casework.Holiday{Date: "2026-02-30", Name: "X"}, nil, nil, ErrDate},
		{"out of range", casework.Holiday{Date: "1969-12-31", Name: "X"}, nil, nil, ErrDate},
		{"no name", casework.Holiday{Date: "2026-05-01", Name: "  "}, nil, nil, ErrName},
		{"control", casework.Holiday{Date: "2026-05-01", Name: "A\x07B"}, nil, nil, ErrName},
		{"too long", casework.Holiday{Date: "2026-05-01", Name: strings.Repeat("ก", 70)}, nil, nil, ErrName},
	} {
		got, err := Add(cur, tc.h)
		if err != tc.err {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		var dates []string
		for _, h := range got.Holidays {
			dates = append(dates, h.Date)
		}
		if strings.Join(dates, ",") != strings.Join(tc.want, ",") || fmt.Sprint(got.Years) != fmt.Sprint(tc.wantYears) || got.Verified {
			t.Errorf("%s: %v %v verified=%v", tc.name, dates, got.Years, got.Verified)
		}
		if tc.name == "rename" && got.Holidays[1].Name != "Vijaya Dashami" {
			t.Errorf("rename: %+v", got.Holidays[1])
		}
	}
	if len(cur.Holidays) != 2 || !cur.Verified {
		t.Fatalf("Add changed its input: %+v", cur)
	}
	got, err := Remove(cur, "2026-10-20")
	if err != nil || len(got.Holidays) != 1 || got.Holidays[0].Date != "2026-01-01" || fmt.Sprint(got.Years) != "[2026]" || got.Verified {
		t.Errorf("remove: %+v %v", got, err)
	}
	if _, err := Remove(cur, "2026-10-21"); err != ErrNoHoliday {
		t.Errorf("remove a day that is no holiday: %v", err)
	}
	if len(cur.Holidays) != 2 {
		t.Fatalf("Remove changed its input: %+v", cur)
	}
}

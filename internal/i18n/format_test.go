package i18n

import (
	"math"
	"testing"
	"time"
)

// formatCase is one row of a formatting table: in, formatted in the
// language tag, reads want.
type formatCase[In any] struct {
	tag  string
	in   In
	want string
}

// checkFormat checks each row of cases against format called on the row's
// language; call names the call in failures.
func checkFormat[In any](t *testing.T, call string, format func(*Localizer, In) string, cases []formatCase[In]) {
	t.Helper()
	b := mustNew(t)
	for _, c := range cases {
		if got := format(b.Localizer(c.tag), c.in); got != c.want {
			t.Errorf("%s %s(%v) = %q, want %q", c.tag, call, c.in, got, c.want)
		}
	}
}

func TestDate(t *testing.T) {
	b := mustNew(t)
	at := time.Date(2026, time.November, 27, 14, 5, 9, 0, time.UTC)
	cases := []struct{ tag, date, dateTime string }{
		{"en", "27 November 2026", "27 November 2026, 14:05"},
		{"ko", "2026년 11월 27일", "2026년 11월 27일 14:05"},
		{"th", "27 พฤศจิกายน 2569", "27 พฤศจิกายน 2569 เวลา 14:05"},
		{"mn", "2026 оны 11 сарын 27", "2026 оны 11 сарын 27 14:05"},
		{"ne", "२०२६ नोभेम्बर २७", "२०२६ नोभेम्बर २७ १४:०५"},
	}
	for _, c := range cases {
		l := b.Localizer(c.tag)
		if got := l.Date(at); got != c.date {
			t.Errorf("%s Date = %q, want %q", c.tag, got, c.date)
		}
		if got := l.DateTime(at); got != c.dateTime {
			t.Errorf("%s DateTime = %q, want %q", c.tag, got, c.dateTime)
		}
	}

	early := time.Date(2027, time.January, 5, 9, 7, 0, 0, time.UTC)
	months := []struct{ tag, want string }{
		{"en", "5 January 2027, 09:07"},
		{"ko", "2027년 1월 5일 09:07"},
		{"th", "5 มกราคม 2570 เวลา 09:07"},
		{"mn", "2027 оны 1 сарын 5 09:07"},
		{"ne", "२०२७ जनवरी ५ ०९:०७"},
	}
	for _, c := range months {
		if got := b.Localizer(c.tag).DateTime(early); got != c.want {
			t.Errorf("%s DateTime = %q, want %q", c.tag, got, c.want)
		}
	}
	for i, want := range []string{"जनवरी", "फेब्रुअरी", "मार्च", "अप्रिल", "मे", "जुन", "जुलाई", "अगस्ट", "सेप्टेम्बर", "अक्टोबर", "नोभेम्बर", "डिसेम्बर"} {
		d := time.Date(2026, time.Month(i+1), 1, 0, 0, 0, 0, time.UTC)
		if got := b.Localizer("ne").Date(d); got != "२०२६ "+want+" १" {
			t.Errorf("ne month %d: %q", i+1, got)
		}
	}
}

func TestDateLocation(t *testing.T) {
	b := mustNew(t)
	at := time.Date(2026, time.November, 27, 20, 30, 0, 0, time.UTC)
	seoul := time.FixedZone("KST", 9*3600)
	kathmandu := time.FixedZone("NPT", 5*3600+45*60)
	if got := b.Localizer("ko").In(seoul).DateTime(at); got != "2026년 11월 28일 05:30" {
		t.Errorf("ko in Seoul = %q", got)
	}
	if got := b.Localizer("ne").In(kathmandu).DateTime(at); got != "२०२६ नोभेम्बर २८ ०२:१५" {
		t.Errorf("ne in Kathmandu = %q", got)
	}
	// A time given in another zone is shown in UTC by default.
	if got := b.Localizer("en").DateTime(at.In(seoul)); got != "27 November 2026, 20:30" {
		t.Errorf("en default UTC = %q", got)
	}
	if got := b.Localizer("en").In(nil).Date(at.In(seoul)); got != "27 November 2026" {
		t.Errorf("en In(nil) = %q", got)
	}
}

func TestNumber(t *testing.T) {
	checkFormat(t, "Number", (*Localizer).Number, []formatCase[int64]{
		{"en", 0, "0"},
		{"en", 999, "999"},
		{"en", 1000, "1,000"},
		{"en", 1234567, "1,234,567"},
		{"en", -1234567, "-1,234,567"},
		{"en", math.MinInt64, "-9,223,372,036,854,775,808"},
		{"ko", 1234567, "1,234,567"},
		{"th", 1234567, "1,234,567"},
		{"mn", 1234567, "1,234,567"},
		{"ne", 0, "०"},
		{"ne", 999, "९९९"},
		{"ne", 1000, "१,०००"},
		{"ne", 100000, "१,००,०००"},
		{"ne", 1234567, "१२,३४,५६७"},
		{"ne", -12345678901, "-१२,३४,५६,७८,९०१"},
	})
}

func TestDecimal(t *testing.T) {
	type decimal struct {
		f    float64
		frac int
	}
	checkFormat(t, "Decimal", func(l *Localizer, d decimal) string { return l.Decimal(d.f, d.frac) }, []formatCase[decimal]{
		{"en", decimal{1234567.891, 2}, "1,234,567.89"},
		{"en", decimal{1234.5, 2}, "1,234.50"},
		{"en", decimal{0.125, 1}, "0.1"},
		{"en", decimal{-0.001, 2}, "0.00"},
		{"en", decimal{-1234.5, 1}, "-1,234.5"},
		{"en", decimal{42.7, 0}, "43"},
		{"en", decimal{42.7, -1}, "43"},
		{"en", decimal{math.Inf(1), 2}, "∞"},
		{"en", decimal{math.NaN(), 2}, "NaN"},
		{"ko", decimal{1234.5, 1}, "1,234.5"},
		{"th", decimal{1234.5, 1}, "1,234.5"},
		{"mn", decimal{1234.5, 1}, "1,234.5"},
		{"ne", decimal{1234567.891, 2}, "१२,३४,५६७.८९"},
		{"ne", decimal{0.5, 2}, "०.५०"},
	})
}

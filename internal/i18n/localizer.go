package i18n

import (
	"fmt"
	"math"
	"time"

	"golang.org/x/text/feature/plural"
)

// Localizer translates messages and formats values for one language. It is
// immutable and safe for concurrent use.
type Localizer struct {
	loc *locale
	src *locale        // English, the fallback
	tz  *time.Location // nil means UTC
}

// Tag returns the BCP 47 tag of the language, for the HTML lang attribute.
func (l *Localizer) Tag() string { return l.loc.Tag }

// Dir returns the text direction, "ltr" or "rtl", for the HTML dir attribute.
func (l *Localizer) Dir() string { return l.loc.Dir }

// Language returns the description of the language.
func (l *Localizer) Language() Language { return l.loc.Language }

// In returns a copy of l that shows dates and times in loc. A nil loc means
// UTC.
func (l *Localizer) In(loc *time.Location) *Localizer {
	c := *l
	c.tz = loc
	return &c
}

// T returns the message for key with placeholders filled from kv, which
// holds alternating names and values: T("auth.signed_in_as", "Name", n).
// Values are printed with fmt.Sprint; format numbers and dates with the
// Localizer's own methods first. A key missing from the language falls back
// to English; a key missing from English too is returned as ⟦key⟧. For a
// plural message T uses the "other" form; use N instead.
func (l *Localizer) T(key string, kv ...any) string {
	// Pages ask for a hundred messages each: look up without building the
	// fallback chain or an empty argument map.
	var data map[string]string
	if len(kv) > 0 {
		data = args(kv)
	}
	if m := l.loc.msgs[key]; m != nil {
		if t := m.forms[plural.Other]; t != nil {
			return t.render(data)
		}
	}
	if l.src != l.loc {
		if m := l.src.msgs[key]; m != nil {
			if t := m.forms[plural.Other]; t != nil {
				return t.render(data)
			}
		}
	}
	return "⟦" + key + "⟧"
}

// N returns the plural message for key in the form that the CLDR plural
// rules of the language select for count. The count is available to the
// message as {{.Count}}, formatted like [Localizer.Number]; kv gives other
// placeholders as in [Localizer.T]. Fallback is as in T; an English fallback
// uses the English plural rules.
func (l *Localizer) N(key string, count int, kv ...any) string {
	data := args(kv)
	data["Count"] = l.Number(int64(count))
	for _, lc := range l.chain() {
		if m := lc.msgs[key]; m != nil {
			if t := m.pick(lc, count); t != nil {
				return t.render(data)
			}
		}
	}
	return "⟦" + key + "⟧"
}

// chain returns the locales to search for a message, in order.
func (l *Localizer) chain() []*locale {
	if l.loc == l.src {
		return []*locale{l.loc}
	}
	return []*locale{l.loc, l.src}
}

// pick selects the text of m for count under the plural rules of lc. It
// falls back to the "other" form when the selected form is missing.
func (m *message) pick(lc *locale, count int) *text {
	if !m.plural {
		return m.forms[plural.Other]
	}
	if t := m.forms[pluralForm(lc, count)]; t != nil {
		return t
	}
	return m.forms[plural.Other]
}

// pluralForm returns the CLDR plural category of the integer n.
func pluralForm(lc *locale, n int) plural.Form {
	if n < 0 {
		n = -n
		if n < 0 { // math.MinInt
			n = math.MaxInt
		}
	}
	return plural.Cardinal.MatchPlural(lc.plural, n, 0, 0, 0, 0)
}

func args(kv []any) map[string]string {
	data := make(map[string]string, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		data[fmt.Sprint(kv[i])] = fmt.Sprint(kv[i+1])
	}
	return data
}

// Number formats n with the digits and grouping of the language:
// 1,234,567 in en, ko, th and mn; १२,३४,५६७ in ne.
func (l *Localizer) Number(n int64) string { return l.loc.fmt.num.formatInt(n) }

// Decimal formats f rounded to frac fractional digits, with the digits,
// grouping and decimal separator of the language: Decimal(1234.5, 2) is
// "1,234.50" in English and "१,२३४.५०" in Nepali.
func (l *Localizer) Decimal(f float64, frac int) string {
	return l.loc.fmt.num.formatFloat(f, frac)
}

// Date formats the calendar date of t, in the Localizer's location, with the
// CLDR long date pattern of the language, e.g. "2026년 11월 27일".
func (l *Localizer) Date(t time.Time) string {
	t = l.local(t)
	y, m, d := t.Date()
	return l.loc.fmt.num.digits(l.loc.fmt.date.date(y, m, d))
}

// DateTime formats t, in the Localizer's location, as the long date followed
// by the time on a 24-hour clock, e.g. "2026년 11월 27일 14:05".
func (l *Localizer) DateTime(t time.Time) string {
	t = l.local(t)
	y, m, d := t.Date()
	s := l.loc.fmt.date.date(y, m, d) + l.loc.fmt.date.glue + fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute())
	return l.loc.fmt.num.digits(s)
}

// Local is t in the Localizer's location: for machine-readable dates
// (exports) that must still fall on the reader's day.
func (l *Localizer) Local(t time.Time) time.Time { return l.local(t) }

func (l *Localizer) local(t time.Time) time.Time {
	if l.tz == nil {
		return t.UTC()
	}
	return t.In(l.tz)
}

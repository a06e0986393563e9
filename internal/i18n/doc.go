// Package i18n holds Haven's translation catalogues and the locale-aware
// formatting of numbers and dates.
//
// # Languages
//
// Haven ships five languages, always listed in this order: English (en, the
// source language), Korean (ko), Thai (th), Mongolian in Cyrillic script (mn)
// and Nepali in Devanagari script (ne). A sixth, generated locale, ar-XB, is
// a pseudo right-to-left copy of English that only exists after
// [Bundle.EnablePseudo]; it lets right-to-left layouts be tested without a
// real Arabic translation.
//
// # Catalogues
//
// Each language has one embedded file, locales/<tag>.json: a flat JSON object
// that maps a key to either a string or, for messages that depend on a
// number, an object of CLDR plural forms:
//
//	{
//	  "nav.cases": "Cases",
//	  "auth.signed_in_as": "Signed in as {{.Name}}",
//	  "home.cases_count": {"one": "{{.Count}} case", "other": "{{.Count}} cases"}
//	}
//
// Keys are dotted identifiers (letters, digits, underscores; at least two
// segments; the first lower-case, later ones may spell a standard's code), never English sentences. Placeholders use the
// go-i18n template notation {{.Name}}; only plain field references are
// allowed, nothing else between the braces. Plural forms are named zero, one,
// two, few, many and other, and a translation carries exactly the forms CLDR
// defines for its language: one and other for en, mn and ne; only other for
// ko and th. [New] refuses a catalogue that is not valid UTF-8 or JSON, has a
// duplicate or malformed key, an unknown plural form name or a malformed
// placeholder.
//
// # Adding a message
//
//  1. Pick a key in an existing group (nav., error., role., …) or start a new
//     group; add it with its English text to locales/en.json.
//  2. Add the same key, translated, to ko.json, th.json, mn.json and ne.json.
//     Keep the placeholders of the English text; for a plural message give
//     every form the language needs (see above).
//  3. Run go test ./internal/i18n/. The test that calls [Bundle.Check] fails
//     and names the key and language if anything is missing or inconsistent.
//
// In code, call [Localizer.T] with the key and any placeholder values as
// alternating name/value pairs, or [Localizer.N] for plural messages:
//
//	l.T("auth.signed_in_as", "Name", user.DisplayName)
//	l.N("home.cases_count", n)
//
// # Look-up and fallback
//
// A key missing from a translation falls back to English at run time, so a
// user never sees a raw key. A key missing even from English is returned as
// ⟦key⟧ so the mistake is obvious in tests and on screen. Messages are plain
// text; HTML escaping is the job of the template that prints them.
//
// # Choosing a language
//
// [New] uses English as the default language; [Bundle.WithDefault] returns a
// bundle with another default. [Bundle.Match] takes, in order of precedence,
// an explicit choice (a user setting or cookie) and an Accept-Language header,
// and picks the best supported language with the CLDR-based matcher of
// golang.org/x/text/language, falling back to the default.
//
// # Numbers and dates
//
// Numbers follow each language's default CLDR numbering system and grouping:
// Latin digits grouped by thousands for en, ko, th and mn; Devanagari digits
// with the Indian grouping pattern #,##,##0 for ne (१२,३४,५६७). Dates use each
// language's CLDR long date pattern and a 24-hour clock:
//
//	en  27 November 2026          27 November 2026, 14:05
//	ko  2026년 11월 27일             2026년 11월 27일 14:05
//	th  27 พฤศจิกายน 2569           27 พฤศจิกายน 2569 เวลา 14:05
//	mn  2026 оны 11 сарын 27       2026 оны 11 сарын 27 14:05
//	ne  २०२६ नोभेम्बर २७            २०२६ नोभेम्बर २७ १४:०५
//
// English uses the international (en-001) day-month-year order. Thai dates
// use the Buddhist Era (Gregorian year + 543): it is the calendar of Thai
// government and police records, CLDR lists it first among the calendars used
// in Thailand, and the CLDR Thai long pattern for it, d MMMM y, is what Thai
// readers expect. Mongolian uses the numeric-month form "оны … сарын" common
// in Mongolian official writing. Nepali uses the Gregorian calendar, as CLDR
// does, with Devanagari digits. Times are shown in UTC unless a location is
// set with [Localizer.In].
package i18n

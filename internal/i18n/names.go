package i18n

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// displayTag is the CLDR display language for l; the pseudo locale uses
// English names.
func (l *Localizer) displayTag() language.Tag {
	t, err := language.Parse(l.loc.Tag)
	if err != nil || l.loc.Tag == PseudoRTL {
		return language.English
	}
	return t
}

// Region returns the name of an ISO 3166-1 country in l's language, from
// CLDR; the code itself when CLDR has no name.
func (l *Localizer) Region(code string) string {
	return cldrName(code, language.ParseRegion, display.Regions(l.displayTag()))
}

// LanguageName returns the name of an ISO 639 language in l's language,
// from CLDR; the code itself when CLDR has no name.
func (l *Localizer) LanguageName(code string) string {
	return cldrName(code, language.ParseBase, display.Languages(l.displayTag()))
}

// cldrName is the name names gives the code parse reads, or the code itself
// when it does not parse or has no name.
func cldrName[T any](code string, parse func(string) (T, error), names display.Namer) string {
	v, err := parse(code)
	if err != nil {
		return code
	}
	if n := names.Name(v); n != "" {
		return n
	}
	return code
}

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
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(l.displayTag()).Name(r); n != "" {
		return n
	}
	return code
}

// LanguageName returns the name of an ISO 639 language in l's language,
// from CLDR; the code itself when CLDR has no name.
func (l *Localizer) LanguageName(code string) string {
	b, err := language.ParseBase(code)
	if err != nil {
		return code
	}
	if n := display.Languages(l.displayTag()).Name(b); n != "" {
		return n
	}
	return code
}

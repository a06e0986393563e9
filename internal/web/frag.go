package web

import (
	"html/template"
	"strings"
)

// markup is HTML written by Haven itself. Only constants become markup:
// an untyped string constant converts to it silently, a string variable
// needs an explicit conversion, and TestNoMarkupConversions forbids those.
type markup string

// frag builds an HTML fragment in Go, for the few lists long enough that a
// template's reflective evaluation of every cell dominates the page (the
// queue's fifty rows). Markup comes only from constants; every value goes
// through HTML escaping, which is right both in text and inside a quoted
// attribute.
type frag struct{ b strings.Builder }

// m writes constant markup.
func (f *frag) m(s markup) *frag {
	f.b.WriteString(string(s))
	return f
}

// text writes a value, escaped.
func (f *frag) text(s string) *frag {
	if strings.ContainsAny(s, "<>&'\"\x00") {
		template.HTMLEscape(&f.b, []byte(s))
	} else {
		f.b.WriteString(s)
	}
	return f
}

// html is the fragment, for a template to place as it is.
func (f *frag) html() template.HTML {
	return template.HTML(f.b.String()) //nolint:gosec // built only from constants and escaped values
}

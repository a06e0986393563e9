package i18n

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// ProblemKind classifies a catalogue problem found by [Bundle.Check].
type ProblemKind string

// The kinds of catalogue problems.
const (
	MissingKey          ProblemKind = "missing key"          // in English, not in the language
	UnknownKey          ProblemKind = "key not in English"   // in the language, not in English
	KindMismatch        ProblemKind = "plural mismatch"      // plural in one language, simple in the other
	PlaceholderMismatch ProblemKind = "placeholder mismatch" // placeholders differ from English
	MissingPluralForm   ProblemKind = "missing plural form"  // a form CLDR requires for the language
	UnusedPluralForm    ProblemKind = "unused plural form"   // a form the language never uses
	EmptyText           ProblemKind = "empty text"           // a text that is empty or only spaces
)

// Problem is one inconsistency in the shipped catalogues.
type Problem struct {
	Lang   string
	Key    string
	Kind   ProblemKind
	Detail string
}

func (p Problem) String() string {
	s := p.Lang + ": " + p.Key + ": " + string(p.Kind)
	if p.Detail != "" {
		s += " (" + p.Detail + ")"
	}
	return s
}

// Check compares every translation with the English catalogue and reports,
// in a stable order: keys missing from a language; keys present in a
// language but not in English; messages that are plural in one and simple in
// the other; placeholders that differ from English; plural messages lacking
// a form the CLDR rules of the language require or carrying a form it never
// uses; and empty texts. The shipped catalogues must produce no problems.
func (b *Bundle) Check() []Problem {
	var out []Problem
	en := b.locales[Source]
	for _, ld := range languages {
		lc := b.locales[ld.Tag]
		add := func(key string, kind ProblemKind, detail string) {
			out = append(out, Problem{Lang: lc.Tag, Key: key, Kind: kind, Detail: detail})
		}
		required := requiredForms(lc.plural)
		for _, key := range sortedKeys(lc.msgs, en.msgs) {
			m, src := lc.msgs[key], en.msgs[key]
			switch {
			case m == nil:
				add(key, MissingKey, "")
				continue
			case src == nil:
				add(key, UnknownKey, "")
			}
			for _, f := range formOrder {
				if t := m.forms[f]; t != nil && strings.TrimSpace(t.raw) == "" {
					add(key, EmptyText, formLabel(m, f))
				}
			}
			if m.plural {
				var missing, unused []string
				for _, f := range formOrder {
					_, has := m.forms[f]
					switch {
					case required[f] && !has:
						missing = append(missing, formName(f))
					case !required[f] && has:
						unused = append(unused, formName(f))
					}
				}
				if len(missing) > 0 {
					add(key, MissingPluralForm, strings.Join(missing, ", "))
				}
				if len(unused) > 0 {
					add(key, UnusedPluralForm, strings.Join(unused, ", "))
				}
			}
			if src == nil || lc == en {
				continue
			}
			if m.plural != src.plural {
				add(key, KindMismatch, fmt.Sprintf("en plural: %t, %s plural: %t", src.plural, lc.Tag, m.plural))
			}
			if want, got := src.fields(), m.fields(); !slices.Equal(want, got) {
				add(key, PlaceholderMismatch, fmt.Sprintf("en has %s, %s has %s", fieldList(want), lc.Tag, fieldList(got)))
			}
		}
	}
	return out
}

func formLabel(m *message, f plural.Form) string {
	if !m.plural {
		return ""
	}
	return formName(f)
}

func fieldList(fields []string) string {
	if len(fields) == 0 {
		return "none"
	}
	return "{{." + strings.Join(fields, "}} {{.") + "}}"
}

func sortedKeys(cats ...catalog) []string {
	var keys []string
	for _, c := range cats {
		for k := range c {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// requiredForms returns the plural forms a message in the language of tag
// must have: every CLDR category reached by a whole number (counts are whole
// numbers), plus "other", which CLDR defines for every language.
func requiredForms(tag language.Tag) map[plural.Form]bool {
	forms := map[plural.Form]bool{plural.Other: true}
	add := func(n int) { forms[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)] = true }
	for n := range 1001 {
		add(n)
	}
	for n := 1000; n <= 1_000_000_000; n *= 10 {
		for _, k := range []int{1, 2, 3, 5} {
			add(k * n)
		}
	}
	return forms
}

package ident

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		rule, id string
		want     bool
	}{
		{"a hex id", "0123456789abcdef0123456789abcdef", true},
		{"printable ASCII", "svc-1_loc.2~", true},
		{"an id is never empty", "", false},
		{"no spaces: free text stays out", "org 1", false},
		{"no control characters", "a\tb", false},
		{"ASCII only", "사례", false},
		{"no DEL", "a\x7f", false},
		{"at most 128 bytes", strings.Repeat("x", 128), true},
		{"longer is refused", strings.Repeat("x", 129), false},
	} {
		if got := Valid(tc.id); got != tc.want {
			t.Errorf("%s: Valid(%q) = %v, want %v", tc.rule, tc.id, got, tc.want)
		}
	}
}

func TestLanguage(t *testing.T) {
	cases := []struct {
		code, rule string
		want       bool
	}{
		{"ne", "ISO 639-1: Nepali", true},
		{"mn", "ISO 639-1: Mongolian", true},
		{"ko", "ISO 639-1: Korean", true},
		{"th", "ISO 639-1: Thai", true},
		{"en", "ISO 639-1: English", true},
		{"zu", "ISO 639-1: the last code", true},
		{"npi", "ISO 639-3: Nepali (individual language)", true},
		{"xx", "ISO 639-1: an unassigned two-letter code", false},
		{"in", "ISO 639-1: withdrawn (now id)", false},
		{"mul", "ISO 639-2: multiple languages names none", false},
		{"zxx", "ISO 639-2: no linguistic content", false},
		{"mis", "ISO 639-2: uncoded languages", false},
		{"e", "ISO 639: too short", false},
		{"engl", "ISO 639: too long", false},
		{"en-GB", "ISO 639: a language tag is not a language code", false},
		{"Th", "ISO 639: codes are lower case", false},
		{"n3p", "ISO 639: letters only", false},
		{"", "ISO 639: empty", false},
	}
	for _, c := range cases {
		if got := Language(c.code); got != c.want {
			t.Errorf("%s: Language(%q) = %v", c.rule, c.code, got)
		}
	}
	if n := len(iso6391); n != 183 {
		t.Errorf("ISO 639-1 holds 183 codes, the list %d", n)
	}
}

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

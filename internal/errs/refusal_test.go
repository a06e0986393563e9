package errs

import (
	"errors"
	"strings"
	"testing"
)

type testCode string

func (testCode) Domain() string { return "test" }
func (testCode) Kind() Kind     { return Invalid }

// A refusal keeps a value only when it is a code: free text a person typed
// must never reach an error text, a log line or a translation argument.
func TestRefuseKeepsCodesOnly(t *testing.T) {
	cases := []struct {
		name, value, want string
	}{
		{"a code is kept", "sexual_exploitation", "sexual_exploitation"},
		{"a name with a space is dropped", "Sita Rai", ""},
		{"non-ASCII text is dropped", "सीता", ""},
		{"a long value is dropped", strings.Repeat("a", 65), ""},
		{"an empty value stays empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Refuse(testCode("unknown_value"), "field", c.value)
			var r *Refusal[testCode]
			if !errors.As(err, &r) {
				t.Fatalf("not a refusal: %v", err)
			}
			if r.Value != c.want {
				t.Fatalf("value %q, want %q", r.Value, c.want)
			}
			if c.want == "" && strings.Contains(err.Error(), c.value) && c.value != "" {
				t.Fatalf("error text carries the refused value: %q", err.Error())
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != Invalid || e.Key != "test.error.unknown_value" || e.Field != "field" {
				t.Fatalf("classified as %+v", e)
			}
		})
	}
}

package screening

import (
	"errors"
	"slices"
	"testing"
)

func intp(n int) *int { return &n }

func defaultEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := DefaultEngine()
	if err != nil {
		t.Fatalf("DefaultEngine: %v", err)
	}
	return e
}

func warningCodes(r Result) []string {
	var out []string
	for _, w := range r.Warnings {
		out = append(out, w.Code)
	}
	return out
}

func hasWarning(r Result, code string) bool { return slices.Contains(warningCodes(r), code) }

// checkWarnings fails unless every code in want is present and no code in
// notWant is.
func checkWarnings(t *testing.T, r Result, want, notWant []string) {
	t.Helper()
	for _, c := range want {
		if !hasWarning(r, c) {
			t.Errorf("missing warning %q; got %v", c, warningCodes(r))
		}
	}
	for _, c := range notWant {
		if hasWarning(r, c) {
			t.Errorf("unexpected warning %q; got %v", c, warningCodes(r))
		}
	}
}

// wantInputError fails unless err is an *InputError with the given field
// and code.
func wantInputError(t *testing.T, err error, field, code string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("want *InputError for field %q, got %v", field, err)
	}
	if ie.Field != field || ie.Code != code {
		t.Fatalf("InputError{Field: %q, Code: %q}, want {%q, %q} (%v)", ie.Field, ie.Code, field, code, err)
	}
}

func findLine(r Result, element, dimension string) (Line, bool) {
	for _, l := range r.Explanation {
		if l.Element == element && l.Dimension == dimension {
			return l, true
		}
	}
	return Line{}, false
}

package errs

import (
	"errors"
	"strings"

	"github.com/haven-nrm/haven/internal/ident"
)

// RuleCode is the code type of a pure rule package: a stable code that says
// why a change was refused. Domain names the package, which prefixes the
// error text and the translation key "<domain>.error.<code>"; Kind says how
// the refusal is classified (Invalid for most, Conflict for a stale version,
// Forbidden for an action by the wrong party).
type RuleCode interface {
	~string
	Domain() string
	Kind() Kind
}

// Refusal is a change refused by a pure rule package: the one error type the
// rule packages share (each names it Error, an alias of Refusal over its own
// codes). It holds codes only: never the text that was refused, never
// personal data.
type Refusal[C RuleCode] struct {
	Code C
	// Field names the input concerned, when there is one.
	Field string
	// Value is the offending value when it is a code (never free text).
	Value string
}

// Error reads "<domain>: <code> (<field>): <value>", leaving out what is
// empty.
func (e *Refusal[C]) Error() string {
	var b strings.Builder
	b.WriteString(e.Code.Domain())
	b.WriteString(": ")
	b.WriteString(string(e.Code))
	if e.Field != "" {
		b.WriteString(" (")
		b.WriteString(e.Field)
		b.WriteString(")")
	}
	if e.Value != "" {
		b.WriteString(": ")
		b.WriteString(e.Value)
	}
	return b.String()
}

// Unwrap classifies the refusal in the taxonomy, with the message
// "<domain>.error.<code>" shown next to its field.
func (e *Refusal[C]) Unwrap() error {
	return &Error{Kind: e.Code.Kind(), Field: e.Field, Key: e.Code.Domain() + ".error." + string(e.Code), Err: errors.New(string(e.Code))}
}

// CodeOf returns the code of the first refusal of code type C in err's
// chain, or "".
func CodeOf[C RuleCode](err error) C {
	var e *Refusal[C]
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Refuse builds a refusal of code on field. value is kept only when it looks
// like a code (short printable ASCII, no spaces), so free text a person typed
// never reaches an error text or a log.
func Refuse[C RuleCode](code C, field, value string) error {
	if len(value) > 64 || !ident.Valid(value) {
		value = ""
	}
	return &Refusal[C]{Code: code, Field: field, Value: value}
}

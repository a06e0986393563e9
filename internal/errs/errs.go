// Package errs is Haven's error taxonomy. Every error that reaches a handler or
// a command is classified by Kind; the web layer maps kinds to HTTP statuses in
// one table and shows users a translated message, never the error text, which
// may name internals.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind int

const (
	// Internal is a fault of Haven or its environment; the default.
	Internal Kind = iota
	// Invalid input: the request can be corrected and retried.
	Invalid
	// NotFound: the thing does not exist, or the caller may not know it does.
	NotFound
	// Conflict: the thing changed since it was read (optimistic versioning).
	Conflict
	// Forbidden: the access policy denies the action.
	Forbidden
	// Unauthenticated: no valid session or token.
	Unauthenticated
	// TooMany: a rate limit was reached.
	TooMany
	// Unavailable: a dependency such as the database cannot be reached.
	Unavailable
)

var kindNames = map[Kind]string{
	Internal: "internal", Invalid: "invalid", NotFound: "not_found", Conflict: "conflict",
	Forbidden: "forbidden", Unauthenticated: "unauthenticated", TooMany: "too_many", Unavailable: "unavailable",
}

func (k Kind) String() string { return kindNames[k] }

// Error is a classified error. Field and Key let a form show a translated
// message next to the field concerned; Err keeps the cause for logs.
type Error struct {
	Kind  Kind
	Field string // form or JSON field concerned, if any
	Key   string // translation key of the message shown to users
	Err   error  // cause; never shown to users
}

func (e *Error) Error() string {
	msg := e.Kind.String()
	if e.Field != "" {
		msg += " (" + e.Field + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// E builds a classified error; format/args describe the cause for logs.
func E(k Kind, format string, args ...any) error {
	return &Error{Kind: k, Err: fmt.Errorf(format, args...)}
}

// Wrap classifies err without losing it.
func Wrap(k Kind, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: k, Err: err}
}

// Field reports invalid input on one field with a translation key.
func Field(field, key string, cause error) error {
	return &Error{Kind: Invalid, Field: field, Key: key, Err: cause}
}

// KindOf returns the kind of the first classified error in err's chain, or
// Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is classified as k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// Package errs is Haven's error taxonomy. Every error that reaches a handler or
// a command is classified by Kind; the web layer maps kinds to HTTP statuses in
// one table and shows users a translated message, never the error text, which
// may name internals.
package errs

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
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
	// Unavailable: a dependency such as the database cannot be reached, or
	// lost the connection; the same request may succeed a little later.
	Unavailable
	// Full: the storage cannot take writes (the disk or the database is
	// full); nothing was written and the request may be retried later.
	Full
)

var kindNames = map[Kind]string{
	Internal: "internal", Invalid: "invalid", NotFound: "not_found", Conflict: "conflict",
	Forbidden: "forbidden", Unauthenticated: "unauthenticated", TooMany: "too_many", Unavailable: "unavailable",
	Full: "storage_full",
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

// KindOf returns the kind of the first classified error in err's chain. An
// error classified as Internal, or not at all, that carries a fault which
// passes by itself (see Fault) is of that fault's kind; anything else is
// Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Kind
	}
	if k, ok := Fault(err); ok {
		return k
	}
	return Internal
}

// Fault recognises, anywhere in err's chain, a fault of the database or the
// network that is not the request's doing and may pass by itself: a lost or
// refused connection (unexpected EOF, reset, broken pipe, refused, timed
// out, closed by the driver), a cancelled or timed-out context, a full disk
// (ENOSPC), and a server error whose SQLSTATE says so (see SQLState). It
// reports Unavailable or Full, and false for anything else.
func Fault(err error) (Kind, bool) {
	if err == nil {
		return Internal, false
	}
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		if k, ok := SQLState(st.SQLState()); ok {
			return k, true
		}
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return Full, true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ETIMEDOUT), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, net.ErrClosed):
		return Unavailable, true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return Unavailable, true
	}
	// A driver's own "safe to retry" (pgx: the connection was closed or
	// busy before anything was sent).
	var retry interface{ SafeToRetry() bool }
	if errors.As(err, &retry) && retry.SafeToRetry() {
		return Unavailable, true
	}
	return Internal, false
}

// SQLState classifies a PostgreSQL error code that describes the server's
// state rather than the request: class 08 (connection exception), 57
// (operator intervention: admin or crash shutdown 57P01/57P02, cannot
// connect now 57P03, cancelled statement), 53 (insufficient resources;
// 53100 disk_full is Full, the rest Unavailable), 58 (system error, e.g.
// I/O), 40001 and 40P01 (serialization failure, deadlock), 25006 (a
// read-only transaction: a standby after a failover) and 25P03 (idle
// transaction timeout). Other codes report false.
func SQLState(code string) (Kind, bool) {
	if len(code) != 5 {
		return Internal, false
	}
	switch {
	case code == "53100":
		return Full, true
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "57"), strings.HasPrefix(code, "53"),
		strings.HasPrefix(code, "58"), code == "40001", code == "40P01", code == "25006", code == "25P03":
		return Unavailable, true
	}
	return Internal, false
}

// RetryAfter is how many seconds a client should wait before it retries a
// request that failed with an error of kind k: a connection comes back
// quickly, space on a disk less so. Zero for kinds that retrying does not
// help.
func RetryAfter(k Kind) int {
	switch k {
	case Unavailable:
		return 5
	case Full:
		return 60
	}
	return 0
}

// Is reports whether err is classified as k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

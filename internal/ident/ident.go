// Package ident holds the one rule for the shape of an opaque id that the
// pure rule packages accept. It imports nothing, so that every rule
// package may use it.
package ident

// MaxLen bounds an id.
const MaxLen = 128

// Valid reports whether s can be an id or a user id: non-empty, at most
// MaxLen bytes of printable ASCII without spaces. Ids are opaque to the
// rules; the limit keeps free text out of them.
func Valid(s string) bool {
	if s == "" || len(s) > MaxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

package auth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Password policy (OWASP ASVS 5.0 V6.2): at least MinPasswordChars
// characters, at most MaxPasswordBytes bytes, every character allowed and no
// composition rules; refused when it is a common password, is built from
// common passwords, or contains the account's own names.
const (
	MinPasswordChars = 12
	MaxPasswordBytes = 256
)

// PasswordProblem says why a password was refused. Its value is also the
// last segment of the translation key shown to users (auth.password.<value>).
type PasswordProblem string

// The problems CheckPassword reports.
const (
	PasswordTooShort PasswordProblem = "too_short"
	PasswordTooLong  PasswordProblem = "too_long"
	PasswordCommon   PasswordProblem = "common"
	PasswordPersonal PasswordProblem = "personal"
)

// PasswordError is a password refused by the policy. Its text never
// contains the password.
type PasswordError struct{ Problem PasswordProblem }

func (e *PasswordError) Error() string {
	switch e.Problem {
	case PasswordTooShort:
		return fmt.Sprintf("the password must have at least %d characters", MinPasswordChars)
	case PasswordTooLong:
		return fmt.Sprintf("the password must have at most %d bytes", MaxPasswordBytes)
	case PasswordCommon:
		return "the password is too common or too easy to guess"
	case PasswordPersonal:
		return "the password contains the account's name"
	}
	return "the password is not allowed"
}

// serviceWords are always context-specific words: a password containing
// them is among the first an attacker of this service tries.
var serviceWords = []string{"haven"}

// CheckPassword applies the password policy. personal holds the account's
// own words (username, display name); a password containing one of their
// words of four or more letters is refused. It returns a *PasswordError or
// nil.
func CheckPassword(password string, personal ...string) error {
	if len(password) > MaxPasswordBytes {
		return &PasswordError{PasswordTooLong}
	}
	if utf8.RuneCountInString(password) < MinPasswordChars {
		return &PasswordError{PasswordTooShort}
	}
	lower := strings.ToLower(password)
	if isCommon(lower) {
		return &PasswordError{PasswordCommon}
	}
	for _, p := range append(slices.Clone(personal), serviceWords...) {
		for _, w := range strings.FieldsFunc(strings.ToLower(p), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if utf8.RuneCountInString(w) >= 4 && strings.Contains(lower, w) {
				return &PasswordError{PasswordPersonal}
			}
		}
	}
	return nil
}

// isCommon reports whether a lower-cased password is a listed common
// password or is easily made from them: a listed password with digits or
// symbols before or after it, separators removed, one repeated, two run
// together, or a run of one character or of consecutive characters.
func isCommon(lower string) bool {
	list := commonPasswords()
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	separators := func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return r
	}
	core := strings.TrimFunc(lower, notLetter)
	joined := strings.Map(separators, lower)
	for _, s := range []string{lower, core, joined, strings.TrimFunc(joined, notLetter)} {
		if s == "" {
			continue
		}
		if list.has(s) || repeated(s, list) || sequential(s) {
			return true
		}
		for i := 3; i <= len(s)-3; i++ {
			if list.has(s[:i]) && list.has(s[i:]) {
				return true
			}
		}
	}
	return false
}

// repeated reports whether s is one short unit (up to three characters) or
// one listed password written two or more times.
func repeated(s string, list wordList) bool {
	for n := 1; n <= len(s)/2; n++ {
		if len(s)%n != 0 || strings.Repeat(s[:n], len(s)/n) != s {
			continue
		}
		if utf8.RuneCountInString(s[:n]) <= 3 || list.has(s[:n]) {
			return true
		}
	}
	return false
}

// sequential reports whether every character of s follows the one before
// it, up or down by one (abcdef…, 98765…).
func sequential(s string) bool {
	rs := []rune(s)
	if len(rs) < 2 {
		return false
	}
	for _, step := range []rune{1, -1} {
		ok := true
		for i := 1; i < len(rs) && ok; i++ {
			ok = rs[i]-rs[i-1] == step
		}
		if ok {
			return true
		}
	}
	return false
}

// commonGz is the vendored list of common passwords (see passwords/README.md).
//
//go:embed passwords/common.txt.gz
var commonGz []byte

type wordList []string

func (l wordList) has(s string) bool {
	_, found := slices.BinarySearch(l, s)
	return found
}

// commonPasswords decompresses the list once, on first use.
var commonPasswords = sync.OnceValue(func() wordList {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		panic("auth: the embedded password list is damaged: " + err.Error())
	}
	var out wordList
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			out = append(out, strings.ToLower(w))
		}
	}
	if err := sc.Err(); err != nil || len(out) < 10000 {
		panic("auth: the embedded password list is damaged or short")
	}
	slices.Sort(out)
	return slices.Compact(out)
})

// Package ident holds the rules for the identifiers that the pure rule
// packages accept: opaque ids and ISO 639 language codes. It imports only
// the standard library, so that every rule package may use it.
package ident

import "strings"

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

// iso6391 holds the 183 two-letter codes of ISO 639-1 (withdrawn codes such
// as "iw", "in" and "bh" are not among them).
var iso6391 = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv
		cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie
		ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk
		ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se
		sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo
		xh yi yo za zh zu`) {
		m[c] = true
	}
	return m
}()

// notALanguage are the ISO 639-2 special codes: undetermined, multiple,
// no linguistic content, uncoded. None says which language a person was
// spoken to in.
var notALanguage = map[string]bool{"und": true, "mul": true, "zxx": true, "mis": true}

// Language reports whether code is an ISO 639-1 code, or has the form
// of an ISO 639-2/3 code (three lower-case letters) and is not one of the
// special codes und, mul, zxx and mis. Three-letter codes are checked for
// form only: the list of ISO 639-3 holds several thousand codes, and the
// code lists of the deployment (package vocab) check them fully.
func Language(code string) bool {
	switch len(code) {
	case 2:
		return iso6391[code]
	case 3:
		for i := 0; i < 3; i++ {
			if code[i] < 'a' || code[i] > 'z' {
				return false
			}
		}
		return !notALanguage[code]
	}
	return false
}

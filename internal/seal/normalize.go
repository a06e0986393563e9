package seal

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Kinds of blind index. Each kind is hashed in its own domain and has its
// own normalisation (see [Normalize]).
const (
	// KindName is a whole personal name, independent of word order.
	KindName = "name"
	// KindNamePart is one word of a personal name.
	KindNamePart = "name-part"
	// KindDocument is an identity or travel document number.
	KindDocument = "document"
	// KindDOB is a date of birth, by convention written YYYY-MM-DD.
	KindDOB = "dob"
)

// Normalize returns the form of value that [Keyring.BlindIndex] hashes for
// kind:
//
//   - KindName: [NormalizeName], with the words sorted, so that word order
//     does not matter;
//   - KindNamePart: [NormalizeName];
//   - KindDocument: [NormalizeDocument];
//   - any other kind: NFKC, case folding, decimal digits of any script
//     mapped to ASCII, invisible format characters removed, white space
//     collapsed to single spaces and trimmed.
//
// Normalize is idempotent for each kind.
func Normalize(kind, value string) string {
	switch kind {
	case KindName:
		return strings.Join(nameWords(value), " ")
	case KindNamePart:
		return NormalizeName(value)
	case KindDocument:
		return NormalizeDocument(value)
	default:
		return normalizeOther(value)
	}
}

// apostrophes join the parts of a name rather than separate them, so that
// "O'Brien" matches "OBrien".
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u2018', '\u2019', '\u02BB', '\u02BC', '\uFF07':
		return true
	}
	return false
}

// latinLetters maps Latin letters that have no Unicode decomposition to
// their usual ASCII spelling (after case folding).
var latinLetters = map[rune]string{
	'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d",
	'ħ': "h", 'ı': "i", 'þ': "th", 'ŧ': "t", 'ƚ': "l", 'ɨ': "i",
}

// NormalizeName normalises a personal name for matching:
//
//   - Unicode NFKC (full-width and compatibility forms to their plain
//     equivalents) and full case folding ("ß" matches "ss");
//   - diacritics are removed from Latin letters only ("José" matches
//     "Jose", "Łukasz" matches "Lukasz"); marks on letters of other
//     scripts are kept, since there they are part of the spelling (Thai
//     vowels and tones, Devanagari vowel signs and virama, Cyrillic "й" and
//     "ё"), and Hangul is recomposed into syllables;
//   - invisible format characters (zero-width joiners, direction marks,
//     soft hyphens) and apostrophes are removed;
//   - white space, punctuation, symbols and control characters separate
//     words; words are joined by single spaces, without leading or trailing
//     space.
//
// The result is in NFC. NormalizeName is idempotent.
func NormalizeName(s string) string {
	return fixpoint(s, normalizeNameOnce)
}

func normalizeNameOnce(s string) string {
	// Compatibility forms, then full case folding, then canonical
	// decomposition so that diacritics become separate marks.
	s, _, _ = transform.String(transform.Chain(norm.NFKC, cases.Fold(), norm.NFD), s)

	var b strings.Builder
	b.Grow(len(s))
	keepMarks := false // whether marks attach to a base letter that keeps them
	space := false     // a word separator is pending
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Mc, r):
			if keepMarks {
				b.WriteRune(r)
			}
		case unicode.Is(unicode.Cf, r) || isApostrophe(r):
			// dropped without separating
		case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r):
			space = true
			keepMarks = false
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			if rep, ok := latinLetters[r]; ok {
				b.WriteString(rep)
				keepMarks = false
				continue
			}
			b.WriteRune(r)
			keepMarks = !unicode.Is(unicode.Latin, r) && !unicode.Is(unicode.Common, r)
		}
	}
	return norm.NFC.String(b.String())
}

// NormalizeDocument normalises a document number: NFKC (full-width forms to
// ASCII), decimal digits of any script to ASCII digits, upper case, and
// white space, dashes, dots and invisible format characters removed. Other
// characters, such as "/", are kept.
func NormalizeDocument(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || unicode.Is(unicode.Cf, r) || isDot(r) || r == '\u2212':
			// removed
		case unicode.Is(unicode.Nd, r):
			b.WriteByte(byte('0' + digitValue(r)))
		default:
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return norm.NFC.String(b.String())
}

func isDot(r rune) bool {
	switch r {
	case '.', '\u00B7', '\u2024', '\u2027', '\u3002', '\u30FB', '\uFF0E', '\uFF61':
		return true
	}
	return false
}

func normalizeOther(s string) string {
	return fixpoint(s, normalizeOtherOnce)
}

func normalizeOtherOnce(s string) string {
	s, _, _ = transform.String(transform.Chain(norm.NFKC, cases.Fold(), runes.Remove(runes.In(unicode.Cf))), s)
	var b strings.Builder
	b.Grow(len(s))
	for i, w := range strings.Fields(s) {
		if i > 0 {
			b.WriteByte(' ')
		}
		for _, r := range w {
			if unicode.Is(unicode.Nd, r) {
				b.WriteByte(byte('0' + digitValue(r)))
			} else {
				b.WriteRune(r)
			}
		}
	}
	return norm.NFC.String(b.String())
}

// fixpoint applies f until the result no longer changes (at most a few
// rounds; one suffices for almost all text), so that normalising twice
// gives the same result as normalising once.
func fixpoint(s string, f func(string) string) string {
	s = f(s)
	for range 3 {
		t := f(s)
		if t == s {
			break
		}
		s = t
	}
	return s
}

// digitValue returns the value of a Unicode decimal digit (category Nd).
// Unicode encodes decimal digits in contiguous runs of ten, from zero to
// nine, so the value is the distance from the start of the run, modulo ten.
func digitValue(r rune) int {
	start := r
	for start > 0 && unicode.Is(unicode.Nd, start-1) {
		start--
	}
	return int(r-start) % 10
}

package seal

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"slices"
	"strings"
)

// BlindIndexSize is the length of a blind index token.
const BlindIndexSize = 16

// BlindIndex returns the blind index token of value for kind:
//
//	HMAC-SHA256(index key, kind || 0x00 || Normalize(kind, value))[:16]
//
// Equal normalised values of the same kind give equal tokens; different
// kinds give unrelated tokens. The index key is HKDF-SHA256 of the
// keyring's index secret (salt "haven/index-salt/v1", info
// "haven/blind-index/hmac-sha256/v1"), independent of the master keys, so
// tokens survive master-key rotation. BlindIndex returns nil when the normalised value is empty:
// there is nothing to index.
//
// kind must be a non-empty constant without NUL bytes (normally one of the
// Kind constants); BlindIndex panics otherwise, since that is a programming
// error and would make tokens ambiguous.
func (kr *Keyring) BlindIndex(kind, value string) []byte {
	if kind == "" || strings.IndexByte(kind, 0) >= 0 {
		panic("seal: blind index kind must be non-empty and free of NUL bytes")
	}
	n := Normalize(kind, value)
	if n == "" {
		return nil
	}
	return kr.token(kind, n)
}

func (kr *Keyring) token(kind, normalized string) []byte {
	mac := hmac.New(sha256.New, kr.state().indexKey[:])
	mac.Write([]byte(kind))
	mac.Write([]byte{0})
	mac.Write([]byte(normalized))
	return mac.Sum(nil)[:BlindIndexSize]
}

// NameTokens returns the blind index tokens to store for a personal name:
// first the token of the whole name (kind [KindName]: normalised, words in
// sorted order, so "Maria de la Cruz" and "Cruz Maria de la" are equal),
// then one token per distinct word (kind [KindNamePart]), in bytewise
// order of the tokens, which hides the order of the words. It returns nil
// for a name that normalises to nothing.
//
// To search, look up [Keyring.BlindIndex](KindName, query) for a whole
// name, or require every token of [Keyring.NamePartTokens](query): a search
// for "cruz maria" then finds "Maria de la Cruz". Word tokens reveal how
// often a word occurs across records; store them only where that is
// acceptable.
func (kr *Keyring) NameTokens(value string) [][]byte {
	words := nameWords(value)
	if len(words) == 0 {
		return nil
	}
	// Same as BlindIndex(KindName, value), without normalising twice.
	full := kr.token(KindName, strings.Join(words, " "))
	return append([][]byte{full}, kr.partTokens(words)...)
}

// NamePartTokens returns one [KindNamePart] token for each distinct word of
// the normalised name, in bytewise order of the tokens.
func (kr *Keyring) NamePartTokens(value string) [][]byte {
	return kr.partTokens(nameWords(value))
}

// nameWords returns the words of the normalised name, sorted.
func nameWords(value string) []string {
	words := strings.Fields(NormalizeName(value))
	slices.Sort(words)
	return words
}

func (kr *Keyring) partTokens(sortedWords []string) [][]byte {
	words := slices.Compact(slices.Clone(sortedWords))
	if len(words) == 0 {
		return nil
	}
	toks := make([][]byte, len(words))
	for i, w := range words {
		toks[i] = kr.token(KindNamePart, w)
	}
	slices.SortFunc(toks, bytes.Compare)
	return toks
}

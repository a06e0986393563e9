// Package psi answers one question between two Haven instances — was this
// person identified before in the other country? — without either side
// showing the other a name, a date of birth, a document number or a
// blind-index token: a Diffie–Hellman private set intersection over the
// ristretto255 group (github.com/cloudflare/circl), run for one case at a
// time.
//
// The asker holds the few identity tokens of one person (Tokens); the
// answerer holds the tokens of every person it knows. The asker sends its
// tokens hashed to the group and blinded by a secret scalar a: H(x)^a. The
// answerer raises each to its own secret b, and sends them back in the
// same order together with short digests of H(y)^b for its own set,
// shuffled. The asker removes a (H(x)^ab → H(x)^b) and looks the result
// up among the digests. Only the match bit is kept (Match): which token
// matched and how many never leave the function. The answerer learns
// only that a question was asked, and how many tokens it had; the asker
// learns the size of the answerer's set.
package psi

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"

	"github.com/cloudflare/circl/group"

	"github.com/haven-nrm/haven/internal/seal"
)

var g = group.Ristretto255

// dst separates Haven's hash-to-group from every other use (RFC 9380).
var dst = []byte("haven-trm-psi-v1-ristretto255_XMD:SHA-512_R255MAP_RO_")

// MaxTokens bounds the asker's tokens; MaxSet the answerer's digests.
const (
	MaxTokens = 8
	MaxSet    = 1 << 20
)

// DigestSize is the length of a digest of the answerer's set: 16 bytes
// make a false match as likely as guessing a 128-bit key.
const DigestSize = 16

// Tokens are a person's normalised identity tokens: the full name with the
// date of birth, and the travel document number. Empty parts give no
// token. Both instances normalise alike (seal.NormalizeName,
// seal.NormalizeDocument), so the same person gives the same tokens.
func Tokens(given, family, birthDate, document string) []string {
	var out []string
	name := strings.TrimSpace(seal.NormalizeName(given) + " " + seal.NormalizeName(family))
	if name != "" && birthDate != "" {
		out = append(out, "name-dob:"+name+"|"+birthDate)
	}
	if d := seal.NormalizeDocument(document); d != "" {
		out = append(out, "document:"+d)
	}
	return out
}

// Asker is one side's secret state for one question.
type Asker struct {
	a group.Scalar
}

// Ask blinds the tokens and returns the state to keep and the blinded
// elements to send.
func Ask(tokens []string) (*Asker, [][]byte, error) {
	if len(tokens) == 0 || len(tokens) > MaxTokens {
		return nil, nil, errors.New("psi: one to eight tokens")
	}
	a := g.RandomNonZeroScalar(rand.Reader)
	out := make([][]byte, len(tokens))
	for i, t := range tokens {
		e := g.NewElement().Mul(g.HashToElement([]byte(t), dst), a)
		b, err := e.MarshalBinaryCompress()
		if err != nil {
			return nil, nil, err
		}
		out[i] = b
	}
	return &Asker{a: a}, out, nil
}

// Answer is what the answerer sends back.
type Answer struct {
	// Evaluated are the asker's elements raised to b, in the same order.
	Evaluated [][]byte `json:"evaluated"`
	// Digests are SHA-256(H(y)^b)[:16] of the answerer's tokens, sorted
	// (which hides their order).
	Digests [][]byte `json:"digests"`
}

// Respond answers a question with the answerer's own tokens.
func Respond(blinded [][]byte, set []string) (Answer, error) {
	if len(blinded) == 0 || len(blinded) > MaxTokens || len(set) > MaxSet {
		return Answer{}, errors.New("psi: question or set out of bounds")
	}
	b := g.RandomNonZeroScalar(rand.Reader)
	var ans Answer
	for _, x := range blinded {
		e := g.NewElement()
		if err := e.UnmarshalBinary(x); err != nil || e.IsIdentity() {
			return Answer{}, errors.New("psi: not a group element")
		}
		out, err := g.NewElement().Mul(e, b).MarshalBinaryCompress()
		if err != nil {
			return Answer{}, err
		}
		ans.Evaluated = append(ans.Evaluated, out)
	}
	for _, y := range set {
		d, err := digest(g.NewElement().Mul(g.HashToElement([]byte(y), dst), b))
		if err != nil {
			return Answer{}, err
		}
		ans.Digests = append(ans.Digests, d)
	}
	slices.SortFunc(ans.Digests, func(x, y []byte) int { return strings.Compare(string(x), string(y)) })
	return ans, nil
}

func digest(e group.Element) ([]byte, error) {
	b, err := e.MarshalBinaryCompress()
	if err != nil {
		return nil, err
	}
	s := sha256.Sum256(b)
	return s[:DigestSize], nil
}

// Match reports whether any of the asker's tokens is in the answerer's
// set: the one bit this exchange exists to reveal.
func (q *Asker) Match(ans Answer, asked int) (bool, error) {
	if len(ans.Evaluated) != asked || len(ans.Digests) > MaxSet {
		return false, errors.New("psi: answer does not fit the question")
	}
	inv := g.NewScalar().Inv(q.a)
	found := false
	for _, x := range ans.Evaluated {
		e := g.NewElement()
		if err := e.UnmarshalBinary(x); err != nil {
			return false, errors.New("psi: not a group element")
		}
		d, err := digest(g.NewElement().Mul(e, inv))
		if err != nil {
			return false, err
		}
		if _, ok := slices.BinarySearchFunc(ans.Digests, d, func(x, y []byte) int { return strings.Compare(string(x), string(y)) }); ok {
			found = true
		}
	}
	return found, nil
}

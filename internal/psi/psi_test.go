package psi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func run(t *testing.T, mine []string, theirs []string) (bool, []byte, Answer) {
	t.Helper()
	q, blinded, err := Ask(mine)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := Respond(blinded, theirs)
	if err != nil {
		t.Fatal(err)
	}
	m, err := q.Match(ans, len(blinded))
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := json.Marshal(struct {
		Q [][]byte
		A Answer
	}{blinded, ans})
	return m, wire, ans
}

func TestMatchBit(t *testing.T) {
	known := append(Tokens("Sita", "Tamang", "2002-04-15", "PA 123-4567"), Tokens("Mina", "Rai", "1996-01-01", "")...)
	for _, c := range []struct {
		name string
		mine []string
		want bool
	}{
		{"same person, written differently", Tokens("  SITA ", "tamang", "2002-04-15", "pa1234567"), true},
		{"document only", Tokens("", "", "", "PA1234567"), true},
		{"name and birth date only", Tokens("Mina", "Rai", "1996-01-01", ""), true},
		{"same name, other birth date", Tokens("Mina", "Rai", "1996-01-02", ""), false},
		{"nobody known", Tokens("Asha", "Gurung", "2000-01-01", "X9"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _, _ := run(t, c.mine, known)
			if got != c.want {
				t.Fatalf("match %v, want %v", got, c.want)
			}
		})
	}
}

// Nothing on the wire is a name, a date, a document number or a token,
// and the answerer's digests do not depend on the asker (fresh b each
// time), so answers cannot be linked across questions.
func TestOnlyBlindedValuesCross(t *testing.T) {
	mine := Tokens("Sita", "Tamang", "2002-04-15", "PA1234567")
	_, wire, a1 := run(t, mine, mine)
	for _, s := range []string{"sita", "Sita", "tamang", "2002-04-15", "PA1234567", "pa1234567", "name-dob", "document:"} {
		if bytes.Contains(bytes.ToLower(wire), bytes.ToLower([]byte(s))) {
			t.Fatalf("%q is on the wire", s)
		}
	}
	_, _, a2 := run(t, mine, mine)
	if bytes.Equal(a1.Digests[0], a2.Digests[0]) {
		t.Fatal("the answerer's digests repeat across questions")
	}
}

func TestRefusesMalformed(t *testing.T) {
	if _, _, err := Ask(nil); err == nil {
		t.Fatal("empty question")
	}
	if _, err := Respond([][]byte{bytes.Repeat([]byte{0xff}, 32)}, []string{"x"}); err == nil {
		t.Fatal("a non-element was answered")
	}
	q, b, _ := Ask([]string{"document:X"})
	if _, err := q.Match(Answer{}, len(b)); err == nil {
		t.Fatal("an answer of the wrong length passed")
	}
	if strings.Join(Tokens("", "", "", ""), "") != "" {
		t.Fatal("tokens from nothing")
	}
}

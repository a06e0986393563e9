package backup

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

// Every kind survives encode → JSON line → decode exactly, including the
// integers float64 would round and the byte strings NULL would swallow.
func TestValueRoundTrip(t *testing.T) {
	cases := []struct {
		kind Kind
		in   any // as a driver returns it
		want any // as restore binds it
	}{
		{Integer, int64(0), int64(0)},
		{Integer, int64(math.MaxInt64), int64(math.MaxInt64)},
		{Integer, int64(math.MinInt64), int64(math.MinInt64)},
		{Integer, int64(1<<53 + 1), int64(1<<53 + 1)},
		{Integer, nil, nil},
		{Real, 0.1, 0.1},
		{Real, -1.5e300, -1.5e300},
		{Text, "", ""},
		{Text, "a \"quoted\" <tag> & \\ line\nbreak\t\u0000 नेपाली 한국어 ไทย Монгол", "a \"quoted\" <tag> & \\ line\nbreak\t\u0000 नेपाली 한국어 ไทย Монгол"},
		{Text, []byte("from bytes"), "from bytes"},
		{Bytes, []byte{}, []byte{}},
		{Bytes, []byte{0, 1, 2, 0xff, '\n'}, []byte{0, 1, 2, 0xff, '\n'}},
		{Bytes, "stored as text", []byte("stored as text")},
		{Bytes, nil, nil},
		{Boolean, true, true},
		{Boolean, int64(0), false},
		{Boolean, int64(1), true},
	}
	for _, c := range cases {
		enc, err := encodeValue(c.kind, c.in)
		if err != nil {
			t.Errorf("encode %s %#v: %v", c.kind, c.in, err)
			continue
		}
		var buf bytes.Buffer
		e := json.NewEncoder(&buf)
		e.SetEscapeHTML(false)
		if err := e.Encode([]any{enc}); err != nil {
			t.Fatal(err)
		}
		line := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if bytes.Contains(line, []byte("\n")) {
			t.Errorf("%s %#v: the encoded row spans lines", c.kind, c.in)
		}
		vals, err := decodeRow(Table{Name: "t", Columns: []Column{{Name: "c", Type: c.kind}}}, line)
		if err != nil {
			t.Errorf("decode %s %s: %v", c.kind, line, err)
			continue
		}
		if !reflect.DeepEqual(vals[0], c.want) {
			t.Errorf("%s: %#v came back as %#v (%s)", c.kind, c.in, vals[0], line)
		}
	}
}

func TestValuesRefused(t *testing.T) {
	for _, c := range []struct {
		kind Kind
		in   any
	}{
		{Text, "\xff\xfe"},
		{Text, int64(3)},
		{Integer, "12"},
		{Integer, 1.5},
		{Real, math.NaN()},
		{Real, math.Inf(1)},
		{Boolean, int64(2)},
		{Kind("money"), int64(1)},
	} {
		if _, err := encodeValue(c.kind, c.in); err == nil {
			t.Errorf("encode %s %#v: no error", c.kind, c.in)
		}
	}
	for _, c := range []struct {
		kind Kind
		json string
	}{
		{Integer, `1.0`},
		{Integer, `1e3`},
		{Integer, `9223372036854775808`},
		{Integer, `"1"`},
		{Text, `12`},
		{Bytes, `"not base64!"`},
		{Bytes, `"QQ"`}, // unpadded
		{Boolean, `1`},
	} {
		line := []byte("[" + c.json + "]")
		if _, err := decodeRow(Table{Name: "t", Columns: []Column{{Name: "c", Type: c.kind}}}, line); err == nil {
			t.Errorf("decode %s %s: no error", c.kind, c.json)
		}
	}
	two := Table{Name: "t", Columns: []Column{{Name: "a", Type: Integer}, {Name: "b", Type: Integer}}}
	for _, line := range []string{`[1]`, `[1,2,3]`, `[1,2] [3,4]`, `{"a":1}`} {
		if _, err := decodeRow(two, []byte(line)); err == nil {
			t.Errorf("decode %s: no error", line)
		}
	}
}

func TestDependencyOrder(t *testing.T) {
	tab := func(n string) tableInfo { return tableInfo{Table: Table{Name: n}} }
	tables := []tableInfo{tab("cases"), tab("agencies"), tab("zeta"), tab("jurisdictions"), tab("people"), tab("a_loop"), tab("b_loop")}
	fks := []foreignKey{
		{child: "cases", parent: "agencies"},
		{child: "cases", parent: "jurisdictions"},
		{child: "agencies", parent: "jurisdictions"},
		{child: "people", parent: "people"}, // self-reference
		{child: "cases", parent: "people"},
		{child: "a_loop", parent: "b_loop", deferrable: true},
		{child: "b_loop", parent: "a_loop"},
	}
	var names []string
	var order []Table
	for _, t := range dependencyOrder(tables, fks) {
		names = append(names, t.Name)
		order = append(order, t.Table)
	}
	want := "jurisdictions people zeta agencies cases a_loop b_loop"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
	// The cycle is placed a_loop, b_loop: b_loop → a_loop is satisfied and
	// a_loop → b_loop is deferrable, so the order is accepted.
	if err := checkOrder(order, fks); err != nil {
		t.Fatal(err)
	}
	fks[5].deferrable = false
	if err := checkOrder(order, fks); err == nil {
		t.Fatal("a cycle of references that cannot be deferred was accepted")
	}
}

func TestKinds(t *testing.T) {
	for decl, want := range map[string]Kind{"INTEGER": Integer, "BIGINT": Integer, "TEXT": Text, "varchar(20)": Text, "BLOB": Bytes, "REAL": Real, "DOUBLE PRECISION": Real, "BOOLEAN": Boolean} {
		if k, err := sqliteKind(decl); err != nil || k != want {
			t.Errorf("sqlite %s: %s, %v; want %s", decl, k, err, want)
		}
	}
	for decl, want := range map[string]Kind{"integer": Integer, "bigint": Integer, "text": Text, "bytea": Bytes, "double precision": Real, "boolean": Boolean} {
		if k, err := pgKind(decl); err != nil || k != want {
			t.Errorf("postgres %s: %s, %v; want %s", decl, k, err, want)
		}
	}
	for _, decl := range []string{"", "NUMERIC", "DATE"} {
		if _, err := sqliteKind(decl); err == nil {
			t.Errorf("sqlite %q accepted", decl)
		}
	}
	for _, decl := range []string{"numeric", "timestamp with time zone", "jsonb"} {
		if _, err := pgKind(decl); err == nil {
			t.Errorf("postgres %q accepted", decl)
		}
	}
}

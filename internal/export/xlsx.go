package export

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// DefaultSheetName is the sheet name WriteXLSX uses when the one given is not
// a valid Excel sheet name.
const DefaultSheetName = "Cases"

// zipTime is the modification time of every part, fixed so that the same
// table always gives the same bytes. It is the earliest time a zip file's
// MS-DOS timestamp can hold.
var zipTime = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)

// textStyle is the index in cellXfs (styles.xml) of the style every cell
// uses: number format 49, "@" (Text), so that a cell a user edits in Excel
// stays text instead of being evaluated.
const textStyle = "1"

// WriteXLSX writes t to w as an Office Open XML workbook (.xlsx) with a single
// sheet. The header is the first row.
//
// Every cell is an inline string (t="inlineStr"): the workbook holds no
// formulas and no numbers, so a spreadsheet program evaluates nothing. Cell
// text is still passed through Neutralise, so that a sheet copied or saved as
// CSV later stays safe. Characters XML 1.0 does not allow (control characters
// other than TAB, LF and CR, and U+FFFE, U+FFFF) are removed before, and
// invalid UTF-8 is replaced by U+FFFD.
//
// sheetName is used if it is a valid Excel sheet name (1 to 31 characters,
// none of []:*?/\, not beginning or ending with a quote, not "History");
// otherwise the sheet is named DefaultSheetName.
//
// The output is deterministic: the same arguments always give the same bytes.
// The table is checked and the workbook built in memory first: if t is
// refused, nothing is written to w.
func WriteXLSX(w io.Writer, t Table, sheetName string) error {
	if err := validate(t); err != nil {
		return err
	}
	sheet, err := sheetXML(t)
	if err != nil {
		return err
	}
	parts := []struct {
		name string
		data string
	}{
		{"[Content_Types].xml", contentTypesXML},
		{"_rels/.rels", rootRelsXML},
		{"xl/workbook.xml", workbookXML(validSheetName(sheetName))},
		{"xl/_rels/workbook.xml.rels", workbookRelsXML},
		{"xl/worksheets/sheet1.xml", sheet},
		{"xl/styles.xml", stylesXML},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, p.data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	_, err = buf.WriteTo(w)
	return err
}

// sheetXML renders xl/worksheets/sheet1.xml. Its errors name the row only.
func sheetXML(t Table) (string, error) {
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	if err := writeRow(&b, 1, t.Header); err != nil {
		return "", fmt.Errorf("%w: header", err)
	}
	for i, row := range t.Rows {
		if err := writeRow(&b, i+2, row); err != nil {
			return "", fmt.Errorf("%w: row %d", err, i+1)
		}
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.String(), nil
}

// writeRow renders one row, number n counted from 1 as in the sheet.
func writeRow(b *strings.Builder, n int, cells []string) error {
	rn := strconv.Itoa(n)
	b.WriteString(`<row r="`)
	b.WriteString(rn)
	b.WriteString(`">`)
	for i, c := range cells {
		text := Neutralise(xmlSafe(c))
		if utf16Len(text) > MaxCellChars {
			return ErrCellTooLong
		}
		b.WriteString(`<c r="`)
		b.WriteString(columnName(i))
		b.WriteString(rn)
		b.WriteString(`" s="` + textStyle + `" t="inlineStr"><is><t xml:space="preserve">`)
		xml.EscapeText(b, []byte(text)) // a strings.Builder never fails
		b.WriteString(`</t></is></c>`)
	}
	b.WriteString(`</row>`)
	return nil
}

// xmlSafe removes from s the characters XML 1.0 does not allow and replaces
// invalid UTF-8 with U+FFFD. It runs before Neutralise, so that removing a
// character cannot bring a dangerous one to the front.
func xmlSafe(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || !xmlChar(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case xmlChar(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// xmlChar reports whether r is a Char of XML 1.0 (production [2]).
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		0x20 <= r && r <= 0xD7FF ||
		0xE000 <= r && r <= 0xFFFD ||
		0x10000 <= r && r <= utf8.MaxRune
}

// utf16Len is the length of s in UTF-16 code units, the unit of Excel's
// limits.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// columnName is the letters of column i, counted from 0: A, …, Z, AA, ….
func columnName(i int) string {
	var buf [4]byte // MaxColumns-1 is XFD
	p := len(buf)
	for i++; i > 0; i = (i - 1) / 26 {
		p--
		buf[p] = byte('A' + (i-1)%26)
	}
	return string(buf[p:])
}

// validSheetName returns name if Excel accepts it as a sheet name, otherwise
// DefaultSheetName.
func validSheetName(name string) string {
	if name == "" || !utf8.ValidString(name) || utf16Len(name) > 31 ||
		strings.ContainsAny(name, `[]:*?/\`) ||
		name[0] == '\'' || name[len(name)-1] == '\'' ||
		strings.EqualFold(name, "History") {
		return DefaultSheetName
	}
	for _, r := range name {
		if r < 0x20 || !xmlChar(r) {
			return DefaultSheetName
		}
	}
	return name
}

// escapeAttr escapes s for an XML attribute value.
func escapeAttr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // escapes quotes too; never fails
	return b.String()
}

func workbookXML(sheetName string) string {
	return xml.Header +
		`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheets><sheet name="` + escapeAttr(sheetName) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`
}

const contentTypesXML = xml.Header +
	`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
	`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
	`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
	`</Types>`

const rootRelsXML = xml.Header +
	`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
	`</Relationships>`

const workbookRelsXML = xml.Header +
	`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`</Relationships>`

// stylesXML is the smallest style sheet Excel accepts, plus the text style
// (cellXfs index 1, number format 49 "@") every cell uses.
const stylesXML = xml.Header +
	`<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
	`</styleSheet>`

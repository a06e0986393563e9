package export

import (
	"bytes"
	"encoding/csv"
	"io"
)

// bom is the UTF-8 byte order mark. Excel reads a CSV file without it in the
// system's legacy code page, which garbles Korean, Thai, Nepali and any other
// non-Latin script.
const bom = "\ufeff"

// WriteCSV writes t to w as RFC 4180 CSV: comma-separated, CRLF line endings,
// UTF-8 with a byte order mark. Every cell, header included, is passed
// through Neutralise.
//
// Line breaks inside a cell are written as CRLF (encoding/csv with UseCRLF),
// and a CR that is not part of a line break is dropped; reading the file back
// with encoding/csv yields LF line breaks.
//
// The table is checked and the file built in memory first: if t is refused,
// nothing is written to w.
func WriteCSV(w io.Writer, t Table) error {
	if err := validate(t); err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(bom)
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	rec := make([]string, len(t.Header))
	write := func(cells []string) error {
		for i, c := range cells {
			rec[i] = Neutralise(c)
		}
		if len(rec) == 1 && rec[0] == "" {
			// encoding/csv writes a lone empty field as an empty line, which
			// readers skip; write it quoted so the row is kept.
			cw.Flush()
			buf.WriteString("\"\"\r\n")
			return cw.Error()
		}
		return cw.Write(rec)
	}
	if err := write(t.Header); err != nil {
		return err
	}
	for _, row := range t.Rows {
		if err := write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := buf.WriteTo(w)
	return err
}

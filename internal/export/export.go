// Package export writes tabular exports of case lists as CSV and XLSX.
//
// Exports leave Haven and are opened in spreadsheet programs, which treat a
// cell that begins with "=", "+", "-" or "@" as a formula. A case record holds
// text typed by first responders or taken from referrals, so an attacker who
// can get text into a record could otherwise have it run on a case worker's
// machine when the export is opened (OWASP "CSV Injection"). Every cell is
// therefore passed through Neutralise, and XLSX cells are written as inline
// strings only, never as formulas or numbers.
//
// The cells are personal data of presumed victims: errors name a row number,
// never a cell's contents. A table is checked and the whole export built in
// memory before anything is written, so a refused table writes nothing.
//
// The package uses only the standard library; it writes only to the
// io.Writer it is given.
package export

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Table is a header and its rows. Every row has exactly as many cells as the
// header.
type Table struct {
	Header []string
	Rows   [][]string
}

// Limits on a table.
const (
	// MaxRows is the most data rows (the header excluded) an export holds.
	MaxRows = 100000
	// MaxColumns is the most columns an export holds: the column limit of
	// Excel (XFD).
	MaxColumns = 16384
	// MaxCellChars is the most UTF-16 code units an XLSX cell holds, after
	// neutralisation: Excel's limit.
	MaxCellChars = 32767
)

// Errors returned by WriteCSV and WriteXLSX, wrapped with counts and the row
// concerned, if any. Rows are numbered from 1, the header excluded. Messages
// never hold cell contents.
var (
	ErrNoHeader       = errors.New("export: table has no header")
	ErrTooManyColumns = errors.New("export: too many columns")
	ErrTooManyRows    = errors.New("export: too many rows")
	ErrRowLength      = errors.New("export: row length differs from header")
	ErrCellTooLong    = errors.New("export: cell too long for a spreadsheet")
)

// validate checks the shape of t. The errors name counts and row numbers
// only.
func validate(t Table) error {
	if len(t.Header) == 0 {
		return ErrNoHeader
	}
	if len(t.Header) > MaxColumns {
		return fmt.Errorf("%w: %d columns, at most %d", ErrTooManyColumns, len(t.Header), MaxColumns)
	}
	if len(t.Rows) > MaxRows {
		return fmt.Errorf("%w: %d rows, at most %d", ErrTooManyRows, len(t.Rows), MaxRows)
	}
	for i, row := range t.Rows {
		if len(row) != len(t.Header) {
			return fmt.Errorf("%w: row %d has %d cells, header has %d", ErrRowLength, i+1, len(row), len(t.Header))
		}
	}
	return nil
}

// Neutralise makes s safe to place in a spreadsheet cell, following the
// OWASP "CSV Injection" guidance (https://owasp.org/www-community/attacks/CSV_Injection):
// a cell that begins with "=", "+", "-", "@", TAB or CR may be evaluated as a
// formula (or DDE command) by Excel, LibreOffice or Google Sheets, so such a
// cell is prefixed with a single quote, which makes the program read the rest
// as text. The full-width forms "＝", "＋", "－" and "＠" are treated the same
// as a precaution: East Asian input methods produce them, and a program or a
// later conversion that folds them to ASCII (as Unicode NFKC does) would
// turn them into formula signs.
//
// Leading whitespace (other than TAB and CR, which are dangerous themselves)
// and invisible format characters such as U+200B ZERO WIDTH SPACE, U+FEFF
// BYTE ORDER MARK or bidirectional overrides are skipped before the check,
// since programs trim or ignore them: " =1" and "\u200b=1" are neutralised.
//
// The price is that text which merely looks like a signed number, such as
// "-5" or "+41 22 000 00 00", also gains the quote. Exports are for reading
// and never feed calculations, so this is accepted.
//
// Neutralise is idempotent: its result begins with a quote or is safe, and
// a quote is not a dangerous prefix.
func Neutralise(s string) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case dangerous(r):
			return "'" + s
		case r == utf8.RuneError && size == 1:
			return s // invalid UTF-8 is not a formula prefix
		case unicode.IsSpace(r) || unicode.Is(unicode.Cf, r):
			i += size
		default:
			return s
		}
	}
	return s
}

// dangerous reports whether r, at the start of a cell, may begin a formula.
func dangerous(r rune) bool {
	switch r {
	case '=', '+', '-', '@', '\t', '\r',
		'＝', '＋', '－', '＠': // U+FF1D, U+FF0B, U+FF0D, U+FF20
		return true
	}
	return false
}

package backup

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/errs"
)

// FormatName and FormatVersion identify the file format. FormatVersion
// changes only when a reader of the previous version would misread a new
// file; readers refuse versions they do not know. Version 2 signs the
// trailer; version 1 (unsigned) is read only when Check.AllowUnsigned says
// so, because anyone who can write a file can also write an unsigned one.
const (
	FormatName      = "haven-backup"
	FormatVersion   = 2
	unsignedVersion = 1
)

// ErrSignature is wrapped when a backup's signature is missing or does not
// verify with the instance's audit key: the file was edited, or comes from
// another instance.
var ErrSignature = errors.New("the backup's signature does not verify with this instance's audit signing key")

// ErrUnsigned is wrapped when a backup of format version 1, which has no
// signature, is read without Check.AllowUnsigned.
var ErrUnsigned = errors.New("the backup is unsigned (format version 1)")

// Check says how the signature of a backup is checked.
type Check struct {
	// Key is the instance's audit public key, from its key file or the
	// key recorded in its database; never from the backup itself.
	Key ed25519.PublicKey
	// AllowUnsigned accepts a backup of format version 1, which carries
	// no signature; Summary.Unsigned then says so.
	AllowUnsigned bool
}

// signatureContext separates the backup signature from every other use of
// the audit key (checkpoints sign another message form).
const signatureContext = "haven-backup trailer v2\x00"

// signedMessage is what the trailer's signature covers: the SHA-256 of every
// byte before the trailer (the header, with the schema and the creation
// time, and every row) and the row counts, which are checked against it.
func signedMessage(sum []byte, total int64) []byte {
	m := append([]byte(signatureContext), sum...)
	return strconv.AppendInt(append(m, 0), total, 10)
}

// sign fills the trailer's signature with key.
func (tr *Trailer) sign(sum []byte, key ed25519.PrivateKey, keyID string) {
	tr.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, signedMessage(sum, tr.Total)))
	tr.KeyID = keyID
}

// verify checks the trailer's signature over sum with c's key.
func (tr *Trailer) verify(sum []byte, c Check) error {
	if len(c.Key) != ed25519.PublicKeySize {
		return errs.E(errs.Invalid, "no audit public key to check the backup's signature with")
	}
	sig, err := base64.StdEncoding.DecodeString(tr.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize || !ed25519.Verify(c.Key, signedMessage(sum, tr.Total), sig) {
		return errs.Wrap(errs.Invalid, fmt.Errorf("%w (the file names key %q)", ErrSignature, tr.KeyID))
	}
	return nil
}

// maxLine bounds one line of a backup (one row), so that a damaged file
// cannot make a reader allocate without limit.
const maxLine = 256 << 20

// ErrDamaged is wrapped by every error about a backup file that is
// truncated, corrupted or not a Haven backup at all.
var ErrDamaged = errors.New("the backup file is damaged, truncated or not a Haven backup")

// damaged classifies a problem found in a backup file.
func damaged(format string, args ...any) error {
	return errs.Wrap(errs.Invalid, fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...)))
}

// Kind is the engine-neutral type of a column. The same kind is read from
// either engine's catalogue (INTEGER and BIGINT are both Integer, BLOB and
// BYTEA are both Bytes), which is what lets a backup of one engine be
// restored into the other.
type Kind string

const (
	// Integer is a signed 64-bit integer, written as a JSON integer.
	Integer Kind = "integer"
	// Real is a 64-bit float, written as a JSON number.
	Real Kind = "real"
	// Text is UTF-8 text, written as a JSON string.
	Text Kind = "text"
	// Bytes is binary data, written as a JSON string in standard base64
	// with padding.
	Bytes Kind = "bytes"
	// Boolean is written as JSON true or false.
	Boolean Kind = "boolean"
)

// Header is the first line of a backup.
type Header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// SchemaVersion is the highest migration applied to the database the
	// backup was taken from.
	SchemaVersion int `json:"schema_version"`
	// Migrations are the rows of schema_migrations (version and name), so
	// that a restore applies exactly the same migrations.
	Migrations []Migration `json:"migrations"`
	// Engine is the engine the backup was taken from: sqlite or postgres.
	Engine       string    `json:"engine"`
	HavenVersion string    `json:"haven_version,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	// Tables are in the order their sections follow, parents before the
	// tables whose foreign keys refer to them.
	Tables []Table `json:"tables"`
}

// Migration is one applied schema migration.
type Migration struct {
	Version int    `json:"version"`
	Name    string `json:"name"`
}

// Table is a table and its columns, in the order of the values of each
// row.
type Table struct {
	Name    string   `json:"name"`
	Columns []Column `json:"columns"`
}

// Column is one column of a table.
type Column struct {
	Name string `json:"name"`
	Type Kind   `json:"type"`
}

// Trailer is the last line of a backup. SHA256 covers every byte of the
// uncompressed content before the trailer line, newlines included.
// Signature (format 2) is the Ed25519 signature, in standard base64, of
// that digest and Total by the instance's audit signing key; KeyID names
// that key for people, and is never used to find the key that verifies.
type Trailer struct {
	Rows      map[string]int64 `json:"rows"`
	Total     int64            `json:"total"`
	SHA256    string           `json:"sha256"`
	Signature string           `json:"signature,omitempty"`
	KeyID     string           `json:"key_id,omitempty"`
}

// sectionLine starts the rows of one table.
type sectionLine struct {
	Table string `json:"table"`
}

type trailerLine struct {
	Trailer *Trailer `json:"trailer"`
}

// encodeValue turns a value scanned from either engine into the JSON value
// written for a column of kind k. It refuses anything that would not come
// back identical, rather than write an approximation.
func encodeValue(k Kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case Integer:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case int:
			return int64(x), nil
		}
	case Real:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		case int64:
			f = float64(x)
		default:
			return nil, fmt.Errorf("a %T value cannot be written as %s", v, k)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("the real value %v has no exact JSON form", f)
		}
		return f, nil
	case Text:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		default:
			return nil, fmt.Errorf("a %T value cannot be written as %s", v, k)
		}
		// JSON would silently replace invalid bytes.
		if !utf8.ValidString(s) {
			return nil, errors.New("a text value is not valid UTF-8")
		}
		return s, nil
	case Bytes:
		switch x := v.(type) {
		case []byte:
			return base64.StdEncoding.EncodeToString(x), nil
		case string:
			return base64.StdEncoding.EncodeToString([]byte(x)), nil
		}
	case Boolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			if x == 0 || x == 1 {
				return x == 1, nil
			}
		}
	default:
		return nil, fmt.Errorf("unknown column type %q", k)
	}
	return nil, fmt.Errorf("a %T value cannot be written as %s", v, k)
}

// decodeValue turns a JSON value (decoded with UseNumber) into the value
// bound for a column of kind k.
func decodeValue(k Kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case Integer:
		if n, ok := v.(json.Number); ok {
			// ParseInt, not float64: BIGINT values above 2^53 must
			// survive exactly, and "1.0" or "1e3" are not integers.
			return strconv.ParseInt(string(n), 10, 64)
		}
	case Real:
		if n, ok := v.(json.Number); ok {
			return strconv.ParseFloat(string(n), 64)
		}
	case Text:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case Bytes:
		if s, ok := v.(string); ok {
			b, err := base64.StdEncoding.Strict().DecodeString(s)
			if err != nil {
				return nil, err
			}
			// An empty value is an empty byte string, never NULL:
			// both drivers bind a nil slice as NULL.
			if b == nil {
				b = []byte{}
			}
			return b, nil
		}
	case Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	default:
		return nil, fmt.Errorf("unknown column type %q", k)
	}
	return nil, fmt.Errorf("a JSON %T is not a valid %s value", v, k)
}

// lineReader reads the uncompressed lines of a backup and hashes them.
type lineReader struct {
	br   *bufio.Reader
	sum  hash.Hash
	line int
	buf  []byte
}

// next returns the next line without its newline, or io.EOF at the clean
// end of the content. A last line without a newline means the file was cut.
func (r *lineReader) next() ([]byte, error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		r.buf = append(r.buf, chunk...)
		if len(r.buf) > maxLine {
			return nil, damaged("line %d is longer than %d bytes", r.line+1, maxLine)
		}
		if err == nil {
			r.line++
			return r.buf[:len(r.buf)-1], nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(r.buf) == 0 {
				return nil, io.EOF
			}
			return nil, damaged("the content ends in the middle of line %d", r.line+1)
		}
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, damaged("it was cut short (the compressed data ends in line %d)", r.line+1)
		case errors.Is(err, gzip.ErrChecksum):
			return nil, damaged("the compressed data fails its CRC check")
		}
		return nil, damaged("line %d cannot be read: %v", r.line+1, err)
	}
}

// hashLine adds a line and its newline to the content checksum.
func (r *lineReader) hashLine(line []byte) {
	r.sum.Write(line)
	r.sum.Write([]byte{'\n'})
}

// reader walks a backup: header, then one section per table, then the
// trailer, checking each against the others.
type reader struct {
	lr     *lineReader
	header Header
	check  Check
}

// newReader opens the compressed stream and reads and checks the header.
func newReader(r io.Reader, c Check) (*reader, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, damaged("it is not gzip-compressed data (%v)", err)
	}
	rd := &reader{lr: &lineReader{br: bufio.NewReaderSize(zr, 1<<16), sum: sha256.New()}, check: c}
	line, err := rd.lr.next()
	if errors.Is(err, io.EOF) {
		return nil, damaged("it is empty")
	}
	if err != nil {
		return nil, err
	}
	rd.lr.hashLine(line)
	// Fields a later writer adds without changing FormatVersion are
	// ignored, as that version promises they may be.
	if err := json.Unmarshal(line, &rd.header); err != nil {
		return nil, damaged("the header cannot be read (%v)", err)
	}
	h := rd.header
	if h.Format != FormatName {
		return nil, damaged("the header does not name the %s format", FormatName)
	}
	if h.Version == unsignedVersion && !c.AllowUnsigned {
		return nil, errs.Wrap(errs.Invalid, fmt.Errorf("%w: nothing proves it was not edited; haven restore --allow-unsigned reads it anyway", ErrUnsigned))
	}
	if h.Version != FormatVersion && h.Version != unsignedVersion {
		return nil, errs.E(errs.Invalid, "the backup file uses format version %d, but this haven reads only version %d; nothing was changed", h.Version, FormatVersion)
	}
	if len(h.Tables) == 0 || len(h.Migrations) == 0 || h.SchemaVersion <= 0 {
		return nil, damaged("the header lists no tables or no migrations")
	}
	maxV := 0
	for _, m := range h.Migrations {
		maxV = max(maxV, m.Version)
	}
	if maxV != h.SchemaVersion {
		return nil, damaged("the header's schema version %d is not its newest migration %d", h.SchemaVersion, maxV)
	}
	seen := map[string]bool{}
	for _, t := range h.Tables {
		if t.Name == "" || seen[t.Name] || len(t.Columns) == 0 {
			return nil, damaged("the header lists table %q twice, without a name or without columns", t.Name)
		}
		seen[t.Name] = true
		for _, c := range t.Columns {
			switch c.Type {
			case Integer, Real, Text, Bytes, Boolean:
			default:
				return nil, damaged("column %s.%s has the unknown type %q", t.Name, c.Name, c.Type)
			}
		}
	}
	return rd, nil
}

// callbacks receive what a reader finds; nil members are skipped.
type callbacks struct {
	table    func(t Table) error
	row      func(t Table, values []any) error
	tableEnd func(t Table, rows int64) error
}

// run reads every section and the trailer, and returns the trailer once
// the checksum, the row counts and the end of the stream have all been
// checked. Nothing read is trusted until run returns nil: callers write
// into a transaction they roll back on error.
func (rd *reader) run(cb callbacks) (Trailer, error) {
	counts := map[string]int64{}
	var total int64
	cur := -1 // index of the table whose rows are being read
	endTable := func() error {
		if cur >= 0 && cb.tableEnd != nil {
			return cb.tableEnd(rd.header.Tables[cur], counts[rd.header.Tables[cur].Name])
		}
		return nil
	}
	for {
		line, err := rd.lr.next()
		if errors.Is(err, io.EOF) {
			return Trailer{}, damaged("it ends before its trailer: the file was cut short")
		}
		if err != nil {
			return Trailer{}, err
		}
		if len(line) > 0 && line[0] == '[' {
			if cur < 0 {
				return Trailer{}, damaged("line %d holds a row outside any table", rd.lr.line)
			}
			rd.lr.hashLine(line)
			t := rd.header.Tables[cur]
			values, err := decodeRow(t, line)
			if err != nil {
				return Trailer{}, damaged("line %d (a row of %s): %v", rd.lr.line, t.Name, err)
			}
			counts[t.Name]++
			total++
			if cb.row != nil {
				if err := cb.row(t, values); err != nil {
					return Trailer{}, err
				}
			}
			continue
		}
		var probe struct {
			Table   *string  `json:"table"`
			Trailer *Trailer `json:"trailer"`
		}
		if err := json.Unmarshal(line, &probe); err != nil {
			return Trailer{}, damaged("line %d cannot be read (%v)", rd.lr.line, err)
		}
		switch {
		case probe.Table != nil && probe.Trailer == nil:
			rd.lr.hashLine(line)
			if err := endTable(); err != nil {
				return Trailer{}, err
			}
			cur++
			if cur >= len(rd.header.Tables) || rd.header.Tables[cur].Name != *probe.Table {
				return Trailer{}, damaged("line %d starts table %q out of the header's order", rd.lr.line, *probe.Table)
			}
			if cb.table != nil {
				if err := cb.table(rd.header.Tables[cur]); err != nil {
					return Trailer{}, err
				}
			}
		case probe.Trailer != nil && probe.Table == nil:
			if cur != len(rd.header.Tables)-1 {
				return Trailer{}, damaged("the trailer comes before table %q", rd.header.Tables[cur+1].Name)
			}
			tr := *probe.Trailer
			digest := rd.lr.sum.Sum(nil)
			if got := hex.EncodeToString(digest); got != tr.SHA256 {
				return Trailer{}, damaged("the SHA-256 of the content is %s but the trailer records %s", got, tr.SHA256)
			}
			if tr.Total != total || len(tr.Rows) != len(rd.header.Tables) {
				return Trailer{}, damaged("the trailer records %d rows in %d tables, the file holds %d in %d", tr.Total, len(tr.Rows), total, len(rd.header.Tables))
			}
			for _, t := range rd.header.Tables {
				if n, ok := tr.Rows[t.Name]; !ok || n != counts[t.Name] {
					return Trailer{}, damaged("the trailer records %d rows of %s, the file holds %d", n, t.Name, counts[t.Name])
				}
			}
			// A file that checks out so far may still have been edited and
			// its checksum recomputed: only the signature tells.
			if rd.header.Version != unsignedVersion {
				if err := tr.verify(digest, rd.check); err != nil {
					return Trailer{}, err
				}
			}
			// Reading to the end makes gzip check its own CRC and
			// length, and catches anything appended after the trailer.
			if _, err := rd.lr.next(); !errors.Is(err, io.EOF) {
				if err != nil {
					return Trailer{}, err
				}
				return Trailer{}, damaged("there is content after the trailer")
			}
			if err := endTable(); err != nil {
				return Trailer{}, err
			}
			return tr, nil
		default:
			return Trailer{}, damaged("line %d is neither a row, a table nor the trailer", rd.lr.line)
		}
	}
}

// decodeRow parses one row line into values bound for t's columns.
func decodeRow(t Table, line []byte) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("extra content after the row")
	}
	if len(raw) != len(t.Columns) {
		return nil, fmt.Errorf("%d values for %d columns", len(raw), len(t.Columns))
	}
	out := make([]any, len(raw))
	for i, v := range raw {
		x, err := decodeValue(t.Columns[i].Type, v)
		if err != nil {
			return nil, fmt.Errorf("column %s: %v", t.Columns[i].Name, err)
		}
		out[i] = x
	}
	return out, nil
}

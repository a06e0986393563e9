package i18n

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/feature/plural"
)

// keyPattern is the shape of a message key: dotted identifiers with at
// least two segments, e.g. "nav.cases". The first segment is lower-case; a
// later segment may be a code from a data standard as it is spelt there
// ("code.gender.Feminine" for the HTCDS value Feminine).
var keyPattern = regexp.MustCompile(`^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$`)

// fieldPattern is the only thing allowed between {{ and }}.
var fieldPattern = regexp.MustCompile(`^\.([A-Za-z_][A-Za-z0-9_]*)$`)

// formNames maps the CLDR plural category names used in catalogues to forms.
var formNames = map[string]plural.Form{
	"zero":  plural.Zero,
	"one":   plural.One,
	"two":   plural.Two,
	"few":   plural.Few,
	"many":  plural.Many,
	"other": plural.Other,
}

// formOrder lists the plural forms in CLDR order.
var formOrder = []plural.Form{plural.Zero, plural.One, plural.Two, plural.Few, plural.Many, plural.Other}

func formName(f plural.Form) string {
	for name, g := range formNames {
		if g == f {
			return name
		}
	}
	return fmt.Sprintf("form(%d)", f)
}

// segment is one piece of a message text: literal text or a placeholder.
type segment struct {
	lit   string
	field string // placeholder name without the dot; empty for literal text
}

// text is a parsed message text.
type text struct {
	raw  string
	segs []segment
}

// message is a catalogue entry: a single text, or one text per plural form.
type message struct {
	plural bool
	forms  map[plural.Form]*text // a simple message is stored as forms[plural.Other]
}

// catalog maps keys to messages for one language.
type catalog map[string]*message

// parseText splits s into literal text and {{.Field}} placeholders.
func parseText(s string) (*text, error) {
	t := &text{raw: s}
	rest := s
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			if rest != "" {
				t.segs = append(t.segs, segment{lit: rest})
			}
			return t, nil
		}
		if i > 0 {
			t.segs = append(t.segs, segment{lit: rest[:i]})
		}
		rest = rest[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			return nil, errors.New("unclosed {{")
		}
		inner := strings.TrimSpace(rest[:j])
		m := fieldPattern.FindStringSubmatch(inner)
		if m == nil {
			return nil, fmt.Errorf("placeholder {{%s}} is not of the form {{.Name}}", rest[:j])
		}
		t.segs = append(t.segs, segment{field: m[1]})
		rest = rest[j+2:]
	}
}

// render substitutes data into t. A placeholder without a value is shown as
// ⟦Name⟧ so the omission is visible.
func (t *text) render(data map[string]string) string {
	if len(t.segs) == 1 && t.segs[0].field == "" {
		return t.segs[0].lit
	}
	var b strings.Builder
	for _, s := range t.segs {
		if s.field == "" {
			b.WriteString(s.lit)
			continue
		}
		if v, ok := data[s.field]; ok {
			b.WriteString(v)
		} else {
			b.WriteString("⟦" + s.field + "⟧")
		}
	}
	return b.String()
}

// fields returns the placeholder names used in the message, sorted and
// without duplicates, across all its forms.
func (m *message) fields() []string {
	var out []string
	for _, t := range m.forms {
		for _, s := range t.segs {
			if s.field != "" {
				out = append(out, s.field)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// parseCatalog reads one catalogue file. It reports invalid UTF-8, invalid
// JSON, duplicate or malformed keys, values that are neither a string nor an
// object of plural forms, unknown plural form names and malformed
// placeholders.
func parseCatalog(data []byte) (catalog, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	cat := catalog{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("unexpected %v", tok)
		}
		if !keyPattern.MatchString(key) {
			return nil, fmt.Errorf("key %q is not a dotted identifier", key)
		}
		if _, dup := cat[key]; dup {
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		msg, err := parseValue(dec)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", key, err)
		}
		cat[key] = msg
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the top-level object")
	}
	return cat, nil
}

func parseValue(dec *json.Decoder) (*message, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case string:
		t, err := parseText(v)
		if err != nil {
			return nil, err
		}
		return &message{forms: map[plural.Form]*text{plural.Other: t}}, nil
	case json.Delim:
		if v != '{' {
			return nil, errors.New("value must be a string or an object of plural forms")
		}
	default:
		return nil, errors.New("value must be a string or an object of plural forms")
	}
	msg := &message{plural: true, forms: map[plural.Form]*text{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		form, ok := formNames[name]
		if !ok {
			return nil, fmt.Errorf("unknown plural form %q (want zero, one, two, few, many or other)", name)
		}
		if _, dup := msg.forms[form]; dup {
			return nil, fmt.Errorf("duplicate plural form %q", name)
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, err
		}
		s, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("plural form %q must be a string", name)
		}
		t, err := parseText(s)
		if err != nil {
			return nil, fmt.Errorf("plural form %q: %w", name, err)
		}
		msg.forms[form] = t
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	return msg, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, found %v", want, tok)
	}
	return nil
}

package screening

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// MaxCaseBytes bounds the size of one encoded case. A real case is a few
// hundred bytes; the bound stops a client from making the server buffer
// arbitrary amounts of data.
const MaxCaseBytes = 64 << 10

// Case holds the coded facts of one screening. Field names match the JSON
// input; see docs/SCREENING.md.
type Case struct {
	// Age in years; nil when not established.
	Age *int `json:"age"`
	// MayBeChild records a reason to believe the person is under 18. With an
	// unknown age it triggers the presumption of age.
	MayBeChild bool `json:"may_be_child"`
	// Exploitation is "labour", "sexual" or empty; it chooses the indicator
	// profile when none is named.
	Exploitation string   `json:"exploitation,omitempty"`
	Acts         []string `json:"acts,omitempty"`
	Means        []string `json:"means,omitempty"`
	Purposes     []string `json:"purposes,omitempty"`
	// Unknown lists Protocol elements ("act", "means", "purpose") that could
	// not be established either way, as opposed to established as absent.
	Unknown []string `json:"unknown,omitempty"`
	// Indicators lists present indicators as "dimension.indicator" ids of
	// the profile in use.
	Indicators []string       `json:"indicators,omitempty"`
	Smuggling  SmugglingFacts `json:"smuggling"`
}

// SmugglingFacts are the facts that distinguish smuggling of migrants
// (Smuggling Protocol art. 3(a)) from trafficking.
type SmugglingFacts struct {
	IrregularBorderCrossing bool `json:"irregular_border_crossing"`
	PaidFacilitator         bool `json:"paid_facilitator"`
	ConsentedToMovement     bool `json:"consented_to_movement"`
}

// InputError reports a problem with one field of a case, so that a form can
// show the message beside that field. Field is the JSON field name (empty
// for problems with the document as a whole); Code is the offending value,
// if there is one.
type InputError struct {
	Field string
	Code  string
	Msg   string
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString("screening: ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	if e.Code != "" {
		b.WriteString(strconv.Quote(e.Code))
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// DecodeCase reads one JSON case from r, strictly: unknown fields, trailing
// data, wrong types, unknown codes and out-of-range ages are errors (an
// *InputError), because a silently dropped fact could change the result.
func DecodeCase(r io.Reader) (Case, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCaseBytes+1))
	if err != nil {
		return Case{}, fmt.Errorf("screening: reading case: %w", err)
	}
	if len(data) > MaxCaseBytes {
		return Case{}, &InputError{Msg: fmt.Sprintf("case is larger than %d bytes", MaxCaseBytes)}
	}
	return ParseCase(data)
}

// ParseCase is DecodeCase for a byte slice (without the size limit).
func ParseCase(data []byte) (Case, error) {
	var c Case
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Case{}, &InputError{Msg: "case must be a JSON object"}
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Case{}, jsonInputError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Case{}, &InputError{Msg: "unexpected data after the case object"}
	}
	if err := c.Validate(); err != nil {
		return Case{}, err
	}
	return c, nil
}

// jsonInputError turns decoder errors into InputErrors naming the field
// where encoding/json makes that possible.
func jsonInputError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "case"
		}
		return &InputError{Field: field, Msg: "must be " + jsonTypeName(te.Type.String())}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &InputError{Msg: fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)}
	}
	// encoding/json has no typed error for unknown fields.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if uq, uerr := strconv.Unquote(name); uerr == nil {
			name = uq
		}
		return &InputError{Field: name, Msg: "unknown field"}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &InputError{Msg: "invalid JSON: unexpected end of input"}
	}
	return &InputError{Msg: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
}

func jsonTypeName(goType string) string {
	switch {
	case goType == "int" || goType == "*int":
		return "an integer or null"
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "[]"):
		return "a list of strings"
	default:
		return "an object"
	}
}

// Validate checks ranges and codes. Screen calls it too, so a Case built in
// Go is held to the same rules as one decoded from JSON.
func (c Case) Validate() error {
	if c.Age != nil && (*c.Age < 0 || *c.Age > maxAge) {
		return &InputError{Field: "age", Code: strconv.Itoa(*c.Age), Msg: fmt.Sprintf("age must be between 0 and %d", maxAge)}
	}
	switch c.Exploitation {
	case "", ExploitationLabour, ExploitationSexual:
	default:
		return &InputError{Field: "exploitation", Code: c.Exploitation, Msg: `must be "labour" or "sexual"`}
	}
	lists := []struct {
		field string
		codes []string
		ok    func(string) bool
		what  string
	}{
		{"acts", c.Acts, func(s string) bool { return slices.Contains(actCodes, s) }, "unknown act code"},
		{"means", c.Means, func(s string) bool { return slices.Contains(meansCodes, s) }, "unknown means code"},
		{"purposes", c.Purposes, func(s string) bool { return isProtocolPurpose(s) || isNationalForm(s) }, "unknown purpose code"},
		{"unknown", c.Unknown, func(s string) bool { return slices.Contains(elementNames, s) }, `must be "act", "means" or "purpose"`},
		{"indicators", c.Indicators, validIndicatorSyntax, `must be a "dimension.indicator" id`},
	}
	for _, l := range lists {
		for _, code := range l.codes {
			if !l.ok(code) {
				return &InputError{Field: l.field, Code: code, Msg: l.what}
			}
		}
	}
	return nil
}

// validIndicatorSyntax checks only the shape of an id: whether it exists
// depends on the profile, which Screen checks.
func validIndicatorSyntax(id string) bool {
	dim, ind, ok := strings.Cut(id, ".")
	return ok && dim != "" && ind != "" && len(id) <= maxCodeLen
}

package notify

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// The proof that alerts carry nothing identifying lives with the tests that
// use it: it is an oracle, not a filter — alerts are built from codes and
// references only, so there is nothing to filter at run time.

// Placeholders used to compose a message for CheckNoIdentifiers; their text
// is never itself checked.
const (
	probeFrom = "alerts@probe.invalid"
	probeBase = "https://probe.invalid"
	probeID   = "probe@probe.invalid"
)

// CheckNoIdentifiers reports (ErrIdentifier) whether any forbidden string —
// a person's name, birth date, phone number and the like — appears, ignoring
// case and differences in whitespace, in m's Kind, CaseRef, Path, Subject or
// Body, in the recipient's display name or domain (the recipient's own
// mailbox name, its local part, is allowed), or in the decoded subject,
// coded headers and body of the message Compose builds from m. Blank
// forbidden strings are ignored. The error names the field and the index
// of the forbidden string, never the string.
//
// Tests use it, passing the details of the person an alert is
// about, to prove that nothing identifying leaks. A message Compose refuses
// is reported with Compose's error (ErrInvalid).
func CheckNoIdentifiers(m Message, forbidden []string) error {
	needles := make([]string, len(forbidden))
	have := false
	for i, f := range forbidden {
		needles[i] = fold(f)
		have = have || needles[i] != ""
	}
	if !have {
		return nil
	}
	check := func(where, text string) error {
		t := fold(text)
		for i, n := range needles {
			if n != "" && strings.Contains(t, n) {
				return fmt.Errorf("%w: forbidden string %d found in %s", ErrIdentifier, i, where)
			}
		}
		return nil
	}
	fields := []struct{ where, text string }{
		{"kind", m.Kind},
		{"case reference", m.CaseRef},
		{"path", m.Path},
		{"subject", m.Subject},
		{"body", m.Body},
		{"recipient", recipientWithoutLocalPart(m.To)},
	}
	for _, f := range fields {
		if err := check(f.where, f.text); err != nil {
			return err
		}
	}

	raw, err := Compose(Config{From: probeFrom, BaseURL: probeBase}, m, time.Unix(0, 0), probeID)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("notify: composed message does not parse: %w", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return fmt.Errorf("notify: composed subject does not decode: %w", err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		return fmt.Errorf("notify: composed body does not decode: %w", err)
	}
	composed := []struct{ where, text string }{
		{"composed subject", subject},
		{"composed headers", msg.Header.Get("X-Haven-Alert") + " " + msg.Header.Get("X-Haven-Case")},
		{"composed body", strings.ReplaceAll(string(body), probeBase, " ")},
	}
	for _, f := range composed {
		if err := check(f.where, f.text); err != nil {
			return err
		}
	}
	return nil
}

// fold lower-cases s and collapses runs of white space to one space, so that
// "Kim  Minji" and "kim\nminji" match "Kim Minji".
func fold(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// recipientWithoutLocalPart returns the display name and domain of to, or all
// of to when it does not parse.
func recipientWithoutLocalPart(to string) string {
	a, err := mail.ParseAddress(to)
	if err != nil {
		return to
	}
	at := strings.LastIndexByte(a.Address, '@')
	return a.Name + " " + a.Address[at+1:]
}

package notify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Config is the mail transport and link settings.
type Config struct {
	// Addr is the SMTP relay as host:port; empty disables e-mail.
	Addr string
	// From is the sender, e.g. "Haven <alerts@haven.example.org>". Its
	// address is also the envelope sender, and its domain names the
	// Message-IDs.
	From string
	// Username and Password, when Username is set, authenticate with AUTH
	// PLAIN, which is only ever sent over TLS or to a loopback relay.
	Username, Password string
	// StartTLS requires the relay to offer STARTTLS; without it, STARTTLS is
	// still used whenever it is offered.
	StartTLS bool
	// BaseURL is the address users reach Haven at, e.g.
	// https://haven.example.org; links are BaseURL + Message.Path.
	BaseURL string
	// Timeout bounds the dial and each SMTP exchange; zero means
	// DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout is used when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Message is one alert to one recipient. Apart from To, every field is either
// a code or text the caller wrote from codes alone: see the package comment.
type Message struct {
	// To is the recipient's bare address (no display name).
	To string
	// Kind is the alert code: lower-case letters, digits and '_', such as
	// "referral_new", "rg_deadline_near", "transfer_offered",
	// "task_assigned" or "task_overdue".
	Kind string
	// CaseRef is the coded case reference, e.g. "NP-1A2B3C4D"; optional.
	CaseRef string
	// Path is the link target inside Haven, e.g. "/cases/<id>": it starts
	// with "/" and carries ids only — no "//", query string or fragment.
	Path string
	// Subject and Body are already-translated text supplied by the caller.
	Subject, Body string
}

var (
	// ErrInvalid reports a message or configuration that Compose refuses.
	// The wrapped text names the field and the fault, never its content.
	ErrInvalid = errors.New("notify: invalid message")
	// ErrIdentifier reports that CheckNoIdentifiers found a forbidden string.
	ErrIdentifier = errors.New("notify: identifying text in alert")
	// ErrNoTLS reports that STARTTLS was required but the relay does not
	// offer it; nothing was sent.
	ErrNoTLS = errors.New("notify: relay does not offer STARTTLS")
)

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
}

// Limits keep alerts short and every header line far below RFC 5322's 998.
const (
	maxSubjectRunes = 200
	maxBodyBytes    = 64 << 10
	maxPathBytes    = 512
	maxCodeBytes    = 64
)

// Compose builds the RFC 5322 message for m: From, To, Subject (an RFC 2047
// encoded-word when not plain ASCII), Date (now, in UTC), Message-ID (msgID,
// with or without angle brackets), MIME-Version, a quoted-printable
// text/plain UTF-8 body, Auto-Submitted and the coded X-Haven-Alert and
// X-Haven-Case headers. The body is m.Body, a blank line and the link
// cfg.BaseURL + m.Path. Lines end in CRLF.
//
// Compose refuses (ErrInvalid) line breaks in From, To or Subject, a To that
// is not a single bare ASCII address, a Path that does not start with "/" or
// holds "//", "?", "#", a dot segment or any character other than letters,
// digits, '/', '-', '_', '.' and '~', and malformed codes. Errors never
// repeat the address, subject or body.
func Compose(cfg Config, m Message, now time.Time, msgID string) ([]byte, error) {
	from, err := parseAddress("sender", cfg.From, true)
	if err != nil {
		return nil, err
	}
	to, err := parseAddress("recipient", m.To, false)
	if err != nil {
		return nil, err
	}
	if err := checkSubject(m.Subject); err != nil {
		return nil, err
	}
	if err := checkCode("kind", m.Kind, true, isKindByte); err != nil {
		return nil, err
	}
	if err := checkCode("case reference", m.CaseRef, false, isRefByte); err != nil {
		return nil, err
	}
	link, err := makeLink(cfg.BaseURL, m.Path)
	if err != nil {
		return nil, err
	}
	id, err := checkMessageID(msgID)
	if err != nil {
		return nil, err
	}
	if len(m.Body) > maxBodyBytes {
		return nil, invalid("body is longer than %d bytes", maxBodyBytes)
	}
	if !utf8.ValidString(m.Body) {
		return nil, invalid("body is not valid UTF-8")
	}

	var b bytes.Buffer
	header := func(name, value string) {
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
		b.WriteString("\r\n")
	}
	header("From", from.String())
	header("To", to.Address)
	header("Subject", encodeSubject(m.Subject))
	header("Date", now.UTC().Format(time.RFC1123Z))
	header("Message-ID", id)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	// RFC 3834: no vacation or out-of-office replies to alerts.
	header("Auto-Submitted", "auto-generated")
	header("X-Haven-Alert", m.Kind)
	if m.CaseRef != "" {
		header("X-Haven-Case", m.CaseRef)
	}
	b.WriteString("\r\n")

	text := strings.TrimRight(m.Body, "\r\n")
	if text != "" {
		text += "\n\n"
	}
	text += link + "\n"
	qp := quotedprintable.NewWriter(&b)
	if _, err := io.WriteString(qp, text); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes(), nil
}

// parseAddress checks a From or To value. Only the sender may carry a
// display name (Haven's own); recipients are bare addresses, because a
// display name is a name. Addresses are plain ASCII with no quoting, so the
// same string is safe in the header and in the SMTP envelope.
func parseAddress(field, s string, nameAllowed bool) (*mail.Address, error) {
	if s == "" {
		return nil, invalid("%s is empty", field)
	}
	if strings.ContainsAny(s, "\r\n") {
		return nil, invalid("%s contains a line break", field)
	}
	// mail.ParseAddress errors can quote their input: never pass them on.
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, invalid("%s is not a single e-mail address", field)
	}
	if a.Name != "" && !nameAllowed {
		return nil, invalid("%s must be a bare address without a display name", field)
	}
	if !plainAddress(a.Address) {
		return nil, invalid("%s must be a plain ASCII address", field)
	}
	return a, nil
}

func plainAddress(addr string) bool {
	at := strings.IndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 || strings.Count(addr, "@") != 1 || len(addr) > 254 {
		return false
	}
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),:;<>[\]`, c) >= 0 {
			return false
		}
	}
	return true
}

func checkSubject(s string) error {
	if strings.ContainsAny(s, "\r\n") {
		return invalid("subject contains a line break")
	}
	if strings.TrimSpace(s) == "" {
		return invalid("subject is empty")
	}
	if !utf8.ValidString(s) {
		return invalid("subject is not valid UTF-8")
	}
	if utf8.RuneCountInString(s) > maxSubjectRunes {
		return invalid("subject is longer than %d characters", maxSubjectRunes)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return invalid("subject contains a control character")
		}
	}
	return nil
}

// encodeSubject Q-encodes a subject that is not plain ASCII, folding between
// encoded-words so that long translated subjects keep short header lines.
// Whitespace between adjacent encoded-words is not part of the text.
func encodeSubject(s string) string {
	enc := mime.QEncoding.Encode("utf-8", s)
	if enc == s {
		return s
	}
	// Q-encoding writes '?' as =3F and ' ' as '_', so "?= =?" only ever
	// occurs between encoded-words.
	return strings.ReplaceAll(enc, "?= =?", "?=\r\n =?")
}

func isKindByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' }

func isRefByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
}

func checkCode(field, s string, required bool, ok func(byte) bool) error {
	if s == "" {
		if required {
			return invalid("%s is empty", field)
		}
		return nil
	}
	if len(s) > maxCodeBytes {
		return invalid("%s is longer than %d bytes", field, maxCodeBytes)
	}
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return invalid("%s is not a code", field)
		}
	}
	return nil
}

// baseURL checks cfg.BaseURL and returns it without a trailing slash.
func baseURL(s string) (*url.URL, string, error) {
	if s == "" {
		return nil, "", invalid("BaseURL is not set")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.User != nil || u.Opaque != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" ||
		strings.ContainsAny(s, " \t\r\n#?") {
		return nil, "", invalid("BaseURL must be an absolute http(s) URL without credentials, query or fragment")
	}
	return u, strings.TrimRight(s, "/"), nil
}

func isPathByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '/' || c == '-' || c == '_' || c == '.' || c == '~'
}

func checkPath(p string) error {
	switch {
	case !strings.HasPrefix(p, "/"):
		return invalid("path must start with /")
	case strings.Contains(p, "//"):
		return invalid("path must not contain //")
	case strings.ContainsAny(p, "?#"):
		return invalid("path must not carry a query string or fragment")
	case len(p) > maxPathBytes:
		return invalid("path is longer than %d bytes", maxPathBytes)
	}
	for i := 0; i < len(p); i++ {
		if !isPathByte(p[i]) {
			return invalid("path may hold only letters, digits and / - _ . ~")
		}
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return invalid("path must not contain dot segments")
		}
	}
	return nil
}

func makeLink(base, path string) (string, error) {
	_, b, err := baseURL(base)
	if err != nil {
		return "", err
	}
	if err := checkPath(path); err != nil {
		return "", err
	}
	return b + path, nil
}

// checkMessageID accepts "left@right" or "<left@right>" and returns the
// bracketed form.
func checkMessageID(id string) (string, error) {
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if !plainAddress(id) || strings.ContainsAny(id, "\\") {
		return "", invalid("message id must look like <unique@domain>")
	}
	return "<" + id + ">", nil
}

package notify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/notify/smtptest"
)

const (
	testBase = "https://haven.example.org"
	testFrom = "Haven <alerts@haven.example.org>"
)

func testConfig(addr string) Config {
	return Config{Addr: addr, From: testFrom, BaseURL: testBase, Timeout: 5 * time.Second}
}

func koreanReferral() Message {
	return Message{
		To:      "caseworker@ngo.example",
		Kind:    "referral_new",
		CaseRef: "NP-1A2B3C4D",
		Path:    "/cases/0c6e2f4a-8d1b-4e52-9a7f-3b2c1d0e9f88",
		Subject: "새 의뢰",
		// A line starting with "." exercises dot-stuffing; the long line
		// exercises quoted-printable soft line breaks.
		Body: "새 의뢰가 접수되었습니다: NP-1A2B3C4D.\n.\n" + strings.Repeat("확인하십시오 ", 20),
	}
}

func englishTask() Message {
	return Message{
		To:      "coordinator@ngo.example",
		Kind:    "task_overdue",
		CaseRef: "NP-9F8E7D6C",
		Path:    "/cases/7f1d/tasks/42",
		Subject: "Task overdue",
		Body:    "A task on case NP-9F8E7D6C is overdue.",
	}
}

// parse reads a raw message and returns its header and decoded body.
func parse(t *testing.T, raw []byte) (mail.Header, string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v", err)
	}
	if got := msg.Header.Get("Content-Transfer-Encoding"); got != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding = %q", got)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("body is not quoted-printable: %v", err)
	}
	return msg.Header, string(body)
}

func decodeSubject(t *testing.T, h mail.Header) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Fatalf("subject does not decode: %v", err)
	}
	return s
}

func checkLines(t *testing.T, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Error("message does not end in CRLF")
	}
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatal("no blank line after the header")
	}
	for _, l := range strings.Split(string(head), "\r\n") {
		if len(l) > 998 || strings.ContainsAny(l, "\r\n") {
			t.Errorf("bad header line %q", l)
		}
	}
	for _, l := range strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n") {
		if len(l) > 76 {
			t.Errorf("quoted-printable line longer than 76: %q", l)
		}
		for _, c := range []byte(l) {
			if c >= 0x80 || c == '\n' || c == '\r' {
				t.Errorf("body line not 7-bit clean: %q", l)
				break
			}
		}
	}
}

func TestSendBatch(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	m := NewMailer(testConfig(srv.Addr()))
	if !m.Enabled() {
		t.Fatal("Enabled() = false with Addr set")
	}
	batch := []Message{koreanReferral(), englishTask()}
	before := time.Now().Add(-time.Second)
	if err := m.Send(context.Background(), batch...); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Messages()
	if len(got) != 2 {
		t.Fatalf("server received %d messages, want 2", len(got))
	}
	if dials, _ := srv.Counts(); dials != 1 {
		t.Errorf("batch used %d connections, want 1", dials)
	}
	ids := map[string]bool{}
	for i, want := range batch {
		r := got[i]
		if r.From != "alerts@haven.example.org" || len(r.To) != 1 || r.To[0] != want.To {
			t.Errorf("message %d envelope = %q -> %q", i, r.From, r.To)
		}
		if r.BareLF {
			t.Errorf("message %d has a bare LF", i)
		}
		checkLines(t, r.Data)
		h, body := parse(t, r.Data)
		if from, err := mail.ParseAddress(h.Get("From")); err != nil || from.Address != "alerts@haven.example.org" || from.Name != "Haven" {
			t.Errorf("message %d From = %q", i, h.Get("From"))
		}
		if got := h.Get("To"); got != want.To {
			t.Errorf("message %d To = %q, want %q", i, got, want.To)
		}
		if got := decodeSubject(t, h); got != want.Subject {
			t.Errorf("message %d Subject = %q, want %q", i, got, want.Subject)
		}
		if d, err := h.Date(); err != nil || d.Before(before) || d.After(time.Now().Add(time.Second)) {
			t.Errorf("message %d Date = %q (%v)", i, h.Get("Date"), err)
		}
		id := h.Get("Message-ID")
		if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@haven.example.org>") || ids[id] {
			t.Errorf("message %d Message-ID = %q", i, id)
		}
		ids[id] = true
		if strings.Contains(id, want.CaseRef) || strings.Contains(id, want.Kind) {
			t.Errorf("message %d Message-ID %q carries case data", i, id)
		}
		if got := h.Get("MIME-Version"); got != "1.0" {
			t.Errorf("message %d MIME-Version = %q", i, got)
		}
		mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
		if err != nil || mt != "text/plain" || params["charset"] != "utf-8" {
			t.Errorf("message %d Content-Type = %q", i, h.Get("Content-Type"))
		}
		if h.Get("X-Haven-Alert") != want.Kind || h.Get("X-Haven-Case") != want.CaseRef {
			t.Errorf("message %d coded headers = %q %q", i, h.Get("X-Haven-Alert"), h.Get("X-Haven-Case"))
		}
		link := testBase + want.Path
		wantBody := strings.ReplaceAll(want.Body, "\n", "\r\n") + "\r\n\r\n" + link + "\r\n"
		if body != wantBody {
			t.Errorf("message %d body =\n%q\nwant\n%q", i, body, wantBody)
		}
	}
	// The raw Korean subject must be an encoded-word, not 8-bit header text.
	if bytes.Contains(got[0].Data, []byte("새")) {
		t.Error("raw message carries unencoded UTF-8")
	}
}

func TestSendRcptRejected(t *testing.T) {
	const bad = "departed.worker@ngo.example"
	srv := smtptest.Start(t, smtptest.Options{RejectRcpt: func(a string) bool { return a == bad }})
	m := NewMailer(testConfig(srv.Addr()))
	rejected := englishTask()
	rejected.To = bad
	err := m.Send(context.Background(), koreanReferral(), rejected, englishTask())
	if err == nil {
		t.Fatal("Send succeeded although the relay refused a recipient")
	}
	msg := err.Error()
	if !strings.Contains(msg, "message 1") {
		t.Errorf("error %q does not name message 1", msg)
	}
	if strings.Contains(msg, "departed") || strings.Contains(msg, "ngo.example") {
		t.Errorf("error %q repeats the address", msg)
	}
	var se *SendError
	if !errors.As(err, &se) || se.Index != 1 || se.Stage != "RCPT" || se.Code != 550 || se.Aborted {
		t.Errorf("error = %#v, want RCPT refusal of message 1", se)
	}
	got := srv.Messages()
	if len(got) != 2 || got[0].To[0] != "caseworker@ngo.example" || got[1].To[0] != "coordinator@ngo.example" {
		t.Errorf("delivered %d messages; the others in the batch should still go", len(got))
	}
}

func TestSendConnectionLostAbortsBatch(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{DropAfter: 1})
	err := NewMailer(testConfig(srv.Addr())).Send(context.Background(), englishTask(), koreanReferral(), englishTask())
	var se *SendError
	if !errors.As(err, &se) || se.Index != 1 || !se.Aborted || se.Code != 0 {
		t.Fatalf("Send = %v, want the batch aborted at message 1", err)
	}
	if !strings.Contains(err.Error(), "messages 1-2 not sent") {
		t.Errorf("error %q does not say which messages were not sent", err)
	}
	if got := srv.Messages(); len(got) != 1 {
		t.Errorf("relay received %d messages, want 1", len(got))
	}
}

func TestSendNotListening(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := testConfig(addr)
	cfg.Timeout = 500 * time.Millisecond
	start := time.Now()
	err = NewMailer(cfg).Send(context.Background(), englishTask())
	if err == nil {
		t.Fatal("Send to a closed port succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send took %v, timeout is %v", d, cfg.Timeout)
	}
}

func TestSendSilentServerTimesOut(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Silent: true})
	cfg := testConfig(srv.Addr())
	cfg.Timeout = 300 * time.Millisecond
	start := time.Now()
	err := NewMailer(cfg).Send(context.Background(), englishTask())
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Send to a silent relay = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Send took %v, timeout is %v", d, cfg.Timeout)
	}
}

func TestSendContextCancelled(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Silent: true})
	cfg := testConfig(srv.Addr())
	cfg.Timeout = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := NewMailer(cfg).Send(ctx, englishTask())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %v after its context ended", d)
	}
}

func TestStartTLSRequiredButNotOffered(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	cfg := testConfig(srv.Addr())
	cfg.StartTLS = true
	err := NewMailer(cfg).Send(context.Background(), koreanReferral(), englishTask())
	if !errors.Is(err, ErrNoTLS) {
		t.Fatalf("Send = %v, want ErrNoTLS", err)
	}
	if _, mails := srv.Counts(); mails != 0 || len(srv.Messages()) != 0 {
		t.Errorf("relay saw %d MAIL commands and %d messages; want none", mails, len(srv.Messages()))
	}
}

func TestStartTLSThenAuth(t *testing.T) {
	serverTLS, pool := smtptest.SelfSignedTLS(t)
	srv := smtptest.Start(t, smtptest.Options{TLS: serverTLS, User: "haven", Pass: "s3cret"})
	cfg := testConfig(srv.Addr())
	cfg.StartTLS = true
	cfg.Username, cfg.Password = "haven", "s3cret"
	m := NewMailer(cfg)
	m.rootCAs = pool
	if err := m.Send(context.Background(), koreanReferral()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Messages()
	if len(got) != 1 || !got[0].TLS || !got[0].Authed {
		t.Fatalf("received %+v, want one message over TLS after AUTH", got)
	}

	// An untrusted certificate stops everything before credentials go out.
	m.rootCAs = nil
	if err := m.Send(context.Background(), koreanReferral()); err == nil {
		t.Error("Send trusted an unknown certificate")
	}
	if len(srv.Messages()) != 1 {
		t.Error("a message was sent over an unverified connection")
	}
}

func TestAuthPlainLoopbackWithoutTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{User: "haven", Pass: "s3cret"})
	cfg := testConfig(srv.Addr())
	cfg.Username, cfg.Password = "haven", "s3cret"
	if err := NewMailer(cfg).Send(context.Background(), englishTask()); err != nil {
		t.Fatalf("Send to a loopback relay: %v", err)
	}
	if got := srv.Messages(); len(got) != 1 || !got[0].Authed || got[0].TLS {
		t.Fatalf("received %+v, want one authenticated plaintext message", got)
	}

	cfg.Password = "wrong-password"
	err := NewMailer(cfg).Send(context.Background(), englishTask())
	if err == nil {
		t.Fatal("Send with a wrong password succeeded")
	}
	if strings.Contains(err.Error(), "wrong-password") {
		t.Errorf("error %q repeats the password", err)
	}
	if len(srv.Messages()) != 1 {
		t.Error("a message was sent after AUTH failed")
	}
}

func TestComposeDeterministic(t *testing.T) {
	now := time.Date(2026, 3, 9, 14, 30, 0, 0, time.FixedZone("KST", 9*3600))
	m := koreanReferral()
	m.Subject = strings.Repeat("기한이 임박한 의뢰 ", 15) // long: folded encoded-words
	raw, err := Compose(testConfig(""), m, now, "abc123@haven.example.org")
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw)
	h, body := parse(t, raw)
	if got := h.Get("Date"); got != "Mon, 09 Mar 2026 05:30:00 +0000" {
		t.Errorf("Date = %q", got)
	}
	if got := h.Get("Message-ID"); got != "<abc123@haven.example.org>" {
		t.Errorf("Message-ID = %q", got)
	}
	if got := decodeSubject(t, h); got != m.Subject {
		t.Errorf("long subject = %q, want %q", got, m.Subject)
	}
	if !strings.HasSuffix(body, "\r\n\r\n"+testBase+m.Path+"\r\n") {
		t.Errorf("body does not end with the link: %q", body)
	}
	again, err := Compose(testConfig(""), m, now, "<abc123@haven.example.org>")
	if err != nil || !bytes.Equal(raw, again) {
		t.Errorf("Compose is not deterministic (%v)", err)
	}

	// A trailing slash on BaseURL and an empty body still give one clean link.
	cfg := testConfig("")
	cfg.BaseURL = testBase + "/"
	m = englishTask()
	m.Body = ""
	raw, err = Compose(cfg, m, now, "x@y.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, body := parse(t, raw); body != testBase+m.Path+"\r\n" {
		t.Errorf("body = %q", body)
	}
}

func TestComposeRefusesHeaderInjection(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name   string
		mutate func(*Config, *Message)
		secret string // text that must not appear in the error
	}{
		{"To CRLF", func(_ *Config, m *Message) { m.To = "victim@example.org\r\nBcc: spy@evil.example" }, "victim"},
		{"To LF", func(_ *Config, m *Message) { m.To = "victim@example.org\nBcc: spy@evil.example" }, "victim"},
		{"Subject CRLF", func(_ *Config, m *Message) { m.Subject = "Alert\r\nBcc: spy@evil.example" }, "spy"},
		{"Subject CR", func(_ *Config, m *Message) { m.Subject = "Alert\rX-Injected: 1" }, "Injected"},
		{"From LF", func(c *Config, _ *Message) { c.From = "alerts@haven.example.org\nBcc: spy@evil.example" }, "spy"},
		{"To not an address", func(_ *Config, m *Message) { m.To = "Jane Doe, 12 Hidden Lane" }, "Hidden"},
		{"To two addresses", func(_ *Config, m *Message) { m.To = "a@ngo.example, victim@example.org" }, "victim"},
		{"To display name", func(_ *Config, m *Message) { m.To = "Jane Victim <jane@example.org>" }, "Victim"},
		{"To empty", func(_ *Config, m *Message) { m.To = "" }, "@"},
		{"Subject control", func(_ *Config, m *Message) { m.Subject = "Alert\x00" }, "Alert"},
		{"Subject empty", func(_ *Config, m *Message) { m.Subject = " " }, "@"},
		{"Kind not a code", func(_ *Config, m *Message) { m.Kind = "Referral New\r\nX: y" }, "Referral"},
		{"CaseRef not a code", func(_ *Config, m *Message) { m.CaseRef = "Jane Doe" }, "Jane"},
		{"BaseURL with query", func(c *Config, _ *Message) { c.BaseURL = testBase + "/?who=jane" }, "jane"},
		{"no BaseURL", func(c *Config, _ *Message) { c.BaseURL = "" }, "@"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, m := testConfig(""), englishTask()
			tc.mutate(&cfg, &m)
			raw, err := Compose(cfg, m, now, "id@haven.example.org")
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Compose = %q, %v; want ErrInvalid", raw, err)
			}
			if strings.Contains(err.Error(), tc.secret) {
				t.Errorf("error %q repeats the input", err)
			}
		})
	}
}

func TestComposeRefusesBadPath(t *testing.T) {
	bad := []string{
		"",
		"cases/1",
		"https://evil.example/cases/1",
		"//evil.example/cases/1",
		"/cases//1",
		"/cases/1?name=Jane",
		"/cases/1?",
		"/cases/1#notes",
		"/cases/../admin",
		"/cases/./1",
		"/cases/1 2",
		"/cases/%2F",
		"/cases/\\evil",
		"/cases/1\r\nBcc: spy@evil.example",
		"/cases/김",
		"/" + strings.Repeat("a", 600),
	}
	for _, p := range bad {
		m := englishTask()
		m.Path = p
		if _, err := Compose(testConfig(""), m, time.Now(), "id@haven.example.org"); !errors.Is(err, ErrInvalid) {
			t.Errorf("Compose accepted path %q (err %v)", p, err)
		}
	}
	for _, p := range []string{"/", "/cases/0c6e2f4a-8d1b-4e52-9a7f-3b2c1d0e9f88", "/tasks/42", "/cases/NP-1A2B3C4D/transfer", "/a_b.c~d"} {
		m := englishTask()
		m.Path = p
		if _, err := Compose(testConfig(""), m, time.Now(), "id@haven.example.org"); err != nil {
			t.Errorf("Compose refused path %q: %v", p, err)
		}
	}
}

func TestCheckNoIdentifiers(t *testing.T) {
	person := []string{"Kim Minji", "김민지", "1994-07-21", "+82 10 5555 0199", ""}
	clean := koreanReferral()
	if err := CheckNoIdentifiers(clean, person); err != nil {
		t.Fatalf("clean message flagged: %v", err)
	}
	if err := CheckNoIdentifiers(clean, nil); err != nil {
		t.Fatalf("no forbidden strings: %v", err)
	}

	// The recipient's own mailbox name may coincide with a forbidden string.
	staff := clean
	staff.To = "kim.minji@ngo.example"
	if err := CheckNoIdentifiers(staff, []string{"kim.minji"}); err != nil {
		t.Errorf("recipient local part flagged: %v", err)
	}

	planted := []struct {
		name   string
		mutate func(*Message)
	}{
		{"body", func(m *Message) { m.Body += "\nVictim: Kim Minji" }},
		{"body other case and spacing", func(m *Message) { m.Body = "KIM\n   minji was referred" }},
		{"body Korean", func(m *Message) { m.Body = "김민지 님의 새 의뢰" }},
		{"subject", func(m *Message) { m.Subject = "새 의뢰: 김민지" }},
		{"subject birth date", func(m *Message) { m.Subject = "Referral 1994-07-21" }},
		{"path", func(m *Message) { m.Path = "/cases/1994-07-21" }},
		{"case reference", func(m *Message) { m.CaseRef = "1994-07-21" }},
		{"recipient display name", func(m *Message) { m.To = "Kim Minji <caseworker@ngo.example>" }},
		{"recipient domain", func(m *Message) { m.To = "x@kim.minji.example"; m.Subject = "s" }},
	}
	forbidden := append(person, "kim.minji")
	for _, tc := range planted {
		t.Run(tc.name, func(t *testing.T) {
			m := clean
			tc.mutate(&m)
			err := CheckNoIdentifiers(m, forbidden)
			if !errors.Is(err, ErrIdentifier) {
				t.Fatalf("CheckNoIdentifiers = %v, want ErrIdentifier", err)
			}
			for _, f := range forbidden {
				if f != "" && strings.Contains(strings.ToLower(err.Error()), strings.ToLower(f)) {
					t.Errorf("error %q repeats the forbidden string", err)
				}
			}
		})
	}

	// A message Compose refuses cannot be checked, and says so.
	broken := clean
	broken.Path = "/cases/1?x=y"
	if err := CheckNoIdentifiers(broken, person); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid message: %v, want ErrInvalid", err)
	}
}

func TestDisabled(t *testing.T) {
	m := NewMailer(Config{From: testFrom, BaseURL: testBase})
	if m.Enabled() {
		t.Fatal("Enabled() = true with no Addr")
	}
	invalid := englishTask()
	invalid.To = "not an address"
	if err := m.Send(context.Background(), koreanReferral(), invalid); err != nil {
		t.Errorf("disabled Send = %v, want nil", err)
	}
	var nilMailer *Mailer
	if nilMailer.Enabled() || nilMailer.Send(context.Background(), englishTask()) != nil {
		t.Error("nil Mailer should be disabled")
	}
}

func TestSendComposeFailureSendsNothing(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	bad := englishTask()
	bad.Subject = "x\r\nBcc: spy@evil.example"
	err := NewMailer(testConfig(srv.Addr())).Send(context.Background(), koreanReferral(), bad)
	var se *SendError
	if !errors.As(err, &se) || se.Index != 1 || se.Stage != "compose" || !errors.Is(err, ErrInvalid) {
		t.Fatalf("Send = %v, want compose error for message 1", err)
	}
	if strings.Contains(err.Error(), "spy") {
		t.Errorf("error %q repeats the subject", err)
	}
	if dials, _ := srv.Counts(); dials != 0 {
		t.Errorf("relay was contacted %d times; a refused batch sends nothing", dials)
	}
}

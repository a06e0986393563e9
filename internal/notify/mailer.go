package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// Mailer sends alerts through an SMTP relay. It holds no connection between
// calls and is safe for concurrent use.
type Mailer struct {
	cfg Config
	// rootCAs verifies the relay's certificate; nil means the system pool.
	// Only tests set it.
	rootCAs *x509.CertPool
}

// NewMailer returns a Mailer for cfg. Settings are checked when Send runs.
func NewMailer(cfg Config) *Mailer {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Mailer{cfg: cfg}
}

// Enabled reports whether e-mail is configured (Config.Addr is set).
func (m *Mailer) Enabled() bool { return m != nil && m.cfg.Addr != "" }

// SendError reports one message of a batch that was not sent. Its text names
// the message by its index in the batch and the SMTP stage, with the relay's
// reply code but never the relay's reply text, which may repeat the address.
type SendError struct {
	// Index is the message's position in the batch given to Send.
	Index int
	// Stage is "compose", "MAIL", "RCPT", "DATA" or "RSET".
	Stage string
	// Code is the relay's SMTP reply code when the relay refused the
	// message; 0 for other failures.
	Code int
	// Aborted reports that the batch stopped here: this message and every
	// later one were not sent.
	Aborted bool

	total int
	err   error
}

func (e *SendError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "notify: message %d: %s", e.Index, e.Stage)
	switch {
	case e.Code != 0:
		fmt.Fprintf(&b, " refused by relay (%d)", e.Code)
	case e.err != nil:
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.err.Error(), "notify: "))
	}
	if e.Aborted {
		switch {
		case e.Stage == "compose":
			b.WriteString(" (nothing sent)")
		case e.total-1 > e.Index:
			fmt.Fprintf(&b, " (batch aborted: messages %d-%d not sent)", e.Index, e.total-1)
		default:
			b.WriteString(" (not sent)")
		}
	}
	return b.String()
}

// Unwrap returns the underlying cause: a Compose error, a network or TLS
// error, or the context's error. Relay refusals have none.
func (e *SendError) Unwrap() error { return e.err }

// Send delivers msgs over one SMTP connection: dial (bounded by Timeout and
// ctx), EHLO, STARTTLS when offered (required when Config.StartTLS), AUTH
// PLAIN when Config.Username is set, then MAIL, RCPT and DATA for each
// message, and QUIT. When e-mail is disabled Send does nothing and returns
// nil.
//
// Every message is composed before dialling; if one is refused, nothing is
// sent. When the relay refuses a message, Send resets the transaction and
// goes on with the next one; when the connection fails, the batch stops.
// The error is then a *SendError, or several joined with errors.Join, one
// per message not sent; failures before the first message name no index.
func (m *Mailer) Send(ctx context.Context, msgs ...Message) error {
	if !m.Enabled() || len(msgs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("notify: nothing sent: %w", err)
	}
	cfg := m.cfg
	from, err := parseAddress("sender", cfg.From, true)
	if err != nil {
		return err
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	base, _, err := baseURL(cfg.BaseURL)
	if err != nil {
		return err
	}
	now := time.Now()
	raws := make([][]byte, len(msgs))
	rcpts := make([]string, len(msgs))
	for i, msg := range msgs {
		// The Message-ID is random: it must say nothing about the case.
		raws[i], err = Compose(cfg, msg, now, rand.Text()+"@"+domain)
		if err != nil {
			return &SendError{Index: i, Stage: "compose", Aborted: true, total: len(msgs), err: err}
		}
		to, _ := parseAddress("recipient", msg.To, false) // Compose accepted it
		rcpts[i] = to.Address
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" {
		return errors.New("notify: nothing sent: relay address must be host:port")
	}

	d := net.Dialer{Timeout: cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("notify: nothing sent: connect: %w", ctxOr(ctx, err))
	}
	defer conn.Close()

	// Each exchange gets cfg.Timeout; cancelling ctx interrupts whatever is
	// blocked by moving the deadline into the past.
	var mu sync.Mutex
	cancelled := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		cancelled = true
		conn.SetDeadline(time.Unix(1, 0))
	})
	defer stop()
	refresh := func() {
		mu.Lock()
		defer mu.Unlock()
		if !cancelled {
			conn.SetDeadline(time.Now().Add(cfg.Timeout))
		}
	}
	fail := func(stage string, err error) error {
		return fmt.Errorf("notify: nothing sent: %s: %w", stage, ctxOr(ctx, sanitize(err)))
	}

	refresh()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fail("greeting", err)
	}
	defer c.Close()
	helo := base.Hostname()
	if helo == "" {
		helo = "localhost"
	}
	if err := c.Hello(helo); err != nil {
		return fail("EHLO", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		refresh()
		tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, RootCAs: m.rootCAs}
		if err := c.StartTLS(tc); err != nil {
			return fail("STARTTLS", err)
		}
	} else if cfg.StartTLS {
		c.Quit()
		return fmt.Errorf("%w (nothing sent)", ErrNoTLS)
	}
	if cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			c.Quit()
			return errors.New("notify: nothing sent: credentials are set but the relay does not offer AUTH")
		}
		refresh()
		// PlainAuth refuses to send the password unless the connection is
		// TLS or the relay is localhost, 127.0.0.1 or ::1.
		if err := c.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, host)); err != nil {
			return fail("AUTH", err)
		}
	}

	var errs []error
	for i, raw := range raws {
		refresh()
		stage, err := deliver(c, from.Address, rcpts[i], raw)
		if err == nil {
			continue
		}
		var refused *textproto.Error
		if !errors.As(err, &refused) {
			errs = append(errs, &SendError{Index: i, Stage: stage, Aborted: true, total: len(raws), err: ctxOr(ctx, sanitize(err))})
			return errors.Join(errs...)
		}
		errs = append(errs, &SendError{Index: i, Stage: stage, Code: refused.Code, total: len(raws)})
		if i+1 < len(raws) {
			refresh()
			if err := c.Reset(); err != nil {
				errs = append(errs, &SendError{Index: i + 1, Stage: "RSET", Aborted: true, total: len(raws), err: ctxOr(ctx, sanitize(err))})
				return errors.Join(errs...)
			}
		}
	}
	refresh()
	// Every message the relay accepted is its responsibility now; a failed
	// QUIT changes nothing.
	c.Quit()
	return errors.Join(errs...)
}

// deliver runs one SMTP transaction and reports the stage that failed.
func deliver(c *smtp.Client, from, to string, raw []byte) (string, error) {
	if err := c.Mail(from); err != nil {
		return "MAIL", err
	}
	if err := c.Rcpt(to); err != nil {
		return "RCPT", err
	}
	w, err := c.Data()
	if err != nil {
		return "DATA", err
	}
	if _, err := w.Write(raw); err != nil {
		w.Close()
		return "DATA", err
	}
	if err := w.Close(); err != nil {
		return "DATA", err
	}
	return "", nil
}

// sanitize drops the relay's reply text, which may repeat an address, and
// keeps the reply code.
func sanitize(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		return fmt.Errorf("relay replied %d", te.Code)
	}
	var pe textproto.ProtocolError
	if errors.As(err, &pe) {
		return errors.New("malformed relay reply")
	}
	return err
}

// ctxOr returns ctx's error when ctx is done — the deadline it moved is then
// the real cause — and err otherwise.
func ctxOr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

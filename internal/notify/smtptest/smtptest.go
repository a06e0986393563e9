// Package smtptest runs a local SMTP server for tests: a small relay on
// 127.0.0.1 that records the messages it accepts and can be made to offer
// STARTTLS, require AUTH PLAIN, refuse recipients, stay silent or hang up
// mid-batch. It is never used in production code; only _test.go files
// import it.
package smtptest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options shape the behaviour of a Server. The zero value is a plain relay
// that accepts every message.
type Options struct {
	// TLS, when set, makes the server offer STARTTLS.
	TLS *tls.Config
	// User and Pass, when User is set, make the server offer AUTH PLAIN,
	// accept only these credentials and refuse MAIL before AUTH.
	User, Pass string
	// RejectRcpt, when it returns true, refuses RCPT with 550 — and a reply
	// text that repeats the address, as real relays do. It is called from
	// the server's connection goroutines, so it must be safe for concurrent
	// use.
	RejectRcpt func(addr string) bool
	// Silent accepts connections and never says a word.
	Silent bool
	// DropAfter, when positive, hangs up after accepting that many messages
	// on a connection.
	DropAfter int
}

// Received is one message as the server got it.
type Received struct {
	From   string
	To     []string
	Data   []byte // raw DATA, dot-unstuffed, CRLF line ends kept
	TLS    bool
	Authed bool
	BareLF bool // a line of DATA ended in LF without CR
}

// Server is a small SMTP server on 127.0.0.1 that records what it gets.
// Its methods are safe for concurrent use.
type Server struct {
	ln   net.Listener
	opts Options
	done chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	msgs    []Received
	arrived chan struct{} // closed and replaced whenever a message arrives
	mails   int           // MAIL commands seen
	dials   int           // connections accepted
	closed  bool
}

// Start starts a Server on a free port of 127.0.0.1. The server closes
// itself, and every connection it holds, when t and its subtests finish.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{
		ln:      ln,
		opts:    opts,
		done:    make(chan struct{}),
		conns:   map[net.Conn]struct{}{},
		arrived: make(chan struct{}),
	}
	go s.serve()
	t.Cleanup(s.close)
	return s
}

// Addr returns the server's address as host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Messages returns a copy of the messages received so far, in the order
// they arrived.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// Wait waits until at least n messages have arrived, or until timeout has
// passed, and returns a copy of the messages received so far. If it returns
// fewer than n, the timeout passed; the caller checks the length. Wait does
// not fail the test itself, so it may be called from any goroutine.
func (s *Server) Wait(n int, timeout time.Duration) []Received {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			msgs := slices.Clone(s.msgs)
			s.mu.Unlock()
			return msgs
		}
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-timer.C:
			return s.Messages()
		}
	}
}

// Counts returns how many connections and MAIL commands the server saw.
func (s *Server) Counts() (dials, mails int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dials, s.mails
}

func (s *Server) serve() {
	defer close(s.done)
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.conns[conn] = struct{}{}
		s.dials++
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, conn)
				s.mu.Unlock()
				conn.Close()
			}()
			s.handle(conn)
		}()
	}
}

func (s *Server) close() {
	s.ln.Close()
	<-s.done
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) handle(conn net.Conn) {
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	if s.opts.Silent {
		io.Copy(io.Discard, conn)
		return
	}
	tc := textproto.NewConn(conn)
	reply := func(format string, a ...any) bool { return tc.PrintfLine(format, a...) == nil }
	if !reply("220 test.invalid ESMTP ready") {
		return
	}
	var (
		isTLS, authed, greeted bool
		from                   string
		rcpts                  []string
		accepted               int
	)
	reset := func() { from, rcpts = "", nil }
	for {
		line, err := tc.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			greeted = true
			reset()
			lines := []string{"test.invalid greets " + arg, "8BITMIME"}
			if s.opts.TLS != nil && !isTLS {
				lines = append(lines, "STARTTLS")
			}
			if s.opts.User != "" {
				lines = append(lines, "AUTH PLAIN")
			}
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				if !reply("250%s%s", sep, l) {
					return
				}
			}
		case "HELO":
			greeted = true
			reset()
			reply("250 test.invalid")
		case "STARTTLS":
			if s.opts.TLS == nil || isTLS {
				reply("502 5.5.1 not available")
				continue
			}
			if !reply("220 2.0.0 ready to start TLS") {
				return
			}
			tlsConn := tls.Server(conn, s.opts.TLS)
			if err := tlsConn.Handshake(); err != nil {
				return
			}
			tc = textproto.NewConn(tlsConn)
			isTLS, authed, greeted = true, false, false
			reset()
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			if s.opts.User == "" || !strings.EqualFold(mech, "PLAIN") || authed {
				reply("504 5.5.4 unsupported")
				continue
			}
			if initial == "" {
				if !reply("334 ") {
					return
				}
				if initial, err = tc.ReadLine(); err != nil {
					return
				}
			}
			dec, err := base64.StdEncoding.DecodeString(initial)
			parts := strings.Split(string(dec), "\x00")
			if err != nil || len(parts) != 3 || parts[1] != s.opts.User || parts[2] != s.opts.Pass {
				reply("535 5.7.8 authentication failed")
				continue
			}
			authed = true
			reply("235 2.7.0 authenticated")
		case "MAIL":
			addr, ok := envelope(arg, "FROM:")
			switch {
			case !greeted:
				reply("503 5.5.1 EHLO first")
			case s.opts.User != "" && !authed:
				reply("530 5.7.0 authentication required")
			case !ok:
				reply("501 5.5.4 syntax")
			default:
				s.mu.Lock()
				s.mails++
				s.mu.Unlock()
				from, rcpts = addr, nil
				reply("250 2.1.0 ok")
			}
		case "RCPT":
			addr, ok := envelope(arg, "TO:")
			switch {
			case from == "":
				reply("503 5.5.1 MAIL first")
			case !ok:
				reply("501 5.5.4 syntax")
			case s.opts.RejectRcpt != nil && s.opts.RejectRcpt(addr):
				reply("550 5.1.1 <%s>: recipient address rejected", addr)
			default:
				rcpts = append(rcpts, addr)
				reply("250 2.1.5 ok")
			}
		case "DATA":
			if len(rcpts) == 0 {
				reply("503 5.5.1 RCPT first")
				continue
			}
			if !reply("354 end data with <CR><LF>.<CR><LF>") {
				return
			}
			data, bareLF, err := readData(tc.R)
			if err != nil {
				return
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, Received{From: from, To: rcpts, Data: data, TLS: isTLS, Authed: authed, BareLF: bareLF})
			close(s.arrived)
			s.arrived = make(chan struct{})
			s.mu.Unlock()
			reset()
			reply("250 2.0.0 queued")
			if accepted++; accepted == s.opts.DropAfter {
				return
			}
		case "RSET":
			reset()
			reply("250 2.0.0 ok")
		case "NOOP":
			reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 unknown command")
		}
	}
}

// envelope parses "FROM:<addr> params" or "TO:<addr> params".
func envelope(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

// readData reads DATA up to the line ".", undoing dot-stuffing and keeping
// the line ends as sent.
func readData(r *bufio.Reader) (data []byte, bareLF bool, err error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, false, err
		}
		if line == ".\r\n" {
			return []byte(b.String()), bareLF, nil
		}
		if !strings.HasSuffix(line, "\r\n") {
			bareLF = true
		}
		line = strings.TrimPrefix(line, ".")
		b.WriteString(line)
	}
}

// SelfSignedTLS returns a server configuration with a fresh self-signed
// certificate for 127.0.0.1, for Options.TLS, and a pool that trusts it, for
// the client. The certificate is valid for an hour either side of now.
func SelfSignedTLS(t testing.TB) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest relay"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	cfg := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion:   tls.VersionTLS12,
	}
	return cfg, pool
}

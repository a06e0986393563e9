package smtptest

import (
	"crypto/tls"
	"net"
	"net/smtp"
	"strings"
	"testing"
	"time"
)

func send(addr, to, body string) error {
	return smtp.SendMail(addr, nil, "from@test.invalid", []string{to}, []byte("Subject: t\r\n\r\n"+body+"\r\n"))
}

func TestWait(t *testing.T) {
	srv := Start(t, Options{})
	errc := make(chan error, 1)
	go func() {
		for _, to := range []string{"a@test.invalid", "b@test.invalid", "c@test.invalid"} {
			time.Sleep(20 * time.Millisecond)
			if err := send(srv.Addr(), to, ".dot-stuffed"); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	got := srv.Wait(3, 10*time.Second)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[2].To[0] != "c@test.invalid" || got[0].From != "from@test.invalid" {
		t.Fatalf("Wait(3) = %+v", got)
	}
	if !strings.HasSuffix(string(got[0].Data), "\r\n.dot-stuffed\r\n") || got[0].BareLF || got[0].TLS || got[0].Authed {
		t.Errorf("message 0 = %+v (%q)", got[0], got[0].Data)
	}
	if dials, mails := srv.Counts(); dials != 3 || mails != 3 {
		t.Errorf("Counts() = %d, %d; want 3, 3", dials, mails)
	}

	// Already there: no waiting.
	start := time.Now()
	if got := srv.Wait(2, time.Minute); len(got) != 3 {
		t.Errorf("Wait(2) returned %d messages, want all 3", len(got))
	}
	// Never coming: returns what it has once the timeout passes.
	if got := srv.Wait(4, 100*time.Millisecond); len(got) != 3 {
		t.Errorf("Wait(4) returned %d messages, want 3", len(got))
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 5*time.Second {
		t.Errorf("Wait took %v", d)
	}
}

func TestRejectAndAuth(t *testing.T) {
	serverTLS, pool := SelfSignedTLS(t)
	srv := Start(t, Options{TLS: serverTLS, User: "u", Pass: "p", RejectRcpt: func(a string) bool { return a == "no@test.invalid" }})
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("from@test.invalid"); err == nil {
		t.Error("MAIL accepted before AUTH")
	}
	if err := c.StartTLS(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(smtp.PlainAuth("", "u", "p", "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("from@test.invalid"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("no@test.invalid"); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("RCPT of a rejected address = %v, want 550", err)
	}
	if err := c.Rcpt("yes@test.invalid"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("Subject: t\r\n\r\nhi\r\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c.Quit()
	got := srv.Messages()
	if len(got) != 1 || !got[0].TLS || !got[0].Authed || len(got[0].To) != 1 || got[0].To[0] != "yes@test.invalid" {
		t.Fatalf("Messages() = %+v", got)
	}
}

func TestCleanupCloses(t *testing.T) {
	var addr string
	var conn net.Conn
	t.Run("server", func(t *testing.T) {
		srv := Start(t, Options{Silent: true})
		addr = srv.Addr()
		var err error
		if conn, err = net.Dial("tcp", addr); err != nil {
			t.Fatal(err)
		}
	})
	defer conn.Close()
	// The open connection was closed by the server's cleanup…
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Error("read from a silent server's connection after cleanup succeeded")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Error("cleanup left a connection open")
	}
	// …and nobody listens any more.
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("server still accepts connections after cleanup")
	}
}

package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// pgProxy relays TCP connections to a PostgreSQL server and can cut them as
// a crash or a restart of the server would.
type pgProxy struct {
	target string
	ln     net.Listener
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newPGProxy(t *testing.T, target string) *pgProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{target: target, ln: ln}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			down := p.down
			if !down {
				p.conns = append(p.conns, c)
			}
			p.mu.Unlock()
			if down {
				// The server is starting again: the connection ends before
				// the first message.
				c.Close()
				continue
			}
			go p.relay(c)
		}
	}()
	return p
}

func (p *pgProxy) relay(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, s)
	p.mu.Unlock()
	go func() { _, _ = io.Copy(s, c); s.Close() }()
	_, _ = io.Copy(c, s)
	c.Close()
}

// cut resets every relayed connection.
func (p *pgProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		c.Close()
	}
	p.conns = nil
}

func (p *pgProxy) setDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
	if down {
		p.cut()
	}
}

// checkUnavailable asserts a 503 with Retry-After and the translated
// message, never a 500.
func checkUnavailable(t *testing.T, what string, resp *http.Response, body string) {
	t.Helper()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("%s: status %d, Retry-After %q, want 503 with Retry-After", what, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(body, "temporarily unavailable") {
		t.Errorf("%s: the message is not the translated one: %.300s", what, body)
	}
}

// TestLostPostgresConnectionAnswers503 runs Haven on PostgreSQL through a
// relay that loses every connection (reset, then the server refusing to
// talk while it restarts), and terminates the backends from a second
// connection while requests run: every answer is a success or a 503 with
// Retry-After, never a 500, and service returns by itself.
func TestLostPostgresConnectionAnswers503(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	testenv.Ran(t, "postgres")
	ctx := context.Background()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newPGProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	db := testenv.OpenMigrated(t, store.Options{DSN: u.String()})
	f := buildFixture(t, db, fixtureOptions{seed: 7, cases: 20, adjust: func(c *config.Config) { c.Demo, c.MFAOptional = true, true }})
	ca := f.login(t, access.CompetentAuthority)
	fr := f.login(t, access.FirstResponder)
	if resp, _ := get(t, ca, f.srv.URL+"/queue"); resp.StatusCode != 200 {
		t.Fatalf("queue before: %d", resp.StatusCode)
	}
	referral := func(key string) (*http.Response, string) {
		return send(t, fr, "POST", f.srv.URL+"/api/v1/referrals", adultReferral, "Content-Type", "application/json", "Idempotency-Key", key)
	}

	// The server goes away: connections reset, new ones end at once.
	proxy.setDown(true)
	resp, body := get(t, ca, f.srv.URL+"/queue")
	checkUnavailable(t, "page while the server is down", resp, body)
	resp, body = referral("down-1")
	checkUnavailable(t, "API write while the server is down", resp, body)
	if resp, body := get(t, f.client(t), f.srv.URL+"/readyz"); resp.StatusCode != 503 || !strings.Contains(body, "database_unreachable") {
		t.Errorf("readyz while the server is down: %d %s", resp.StatusCode, body)
	}
	// It comes back: so does Haven, without a restart.
	proxy.setDown(false)
	var ok bool
	for i := 0; i < 20 && !ok; i++ {
		resp, _ := get(t, ca, f.srv.URL+"/queue")
		ok = resp.StatusCode == 200
		if !ok {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !ok {
		t.Fatal("the queue does not come back after the server does")
	}
	if resp, body := referral("down-1"); resp.StatusCode != 201 {
		t.Fatalf("the write retried with its key: %d %s", resp.StatusCode, body)
	}

	// An administrator terminates every backend of the database while
	// requests run.
	admin, err := sql.Open("pgx", os.Getenv(testenv.EnvPostgres))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := strings.TrimPrefix(u.Path, "/")
	statuses := map[int]int{}
	var mu sync.Mutex
	for round := 0; round < 6; round++ {
		var wg sync.WaitGroup
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// The authority reads the queue; the first responder refers.
				var req *http.Request
				c := ca
				if i%2 == 0 {
					req, _ = http.NewRequest("GET", f.srv.URL+"/queue", nil)
				} else {
					c = fr
					req, _ = http.NewRequest("POST", f.srv.URL+"/api/v1/referrals", strings.NewReader(adultReferral))
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := c.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
				if resp.StatusCode >= 500 && (resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "") {
					t.Errorf("round %d: status %d, Retry-After %q", round, resp.StatusCode, resp.Header.Get("Retry-After"))
				}
			}()
		}
		time.Sleep(time.Duration(round) * 3 * time.Millisecond)
		if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, name); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
	}
	t.Logf("answers while backends were terminated: %v", statuses)
	if resp, _ := get(t, ca, f.srv.URL+"/queue"); resp.StatusCode != 200 {
		t.Errorf("queue after the terminations: %d", resp.StatusCode)
	}
}

// TestFullDiskAnswers507AndNotReady fills a SQLite database for real (its
// max_page_count stops it growing, and SQLite answers SQLITE_FULL as on a
// full disk): a write answers 507 with Retry-After and the translated
// message in the caller's language, nothing is stored, /readyz reports not
// ready; once there is room again, /readyz recovers and writes succeed.
func TestFullDiskAnswers507AndNotReady(t *testing.T) {
	ctx := context.Background()
	o := testenv.FreshSQLite(t)
	o.FullMemory = 700 * time.Millisecond
	db := testenv.OpenMigrated(t, o)
	f := buildFixture(t, db, fixtureOptions{seed: 7, cases: 20, adjust: func(c *config.Config) { c.Demo, c.MFAOptional = true, true }})
	fr := f.login(t, access.FirstResponder)
	post := func(lang string) (*http.Response, map[string]any) {
		resp, b := send(t, fr, "POST", f.srv.URL+"/api/v1/referrals", adultReferral, "Content-Type", "application/json", "Accept-Language", lang)
		var m map[string]any
		_ = json.Unmarshal([]byte(b), &m)
		return resp, m
	}
	count := func() int {
		var n int
		if err := db.R().QueryRowContext(ctx, `SELECT count(*) FROM referrals`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if resp, _ := get(t, f.client(t), f.srv.URL+"/readyz"); resp.StatusCode != 200 {
		t.Fatalf("readyz before: %d", resp.StatusCode)
	}
	// The writer connection may not grow the file by a single page.
	w := db.RawWriter()
	if _, err := w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := w.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ExecContext(ctx, `PRAGMA max_page_count = `+strconv.Itoa(pages)); err != nil {
		t.Fatal(err)
	}
	before := count()
	for _, lang := range []string{"en", "ko"} {
		resp, body := post(lang)
		e, _ := body["error"].(map[string]any)
		if resp.StatusCode != http.StatusInsufficientStorage || resp.Header.Get("Retry-After") == "" || e["code"] != "storage_full" {
			t.Fatalf("write on a full database (%s): %d, Retry-After %q, %v", lang, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		want := map[string]string{"en": "storage is full", "ko": "저장 공간이 가득"}[lang]
		if msg, _ := e["message"].(string); !strings.Contains(msg, want) {
			t.Errorf("%s message: %q", lang, msg)
		}
	}
	if count() != before {
		t.Fatal("a refused write left a referral behind")
	}
	resp, body := get(t, f.client(t), f.srv.URL+"/readyz")
	if resp.StatusCode != 503 || !strings.Contains(body, "storage_full") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("readyz while writes fail: %d %s", resp.StatusCode, body)
	}
	// Room again.
	if _, err := w.ExecContext(ctx, `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(800 * time.Millisecond)
	if resp, body := get(t, f.client(t), f.srv.URL+"/readyz"); resp.StatusCode != 200 {
		t.Errorf("readyz after room returned: %d %s", resp.StatusCode, body)
	}
	if resp, body := post("en"); resp.StatusCode != 201 {
		t.Errorf("write after room returned: %d %v", resp.StatusCode, body)
	}
}

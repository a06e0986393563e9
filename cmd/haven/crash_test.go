package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/testenv"
)

// The payload every crash-test referral carries: the smallest referral
// that creates a person, a case, a referral, a notification and their
// audit events in one transaction.
const crashReferral = `{"sector":"labour_inspection","age":30,"exploitation":"labour","acts":["recruitment"],` +
	`"means":["deception"],"purposes":["forced_labour"],"consent":"given","consent_language":"ne",` +
	`"identity":{"given_name":"Crash","family_name":"Test"}}`

const (
	crashClients      = 8
	crashDefaultRound = 30
	crashUser         = "demo.first_responder"
	crashKillMin      = 50 * time.Millisecond
	crashKillMax      = 600 * time.Millisecond
)

// TestCrashSafety kills `haven serve` with SIGKILL, again and again, while
// clients write referrals through the API with idempotency keys, and then
// checks the database: every acknowledged referral is there exactly once,
// a retried key never makes a second referral, nothing is half-written,
// and the audit chain still verifies. HAVEN_CRASH_ROUNDS sets the number
// of kills (30; 5 with -short) and HAVEN_CRASH_SEED the random choices.
func TestCrashSafety(t *testing.T) {
	rounds := crashDefaultRound
	if testing.Short() {
		rounds = 5
	}
	if v := os.Getenv("HAVEN_CRASH_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("HAVEN_CRASH_ROUNDS=%q is not a positive number", v)
		}
		rounds = n
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("HAVEN_CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("HAVEN_CRASH_SEED=%q is not a number", v)
		}
		seed = n
	}
	// The demo accounts sign in with a password only.
	t.Setenv("HAVEN_MFA_REQUIRED", "false")

	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		crashRun(t, crashInstance{
			engine: "sqlite",
			args:   []string{"--data", dir},
			opts:   store.Options{Path: filepath.Join(dir, "haven.db"), MustExist: true},
			data:   dir,
		}, rounds, seed)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := testenv.PostgresDSN(t)
		testenv.Ran(t, "postgres")
		dir := t.TempDir()
		crashRun(t, crashInstance{
			engine: "postgres",
			args:   []string{"--data", dir, "--db", dsn},
			opts:   store.Options{DSN: dsn},
			data:   dir,
		}, rounds, seed+1)
	})
}

// crashInstance is one Haven instance under test.
type crashInstance struct {
	engine string
	args   []string // --data DIR [--db DSN]
	opts   store.Options
	data   string
}

// crashKey is what the clients learnt about one idempotency key.
type crashKey struct {
	attempts int
	acked    bool   // some attempt was answered 201, or 200 replayed
	id       string // the referral id of the acknowledgement
	// uncertain: some attempt ended without an answer, so its write may
	// or may not have committed.
	uncertain bool
	// replayedRetry: a retry after a lost answer was answered "replayed",
	// so the lost attempt had committed.
	replayedRetry bool
}

// crashLedger records every key sent and every answer, across rounds.
type crashLedger struct {
	mu       sync.Mutex
	keys     map[string]*crashKey
	order    []string
	sent     int // requests sent
	retried  int // requests re-sending a key whose answer was lost
	rechecks int // requests re-sending an acknowledged key
	throttle int // answers 429
	failures []string
}

func (l *crashLedger) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) < 50 {
		l.failures = append(l.failures, fmt.Sprintf(format, args...))
	}
}

// crashJob is one request of a round.
type crashJob struct {
	key  string
	kind int // crashNew, crashRetry or crashRecheck
}

const (
	crashNew = iota
	crashRetry
	crashRecheck
)

func crashRun(t *testing.T, in crashInstance, rounds int, seed uint64) {
	start := time.Now()
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	t.Logf("%s: %d rounds, seed %d (HAVEN_CRASH_SEED=%d repeats the kill times and retry choices)", in.engine, rounds, seed, seed)

	// 1. A fresh instance with the demo accounts and no cases.
	r := haven(t, "", append([]string{"demo", "--no-serve", "--cases", "0", "--seed", "1"}, in.args...)...)
	if r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	password := ""
	for _, line := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[1] == crashUser {
			password = f[2]
		}
	}
	if password == "" {
		t.Fatalf("no password for %s in the demo output:\n%s", crashUser, r.stdout)
	}

	prepared := time.Now()
	sources := crashSourceAddrs(t)
	led := &crashLedger{keys: map[string]*crashKey{}}
	var cookie, userID string
	var unacked []string // keys whose answer was lost and that were not acknowledged since
	kills, seq := 0, 0
	sessionReused := false

	// 2. Rounds of writing and killing.
	for round := 0; round < rounds; round++ {
		s := startServer(t, in.args...)
		s.waitReady(t)
		// Sign in on the first round and now and then afterwards; in
		// between, the session from an earlier process is used again.
		if cookie == "" || round%10 == 9 {
			cookie = crashSignIn(t, s, password)
		} else if !sessionReused {
			sessionReused = true
			t.Logf("round %d: the session made before %d kill(s) is used again", round, kills)
		}
		me := crashMe(t, s, cookie)
		if userID == "" {
			userID = me
		} else if me != userID {
			t.Fatalf("round %d: the session belongs to %s, want %s", round, me, userID)
		}

		// The queue: retries of a random half of the lost answers, two
		// acknowledged keys again, then new keys.
		var jobs []crashJob
		rng.Shuffle(len(unacked), func(i, j int) { unacked[i], unacked[j] = unacked[j], unacked[i] })
		for _, k := range unacked[:len(unacked)/2] {
			jobs = append(jobs, crashJob{key: k, kind: crashRetry})
		}
		led.mu.Lock()
		var ackedKeys []string
		for _, k := range led.order {
			if led.keys[k].acked {
				ackedKeys = append(ackedKeys, k)
			}
		}
		led.mu.Unlock()
		for i := 0; i < 2 && len(ackedKeys) > 0; i++ {
			jobs = append(jobs, crashJob{key: ackedKeys[rng.IntN(len(ackedKeys))], kind: crashRecheck})
		}
		rng.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
		var qmu sync.Mutex
		next := func() crashJob {
			qmu.Lock()
			defer qmu.Unlock()
			if len(jobs) > 0 {
				j := jobs[0]
				jobs = jobs[1:]
				return j
			}
			seq++
			return crashJob{key: fmt.Sprintf("crash-%s-r%04d-%06d", in.engine, round, seq), kind: crashNew}
		}

		var killing atomic.Bool
		var wg sync.WaitGroup
		clients := make([]*http.Client, crashClients)
		for i := range clients {
			clients[i] = crashClient(sources[i%len(sources)])
			wg.Add(1)
			go func(c *http.Client) {
				defer wg.Done()
				for !killing.Load() {
					if !crashPost(c, s.url, cookie, next(), led, &killing, round) {
						return
					}
				}
			}(clients[i])
		}
		delay := crashKillMin + time.Duration(rng.Int64N(int64(crashKillMax-crashKillMin)+1))
		time.Sleep(delay)
		killing.Store(true)
		if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("round %d: kill: %v; log:\n%s", round, err, crashTail(s.stderr.String(), 4000))
		}
		err := s.cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: the server ended by itself before the kill (%v); log:\n%s", round, err, crashTail(s.stderr.String(), 4000))
		}
		kills++
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("round %d: clients still busy 20s after the kill", round)
		}
		for _, c := range clients {
			c.CloseIdleConnections()
		}

		led.mu.Lock()
		unacked = unacked[:0]
		for _, k := range led.order {
			if st := led.keys[k]; !st.acked && st.uncertain {
				unacked = append(unacked, k)
			}
		}
		failures := strings.Join(led.failures, "\n")
		led.mu.Unlock()
		if failures != "" {
			t.Fatalf("round %d: answers from a live server were wrong:\n%s\nserver log (last 4000 bytes):\n%s", round, failures, crashTail(s.stderr.String(), 4000))
		}
	}
	if !sessionReused && rounds > 1 {
		t.Error("no round used a session from before a kill")
	}

	killed := time.Now()

	// 3. One more start, ready, graceful stop.
	s := startServer(t, in.args...)
	s.waitReady(t)
	if me := crashMe(t, s, cookie); me != userID {
		t.Fatalf("after the last kill the session belongs to %q, want %q", me, userID)
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, s.stderr.String())
	}
	if !strings.Contains(s.stderr.String(), `"msg":"haven stopped"`) {
		t.Fatalf("no clean stop logged:\n%s", s.stderr.String())
	}
	if in.engine == "sqlite" {
		if _, err := os.Stat(filepath.Join(in.data, "haven.db-wal")); err == nil {
			t.Error("WAL file left behind after the graceful stop")
		}
	}

	// The database, read directly.
	ctx := context.Background()
	db, err := store.Open(ctx, in.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored := crashStored(t, db, userID)
	var dupes []string
	rows, err := db.R().QueryContext(ctx, `SELECT COALESCE(idempotency_key, ''), count(*) FROM referrals
		WHERE referring_user_id = $1 GROUP BY idempotency_key HAVING count(*) > 1`, userID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		dupes = append(dupes, fmt.Sprintf("%q×%d", k, n))
	}
	rows.Close()
	if len(dupes) > 0 {
		t.Errorf("idempotency keys with more than one referral: %v", dupes)
	}
	var total, distinct, all int
	if err := db.R().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT idempotency_key) FROM referrals WHERE referring_user_id = $1`,
		userID).Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	if err := db.R().QueryRowContext(ctx, `SELECT count(*) FROM referrals`).Scan(&all); err != nil {
		t.Fatal(err)
	}
	if total != distinct || total != all || total != len(stored) {
		t.Errorf("referral rows %d (all users %d), distinct keys %d, rows read %d: want all equal", total, all, distinct, len(stored))
	}

	acked, lostAnswers, refused, committedUnacked, replayedRetries := 0, 0, 0, 0, 0
	for _, k := range led.order {
		st := led.keys[k]
		ref, found := stored[k]
		switch {
		case !st.acked && st.uncertain:
			lostAnswers++
		case !st.acked:
			refused++
		}
		switch {
		case st.acked:
			acked++
			if !found {
				t.Errorf("key %s was acknowledged (referral %s) but is not in the database", k, st.id)
			} else if ref.id != st.id {
				t.Errorf("key %s was acknowledged as referral %s but the database holds %s", k, st.id, ref.id)
			}
			if st.replayedRetry {
				replayedRetries++
			}
		case found && st.uncertain:
			committedUnacked++
		case found:
			t.Errorf("key %s was refused every time it was sent, yet the database holds referral %s", k, ref.id)
		}
	}
	for k := range stored {
		if led.keys[k] == nil {
			t.Errorf("the database holds a referral with key %q, which was never sent", k)
		}
	}

	// Nothing half-written: each referral has its case and person, its
	// audit event and its notification.
	var orphans, unaudited, unnotified, kindReferral int
	for _, q := range []struct {
		dst *int
		sql string
	}{
		{&kindReferral, `SELECT count(*) FROM referrals WHERE referring_user_id = $1 AND kind = 'referral'`},
		{&orphans, `SELECT count(*) FROM referrals r LEFT JOIN cases c ON c.id = r.case_id LEFT JOIN persons p ON p.id = c.person_id
			WHERE r.referring_user_id = $1 AND r.kind = 'referral' AND p.id IS NULL`},
		{&unaudited, `SELECT count(*) FROM referrals r WHERE r.referring_user_id = $1 AND NOT EXISTS
			(SELECT 1 FROM audit_events a WHERE a.action = 'referral.create' AND a.object_id = r.id)`},
		{&unnotified, `SELECT count(*) FROM referrals r WHERE r.referring_user_id = $1 AND NOT EXISTS
			(SELECT 1 FROM notifications n WHERE n.object_type = 'referral' AND n.object_id = r.id)`},
	} {
		if err := db.R().QueryRowContext(ctx, q.sql, userID).Scan(q.dst); err != nil {
			t.Fatal(err)
		}
	}
	if kindReferral != total {
		t.Errorf("%d of %d referrals are of kind referral; the payload makes only referrals", kindReferral, total)
	}
	if orphans > 0 {
		t.Errorf("%d referrals lack their case or person", orphans)
	}
	if unaudited > 0 {
		t.Errorf("%d referrals lack their referral.create audit event", unaudited)
	}
	if unnotified > 0 {
		t.Errorf("%d referrals lack their notification", unnotified)
	}
	db.Close()

	av := haven(t, "", append([]string{"audit", "verify"}, in.args...)...)
	if av.code != 0 {
		t.Errorf("audit verify after %d kills: exit %d\n%s%s", kills, av.code, av.stdout, av.stderr)
	}

	elapsed := time.Since(start).Round(10 * time.Millisecond)
	summary := fmt.Sprintf("crash-safety: engine=%s rounds=%d kills=%d keys=%d requests=%d acknowledged=%d unacknowledged=%d "+
		"committed-unacknowledged=%d (replayed-on-retry=%d never-acknowledged=%d) retried=%d rechecked=%d throttled=%d refused-keys=%d rows=%d elapsed=%s seed=%d",
		in.engine, rounds, kills, len(led.order), led.sent, acked, lostAnswers,
		committedUnacked+replayedRetries, replayedRetries, committedUnacked, led.retried, led.rechecks, led.throttle, refused, total,
		elapsed, seed)
	t.Logf("audit verify: %s", strings.TrimSpace(av.stdout))
	t.Logf("time: demo %s, %d rounds %s (%s a round), final start, stop and checks %s",
		prepared.Sub(start).Round(time.Millisecond), rounds, killed.Sub(prepared).Round(time.Millisecond),
		(killed.Sub(prepared) / time.Duration(rounds)).Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))
	t.Log(summary)
	fmt.Printf("%s\n", summary)
	if dir := os.Getenv(testenv.EnvReportDir); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "crash-summary-"+in.engine+".txt"), []byte(summary+"\n"), 0o644); err != nil {
			t.Logf("cannot write the summary: %v", err)
		}
	}
}

func crashTail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// crashStoredRef is one referral row.
type crashStoredRef struct{ id string }

// crashStored reads the user's referrals by idempotency key.
func crashStored(t *testing.T, db *store.DB, userID string) map[string]crashStoredRef {
	t.Helper()
	out := map[string]crashStoredRef{}
	testenv.EachRow(t, db, func(_ []string, vals []any) {
		id, k := testenv.Text(vals[0]), testenv.Text(vals[1])
		if k == "" {
			t.Errorf("referral %s has no idempotency key", id)
		}
		out[k] = crashStoredRef{id: id}
	}, `SELECT id, COALESCE(idempotency_key, '') FROM referrals WHERE referring_user_id = $1`, userID)
	return out
}

// crashSourceAddrs returns loopback source addresses for the clients, one
// each when the system routes all of 127.0.0.0/8 to loopback (as Linux
// does), so that each client is a separate address to the per-address rate
// limit, as separate devices would be. Elsewhere all share 127.0.0.1.
func crashSourceAddrs(t *testing.T) []*net.TCPAddr {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	var out []*net.TCPAddr
	for i := range crashClients {
		a := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i))}
		d := net.Dialer{LocalAddr: a, Timeout: time.Second}
		c, err := d.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Logf("clients share 127.0.0.1 (cannot send from %s: %v)", a.IP, err)
			return []*net.TCPAddr{nil}
		}
		c.Close()
		out = append(out, a)
	}
	return out
}

func crashClient(src *net.TCPAddr) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if src != nil {
		d.LocalAddr = src
	}
	return &http.Client{
		Timeout:       5 * time.Second,
		Transport:     &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 1},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// crashPost sends one referral and records the outcome. It returns false
// when the server gave no answer: it is gone, or going.
func crashPost(c *http.Client, base, cookie string, job crashJob, led *crashLedger, killing *atomic.Bool, round int) bool {
	led.mu.Lock()
	st := led.keys[job.key]
	if st == nil {
		st = &crashKey{}
		led.keys[job.key] = st
		led.order = append(led.order, job.key)
	}
	st.attempts++
	led.sent++
	switch job.kind {
	case crashRetry:
		led.retried++
	case crashRecheck:
		led.rechecks++
	}
	led.mu.Unlock()

	lost := func() bool {
		led.mu.Lock()
		st.uncertain = true
		led.mu.Unlock()
		return false
	}
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/referrals", strings.NewReader(crashReferral))
	if err != nil {
		led.fail("round %d: %v", round, err)
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", job.key)
	req.AddCookie(&http.Cookie{Name: "haven_session", Value: cookie})
	resp, err := c.Do(req)
	if err != nil {
		if !killing.Load() {
			led.fail("round %d: key %s: no answer from a live server: %v", round, job.key, err)
		}
		return lost()
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if err != nil {
		if !killing.Load() {
			led.fail("round %d: key %s: answer cut short by a live server: %v", round, job.key, err)
		}
		return lost()
	}
	switch resp.StatusCode {
	case http.StatusCreated, http.StatusOK:
	case http.StatusTooManyRequests:
		// Refused before anything was read: nothing stored. Back off.
		led.mu.Lock()
		led.throttle++
		led.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
		return true
	default:
		if !killing.Load() {
			led.fail("round %d: key %s: status %d from a live server: %.300s", round, job.key, resp.StatusCode, body)
		}
		return lost()
	}
	var out struct {
		ID       string `json:"id"`
		Kind     string `json:"kind"`
		Replayed bool   `json:"replayed"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.ID == "" {
		led.fail("round %d: key %s: status %d with an unreadable body (%v): %.300s", round, job.key, resp.StatusCode, err, body)
		return false
	}
	if out.Replayed != (resp.StatusCode == http.StatusOK) {
		led.fail("round %d: key %s: status %d with replayed=%v", round, job.key, resp.StatusCode, out.Replayed)
	}
	led.mu.Lock()
	defer led.mu.Unlock()
	switch {
	case job.kind == crashNew && out.Replayed:
		led.failures = append(led.failures, fmt.Sprintf("round %d: new key %s answered as a replay of %s", round, job.key, out.ID))
	case job.kind == crashRecheck && (!out.Replayed || out.ID != st.id):
		led.failures = append(led.failures, fmt.Sprintf("round %d: acknowledged key %s (referral %s) answered %d replayed=%v id %s",
			round, job.key, st.id, resp.StatusCode, out.Replayed, out.ID))
	case job.kind == crashRetry && out.Replayed:
		st.replayedRetry = true
	}
	if st.acked && st.id != out.ID {
		led.failures = append(led.failures, fmt.Sprintf("round %d: key %s answered with referral %s, earlier %s", round, job.key, out.ID, st.id))
	}
	st.acked, st.id = true, out.ID
	return true
}

// crashSignIn signs the demo first responder in and returns the session
// cookie.
func crashSignIn(t *testing.T, s *server, password string) string {
	t.Helper()
	c := crashClient(nil)
	defer c.CloseIdleConnections()
	resp, err := c.PostForm(s.url+"/login", url.Values{"username": {crashUser}, "password": {password}})
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc != "/" {
		if strings.HasPrefix(loc, "/mfa/") {
			t.Fatalf("sign in of %s wants a second factor (%s) although HAVEN_MFA_REQUIRED=false", crashUser, loc)
		}
		t.Fatalf("sign in of %s: status %d, location %q", crashUser, resp.StatusCode, loc)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "haven_session" && ck.Value != "" {
			return ck.Value
		}
	}
	t.Fatal("sign in set no session cookie")
	return ""
}

// crashMe returns the id of the user the session cookie signs in.
func crashMe(t *testing.T, s *server, cookie string) string {
	t.Helper()
	c := crashClient(nil)
	defer c.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: "haven_session", Value: cookie})
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("/api/v1/me: %v", err)
	}
	defer resp.Body.Close()
	var me struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&me) != nil || me.Username != crashUser {
		t.Fatalf("/api/v1/me with the session cookie: status %d, user %q", resp.StatusCode, me.Username)
	}
	return me.ID
}
